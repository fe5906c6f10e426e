"""The compiled callable: argument binding, specialization by shapes, the cache, plans.

``compile(e)`` lowers once; the first call with given shapes and dtypes
resolves sizes (every error before any work), plans each contraction, generates
and ``exec``-s straight-line code, and caches it under the key
``(argument count, array types, shapes, dtypes, scalar types)``.  A later call
with the same key costs one small tuple and one dict lookup before the generated
code runs; the key holds everything the first call checked, so a call that the
first call's checks would reject never takes this fast path.

Two caches: by the expressions themselves (equal arguments give the same
:class:`Compiled`), and by the lowered program without index names (expressions
that lower to the same program -- equal up to the names of their indices --
share the generated code, each keeping its own names for plans and errors).
Both key on the function registry's version, so a function registered anew is
used by the next ``compile``.
"""

from __future__ import annotations

import builtins
import numbers
import operator
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.backend import namespace
from ..core.errors import EinsteinError
from ..core.expr import Expr, dimension_symbol
from ..core.functions import registry_version
from .codegen import Generated, Step, generate
from .lower import Contract, Program, lower, python_name
from .plan import Resolved, materialized_cost, resolve
from .slicing import memory_bytes

__all__ = ["Compiled", "Plan", "compile"]

DEFAULT_MEMORY_LIMIT = 2 * 2**30


def load_generated(gen: Generated, xp: Any, numpy_flavor: bool, like: Any = None,
                   filename: str = "<einsteinpy_lite compiled>", extra: dict[str, Any] | None = None) -> Any:
    """Run generated code's source in its own namespace and return its ``_run(kw)``.

    The one place where generated code is loaded (:class:`Compiled` and :mod:`.einsum_api` both use it):
    ``xp`` is the array namespace, ``like`` an array of the call for a non-numpy backend's dtype and
    device, ``extra`` names the code calls besides its own.

    Example:
        >>> from einsteinpy_lite.compile.einsum_api import program
        >>> from einsteinpy_lite.compile.plan import resolve
        >>> p = program(((0, 1), (1, 2)), (0, 2))
        >>> gen = generate(p, resolve(p, {"T0": (2, 3), "T1": (3, 4)}, {}), numpy_flavor=True, single=True,
        ...                args=("T0", "T1"), checks={}, itemsize=8, memory_limit=None)
        >>> run = load_generated(gen, np, True)
        >>> run({"T0": np.ones((2, 3)), "T1": np.ones((3, 4))}).tolist()[0]
        [3.0, 3.0, 3.0, 3.0]
    """
    ns: dict[str, Any] = {"xp": xp, "np": np, **(extra or {}), **gen.namespace}
    if not numpy_flavor and like is not None:
        import array_api_compat

        ns.update(_dt=like.dtype, _dev=array_api_compat.device(like))
    exec(builtins.compile(gen.source, filename, "exec"), ns)  # noqa: S102 -- our own generated code
    return ns["_run"]


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


#: scalar types whose every value passes the first call's checks (a number, 0-d): the fast path takes them
_PLAIN_SCALARS = (numbers.Number, np.bool_)


@dataclass(eq=False)
class _Code:
    """Generated code shared by the :class:`Compiled` objects of one program (equal up to index names)."""

    #: cache key of a call -> the generated function
    specs: dict[Any, Any] = field(default_factory=dict)
    #: the arguments of the latest specialization (so a twin can explain it in its own names)
    last: tuple[Any, ...] | None = None


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
    _code: _Code = field(default_factory=_Code, repr=False)
    _last: _Spec | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        p = self.program
        self.arrays: tuple[str, ...] = tuple(v[3] for v in p.inputs.values())
        self._raw = {v[3]: k for k, v in p.inputs.items()}
        self.scalars: tuple[str, ...] = tuple(sorted({python_name(s.name) for s in p.symbols}))
        if len(set(self.arrays)) != len(self.arrays) or set(self.arrays) & set(self.scalars):
            raise EinsteinError(f"two tensors or scalars share the keyword name among {self.arrays + self.scalars}",
                                hint="rename one of the tensors")
        # Python reads keyword arguments NFKC-normalized (fn(ℌ=...) passes 'H'): accept that spelling
        # for a name that needs it, unless it is ambiguous or another tensor's own name
        names = self.arrays + self.scalars
        folded: dict[str, list[str]] = {}
        for nm in names:
            if unicodedata.normalize("NFKC", nm) != nm:
                folded.setdefault(unicodedata.normalize("NFKC", nm), []).append(nm)
        self._nfkc = {f: nms[0] for f, nms in folded.items() if len(nms) == 1 and f not in names}
        #: the fast path's table (shared with twins); calls with other scalar types are cached apart
        self._specs = self._code.specs
        self._other: dict[Any, Any] = {}
        self._last_args: tuple[Any, ...] | None = None
        # the key: what the first call checks (each array's type, shape, dtype; each scalar's type; the
        # argument count), in generated names (_a0, ...) so that no tensor name becomes an identifier
        lines = ["def _key(kw):"]
        for n, a in enumerate(self.arrays):
            lines.append(f"    _a{n} = kw[{a!r}]")
        parts = ["len(kw)"] + [f"type(_a{n}), _a{n}.shape, _a{n}.dtype" for n in range(len(self.arrays))]
        parts += [f"type(kw.get({s!r}))" for s in self.scalars]
        # scalars that give the size of an output axis no array carries (N_i of a lone delta) shape the code
        self._shaping = frozenset(
            python_name(s.name) for vid, node in enumerate(p.nodes) if isinstance(node, Contract)
            for lab in node.out if (vid, lab) not in p.spaces
            for s in node.fallback[lab].free_symbols)  # type: ignore[attr-defined]
        parts += [f"kw.get({nm!r})" for nm in sorted(self._shaping)]
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
        return run(kw)

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
            key = k if k in self._raw or k in self.scalars else by_raw.get(k, self._nfkc.get(k, python_name(k)))
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
            if v is None:
                raise EinsteinError(f"array {k!r}: got None", hint="pass an array (numpy, torch, ...)")
            if not hasattr(v, "shape") or not hasattr(v, "dtype"):
                try:
                    arrays[k] = np.asarray(v, dtype=float)
                except (TypeError, ValueError):
                    raise EinsteinError(f"array {k!r}: cannot read a {type(v).__name__} as numbers",
                                        hint="pass an array (numpy, torch, ...) or a nested list of numbers") from None
            elif isinstance(v, np.ndarray) and v.dtype.kind not in "biufc":
                raise EinsteinError(f"array {k!r} has dtype {v.dtype}, not numbers", hint="pass a numeric array")
        for k, v in scalars.items():
            if v is None:
                raise EinsteinError(f"scalar {k!r} must be a number, got None", hint=f"pass {k}=<number>")
            if isinstance(v, (str, bytes)) or np.ndim(v) != 0:
                raise EinsteinError(f"scalar {k!r} must be a number, got {type(v).__name__}"
                                    + (f" of shape {np.shape(v)}" if np.ndim(v) else ""),
                                    hint=f"pass {k}=<number>; arrays go under their tensors' names")
        return arrays, scalars

    def _slow(self, kw: dict[str, Any]) -> Any:
        """Check every argument, then run the code for this key (generated once per key)."""
        arrays, scalars = self._normalize(kw)
        for k in self._shaping & scalars.keys():  # sizes are keys of the cache: a hashable number
            if isinstance(scalars[k], np.ndarray):
                scalars[k] = scalars[k].item()
        call = {**arrays, **scalars}
        key = self._key(call)
        # the fast path takes only keys whose every call passes the checks above
        plain = all(isinstance(v, _PLAIN_SCALARS) and not isinstance(v, np.ndarray) for v in scalars.values())
        table = self._specs if plain else self._other
        run = table.get(key)
        if run is None:
            xp = namespace(*arrays.values())
            numpy_flavor = xp is np
            itemsize = max([_itemsize(a) for a in arrays.values()] or [8])
            dtypes = {getattr(a, "dtype", None) for a in arrays.values()}
            array_dtype = np.result_type(*dtypes) if numpy_flavor and dtypes else None
            dtype = np.dtype(dtypes.pop()) if numpy_flavor and len(dtypes) == 1 else None
            inplace = dtype is not None and dtype.kind in "fc"
            run = self._specialize({self._raw[k]: tuple(v.shape) for k, v in arrays.items()}, scalars, xp,
                                   numpy_flavor, itemsize, self.memory_limit, inplace, dtype,
                                   next(iter(arrays.values()), None), array_dtype,
                                   {k: v.dtype for k, v in arrays.items()} if numpy_flavor else None).run
            if len(table) >= 64:  # many shapes: forget the oldest specialization
                table.pop(next(iter(table)))
            table[key] = run
        return run(call)

    def _specialize(self, shapes: dict[str, tuple[int, ...]], scalars: dict[str, Any], xp: Any,
                    numpy_flavor: bool, itemsize: int, memory_limit: float | None, inplace: bool = False,
                    dtype: Any = None, like: Any = None, array_dtype: Any = None,
                    input_dtypes: dict[str, Any] | None = None, optional: frozenset[str] = frozenset()) -> _Spec:
        args0 = (shapes, scalars, xp, numpy_flavor, itemsize, memory_limit, inplace, dtype, like, array_dtype,
                 input_dtypes, optional)
        p = self.program
        r = resolve(p, shapes, scalars, optional)
        runtime = tuple(s for s in r.scalars if s not in r.inferred)
        checks = {s: r.inferred[s] for s in scalars if s in r.inferred}
        args = self.arrays + runtime + tuple(checks)
        gen = generate(p, r, numpy_flavor=numpy_flavor, single=self.single, args=args, checks=checks,
                       itemsize=itemsize, memory_limit=memory_limit, inplace=inplace,
                       pool=self.reuse_buffers, dtype=dtype, array_dtype=array_dtype, input_dtypes=input_dtypes)
        run = load_generated(gen, xp, numpy_flavor, like, extra={"_scalar_mismatch": _scalar_mismatch})
        plan = self._make_plan(r, gen, itemsize)
        spec = _Spec(run, plan, gen)
        self._last = spec
        self._last_args = self._code.last = args0
        return spec

    def _latest(self) -> _Spec | None:
        """The last specialization (of this object, or of a twin sharing its code: then redone in our names)."""
        if self._code.last is not None and self._code.last is not self._last_args:
            self._specialize(*self._code.last)
        return self._last

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
        Only scalars that set a size are needed (``N_i`` of an index no array carries, given as ``N_i``
        or as ``i``); a coefficient such as ``alpha`` does not change the plan and may be left out.

        Raises:
            EinsteinError: a name the expression does not use, an index without a size, a size that is
                not a positive integer, or an intermediate over the memory limit.

        Example:
            >>> import einsteinpy_lite as el
            >>> el.compile(r"\\alpha A^i_j y^j").plan(i=2, j=3).flops  # A y (12), then alpha times it (2)
            14
        """
        p = self.program
        names = set().union(*(e.index_names() for e in p.exprs.values()))
        unknown = [k for k in sizes if k not in names and k not in self.scalars]
        if unknown:  # a typo would otherwise be ignored silently
            raise EinsteinError(f"plan: a size for {unknown[0]!r}, which the expression does not use",
                                hint=f"its indices are {', '.join(sorted(names)) or 'none'}"
                                     + (f"; its scalars {', '.join(self.scalars)}" if self.scalars else ""))
        shapes: dict[str, tuple[int, ...]] = {}
        scalars = {k: v for k, v in sizes.items() if k in self.scalars}
        idx = {k: _size(k, v) for k, v in sizes.items() if k not in self.scalars}
        for k, n in idx.items():  # the size of an index no array carries is its N_k
            dim = python_name(dimension_symbol(k).name)
            if dim in self.scalars and dim not in scalars:
                scalars[dim] = n
        for raw, (_, slots, _, _) in p.inputs.items():
            missing = [s for s in slots if s not in idx]
            if missing:
                need = sorted({s for _, sl, _, _ in p.inputs.values() for s in sl})
                raise EinsteinError(f"plan: no size for index {', '.join(map(repr, missing))} (of {raw}); "
                                    f"give every index a size: {', '.join(need)}",
                                    hint="e.g. fn.plan(" + ", ".join(f"{s}=8" for s in need) + ")")
            shapes[raw] = tuple(idx[s] for s in slots)
        optional = frozenset(self.scalars) - self._shaping
        return self._specialize(shapes, scalars, np, True, 8, self.memory_limit, True, np.dtype(float),
                                optional=optional).plan

    def explain(self, **sizes: int) -> str:
        """The plan as text: each step in index notation with FLOPs, beside the naive costs.

        With no sizes, explains the last call or plan.
        """
        if sizes:
            return str(self.plan(**sizes))
        last = self._latest()
        if last is None:
            raise EinsteinError("nothing to explain yet: call the function or fn.plan(i=..., ...) first",
                                hint="or pass index sizes: fn.explain(i=64, j=128)")
        return str(last.plan)

    @property
    def source(self) -> str | None:
        """The generated Python source of the last call or plan (None before either)."""
        last = self._latest()
        return None if last is None else last.generated.source

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


#: (expressions, out, options, registry version) -> the Compiled
_CACHE: dict[Any, Compiled] = {}
#: (lowered program without index names, options, registry version) -> the code its Compiled objects share
_CANONICAL_CACHE: dict[Any, _Code] = {}


def compile(  # noqa: A001 -- the public name is fixed by the design
    expr: Expr | str | dict[str, Expr | str],
    out: tuple[str, ...] | dict[str, tuple[str, ...]] | None = None,
    memory_limit: float | str | None = DEFAULT_MEMORY_LIMIT,
    reuse_buffers: bool = True,
) -> Compiled:
    """Compile an index expression (or a dict of them) into a cached callable on arrays.

    Args:
        expr: an :class:`~einsteinpy_lite.Expr`, text for :func:`~einsteinpy_lite.parse`, or a dict
            name -> expression (the result is then a dict; shared subexpressions are computed once).
        out: the output axis order as index names (default ``expr.free`` order); for a dict, a dict
            name -> order.
        memory_limit: bytes any intermediate may take (default 2 GiB), as a number or text with a
            unit (``"1GiB"``, ``"512MB"``); None for no limit.  A contraction that no order fits under
            it is sliced (see the plan).
        reuse_buffers: on numpy, keep the intermediates' buffers between calls (no allocation
            per call; outputs are always new arrays).  Costs the intermediates' memory while the
            callable lives.

    Returns:
        A :class:`Compiled`; equal arguments return the same object.  Expressions that lower to the
        same program up to the names of their indices share the generated code (each keeps its own
        index names for plans, ``explain`` and error messages).  A function registered anew
        (``register_function(..., overwrite=True)``) is used by every later ``compile``.

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
        >>> el.compile(r"\\delta^i_m A^m_k")._specs is fn._specs  # the same code: dummy names do not matter
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
    memory_limit = memory_bytes(memory_limit)
    items = {k: parse(v) if isinstance(v, str) else v for k, v in items.items()}
    if isinstance(out, dict):
        outs_key: Any = tuple(sorted((k, tuple(v)) for k, v in out.items()))
    else:
        outs_key = tuple(out) if out is not None else None
    version = registry_version()
    key = (tuple(items.items()), outs_key, memory_limit, single, reuse_buffers, version)
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
    # second level: programs equal up to index names share their generated code.  The lowered
    # program determines the code, so two different tensors can never share an entry (a canonical
    # form would claim equal what it wrongly simplifies); each Compiled keeps its own names.
    program = lower(exprs, outs)
    skey = (program.signature(), memory_limit, single, reuse_buffers, version)
    code = _CANONICAL_CACHE.get(skey)
    if code is None:
        code = _CANONICAL_CACHE[skey] = _Code()
    fn = Compiled(program, single, memory_limit, reuse_buffers, code)
    try:
        _CACHE[key] = fn
    except TypeError:
        pass
    for cache in (_CACHE, _CANONICAL_CACHE):
        if len(cache) > 512:
            cache.pop(next(iter(cache)))
    return fn
