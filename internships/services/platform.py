"""What a matching run looks at: the platform, loaded from the database into the engine's types.

`load_platform` reads it in a fixed number of set-based queries, however many rows there are; a run
over some needs only (the incremental run after a need or an offer is saved) reads, in fixed-text
SQL, only what those needs could match.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from businesses.models import Blackout, Business, Need, Offer, Practice
from businesses.services.competitors import competitor_pairs
from internships.matching import BusinessInfo, NeedInfo, OfferInfo, Platform, rules
from internships.matching.types import Mode, Urgency
from internships.models import Match

WORD = re.compile(r"[^\W\d_]+")  # a run of letters, in any script
# Words any trade uses to describe what it sells: sharing them says nothing about competing.
SELLS_STOP_WORDS = frozenset(
    """
    about also based been both business businesses client clients companies company customer customers
    each every firms from general good goods have help into large local long make medium more most need
    needing needs offer online other over people product products provide quality range service services
    short small solution solutions some such team teams term than that their them then they this those
    through very what when which with within work your
    """.split()  # noqa: SIM905 (a word list reads best as text)
)
# Legal forms and small words that many names share without the businesses being alike.
NAME_STOP_WORDS = frozenset(
    """
    and at by co company corp corporation de des di du for gmbh group in inc la le limited llc llp ltd of on
    plc private pty pvt sa sarl services solutions srl the und
    """.split()  # noqa: SIM905 (a word list reads best as text)
)


@lru_cache(maxsize=1 << 16)
def sells_keywords(sells: str, sells_to: str) -> frozenset[str]:
    """Lower-cased words of four letters or more, without the words every trade uses."""
    # Cached: a worker reads the same few thousand texts run after run.
    return frozenset(
        word
        for text in (sells, sells_to)
        for word in WORD.findall(text.casefold())
        if len(word) >= 4 and word not in SELLS_STOP_WORDS
    )


@lru_cache(maxsize=1 << 16)
def name_tokens(name: str) -> frozenset[str]:
    """The words of a business's name, without legal forms and small words."""
    return frozenset(WORD.findall(name.casefold())) - NAME_STOP_WORDS


@lru_cache(maxsize=1 << 12)
def _place(city: str, country: str) -> tuple[str, str]:
    """A city and country as the engine's location rule compares them; cached, as businesses share a few."""
    return rules.norm(city), rules.norm(country)


@lru_cache(maxsize=1 << 16)
def _business(
    pk: int,
    city: str,
    country: str,
    industry: str,
    sells: str,
    sells_to: str,
    name: str,
    track_record: Decimal | float | None,  # a float from SQLite through a raw cursor
) -> BusinessInfo:
    """A verified business as the engine sees it; cached, as its words are."""
    return BusinessInfo(
        id=pk,
        verified=True,
        city=city,
        country=str(country),
        industry=industry,
        sells_keywords=sells_keywords(sells, sells_to),
        name_tokens=name_tokens(name),
        track_record=None if track_record is None else float(track_record),
    )


# id, business, practice, level, capacity, mode, first day, last day, min days, max days
OfferColumns = tuple[int, int, int, int, int, Mode, date, date, int, int]


@lru_cache(maxsize=1 << 16)
def _offer(columns: OfferColumns, blackouts: tuple[tuple[date, date], ...]) -> OfferInfo:
    """An active offer as the engine sees it; cached for incremental runs, which read the same ones again."""
    # Keyed by the row's columns as they come: unpacked into eleven arguments, the key took longer
    # to build than the offer. The database's check constraints keep the mode to the engine's values.
    return OfferInfo(*columns, blackouts=blackouts)


def _offers(
    rows: list[tuple[Any, ...]], blackouts: dict[int, list[tuple[date, date]]]
) -> tuple[list[OfferInfo], dict[int, int]]:
    """The engine's offers from rows of (id, business, practice, level, capacity, mode, first day, last
    day, min days, max days, places held), and the places held per offer that has some."""
    offers, load = [], {}
    for row in rows:
        dates = blackouts.get(row[0])
        offers.append(_offer(row[:10], tuple(sorted(dates)) if dates else ()))
        if row[10]:
            load[row[0]] = row[10]
    return offers, load


def load_platform(*, today: date | None = None, need_ids: Collection[int] | None = None) -> Platform:
    """What a run looks at, in a few queries; with `need_ids`, only what those needs can match.

    Only what may still match is loaded: verified businesses, their open needs without an
    approved match, and their active offers with a place left and a window not over. With
    `need_ids`, offers are those of the needs' practices and related ones, at the levels, dates and
    places they could serve, and the pending matches of other needs count as load: their places
    stay held until the next full run reassigns them.
    """
    today = today or timezone.localdate()
    if need_ids is not None:
        return _load_scoped(today, list(need_ids))
    # Each queryset is filtered once, with everything at once: building it costs more than running it.

    approved = Match.objects.filter(status=Match.Status.APPROVED, need=OuterRef("pk"))
    # The database's check constraints keep urgency and mode to the values the engine's types name.
    needs = [
        NeedInfo(pk, business, practice, current, target, cast(Urgency, urgency), earliest, days)
        for pk, business, practice, current, target, urgency, earliest, days in Need.objects.filter(
            ~Exists(approved), status=Need.Status.OPEN
        )
        .order_by()
        .values_list(
            "pk",
            "business_id",
            "practice_id",
            "current_level",
            "target_level",
            "urgency",
            "earliest_start",
            "preferred_days",
        )
    ]
    # Symmetrical: the through table holds each related pair both ways round.
    related = frozenset(
        Practice.related.through._default_manager.values_list("from_practice_id", "to_practice_id")
    )

    # The places an offer has given away: approved matches (internships will add the interns placed there).
    offer_filter = Q(status=Offer.Status.ACTIVE, available_until__gte=today)
    places = (
        Match.objects.filter(status=Match.Status.APPROVED, offer=OuterRef("pk"))
        .order_by()
        .values("offer")
        .annotate(count=Count("pk"))
        .values("count")
    )
    # Offers with no place left are left out, as the engine would: on a busy platform, half of them.
    offer_values = list(
        Offer.objects.annotate(held=Coalesce(Subquery(places), 0))
        .filter(offer_filter, held__lt=F("capacity"))
        .order_by()
        .values_list(
            "pk",
            "business_id",
            "practice_id",
            "level",
            "capacity",
            "mode",
            "available_from",
            "available_until",
            "min_days",
            "max_days",
            "held",
        )
    )
    blackouts: dict[int, list[tuple[date, date]]] = defaultdict(list)
    # Blackouts that ended before today cannot move a placement, which starts today at the earliest.
    for offer_id, start, end in Blackout.objects.filter(
        offer__in=Offer.objects.filter(offer_filter).values("pk"), end__gte=today
    ).values_list("offer_id", "start", "end"):
        blackouts[offer_id].append((start, end))

    businesses = {
        pk: _business(pk, *columns)
        for pk, *columns in Business.objects.filter(verification=Business.Verification.VERIFIED)
        .order_by()
        .values_list("pk", "city", "country", "industry_id", "sells", "sells_to", "name", "track_record")
    }
    offers, load = _offers(offer_values, blackouts)
    return Platform(
        businesses=businesses,
        offers=offers,
        needs=needs,
        competitor_pairs=frozenset(competitor_pairs()),
        related_practices=related,
        load=load,
        today=today,
        excluded_pairs=frozenset(
            Match.objects.filter(status=Match.Status.REJECTED).order_by().values_list("need_id", "offer_id")
        ),
    )


# What an incremental run loads, in fixed-text SQL: for one need, building the ORM's queries took
# longer than running them, and turning their rows into model values longer still.
# The statuses are parameters, from the models' choices.
SCOPED_NEEDS = """
    SELECT n.id, n.business_id, n.practice_id, n.current_level, n.target_level, n.urgency,
           n.earliest_start, n.preferred_days
    FROM businesses_need n
    WHERE {wanted} AND n.status = %s
      AND NOT EXISTS (SELECT 1 FROM internships_match m WHERE m.need_id = n.id AND m.status = %s)
"""
# Three small lookups in one round trip, told apart by their first column. The through table
# holds each related pair both ways round.
SCOPED_PAIRS = """
    SELECT 'related', from_practice_id, to_practice_id FROM businesses_practice_related
    WHERE {practices}
    UNION ALL
    SELECT 'competitor', business_id, competitor_id FROM businesses_competitor
    WHERE competitor_id IS NOT NULL AND ({declared_by} OR {named})
    UNION ALL
    SELECT 'rejected', need_id, offer_id FROM internships_match WHERE status = %s AND {rejected}
"""
# Each offer with its held places (approved matches and the other needs' pending ones), if it has
# a place left. The subquery is a fence (OFFSET 0 on PostgreSQL, a limit on SQLite): without one
# the count would be run twice, once to filter and once to return it.
SCOPED_OFFERS = """
    SELECT * FROM (
        SELECT o.id, o.business_id, o.practice_id, o.level, o.capacity, o.mode, o.available_from,
               o.available_until, o.min_days, o.max_days, {held} AS held
        FROM businesses_offer o
        WHERE o.status = %s AND o.available_until >= %s AND {practices} AND o.level >= %s
        {fence}
    ) AS offers
    WHERE held < capacity
"""
# On PostgreSQL, counted up to the capacity only, which is exact for the offers kept: with the
# limit it finds each offer's matches by index rather than through a bitmap, a third faster on a
# one-need run. SQLite takes no limit from the outer query.
HELD_UP_TO_CAPACITY = """
    (SELECT COUNT(*) FROM (
        SELECT 1 FROM internships_match m
        WHERE m.offer_id = o.id AND (m.status = %s OR (m.status = %s AND NOT ({others})))
        LIMIT o.capacity
    ) AS counted)
"""
HELD_ALL = """
    (SELECT COUNT(*) FROM internships_match m
     WHERE m.offer_id = o.id AND (m.status = %s OR (m.status = %s AND NOT ({others}))))
"""
# By their ids: the primary key's index finds a few hundred at once, where a join would have
# PostgreSQL hash every business.
SCOPED_BUSINESSES = """
    SELECT id, city, country, industry_id, sells, sells_to, name, track_record FROM businesses_business
    WHERE verification = %s AND {ids}
"""
SCOPED_BLACKOUTS = """
    SELECT offer_id, start, "end" FROM businesses_blackout WHERE {offers} AND "end" >= %s
"""


def sql_in(column: str, ids: Collection[int]) -> tuple[str, list[Any]]:
    """`column IN ids` and its parameters: one array on PostgreSQL, so that the text stays the same."""
    if connection.vendor == "postgresql":
        # The array as one text parameter: psycopg quotes a list of a few hundred ids item by item,
        # which took longer than the query it was for.
        return f"{column} = ANY(%s::bigint[])", ["{" + ",".join(map(str, ids)) + "}"]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _load_scoped(today: date, wanted: list[int]) -> Platform:
    """`load_platform(need_ids=wanted)`, in five queries of fixed text."""
    with connection.cursor() as cursor:
        sql, ids = sql_in("n.id", wanted)
        cursor.execute(
            SCOPED_NEEDS.format(wanted=sql), [*ids, Need.Status.OPEN.value, Match.Status.APPROVED.value]
        )
        # The database's check constraints keep urgency and mode to the values the engine's types name.
        needs = [NeedInfo(*row) for row in cursor.fetchall()]
        if not needs:
            return Platform(businesses={}, offers=[], needs=[], today=today)
        learners = {need.business_id for need in needs}
        need_practices = {need.practice_id for need in needs}

        practices, practice_ids = sql_in("from_practice_id", need_practices)
        declared_by, learner_ids = sql_in("business_id", learners)
        named, _ = sql_in("competitor_id", learners)
        rejected, _ = sql_in("need_id", wanted)
        cursor.execute(
            SCOPED_PAIRS.format(practices=practices, declared_by=declared_by, named=named, rejected=rejected),
            [*practice_ids, *learner_ids, *learner_ids, Match.Status.REJECTED.value, *ids],
        )
        pairs: dict[str, set[tuple[int, int]]] = {"related": set(), "competitor": set(), "rejected": set()}
        for kind, a, b in cursor.fetchall():
            pairs[kind].add((a, b))
        related = frozenset(pairs["related"])

        # Only offers one of the needs could take by practice, level and dates; the engine checks the rest.
        others, _ = sql_in("m.need_id", wanted)
        practices, practice_ids = sql_in("o.practice_id", need_practices | {b for _, b in related})
        if connection.vendor == "postgresql":
            held, fence = HELD_UP_TO_CAPACITY, "OFFSET 0"
        else:
            held, fence = HELD_ALL, "LIMIT -1 OFFSET 0"
        cursor.execute(
            SCOPED_OFFERS.format(held=held.format(others=others), practices=practices, fence=fence),
            [
                Match.Status.APPROVED.value,
                Match.Status.PENDING.value,
                *ids,
                Offer.Status.ACTIVE.value,
                max(today, min(need.earliest_start for need in needs)),
                *practice_ids,
                min(need.target_level for need in needs),
            ],
        )
        # Offers with no place left are left out, as the engine would: on a busy platform, half of them.
        rows = cursor.fetchall()

        sql, business_ids = sql_in("id", learners | {row[1] for row in rows})
        cursor.execute(
            SCOPED_BUSINESSES.format(ids=sql), [Business.Verification.VERIFIED.value, *business_ids]
        )
        business_rows = cursor.fetchall()
        # The engine's location rule, with its own normalising: an onsite offer away from every
        # learner is left out, and so is its host unless it is a learner or hosts a kept offer. On a
        # one-need run, a third of the offers, which the engine would only have discarded.
        # Rows by index rather than unpacked: these lines run for every host of every run.
        place = {row[0]: _place(row[1], row[2]) for row in business_rows}
        near = {place[learner] for learner in learners if learner in place}
        flexible = rules.FLEXIBLE_MODES
        rows = [row for row in rows if row[5] in flexible or place.get(row[1]) in near]
        kept = learners | {row[1] for row in rows}
        businesses = {row[0]: _business(*row) for row in business_rows if row[0] in kept}

        blackouts: dict[int, list[tuple[date, date]]] = defaultdict(list)
        if rows:
            sql, offer_ids = sql_in("offer_id", [row[0] for row in rows])
            # Blackouts that ended before today cannot move a placement, which starts today at the earliest.
            cursor.execute(SCOPED_BLACKOUTS.format(offers=sql), [*offer_ids, today])
            for offer_id, start, end in cursor.fetchall():
                blackouts[offer_id].append((start, end))

    offers, load = _offers(rows, blackouts)
    return Platform(
        businesses=businesses,
        offers=offers,
        needs=needs,
        # A declared competitor blocks a pair only where one side is a learner of this run.
        competitor_pairs=frozenset(pairs["competitor"]),
        related_practices=related,
        load=load,
        today=today,
        excluded_pairs=frozenset(pairs["rejected"]),
    )
