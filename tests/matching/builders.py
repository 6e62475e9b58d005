"""Short-hand constructors for the engine's plain data, with defaults that make a valid match."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from internships.matching import BusinessInfo, NeedInfo, OfferInfo, Platform

TODAY = date(2026, 3, 2)


def day(offset: int) -> date:
    """A date `offset` days after TODAY."""
    return TODAY + timedelta(days=offset)


def business(business_id: int, **fields: Any) -> BusinessInfo:
    values: dict[str, Any] = {
        "verified": True,
        "city": "Pune",
        "country": "IN",
        "industry": f"9{business_id:02d}",  # a distinct subsector each, so no flag by default
        "sells_keywords": frozenset(),
        "name_tokens": frozenset(),
        "track_record": None,
    }
    values.update(fields)
    return BusinessInfo(id=business_id, **values)


def offer(offer_id: int, business_id: int, **fields: Any) -> OfferInfo:
    values: dict[str, Any] = {
        "practice_id": 1,
        "level": 4,
        "capacity": 1,
        "mode": "onsite",
        "available_from": day(0),
        "available_until": day(90),
        "min_days": 5,
        "max_days": 30,
        "blackouts": (),
        "active": True,
    }
    values.update(fields)
    return OfferInfo(id=offer_id, business_id=business_id, **values)


def need(need_id: int, business_id: int, **fields: Any) -> NeedInfo:
    values: dict[str, Any] = {
        "practice_id": 1,
        "current_level": 1,
        "target_level": 3,
        "urgency": "medium",
        "earliest_start": day(0),
        "preferred_days": 10,
        "open": True,
    }
    values.update(fields)
    return NeedInfo(id=need_id, business_id=business_id, **values)


def platform(
    businesses: Iterable[BusinessInfo],
    offers: Iterable[OfferInfo] = (),
    needs: Iterable[NeedInfo] = (),
    *,
    competitors: Iterable[tuple[int, int]] = (),
    related: Iterable[tuple[int, int]] = (),
    load: Mapping[int, int] | None = None,
    today: date = TODAY,
    excluded: Iterable[tuple[int, int]] = (),
) -> Platform:
    return Platform(
        businesses={info.id: info for info in businesses},
        offers=list(offers),
        needs=list(needs),
        competitor_pairs=frozenset(competitors),
        related_practices=frozenset(related),
        load=dict(load or {}),
        today=today,
        excluded_pairs=frozenset(excluded),
    )


def pairs(result: Any) -> set[tuple[int, int]]:
    """The (need id, offer id) pairs of a MatchResult."""
    return {(proposal.need_id, proposal.offer_id) for proposal in result.proposals}
