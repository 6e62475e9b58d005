"""What the moderation pages read: the queue (a swap or a cycle is one item), a match with everything
a moderator weighs, and the businesses awaiting verification."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, Count, F, Max, Min, Q, QuerySet, Sum, When
from django.db.models.functions import Cast

from businesses.models import Business, Competitor
from internships.matching.types import PART_NAMES
from internships.models import Match, MatchEvent

PER_PAGE = 25
ROW_RELATIONS = ("learner", "host", "need__practice", "offer__practice__department")
PAGE_RELATIONS = (
    "learner__industry__parent",
    "host__industry__parent",
    "need__practice__department",
    "offer__practice__department",
    "decided_by",
)
PART_LABELS = {
    "practice_fit": "Practice fit",
    "level_gain": "Level gain",
    "urgency": "Urgency",
    "distance": "Distance",
    "track_record": "Host's track record",
    "reciprocity": "Reciprocity (swap or cycle)",
}


@dataclass(frozen=True)
class QueueItem:
    """One match, or the pending matches of one swap or cycle, decided together."""

    key: str
    matches: list[Match]

    @property
    def is_exchange(self) -> bool:
        return bool(self.matches[0].exchange)

    @property
    def kind(self) -> Match.Kind:
        return Match.Kind(self.matches[0].kind)

    @property
    def score(self) -> float:
        return sum(match.score for match in self.matches)

    @property
    def flag_count(self) -> int:
        return sum(len(match.flags) for match in self.matches)


def queue_page(matches: QuerySet[Match], page_number: str | int | None) -> tuple[Page, list[QueueItem]]:
    """A page of the queue over `matches` (pending, filtered): riskiest first, then best scored.

    Three queries whatever the page holds: the count, the page's items, their matches."""
    # An item is a swap or cycle (its exchange key) or a single match (its id).
    item = Case(
        When(exchange="", then=Cast("pk", CharField())), default=F("exchange"), output_field=CharField()
    )
    items = (
        matches.annotate(item=item)
        .values("item")
        .annotate(top_risk=Max("risk"), total=Sum("score"), first=Min("pk"))
        .order_by("-top_risk", "-total", "first")
    )
    page = Paginator(items, PER_PAGE).get_page(page_number)
    keys = [row["item"] for row in page.object_list]
    exchanges = [key for key in keys if not key.isdigit()]
    singles = [int(key) for key in keys if key.isdigit()]
    # An exchange shows all its pending matches, even those the filters leave out: it is decided whole.
    rows = (
        Match.objects.pending()
        .filter(Q(pk__in=singles, exchange="") | Q(exchange__in=exchanges))
        .select_related(*ROW_RELATIONS)
        .order_by("pk")
    )
    grouped: dict[str, list[Match]] = {key: [] for key in keys}
    for match in rows:
        grouped[match.exchange or str(match.pk)].append(match)
    return page, [
        QueueItem(key=key, matches=in_exchange_order(found)) for key, found in grouped.items() if found
    ]


def in_exchange_order(matches: list[Match]) -> list[Match]:
    """An exchange's matches in the order of its key ("cycle:3-8-5": 3 hosts 8, 8 hosts 5, 5 hosts 3)."""
    key = matches[0].exchange
    if not key:
        return matches
    order = {
        int(part): index for index, part in enumerate(key.partition(":")[2].split("-")) if part.isdigit()
    }
    return sorted(matches, key=lambda match: (order.get(match.host_id, len(order)), match.pk))


def match_for_moderation(pk: int) -> Match | None:
    return Match.objects.select_related(*PAGE_RELATIONS).filter(pk=pk).first()


@dataclass(frozen=True)
class MatchReview:
    """Everything the moderation page shows around a match."""

    parts: list[tuple[str, float]]
    events: list[MatchEvent]
    exchange: list[Match]  # the other matches of its swap or cycle
    competitors: dict[int, list[str]]  # business id -> names it declared as competitors


def review(match: Match) -> MatchReview:
    known = [(PART_LABELS[name], float(match.parts[name])) for name in PART_NAMES if name in match.parts]
    others = [
        (name.replace("_", " ").capitalize(), float(value))
        for name, value in match.parts.items()
        if name not in PART_NAMES
    ]
    exchange: list[Match] = []
    if match.exchange:
        exchange = in_exchange_order(
            list(
                Match.objects.filter(exchange=match.exchange)
                .exclude(pk=match.pk)
                .select_related("learner", "host", "offer__practice")
            )
        )
    competitors: dict[int, list[str]] = {match.learner_id: [], match.host_id: []}
    for entry in Competitor.objects.filter(business_id__in=competitors).select_related("competitor"):
        competitors[entry.business_id].append(entry.competitor.name if entry.competitor else entry.name)
    return MatchReview(
        parts=known + others,
        events=list(match.events.select_related("actor")),
        exchange=exchange,
        competitors=competitors,
    )


def businesses_to_verify() -> QuerySet[Business]:
    """Businesses awaiting verification, the longest waiting first."""
    return (
        Business.objects.filter(verification=Business.Verification.PENDING)
        .select_related("industry")
        .annotate(member_count=Count("memberships"))
        .order_by("created_at", "pk")
    )
