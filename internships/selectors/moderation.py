"""What the moderation pages read: the queue (a swap or a cycle is one item), a match with everything
a moderator weighs, and the businesses awaiting verification."""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, NamedTuple, overload

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, QuerySet

from businesses.models import Business, Competitor
from internships.matching.rules import RANK_SCALE
from internships.matching.types import PART_NAMES
from internships.models import Match, MatchEvent

PER_PAGE = 25
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

# The queue's two queries are fixed text around the filtered matches' own SQL, which the ORM writes (the
# filters stay in internships.forms.QueueFilter): building five ORM queries cost more than running them.
# `queue` is the filtered pending matches; singles are those of no exchange (as QUEUE_SINGLES), the others
# are decided by exchange (QUEUE_EXCHANGES), each read from its partial index.
#
# The first query reads the queue's count with the first singles and exchanges in queue order: the
# exchanges are grouped once for both (counting them apart read their index a second time, 0.5 ms).
# Scores are compared to the millionth, as the engine ranks them (and summed as whole numbers, exactly:
# a float sum depends on the order its rows come in, and would break ties at random). FLOOR(x + 0.5),
# not ROUND: ROUND goes through numeric on PostgreSQL, ten times slower.
ITEMS = """
    WITH queue (id, status, exchange, risk, score) AS NOT MATERIALIZED ({matches}),
    exchanges AS MATERIALIZED (
        SELECT exchange, MAX(risk) AS risk, SUM(FLOOR(score * {scale} + 0.5)) AS total, MIN(id) AS first
        FROM queue WHERE status = %s AND NOT (exchange = '') GROUP BY exchange
    )
    SELECT *,
        (SELECT COUNT(*) FROM queue WHERE status = %s AND exchange = '') + (SELECT COUNT(*) FROM exchanges)
    FROM (
        SELECT * FROM (
            SELECT '' AS exchange, risk, FLOOR(score * {scale} + 0.5) AS total, id AS first FROM queue
            WHERE status = %s AND exchange = '' ORDER BY risk DESC, score DESC, id LIMIT %s
        ) AS singles
        UNION ALL
        SELECT * FROM (SELECT * FROM exchanges ORDER BY risk DESC, total DESC, first LIMIT %s) AS top
    ) AS items
"""
# What a row shows, for a page's matches: the names are read by subqueries and three joins to small
# tables, fenced off, which PostgreSQL plans in a third of the time of seven joins (planning was most of
# the query's time). An exchange shows all its pending matches, even those the filters leave out: it is
# decided whole.
ROWS = """
    SELECT shown.*, need_practice.name, offer_practice.name, department.name FROM (
        SELECT m.id, m.exchange, m.kind, m.score, m.flags, m.host_id,
            (SELECT name FROM businesses_business WHERE id = m.learner_id),
            (SELECT name FROM businesses_business WHERE id = m.host_id),
            (SELECT practice_id FROM businesses_need WHERE id = m.need_id) AS need_practice_id,
            (SELECT practice_id FROM businesses_offer WHERE id = m.offer_id) AS offer_practice_id
        FROM internships_match m WHERE m.status = %s AND ({keys}) {fence}
    ) AS shown
    JOIN businesses_practice need_practice ON need_practice.id = shown.need_practice_id
    JOIN businesses_practice offer_practice ON offer_practice.id = shown.offer_practice_id
    JOIN businesses_department department ON department.id = offer_practice.department_id
    ORDER BY shown.id
"""
# Keeps the subquery from being merged into the joins (SQLite takes no OFFSET without a LIMIT).
FENCE = {"postgresql": "OFFSET 0"}


class QueueRow(NamedTuple):
    """One match of the queue, as its row shows it."""

    pk: int
    exchange: str
    kind: str
    score: float
    flags: list[str]
    host_id: int
    learner_name: str
    host_name: str
    need_practice_id: int
    offer_practice_id: int
    need_practice_name: str
    offer_practice_name: str
    offer_department_name: str


@dataclass(frozen=True)
class QueueItem:
    """One match, or the pending matches of one swap or cycle, decided together."""

    key: str
    matches: list[QueueRow]

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
# The most pages guessed from a page number (a greater one is past the end, or a person's typing).
GUESSED_PAGES = 100_000


@dataclass(frozen=True)
class Read:
    """The queue's count and its first `up_to` singles and exchanges, each in queue order."""

    up_to: int
    count: int
    singles: list[Item]
    exchanges: list[Item]


class QueueItems:
    """The queue's items over `matches` (pending, filtered) for a Paginator, riskiest first then best scored.

    An item is a single match (key: its id) or the pending matches of a swap or cycle (key: the exchange).
    Singles come in queue order from their index; exchanges are grouped over their own matches, a few
    thousand at most; a page merges the two. Grouping every pending match instead costs as much as the
    queue is long, on every page.

    The count is read with the items of the page asked for (`page_number`), in one query; only a page
    number the Paginator corrects (past the end, less than 1) can take a second."""

    def __init__(self, matches: QuerySet[Match], page_number: str | int | None = None) -> None:
        self.db = matches.db
        try:
            sql, params = (
                matches.order_by()
                .values_list("pk", "status", "exchange", "risk", "score")
                .query.get_compiler(using=self.db)
                .as_sql()
            )
        except EmptyResultSet:
            self.matches: tuple[str, tuple[Any, ...]] | None = None
        else:
            self.matches = sql, tuple(params)
        try:
            pages = min(max(int(page_number or 1), 1), GUESSED_PAGES)
        except (TypeError, ValueError):
            pages = 1
        self.guess = pages * PER_PAGE
        self.read: Read | None = None

    def _read(self, up_to: int) -> Read:
        if self.read is not None and self.read.up_to >= up_to:
            return self.read
        if self.matches is None:
            self.read = Read(up_to=up_to, count=0, singles=[], exchanges=[])
            return self.read
        matches, params = self.matches
        pending = Match.Status.PENDING.value
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                ITEMS.format(matches=matches, scale=RANK_SCALE),
                [*params, pending, pending, pending, up_to, up_to],
            )
            rows = cursor.fetchall()
        # Every row carries the count; no row is an empty queue.
        self.read = Read(
            up_to=up_to,
            count=int(rows[0][4]) if rows else 0,
            singles=[
                (str(first), risk, total, first) for exchange, risk, total, first, _ in rows if not exchange
            ],
            exchanges=[
                (exchange, risk, total, first) for exchange, risk, total, first, _ in rows if exchange
            ],
        )
        return self.read

    def count(self) -> int:
        return self._read(self.guess).count

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
        if stop <= start:
            return []
        read = self._read(stop)
        merged = heapq.merge(read.singles, read.exchanges, key=lambda item: (-item[1], -item[2], item[3]))
        return list(islice(merged, start, stop))


def queue_rows(keys: list[str], db: str) -> list[QueueRow]:
    """The pending matches of the queue items `keys` (a single's id or an exchange), by id."""
    singles = [int(key) for key in keys if key.isdigit()]
    exchanges = [key for key in keys if not key.isdigit()]
    conditions: list[str] = []
    params: list[Any] = []
    if singles:
        conditions.append(f"(m.exchange = '' AND m.id IN ({', '.join(['%s'] * len(singles))}))")
        params += singles
    if exchanges:
        conditions.append(f"m.exchange IN ({', '.join(['%s'] * len(exchanges))})")
        params += exchanges
    if not conditions:
        return []
    connection = connections[db]
    sql = ROWS.format(keys=" OR ".join(conditions), fence=FENCE.get(connection.vendor, "LIMIT -1 OFFSET 0"))
    with connection.cursor() as cursor:
        cursor.execute(sql, [Match.Status.PENDING.value, *params])
        rows = cursor.fetchall()
    # The flags come as the JSON text of the column, as Django's JSONField reads them.
    return [
        QueueRow(pk, exchange, kind, score, json.loads(flags), *rest)
        for pk, exchange, kind, score, flags, *rest in rows
    ]


def queue_page(matches: QuerySet[Match], page_number: str | int | None) -> tuple[Page[Item], list[QueueItem]]:
    """A page of the queue over `matches` (pending, filtered): riskiest first, then best scored.

    Two queries whatever the page holds: the count with the page's items, and their matches."""
    page: Page[Item] = Paginator(QueueItems(matches, page_number), PER_PAGE).get_page(page_number)
    keys = [key for key, *_ in page.object_list]
    grouped: dict[str, list[QueueRow]] = {key: [] for key in keys}
    for row in queue_rows(keys, matches.db):
        grouped[row.exchange or str(row.pk)].append(row)
    return page, [
        QueueItem(key=key, matches=in_exchange_order(found)) for key, found in grouped.items() if found
    ]


def in_exchange_order[M: (Match, QueueRow)](matches: list[M]) -> list[M]:
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
