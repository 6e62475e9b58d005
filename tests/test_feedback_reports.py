"""Weekly reports: the intern writes one per week of the internship (what they learned, tasks done,
blockers, progress 1–5 on each objective, hours), editable until the mentor reviews it (rating 1–5 and a
comment), which makes it final. The list of weeks shows each report's status (late is computed: after
the due date, or still missing after it) and each objective's progress week by week as a chart with a
table. Who reads them: the intern, the mentor, the sending business's owners and managers, moderators."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from businesses.charts import Series
from businesses.models import Business, Membership, Practice
from feedback.charts import progress_chart
from feedback.models import ObjectiveProgress, WeeklyReport, WeeklyReview
from feedback.selectors.reports import WeekStatus, report_weeks
from feedback.services.reports import ReportError, review_report, submit_report
from internships.models import Internship, Objective
from tests.factories import InternshipFactory, MembershipFactory, ObjectiveFactory
from tests.helpers import assert_asks_to_log_in, html_of

pytestmark = pytest.mark.django_db

# Three weeks: 2–8 March, 9–15 March, 16–20 March (the last one short). "Today" is in week 2.
START, END = date(2026, 3, 2), date(2026, 3, 20)
TODAY = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def today(time_machine: Any) -> None:
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture
def internship(
    business: Business, other_business: Business, member: Any, mentor: Any, lead_generation: Practice
) -> Internship:
    """Neha, On-Demand Staffing's marketing executive, learns lead generation at Pixelcraft UX."""
    return InternshipFactory.create(
        match__need__business=business,
        match__need__practice=lead_generation,
        match__offer__business=other_business,
        intern=member,
        mentor=mentor,
        start=START,
        end=END,
        status=Internship.Status.ACTIVE,
    )


@pytest.fixture
def leads(internship: Internship) -> Objective:
    return ObjectiveFactory.create(
        internship=internship, title="More organic leads", metric="organic leads per month", position=1
    )


@pytest.fixture
def articles(internship: Internship) -> Objective:
    return ObjectiveFactory.create(
        internship=internship,
        title="A publishing rhythm",
        metric="articles per month",
        baseline=0,
        target=4,
        position=2,
    )


@pytest.fixture
def objectives(leads: Objective, articles: Objective) -> list[Objective]:
    return [leads, articles]


def stranger() -> Any:
    """The owner of a third business, with nothing to do with the internship."""
    return MembershipFactory.create(role=Membership.Role.OWNER).user


def index_url(internship: Internship) -> str:
    return reverse("feedback:reports_index", args=[internship.pk])


def week_url(internship: Internship, week: int) -> str:
    return reverse("feedback:reports_week", args=[internship.pk, week])


def review_url(internship: Internship, week: int) -> str:
    return reverse("feedback:reports_review", args=[internship.pk, week])


def report_data(objectives: list[Objective], *progress: int, **changes: str) -> dict[str, str]:
    data = {
        "report-learned": "How to pick keywords people actually search for.",
        "report-tasks_done": "Outlined two articles; set up the landing page.",
        "report-blockers": "No access to the analytics account yet.",
        "report-hours": "37.5",
    }
    for objective, value in zip(objectives, progress or [3] * len(objectives), strict=True):
        data[f"report-progress_{objective.pk}"] = str(value)
    return {**data, **{f"report-{name}": value for name, value in changes.items()}}


REVIEW = {"review-rating": "4", "review-comment": "Good keyword research; publish the first article next."}


def write_report(
    internship: Internship, week: int, objectives: list[Objective], *progress: int, **fields: Any
) -> WeeklyReport:
    """A report written straight to the database (its submitted_at is now: travel first for a late one)."""
    report = WeeklyReport.objects.create(
        internship=internship,
        week=week,
        learned=fields.get("learned", "Keyword research."),
        tasks_done="Two outlines.",
        hours=Decimal("30"),
    )
    for objective, value in zip(objectives, progress or [3] * len(objectives), strict=True):
        ObjectiveProgress.objects.create(report=report, objective=objective, progress=value)
    return report


def review(report: WeeklyReport, mentor: Any, rating: int = 4) -> WeeklyReview:
    return WeeklyReview.objects.create(report=report, mentor=mentor, rating=rating, comment="Well done.")


# The list of weeks: who sees it.


@pytest.mark.parametrize("persona", ["member", "mentor", "owner", "manager", "moderator"])
def test_the_intern_mentor_sending_managers_and_moderators_see_the_reports(
    client: Client, internship: Internship, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.get(index_url(internship))
    assert response.status_code == 200
    assert "Weekly reports" in html_of(response)


def test_the_hosts_owners_who_do_not_mentor_are_refused_the_reports(
    client: Client, internship: Internship, host_owner: Any
) -> None:
    client.force_login(host_owner)
    assert client.get(index_url(internship)).status_code == 403
    assert client.get(week_url(internship, 1)).status_code == 403


def test_the_reports_ask_anonymous_visitors_to_log_in(client: Client, internship: Internship) -> None:
    assert_asks_to_log_in(client.get(index_url(internship)))
    assert_asks_to_log_in(client.get(week_url(internship, 1)))


def test_the_reports_are_404_for_outsiders(client: Client, internship: Internship) -> None:
    client.force_login(stranger())
    assert client.get(index_url(internship)).status_code == 404
    assert client.get(week_url(internship, 1)).status_code == 404


@pytest.mark.parametrize("side", ["business", "other_business"])
def test_the_reports_are_404_for_an_employee_of_either_business_who_is_neither_intern_nor_mentor(
    client: Client, internship: Internship, side: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(MembershipFactory.create(business=request.getfixturevalue(side)).user)
    assert client.get(index_url(internship)).status_code == 404
    assert client.get(week_url(internship, 1)).status_code == 404


def test_the_list_rejects_a_post(client: Client, internship: Internship, member: Any) -> None:
    client.force_login(member)
    assert client.post(index_url(internship)).status_code == 405


# The list of weeks: what it shows.


def test_each_week_has_its_dates_due_date_and_status(
    client: Client, internship: Internship, member: Any
) -> None:
    client.force_login(member)
    html = html_of(client.get(index_url(internship)))
    assert "Week 1" in html and "Week 2" in html and "Week 3" in html and "Week 4" not in html
    assert (
        '<time datetime="2026-03-08">Sun 8 Mar 2026</time>' in html
    )  # week 1's report is due on its last day
    assert (
        '<time datetime="2026-03-20">Fri 20 Mar 2026</time>' in html
    )  # the short last week ends with the internship
    assert "Late: not submitted" in html  # week 1 is past its due date
    assert ">Due<" in html  # week 2 is under way
    assert "Not yet started" in html  # week 3


def test_the_statuses_follow_the_reports_and_the_calendar(
    internship: Internship, objectives: list[Objective], mentor: Any, time_machine: Any
) -> None:
    time_machine.move_to(datetime(2026, 3, 9, 12, 0, tzinfo=UTC), tick=False)
    review(write_report(internship, 1, objectives), mentor)  # a day late, then reviewed
    time_machine.move_to(TODAY, tick=False)
    write_report(internship, 2, objectives)  # on time
    weeks = report_weeks(internship)
    assert [(week.status, week.label) for week in weeks] == [
        (WeekStatus.REVIEWED, "Reviewed (submitted late)"),
        (WeekStatus.SUBMITTED, "Submitted"),
        (WeekStatus.NOT_STARTED, "Not yet started"),
    ]
    time_machine.move_to(datetime(2026, 3, 21, 9, 0, tzinfo=UTC), tick=False)
    assert [week.status for week in report_weeks(internship)] == [
        WeekStatus.REVIEWED,
        WeekStatus.SUBMITTED,
        WeekStatus.LATE,  # still missing after its due date
    ]


def test_a_report_submitted_after_its_due_date_is_marked_late(
    client: Client, internship: Internship, objectives: list[Objective], member: Any
) -> None:
    client.force_login(member)
    client.post(week_url(internship, 1), report_data(objectives))  # due on 8 March; today is the 10th
    html = html_of(client.get(index_url(internship)))
    assert "Submitted late" in html
    assert report_weeks(internship)[0].late


def test_weeks_start_and_fall_due_on_the_interns_calendar(
    internship: Internship, objectives: list[Objective], member: Any, time_machine: Any
) -> None:
    # 20:00 UTC on Sunday 8 March: still week 1 in London, already Monday 9 March (01:30) in Pune.
    time_machine.move_to(datetime(2026, 3, 8, 20, 0, tzinfo=UTC), tick=False)
    assert [week.status for week in report_weeks(internship)][:2] == [WeekStatus.DUE, WeekStatus.NOT_STARTED]
    member.time_zone = "Asia/Kolkata"
    member.save()
    internship.refresh_from_db()
    assert [week.status for week in report_weeks(internship)][:2] == [WeekStatus.LATE, WeekStatus.DUE]
    submit_report(
        internship=internship,
        week=1,
        intern=member,
        learned="Search intent.",
        tasks_done="An outline.",
        blockers="",
        hours=Decimal("5"),
        progress={objective.pk: 2 for objective in objectives},
    )
    week_1 = report_weeks(internship)[0]
    assert week_1.late and week_1.label == "Submitted late"  # on 9 March, the intern's day


def test_the_progress_chart_shows_each_objective_week_by_week_with_a_table_beside_it(
    client: Client, internship: Internship, objectives: list[Objective], member: Any
) -> None:
    write_report(internship, 1, objectives, 2, 1)
    write_report(internship, 2, objectives, 4, 3)
    client.force_login(member)
    html = html_of(client.get(index_url(internship)))
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert '<title id="progress-chart-title">Progress on each objective, week by week' in html
    assert "More organic leads: week 1 2, week 2 4, week 3 no report." in html  # the <desc>
    assert "A publishing rhythm: week 1 1, week 2 3, week 3 no report." in html
    assert "More organic leads, week 2: 4 of 5" in html  # a marker's own title
    assert "<caption>Progress from 1 to 5, per week and objective</caption>" in html
    assert '<th scope="col">More organic leads</th>' in html
    assert "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]  # the CSP forbids inline styles


def test_without_reports_the_chart_says_how_it_fills_in(
    client: Client, internship: Internship, objectives: list[Objective], member: Any
) -> None:
    client.force_login(member)
    html = html_of(client.get(index_url(internship)))
    assert "<svg" not in html
    assert "No reports yet: the chart fills in as you submit weekly reports" in html


def test_without_objectives_the_page_says_there_is_nothing_to_chart(
    client: Client, internship: Internship, member: Any
) -> None:
    client.force_login(member)
    html = html_of(client.get(index_url(internship)))
    assert "This internship has no objectives, so there is no progress to chart." in html


def test_the_internship_page_links_to_the_reports_for_those_who_may_read_them(
    client: Client, internship: Internship, member: Any, host_owner: Any
) -> None:
    client.force_login(member)
    html = html_of(client.get(internship.get_absolute_url()))
    assert f'href="{index_url(internship)}"' in html
    client.force_login(host_owner)
    assert index_url(internship) not in html_of(client.get(internship.get_absolute_url()))


def eight_week_internship(
    business: Business, other_business: Business, member: Any, mentor: Any
) -> Internship:
    internship = InternshipFactory.create(
        match__need__business=business,
        match__offer__business=other_business,
        intern=member,
        mentor=mentor,
        start=date(2026, 1, 5),
        end=date(2026, 3, 1),
        status=Internship.Status.ACTIVE,
    )
    objectives = [ObjectiveFactory.create(internship=internship, title=f"Objective {n}") for n in range(3)]
    for week in range(1, 9):
        review(write_report(internship, week, objectives, *[week % 5 + 1] * 3), mentor)
    return internship


LIST_QUERIES = 9


def test_the_list_queries_do_not_grow_with_weeks_reports_and_reviews(
    client: Client,
    internship: Internship,
    objectives: list[Objective],
    business: Business,
    other_business: Business,
    member: Any,
    mentor: Any,
    django_assert_max_num_queries: Any,
    django_assert_num_queries: Any,
) -> None:
    write_report(internship, 1, objectives)
    client.force_login(member)
    with django_assert_max_num_queries(LIST_QUERIES) as one:
        assert client.get(index_url(internship)).status_code == 200
    longer = eight_week_internship(business, other_business, member, mentor)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(index_url(longer))
    assert html_of(response).count("Read the report") == 8


# A week's page.


def test_the_intern_gets_the_form_for_a_week_under_way(
    client: Client, internship: Internship, objectives: list[Objective], member: Any
) -> None:
    client.force_login(member)
    html = html_of(client.get(week_url(internship, 2)))
    assert "Write your report" in html
    assert 'name="report-learned"' in html
    assert f'name="report-progress_{objectives[0].pk}"' in html
    assert f'name="report-progress_{objectives[1].pk}"' in html


def test_the_form_holds_the_saved_report_for_editing(
    client: Client, internship: Internship, objectives: list[Objective], member: Any
) -> None:
    write_report(internship, 2, objectives, 4, 2, learned="Search intent matters.")
    client.force_login(member)
    html = html_of(client.get(week_url(internship, 2)))
    assert "Change your report" in html and "Search intent matters." in html
    assert re.search(rf'value="4"\s+id="id_report-progress_{objectives[0].pk}_3" required checked', html)
    assert re.search(rf'value="2"\s+id="id_report-progress_{objectives[1].pk}_1" required checked', html)


def test_a_week_not_started_says_when_it_opens_and_offers_no_form(
    client: Client, internship: Internship, objectives: list[Objective], member: Any
) -> None:
    client.force_login(member)
    response = client.get(week_url(internship, 3))
    assert response.status_code == 200
    html = html_of(response)
    assert "Week 3 starts on 16 Mar 2026: write its report from then." in html
    assert 'name="report-learned"' not in html


@pytest.mark.parametrize("week", [0, 4, 99])
def test_a_week_outside_the_internship_is_404(
    client: Client, internship: Internship, member: Any, week: int
) -> None:
    client.force_login(member)
    assert client.get(week_url(internship, week)).status_code == 404
    assert client.post(review_url(internship, week), REVIEW).status_code == 404


def test_week_9_of_a_one_week_internship_is_404_and_saves_nothing(
    client: Client, internship: Internship, objectives: list[Objective], member: Any
) -> None:
    Internship.objects.filter(pk=internship.pk).update(end=date(2026, 3, 6))
    client.force_login(member)
    assert client.get(week_url(internship, 9)).status_code == 404
    assert client.post(week_url(internship, 9), report_data(objectives)).status_code == 404
    assert not WeeklyReport.objects.exists()


def test_the_mentor_reads_the_report_and_gets_the_review_form(
    client: Client, internship: Internship, objectives: list[Objective], mentor: Any
) -> None:
    write_report(internship, 1, objectives, 4, 2, learned="Search intent matters.")
    client.force_login(mentor)
    html = html_of(client.get(week_url(internship, 1)))
    assert "Search intent matters." in html
    assert "<td>4 of 5</td>" in html and "<td>2 of 5</td>" in html
    assert 'name="review-rating"' in html and 'name="report-learned"' not in html


def test_the_sending_owner_reads_the_report_and_its_review_without_forms(
    client: Client, internship: Internship, objectives: list[Objective], owner: Any, mentor: Any
) -> None:
    review(write_report(internship, 1, objectives, learned="Search intent matters."), mentor, rating=5)
    client.force_login(owner)
    html = html_of(client.get(week_url(internship, 1)))
    assert "Search intent matters." in html and "Rated 5 out of 5" in html and "Well done." in html
    assert '<form method="post" action="/internships' not in html


def test_the_week_page_rejects_other_methods(client: Client, internship: Internship, member: Any) -> None:
    client.force_login(member)
    assert client.put(week_url(internship, 1)).status_code == 405
    assert client.delete(week_url(internship, 1)).status_code == 405


# Submitting a report.


def test_the_intern_submits_a_report_and_the_mentor_is_asked_to_review_it(
    client: Client,
    internship: Internship,
    objectives: list[Objective],
    member: Any,
    mentor: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(week_url(internship, 2), report_data(objectives, 2, 4))
    assert response.status_code == 302
    assert response["Location"] == index_url(internship) + "#week-2"
    report = WeeklyReport.objects.get(internship=internship, week=2)
    assert report.learned == "How to pick keywords people actually search for."
    assert report.hours == Decimal("37.5")
    assert dict(report.progress.values_list("objective_id", "progress")) == {
        objectives[0].pk: 2,
        objectives[1].pk: 4,
    }
    assert [message.to for message in mailoutbox] == [[mentor.email]]
    assert "week 2 report" in mailoutbox[0].subject
    assert "http://testserver" + week_url(internship, 2) in mailoutbox[0].body
    assert "How to pick keywords" in mailoutbox[0].alternatives[0][0]


def test_no_email_leaves_before_the_report_is_committed(
    client: Client, internship: Internship, objectives: list[Objective], member: Any, mailoutbox: Any
) -> None:
    client.force_login(member)
    client.post(week_url(internship, 2), report_data(objectives))
    assert mailoutbox == []


def test_a_second_submission_for_the_same_week_edits_the_same_report(
    client: Client,
    internship: Internship,
    objectives: list[Objective],
    member: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(week_url(internship, 2), report_data(objectives, 2, 2))
        first = WeeklyReport.objects.get()
        response = client.post(
            week_url(internship, 2), report_data(objectives, 3, 5, learned="Search intent, mostly.")
        )
    assert response.status_code == 302
    report = WeeklyReport.objects.get()
    assert report.pk == first.pk and report.submitted_at == first.submitted_at
    assert report.learned == "Search intent, mostly."
    assert sorted(report.progress.values_list("progress", flat=True)) == [3, 5]
    assert ObjectiveProgress.objects.count() == 2
    assert len(mailoutbox) == 1  # the mentor heard of the report once


def test_the_database_holds_one_report_per_week(internship: Internship, objectives: list[Objective]) -> None:
    write_report(internship, 1, objectives)
    with pytest.raises(IntegrityError), transaction.atomic():
        write_report(internship, 1, objectives)


@pytest.mark.parametrize("value", ["6", "0", "-1", "three", ""])
def test_a_progress_outside_1_to_5_is_refused_with_everything_typed_kept(
    client: Client, internship: Internship, objectives: list[Objective], member: Any, value: str
) -> None:
    client.force_login(member)
    data = report_data(objectives, 3, 3)
    data[f"report-progress_{objectives[1].pk}"] = value
    response = client.post(week_url(internship, 2), data)
    assert response.status_code == 200
    html = html_of(response)
    assert "Rate your progress on “A publishing rhythm” from 1 to 5." in html
    assert "How to pick keywords people actually search for." in html
    assert "No access to the analytics account yet." in html
    assert not WeeklyReport.objects.exists()


def test_the_service_refuses_a_progress_outside_1_to_5(
    internship: Internship, objectives: list[Objective], member: Any
) -> None:
    with pytest.raises(ReportError, match="from 1 to 5"):
        submit_report(
            internship=internship,
            week=2,
            intern=member,
            learned="x",
            tasks_done="y",
            blockers="",
            hours=Decimal("1"),
            progress={objectives[0].pk: 6, objectives[1].pk: 3},
        )
    assert not WeeklyReport.objects.exists()


@pytest.mark.parametrize("hours", ["169", "-1", "12.25", "lots"])
def test_hours_outside_a_week_are_refused(
    client: Client, internship: Internship, objectives: list[Objective], member: Any, hours: str
) -> None:
    client.force_login(member)
    response = client.post(week_url(internship, 2), report_data(objectives, hours=hours))
    assert response.status_code == 200
    assert "hours" in html_of(response)
    assert not WeeklyReport.objects.exists()


def test_an_empty_report_says_what_is_missing(
    client: Client, internship: Internship, objectives: list[Objective], member: Any
) -> None:
    client.force_login(member)
    response = client.post(week_url(internship, 2), {})
    html = html_of(response)
    assert response.status_code == 200
    assert "Say what you learned this week." in html
    assert "List the tasks you did this week." in html
    assert "Rate your progress on “More organic leads” from 1 to 5." in html


def test_a_report_for_a_week_not_started_is_refused_with_everything_typed_kept(
    client: Client, internship: Internship, objectives: list[Objective], member: Any
) -> None:
    client.force_login(member)
    response = client.post(week_url(internship, 3), report_data(objectives))
    assert response.status_code == 200
    html = html_of(response)
    assert "Week 3 starts on 16 Mar 2026: write its report from then." in html
    assert "How to pick keywords people actually search for." in html
    assert not WeeklyReport.objects.exists()


def test_a_report_cannot_change_once_reviewed(
    client: Client, internship: Internship, objectives: list[Objective], member: Any, mentor: Any
) -> None:
    review(write_report(internship, 1, objectives, learned="Keyword research."), mentor)
    client.force_login(member)
    get = html_of(client.get(week_url(internship, 1)))
    assert "it is final and can no longer change" in get and 'name="report-learned"' not in get
    response = client.post(week_url(internship, 1), report_data(objectives, learned="Rewritten."))
    assert response.status_code == 200
    html = html_of(response)
    assert (
        "Arjun Mentor reviewed week 1&#x27;s report on 10 Mar 2026: it is final and can no longer change."
        in html
    )
    assert "Rewritten." in html  # what was typed is not lost
    assert WeeklyReport.objects.get().learned == "Keyword research."


@pytest.mark.parametrize("status", ["scheduled", "completed", "followed_up", "cancelled"])
def test_reports_are_written_only_while_the_internship_is_active(
    client: Client, internship: Internship, objectives: list[Objective], member: Any, status: str
) -> None:
    Internship.objects.filter(pk=internship.pk).update(status=status, cancel_reason="Budget cut")
    client.force_login(member)
    response = client.post(week_url(internship, 2), report_data(objectives))
    assert response.status_code == 200
    assert "weekly reports are written while it is active" in html_of(response)
    assert not WeeklyReport.objects.exists()


@pytest.mark.parametrize("persona", ["mentor", "owner", "manager", "moderator"])
def test_only_the_intern_submits_reports(
    client: Client,
    internship: Internship,
    objectives: list[Objective],
    persona: str,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.post(week_url(internship, 2), report_data(objectives)).status_code == 403
    assert not WeeklyReport.objects.exists()


def test_submitting_is_refused_to_the_host_owner(
    client: Client, internship: Internship, objectives: list[Objective], host_owner: Any
) -> None:
    client.force_login(host_owner)
    assert client.post(week_url(internship, 2), report_data(objectives)).status_code == 403


def test_submitting_asks_anonymous_visitors_to_log_in(
    client: Client, internship: Internship, objectives: list[Objective]
) -> None:
    assert_asks_to_log_in(client.post(week_url(internship, 2), report_data(objectives)))


def test_submitting_is_404_for_outsiders_and_other_employees(
    client: Client, internship: Internship, objectives: list[Objective], business: Business
) -> None:
    for person in (stranger(), MembershipFactory.create(business=business).user):
        client.force_login(person)
        assert client.post(week_url(internship, 2), report_data(objectives)).status_code == 404
    assert not WeeklyReport.objects.exists()


def test_the_service_refuses_anyone_but_the_intern(
    internship: Internship, objectives: list[Objective], mentor: Any
) -> None:
    with pytest.raises(PermissionDenied):
        submit_report(
            internship=internship,
            week=2,
            intern=mentor,
            learned="x",
            tasks_done="y",
            blockers="",
            hours=Decimal("1"),
            progress={objective.pk: 3 for objective in objectives},
        )


# Reviewing a report.


def test_the_mentor_reviews_a_report_and_the_intern_is_told(
    client: Client,
    internship: Internship,
    objectives: list[Objective],
    member: Any,
    mentor: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    write_report(internship, 1, objectives)
    client.force_login(mentor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url(internship, 1), REVIEW)
    assert response.status_code == 302
    assert response["Location"] == index_url(internship) + "#week-1"
    saved = WeeklyReview.objects.get()
    assert (saved.rating, saved.mentor, saved.report.week) == (4, mentor, 1)
    assert [message.to for message in mailoutbox] == [[member.email]]
    assert "4 out of 5" in mailoutbox[0].subject
    assert "Good keyword research" in mailoutbox[0].body
    assert "http://testserver" + week_url(internship, 1) in mailoutbox[0].body
    assert report_weeks(internship)[0].status == WeekStatus.REVIEWED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**REVIEW, "review-rating": "6"}, "Rate the week from 1 to 5."),
        ({**REVIEW, "review-rating": ""}, "Rate the week from 1 to 5."),
        ({**REVIEW, "review-comment": "  "}, "Write a comment: what went well and what to improve."),
    ],
)
def test_a_bad_review_is_refused_with_everything_typed_kept(
    client: Client,
    internship: Internship,
    objectives: list[Objective],
    mentor: Any,
    data: dict[str, str],
    message: str,
) -> None:
    write_report(internship, 1, objectives)
    client.force_login(mentor)
    response = client.post(review_url(internship, 1), data)
    assert response.status_code == 200
    html = html_of(response)
    assert message in html
    if data["review-comment"].strip():
        assert "Good keyword research" in html
    assert not WeeklyReview.objects.exists()


def test_a_week_without_a_report_cannot_be_reviewed(
    client: Client, internship: Internship, objectives: list[Objective], mentor: Any
) -> None:
    client.force_login(mentor)
    response = client.post(review_url(internship, 1), REVIEW)
    assert response.status_code == 200
    assert "Week 1 has no report yet: you can review it once the intern submits it." in html_of(response)
    assert not WeeklyReview.objects.exists()


def test_a_review_is_final(
    client: Client, internship: Internship, objectives: list[Objective], mentor: Any
) -> None:
    review(write_report(internship, 1, objectives), mentor, rating=2)
    client.force_login(mentor)
    response = client.post(review_url(internship, 1), REVIEW)
    assert response.status_code == 200
    assert "a review is final" in html_of(response)
    assert WeeklyReview.objects.get().rating == 2


def test_the_mentor_reviews_after_the_internship_has_completed(
    client: Client, internship: Internship, objectives: list[Objective], mentor: Any
) -> None:
    write_report(internship, 3, objectives)
    Internship.objects.filter(pk=internship.pk).update(status=Internship.Status.COMPLETED)
    client.force_login(mentor)
    assert client.post(review_url(internship, 3), REVIEW).status_code == 302
    assert WeeklyReview.objects.filter(report__week=3).exists()


@pytest.mark.parametrize("status", ["followed_up", "cancelled"])
def test_reviews_close_after_completion(
    client: Client, internship: Internship, objectives: list[Objective], mentor: Any, status: str
) -> None:
    write_report(internship, 1, objectives)
    Internship.objects.filter(pk=internship.pk).update(status=status, cancel_reason="Budget cut")
    client.force_login(mentor)
    response = client.post(review_url(internship, 1), REVIEW)
    assert response.status_code == 200
    assert "its weekly reports can no longer be reviewed" in html_of(response)
    assert not WeeklyReview.objects.exists()


@pytest.mark.parametrize("persona", ["member", "owner", "manager", "moderator"])
def test_only_the_mentor_reviews_reports(
    client: Client,
    internship: Internship,
    objectives: list[Objective],
    persona: str,
    request: pytest.FixtureRequest,
) -> None:
    write_report(internship, 1, objectives)
    client.force_login(request.getfixturevalue(persona))
    assert client.post(review_url(internship, 1), REVIEW).status_code == 403
    assert not WeeklyReview.objects.exists()


def test_reviewing_is_refused_to_the_host_owner(
    client: Client, internship: Internship, objectives: list[Objective], host_owner: Any
) -> None:
    write_report(internship, 1, objectives)
    client.force_login(host_owner)
    assert client.post(review_url(internship, 1), REVIEW).status_code == 403


def test_reviewing_asks_anonymous_visitors_to_log_in(client: Client, internship: Internship) -> None:
    assert_asks_to_log_in(client.post(review_url(internship, 1), REVIEW))


def test_reviewing_is_404_for_outsiders_and_other_employees(
    client: Client, internship: Internship, objectives: list[Objective], other_business: Business
) -> None:
    write_report(internship, 1, objectives)
    for person in (stranger(), MembershipFactory.create(business=other_business).user):
        client.force_login(person)
        assert client.post(review_url(internship, 1), REVIEW).status_code == 404
    assert not WeeklyReview.objects.exists()


def test_reviewing_rejects_a_get(client: Client, internship: Internship, mentor: Any) -> None:
    client.force_login(mentor)
    assert client.get(review_url(internship, 1)).status_code == 405


def test_the_service_refuses_a_review_from_anyone_but_the_mentor(
    internship: Internship, objectives: list[Objective], member: Any
) -> None:
    write_report(internship, 1, objectives)
    with pytest.raises(PermissionDenied):
        review_report(internship=internship, week=1, mentor=member, rating=4, comment="Mine.")


# The chart itself.


def test_the_chart_breaks_its_lines_where_a_week_has_no_report() -> None:
    markup = progress_chart(
        chart_id="c",
        title="Progress",
        weeks=[1, 2, 3, 4, 5],
        series=[Series(label="Leads <b>", values=[1, 2, None, 4, 5])],
    )
    assert markup.count("<polyline") == 2
    assert markup.count("<circle") == 4
    assert "Leads &lt;b&gt;" in markup and "<b>" not in markup
    assert "style=" not in markup


def test_a_one_week_chart_has_points_and_no_lines() -> None:
    markup = progress_chart(
        chart_id="c", title="Progress", weeks=[1], series=[Series(label="Leads", values=[3])]
    )
    assert "<polyline" not in markup and markup.count("<circle") == 1


def test_readers_see_when_a_report_was_changed_after_it_was_submitted(
    client: Client,
    internship: Internship,
    objectives: list[Objective],
    member: Any,
    owner: Any,
    time_machine: Any,
) -> None:
    client.force_login(member)
    client.post(week_url(internship, 2), report_data(objectives))
    client.force_login(owner)
    assert "last changed" not in html_of(client.get(week_url(internship, 2)))
    time_machine.move_to(datetime(2026, 3, 11, 9, 0, tzinfo=UTC), tick=False)
    client.force_login(member)
    client.post(week_url(internship, 2), report_data(objectives, learned="Search intent, mostly."))
    client.force_login(owner)
    html = html_of(client.get(week_url(internship, 2)))
    assert "Submitted on" in html and "10 Mar 2026, 10:00" in html
    assert "last changed on" in html and "11 Mar 2026, 09:00" in html
    assert "Search intent, mostly." in html
