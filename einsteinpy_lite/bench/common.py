"""What the benchmark sections share: the sizes, the single-layer net's arrays, interleaved median timing.

Example:
    >>> sorted(SIZES)
    ['large', 'medium', 'tiny']
    >>> _fmt_t(0.0025)
    '2.50 ms'
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["SIZES"]

#: Benchmark sizes: name -> (K, N_x, N_1, N_y).
SIZES: dict[str, tuple[int, int, int, int]] = {
    "tiny": (32, 4, 16, 8),
    "medium": (512, 64, 256, 128),
    "large": (4096, 128, 512, 256),
}

def _arrays(K: int, Nx: int, N1: int, Ny: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((N1, Ny)) / np.sqrt(Ny), rng.standard_normal(N1),
            rng.standard_normal((Nx, N1)) / np.sqrt(N1), rng.standard_normal((K, Nx)), rng.standard_normal((K, Ny)))


def _median_times(fns: dict[str, Callable[[], Any]], repeat: int, min_time: float = 0.002) -> dict[str, float]:
    """Median seconds per call of each function, repeats interleaved between the contenders (shuffled)."""
    number: dict[str, int] = {}
    for name, fn in fns.items():
        fn()  # warm up (and specialize compiled code)
        n, t = 1, 0.0
        while True:
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            t = time.perf_counter() - t0
            if t >= min_time or n >= 100_000:
                break
            n *= 4 if t < min_time / 8 else 2
        number[name] = n
    samples: dict[str, list[float]] = {name: [] for name in fns}
    order = list(fns)
    rng = np.random.default_rng(0)
    for _ in range(repeat):
        # a new order each round: whoever runs after a contender that leaves threads spinning
        # (torch's thread pool) or memory to reclaim is a different one each time
        for name in rng.permutation(order):
            fn = fns[name]
            n = number[name]
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - t0) / n)
    return {name: statistics.median(v) for name, v in samples.items()}


def _fmt_t(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"
