"""Swaps (A hosts B, B hosts A) and cycles of three (A → B → C → A), as in kidney exchanges.

Between two businesses the edge "H hosts L" is the best candidate of an H offer for an L need.
A full enumeration of 3-cycles over all edges is the trap NOTES.md measured (top 20 edges per
business: 3.4 s and 650 MB at 10k businesses), so the search walks only each business's best
`top_edges_per_business` outgoing edges for the first two steps and closes the cycle with any
edge, looked up in the sorted edge keys. Small graphs (`exhaustive_exchanges_up_to`) use every
edge. Each business takes part in at most one exchange; the packing maximises the businesses
covered, then the total score: exactly (branch and bound) for groups of overlapping cycles up
to `EXACT_PACKING_UP_TO` businesses, greedily (longest, then best, cycles first) above that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from internships.matching.candidates import (
    Bools,
    Candidates,
    Floats,
    Ints,
    Table,
    order_by,
    position_in_run,
    rank,
)
from internships.matching.types import MatchSettings

EXACT_PACKING_UP_TO = 60  # businesses in one group of overlapping cycles
NODE_BUDGET = 50_000  # branch-and-bound nodes per group before it keeps the best found
EDGE_OFFERS_PER_NEED = 40  # candidates per need that make business edges on large platforms


@dataclass(frozen=True, slots=True)
class Cycle:
    businesses: tuple[int, ...]  # business indexes; businesses[i] hosts businesses[i + 1]
    rows: tuple[int, ...]  # rows of the candidates given: rows[i] is businesses[i] → businesses[i + 1]
    score: float


def find(table: Table, candidates: Candidates, settings: MatchSettings) -> list[Cycle]:
    """Vertex-disjoint swaps and 3-cycles covering as many businesses as the search finds."""
    if settings.max_cycle_length < 2 or not len(candidates):
        return []
    # Each business of an exchange is a learner in it: one learner alone (a one-need run) has none.
    if len(np.unique(table.need_business)) < 2:
        return []
    size = len(table.business_ids)
    exhaustive = size <= settings.exhaustive_exchanges_up_to
    kept = np.arange(len(candidates))
    if not exhaustive:
        # Edges between businesses come from each need's best few offers: the cycle search
        # wants good edges, and sorting all candidates by business pair would cost more.
        kept = np.flatnonzero(position_in_run(candidates.need) < EDGE_OFFERS_PER_NEED)
        candidates = candidates.take(kept)
    pair = table.offer_business[candidates.offer] * size + table.need_business[candidates.need]
    ranked = rank(candidates.score)
    # The best candidate per (host, learner): ties keep candidate order (need, then offer id).
    order = order_by(pair, ranked.max(initial=0) - ranked, stable=True)
    first = np.r_[True, pair[order][1:] != pair[order][:-1]]
    edge_row, edge_key = kept[order[first]], pair[order][first]
    edge_host, edge_learner = edge_key // size, edge_key % size
    edge_rank, edge_score = ranked[order[first]], candidates.score[order[first]]

    # Each business's best outgoing edges, sorted by host.
    top = order_by(edge_host, edge_rank.max(initial=0) - edge_rank, edge_learner)
    if not exhaustive:
        top = top[position_in_run(edge_host[top]) < settings.top_edges_per_business]
    top_host, top_learner = edge_host[top], edge_learner[top]

    def closing(tail: Ints, head: Ints) -> tuple[Bools, Ints]:
        """Which edges tail → head exist, and their index into the edge arrays."""
        wanted = tail * size + head
        at = np.minimum(np.searchsorted(edge_key, wanted), len(edge_key) - 1)
        return edge_key[at] == wanted, at

    # Swaps: a best edge A → B whose reverse B → A exists; written from the lower index.
    found, back = closing(top_learner, top_host)
    there, back = top[found], back[found]
    forward = edge_host[there] < edge_learner[there]
    legs = [np.where(forward, there, back), np.where(forward, back, there)]
    cycles = _unique(legs, edge_host, edge_row, edge_score)

    if settings.max_cycle_length >= 3:
        # Paths A → B → C over best edges, closed by any edge C → A.
        out_start = np.searchsorted(top_host, np.arange(size))
        out_count = np.searchsorted(top_host, np.arange(size), side="right") - out_start
        counts = out_count[top_learner]
        first_leg = np.repeat(np.arange(len(top)), counts)
        offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        second_leg = out_start[top_learner[first_leg]] + offset
        keep = top_host[first_leg] != top_learner[second_leg]
        first_leg, second_leg = first_leg[keep], second_leg[keep]
        found, back = closing(top_learner[second_leg], top_host[first_leg])
        ab, bc, ca = top[first_leg[found]], top[second_leg[found]], back[found]
        # Start each cycle at its lowest business so that rotations coincide.
        a, b, c = edge_host[ab], edge_host[bc], edge_host[ca]
        turn = np.where((a < b) & (a < c), 0, np.where(b < c, 1, 2))
        rotations = [(ab, bc, ca), (bc, ca, ab), (ca, ab, bc)]
        legs = [np.choose(turn, [rotation[i] for rotation in rotations]) for i in range(3)]
        cycles += _unique(legs, edge_host, edge_row, edge_score)

    return pack(cycles)


def _unique(legs: list[Ints], edge_host: Ints, edge_row: Ints, edge_score: Floats) -> list[Cycle]:
    """One Cycle per distinct sequence of businesses, the legs given as edge indexes."""
    if not len(legs[0]):
        return []
    hosts = [edge_host[leg] for leg in legs]
    order = np.lexsort(hosts[::-1])
    hosts, legs = [h[order] for h in hosts], [leg[order] for leg in legs]
    distinct = np.r_[True, np.any([h[1:] != h[:-1] for h in hosts], axis=0)]
    score = np.zeros(int(distinct.sum()))
    for leg in legs:
        score = score + edge_score[leg[distinct]]
    return [
        Cycle(tuple(businesses), tuple(rows), total)
        for businesses, rows, total in zip(
            np.transpose([h[distinct] for h in hosts]).tolist(),
            np.transpose([edge_row[leg[distinct]] for leg in legs]).tolist(),
            score.tolist(),
            strict=True,
        )
    ]


def pack(cycles: list[Cycle]) -> list[Cycle]:
    """Disjoint cycles: most businesses covered, then the best total score."""
    parent: dict[int, int] = {}

    def root(business: int) -> int:
        parent.setdefault(business, business)
        while parent[business] != business:
            parent[business] = parent[parent[business]]
            business = parent[business]
        return business

    for cycle in cycles:
        for business in cycle.businesses[1:]:
            parent[root(business)] = root(cycle.businesses[0])
    groups: dict[int, list[Cycle]] = {}
    for cycle in cycles:
        groups.setdefault(root(cycle.businesses[0]), []).append(cycle)
    chosen: list[Cycle] = []
    for group in groups.values():
        chosen.extend(_pack_group(group))
    return sorted(chosen, key=lambda cycle: cycle.businesses)


def _rank(cycle: Cycle) -> tuple[int, float, tuple[int, ...]]:
    return (-len(cycle.businesses), -cycle.score, cycle.businesses)


def _pack_greedy(cycles: list[Cycle]) -> list[Cycle]:
    taken: set[int] = set()
    chosen = []
    for cycle in sorted(cycles, key=_rank):
        if taken.isdisjoint(cycle.businesses):
            taken.update(cycle.businesses)
            chosen.append(cycle)
    return chosen


def _value(cycles: list[Cycle]) -> tuple[int, float]:
    return sum(len(cycle.businesses) for cycle in cycles), sum(cycle.score for cycle in cycles)


def _pack_group(cycles: list[Cycle]) -> list[Cycle]:
    """Branch and bound over the group's businesses in order: each is skipped or in one cycle."""
    best = _pack_greedy(cycles)
    members = sorted({business for cycle in cycles for business in cycle.businesses})
    if len(cycles) == 1 or len(members) > EXACT_PACKING_UP_TO:
        return best
    best_covered, best_score = _value(best)
    containing: dict[int, list[Cycle]] = {business: [] for business in members}
    for cycle in sorted(cycles, key=_rank):
        for business in cycle.businesses:
            containing[business].append(cycle)
    # No business can add more score than its best share of a cycle: a bound for ties in coverage.
    share = {
        b: max(max(cycle.score / len(cycle.businesses), 0.0) for cycle in containing[b]) for b in members
    }
    decided: set[int] = set()
    chosen: list[Cycle] = []
    nodes = 0

    def search(position: int, covered: int, score: float) -> None:
        nonlocal best, best_covered, best_score, nodes
        nodes += 1
        while position < len(members) and members[position] in decided:
            position += 1
        if position == len(members):
            if (covered, score) > (best_covered, best_score):
                best, best_covered, best_score = list(chosen), covered, score
            return
        possible = covered + len(members) - len(decided)
        if possible < best_covered or nodes > NODE_BUDGET:
            return
        if possible == best_covered:
            bound = score + sum(share[b] for b in members if b not in decided)
            if bound <= best_score:
                return
        business = members[position]
        for cycle in containing[business]:
            if decided.isdisjoint(cycle.businesses):
                decided.update(cycle.businesses)
                chosen.append(cycle)
                search(position + 1, covered + len(cycle.businesses), score + cycle.score)
                chosen.pop()
                decided.difference_update(cycle.businesses)
        decided.add(business)
        search(position + 1, covered, score)
        decided.discard(business)

    search(0, 0, 0.0)
    return best
