"""Weekly reports, their reviews and the +30-day follow-up, in real browsers against the live server (issue 6,
item 7).

Neha (On-Demand Staffing) is at the end of a two-week internship at Pixelcraft UX, learning organic lead
generation with Arjun as her mentor, towards one objective: organic leads per month, 5 → 15. She writes
her reports on week 1 and week 2; Arjun reviews both, and the progress chart shows the two weeks. Her
implementation plan is approved (through the services: the browser story of issue 5 covers it), which
completes the internship. Thirty days after its last day, Afreen, On-Demand Staffing's owner, records the
+30-day follow-up and sees the follow-up chart: baseline, target, the value measured.

The calendar is the server's: time_machine puts the whole process, the live server included, at noon on
the last day of week 2, then 30 days after the internship's end (see ``midday`` in
test_internship_story.py). Each page reached is screenshotted to tests/e2e/artifacts/feedback-*.png,
checked with axe-core and checked for console errors (``checkpoint`` in conftest.py); the emails each step
sends are checked as they go.
"""

import datetime
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import User
from businesses.models import Membership, Practice
from feedback.models import FollowUp, WeeklyReport
from internships.models import Internship, Match, Objective
from internships.services import plans
from tests.e2e.conftest import AssertAccessible, Checkpoint
from tests.e2e.test_business_story import checkpoint_for, email_to, reference_data  # noqa: F401 (a fixture)
from tests.e2e.test_internship_story import (
    AFREEN,
    ARJUN,
    HOST,
    LEARNER,
    NEHA,
    PRACTICE,
    RAJEEV,
    Outbox,
    labelled,
    midday,  # noqa: F401 (a fixture)
    sign_in,
    status_of,
)
from tests.factories import (
    BusinessFactory,
    InternshipFactory,
    MatchFactory,
    MembershipFactory,
    NeedFactory,
    ObjectiveFactory,
    OfferFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

OBJECTIVE = "More leads from our own content"
METRIC = "organic leads per month"
DAYS = 14  # two weeks: week 1 is days 1–7, week 2 days 8–14


@dataclass(frozen=True)
class Fortnight:
    internship: Internship
    objective: Objective
    afreen: User
    neha: User


@pytest.fixture
def fortnight(midday: datetime.date) -> Fortnight:  # noqa: F811 (the imported fixture)
    """An active two-week internship of Neha at Pixelcraft, mentored by Arjun, whose last day is today."""
    today = midday
    start = today - datetime.timedelta(days=DAYS - 1)
    staffing = BusinessFactory(name=LEARNER, industry__code="561", industry__title="Administrative Services")
    pixelcraft = BusinessFactory(name=HOST)
    people = {}
    for email, name, business, role in [
        (AFREEN, "Afreen Shaikh", staffing, Membership.Role.OWNER),
        (NEHA, "Neha Kulkarni", staffing, Membership.Role.EMPLOYEE),
        (RAJEEV, "Rajeev Iyer", pixelcraft, Membership.Role.OWNER),
        (ARJUN, "Arjun Mehta", pixelcraft, Membership.Role.EMPLOYEE),
    ]:
        people[email] = UserFactory.create(email=email, name=name)
        MembershipFactory(user=people[email], business=business, role=role)
    practice = Practice.objects.get(slug="lead-generation-organic")
    offer = OfferFactory(
        business=pixelcraft,
        practice=practice,
        description="Run our inbound playbook with us: a lead magnet, two articles and the follow-up emails.",
        available_from=start,
        available_until=start + datetime.timedelta(days=90),
        min_days=5,
        max_days=DAYS,
    )
    need = NeedFactory(
        business=staffing,
        practice=practice,
        current_level=1,
        target_level=4,
        outcome="Triple our organic leads.",
        earliest_start=start,
    )
    match = MatchFactory.create(
        need=need,
        offer=offer,
        status=Match.Status.APPROVED,
        decided_at=timezone.now() - datetime.timedelta(days=30),
        start=start,
        days=DAYS,
    )
    internship = InternshipFactory.create(
        match=match,
        intern=people[NEHA],
        mentor=people[ARJUN],
        requested_by=people[AFREEN],
        status=Internship.Status.ACTIVE,
    )
    assert (internship.start, internship.end) == (start, today)
    objective = ObjectiveFactory.create(
        internship=internship, title=OBJECTIVE, metric=METRIC, baseline=5, target=15
    )
    return Fortnight(internship=internship, objective=objective, afreen=people[AFREEN], neha=people[NEHA])


def link_in(message: EmailMessage, pattern: str) -> str:
    """The link matching `pattern` in an email (Outbox.link reads only the latest one to an address)."""
    found = re.search(pattern, str(message.body))
    assert found, f"no link matching {pattern!r} in the email to {message.to}:\n{message.body}"
    return found.group(0)


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())


def test_the_intern_reports_twice_the_mentor_reviews_and_the_owner_records_the_first_follow_up(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_server: Any,
    mailoutbox: list[EmailMessage],
    checkpoint: Checkpoint,
    assert_accessible: AssertAccessible,
    artifacts: Path,
    fortnight: Fortnight,
) -> None:
    internship, server = fortnight.internship, re.escape(live_server.url)
    reports = rf"{server}/internships/{internship.pk}/reports/"
    steps = itertools.count(1)
    outbox = Outbox(mailoutbox)

    def check(name: str, on: Callable[[str], None] = checkpoint) -> None:
        on(f"feedback-{next(steps):02d}-{name}")

    def browser_for(email: str) -> tuple[Page, Callable[[str], None]]:
        """A browser of this person's own, signed in."""
        other = new_context().new_page()
        other.set_default_timeout(10_000)
        other_checkpoint = checkpoint_for(other, artifacts, assert_accessible)
        sign_in(other, email)
        return other, lambda name: check(name, other_checkpoint)

    # Neha signs in on the last day of her internship: it is on her dashboard, and its page leads to the
    # weekly reports, none written yet.
    sign_in(page, NEHA)
    page.get_by_role("region", name="Your internships").get_by_role(
        "link", name=f"{PRACTICE} at {HOST}"
    ).click()
    expect(page).to_have_url(re.compile(rf"/internships/{internship.pk}/$"))
    expect(status_of(page)).to_have_text("Active")
    page.get_by_role("region", name="Weekly reports").get_by_role(
        "link", name="Weekly reports and progress chart"
    ).click()
    expect(page).to_have_url(re.compile(rf"/internships/{internship.pk}/reports/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly reports")
    weeks = page.get_by_role("table", name="Each week of the internship, its report's due date and status")
    expect(weeks.get_by_role("row")).to_have_count(3)
    # Week 1 fell due a week ago, week 2 is due today.
    expect(weeks.get_by_role("row", name=re.compile(r"^Week 1\b"))).to_contain_text("Late: not submitted")
    expect(weeks.get_by_role("row", name=re.compile(r"^Week 2\b"))).to_contain_text("Due")
    expect(page.get_by_role("region", name="Progress on each objective")).to_contain_text("No reports yet")
    check("reports-none")

    # She writes week 1's report.
    weeks.get_by_role("link", name=re.compile(r"^Write the report\s+on week 1$")).click()
    expect(page).to_have_url(re.compile(rf"/internships/{internship.pk}/reports/1/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Week 1 report")
    report = page.get_by_role("region", name="Write your report")
    labelled(report, "What I learned").fill(
        "How a lead magnet works: one promise, one page, and a sign-up form that asks for little."
    )
    labelled(report, "Tasks done").fill("Drafted the peak-season hiring checklist; set up the sign-up form.")
    labelled(report, "Blockers (optional)").fill(
        "Our website's form builder cannot tag where a lead came from."
    )
    labelled(report, "Hours").fill("32.5")
    report.get_by_label("2 — first steps").check()
    check("week-1-form")
    report.get_by_role("button", name="Submit the report").click()

    expect(page).to_have_url(re.compile(rf"/internships/{internship.pk}/reports/#week-1$"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Your report on week 1 is saved; your mentor is asked to review it."
    )
    weeks = page.get_by_role("table", name="Each week of the internship, its report's due date and status")
    # Submitted today, on week 2's last day: after week 1's due date.
    expect(weeks.get_by_role("row", name=re.compile(r"^Week 1\b"))).to_contain_text("Submitted late")
    check("week-1-submitted")
    assert outbox.new() == [(ARJUN, "Neha Kulkarni submitted the week 1 report: please review it")]

    # Then week 2's, due today.
    weeks.get_by_role("link", name=re.compile(r"^Write the report\s+on week 2$")).click()
    expect(page).to_have_url(re.compile(rf"/internships/{internship.pk}/reports/2/$"))
    report = page.get_by_role("region", name="Write your report")
    labelled(report, "What I learned").fill(
        "Writing for search: answer one question a client really asks, and link the checklist from it."
    )
    labelled(report, "Tasks done").fill(
        "Published the checklist; wrote an article on hiring for the holidays."
    )
    labelled(report, "Hours").fill("36")
    report.get_by_label("3 — halfway").check()
    check("week-2-form")
    report.get_by_role("button", name="Submit the report").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Your report on week 2 is saved; your mentor is asked to review it."
    )
    weeks = page.get_by_role("table", name="Each week of the internship, its report's due date and status")
    expect(weeks.get_by_role("row", name=re.compile(r"^Week 2\b"))).to_contain_text("Submitted")
    expect(weeks.get_by_role("row", name=re.compile(r"^Week 2\b"))).not_to_contain_text("late")
    check("week-2-submitted")
    assert outbox.new() == [(ARJUN, "Neha Kulkarni submitted the week 2 report: please review it")]
    assert WeeklyReport.objects.filter(internship=internship).count() == 2

    # Arjun opens week 1's report from his email and reviews it.
    arjun, arjun_check = browser_for(ARJUN)
    arjun.goto(link_in(email_to(mailoutbox, ARJUN, "week 1 report"), rf"{reports}1/"))
    expect(arjun.get_by_role("heading", level=1)).to_have_text("Week 1 report")
    expect(arjun.get_by_role("region", name="The report")).to_contain_text(
        "Our website's form builder cannot tag where a lead came from."
    )
    expect(
        arjun.get_by_role("table", name="Progress on each objective, from 1 to 5").get_by_role(
            "row", name=OBJECTIVE
        )
    ).to_contain_text("2 of 5")
    review = arjun.get_by_role("region", name="Mentor's review")
    review.get_by_label("4 — good").check()
    labelled(review, "Your review").fill(
        "A good first week. Tag each sign-up by hand for now: a hidden field on the form does it."
    )
    arjun_check("mentor-week-1")
    review.get_by_role("button", name="Save the review").click()

    expect(arjun).to_have_url(re.compile(rf"/internships/{internship.pk}/reports/#week-1$"))
    expect(arjun.get_by_role("alert")).to_contain_text(
        "Your review of week 1 is saved; the intern is told by email."
    )
    weeks = arjun.get_by_role("table", name="Each week of the internship, its report's due date and status")
    expect(weeks.get_by_role("row", name=re.compile(r"^Week 1\b"))).to_contain_text(
        "Reviewed (submitted late)"
    )
    expect(weeks.get_by_role("row", name=re.compile(r"^Week 1\b"))).to_contain_text("rated 4 of 5")
    arjun_check("mentor-week-1-reviewed")
    assert outbox.new() == [(NEHA, "Your mentor reviewed your week 1 report: 4 out of 5")]

    # He goes on to week 2's from the list.
    weeks.get_by_role("link", name=re.compile(r"^Review the report\s+on week 2$")).click()
    expect(arjun).to_have_url(re.compile(rf"/internships/{internship.pk}/reports/2/$"))
    review = arjun.get_by_role("region", name="Mentor's review")
    review.get_by_label("5 — excellent").check()
    labelled(review, "Your review").fill(
        "The article already brought two sign-ups. Keep one article a month."
    )
    arjun_check("mentor-week-2")
    review.get_by_role("button", name="Save the review").click()

    expect(arjun.get_by_role("alert")).to_contain_text(
        "Your review of week 2 is saved; the intern is told by email."
    )
    weeks = arjun.get_by_role("table", name="Each week of the internship, its report's due date and status")
    expect(weeks.get_by_role("row", name=re.compile(r"^Week 2\b"))).to_contain_text("Reviewed")
    expect(weeks.get_by_role("row", name=re.compile(r"^Week 2\b"))).to_contain_text("rated 5 of 5")
    arjun_check("mentor-week-2-reviewed")
    assert outbox.new() == [(NEHA, "Your mentor reviewed your week 2 report: 5 out of 5")]

    # Neha follows her email to week 2's report: the review is there, the report final.
    page.goto(outbox.link(NEHA, rf"{reports}2/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Week 2 report")
    review = page.get_by_role("region", name="Mentor's review")
    expect(review).to_contain_text("Rated 5 out of 5 by Arjun Mehta")
    expect(review).to_contain_text("The article already brought two sign-ups.")
    expect(page.get_by_role("main")).to_contain_text("it is final and can no longer change")
    expect(page.get_by_role("button", name="Save the changes")).to_have_count(0)
    check("week-2-reviewed")

    # The progress chart shows both weeks, with the same figures in the table beside it.
    page.get_by_role("navigation", name="Other weeks").get_by_role(
        "link", name="All weeks and the progress chart"
    ).click()
    progress = page.get_by_role("region", name="Progress on each objective")
    chart = progress.get_by_role("img", name=f"Progress on each objective, week by week: {PRACTICE}")
    expect(chart).to_be_visible()
    expect(chart.locator("desc")).to_have_text(
        f"Progress from 1 to 5 as the intern reported it, week by week. {OBJECTIVE}: week 1 2, week 2 3."
    )
    table = progress.get_by_role("table", name="Progress from 1 to 5, per week and objective")
    expect(table.get_by_role("columnheader", name=OBJECTIVE)).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(r"^Week 1\b"))).to_contain_text("2")
    expect(table.get_by_role("row", name=re.compile(r"^Week 2\b"))).to_contain_text("3")
    check("progress-chart")

    # Her plan is approved (issue 5's browser story walks through it): the internship is completed.
    plans.save_plan(
        internship=internship,
        intern=fortnight.neha,
        summary="A lead magnet on every service page, and one article a month.",
        steps=[
            plans.Step(
                action="Publish the hiring checklist with a sign-up form on the services page",
                owner="Neha",
                due=internship.end + datetime.timedelta(days=7),
                kpi=METRIC,
                objective_id=fortnight.objective.pk,
            )
        ],
    )
    plans.submit_plan(internship=internship, intern=fortnight.neha)
    plans.approve_plan(internship=internship, approver=fortnight.afreen, note="We start on Monday.")
    internship.refresh_from_db()
    assert internship.status == Internship.Status.COMPLETED
    assert outbox.new() == [
        (AFREEN, f"To approve: Neha Kulkarni's implementation plan for {PRACTICE}"),
        (ARJUN, f"Completed: the {PRACTICE} internship at {HOST}"),
        (NEHA, f"Completed: the {PRACTICE} internship at {HOST}"),
    ]
    page.reload()
    expect(page.get_by_role("region", name="Weeks")).to_contain_text(
        "The internship is completed: no more reports are written"
    )
    expect(page.get_by_role("link", name=re.compile(r"^(Write|Edit) the report"))).to_have_count(0)

    # Thirty days after the internship's last day, the +30-day follow-up is due.
    follow_up_day = internship.end + datetime.timedelta(days=30)
    with time_machine.travel(noon(follow_up_day), tick=True):
        afreen, afreen_check = browser_for(AFREEN)
        afreen.get_by_role("navigation", name="Main navigation").get_by_role(
            "link", name="Internships"
        ).click()
        afreen.get_by_role("link", name=f"{PRACTICE}: {HOST} teaches {LEARNER}").click()
        expect(afreen).to_have_url(re.compile(rf"/internships/{internship.pk}/$"))
        expect(status_of(afreen)).to_have_text("Completed")
        afreen.get_by_role("region", name="What next").get_by_role("link", name="Follow-ups").click()

        expect(afreen).to_have_url(re.compile(rf"/internships/{internship.pk}/follow-ups/$"))
        expect(afreen.get_by_role("heading", level=1)).to_have_text("Follow-ups")
        schedule = afreen.get_by_role("region", name="The three follow-ups")
        expect(schedule.get_by_role("listitem")).to_have_count(3)
        expect(schedule.get_by_role("listitem").first).to_contain_text("Due now: not recorded yet.")
        expect(schedule.get_by_role("listitem").nth(1)).to_contain_text("Not due yet")
        expect(afreen.get_by_role("region", name="What came of it")).to_contain_text(
            "The chart appears once the first follow-up is recorded"
        )
        afreen_check("follow-ups-due")

        # She records it: 12 leads a month, the practice adopted.
        schedule.get_by_role("link", name="Record the +30-day follow-up").click()
        expect(afreen).to_have_url(re.compile(rf"/internships/{internship.pk}/follow-ups/30/$"))
        expect(afreen.get_by_role("heading", level=1)).to_have_text("+30-day follow-up")
        labelled(afreen, "Organic leads per month today").fill("12")
        afreen.get_by_role("group", name=re.compile(r"^Is the practice adopted\?")).get_by_label(
            "Yes"
        ).check()
        labelled(afreen, "Notes (optional)").fill(
            "The checklist brings most of the leads; the articles are slower to pick up."
        )
        afreen_check("follow-up-form")
        afreen.get_by_role("button", name="Record the follow-up").click()

        expect(afreen).to_have_url(re.compile(rf"/internships/{internship.pk}/follow-ups/#follow-up-30$"))
        expect(afreen.get_by_role("alert")).to_contain_text("+30-day follow-up recorded.")
        first = afreen.get_by_role("region", name="The three follow-ups").get_by_role("listitem").first
        expect(first).to_contain_text("Recorded by Afreen Shaikh")
        expect(first).to_contain_text("The practice is adopted.")
        expect(first).to_contain_text("The checklist brings most of the leads")

        # The chart: baseline 5, target 15, 12 at +30 days; the table says the same.
        results = afreen.get_by_role("region", name="What came of it")
        chart = results.get_by_role("img", name=f"{LEARNER}'s metrics: baseline, target and each follow-up")
        expect(chart).to_be_visible()
        expect(chart.locator("desc")).to_contain_text(
            f"{METRIC}: baseline 5, target 15; +30 days 12, +60 days not recorded, +90 days not recorded."
        )
        table = results.get_by_role(
            "table",
            name="Each objective's metric: baseline, target, and the value measured at each follow-up",
        )
        expect(table.get_by_role("row")).to_have_count(2)
        cells = table.get_by_role("row").nth(1).get_by_role("cell")
        expect(cells).to_have_text(["5", "15", "12", "not recorded—", "not recorded—", "Not yet"])
        afreen_check("follow-up-recorded")

    follow_up = FollowUp.objects.get(internship=internship, day=30)
    assert follow_up.adopted is True
    assert follow_up.recorded_by == fortnight.afreen
    assert [m.actual for m in follow_up.measurements.all()] == [12]
    internship.refresh_from_db()
    assert internship.status == Internship.Status.COMPLETED  # followed up only after the +90-day one
    assert outbox.new() == []  # recording a follow-up sends nothing
