"""Benchmark the matching engine against a best-score-first greedy baseline.

    .venv/bin/python bench/bench_matching.py                 # 1k, 10k and 100k per side
    .venv/bin/python bench/bench_matching.py --sizes 1000 10000 --seed 3

Each size runs in a fresh subprocess, so the peak memory it reports (the
process's maximum resident set size, from resource.getrusage: it includes
OR-Tools' C++ memory, which tracemalloc cannot see) belongs to that size alone.
It includes the instance itself (2n Python dataclasses), reported separately.

The baselines (bench/baselines.py) run in their own subprocess over ALL feasible
pairs, with their own enumeration, not the engine's pruned candidates: a
best-score-first greedy with the same non-split and minimum-order rules, and an
upper bound (the exact flow relaxation for blocks of at most 3M feasible pairs,
an LP dual bound from node potentials priced over every pair for denser ones).
Their peak RSS is that subprocess's; the engine's is its own subprocess's
(main process and, separately, its largest forked worker).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def worker_peak_rss_mb() -> float:
    """The largest forked worker's peak (candidate generation and solving run in
    forks at 100k). Its pages are shared copy-on-write with the main process,
    so main + worker overstates the machine's use; it is shown beside it."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU of this process and its reaped children (the solver pool)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_baselines(n: int, seed: int) -> dict:
    from bench.baselines import baselines
    from bench.instances import generate
    from marketplace.matching import MatchConfig
    from marketplace.matching.columns import build_columns

    supplies, demands, now = generate(n, n, seed)
    instance_mb = peak_rss_mb()
    cpu_before, start = cpu_seconds(), time.perf_counter()
    cols = build_columns(supplies, demands, now)
    b = baselines(cols, MatchConfig())
    return {
        "b_wall_s": time.perf_counter() - start, "b_cpu_s": cpu_seconds() - cpu_before, "b_peak_mb": peak_rss_mb(),
        "b_instance_mb": instance_mb, "feasible_pairs": b.feasible_pairs, "greedy_quantity": b.greedy_quantity,
        "greedy_score": b.greedy_score, "bound_quantity": b.bound_quantity, "bound_score": b.bound_score,
        "exact_blocks": b.exact_blocks, "dual_blocks": b.dual_blocks, "b_seconds": b.seconds,
    }


def run_one(n: int, seed: int, explain_sample: int) -> dict:
    from bench.instances import generate
    from marketplace.matching import MatchConfig, explain_unmatched, match

    supplies, demands, now = generate(n, n, seed)
    instance_mb = peak_rss_mb()
    config = MatchConfig()

    load_before = os.getloadavg()[0]
    cpu_before = cpu_seconds()
    result = match(supplies, demands, now=now, config=config)
    match_cpu_s = cpu_seconds() - cpu_before
    match_peak_mb = peak_rss_mb()
    worker_peak_mb = worker_peak_rss_mb()

    # Explaining unfilled orders: a sample, each against its category's listings.
    by_category: dict[str, list] = {}
    for supply in supplies:
        by_category.setdefault(supply.category, []).append(supply)
    demand_by_id = {d.id: d for d in demands}
    sample = result.unmatched_demand_ids[:explain_sample]
    start = time.perf_counter()
    for demand_id in sample:
        demand = demand_by_id[demand_id]
        explain_unmatched(demand, by_category.get(demand.category, []), now=now, config=config)
    explain_s = time.perf_counter() - start

    t = result.timings
    return {
        "n": n,
        "arcs": result.arcs,
        "pruned": result.pruned,
        "encode_s": t["encode"],
        "candidates_s": t["candidates"],
        "solve_s": t["solve"],
        "repair_s": t["repair"],
        "repair_rounds": result.repair_rounds,
        "repair_arcs": result.repair_arcs,
        "repair_quantity": result.repair_quantity,
        "allocations_s": t["allocations"],
        "match_total_s": t["total"],
        "match_cpu_s": match_cpu_s,
        "load_average": os.getloadavg()[0],
        "load_before": load_before,
        "explain_sample": len(sample),
        "explain_s": explain_s,
        "instance_mb": instance_mb,
        "peak_mb": match_peak_mb,
        "worker_peak_mb": worker_peak_mb,
        "quantity": result.matched_quantity,
        "score": result.total_score,
        "relaxation_quantity": result.relaxation_quantity,
        "engine_bound_quantity": result.bound_quantity,
        "relaxation_score": result.relaxation_score,
        "proven_optimal": result.proven_optimal,
        "components": len(result.components),
        "exact_components": sum(c.method == "exact" for c in result.components),
        "heuristic_components": sum(c.method == "heuristic" for c in result.components),
        "cores": len(os.sched_getaffinity(0)),
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| listings × orders | feasible pairs | engine arcs (repair) | engine quantity | engine score "
        "| engine s (CPU s) | engine peak RSS MB (largest worker) | greedy quantity | greedy score "
        "| bound quantity | bound score (exact / dual blocks) | baselines s (CPU s) | baselines peak RSS MB "
        "| engine/greedy quantity | engine/greedy score | engine/bound quantity | greedy/bound quantity "
        "| engine/bound score |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} × {r['n']:,} | {r['feasible_pairs']:,} "
            f"| {r['arcs']:,}{' pruned' if r['pruned'] else ''} ({r['repair_arcs']:,}) "
            f"| {r['quantity']:,} | {r['score']:,.0f} | {r['match_total_s']:.2f} ({r['match_cpu_s']:.2f}) "
            f"| {r['peak_mb']:.0f} ({r['worker_peak_mb']:.0f}) | {r['greedy_quantity']:,} | {r['greedy_score']:,.0f} "
            f"| {r['bound_quantity']:,} | {r['bound_score']:,.0f} ({r['exact_blocks']} / {r['dual_blocks']}) "
            f"| {r['b_wall_s']:.1f} ({r['b_cpu_s']:.1f}) | {r['b_peak_mb']:.0f} "
            f"| {r['quantity'] / max(r['greedy_quantity'], 1):.4f} | {r['score'] / max(r['greedy_score'], 1):.4f} "
            f"| {r['quantity'] / max(r['bound_quantity'], 1):.4f} "
            f"| {r['greedy_quantity'] / max(r['bound_quantity'], 1):.4f} "
            f"| {r['score'] / max(r['bound_score'], 1):.4f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--explain-sample", type=int, default=20)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size, print JSON
    parser.add_argument("--baselines", type=int, help=argparse.SUPPRESS)  # internal: baselines of one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.seed, args.explain_sample)))
        return
    if args.baselines:
        print(json.dumps(run_baselines(args.baselines, args.seed)))
        return
    rows = []
    for n in args.sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed),
             "--explain-sample", str(args.explain_sample)],
            capture_output=True, text=True, check=True,
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        done = subprocess.run(
            [sys.executable, __file__, "--baselines", str(n), "--seed", str(args.seed)],
            capture_output=True, text=True, check=True,
        )
        row.update(json.loads(done.stdout.strip().splitlines()[-1]))
        rows.append(row)
        print(
            f"n={n:,}: arcs {row['arcs']:,} pruned={row['pruned']} | encode {row['encode_s']:.2f}s "
            f"candidates {row['candidates_s']:.2f}s solve {row['solve_s']:.2f}s repair {row['repair_s']:.2f}s "
            f"({row['repair_rounds']} rounds, +{row['repair_arcs']:,} arcs, +{row['repair_quantity']:,}) "
            f"allocations {row['allocations_s']:.2f}s total {row['match_total_s']:.2f}s "
            f"(CPU {row['match_cpu_s']:.2f}s, load avg {row['load_before']:.1f}->{row['load_average']:.1f}) | "
            f"explain {row['explain_sample']} orders {row['explain_s']:.2f}s | peak RSS {row['peak_mb']:.0f} MB "
            f"(instance {row['instance_mb']:.0f} MB) | quantity {row['quantity']:,} score {row['score']:,.0f} "
            f"(relaxation on its arcs {row['relaxation_quantity']:,}, its all-pairs bound "
            f"{row['engine_bound_quantity']:,}) | greedy {row['greedy_quantity']:,} / "
            f"{row['greedy_score']:,.0f} | all-pairs bound {row['bound_quantity']:,} / {row['bound_score']:,.0f} "
            f"({row['feasible_pairs']:,} pairs, {row['b_wall_s']:.1f}s, CPU {row['b_cpu_s']:.1f}s, "
            f"{row['b_peak_mb']:.0f} MB, {row['b_seconds']}) | components exact "
            f"{row['exact_components']} heuristic {row['heuristic_components']}",
            flush=True,
        )
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
