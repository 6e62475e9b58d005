"""`match()`, and the `greedy()` and `naive()` baselines it is measured against."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date

import numpy as np

from internships.matching import assignment, candidates, exchanges, rules
from internships.matching.types import (
    Exchange,
    ExchangeKind,
    MatchResult,
    MatchSettings,
    NeedInfo,
    OfferInfo,
    Platform,
    Proposal,
    exchange_key,
)

DEFAULT_SETTINGS = MatchSettings()


def match(
    platform: Platform, settings: MatchSettings = DEFAULT_SETTINGS, *, need_ids: Collection[int] | None = None
) -> MatchResult:
    """Exchanges first, then the assignment serving the most remaining needs at the best total score."""
    # With need_ids (an incremental run) only those needs take part, exchanges included, against
    # each offer's capacity minus platform.load.
    table = candidates.build_table(platform, need_ids)
    found = candidates.find(table, settings.weights)
    remaining = table.remaining.copy()

    cycles = exchanges.find(table, found, settings)
    used_needs = np.zeros(len(table.needs), np.bool_)
    exchange_list = []
    for cycle in cycles:
        rows = np.array(cycle.rows, np.int64)
        used_needs[found.need[rows]] = True
        remaining[found.offer[rows]] -= 1
        kind: ExchangeKind = "swap" if len(cycle.businesses) == 2 else "cycle"
        business_ids = tuple(int(table.business_ids[b]) for b in cycle.businesses)
        key = exchange_key(kind, business_ids)
        proposals = tuple(_proposals(table, found, cycle.rows, settings, exchange=key))
        exchange_list.append(Exchange(kind, business_ids, proposals))

    left = found.take(~used_needs[found.need] & (remaining[found.offer] > 0))
    singles = _proposals(table, left, assignment.optimal(table, left, remaining).tolist(), settings)
    return _result(exchange_list, singles)


def greedy(platform: Platform, settings: MatchSettings = DEFAULT_SETTINGS) -> MatchResult:
    """The baseline: each need in turn (by id) takes its best offer that still has room."""
    table = candidates.build_table(platform)
    found = candidates.find(table, settings.weights)
    rows = assignment.greedy(table, found, table.remaining)
    return _result([], _proposals(table, found, rows.tolist(), settings))


def naive(platform: Platform, settings: MatchSettings = DEFAULT_SETTINGS) -> MatchResult:
    """`greedy()` in plain Python: every need scans every offer through `rules.check`."""
    profiles = {business_id: rules.profile(info) for business_id, info in platform.businesses.items()}
    competitors = rules.symmetric(platform.competitor_pairs)
    related = rules.symmetric(platform.related_practices)
    remaining = {offer.id: rules.remaining_capacity(platform, offer) for offer in platform.offers}
    today = platform.today.toordinal()
    singles = []
    for need in sorted(platform.needs, key=lambda need: need.id):
        learner = profiles.get(need.business_id)
        best: tuple[float, int, OfferInfo, rules.Fit] | None = None
        for offer in platform.offers:
            host = profiles.get(offer.business_id)
            fit = rules.check(
                need,
                offer,
                learner,
                host,
                competitors=competitors,
                related=related,
                remaining=remaining[offer.id],
                today=today,
                excluded=platform.excluded_pairs,
            )
            if fit is None or learner is None or host is None:
                continue
            score = rules.total(
                rules.score_parts(need, offer, learner, host, fit.practice_fit, settings.weights)
            )
            if best is None or (score, -offer.id) > (best[0], best[1]):
                best = (score, -offer.id, offer, fit)
        if best is not None:
            _, _, offer, fit = best
            remaining[offer.id] -= 1
            singles.append(_proposal(profiles, need, offer, fit.start, fit.days, settings, exchange=None))
    return _result([], singles)


def _proposal(
    profiles: Mapping[int, rules.Profile],
    need: NeedInfo,
    offer: OfferInfo,
    start: int,
    days: int,
    settings: MatchSettings,
    *,
    exchange: str | None,
) -> Proposal:
    learner, host = profiles[need.business_id], profiles[offer.business_id]
    fit = rules.SAME_PRACTICE_FIT if need.practice_id == offer.practice_id else rules.RELATED_PRACTICE_FIT
    parts = rules.score_parts(
        need, offer, learner, host, fit, settings.weights, reciprocal=exchange is not None
    )
    # Positional: this runs once per proposal, and the fields read in their declared order.
    return Proposal(
        need.id,
        offer.id,
        need.business_id,
        offer.business_id,
        rules.total(parts),
        parts,
        rules.flags(learner, host),
        date.fromordinal(start),
        days,
        exchange,
    )


def _proposals(
    table: candidates.Table,
    found: candidates.Candidates,
    rows: Iterable[int],
    settings: MatchSettings,
    *,
    exchange: str | None = None,
) -> list[Proposal]:
    rows = list(rows)
    return [
        _proposal(
            table.profiles, table.needs[need], table.offers[offer], start, days, settings, exchange=exchange
        )
        for need, offer, start, days in zip(
            found.need[rows].tolist(),
            found.offer[rows].tolist(),
            found.start[rows].tolist(),
            found.days[rows].tolist(),
            strict=True,
        )
    ]


def _result(exchange_list: list[Exchange], singles: list[Proposal]) -> MatchResult:
    ranked = sorted(exchange_list, key=lambda exchange: (-exchange.score, exchange.business_ids))
    singles.sort(key=lambda proposal: (-proposal.score, proposal.need_id, proposal.offer_id))
    proposals = [proposal for exchange in ranked for proposal in exchange.proposals] + singles
    return MatchResult(proposals=tuple(proposals), exchanges=tuple(ranked))
