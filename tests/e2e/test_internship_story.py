"""An internship from request to completion, in real browsers against the live server (issue 5, item 9).

On-Demand Staffing (Afreen, its owner) wants to learn organic lead generation from Pixelcraft UX
(Rajeev, its owner), whose offer a moderator has matched with its need. Afreen requests a one-week
internship for Neha, her marketing executive, with a measurable objective; Rajeev accepts and names
Arjun as mentor; Afreen confirms; the internship starts on its first day (the beat job, run here);
Arjun assigns a task, Neha does it, Arjun reviews it; Neha writes and submits her implementation
plan; Afreen approves it and the internship is completed, its timeline telling the whole story.

Each persona has a browser of their own and signs in at /accounts/login/. Each page reached is
screenshotted to tests/e2e/artifacts/internship-*.png, checked with axe-core and checked for console
errors (see ``checkpoint`` in conftest.py); the emails each step sends are checked as they go.
"""

import datetime
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.utils import dateformat, timezone
from playwright.sync_api import BrowserContext, Locator, Page, expect

from businesses.models import Membership, Practice
from internships.models import Internship, Match, Objective
from internships.services import daily
from tests.e2e.conftest import AssertAccessible, Checkpoint
from tests.e2e.test_business_story import checkpoint_for, reference_data  # noqa: F401 (a fixture)
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

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

AFREEN = "afreen@staffing.example"
NEHA = "neha@staffing.example"
RAJEEV = "rajeev@pixelcraft.example"
ARJUN = "arjun@pixelcraft.example"
LEARNER = "On-Demand Staffing"
HOST = "Pixelcraft UX"
PRACTICE = "Lead generation (organic)"
TASK = "Draft a lead magnet for warehouse managers"


@dataclass(frozen=True)
class Story:
    today: datetime.date
    match: Match


@pytest.fixture
def midday() -> Iterator[datetime.date]:
    """Today, at noon by the server's clock, which keeps ticking: the story never runs across midnight."""
    # The server dates everything with timezone.localdate(): a run begun a minute before midnight would
    # find the first day past by the time Rajeev accepts. time_machine moves the clock of the whole
    # process, the live server's thread included; the browser's clock, which no step reads, stays put.
    today = timezone.localdate()
    noon = datetime.datetime.combine(today, datetime.time(12), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(noon, tick=True):
        yield today


@pytest.fixture
def story(midday: datetime.date) -> Story:
    """Two verified businesses, their people, and the approved match of Pixelcraft's offer with the need."""
    today = midday
    staffing = BusinessFactory(name=LEARNER, industry__code="561", industry__title="Administrative Services")
    pixelcraft = BusinessFactory(name=HOST)
    people = [
        (AFREEN, "Afreen Shaikh", staffing, Membership.Role.OWNER),
        (NEHA, "Neha Kulkarni", staffing, Membership.Role.EMPLOYEE),
        (RAJEEV, "Rajeev Iyer", pixelcraft, Membership.Role.OWNER),
        (ARJUN, "Arjun Mehta", pixelcraft, Membership.Role.EMPLOYEE),
    ]
    for email, name, business, role in people:
        MembershipFactory(user=UserFactory(email=email, name=name), business=business, role=role)
    practice = Practice.objects.get(slug="lead-generation-organic")
    offer = OfferFactory(
        business=pixelcraft,
        practice=practice,
        description="Run our inbound playbook with us: a lead magnet, two articles and the follow-up emails.",
        available_from=today,
        available_until=today + datetime.timedelta(days=90),
        min_days=3,
        max_days=10,
    )
    need = NeedFactory(business=staffing, practice=practice, outcome="Triple our organic leads.")
    match = MatchFactory.create(
        need=need, offer=offer, status=Match.Status.APPROVED, decided_at=timezone.now(), start=today, days=5
    )
    return Story(today=today, match=match)


class Outbox:
    """The emails sent since the last look, as (address, subject) pairs."""

    def __init__(self, mailoutbox: list[EmailMessage]) -> None:
        self.mail = mailoutbox
        self.seen = 0

    def new(self) -> list[tuple[str, str]]:
        fresh = self.mail[self.seen :]
        self.seen = len(self.mail)
        return sorted((address, str(message.subject)) for message in fresh for address in message.to)

    def link(self, address: str, pattern: str) -> str:
        """The one link matching `pattern` in the latest email to `address`."""
        message = [m for m in self.mail if m.to == [address]][-1]
        found = re.search(pattern, str(message.body))
        assert found, f"no link matching {pattern!r} in the email to {address}:\n{message.body}"
        return found.group(0)


def labelled(scope: Page | Locator, label: str) -> Locator:
    """The field labelled exactly `label` inside `scope` (crispy-forms marks required ones with a *)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def hidden_suffix(visible: str, hidden: str) -> re.Pattern[str]:
    """A button's name when the text after its visible part is visually hidden (``visible: hidden``)."""
    # The visually hidden span is positioned absolutely, so the accessible name Playwright computes
    # has a space before it: "Mark done : Draft…".
    return re.compile(rf"^{re.escape(visible)}\s*: {re.escape(hidden)}$")


def status_of(page: Page) -> Locator:
    """The internship's state, the badge beside the page's title."""
    return page.locator("h1 + .badge")


def test_an_internship_goes_from_request_to_completion(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_server: Any,
    mailoutbox: list[EmailMessage],
    checkpoint: Checkpoint,
    assert_accessible: AssertAccessible,
    artifacts: Path,
    story: Story,
) -> None:
    today, server = story.today, re.escape(live_server.url)
    start, end = today, today + datetime.timedelta(days=4)
    steps = itertools.count(1)
    outbox = Outbox(mailoutbox)

    def check(name: str, on: Callable[[str], None] = checkpoint) -> None:
        on(f"internship-{next(steps):02d}-{name}")

    def browser_for(email: str) -> tuple[Page, Callable[[str], None]]:
        """A browser of this person's own, signed in."""
        other = new_context().new_page()
        other.set_default_timeout(10_000)
        other_checkpoint = checkpoint_for(other, artifacts, assert_accessible)
        sign_in(other, email)
        return other, lambda name: check(name, other_checkpoint)

    # Afreen signs in: her dashboard lists the match a moderator approved.
    sign_in(page, AFREEN)
    matches = page.get_by_role("region", name="Approved matches")
    matches.get_by_role("link", name=f"{PRACTICE}: {HOST} teaches {LEARNER}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Learn {PRACTICE} with {HOST}")
    check("match")

    # She requests a one-week internship for Neha, with the outcome she wants measured.
    page.get_by_role("link", name="Request an internship").click()
    expect(page).to_have_url(re.compile(rf"/matches/{story.match.pk}/request/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Request an internship at {HOST}")
    expect(field(page, "First day")).to_have_value(today.isoformat())
    field(page, "The colleague you send").select_option(label=f"Neha Kulkarni ({NEHA})")
    field(page, "First day").fill(start.isoformat())
    field(page, "Last day").fill(end.isoformat())
    objective = page.get_by_role("group", name="Objective 1", exact=True)
    labelled(objective, "Objective").fill("More leads from our own content")
    labelled(objective, "What you will measure").fill("organic leads per month")
    labelled(objective, "Today").fill("5")
    labelled(objective, "Target").fill("15")
    field(page, f"Message to {HOST}").fill(
        "Neha runs our marketing alone: we hope she comes back able to turn our articles into leads."
    )
    check("request")
    page.get_by_role("button", name="Send the request").click()

    expect(page).to_have_url(re.compile(r"/internships/\d+/$"))
    internship = Internship.objects.get()
    expect(page.get_by_role("alert")).to_contain_text(f"Request sent: {HOST} is told by email")
    expect(status_of(page)).to_have_text("Requested")
    expect(page.get_by_role("region", name="Objectives")).to_contain_text("organic leads per month: 5 → 15")
    check("requested")
    # Pixelcraft's owner is asked to answer; Neha hears where she is to go.
    assert outbox.new() == [
        (NEHA, f"You are to learn {PRACTICE} at {HOST}"),
        (RAJEEV, f"{LEARNER} asks {HOST} to host an intern: {PRACTICE}"),
    ]

    # Rajeev follows the link in his email and accepts, naming Arjun as the mentor.
    rajeev, rajeev_check = browser_for(RAJEEV)
    rajeev.goto(outbox.link(RAJEEV, rf"{server}/internships/{internship.pk}/accept/"))
    expect(rajeev.get_by_role("heading", level=1)).to_have_text(f"Answer the request of {LEARNER}")
    expect(rajeev.get_by_role("region", name="The request")).to_contain_text(
        "organic leads per month from 5 to 15"
    )
    accept = rajeev.get_by_role("region", name="Accept")
    labelled(accept, "Mentor").select_option(label=f"Arjun Mehta ({ARJUN})")
    rajeev_check("host-answers")
    accept.get_by_role("button", name="Accept and name the mentor").click()

    # The form posts to …/accept/#accept: the browser keeps that fragment through the redirect.
    expect(rajeev).to_have_url(re.compile(rf"/internships/{internship.pk}/(#accept)?$"))
    expect(rajeev.get_by_role("alert")).to_contain_text(
        f"Accepted: Arjun Mehta mentors the intern. {LEARNER}"
    )
    expect(status_of(rajeev)).to_have_text("Accepted")
    rajeev_check("host-accepted")
    assert outbox.new() == [
        (AFREEN, f"{HOST} accepted the internship: {PRACTICE}"),
        (ARJUN, f"You mentor Neha Kulkarni from {LEARNER}"),
        (NEHA, f"{HOST} accepted the internship: {PRACTICE}"),
    ]

    # Afreen confirms that Neha will attend: the internship is scheduled.
    page.reload()
    expect(status_of(page)).to_have_text("Accepted")
    page.get_by_role("region", name="What next").get_by_role("link", name="Confirm the internship").click()
    expect(page).to_have_url(re.compile(rf"/internships/{internship.pk}/confirm/$"))
    expect(page.get_by_role("main")).to_contain_text(f"{HOST} accepted and named Arjun Mehta as mentor")
    check("confirm")
    page.get_by_role("button", name="Confirm the internship").click()

    expect(page).to_have_url(re.compile(rf"/internships/{internship.pk}/$"))
    expect(page.get_by_role("alert")).to_contain_text("Confirmed: the internship is scheduled.")
    expect(status_of(page)).to_have_text("Scheduled")
    check("scheduled")
    first_day = dateformat.format(start, "j F Y")
    assert outbox.new() == [
        (ARJUN, f"Scheduled: Neha Kulkarni at {HOST} from {first_day}"),
        (NEHA, f"Scheduled: Neha Kulkarni at {HOST} from {first_day}"),
        (RAJEEV, f"Scheduled: Neha Kulkarni at {HOST} from {first_day}"),
    ]

    # Its first day is today: the daily beat job starts it. It is called here as beat's task would call
    # it, in this process, on the server's date — no clock to move, since the story starts today.
    assert daily.activate_due() == 1
    assert daily.activate_due() == 0  # safe to run twice
    page.reload()
    expect(status_of(page)).to_have_text("Active")
    check("active")
    assert outbox.new() == []  # starting sends nothing; "starts in 2 days" is for later starts

    # Arjun finds the internship on his dashboard and gives Neha a first task.
    arjun, arjun_check = browser_for(ARJUN)
    arjun.get_by_role("region", name="Your internships").get_by_role(
        "link", name=f"{PRACTICE} at {HOST}"
    ).click()
    expect(arjun).to_have_url(re.compile(rf"/internships/{internship.pk}/$"))
    new_task = arjun.get_by_role("region", name="Assign a task")
    labelled(new_task, "Task").fill(TASK)
    labelled(new_task, "What good looks like").fill(
        "A one-page checklist a warehouse manager would download, with a headline that promises one result."
    )
    labelled(new_task, "Due on").fill((start + datetime.timedelta(days=1)).isoformat())
    arjun_check("mentor-assigns")
    new_task.get_by_role("button", name="Assign the task").click()

    expect(arjun).to_have_url(re.compile(rf"/internships/{internship.pk}/#task-\d+$"))
    expect(arjun.get_by_role("alert")).to_contain_text(f"Task assigned: “{TASK}”.")
    expect(arjun.get_by_role("article", name=TASK)).to_contain_text("Assigned")
    arjun_check("task-assigned")
    assert outbox.new() == [(NEHA, f"A new task from Arjun Mehta: {TASK}")]

    # Neha opens the task from her email, does it and marks it done with a note.
    neha, neha_check = browser_for(NEHA)
    neha.goto(outbox.link(NEHA, rf"{server}/internships/{internship.pk}/#task-\d+"))
    task = neha.get_by_role("article", name=TASK)
    labelled(task, "What you did").fill(
        "Wrote 'The peak-season hiring checklist' (shared drive, /lead-magnets): 12 steps, one page."
    )
    neha_check("intern-works")
    task.get_by_role("button", name=hidden_suffix("Mark done", TASK)).click()

    expect(neha.get_by_role("alert")).to_contain_text(f"“{TASK}” is marked done")
    expect(task).to_contain_text("Done, awaiting review")
    neha_check("task-done")
    assert outbox.new() == [(ARJUN, f"To review: Neha Kulkarni finished “{TASK}”")]

    # Arjun reviews it: a rating and what to improve.
    arjun.reload()
    task = arjun.get_by_role("article", name=TASK)
    task.get_by_label("4 — good").check()
    labelled(task, "Your review").fill(
        "Clear and useful. Next time, test two headlines with five real warehouse managers first."
    )
    arjun_check("mentor-reviews")
    task.get_by_role("button", name=hidden_suffix("Save the review", TASK)).click()

    expect(arjun.get_by_role("alert")).to_contain_text(f"Review saved for “{TASK}”")
    expect(task).to_contain_text("Review, rated 4 out of 5")
    arjun_check("task-reviewed")
    assert outbox.new() == [(NEHA, f"Your mentor reviewed “{TASK}”: 4 out of 5")]

    # Neha writes her implementation plan: a first step, saved as a draft…
    neha.reload()
    expect(neha.get_by_role("article", name=TASK)).to_contain_text("Review, rated 4 out of 5")
    neha.get_by_role("region", name="Implementation plan").get_by_role("link", name="Write the plan").click()
    expect(neha).to_have_url(re.compile(rf"/internships/{internship.pk}/plan/$"))
    objective_label = str(Objective.objects.get(internship=internship))
    labelled(neha, "Summary").fill(
        "Turn our articles into leads: a lead magnet on every service page, and a monthly article."
    )
    step = neha.get_by_role("group", name="Step 1", exact=True)
    labelled(step, "Action").fill("Publish the hiring checklist with a sign-up form on the services page")
    labelled(step, "Owner").fill("Neha")
    labelled(step, "Due on").fill((end + datetime.timedelta(days=7)).isoformat())
    labelled(step, "KPI it moves").fill("organic leads per month")
    labelled(step, "Objective (optional)").select_option(label=objective_label)
    neha_check("plan-first-step")
    neha.get_by_role("button", name="Save as a draft").click()

    expect(neha).to_have_url(re.compile(rf"/internships/{internship.pk}/#plan$"))
    expect(neha.get_by_role("alert")).to_contain_text("Plan saved.")
    plan = neha.get_by_role("region", name="Implementation plan")
    expect(plan).to_contain_text("Draft")
    neha_check("plan-draft")

    # …then a second one, and she submits the plan for approval.
    plan.get_by_role("link", name="Edit the plan").click()
    step = neha.get_by_role("group", name="Step 2", exact=True)
    labelled(step, "Action").fill("Write one article a month answering a client's question")
    labelled(step, "Owner").fill("Neha, with Afreen reviewing")
    labelled(step, "Due on").fill((end + datetime.timedelta(days=30)).isoformat())
    labelled(step, "KPI it moves").fill("organic sessions per month")
    neha_check("plan-second-step")
    neha.get_by_role("button", name="Save and submit for approval").click()

    expect(neha.get_by_role("alert")).to_contain_text(f"Plan submitted: {LEARNER} is asked to approve it.")
    plan = neha.get_by_role("region", name="Implementation plan")
    expect(plan).to_contain_text("Submitted for approval")
    expect(plan.get_by_role("table", name="The plan's steps").get_by_role("row")).to_have_count(3)
    neha_check("plan-submitted")
    assert outbox.new() == [
        (AFREEN, f"To approve: Neha Kulkarni's implementation plan for {PRACTICE}"),
    ]

    # Afreen's list of internships shows it under way; she opens the plan from her email and approves
    # it: the internship is completed.
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Internships").click()
    expect(page).to_have_url(re.compile(r"/internships/$"))
    row = page.get_by_role("row", name=re.compile(rf"^{re.escape(f'{PRACTICE}: {HOST} teaches {LEARNER}')}"))
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text(f"Sending: {LEARNER}")
    check("internships")
    page.goto(outbox.link(AFREEN, rf"{server}/internships/{internship.pk}/#plan"))
    approve = page.get_by_role("region", name="Approve the plan")
    labelled(approve, "Note (optional)").fill("We start with the checklist on Monday.")
    check("approve")
    approve.get_by_role("button", name="Approve and complete").click()

    expect(page).to_have_url(re.compile(rf"/internships/{internship.pk}/#timeline$"))
    expect(page.get_by_role("alert")).to_contain_text("Plan approved: the internship is completed.")
    expect(status_of(page)).to_have_text("Completed")
    expect(page.get_by_role("region", name="Implementation plan")).to_contain_text(
        "Approved by Afreen Shaikh"
    )
    events = page.get_by_role("region", name="Timeline").get_by_role("listitem")
    expected = [
        ("Requested by Afreen Shaikh", "Neha runs our marketing alone"),
        ("Accepted by Rajeev Iyer", "Mentor: Arjun Mehta"),
        ("Scheduled by Afreen Shaikh", ""),
        ("Started by Peership", ""),
        ("Plan submitted by Neha Kulkarni", ""),
        ("Completed by Afreen Shaikh", "We start with the checklist on Monday."),
    ]
    expect(events).to_have_count(len(expected))
    for event, (what, note) in zip(events.all(), expected, strict=True):
        expect(event).to_contain_text(what)
        if note:
            expect(event).to_contain_text(note)
    check("completed")
    assert outbox.new() == [
        (ARJUN, f"Completed: the {PRACTICE} internship at {HOST}"),
        (NEHA, f"Completed: the {PRACTICE} internship at {HOST}"),
    ]

    # On Pixelcraft's side too, the internship is completed, with the same story told.
    rajeev.reload()
    expect(status_of(rajeev)).to_have_text("Completed")
    expect(rajeev.get_by_role("region", name="Timeline").get_by_role("listitem")).to_have_count(len(expected))
    rajeev_check("host-completed")
