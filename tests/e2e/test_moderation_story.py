"""A moderator decides two proposed matches and the owners of the approved one open it, in a real browser.

The matching engine's proposals are made in the ORM: a flagged match between two Pune consultancies
(same industry, same market) and an unflagged one between two restaurant marketers who in fact compete.
The moderator finds the flagged match first in the queue, checks both businesses side by side, the score
and the flag, and approves it with a note; then rejects the other, first without a reason (refused,
nothing lost), then with one; each match's history says who decided, when and why. Both owners of the
approved match get an email and, each in a browser of their own, follow its link to the match page;
the rejected match stays a 404 for its owners. Each page reached is screenshotted to
tests/e2e/artifacts/moderation-*.png, checked with axe-core and checked for console errors.
"""

import importlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import BrowserContext, Page, expect

from businesses.models import Business, Industry, Membership, Practice
from internships.models import Match, MatchEvent
from tests.e2e import test_business_story
from tests.e2e.conftest import AssertAccessible, Checkpoint
from tests.e2e.test_business_story import checkpoint_for, email_to
from tests.e2e.test_signup import field
from tests.factories import (
    PASSWORD,
    BusinessFactory,
    MatchFactory,
    MembershipFactory,
    NeedFactory,
    OfferFactory,
    UserFactory,
)
from tests.mfa import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MODERATOR = "maya@peership.example"
FLAG = "Same industry (NAICS 541) and same market (Pune, IN)"
APPROVAL_NOTE = (
    "Not competitors despite the flag: Kothari keeps the books of restaurants and shops, "
    "Deshpande designs brands for startups."
)
REJECTION_REASON = "Both sell SEO to restaurants in Pune: Tandoor Tech would be training a competitor."

# The business story's fixture, shared: it loads the industries and practices again after a flush.
reference_data = test_business_story.reference_data


@dataclass(frozen=True)
class Proposals:
    flagged: Match
    unflagged: Match


@pytest.fixture
def moderators_group() -> None:
    """The Moderators group of migration accounts 0002, which a transactional test's flush empties."""
    importlib.import_module("accounts.migrations.0002_moderators_group").create_group(apps, None)


def business_with_owner(
    *, name: str, owner: str, owner_name: str, industry: str = "541", city: str = "Pune", **fields: Any
) -> Business:
    business = BusinessFactory.create(
        name=name, industry=Industry.objects.get(code=industry), city=city, country="IN", **fields
    )
    MembershipFactory.create(
        business=business, user=UserFactory.create(email=owner, name=owner_name), role=Membership.Role.OWNER
    )
    return business


@pytest.fixture
def proposals(reference_data: None, moderators_group: None) -> Proposals:
    """Two pending matches as the engine would propose them, and a moderator to decide them."""
    UserFactory.create(email=MODERATOR, name="Maya Moderator", moderator=True)
    lead_generation = Practice.objects.get(slug="lead-generation-organic")
    seo = Practice.objects.get(slug="seo")

    # Two Pune businesses in NAICS 541: the engine flags them, but one keeps books and the other designs.
    kothari = business_with_owner(
        name="Kothari Bookkeeping",
        owner="priya@kothari.example",
        owner_name="Priya Kothari",
        sells="Bookkeeping, payroll and GST filing",
        sells_to="Restaurants and shops in Pune",
    )
    deshpande = business_with_owner(
        name="Deshpande Design Studio",
        owner="rohan@deshpande.example",
        owner_name="Rohan Deshpande",
        sells="Brand identities and websites",
        sells_to="Startups in Pune and Mumbai",
    )
    flagged = MatchFactory.create(
        need=NeedFactory.create(business=kothari, practice=lead_generation, current_level=1, target_level=4),
        offer=OfferFactory.create(
            business=deshpande,
            practice=lead_generation,
            level=5,
            description="Write two articles with our content lead and see how they turn into enquiries.",
        ),
        flags=[FLAG],
        risk=1,
    )

    # Different industries and cities, so no flag; yet both sell SEO to the same restaurants.
    spice_route = business_with_owner(
        name="Spice Route Marketing",
        owner="meera@spiceroute.example",
        owner_name="Meera Iyer",
        sells="Social media and SEO for restaurants",
        sells_to="Restaurants and cafés in Pune",
    )
    tandoor = business_with_owner(
        name="Tandoor Tech",
        owner="arjun@tandoor.example",
        owner_name="Arjun Shah",
        industry="518",
        city="Mumbai",
        sells="Websites, online ordering and SEO for restaurants",
        sells_to="Restaurants and cafés across Maharashtra, Pune included",
    )
    unflagged = MatchFactory.create(
        need=NeedFactory.create(business=spice_route, practice=seo, current_level=2, target_level=4),
        offer=OfferFactory.create(business=tandoor, practice=seo, level=5),
        # A better score than the flagged match's 2.25: the queue still puts the flagged one first.
        parts={
            "practice_fit": 1.0,
            "level_gain": 0.75,
            "urgency": 0.25,
            "distance": 0.25,
            "track_record": 0.5,
            "reciprocity": 0.0,
        },
    )
    return Proposals(flagged=flagged, unflagged=unflagged)


def sign_in(page: Page, *, email: str) -> None:
    """On the login page: sign in with the factories' password."""
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def match_link(message: EmailMessage, server_url: str) -> str:
    """The link in a match-approved email: http://<live server>/matches/<pk>/."""
    found = re.search(re.escape(server_url) + r"/matches/\d+/", str(message.body))
    assert found, f"no match link to {server_url} in:\n{message.body}"
    return found.group(0)


def test_a_moderator_approves_a_flagged_match_rejects_another_and_the_owners_open_theirs(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_server: Any,
    mailoutbox: list[EmailMessage],
    checkpoint: Checkpoint,
    assert_accessible: AssertAccessible,
    artifacts: Path,
    proposals: Proposals,
) -> None:
    flagged, unflagged = proposals.flagged, proposals.unflagged
    steps: Iterator[int] = iter(range(1, 100))

    def check(name: str) -> None:
        checkpoint(f"moderation-{next(steps):02d}-{name}")

    # Maya, a moderator, logs in with her password and a code from her authenticator app, and opens the
    # moderation queue from the navigation bar.
    page.goto("/accounts/login/")
    sign_in(page, email=MODERATOR)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    check("two-factor")
    field(page, "Code").fill(totp_code())
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Moderation").click()
    expect(page).to_have_url(re.compile(r"/moderation/$"))

    # Two matches wait; the flagged one comes first although the other scores better.
    expect(page.get_by_role("heading", name="2 items awaiting a decision")).to_be_visible()
    queue = page.get_by_role("table", name="Pending matches, the riskiest first")
    rows = queue.get_by_role("row")
    expect(rows).to_have_count(3)  # the header and two matches
    expect(rows.nth(1)).to_contain_text("Kothari Bookkeeping")
    expect(rows.nth(1)).to_contain_text("1 flag")
    expect(rows.nth(1)).to_contain_text("2.25")
    expect(rows.nth(2)).to_contain_text("Spice Route Marketing")
    expect(rows.nth(2)).to_contain_text("2.75")
    check("queue")

    # She opens the flagged match: both businesses side by side, the flag, the score's parts.
    rows.nth(1).get_by_role("link", name="Kothari Bookkeeping learns from Deshpande Design Studio").click()
    expect(page).to_have_url(re.compile(rf"/moderation/matches/{flagged.pk}/$"))
    learner = page.get_by_role("region", name="Learner: Kothari Bookkeeping")
    host = page.get_by_role("region", name="Host: Deshpande Design Studio")
    expect(learner).to_contain_text("Bookkeeping, payroll and GST filing")
    expect(learner).to_contain_text("Restaurants and shops in Pune")
    expect(host).to_contain_text("Brand identities and websites")
    expect(host).to_contain_text("Startups in Pune and Mumbai")
    learner_box, host_box = learner.bounding_box(), host.bounding_box()
    assert learner_box and host_box and learner_box["x"] < host_box["x"], (
        "the businesses are not side by side"
    )
    assert abs(learner_box["y"] - host_box["y"]) < 1, "the businesses are not side by side"
    flags = page.get_by_role("region", name="1 flag: they may compete")
    expect(flags.get_by_role("listitem")).to_have_text([FLAG])
    score = page.get_by_role("table", name="The score's parts; the score is their sum")
    expect(score.get_by_role("row", name="Practice fit")).to_contain_text("1.00")
    expect(score.get_by_role("row", name="Level gain")).to_contain_text("0.50")
    expect(score.get_by_role("row", name="Urgency")).to_contain_text("0.25")
    expect(score.get_by_role("row", name="Distance")).to_contain_text("0.50")
    expect(score.get_by_role("row", name="Score")).to_contain_text("2.25")
    expect(page.get_by_role("region", name="History")).to_contain_text("Nothing recorded yet.")
    check("flagged-match")

    # They do not compete, whatever the flag says: she approves, with a note for other moderators.
    field(page, "Note (optional)").fill(APPROVAL_NOTE)
    check("flagged-match-note")
    page.get_by_role("button", name="Approve the match").click()
    expect(page).to_have_url(re.compile(r"/moderation/$"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Approved: Deshpande Design Studio teaches Kothari Bookkeeping: Lead generation (organic). "
        "Both owners are told by email."
    )
    expect(page.get_by_role("heading", name="1 item awaiting a decision")).to_be_visible()
    check("queue-after-approval")

    # The other match has no flag, but both sides sell SEO to the same restaurants.
    queue.get_by_role("link", name="Spice Route Marketing learns from Tandoor Tech").click()
    expect(page).to_have_url(re.compile(rf"/moderation/matches/{unflagged.pk}/$"))
    expect(page.get_by_text("No flag: the matching engine found nothing")).to_be_visible()
    expect(page.get_by_role("region", name="Learner: Spice Route Marketing")).to_contain_text(
        "SEO for restaurants"
    )
    expect(page.get_by_role("region", name="Host: Tandoor Tech")).to_contain_text("SEO for restaurants")
    check("unflagged-match")

    # She presses Reject without a reason: the browser refuses to send the form.
    reason = field(page, "Reason")
    page.get_by_role("button", name="Reject the match").click()
    expect(page).to_have_url(re.compile(rf"/moderation/matches/{unflagged.pk}/$"))
    assert reason.evaluate("element => element.validity.valueMissing")
    assert reason.evaluate("element => element.validationMessage")

    # A reason of blanks passes the browser but not the server: it says why, and the page is all there.
    reason.fill("   ")
    page.get_by_role("button", name="Reject the match").click()
    expect(page.get_by_text("Say why: a reason is required.")).to_be_visible()
    expect(reason).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.get_by_role("region", name="Learner: Spice Route Marketing")).to_be_visible()
    expect(page.get_by_role("region", name="Host: Tandoor Tech")).to_be_visible()
    expect(page.get_by_role("button", name="Approve the match")).to_be_visible()
    check("reject-without-reason")
    unflagged.refresh_from_db()
    assert unflagged.status == Match.Status.PENDING
    assert not unflagged.events.exists()

    reason.fill(REJECTION_REASON)
    page.get_by_role("button", name="Reject the match").click()
    expect(page).to_have_url(re.compile(r"/moderation/$"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Rejected: Tandoor Tech teaches Spice Route Marketing: SEO. Nobody is told; "
        "the reason is in its history."
    )
    expect(page.get_by_text("No match awaits a decision: the queue is empty.")).to_be_visible()
    check("queue-empty")

    # Each match's history says who decided, when and why.
    for match, action, why, name in [
        (unflagged, "Rejected", REJECTION_REASON, "rejected-history"),
        (flagged, "Approved", APPROVAL_NOTE, "approved-history"),
    ]:
        match.refresh_from_db()
        assert match.decided_at is not None
        page.goto(f"/moderation/matches/{match.pk}/")
        history = page.get_by_role("table", name="What happened to this match, oldest first")
        [event] = match.events.all()
        assert (event.actor.email if event.actor else None, event.note) == (MODERATOR, why)
        row = history.get_by_role("row", name=action)
        expect(row).to_have_count(1)
        expect(row.get_by_role("cell")).to_have_text(
            [
                date_format(timezone.localtime(event.created_at), "j M Y, H:i"),
                "Maya Moderator",
                why,
            ]
        )
        expect(row.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
        expect(page.get_by_role("main")).to_contain_text(f"{action} by Maya Moderator on ")
        check(name)
    assert flagged.status == Match.Status.APPROVED
    assert unflagged.status == Match.Status.REJECTED
    assert [e.action for e in MatchEvent.objects.order_by("pk")] == [
        MatchEvent.Action.APPROVED,
        MatchEvent.Action.REJECTED,
    ]

    # Both owners of the approved match got one email each, with a link to its page; nobody else did.
    approvals = [m for m in mailoutbox if "a match for" in str(m.subject).lower()]
    assert sorted(m.to[0] for m in approvals) == ["priya@kothari.example", "rohan@deshpande.example"]
    match_url = f"{live_server.url}/matches/{flagged.pk}/"

    # Priya (the learner) and Rohan (the host), each on their own computer, follow the link and log in.
    for email, business, title, why in [
        (
            "priya@kothari.example",
            "Kothari Bookkeeping",
            "Learn Lead generation (organic) with Deshpande Design Studio",
            "Raises your level from 1 to 4: Deshpande Design Studio works at level 5",
        ),
        (
            "rohan@deshpande.example",
            "Deshpande Design Studio",
            "Teach Lead generation (organic) to Kothari Bookkeeping",
            "Raises Kothari Bookkeeping's level from 1 to 4: you work at level 5",
        ),
    ]:
        message = email_to(mailoutbox, email, f"A match for {business}")
        link = match_link(message, live_server.url)
        assert link == match_url
        owner = new_context().new_page()
        owner.set_default_timeout(10_000)
        owner_check = checkpoint_for(owner, artifacts, assert_accessible)
        who = email.partition("@")[0]

        owner.goto(link)
        expect(owner).to_have_url(re.compile(r"/accounts/login/\?next=/matches/\d+/$"))
        sign_in(owner, email=email)
        expect(owner).to_have_url(link)
        expect(owner.get_by_role("heading", level=1)).to_have_text(title)
        reasons = owner.get_by_role("region", name="Why we proposed it").get_by_role("listitem")
        expect(reasons).to_contain_text(["Same practice: Lead generation (organic)", why, "Same city: Pune"])
        # The moderators' note is theirs alone.
        expect(owner.get_by_role("main")).not_to_contain_text(APPROVAL_NOTE)
        owner_check(f"moderation-{next(steps):02d}-{who}-match")

        # The rejected proposal is no business of theirs either.
        response = owner.goto(f"/matches/{unflagged.pk}/")
        assert response is not None and response.status == 404

    # The owners of the rejected match never hear of it: its page is a 404 for them.
    for email in ["meera@spiceroute.example", "arjun@tandoor.example"]:
        assert not [m for m in mailoutbox if m.to == [email]], f"{email} was emailed about a rejected match"
        owner = new_context().new_page()
        owner.set_default_timeout(10_000)
        owner_check = checkpoint_for(owner, artifacts, assert_accessible)
        owner.goto("/accounts/login/")
        sign_in(owner, email=email)
        expect(owner).to_have_url(re.compile(r"/dashboard/$"))
        who = email.partition("@")[0]
        owner_check(f"moderation-{next(steps):02d}-{who}-dashboard")
        response = owner.goto(f"/matches/{unflagged.pk}/")
        assert response is not None and response.status == 404
        expect(owner.get_by_role("heading", level=1)).to_have_text("We could not find that page")
        # Not a checkpoint: the browser logs the page's own 404 status as a console error, as it should.
        name = f"moderation-{next(steps):02d}-{who}-rejected-not-found"
        owner.screenshot(path=artifacts / f"{name}.png", full_page=True)
        assert_accessible(owner, name)
