r"""The checks: the engine against the oracle, one random case at a time.

Each check takes a harness tree, its text and a seed, calls the engine through an :class:`Engine` (the real
one by default; tests pass a deliberately wrong one) and returns :class:`Failure`\ s.  An exception the engine
raises is a failure of that check, with its traceback summarized; it never escapes.

Checks: ``parse`` (free-index order, ``evaluate``), ``compile`` (float64, float32, complex128, result
dtype), ``simplify`` (value, free-index order, idempotence), ``canonical`` (value, free indices),
``equal`` (pairs built equal and built unequal, the truth decided by the oracle), ``diff`` (first and
second derivatives, simplified or not, against central finite differences of the oracle).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..algebra.evaluate import array_name
from ..compile import rows
from ..compile.lower import python_name
from ..core.expr import slot_size_symbol
from .oracle import Oracle, make_arrays, make_scalars
from .tree import (
    INDEX_POOL,
    NON_HOLOMORPHIC,
    Fn,
    Ix,
    Leaf,
    Node,
    Vec,
    coef_symbols,
    free,
    heads,
    index_names,
    needs_size,
    shadowed,
    size_of_name,
    slots_text,
    text,
    walk,
)
from .variants import variants

__all__ = ["CHECKS", "Engine", "Failure", "Skip", "run_check", "case_tree"]

#: Every check, in the order the runner cycles through them.
CHECKS = ("parse", "compile", "simplify", "canonical", "equal", "diff")

RTOL = {"float64": 1e-9, "float32": 3e-4, "complex128": 1e-9}
#: the largest argument of \sin or \cos a draw may have: beyond, the rounding of the argument (any
#: summation order) is amplified past the tolerance above (seed 1726457822: \sin(\exp(26)) in float32)
_PHASE_LIMIT = {"float64": 1e4, "float32": 100.0, "complex128": 1e4}
#: functions whose float32 value overflows for moderate arguments (exp(89) > float32's largest number)
_GROWING = {"exp", "softplus", "cosh", "sinh", "square"}


@dataclass
class Engine:
    """The engine's entry points the checks call (swap one for a stub to test the harness)."""

    parse: Callable[..., Any]
    simplify: Callable[..., Any]
    canonical: Callable[..., Any]
    equal: Callable[..., Any]
    diff: Callable[..., Any]
    compile: Callable[..., Any]
    evaluate: Callable[..., Any]

    @classmethod
    def real(cls) -> Engine:
        """The package's own functions.

        Example:
            >>> Engine.real().parse("x^i").free
            (^i,)
        """
        from ..algebra.diff import diff
        from ..algebra.evaluate import evaluate
        from ..algebra.simplify import canonical, simplify
        from ..compile import compile
        from ..equality.decide import equal
        from ..notation.parse import parse

        return cls(parse, simplify, canonical, equal, diff, compile, evaluate)


@dataclass
class Failure:
    """One wrong answer: the check, a kind (what went wrong), the expression, the seed, a message and the error."""

    check: str
    kind: str
    text: str
    seed: int
    message: str
    max_err: float = float("nan")
    shrunk: str | None = None

    def reproducer(self) -> str:
        """A self-contained description: the expression, the check, the seed, the error, the command."""
        lines = [f"[{self.check}] {self.kind}"]
        if self.shrunk and self.shrunk != self.text:
            lines.append(f"  minimized:  {self.shrunk}")
        lines.append(f"  expression: {self.text}")
        lines.append(f"  seed: {self.seed}   max error: {self.max_err:.3g}")
        lines.extend("  " + ln for ln in self.message.splitlines())
        lines.append(f"  rerun: python -m einsteinpy_lite.selftest --seed {self.seed} --cases 1 --checks {self.check}")
        return "\n".join(lines)


class Skip(Exception):
    """The case cannot be checked (e.g. values too large, a kink within a finite-difference step)."""


class _EngineError(Exception):
    def __init__(self, what: str, exc: BaseException) -> None:
        frames = traceback.extract_tb(exc.__traceback__)[-3:]
        where = "; ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in frames)
        first = (str(exc).splitlines() or [""])[0][:300]
        super().__init__(f"{what} raised {type(exc).__name__}: {first}\n  at {where}")
        self.what = what
        # the kind of failure: the exception type and its message's start, names and numbers masked
        gist = re.sub(r"\d+", "#", re.sub(r"'[^']*'", "'.'", first.split(" (")[0]))[:60]
        self.exc_type = f"{type(exc).__name__}: {gist}" if gist else type(exc).__name__


def _call(what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # an engine exception is a failure of the check, never a crash
        raise _EngineError(what, exc) from None


CHECK_ID = {name: n for n, name in enumerate(CHECKS)}


def case_tree(check: str, seed: int) -> Node:
    """The tree a check draws for a seed (the compile check sometimes keeps to holomorphic functions).

    Example:
        >>> from einsteinpy_lite.selftest.tree import validate
        >>> validate(case_tree("simplify", 3))
        True
    """
    from ..core.functions import function_names
    from .generator import generate

    functions = None
    holomorphic = check == "compile" and seed % 2 == 0
    if holomorphic:
        functions = tuple(f for f in function_names() if f not in NON_HOLOMORPHIC)
    return generate((seed, CHECK_ID[check]), functions, shadow=check == "parse", vector=not holomorphic)


# =================================================================== evaluation through the engine


@dataclass
class _Ctx:
    engine: Engine
    check: str
    seed: int
    tree: Node
    text: str
    rng: np.random.Generator
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    scalars: dict[str, Any] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)  # sizes of names the tree does not fix (a variable's)

    def fail(self, kind: str, message: str, max_err: float = float("nan")) -> None:
        self.failures.append(Failure(self.check, kind, self.text, self.seed, message, max_err))

    def oracle(self, tree: Node | None = None, arrays: Mapping[str, np.ndarray] | None = None) -> Oracle:
        return Oracle(tree or self.tree, arrays if arrays is not None else self.arrays, self.scalars)

    def draw(self, dtype: str = "float64", tries: int = 4, margin: float = 0.0) -> tuple[np.ndarray, tuple[str, ...]]:
        """Arrays and scalars with a finite, moderate oracle value (and kinks ``margin`` away); else Skip."""
        self.scalars = make_scalars(self.tree, self.rng)
        scale = 1.0
        for _ in range(tries):
            self.arrays = make_arrays(self.tree, self.rng, dtype, scale)
            o = self.oracle(arrays={h: a.astype(np.complex128 if dtype == "complex128" else np.float64)
                                    for h, a in self.arrays.items()})
            val, names = o.evaluate()
            if (np.all(np.isfinite(val)) and np.max(np.abs(val), initial=0.0) < 1e6 and o.margin > margin
                    and o.phase < _PHASE_LIMIT.get(dtype, 1e4)):
                return val, names
            scale /= 2
        raise Skip("no draw with a finite, moderate value away from kinks (and periodic functions' arguments moderate)")

    # ------------------------------------------------------------ the engine's value of an expression
    def scalar_value(self, key: str, tree: Node, own_free: frozenset[str] = frozenset()) -> Any:
        """The value for a scalar a compiled function asks for; ``own_free``: the compiled expression's free
        indices (``N_x`` of a free index on deltas only is that index's size)."""
        known = index_names(tree) | set(self.sizes)
        names = {python_name(n): n for n in ("K", "alpha", *self.scalars, *(f"N_{x}" for x in known))}
        name = names.get(key, key)
        # by the engine's tensor name (\mathrm{eps} is eps): as a compiled function's keyword and as the symbol
        dims = {key: int(v) for h, a in self.arrays.items() for n, v in enumerate(np.shape(a))
                for t in {h, array_key(h)}
                for key in (python_name(slot_size_symbol(t, n).name), slot_size_symbol(t, n).name)}
        if key in dims:  # \dim(A, n): the size of the n-th axis of A's array
            return dims[key]
        if name in ("K", "alpha"):
            return self.scalars[name]
        if name.startswith("N_"):
            x = name[2:]
            if x in own_free and x in self.sizes:
                return self.sizes[x]
            tree_free = {ix.name: ix.size for ix in free(tree)}
            if x in own_free and x in tree_free:  # the expression's own free index (a zero's, say)
                return tree_free[x]
            in_tree = x in index_names(tree)
            size = size_of_name(tree, x) if in_tree else None
            if in_tree and size is None:
                raise _EngineError("compile", ValueError(f"asks for {name}, but index {x} has several sizes "
                                                         "(the arrays fix each of them)"))
            if x in self.sizes:
                if in_tree and size != self.sizes[x]:
                    raise _EngineError("compile", ValueError(
                        f"asks for {name}, which is ambiguous: index {x} has size {size} in the expression and "
                        f"{self.sizes[x]} as a new free index (a size symbol tied to a name, not to its space)"))
                return self.sizes[x]
            if in_tree:
                return size
            if name in self.scalars:
                return self.scalars[name]
        raise _EngineError("compile", ValueError(f"asks for a scalar {name!r} the expression does not have"))

    def via_compile(self, expr: Any, arrays: Mapping[str, np.ndarray] | None = None,
                    what: str = "compile", **options: Any) -> tuple[np.ndarray, tuple[str, ...]]:
        arrays = self.arrays if arrays is None else arrays
        by_key = {array_key(h): a for h, a in arrays.items()}
        fn = _call(what, self.engine.compile, expr, **options)
        kwargs: dict[str, Any] = {}
        for a in fn.arrays:
            if a not in by_key:
                raise _EngineError(what, ValueError(f"asks for an array {a!r} the expression does not have"))
            kwargs[a] = by_key[a]
        free = frozenset(ix.name for ix in expr.free)
        for s in fn.scalars:
            kwargs[s] = self.scalar_value(s, self.tree, free)
        out = np.asarray(_call(what + " (call)", fn, **kwargs))
        return out, tuple(ix.name for ix in expr.free)

    def via_evaluate(self, expr: Any, strict: bool = False) -> tuple[np.ndarray, tuple[str, ...]]:
        """``evaluate(expr)`` on the case's arrays.  ``strict`` (the user's own expression): only the sizes
        no array fixes and the scalars of names it does not use are given, the rest must be inferred;
        otherwise (an engine result) every size symbol it mentions is given, as to a compiled function."""
        by_key = {array_key(h): a for h, a in self.arrays.items()}
        sizes = {n: size_of_name(self.tree, n) for n in needs_size(self.tree)} | self.sizes
        symbols = {str(s) for s in expr.scalar_symbols()}
        if strict:
            scalars = {k: v for k, v in self.scalars.items() if k in symbols}
        else:
            try:  # N_x of an index the result no longer uses, too
                scalars = {name: self.scalar_value(name, self.tree, frozenset(ix.name for ix in expr.free))
                           for name in symbols}
            except _EngineError as exc:
                raise _EngineError("evaluate", ValueError(str(exc).split(": ", 1)[-1])) from None
        out = np.asarray(_call("evaluate", self.engine.evaluate, expr, by_key, sizes, **scalars))
        return out, tuple(ix.name for ix in expr.free)

    def compare(self, kind: str, want: tuple[np.ndarray, tuple[str, ...]], got: tuple[np.ndarray, tuple[str, ...]],
                rtol: float, note: str = "", scale: float | None = None) -> None:
        """Records a failure when ``got`` differs from ``want`` (axes matched by name)."""
        bad = _mismatch(want, got, rtol, scale)
        if bad is not None:
            self.fail(f"{kind}: {bad[0]}", bad[1] + note, bad[2])

    def check_value(self, kind: str, expr: Any, want: tuple[np.ndarray, tuple[str, ...]], rtol: float,
                    what: str, note: str = "", scale: float | None = None,
                    transform: Callable[[tuple[np.ndarray, tuple[str, ...]]], tuple[np.ndarray, tuple[str, ...]]]
                    | None = None) -> None:
        """The value of an engine result (``simplify``'s, ``diff``'s) against the oracle.

        It is right when either of the engine's evaluators (``compile`` or ``evaluate``) agrees with the
        oracle: a wrong result makes both wrong, while a bug of one evaluator is the compile or parse
        check's to find.  When both disagree, the failure names both.
        """
        reports = []
        evaluators = [("compile", lambda: self.via_compile(expr, what=f"compile of {what}"))]
        if sum(1 for n in expr.walk() if type(n).__name__ == "SumOver") <= 3:  # evaluate loops over each \sum
            evaluators.append(("evaluate", lambda: self.via_evaluate(expr)))
        for label, fn in evaluators:
            try:
                got = fn()
                bad = _mismatch(want, transform(got) if transform else got, rtol, scale)
            except _EngineError as exc:
                bad = (f"{label} raised {exc.exc_type}", str(exc), float("nan"))
            except _Shape as exc:
                bad = ("shape", str(exc), float("nan"))
            if bad is None:
                return
            reports.append((label, bad))
        kinds = [bad[0] for _, bad in reports]
        if all(k == "value" for k in kinds):
            kind_of = "value"  # both evaluators agree the result is wrong
        elif "value" in kinds:  # one is wrong, the other raised: could be an evaluator's bug, not the result's
            kind_of = f"value through {reports[kinds.index('value')][0]}, the other raised"
        else:
            kind_of = kinds[0]
        err = max((bad[2] for _, bad in reports if bad[2] == bad[2]), default=float("nan"))
        message = "\n".join(f"through {label}: {bad[1]}" for label, bad in reports)
        self.fail(f"{kind}: {kind_of}", message + note, err)


class _Shape(Exception):
    """An engine result whose axes cannot be lined up with the oracle's."""


def _mismatch(want: tuple[np.ndarray, tuple[str, ...]], got: tuple[np.ndarray, tuple[str, ...]], rtol: float,
              scale: float | None = None) -> tuple[str, str, float] | None:
    """None when ``got`` matches ``want`` (axes by name), else ``(kind, message, max error)``."""
    w, wn = want
    g, gn = got
    if sorted(wn) != sorted(gn):
        return "free indices", f"free indices {gn}, expected {wn}", float("nan")
    if g.ndim != len(gn):
        return "shape", f"{g.ndim} axes for the free indices {gn}", float("nan")
    g = np.transpose(g, [gn.index(n) for n in wn]) if wn else g
    if g.shape != w.shape:
        return "shape", f"shape {g.shape}, expected {w.shape} (axes {wn})", float("nan")
    with np.errstate(all="ignore"):
        err = float(np.max(np.abs(g - w), initial=0.0))
    scale = max(1.0, float(np.max(np.abs(w), initial=0.0))) if scale is None else scale
    if err <= rtol * scale:
        return None
    worst = np.unravel_index(int(np.nanargmax(np.abs(g - w))), w.shape) if w.ndim else ()
    return "value", (f"max error {err:.3g} (scale {scale:.3g}); at {dict(zip(wn, map(int, worst)))}: "
                     f"got {g[worst]!r}, expected {w[worst]!r}"), err


def array_key(head: str) -> str:
    r"""The keyword of a head's array: the package's convention on the tensor's name (``\mathrm{eps}`` is ``eps``).

    Example:
        >>> array_key(r"\mathrm{eps}"), array_key(r"\epsilon")
        ('eps', 'epsilon')
    """
    if head.startswith("\\mathrm{") and head.endswith("}"):
        head = head[len("\\mathrm{"):-1]
    return array_name(head)


def _keys(expr: Any) -> list[tuple[str, bool]]:
    return [(ix.name, bool(ix.up)) for ix in expr.free]


def _tree_keys(tree: Node) -> list[tuple[str, bool]]:
    return [(ix.name, ix.up) for ix in free(tree)]


# =================================================================== the checks


def _check_parse(c: _Ctx) -> None:
    try:
        e = _call("parse", c.engine.parse, c.text)
    except _EngineError as exc:
        if shadowed(c.tree) and exc.exc_type.startswith("EinsteinError") and "already bound" in str(exc):
            return  # a \sum inside a \sum of the same name: refusing it clearly is a right answer too
        raise
    if _keys(e) != _tree_keys(c.tree):
        c.fail("parse: free-index order", f"parse gives free indices {_keys(e)}, the ricci rule (first appearance) "
               f"gives {_tree_keys(c.tree)}")
    want = c.draw()
    c.compare("evaluate", want, c.via_evaluate(e, strict=True), RTOL["float64"])


def _check_compile(c: _Ctx) -> None:
    e = _call("parse", c.engine.parse, c.text)
    fns = {n.name for _, n, _ in walk(c.tree) if isinstance(n, (Fn, Vec))}
    dtypes = ["float64", "float32"] + (["complex128"] if not fns & (NON_HOLOMORPHIC | {"softmax", "logsumexp"}) else [])
    for dtype in dtypes:
        try:
            want = c.draw(dtype)
        except Skip:
            continue
        got = c.via_compile(e)
        if heads(c.tree) and got[0].dtype != np.dtype(dtype):
            c.fail(f"compile {dtype}: dtype", f"{dtype} inputs give a {got[0].dtype} result")
        if dtype == "float32" and not np.all(np.isfinite(got[0])) and fns & _GROWING:
            # float32 overflows where float64 does not (\log(\exp(98)) is inf in float32: e^98 > 3.4e38); that
            # is float32 arithmetic, not an engine bug
            continue
        c.compare(f"compile {dtype}", want, got, RTOL[dtype])
    _check_sliced(c, e)
    _check_rows(c, e)


#: a memory limit no intermediate reaches, so that the code split by rows is compiled apart from the rest
_ROWS_LIMIT = 2**61 + 8


def _check_rows(c: _Ctx, e: Any) -> None:
    """The same expression with every chain of in-place elementwise steps split by rows over three threads,
    however small (:mod:`..compile.rows`; by default only chains of millions of entries are): the row
    blocks are uneven, the buffers pooled, and the value must not change."""
    try:
        want = c.draw("float64")
    except Skip:
        return
    before = rows.MIN_ENTRIES
    rows.MIN_ENTRIES = 0
    try:
        with rows.limited_threads(3):
            got = c.via_compile(e, what="compile (split by rows)", memory_limit=_ROWS_LIMIT)
    finally:
        rows.MIN_ENTRIES = before
    c.compare("compile split by rows", want, got, RTOL["float64"])


def _check_sliced(c: _Ctx, e: Any) -> None:
    """The same expression compiled under a memory limit of twice its result's size: every larger
    intermediate is made another way or sliced (pieces on views, pooled buffers, summed or filled in),
    and the value must not change.  A limit no slicing can meet is an honest refusal, not a failure."""
    try:
        want = c.draw("float64")
    except Skip:
        return
    limit = 8 * max(1, want[0].size)
    try:
        got = c.via_compile(e, what="compile (memory_limit)", memory_limit=limit)
    except _EngineError as exc:
        if "raised EinsteinError" in str(exc) and "memory limit" in str(exc):
            return
        raise
    c.compare("compile memory_limit", want, got, RTOL["float64"])


def _check_simplify(c: _Ctx) -> None:
    e = _call("parse", c.engine.parse, c.text)
    s = _call("simplify", c.engine.simplify, e)
    if _keys(s) != _keys(e):
        c.fail("simplify: free-index order", f"simplify gives {s} with free {_keys(s)}; the input has {_keys(e)}")
    want = c.draw()
    c.check_value("simplify", s, want, RTOL["float64"], "simplify's result", note=f"\n  simplify gave: {s}")
    s2 = _call("simplify (second pass)", c.engine.simplify, s)
    if s2 != s:
        c.fail("simplify: not idempotent", f"simplify(e)    = {s}\nsimplify twice = {s2}")


def _check_canonical(c: _Ctx) -> None:
    e = _call("parse", c.engine.parse, c.text)
    k = _call("canonical", c.engine.canonical, e)
    # the canonical form is the key of equality by index name (x^i y^j and y^j x^i are one tensor to
    # equal): its free indices are the input's by name and variance, in an order of its own
    if sorted(_keys(k)) != sorted(_keys(e)):
        c.fail("canonical: free indices", f"canonical gives {k} with free {_keys(k)}; the input has {_keys(e)}")
    want = c.draw()
    c.check_value("canonical", k, want, RTOL["float64"], "canonical's result", note=f"\n  canonical gave: {k}")


# ------------------------------------------------------------------- equal: variants built equal / unequal


def _check_equal(c: _Ctx) -> None:
    want = c.draw()
    found = variants(c.tree, c.rng)
    picked = [found[int(k)] for k in c.rng.permutation(len(found))[:4]]
    e = _call("parse", c.engine.parse, c.text)
    for v in picked:
        how, built_equal, vtree, extra = v.how, v.built_equal, v.tree, v.scalars
        vtext = text(vtree)
        scalars = c.scalars | extra
        try:
            other = Oracle(vtree, c.arrays, scalars).evaluate()
        except KeyError:  # a scalar N_x the variant uses and the original does not
            continue
        w, wn = want
        o = np.transpose(other[0], [other[1].index(n) for n in wn]) if wn else other[0]
        scale = max(1.0, float(np.max(np.abs(w), initial=0.0)))
        err = float(np.max(np.abs(o - w), initial=0.0))
        if built_equal:
            assert err <= 1e-9 * scale, f"harness bug: {how} changed the value of {c.text} -> {vtext} by {err}"
            truth = True
        elif err > 1e-6 * scale:
            truth = False
        else:
            continue  # built unequal but equal on these numbers (a symmetric context): not a test
        f = _call("parse", c.engine.parse, vtext)
        got = _call("equal", c.engine.equal, e, f)
        if bool(got) != truth:
            kind = "false positive" if got else "false negative"
            c.fail(f"equal: {kind} ({how.split(' ')[0] if how.startswith(('dummy', 'indices')) else how})",
                   f"equal(a, b) = {got}; {how}\n  a = {c.text}\n  b = {vtext}\n  oracle max difference {err:.3g}",
                   err)


# ------------------------------------------------------------------- diff


def _variable(c: _Ctx, avoid: set[str], head: str | None = None) -> tuple[str, tuple[Ix, ...], str]:
    """A variable ``(head, slots, text)``: written as in the expression when its names allow, else fresh."""
    hs = heads(c.tree)
    if not hs:
        raise Skip("no tensor to differentiate by")
    head = head or sorted(hs)[int(c.rng.integers(len(hs)))]
    pattern, shape, _ = hs[head]
    uses = [n.slots for _, n, _ in walk(c.tree) if isinstance(n, Leaf) and n.head == head]
    slots = uses[int(c.rng.integers(len(uses)))]
    names = [ix.name for ix in slots]
    if len(set(names)) != len(names) or set(names) & avoid or c.rng.random() < 0.5:
        pool = [n for n in INDEX_POOL if n not in avoid]
        names = [pool[int(k)] for k in c.rng.permutation(len(pool))[: len(pattern)]]
    var = tuple(Ix(n, u, s, 0) for n, u, s in zip(names, pattern, shape))
    return head, var, head + slots_text(var)


def _fd_first(c: _Ctx, head: str, shape: tuple[int, ...], h: float = 1e-6) -> np.ndarray:
    """Central differences of the oracle: axes (free of the tree, then the variable's slots)."""
    base = {k: v.astype(np.float64) for k, v in c.arrays.items()}
    cols = []
    for idx in np.ndindex(*shape):
        plus, minus = dict(base), dict(base)
        for sign, arrs in ((1, plus), (-1, minus)):
            a = base[head].copy()
            a[idx] += sign * h
            arrs[head] = a
        cols.append((c.oracle(arrays=plus).evaluate()[0] - c.oracle(arrays=minus).evaluate()[0]) / (2 * h))
    out = np.stack(cols, axis=-1) if cols else np.zeros(0)
    return out.reshape(out.shape[:-1] + tuple(shape))


def _fd_second(c: _Ctx, h1: str, u: np.ndarray, h2: str, w: np.ndarray, h: float = 1e-4) -> np.ndarray:
    base = {k: v.astype(np.float64) for k, v in c.arrays.items()}

    def f(s: float, t: float) -> np.ndarray:
        arrs = dict(base)
        arrs[h1] = arrs[h1] + s * u
        arrs[h2] = arrs[h2] + t * w
        return c.oracle(arrays=arrs).evaluate()[0]

    def d(k: float) -> np.ndarray:
        return (f(k, k) - f(k, -k) - f(-k, k) + f(-k, -k)) / (4 * k * k)

    # Richardson's extrapolation: the O(h^2) error cancels (a curvature of 5e3, cos(square(N_k v C)), put the
    # plain difference off by 3e-5 relative: seeds 130640431, 3077837523)
    return (4 * d(h / 2) - d(h)) / 3


def _free_after_diff(e: Any, wrt: str) -> Any:
    from ..algebra.diff import free_after_diff

    return _call("free_after_diff", free_after_diff, e, wrt)


def _check_diff(c: _Ctx) -> None:
    want = c.draw(margin=0.05)
    e = _call("parse", c.engine.parse, c.text)
    fr = _tree_keys(c.tree)
    # a variable's index named x would make a scalar N_x of the expression (x unused there) a size, and
    # the size of an index no array carries is N_x by its name: a new free index x of another size would
    # make N_x ambiguous (compile says so), so avoid those names
    free_names = ({n for n, _ in fr} | {s[2:] for s in coef_symbols(c.tree) if s.startswith("N_")}
                  | needs_size(c.tree))
    head, var, vtext = _variable(c, free_names)
    c.sizes = {ix.name: ix.size for ix in free(c.tree)} | {ix.name: ix.size for ix in var}
    expect1 = fr + [(ix.name, not ix.up) for ix in var]
    order = [(ix.name, bool(ix.up)) for ix in _free_after_diff(e, vtext)]
    if order != expect1:
        c.fail("diff: free_after_diff order", f"free_after_diff(e, {vtext}) is {order}, expected {expect1}")
    jac = _fd_first(c, head, tuple(ix.size for ix in var))
    names1 = want[1] + tuple(ix.name for ix in var)
    scale = max(1.0, float(np.max(np.abs(want[0]), initial=0.0)))
    firsts = {}
    for simp in (True, False):
        label = f"diff(e, {vtext}{'' if simp else ', simplify=False'})"
        d = _call(label, c.engine.diff, e, vtext, simplify=simp)
        firsts[simp] = d
        # promised: the free indices by name and variance; their order is free_after_diff's (the result's
        # own order follows its factors, and compile(out=free_after_diff(...)) gives the convention's axes)
        if sorted(_keys(d)) != sorted(expect1):
            c.fail(f"diff first{'' if simp else ' (unsimplified)'}: free indices",
                   f"{label} has free {_keys(d)}, expected {expect1}\n  = {d}")
        c.check_value(f"diff first{'' if simp else ' (unsimplified)'}", d, (jac, names1), 1e-6, label,
                      note=f"\n  {label} = {d}", scale=max(scale, float(np.max(np.abs(jac), initial=1.0))))
    # second order: another (or the same) tensor, directional derivatives along random u, w
    head2, var2, vtext2 = _variable(c, free_names | {ix.name for ix in var})
    c.sizes |= {ix.name: ix.size for ix in var2}
    expect2 = expect1 + [(ix.name, not ix.up) for ix in var2]
    u = c.rng.uniform(-1, 1, size=tuple(ix.size for ix in var))
    w = c.rng.uniform(-1, 1, size=tuple(ix.size for ix in var2))
    fd2 = _fd_second(c, head, u, head2, w)
    names2 = [n for n, _ in expect2]
    k1, k2 = len(var), len(var2)
    for simp in (True, False):
        label = f"diff(diff(e, {vtext}{'' if simp else ', simplify=False'}), {vtext2}{'' if simp else ', simplify=False'})"
        d2 = _call(label, c.engine.diff, firsts[simp], vtext2, simplify=simp)
        if sorted(_keys(d2)) != sorted(expect2):
            c.fail(f"diff second{'' if simp else ' (unsimplified)'}: free indices",
                   f"{label} has free {_keys(d2)}, expected {expect2}\n  = {d2}")

        def directional(got: tuple[np.ndarray, tuple[str, ...]]) -> tuple[np.ndarray, tuple[str, ...]]:
            g, gn = got
            if sorted(gn) != sorted(names2) or g.ndim != len(gn):
                raise _Shape(f"free indices {gn}, expected {names2}")
            g = np.transpose(g, [gn.index(n) for n in names2]) if names2 else g
            if g.shape != want[0].shape + u.shape + w.shape:
                raise _Shape(f"shape {g.shape}, expected {want[0].shape + u.shape + w.shape}")
            gw = np.tensordot(g, w, axes=(tuple(range(g.ndim - k2, g.ndim)), tuple(range(k2))))
            return np.tensordot(gw, u, axes=(tuple(range(gw.ndim - k1, gw.ndim)), tuple(range(k1)))), want[1]

        c.check_value(f"diff second{'' if simp else ' (unsimplified)'}", d2, (fd2, want[1]), 1e-5, label,
                      note=f" (along random directions)\n  {label} = {d2}",
                      scale=max(scale, float(np.max(np.abs(fd2), initial=1.0))), transform=directional)


_RUN: dict[str, Callable[[_Ctx], None]] = {
    "parse": _check_parse, "compile": _check_compile, "simplify": _check_simplify,
    "canonical": _check_canonical, "equal": _check_equal, "diff": _check_diff,
}


def run_check(check: str, seed: int, engine: Engine | None = None, tree: Node | None = None) -> list[Failure]:
    """Run one check on one case; failures (engine exceptions included) are returned, never raised.

    Raises:
        Skip: the case cannot be checked.

    Example:
        >>> run_check("parse", 0)
        []
    """
    if check not in _RUN:
        raise ValueError(f"unknown check {check!r}; the checks are {', '.join(CHECKS)}")
    tree = case_tree(check, seed) if tree is None else tree
    ctx = _Ctx(engine or Engine.real(), check, seed, tree, text(tree), np.random.default_rng((seed, CHECK_ID[check], 1)))
    try:
        _RUN[check](ctx)
    except _EngineError as exc:
        what = exc.what.split("(")[0].split(" ")[0]
        ctx.fail(f"{check}: {what} raised {exc.exc_type}", str(exc))
    except Skip:
        raise
    except Exception as exc:  # noqa: BLE001 -- a bug of the harness itself is reported, not raised
        ctx.fail(f"{check}: harness error {type(exc).__name__}", str(_EngineError("the harness", exc)))
    return ctx.failures
