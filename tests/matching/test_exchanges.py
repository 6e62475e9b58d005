"""Swaps and cycles of three: found, chained, ranked first, and as many as a full search finds."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from functools import cache

import pytest
from hypothesis import given, settings

from internships.matching import MatchSettings, Platform, match, rules
from tests.matching.builders import business, need, offer, platform
from tests.matching.platforms import platforms, random_platform


def swap() -> Platform:
    """Business 1 teaches practice 1 and needs 2; business 2 the other way round; 3 needs practice 1."""
    return platform(
        [business(1), business(2), business(3)],
        [offer(10, 1, practice_id=1, capacity=2), offer(20, 2, practice_id=2)],
        [
            need(11, 1, practice_id=2, urgency="low"),
            need(21, 2, practice_id=1, urgency="low"),
            need(31, 3, practice_id=1, target_level=4, urgency="high"),
        ],
    )


def cycle() -> Platform:
    """1 teaches 2 (practice 1), 2 teaches 3 (practice 2), 3 teaches 1 (practice 3)."""
    return platform(
        [business(1), business(2), business(3)],
        [offer(10, 1, practice_id=1), offer(20, 2, practice_id=2), offer(30, 3, practice_id=3)],
        [need(11, 1, practice_id=3), need(21, 2, practice_id=1), need(31, 3, practice_id=2)],
    )


def test_a_swap_is_found_and_ranked_before_better_scoring_singles() -> None:
    result = match(swap())
    (exchange,) = result.exchanges
    assert exchange.kind == "swap"
    assert exchange.business_ids == (1, 2)
    assert [(p.offer_id, p.need_id) for p in exchange.proposals] == [(10, 21), (20, 11)]
    assert result.proposals[:2] == exchange.proposals
    assert all(p.exchange == "swap:1-2" and p.parts["reciprocity"] == 0.5 for p in exchange.proposals)
    single = result.proposals[2]
    assert (single.need_id, single.offer_id, single.exchange) == (31, 10, None)
    assert single.score > min(p.score for p in exchange.proposals)


def test_a_rejected_leg_breaks_the_swap() -> None:
    # Without 2's need learning from 1, there is no swap: 1's need is served as a single.
    result = match(replace(swap(), excluded_pairs=frozenset({(21, 10)})))
    assert result.exchanges == ()
    assert {(p.need_id, p.offer_id) for p in result.proposals} == {(11, 20), (31, 10)}
    assert all(p.exchange is None for p in result.proposals)


def test_a_rejected_leg_breaks_the_cycle() -> None:
    result = match(replace(cycle(), excluded_pairs=frozenset({(31, 20)})))
    assert result.exchanges == ()
    assert {(p.need_id, p.offer_id) for p in result.proposals} == {(11, 30), (21, 10)}


def test_a_cycle_of_three_is_found_and_chained() -> None:
    result = match(cycle())
    (exchange,) = result.exchanges
    assert exchange.kind == "cycle"
    assert exchange.business_ids == (1, 2, 3)
    assert exchange.key == "cycle:1-2-3"
    chain = [(p.offer_business_id, p.need_business_id) for p in exchange.proposals]
    assert chain == [(1, 2), (2, 3), (3, 1)]
    assert result.proposals == exchange.proposals


def test_max_cycle_length_two_finds_swaps_but_no_cycles() -> None:
    swaps_only = MatchSettings(max_cycle_length=2)
    result = match(cycle(), swaps_only)
    assert result.exchanges == ()
    assert len(result.proposals) == 3
    assert all(p.exchange is None and p.parts["reciprocity"] == 0.0 for p in result.proposals)
    assert [e.kind for e in match(swap(), swaps_only).exchanges] == ["swap"]
    assert match(swap(), MatchSettings(max_cycle_length=0)).exchanges == ()


def test_a_cycle_of_three_beats_an_overlapping_swap() -> None:
    # Swap 1 <-> 2, and cycle 2 -> 3 -> 4 -> 2: business 2 can only be in one of them.
    overlapping = platform(
        [business(b) for b in (1, 2, 3, 4)],
        [offer(10, 1, practice_id=1), offer(20, 2, practice_id=2), offer(30, 3, practice_id=3), offer(40, 4)],
        [
            need(11, 1, practice_id=2),
            need(21, 2, practice_id=1),
            need(31, 3, practice_id=2),
            need(41, 4, practice_id=3),
        ],
    )
    result = match(overlapping)
    assert [(e.kind, e.business_ids) for e in result.exchanges] == [("cycle", (2, 3, 4))]


def test_exchanges_are_ranked_by_total_score() -> None:
    two_swaps = platform(
        [business(b) for b in (1, 2, 3, 4)],
        [
            offer(10, 1, practice_id=1),
            offer(20, 2, practice_id=2),
            offer(30, 3, practice_id=3),
            offer(40, 4, practice_id=4),
        ],
        [
            need(11, 1, practice_id=2),
            need(21, 2, practice_id=1),
            need(31, 3, practice_id=4, urgency="high"),
            need(41, 4, practice_id=3, urgency="high"),
        ],
    )
    result = match(two_swaps)
    assert [e.business_ids for e in result.exchanges] == [(3, 4), (1, 2)]
    assert result.exchanges[0].score > result.exchanges[1].score
    assert [p.exchange for p in result.proposals] == ["swap:3-4", "swap:3-4", "swap:1-2", "swap:1-2"]


def exhaustive_coverage(platform: Platform, max_length: int = 3) -> int:
    """The most businesses that disjoint swaps and 3-cycles can cover, by trying every packing."""
    competitors = rules.symmetric(platform.competitor_pairs)
    related = rules.symmetric(platform.related_practices)
    profiles = {b: rules.profile(info) for b, info in platform.businesses.items()}
    edges = {
        (o.business_id, n.business_id)
        for n in platform.needs
        for o in platform.offers
        if rules.check(
            n,
            o,
            profiles.get(n.business_id),
            profiles.get(o.business_id),
            competitors=competitors,
            related=related,
            remaining=rules.remaining_capacity(platform, o),
            today=platform.today.toordinal(),
            excluded=platform.excluded_pairs,
        )
    }
    ids = sorted(platform.businesses)
    cycles = [frozenset(p) for p in itertools.combinations(ids, 2) if p in edges and p[::-1] in edges]
    if max_length >= 3:
        cycles += [
            frozenset((a, b, c))
            for a, b, c in itertools.permutations(ids, 3)
            if (a, b) in edges and (b, c) in edges and (c, a) in edges
        ]

    @cache
    def best(free: frozenset[int]) -> int:
        if not free:
            return 0
        lowest = min(free)
        options = [best(free - {lowest})]
        options += [len(c) + best(free - c) for c in cycles if lowest in c and c <= free]
        return max(options)

    return best(frozenset(ids))


def covered(platform: Platform, settings: MatchSettings) -> int:
    return sum(len(exchange.business_ids) for exchange in match(platform, settings).exchanges)


@pytest.mark.parametrize(
    "settings_",
    [
        MatchSettings(),
        MatchSettings(max_cycle_length=2),
        # The top-k search itself, with k large enough to see every edge of 12 businesses.
        MatchSettings(exhaustive_exchanges_up_to=0, top_edges_per_business=11),
    ],
    ids=["default", "swaps-only", "top-k"],
)
def test_exchanges_cover_as_many_businesses_as_a_full_search(settings_: MatchSettings) -> None:
    rng = random.Random(2026)
    nonzero = 0
    for _ in range(150):
        small = random_platform(rng, rng.randint(2, 12))
        expected = exhaustive_coverage(small, settings_.max_cycle_length)
        assert covered(small, settings_) == expected
        nonzero += expected > 0
    assert nonzero > 100  # the generator does make exchanges


@settings(max_examples=150, deadline=None)
@given(platforms(max_businesses=8, practices=2))
def test_exchanges_cover_as_many_businesses_as_a_full_search_on_any_platform(small: Platform) -> None:
    assert covered(small, MatchSettings()) == exhaustive_coverage(small)


def test_the_top_k_search_finds_fewer_exchanges_only_by_design() -> None:
    # With k = 1 the search may miss exchanges, but what it proposes stays valid and disjoint.
    rng = random.Random(5)
    narrow = MatchSettings(exhaustive_exchanges_up_to=0, top_edges_per_business=1)
    for _ in range(50):
        small = random_platform(rng, rng.randint(2, 12))
        assert covered(small, narrow) <= exhaustive_coverage(small)


def test_exchanges_from_each_needs_best_few_offers_stay_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    # Large platforms build business edges from each need's best few candidates only.
    from internships.matching import exchanges
    from tests.matching.test_properties import assert_valid

    monkeypatch.setattr(exchanges, "EDGE_OFFERS_PER_NEED", 1)
    pruned = MatchSettings(exhaustive_exchanges_up_to=0, top_edges_per_business=3)
    rng = random.Random(11)
    for _ in range(40):
        small = random_platform(rng, rng.randint(2, 12), practices=1)
        assert_valid(small, match(small, pruned), pruned)
