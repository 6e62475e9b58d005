"""Candidate pairs (need, offer) that pass every hard rule, found with numpy.

The platform is turned into columns once (`Table`). Offers are sorted by practice, then into
"segments" (the flexible ones, i.e. remote or hybrid, and the onsite ones of each city), each
sorted by level. For one need and one same-or-related practice, the offers that pass the
location and level rules are therefore two contiguous ranges: the flexible segment and the
onsite segment of the need's city, each from the first offer at the need's target level on.
Those ranges are expanded into pairs in chunks of about a million, the remaining rules of
`rules.check` are applied to whole arrays, and the score is computed the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from internships.matching import rules
from internships.matching.types import NeedInfo, OfferInfo, Platform, ScoreWeights

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

CHUNK_PAIRS = 1 << 20
RANK_SCALE = rules.RANK_SCALE
NEVER = np.iinfo(np.int64).max // 4  # a padding "blackout" that overlaps no placement


@dataclass(slots=True)
class Table:
    """The eligible needs and offers of a platform as columns; indexes refer to `needs`/`offers`."""

    platform: Platform
    profiles: dict[int, rules.Profile]  # by business id, for the businesses below
    needs: list[NeedInfo]  # open, verified business; sorted by (practice, id)
    offers: list[OfferInfo]  # active, verified, capacity left; by (practice, segment, level, id)
    business_ids: Ints  # sorted; a business "index" is a position here
    business_city: Ints  # a code per (city, country), by business index
    business_country: Ints
    need_business: Ints
    offer_business: Ints
    need_ids: Ints
    offer_ids: Ints
    offer_rank: Ints  # the position of each offer's id among the sorted ids
    offer_city: Ints  # the host's city code for onsite offers, -1 for remote and hybrid ones
    remaining: Ints  # capacity minus load, per offer
    offer_values: Ints  # (offers, 5): level, first and last day (ordinals), min and max days
    practices: dict[int, tuple[int, int, int, int]]  # practice -> need range, offer range
    related: dict[int, list[int]]  # practice -> related practices that have offers


@dataclass(slots=True)
class Candidates:
    """Parallel arrays, one row per candidate pair, sorted by need index, best score first."""

    need: Ints
    offer: Ints
    score: Floats
    start: Ints  # date ordinal
    days: Ints

    def __len__(self) -> int:
        return len(self.need)

    def take(self, rows: Ints | Bools) -> Candidates:
        return Candidates(
            self.need[rows], self.offer[rows], self.score[rows], self.start[rows], self.days[rows]
        )


def rank(score: Floats) -> Ints:
    """`rules.rank` over an array: the same rounding of the same product, so the same integers."""
    return np.rint(score * RANK_SCALE).astype(np.int64)


def order_by(*columns: Ints, stable: bool = False) -> Ints:
    """Like `np.lexsort(columns[::-1])` (first column most significant) for non-negative integers.

    Packing the columns into one int64 key and sorting that is about ten times faster than
    `lexsort`; when they need more than 63 bits, `lexsort` it is. Pass `stable` unless the
    columns together are unique per row.
    """
    rows = len(columns[0])
    widths = [int(column.max()).bit_length() if rows else 0 for column in columns]
    if stable and sum(widths) + rows.bit_length() <= 63:
        # The row number as the last column makes keys unique: a plain sort is then stable.
        columns, widths, stable = (*columns, np.arange(rows)), [*widths, rows.bit_length()], False
    if sum(widths) > 63:
        return np.lexsort(columns[::-1])
    key = np.zeros(rows, np.int64)
    for column, width in zip(columns, widths, strict=True):
        key = (key << width) | column
    return np.argsort(key, kind="stable" if stable else None)


def position_in_run(values: Ints) -> Ints:
    """Each row's position within its run of equal consecutive values: its rank in a sorted group."""
    head = np.r_[True, values[1:] != values[:-1]]
    return np.arange(len(values)) - np.maximum.accumulate(np.where(head, np.arange(len(values)), 0))


def build_table(platform: Platform, need_ids: Collection[int] | None = None) -> Table:
    businesses = platform.businesses
    wanted = None if need_ids is None else frozenset(need_ids)

    verified = {business_id for business_id, info in businesses.items() if info.verified}
    needs = sorted(
        (
            need
            for need in platform.needs
            if need.open and need.business_id in verified and (wanted is None or need.id in wanted)
        ),
        key=lambda need: (need.practice_id, need.id),
    )
    load = platform.load
    offers = [
        offer
        for offer in platform.offers
        if offer.active and offer.business_id in verified and offer.capacity > load.get(offer.id, 0)
    ]
    business_ids = sorted({n.business_id for n in needs} | {o.business_id for o in offers})
    profiles: dict[int, rules.Profile] = {}
    cities: dict[tuple[str, str], int] = {}
    countries: dict[str, int] = {}
    city_of, country_of = {}, []
    for business_id in business_ids:
        found = profiles[business_id] = rules.profile(businesses[business_id])
        city_of[business_id] = cities.setdefault((found.city, found.country), len(cities))
        country_of.append(countries.setdefault(found.country, len(countries)))

    # Every per-offer value in one pass, then one sort of the rows: on a one-need run, a Python
    # sort and a list per column cost more than the rest of the engine.
    flexible = rules.FLEXIBLE_MODES
    rows = np.array(
        [
            (
                o.practice_id,
                -1 if o.mode in flexible else city_of[o.business_id],
                o.level,
                o.id,
                o.business_id,
                o.capacity - load.get(o.id, 0),
                o.available_from.toordinal(),
                o.available_until.toordinal(),
                o.min_days,
                o.max_days,
            )
            for o in offers
        ],
        np.int64,
    ).reshape(-1, 10)
    order = np.lexsort((rows[:, 3], rows[:, 2], rows[:, 1], rows[:, 0]))
    rows = rows[order]
    offers = [offers[index] for index in order.tolist()]

    # Practice -> (need range, offer range): needs and offers are sorted by practice, so a
    # practice without needs or offers gets an empty range where they would be.
    need_practice = np.array([need.practice_id for need in needs], np.int64)
    offer_practice = rows[:, 0]
    practices = list(dict.fromkeys([*need_practice.tolist(), *offer_practice.tolist()]))
    keys = np.array(practices, np.int64)
    bounds = np.column_stack(
        [
            np.searchsorted(need_practice, keys, "left"),
            np.searchsorted(need_practice, keys, "right"),
            np.searchsorted(offer_practice, keys, "left"),
            np.searchsorted(offer_practice, keys, "right"),
        ]
    ).tolist()
    ranges = {practice: (b[0], b[1], b[2], b[3]) for practice, b in zip(practices, bounds, strict=True)}
    related: dict[int, list[int]] = defaultdict(list)
    for a, b in sorted(rules.symmetric(platform.related_practices)):
        if a != b and a in ranges and b in ranges and ranges[b][3] > ranges[b][2]:
            related[a].append(b)
    ids = np.array(business_ids, np.int64)
    offer_ids = rows[:, 3]
    return Table(
        platform=platform,
        profiles=profiles,
        needs=needs,
        offers=offers,
        business_ids=ids,
        business_city=np.array(list(city_of.values()), np.int64),
        business_country=np.array(country_of, np.int64),
        need_business=np.searchsorted(ids, np.array([n.business_id for n in needs], np.int64)),
        offer_business=np.searchsorted(ids, rows[:, 4]),
        need_ids=np.array([n.id for n in needs], np.int64),
        offer_ids=offer_ids,
        offer_rank=np.argsort(np.argsort(offer_ids)),
        offer_city=rows[:, 1],
        remaining=rows[:, 5],
        offer_values=rows[:, [2, 6, 7, 8, 9]],
        practices=ranges,
        related=dict(related),
    )


@dataclass(slots=True)
class _Columns:
    """Per-need and per-offer values the rules and the score read, gathered once per run."""

    need_target: Ints
    need_gain: Ints
    need_urgency: Floats
    need_earliest: Ints
    need_days: Ints
    offer_level: Ints
    offer_track: Floats
    offer_from: Ints
    offer_until: Ints
    offer_min: Ints
    offer_max: Ints
    blackout_first: Ints  # (offers, most blackouts), sorted per offer, padded with NEVER
    blackout_last: Ints
    competitor_keys: Ints  # min(a, b) * businesses + max(a, b), sorted, over business indexes
    has_competitor: Bools  # by business index
    excluded_keys: Ints  # need index * offers + offer index, sorted: the pairs never to propose


def _columns(table: Table, weights: ScoreWeights) -> _Columns:
    platform, needs, offers = table.platform, table.needs, table.offers
    with_blackouts = [(row, sorted(offer.blackouts)) for row, offer in enumerate(offers) if offer.blackouts]
    most = max((len(blackouts) for _, blackouts in with_blackouts), default=0)
    blackout_first = np.full((len(offers), most), NEVER, np.int64)
    blackout_last = np.full((len(offers), most), NEVER, np.int64)
    for row, blackouts in with_blackouts:
        for column, (first, last) in enumerate(blackouts):
            blackout_first[row, column] = first.toordinal()
            blackout_last[row, column] = last.toordinal()
    size = len(table.business_ids)
    position = (
        {business_id: index for index, business_id in enumerate(table.business_ids.tolist())}
        if platform.competitor_pairs
        else {}
    )
    keys = {
        min(position[a], position[b]) * size + max(position[a], position[b])
        for a, b in platform.competitor_pairs
        if a in position and b in position
    }
    # Only the pairs whose need and offer take part in this run; usually a handful of rejections.
    need_index = {need.id: row for row, need in enumerate(needs)} if platform.excluded_pairs else {}
    offer_index = {offer.id: row for row, offer in enumerate(offers)} if platform.excluded_pairs else {}
    excluded = {
        need_index[need_id] * len(offers) + offer_index[offer_id]
        for need_id, offer_id in platform.excluded_pairs
        if need_id in need_index and offer_id in offer_index
    }
    need_values = np.array(
        [(n.target_level, n.current_level, n.earliest_start.toordinal(), n.preferred_days) for n in needs],
        np.int64,
    ).reshape(-1, 4)
    offer_values = table.offer_values
    # The profiles are in business index order.
    track = [rules.track_record_part(found.info, weights.track_record) for found in table.profiles.values()]
    return _Columns(
        need_target=need_values[:, 0],
        need_gain=np.maximum(need_values[:, 0] - need_values[:, 1], 0),
        need_urgency=weights.urgency * np.array([rules.URGENCY[n.urgency] for n in needs], np.float64),
        need_earliest=need_values[:, 2],
        need_days=need_values[:, 3],
        offer_level=offer_values[:, 0],
        offer_track=np.array(track, np.float64)[table.offer_business],
        offer_from=offer_values[:, 1],
        offer_until=offer_values[:, 2],
        offer_min=offer_values[:, 3],
        offer_max=offer_values[:, 4],
        blackout_first=blackout_first,
        blackout_last=blackout_last,
        competitor_keys=np.array(sorted(keys), np.int64),
        has_competitor=np.isin(
            np.arange(size),
            [position[b] for pair in platform.competitor_pairs for b in pair if b in position],
        ),
        excluded_keys=np.array(sorted(excluded), np.int64),
    )


def _ranges(table: Table, columns: _Columns, weights: ScoreWeights) -> tuple[Ints, Ints, Ints, Floats]:
    """Per need and offer segment it may use: (need, first offer, number of offers, practice fit)."""
    empty = np.empty(0, np.int64)
    if not table.needs or not table.offers:
        return empty, empty, empty, np.empty(0, np.float64)
    # Segment keys: practice, then city + 1 (0 for the flexible segment), as one sortable number.
    cities = int(table.business_city.max()) + 2
    offer_practice = np.array([offer.practice_id for offer in table.offers], np.int64)
    offer_segment = offer_practice * cities + table.offer_city + 1
    segments, segment_start = np.unique(offer_segment, return_index=True)
    segment_end = np.r_[segment_start[1:], len(table.offers)]
    # first[segment, level]: the first offer of the segment at that level or above.
    lowest = min(int(columns.offer_level.min()), int(columns.need_target.min()))
    levels = int(columns.offer_level.max()) - lowest + 2
    level_keys = np.searchsorted(segments, offer_segment) * levels + columns.offer_level - lowest

    need, practice, fit = [], [], []
    for own in sorted(table.practices):
        need_start, need_end, _, _ = table.practices[own]
        if need_end == need_start:
            continue
        for other, practice_fit in [(own, rules.SAME_PRACTICE_FIT)] + [
            (other, rules.RELATED_PRACTICE_FIT) for other in table.related.get(own, ())
        ]:
            need.append(np.arange(need_start, need_end, dtype=np.int64))
            practice.append(np.full(need_end - need_start, other, np.int64))
            fit.append(np.full(need_end - need_start, weights.practice_fit * practice_fit))
    if not need:
        return empty, empty, empty, np.empty(0, np.float64)
    block_need, block_practice, block_fit = (
        np.concatenate(need),
        np.concatenate(practice),
        np.concatenate(fit),
    )
    need_city = table.business_city[table.need_business[block_need]]
    target = np.minimum(columns.need_target[block_need] - lowest, levels - 1)

    found: list[tuple[Ints, Ints, Ints, Floats]] = []
    for city in (np.full(len(block_need), -1, np.int64), need_city):
        wanted = block_practice * cities + city + 1
        segment = np.minimum(np.searchsorted(segments, wanted), len(segments) - 1)
        exists = segments[segment] == wanted
        first = np.searchsorted(level_keys, segment * levels + target)
        count = np.where(exists, segment_end[segment] - first, 0)
        keep = count > 0
        found.append((block_need[keep], first[keep], count[keep], block_fit[keep]))
    range_need = np.concatenate([f[0] for f in found])
    order = np.argsort(range_need, kind="stable")
    return (
        range_need[order],
        np.concatenate([f[1] for f in found])[order],
        np.concatenate([f[2] for f in found])[order],
        np.concatenate([f[3] for f in found])[order],
    )


def find(table: Table, weights: ScoreWeights) -> Candidates:
    """Every pair that passes the hard rules."""
    columns = _columns(table, weights)
    need, first, count, fit = _ranges(table, columns, weights)
    # Chunks of about CHUNK_PAIRS pairs keep memory flat; cut between needs, so that each
    # chunk's sort by need is the final order.
    before = np.cumsum(count) - count
    need_first_row = np.searchsorted(need, need)
    chunk = before[need_first_row] // CHUNK_PAIRS
    bounds = np.r_[0, np.flatnonzero(np.diff(chunk)) + 1, len(need)]
    today = table.platform.today.toordinal()
    found = [
        _evaluate(table, columns, weights, today, need[a:b], first[a:b], count[a:b], fit[a:b])
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
        if b > a
    ]
    if not found:
        empty = np.empty(0, np.int64)
        return Candidates(empty, empty, np.empty(0, np.float64), empty, empty)
    return Candidates(
        need=np.concatenate([c.need for c in found]),
        offer=np.concatenate([c.offer for c in found]),
        score=np.concatenate([c.score for c in found]),
        start=np.concatenate([c.start for c in found]),
        days=np.concatenate([c.days for c in found]),
    )


def _evaluate(
    table: Table,
    c: _Columns,
    weights: ScoreWeights,
    today: int,
    range_need: Ints,
    range_first: Ints,
    range_count: Ints,
    range_fit: Floats,
) -> Candidates:
    # Expand the ranges: location and level hold for every pair by construction.
    total = int(range_count.sum())
    need = np.repeat(range_need, range_count)
    offer = np.repeat(range_first, range_count) + (
        np.arange(total) - np.repeat(np.cumsum(range_count) - range_count, range_count)
    )
    fit = np.repeat(range_fit, range_count)

    learner, host = table.need_business[need], table.offer_business[offer]
    keep = learner != host
    if len(c.competitor_keys):
        # Few businesses declare competitors: look up only the pairs where both sides have.
        suspect = np.flatnonzero(c.has_competitor[learner] & c.has_competitor[host])
        low = np.minimum(learner[suspect], host[suspect])
        pair = low * len(table.business_ids) + np.maximum(learner[suspect], host[suspect])
        at = np.minimum(np.searchsorted(c.competitor_keys, pair), len(c.competitor_keys) - 1)
        keep[suspect[c.competitor_keys[at] == pair]] = False
    if len(c.excluded_keys):
        pair = need * len(table.offers) + offer
        at = np.minimum(np.searchsorted(c.excluded_keys, pair), len(c.excluded_keys) - 1)
        keep &= c.excluded_keys[at] != pair
    need, offer, fit, learner, host = need[keep], offer[keep], fit[keep], learner[keep], host[keep]

    # Placement: the days, then the first start that clears each blackout in turn.
    days = np.minimum(np.maximum(c.need_days[need], c.offer_min[offer]), c.offer_max[offer])
    start = np.maximum(np.maximum(c.need_earliest[need], c.offer_from[offer]), today)
    for column in range(c.blackout_first.shape[1]):
        last = c.blackout_last[offer, column]
        clash = (start <= last) & (start + days - 1 >= c.blackout_first[offer, column])
        start = np.where(clash, last + 1, start)
    keep = (days >= 1) & (start + days - 1 <= c.offer_until[offer])
    need, offer, fit, learner, host, days, start = (
        a[keep] for a in (need, offer, fit, learner, host, days, start)
    )

    # The score, added in the order of rules.total so that both give the same float.
    same_country = table.business_country[learner] == table.business_country[host]
    same_city = table.business_city[learner] == table.business_city[host]
    distance = np.where(same_city, rules.SAME_CITY, np.where(same_country, rules.SAME_COUNTRY, 0.0))
    headroom = c.offer_level[offer] - c.need_target[need]
    level_gain = weights.level_gain * (
        rules.LEVEL_GAIN_PER_STEP * c.need_gain[need] + rules.HEADROOM_PER_STEP * headroom
    )
    score = fit + level_gain
    score = score + c.need_urgency[need]
    score = score + weights.distance * distance
    score = score + c.offer_track[offer]  # reciprocity comes last, and only exchanges earn it

    # Sort by need, best score first, ties to the lower offer id.
    ranked = rank(score)
    order = order_by(need, ranked.max(initial=0) - ranked, table.offer_rank[offer])
    result = Candidates(need[order], offer[order], score[order], start[order], days[order])
    return result
