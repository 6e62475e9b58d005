"""What the moderators' platform-health page reads: matches by state, how often hosts accept requests,
how many weekly reports come in on time, and how many objectives met their target at +90 days.

Each figure is a count out of a total, read in one or two aggregate queries whatever the number of rows;
the page, its charts and the CSV export all take their figures from `platform_health`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from feedback.models import FollowUp, Measurement, WeeklyReport
from feedback.selectors.reports import ReportWeek, intern_zone
from internships.models import Internship, Match
from internships.selectors.internships import week_bounds

MONTHS = 6
Status = Internship.Status
# A request the host accepted, whatever became of it since (cancelled ones aside: see `acceptance`).
ACCEPTED_OR_LATER = (
    Status.ACCEPTED,
    Status.SCHEDULED,
    Status.ACTIVE,
    Status.COMPLETED,
    Status.FOLLOWED_UP,
)
DECIDED = (*ACCEPTED_OR_LATER, Status.DECLINED)
# Internships whose weeks have begun: their weekly reports fall due.
REPORTING = (Status.ACTIVE, Status.COMPLETED, Status.FOLLOWED_UP)


@dataclass(frozen=True)
class Share:
    """`count` out of `total`; the percentage is None when there is nothing to count yet."""

    label: str
    count: int
    total: int

    @property
    def percent(self) -> float | None:
        return None if self.total == 0 else round(100 * self.count / self.total, 1)


@dataclass(frozen=True)
class MonthShare(Share):
    month: datetime.date  # its first day

    @property
    def period(self) -> str:
        return self.month.strftime("%Y-%m")


@dataclass(frozen=True)
class ReportsOnTime:
    """The weekly reports whose due date has passed: on time, late, or still missing."""

    on_time: int
    late: int
    missing: int

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missing

    @property
    def share(self) -> Share:
        return Share(label="Weekly reports on time", count=self.on_time, total=self.due)

    @property
    def late_share(self) -> Share:
        return Share(label="Weekly reports late", count=self.late, total=self.due)

    @property
    def missing_share(self) -> Share:
        return Share(label="Weekly reports missing", count=self.missing, total=self.due)


@dataclass(frozen=True)
class PlatformHealth:
    matches: list[Share]  # one per state, in the order of Match.Status
    acceptance: Share
    acceptance_by_month: list[MonthShare]  # the last MONTHS months, oldest first, the current one last
    reports: ReportsOnTime
    objectives: Share  # objectives whose +90-day measurement reached the target, of those measured

    @property
    def objectives_not_met(self) -> Share:
        measured = self.objectives.total
        return Share(
            label="Objectives not met at 90 days", count=measured - self.objectives.count, total=measured
        )


def matches_by_state() -> list[Share]:
    counts = dict(Match.objects.order_by().values_list("status").annotate(count=Count("pk")))
    total = sum(counts.values())
    return [
        Share(label=label, count=counts.get(value, 0), total=total) for value, label in Match.Status.choices
    ]


# The two counts of the acceptance rate, all time and by month.
ACCEPTED_COUNT = Count("pk", filter=Q(status__in=ACCEPTED_OR_LATER))
DECIDED_COUNT = Count("pk", filter=Q(status__in=DECIDED))


def acceptance() -> Share:
    """Requests accepted (whatever followed) out of those the host decided: accepted or declined.

    A cancelled request is left out of both: its status no longer says whether the host had accepted it."""
    counts = Internship.objects.aggregate(accepted=ACCEPTED_COUNT, decided=DECIDED_COUNT)
    return Share(label="Request acceptance rate", count=counts["accepted"], total=counts["decided"])


def first_months(today: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    """The first day of each of the last `count` months, oldest first, this month last."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def acceptance_by_month(today: datetime.date | None = None) -> list[MonthShare]:
    """The acceptance rate of the requests sent in each of the last six months (in the viewer's time zone)."""
    months = first_months(today or timezone.localdate())
    since = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time.min))
    rows = (
        Internship.objects.filter(created_at__gte=since)
        .annotate(month=TruncMonth("created_at"))
        .order_by()
        .values("month")
        .annotate(accepted=ACCEPTED_COUNT, decided=DECIDED_COUNT)
    )
    counts = {timezone.localtime(row["month"]).date(): (row["accepted"], row["decided"]) for row in rows}
    return [
        MonthShare(
            label="Request acceptance rate",
            month=month,
            count=counts.get(month, (0, 0))[0],
            total=counts.get(month, (0, 0))[1],
        )
        for month in months
    ]


def reports_on_time() -> ReportsOnTime:
    """Every week of an internship under way or done whose report is past due, in two queries.

    A week is counted once its due date (its last day, on the intern's calendar) has passed, so a week
    due today is neither on time nor late yet; on time means submitted by the end of that day."""
    internships = list(
        Internship.objects.filter(status__in=REPORTING)
        .select_related("intern")
        .only("pk", "start", "end", "intern__time_zone")
    )
    reports = {
        (report.internship_id, report.week): report
        for report in WeeklyReport.objects.filter(internship__status__in=REPORTING).only(
            "internship_id", "week", "submitted_at"
        )
    }
    on_time = late = missing = 0
    for internship in internships:
        zone = intern_zone(internship)
        today = timezone.localdate(timezone=zone)
        for number, start, end in week_bounds(internship):
            week = ReportWeek(
                number=number,
                start=start,
                end=end,
                report=reports.get((internship.pk, number)),
                today=today,
                zone=zone,
            )
            if week.due >= today:
                continue
            if week.report is None:
                missing += 1
            elif week.late:
                late += 1
            else:
                on_time += 1
    return ReportsOnTime(on_time=on_time, late=late, missing=missing)


def objectives_met_at_90_days() -> Share:
    """Objectives whose +90-day measurement reached the target, moving the way the target lies from the
    baseline (feedback.selectors.outcomes.reached, in SQL), out of the objectives measured at +90 days."""
    rising = Q(objective__target__gt=F("objective__baseline"), actual__gte=F("objective__target"))
    falling = Q(objective__target__lt=F("objective__baseline"), actual__lte=F("objective__target"))
    counts = Measurement.objects.filter(follow_up__day=FollowUp.Day.D90).aggregate(
        met=Count("pk", filter=rising | falling), measured=Count("pk")
    )
    return Share(label="Objectives met at 90 days", count=counts["met"], total=counts["measured"])


def platform_health(today: datetime.date | None = None) -> PlatformHealth:
    """Every figure of the page, in six queries."""
    return PlatformHealth(
        matches=matches_by_state(),
        acceptance=acceptance(),
        acceptance_by_month=acceptance_by_month(today),
        reports=reports_on_time(),
        objectives=objectives_met_at_90_days(),
    )


@dataclass(frozen=True)
class FigureRow:
    """One line of the CSV export (and of the page's summary): a figure in one period."""

    figure: str
    period: str
    count: int
    total: int
    percent: float | None


ALL_TIME = "all time"


def figure_rows(health: PlatformHealth) -> list[FigureRow]:
    """The dashboard's figures, one per figure and period, in the page's order."""

    def row(share: Share, figure: str, period: str = ALL_TIME) -> FigureRow:
        return FigureRow(
            figure=figure, period=period, count=share.count, total=share.total, percent=share.percent
        )

    reports = health.reports
    return [
        *(row(share, f"Matches: {share.label.lower()}") for share in health.matches),
        row(health.acceptance, health.acceptance.label),
        *(row(month, month.label, month.period) for month in health.acceptance_by_month),
        *(row(share, share.label) for share in (reports.share, reports.late_share, reports.missing_share)),
        row(health.objectives, health.objectives.label),
    ]
