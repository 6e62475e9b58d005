"""Which candidates become proposals: the global assignment (min-cost flow) and the greedy one.

The global assignment is a min-cost max-flow, source → needs (capacity 1) → offers (capacity
left) → sink, solved with OR-Tools' `SimpleMinCostFlow.solve_max_flow_with_min_cost`: it serves
as many needs as possible first, and among those picks the best total score (cost = −score,
in millionths). Measured on 10k businesses (NOTES.md): 0.45 s when solved per practice
component, 1.8 s as one global graph, 9 s with scipy's sparse matching; so one flow per group
of practices linked by "related", which are independent because no candidate crosses them.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from internships.matching.candidates import Candidates, Ints, Table, rank


def components(table: Table) -> Ints:
    """Per need: a label shared by every practice it can reach through "related" links."""
    parent = {practice: practice for practice in table.practices}

    def root(practice: int) -> int:
        while parent[practice] != practice:
            parent[practice] = parent[parent[practice]]
            practice = parent[practice]
        return practice

    for practice, others in table.related.items():
        for other in others:
            parent[root(practice)] = root(other)
    label = np.empty(len(table.needs), np.int64)
    for practice, (need_start, need_end, _, _) in table.practices.items():
        label[need_start:need_end] = root(practice)
    return label


def optimal(table: Table, candidates: Candidates, remaining: Ints) -> Ints:
    """Rows of `candidates` forming a maximum assignment with the best total score."""
    if not len(candidates):
        return np.empty(0, np.int64)
    label = components(table)[candidates.need]
    order = np.argsort(label, kind="stable")
    bounds = np.flatnonzero(np.diff(label[order])) + 1
    chosen = [_solve(candidates, rows, remaining) for rows in np.split(order, bounds)]
    return np.sort(np.concatenate(chosen))


def _solve(candidates: Candidates, rows: Ints, remaining: Ints) -> Ints:
    needs, need_node = np.unique(candidates.need[rows], return_inverse=True)
    if len(needs) == 1:
        # A need alone (as in the run after a need is saved) takes its best candidate, the first row,
        # as the flow would: every row has room left. Building the flow took most of such a run's
        # assignment. A tie for the best is still the flow's to break, so the proposals stay the same.
        best = rank(candidates.score[rows[:2]])
        if len(best) == 1 or best[0] > best[1]:
            return rows[:1]
    offers, offer_node = np.unique(candidates.offer[rows], return_inverse=True)
    source, sink, first_need, first_offer = 0, 1, 2, 2 + len(needs)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(len(needs), source, np.int32),
        np.arange(first_need, first_offer, dtype=np.int32),
        np.ones(len(needs), np.int64),
        np.zeros(len(needs), np.int64),
    )
    # Cost scaling runs in time proportional to the log of the cost range. Scores are sums of a
    # few discrete parts, so dividing the costs by their gcd often shrinks it, optimum unchanged.
    cost = -rank(candidates.score[rows])
    cost //= max(int(np.gcd.reduce(cost)), 1)
    middle = flow.add_arcs_with_capacity_and_unit_cost(
        (first_need + need_node).astype(np.int32),
        (first_offer + offer_node).astype(np.int32),
        np.ones(len(rows), np.int64),
        cost,
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(first_offer, first_offer + len(offers), dtype=np.int32),
        np.full(len(offers), sink, np.int32),
        remaining[offers].astype(np.int64),
        np.zeros(len(offers), np.int64),
    )
    flow.set_node_supply(source, len(needs))
    flow.set_node_supply(sink, -len(needs))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"The assignment could not be solved: {status}.")
    return rows[np.asarray(flow.flows(middle)) > 0]


def greedy(table: Table, candidates: Candidates, remaining: Ints) -> Ints:
    """Rows chosen when each need in turn, by id, takes its best offer that has room left."""
    left = remaining.tolist()
    offers = candidates.offer.tolist()
    starts = np.searchsorted(candidates.need, np.arange(len(table.needs) + 1)).tolist()
    chosen = []
    for need in np.argsort(table.need_ids, kind="stable").tolist():
        for row in range(starts[need], starts[need + 1]):
            if left[offers[row]] > 0:
                left[offers[row]] -= 1
                chosen.append(row)
                break
    return np.array(sorted(chosen), np.int64)
