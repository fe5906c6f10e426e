"""Direct numeric evaluation of an expression -- the slow, obviously-correct reference.

:func:`evaluate` walks the tree and evaluates every product with one
``numpy.einsum`` (deltas materialized as identity matrices).  It is what
:func:`einsteinpy_lite.equal` uses to confirm an answer and what tests use as an
oracle; :func:`einsteinpy_lite.compile` is the fast path.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import opt_einsum
import sympy

from ..core.atoms import Delta, Tensor, Zero
from ..core.elementwise import Apply, Diag
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, Sum, SumOver, dimension_symbol, slot_of
from ..core.functions import get_function
from ..core.matrix_functions import MatrixFunction
from ..core.vector_kernels import vector_function

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


class _Scope:
    """Index sizes where they are bound: a product's dummies and a ``\\sum``'s index are local to it.

    A name reused in another term (another product) is another index and may have another size;
    names no inner scope binds (the free indices) live in the root scope.
    """

    def __init__(self, parent: _Scope | None, local: set[str], own: dict[str, int] | None = None) -> None:
        self.parent = parent
        self.local = local
        self.own: dict[str, int] = own if own is not None else {}

    def owner(self, name: str) -> _Scope:
        s = self
        while s.parent is not None and name not in s.local:
            s = s.parent
        return s

    def get(self, name: str) -> int | None:
        return self.owner(name).own.get(name)

    def learn(self, name: str, n: int) -> None:
        self.owner(name).own.setdefault(name, int(n))


def _number(name: str, value: Any) -> Any:
    """A scalar's value, which must be a number: text would reach sympy's ``subs``, which evaluates it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Number, np.number)):
        raise EinsteinError(f"the scalar {name} must be a number, got {value!r}",
                            hint="pass numbers for scalars, e.g. evaluate(e, arrays, K=4)")
    return value


class _Ctx:
    def __init__(self, arrays: Mapping[str, Any], scalars: Mapping[str, float], sizes: dict[str, int]) -> None:
        self.arrays = arrays
        self.scalars = {name: _number(name, v) for name, v in scalars.items()}
        self.root = _Scope(None, set(), sizes)
        self.given = dict(sizes)  # sizes by name from the caller: the default for any index of that name
        self.seen: dict[str, set[int]] = {}  # every size seen for a name, any scope (for N_x outside x's scope)
        self.traces: dict[str, set[int]] = {}  # sizes of tensors' own traces by name (for N_x only)
        self.learning = False  # the first pass: learn sizes, go on past terms that cannot be sized yet
        # size an index by its name in another scope only when nothing else can (set for a last try): a
        # delta's dummy c beside \sum_c t1_{ic} waits for the product's own C^i_{bc}, not the sum's c
        self.guess = False

    @property
    def sizes(self) -> dict[str, int]:
        return self.root.own

    def learn(self, scope: _Scope, name: str, n: int) -> None:
        scope.learn(name, n)
        self.seen.setdefault(name, set()).add(int(n))

    def size(self, scope: _Scope, name: str, by_name: bool = False) -> int:
        """The size of index ``name`` in ``scope``; ``by_name`` (an ``N_x``): else the one size its name has."""
        n = scope.get(name)
        if n is None:
            n = self.given.get(name)
        if n is None and (self.guess or by_name) and len(self.seen.get(name, ())) == 1:
            n = next(iter(self.seen[name]))  # an index only on deltas, where its name has one size
        if n is not None:
            return n
        if f"N_{name}" in self.scalars:
            return int(self.scalars[f"N_{name}"])
        raise EinsteinError(f"the size of index '{name}' is unknown", hint=f"pass it as sizes={{'{name}': n}}")

    def slot_size(self, tensor: str, slot: int) -> int:
        """``\\dim(A, n)``: the size of that axis of the array passed for the tensor."""
        key = array_name(tensor)
        if key not in self.arrays:
            raise EinsteinError(f"no array for tensor '{tensor}', whose slot {slot + 1} sizes \\dim({tensor}, {slot + 1})",
                                hint=f"pass it as {key}=...")
        shape = np.shape(self.arrays[key])
        if slot >= len(shape):
            raise EinsteinError(f"\\dim({tensor}, {slot + 1}) names slot {slot + 1}, but the array for '{tensor}' "
                                f"has {len(shape)} axes")
        return int(shape[slot])

    def scalar(self, scope: _Scope, c: sympy.Expr) -> float | complex:
        subs = {}
        for s in c.free_symbols:
            name = str(s)
            slot = slot_of(s)
            if slot is not None:
                subs[s] = self.slot_size(*slot)
                continue
            if name in self.scalars:
                subs[s] = self.scalars[name]
                continue
            n = None
            if name.startswith("N_"):
                try:
                    n = self.size(scope, name[2:], by_name=True)  # N_m outside the \sum binding m: the one size m has
                except EinsteinError:
                    n = None
                if n is None and len(self.traces.get(name[2:], ())) == 1:
                    n = next(iter(self.traces[name[2:]]))  # the name of a trace, B^s_s
            if n is None:
                raise EinsteinError(f"no value for the scalar '{name}'", hint=f"pass it as {name}=...")
            subs[s] = n
        v = complex(c.subs(subs).evalf()) if subs or c.free_symbols else complex(c)
        return v.real if v.imag == 0 else v


Axes = list[str]


def _contract(operands: list[tuple[np.ndarray, Axes]], out: Axes) -> np.ndarray:
    """One einsum over any number of labels (opt_einsum's symbols never run out), pairwise in a good order."""
    letters: dict[str, str] = {}

    def sym(a: str) -> str:
        return letters.setdefault(a, opt_einsum.get_symbol(len(letters)))

    specs = ["".join(sym(a) for a in axes) for _, axes in operands]
    spec = ",".join(specs) + "->" + "".join(sym(a) for a in out)
    if len(operands) == 1 and specs[0] == spec.split("->")[1]:
        return operands[0][0]
    return np.asarray(opt_einsum.contract(spec, *[arr for arr, _ in operands]))


def _numbers(arr: Any) -> np.ndarray:
    """Function input: complex stays complex, everything else becomes float."""
    a = np.asarray(arr)
    return a if np.iscomplexobj(a) else a.astype(float)


def _ev(e: Expr, ctx: _Ctx, scope: _Scope) -> tuple[np.ndarray, Axes]:
    """Evaluate ``e``: (array, axis names) -- axes are the free names then open bound names."""
    if isinstance(e, Tensor):
        key = array_name(e.name)
        if key not in ctx.arrays:
            raise EinsteinError(f"no array for tensor '{e.name}'", hint=f"pass it as {key}=...")
        arr = np.asarray(ctx.arrays[key])
        if arr.ndim != len(e.indices):
            raise EinsteinError(f"tensor '{e.name}' has {len(e.indices)} slots but its array has {arr.ndim} axes")
        own = {d.name for d in e._free_and_dummies[1]}  # a trace of its own is no index of the scope's
        for ix, n in zip(e.indices, arr.shape):
            if ix.name not in own:
                ctx.learn(scope, ix.name, n)
            else:  # still known by its name, for an N_x outside (\frac{1}{N_s} B^s_s), never for an index
                ctx.traces.setdefault(ix.name, set()).add(int(n))
        out = _out_axes(e)
        return _contract([(arr, [ix.name for ix in e.indices])], out), out
    if isinstance(e, Delta):
        a, b = e.indices
        if a.name == b.name:
            return np.asarray(float(ctx.size(scope, a.name))), []
        n = ctx.size(scope, a.name) if scope.get(a.name) is not None else ctx.size(scope, b.name)
        ctx.learn(scope, a.name, n)  # both sides of a delta have one size: a neighbour may need it
        ctx.learn(scope, b.name, n)
        return np.eye(n), [a.name, b.name]
    if isinstance(e, Zero):
        return np.zeros([ctx.size(scope, ix.name) for ix in e.indices]), [ix.name for ix in e.indices]
    if isinstance(e, Product):
        inner = _Scope(scope, {d.name for d in e._free_and_dummies[1]})
        # tensors first (their arrays tell the sizes), then sums and functions (an N_u1 inside may size a
        # dummy u1 of this product), deltas and zeros last: their sizes come from the factors beside them
        # (a sum factor after the functions too: its deltas take their sizes from the functions' tensors)
        rank = [0 if isinstance(f, Tensor) else 2 if isinstance(f, (Delta, Zero, Diag, Sum)) else 1 for f in e.factors]
        done: dict[int, tuple[np.ndarray, Axes]] = {}
        todo = sorted(range(len(e.factors)), key=lambda n: rank[n])
        while todo:
            # a factor whose sizes only a later neighbour tells (a delta chain through a nested product:
            # (\delta_\mu^a) (G_{k a} \delta^{\mu s}) ) waits for it; no progress in a round is an error
            waiting: list[int] = []
            first: EinsteinError | None = None
            for n in todo:
                try:
                    done[n] = _ev(e.factors[n], ctx, inner)
                except EinsteinError as exc:
                    if "is unknown" not in exc.message and "no value for the scalar" not in exc.message:
                        raise
                    waiting.append(n)
                    first = first or exc
            if len(waiting) == len(todo):
                assert first is not None
                raise first
            todo = waiting
        coeff = ctx.scalar(inner, e.coeff)  # after the factors: N_j of a dummy j is this product's j
        if not e.factors:
            return np.asarray(coeff), []
        out = _out_axes(e)
        return coeff * _contract([done[n] for n in range(len(e.factors))], out), out
    if isinstance(e, Sum):
        if ctx.learning:
            # the first pass learns sizes from every term, even when an earlier term cannot be sized
            # yet (-\delta_p^\mu + H^\mu_p: only H tells the size of \mu)
            failed: EinsteinError | None = None
            for t in e.terms:
                try:
                    _ev(t, ctx, scope)
                except EinsteinError as exc:
                    failed = failed or exc
            if failed is not None:
                raise failed
        parts = [_ev(t, ctx, scope) for t in e.terms]
        # free axes first (every term has them), then the bound axes any term carries
        axes = [ix.name for ix in e.free]
        axes += sorted({a for _, ax in parts for a in ax} - set(axes))
        size = {a: arr.shape[ax.index(a)] for arr, ax in parts for a in ax}
        total: np.ndarray = np.zeros([size[a] for a in axes])
        for arr, ax in parts:
            # put this term's axes in the sum's order, with length-1 axes where it lacks a bound index
            arr = np.transpose(arr, [ax.index(a) for a in axes if a in ax]) if ax else np.asarray(arr)
            total = total + arr.reshape([size[a] if a in ax else 1 for a in axes])
        return total, axes
    if isinstance(e, SumOver):
        inner = _Scope(scope, {e.index_name})
        arr, axes = _ev(e.body, ctx, inner)
        if e.index_name in axes:
            return arr.sum(axis=axes.index(e.index_name)), [a for a in axes if a != e.index_name]
        if e.bounds:
            lo, hi = (ctx.scalar(inner, b) for b in e.bounds)
            return arr * (int(hi.real) - int(lo.real) + 1), axes  # type: ignore[union-attr]
        return arr * ctx.size(inner, e.index_name), axes
    if isinstance(e, Apply):
        arr, axes = _ev(e.body, ctx, scope)
        return get_function(e.func_name).implementation(e.order)(_numbers(arr), np), axes
    if isinstance(e, MatrixFunction):
        arr, axes = _ev(e.body, ctx, scope)
        return _matrix_function(e, _numbers(arr), axes)
    if isinstance(e, Diag):
        arr, axes = _ev(e.body, ctx, scope)
        val = get_function(e.func_name).implementation(e.order)(_numbers(arr), np)
        out = val
        for u, lo in zip(e.body.free, e.new_indices):
            pos = axes.index(u.name)
            n = arr.shape[pos]
            ctx.learn(scope, lo.name, n)
            eye = np.eye(n).reshape((1,) * pos + (n,) + (1,) * (out.ndim - pos - 1) + (n,))
            out = out[..., None] * eye
        return out, axes + [ix.name for ix in e.new_indices]
    raise EinsteinError(f"cannot evaluate a {type(e).__name__}")


def _matrix_function(e: MatrixFunction, arr: np.ndarray, axes: Axes) -> tuple[np.ndarray, Axes]:
    """``inv``, ``det`` or ``logdet`` over the argument's two free axes, ``softmax`` or ``logsumexp`` over its
    one free axis (any others are a batch)."""
    if e.vector:
        axis = axes.index(e.body.free[0].name)
        out = vector_function(e.func_name, arr, np, axis)
        return out, (axes if e.func_name == "softmax" else [a for n, a in enumerate(axes) if n != axis])
    rows, cols = (axes.index(ix.name) for ix in e.body.free)
    if arr.shape[rows] != arr.shape[cols]:
        raise EinsteinError(f"{e.func_name} of '{e.body}' needs a square matrix, but its indices "
                            f"{e.body.free[0]} and {e.body.free[1]} have sizes {arr.shape[rows]} and {arr.shape[cols]}")
    mats = np.moveaxis(arr, (rows, cols), (-2, -1))
    rest = [a for n, a in enumerate(axes) if n not in (rows, cols)]
    if e.func_name == "det":
        return np.linalg.det(mats), rest
    if e.func_name == "logdet":
        with np.errstate(divide="ignore"):
            return np.linalg.slogdet(mats)[1], rest  # log|det|: -inf for a singular matrix, its value
    try:
        inv = np.linalg.inv(mats)
    except np.linalg.LinAlgError:
        inv = np.full(mats.shape, np.nan)
    if not np.all(np.isfinite(inv)):
        raise EinsteinError(f"the matrix '{e.body}' is singular: it has no inverse",
                            hint="\\mathrm{inv} needs an invertible matrix (\\det \\neq 0)")
    return np.moveaxis(inv, (-2, -1), (rows, cols)), axes


def _out_axes(e: Expr) -> Axes:
    return [ix.name for ix in e.free] + sorted(e.open_bound)


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
    # a first pass learns the free indices' sizes from the arrays; the second uses them everywhere
    try:
        try:
            first = _Ctx(arrays, scalars, ctx.sizes)
            first.learning = True
            arr, _ = _ev(e, first, first.root)
        except EinsteinError:
            ctx.seen, ctx.traces = first.seen, first.traces  # (a trace in a later term sizes N_x in an earlier one)
            try:
                arr, _ = _ev(e, ctx, ctx.root)
            except EinsteinError as exc:
                if "is unknown" not in exc.message:
                    raise
                # the last try: an index only on deltas takes the one size its name has elsewhere
                ctx = _Ctx(arrays, scalars, dict(sizes or {}))
                ctx.seen, ctx.traces, ctx.guess = first.seen, first.traces, True
                ctx.learning = True
                try:
                    _ev(e, ctx, ctx.root)
                except EinsteinError:
                    pass
                ctx.learning = False
                arr, _ = _ev(e, ctx, ctx.root)
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

    Every index gets the same size ``size`` (so any consistent assignment works).  A symbol in the
    bounds of a ``\\sum`` is a size, so it gets an integer: the one that gives the sum ``size`` terms
    (``K = 3`` for ``\\sum_{k=0}^{K-1}``); other scalars are floats in [0.5, 1.5].

    Example:
        >>> from einsteinpy_lite import parse
        >>> arrays, scalars, sizes = random_arrays([parse("K A^i_j")])
        >>> arrays["A"].shape, sorted(scalars)
        ((3, 3), ['K'])
        >>> random_arrays([parse(r"\\sum_{a=0}^{K-1} x^i")])[1]
        {'K': 3}
    """
    rng = rng or np.random.default_rng(0)
    arrays: dict[str, np.ndarray] = {}
    scalars: dict[str, float] = {}
    sizes: dict[str, int] = {}
    for e in exprs:
        for node in e.walk():
            if isinstance(node, SumOver) and node.bounds:
                count = sympy.expand(node.bounds[1] - node.bounds[0] + 1).subs(
                    {sympy.Symbol(k): v for k, v in scalars.items()})
                for sym in sorted(count.free_symbols, key=str):
                    try:
                        sol = [v for v in sympy.solve(sympy.Eq(count, size), sym) if v.is_integer and v.is_positive]
                    except (NotImplementedError, TypeError, ValueError):
                        sol = []
                    scalars[str(sym)] = int(sol[0]) if sol else int(rng.integers(1, size + 1))
                    count = count.subs(sym, scalars[str(sym)])
        for name, pattern in e.tensors().items():
            key = array_name(name)
            if key not in arrays:
                arrays[key] = rng.uniform(low, high, size=(size,) * len(pattern))
        for s in e.scalar_symbols():
            if not str(s).startswith("N_") and slot_of(s) is None:
                scalars.setdefault(str(s), float(rng.uniform(0.5, 1.5)))
        for n in e.index_names():
            sizes[n] = size
    for e in exprs:
        for s in e.scalar_symbols():
            if str(s).startswith("N_"):
                sizes.setdefault(str(s)[2:], size)
    _ = dimension_symbol
    return arrays, scalars, sizes
