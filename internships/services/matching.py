"""Matching runs: load the platform from the database, run the engine, save its proposals as matches.

`load_platform` reads what a run looks at in a fixed number of set-based queries, however many rows
there are. `run_matching` saves the engine's proposals: new pairs are proposed, changed ones updated,
withdrawn ones proposed again, and the pending matches of the needs it considered that it no longer
proposes are withdrawn, with the reason when it is known. Approved and rejected matches are the
moderators' decisions: a run never touches them, never proposes a rejected pair again and leaves out
the needs that already have an approved match.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import batched
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format

from businesses.models import Blackout, Business, Need, Offer, Practice
from businesses.services.competitors import competitor_pairs
from internships.matching import (
    BusinessInfo,
    MatchSettings,
    NeedInfo,
    OfferInfo,
    Platform,
    Proposal,
    match,
    rules,
)
from internships.matching.types import Mode as ModeName
from internships.matching.types import Urgency
from internships.models import Match, MatchEvent

logger = logging.getLogger(__name__)

DEFAULT_SETTINGS = MatchSettings()
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
# Any constant will do: it only has to be the same in every process that runs matching.
MATCHING_LOCK = 0x70656572  # "peer"
CHUNK = 500  # ids per IN (...) list: SQLite allows a few thousand parameters per statement at most


@dataclass(frozen=True, slots=True)
class RunSummary:
    """How many matches a run proposed, proposed again, updated, withdrawn or left as they were."""

    proposed: int = 0
    reproposed: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0


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


@lru_cache(maxsize=1 << 16)
def _offer(
    pk: int,
    business: int,
    practice: int,
    level: int,
    capacity: int,
    mode: ModeName,
    first: date,
    last: date,
    shortest: int,
    longest: int,
    blackouts: tuple[tuple[date, date], ...],
) -> OfferInfo:
    """An active offer as the engine sees it; cached for incremental runs, which read the same ones again."""
    return OfferInfo(
        pk, business, practice, level, capacity, mode, first, last, shortest, longest, blackouts=blackouts
    )


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
    offers, load = [], {}
    for pk, business, practice, level, capacity, mode, first, last, shortest, longest, taken in offer_values:
        offers.append(
            OfferInfo(
                *(
                    pk,
                    business,
                    practice,
                    level,
                    capacity,
                    cast(ModeName, mode),
                    first,
                    last,
                    shortest,
                    longest,
                ),
                blackouts=tuple(sorted(blackouts.get(pk, ()))),
            )
        )
        if taken:
            load[pk] = taken

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


def _in(column: str, ids: Collection[int]) -> tuple[str, list[Any]]:
    """`column IN ids` and its parameters: one array on PostgreSQL, so that the text stays the same."""
    if connection.vendor == "postgresql":
        # The array as one text parameter: psycopg quotes a list of a few hundred ids item by item,
        # which took longer than the query it was for.
        return f"{column} = ANY(%s::bigint[])", ["{" + ",".join(map(str, ids)) + "}"]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _load_scoped(today: date, wanted: list[int]) -> Platform:
    """`load_platform(need_ids=wanted)`, in five queries of fixed text."""
    with connection.cursor() as cursor:
        sql, ids = _in("n.id", wanted)
        cursor.execute(
            SCOPED_NEEDS.format(wanted=sql), [*ids, Need.Status.OPEN.value, Match.Status.APPROVED.value]
        )
        # The database's check constraints keep urgency and mode to the values the engine's types name.
        needs = [NeedInfo(*row) for row in cursor.fetchall()]
        if not needs:
            return Platform(businesses={}, offers=[], needs=[], today=today)
        learners = {need.business_id for need in needs}
        need_practices = {need.practice_id for need in needs}

        practices, practice_ids = _in("from_practice_id", need_practices)
        declared_by, learner_ids = _in("business_id", learners)
        named, _ = _in("competitor_id", learners)
        rejected, _ = _in("need_id", wanted)
        cursor.execute(
            SCOPED_PAIRS.format(practices=practices, declared_by=declared_by, named=named, rejected=rejected),
            [*practice_ids, *learner_ids, *learner_ids, Match.Status.REJECTED.value, *ids],
        )
        pairs: dict[str, set[tuple[int, int]]] = {"related": set(), "competitor": set(), "rejected": set()}
        for kind, a, b in cursor.fetchall():
            pairs[kind].add((a, b))
        related = frozenset(pairs["related"])

        # Only offers one of the needs could take by practice, level and dates; the engine checks the rest.
        others, _ = _in("m.need_id", wanted)
        practices, practice_ids = _in("o.practice_id", need_practices | {b for _, b in related})
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

        sql, business_ids = _in("id", learners | {row[1] for row in rows})
        cursor.execute(
            SCOPED_BUSINESSES.format(ids=sql), [Business.Verification.VERIFIED.value, *business_ids]
        )
        business_rows = cursor.fetchall()
        # The engine's location rule, with its own normalising: an onsite offer away from every
        # learner is left out, and so is its host unless it is a learner or hosts a kept offer. On a
        # one-need run, a third of the offers, which the engine would only have discarded.
        place = {pk: (rules.norm(city), rules.norm(country)) for pk, city, country, *_ in business_rows}
        near = {place[learner] for learner in learners if learner in place}
        rows = [row for row in rows if row[5] in rules.FLEXIBLE_MODES or place.get(row[1]) in near]
        kept = learners | {row[1] for row in rows}
        businesses = {pk: _business(pk, *columns) for pk, *columns in business_rows if pk in kept}

        blackouts: dict[int, list[tuple[date, date]]] = defaultdict(list)
        if rows:
            sql, offer_ids = _in("offer_id", [row[0] for row in rows])
            # Blackouts that ended before today cannot move a placement, which starts today at the earliest.
            cursor.execute(SCOPED_BLACKOUTS.format(offers=sql), [*offer_ids, today])
            for offer_id, start, end in cursor.fetchall():
                blackouts[offer_id].append((start, end))

    offers, load = [], {}
    for row in rows:
        pk, taken, dates = row[0], row[10], blackouts.get(row[0])
        offers.append(_offer(*row[:10], tuple(sorted(dates)) if dates else ()))
        if taken:
            load[pk] = taken
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


def run_matching(
    *,
    need_ids: Collection[int] | None = None,
    offer_id: int | None = None,
    today: date | None = None,
    settings: MatchSettings = DEFAULT_SETTINGS,
) -> RunSummary:
    """Match every need (no arguments), the needs given, or the needs an offer concerns; save the result."""
    if need_ids is not None and offer_id is not None:
        raise ValueError("Pass need_ids or offer_id, not both.")
    today = today or timezone.localdate()
    with transaction.atomic():
        _take_turn()
        scope: set[int] | None = None
        if need_ids is not None:
            scope = set(need_ids)
        elif offer_id is not None:
            scope = _needs_concerning(offer_id)
        if scope is not None and not scope:
            return RunSummary()
        locked = _lock_pending(scope)
        platform = load_platform(today=today, need_ids=scope)
        result = match(platform, settings)
        summary = _save(result.proposals, locked, platform, scope=scope)
    logger.info(
        "Matching run over %s: %s", "every need" if scope is None else f"{len(scope)} need(s)", summary
    )
    return summary


def _take_turn() -> None:
    """Wait until no other matching run is in progress; the turn ends with the transaction."""
    # Two runs at once would count the same free places twice and could insert the same new pair
    # twice. Locking the pending rows does not cover pairs that have no row yet, so PostgreSQL runs
    # take turns on an advisory lock; SQLite lets one writer in at a time anyway.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MATCHING_LOCK])


def _needs_concerning(offer_id: int) -> set[int]:
    """The open needs of the offer's practice and related ones, and those it is proposed to."""
    practice_id = Offer.objects.filter(pk=offer_id).values_list("practice_id", flat=True).first()
    concerned = Q(matches__offer_id=offer_id, matches__status=Match.Status.PENDING)
    if practice_id is not None:
        related = Practice.related.through._default_manager.filter(from_practice_id=practice_id)
        practices = {practice_id, *related.values_list("to_practice_id", flat=True)}
        concerned |= Q(practice_id__in=practices, status=Need.Status.OPEN)
    return set(Need.objects.filter(concerned).values_list("pk", flat=True).distinct())


# The matches of some needs that a run may change, by their primary key's order: the pending ones
# and, as it may propose them again, the withdrawn ones. Fixed text, as for loading.
SCOPED_LOCK = "SELECT * FROM internships_match WHERE {needs} AND status IN (%s, %s) ORDER BY id {lock}"


def _lock_pending(scope: set[int] | None) -> list[Match]:
    """Lock the pending matches the run may change; `scope` grows by the needs sharing their exchanges.

    A run over some needs locks (and returns) their withdrawn matches too: `_save` proposes them again.
    """
    # A moderator deciding one of these rows waits for the run, and the run for the moderator: the
    # decision is then seen (the row left `pending`) rather than overwritten.
    rows = Match.objects.select_for_update(no_key=True).order_by("pk")
    if scope is None:
        return list(rows.filter(status=Match.Status.PENDING))
    needs, ids = _in("need_id", scope)
    lock = connection.ops.for_update_sql(no_key=True) if connection.features.has_select_for_update else ""
    locked = list(
        Match.objects.raw(
            SCOPED_LOCK.format(needs=needs, lock=lock),
            [*ids, Match.Status.PENDING.value, Match.Status.WITHDRAWN.value],
        )
    )
    # A swap or a cycle is re-matched whole: matching one of its needs alone would leave the
    # others marked as part of an exchange that no longer holds.
    exchanges = {row.exchange for row in locked if row.exchange and row.status == Match.Status.PENDING}
    if exchanges:
        partners = Match.objects.filter(status=Match.Status.PENDING, exchange__in=exchanges).exclude(
            need_id__in=list(scope)
        )
        more = list(
            rows.filter(
                status__in=[Match.Status.PENDING, Match.Status.WITHDRAWN],
                need_id__in=partners.values("need_id"),
            )
        )
        scope.update(row.need_id for row in more)
        locked += more
    return locked


def _values(proposal: Proposal) -> dict[str, Any]:
    """The fields of a match that come from the engine's proposal."""
    kind = proposal.exchange.partition(":")[0] if proposal.exchange else Match.Kind.SINGLE
    return {
        "learner_id": proposal.need_business_id,
        "host_id": proposal.offer_business_id,
        "kind": kind,
        "exchange": proposal.exchange or "",
        "score": proposal.score,
        "parts": dict(proposal.parts),
        "flags": list(proposal.flags),
        "risk": len(proposal.flags),
        "start": proposal.start,
        "days": proposal.days,
    }


FIELDS = ["learner_id", "host_id", "kind", "exchange", "score", "parts", "flags", "risk", "start", "days"]


def _changes(row: Match, values: dict[str, Any]) -> list[str]:
    """What a re-run changed in a pending match, in words for its history; empty when nothing did."""
    found = []
    if row.score != values["score"]:
        found.append(f"score {row.score:.2f} → {values['score']:.2f}")
    elif row.parts != values["parts"]:
        found.append("score parts changed")
    if row.kind != values["kind"] or row.exchange != values["exchange"]:
        found.append(f"{row.exchange or row.kind} → {values['exchange'] or values['kind']}")
    if row.flags != values["flags"]:
        found.append("flags: " + ("; ".join(values["flags"]) or "none"))
    if row.start != values["start"]:
        found.append(f"start {_day(row.start)} → {_day(values['start'])}")
    if row.days != values["days"]:
        found.append(f"{row.days} → {values['days']} days")
    if (row.learner_id, row.host_id) != (values["learner_id"], values["host_id"]):
        found.append("businesses changed")
    return found


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _day(day: date) -> str:
    return date_format(day, "j M Y")


def _save(
    proposals: Sequence[Proposal], locked: list[Match], platform: Platform, *, scope: set[int] | None
) -> RunSummary:
    now = timezone.now()
    proposed = {(p.need_id, p.offer_id): p for p in proposals}
    current = {(row.need_id, row.offer_id): row for row in locked if row.status == Match.Status.PENDING}
    events: list[MatchEvent] = []

    updated, unchanged = [], 0
    for pair, row in current.items():
        proposal = proposed.get(pair)
        if proposal is None:
            continue
        values = _values(proposal)
        changes = _changes(row, values)
        if not changes:
            unchanged += 1
            continue
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
        updated.append(row)
        events.append(
            MatchEvent(match=row, action=MatchEvent.Action.UPDATED, note=_sentence("; ".join(changes)))
        )
    Match.objects.bulk_update(updated, [*FIELDS, "updated_at"], batch_size=CHUNK)

    # New pairs: proposed again if the engine withdrew them earlier, else proposed for the first time.
    # Rejected pairs never come back (the engine excludes them); approved needs are not matched.
    fresh = [proposal for pair, proposal in proposed.items() if pair not in current]
    if scope is not None:
        # Locked with the pending ones.
        withdrawn_before = {
            (row.need_id, row.offer_id): row.pk for row in locked if row.status == Match.Status.WITHDRAWN
        }
    elif fresh:
        earlier = Match.objects.filter(status=Match.Status.WITHDRAWN)
        withdrawn_before = {(n, o): pk for n, o, pk in earlier.values_list("need_id", "offer_id", "pk")}
    else:
        withdrawn_before = {}
    again = [
        Match(
            pk=withdrawn_before[(p.need_id, p.offer_id)],
            status=Match.Status.PENDING,
            updated_at=now,
            **_values(p),
        )
        for p in fresh
        if (p.need_id, p.offer_id) in withdrawn_before
    ]
    Match.objects.bulk_update(again, [*FIELDS, "status", "updated_at"], batch_size=CHUNK)
    events += [MatchEvent(match=row, action=MatchEvent.Action.REPROPOSED) for row in again]
    new = Match.objects.bulk_create(
        [
            Match(need_id=p.need_id, offer_id=p.offer_id, status=Match.Status.PENDING, **_values(p))
            for p in fresh
            if (p.need_id, p.offer_id) not in withdrawn_before
        ],
        batch_size=CHUNK,
    )
    events += [MatchEvent(match=row, action=MatchEvent.Action.PROPOSED) for row in new]

    gone = [row for pair, row in current.items() if pair not in proposed]
    reasons = _why_withdrawn(gone, platform)
    for ids in _chunks([row.pk for row in gone]):
        Match.objects.filter(pk__in=ids).update(status=Match.Status.WITHDRAWN, updated_at=now)
    events += [
        MatchEvent(match=row, action=MatchEvent.Action.WITHDRAWN, note=reasons[row.pk]) for row in gone
    ]

    MatchEvent.objects.bulk_create(events, batch_size=CHUNK)
    return RunSummary(
        proposed=len(new),
        reproposed=len(again),
        updated=len(updated),
        withdrawn=len(gone),
        unchanged=unchanged,
    )


def _chunks(ids: Iterable[int]) -> Iterator[tuple[int, ...]]:
    return batched(ids, CHUNK)


def _why_withdrawn(rows: list[Match], platform: Platform) -> dict[int, str]:
    """Per withdrawn match, the reason in a sentence for its history (a general one if none is found)."""
    if not rows:
        return {}
    needs = {need.id: need for need in platform.needs}
    offers = {offer.id: offer for offer in platform.offers}
    competitors = rules.symmetric(platform.competitor_pairs)
    related = rules.symmetric(platform.related_practices)
    today = platform.today
    reasons = {}
    for ids in _chunks([row.pk for row in rows]):
        facts = Match.objects.filter(pk__in=ids).values_list(
            "pk",
            "need_id",
            "offer_id",
            "need__status",
            "offer__status",
            "offer__paused_reason",
            "offer__available_until",
            "learner_id",
            "host_id",
            "learner__verification",
            "host__verification",
        )
        for (
            pk,
            need_id,
            offer_id,
            need_status,
            offer_status,
            paused_reason,
            until,
            learner,
            host,
            *verified,
        ) in facts:
            learner_verified, host_verified = (v == Business.Verification.VERIFIED for v in verified)
            need, offer = needs.get(need_id), offers.get(offer_id)
            if need_status != Need.Status.OPEN:
                reason = (
                    "The need was closed." if need_status == Need.Status.CLOSED else "The need is not open."
                )
            elif offer_status == Offer.Status.PAUSED:
                reason = (
                    f"The offer was paused: {paused_reason}." if paused_reason else "The offer was paused."
                )
            elif offer_status != Offer.Status.ACTIVE:
                reason = "The offer is no longer active."
            elif until < today:
                reason = f"The offer's availability ended on {_day(until)}."
            elif not (learner_verified and host_verified):
                reason = (
                    f"The {'learner' if not learner_verified else 'host'} business is no longer verified."
                )
            elif need is None:
                reason = "The need has an approved match already."
            elif (learner, host) in competitors:
                reason = "The two businesses are now declared competitors."
            elif offer is not None and _still_fits(need, offer, platform, competitors, related):
                reason = "Re-assigned: the need went to a better offer, or the offer's places to other needs."
            else:
                reason = (
                    "The need or the offer changed: they no longer fit (practice, level, dates or place)."
                )
            reasons[pk] = reason
    return reasons


def _still_fits(
    need: NeedInfo,
    offer: OfferInfo,
    platform: Platform,
    competitors: Collection[tuple[int, int]],
    related: Collection[tuple[int, int]],
) -> bool:
    """Whether the pair still passes every hard rule, capacity aside."""
    learner, host = platform.businesses.get(need.business_id), platform.businesses.get(offer.business_id)
    return (
        rules.check(
            need,
            offer,
            rules.profile(learner) if learner else None,
            rules.profile(host) if host else None,
            competitors=competitors,
            related=related,
            remaining=1,
            today=platform.today.toordinal(),
            excluded=platform.excluded_pairs,
        )
        is not None
    )
