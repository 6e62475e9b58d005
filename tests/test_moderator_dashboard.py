"""The moderators' platform-health page (/moderation/health/) and its CSV export: matches by state, the
request acceptance rate (all time and by month), weekly reports on time, and objectives met at 90 days,
each as a server-drawn SVG chart with a table of the same figures."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.charts_dashboard import Bar, bar_chart, scale_top
from feedback.models import FollowUp, Measurement, WeeklyReport
from feedback.selectors.dashboard import first_months, platform_health
from internships.models import Internship, Match, Objective
from tests.factories import InternshipFactory, MatchFactory, ObjectiveFactory, UserFactory
from tests.helpers import assert_asks_to_log_in, html_of

pytestmark = pytest.mark.django_db

PAGE = reverse("feedback:dashboard")
CSV_URL = reverse("feedback:dashboard_csv")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
Status = Internship.Status


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def internship(
    status: str, *, sent: date, start: date | None = None, end: date | None = None, **fields: Any
) -> Internship:
    """An internship in `status`, requested on `sent` (created_at is set after the fact: auto_now_add)."""
    if status not in (Status.REQUESTED, Status.DECLINED, Status.CANCELLED):
        fields.setdefault("mentor", UserFactory.create())
    if status == Status.DECLINED:
        fields["decline_reason"] = "No room this month."
    if status == Status.CANCELLED:
        fields["cancel_reason"] = "Plans changed."
    dates = {"start": start, "end": end} if start and end else {}
    made = InternshipFactory.create(status=status, **dates, **fields)
    Internship.objects.filter(pk=made.pk).update(created_at=at(sent))
    return made


def report(on: Internship, week: int, submitted: datetime) -> WeeklyReport:
    made = WeeklyReport.objects.create(
        internship=on, week=week, learned="How to write a landing page.", tasks_done="Two drafts.", hours=30
    )
    WeeklyReport.objects.filter(pk=made.pk).update(submitted_at=submitted)
    return made


def measure(objective: Objective, day: int, actual: str) -> Measurement:
    follow_up, _ = FollowUp.objects.get_or_create(
        internship=objective.internship,
        day=day,
        defaults={"due": objective.internship.end + timedelta(days=day), "recorded_at": NOW},
    )
    return Measurement.objects.create(follow_up=follow_up, objective=objective, actual=Decimal(actual))


@pytest.fixture
def data(db: None) -> dict[str, Internship]:
    """A small platform whose figures are worked out by hand in the tests below.

    Matches: 2 pending, 1 rejected, 1 withdrawn, plus one approved match behind each of the 7 internships.
    Requests (sent → status): Nov 2025 followed up; Apr completed; May active, requested (undecided),
    cancelled (left out); Jun accepted, declined. So 4 of 5 decided were accepted; Apr 1/1, May 1/1, Jun 1/2.
    Weekly reports past due on 15 June: completed (2 weeks: on time, late), active (weeks 1 and 2 due:
    on time in the intern's Kolkata evening, missing), followed up (1 week: missing): 2 on time of 5.
    Objectives at +90 days: 2 met (one rising, one falling) of 4; a +30-day measurement does not count."""
    MatchFactory.create_batch(2)
    MatchFactory.create(status=Match.Status.REJECTED, decision_note="They compete for the same clients.")
    MatchFactory.create(status=Match.Status.WITHDRAWN)

    followed_up = internship(
        Status.FOLLOWED_UP, sent=date(2025, 11, 15), start=date(2025, 12, 1), end=date(2025, 12, 5)
    )
    completed = internship(
        Status.COMPLETED, sent=date(2026, 4, 2), start=date(2026, 4, 6), end=date(2026, 4, 17)
    )
    active = internship(
        Status.ACTIVE,
        sent=date(2026, 5, 20),
        start=date(2026, 6, 1),
        end=date(2026, 6, 19),
        intern=UserFactory.create(time_zone="Asia/Kolkata"),
    )
    internship(Status.REQUESTED, sent=date(2026, 5, 5))
    internship(Status.CANCELLED, sent=date(2026, 5, 6))
    internship(Status.ACCEPTED, sent=date(2026, 6, 3))
    internship(Status.DECLINED, sent=date(2026, 6, 10))

    report(completed, 1, at(date(2026, 4, 12), 23))  # due 12 April: on time, at the last hour
    report(completed, 2, at(date(2026, 4, 19)))  # due 17 April: late
    report(active, 1, at(date(2026, 6, 7), 17))  # due 7 June: 22:30 in Kolkata, on time
    report(active, 3, at(date(2026, 6, 15), 9))  # week 3 is due 19 June: not counted yet

    rising_met = ObjectiveFactory.create(internship=followed_up, baseline=5, target=15)
    falling_met = ObjectiveFactory.create(internship=followed_up, baseline=10, target=4)
    rising_missed = ObjectiveFactory.create(internship=followed_up, baseline=5, target=15)
    falling_missed = ObjectiveFactory.create(internship=followed_up, baseline=10, target=4)
    measure(rising_met, 90, "15")
    measure(falling_met, 90, "3")
    measure(rising_missed, 90, "14.99")
    measure(falling_missed, 90, "5")
    measure(ObjectiveFactory.create(internship=completed, baseline=5, target=15), 30, "20")
    return {"followed_up": followed_up, "completed": completed, "active": active}


@pytest.fixture
def moderator_client(client: Client, moderator: Any) -> Client:
    client.force_login(moderator)
    return client


class Table(HTMLParser):
    """The text of each row of the table with the given id: a list of cells per row, header rows left out."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.inside = self.in_body = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", self.table_id) in attrs:
            self.inside = True
        elif self.inside and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if self.in_body and tag in ("th", "td") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, table_id: str) -> list[list[str]]:
    parser = Table(table_id)
    parser.feed(html)
    return parser.rows


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


EXPECTED = [
    ["Matches: awaiting moderation", "all time", "2", "11", "18.2"],
    ["Matches: approved", "all time", "7", "11", "63.6"],
    ["Matches: rejected", "all time", "1", "11", "9.1"],
    ["Matches: withdrawn", "all time", "1", "11", "9.1"],
    ["Request acceptance rate", "all time", "4", "5", "80"],
    ["Request acceptance rate", "2026-01", "0", "0", ""],
    ["Request acceptance rate", "2026-02", "0", "0", ""],
    ["Request acceptance rate", "2026-03", "0", "0", ""],
    ["Request acceptance rate", "2026-04", "1", "1", "100"],
    ["Request acceptance rate", "2026-05", "1", "1", "100"],
    ["Request acceptance rate", "2026-06", "1", "2", "50"],
    ["Weekly reports on time", "all time", "2", "5", "40"],
    ["Weekly reports late", "all time", "1", "5", "20"],
    ["Weekly reports missing", "all time", "2", "5", "40"],
    ["Objectives met at 90 days", "all time", "2", "4", "50"],
]


# The figures.


def test_it_counts_the_figures_of_a_hand_built_platform(data: dict[str, Internship]) -> None:
    health = platform_health()
    assert [(share.label, share.count, share.total) for share in health.matches] == [
        ("Awaiting moderation", 2, 11),
        ("Approved", 7, 11),
        ("Rejected", 1, 11),
        ("Withdrawn", 1, 11),
    ]
    assert (health.acceptance.count, health.acceptance.total, health.acceptance.percent) == (4, 5, 80.0)
    assert [(month.period, month.count, month.total) for month in health.acceptance_by_month] == [
        ("2026-01", 0, 0),
        ("2026-02", 0, 0),
        ("2026-03", 0, 0),
        ("2026-04", 1, 1),
        ("2026-05", 1, 1),
        ("2026-06", 1, 2),
    ]
    assert health.acceptance_by_month[0].percent is None
    assert (health.reports.on_time, health.reports.late, health.reports.missing) == (2, 1, 2)
    assert health.reports.share.percent == 40.0
    assert (health.objectives.count, health.objectives.total, health.objectives.percent) == (2, 4, 50.0)


def test_a_report_submitted_after_midnight_in_the_interns_time_zone_is_late(
    data: dict[str, Internship],
) -> None:
    # 19:00 UTC on 7 June is half past midnight on 8 June in Kolkata: a day after week 1 fell due.
    WeeklyReport.objects.filter(internship=data["active"], week=1).update(
        submitted_at=at(date(2026, 6, 7), 19)
    )
    reports = platform_health().reports
    assert (reports.on_time, reports.late, reports.missing) == (1, 2, 2)


def test_a_week_due_today_is_not_counted_until_it_has_passed(data: dict[str, Internship]) -> None:
    with time_machine.travel(datetime(2026, 6, 20, 12, 0, tzinfo=UTC), tick=False):
        reports = platform_health().reports
    # Week 3 of the active internship (due 19 June, submitted on the 15th) now counts, on time.
    assert (reports.on_time, reports.late, reports.missing) == (3, 1, 2)


def test_the_months_run_back_across_the_new_year() -> None:
    assert first_months(date(2026, 2, 27)) == [
        date(2025, 9, 1),
        date(2025, 10, 1),
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_an_empty_platform_has_no_figures_yet(moderator_client: Client) -> None:
    health = platform_health()
    assert health.acceptance.percent is None
    assert health.reports.due == 0
    assert health.objectives.percent is None

    html = html_of(moderator_client.get(PAGE))
    assert "No report has fallen due yet" in html
    assert "No +90-day follow-up is recorded yet" in html
    assert "no data" in html


# The page.


def test_it_shows_each_figure_as_a_chart_beside_a_table(
    moderator_client: Client, data: dict[str, Internship]
) -> None:
    response = moderator_client.get(PAGE)
    assert response.status_code == 200
    html = html_of(response)
    for chart_id in ("matches-chart", "acceptance-chart", "reports-chart", "objectives-chart"):
        assert f'role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc"' in html
        assert f'<title id="{chart_id}-title">' in html
        assert f'<desc id="{chart_id}-desc">' in html
    assert html.count('role="img"') == 4
    assert "style=" not in html
    assert "Approved: 7" in html  # the matches chart's description
    assert "Jun 2026: 50% (1 of 2)" in html  # the acceptance chart's description
    assert "<strong>80%</strong> (4 of 5)" in html
    assert "<strong>40%</strong> (2 of 5)" in html
    assert "<strong>50%</strong> (2 of 4)" in html
    assert 'href="' + CSV_URL + '"' in html


def test_its_tab_is_in_the_moderation_menu(moderator_client: Client) -> None:
    html = html_of(moderator_client.get(PAGE))
    assert f'class="nav-link active" aria-current="page" href="{PAGE}">Platform health</a>' in html
    queue = html_of(moderator_client.get(reverse("internships:moderation_queue")))
    assert f'class="nav-link" href="{PAGE}">Platform health</a>' in queue


def test_the_page_and_the_csv_give_the_same_figures(
    moderator_client: Client, data: dict[str, Internship]
) -> None:
    page = table_rows(html_of(moderator_client.get(PAGE)), "figures-table")
    exported = csv_rows(moderator_client.get(CSV_URL))[1:]
    assert exported == EXPECTED
    as_csv = [[*cells[:4], "" if "no data" in cells[4] else cells[4].removesuffix("%")] for cells in page]
    assert as_csv == exported


def test_it_exports_the_figures_as_a_csv_attachment(
    moderator_client: Client, data: dict[str, Internship]
) -> None:
    response = moderator_client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="peership-platform-health-2026-06-15.csv"'
    rows = csv_rows(response)
    assert rows[0] == ["figure", "period", "count", "out_of", "percent"]
    assert len(rows) == 1 + len(EXPECTED)


# Who may see it.


@pytest.mark.parametrize("url", [PAGE, CSV_URL])
def test_it_asks_anonymous_visitors_to_log_in(client: Client, url: str) -> None:
    assert_asks_to_log_in(client.get(url))


@pytest.mark.parametrize("url", [PAGE, CSV_URL])
@pytest.mark.parametrize("persona", ["user", "owner"])
def test_it_rejects_people_who_are_not_moderators(
    client: Client, url: str, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [PAGE, CSV_URL])
def test_it_only_answers_get(moderator_client: Client, url: str) -> None:
    assert moderator_client.post(url).status_code == 405


# Queries.


def grow(count: int) -> None:
    """More of every row the page counts: matches, decided requests, weeks with reports, measurements."""
    for _ in range(count):
        MatchFactory.create()
        done = internship(
            Status.COMPLETED, sent=date(2026, 5, 1), start=date(2026, 5, 4), end=date(2026, 5, 15)
        )
        report(done, 1, at(date(2026, 5, 10)))
        internship(Status.DECLINED, sent=date(2026, 6, 1))
        measure(ObjectiveFactory.create(internship=done, baseline=1, target=2), 90, "2")


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [PAGE, CSV_URL])
def test_the_number_of_queries_does_not_grow_with_the_rows(
    moderator_client: Client, data: dict[str, Internship], url: str
) -> None:
    few = queries_for(moderator_client, url)
    grow(5)
    assert queries_for(moderator_client, url) == few


def test_the_page_takes_a_handful_of_queries(
    moderator_client: Client, data: dict[str, Internship], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        moderator_client.get(PAGE)


# The chart.


def test_a_bar_chart_is_an_accessible_svg_without_style_attributes() -> None:
    svg = bar_chart(
        chart_id="c",
        title="Requests <accepted>",
        summary="The share accepted.",
        bars=[Bar(label="May", value=75.0, text="75% (3 of 4)", short="75%"), Bar("June", None, "no data")],
        percent=True,
    )
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img"' in svg and 'aria-labelledby="c-title"' in svg and 'aria-describedby="c-desc"' in svg
    assert "Requests &lt;accepted&gt;" in svg
    assert '<desc id="c-desc">The share accepted. May: 75% (3 of 4); June: no data.</desc>' in svg
    assert svg.count("<rect") == 1
    assert "style" not in svg


@pytest.mark.parametrize(
    ("values", "percent", "top"),
    [
        ([3.0], False, 4.0),
        ([0.0], False, 4.0),
        ([7.0], False, 8.0),
        ([11.0], False, 20.0),
        ([96.0], False, 100.0),
        ([130.0], False, 200.0),
        ([None], False, 4.0),
        ([12.0], True, 100.0),
    ],
)
def test_the_value_axis_ends_on_a_round_number(values: list[float | None], percent: bool, top: float) -> None:
    assert scale_top(values, percent=percent) == top


def test_months_follow_the_viewers_time_zone(db: None) -> None:
    sent = internship(Status.ACCEPTED, sent=date(2026, 6, 1))
    Internship.objects.filter(pk=sent.pk).update(created_at=at(date(2026, 6, 1), 3))  # 31 May, 20:00 in LA
    with timezone.override("America/Los_Angeles"):
        months = {month.period: month.total for month in platform_health().acceptance_by_month}
    assert (months["2026-05"], months["2026-06"]) == (1, 0)
    with timezone.override("UTC"):
        months = {month.period: month.total for month in platform_health().acceptance_by_month}
    assert (months["2026-05"], months["2026-06"]) == (0, 1)
