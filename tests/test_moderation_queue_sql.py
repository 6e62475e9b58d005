"""The moderation queue's SQL (internships.selectors.moderation) gives what its ORM queries gave: the same
count, pages and rows, in the same order, for every filter, on SQLite and on PostgreSQL.

The reference below is the queue as the ORM read it before (five queries), kept here to compare with."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from itertools import islice
from typing import Any, overload

import pytest
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Floor
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from businesses.models import Business, Practice
from internships.forms import QueueFilter
from internships.matching.rules import RANK_SCALE
from internships.models import QUEUE_EXCHANGES, QUEUE_SINGLES, Match
from internships.selectors import moderation
from internships.selectors.moderation import Item, QueueRow, in_exchange_order, queue_page
from tests.factories import (
    BusinessFactory,
    DepartmentFactory,
    MatchFactory,
    NeedFactory,
    OfferFactory,
    PracticeFactory,
)

pytestmark = pytest.mark.django_db

ROW_VALUES = {
    "learner_name": F("learner__name"),
    "host_name": F("host__name"),
    "need_practice_id": F("need__practice"),
    "need_practice_name": F("need__practice__name"),
    "offer_practice_id": F("offer__practice"),
    "offer_practice_name": F("offer__practice__name"),
    "offer_department_name": F("offer__practice__department__name"),
}


class ReferenceItems:
    """The queue's items as the ORM read them: singles by their index, exchanges grouped, merged."""

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
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        ranked = Floor(F("score") * RANK_SCALE + 0.5)
        singles = [
            (str(pk), risk, total, pk)
            for pk, risk, total in self.singles.annotate(total=ranked)
            .order_by("-risk", "-score", "pk")
            .values_list("pk", "risk", "total")[:stop]
        ]
        exchanges = list(
            self.exchanges.values("exchange")
            .annotate(top_risk=Max("risk"), total=Sum(ranked), first=Min("pk"))
            .order_by("-top_risk", "-total", "first")
            .values_list("exchange", "top_risk", "total", "first")[:stop]
        )
        merged = heapq.merge(singles, exchanges, key=lambda item: (-item[1], -item[2], item[3]))
        return list(islice(merged, start, stop))


def reference_page(matches: QuerySet[Match], page_number: str | None) -> tuple[Page[Item], list[list[Match]]]:
    page: Page[Item] = Paginator(ReferenceItems(matches), moderation.PER_PAGE).get_page(page_number)
    keys = [key for key, *_ in page.object_list]
    singles = [int(key) for key in keys if key.isdigit()]
    exchanges = [key for key in keys if not key.isdigit()]
    rows = (
        Match.objects.pending()
        .filter(Q(pk__in=singles, exchange="") | Q(exchange__in=exchanges))
        .annotate(**ROW_VALUES)
        .order_by("pk")
    )
    grouped: dict[str, list[Match]] = {key: [] for key in keys}
    for match in rows:
        grouped[match.exchange or str(match.pk)].append(match)
    return page, [in_exchange_order(found) for found in grouped.values() if found]


def platform(seed: int) -> None:
    """Singles, swaps and cycles of three in two departments and three cities, some flagged, some no
    longer pending, with scores that tie."""
    rng = random.Random(seed)
    departments = [
        DepartmentFactory.create(slug=slug, name=name) for slug, name in [("hr", "HR"), ("it", "IT")]
    ]
    practices = [PracticeFactory.create(department=rng.choice(departments)) for _ in range(4)]
    businesses = [BusinessFactory.create(city=rng.choice(["Pune", "Chennai", "Lyon"])) for _ in range(9)]

    def propose(learner: Business, host: Business, practice: Practice, **fields: Any) -> Match:
        flags = ["Same market"] * rng.choice([0, 0, 0, 1, 2])
        return MatchFactory.create(
            need=NeedFactory.create(business=learner, practice=rng.choice(practices)),
            offer=OfferFactory.create(business=host, practice=practice),
            score=rng.choice([0.5, 1.0, 1.0000001, 2.25, 3.0]),
            flags=flags,
            risk=len(flags),
            status=rng.choice([Match.Status.PENDING] * 5 + [Match.Status.APPROVED, Match.Status.WITHDRAWN]),
            **fields,
        )

    for _ in range(25):
        learner, host = rng.sample(businesses, 2)
        propose(learner, host, rng.choice(practices))
    for size, kind in [(2, Match.Kind.SWAP)] * 6 + [(3, Match.Kind.CYCLE)] * 4:
        ring = rng.sample(businesses, size)
        key = f"{kind}:{'-'.join(str(business.pk) for business in ring)}"
        for position, host in enumerate(ring):
            learner = ring[(position + 1) % size]
            propose(learner, host, rng.choice(practices), kind=kind, exchange=key)


QUERIES = [
    "",
    "page=2",
    "page=3",
    "page=9999",
    "page=0",
    "page=-2",
    "page=abc",
    "page=2.0",
    "page=99999999999999999999999",
    "flagged=yes",
    "flagged=no&page=2",
    "kind=swap",
    "kind=cycle&flagged=yes",
    "kind=single&page=2",
    "department=DEPARTMENT",
    "department=DEPARTMENT&city=pune&page=2",
    "city=Chennai",
    "city=%20lyon%20",
    "city=Nowhere",
    "kind=triangle&department=x",
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_queue_reads_what_the_orm_read(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moderation, "PER_PAGE", 4)  # a few pages out of a small platform
    platform(seed)
    department = str(Practice.objects.order_by("pk").first().department_id)  # type: ignore[union-attr]

    for query in QUERIES:
        params = QueryDict(query.replace("DEPARTMENT", department))
        matches = QueueFilter(params, queryset=Match.objects.moderation_queue()).qs
        page, items = queue_page(matches, params.get("page"))
        expected_page, expected = reference_page(matches, params.get("page"))

        assert (page.number, page.paginator.count) == (expected_page.number, expected_page.paginator.count), (
            query
        )
        assert [item.key for item in items] == [found[0].exchange or str(found[0].pk) for found in expected]
        assert [[row._asdict() for row in item.matches] for item in items] == [
            [{field: getattr(match, field) for field in QueueRow._fields} for match in found]
            for found in expected
        ], query


def test_an_empty_queue_has_one_empty_page() -> None:
    page, items = queue_page(Match.objects.moderation_queue(), "3")
    assert (page.number, page.paginator.count, items) == (1, 0, [])


def test_a_filter_that_can_match_nothing_reads_an_empty_queue(django_assert_num_queries: Any) -> None:
    platform(4)
    with django_assert_num_queries(0):
        page, items = queue_page(Match.objects.moderation_queue().filter(pk__in=[]), None)
    assert (page.paginator.count, items) == (0, [])


def test_the_department_choices_are_the_ones_django_lists() -> None:
    DepartmentFactory.create(slug="it", name="IT & <Ops>")
    DepartmentFactory.create(slug="hr", name="HR")
    field = QueueFilter(QueryDict()).form.fields["department"]
    assert isinstance(field, ModelChoiceField)
    assert [(str(value), label) for value, label in field.choices] == [
        (str(value), label) for value, label in ModelChoiceIterator(field)
    ]


def test_the_queue_page_reads_no_server_side_cursor(client: Client, moderator: Any) -> None:
    """Django reads a choice field's rows with .iterator(): on PostgreSQL, a cursor of three round trips."""
    platform(5)
    client.force_login(moderator)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("internships:moderation_queue")).status_code == 200
    assert not [query for query in captured if query["sql"].startswith("DECLARE")]
