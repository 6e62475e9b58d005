"""Weekly reports: the intern writes one per week of the internship, the mentor reviews it.

One report per internship and week: a second submission for the same week changes the same row, until
the mentor's review makes it final. Reports are written while the internship is active, for weeks that
have started; the mentor reviews them while it is active and once it has completed. Each step locks the
internship's row (so a submission and a review of the same week never cross), checks who acts
(PermissionDenied: 403) and what must hold (ReportError: the page shows its message), saves, and queues
its email in the same transaction: it leaves once the transaction commits."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from feedback.models import ObjectiveProgress, WeeklyReport, WeeklyReview
from feedback.selectors.reports import intern_today, review_of, week_count, week_dates
from internships.models import Internship, Objective
from internships.services.work import day, lock_internship
from notifications.services import queue_email

WRITING = (Internship.Status.ACTIVE,)
REVIEWING = (Internship.Status.ACTIVE, Internship.Status.COMPLETED)


class ReportError(Exception):
    """A report or review the internship's state or calendar forbids; the message says why, for people."""


def name_of(user: User | None) -> str:
    if user is None:
        return "Someone"
    return user.name or user.email


def _status_label(internship: Internship) -> str:
    return internship.get_status_display().lower()


def week_url(internship: Internship, week: int) -> str:
    """The week's report page, as an absolute link for an email."""
    return settings.SITE_URL + reverse("feedback:reports_week", kwargs={"pk": internship.pk, "week": week})


# The checks. The services run them on the locked rows; the views run them first, so that a form for a
# step that is no longer possible says so rather than asking for its fields.


def check_week(*, internship: Internship, week: int) -> None:
    if week_dates(internship, week) is None:
        weeks = week_count(internship)
        raise ReportError(
            f"Week {week} is not part of this internship: it has {weeks} week{'s' if weeks != 1 else ''}."
        )


def check_writing(*, internship: Internship, week: int, intern: User) -> None:
    if internship.intern_id != intern.pk:
        raise PermissionDenied("Only the intern writes the weekly reports.")
    check_week(internship=internship, week=week)
    if internship.status not in WRITING:
        raise ReportError(
            f"The internship is {_status_label(internship)}: weekly reports are written while it is active."
        )
    dates = week_dates(internship, week)
    assert dates is not None
    if intern_today(internship) < dates[0]:
        raise ReportError(f"Week {week} starts on {day(dates[0])}: write its report from then.")


def check_not_reviewed(*, report: WeeklyReport | None) -> None:
    review = review_of(report)
    if report is not None and review is not None:
        raise ReportError(
            f"{name_of(review.mentor)} reviewed week {report.week}'s report on {day(review.created_at)}: "
            "it is final and can no longer change."
        )


def check_reviewing(*, internship: Internship, week: int, mentor: User, report: WeeklyReport | None) -> None:
    if internship.mentor_id != mentor.pk:
        raise PermissionDenied("Only the internship's mentor reviews the weekly reports.")
    check_week(internship=internship, week=week)
    if internship.status not in REVIEWING:
        raise ReportError(
            f"The internship is {_status_label(internship)}: its weekly reports can no longer be reviewed."
        )
    if report is None:
        raise ReportError(f"Week {week} has no report yet: you can review it once the intern submits it.")
    review = review_of(report)
    if review is not None:
        raise ReportError(
            f"Week {week}'s report was already reviewed on {day(review.created_at)}: a review is final."
        )


def _locked_report(internship: Internship, week: int) -> WeeklyReport | None:
    # Only the report's row is locked: PostgreSQL cannot lock the review's side of the outer join.
    return (
        WeeklyReport.objects.select_for_update(of=("self",))
        .select_related("review__mentor")
        .filter(internship=internship, week=week)
        .first()
    )


def _check_progress(objectives: list[Objective], progress: Mapping[int, int]) -> None:
    for objective in objectives:
        value = progress.get(objective.pk)
        if value is None or not 1 <= value <= 5:
            raise ReportError(f"Rate your progress on “{objective.title}” from 1 to 5.")


def submit_report(
    *,
    internship: Internship,
    week: int,
    intern: User,
    learned: str,
    tasks_done: str,
    blockers: str,
    hours: Decimal,
    progress: Mapping[int, int],
) -> tuple[WeeklyReport, bool]:
    """Write (or, until it is reviewed, rewrite) the intern's report on `week`; return it and whether it
    is new. A new report asks the mentor, by email, to review it."""
    learned, tasks_done, blockers = learned.strip(), tasks_done.strip(), blockers.strip()
    if not learned or not tasks_done:
        raise ReportError("Say what you learned and which tasks you did: both are required.")
    if not Decimal(0) <= hours <= Decimal(168):
        raise ReportError("Enter the hours you spent on the internship this week, from 0 to 168.")
    with transaction.atomic():
        locked = lock_internship(internship.pk)
        check_writing(internship=locked, week=week, intern=intern)
        objectives = list(Objective.objects.filter(internship=locked))
        _check_progress(objectives, progress)
        report = _locked_report(locked, week)
        check_not_reviewed(report=report)
        created = report is None
        fields = {"learned": learned, "tasks_done": tasks_done, "blockers": blockers, "hours": hours}
        if report is None:
            report = WeeklyReport.objects.create(internship=locked, week=week, **fields)
        else:
            for name, value in fields.items():
                setattr(report, name, value)
            report.save(update_fields=[*fields, "updated_at"])
        _save_progress(report, objectives, progress)
        if created:
            _email(
                locked.mentor,
                internship=locked,
                report=report,
                name="report_submitted",
                context={"intern": intern},
            )
    return report, created


def _save_progress(report: WeeklyReport, objectives: list[Objective], progress: Mapping[int, int]) -> None:
    existing = {row.objective_id: row for row in ObjectiveProgress.objects.filter(report=report)}
    new = []
    for objective in objectives:
        value = progress[objective.pk]
        row = existing.get(objective.pk)
        if row is None:
            new.append(ObjectiveProgress(report=report, objective=objective, progress=value))
        elif row.progress != value:
            row.progress = value
            row.save(update_fields=["progress"])
    ObjectiveProgress.objects.bulk_create(new)


def review_report(
    *, internship: Internship, week: int, mentor: User, rating: int, comment: str
) -> WeeklyReview:
    """The mentor rates week `week`'s report from 1 to 5 and comments; the report is final; the intern is
    told by email."""
    comment = comment.strip()
    if not 1 <= rating <= 5:
        raise ReportError("Rate the week from 1 to 5.")
    if not comment:
        raise ReportError("Write a comment: what went well and what to improve.")
    with transaction.atomic():
        locked = lock_internship(internship.pk)
        report = _locked_report(locked, week)
        check_reviewing(internship=locked, week=week, mentor=mentor, report=report)
        assert report is not None
        review = WeeklyReview.objects.create(report=report, mentor=mentor, rating=rating, comment=comment)
        _email(
            locked.intern,
            internship=locked,
            report=report,
            name="report_reviewed",
            context={"mentor": mentor, "review": review},
        )
    return review


def _email(
    person: User | None,
    *,
    internship: Internship,
    report: WeeklyReport,
    name: str,
    context: dict[str, object],
) -> None:
    """Queue email `name` about `report` to one person, once (the outbox key is per report and person)."""
    if person is None or not person.is_active:
        return
    queue_email(
        to=person.email,
        kind=f"feedback.{name}",
        key=f"weekly-report:{report.pk}:{name}:{person.pk}",
        template=f"emails/feedback/{name}",
        context={
            "person": person,
            "internship": internship,
            "report": report,
            "practice": internship.offer.practice,
            "host": internship.host,
            "url": week_url(internship, report.week),
            **context,
        },
        recipient=person,
    )
