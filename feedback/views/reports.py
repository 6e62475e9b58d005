"""The weekly reports of an internship: the list of its weeks with the progress chart, and each week's
page, where the intern writes the report and the mentor reviews it.

Who reads them (DESIGN, privacy): the intern, the mentor, the sending business's owners and managers,
moderators; the host's owners and managers get 403, anyone else 404. A week the internship does not
have is 404; a step that is not possible now (a week not started, a report already reviewed) says why
on the week's page, with everything typed kept (status 200)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from feedback.charts import progress_chart
from feedback.forms_reports import WeeklyReportForm, WeeklyReviewForm
from feedback.selectors.reports import (
    ReportWeek,
    progress_rows,
    progress_series,
    report_week,
    report_weeks,
    reports_for,
    week_count,
)
from feedback.services import reports as services
from feedback.services.reports import REVIEWING, ReportError
from internships.access import InternshipRoles
from internships.models import Internship


def index_url(internship: Internship, week: int | None = None) -> str:
    url = reverse("feedback:reports_index", kwargs={"pk": internship.pk})
    return f"{url}#week-{week}" if week else url


@login_required
@require_http_methods(["GET"])
def index(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship, roles = reports_for(request.user, pk)
    weeks = report_weeks(internship)
    objectives = list(internship.objectives.all())
    rows = progress_rows(objectives, weeks)
    chart = None
    if objectives and any(week.report is not None for week in weeks):
        chart = progress_chart(
            chart_id="progress-chart",
            title=f"Progress on each objective, week by week: {internship.offer.practice.name}",
            weeks=[week.number for week in weeks],
            series=progress_series(rows),
        )
    context = {
        "internship": internship,
        "roles": roles,
        "weeks": weeks,
        "objectives": objectives,
        # The table beside the chart: a row per week, a column per objective.
        "progress_table": [
            (week.number, [row.values[index] for row in rows]) for index, week in enumerate(weeks)
        ],
        "chart": chart,
        "can_review": roles.mentor and internship.status in REVIEWING,
    }
    return render(request, "feedback/report_index.html", context)


def _week_or_404(internship: Internship, number: int) -> ReportWeek:
    week = report_week(internship, number)
    if week is None:
        raise Http404(f"Week {number} is not part of this internship.")
    return week


def week_page(
    request: AuthenticatedHttpRequest,
    internship: Internship,
    roles: InternshipRoles,
    week: ReportWeek,
    *,
    report_form: WeeklyReportForm | None = None,
    review_form: WeeklyReviewForm | None = None,
) -> HttpResponse:
    """The week's page with the form the viewer may use now, or why they cannot (status 200).

    A refused or invalid submission passes its bound form: it is shown again with everything typed."""
    objectives = list(internship.objectives.all())
    progress = week.progress()
    notice = ""
    if roles.intern and report_form is None:
        try:
            services.check_writing(internship=internship, week=week.number, intern=request.user)
            services.check_not_reviewed(report=week.report)
            report_form = WeeklyReportForm(objectives=objectives, report=week.report)
        except ReportError as error:
            notice = str(error)
    reviewable = week.report is not None and week.review is None and internship.status in REVIEWING
    if roles.mentor and review_form is None and reviewable:
        review_form = WeeklyReviewForm()
    context = {
        "internship": internship,
        "roles": roles,
        "week": week,
        "objectives": objectives,
        "progress": [(objective, progress.get(objective.pk)) for objective in objectives],
        "report_form": report_form,
        "review_form": review_form,
        "notice": notice,
        "previous_week": week.number - 1 if week.number > 1 else None,
        "next_week": week.number + 1 if week.number < week_count(internship) else None,
    }
    return render(request, "feedback/report_week.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def week(request: AuthenticatedHttpRequest, pk: int, week: int) -> HttpResponse:
    internship, roles = reports_for(request.user, pk)
    found = _week_or_404(internship, week)
    if request.method == "GET":
        return week_page(request, internship, roles, found)
    form = WeeklyReportForm(request.POST, objectives=list(internship.objectives.all()))
    try:
        services.check_writing(internship=internship, week=week, intern=request.user)
        services.check_not_reviewed(report=found.report)
    except ReportError as error:
        messages.error(request, str(error))
        return week_page(request, internship, roles, found, report_form=form)
    if not form.is_valid():
        return week_page(request, internship, roles, found, report_form=form)
    try:
        _, created = services.submit_report(
            internship=internship,
            week=week,
            intern=request.user,
            learned=form.cleaned_data["learned"],
            tasks_done=form.cleaned_data["tasks_done"],
            blockers=form.cleaned_data["blockers"],
            hours=form.cleaned_data["hours"],
            progress=form.progress(),
        )
    except ReportError as error:
        messages.error(request, str(error))
        return week_page(request, internship, roles, found, report_form=form)
    if created:
        messages.success(request, f"Your report on week {week} is saved; your mentor is asked to review it.")
    else:
        messages.success(request, f"Your changes to week {week}'s report are saved.")
    return redirect(index_url(internship, week))


@login_required
@require_http_methods(["POST"])
def review(request: AuthenticatedHttpRequest, pk: int, week: int) -> HttpResponse:
    internship, roles = reports_for(request.user, pk)
    found = _week_or_404(internship, week)
    form = WeeklyReviewForm(request.POST)
    try:
        services.check_reviewing(internship=internship, week=week, mentor=request.user, report=found.report)
    except ReportError as error:
        messages.error(request, str(error))
        return week_page(request, internship, roles, found, review_form=form)
    if not form.is_valid():
        return week_page(request, internship, roles, found, review_form=form)
    try:
        services.review_report(
            internship=internship,
            week=week,
            mentor=request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except ReportError as error:
        messages.error(request, str(error))
        return week_page(request, internship, roles, found, review_form=form)
    messages.success(request, f"Your review of week {week} is saved; the intern is told by email.")
    return redirect(index_url(internship, week))
