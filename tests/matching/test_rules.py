"""Each hard rule, each flag and the score parts, by hand, in the engine and both baselines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from internships.matching import (
    MatchResult,
    MatchSettings,
    Platform,
    ScoreWeights,
    greedy,
    match,
    naive,
    rules,
)
from tests.matching.builders import business, day, need, offer, pairs, platform

Engine = Callable[[Platform], MatchResult]
ENGINES = pytest.mark.parametrize("engine", [match, greedy, naive], ids=["match", "greedy", "naive"])

HOST, LEARNER = 1, 2


def host_and_learner(
    host: dict | None = None,
    learner: dict | None = None,
    the_offer: dict | None = None,
    the_need: dict | None = None,
    **extra: object,
) -> Platform:
    """Business 1 offers practice 1 (offer 10); business 2 needs it (need 20): a valid match."""
    return platform(
        [business(HOST, **(host or {})), business(LEARNER, **(learner or {}))],
        [offer(10, HOST, **(the_offer or {}))],
        [need(20, LEARNER, **(the_need or {}))],
        **extra,  # type: ignore[arg-type]
    )


@ENGINES
def test_it_proposes_a_valid_pair(engine: Engine) -> None:
    result = engine(host_and_learner())
    assert pairs(result) == {(20, 10)}
    proposal = result.proposals[0]
    assert (proposal.need_business_id, proposal.offer_business_id) == (LEARNER, HOST)
    assert proposal.flags == ()
    assert proposal.exchange is None


@ENGINES
def test_it_never_pairs_a_business_with_itself(engine: Engine) -> None:
    same = platform([business(1)], [offer(10, 1)], [need(20, 1)])
    assert engine(same).proposals == ()


@ENGINES
@pytest.mark.parametrize("declared", [(HOST, LEARNER), (LEARNER, HOST)])
def test_it_never_pairs_declared_competitors_either_way(engine: Engine, declared: tuple[int, int]) -> None:
    assert engine(host_and_learner(competitors=[declared])).proposals == ()


@ENGINES
@pytest.mark.parametrize("side", ["host", "learner"])
def test_it_never_pairs_an_unverified_business(engine: Engine, side: str) -> None:
    assert engine(host_and_learner(**{side: {"verified": False}})).proposals == ()


@ENGINES
def test_it_ignores_offers_and_needs_of_unknown_businesses(engine: Engine) -> None:
    unknown = platform([business(LEARNER)], [offer(10, 99)], [need(20, LEARNER), need(21, 98)])
    assert engine(unknown).proposals == ()


@ENGINES
def test_it_never_uses_an_inactive_offer(engine: Engine) -> None:
    assert engine(host_and_learner(the_offer={"active": False})).proposals == ()


@ENGINES
def test_it_never_serves_a_closed_need(engine: Engine) -> None:
    assert engine(host_and_learner(the_need={"open": False})).proposals == ()


@ENGINES
def test_it_needs_the_same_practice(engine: Engine) -> None:
    assert engine(host_and_learner(the_offer={"practice_id": 2})).proposals == ()


@ENGINES
@pytest.mark.parametrize("related", [(1, 2), (2, 1)])
def test_a_related_practice_matches_with_a_lower_fit(engine: Engine, related: tuple[int, int]) -> None:
    result = engine(host_and_learner(the_offer={"practice_id": 2}, related=[related]))
    assert pairs(result) == {(20, 10)}
    assert result.proposals[0].parts["practice_fit"] == 0.6


@ENGINES
@pytest.mark.parametrize(("level", "matched"), [(2, False), (3, True), (5, True)])
def test_the_offer_level_must_reach_the_target(engine: Engine, level: int, matched: bool) -> None:
    result = engine(host_and_learner(the_offer={"level": level}, the_need={"target_level": 3}))
    assert bool(result.proposals) is matched


@ENGINES
@pytest.mark.parametrize(
    ("host", "the_offer", "matched"),
    [
        ({"city": "Mumbai"}, {"mode": "onsite"}, False),
        ({"city": "Mumbai"}, {"mode": "remote"}, True),
        ({"city": "Mumbai"}, {"mode": "hybrid"}, True),
        ({"city": " PUNE ", "country": "in"}, {"mode": "onsite"}, True),
        ({"city": "Pune", "country": "US"}, {"mode": "onsite"}, False),
    ],
)
def test_onsite_offers_need_the_same_city_and_country(
    engine: Engine, host: dict, the_offer: dict, matched: bool
) -> None:
    assert bool(engine(host_and_learner(host=host, the_offer=the_offer)).proposals) is matched


@ENGINES
@pytest.mark.parametrize(
    ("the_offer", "the_need", "start", "days"),
    [
        # Days are the preferred days, clamped to the offer's minimum and maximum.
        ({"min_days": 5, "max_days": 30}, {"preferred_days": 3}, day(0), 5),
        ({"min_days": 5, "max_days": 30}, {"preferred_days": 50}, day(0), 30),
        # The start is the latest of the need's earliest start, the offer's first day and today.
        ({"available_from": day(-20)}, {"earliest_start": day(-5)}, day(0), 10),
        ({"available_from": day(7)}, {"earliest_start": day(3)}, day(7), 10),
        ({}, {"earliest_start": day(12)}, day(12), 10),
        # Blackouts push the start past them, one after the other.
        ({"blackouts": ((day(0), day(4)),)}, {}, day(5), 10),
        ({"blackouts": ((day(8), day(12)), (day(0), day(4)))}, {}, day(13), 10),
        ({"blackouts": ((day(20), day(25)),)}, {}, day(0), 10),
        # The placement may end on the offer's last day.
        ({"available_until": day(9)}, {}, day(0), 10),
    ],
)
def test_the_placement_is_the_first_feasible_one(
    engine: Engine, the_offer: dict, the_need: dict, start: date, days: int
) -> None:
    (proposal,) = engine(host_and_learner(the_offer=the_offer, the_need=the_need)).proposals
    assert (proposal.start, proposal.days) == (start, days)
    assert proposal.end == date.fromordinal(start.toordinal() + days - 1)


@ENGINES
@pytest.mark.parametrize(
    ("the_offer", "the_need"),
    [
        ({"available_until": day(8)}, {}),  # ten days do not fit a nine-day window
        ({"available_until": day(-1)}, {}),  # the window is over
        ({"available_until": day(30)}, {"earliest_start": day(25)}),
        ({"blackouts": ((day(5), day(95)),)}, {}),  # no ten clear days left
        ({"blackouts": ((day(-3), day(3)), (day(4), day(85)))}, {}),
    ],
)
def test_there_is_no_match_without_a_feasible_placement(
    engine: Engine, the_offer: dict, the_need: dict
) -> None:
    assert engine(host_and_learner(the_offer=the_offer, the_need=the_need)).proposals == ()


@ENGINES
def test_it_never_exceeds_capacity_minus_load(engine: Engine) -> None:
    learners = [business(b) for b in (2, 3, 4)]
    needs = [need(20 + b, b) for b in (2, 3, 4)]
    full = platform([business(HOST), *learners], [offer(10, HOST, capacity=2)], needs, load={10: 2})
    assert engine(full).proposals == ()
    one_left = platform([business(HOST), *learners], [offer(10, HOST, capacity=2)], needs, load={10: 1})
    assert len(engine(one_left).proposals) == 1
    two_left = platform([business(HOST), *learners], [offer(10, HOST, capacity=2)], needs)
    assert len(engine(two_left).proposals) == 2


@ENGINES
def test_it_never_proposes_a_pair_a_moderator_rejected(engine: Engine) -> None:
    assert engine(host_and_learner(excluded=[(20, 10)])).proposals == ()


@ENGINES
def test_a_rejected_pair_leaves_the_need_and_the_offer_free_for_others(engine: Engine) -> None:
    # Need 20 goes to the other host's offer 11; offer 10 still teaches business 3's need 30.
    rejected = platform(
        [business(HOST), business(LEARNER), business(3), business(4)],
        [offer(10, HOST, level=5), offer(11, 4)],
        [need(20, LEARNER), need(30, 3, urgency="low")],
        excluded=[(20, 10), (99, 10), (20, 99)],  # pairs of unknown needs or offers change nothing
    )
    assert pairs(engine(rejected)) == {(20, 11), (30, 10)}


@ENGINES
@pytest.mark.parametrize(
    ("host", "learner", "flags"),
    [
        ({"industry": "541"}, {"industry": "541"}, ("Same industry (NAICS 541) and same market (Pune, IN)",)),
        (
            {"industry": "541", "city": "Mumbai"},
            {"industry": "541"},
            ("Same industry (NAICS 541) and same market (IN)",),
        ),
        ({"industry": "541", "country": "DE"}, {"industry": "541"}, ()),
        ({"industry": "541"}, {"industry": "722"}, ()),
        (
            {"sells_keywords": frozenset({"UX", "design", "bread"})},
            {"sells_keywords": frozenset({"ux", "Design", "apps"})},
            ("Both sell: design, ux",),
        ),
        (
            {"name_tokens": frozenset({"pixel", "works"})},
            {"name_tokens": frozenset({"Pixel"})},
            ("Similar names: pixel",),
        ),
        (
            {"industry": "541", "sells_keywords": frozenset({"ux"}), "name_tokens": frozenset({"pixel"})},
            {"industry": "541", "sells_keywords": frozenset({"ux"}), "name_tokens": frozenset({"pixel"})},
            (
                "Same industry (NAICS 541) and same market (Pune, IN)",
                "Both sell: ux",
                "Similar names: pixel",
            ),
        ),
    ],
)
def test_possible_competitors_are_proposed_with_flags(
    engine: Engine, host: dict, learner: dict, flags: tuple
) -> None:
    the_offer = {"mode": "remote"}
    (proposal,) = engine(host_and_learner(host=host, learner=learner, the_offer=the_offer)).proposals
    assert proposal.flags == flags


def test_the_score_is_the_documented_sum_of_its_parts() -> None:
    pair = host_and_learner(
        host={"track_record": 5.0},
        the_offer={"level": 4},
        the_need={"current_level": 1, "target_level": 3, "urgency": "high"},
    )
    (proposal,) = match(pair).proposals
    assert proposal.parts == pytest.approx(
        {
            "practice_fit": 1.0,
            "level_gain": 0.15 * 2 + 0.05 * 1,
            "urgency": 0.5,
            "distance": 0.5,
            "track_record": 0.5,
            "reciprocity": 0.0,
        }
    )
    assert proposal.score == pytest.approx(2.85)
    assert proposal.score == sum(proposal.parts.values())


@pytest.mark.parametrize(
    ("host", "the_offer", "distance"),
    [
        ({}, {}, 0.5),
        ({"city": "Mumbai"}, {"mode": "hybrid"}, 0.25),
        ({"city": "Berlin", "country": "DE"}, {"mode": "remote"}, 0.0),
    ],
)
def test_nearer_hosts_score_higher(host: dict, the_offer: dict, distance: float) -> None:
    (proposal,) = match(host_and_learner(host=host, the_offer=the_offer)).proposals
    assert proposal.parts["distance"] == distance


@pytest.mark.parametrize(("track_record", "part"), [(None, 0.0), (3.0, 0.0), (1.0, -0.5), (4.0, 0.25)])
def test_the_host_track_record_counts_and_none_is_neutral(track_record: float | None, part: float) -> None:
    (proposal,) = match(host_and_learner(host={"track_record": track_record})).proposals
    assert proposal.parts["track_record"] == part


def test_weights_scale_each_part() -> None:
    weighted = MatchSettings(weights=ScoreWeights(practice_fit=2.0, urgency=0.0, distance=3.0))
    (proposal,) = match(host_and_learner(the_need={"urgency": "high"}), weighted).proposals
    assert proposal.parts["practice_fit"] == 2.0
    assert proposal.parts["urgency"] == 0.0
    assert proposal.parts["distance"] == 1.5


@pytest.mark.parametrize(
    "values",
    [{"max_cycle_length": 4}, {"max_cycle_length": -1}, {"top_edges_per_business": 0}],
)
def test_settings_reject_values_the_engine_cannot_honour(values: dict) -> None:
    with pytest.raises(ValueError):
        MatchSettings(**values)


def test_a_changed_business_is_profiled_afresh() -> None:
    """Profiles are cached by business: the same id with other values is another business."""
    assert rules.profile(business(HOST, city="Pune")).city == "pune"
    assert rules.profile(business(HOST, city=" Mumbai ")).city == "mumbai"
    bakery = business(HOST, city="Mumbai", sells_keywords=frozenset({"Bread"}))
    assert rules.profile(bakery).sells == {"bread"}
