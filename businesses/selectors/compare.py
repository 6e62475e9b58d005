"""What the compare page shows of two businesses: levels per department, and where each can help the other."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Avg

from businesses.models import (
    Assessment,
    Business,
    Competitor,
    Department,
    Need,
    Offer,
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
    """Compare `business` with `other`, using the other's needs and assessment only when `gaps_visible`.

    Six queries: both sides' needs are read together, and so are their offers and their levels."""
    both = [business.pk, other.pk] if gaps_visible else [business.pk]
    needs = open_needs(both)
    related = related_practices({need.practice_id for need in needs})
    my_needs = [need for need in needs if need.business_id == business.pk]
    # Offers are public only once their business is verified (as on the browse page); our own count
    # only where we may help them, which we know once their needs are visible.
    offering = [business.pk] if gaps_visible else []
    if other.is_verified:
        offering.append(other.pk)
    offers = list(Offer.objects.active().filter(business__in=offering).select_related("practice__department"))
    their_offers = [offer for offer in offers if offer.business_id == other.pk]
    levels = assessed_levels(both)
    i_help_them: list[Help] = []
    if gaps_visible:
        their_levels = levels.get(other.pk, {})
        i_help_them = offers_meeting_needs(
            [offer for offer in offers if offer.business_id == business.pk],
            [need for need in needs if need.business_id == other.pk],
            related,
        )
    else:
        their_levels = offered_levels(their_offers)
    my_levels = levels.get(business.pk, {})
    return Comparison(
        rows=[
            DepartmentLevels(department=d, mine=my_levels.get(d.pk), theirs=their_levels.get(d.pk))
            for d in Department.objects.all()
        ],
        they_help_me=offers_meeting_needs(their_offers, my_needs, related),
        i_help_them=i_help_them,
        has_needs=bool(my_needs),
        # Only what this business itself declared: the other side never learns it was named.
        named_as_competitor=Competitor.objects.filter(business=business, competitor=other).exists(),
    )


def open_needs(business_ids: list[int]) -> list[Need]:
    return list(Need.objects.open().filter(business__in=business_ids).select_related("practice"))


def related_practices(practice_ids: set[int]) -> dict[int, set[int]]:
    """Practice id → the ids of its related practices: one query (none for no practice), of the relation's
    own table (symmetrical: it holds both directions)."""
    related: dict[int, set[int]] = {practice_id: set() for practice_id in practice_ids}
    if practice_ids:
        pairs = Practice.related.through.objects.filter(from_practice_id__in=practice_ids)
        for practice_id, other in pairs.values_list("from_practice_id", "to_practice_id"):
            related[practice_id].add(other)
    return related


def assessed_levels(business_ids: list[int]) -> dict[int, dict[int, float]]:
    """Business id → department id → the average level of the business's self-assessment there."""
    rows = (
        Assessment.objects.filter(business__in=business_ids)
        .values("business", "practice__department")
        .annotate(level=Avg("level"))
        .order_by()
    )
    levels: dict[int, dict[int, float]] = {}
    for row in rows:
        levels.setdefault(row["business"], {})[row["practice__department"]] = float(row["level"])
    return levels


def offered_levels(offers: Iterable[Offer]) -> dict[int, float]:
    """Department id → the average level of these offers there."""
    levels: dict[int, list[int]] = {}
    for offer in offers:
        levels.setdefault(offer.practice.department_id, []).append(offer.level)
    return {department: sum(found) / len(found) for department, found in levels.items()}


def offers_meeting_needs(
    offers: Iterable[Offer], needs: Sequence[Need], related: dict[int, set[int]]
) -> list[Help]:
    """Offers in a need's practice (or a related one, from related_practices) at or above the need's target
    level."""
    practices = {need.pk: {need.practice_id, *related[need.practice_id]} for need in needs}
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
