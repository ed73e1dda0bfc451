"""solve_exact with the relaxation's quantity as a bound: one CP-SAT solve when the bound is
reachable, the two-solve search when it is not, the same lexicographic optimum either way."""

from __future__ import annotations

import numpy as np

from marketplace.matching.flow import FlowProblem, max_flow_min_cost, totals
from marketplace.matching.integral import solve_exact


def problem(arc_s, arc_d, gain, stock, room, moq=None, split=None) -> FlowProblem:
    n_s, n_d = len(stock), len(room)
    return FlowProblem(
        arc_s=np.asarray(arc_s, np.int64),
        arc_d=np.asarray(arc_d, np.int64),
        gain=np.asarray(gain, np.int64),
        supply_cap=np.asarray(stock, np.int64),
        demand_cap=np.asarray(room, np.int64),
        moq=np.ones(n_s, np.int64) if moq is None else np.asarray(moq, np.int64),
        split=np.ones(n_d, bool) if split is None else np.asarray(split, bool),
    )


def test_an_unreachable_bound_falls_back_to_the_search():
    # Two non-split orders of 6 on one listing of 10: the relaxation moves 10, the rules allow 6.
    p = problem([0, 0], [0, 1], [5, 7], [10], [6, 6], split=[False, False])
    relaxed = max_flow_min_cost(p)
    assert relaxed.sum() == 10
    flows, proven = solve_exact(p, None, 1.0, upper_quantity=10)
    assert proven and totals(p, flows) == (6, 42)


def test_with_or_without_the_bound_the_answer_is_the_same():
    rng = np.random.default_rng(3)
    for _ in range(25):
        n_s, n_d = rng.integers(2, 6, size=2)
        pairs = [(i, j) for i in range(n_s) for j in range(n_d) if rng.random() < 0.6]
        if not pairs:
            continue
        arc_s, arc_d = zip(*pairs, strict=True)
        p = problem(arc_s, arc_d, rng.integers(1, 100, len(pairs)), rng.integers(1, 20, n_s),
                    rng.integers(1, 20, n_d), moq=rng.choice([1, 1, 3, 6], n_s), split=rng.random(n_d) < 0.6)
        plain = solve_exact(p, None, 1.0)
        bounded = solve_exact(p, None, 1.0, upper_quantity=int(max_flow_min_cost(p).sum()))
        assert plain is not None and bounded is not None
        assert totals(p, plain[0]) == totals(p, bounded[0])
        assert plain[1] and bounded[1]
