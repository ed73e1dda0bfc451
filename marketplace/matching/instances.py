"""Seeded random marketplaces shaped like CungCầu's: skewed, clustered, priced around the market.

The benchmarks' instances (bench/instances.py re-exports them) and the synthetic
marketplace ``flask bench-match`` writes (marketplace/matches/synthetic.py).

* Categories follow a Zipf law: a few large ones (rice, coffee, fish sauce, ...)
  and a long tail of small local specialities, some sold in two units.
* Producers cluster in the Mekong delta and the northern provinces; orders are
  delivered mostly to the big cities. Points are the 34 provinces' centres.
* Prices scatter around each category's mean; buyers' maximums a little above it.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from .types import Demand, Supply

# (name, lat, lon, weight as a producer's home, weight as a delivery point)
PROVINCES = [
    ("Ha Noi", 21.03, 105.85, 6, 18),
    ("Hai Phong", 20.86, 106.68, 3, 6),
    ("Quang Ninh", 21.01, 107.29, 2, 2),
    ("Lao Cai", 22.49, 103.97, 4, 1),
    ("Tuyen Quang", 21.82, 105.21, 3, 1),
    ("Thai Nguyen", 21.59, 105.85, 4, 1),
    ("Phu Tho", 21.32, 105.40, 4, 1),
    ("Bac Ninh", 21.19, 106.08, 3, 2),
    ("Hung Yen", 20.65, 106.05, 3, 1),
    ("Ninh Binh", 20.25, 105.97, 3, 1),
    ("Lang Son", 21.85, 106.76, 2, 1),
    ("Cao Bang", 22.67, 106.26, 2, 1),
    ("Son La", 21.33, 103.91, 4, 1),
    ("Dien Bien", 21.39, 103.02, 2, 1),
    ("Lai Chau", 22.40, 103.46, 1, 1),
    ("Thanh Hoa", 19.81, 105.78, 2, 2),
    ("Nghe An", 18.68, 105.68, 2, 2),
    ("Ha Tinh", 18.34, 105.90, 1, 1),
    ("Quang Tri", 16.75, 107.19, 1, 1),
    ("Hue", 16.46, 107.59, 1, 2),
    ("Da Nang", 16.05, 108.20, 1, 6),
    ("Quang Ngai", 15.12, 108.80, 1, 1),
    ("Gia Lai", 13.98, 108.00, 2, 1),
    ("Dak Lak", 12.67, 108.04, 3, 1),
    ("Khanh Hoa", 12.24, 109.19, 1, 2),
    ("Lam Dong", 11.94, 108.44, 3, 2),
    ("Dong Nai", 10.95, 106.82, 2, 3),
    ("Tay Ninh", 11.31, 106.10, 2, 1),
    ("Ho Chi Minh City", 10.78, 106.70, 3, 22),
    ("Dong Thap", 10.46, 105.64, 7, 1),
    ("Vinh Long", 10.25, 105.97, 7, 1),
    ("An Giang", 10.52, 105.13, 7, 1),
    ("Can Tho", 10.03, 105.78, 7, 5),
    ("Ca Mau", 9.18, 105.15, 5, 1),
]

BIG_CATEGORIES = [  # (category, unit, mean price in VND)
    ("rice", "kg", 18_000),
    ("coffee", "kg", 120_000),
    ("fish-sauce", "litre", 60_000),
    ("tea", "kg", 250_000),
    ("honey", "litre", 200_000),
    ("dried-fruit", "kg", 150_000),
    ("rice-noodles", "kg", 35_000),
    ("cashew", "kg", 220_000),
]
CERTIFICATIONS = [("VietGAP", 0.30, 0.12), ("HACCP", 0.10, 0.05), ("organic", 0.05, 0.02), ("GlobalGAP", 0.03, 0.01)]


def categories(n_small: int, rng: np.random.Generator) -> list[tuple[str, str, int]]:
    out = list(BIG_CATEGORIES)
    for i in range(n_small):
        unit = ["kg", "box", "bottle", "piece"][i % 4]
        out.append((f"specialty-{i:03d}", unit, int(rng.integers(20, 400)) * 1000))
    # A few categories also sell in a second unit: a separate (category, unit) block.
    out += [("rice", "tonne", 17_000_000), ("coffee", "box", 95_000), ("honey", "bottle", 90_000)]
    return out


def generate(n_supplies: int, n_demands: int, seed: int = 0, now: date = date(2025, 6, 1)):
    """(supplies, demands, now): the same seed always gives the same instance."""
    rng = np.random.default_rng(seed)
    cats = categories(max(20, int(np.sqrt(n_supplies + n_demands) / 2)), rng)
    share = 1.0 / np.arange(1, len(cats) + 1) ** 1.1  # Zipf: few large, many small
    share /= share.sum()
    lat = np.array([p[1] for p in PROVINCES])
    lon = np.array([p[2] for p in PROVINCES])
    home = np.array([p[3] for p in PROVINCES], float)
    delivery = np.array([p[4] for p in PROVINCES], float)
    mean_price = np.array([c[2] for c in cats], float)

    def dates(n, p_set, lo, hi):
        has = rng.random(n) < p_set
        offset = rng.integers(lo, hi, n)
        return [now + timedelta(days=int(o)) if h else None for h, o in zip(has, offset, strict=True)]

    # Listings
    cat = rng.choice(len(cats), n_supplies, p=share)
    prov = rng.choice(len(PROVINCES), n_supplies, p=home / home.sum())
    price = np.maximum(1, np.round(mean_price[cat] * rng.lognormal(0, 0.12, n_supplies), -2)).astype(int)
    qty = np.maximum(1, rng.lognormal(5.5, 1.0, n_supplies)).astype(int)
    stars = rng.choice([0, 3, 4, 5], n_supplies, p=[0.4, 0.35, 0.2, 0.05])
    has_moq = rng.random(n_supplies) < 0.3
    moq = np.where(has_moq, np.maximum(1, (qty * rng.uniform(0.02, 0.15, n_supplies)).astype(int)), 1)
    certs = [rng.random(n_supplies) < p for _, p, _ in CERTIFICATIONS]
    avail_from = dates(n_supplies, 0.4, -10, 45)
    avail_until = dates(n_supplies, 0.2, -3, 120)
    # Producers' reliability from their own stream, so the rest of a seed's instance is unchanged:
    # a third are new (neutral 0.5), the others spread around a good record.
    track = np.random.default_rng([seed, 1])
    reliability = np.where(track.random(n_supplies) < 1 / 3, 0.5, np.clip(track.beta(8, 2, n_supplies), 0, 1))
    supplies = [
        Supply(
            id=i + 1,
            category=cats[cat[i]][0],
            unit=cats[cat[i]][1],
            quantity=int(qty[i]),
            unit_price=int(price[i]),
            lat=float(lat[prov[i]]),
            lon=float(lon[prov[i]]),
            stars=int(stars[i]),
            certifications=frozenset(name for (name, _, _), has in zip(CERTIFICATIONS, certs, strict=True) if has[i]),
            min_order_quantity=int(moq[i]),
            available_from=avail_from[i],
            available_until=avail_until[i],
            reliability=round(float(reliability[i]), 3),
        )
        for i in range(n_supplies)
    ]

    # Orders
    cat = rng.choice(len(cats), n_demands, p=share)
    prov = rng.choice(len(PROVINCES), n_demands, p=delivery / delivery.sum())
    max_price = np.round(mean_price[cat] * rng.lognormal(0.03, 0.12, n_demands), -2).astype(int)
    qty = np.maximum(1, rng.lognormal(5.3, 1.1, n_demands)).astype(int)
    min_stars = rng.choice([0, 3, 4], n_demands, p=[0.6, 0.3, 0.1])
    required = [rng.random(n_demands) < p for _, _, p in CERTIFICATIONS]
    needed_by = dates(n_demands, 0.7, -2, 60)
    split = rng.random(n_demands) < 0.8
    demands = [
        Demand(
            id=i + 1,
            category=cats[cat[i]][0],
            unit=cats[cat[i]][1],
            quantity=int(qty[i]),
            max_unit_price=int(max_price[i]),
            lat=float(lat[prov[i]]),
            lon=float(lon[prov[i]]),
            needed_by=needed_by[i],
            min_stars=int(min_stars[i]),
            required_certifications=frozenset(n for (n, _, _), has in zip(CERTIFICATIONS, required, strict=True) if has[i]),
            allow_split=bool(split[i]),
        )
        for i in range(n_demands)
    ]
    return supplies, demands, now
