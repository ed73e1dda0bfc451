"""What weight_reliability costs and buys: the engine on one seeded market at
several weights, against the same market at weight 0 (the strongest honest
baseline for "what would the allocation be without reputation").

    .venv/bin/python bench/bench_reliability.py                   # 10k x 10k, seed 0
    .venv/bin/python bench/bench_reliability.py --size 3000 --weights 0 0.1 0.3

For each weight it prints the quantity allocated, the score without the
reliability part (price, distance, stars, availability: what a buyer gets
apart from the producer's record), the quantity-weighted mean reliability of
the producers chosen, the share of the quantity going to producers with a
record worse than a newcomer's (reliability < 0.5) and to new producers (exactly the neutral
0.5), each with its ratio to weight 0. The objective is quantity first, so
the quantity should not move; the choice is the weight that shifts the most
quantity away from poor records while keeping the base score within ~1 % and
the newcomers' share within ~10 % of weight 0.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.instances import generate  # noqa: E402
from marketplace.matching import MatchConfig, match  # noqa: E402

POOR = 0.5         # worse than a newcomer
NEUTRAL = 0.5


def base_score(allocation, config: MatchConfig) -> float:
    """The allocation's score with its reliability part left out, on the same 0..1 scale."""
    b = allocation.breakdown
    weights = config.weight_price + config.weight_distance + config.weight_stars + config.weight_availability
    raw = (config.weight_price * b.price_part + config.weight_distance * b.distance_part
           + config.weight_stars * b.stars_part + config.weight_availability * b.availability_part)
    return config.min_score + (1 - config.min_score) * raw / weights


def measure(supplies, demands, now, weight: float) -> dict:
    config = MatchConfig(weight_reliability=weight)
    reliability = {s.id: s.reliability for s in supplies}
    started = time.perf_counter()
    result = match(supplies, demands, now=now, config=config)
    seconds = time.perf_counter() - started
    quantity = result.matched_quantity or 1
    chosen = [(a.quantity, reliability[a.supply_id]) for a in result.allocations]
    return {
        "weight": weight, "seconds": seconds, "quantity": result.matched_quantity,
        "base_score": sum(a.quantity * base_score(a, config) for a in result.allocations),
        "mean_reliability": sum(q * r for q, r in chosen) / quantity,
        "poor_share": sum(q for q, r in chosen if r < POOR) / quantity,
        "new_share": sum(q for q, r in chosen if r == NEUTRAL) / quantity,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.05, 0.1, 0.2, 0.4])
    args = parser.parse_args()
    supplies, demands, now = generate(args.size, args.size, seed=args.seed)
    offered = sum(s.quantity for s in supplies)
    print(f"{args.size:,} x {args.size:,}, seed {args.seed}: offer share from poor records "
          f"{sum(s.quantity for s in supplies if s.reliability < POOR) / offered:.1%}, "
          f"from new producers {sum(s.quantity for s in supplies if s.reliability == NEUTRAL) / offered:.1%}")
    rows = [measure(supplies, demands, now, w) for w in args.weights]
    base = next((r for r in rows if r["weight"] == 0), rows[0])
    print("| weight | quantity | × w=0 | base score | × w=0 | mean reliability | poor records | × w=0 "
          "| new producers | × w=0 | time |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['weight']:g} | {r['quantity']:,} | {r['quantity'] / base['quantity']:.4f} "
              f"| {r['base_score']:,.0f} | {r['base_score'] / base['base_score']:.4f} "
              f"| {r['mean_reliability']:.3f} | {r['poor_share']:.2%} "
              f"| {r['poor_share'] / max(base['poor_share'], 1e-12):.2f} | {r['new_share']:.2%} "
              f"| {r['new_share'] / max(base['new_share'], 1e-12):.2f} | {r['seconds']:.1f} s |", flush=True)


if __name__ == "__main__":
    main()
