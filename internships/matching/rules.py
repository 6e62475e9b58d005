"""The hard rules, the score and the flags for one need and one offer, in plain Python.

`naive()` applies these to every pair; `candidates.py` applies the same rules to arrays, and
every proposal takes its parts and flags from here, so the two can never disagree in what they
show. Each part below is multiplied by its `MatchSettings.weights` entry; the score is the sum:

| part          | value                                                                 |
| ------------- | --------------------------------------------------------------------- |
| practice_fit  | 1.0 same practice, 0.6 a related practice                             |
| level_gain    | 0.15 × (target − current level) + 0.05 × (offer level − target)       |
| urgency       | high 0.5, medium 0.25, low 0                                          |
| distance      | same city 0.5, same country 0.25, elsewhere (remote or hybrid) 0      |
| track_record  | the host's average review: (rating − 3) / 4, so −0.5 … +0.5; none → 0 |
| reciprocity   | 0.5 when the proposal is part of a swap or a cycle, else 0            |
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from internships.matching.types import PART_NAMES, BusinessInfo, NeedInfo, OfferInfo, Platform, ScoreWeights

SAME_PRACTICE_FIT = 1.0
RELATED_PRACTICE_FIT = 0.6
LEVEL_GAIN_PER_STEP = 0.15
HEADROOM_PER_STEP = 0.05
URGENCY = {"low": 0.0, "medium": 0.25, "high": 0.5}
SAME_CITY = 0.5
SAME_COUNTRY = 0.25
RECIPROCITY = 0.5
FLEXIBLE_MODES = frozenset({"remote", "hybrid"})
# Offers are ranked by score to the millionth, then by id: see `rank`.
RANK_SCALE = 1_000_000


def norm(text: str) -> str:
    return text.strip().casefold()


class Profile(NamedTuple):
    """A business with its text normalised once, for the comparisons below."""

    info: BusinessInfo
    city: str
    country: str
    industry: str
    sells: frozenset[str]
    names: frozenset[str]


@lru_cache(maxsize=1 << 16)
def profile(info: BusinessInfo) -> Profile:
    # Cached by the whole business, so that a changed one is a new entry: a worker matches the same
    # businesses run after run, and normalising their words took a third of a one-need run's engine.
    # norm() spelled out, and a tuple rather than a frozen dataclass: this runs for every business.
    return Profile(
        info,
        info.city.strip().casefold(),
        info.country.strip().casefold(),
        info.industry.strip().casefold(),
        frozenset([word.strip().casefold() for word in info.sells_keywords]),
        frozenset([token.strip().casefold() for token in info.name_tokens]),
    )


def symmetric(pairs: Iterable[tuple[int, int]]) -> frozenset[tuple[int, int]]:
    """Both directions of each pair: competitors and related practices hold either way round."""
    return frozenset(pair for a, b in pairs for pair in ((a, b), (b, a)))


def remaining_capacity(platform: Platform, offer: OfferInfo) -> int:
    return offer.capacity - platform.load.get(offer.id, 0)


def track_record_part(host: BusinessInfo, weight: float) -> float:
    return 0.0 if host.track_record is None else weight * ((host.track_record - 3) / 4)


@dataclass(frozen=True, slots=True)
class Fit:
    """A pair that passed every hard rule, with its placement."""

    practice_fit: float  # SAME_PRACTICE_FIT or RELATED_PRACTICE_FIT
    start: int  # date ordinal of the first feasible start
    days: int


def placement(need: NeedInfo, offer: OfferInfo, today: int) -> tuple[int, int] | None:
    """The first (start ordinal, days) inside the offer's window and clear of its blackouts."""
    days = min(max(need.preferred_days, offer.min_days), offer.max_days)
    if days < 1:
        return None
    start = max(need.earliest_start.toordinal(), offer.available_from.toordinal(), today)
    # One pass over blackouts sorted by their first day suffices: after a jump past one
    # blackout, no earlier-starting blackout can overlap the new interval.
    for first, last in sorted(offer.blackouts):
        if start <= last.toordinal() and start + days - 1 >= first.toordinal():
            start = last.toordinal() + 1
    if start + days - 1 > offer.available_until.toordinal():
        return None
    return start, days


def check(
    need: NeedInfo,
    offer: OfferInfo,
    learner: Profile | None,
    host: Profile | None,
    *,
    competitors: Collection[tuple[int, int]],
    related: Collection[tuple[int, int]],
    remaining: int,
    today: int,
    excluded: Collection[tuple[int, int]] = frozenset(),
) -> Fit | None:
    """Every hard rule for one pair; `competitors` and `related` must hold both directions."""
    if learner is None or host is None or learner.info.id == host.info.id:
        return None
    if (need.id, offer.id) in excluded:
        return None
    if not (learner.info.verified and host.info.verified and offer.active and need.open and remaining > 0):
        return None
    if need.practice_id == offer.practice_id:
        practice_fit = SAME_PRACTICE_FIT
    elif (need.practice_id, offer.practice_id) in related:
        practice_fit = RELATED_PRACTICE_FIT
    else:
        return None
    if offer.level < need.target_level or (learner.info.id, host.info.id) in competitors:
        return None
    if not (offer.mode in FLEXIBLE_MODES or (learner.city == host.city and learner.country == host.country)):
        return None
    found = placement(need, offer, today)
    if found is None:
        return None
    return Fit(practice_fit, *found)


def score_parts(
    need: NeedInfo,
    offer: OfferInfo,
    learner: Profile,
    host: Profile,
    practice_fit: float,
    weights: ScoreWeights,
    *,
    reciprocal: bool = False,
) -> dict[str, float]:
    if learner.country != host.country:
        distance = 0.0
    elif learner.city == host.city:
        distance = SAME_CITY
    else:
        distance = SAME_COUNTRY
    gain = max(need.target_level - need.current_level, 0)
    headroom = offer.level - need.target_level
    return {
        "practice_fit": weights.practice_fit * practice_fit,
        "level_gain": weights.level_gain * (LEVEL_GAIN_PER_STEP * gain + HEADROOM_PER_STEP * headroom),
        "urgency": weights.urgency * URGENCY[need.urgency],
        "distance": weights.distance * distance,
        "track_record": track_record_part(host.info, weights.track_record),
        "reciprocity": weights.reciprocity * RECIPROCITY if reciprocal else 0.0,
    }


def total(parts: dict[str, float]) -> float:
    """The score: the parts added in PART_NAMES order, the order the array code adds them in."""
    score = 0.0
    for name in PART_NAMES:
        score += parts[name]
    return score


def rank(score: float) -> int:
    """The score as compared when choosing between offers: to the millionth, so exact ties break by id."""
    return round(score * RANK_SCALE)


def flags(learner: Profile, host: Profile) -> tuple[str, ...]:
    """Reasons a moderator should look twice: the pair may compete although not declared."""
    found = []
    if learner.industry and learner.industry == host.industry and learner.country == host.country:
        info = learner.info
        market = f"{info.city}, {info.country}" if learner.city == host.city else info.country
        found.append(f"Same industry (NAICS {info.industry}) and same market ({market})")
    if both_sell := learner.sells & host.sells:
        found.append("Both sell: " + ", ".join(sorted(both_sell)))
    if names := learner.names & host.names:
        found.append("Similar names: " + ", ".join(sorted(names)))
    return tuple(found)
