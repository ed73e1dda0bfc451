"""The engine's inputs and outputs: plain frozen dataclasses, no ORM objects."""

from __future__ import annotations

import gc
from dataclasses import asdict, dataclass, field, fields
from datetime import date


@dataclass(frozen=True)
class Supply:
    """One listing's remaining stock."""

    id: int
    category: str
    unit: str
    quantity: int  # > 0, in the unit's base
    unit_price: int  # VND
    lat: float
    lon: float
    stars: int = 0  # 0, 3, 4 or 5
    certifications: frozenset[str] = frozenset()  # only unexpired ones
    min_order_quantity: int = 1
    available_from: date | None = None
    available_until: date | None = None
    # The producer's track record in [0, 1]; 0.5 is neutral (a new producer).
    reliability: float = 0.5


@dataclass(frozen=True)
class Demand:
    """One order's unfilled remainder."""

    id: int
    category: str
    unit: str
    quantity: int
    max_unit_price: int
    lat: float
    lon: float  # delivery point
    needed_by: date | None = None
    min_stars: int = 0
    required_certifications: frozenset[str] = frozenset()
    allow_split: bool = True


@dataclass(frozen=True)
class MatchConfig:
    """Weights, limits and solver knobs; the defaults are what the benchmark runs."""

    # Score weights; only their ratios matter.
    weight_price: float = 0.4
    weight_distance: float = 0.3
    weight_stars: float = 0.15
    weight_availability: float = 0.15
    # A saving of this fraction of the buyer's maximum earns the full price part:
    # real savings are a few percent, so a linear 0..100 % scale would flatten them.
    full_price_saving: float = 0.25
    # Distance at which the distance part reaches zero (Vietnam is ~1,650 km long).
    far_km: float = 1500.0
    # Stock ready this many days from now or later earns no availability part.
    availability_horizon_days: int = 30
    # The producer's reliability (deals delivered on time, ratings); small beside
    # price and distance so a track record tips a close call without shutting out
    # newcomers, who start at 0.5 (bench/RESULTS-matching.md).
    weight_reliability: float = 0.1
    # Every feasible pair scores at least this, so score_arc stays in (0, 1].
    min_score: float = 0.01
    max_distance_km: float | None = None

    # Candidate pruning: a (category, unit) block with more feasible arcs than
    # max_arcs keeps only the union of each order's and each listing's best k arcs,
    # k = max(top_k, max_arcs // (listings + orders in the block)), so a pruned
    # block keeps about max_arcs arcs, or 2 * top_k per row in a big block
    # (candidates.py says why k grows). bench/RESULTS-matching.md measures the defaults.
    # Since pricing.py restores a pruned block's maximum flow, these arcs only serve the
    # score: 20k and 2 instead of 40k and 4 cost 1.7 % of the score at 100k x 100k for
    # about 15 % less CPU (fewer arcs in the min-cost pass, which dominates).
    max_arcs: int = 20_000
    top_k: int = 2
    # ... except a block whose pairs passing the price and stars rules are at most
    # keep_all_pairs: it is never pruned. Decided per block, so a run cut into
    # per-category calls prunes the same blocks as one call (0 = always apply max_arcs;
    # pricing.py gives a pruned block its maximum flow back).
    keep_all_pairs: int = 0
    # Repair round for pruned blocks (augment.py): up to repair_rounds rounds of
    # arcs among the listings with stock left and the orders with room left, at
    # most repair_max_arcs per block (else their top-k union); 0 rounds disables it.
    # The first pass's budget (max_arcs) is smaller than the round's: at 100k x 100k,
    # 40k + 70k gave more quantity, sooner, than 50k + 50k (see the RESULTS).
    repair_rounds: int = 1
    repair_max_arcs: int = 70_000
    repair_top_k: int = 4
    # After the rounds, solve each pruned block of at most this many arcs once more on
    # all its arcs, which can also move flow the first pass placed (one more solve of
    # those blocks; 0 disables it). Per block, like keep_all_pairs. Off by default: with
    # pricing.py it gained 0.02 % at 10k x 10k for 0.6 s more.
    repair_resolve_max_arcs: int = 0
    # Max-flow columns for pruned blocks (pricing.py): up to pricing_rounds rounds of
    # max flow and pricing per block, before the min-cost pass; 0 disables it.
    pricing_rounds: int = 40
    # Bounds the memory of candidate generation (pairs evaluated per numpy pass).
    chunk_pairs: int = 300_000

    # Scores become integer costs round(score * score_scale); see solver.py for
    # why 10**6 cannot change the optimum in practice.
    score_scale: int = 1_000_000

    # Components that break the non-split or minimum-order rules in the flow
    # relaxation are solved exactly with CP-SAT up to this many arcs, and by the
    # repair heuristic above it.
    exact_max_arcs: int = 400
    # CP-SAT work limit per component, in deterministic seconds (not wall time,
    # so the answer does not depend on machine load).
    exact_work_limit: float = 1.0
    # Components of at most this many arcs that the heuristic repairs get its full
    # re-solve of the split orders (integral.repair(full_resolve=True)): one more flow
    # solve each, for quantity the cut-back flows lose (0 disables it). At 10k and 100k
    # x 100k this limit gives the answer of re-solving every component: +0.22 % and
    # +0.24 % quantity for about 0.2 s and 1.6 CPU s (bench/RESULTS-matching.md).
    heuristic_resolve_max_arcs: int = 150_000
    # Components of more than exact_max_arcs and at most dive_max_arcs arcs get the dive
    # (dive.py), which rounds the non-split orders, re-solves the flow after each round of
    # decisions and tests them with up to dive_tests max flows (0 disables it); repair's
    # answer is kept where it is better. Larger components get repair alone: each flow
    # solve of the dive counts there. Since the dive starts with a rounding of all
    # non-split orders at once (2026-12-07, night, quiet machine), on every component
    # rather than where repair lost the most per arc: 99.91 % of the bound at 10k x 10k in
    # 2.35-2.5 s (99.67 % on the old rule), 99.63 % at 100k in 17.1-18.0 s (99.44 %, 13.8 s)
    # (bench/RESULTS-matching.md).
    dive_max_arcs: int = 25_000
    dive_tests: int = 150

    # Process pool: None = one per core; used only when the arcs are at least
    # parallel_min_arcs, because forking and pickling cost ~50-100 ms. 100k rather than
    # 300k since the dive made the 10k solve (256k arcs) longer: there the pool took
    # 2.12-3.19 s against 2.99-3.58 s serial (2026-12-07, load 0.8-2.3), the same answer.
    workers: int | None = None
    parallel_min_arcs: int = 100_000

    def __post_init__(self) -> None:
        weights = (self.weight_price, self.weight_distance, self.weight_stars, self.weight_availability,
                   self.weight_reliability)
        if min(weights) < 0 or sum(weights) <= 0:
            raise ValueError("score weights must be >= 0 with a positive sum")
        if not 0 < self.min_score <= 1:
            raise ValueError("min_score must be in (0, 1]")
        if min(self.top_k, self.max_arcs, self.repair_top_k, self.repair_max_arcs) < 1:
            raise ValueError("top_k, max_arcs and the repair limits must be positive")
        if min(self.repair_rounds, self.keep_all_pairs, self.repair_resolve_max_arcs, self.pricing_rounds,
               self.heuristic_resolve_max_arcs, self.dive_max_arcs, self.dive_tests) < 0:
            raise ValueError("repair_rounds, keep_all_pairs, the re-solve limits and pricing_rounds must be >= 0")
        if not 0 < self.full_price_saving <= 1 or self.far_km <= 0 or self.availability_horizon_days < 1:
            raise ValueError("full_price_saving, far_km and availability_horizon_days must be positive")


@dataclass(frozen=True)
class ScoreBreakdown:
    """The parts of a score in the words a page uses."""

    price_saving_pct: float  # how far under the buyer's maximum, in %
    distance_km: float
    stars: int
    min_stars: int
    ready_in_days: int  # 0 when the stock is available now
    days_of_slack: int | None  # needed_by minus the day the stock is ready; None without a deadline
    price_part: float  # the four weighted parts, each in [0, 1] before weighting
    distance_part: float
    stars_part: float
    availability_part: float
    score: float
    reliability_part: float = 0.5  # the producer's reliability, as the engine weighed it

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Allocation:
    supply_id: int
    demand_id: int
    quantity: int
    unit_price: int  # the listing's price: what the buyer pays
    score: float
    breakdown: ScoreBreakdown


@dataclass(frozen=True)
class ComponentReport:
    """How one connected part of the arc graph was solved."""

    arcs: int
    method: str  # "flow" (relaxation already valid), "exact" (CP-SAT) or "heuristic"
    quantity: int
    relaxation_quantity: int  # upper bound from the flow that ignores non-split and MOQ
    proven_optimal: bool


@dataclass(frozen=True)
class MatchResult:
    allocations: list[Allocation]
    matched_quantity: int
    total_score: float  # sum of quantity * score
    arcs: int  # candidate arcs given to the solver
    pruned: bool  # some block kept only its top-k arcs
    timings: dict[str, float]  # seconds per phase
    relaxation_quantity: int = 0  # upper bound on matched_quantity for the kept arcs
    relaxation_score: float = 0.0
    proven_optimal: bool = True  # every component solved to proven optimality
    components: list[ComponentReport] = field(default_factory=list)  # only the non-trivial ones
    unmatched_demand_ids: list[int] = field(default_factory=list)  # orders that received nothing
    # The repair round after pruning (augment.py): rounds run, arcs it added, quantity it added.
    repair_rounds: int = 0
    repair_arcs: int = 0
    repair_quantity: int = 0
    # Per category, for a caller that records one category's figures out of a larger call.
    arcs_by_category: dict[str, int] = field(default_factory=dict)
    pruned_categories: list[str] = field(default_factory=list)
    # Upper bounds over ALL feasible pairs, not only the kept arcs (bound.py says how):
    # no allocation obeying the rules matches more than bound_quantity, and one that
    # matches bound_quantity scores at most bound_score (a bound in the objective's order).
    bound_quantity: int = 0
    bound_score: float = 0.0
    bound_by_category: dict[str, int] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """How far matched_quantity may be below the best possible, as a fraction of the bound."""
        return 1.0 - self.matched_quantity / self.bound_quantity if self.bound_quantity else 0.0

    @property
    def share_of_bound(self) -> float:
        """matched_quantity / bound_quantity: 1.0 when nothing could be matched at all."""
        return self.matched_quantity / self.bound_quantity if self.bound_quantity else 1.0


def build_many(cls, rows) -> list:
    """Instances of a frozen dataclass from tuples of its fields, in field order.

    The generated __init__ of a frozen dataclass sets each field through
    object.__setattr__; filling __dict__ at once gives the same objects (same
    fields, equality, repr and asdict) about three times faster, which counts
    for the 10**5 allocations and breakdowns of a large match.
    """
    names = tuple(f.name for f in fields(cls))
    new = object.__new__
    out = []
    # These objects hold no reference cycles; pausing the cyclic collector spares
    # it repeated scans of everything already built (a third of the time at 10**5).
    paused = gc.isenabled()
    gc.disable()
    try:
        for row in rows:
            obj = new(cls)
            obj.__dict__.update(zip(names, row, strict=True))
            out.append(obj)
    finally:
        if paused:
            gc.enable()
    return out
