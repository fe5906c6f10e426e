"""Memory-bounded contractions: slice over an index and add up (or fill in) the pieces.

A contraction whose every order makes an intermediate larger than the memory limit is cut
along one or more of its indices: each piece contracts views of the operands (no copies),
its intermediates a fraction of the whole; the pieces of a summed index add up, those of
an output index fill their part of the result.  :func:`choose_slices` picks the indices by
cost (the fewest FLOPs over all pieces among the cuts that get closest to the limit) and then
the largest chunks that still fit; :class:`SlicedContraction` runs them.

>>> import numpy as np
>>> ops, out, sizes = ((0, 1), (1, 2), (2, 3)), (0, 3), (2, 50, 50, 2)
>>> choose_slices(ops, out, sizes, limit=50)  # every order makes a 2 x 50 intermediate: cut the output's rows
[(0, 1)]
>>> choose_slices(ops, out, sizes, limit=50, out_ok=False)  # or the summed index, in chunks of 16
[(1, 16)]
>>> run = SlicedContraction(ops, out, sizes, [(1, 16)])
>>> a, b, c = np.ones((2, 50)), np.ones((50, 50)), np.ones((50, 2))
>>> float(run(a, b, c)[0, 0])
2500.0
"""

from __future__ import annotations

import itertools
import math
import numbers
from typing import Any

import opt_einsum

from ..core.errors import EinsteinError
from .plan import best_path, path_cost

__all__ = ["choose_slices", "SlicedContraction", "sliced_cost", "human_bytes", "memory_bytes"]

_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def human_bytes(n: float) -> str:
    """``n`` bytes in the largest binary unit that keeps it at least 1 (``'1.5 KiB'``).

    Example:
        >>> human_bytes(1536), human_bytes(8 * 2**30), human_bytes(100)
        ('1.5 KiB', '8 GiB', '100 B')
    """
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


def memory_bytes(limit: Any, where: str = "memory_limit") -> float | None:
    """A memory limit in bytes: a number, None (no limit) or text with a unit (``'1GiB'``, ``'512 MB'``).

    Raises:
        EinsteinError: text that is no size, a unit it does not know, or a size that is not positive.

    Example:
        >>> import numpy as np
        >>> memory_bytes("1GiB"), memory_bytes("1.5 kib"), memory_bytes(2e6), memory_bytes(np.int64(8)), memory_bytes(None)
        (1073741824, 1536, 2000000.0, 8, None)
    """
    import re

    if limit is None:
        return None
    value: Any = limit
    if isinstance(limit, str):
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*", limit)
        if not m or m.group(2).lower() not in _UNITS:
            raise EinsteinError(f"{where}={limit!r} is not a size in bytes",
                                hint="pass a number of bytes, None, or text such as '1GiB', '512MiB', '2GB'")
        scaled = float(m.group(1)) * _UNITS[m.group(2).lower()]
        value = int(scaled) if scaled.is_integer() else scaled
    elif isinstance(limit, bool) or not isinstance(limit, numbers.Real):
        raise EinsteinError(f"{where}={limit!r} is not a size in bytes",
                            hint="pass a number of bytes, None, or text such as '1GiB'")
    else:
        value = int(limit) if isinstance(limit, numbers.Integral) else float(limit)  # numpy scalars too
    if not math.isfinite(value) or value <= 0:
        raise EinsteinError(f"{where}={limit!r} must be a positive number of bytes",
                            hint="None means no limit")
    return value


def _largest(ops: tuple[tuple[int, ...], ...], out: tuple[int, ...], sizes: tuple[int, ...],
             limit: int) -> tuple[int, int]:
    """The best order's largest intermediate and FLOPs for these sizes (under ``limit`` if an order is)."""
    path = best_path(ops, out, sizes, limit)
    flops, big = path_cost(ops, out, sizes, path)
    return big, flops


def sliced_cost(ops: tuple[tuple[int, ...], ...], out: tuple[int, ...], sizes: tuple[int, ...],
                slices: list[tuple[int, int]]) -> tuple[int, int, int]:
    """FLOPs over all pieces, the pieces' largest intermediate (entries) and the number of pieces.

    Example:
        >>> sliced_cost(((0, 1), (1, 2)), (0, 2), (4, 6, 4), [(1, 3)])
        (192, 0, 2)
    """
    cut = dict(slices)
    chunk = tuple(min(n, cut.get(x, n)) for x, n in enumerate(sizes))
    pieces = math.prod(-(-sizes[x] // c) for x, c in slices)
    big, flops = _largest(ops, out, chunk, 2**62)
    return flops * pieces, big, pieces


def choose_slices(ops: tuple[tuple[int, ...], ...], out: tuple[int, ...], sizes: tuple[int, ...],
                  limit: int, out_ok: bool = True) -> list[tuple[int, int]]:
    """The labels to slice and their chunk sizes so that no intermediate exceeds ``limit`` entries.

    Args:
        ops: each operand's labels.
        out: the output labels (the result itself must fit: it is not an intermediate).
        sizes: every label's size.
        limit: entries an intermediate may take.
        out_ok: output labels may be sliced (the result is then filled in place: numpy).

    Returns:
        ``[(label, chunk), ...]``; ``[]`` when some order already fits.

    Raises:
        EinsteinError: slicing every index it may still leaves an intermediate over the limit.

    Example:
        >>> choose_slices(((0, 1), (1, 2)), (0, 2), (4, 6, 4), limit=100)
        []
    """
    sizes = tuple(int(n) for n in sizes)
    if _largest(ops, out, sizes, limit)[0] <= limit:
        return []
    cur = list(sizes)
    chosen: list[int] = []
    while _largest(ops, out, tuple(cur), limit)[0] > limit:
        cands = [x for x in range(len(cur)) if x not in chosen and cur[x] > 1 and (out_ok or x not in out)
                 and any(x in o for o in ops)]
        if not cands:
            raise EinsteinError(
                f"no slicing meets the memory limit of {limit:,} entries: with every index it may slice cut to "
                f"one entry, an intermediate still has {_largest(ops, out, tuple(cur), limit)[0]:,} entries",
                hint="raise memory_limit (or None for no limit)")

        def cost(x: int) -> tuple[int, int]:
            trial = [1 if y == x else s for y, s in enumerate(cur)]
            big, flops = _largest(ops, out, tuple(trial), limit)
            return max(0, big - limit), flops * sizes[x]

        best = min(cands, key=cost)
        chosen.append(best)
        cur[best] = 1
    # the largest chunks that still fit, the first sliced index first

    def fits(x: int, c: int) -> bool:
        trial = list(cur)
        trial[x] = c
        return _largest(ops, out, tuple(trial), limit)[0] <= limit

    for x in chosen:
        c = 1
        while c * 2 <= sizes[x] and fits(x, c * 2):
            c *= 2
        if c < sizes[x] and fits(x, sizes[x]):
            c = sizes[x]
        cur[x] = c
    return [(x, cur[x]) for x in chosen]


class SlicedContraction:
    """Contract ``ops -> out`` piece by piece over ``slices`` (views of the operands, pieces added or placed).

    Args:
        ops: each operand's labels (no label repeated within one).
        out: the output labels; the result's axes are in this order.
        sizes: every label's size.
        slices: ``[(label, chunk), ...]`` from :func:`choose_slices`.
        xp: the array namespace for the result of a sliced output label (numpy's by default).
        piece: ``(shapes, dtype) -> run``, a callable contracting one piece's arrays (the compiler's own code;
            ``dtype`` the pieces' one dtype, or None when they have several);
            None: ``opt_einsum.contract`` on the planned path.
    """

    def __init__(self, ops: tuple[tuple[int, ...], ...], out: tuple[int, ...], sizes: tuple[int, ...],
                 slices: list[tuple[int, int]], xp: Any = None, piece: Any = None) -> None:
        self.ops, self.out, self.sizes, self.slices = ops, out, tuple(sizes), list(slices)
        sym = opt_einsum.get_symbol
        self.spec = ",".join("".join(sym(x) for x in o) for o in ops) + "->" + "".join(sym(x) for x in out)
        cut = dict(self.slices)
        chunk = tuple(min(n, cut.get(x, n)) for x, n in enumerate(self.sizes))
        self.path = [tuple(s) for s in best_path(ops, out, chunk)]
        self.ranges = [[(s, min(s + c, self.sizes[x])) for s in range(0, self.sizes[x], c)] for x, c in self.slices]
        self.fills = any(x in out for x, _ in self.slices)
        self.xp = xp
        self.piece = piece
        self._runs: dict[Any, Any] = {}  # (piece shapes, their one dtype or None) -> the piece's code

    @property
    def pieces(self) -> int:
        """How many pieces the contraction is cut into."""
        return math.prod(len(r) for r in self.ranges)

    def __call__(self, *arrays: Any) -> Any:
        total: Any = None
        if self.fills:
            import numpy as np

            xp = self.xp or np
            total = xp.zeros(tuple(self.sizes[x] for x in self.out), dtype=arrays[0].dtype)
        for combo in itertools.product(*self.ranges):
            where = {x: slice(lo, hi) for (x, _), (lo, hi) in zip(self.slices, combo)}
            parts = [a[tuple(where.get(x, slice(None)) for x in labs)] if any(x in where for x in labs) else a
                     for a, labs in zip(arrays, self.ops)]
            if self.piece is not None:
                dtypes = {getattr(a, "dtype", None) for a in parts}
                key = (tuple(tuple(a.shape) for a in parts), dtypes.pop() if len(dtypes) == 1 else None)
                run = self._runs.get(key)
                if run is None:
                    run = self._runs[key] = self.piece(*key)
                piece = run(*parts)
            else:
                piece = opt_einsum.contract(self.spec, *parts, optimize=self.path)
            if self.fills:
                total[tuple(where.get(x, slice(None)) for x in self.out)] += piece
            else:  # a new sum each time: the first piece may be a view of an operand
                total = piece if total is None else total + piece
        return total

    def __repr__(self) -> str:
        return f"SlicedContraction({self.spec!r}, slices={self.slices}, pieces={self.pieces})"
