"""Array helpers of candidate generation: chunking enumerations and each row's best k arcs."""

from __future__ import annotations

import numpy as np


def chunk_bounds(per_row: np.ndarray, chunk_pairs: int) -> np.ndarray:
    """Split rows into consecutive runs of about chunk_pairs visited pairs each."""
    if len(per_row) == 0:
        return np.array([0])
    cum = np.cumsum(per_row)
    cuts = np.searchsorted(cum, np.arange(chunk_pairs, int(cum[-1]), chunk_pairs), "left") + 1
    return np.unique(np.concatenate([[0], cuts, [len(per_row)]]))


def concat(parts):
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return (np.concatenate([p[i] for p in parts]) for i in range(3))


def top_k_mask(own: np.ndarray, raw: np.ndarray, other: np.ndarray, k: int) -> np.ndarray:
    """True for each row's k best arcs (row = value of `own`).

    Sorting one packed int64 (row | quantised score | position) is ~10x faster
    than argsort or lexsort, because numpy sorts plain int64 with SIMD. Scores
    are quantised to at least 2**-20 of their range in the call; ties at that
    resolution go to the earlier arc (enumeration order is by listing price, then
    id), which keeps the choice deterministic.
    """
    n = len(own)
    if n == 0:
        return np.zeros(0, dtype=bool)
    if own.max() >= 1 << 20:
        own = np.unique(own, return_inverse=True)[1].reshape(-1)
    own_bits = max(1, int(own.max()).bit_length())
    pos_bits = max(1, n.bit_length())
    score_bits = 63 - own_bits - pos_bits
    if score_bits < 20:  # only for absurd chunk sizes: fall back to the exact lexsort
        order = np.lexsort((other, -raw, own))
    else:
        low, high = float(raw.min()), float(raw.max())
        span = max(high - low, 1e-12)
        levels = (1 << score_bits) - 1
        worse = np.floor((high - raw) / span * levels).astype(np.int64)
        key = (own.astype(np.int64) << (score_bits + pos_bits)) | (worse << pos_bits) | np.arange(n, dtype=np.int64)
        key.sort()
        order = key & ((1 << pos_bits) - 1)
    sorted_own = own[order]
    first = np.r_[True, sorted_own[1:] != sorted_own[:-1]]
    run_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    mask = np.zeros(n, dtype=bool)
    mask[order[np.arange(n) - run_start < k]] = True
    return mask
