"""Moderation: the queue of proposed matches, approving and rejecting one (or many), who decided and why,
the owners' emails, and the businesses awaiting verification."""

import importlib
import os
import re
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from businesses.models import Business, Competitor, Membership, Need, Offer, Partnership, Practice
from internships.models import Match, MatchEvent
from internships.services.moderation import (
    AlreadyDecided,
    ModerationError,
    approve_match,
    bulk_approve,
    reject_match,
)
from tests.conftest import missing
from tests.factories import (
    BusinessFactory,
    MatchFactory,
    MembershipFactory,
    NeedFactory,
    OfferFactory,
    PracticeFactory,
    UserFactory,
)
from tests.helpers import assert_asks_to_log_in, html_of

pytestmark = pytest.mark.django_db

FLAG = "Same industry (NAICS 541) and same market (Pune, IN)"


def queue_url(**params: str) -> str:
    url = reverse("internships:moderation_queue")
    return url + ("?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else "")


def shown(client: Client, url: str) -> list[list[int]]:
    """The queue's items at `url`, each as the ids of its matches."""
    return [[match.pk for match in item.matches] for item in client.get(url).context["items"]]


def url(name: str, match: Match) -> str:
    return reverse(f"internships:{name}", args=[match.pk])


def business_url(business: Business) -> str:
    return reverse("internships:moderation_business", args=[business.slug])


def link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"http://testserver(/\S+)", str(message.body))
    assert found, message.body
    return found.group(1)


@pytest.fixture
def post(client: Client, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """POST as the browser would, running what the view defers to after its commit (the emails)."""

    def _post(path: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data or {}, **extra)

    return _post


@pytest.fixture
def match(business: Business, other_business: Business, lead_generation: Practice) -> Match:
    """On-Demand Staffing wants organic lead generation, 1 to 4; Pixelcraft UX teaches it (both in Pune)."""
    need = NeedFactory.create(
        business=business,
        practice=lead_generation,
        current_level=1,
        target_level=4,
        urgency=Need.Urgency.HIGH,
        outcome="Triple our organic leads in three months.",
    )
    offer = OfferFactory.create(
        business=other_business,
        practice=lead_generation,
        level=5,
        description="Run a content calendar with our marketing lead.",
    )
    return MatchFactory.create(need=need, offer=offer)


@pytest.fixture
def flagged(business: Business, other_business: Business, onboarding: Practice) -> Match:
    return MatchFactory.create(
        need=NeedFactory.create(business=business, practice=onboarding),
        offer=OfferFactory.create(business=other_business, practice=onboarding),
        flags=[FLAG],
        score=1.0,
    )


def pending_match(**fields: Any) -> Match:
    learner, host = BusinessFactory.create(), BusinessFactory.create()
    practice = fields.pop("practice", None) or PracticeFactory.create()
    return MatchFactory.create(
        need=NeedFactory.create(business=learner, practice=practice),
        offer=OfferFactory.create(business=host, practice=practice),
        **fields,
    )


def swap(**fields: Any) -> list[Match]:
    """Two businesses teaching each other, proposed as one exchange."""
    a, b = BusinessFactory.create(), BusinessFactory.create()
    key = f"swap:{a.pk}-{b.pk}"
    legs = []
    for host, learner in ((a, b), (b, a)):
        practice = PracticeFactory.create()
        legs.append(
            MatchFactory.create(
                need=NeedFactory.create(business=learner, practice=practice),
                offer=OfferFactory.create(business=host, practice=practice),
                kind=Match.Kind.SWAP,
                exchange=key,
                **fields,
            )
        )
    return legs


# Who may open the moderation pages.

MODERATION_GETS = ["moderation_queue", "moderation_businesses"]


@pytest.mark.parametrize("name", MODERATION_GETS)
def test_moderation_lists_ask_anonymous_visitors_to_log_in(client: Client, name: str) -> None:
    assert_asks_to_log_in(client.get(reverse(f"internships:{name}")))


@pytest.mark.parametrize("name", MODERATION_GETS)
@pytest.mark.parametrize("persona", ["owner", "member", "user"])
def test_moderation_lists_are_forbidden_to_people_who_are_not_moderators(
    client: Client, name: str, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(f"internships:{name}"))
    assert response.status_code == 403
    assert "You are not allowed to do that" in html_of(response)


@pytest.mark.parametrize("name", MODERATION_GETS)
def test_moderation_lists_reject_a_post(client: Client, moderator: Any, name: str) -> None:
    client.force_login(moderator)
    assert client.post(reverse(f"internships:{name}")).status_code == 405


def test_a_superuser_is_a_moderator_too(client: Client, admin_client_of: Client) -> None:
    assert admin_client_of.get(queue_url()).status_code == 200


def test_an_inactive_moderator_is_not_one(client: Client, moderator: Any) -> None:
    moderator.is_active = False
    moderator.save()
    client.force_login(moderator)
    assert_asks_to_log_in(client.get(queue_url()))


# The queue.


def test_the_queue_lists_pending_matches_riskiest_first_then_best_scored(
    client: Client, moderator: Any, match: Match, flagged: Match
) -> None:
    best = pending_match(score=9.0)
    pending_match(status=Match.Status.APPROVED, score=10.0)
    pending_match(status=Match.Status.WITHDRAWN, score=10.0)
    client.force_login(moderator)

    response = client.get(queue_url())

    assert response.status_code == 200
    assert [[m.pk for m in item.matches] for item in response.context["items"]] == [
        [flagged.pk],
        [best.pk],
        [match.pk],
    ]
    html = html_of(response)
    assert "3 items awaiting a decision" in html
    assert url("moderation_match", flagged) in html
    assert "1 flag" in html
    assert "On-Demand Staffing" in html and "Pixelcraft UX" in html
    assert "Organic lead generation" in html or match.offer.practice.name in html


def test_the_queue_shows_a_swap_as_one_item(client: Client, moderator: Any, match: Match) -> None:
    legs = swap(score=0.5)
    client.force_login(moderator)

    response = client.get(queue_url())

    items = response.context["items"]
    assert len(items) == 2
    [exchange] = [item for item in items if item.is_exchange]
    assert sorted(m.pk for m in exchange.matches) == sorted(m.pk for m in legs)
    assert exchange.score == pytest.approx(1.0)
    html = html_of(response)
    assert "2 items awaiting a decision" in html
    assert "Swap: each teaches the other" in html


def test_a_filter_shows_the_whole_exchange_a_leg_of_which_it_matches(client: Client, moderator: Any) -> None:
    legs = swap()
    Match.objects.filter(pk=legs[0].pk).update(flags=[FLAG], risk=1)
    client.force_login(moderator)

    [item] = client.get(queue_url(flagged="yes")).context["items"]

    assert {m.pk for m in item.matches} == {m.pk for m in legs}


def test_the_queue_filters_by_flags(client: Client, moderator: Any, match: Match, flagged: Match) -> None:
    client.force_login(moderator)
    assert shown(client, queue_url(flagged="yes")) == [[flagged.pk]]
    assert shown(client, queue_url(flagged="no")) == [[match.pk]]


def test_the_queue_filters_by_kind(client: Client, moderator: Any, match: Match) -> None:
    legs = swap()
    client.force_login(moderator)
    [item] = client.get(queue_url(kind="swap")).context["items"]
    assert item.matches[0].exchange == legs[0].exchange
    assert shown(client, queue_url(kind="single")) == [[match.pk]]


def test_the_queue_filters_by_department_and_city(
    client: Client, moderator: Any, match: Match, onboarding: Practice
) -> None:
    elsewhere = BusinessFactory.create(city="Chennai")
    hr = MatchFactory.create(
        need=NeedFactory.create(business=elsewhere, practice=onboarding),
        offer=OfferFactory.create(business=BusinessFactory.create(city="Chennai"), practice=onboarding),
    )
    client.force_login(moderator)

    assert shown(client, queue_url(department=str(onboarding.department_id))) == [[hr.pk]]
    assert shown(client, queue_url(city="chennai")) == [[hr.pk]]
    html = html_of(client.get(queue_url(city="Nowhere")))
    assert "No pending match fits these filters" in html


def test_a_bad_filter_is_ignored_not_an_error(client: Client, moderator: Any, match: Match) -> None:
    client.force_login(moderator)
    response = client.get(queue_url(kind="triangle", department="x", page="999"))
    assert response.status_code == 200


def test_the_queue_says_what_to_do_when_empty(client: Client, moderator: Any) -> None:
    client.force_login(moderator)
    html = html_of(client.get(queue_url()))
    assert "No match awaits a decision" in html
    assert reverse("internships:moderation_businesses") in html


def test_the_queue_shows_25_items_a_page(client: Client, moderator: Any) -> None:
    practice = PracticeFactory.create()
    for n in range(27):
        pending_match(practice=practice, score=100 - n)
    client.force_login(moderator)

    first = client.get(queue_url())
    second = client.get(queue_url(page="2"))

    assert len(first.context["items"]) == 25
    assert len(second.context["items"]) == 2
    assert "27 items awaiting a decision" in html_of(first)
    assert 'rel="next"' in html_of(first)


def test_the_queue_queries_do_not_grow_with_its_rows(
    client: Client, moderator: Any, match: Match, django_assert_num_queries: Any
) -> None:
    client.force_login(moderator)
    client.get(queue_url())
    with CaptureQueriesContext(connection) as one:
        client.get(queue_url())
    swap(flags=[FLAG], risk=1)
    for _ in range(6):
        pending_match()
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(queue_url())
    assert len(response.context["items"]) == 8


def test_flagged_matches_have_no_bulk_checkbox(
    client: Client, moderator: Any, match: Match, flagged: Match
) -> None:
    client.force_login(moderator)
    html = html_of(client.get(queue_url()))
    assert f'value="{match.pk}" id="select-{match.pk}"' in html
    assert f'id="select-{flagged.pk}"' not in html
    assert "Flagged: decide on its page" in html


# A match's moderation page.


def test_the_match_page_asks_anonymous_visitors_to_log_in(client: Client, match: Match) -> None:
    assert_asks_to_log_in(client.get(url("moderation_match", match)))


def test_the_match_page_is_forbidden_to_the_businesses_themselves(
    client: Client, owner: Any, host_owner: Any, match: Match
) -> None:
    for person in (owner, host_owner):
        client.force_login(person)
        assert client.get(url("moderation_match", match)).status_code == 403


def test_the_match_page_of_an_unknown_match_is_404(client: Client, moderator: Any) -> None:
    client.force_login(moderator)
    assert client.get(reverse("internships:moderation_match", args=[999999])).status_code == 404


def test_the_match_page_rejects_a_post(client: Client, moderator: Any, match: Match) -> None:
    client.force_login(moderator)
    assert client.post(url("moderation_match", match)).status_code == 405


def test_the_match_page_shows_everything_a_moderator_weighs(
    client: Client, moderator: Any, flagged: Match, business: Business, other_business: Business
) -> None:
    Business.objects.filter(pk=other_business.pk).update(
        website="https://pixelcraft.example", sells="UX audits", sells_to="Start-ups"
    )
    Competitor.objects.create(business=business, name="Acme Staffing")
    MatchEvent.objects.create(match=flagged, action=MatchEvent.Action.PROPOSED)
    client.force_login(moderator)

    response = client.get(url("moderation_match", flagged))

    assert response.status_code == 200
    html = html_of(response)
    assert "On-Demand Staffing" in html and "Pixelcraft UX" in html
    assert "https://pixelcraft.example" in html and "UX audits" in html and "Start-ups" in html
    assert "Acme Staffing" in html  # its declared competitors
    assert FLAG in html
    assert "Practice fit" in html and "Level gain" in html and "0.50" in html  # the parts
    assert "1.00" in html  # and the score
    assert flagged.need.outcome in html and flagged.offer.description in html
    assert "from 1 to 4" in html
    assert flagged.start.strftime("%Y") in html and "5 days" in html
    assert "The matching engine" in html  # the history's proposal
    assert url("moderation_approve", flagged) in html and url("moderation_reject", flagged) in html


def test_the_match_page_of_a_decided_match_shows_the_decision_not_the_forms(
    client: Client, moderator: Any, match: Match
) -> None:
    reject_match(match_id=match.pk, moderator=moderator, reason="They both sell to recruiters.")
    client.force_login(moderator)
    html = html_of(client.get(url("moderation_match", match)))
    assert "They both sell to recruiters." in html
    assert "Maya Moderator" in html
    assert url("moderation_approve", match) not in html


def test_the_match_page_shows_the_rest_of_its_exchange(client: Client, moderator: Any) -> None:
    first, second = swap()
    client.force_login(moderator)
    html = html_of(client.get(url("moderation_match", first)))
    assert url("moderation_match", second) in html


# Approving.


def test_a_moderator_approves_a_match_with_a_note(
    client: Client, post: Any, moderator: Any, match: Match, business: Business, other_business: Business
) -> None:
    client.force_login(moderator)

    response = post(url("moderation_approve", match), {"approve-note": "Checked: different customers."})

    assert response.status_code == 302
    assert response["Location"] == queue_url()
    match.refresh_from_db()
    assert match.status == Match.Status.APPROVED
    assert match.decided_by == moderator and match.decided_at is not None
    assert match.decision_note == "Checked: different customers."
    [event] = MatchEvent.objects.filter(match=match)
    assert (event.action, event.actor, event.note) == (
        MatchEvent.Action.APPROVED,
        moderator,
        "Checked: different customers.",
    )
    assert Partnership.objects.filter(business=business, partner=other_business).exists()
    assert Partnership.objects.filter(business=other_business, partner=business).exists()
    html = html_of(client.get(response["Location"]))
    assert "Approved:" in html


def test_approving_emails_both_owners_once_with_a_link_to_the_match(
    client: Client,
    post: Any,
    moderator: Any,
    owner: Any,
    manager: Any,
    host_owner: Any,
    match: Match,
    mailoutbox: Any,
) -> None:
    client.force_login(moderator)
    post(url("moderation_approve", match), {"approve-note": ""})

    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert sorted(by_recipient) == sorted([owner.email, host_owner.email])  # owners only, not the manager
    learner_mail, host_mail = by_recipient[owner.email], by_recipient[host_owner.email]
    practice = match.offer.practice.name
    assert learner_mail.subject == f"A match for On-Demand Staffing: learn {practice} with Pixelcraft UX"
    assert host_mail.subject == f"A match for Pixelcraft UX: teach {practice} to On-Demand Staffing"
    match_url = f"http://testserver{url('match', match)}"
    for message in mailoutbox:
        assert match_url in message.body
        [(html, mimetype)] = message.alternatives
        assert mimetype == "text/html"
        assert f'href="{match_url}"' in html
    # The link works for its recipient.
    client.force_login(owner)
    assert client.get(link_in(learner_mail)).status_code == 200
    client.force_login(host_owner)
    assert client.get(link_in(host_mail)).status_code == 200


def test_no_approval_email_leaves_before_the_commit(
    client: Client,
    moderator: Any,
    owner: Any,
    host_owner: Any,
    match: Match,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url("moderation_approve", match))
        assert mailoutbox == []
    assert len(callbacks) == 2


def test_approving_opens_the_partners_gaps_to_each_other(
    client: Client,
    post: Any,
    moderator: Any,
    owner: Any,
    match: Match,
    other_business: Business,
    business: Business,
    onboarding: Practice,
) -> None:
    NeedFactory.create(
        business=other_business, practice=onboarding, outcome="Secret: onboard designers in a week."
    )
    compare = reverse("businesses:compare", args=[business.slug, other_business.slug])
    client.force_login(owner)
    assert "Secret: onboard designers" not in html_of(client.get(compare))

    client.force_login(moderator)
    post(url("moderation_approve", match))

    client.force_login(owner)
    html = html_of(client.get(compare))
    assert "from their public offers" not in html
    assert "This appears once a moderator approves a match" not in html


def test_approving_a_match_whose_offer_was_paused_says_so(
    client: Client, post: Any, moderator: Any, match: Match, mailoutbox: Any
) -> None:
    Offer.objects.filter(pk=match.offer_id).update(status=Offer.Status.PAUSED, paused_reason="Busy season")
    client.force_login(moderator)

    response = post(url("moderation_approve", match), {"approve-note": "Fine by me"})

    assert response.status_code == 302
    assert response["Location"] == url("moderation_match", match)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "has been paused since (Busy season)" in html_of(page)
    match.refresh_from_db()
    assert match.status == Match.Status.PENDING
    assert not MatchEvent.objects.filter(match=match).exists()
    assert not Partnership.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda m: Need.objects.filter(pk=m.need_id).update(status=Need.Status.CLOSED),
            "has closed its need",
        ),
        (lambda m: Offer.objects.filter(pk=m.offer_id).update(status=Offer.Status.DRAFT), "no longer active"),
        (
            lambda m: Offer.objects.filter(pk=m.offer_id).update(
                available_from=timezone.localdate() - timedelta(days=30),
                available_until=timezone.localdate() - timedelta(days=1),
            ),
            "ended on",
        ),
        (
            lambda m: Business.objects.filter(pk=m.host_id).update(
                verification=Business.Verification.REJECTED
            ),
            "Pixelcraft UX is no longer verified",
        ),
        (
            lambda m: Competitor.objects.create(business_id=m.host_id, competitor_id=m.learner_id),
            "are now declared competitors",
        ),
    ],
)
def test_approving_a_match_that_is_no_longer_possible_says_why(
    client: Client, moderator: Any, match: Match, change: Callable[[Match], Any], message: str
) -> None:
    change(match)
    client.force_login(moderator)
    response = client.post(url("moderation_approve", match), follow=True)
    assert response.status_code == 200
    assert message in html_of(response)
    match.refresh_from_db()
    assert match.status == Match.Status.PENDING


def test_approving_a_match_someone_already_approved_says_who_and_when(
    client: Client, moderator: Any, match: Match
) -> None:
    other = UserFactory.create(name="Omar Other", moderator=True)
    approve_match(match_id=match.pk, moderator=other)
    client.force_login(moderator)

    response = client.post(url("moderation_approve", match), follow=True)

    assert "This match was already approved by Omar Other on" in html_of(response)
    assert MatchEvent.objects.filter(match=match).count() == 1


def test_approving_a_match_whose_offer_was_deleted_is_404(
    client: Client, moderator: Any, match: Match
) -> None:
    Offer.objects.filter(pk=match.offer_id).delete()
    client.force_login(moderator)
    assert client.post(url("moderation_approve", match)).status_code == 404


def test_a_too_long_note_is_a_form_error_not_a_500(client: Client, moderator: Any, match: Match) -> None:
    client.force_login(moderator)
    response = client.post(url("moderation_approve", match), {"approve-note": "x" * 2001})
    assert response.status_code == 200
    assert "Keep it to 2000 characters or fewer" in html_of(response)
    match.refresh_from_db()
    assert match.status == Match.Status.PENDING


@pytest.mark.parametrize("name", ["moderation_approve", "moderation_reject"])
def test_deciding_asks_anonymous_visitors_to_log_in(client: Client, match: Match, name: str) -> None:
    assert_asks_to_log_in(client.post(url(name, match), {"reject-reason": "No"}))
    match.refresh_from_db()
    assert match.status == Match.Status.PENDING


@pytest.mark.parametrize("name", ["moderation_approve", "moderation_reject"])
def test_deciding_is_forbidden_to_people_who_are_not_moderators(
    client: Client, owner: Any, match: Match, name: str
) -> None:
    client.force_login(owner)
    assert client.post(url(name, match), {"reject-reason": "No"}).status_code == 403
    match.refresh_from_db()
    assert match.status == Match.Status.PENDING


@pytest.mark.parametrize("name", ["moderation_approve", "moderation_reject"])
def test_deciding_rejects_a_get(client: Client, moderator: Any, match: Match, name: str) -> None:
    client.force_login(moderator)
    assert client.get(url(name, match)).status_code == 405


@pytest.mark.parametrize("name", ["moderation_approve", "moderation_reject"])
def test_deciding_an_unknown_match_is_404(client: Client, moderator: Any, name: str) -> None:
    client.force_login(moderator)
    response = client.post(reverse(f"internships:{name}", args=[999999]), {"reject-reason": "No"})
    assert response.status_code == 404


# Rejecting.


def test_a_moderator_rejects_a_match_with_a_reason_and_nobody_is_told(
    client: Client, post: Any, moderator: Any, owner: Any, host_owner: Any, match: Match, mailoutbox: Any
) -> None:
    client.force_login(moderator)

    response = post(url("moderation_reject", match), {"reject-reason": "Both recruit for the same clients."})

    assert response.status_code == 302
    assert response["Location"] == queue_url()
    match.refresh_from_db()
    assert match.status == Match.Status.REJECTED
    assert match.decided_by == moderator
    assert match.decision_note == "Both recruit for the same clients."
    [event] = MatchEvent.objects.filter(match=match)
    assert (event.action, event.actor, event.note) == (
        MatchEvent.Action.REJECTED,
        moderator,
        "Both recruit for the same clients.",
    )
    assert mailoutbox == []
    assert not Partnership.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_without_a_reason_asks_for_one(
    client: Client, moderator: Any, match: Match, reason: str
) -> None:
    client.force_login(moderator)

    response = client.post(url("moderation_reject", match), {"reject-reason": reason})

    assert response.status_code == 200
    html = html_of(response)
    assert "a reason is required" in html
    assert "is-invalid" in html
    match.refresh_from_db()
    assert match.status == Match.Status.PENDING
    assert not MatchEvent.objects.exists()


def test_rejecting_an_approved_match_says_it_was_approved(
    client: Client, moderator: Any, match: Match
) -> None:
    approve_match(match_id=match.pk, moderator=moderator)
    client.force_login(moderator)
    response = client.post(url("moderation_reject", match), {"reject-reason": "Too late"}, follow=True)
    assert "already approved by Maya Moderator" in html_of(response)
    match.refresh_from_db()
    assert match.status == Match.Status.APPROVED


def test_the_service_requires_a_reason_to_reject(moderator: Any, match: Match) -> None:
    with pytest.raises(ModerationError, match="a reason is required"):
        reject_match(match_id=match.pk, moderator=moderator, reason="  ")


def test_a_withdrawn_match_can_be_neither_approved_nor_rejected(moderator: Any, match: Match) -> None:
    Match.objects.filter(pk=match.pk).update(status=Match.Status.WITHDRAWN)
    with pytest.raises(AlreadyDecided, match="withdrawn"):
        approve_match(match_id=match.pk, moderator=moderator)
    with pytest.raises(AlreadyDecided, match="withdrawn"):
        reject_match(match_id=match.pk, moderator=moderator, reason="No")


# Bulk approval.


def test_bulk_approval_approves_the_unflagged_and_skips_the_flagged(
    client: Client, post: Any, moderator: Any, match: Match, flagged: Match, mailoutbox: Any, owner: Any
) -> None:
    other = pending_match()
    client.force_login(moderator)

    response = post(
        reverse("internships:moderation_bulk_approve"),
        {"matches": [match.pk, flagged.pk, other.pk], "query": "flagged=no"},
    )

    assert response.status_code == 302
    assert response["Location"] == queue_url(flagged="no")
    statuses = dict(Match.objects.values_list("pk", "status"))
    assert statuses == {
        match.pk: Match.Status.APPROVED,
        other.pk: Match.Status.APPROVED,
        flagged.pk: Match.Status.PENDING,
    }
    assert MatchEvent.objects.filter(action=MatchEvent.Action.APPROVED, actor=moderator).count() == 2
    assert [m.to for m in mailoutbox] == [[owner.email]]  # the other hosts have no owner
    html = html_of(client.get(response["Location"]))
    assert "Approved 2 matches" in html
    assert "Skipped 1 flagged match: bulk approval leaves flagged matches alone" in html


def test_bulk_approval_skips_matches_decided_or_gone_and_says_why(
    client: Client, moderator: Any, match: Match
) -> None:
    decided = pending_match()
    reject_match(match_id=decided.pk, moderator=moderator, reason="Competitors")
    client.force_login(moderator)

    response = client.post(
        reverse("internships:moderation_bulk_approve"),
        {"matches": [decided.pk, 999999, match.pk]},
        follow=True,
    )

    html = html_of(response)
    assert "Approved 1 match:" in html
    assert f"Skipped match #{decided.pk}: This match was already rejected by Maya Moderator" in html
    assert "Skipped match #999999: This match no longer exists" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [({}, "Select at least one match to approve."), ({"matches": ["1", "x"]}, "could not be read")],
)
def test_bulk_approval_without_a_readable_selection_says_so(
    client: Client, moderator: Any, data: dict[str, Any], message: str
) -> None:
    client.force_login(moderator)
    response = client.post(reverse("internships:moderation_bulk_approve"), data, follow=True)
    assert response.status_code == 200
    assert message in html_of(response)


def test_bulk_approval_asks_anonymous_visitors_to_log_in(client: Client, match: Match) -> None:
    assert_asks_to_log_in(
        client.post(reverse("internships:moderation_bulk_approve"), {"matches": [match.pk]})
    )


def test_bulk_approval_is_forbidden_to_people_who_are_not_moderators(
    client: Client, owner: Any, match: Match
) -> None:
    client.force_login(owner)
    response = client.post(reverse("internships:moderation_bulk_approve"), {"matches": [match.pk]})
    assert response.status_code == 403
    match.refresh_from_db()
    assert match.status == Match.Status.PENDING


def test_bulk_approval_rejects_a_get(client: Client, moderator: Any) -> None:
    client.force_login(moderator)
    assert client.get(reverse("internships:moderation_bulk_approve")).status_code == 405


def test_the_bulk_service_reports_each_skip(moderator: Any, match: Match, flagged: Match) -> None:
    approved, skipped = bulk_approve(match_ids=[match.pk, flagged.pk, match.pk], moderator=moderator)
    assert [m.pk for m in approved] == [match.pk]
    assert [entry.match_id for entry in skipped] == [flagged.pk]
    assert "flagged" in str(skipped[0].error)


# Two moderators at once (PostgreSQL's row locks; SQLite serialises all writes anyway).


# Skipped before its database is set up: a transactional test empties the database when it ends, even
# when skipped, which serialized-rollback tests that run after it cannot cope with.
@pytest.mark.skipif(
    connection.vendor != "postgresql" and os.environ.get("REQUIRE_SERVICES") != "1",
    reason="needs PostgreSQL's row locks (set REQUIRE_SERVICES=1 to make this a failure)",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_decision", ["approve", "reject"])
def test_two_moderators_deciding_at_once_one_wins_and_the_other_is_told(second_decision: str) -> None:
    if connection.vendor != "postgresql":
        missing("PostgreSQL (DATABASE_URL)", required_by="REQUIRE_SERVICES")
    # A transactional test starts from an emptied database: make the Moderators group again.
    importlib.import_module("accounts.migrations.0002_moderators_group").create_group(apps, None)
    assert Group.objects.filter(name="Moderators").exists()
    first = UserFactory.create(name="Maya Moderator", moderator=True)
    second = UserFactory.create(name="Omar Other", moderator=True)
    match = pending_match()
    MembershipFactory.create(business=match.learner, role=Membership.Role.OWNER)
    first_holds_lock, first_may_commit = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def decide(name: str, decision: Callable[[], Any], hold: bool) -> None:
        try:
            with transaction.atomic():
                decision()
                if hold:
                    first_holds_lock.set()
                    first_may_commit.wait(5)
            outcomes[name] = "decided"
        except ModerationError as error:
            outcomes[name] = str(error)
        finally:
            connections.close_all()

    def second_decides() -> Any:
        if second_decision == "approve":
            return approve_match(match_id=match.pk, moderator=second)
        return reject_match(match_id=match.pk, moderator=second, reason="They compete.")

    one = threading.Thread(
        target=decide, args=("first", lambda: approve_match(match_id=match.pk, moderator=first), True)
    )
    one.start()
    assert first_holds_lock.wait(5)
    two = threading.Thread(target=decide, args=("second", second_decides, False))
    two.start()
    two.join(0.5)
    assert two.is_alive()  # waiting for the first decision to commit
    first_may_commit.set()
    one.join(5)
    two.join(5)

    assert outcomes["first"] == "decided"
    assert outcomes["second"].startswith("This match was already approved by Maya Moderator on")
    match.refresh_from_db()
    assert (match.status, match.decided_by) == (Match.Status.APPROVED, first)
    assert list(MatchEvent.objects.filter(match=match).values_list("action", "actor")) == [
        (MatchEvent.Action.APPROVED, first.pk)
    ]


# Businesses awaiting verification.


@pytest.fixture
def pending_business(db: None) -> Business:
    business = BusinessFactory.create(
        name="Fresh Bakery", verification=Business.Verification.PENDING, website="https://bakery.example"
    )
    MembershipFactory.create(
        business=business, role=Membership.Role.OWNER, user=UserFactory.create(email="baker@example.com")
    )
    MembershipFactory.create(business=business)
    return business


def test_the_verification_queue_lists_pending_businesses_oldest_first(
    client: Client, moderator: Any, pending_business: Business, business: Business
) -> None:
    newer = BusinessFactory.create(name="Newer Shop", verification=Business.Verification.PENDING)
    Business.objects.filter(pk=newer.pk).update(created_at=timezone.now() + timedelta(minutes=1))
    client.force_login(moderator)

    response = client.get(reverse("internships:moderation_businesses"))

    assert response.status_code == 200
    assert [b.name for b in response.context["page"]] == ["Fresh Bakery", "Newer Shop"]
    html = html_of(response)
    assert "2 businesses awaiting verification" in html
    assert business_url(pending_business) in html
    assert business.name not in html  # verified


def test_the_verification_queue_says_when_nothing_waits(client: Client, moderator: Any) -> None:
    client.force_login(moderator)
    assert "No business awaits verification" in html_of(
        client.get(reverse("internships:moderation_businesses"))
    )


def test_the_verification_queue_queries_do_not_grow_with_its_rows(
    client: Client, moderator: Any, pending_business: Business, django_assert_num_queries: Any
) -> None:
    client.force_login(moderator)
    client.get(reverse("internships:moderation_businesses"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("internships:moderation_businesses"))
    for n in range(30):
        MembershipFactory.create(
            business=BusinessFactory.create(name=f"Shop {n}", verification=Business.Verification.PENDING)
        )
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("internships:moderation_businesses"))
    assert len(response.context["page"]) == 25


def test_a_business_page_shows_its_profile_and_members(
    client: Client, moderator: Any, pending_business: Business
) -> None:
    client.force_login(moderator)
    response = client.get(business_url(pending_business))
    assert response.status_code == 200
    html = html_of(response)
    assert "https://bakery.example" in html
    assert "baker@example.com" in html
    assert response.context["business"].member_count == 2


def test_a_moderator_verifies_a_business_and_its_owner_is_told(
    client: Client, post: Any, moderator: Any, pending_business: Business, mailoutbox: Any
) -> None:
    client.force_login(moderator)

    response = post(business_url(pending_business), {"action": "verify", "verify-note": "Website checked"})

    assert response.status_code == 302
    assert response["Location"] == reverse("internships:moderation_businesses")
    pending_business.refresh_from_db()
    assert pending_business.is_verified
    assert pending_business.verified_by == moderator
    assert pending_business.verification_note == "Website checked"
    [message] = mailoutbox
    assert message.to == ["baker@example.com"]
    assert message.subject == "Fresh Bakery is verified on Peership"
    assert f"http://testserver{pending_business.get_absolute_url()}" in message.body
    [(html, _)] = message.alternatives
    assert "Fresh Bakery" in html


def test_verifying_a_verified_business_says_who_did(
    client: Client, moderator: Any, business: Business, mailoutbox: Any
) -> None:
    Business.objects.filter(pk=business.pk).update(verified_by=moderator, verified_at=timezone.now())
    client.force_login(moderator)
    response = client.post(business_url(business), {"action": "verify"}, follow=True)
    assert "was already verified by Maya Moderator" in html_of(response)
    assert mailoutbox == []


def test_a_moderator_rejects_a_business_with_a_reason(
    client: Client, moderator: Any, pending_business: Business, mailoutbox: Any
) -> None:
    client.force_login(moderator)
    response = client.post(
        business_url(pending_business), {"action": "reject", "reject-reason": "No such company registered."}
    )
    assert response.status_code == 302
    pending_business.refresh_from_db()
    assert pending_business.verification == Business.Verification.REJECTED
    assert pending_business.verification_note == "No such company registered."
    assert pending_business.verified_by == moderator


def test_rejecting_a_business_without_a_reason_asks_for_one(
    client: Client, moderator: Any, pending_business: Business
) -> None:
    client.force_login(moderator)
    response = client.post(business_url(pending_business), {"action": "reject", "reject-reason": " "})
    assert response.status_code == 200
    assert "a reason is required" in html_of(response)
    pending_business.refresh_from_db()
    assert pending_business.verification == Business.Verification.PENDING


def test_a_business_post_without_an_action_says_what_to_do(
    client: Client, moderator: Any, pending_business: Business
) -> None:
    client.force_login(moderator)
    response = client.post(business_url(pending_business), {})
    assert response.status_code == 200
    assert "Choose to verify the business or not" in html_of(response)


def test_a_business_page_asks_anonymous_visitors_to_log_in(
    client: Client, pending_business: Business
) -> None:
    assert_asks_to_log_in(client.get(business_url(pending_business)))


def test_a_business_page_is_forbidden_even_to_its_own_owner(
    client: Client, owner: Any, business: Business
) -> None:
    client.force_login(owner)
    assert client.get(business_url(business)).status_code == 403
    assert client.post(business_url(business), {"action": "verify"}).status_code == 403


def test_an_unknown_business_is_404(client: Client, moderator: Any) -> None:
    client.force_login(moderator)
    assert (
        client.get(reverse("internships:moderation_business", args=["no-such-business"])).status_code == 404
    )


def test_a_business_page_rejects_a_put(client: Client, moderator: Any, pending_business: Business) -> None:
    client.force_login(moderator)
    assert client.put(business_url(pending_business)).status_code == 405


# The back office.


def test_the_admin_lists_matches_with_filters_and_search(
    admin_client_of: Client, moderator: Any, match: Match, flagged: Match
) -> None:
    approve_match(match_id=match.pk, moderator=moderator, note="Fine")
    changelist = reverse("admin:internships_match_changelist")

    response = admin_client_of.get(changelist, {"flagged": "yes", "status": "pending", "q": "Pixelcraft"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [flagged]
    assert admin_client_of.get(changelist, {"decided_by__id__exact": moderator.pk}).status_code == 200
    change = admin_client_of.get(reverse("admin:internships_match_change", args=[match.pk]))
    assert change.status_code == 200
    assert "Fine" in html_of(change)  # the history inline
    assert admin_client_of.get(reverse("admin:internships_matchevent_changelist")).status_code == 200
    assert admin_client_of.get(reverse("admin:internships_match_add")).status_code == 403
