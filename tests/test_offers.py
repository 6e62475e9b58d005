"""A business's offers: list, create and edit with blackouts, detail, pause, resume, discard;
the nightly pausing of stale offers; the full-text search vector."""

import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from businesses.models import Blackout, Business, Membership, Offer, Practice
from businesses.services.offers import STALE_REASON, refresh_search_vectors
from businesses.tasks import pause_stale_offers
from notifications.models import Notification
from tests.factories import BusinessFactory, MembershipFactory, OfferFactory
from tests.helpers import assert_asks_to_log_in, business_url, html_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
# Session and user, the navigation's memberships (two), the business and the
# membership, the offers and their blackouts.
LIST_QUERIES = 8


@pytest.fixture
def offer(business: Business, lead_generation: Practice) -> Offer:
    return OfferFactory.create(
        business=business,
        practice=lead_generation,
        available_from=TODAY,
        available_until=TODAY + timedelta(days=120),
    )


def offer_data(practice: Practice, /, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "practice": practice.pk,
        "level": 5,
        "description": "Plan and publish a month of articles with our content lead.",
        "capacity": 2,
        "mode": "remote",
        "available_from": "2026-03-02",
        "available_until": "2026-06-30",
        "min_days": 3,
        "max_days": 15,
        "blackouts-TOTAL_FORMS": "1",
        "blackouts-INITIAL_FORMS": "0",
        "blackouts-0-start": "",
        "blackouts-0-end": "",
        "blackouts-0-reason": "",
    }
    data.update(changes)
    return data


# The list


def test_members_see_their_business_offers(
    client: Client, member, business: Business, offer: Offer, django_assert_max_num_queries
) -> None:
    OfferFactory.create(business=business, status=Offer.Status.PAUSED, paused_reason=STALE_REASON)
    OfferFactory.create(description="Another business's offer.")
    client.force_login(member)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(business_url("offers", business))
    assert response.status_code == 200
    assert len(response.context["offers"]) == 2
    html = html_of(response)
    assert "Lead generation (organic)" in html
    assert STALE_REASON in html
    # An employee reads; only owners and managers write.
    assert business_url("offer_create", business) not in html
    assert business_url("offer_edit", business, offer) not in html


def test_owners_get_the_new_and_edit_buttons(client: Client, owner, business: Business, offer: Offer) -> None:
    client.force_login(owner)
    html = html_of(client.get(business_url("offers", business)))
    assert business_url("offer_create", business) in html
    assert business_url("offer_edit", business, offer) in html


def test_the_list_says_what_to_do_when_empty(client: Client, owner, business: Business) -> None:
    client.force_login(owner)
    html = html_of(client.get(business_url("offers", business)))
    assert "offers nothing yet" in html
    assert business_url("assessment", business) in html


def test_the_list_query_count_does_not_grow_with_offers(
    client: Client, owner, business: Business, django_assert_max_num_queries
) -> None:
    client.force_login(owner)
    OfferFactory.create(business=business)
    with CaptureQueriesContext(connection) as one:
        client.get(business_url("offers", business))
    for offer in OfferFactory.create_batch(15, business=business):
        Blackout.objects.create(offer=offer, start=offer.available_from, end=offer.available_from)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(business_url("offers", business))
    assert len(response.context["offers"]) == 16
    assert len(one.captured_queries) <= LIST_QUERIES


def test_a_moderator_may_read_the_list(client: Client, moderator, business: Business) -> None:
    client.force_login(moderator)
    assert client.get(business_url("offers", business)).status_code == 200


def test_the_list_asks_anonymous_visitors_to_log_in(client: Client, business: Business) -> None:
    assert_asks_to_log_in(client.get(business_url("offers", business)))


def test_the_list_is_hidden_from_outsiders(client: Client, outsider, business: Business) -> None:
    client.force_login(outsider)
    assert client.get(business_url("offers", business)).status_code == 404


def test_the_list_rejects_a_post(client: Client, owner, business: Business) -> None:
    client.force_login(owner)
    assert client.post(business_url("offers", business)).status_code == 405


# Creating


@time_machine.travel(TODAY, tick=False)
def test_an_owner_creates_an_active_offer_with_blackouts(
    client: Client, owner, business: Business, lead_generation: Practice
) -> None:
    client.force_login(owner)
    response = client.get(business_url("offer_create", business))
    assert response.status_code == 200
    html = html_of(response)
    assert '<optgroup label="Marketing">' in html
    assert '<option value="" selected>Choose a level</option>' in html
    assert 'type="date"' in html

    response = client.post(
        business_url("offer_create", business),
        offer_data(
            lead_generation,
            **{
                "blackouts-0-start": "2026-04-01",
                "blackouts-0-end": "2026-04-07",
                "blackouts-0-reason": "Easter",
            },
        ),
    )
    offer = Offer.objects.get(business=business)
    assert response.status_code == 302
    assert response["Location"] == business_url("offer_detail", business, offer)
    assert offer.status == Offer.Status.ACTIVE
    assert (offer.capacity, offer.mode, offer.max_days) == (2, "remote", 15)
    [blackout] = offer.blackouts.all()
    assert (blackout.start, blackout.end, blackout.reason) == (date(2026, 4, 1), date(2026, 4, 7), "Easter")


def test_a_manager_may_create_an_offer(client: Client, manager, business: Business, lead_generation) -> None:
    client.force_login(manager)
    response = client.post(business_url("offer_create", business), offer_data(lead_generation))
    assert response.status_code == 302
    assert Offer.objects.filter(business=business).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"capacity": "0"}, "capacity", "Take at least one intern at a time."),
        ({"capacity": "-2"}, "capacity", "Take at least one intern at a time."),
        ({"min_days": "10", "max_days": "5"}, "max_days", "cannot be shorter than the shortest (10 days)"),
        ({"min_days": "0"}, "min_days", "at least one day"),
        ({"available_until": "2026-03-02"}, "available_until", "The window must end after it starts."),
        ({"available_until": "2026-02-01"}, "available_until", "The window must end after it starts."),
        ({"available_until": "2026-03-12"}, "max_days", "Your window is 10 days long"),
        ({"description": ""}, "description", "This field is required."),
        (
            {"description": "Long. " * 35_000},
            "description",
            "Keep it to 3000 characters or fewer: this text has 209999.",
        ),
        ({"practice": "999999"}, "practice", "Select a valid choice."),
        ({"level": "7"}, "level", "Select a valid choice."),
    ],
)
def test_a_bad_offer_is_explained_and_keeps_what_was_typed(
    client: Client, owner, business: Business, lead_generation: Practice, changes, field, message
) -> None:
    client.force_login(owner)
    data = offer_data(lead_generation, **changes)
    response = client.post(business_url("offer_create", business), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    html = html_of(response)
    assert "The offer is not saved yet: please correct what is marked below." in html
    assert "Plan and publish a month of articles" in html or field == "description"
    assert not Offer.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2026-02-20", "2026-03-05", "start", "Outside the window: it opens on 02 Mar 2026."),
        ("2026-06-25", "2026-07-05", "end", "Outside the window: it closes on 30 Jun 2026."),
        ("2026-04-07", "2026-04-01", "end", "cannot be before the first"),
        ("2026-04-07", "", "end", "Give both dates, or leave the whole row empty."),
        ("", "2026-04-07", "start", "Give both dates, or leave the whole row empty."),
    ],
)
def test_blackouts_must_lie_inside_the_window(
    client: Client, owner, business: Business, lead_generation: Practice, start, end, field, message
) -> None:
    client.force_login(owner)
    data = offer_data(lead_generation, **{"blackouts-0-start": start, "blackouts-0-end": end})
    response = client.post(business_url("offer_create", business), data)
    assert response.status_code == 200
    blackout_form = response.context["blackouts"].forms[0]
    assert message in " ".join(blackout_form.errors[field])
    assert f'value="{start or end}"' in html_of(response)
    assert not Offer.objects.exists()


def test_an_employee_cannot_create_an_offer(
    client: Client, member, business: Business, lead_generation
) -> None:
    client.force_login(member)
    assert client.get(business_url("offer_create", business)).status_code == 403
    assert client.post(business_url("offer_create", business), offer_data(lead_generation)).status_code == 403
    assert not Offer.objects.exists()


def test_outsiders_cannot_create_an_offer(
    client: Client, outsider, moderator, business: Business, lead_generation
) -> None:
    for person in (outsider, moderator):
        client.force_login(person)
        assert (
            client.post(business_url("offer_create", business), offer_data(lead_generation)).status_code
            == 404
        )
    assert not Offer.objects.exists()


def test_creating_asks_anonymous_visitors_to_log_in(
    client: Client, business: Business, lead_generation: Practice
) -> None:
    assert_asks_to_log_in(client.get(business_url("offer_create", business)))
    assert_asks_to_log_in(client.post(business_url("offer_create", business), offer_data(lead_generation)))
    assert not Offer.objects.exists()


def test_creating_rejects_other_methods(client: Client, owner, business: Business) -> None:
    client.force_login(owner)
    assert client.put(business_url("offer_create", business)).status_code == 405


# Editing


def test_an_owner_edits_an_offer_and_its_blackouts(
    client: Client, owner, business: Business, offer: Offer, lead_generation: Practice
) -> None:
    kept = Blackout.objects.create(
        offer=offer, start=TODAY + timedelta(days=10), end=TODAY + timedelta(days=12)
    )
    dropped = Blackout.objects.create(
        offer=offer, start=TODAY + timedelta(days=20), end=TODAY + timedelta(days=21)
    )
    client.force_login(owner)
    response = client.get(business_url("offer_edit", business, offer))
    assert response.status_code == 200
    assert len(response.context["blackouts"].forms) == 3  # two saved rows and an empty one

    data = offer_data(
        lead_generation,
        available_from=TODAY.isoformat(),
        available_until=(TODAY + timedelta(days=120)).isoformat(),
        capacity=3,
        **{
            "blackouts-TOTAL_FORMS": "3",
            "blackouts-INITIAL_FORMS": "2",
            "blackouts-0-id": kept.pk,
            "blackouts-0-start": kept.start.isoformat(),
            "blackouts-0-end": kept.end.isoformat(),
            "blackouts-0-reason": "Trade fair",
            "blackouts-1-id": dropped.pk,
            "blackouts-1-start": dropped.start.isoformat(),
            "blackouts-1-end": dropped.end.isoformat(),
            "blackouts-1-DELETE": "on",
            "blackouts-2-start": "",
            "blackouts-2-end": "",
        },
    )
    response = client.post(business_url("offer_edit", business, offer), data)
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.capacity == 3
    assert [(b.start, b.reason) for b in offer.blackouts.all()] == [(kept.start, "Trade fair")]


def test_editing_a_paused_offer_keeps_it_paused(
    client: Client, owner, business: Business, offer: Offer, lead_generation: Practice
) -> None:
    offer.status = Offer.Status.PAUSED
    offer.save()
    client.force_login(owner)
    client.post(
        business_url("offer_edit", business, offer),
        offer_data(lead_generation, available_until="2026-12-31", available_from="2026-03-02"),
    )
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PAUSED
    assert offer.available_until == date(2026, 12, 31)


def test_an_employee_cannot_edit_an_offer(client: Client, member, business: Business, offer: Offer) -> None:
    client.force_login(member)
    assert client.get(business_url("offer_edit", business, offer)).status_code == 403
    assert client.post(business_url("offer_edit", business, offer), {}).status_code == 403


def test_outsiders_cannot_edit_an_offer(client: Client, outsider, business: Business, offer: Offer) -> None:
    client.force_login(outsider)
    assert client.get(business_url("offer_edit", business, offer)).status_code == 404


def test_an_offer_is_edited_only_under_its_own_business(
    client: Client, outsider, other_business: Business, offer: Offer
) -> None:
    client.force_login(outsider)
    assert client.get(business_url("offer_edit", other_business, offer)).status_code == 404


def test_editing_asks_anonymous_visitors_to_log_in(
    client: Client, business: Business, offer: Offer, lead_generation: Practice
) -> None:
    assert_asks_to_log_in(client.get(business_url("offer_edit", business, offer)))
    response = client.post(
        business_url("offer_edit", business, offer), offer_data(lead_generation, capacity=9)
    )
    assert_asks_to_log_in(response)
    offer.refresh_from_db()
    assert offer.capacity != 9


def test_editing_rejects_other_methods(client: Client, owner, business: Business, offer: Offer) -> None:
    client.force_login(owner)
    assert client.delete(business_url("offer_edit", business, offer)).status_code == 405


# The detail page


def test_members_and_moderators_see_an_offer_in_any_state(
    client: Client, owner, member, moderator, business: Business, offer: Offer
) -> None:
    offer.status = Offer.Status.PAUSED
    offer.paused_reason = STALE_REASON
    offer.save()
    Blackout.objects.create(offer=offer, start=TODAY, end=TODAY + timedelta(days=2), reason="Stocktaking")
    for person in (owner, member, moderator):
        client.force_login(person)
        response = client.get(business_url("offer_detail", business, offer))
        assert response.status_code == 200
        assert "Stocktaking" in html_of(response)
    client.force_login(owner)
    html = html_of(client.get(business_url("offer_detail", business, offer)))
    assert business_url("offer_resume", business, offer) in html
    assert STALE_REASON in html
    client.force_login(member)
    assert business_url("offer_resume", business, offer) not in html_of(
        client.get(business_url("offer_detail", business, offer))
    )


@time_machine.travel(TODAY)
def test_members_of_other_verified_businesses_see_an_active_offer(
    client: Client, outsider, business: Business, offer: Offer
) -> None:
    client.force_login(outsider)
    response = client.get(business_url("offer_detail", business, offer))
    assert response.status_code == 200
    html = html_of(response)
    assert offer.description in html
    assert business_url("offer_edit", business, offer) not in html
    # No tabs of the business's own pages; its profile is a link away.
    assert f'aria-label="{business.name} sections"' not in html
    assert f'href="{business_url("detail", business)}"' in html


@pytest.mark.parametrize("status", [Offer.Status.PAUSED, Offer.Status.DRAFT])
def test_other_businesses_do_not_see_a_paused_or_proposed_offer(
    client: Client, outsider, business: Business, offer: Offer, status
) -> None:
    offer.status = status
    offer.save()
    client.force_login(outsider)
    assert client.get(business_url("offer_detail", business, offer)).status_code == 404


def test_other_businesses_do_not_see_offers_of_an_unverified_business(
    client: Client, outsider, business: Business, offer: Offer
) -> None:
    business.verification = Business.Verification.PENDING
    business.save()
    client.force_login(outsider)
    assert client.get(business_url("offer_detail", business, offer)).status_code == 404


def test_people_without_a_verified_business_do_not_see_offers(
    client: Client, user, outsider, other_business: Business, business: Business, offer: Offer
) -> None:
    client.force_login(user)
    assert client.get(business_url("offer_detail", business, offer)).status_code == 404
    other_business.verification = Business.Verification.PENDING
    other_business.save()
    client.force_login(outsider)
    assert client.get(business_url("offer_detail", business, offer)).status_code == 404


def test_an_offer_is_shown_only_under_its_own_business(
    client: Client, owner, other_business: Business, offer: Offer
) -> None:
    client.force_login(owner)
    assert client.get(business_url("offer_detail", other_business, offer)).status_code == 404


def test_the_detail_asks_anonymous_visitors_to_log_in(
    client: Client, business: Business, offer: Offer
) -> None:
    assert_asks_to_log_in(client.get(business_url("offer_detail", business, offer)))


def test_the_detail_rejects_a_post(client: Client, owner, business: Business, offer: Offer) -> None:
    client.force_login(owner)
    assert client.post(business_url("offer_detail", business, offer)).status_code == 405


# Pause, resume, discard


@time_machine.travel(TODAY)
def test_pausing_hides_an_offer_and_resuming_shows_it_again(
    client: Client, owner, business: Business, offer: Offer
) -> None:
    client.force_login(owner)
    response = client.post(business_url("offer_pause", business, offer))
    assert response.status_code == 302
    assert response["Location"] == business_url("offer_detail", business, offer)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PAUSED
    assert not Offer.objects.browsable().filter(pk=offer.pk).exists()

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        response = client.post(business_url("offer_resume", business, offer), follow=True)
    assert "Resumed" in html_of(response)
    before = offer.updated_at
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACTIVE
    assert offer.updated_at > before
    assert Offer.objects.browsable().filter(pk=offer.pk).exists()


def test_pausing_twice_is_explained(client: Client, owner, business: Business, offer: Offer) -> None:
    client.force_login(owner)
    client.post(business_url("offer_pause", business, offer))
    response = client.post(business_url("offer_pause", business, offer), follow=True)
    assert "Only an active offer can be paused." in html_of(response)
    response = client.post(business_url("offer_discard", business, offer), follow=True)
    assert "Only a proposed offer can be discarded" in html_of(response)
    assert Offer.objects.filter(pk=offer.pk).exists()


def test_an_offer_whose_window_is_over_is_not_resumed(
    client: Client, owner, business: Business, offer: Offer
) -> None:
    offer.status = Offer.Status.PAUSED
    offer.available_from = date(2025, 1, 1)
    offer.available_until = date(2025, 3, 1)
    offer.save()
    client.force_login(owner)
    response = client.post(business_url("offer_resume", business, offer), follow=True)
    assert "ended on 01 Mar 2025: edit the dates first" in html_of(response)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PAUSED


def test_discarding_deletes_a_proposed_offer(
    client: Client, manager, business: Business, offer: Offer
) -> None:
    offer.status = Offer.Status.DRAFT
    offer.save()
    client.force_login(manager)
    response = client.post(business_url("offer_discard", business, offer))
    assert response.status_code == 302
    assert response["Location"] == business_url("offers", business)
    assert not Offer.objects.filter(pk=offer.pk).exists()


# Each action with the state it applies to: every refusal below would otherwise have succeeded.
STATE_CHANGES = [
    ("offer_pause", Offer.Status.ACTIVE),
    ("offer_resume", Offer.Status.PAUSED),
    ("offer_discard", Offer.Status.DRAFT),
]


@time_machine.travel(TODAY)
@pytest.mark.parametrize(("action", "status"), STATE_CHANGES)
def test_state_changes_are_for_owners_and_managers_by_post(
    client: Client, member, outsider, business: Business, offer: Offer, action, status
) -> None:
    offer.status = status
    offer.save()
    assert_asks_to_log_in(client.post(business_url(action, business, offer)))
    client.force_login(member)
    assert client.post(business_url(action, business, offer)).status_code == 403
    client.force_login(outsider)
    assert client.post(business_url(action, business, offer)).status_code == 404
    client.force_login(member)
    assert client.get(business_url(action, business, offer)).status_code == 405
    offer.refresh_from_db()
    assert offer.status == status


@time_machine.travel(TODAY)
@pytest.mark.parametrize(("action", "status"), STATE_CHANGES)
def test_state_changes_reach_only_the_businesss_own_offers(
    client: Client, owner, outsider, business: Business, other_business: Business, action, status
) -> None:
    theirs = OfferFactory.create(
        business=other_business,
        status=status,
        available_from=TODAY,
        available_until=TODAY + timedelta(days=120),
    )
    client.force_login(owner)
    # Afreen's own address, with the id of Rajeev's offer.
    assert client.post(business_url(action, business, theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == status


# Stale offers


def test_stale_offers_are_paused_and_each_owner_told_once(
    mailoutbox,
    django_capture_on_commit_callbacks,
    owner,
    manager,
    business: Business,
    other_business: Business,
) -> None:
    second_owner = MembershipFactory.create(business=business, role=Membership.Role.OWNER).user
    with time_machine.travel(datetime(2026, 1, 1, 9, tzinfo=timezone.get_current_timezone()), tick=False):
        stale = [
            OfferFactory.create(business=business, practice=Practice.objects.get(slug=slug))
            for slug in ("lead-generation-organic", "employee-onboarding")
        ]
        draft = OfferFactory.create(business=business, status=Offer.Status.DRAFT)
        already_paused = OfferFactory.create(
            business=business, status=Offer.Status.PAUSED, paused_reason="Busy"
        )
        ownerless = OfferFactory.create(business=BusinessFactory.create(name="Nobody Owns This"))
    with time_machine.travel(datetime(2026, 3, 20, 9, tzinfo=timezone.get_current_timezone()), tick=False):
        fresh = OfferFactory.create(business=business)
    other_owner = MembershipFactory.create(business=other_business, role=Membership.Role.OWNER).user

    night = datetime(2026, 4, 2, 3, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(night, tick=False), django_capture_on_commit_callbacks(execute=True):
        paused = pause_stale_offers.delay().get()

    assert paused == 3
    for offer in (*stale, ownerless):
        offer.refresh_from_db()
        assert (offer.status, offer.paused_reason) == (Offer.Status.PAUSED, STALE_REASON)
    for offer, status in ((draft, "draft"), (already_paused, "paused"), (fresh, "active")):
        offer.refresh_from_db()
        assert offer.status == status
    already_paused.refresh_from_db()
    assert already_paused.paused_reason == "Busy"

    assert sorted(m.to[0] for m in mailoutbox) == sorted([owner.email, second_owner.email])
    assert other_owner.email not in {m.to[0] for m in mailoutbox}
    message = next(m for m in mailoutbox if m.to == [owner.email])
    assert message.subject == "2 offers of On-Demand Staffing paused: not updated for 90 days"
    assert "Lead generation (organic)" in message.body and "Employee onboarding" in message.body
    assert f"http://testserver{business_url('offers', business)}" in message.body
    html = message.alternatives[0][0]
    assert f'href="http://testserver{stale[0].get_absolute_url()}"' in html


def test_pausing_stale_offers_twice_sends_nothing_new(
    mailoutbox, django_capture_on_commit_callbacks, owner, business: Business
) -> None:
    with time_machine.travel(datetime(2026, 1, 1, 9, tzinfo=timezone.get_current_timezone()), tick=False):
        OfferFactory.create(business=business)
    with time_machine.travel(datetime(2026, 4, 2, 3, tzinfo=timezone.get_current_timezone()), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert pause_stale_offers.delay().get() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert pause_stale_offers.delay().get() == 0
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(kind="businesses.offers_paused").count() == 1


def test_an_offer_updated_within_ninety_days_stays_active(owner, business: Business) -> None:
    with time_machine.travel(datetime(2026, 1, 3, 9, tzinfo=timezone.get_current_timezone()), tick=False):
        offer = OfferFactory.create(business=business)
    with time_machine.travel(datetime(2026, 4, 2, 23, tzinfo=timezone.get_current_timezone()), tick=False):
        assert pause_stale_offers.delay().get() == 0
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACTIVE


# Full-text search


def search(words: str) -> set[int]:
    """The offers whose stored vector matches `words`, asked of the vector itself."""
    matching = Offer.objects.filter(search_vector=SearchQuery(words, config="english"))
    return set(matching.values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_saving_an_offer_fills_its_search_vector_on_postgresql(
    client: Client, owner, business: Business, lead_generation: Practice
) -> None:
    client.force_login(owner)
    client.post(
        business_url("offer_create", business),
        offer_data(lead_generation, description="Webinars that convert."),
    )
    offer = Offer.objects.get(business=business)
    assert offer.search_vector
    for words in ("lead generation", "marketing", "webinar", "Pune", "staffing"):
        assert search(words) == {offer.pk}
    assert search("payroll") == set()

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'offer_search_vector_gin'")
        [(definition,)] = cursor.fetchall()
    assert "gin (search_vector)" in definition


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_renaming_a_business_or_moving_it_refreshes_its_offers_search_terms(
    client: Client, owner, business: Business, offer: Offer
) -> None:
    refresh_search_vectors(offer_ids=[offer.pk])
    assert search("staffing") == {offer.pk}
    client.force_login(owner)
    profile = {
        "name": "Gigworks Talent",
        "industry": business.industry_id,
        "city": "Nashik",
        "country": "IN",
        "size_band": business.size_band,
        "sells": business.sells,
        "sells_to": business.sells_to,
    }
    response = client.post(business_url("edit", business), profile)
    assert response.status_code == 302
    assert search("gigworks") == {offer.pk}
    assert search("nashik") == {offer.pk}
    assert search("staffing") == set()
    assert search("pune") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_renaming_a_business_in_the_admin_refreshes_its_offers_search_terms(
    admin_client_of: Client, business: Business, offer: Offer
) -> None:
    refresh_search_vectors()
    change = reverse("admin:businesses_business_change", args=[business.pk])
    data = {
        field: value
        for field, value in admin_client_of.get(change).context["adminform"].form.initial.items()
        if value is not None
    }
    data.update(
        {
            "name": "Gigworks Talent",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "invitations-TOTAL_FORMS": "0",
            "invitations-INITIAL_FORMS": "0",
        }
    )
    response = admin_client_of.post(change, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert search("gigworks") == {offer.pk}
    assert search("staffing") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_renaming_a_practice_in_the_admin_refreshes_its_offers_search_terms(
    admin_client_of: Client, offer: Offer, lead_generation: Practice
) -> None:
    other = OfferFactory.create(practice=Practice.objects.get(slug="employee-onboarding"))
    refresh_search_vectors()
    response = admin_client_of.post(
        reverse("admin:businesses_practice_change", args=[lead_generation.pk]),
        {
            "department": lead_generation.department_id,
            "name": "Inbound prospecting",
            "slug": lead_generation.slug,
            "description": lead_generation.description,
            "suggested_days": lead_generation.suggested_days,
        },
    )
    assert response.status_code == 302
    assert search("prospecting") == {offer.pk}
    assert search("lead generation") == set()
    assert other.pk in search("onboarding")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_renaming_a_department_in_the_admin_refreshes_its_offers_search_terms(
    admin_client_of: Client, offer: Offer, lead_generation: Practice
) -> None:
    department = lead_generation.department
    practices = list(department.practices.order_by("pk"))
    refresh_search_vectors()
    data: dict[str, Any] = {
        "name": "Growth",
        "slug": department.slug,
        "position": department.position,
        "practices-TOTAL_FORMS": str(len(practices)),
        "practices-INITIAL_FORMS": str(len(practices)),
    }
    for index, practice in enumerate(practices):
        data |= {
            f"practices-{index}-id": practice.pk,
            f"practices-{index}-department": department.pk,
            f"practices-{index}-name": practice.name,
            f"practices-{index}-slug": practice.slug,
            f"practices-{index}-suggested_days": practice.suggested_days,
        }
    response = admin_client_of.post(reverse("admin:businesses_department_change", args=[department.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert search("growth") == {offer.pk}
    assert search("marketing") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_the_demo_story_is_searchable_without_synthetic_businesses(db: None) -> None:
    call_command("seed_demo", businesses=0, stdout=io.StringIO())
    pixelcraft = set(Offer.objects.filter(business__slug="pixelcraft-ux").values_list("pk", flat=True))
    assert len(pixelcraft) == 2
    assert search("pixelcraft") == pixelcraft
    assert not Offer.objects.filter(search_vector__isnull=True).exists()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite fallback")
def test_the_search_vector_is_left_empty_on_sqlite(business: Business, offer: Offer) -> None:
    assert refresh_search_vectors(offer_ids=[offer.pk]) == 0
    offer.refresh_from_db()
    assert offer.search_vector is None
