"""The give-and-get ledger: per business, the intern-days it hosted and received (end − start + 1) over the
internships that take real days — scheduled, active, completed, followed up — and its internships by state,
read in one query whatever the number of businesses."""

from datetime import date
from typing import Any

import pytest

from businesses.models import Business
from internships.models import Internship
from internships.selectors.internships import COUNTED, Ledger, ledgers
from tests.factories import BusinessFactory, InternshipFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Internship.Status


def placement(*, learner: Business, host: Business, days: int, status: str, **extra: Any) -> Internship:
    start = date(2026, 3, 2)
    mentor = None if status in {Status.REQUESTED, Status.DECLINED, Status.CANCELLED} else UserFactory.create()
    return InternshipFactory.create(
        match__need__business=learner,
        match__offer__business=host,
        start=start,
        end=date.fromordinal(start.toordinal() + days - 1),
        status=status,
        mentor=mentor,
        decline_reason="No room" if status == Status.DECLINED else "",
        cancel_reason="Budget cut" if status == Status.CANCELLED else "",
        **extra,
    )


def test_days_are_counted_from_the_first_to_the_last_day_inclusive(
    business: Business, other_business: Business
):
    placement(learner=business, host=other_business, days=5, status=Status.ACTIVE)
    found = ledgers([business.pk, other_business.pk])
    assert found[business.pk].received_days == 5 and found[business.pk].hosted_days == 0
    assert found[other_business.pk].hosted_days == 5 and found[other_business.pk].received_days == 0


@pytest.mark.parametrize("status", list(Status))
def test_only_internships_that_take_real_days_count(
    business: Business, other_business: Business, status: str
):
    placement(learner=business, host=other_business, days=4, status=status)
    ledger = ledgers([other_business.pk])[other_business.pk]
    assert ledger.hosted_days == (4 if status in COUNTED else 0)
    assert ledger.by_status == {status: 1}  # every state shows in the list by state
    assert ledger.total == 1


def test_the_balance_is_days_given_minus_days_received(business: Business, other_business: Business):
    third = BusinessFactory.create(name="Third Shop")
    placement(learner=business, host=other_business, days=10, status=Status.COMPLETED)
    placement(learner=other_business, host=business, days=3, status=Status.FOLLOWED_UP)
    placement(learner=third, host=business, days=2, status=Status.SCHEDULED)
    placement(learner=business, host=third, days=7, status=Status.CANCELLED)
    ledger = ledgers([business.pk])[business.pk]
    assert (ledger.hosted_days, ledger.received_days) == (5, 10)
    assert (ledger.balance, ledger.gap) == (-5, 5)
    assert ledger.states == [
        ("scheduled", "Scheduled", 1),
        ("completed", "Completed", 1),
        ("followed_up", "Followed up", 1),
        ("cancelled", "Cancelled", 1),
    ]


def test_a_business_with_no_internships_has_an_empty_ledger(business: Business) -> None:
    assert ledgers([business.pk]) == {business.pk: Ledger()}
    assert ledgers([business.pk])[business.pk].states == []


def test_one_query_for_any_number_of_businesses_and_none_for_no_business(
    business: Business, other_business: Business, django_assert_num_queries
) -> None:
    others = [BusinessFactory.create(name=f"Shop {n}") for n in range(5)]
    for other in others:
        placement(learner=business, host=other, days=2, status=Status.ACTIVE)
        placement(learner=other, host=other_business, days=3, status=Status.COMPLETED)
    with django_assert_num_queries(1):
        found = ledgers([business.pk, other_business.pk, *(other.pk for other in others)])
    assert found[business.pk].received_days == 10
    assert found[other_business.pk].hosted_days == 15
    assert all(found[other.pk].hosted_days == 2 and found[other.pk].received_days == 3 for other in others)
    with django_assert_num_queries(0):
        assert ledgers([]) == {}
