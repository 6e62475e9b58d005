"""Compare two businesses side by side: levels per department, and where each can help the other."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.access import compared_business, shown_member_access
from businesses.charts import Series, radar_chart
from businesses.selectors.compare import compare_businesses


@login_required
@require_http_methods(["GET"])
def compare(request: AuthenticatedHttpRequest, slug: str, other: str) -> HttpResponse:
    access = shown_member_access(request.user, slug)
    business = access.business
    # Privacy (DESIGN.md): the other's needs and self-assessment show only once a
    # moderator has approved a match between us. Until then we compare our own
    # needs and assessment with their public offers, and ask nothing else of them.
    theirs, gaps_visible = compared_business(request.user, business, other)
    comparison = compare_businesses(business=business, other=theirs, gaps_visible=gaps_visible)
    theirs_label = theirs.name if gaps_visible else f"{theirs.name} (from their public offers)"
    chart = radar_chart(
        chart_id="compare-chart",
        title=f"Levels per department: {business.name} and {theirs_label}",
        axes=[row.department.name for row in comparison.rows],
        series=[
            Series(
                label=f"{business.name} (your self-assessment)", values=[row.mine for row in comparison.rows]
            ),
            Series(label=theirs_label, values=[row.theirs for row in comparison.rows]),
        ],
    )
    context = {
        "business": business,
        "access": access,
        "other": theirs,
        "gaps_visible": gaps_visible,
        "theirs_label": theirs_label,
        "rows": comparison.rows,
        "chart": chart,
        "they_help_me": comparison.they_help_me,
        "i_help_them": comparison.i_help_them,
        "has_needs": comparison.has_needs,
        "named_as_competitor": comparison.named_as_competitor,
    }
    return render(request, "businesses/compare.html", context)
