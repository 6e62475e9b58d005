"""What the moderation pages read: the queue (a swap or a cycle is one item), a match with everything
a moderator weighs, and the businesses awaiting verification."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import overload

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Floor

from businesses.models import Business, Competitor
from internships.matching.rules import RANK_SCALE
from internships.matching.types import PART_NAMES
from internships.models import QUEUE_EXCHANGES, QUEUE_SINGLES, Match, MatchEvent

PER_PAGE = 25
# What a row of the queue shows, as plain values on the match: a page holds some fifty matches, and
# loading each with its six related rows took a fifth of the page's time.
ROW_FIELDS = ("exchange", "kind", "score", "flags", "risk", "learner", "host")
ROW_VALUES = {
    "learner_name": F("learner__name"),
    "host_name": F("host__name"),
    "need_practice_id": F("need__practice"),
    "need_practice_name": F("need__practice__name"),
    "offer_practice_id": F("offer__practice"),
    "offer_practice_name": F("offer__practice__name"),
    "offer_department_name": F("offer__practice__department__name"),
}
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


# A queue item as the Paginator sees it: its key, top risk, total score (in millionths) and first id.
Item = tuple[str, int, float, int]


class QueueItems:
    """The queue's items over `matches` (pending, filtered) for a Paginator, riskiest first then best scored.

    An item is a single match (key: its id) or the pending matches of a swap or cycle (key: the exchange).
    Singles come in queue order from their index; exchanges are grouped over their own matches, a few
    thousand at most; a page merges the two. Grouping every pending match instead costs as much as the
    queue is long, on every page."""

    def __init__(self, matches: QuerySet[Match]) -> None:
        self.singles = matches.filter(QUEUE_SINGLES)
        self.exchanges = matches.filter(QUEUE_EXCHANGES)

    def count(self) -> int:
        return self.singles.count() + self.exchanges.values("exchange").distinct().count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Item]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> Item: ...
    @overload
    def __getitem__(self, index: slice) -> list[Item]: ...
    def __getitem__(self, index: int | slice) -> Item | list[Item]:
        """Items (key, top risk, total score in millionths, first id) in queue order."""
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        assert isinstance(stop, int)  # the Paginator's slices have an end
        # Scores are compared to the millionth, as the engine ranks them (and summed as whole numbers,
        # exactly: a float sum depends on the order its rows come in, and would break ties at random).
        # (FLOOR(x + 0.5), not ROUND: Django's ROUND goes through numeric on PostgreSQL, ten times slower.)
        ranked = Floor(F("score") * RANK_SCALE + 0.5)
        singles: list[Item] = [
            (str(pk), risk, total, pk)
            for pk, risk, total in self.singles.annotate(total=ranked)
            .order_by("-risk", "-score", "pk")
            .values_list("pk", "risk", "total")[:stop]
        ]
        exchanges: list[Item] = list(
            self.exchanges.values("exchange")
            .annotate(top_risk=Max("risk"), total=Sum(ranked), first=Min("pk"))
            .order_by("-top_risk", "-total", "first")
            .values_list("exchange", "top_risk", "total", "first")[:stop]
        )
        merged = heapq.merge(singles, exchanges, key=lambda item: (-item[1], -item[2], item[3]))
        return list(islice(merged, start, stop))


def queue_page(matches: QuerySet[Match], page_number: str | int | None) -> tuple[Page[Item], list[QueueItem]]:
    """A page of the queue over `matches` (pending, filtered): riskiest first, then best scored.

    Five queries whatever the page holds: two for the count, two for the page's items, one for their
    matches."""
    page: Page[Item] = Paginator(QueueItems(matches), PER_PAGE).get_page(page_number)
    keys = [key for key, *_ in page.object_list]
    exchanges = [key for key in keys if not key.isdigit()]
    singles = [int(key) for key in keys if key.isdigit()]
    # An exchange shows all its pending matches, even those the filters leave out: it is decided whole.
    rows = (
        Match.objects.pending()
        .filter(Q(pk__in=singles, exchange="") | Q(exchange__in=exchanges))
        .only(*ROW_FIELDS)
        .annotate(**ROW_VALUES)
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
