"""The key pages make a dozen queries at most, and as many with ten times the data: no page runs a query per
row it shows (the web benchmark, `python -m bench web`, loads these pages as these people)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from businesses.models import Business, Membership, Practice
from businesses.services.offers import refresh_search_vectors
from internships.models import Internship, InternshipEvent, Match, Task
from internships.services.moderation import approve_match
from tests.factories import (
    BusinessFactory,
    InvitationFactory,
    MatchFactory,
    MembershipFactory,
    NeedFactory,
    ObjectiveFactory,
    OfferFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12


@dataclass
class Platform:
    """Afreen's business learns organic lead generation at Pixelcraft UX, where Rajeev mentors her intern."""

    owner: Any
    mentor: Any
    moderator: Any
    business: Business
    host: Business
    match: Match
    internship: Internship
    practice: Practice
    grown: int = 0

    def grow(self, count: int) -> None:
        """`count` more of everything the key pages list or count."""
        start = self.grown
        self.grown += count
        for n in range(start, self.grown):
            other = BusinessFactory.create(name=f"Lead Growers {n}", city="Pune")
            MembershipFactory.create(business=other, role=Membership.Role.OWNER)
            # Search results, and the host's offers and members on its page.
            OfferFactory.create(
                business=other, practice=self.practice, description="Lead generation, hands-on."
            )
            OfferFactory.create(business=self.host, practice=self.practice, level=4)
            MembershipFactory.create(business=self.host)
            # The moderation queue: singles, and a swap decided as one item.
            MatchFactory.create(need__business=self.business, offer__business=other)
            swap = f"swap:{self.business.pk}-{other.pk}-{n}"
            MatchFactory.create(need__business=other, offer__business=self.host, kind="swap", exchange=swap)
            MatchFactory.create(need__business=self.host, offer__business=other, kind="swap", exchange=swap)
            # The dashboard: approved matches, internships in the ledger, invitations.
            approved = MatchFactory.create(need__business=self.business, status=Match.Status.APPROVED)
            Internship.objects.create(
                match=approved,
                offer=approved.offer,
                learner=self.business,
                host=approved.host,
                intern=UserFactory.create(),
                mentor=UserFactory.create(),
                start=approved.start,
                end=approved.start + timedelta(days=4),
                requested_by=self.owner,
                status=Internship.Status.SCHEDULED,
            )
            InvitationFactory.create(email=self.owner.email)
            # The compare page: more needs on both sides.
            NeedFactory.create(business=self.business, practice=self.practice)
            NeedFactory.create(business=self.host, practice=self.practice)
            # The internship page: tasks done (each with a review form for the mentor), objectives, events.
            task = TaskFactory.create(internship=self.internship, title=f"Task {n}")
            Task.objects.filter(pk=task.pk).update(
                status=Task.Status.DONE, done_note="Done.", done_at=timezone.now()
            )
            ObjectiveFactory.create(internship=self.internship, title=f"Objective {n}")
            InternshipEvent.objects.create(
                internship=self.internship, action="noted", status=self.internship.status, actor=self.mentor
            )
        refresh_search_vectors(missing_only=True)


@pytest.fixture
def platform(
    business: Business, owner: Any, member: Any, other_business: Business, outsider: Any, moderator: Any
) -> Platform:
    practice = Practice.objects.get(slug="lead-generation-organic")
    proposal = MatchFactory.create(
        need=NeedFactory.create(business=business, practice=practice),
        offer=OfferFactory.create(business=other_business, practice=practice, description="Lead generation."),
    )
    match = approve_match(match_id=proposal.pk, moderator=moderator)
    internship = Internship.objects.create(
        match=match,
        offer=match.offer,
        learner=business,
        host=other_business,
        intern=member,
        mentor=outsider,
        start=match.start,
        end=match.start + timedelta(days=9),
        requested_by=owner,
        status=Internship.Status.SCHEDULED,
    )
    world = Platform(
        owner=owner,
        mentor=outsider,
        moderator=moderator,
        business=business,
        host=other_business,
        match=match,
        internship=internship,
        practice=practice,
    )
    world.grow(1)
    return world


# Each key page: who opens it, and its address.
PAGES: dict[str, Callable[[Platform], tuple[Any, str]]] = {
    "home": lambda p: (None, reverse("home")),
    "dashboard": lambda p: (p.owner, reverse("dashboard")),
    "offer search": lambda p: (p.owner, reverse("businesses:browse") + "?q=lead+generation"),
    "business": lambda p: (p.owner, reverse("businesses:detail", args=[p.host.slug])),
    "compare": lambda p: (p.owner, reverse("businesses:compare", args=[p.business.slug, p.host.slug])),
    "match": lambda p: (p.owner, reverse("internships:match", args=[p.match.pk])),
    "internship": lambda p: (p.mentor, reverse("internships:detail", args=[p.internship.pk])),
    "moderation queue": lambda p: (p.moderator, reverse("internships:moderation_queue")),
}


def queries_of(client: Client, person: Any, url: str) -> int:
    """The queries of one visit to `url` by `person`, once a first visit has warmed the process."""
    client.logout()
    if person is not None:
        client.force_login(person)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", PAGES)
def test_each_key_page_makes_a_dozen_queries_at_most(client: Client, platform: Platform, name: str) -> None:
    person, url = PAGES[name](platform)
    assert queries_of(client, person, url) <= MAX_QUERIES


@pytest.mark.parametrize("name", PAGES)
def test_each_key_page_makes_as_many_queries_with_ten_times_the_data(
    client: Client, platform: Platform, name: str
) -> None:
    person, url = PAGES[name](platform)
    few = queries_of(client, person, url)
    platform.grow(9)
    assert queries_of(client, person, url) == few


def test_being_signed_in_costs_a_page_two_queries(client: Client, platform: Platform) -> None:
    """The session, and the person with their standing (moderator, authenticator app: the second-factor
    check reads both on every page) in one query."""
    client.force_login(platform.moderator)
    client.get(reverse("healthz"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    [person] = [query["sql"] for query in captured if "accounts_user" in query["sql"]]
    assert "auth_permission" in person and "mfa_authenticator" in person
    session, health_check = (query["sql"] for query in captured if query["sql"] != person)
    assert "django_session" in session and health_check == "SELECT 1"


def test_a_moderator_who_loses_the_permission_is_no_longer_one_on_the_next_page(
    client: Client, platform: Platform
) -> None:
    client.force_login(platform.moderator)
    assert client.get(reverse("internships:moderation_queue")).status_code == 200
    platform.moderator.user_permissions.clear()
    platform.moderator.groups.clear()
    assert client.get(reverse("internships:moderation_queue")).status_code == 403


def test_a_person_deleted_while_signed_in_is_signed_out_on_the_next_page(
    client: Client, platform: Platform
) -> None:
    """The person is read with a query built once per process: it still finds nobody for a deleted row."""
    client.force_login(platform.moderator)
    assert client.get(reverse("internships:moderation_queue")).status_code == 200
    platform.moderator.delete()
    response = client.get(reverse("internships:moderation_queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
