"""The compiled callable: argument binding, specialization by shapes, the cache, plans.

``compile(e)`` lowers once; the first call with given shapes and dtypes
resolves sizes (every error before any work), plans each contraction, generates
and ``exec``-s straight-line code, and caches it under the key
``(argument count, types, shapes, dtypes)``.  A later call with the same key
costs one small tuple and one dict lookup before the generated code runs.
"""

from __future__ import annotations

import builtins
import operator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.backend import namespace
from ..core.errors import EinsteinError
from ..core.expr import Expr
from .codegen import Generated, Step, generate
from .lower import Contract, Program, lower, python_name
from .plan import Resolved, materialized_cost, resolve

__all__ = ["Compiled", "Plan", "compile"]

DEFAULT_MEMORY_LIMIT = 2 * 2**30


def _scalar_mismatch(name: str, got: Any, want: Any) -> None:
    raise EinsteinError(f"scalar {name}={got!r} disagrees with the arrays, which give {name}={want!r}",
                        hint=f"leave {name} out (it is inferred from the array shapes) or make them agree")


@dataclass
class Plan:
    """What a compiled expression does for given sizes (``fn.plan(**sizes)``).

    Attributes:
        flops: FLOPs of the chosen contraction orders (opt_einsum's count) plus the elementwise steps.
        contraction_flops: the contraction part of ``flops``.
        naive_flops: the same with every contraction as one single einsum (no order).
        materialized_flops: with deltas and diagonal tensors as identity arrays, contracted left to right.
        materialized_largest: the largest intermediate (entries) of that materialized order.
        largest_intermediate: entries of the largest array the generated code makes.
        contractions: per contraction (einsum spec, shapes, FLOPs, optimizer that won).
        steps: the generated operations in order.
        index_sizes: size of each index name.
    """

    flops: int
    contraction_flops: int
    naive_flops: int
    materialized_flops: int
    materialized_largest: int
    largest_intermediate: int
    contractions: list[tuple[str, tuple[tuple[int, ...], ...], int, str]]
    steps: list[Step]
    index_sizes: dict[str, int]
    itemsize: int = 8
    outputs: tuple[str, ...] = ()
    source: str = ""

    def __str__(self) -> str:
        sizes = ", ".join(f"{k}={v}" for k, v in sorted(self.index_sizes.items()))
        lines = [f"plan for {', '.join(self.outputs)} (sizes: {sizes or 'none'})",
                 f"  {'step':<6} {'operation':<60} {'FLOPs':>10} {'entries':>10}"]
        for s in self.steps:
            lines.append(f"  {s.var:<6} {s.text[:60]:<60} {s.flops:>10.3g} {s.size:>10,}")
        mib = self.largest_intermediate * self.itemsize / 2**20
        lines += [
            f"  total FLOPs {self.flops:.3g} (contractions {self.contraction_flops:.3g}, "
            f"paths by {', '.join(sorted({c[3] for c in self.contractions})) or 'none'})",
            f"  naive single einsum per product: {self.naive_flops:.3g} FLOPs",
            f"  deltas materialized, left to right: {self.materialized_flops:.3g} FLOPs, "
            f"largest intermediate {self.materialized_largest:,} entries",
            f"  largest intermediate: {self.largest_intermediate:,} entries ({mib:.2f} MiB)",
        ]
        return "\n".join(lines)

    __repr__ = __str__


@dataclass
class _Spec:
    run: Any
    plan: Plan
    generated: Generated


@dataclass(eq=False)
class Compiled:
    """A compiled index expression (or dict of them): call it with arrays by tensor name.

    Arrays are keyword arguments named by :func:`~einsteinpy_lite.compile.lower.python_name`
    of the tensor (``\\epsilon`` -> ``epsilon``, ``[\\nabla\\sigma]`` -> ``nabla_sigma``), or
    one dict (raw names such as ``"\\\\epsilon"`` are accepted there too); axes in slot order.
    Scalar symbols (``K``, ``alpha``) are keyword numbers; ``N_i`` and the symbol of a
    ``\\sum_{k=0}^{K-1}`` bound are inferred from the arrays when not given.

    Example:
        >>> import numpy as np
        >>> import einsteinpy_lite as el
        >>> fn = el.compile(el.parse("A^i_j y^j"))
        >>> fn(A=np.eye(2), y=np.array([1.0, 2.0]))
        array([1., 2.])
        >>> fn.arrays
        ('A', 'y')
    """

    program: Program
    single: bool
    memory_limit: float | None = DEFAULT_MEMORY_LIMIT
    reuse_buffers: bool = True
    _specs: dict[Any, Any] = field(default_factory=dict, repr=False)
    _last: _Spec | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        p = self.program
        self.arrays: tuple[str, ...] = tuple(v[3] for v in p.inputs.values())
        self._raw = {v[3]: k for k, v in p.inputs.items()}
        self.scalars: tuple[str, ...] = tuple(sorted({python_name(s.name) for s in p.symbols}))
        if len(set(self.arrays)) != len(self.arrays) or set(self.arrays) & set(self.scalars):
            raise EinsteinError(f"two tensors or scalars share the keyword name among {self.arrays + self.scalars}",
                                hint="rename one of the tensors")
        lines = ["def _key(kw):"]
        for a in self.arrays:
            lines.append(f"    {a} = kw[{a!r}]")
        parts = ["len(kw)"] + [f"type({a}), {a}.shape, {a}.dtype" for a in self.arrays]
        # scalars that give the size of an output axis no array carries (N_i of a lone delta) shape the code
        shaping = sorted({python_name(s.name) for node in p.nodes if isinstance(node, Contract)
                          for lab in node.out for s in node.fallback[lab].free_symbols})  # type: ignore[attr-defined]
        parts += [f"kw.get({nm!r})" for nm in shaping]
        lines.append(f"    return ({', '.join(parts)},)")
        ns: dict[str, Any] = {}
        exec("\n".join(lines), ns)  # noqa: S102 -- our own generated code
        self._key = ns["_key"]

    # ------------------------------------------------------------------ calling
    def __call__(self, *args: Any, **kw: Any) -> Any:
        if args:
            if len(args) != 1 or not isinstance(args[0], dict):
                raise EinsteinError("pass arrays by tensor name: fn(A=..., y=...) or fn({'A': ..., 'y': ...})")
            kw = {**args[0], **kw} if kw else args[0]
        try:
            run = self._specs.get(self._key(kw))
        except (KeyError, AttributeError, TypeError):
            run = None
        if run is None:
            return self._slow(kw)
        try:
            return run(kw)
        except EinsteinError:
            raise
        except (TypeError, ValueError):
            self._normalize(kw)  # a scalar of the wrong kind (the cache key holds only the arrays): say which
            raise

    def _signature(self) -> str:
        p = self.program
        arrs = ", ".join(f"{py} ({raw}{_slots_text(slots, ups)})" for raw, (_, slots, ups, py) in p.inputs.items())
        sc = ", ".join(self.scalars)
        return f"arrays {arrs}" + (f"; scalars {sc}" if sc else "")

    def _normalize(self, kw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        arrays: dict[str, Any] = {}
        scalars: dict[str, Any] = {}
        by_raw = {raw: py for py, raw in self._raw.items()}
        for k, v in kw.items():
            key = k if k in self._raw or k in self.scalars else by_raw.get(k, python_name(k))
            if key in self._raw:
                arrays[key] = v
            elif key in self.scalars:
                scalars[key] = v
            else:
                raise EinsteinError(f"unknown argument {k!r}: this expression takes {self._signature()}",
                                    hint="pass each array under its tensor's name")
        missing = [a for a in self.arrays if a not in arrays]
        if missing:
            raise EinsteinError(f"missing array{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}: "
                                f"this expression takes {self._signature()}",
                                hint="pass each array under its tensor's name, axes in slot order")
        for k, v in arrays.items():
            if not hasattr(v, "shape") or not hasattr(v, "dtype"):
                try:
                    arrays[k] = np.asarray(v, dtype=float)
                except (TypeError, ValueError):
                    raise EinsteinError(f"array {k!r}: cannot read a {type(v).__name__} as numbers",
                                        hint="pass an array (numpy, torch, ...) or a nested list of numbers") from None
            elif isinstance(v, np.ndarray) and v.dtype.kind not in "biufc":
                raise EinsteinError(f"array {k!r} has dtype {v.dtype}, not numbers", hint="pass a numeric array")
        for k, v in scalars.items():
            if v is None or isinstance(v, (str, bytes)) or np.ndim(v) != 0:
                raise EinsteinError(f"scalar {k!r} must be a number, got {type(v).__name__}"
                                    + (f" of shape {np.shape(v)}" if np.ndim(v) else ""),
                                    hint=f"pass {k}=<number>; arrays go under their tensors' names")
        return arrays, scalars

    def _slow(self, kw: dict[str, Any]) -> Any:
        arrays, scalars = self._normalize(kw)
        xp = namespace(*arrays.values())
        numpy_flavor = xp is np
        itemsize = max([_itemsize(a) for a in arrays.values()] or [8])
        dtypes = {getattr(a, "dtype", None) for a in arrays.values()}
        dtype = np.dtype(dtypes.pop()) if numpy_flavor and len(dtypes) == 1 else None
        inplace = dtype is not None and dtype.kind in "fc"
        spec = self._specialize({self._raw[k]: tuple(v.shape) for k, v in arrays.items()}, scalars, xp,
                                numpy_flavor, itemsize, self.memory_limit, inplace, dtype,
                                next(iter(arrays.values()), None))
        call = {**arrays, **scalars}
        try:
            key = self._key(call)
        except (KeyError, AttributeError, TypeError):
            key = None
        if key is not None and all(a is kw.get(n) for n, a in arrays.items()) and len(call) == len(kw):
            if len(self._specs) >= 64:  # many shapes: forget the oldest specialization
                self._specs.pop(next(iter(self._specs)))
            self._specs[key] = spec.run
        return spec.run(call)

    def _specialize(self, shapes: dict[str, tuple[int, ...]], scalars: dict[str, Any], xp: Any,
                    numpy_flavor: bool, itemsize: int, memory_limit: float | None, inplace: bool = False,
                    dtype: Any = None, like: Any = None) -> _Spec:
        p = self.program
        r = resolve(p, shapes, scalars)
        runtime = tuple(s for s in scalars if s not in r.inferred)
        checks = {s: r.inferred[s] for s in scalars if s in r.inferred}
        args = self.arrays + runtime + tuple(checks)
        gen = generate(p, r, numpy_flavor=numpy_flavor, single=self.single, args=args, checks=checks,
                       itemsize=itemsize, memory_limit=memory_limit, inplace=inplace,
                       pool=self.reuse_buffers, dtype=dtype)
        ns: dict[str, Any] = {"xp": xp, "np": np, "_scalar_mismatch": _scalar_mismatch, **gen.namespace}
        if not numpy_flavor and like is not None:
            import array_api_compat

            ns.update(_dt=like.dtype, _dev=array_api_compat.device(like))
        exec(builtins.compile(gen.source, "<einsteinpy_lite compiled>", "exec"), ns)  # noqa: S102
        plan = self._make_plan(r, gen, itemsize)
        spec = _Spec(ns["_run"], plan, gen)
        self._last = spec
        return spec

    def _make_plan(self, r: Resolved, gen: Generated, itemsize: int) -> Plan:
        p = self.program
        cflops = sum(c[2] for c in gen.contractions)
        naive = sum(c[3] for c in gen.contractions)
        mat = mat_largest = 0
        for vid, node in enumerate(p.nodes):
            if isinstance(node, Contract):
                mf, ml = materialized_cost(p, vid, r.label_sizes[vid])
                mat += mf
                mat_largest = max(mat_largest, ml)
        elementwise = sum(s.flops for s in gen.steps if not s.text.count("->"))
        names: dict[str, int] = dict(r.index_sizes)
        for vid in r.label_sizes:
            for nm, n in zip(p.label_names[vid], r.label_sizes[vid]):
                names.setdefault(nm, n)
        contractions = [(c[0], c[1], c[2], c[4]) for c in gen.contractions]
        return Plan(cflops + elementwise, cflops, naive + elementwise, max(mat, naive) + elementwise, mat_largest,
                    gen.largest, contractions, gen.steps, names, itemsize, tuple(p.outputs), gen.source)

    # ------------------------------------------------------------------ plans
    def plan(self, **sizes: int) -> Plan:
        """The plan for index sizes by name (``fn.plan(i=64, j=128, k=32)``), float64 numpy.

        Scalars (``K``, ``alpha``) may be given too; ``fn.source`` is then the code for these sizes.

        Sizes of names the expression does not use are ignored, so one dict of sizes can serve several
        expressions.

        Raises:
            EinsteinError: an index without a size, a size that is not a positive integer, or an
                intermediate over the memory limit.
        """
        p = self.program
        shapes: dict[str, tuple[int, ...]] = {}
        scalars = {k: v for k, v in sizes.items() if k in self.scalars}
        idx = {k: _size(k, v) for k, v in sizes.items() if k not in self.scalars}
        for raw, (_, slots, _, _) in p.inputs.items():
            missing = [s for s in slots if s not in idx]
            if missing:
                need = sorted({s for _, sl, _, _ in p.inputs.values() for s in sl})
                raise EinsteinError(f"plan: no size for index {', '.join(map(repr, missing))} (of {raw}); "
                                    f"give every index a size: {', '.join(need)}",
                                    hint="e.g. fn.plan(" + ", ".join(f"{s}=8" for s in need) + ")")
            shapes[raw] = tuple(idx[s] for s in slots)
        return self._specialize(shapes, scalars, np, True, 8, self.memory_limit, True, np.dtype(float)).plan

    def explain(self, **sizes: int) -> str:
        """The plan as text: each step in index notation with FLOPs, beside the naive costs.

        With no sizes, explains the last call or plan.
        """
        if sizes:
            return str(self.plan(**sizes))
        if self._last is None:
            raise EinsteinError("nothing to explain yet: call the function or fn.plan(i=..., ...) first",
                                hint="or pass index sizes: fn.explain(i=64, j=128)")
        return str(self._last.plan)

    @property
    def source(self) -> str | None:
        """The generated Python source of the last call or plan (None before either)."""
        return None if self._last is None else self._last.generated.source

    def __repr__(self) -> str:
        outs = ", ".join(self.program.outputs)
        return f"Compiled({outs}; {self._signature()})"


def _slots_text(slots: tuple[str, ...], ups: tuple[bool, ...]) -> str:
    """``^{i j}_k`` for slots i, j (up) and k (down)."""
    out, n = "", 0
    while n < len(slots):
        m = n
        while m < len(slots) and ups[m] == ups[n]:
            m += 1
        group = slots[n:m]
        out += ("^" if ups[n] else "_") + (group[0] if len(group) == 1 else "{" + " ".join(group) + "}")
        n = m
    return out


def _size(name: str, value: Any) -> int:
    """An index size for :meth:`Compiled.plan`: a positive integer."""
    try:
        if isinstance(value, bool):
            raise TypeError
        n = operator.index(value)
    except TypeError:
        raise EinsteinError(f"plan: the size of index {name!r} must be an integer, got {value!r}") from None
    if n <= 0:
        raise EinsteinError(f"plan: the size of index {name!r} must be positive, got {n}")
    return n


def _itemsize(a: Any) -> int:
    try:
        return int(np.dtype(a.dtype).itemsize)
    except TypeError:
        return int(getattr(a.dtype, "itemsize", 8))


_CACHE: dict[Any, Compiled] = {}
_CANONICAL_CACHE: dict[Any, Compiled] = {}
_CANONICAL_KEY_MAX_NODES = 120  # expression nodes, all outputs together


def compile(  # noqa: A001 -- the public name is fixed by the design
    expr: Expr | str | dict[str, Expr | str],
    out: tuple[str, ...] | dict[str, tuple[str, ...]] | None = None,
    memory_limit: float | None = DEFAULT_MEMORY_LIMIT,
    reuse_buffers: bool = True,
) -> Compiled:
    """Compile an index expression (or a dict of them) into a cached callable on arrays.

    Args:
        expr: an :class:`~einsteinpy_lite.Expr`, text for :func:`~einsteinpy_lite.parse`, or a dict
            name -> expression (the result is then a dict; shared subexpressions are computed once).
        out: the output axis order as index names (default ``expr.free`` order); for a dict, a dict
            name -> order.
        memory_limit: bytes any intermediate may take (default 2 GiB); None for no limit.
        reuse_buffers: on numpy, keep the intermediates' buffers between calls (no allocation
            per call; outputs are always new arrays).  Costs the intermediates' memory while the
            callable lives.

    Returns:
        A :class:`Compiled`; equal arguments return the same object.

    Raises:
        EinsteinError: an output order that is not a permutation of the free indices.

    Example:
        >>> import numpy as np
        >>> import einsteinpy_lite as el
        >>> fn = el.compile(r"\\delta^i_j A^j_k")
        >>> fn(A=np.arange(4.0).reshape(2, 2)).tolist()
        [[0.0, 1.0], [2.0, 3.0]]
        >>> el.compile(r"\\delta^i_j A^j_k") is fn
        True
        >>> el.compile(r"\\delta^i_m A^m_k") is fn  # cached by canonical form: dummy names do not matter
        True
    """
    from ..notation.parse import parse

    single = not isinstance(expr, dict)
    items = {"out": expr} if single else dict(expr)  # type: ignore[arg-type]
    if not items:
        raise EinsteinError("compile: the dict of expressions is empty", hint="pass {'name': expression, ...}")
    bad_names = [k for k in items if not isinstance(k, str)]
    if bad_names:
        raise EinsteinError(f"compile: output name {bad_names[0]!r} is not a string",
                            hint="name each output with a string such as 'd_A'; results come back under it")
    for order in (out.values() if isinstance(out, dict) else [out]):
        if order is not None and (isinstance(order, str) or not isinstance(order, (tuple, list))
                                  or not all(isinstance(n, str) for n in order)):
            raise EinsteinError(f"out={order!r} must be a tuple of index names", hint="e.g. out=('j', 'i')")
    items = {k: parse(v) if isinstance(v, str) else v for k, v in items.items()}
    if isinstance(out, dict):
        outs_key: Any = tuple(sorted((k, tuple(v)) for k, v in out.items()))
    else:
        outs_key = tuple(out) if out is not None else None
    key = (tuple(items.items()), outs_key, memory_limit, single, reuse_buffers)
    try:
        hit = _CACHE.get(key)
    except TypeError:
        hit = None
    if hit is not None:
        return hit
    exprs: dict[str, Expr] = {}
    for name, e in items.items():
        if not isinstance(e, Expr):
            raise EinsteinError(f"compile: {name!r} is not an index expression ({type(e).__name__})",
                                hint="pass an Expr, text to parse, or a dict of them")
        exprs[name] = e
    if single and isinstance(out, dict):
        raise EinsteinError("out= is a dict but there is one expression", hint="pass out=('i', 'j')")
    if not single and out is not None and not isinstance(out, dict):
        raise EinsteinError("out= for a dict of expressions must be a dict name -> index order",
                            hint="e.g. out={'d_A': ('j2', 'j1')}")
    if single:
        outs: dict[str, tuple[str, ...] | None] = {"out": out if not isinstance(out, dict) else None}
    else:
        outs = {k: (out.get(k) if isinstance(out, dict) else None) for k in exprs}
    # second level: expressions equal up to dummy names and factor order (same canonical form,
    # same free indices in the same order) share one compiled callable.  Canonicalizing costs
    # more than compiling for large expressions (a deep network's gradients), so only small
    # ones are keyed this way.
    from ..algebra.simplify import canonical

    small = sum(1 for e in exprs.values() for _ in e.walk()) <= _CANONICAL_KEY_MAX_NODES
    ckey = (tuple((k, canonical(e), tuple(ix.key for ix in e.free)) for k, e in exprs.items()),
            outs_key, memory_limit, single, reuse_buffers) if small else None
    fn = _CANONICAL_CACHE.get(ckey) if ckey is not None else None
    if fn is None:
        fn = Compiled(lower(exprs, outs), single, memory_limit, reuse_buffers)
        if ckey is not None:
            _CANONICAL_CACHE[ckey] = fn
    try:
        _CACHE[key] = fn
    except TypeError:
        pass
    for cache in (_CACHE, _CANONICAL_CACHE):
        if len(cache) > 512:
            cache.pop(next(iter(cache)))
    return fn
