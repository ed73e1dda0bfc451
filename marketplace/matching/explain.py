"""Why an order got little or nothing, and what a producer could change to match open orders.

Both answers are counts over the same rules as feasibility.py, returned as
dataclasses of plain values (codes, counts, prices, dates): the app phrases them in
the reader's language.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from .columns import build_columns, excluded_rows, pair_km
from .feasibility import RULES, rule_passes
from .types import Demand, MatchConfig, MatchResult, Supply

# Rules explained per listing (category_unit is reported separately, as "another unit").
_LISTING_RULES = RULES[1:]
# An excluded pair (match(excluded_pairs=...)) keeps its listing away like a failed rule.
_PAIR_REASONS = (*_LISTING_RULES, "declined_before")


@dataclass(frozen=True)
class Reason:
    code: str  # a rule name from feasibility.RULES, or no_listings / outcompeted / declined_before
    listings: int  # listings this rule keeps away (a listing may fail several rules)
    only_reason: int  # listings that fail this rule alone: relaxing it would open them
    low: float | None = None  # the range of the shortfall, e.g. % above the max price
    high: float | None = None
    value: float | None = None  # e.g. the cheapest price, or the qualifying quantity
    detail: str | None = None  # e.g. the missing certification, the other unit


@dataclass(frozen=True)
class UnmatchedExplanation:
    demand_id: int
    unit: str
    listings_in_category: int  # any unit
    feasible_listings: int
    feasible_quantity: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Suggestion:
    code: str  # lower_price, add_certification, lower_min_order, available_earlier, extend_availability
    orders: int  # open orders the change would make feasible
    quantity: int  # their total quantity
    price: int | None = None
    certification: str | None = None
    min_order_quantity: int | None = None
    available_from: date | None = None


def explain_unmatched(
    demand: Demand,
    supplies: Sequence[Supply],
    *,
    now: date,
    config: MatchConfig | None = None,
    result: MatchResult | None = None,
    excluded_pairs: Collection[tuple[int, int]] = (),
) -> UnmatchedExplanation:
    """What kept each listing of the order's category away from it.

    With the match result, feasible listings that went to other orders are
    reported as "outcompeted" (with the quantity they had). Listings paired
    with the order in excluded_pairs (as given to match) are reported as
    "declined_before".
    """
    config = config or MatchConfig()
    in_category = [s for s in supplies if s.category == demand.category]
    cols = build_columns(in_category, [demand], now, excluded_pairs=excluded_pairs)
    n = len(in_category)
    reasons: list[Reason] = []
    if n == 0:
        reasons.append(Reason("no_listings", 0, 0))
        return UnmatchedExplanation(demand.id, demand.unit, 0, 0, 0, tuple(reasons))

    s_idx = np.arange(n)
    d_idx = np.zeros(n, dtype=np.int64)

    km = pair_km(cols, s_idx, d_idx)
    passes = rule_passes(cols, s_idx, d_idx, config, km)
    same_unit = passes["category_unit"]
    other_units = sorted({s.unit for s in in_category if s.unit != demand.unit})
    if (~same_unit).any():
        reasons.append(Reason("category_unit", int((~same_unit).sum()), 0, detail=", ".join(other_units)))

    passes["declined_before"] = ~excluded_rows(cols, s_idx, d_idx)
    fails = {rule: ~passes[rule] & same_unit for rule in _PAIR_REASONS}
    n_fails = sum(f.astype(np.int64) for f in fails.values())
    s = cols.supplies
    for rule in _PAIR_REASONS:
        failing = fails[rule]
        if not failing.any():
            continue
        count, alone = int(failing.sum()), int((failing & (n_fails == 1)).sum())
        if rule == "price":
            over = 100.0 * (s.price[failing] / max(demand.max_unit_price, 1) - 1.0)
            reasons.append(
                Reason(rule, count, alone, round(float(over.min()), 1), round(float(over.max()), 1), float(s.price[failing].min()))
            )
        elif rule == "certifications":
            reasons.extend(_missing_certifications(demand, in_category, failing, n_fails))
        elif rule == "available_too_late":
            late = s.available_from[failing].astype(np.int64) - cols.demands.needed_by[0]
            reasons.append(Reason(rule, count, alone, float(late.min()), float(late.max())))
        elif rule == "min_order_quantity":
            reasons.append(Reason(rule, count, alone, float(s.moq[failing].min()), float(s.moq[failing].max())))
        elif rule == "distance":
            reasons.append(Reason(rule, count, alone, float(km[failing].min()), float(km[failing].max())))
        elif rule == "order_overdue":
            reasons.append(Reason(rule, count, alone))
        else:
            reasons.append(Reason(rule, count, alone))

    feasible = same_unit & (n_fails == 0)
    feasible_quantity = int(s.quantity[feasible].sum())
    if feasible.any() and result is not None:
        taken = {a.supply_id for a in result.allocations if a.demand_id != demand.id}
        ids = s.ids[feasible].tolist()
        went_elsewhere = [i for i in ids if i in taken]
        if went_elsewhere:
            qty = int(s.quantity[np.isin(s.ids, went_elsewhere)].sum())
            reasons.append(Reason("outcompeted", len(went_elsewhere), 0, value=float(qty)))
    reasons.sort(key=lambda r: -r.listings)
    return UnmatchedExplanation(demand.id, demand.unit, n, int(feasible.sum()), feasible_quantity, tuple(reasons))


def _missing_certifications(demand, listings, failing, n_fails) -> list[Reason]:
    out = []
    for name in sorted(demand.required_certifications):
        lacks = np.array([name not in s.certifications for s in listings]) & failing
        if lacks.any():
            out.append(Reason("certifications", int(lacks.sum()), int((lacks & (n_fails == 1)).sum()), detail=name))
    return out


def suggest_listing_changes(
    supply: Supply,
    demands: Sequence[Demand],
    *,
    now: date,
    config: MatchConfig | None = None,
    max_price_tiers: int = 3,
) -> list[Suggestion]:
    """Changes to one listing that would make it feasible for more open orders.

    Only orders blocked by exactly one rule count, so each suggestion alone is
    enough for the orders it names.
    """
    config = config or MatchConfig()
    orders = [d for d in demands if d.category == supply.category and d.unit == supply.unit]
    out: list[Suggestion] = []
    if supply.available_until is not None and supply.available_until < now:
        out.append(Suggestion("extend_availability", len(orders), sum(d.quantity for d in orders)))
    if not orders:
        return out
    cols = build_columns([supply], orders, now)
    d_idx = np.arange(len(orders))
    passes = rule_passes(cols, np.zeros(len(orders), dtype=np.int64), d_idx, config)
    fails = {rule: ~passes[rule] for rule in _LISTING_RULES if rule != "listing_expired"}
    n_fails = sum(f.astype(np.int64) for f in fails.values())
    d = cols.demands
    qty = d.quantity

    def only(rule):
        return fails[rule] & (n_fails == 1)

    price_blocked = np.flatnonzero(only("price"))
    if len(price_blocked):
        caps = np.sort(d.max_price[price_blocked])[::-1]
        tiers = sorted({1, (len(caps) + 1) // 2, len(caps)})[:max_price_tiers]
        for matched in tiers:
            price = int(caps[matched - 1])
            opened = price_blocked[d.max_price[price_blocked] >= price]
            out.append(Suggestion("lower_price", len(opened), int(qty[opened].sum()), price=price))
    cert_blocked = np.flatnonzero(only("certifications"))
    by_cert: dict[str, list[int]] = {}
    for i in cert_blocked.tolist():
        missing = orders[i].required_certifications - supply.certifications
        if len(missing) == 1:
            by_cert.setdefault(next(iter(missing)), []).append(i)
    for name, rows in sorted(by_cert.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append(Suggestion("add_certification", len(rows), int(qty[rows].sum()), certification=name))
    moq_blocked = np.flatnonzero(only("min_order_quantity"))
    if len(moq_blocked):
        target = int(qty[moq_blocked].min())
        out.append(Suggestion("lower_min_order", len(moq_blocked), int(qty[moq_blocked].sum()), min_order_quantity=target))
    late_blocked = np.flatnonzero(only("available_too_late"))
    if len(late_blocked):
        by = date.fromordinal(int(d.needed_by[late_blocked].min()))
        out.append(Suggestion("available_earlier", len(late_blocked), int(qty[late_blocked].sum()), available_from=by))
    return out
