"""A business's needs (gaps): private to its members, moderators and approved partners."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from businesses.models import Business, Need, Practice
from businesses.services.partnerships import open_partnership
from tests.factories import NeedFactory
from tests.helpers import assert_asks_to_log_in, business_url, html_of

pytestmark = pytest.mark.django_db

# Session and user, the navigation's memberships (two), the business and the
# membership, the needs.
LIST_QUERIES = 7


@pytest.fixture
def need(business: Business, onboarding: Practice) -> Need:
    return NeedFactory.create(
        business=business, practice=onboarding, outcome="New hires productive in week two."
    )


def need_data(practice: Practice, /, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "practice": practice.pk,
        "current_level": 1,
        "target_level": 3,
        "outcome": "Every new hire has a written 90-day plan and a buddy.",
        "urgency": "high",
        "earliest_start": "2026-04-01",
        "preferred_days": 4,
    }
    data.update(changes)
    return data


# The list


def test_members_see_their_business_needs(
    client: Client, member, business: Business, need: Need, django_assert_max_num_queries
) -> None:
    NeedFactory.create(business=business, status=Need.Status.CLOSED)
    NeedFactory.create(outcome="Another business's need.")
    client.force_login(member)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(business_url("needs", business))
    assert response.status_code == 200
    assert len(response.context["needs"]) == 2
    html = html_of(response)
    assert "New hires productive in week two." in html
    assert "Another business" not in html
    assert (
        business_url("need_create", business) not in html
        and business_url("need_close", business, need) not in html
    )


def test_owners_get_the_new_edit_and_close_buttons(
    client: Client, owner, business: Business, need: Need
) -> None:
    client.force_login(owner)
    html = html_of(client.get(business_url("needs", business)))
    assert business_url("need_create", business) in html
    assert business_url("need_edit", business, need) in html
    assert business_url("need_close", business, need) in html


def test_the_list_says_what_to_do_when_empty(client: Client, owner, business: Business) -> None:
    client.force_login(owner)
    html = html_of(client.get(business_url("needs", business)))
    assert "No needs yet" in html
    assert business_url("assessment", business) in html


def test_the_list_query_count_does_not_grow_with_needs(
    client: Client, owner, business: Business, django_assert_max_num_queries
) -> None:
    client.force_login(owner)
    NeedFactory.create(business=business)
    with CaptureQueriesContext(connection) as one:
        client.get(business_url("needs", business))
    NeedFactory.create_batch(15, business=business)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(business_url("needs", business))
    assert len(response.context["needs"]) == 16
    assert len(one.captured_queries) <= LIST_QUERIES


def test_moderators_and_approved_partners_see_needs_but_not_proposals(
    client: Client, moderator, outsider, business: Business, other_business: Business, need: Need
) -> None:
    NeedFactory.create(business=business, status=Need.Status.DRAFT, outcome="A proposal, not yet confirmed.")
    client.force_login(moderator)
    response = client.get(business_url("needs", business))
    assert response.context["needs"] == [need]

    client.force_login(outsider)
    assert client.get(business_url("needs", business)).status_code == 404
    open_partnership(business=business, partner=other_business)
    response = client.get(business_url("needs", business))
    assert response.status_code == 200
    assert response.context["needs"] == [need]
    assert business_url("need_edit", business, need) not in html_of(response)


def test_needs_are_hidden_from_strangers(client: Client, outsider, user, business: Business) -> None:
    for person in (outsider, user):
        client.force_login(person)
        assert client.get(business_url("needs", business)).status_code == 404


def test_the_list_asks_anonymous_visitors_to_log_in(client: Client, business: Business) -> None:
    assert_asks_to_log_in(client.get(business_url("needs", business)))


def test_the_list_rejects_a_post(client: Client, owner, business: Business) -> None:
    client.force_login(owner)
    assert client.post(business_url("needs", business)).status_code == 405


# Creating and editing


def test_an_owner_creates_an_open_need(
    client: Client, owner, business: Business, onboarding: Practice
) -> None:
    client.force_login(owner)
    response = client.get(business_url("need_create", business))
    assert response.status_code == 200
    assert '<optgroup label="HR">' in html_of(response)

    response = client.post(business_url("need_create", business), need_data(onboarding))
    assert response.status_code == 302
    assert response["Location"] == business_url("needs", business)
    need = Need.objects.get(business=business)
    assert need.status == Need.Status.OPEN
    assert (need.current_level, need.target_level, need.urgency, need.preferred_days) == (1, 3, "high", 4)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target_level": "1"}, "target_level", "Aim above where you stand today (level 1)."),
        (
            {"current_level": "4", "target_level": "2"},
            "target_level",
            "Aim above where you stand today (level 4).",
        ),
        ({"preferred_days": "0"}, "preferred_days", "An internship lasts at least one day."),
        ({"outcome": ""}, "outcome", "This field is required."),
        (
            {"outcome": "Longer. " * 25_000},
            "outcome",
            "Keep it to 2000 characters or fewer: this text has 199999.",
        ),
        ({"earliest_start": "next week"}, "earliest_start", "Enter a valid date."),
        ({"urgency": "yesterday"}, "urgency", "Select a valid choice."),
        ({"target_level": "6"}, "target_level", "Select a valid choice."),
    ],
)
def test_a_bad_need_is_explained_and_keeps_what_was_typed(
    client: Client, owner, business: Business, onboarding: Practice, changes, field, message
) -> None:
    client.force_login(owner)
    response = client.post(business_url("need_create", business), need_data(onboarding, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    html = html_of(response)
    assert "The need is not saved yet: please correct what is marked below." in html
    assert "a written 90-day plan" in html or field == "outcome"
    assert not Need.objects.exists()


def test_an_owner_edits_a_need(client: Client, manager, business: Business, need: Need, onboarding) -> None:
    client.force_login(manager)
    response = client.get(business_url("need_edit", business, need))
    assert response.status_code == 200
    assert "New hires productive in week two." in html_of(response)
    response = client.post(business_url("need_edit", business, need), need_data(onboarding, target_level=5))
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.target_level == 5
    assert need.status == Need.Status.OPEN


def test_editing_a_closed_need_keeps_it_closed(
    client: Client, owner, business: Business, need: Need, onboarding
) -> None:
    need.status = Need.Status.CLOSED
    need.save()
    client.force_login(owner)
    client.post(business_url("need_edit", business, need), need_data(onboarding))
    need.refresh_from_db()
    assert need.status == Need.Status.CLOSED


def test_an_employee_cannot_create_or_edit_needs(
    client: Client, member, business: Business, need: Need, onboarding
) -> None:
    client.force_login(member)
    assert client.get(business_url("need_create", business)).status_code == 403
    assert client.post(business_url("need_create", business), need_data(onboarding)).status_code == 403
    assert client.get(business_url("need_edit", business, need)).status_code == 403
    assert client.post(business_url("need_edit", business, need), need_data(onboarding)).status_code == 403
    assert Need.objects.count() == 1


def test_outsiders_and_partners_cannot_create_or_edit_needs(
    client: Client, outsider, business: Business, other_business: Business, need: Need, onboarding
) -> None:
    open_partnership(business=business, partner=other_business)
    client.force_login(outsider)
    assert client.post(business_url("need_create", business), need_data(onboarding)).status_code == 404
    assert client.get(business_url("need_edit", business, need)).status_code == 404
    # Nor through their own business's address.
    assert client.get(business_url("need_edit", other_business, need)).status_code == 404


def test_forms_ask_anonymous_visitors_to_log_in(
    client: Client, business: Business, need: Need, onboarding: Practice
) -> None:
    assert_asks_to_log_in(client.get(business_url("need_create", business)))
    assert_asks_to_log_in(client.post(business_url("need_create", business), need_data(onboarding)))
    assert_asks_to_log_in(client.get(business_url("need_edit", business, need)))
    response = client.post(business_url("need_edit", business, need), need_data(onboarding, target_level=5))
    assert_asks_to_log_in(response)
    assert Need.objects.get().target_level != 5


def test_forms_reject_other_methods(client: Client, owner, business: Business, need: Need) -> None:
    client.force_login(owner)
    assert client.put(business_url("need_create", business)).status_code == 405
    assert client.delete(business_url("need_edit", business, need)).status_code == 405


# Close and discard


def test_closing_a_need_stops_it(client: Client, owner, business: Business, need: Need) -> None:
    client.force_login(owner)
    response = client.post(business_url("need_close", business, need), follow=True)
    assert "Closed: we stop looking for hosts of Employee onboarding." in html_of(response)
    need.refresh_from_db()
    assert need.status == Need.Status.CLOSED
    response = client.post(business_url("need_close", business, need), follow=True)
    assert "Only an open need can be closed." in html_of(response)


def test_discarding_deletes_only_a_proposed_need(
    client: Client, owner, business: Business, need: Need
) -> None:
    client.force_login(owner)
    response = client.post(business_url("need_discard", business, need), follow=True)
    assert "Only a proposed need can be discarded" in html_of(response)
    assert Need.objects.filter(pk=need.pk).exists()

    need.status = Need.Status.DRAFT
    need.save()
    response = client.post(business_url("need_discard", business, need))
    assert response["Location"] == business_url("needs", business)
    assert not Need.objects.filter(pk=need.pk).exists()


# Each action with the state it applies to: every refusal below would otherwise have succeeded.
STATE_CHANGES = [("need_close", Need.Status.OPEN), ("need_discard", Need.Status.DRAFT)]


@pytest.mark.parametrize(("action", "status"), STATE_CHANGES)
def test_closing_and_discarding_are_for_owners_and_managers_by_post(
    client: Client, member, outsider, business: Business, need: Need, action, status
) -> None:
    need.status = status
    need.save()
    assert_asks_to_log_in(client.post(business_url(action, business, need)))
    client.force_login(member)
    assert client.post(business_url(action, business, need)).status_code == 403
    assert client.get(business_url(action, business, need)).status_code == 405
    client.force_login(outsider)
    assert client.post(business_url(action, business, need)).status_code == 404
    need.refresh_from_db()
    assert need.status == status


@pytest.mark.parametrize(("action", "status"), STATE_CHANGES)
def test_closing_and_discarding_reach_only_the_businesss_own_needs(
    client: Client, owner, business: Business, other_business: Business, action, status
) -> None:
    theirs = NeedFactory.create(business=other_business, status=status)
    client.force_login(owner)
    # Afreen's own address, with the id of Rajeev's need.
    assert client.post(business_url(action, business, theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == status
