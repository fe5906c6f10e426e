r"""An evaluator of expression trees written for the tests, independent of :mod:`einsteinpy_lite.algebra.evaluate`.

It reads the tree as the notation means it, one scope at a time: a product contracts the pairs of
its own factors' free indices (``numpy.einsum``), a ``\sum_k`` loops over the values of ``k`` and
hands each one down to the bound slots (``x_k`` is read as ``x[k]``), a sum adds terms aligned by
index name, functions are plain numpy.  Sizes come from the arrays where a tensor carries the index;
``N_x``, the range of a ``\sum`` whose body does not carry its index and the size of an index that only
deltas carry come from ``sizes[x]`` (or ``sizes["*"]``).

:func:`value` returns the array with axes in the order of ``e.free``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy

from einsteinpy_lite.core.atoms import Delta, Tensor, Zero
from einsteinpy_lite.core.elementwise import Apply, Diag
from einsteinpy_lite.core.expr import Expr, Product, Sum, SumOver


def _sig(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


#: f, f', f'' written out by hand (not from the package's registry).
FUNCTIONS: dict[str, tuple[Any, ...]] = {
    "sin": (np.sin, np.cos, lambda x: -np.sin(x)),
    "cos": (np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x)),
    "exp": (np.exp, np.exp, np.exp),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    "sigmoid": (_sig, lambda x: _sig(x) * (1 - _sig(x)),
                lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x))),
    "square": (np.square, lambda x: 2 * x, lambda x: 2 + 0 * x),
    "identity": (lambda x: x, lambda x: 1 + 0 * x, lambda x: 0 * x),
}


class _Ctx:
    def __init__(self, arrays: Mapping[str, np.ndarray], sizes: Mapping[str, int], scalars: Mapping[str, float]):
        self.arrays = arrays
        self.sizes = sizes
        self.scalars = scalars
        self.top_free: set[str] = set()
        self.inferred: dict[str, int] = {}

    def size(self, name: str) -> int:
        """The size an index called ``name`` gets where no neighbour tells: from the arrays through the
        deltas that tie names together (:func:`_inferred`), else ``sizes[name]``, else ``sizes["*"]``."""
        if name in self.inferred:
            return self.inferred[name]
        return int(self.sizes.get(name, self.sizes.get("*", 0)))

    def scalar(self, c: sympy.Expr) -> float:
        subs = {}
        for s in c.free_symbols:
            name = str(s)
            if name.startswith("dim:"):  # \dim(A, n): the n-th axis of A's array (slot_size_symbol's name)
                slot, _, tensor = name[4:].partition(":")
                subs[s] = int(np.shape(self.arrays[tensor])[int(slot)])
            else:
                subs[s] = self.sizes[name[2:]] if name.startswith("N_") else self.scalars[name]
        return float(c.subs(subs))

    def bound_size(self, e: Expr, k: str) -> int | None:
        """The size of a bound ``k`` from a tensor slot that carries it (not under a nested ``\\sum_k``)."""
        if isinstance(e, SumOver) and e.index_name == k:
            return None
        if isinstance(e, Tensor):
            for pos, ix in enumerate(e.indices):
                if ix.bound and ix.name == k:
                    return int(np.shape(self.arrays[e.name])[pos])
            return None
        if isinstance(e, Delta):  # \delta^m_k: k runs over the space of m
            a, b = e.indices
            for mine, other in ((a, b), (b, a)):
                if mine.bound and mine.name == k and not other.bound and self.size(other.name):
                    return self.size(other.name)
            return None
        for c in e.children():
            n = self.bound_size(c, k)
            if n is not None:
                return n
        return None


def _inferred(e: Expr, arrays: Mapping[str, np.ndarray], known: dict[str, int]) -> dict[str, int]:
    """Sizes by name, read off the arrays and passed along deltas and diagonals (names taken as global:
    a fallback for indices that only deltas carry, such as the fresh names of a derivative)."""
    out = dict(known)
    links: list[tuple[str, str]] = []
    for node in e.walk():
        if isinstance(node, Tensor):
            for ix, n in zip(node.indices, np.shape(arrays[node.name])):
                out.setdefault(ix.name, int(n))
        elif isinstance(node, Delta):
            links.append((node.indices[0].name, node.indices[1].name))
        elif isinstance(node, Diag):
            links += [(a.name, b.name) for a, b in zip(node.body.free, node.new_indices)]
    for _ in range(len(links)):
        for a, b in links:
            if a in out and b not in out:
                out[b] = out[a]
            elif b in out and a not in out:
                out[a] = out[b]
    return out


def _learn(local: dict[str, int], f: Expr, part: tuple[np.ndarray, list[str]]) -> None:
    """Record the sizes of ``f``'s axes (not from a zero, whose unknown axes have length 1)."""
    if not any(isinstance(n, Zero) for n in f.walk()):
        local.update(zip(part[1], np.shape(part[0])))


def _ev(e: Expr, ctx: _Ctx, env: dict[str, int], hint: dict[str, int]) -> tuple[np.ndarray, list[str]]:
    """(array, axis names): the axes are the free indices of ``e`` (in some order)."""
    if isinstance(e, Tensor):
        arr = np.asarray(ctx.arrays[e.name], dtype=float)
        assert arr.ndim == len(e.indices), (e, arr.shape)
        index: list[Any] = []
        names: list[str] = []
        for ix in e.indices:
            if ix.bound:
                index.append(env[ix.name])
            else:
                index.append(slice(None))
                names.append(ix.name)
        sub = arr[tuple(index)]
        # a trace inside the tensor (A^i_i): einsum over the repeated letter
        letters = {n: chr(97 + k) for k, n in enumerate(dict.fromkeys(names))}
        free = [ix.name for ix in e.free]
        return np.einsum("".join(letters[n] for n in names) + "->" + "".join(letters[n] for n in free), sub), free
    if isinstance(e, Delta):
        a, b = e.indices

        def size(ix: Any) -> int:
            return hint.get(ix.name, ctx.size(ix.name))

        if a.bound and b.bound:
            return np.asarray(float(env[a.name] == env[b.name])), []
        if a.bound or b.bound:
            fixed, other = (a, b) if a.bound else (b, a)
            n = size(other)
            vec = np.zeros(n)
            if env[fixed.name] < n:
                vec[env[fixed.name]] = 1.0
            return vec, [other.name]
        if a.name == b.name:
            return np.asarray(float(size(a))), []
        n = max(size(a), size(b))
        return np.eye(n), [a.name, b.name]
    if isinstance(e, Zero):
        # a zero's axes not known from its neighbours have length 1: numpy broadcasts them, and a zero (or
        # a function of it) is the same everywhere
        return (np.zeros([hint.get(ix.name, ctx.size(ix.name) if ix.name in ctx.top_free else 1) for ix in e.indices]),
                [ix.name for ix in e.indices])
    if isinstance(e, Product):
        coeff = ctx.scalar(e.coeff)
        late = [isinstance(f, (Delta, Zero)) for f in e.factors]
        parts: dict[int, tuple[np.ndarray, list[str]]] = {}
        local = dict(hint)
        # tensors first, then the other factors, deltas last: sizes flow from the arrays; a factor whose
        # sizes are not known yet (a delta inside a function's argument) waits for its neighbours
        todo = sorted((k for k in range(len(e.factors)) if not late[k]), key=lambda k: not isinstance(e.factors[k], Tensor))
        for attempt in range(len(todo) + 1):
            waiting = []
            for k in todo:
                try:
                    parts[k] = _ev(e.factors[k], ctx, env, local)
                except ValueError:
                    if attempt == len(todo):
                        raise
                    waiting.append(k)
                    continue
                _learn(local, e.factors[k], parts[k])
            todo = waiting
            if not todo:
                break
        for _ in range(2):  # deltas learn their sizes from neighbours, then from each other
            for k, f in enumerate(e.factors):
                if late[k]:
                    parts[k] = _ev(f, ctx, env, local)
                    _learn(local, e.factors[k], parts[k])
        letters: dict[str, str] = {}
        specs = []
        for k in range(len(e.factors)):
            specs.append("".join(letters.setdefault(a, chr(97 + len(letters))) for a in parts[k][1]))
        free = [ix.name for ix in e.free]
        out = "".join(letters.setdefault(a, chr(97 + len(letters))) for a in free)
        if not e.factors:
            return np.asarray(coeff), []
        return coeff * np.einsum(",".join(specs) + "->" + out, *[parts[k][0] for k in range(len(e.factors))]), free
    if isinstance(e, Sum):
        free = [ix.name for ix in e.free]
        total: Any = 0.0
        local = dict(hint)
        # terms with tensors first: a term of deltas learns its sizes from them
        for t in sorted(e.terms, key=lambda t: not any(isinstance(n, Tensor) for n in t.walk())):
            arr, axes = _ev(t, ctx, env, local)
            _learn(local, t, (arr, axes))
            total = total + np.transpose(arr, [axes.index(n) for n in free])
        return np.asarray(total), free
    if isinstance(e, SumOver):
        k = e.index_name
        if e.bounds:
            lo, hi = (int(round(ctx.scalar(b))) for b in e.bounds)
            values = range(lo, hi + 1)
        else:
            n = ctx.bound_size(e.body, k)
            values = range(n if n is not None else ctx.size(k))
        total = 0.0
        free = [ix.name for ix in e.free]
        for v in values:
            arr, axes = _ev(e.body, ctx, {**env, k: v}, hint)
            total = total + np.transpose(arr, [axes.index(n) for n in free])
        return np.asarray(total), free
    if isinstance(e, Apply):
        arr, axes = _ev(e.body, ctx, env, hint)
        return FUNCTIONS[e.func_name][e.order](arr), axes
    if isinstance(e, Diag):
        arr, axes = _ev(e.body, ctx, env, hint)
        val = FUNCTIONS[e.func_name][e.order](arr)
        out = val
        for n in arr.shape:
            out = np.multiply.outer(out, np.ones(n))
        # entries off the diagonal (an argument index differing from its partner) are zero
        grids = np.indices(out.shape)
        r = len(arr.shape)
        mask = np.ones(out.shape, dtype=bool)
        for p in range(r):
            mask &= grids[p] == grids[r + p]
        return np.where(mask, out, 0.0), axes + [ix.name for ix in e.new_indices]
    raise TypeError(f"oracle: no rule for {type(e).__name__}")


def value(e: Expr, arrays: Mapping[str, np.ndarray], sizes: Mapping[str, int] = {},  # noqa: B006
          scalars: Mapping[str, float] = {}) -> np.ndarray:  # noqa: B006
    """The value of ``e`` with axes in the order of ``e.free``."""
    ctx = _Ctx(arrays, sizes, scalars)
    ctx.top_free = {ix.name for ix in e.free}
    ctx.inferred = _inferred(e, arrays, {n: int(v) for n, v in sizes.items() if n in ctx.top_free})
    arr, axes = _ev(e, ctx, {}, {})
    return np.transpose(arr, [axes.index(ix.name) for ix in e.free]) if axes else arr
