"""Direct numeric evaluation of an expression -- the slow, obviously-correct reference.

:func:`evaluate` walks the tree and evaluates every product with one
``numpy.einsum`` (deltas materialized as identity matrices).  It is what
:func:`einsteinpy_lite.equal` uses to confirm an answer and what tests use as an
oracle; :func:`einsteinpy_lite.compile` is the fast path.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy

from ..core.atoms import Delta, Tensor, Zero
from ..core.elementwise import Apply, Diag
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, Sum, SumOver, dimension_symbol
from ..core.functions import get_function

__all__ = ["evaluate", "random_arrays", "array_name"]


def array_name(tensor_name: str) -> str:
    """The keyword under which a tensor's array is passed: ``\\epsilon`` -> ``epsilon``,
    ``\\nabla\\sigma`` -> ``nabla_sigma``.

    Example:
        >>> array_name(r"\\nabla\\sigma"), array_name("W1")
        ('nabla_sigma', 'W1')
    """
    out = tensor_name.strip().replace("\\", " ").replace("{", " ").replace("}", " ").split()
    name = "_".join(out)
    name = "".join(ch if (ch.isalnum() or ch == "_") else "_" for ch in name)
    return name or "_"


class _Ctx:
    def __init__(self, arrays: Mapping[str, Any], scalars: Mapping[str, float], sizes: dict[str, int]) -> None:
        self.arrays = arrays
        self.scalars = dict(scalars)
        self.sizes = sizes

    def size(self, name: str) -> int:
        if name not in self.sizes:
            raise EinsteinError(f"the size of index '{name}' is unknown", hint=f"pass it as sizes={{'{name}': n}}")
        return self.sizes[name]

    def scalar(self, c: sympy.Expr) -> float | complex:
        subs = {}
        for s in c.free_symbols:
            name = str(s)
            if name in self.scalars:
                subs[s] = self.scalars[name]
            elif name.startswith("N_") and name[2:] in self.sizes:
                subs[s] = self.sizes[name[2:]]
            else:
                raise EinsteinError(f"no value for the scalar '{name}'", hint=f"pass it as {name}=...")
        v = complex(c.subs(subs).evalf()) if subs or c.free_symbols else complex(c)
        return v.real if v.imag == 0 else v


Axes = list[str]


def _ev(e: Expr, ctx: _Ctx) -> tuple[np.ndarray, Axes]:
    """Evaluate ``e``: (array, axis names) -- axes are the free names then open bound names."""
    if isinstance(e, Tensor):
        key = array_name(e.name)
        if key not in ctx.arrays:
            raise EinsteinError(f"no array for tensor '{e.name}'", hint=f"pass it as {key}=...")
        arr = np.asarray(ctx.arrays[key])
        if arr.ndim != len(e.indices):
            raise EinsteinError(f"tensor '{e.name}' has {len(e.indices)} slots but its array has {arr.ndim} axes")
        for ix, n in zip(e.indices, arr.shape):
            ctx.sizes.setdefault(ix.name, n)
        return _einsum_single(arr, [ix.name for ix in e.indices], _out_axes(e))
    if isinstance(e, Delta):
        a, b = e.indices
        if a.name == b.name:
            return np.asarray(float(ctx.size(a.name))), []
        n = ctx.size(a.name) if a.name in ctx.sizes else ctx.size(b.name)
        return np.eye(n), [a.name, b.name]
    if isinstance(e, Zero):
        return np.zeros([ctx.size(ix.name) for ix in e.indices]), [ix.name for ix in e.indices]
    if isinstance(e, Product):
        coeff = ctx.scalar(e.coeff)
        if not e.factors:
            return np.asarray(coeff), []
        # deltas and zeros last: their sizes come from the tensors beside them
        late = [isinstance(f, (Delta, Zero, Diag)) for f in e.factors]
        done = {n: _ev(f, ctx) for n, f in enumerate(e.factors) if not late[n]}
        done.update({n: _ev(f, ctx) for n, f in enumerate(e.factors) if late[n]})
        parts = [done[n] for n in range(len(e.factors))]
        out = _out_axes(e)
        letters: dict[str, str] = {}
        pool = iter(string.ascii_letters)
        specs = []
        for _, axes in parts:
            specs.append("".join(letters.setdefault(a, next(pool)) for a in axes))
        out_spec = "".join(letters.setdefault(a, next(pool)) for a in out)
        res = np.einsum(",".join(specs) + "->" + out_spec, *[p[0] for p in parts])
        return coeff * res, out
    if isinstance(e, Sum):
        parts = [_ev(t, ctx) for t in e.terms]
        # free axes first (every term has them), then the bound axes any term carries
        axes = [ix.name for ix in e.free]
        axes += sorted({a for _, ax in parts for a in ax} - set(axes))
        total = np.zeros([ctx.size(a) for a in axes])
        for arr, ax in parts:
            # put this term's axes in the sum's order, with length-1 axes where it lacks a bound index
            arr = np.transpose(arr, [ax.index(a) for a in axes if a in ax]) if ax else np.asarray(arr)
            total = total + arr.reshape([ctx.size(a) if a in ax else 1 for a in axes])
        return total, axes
    if isinstance(e, SumOver):
        arr, axes = _ev(e.body, ctx)
        if e.index_name in axes:
            return arr.sum(axis=axes.index(e.index_name)), [a for a in axes if a != e.index_name]
        if e.bounds:
            lo, hi = (ctx.scalar(b) for b in e.bounds)
            return arr * (int(hi) - int(lo) + 1), axes  # type: ignore[arg-type]
        return arr * ctx.size(e.index_name), axes
    if isinstance(e, Apply):
        arr, axes = _ev(e.body, ctx)
        return get_function(e.func_name).implementation(e.order)(np.asarray(arr, dtype=float), np), axes
    if isinstance(e, Diag):
        arr, axes = _ev(e.body, ctx)
        val = get_function(e.func_name).implementation(e.order)(np.asarray(arr, dtype=float), np)
        out = val
        for u, lo in zip(e.body.free, e.new_indices):
            n = ctx.size(u.name)
            ctx.sizes.setdefault(lo.name, n)
            pos = axes.index(u.name)
            eye = np.eye(n).reshape((1,) * pos + (n,) + (1,) * (out.ndim - pos - 1) + (n,))
            out = out[..., None] * eye
        return out, axes + [ix.name for ix in e.new_indices]
    raise EinsteinError(f"cannot evaluate a {type(e).__name__}")


def _out_axes(e: Expr) -> Axes:
    return [ix.name for ix in e.free] + sorted(e.open_bound)


def _einsum_single(arr: np.ndarray, names: list[str], out: Axes) -> tuple[np.ndarray, Axes]:
    letters: dict[str, str] = {}
    pool = iter(string.ascii_letters)
    spec = "".join(letters.setdefault(n, next(pool)) for n in names)
    out_spec = "".join(letters[n] for n in out)
    if spec == out_spec:
        return arr, out
    return np.einsum(spec + "->" + out_spec, arr), out


def evaluate(
    e: Expr,
    arrays: Mapping[str, Any],
    sizes: Mapping[str, int] | None = None,
    **scalars: float,
) -> np.ndarray:
    """Evaluate ``e`` on numpy arrays; axes in ``e.free`` order.

    Args:
        e: the expression.
        arrays: arrays by tensor name (``epsilon`` for ``\\epsilon``, see :func:`array_name`).
        sizes: sizes of indices that no array fixes (e.g. those only on deltas).
        **scalars: values of scalar symbols (``K=4``).

    Example:
        >>> import numpy as np
        >>> from einsteinpy_lite import parse
        >>> A, y = np.arange(6.).reshape(2, 3), np.ones(3)
        >>> evaluate(parse("A^i_j y^j"), {"A": A, "y": y}).tolist()
        [3.0, 12.0]
    """
    if not isinstance(arrays, Mapping):
        raise EinsteinError(f"evaluate: arrays must be a dict of arrays by tensor name, got {type(arrays).__name__}",
                            hint="e.g. evaluate(e, {'A': A, 'y': y})")
    ctx = _Ctx(arrays, scalars, dict(sizes or {}))
    # a first pass learns index sizes from the arrays; the second uses them everywhere
    try:
        try:
            arr, _ = _ev(e, _Ctx(arrays, scalars, ctx.sizes))
        except EinsteinError:
            arr, _ = _ev(e, ctx)
    except EinsteinError:
        raise
    except ValueError as exc:  # numpy's einsum or broadcasting on arrays whose shapes disagree
        shapes = {k: np.shape(v) for k, v in arrays.items()}
        raise EinsteinError(f"evaluate: the arrays' shapes do not fit the expression ({exc})",
                            hint=f"the arrays have shapes {shapes}; an index needs one size wherever it is summed") from None
    return np.asarray(arr)


def random_arrays(
    exprs: list[Expr], size: int = 3, rng: np.random.Generator | None = None, low: float = 0.2, high: float = 1.2
) -> tuple[dict[str, np.ndarray], dict[str, float], dict[str, int]]:
    """Random arrays for every tensor, values for every scalar symbol and sizes for every index.

    Every index gets the same size ``size`` (so any consistent assignment works).

    Example:
        >>> from einsteinpy_lite import parse
        >>> arrays, scalars, sizes = random_arrays([parse("K A^i_j")])
        >>> arrays["A"].shape, sorted(scalars)
        ((3, 3), ['K'])
    """
    rng = rng or np.random.default_rng(0)
    arrays: dict[str, np.ndarray] = {}
    scalars: dict[str, float] = {}
    sizes: dict[str, int] = {}
    for e in exprs:
        for name, pattern in e.tensors().items():
            key = array_name(name)
            if key not in arrays:
                arrays[key] = rng.uniform(low, high, size=(size,) * len(pattern))
        for s in e.scalar_symbols():
            if not str(s).startswith("N_"):
                scalars.setdefault(str(s), float(rng.uniform(0.5, 1.5)))
        for n in e.index_names():
            sizes[n] = size
    for e in exprs:
        for s in e.scalar_symbols():
            if str(s).startswith("N_"):
                sizes.setdefault(str(s)[2:], size)
    _ = dimension_symbol
    return arrays, scalars, sizes
