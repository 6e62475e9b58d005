"""The internship page and the list of a person's internships: who sees them (the intern, the mentor, both
businesses' owners and managers, moderators — nobody else), what the page shows (objectives, the week
plan, tasks and reviews, the plan, the final assessment, the timeline), and their query counts."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from businesses.models import Business, Membership, Practice
from internships.models import ImplementationPlan, Internship, InternshipEvent, Task
from internships.selectors.internships import week_bounds, week_plan
from tests.factories import (
    BusinessFactory,
    ImplementationPlanFactory,
    InternshipFactory,
    MembershipFactory,
    ObjectiveFactory,
    PlanStepFactory,
    TaskFactory,
    UserFactory,
)
from tests.helpers import assert_asks_to_log_in, html_of

pytestmark = pytest.mark.django_db

START, END = date(2026, 3, 2), date(2026, 3, 13)  # a Monday, and the Friday of the next week: 12 days


@pytest.fixture
def internship(
    business: Business, other_business: Business, member: Any, mentor: Any, lead_generation: Practice
):
    """Neha, On-Demand Staffing's marketing executive, learns lead generation at Pixelcraft UX."""
    internship = InternshipFactory.create(
        match__need__business=business,
        match__need__practice=lead_generation,
        match__offer__business=other_business,
        intern=member,
        mentor=mentor,
        start=START,
        end=END,
        status=Internship.Status.ACTIVE,
    )
    ObjectiveFactory.create(internship=internship, metric="organic leads per month", baseline=5, target=15)
    return internship


def page_url(internship: Internship) -> str:
    return reverse("internships:detail", args=[internship.pk])


def stranger() -> Any:
    """The owner of a third business, with nothing to do with the internship."""
    return MembershipFactory.create(role=Membership.Role.OWNER).user


# Who sees the page.


@pytest.mark.parametrize("persona", ["member", "mentor", "owner", "manager", "host_owner", "moderator"])
def test_the_intern_the_mentor_both_owners_and_moderators_see_the_page(
    client: Client, internship: Internship, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(page_url(internship)).status_code == 200


@pytest.mark.parametrize("who", ["learner_employee", "host_employee", "stranger", "user"])
def test_anyone_else_gets_404_even_an_employee_of_either_business(
    client: Client, internship: Internship, who: str, request: pytest.FixtureRequest, business, other_business
) -> None:
    if who == "learner_employee":
        person = MembershipFactory.create(business=business, role=Membership.Role.EMPLOYEE).user
    elif who == "host_employee":
        person = MembershipFactory.create(business=other_business, role=Membership.Role.EMPLOYEE).user
    elif who == "stranger":
        person = stranger()
    else:
        person = request.getfixturevalue("user")
    client.force_login(person)
    assert client.get(page_url(internship)).status_code == 404


def test_the_page_asks_anonymous_visitors_to_log_in(client: Client, internship: Internship) -> None:
    assert_asks_to_log_in(client.get(page_url(internship)))


def test_the_page_rejects_a_post(client: Client, internship: Internship, member: Any) -> None:
    client.force_login(member)
    assert client.post(page_url(internship)).status_code == 405


def test_an_unknown_internship_is_404(client: Client, member: Any) -> None:
    client.force_login(member)
    assert client.get(reverse("internships:detail", args=[999_999])).status_code == 404


# What it shows.


def test_it_shows_the_objectives_with_their_measurable_outcome(
    client: Client, internship: Internship, owner: Any
) -> None:
    client.force_login(owner)
    html = html_of(client.get(page_url(internship)))
    assert "More organic leads" in html
    assert "organic leads per month: 5 → 15" in html


def test_it_shows_the_week_plan_numbered_from_the_start_date_with_the_tasks_due(
    client: Client, internship: Internship, member: Any
) -> None:
    TaskFactory.create(internship=internship, title="Audit the blog", due=date(2026, 3, 10))
    client.force_login(member)
    html = html_of(client.get(page_url(internship)))
    assert "Week 1: " in html and "Week 2: " in html and "Week 3" not in html
    assert '<time datetime="2026-03-08">8 Mar 2026</time>' in html  # week 1 ends on day 7
    assert '<time datetime="2026-03-13">13 Mar 2026</time>' in html  # week 2 is cut short by the end
    week_two = html[html.index('id="week-2"') :]
    assert "Audit the blog" in week_two[: week_two.index("</table>")]
    assert "Weekly report 1" in html and "Weekly report 2" in html


def test_it_shows_each_task_with_its_status_the_intern_note_and_the_review(
    client: Client, internship: Internship, owner: Any
) -> None:
    now = timezone.now()
    TaskFactory.create(internship=internship, title="Outline an article")
    TaskFactory.create(
        internship=internship,
        title="Draft the landing page",
        status=Task.Status.DONE,
        done_note="Draft in the shared folder.",
        done_at=now,
    )
    TaskFactory.create(
        internship=internship,
        title="Set up the lead form",
        status=Task.Status.REVIEWED,
        done_note="Live on the site.",
        done_at=now,
        rating=4,
        review="Clear and quick; add a thank-you page.",
        reviewed_at=now,
    )
    client.force_login(owner)
    html = html_of(client.get(page_url(internship)))
    assert "Outline an article" in html and "Assigned" in html
    assert "Draft in the shared folder." in html and "Done, awaiting review" in html
    assert "rated 4 out of 5" in html and "add a thank-you page" in html


def test_it_shows_the_plan_the_final_assessment_and_the_timeline(
    client: Client, internship: Internship, owner: Any, mentor: Any
) -> None:
    plan = ImplementationPlanFactory.create(internship=internship, status=ImplementationPlan.Status.SUBMITTED)
    PlanStepFactory.create(plan=plan, action="Write a content calendar", owner="Neha", kpi="articles a month")
    internship.final_assessment = "Neha learns fast and asks the right questions."
    internship.final_assessed_at = timezone.now()
    internship.save()
    InternshipEvent.objects.create(internship=internship, action="accepted", status="accepted", actor=mentor)
    InternshipEvent.objects.create(internship=internship, action="expired", status="cancelled", actor=None)
    client.force_login(owner)
    html = html_of(client.get(page_url(internship)))
    assert "Write a content calendar" in html and "articles a month" in html
    assert "Submitted for approval" in html
    assert "Neha learns fast" in html
    timeline = html[html.index('id="timeline"') :]
    assert "Accepted</strong>" in timeline and "by Arjun Mentor" in timeline
    assert "by Peership" in timeline  # no actor: the beat did it


def test_times_on_the_page_are_in_the_viewers_time_zone(
    client: Client, internship: Internship, owner: Any, mentor: Any
) -> None:
    """The timeline and the tasks are written by Jinja2, which must turn times to local time as Django's
    templates do: 23:30 UTC on 2 March is 05:00 on 3 March in India."""
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    event = InternshipEvent.objects.create(internship=internship, action="accepted", status="accepted")
    InternshipEvent.objects.filter(pk=event.pk).update(created_at=late)
    TaskFactory.create(
        internship=internship, status=Task.Status.DONE, done_note="Drafted.", done_at=late, title="Draft"
    )
    owner.time_zone = "Asia/Kolkata"
    owner.save()
    client.force_login(owner)
    html = html_of(client.get(page_url(internship)))
    timeline = html[html.index('id="timeline"') :]
    assert '<time datetime="2026-03-03T05:00:00+05:30">3 Mar 2026, 05:00</time>' in timeline
    assert "Done on <time" in html and ">3 Mar 2026</time>:</strong> Drafted." in html


def test_the_mentor_gets_the_task_form_and_the_intern_the_done_form(
    client: Client, internship: Internship, member: Any, mentor: Any, owner: Any
) -> None:
    task = TaskFactory.create(internship=internship)
    client.force_login(mentor)
    html = html_of(client.get(page_url(internship)))
    assert reverse("internships:task_create", args=[internship.pk]) in html
    assert reverse("internships:task_done", args=[internship.pk, task.pk]) not in html
    client.force_login(member)
    html = html_of(client.get(page_url(internship)))
    assert reverse("internships:task_done", args=[internship.pk, task.pk]) in html
    assert reverse("internships:task_create", args=[internship.pk]) not in html
    assert reverse("internships:plan", args=[internship.pk]) in html
    client.force_login(owner)
    html = html_of(client.get(page_url(internship)))
    assert "<form" not in html[html.index('id="tasks"') : html.index('id="plan"')]


def test_the_sending_owner_sees_the_decision_forms_once_the_plan_is_submitted(
    client: Client, internship: Internship, owner: Any, host_owner: Any
) -> None:
    plan = ImplementationPlanFactory.create(internship=internship, status=ImplementationPlan.Status.SUBMITTED)
    PlanStepFactory.create(plan=plan)
    approve = reverse("internships:plan_approve", args=[internship.pk])
    client.force_login(owner)
    assert approve in html_of(client.get(page_url(internship)))
    client.force_login(host_owner)
    assert approve not in html_of(client.get(page_url(internship)))


def test_the_page_offers_the_next_lifecycle_step_to_the_side_whose_turn_it_is(
    client: Client, internship: Internship, owner: Any, host_owner: Any
) -> None:
    internship.status = Internship.Status.REQUESTED
    internship.save()
    client.force_login(host_owner)
    assert reverse("internships:accept", args=[internship.pk]) in html_of(client.get(page_url(internship)))
    client.force_login(owner)
    html = html_of(client.get(page_url(internship)))
    assert reverse("internships:accept", args=[internship.pk]) not in html
    assert "Waiting for Pixelcraft UX to answer" in html
    internship.status = Internship.Status.ACCEPTED
    internship.save()
    assert reverse("internships:confirm", args=[internship.pk]) in html_of(client.get(page_url(internship)))


def test_the_page_queries_do_not_grow_with_tasks_steps_and_events(
    client: Client, internship: Internship, owner: Any, mentor: Any, django_assert_num_queries
) -> None:
    plan = ImplementationPlanFactory.create(internship=internship, status=ImplementationPlan.Status.SUBMITTED)
    PlanStepFactory.create(plan=plan, objective=internship.objectives.first())
    TaskFactory.create(internship=internship)
    client.force_login(mentor)
    client.get(page_url(internship))
    with CaptureQueriesContext(connection) as one:
        assert client.get(page_url(internship)).status_code == 200
    now = timezone.now()
    for n in range(8):
        TaskFactory.create(internship=internship, title=f"Task {n}", due=date(2026, 3, 2 + n))
        TaskFactory.create(internship=internship, status=Task.Status.DONE, done_note="Done.", done_at=now)
        PlanStepFactory.create(plan=plan, objective=internship.objectives.first())
        ObjectiveFactory.create(internship=internship, title=f"Objective {n}")
        InternshipEvent.objects.create(internship=internship, action="noted", status="active", actor=owner)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(page_url(internship)).status_code == 200


# The weeks.


@pytest.mark.parametrize(
    ("days", "weeks", "last_week_days"), [(1, 1, 1), (7, 1, 7), (8, 2, 1), (12, 2, 5), (15, 3, 1)]
)
def test_weeks_are_counted_from_the_start_date_seven_days_each(
    days: int, weeks: int, last_week_days: int
) -> None:
    internship = Internship(start=date(2026, 3, 4), end=date(2026, 3, 3 + days))
    bounds = week_bounds(internship)
    assert [number for number, _, _ in bounds] == list(range(1, weeks + 1))
    assert bounds[0][1] == date(2026, 3, 4)  # a Wednesday start: weeks run Wednesday to Tuesday
    _, first, last = bounds[-1]
    assert last == internship.end and (last - first).days + 1 == last_week_days
    plan = week_plan(internship, [])
    assert sum(len(week.days) for week in plan) == days
    assert [week.report_due for week in plan] == [last for _, _, last in bounds]


# The list of my internships.


def index_url(**query: str) -> str:
    url = reverse("internships:index")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_list_shows_my_internships_as_intern_as_mentor_and_for_my_businesses(
    client: Client, internship: Internship, member: Any, mentor: Any, owner: Any
) -> None:
    elsewhere = InternshipFactory.create(status=Internship.Status.REQUESTED)  # two other businesses
    for person, part in [(member, "Intern"), (mentor, "Mentor"), (owner, "Sending: On-Demand Staffing")]:
        client.force_login(person)
        html = html_of(client.get(index_url()))
        assert internship.get_absolute_url() in html
        assert part in html
        assert elsewhere.get_absolute_url() not in html


def test_a_moderator_list_holds_only_their_own_internships(
    client: Client, internship: Internship, moderator: Any
) -> None:
    client.force_login(moderator)
    html = html_of(client.get(index_url()))
    assert internship.get_absolute_url() not in html
    assert "No internships yet" in html


def test_an_employee_who_is_neither_intern_nor_mentor_sees_an_empty_list(
    client: Client, internship: Internship, business: Business
) -> None:
    client.force_login(MembershipFactory.create(business=business, role=Membership.Role.EMPLOYEE).user)
    html = html_of(client.get(index_url()))
    assert internship.get_absolute_url() not in html
    assert "No internships yet" in html


def test_the_list_can_show_one_business_of_mine(
    client: Client, internship: Internship, owner: Any, business: Business
) -> None:
    mine_elsewhere = BusinessFactory.create(name="Second Venture")
    MembershipFactory.create(business=mine_elsewhere, user=owner, role=Membership.Role.OWNER)
    other = InternshipFactory.create(match__need__business=mine_elsewhere)
    client.force_login(owner)
    html = html_of(client.get(index_url(business=business.slug)))
    assert "Internships of On-Demand Staffing" in html
    assert internship.get_absolute_url() in html and other.get_absolute_url() not in html
    # A business the user does not manage filters nothing: the list is theirs as before.
    html = html_of(client.get(index_url(business="pixelcraft-ux")))
    assert "Your internships" in html and other.get_absolute_url() in html


def test_the_list_asks_anonymous_visitors_to_log_in(client: Client) -> None:
    assert_asks_to_log_in(client.get(index_url()))


def test_the_list_rejects_a_post(client: Client, member: Any) -> None:
    client.force_login(member)
    assert client.post(index_url()).status_code == 405


def test_the_list_queries_do_not_grow_with_internships(
    client: Client, internship: Internship, owner: Any, business: Business, django_assert_num_queries
) -> None:
    client.force_login(owner)
    client.get(index_url())
    with CaptureQueriesContext(connection) as one:
        client.get(index_url())
    for _ in range(5):
        InternshipFactory.create(
            match__need__business=business, status=Internship.Status.ACTIVE, mentor=UserFactory.create()
        )
        InternshipFactory.create(match__offer__business=business, intern_email="x@example.com", intern=None)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(index_url())
    assert html_of(response).count("<tr>") == 1 + 11
