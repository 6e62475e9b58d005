"""What the weekly-report pages read: who may see the reports, each week with its report and status,
and each objective's progress week by week.

Weeks are numbered from the internship's start date (internships.selectors.internships.week_bounds);
a week's report is due on its last day. Dates are the intern's: a week starts, and a report falls
due, on the intern's calendar, in the time zone of their profile."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import User
from businesses.charts import Series
from feedback.models import WeeklyReport, WeeklyReview
from internships.access import InternshipRoles, internship_for
from internships.models import Internship, Objective
from internships.selectors.internships import week_bounds

UTC = ZoneInfo("UTC")
EDIT_GRACE = datetime.timedelta(minutes=1)


def can_see_reports(roles: InternshipRoles) -> bool:
    """DESIGN (privacy): the intern, the sending business's owners and managers, the mentor, moderators."""
    return roles.intern or roles.mentor or roles.learner_manager or roles.moderator


def reports_for(user: User, pk: int) -> tuple[Internship, InternshipRoles]:
    """The internship whose weekly reports the user may read.

    404 for anyone the internship page is closed to (an employee of either business included); 403 for
    the host's owners and managers who do not mentor it: they see the internship, not the reports."""
    internship, roles = internship_for(user, pk)
    if not can_see_reports(roles):
        raise PermissionDenied(
            "Weekly reports are private to the intern, the mentor, and "
            f"{internship.learner.name}'s owners and managers."
        )
    return internship, roles


def intern_zone(internship: Internship) -> ZoneInfo:
    """The intern's time zone (UTC for an intern who has not joined yet, or an unknown zone)."""
    name = internship.intern.time_zone if internship.intern is not None else "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def intern_today(internship: Internship) -> datetime.date:
    return timezone.localdate(timezone=intern_zone(internship))


def week_dates(internship: Internship, number: int) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day of week `number`, or None when the internship has no such week."""
    for found, start, end in week_bounds(internship):
        if found == number:
            return start, end
    return None


def week_count(internship: Internship) -> int:
    return len(week_bounds(internship))


class WeekStatus(StrEnum):
    NOT_STARTED = "not_started"
    DUE = "due"
    SUBMITTED = "submitted"
    LATE = "late"
    REVIEWED = "reviewed"


def review_of(report: WeeklyReport | None) -> WeeklyReview | None:
    """The report's review, if any (read with select_related: no query)."""
    if report is None:
        return None
    try:
        return report.review
    except WeeklyReview.DoesNotExist:
        return None


@dataclass(frozen=True)
class ReportWeek:
    """One week of the internship, its report (if written) and where it stands on `today`."""

    number: int
    start: datetime.date
    end: datetime.date
    report: WeeklyReport | None
    today: datetime.date
    zone: ZoneInfo

    @property
    def due(self) -> datetime.date:
        return self.end

    @property
    def started(self) -> bool:
        return self.today >= self.start

    @property
    def review(self) -> WeeklyReview | None:
        return review_of(self.report)

    @property
    def late(self) -> bool:
        """Submitted after its due date, or still missing after it: computed, never stored."""
        if self.report is None:
            return self.today > self.due
        return timezone.localtime(self.report.submitted_at, self.zone).date() > self.due

    @property
    def edited(self) -> bool:
        """The intern changed the report after submitting it (saving twice within a minute does not count)."""
        if self.report is None:
            return False
        return self.report.updated_at - self.report.submitted_at > EDIT_GRACE

    @property
    def status(self) -> WeekStatus:
        if self.review is not None:
            return WeekStatus.REVIEWED
        if self.late:
            return WeekStatus.LATE
        if self.report is not None:
            return WeekStatus.SUBMITTED
        return WeekStatus.DUE if self.started else WeekStatus.NOT_STARTED

    @property
    def label(self) -> str:
        match self.status:
            case WeekStatus.REVIEWED:
                return "Reviewed (submitted late)" if self.late else "Reviewed"
            case WeekStatus.LATE:
                return "Submitted late" if self.report is not None else "Late: not submitted"
            case WeekStatus.SUBMITTED:
                return "Submitted"
            case WeekStatus.DUE:
                return "Due"
        return "Not yet started"

    def progress(self) -> dict[int, int]:
        """Objective id → progress 1–5 in this week's report (prefetched: no query)."""
        if self.report is None:
            return {}
        return {row.objective_id: row.progress for row in self.report.progress.all()}


def _reports(internship: Internship) -> list[WeeklyReport]:
    return list(
        WeeklyReport.objects.filter(internship=internship)
        .select_related("review__mentor")
        .prefetch_related("progress")
        .order_by("week")
    )


def report_weeks(internship: Internship) -> list[ReportWeek]:
    """Every week of the internship with its report, in three queries whatever the number of weeks."""
    reports = {report.week: report for report in _reports(internship)}
    zone = intern_zone(internship)
    today = timezone.localdate(timezone=zone)
    return [
        ReportWeek(number=number, start=start, end=end, report=reports.get(number), today=today, zone=zone)
        for number, start, end in week_bounds(internship)
    ]


def report_week(internship: Internship, number: int) -> ReportWeek | None:
    """Week `number` with its report, or None when the internship has no such week."""
    dates = week_dates(internship, number)
    if dates is None:
        return None
    report = (
        WeeklyReport.objects.filter(internship=internship, week=number)
        .select_related("review__mentor")
        .prefetch_related("progress")
        .first()
    )
    zone = intern_zone(internship)
    return ReportWeek(
        number=number,
        start=dates[0],
        end=dates[1],
        report=report,
        today=timezone.localdate(timezone=zone),
        zone=zone,
    )


@dataclass(frozen=True)
class ProgressRow:
    objective: Objective
    values: list[int | None]  # one per week, None where that week has no report


def progress_rows(objectives: list[Objective], weeks: list[ReportWeek]) -> list[ProgressRow]:
    """Each objective's progress in each week's report: the chart and its table."""
    by_week = [week.progress() for week in weeks]
    return [
        ProgressRow(objective=objective, values=[progress.get(objective.pk) for progress in by_week])
        for objective in objectives
    ]


def progress_series(rows: list[ProgressRow]) -> list[Series]:
    return [
        Series(label=row.objective.title, values=[None if v is None else float(v) for v in row.values])
        for row in rows
    ]
