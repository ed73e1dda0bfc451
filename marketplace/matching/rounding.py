"""Shmoys and Tardos's rounding of a fractional flow to non-split orders, for the dive (dive.py).

A flow may send a non-split order parts from several listings; the order must
take its whole quantity from one. This is the generalized assignment problem's
rounding (Shmoys and Tardos, 1993): on each listing, the non-split orders it
sends to, largest first, fill "slots" of one whole order each by the fraction of
the order it sends there; a matching of orders to slots that moves the most
quantity exists (the fractional flow is one, fractionally) and is found by one
min-cost flow. Each listing then gets at most as many orders as its slots, and
a load above the flow's by at most one order: close to what the flow sent, but
not always within stock, which the caller settles.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from .flow import FlowProblem


def assign_unsplit(problem: FlowProblem, flows: np.ndarray, open_orders: np.ndarray) -> np.ndarray:
    """Sorted arcs, at most one per order, serving the open non-split orders the flow sends to."""
    p = problem
    arcs = np.flatnonzero(~p.split[p.arc_d] & open_orders[p.arc_d] & (flows > 0))
    if len(arcs) == 0:
        return arcs
    arcs = arcs[np.lexsort((arcs, -p.demand_cap[p.arc_d[arcs]], p.arc_s[arcs]))]
    listing = p.arc_s[arcs]
    fraction = flows[arcs] / p.demand_cap[p.arc_d[arcs]]
    # Where each order's fraction starts and ends along its listing's row of slots.
    ends = np.cumsum(fraction)
    row_start = np.maximum.accumulate(np.where(np.r_[True, listing[1:] != listing[:-1]], ends - fraction, 0))
    start, end = ends - fraction - row_start, ends - row_start
    first = np.floor(start + 1e-9).astype(np.int64)
    count = np.maximum(np.ceil(end - 1e-9).astype(np.int64) - first, 1)
    edge = np.repeat(np.arange(len(arcs)), count)
    slot = first[edge] + np.arange(len(edge)) - np.repeat(np.cumsum(count) - count, count)
    slots, edge_slot = np.unique(listing[edge] * (len(arcs) + 1) + slot, return_inverse=True)
    orders, edge_order = np.unique(p.arc_d[arcs[edge]], return_inverse=True)
    n_o, n_slots = len(orders), len(slots)
    source, sink = n_o + n_slots, n_o + n_slots + 1
    solver = min_cost_flow.SimpleMinCostFlow()
    # Most quantity first; among those, orders go where more of them was sent.
    solver.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([np.full(n_o, source), edge_order, n_o + np.arange(n_slots), [source]]),
        np.concatenate([np.arange(n_o), n_o + edge_slot.reshape(-1), np.full(n_slots, sink), [sink]]),
        np.concatenate([np.ones(n_o + len(edge) + n_slots, dtype=np.int64), [n_o]]),
        np.concatenate([-1000 * p.demand_cap[orders], -np.floor(999 * fraction[edge]).astype(np.int64),
                        np.zeros(n_slots + 1, dtype=np.int64)]),
    )
    supplies = np.zeros(n_o + n_slots + 2, dtype=np.int64)
    supplies[source], supplies[sink] = n_o, -n_o
    solver.set_nodes_supplies(np.arange(len(supplies)), supplies)
    if solver.solve() != solver.OPTIMAL:
        return arcs[:0]
    return np.unique(arcs[edge[solver.flows(np.arange(n_o, n_o + len(edge))) > 0]])
