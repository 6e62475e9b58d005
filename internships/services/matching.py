"""Matching runs: load the platform (`internships.services.platform`), run the engine, save its
proposals as matches.

`run_matching` saves the engine's proposals: new pairs are proposed, changed ones updated,
withdrawn ones proposed again, and the pending matches of the needs it considered that it no longer
proposes are withdrawn, with the reason when it is known. Approved and rejected matches are the
moderators' decisions: a run never touches them, never proposes a rejected pair again and leaves out
the needs that already have an approved match.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import batched
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from businesses.models import Business, Need, Offer, Practice
from internships.matching import (
    MatchSettings,
    NeedInfo,
    OfferInfo,
    Platform,
    Proposal,
    match,
    rules,
)
from internships.models import Match, MatchEvent
from internships.services.platform import load_platform, sql_in

logger = logging.getLogger(__name__)

DEFAULT_SETTINGS = MatchSettings()
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
    needs, ids = sql_in("need_id", scope)
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
