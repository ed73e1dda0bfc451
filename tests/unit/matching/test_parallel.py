"""The parallel paths give the same answer as the serial ones (determinism across core counts).

At the sizes of the unit tests the engine runs serially or on threads; these
tests force the paths a 100k x 100k match takes (candidate blocks in forked
processes, problems built inside the solver's workers, the first pass's
allocations built while the repair round's workers run) and compare them with
a single-worker run of the same instance.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from marketplace.matching import MatchConfig, engine, match, solver
from marketplace.matching import arcs as arcs_module
from tests.unit.matching.strategies import NOW
from tests.unit.matching.test_repair import TIGHT, assert_valid, crowded_market


def market(n: int = 40):
    """crowded_market in three categories: several blocks, so there is something to share out."""
    supplies, demands = [], []
    for b, category in enumerate(["rice", "coffee", "pepper"]):
        s, d = crowded_market(n)
        supplies += [replace(x, id=x.id + 1000 * b, category=category) for x in s]
        demands += [replace(x, id=x.id + 1000 * b, category=category) for x in d]
    return supplies, demands


def _comparable(result):
    return (
        result.allocations,
        result.matched_quantity,
        result.total_score,
        result.arcs,
        result.repair_arcs,
        result.repair_quantity,
        result.unmatched_demand_ids,
    )


def _counting(monkeypatch, module, counts, key):
    base = module.ProcessPoolExecutor

    class Counted(base):
        def __init__(self, *args, **kwargs):
            counts[key] = counts.get(key, 0) + 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(module, "ProcessPoolExecutor", Counted)


@pytest.mark.parametrize("resolve", [0, 10**6])  # 0: the first pass's allocations are built early
def test_forked_generation_and_solving_match_the_serial_run(monkeypatch, resolve):
    supplies, demands = market()
    config = dict(TIGHT, repair_resolve_max_arcs=resolve, parallel_min_arcs=0)
    monkeypatch.setattr(solver, "BATCH_ARCS", 1)  # one batch per block, in both runs
    serial = match(supplies, demands, now=NOW, config=MatchConfig(**config, workers=1))

    counts, starts = {}, []
    _counting(monkeypatch, arcs_module, counts, "candidates")
    _counting(monkeypatch, solver, counts, "solver")
    monkeypatch.setattr(arcs_module, "PROCESS_MIN_ROWS", 0)
    allocations = engine._allocations
    monkeypatch.setattr(engine, "_allocations", lambda *a: starts.append(a[4]) or allocations(*a))
    forked = match(supplies, demands, now=NOW, config=MatchConfig(**config, workers=2))

    assert serial.pruned and serial.repair_arcs > 0
    assert counts["candidates"] == 2 and counts["solver"] >= 2  # first pass and repair round
    assert starts == ([0, serial.arcs - serial.repair_arcs] if resolve == 0 else [0])
    assert _comparable(forked) == _comparable(serial)
    assert_valid(forked, supplies, demands, MatchConfig(**config))


def test_forked_candidates_equal_the_in_process_ones(monkeypatch):
    from marketplace.matching.columns import build_columns
    from marketplace.matching.scoring import demand_term, supply_term

    supplies, demands = market(60)
    config = MatchConfig(**TIGHT, workers=2)
    cols = build_columns(supplies, demands, NOW)
    terms = supply_term(cols, config), demand_term(cols, config)
    in_process = arcs_module.generate_candidates(cols, config, *terms)
    monkeypatch.setattr(arcs_module, "PROCESS_MIN_ROWS", 0)
    forked = arcs_module.generate_candidates(cols, config, *terms)
    for name in ("supply", "demand", "score", "block"):
        assert (getattr(forked, name) == getattr(in_process, name)).all()
    assert forked.pruned_blocks == in_process.pruned_blocks and forked.pruned


def test_the_pair_count_without_a_distance_limit_equals_the_group_count():
    """keep_all_pairs decides on BlockGenerator.pairs_to_visit: its shortcut must count the same pairs."""
    import random

    import numpy as np

    from marketplace.matching import Demand, Supply
    from marketplace.matching.arcs import rows_by_block
    from marketplace.matching.candidates import BlockGenerator
    from marketplace.matching.columns import build_columns
    from marketplace.matching.scoring import demand_term, supply_term

    rng = random.Random(7)
    points = [(10.03, 105.78), (10.78, 106.70), (21.03, 105.85), (16.05, 108.2)]
    supplies = [
        Supply(
            i,
            rng.choice("ab"),
            "kg",
            rng.randint(1, 50),
            rng.randint(20, 40) * 1000,
            *rng.choice(points),
            stars=rng.choice([0, 3, 4, 5]),
        )
        for i in range(300)
    ]
    demands = [
        Demand(
            i,
            rng.choice("ab"),
            "kg",
            rng.randint(1, 50),
            rng.randint(18, 42) * 1000,
            *rng.choice(points),
            min_stars=rng.choice([0, 3, 4, 5]),
        )
        for i in range(300)
    ]
    for supplies_, demands_ in ((supplies, demands), market()):
        config = MatchConfig()
        cols = build_columns(supplies_, demands_, NOW)
        terms = supply_term(cols, config), demand_term(cols, config)
        all_s, all_d = np.arange(len(cols.supplies.ids)), np.arange(len(cols.demands.ids))
        for _, s_rows, d_rows in rows_by_block(cols, all_s[cols.supplies.block >= 0], all_d):
            generator = BlockGenerator(cols, config, s_rows, d_rows, *terms)
            assert generator.pairs_to_visit() == generator._pairs_to_visit_by_groups() > 0
