"""What the compare page shows of two businesses: levels per department, and where each can help the other."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Avg, Prefetch

from businesses.models import (
    Assessment,
    Business,
    Competitor,
    Department,
    Need,
    Offer,
    OfferQuerySet,
    Practice,
)


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


@dataclass(frozen=True)
class Comparison:
    rows: list[DepartmentLevels]
    they_help_me: list[Help]
    i_help_them: list[Help]  # empty unless their needs are visible
    has_needs: bool
    named_as_competitor: bool


def compare_businesses(*, business: Business, other: Business, gaps_visible: bool) -> Comparison:
    """Compare `business` with `other`, using the other's needs and assessment only when `gaps_visible`."""
    my_needs = open_needs(business)
    # Offers are public only once their business is verified (as on the browse page).
    their_offers = list(offers_of(Offer.objects.browsable(), other))
    i_help_them: list[Help] = []
    if gaps_visible:
        their_levels = assessed_levels(other)
        i_help_them = offers_meeting_needs(offers_of(Offer.objects.active(), business), open_needs(other))
    else:
        their_levels = offered_levels(their_offers)
    my_levels = assessed_levels(business)
    return Comparison(
        rows=[
            DepartmentLevels(department=d, mine=my_levels.get(d.pk), theirs=their_levels.get(d.pk))
            for d in Department.objects.all()
        ],
        they_help_me=offers_meeting_needs(their_offers, my_needs),
        i_help_them=i_help_them,
        has_needs=bool(my_needs),
        # Only what this business itself declared: the other side never learns it was named.
        named_as_competitor=Competitor.objects.filter(business=business, competitor=other).exists(),
    )


def offers_of(offers: OfferQuerySet, business: Business) -> OfferQuerySet:
    return offers.filter(business=business).select_related("practice__department")


def open_needs(business: Business) -> list[Need]:
    related = Prefetch("practice__related", queryset=Practice.objects.only("pk"))
    return list(
        Need.objects.open()
        .filter(business=business)
        .select_related("practice__department")
        .prefetch_related(related)
    )


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


def offers_meeting_needs(offers: Iterable[Offer], needs: Sequence[Need]) -> list[Help]:
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
