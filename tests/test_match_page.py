"""An approved match as its businesses see it: only approved matches, only their members (and moderators),
why it was proposed in plain words, the comparison, and the way to request an internship; and the
dashboard's list of approved matches."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from businesses.access import SESSION_KEY
from businesses.models import Business, Membership, Mode, Need, Practice
from internships.models import Match
from internships.services.moderation import approve_match
from tests.factories import (
    BusinessFactory,
    MatchFactory,
    MembershipFactory,
    NeedFactory,
    OfferFactory,
    UserFactory,
)
from tests.helpers import assert_asks_to_log_in, html_of

pytestmark = pytest.mark.django_db


def match_url(match: Match) -> str:
    return reverse("internships:match", args=[match.pk])


@pytest.fixture
def proposal(business: Business, other_business: Business, lead_generation: Practice) -> Match:
    """Pixelcraft UX (Pune) teaches On-Demand Staffing (Pune) organic lead generation, from level 1 to 4."""
    return MatchFactory.create(
        need=NeedFactory.create(
            business=business,
            practice=lead_generation,
            current_level=1,
            target_level=4,
            urgency=Need.Urgency.HIGH,
        ),
        offer=OfferFactory.create(business=other_business, practice=lead_generation, level=5),
        flags=["Both sell: recruiting"],
    )


@pytest.fixture
def approved(proposal: Match, moderator: Any) -> Match:
    return approve_match(match_id=proposal.pk, moderator=moderator, note="Secret moderator note")


# Who sees it.


def test_it_asks_anonymous_visitors_to_log_in(client: Client, approved: Match) -> None:
    assert_asks_to_log_in(client.get(match_url(approved)))


def test_it_rejects_a_post(client: Client, owner: Any, approved: Match) -> None:
    client.force_login(owner)
    assert client.post(match_url(approved)).status_code == 405


@pytest.mark.parametrize("persona", ["owner", "manager", "member", "host_owner", "moderator"])
def test_the_members_of_both_businesses_and_moderators_see_an_approved_match(
    client: Client, approved: Match, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(match_url(approved)).status_code == 200


@pytest.mark.parametrize("persona", ["user", "stranger"])
def test_anyone_else_is_told_nothing(
    client: Client, approved: Match, persona: str, request: pytest.FixtureRequest
) -> None:
    if persona == "stranger":
        person = MembershipFactory.create(role=Membership.Role.OWNER).user
    else:
        person = request.getfixturevalue(persona)
    client.force_login(person)
    assert client.get(match_url(approved)).status_code == 404


@pytest.mark.parametrize("status", [Match.Status.PENDING, Match.Status.REJECTED, Match.Status.WITHDRAWN])
@pytest.mark.parametrize("persona", ["owner", "host_owner", "moderator"])
def test_nobody_sees_a_match_that_is_not_approved_here(
    client: Client, proposal: Match, status: str, persona: str, request: pytest.FixtureRequest
) -> None:
    Match.objects.filter(pk=proposal.pk).update(status=status, decision_note="Competitors")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(match_url(proposal)).status_code == 404


def test_an_unknown_match_is_404(client: Client, owner: Any) -> None:
    client.force_login(owner)
    assert client.get(reverse("internships:match", args=[999999])).status_code == 404


# What it says.


def test_it_tells_the_learner_why_it_was_proposed_in_plain_words(
    client: Client, owner: Any, approved: Match, business: Business, other_business: Business
) -> None:
    client.force_login(owner)

    response = client.get(match_url(approved))

    html = html_of(response)
    practice = approved.offer.practice.name
    assert f"Learn {practice} with Pixelcraft UX" in html
    assert response.context["reasons"] == [
        f"Same practice: {practice}",
        "Raises your level from 1 to 4: Pixelcraft UX works at level 5",
        "You need it soon",
        "Same city: Pune",
    ]
    assert "Same city: Pune" in html
    compare = reverse("businesses:compare", args=[business.slug, other_business.slug])
    assert f'href="{compare}"' in html
    assert approved.start.strftime("%Y") in html and "5 days" in html


def test_it_never_shows_the_flags_or_the_moderators_note(client: Client, owner: Any, approved: Match) -> None:
    client.force_login(owner)
    html = html_of(client.get(match_url(approved)))
    assert "Both sell: recruiting" not in html
    assert "Secret moderator note" not in html
    assert reverse("internships:moderation_match", args=[approved.pk]) not in html


def test_it_tells_the_host_from_its_side(
    client: Client, host_owner: Any, approved: Match, business: Business, other_business: Business
) -> None:
    client.force_login(host_owner)

    response = client.get(match_url(approved))

    html = html_of(response)
    assert f"Teach {approved.offer.practice.name} to On-Demand Staffing" in html
    assert "Raises On-Demand Staffing's level from 1 to 4: you work at level 5" in response.context["reasons"]
    assert "On-Demand Staffing needs it soon" in response.context["reasons"]
    compare = reverse("businesses:compare", args=[other_business.slug, business.slug])
    assert f'href="{compare}"' in html
    assert "Request an internship" not in html and "Internship requests open soon" not in html


def test_a_person_in_both_businesses_sees_it_as_the_business_they_act_for(
    client: Client, owner: Any, approved: Match, other_business: Business
) -> None:
    MembershipFactory.create(user=owner, business=other_business, role=Membership.Role.MANAGER)
    client.force_login(owner)
    session = client.session
    session[SESSION_KEY] = other_business.pk
    session.save()
    assert client.get(match_url(approved)).context["side"].hosting


def test_a_remote_match_in_another_country_says_so(client: Client, owner: Any, business: Business) -> None:
    host = BusinessFactory.create(name="Berlin Growth", city="Berlin", country="DE")
    practice = NeedFactory.create(business=business).practice
    match = MatchFactory.create(
        need=Need.objects.get(business=business),
        offer=OfferFactory.create(business=host, practice=practice, mode=Mode.REMOTE),
        parts={"practice_fit": 1.0, "level_gain": 0.5, "urgency": 0.0, "distance": 0.0, "reciprocity": 0.5},
        kind=Match.Kind.SWAP,
        status=Match.Status.APPROVED,
    )
    client.force_login(owner)
    reasons = client.get(match_url(match)).context["reasons"]
    assert "Remote: no need to move for it" in reasons
    assert "A swap: each of you teaches the other something" in reasons
    assert not any(reason.startswith("Same city") for reason in reasons)


def test_the_learner_can_request_an_internship(client: Client, owner: Any, approved: Match) -> None:
    client.force_login(owner)
    html = html_of(client.get(match_url(approved)))
    request_url = reverse("internships:request", args=[approved.pk])
    assert f'href="{request_url}"' in html
    assert "Request an internship" in html


def test_an_employee_of_the_learner_is_told_who_can_request(
    client: Client, member: Any, approved: Match
) -> None:
    client.force_login(member)
    html = html_of(client.get(match_url(approved)))
    assert "Request an internship" not in html
    assert "An owner or a manager of" in html


def test_it_lists_the_rest_of_an_exchange_the_viewer_takes_part_in(
    client: Client, owner: Any, business: Business, other_business: Business, moderator: Any
) -> None:
    key = f"swap:{other_business.pk}-{business.pk}"
    legs = []
    for learner, host in ((business, other_business), (other_business, business)):
        practice = NeedFactory.create(business=learner).practice
        legs.append(
            MatchFactory.create(
                need=Need.objects.get(business=learner, practice=practice),
                offer=OfferFactory.create(business=host, practice=practice),
                kind=Match.Kind.SWAP,
                exchange=key,
                status=Match.Status.APPROVED,
            )
        )
    client.force_login(owner)
    html = html_of(client.get(match_url(legs[0])))
    other = legs[1]
    assert (
        f'<a href="{match_url(other)}">{escape(business.name)} teaches {escape(other_business.name)}: '
        f"{escape(other.offer.practice.name)}</a>"
    ) in html


# The dashboard.


def test_the_dashboard_lists_approved_matches_for_owners_and_managers(
    client: Client, owner: Any, manager: Any, member: Any, approved: Match, business: Business
) -> None:
    hidden = MatchFactory.create(need=NeedFactory.create(business=business))  # pending
    for person in (owner, manager):
        client.force_login(person)
        html = html_of(client.get(reverse("dashboard")))
        assert "Approved matches" in html
        assert (
            f'<a href="{match_url(approved)}">{escape(approved.offer.practice.name)}: '
            f"{escape(approved.host.name)} teaches {escape(approved.learner.name)}</a>"
        ) in html
        assert match_url(hidden) not in html
    client.force_login(member)
    assert "Approved matches" not in html_of(client.get(reverse("dashboard")))


def test_the_dashboard_queries_do_not_grow_with_matches(
    client: Client, owner: Any, approved: Match, business: Business, django_assert_num_queries: Any
) -> None:
    client.force_login(owner)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("dashboard"))
    for _ in range(5):
        MatchFactory.create(need=NeedFactory.create(business=business), status=Match.Status.APPROVED)
        other = BusinessFactory.create()
        MembershipFactory.create(user=owner, business=other, role=Membership.Role.OWNER)
        MatchFactory.create(offer=OfferFactory.create(business=other), status=Match.Status.APPROVED)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("dashboard"))
    assert len(response.context["matches"]) == 11


def test_a_stranger_to_the_matches_sees_none_on_the_dashboard(client: Client, approved: Match) -> None:
    client.force_login(UserFactory.create())
    assert "Approved matches" not in html_of(client.get(reverse("dashboard")))
