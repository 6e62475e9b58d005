"""The moderators' platform-health page, with a chart and a table per figure, and its CSV export.

Moderators only: anyone else signed in gets 403, anonymous visitors the login page."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from feedback.charts_dashboard import Bar, bar_chart
from feedback.selectors.dashboard import PlatformHealth, Share, figure_rows, platform_health
from internships.access import moderator_required

CSV_HEADER = ["figure", "period", "count", "out_of", "percent"]


def percent_text(share: Share) -> str:
    return "no data" if share.percent is None else f"{share.percent:g}%"


def share_bar(label: str, share: Share) -> Bar:
    text = percent_text(share)
    if share.percent is not None:
        text = f"{text} ({share.count} of {share.total})"
    return Bar(label=label, value=share.percent, text=text, short=percent_text(share))


def count_bar(label: str, count: int) -> Bar:
    return Bar(label=label, value=float(count), text=str(count))


def charts(health: PlatformHealth) -> dict[str, SafeString]:
    """One chart per figure; the template puts each beside a table of the same figures."""
    reports = health.reports
    return {
        "matches": bar_chart(
            chart_id="matches-chart",
            title="Matches by state",
            summary="How many proposed matches are in each state.",
            bars=[count_bar(share.label, share.count) for share in health.matches],
        ),
        "acceptance": bar_chart(
            chart_id="acceptance-chart",
            title="Request acceptance rate by month",
            summary="The share of requests accepted, of those the host decided, by the month they were sent.",
            bars=[share_bar(month.month.strftime("%b %Y"), month) for month in health.acceptance_by_month],
            percent=True,
        ),
        "reports": bar_chart(
            chart_id="reports-chart",
            title="Weekly reports past their due date",
            summary="The weekly reports due so far: submitted on time, submitted late, or still missing.",
            bars=[
                count_bar("On time", reports.on_time),
                count_bar("Late", reports.late),
                count_bar("Missing", reports.missing),
            ],
        ),
        "objectives": bar_chart(
            chart_id="objectives-chart",
            title="Objectives at the +90-day follow-up",
            summary="The objectives measured at +90 days: target reached or not.",
            bars=[
                count_bar("Target reached", health.objectives.count),
                count_bar("Not reached", health.objectives.total - health.objectives.count),
            ],
        ),
    }


@moderator_required
@require_http_methods(["GET"])
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    health = platform_health()
    return render(
        request,
        "feedback/dashboard.html",
        {"health": health, "charts": charts(health), "rows": figure_rows(health)},
    )


@moderator_required
@require_http_methods(["GET"])
def dashboard_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    filename = f"peership-platform-health-{timezone.localdate():%Y-%m-%d}.csv"
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in figure_rows(platform_health()):
        writer.writerow(
            [row.figure, row.period, row.count, row.total, "" if row.percent is None else f"{row.percent:g}"]
        )
    return response
