"""Properties over random platforms: the rules hold, results chain and repeat, capacity holds."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from internships.matching import MatchResult, MatchSettings, Platform, Proposal, greedy, match, naive, rules
from internships.matching.types import PART_NAMES
from tests.matching.platforms import platforms

DEFAULT = MatchSettings()
SINGLES_ONLY = MatchSettings(max_cycle_length=0)
EXAMPLES = settings(max_examples=150, deadline=None)


def candidate_offers(platform: Platform) -> dict[int, list[int]]:
    """Per need id, the offer ids the plain-Python rules accept."""
    competitors = rules.symmetric(platform.competitor_pairs)
    related = rules.symmetric(platform.related_practices)
    profiles = {b: rules.profile(info) for b, info in platform.businesses.items()}
    return {
        n.id: [
            o.id
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
        ]
        for n in platform.needs
    }


def assert_valid(platform: Platform, result: MatchResult, match_settings: MatchSettings = DEFAULT) -> None:
    needs = {n.id: n for n in platform.needs}
    offers = {o.id: o for o in platform.offers}
    profiles = {b: rules.profile(info) for b, info in platform.businesses.items()}
    allowed = candidate_offers(platform)

    # Each need at most once; no offer beyond its capacity minus load.
    assert len({p.need_id for p in result.proposals}) == len(result.proposals)
    for offer_id, used in Counter(p.offer_id for p in result.proposals).items():
        assert used <= rules.remaining_capacity(platform, offers[offer_id])

    for p in result.proposals:
        the_need, the_offer = needs[p.need_id], offers[p.offer_id]
        assert p.offer_id in allowed[p.need_id]  # every hard rule
        assert (p.need_business_id, p.offer_business_id) == (the_need.business_id, the_offer.business_id)
        start, days = rules.placement(the_need, the_offer, platform.today.toordinal()) or (0, 0)
        assert (p.start.toordinal(), p.days) == (start, days)
        learner, host = profiles[the_need.business_id], profiles[the_offer.business_id]
        fit = 1.0 if the_need.practice_id == the_offer.practice_id else 0.6
        reciprocal = p.exchange is not None
        expected = rules.score_parts(
            the_need, the_offer, learner, host, fit, match_settings.weights, reciprocal=reciprocal
        )
        assert tuple(p.parts) == PART_NAMES
        assert p.parts == expected
        assert p.score == rules.total(expected)
        assert p.flags == rules.flags(learner, host)

    # Exchanges: valid cycles, chained, disjoint, ranked first.
    seen: set[int] = set()
    in_exchanges: list[Proposal] = []
    for exchange in result.exchanges:
        size = len(exchange.business_ids)
        assert 2 <= size <= match_settings.max_cycle_length
        assert exchange.kind == ("swap" if size == 2 else "cycle")
        assert seen.isdisjoint(exchange.business_ids) and len(set(exchange.business_ids)) == size
        seen.update(exchange.business_ids)
        assert exchange.business_ids[0] == min(exchange.business_ids)
        for i, p in enumerate(exchange.proposals):
            assert p.offer_business_id == exchange.business_ids[i]
            assert p.need_business_id == exchange.business_ids[(i + 1) % size]
            assert p.exchange == exchange.key
        in_exchanges.extend(exchange.proposals)
    scores = [exchange.score for exchange in result.exchanges]
    assert scores == sorted(scores, reverse=True)
    assert list(result.proposals[: len(in_exchanges)]) == in_exchanges
    singles = result.proposals[len(in_exchanges) :]
    assert all(p.exchange is None for p in singles)
    assert list(singles) == sorted(singles, key=lambda p: (-p.score, p.need_id, p.offer_id))


def maximum_served(platform: Platform) -> int:
    """The most needs any assignment can serve: augmenting paths over capacity slots."""
    allowed = candidate_offers(platform)
    capacity = {o.id: rules.remaining_capacity(platform, o) for o in platform.offers}
    holders: dict[int, list[int]] = {offer_id: [] for offer_id in capacity}

    def augment(need_id: int, visited: set[int]) -> bool:
        for offer_id in allowed[need_id]:
            if offer_id in visited:
                continue
            visited.add(offer_id)
            if len(holders[offer_id]) < capacity[offer_id]:
                holders[offer_id].append(need_id)
                return True
            for other in holders[offer_id]:
                if augment(other, visited):
                    holders[offer_id].remove(other)
                    holders[offer_id].append(need_id)
                    return True
        return False

    return sum(augment(need_id, set()) for need_id in allowed)


@EXAMPLES
@given(platforms())
def test_match_never_breaks_a_rule(platform: Platform) -> None:
    assert_valid(platform, match(platform))


@EXAMPLES
@given(platforms(), st.sampled_from([0, 2, 3]), st.integers(1, 3))
def test_match_never_breaks_a_rule_whatever_the_settings(platform: Platform, length: int, top: int) -> None:
    narrow = MatchSettings(max_cycle_length=length, top_edges_per_business=top, exhaustive_exchanges_up_to=0)
    assert_valid(platform, match(platform, narrow), narrow)


@EXAMPLES
@given(platforms())
def test_the_baselines_never_break_a_rule_and_agree(platform: Platform) -> None:
    baseline = greedy(platform)
    assert_valid(platform, baseline)
    assert baseline.exchanges == ()
    # The numpy candidates and the plain-Python rules give the very same proposals.
    assert baseline == naive(platform)


@EXAMPLES
@given(platforms(), st.randoms(use_true_random=False))
def test_results_are_deterministic_whatever_the_input_order(platform: Platform, rng: random.Random) -> None:
    shuffled = replace(
        platform,
        offers=rng.sample(list(platform.offers), len(platform.offers)),
        needs=rng.sample(list(platform.needs), len(platform.needs)),
    )
    assert match(platform) == match(platform) == match(shuffled)


@EXAMPLES
@given(platforms())
def test_without_exchanges_it_serves_the_most_needs_possible(platform: Platform) -> None:
    served = len(match(platform, SINGLES_ONLY).proposals)
    assert served == maximum_served(platform)
    assert served >= len(greedy(platform).proposals)


@EXAMPLES
@given(platforms(), st.data())
def test_incremental_runs_keep_to_the_given_needs(platform: Platform, data: st.DataObject) -> None:
    chosen = data.draw(
        st.sets(st.sampled_from([n.id for n in platform.needs])) if platform.needs else st.just(set())
    )
    result = match(platform, need_ids=chosen)
    assert {p.need_id for p in result.proposals} <= chosen
    assert_valid(platform, result)


@EXAMPLES
@given(platforms(), st.data())
def test_excluded_pairs_never_appear(platform: Platform, data: st.DataObject) -> None:
    # Exclude some of what the engine proposed without exclusions: the pairs it would pick.
    first = sorted((p.need_id, p.offer_id) for p in match(platform).proposals)
    rejected = data.draw(st.sets(st.sampled_from(first)) if first else st.just(set()))
    excluded = replace(platform, excluded_pairs=platform.excluded_pairs | rejected)
    for result in (match(excluded), greedy(excluded), naive(excluded), match(excluded, SINGLES_ONLY)):
        assert not {(p.need_id, p.offer_id) for p in result.proposals} & excluded.excluded_pairs
    assert_valid(excluded, match(excluded))
    assert greedy(excluded) == naive(excluded)
