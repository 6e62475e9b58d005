"""Compare two businesses side by side: levels per department, and where each can help the other."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.access import can_see_gaps, can_see_profile, member_access
from businesses.charts import Series, radar_chart
from businesses.models import Assessment, Business, Competitor, Department, Need, Offer, Practice


@dataclass(frozen=True)
class DepartmentLevels:
    department: Department
    mine: float | None
    theirs: float | None

    @property
    def mine_text(self) -> str:
        return "–" if self.mine is None else f"{self.mine:.1f}"

    @property
    def theirs_text(self) -> str:
        return "–" if self.theirs is None else f"{self.theirs:.1f}"


@dataclass(frozen=True)
class Help:
    """An offer of one business that meets needs of the other."""

    offer: Offer
    needs: list[Need]


def assessed_levels(business: Business) -> dict[int, float]:
    """Department id → the average level of the business's self-assessment there."""
    rows = (
        Assessment.objects.filter(business=business)
        .values("practice__department")
        .annotate(level=Avg("level"))
        .order_by()
    )
    return {row["practice__department"]: float(row["level"]) for row in rows}


def offered_levels(offers: Iterable[Offer]) -> dict[int, float]:
    """Department id → the average level of these offers there."""
    levels: dict[int, list[int]] = {}
    for offer in offers:
        levels.setdefault(offer.practice.department_id, []).append(offer.level)
    return {department: sum(found) / len(found) for department, found in levels.items()}


def active_offers(business: Business) -> QuerySet[Offer]:
    return Offer.objects.filter(business=business, status=Offer.Status.ACTIVE).select_related(
        "practice__department"
    )


def open_needs(business: Business) -> list[Need]:
    related = Prefetch("practice__related", queryset=Practice.objects.only("pk"))
    return list(
        Need.objects.filter(business=business, status=Need.Status.OPEN)
        .select_related("practice__department")
        .prefetch_related(related)
    )


def offers_meeting_needs(offers: Iterable[Offer], needs: list[Need]) -> list[Help]:
    """Offers in a need's practice (or a related one) at or above the need's target level."""
    practices = {
        need.pk: {need.practice_id, *(practice.pk for practice in need.practice.related.all())}
        for need in needs
    }
    helps = []
    for offer in offers:
        met = [
            need
            for need in needs
            if offer.level >= need.target_level and offer.practice_id in practices[need.pk]
        ]
        if met:
            helps.append(Help(offer=offer, needs=met))
    return helps


@login_required
@require_http_methods(["GET"])
def compare(request: AuthenticatedHttpRequest, slug: str, other: str) -> HttpResponse:
    access = member_access(request.user, slug)
    business = access.business
    theirs = get_object_or_404(Business, slug=other)
    if theirs.pk == business.pk or not can_see_profile(request.user, theirs):
        raise Http404("No such business.")
    # Privacy (DESIGN.md): the other's needs and self-assessment show only once a
    # moderator has approved a match between us. Until then we compare our own
    # needs and assessment with their public offers, and ask nothing else of them.
    gaps_visible = can_see_gaps(request.user, theirs)
    my_needs = open_needs(business)
    their_offers = list(active_offers(theirs)) if theirs.is_verified else []
    they_help_me = offers_meeting_needs(their_offers, my_needs)
    i_help_them: list[Help] = []
    if gaps_visible:
        their_levels = assessed_levels(theirs)
        theirs_label = theirs.name
        i_help_them = offers_meeting_needs(active_offers(business), open_needs(theirs))
    else:
        their_levels = offered_levels(their_offers)
        theirs_label = f"{theirs.name} (from their public offers)"
    my_levels = assessed_levels(business)
    departments = list(Department.objects.all())
    rows = [
        DepartmentLevels(department=d, mine=my_levels.get(d.pk), theirs=their_levels.get(d.pk))
        for d in departments
    ]
    chart = radar_chart(
        chart_id="compare-chart",
        title=f"Levels per department: {business.name} and {theirs_label}",
        axes=[d.name for d in departments],
        series=[
            Series(label=f"{business.name} (your self-assessment)", values=[row.mine for row in rows]),
            Series(label=theirs_label, values=[row.theirs for row in rows]),
        ],
    )
    context = {
        "business": business,
        "access": access,
        "other": theirs,
        "gaps_visible": gaps_visible,
        "theirs_label": theirs_label,
        "rows": rows,
        "chart": chart,
        "they_help_me": they_help_me,
        "i_help_them": i_help_them,
        "has_needs": bool(my_needs),
        # Only what this business itself declared: the other side never learns it was named.
        "named_as_competitor": Competitor.objects.filter(business=business, competitor=theirs).exists(),
    }
    return render(request, "businesses/compare.html", context)
