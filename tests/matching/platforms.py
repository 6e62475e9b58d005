"""Random small platforms: a hypothesis strategy, and a seeded generator for plain loops."""

from __future__ import annotations

import random
from datetime import timedelta

from hypothesis import strategies as st

from internships.matching import BusinessInfo, NeedInfo, OfferInfo, Platform
from internships.matching.types import Mode, Urgency
from tests.matching.builders import TODAY, day

# Spelled differently on purpose: city and country compare case- and space-insensitively.
PLACES = [("Pune", "IN"), ("pune ", "in"), ("Mumbai", "IN"), ("Berlin", "DE")]
MODES: list[Mode] = ["onsite", "onsite", "remote", "hybrid"]
URGENCIES: list[Urgency] = ["low", "medium", "high"]
WORDS = ["design", "ux", "bread", "pixel"]
INDUSTRIES = ["541", "722", "311"]


@st.composite
def platforms(draw: st.DrawFn, max_businesses: int = 7, practices: int = 3) -> Platform:
    count = draw(st.integers(1, max_businesses))
    businesses = {}
    offers: list[OfferInfo] = []
    needs: list[NeedInfo] = []
    for business_id in range(1, count + 1):
        city, country = draw(st.sampled_from(PLACES))
        businesses[business_id] = BusinessInfo(
            id=business_id,
            verified=draw(st.sampled_from([True, True, True, False])),
            city=city,
            country=country,
            industry=draw(st.sampled_from(INDUSTRIES)),
            sells_keywords=frozenset(draw(st.sets(st.sampled_from(WORDS), max_size=2))),
            name_tokens=frozenset(draw(st.sets(st.sampled_from(WORDS), max_size=1))),
            track_record=draw(st.none() | st.sampled_from([1.0, 2.5, 3.0, 4.2, 5.0])),
        )
        for _ in range(draw(st.integers(0, 2))):
            start = draw(st.integers(-20, 40))
            blackouts = []
            for _ in range(draw(st.integers(0, 2))):
                first = draw(st.integers(-5, 60))
                blackouts.append((day(first), day(first + draw(st.integers(0, 10)))))
            min_days = draw(st.integers(1, 10))
            offers.append(
                OfferInfo(
                    id=len(offers) + 1,
                    business_id=business_id,
                    practice_id=draw(st.integers(1, practices)),
                    level=draw(st.integers(1, 5)),
                    capacity=draw(st.integers(1, 2)),
                    mode=draw(st.sampled_from(MODES)),
                    available_from=day(start),
                    available_until=day(start + draw(st.integers(0, 60))),
                    min_days=min_days,
                    max_days=min_days + draw(st.integers(0, 20)),
                    blackouts=tuple(blackouts),
                    active=draw(st.sampled_from([True, True, True, False])),
                )
            )
        for _ in range(draw(st.integers(0, 2))):
            current = draw(st.integers(1, 4))
            needs.append(
                NeedInfo(
                    id=len(needs) + 1,
                    business_id=business_id,
                    practice_id=draw(st.integers(1, practices)),
                    current_level=current,
                    target_level=draw(st.integers(current, 5)),
                    urgency=draw(st.sampled_from(URGENCIES)),
                    earliest_start=day(draw(st.integers(-10, 40))),
                    preferred_days=draw(st.integers(1, 25)),
                    open=draw(st.sampled_from([True, True, True, False])),
                )
            )
    ids = st.integers(1, count)
    practice_ids = st.integers(1, practices)
    pairs = st.tuples(st.integers(1, max(len(needs), 1)), st.integers(1, max(len(offers), 1)))
    return Platform(
        businesses=businesses,
        offers=offers,
        needs=needs,
        competitor_pairs=frozenset(draw(st.lists(st.tuples(ids, ids), max_size=3))),
        related_practices=frozenset(draw(st.lists(st.tuples(practice_ids, practice_ids), max_size=2))),
        load={o.id: draw(st.integers(0, 2)) for o in offers if draw(st.booleans())},
        today=TODAY,
        excluded_pairs=frozenset(draw(st.lists(pairs, max_size=3))),
    )


def random_platform(rng: random.Random, businesses: int, *, practices: int = 2) -> Platform:
    """A seeded platform dense in reciprocal edges, for comparing exchanges with a full search."""
    infos = {}
    offers: list[OfferInfo] = []
    needs: list[NeedInfo] = []
    for business_id in range(1, businesses + 1):
        city, country = rng.choice(PLACES)
        infos[business_id] = BusinessInfo(
            id=business_id,
            verified=rng.random() < 0.9,
            city=city,
            country=country,
            industry=rng.choice(INDUSTRIES),
            track_record=rng.choice([None, 2.0, 4.5]),
        )
        for _ in range(rng.randint(1, 2)):
            start = rng.randint(-10, 20)
            offers.append(
                OfferInfo(
                    id=len(offers) + 1,
                    business_id=business_id,
                    practice_id=rng.randint(1, practices),
                    level=rng.randint(2, 5),
                    capacity=rng.randint(1, 2),
                    mode=rng.choice(MODES),
                    available_from=day(start),
                    available_until=day(start + rng.randint(10, 60)),
                    min_days=5,
                    max_days=20,
                    active=rng.random() < 0.95,
                )
            )
        for _ in range(rng.randint(1, 2)):
            needs.append(
                NeedInfo(
                    id=len(needs) + 1,
                    business_id=business_id,
                    practice_id=rng.randint(1, practices),
                    current_level=1,
                    target_level=rng.randint(2, 4),
                    urgency=rng.choice(URGENCIES),
                    earliest_start=TODAY + timedelta(days=rng.randint(0, 20)),
                    preferred_days=rng.randint(5, 15),
                )
            )
    competitors = {
        (rng.randint(1, businesses), rng.randint(1, businesses))
        for _ in range(rng.randint(0, businesses // 3))
    }
    return Platform(
        businesses=infos,
        offers=offers,
        needs=needs,
        competitor_pairs=frozenset(competitors),
        related_practices=frozenset({(1, 2)}) if rng.random() < 0.3 else frozenset(),
        load={},
        today=TODAY,
    )
