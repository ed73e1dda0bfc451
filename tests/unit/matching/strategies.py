"""Random small marketplaces for the matching tests, and an independent oracle.

The oracle is written from the issue's rules, not from the engine's code: its
own feasibility check and a networkx min-cost max-flow over score_arc.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import networkx as nx
from hypothesis import strategies as st

from marketplace.matching import Demand, MatchConfig, Supply, score_arc

NOW = date(2025, 6, 1)
POINTS = [(21.03, 105.85), (10.78, 106.70), (10.03, 105.78), (16.05, 108.20)]
CERTS = ["VietGAP", "HACCP", "organic"]


def maybe_day(draw, lo, hi):
    offset = draw(st.one_of(st.none(), st.integers(lo, hi)))
    return None if offset is None else NOW + timedelta(days=offset)


@st.composite
def supplies_and_demands(draw, max_side=7, plain=False):
    """plain=True: every order splittable and every minimum order 1 (pure flow)."""
    categories = [("rice", "kg"), ("rice", "tonne"), ("tea", "kg")][: draw(st.integers(1, 3))]
    n_s = draw(st.integers(0, max_side))
    n_d = draw(st.integers(0, max_side))
    supplies = []
    for i in range(n_s):
        cat, unit = draw(st.sampled_from(categories))
        qty = draw(st.integers(1, 40))
        supplies.append(
            Supply(
                id=100 + i,
                category=cat,
                unit=unit,
                quantity=qty,
                unit_price=draw(st.integers(8, 14)) * 1000,
                lat=(p := draw(st.sampled_from(POINTS)))[0],
                lon=p[1],
                stars=draw(st.sampled_from([0, 3, 4, 5])),
                certifications=frozenset(draw(st.sets(st.sampled_from(CERTS), max_size=2))),
                min_order_quantity=1 if plain else draw(st.sampled_from([1, 1, 2, 5, 10])),
                available_from=maybe_day(draw, -5, 20),
                available_until=maybe_day(draw, -2, 30),
            )
        )
    demands = []
    for i in range(n_d):
        cat, unit = draw(st.sampled_from(categories))
        demands.append(
            Demand(
                id=500 + i,
                category=cat,
                unit=unit,
                quantity=draw(st.integers(1, 40)),
                max_unit_price=draw(st.integers(9, 15)) * 1000,
                lat=(p := draw(st.sampled_from(POINTS)))[0],
                lon=p[1],
                needed_by=maybe_day(draw, -2, 25),
                min_stars=draw(st.sampled_from([0, 0, 3, 4])),
                required_certifications=frozenset(draw(st.sets(st.sampled_from(CERTS), max_size=1))),
                allow_split=True if plain else draw(st.booleans()),
            )
        )
    return supplies, demands


def haversine_km(a, b):
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def feasible(s: Supply, d: Demand, now: date, config: MatchConfig) -> bool:
    """The issue's definition, rule by rule."""
    return (
        s.category == d.category
        and s.unit == d.unit
        and s.unit_price <= d.max_unit_price
        and s.stars >= d.min_stars
        and d.required_certifications <= s.certifications
        and (s.available_from is None or d.needed_by is None or s.available_from <= d.needed_by)
        and (s.available_until is None or s.available_until >= now)
        and (d.needed_by is None or d.needed_by >= now)
        and s.min_order_quantity <= d.quantity
        and (d.allow_split or s.quantity >= d.quantity)
        and (
            config.max_distance_km is None
            or haversine_km((s.lat, s.lon), (d.lat, d.lon)) <= config.max_distance_km
        )
        and s.quantity > 0
        and d.quantity > 0
    )


def oracle(supplies, demands, now=NOW, config=MatchConfig(), excluded=frozenset()):
    """(max flow, best total score among max flows) by networkx on every feasible pair not excluded."""
    graph = nx.DiGraph()
    graph.add_node("source")
    graph.add_node("sink")
    scores = {}
    for s in supplies:
        graph.add_edge("source", ("s", s.id), capacity=s.quantity, weight=0)
    for d in demands:
        graph.add_edge(("d", d.id), "sink", capacity=d.quantity, weight=0)
    for s in supplies:
        for d in demands:
            if feasible(s, d, now, config) and (s.id, d.id) not in excluded:
                score = score_arc(s, d, now=now, config=config)
                scores[(s.id, d.id)] = score
                gain = round(score * config.score_scale)
                graph.add_edge(("s", s.id), ("d", d.id), capacity=min(s.quantity, d.quantity), weight=-gain)
    flow = nx.max_flow_min_cost(graph, "source", "sink")
    quantity = sum(flow["source"].values())
    total = sum(
        f * scores[(u[1], v[1])]
        for u, targets in flow.items()
        if isinstance(u, tuple) and u[0] == "s"
        for v, f in targets.items()
        if f
    )
    return quantity, total
