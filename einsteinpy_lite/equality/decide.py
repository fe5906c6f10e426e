"""Equality as tensors: :func:`equal` and :func:`compare`, which says how the answer was reached.

Two expressions are equal when they have the same free indices (names and
variance) and the same values for every choice of arrays, scalars and sizes.

How it is decided (:func:`compare` reports which step settled it):

1. *Free indices* differ: not equal.
2. *Canonical form* (:func:`einsteinpy_lite.algebra.simplify.canonical`: dummy names,
   factor and term order, deltas and like terms do not matter).  Float
   coefficients are first made exact rationals as written, so ``(1 + 10^{-12}) x^i``
   keeps its coefficient.  The same form is confirmed on numbers (below, one set of
   sizes, three draws of values); when the numbers disagree the answer is "not
   equal" and the detail says it is an engine bug.  When no draw can be made (the
   memory limit, values outside every function's domain, a compiler failure) the
   canonical form decides alone and the detail says why it was not confirmed.
3. *Numbers*, when the forms differ.  Both sides, and the exact difference of
   their canonical forms (the terms with the differences of their exact
   coefficients), are evaluated on random draws through the compiler's planned
   contraction (one program per side, lowered directly: ``compile()``'s cache is
   keyed by the canonical form this check must not trust):

   * values are signed (normal), at several scales (1, 1/2, 2, then smaller), so
     functions with a kink at 0 (relu) see both sides of it -- the arguments of
     kinked functions are evaluated too, and draws go on (up to 8) until each was
     seen positive and negative; a draw whose evaluation overflows, underflows or
     leaves a function's domain (any floating-point error, or a value that is not
     finite) is discarded and the next, smaller, scale tried; positive draws come
     last, for functions such as ``\\log``;
   * index sizes are integers per *space*: tensor slots joined by an index or a
     delta get one size; spaces get pairwise different sizes (2 to 9) while there
     are few enough, so that ``N_i`` cannot pass for ``N_j``.  Dummy names belong
     to their side (a dummy ``j`` of one side is not the ``j`` of the other); free
     indices and tensor slots are shared; an index on no tensor
     (``\\sum_c`` over an absent ``c``, a traced ``\\delta^j_j``) has the size ``N_c`` its name
     gives, on every side (as ``simplify`` and ``compile`` read it).  A scalar in a ``\\sum`` bound (``K`` in ``\\sum_{a=0}^{K-1}``) is the
     integer that gives the sum its space's size;
   * every array and intermediate stays under ``memory_limit`` (64 MiB): sizes
     shrink to fit (at most 4, 3, then 2), and when even size 2 does not fit the
     numbers cannot decide;
   * values agree when ``|a - b| <= rtol * max(|a|, |b|) + atol`` entrywise, where
     ``|a|`` sums the magnitudes of a top-level sum's terms and ``atol`` is at least
     ``rtol`` times their root-mean-square (rounding in entries that cancel to
     nearly zero does not count);
   * a draw informs about a smooth function only where its argument is moderate (an entry within 16 of 0
     for elementwise functions; for softmax and logsumexp, another entry within 16 of the largest), draws go
     on until each was seen so;
   * at least ``trials`` (3) informative draws, each with new sizes, must agree.
     If fewer can be made the answer is "cannot tell": ``equal`` is False and
     ``compare`` has method ``'cannot tell'`` with the reason.

   When the values differ only because a loop of deltas that no array sizes was renamed apart under different
   generated names on the two sides (``N_s1`` against ``N_u1``: a loop through a function, which cannot be
   folded to its size while the names are written), the answer is "cannot tell".

   When the values agree but the exact difference of the canonical forms is not
   zero relative to its own terms (a coefficient that differs by ``10^{-12}``), the
   answer is "not equal" (method ``'canonical'``): numbers never override a
   symbolic difference.  The difference is used only where the canonical forms
   evaluate to the values of the sides they stand for; otherwise the detail says
   the forms are unfaithful (an engine bug) and the sides' values decide.

``equal`` is a plain bool; ``compare`` returns a :class:`Comparison` with the
method ('free indices', 'canonical', 'numeric' or 'cannot tell'), the number of
informative draws and the worst relative difference seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from ..core.atoms import Delta, Tensor, Zero
from ..core.elementwise import Apply, Diag
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, Sum, SumOver, slot_of
from ..core.matrix_functions import VECTOR_FUNCTIONS, MatrixFunction

__all__ = ["equal", "compare", "Comparison", "DEFAULT_MEMORY_LIMIT"]

#: bytes the numeric check may use for any one array or intermediate
DEFAULT_MEMORY_LIMIT = 64 * 2**20

# (scale, signed) of successive draws: signed first, at several scales; then smaller; positive last
_SCHEDULE = ((1.0, True), (0.5, True), (2.0, True), (0.25, True), (0.7, True), (0.1, True), (0.03, True),
             (1.0, False), (0.5, False), (0.2, False), (2.0, False), (0.05, False))
_CAPS: tuple[int | None, ...] = (None, 4, 3, 2)  # pairwise different sizes first, then smaller ones


@dataclass(frozen=True)
class Comparison:
    """How :func:`compare` decided.

    Attributes:
        equal: the verdict (``bool(cmp)`` is the same).
        method: ``'free indices'``, ``'canonical'`` (same canonical form, or a nonzero exact
            difference of the forms), ``'numeric'`` (forms differ; the values decided) or
            ``'cannot tell'`` (no informative draw could be made; ``equal`` is False).
        detail: a sentence for people.
        max_abs_diff: the largest absolute difference of the values seen.
        draws: informative random draws evaluated.
        max_rel_diff: the largest entrywise difference relative to the magnitudes of both sides.
    """

    equal: bool
    method: str
    detail: str
    max_abs_diff: float = 0.0
    draws: int = 0
    max_rel_diff: float = 0.0

    def __bool__(self) -> bool:
        return self.equal

    def __str__(self) -> str:
        return f"{'equal' if self.equal else 'not equal'} ({self.method}): {self.detail}"


def compare(a: Expr | str, b: Expr | str, trials: int = 3, rtol: float = 1e-9, atol: float = 0.0,
            memory_limit: float = DEFAULT_MEMORY_LIMIT) -> Comparison:
    """Compare two expressions as tensors and say how the answer was reached and, if unequal, where.

    Args:
        a: an expression, or its text.
        b: another (or its text), with the same free indices for equality.
        trials: independent informative random draws that must agree (at least 3 are made).
        rtol: entrywise tolerance relative to the magnitudes of both sides.
        atol: an absolute floor of the tolerance (it is at least ``rtol`` times the entries' RMS).
        memory_limit: bytes any array or intermediate of the numeric check may take.

    Returns:
        A :class:`Comparison`.

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(compare(parse("A^i_j y^j"), parse("y^k A^i_k")))
        'equal (canonical): same canonical form, confirmed on 3 random draws'
        >>> compare(parse("A^i_j y^j"), parse("A^i_j y_i")).method
        'free indices'
        >>> compare(parse(r"\\mathrm{relu}(x^i)"), parse("x^i")).equal
        False
    """
    from ..algebra.simplify import canonical

    a, b = _as_pair("compare", a, b)
    if a.free_keys != b.free_keys:
        fa = " ".join(map(str, a.free)) or "none"
        fb = " ".join(map(str, b.free)) or "none"
        return Comparison(False, "free indices", f"free indices differ: {fa} vs {fb}")
    trials = max(3, int(trials))
    ca, cb = canonical(_exact(a)), canonical(_exact(b))
    if ca == cb:
        # confirm on numbers: the numbers are the ground truth, the canonical form a shortcut
        check = _Numeric(a, b, None, trials, rtol, atol, memory_limit).run()
        if check.equal:
            return Comparison(True, "canonical", f"same canonical form, confirmed on {check.draws} random draws",
                              check.max_abs_diff, check.draws, check.max_rel_diff)
        if check.method == "cannot tell":
            return Comparison(True, "canonical", f"same canonical form (not confirmed on numbers: {check.detail})",
                              check.max_abs_diff, check.draws, check.max_rel_diff)
        return Comparison(False, "numeric", "same canonical form, but " + check.detail
                          + " -- an engine bug, please report it", check.max_abs_diff, check.draws,
                          check.max_rel_diff)
    res = _Numeric(a, b, (ca, cb, _difference(ca, cb)), trials, rtol, atol, memory_limit).run()
    if res.method == "cannot tell":
        return Comparison(False, "cannot tell", f"the canonical forms differ ({ca} vs {cb}) and {res.detail}",
                          res.max_abs_diff, res.draws, res.max_rel_diff)
    if not res.equal and res.method == "numeric":
        from ..algebra.simplify import simplify

        renamed = _renamed_loops(a, b)
        if renamed:
            return Comparison(False, "cannot tell", f"{res.detail}, but {renamed}", res.max_abs_diff, res.draws,
                              res.max_rel_diff)
        return Comparison(False, "numeric", f"{res.detail} (simplified: {simplify(a)} and {simplify(b)})",
                          res.max_abs_diff, res.draws, res.max_rel_diff)
    return res


def _renamed_loops(a: Expr, b: Expr) -> str:
    """Why the numbers of ``a`` and ``b`` cannot decide, or ''.  A loop of deltas that no array sizes is sized by
    its index's name; one that could not be folded while the names were written (it runs through a function:
    ``\\delta_l^\\nu \\cos(\\delta^l_\\nu)``) and was renamed apart takes a generated name (``s1``, ``u1``), whose
    size is then no longer the one written; the two sides' generated names differ (harness seed 1969800050: two
    spellings of one expression looked unequal)."""
    import re

    sp = _Spaces({"a": [a], "b": [b]}, {ix.name for ix in a.free})
    gen = {side: {n for n in sp.params.get(side, set()) if re.fullmatch(r"[su][0-9]+", n)} for side in "ab"}
    if gen["a"] == gen["b"]:
        return ""
    names = ", ".join(f"N_{n}" for n in sorted(gen["a"] ^ gen["b"]))
    return (f"a loop no array sizes was renamed apart and sized by a generated name ({names}): give the loop's "
            "indices names of their own, or tie them to a tensor")


def equal(a: Expr | str, b: Expr | str) -> bool:
    """Equality as tensors: up to dummy names, factor and term order, deltas and like terms.

    Decided by canonical form, confirmed (or, when the forms differ, settled)
    by evaluating both sides on random signed arrays through the compiler.
    When nothing can be evaluated and the forms differ, the answer is False;
    :func:`compare` says how it decided and why.

    Example:
        >>> from einsteinpy_lite import parse
        >>> equal(parse(r"B^i_j \\delta^j_k y^k"), parse("y^m B^i_m"))
        True
        >>> equal(parse("A^i_j y^j"), parse("2 A^i_j y^j"))
        False
        >>> equal("x^i + y^i", r"y^j \\delta^i_j + x^i")
        True
    """
    a, b = _as_pair("equal", a, b)
    return compare(a, b).equal


def _rms(x: np.ndarray) -> float:
    """The root mean square of ``|x|``, scaled so that squaring cannot overflow (0 for an empty array)."""
    if not x.size:
        return 0.0
    top = float(np.max(np.abs(x)))
    if top == 0.0 or not np.isfinite(top):
        return top
    return top * float(np.sqrt(np.mean((np.abs(x) / top) ** 2)))


def _as_pair(caller: str, a: Any, b: Any) -> tuple[Expr, Expr]:
    """Both sides as expressions: text is parsed (one API style: expressions or their text)."""
    from ..notation.parse import expression

    takes = "index expressions or their text"
    return expression(a, caller, takes), expression(b, caller, takes)


# ------------------------------------------------------------------ exact coefficients


def _exact(e: Expr) -> Expr:
    """``e`` with every float coefficient an exact rational (as written: 1.000000000001 -> 1000000000001/10^12)."""
    if not any(isinstance(n, Product) and n.coeff.has(sympy.Float) for n in e.walk()):
        return e
    return _exact_node(e)


def _exact_node(e: Expr) -> Expr:
    if isinstance(e, Product):
        c = e.coeff.replace(lambda x: x.is_Float, _rational)
        return Product(c, [_exact_node(f) for f in e.factors], e.kept)
    if not e.children():
        return e
    return e.map_children(_exact_node)


def _rational(x: sympy.Float) -> sympy.Rational:
    """The exact value of a float as written (its shortest decimal repr), or of a wider Float exactly."""
    if x._prec <= 53:
        return sympy.Rational(repr(float(x)))
    return sympy.Rational(x)


def _terms(c: Expr) -> dict[Any, tuple[sympy.Expr, Expr]]:
    """A canonical form as ``{term key: (exact coefficient, the term with coefficient 1)}``."""
    out: dict[Any, tuple[sympy.Expr, Expr]] = {}
    for t in (c.terms if isinstance(c, Sum) else (c,)):
        if isinstance(t, Zero):
            continue
        if isinstance(t, Product):
            # the kept indices are part of the term: x^i \odot y^i is not x^i y_i
            key: Any = (tuple(t.factors), t.kept)
            coeff, unit = t.coeff, Product.make(1, t.factors, t.kept)
        else:
            key, coeff, unit = ((t,), frozenset()), sympy.Integer(1), t
        old = out.get(key)
        out[key] = ((old[0] if old else 0) + coeff, unit)
    return out


def _difference(ca: Expr, cb: Expr) -> list[Expr]:
    """The exact difference ``ca - cb`` as terms ``delta_t T_t`` (like terms' coefficients subtracted exactly)."""
    ta, tb = _terms(ca), _terms(cb)
    out: list[Expr] = []
    for key in list(ta) + [k for k in tb if k not in ta]:
        ca_, fa = ta.get(key, (sympy.Integer(0), None))
        cb_, fb = tb.get(key, (sympy.Integer(0), None))
        delta = sympy.cancel(sympy.expand(ca_ - cb_))
        if delta == 0:
            continue
        out.append(Product.make(delta, [fa if fa is not None else fb]))  # type: ignore[list-item]
    return out


# ------------------------------------------------------------------ spaces and sizes


class _Spaces:
    """Union-find over index names and tensor slots: indices that must share a size share a space.

    Each side (program) has its own index names -- a dummy ``j`` of one side and a dummy ``j`` of the
    other are different indices -- except the free indices, which both sides share.  Tensor slots
    are shared: an array has one shape.  Within one side a name is one index (as ``compile`` reads
    ``N_j``), so two uses of a name on one side share a space.  An index on no tensor slot (the
    ``j`` of a lone ``\\delta^j_j``, the ``c`` of ``\\sum_c`` over an absent index) has the size its name
    gives, ``N_j``, the same on every side.
    """

    def __init__(self, sides: dict[str, list[Expr]], shared: set[str]) -> None:
        self.parent: dict[Any, Any] = {}
        self.bounded: list[tuple[Any, str, sympy.Expr]] = []
        self.heads: dict[str, int] = {}
        self.shared = shared
        self.names: dict[str, set[str]] = {}
        for side, exprs in sides.items():
            names = self.names.setdefault(side, set())
            for e in exprs:
                for node in e.walk():
                    if isinstance(node, Tensor):
                        self.heads.setdefault(node.name, len(node.indices))
                        for pos, ix in enumerate(node.indices):
                            self.union(self.elem(side, ix.name), ("slot", node.name, pos))
                    elif isinstance(node, Delta):
                        x, y = node.indices
                        self.union(self.elem(side, x.name), self.elem(side, y.name))
                    elif isinstance(node, Diag):
                        for x, y in zip(node.body.free, node.new_indices):
                            self.union(self.elem(side, x.name), self.elem(side, y.name))
                    elif isinstance(node, MatrixFunction) and not node.vector:  # square: rows, columns one size
                        x, y = node.body.free
                        self.union(self.elem(side, x.name), self.elem(side, y.name))
                    elif isinstance(node, SumOver) and node.bounds:
                        lo, hi = node.bounds
                        self.bounded.append((self.elem(side, node.index_name), node.index_name,
                                             sympy.expand(hi - lo + 1)))
                    for ix in node.own_indices():
                        names.add(ix.name)
                        self.find(self.elem(side, ix.name))
                    if isinstance(node, SumOver):
                        names.add(node.index_name)
                        self.find(self.elem(side, node.index_name))
        held = {self.find(x) for x in self.parent if x[0] == "slot"}
        #: per side, the names whose size is their name's (no tensor slot in their space)
        self.params: dict[str, set[str]] = {}
        for x in list(self.parent):
            if x[0] == "name" and self.find(x) not in held:
                self.params.setdefault(x[1], set()).add(x[2])
                # its size is N_x by the name written (as compile and simplify read it): the same name on
                # every side is one size, two names are two (-\delta^{i}_{i} + \delta^{m}_{m} is not 0)
                self.union(x, ("param", x[2]))

    def owner(self, side: str, name: str) -> str:
        """The side whose index ``name`` a size symbol ``N_name`` on ``side`` means: its own, else another's
        (a symbol of the difference's terms, or one left without its index, is read by name), or ''."""
        for s in (side, "a", "b", "d"):
            if name in self.names.get(s, ()):
                return s
        return ""

    def elem(self, side: str, name: str) -> tuple[str, str, str]:
        return ("name", "*" if name in self.shared else side, name)

    def find(self, x: Any) -> Any:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: Any, y: Any) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[rx] = ry


class _NoDraw(Exception):
    """No consistent or affordable draw: ``args`` are (reason, kind), kind 'memory', 'values', 'sizes' or 'error'."""

    def __init__(self, reason: str, kind: str = "sizes") -> None:
        super().__init__(reason, kind)


_DISTINCT = 8  # pairwise different sizes 2..9; more spaces than that get random sizes in that range


def _sizes(sp: _Spaces, rng: np.random.Generator, cap: int | None, smallest: bool = False,
           used: dict[Any, set[int]] | None = None) -> tuple[dict[Any, int], dict[str, int]]:
    """Integer sizes per space, and integer values of the symbols in ``\\sum`` bounds (``K``).

    With ``cap`` None the spaces get pairwise different sizes (2, 3, ... in random order, while there
    are at most 8 spaces), so that a size symbol of one space cannot pass for another's; otherwise
    sizes are random in ``[2, cap]``.  ``smallest``: the smallest pairwise different sizes (2, 3, ...
    in random order), where a function of sizes is far from saturating (``softplus(N_q N_d)`` is
    ``N_q N_d`` to the last bit once the product passes 40).  ``used``: the sizes each space had in the
    earlier draws, updated; a space takes one it has not had while there is one (over eight draws a space
    alone takes every size 2..9: relu(sin(N_mu)) against sin(N_mu) must meet a negative sine).
    """
    fixed: dict[Any, int] = {}
    values: dict[str, int] = {}
    roots = sorted({sp.find(x) for x in sp.parent}, key=repr)
    # distinct sizes drawn from 2..9 even for few spaces: a value that depends on a size (sin(N_mu) under
    # relu) is then seen at several sizes, not always at 2
    n_roots = len(roots) + len(sp.bounded)
    pool = [int(n) for n in (rng.permutation(np.arange(2, 2 + min(_DISTINCT, max(n_roots, 1)))) if smallest
                             else rng.permutation(np.arange(2, 2 + _DISTINCT)))]
    had = used if used is not None else {}

    def space_size(root: Any) -> int:
        if root not in fixed:
            if cap is None:
                new = [n for n in pool if n not in had.get(root, ())]
                pick = (new or pool or [int(rng.integers(2, 2 + _DISTINCT))])[0]
                if pick in pool:
                    pool.remove(pick)
                fixed[root] = pick
                had.setdefault(root, set()).add(pick)
            else:
                fixed[root] = int(rng.integers(2, cap + 1))
        return fixed[root]

    for elem, k, count in sp.bounded:
        root = sp.find(elem)
        count = count.subs({sympy.Symbol(s): v for s, v in values.items()})
        syms = sorted(count.free_symbols, key=str)
        if not syms:
            want = int(count) if count.is_integer else -1
            if want < 1:
                raise _NoDraw(f"\\sum over '{k}' has {count} terms")
            if fixed.setdefault(root, want) != want:
                raise _NoDraw(f"\\sum over '{k}' has {want} terms but its index has size {fixed[root]}")
            continue
        s, rest = syms[0], syms[1:]
        for r in rest:
            values[r.name] = int(rng.integers(2, 5))
        count = count.subs({r: values[r.name] for r in rest})
        n = space_size(root)
        try:
            sol = [v for v in sympy.solve(sympy.Eq(count, n), s) if v.is_integer and v.is_positive]
        except (NotImplementedError, TypeError, ValueError):
            sol = []
        if not sol:
            raise _NoDraw(f"no integer {s} gives the \\sum over '{k}' {n} terms")
        values[s.name] = int(sol[0])
    for root in roots:
        space_size(root)
    return fixed, values


def _has_kink(name: str) -> bool:
    """Whether an elementwise function is not smooth (relu, abs): its formula has Max, Abs, ..."""
    from ..core.functions import get_function

    f = get_function(name).formula
    return bool(f.has(sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside, sympy.sign, sympy.Piecewise))


def _constant(name: str) -> bool:
    """Whether an elementwise function is a constant (\\mathrm{ones}): nothing to see of its argument."""
    from ..core.functions import get_function

    return bool(get_function(name).derivative_formula(1) == 0)


_ASYMPTOTE = 16.0  # |x| beyond which an argument entry is on a function's asymptote (e^-16: 1e-7 relative)


def _informative(name: str, order: int, x: np.ndarray) -> bool:
    """Whether some entry of the argument ``x`` is where the function's ``order``-th derivative still depends on
    it, and not as a straight line: at most 1 in size, or a relative change of ``x`` changes ``f`` by at least
    a millionth of that (tanh at |x| > 10 does not) with a curvature ``x^2 f''`` of at least a millionth of
    ``f`` (softplus at x > 20 is x to the last bits: dropping it went unseen, seed 3244997759)."""
    from ..core.functions import get_function

    if name in VECTOR_FUNCTIONS:
        return _informative_vector(x)
    fn = get_function(name)
    with np.errstate(all="ignore"):
        xs = np.asarray(x)
        if np.iscomplexobj(xs):
            return True
        xs = xs.astype(float)
        value, slope = fn(xs, order), fn(xs, order + 1)
        scale = np.maximum(np.abs(value), 1e-300)
        sens = np.abs(xs * slope) / scale
        try:
            bend = fn(xs, order + 2)
            straight = not np.any(np.asarray(fn(np.array([-2.0, -0.5, 0.5, 1.5]), order + 2)) != 0)
        except EinsteinError:  # no derivative of that order: the slope alone decides
            bend, straight = None, True
        curved = np.ones(xs.shape, bool) if straight or bend is None else np.abs(xs * xs * bend) / scale >= 1e-6
    if not np.any(np.isfinite(sens)):
        return True
    # (an entry of size at most 1 saturates no function: square(0) of an argument that is zero is seen; beyond
    # |x| = 16 functions run along their asymptotes: softplus(x) is exp(x) to a relative e^x / 2, and exp against
    # softplus agreed to the last bit on draws whose arguments were all below -59, seed 2865487794)
    moderate = np.abs(xs) <= _ASYMPTOTE
    return bool(np.any(np.abs(xs) <= 1.0) or np.any(np.isfinite(sens) & (sens >= 1e-6) & curved & moderate))


def _informative_vector(x: np.ndarray) -> bool:
    """Whether softmax or logsumexp of the vector ``x`` depends on more than its largest entry: another entry
    within :data:`_ASYMPTOTE` of it (a gap of 36 gives the others a weight below the last bit: softmax(K z) and
    softmax(3/2 K z) agreed there, harness seed 1969798560).

    Example:
        >>> _informative_vector(np.array([0.0, 3.0])), _informative_vector(np.array([0.0, 300.0]))
        (True, False)
    """
    xs = np.asarray(x)
    if np.iscomplexobj(xs):
        return True
    xs = np.sort(xs.astype(float).ravel())
    return bool(xs.size >= 2 and np.isfinite(xs[-2:]).all() and xs[-1] - xs[-2] <= _ASYMPTOTE)


# ------------------------------------------------------------------ the numeric check

_KINK_DRAWS = 8  # draws made at most to see every kinked function's argument on both sides of 0


class _Numeric:
    """Evaluate ``a``, ``b`` (and the exact difference of their canonical forms) on random draws."""

    def __init__(self, a: Expr, b: Expr, forms: tuple[Expr, Expr, list[Expr]] | None, trials: int, rtol: float,
                 atol: float, memory_limit: float) -> None:
        """``forms``: the canonical forms and their exact difference as terms, when they differ (else None)."""
        self.a, self.b = a, b
        self.forms = forms
        self.diff = forms[2] if forms else None
        self.deciding = forms is not None
        self.notes: list[str] = []
        self.trials, self.rtol, self.atol, self.limit = trials, rtol, atol, memory_limit
        self.axes = tuple(ix.name for ix in a.free)
        self.smooth: dict[str, tuple[str, int]] = {}  # output -> (function, order) of a smooth function's argument

    def programs(self) -> dict[str, tuple[dict[str, Expr], bool]]:
        """Per program (its side's letter first): outputs, and whether they take the free-index order."""
        progs: dict[str, tuple[dict[str, Expr], bool]] = {}
        for side, e in (("a", self.a), ("b", self.b)):
            # the terms of a top-level sum one by one: their magnitudes set the tolerance
            progs[side] = ({f"{side}{n}": t for n, t in enumerate(e.terms if isinstance(e, Sum) else (e,))}, True)
            # the arguments of functions with a kink: draws go on until each was seen on both sides of 0
            kinks = list(dict.fromkeys(node.body for node in e.walk() if isinstance(node, (Apply, Diag))
                                       and not node.body.open_bound and _has_kink(node.func_name)))
            if kinks:
                progs["k" + side] = ({f"k{side}{n}": t for n, t in enumerate(kinks)}, False)
            if self.deciding:
                # the arguments of smooth functions: a draw where every entry saturates one (tanh(30 x) is 1
                # to the last bit, whatever x) says nothing about it; draws go on until each was seen unsaturated
                smooth = list(dict.fromkeys((node.func_name, node.order, node.body) for node in e.walk()
                                            if isinstance(node, (Apply, Diag)) and not node.body.open_bound
                                            and not _has_kink(node.func_name) and not _constant(node.func_name)))
                # softmax and logsumexp saturate too: an entry far above the others takes all the weight
                smooth += list(dict.fromkeys((node.func_name, 0, node.body) for node in e.walk()
                                             if isinstance(node, MatrixFunction) and node.vector
                                             and not node.body.open_bound))
                if smooth:
                    progs["s" + side] = ({f"s{side}{n}": t for n, (_, _, t) in enumerate(smooth)}, False)
                    self.smooth.update({f"s{side}{n}": (f, o) for n, (f, o, _) in enumerate(smooth)})
        if self.forms and self.diff:
            # the difference's terms, and the two forms whole: the difference is trusted only where the
            # forms have the values of the sides they stand for
            outs = {f"d{n}": t for n, t in enumerate(self.diff)}
            progs["d"] = ({**outs, "pa": self.forms[0], "pb": self.forms[1]}, True)
        return progs

    def run(self) -> Comparison:
        from ..compile import Compiled
        from ..compile.lower import lower

        if self.a.open_bound or self.b.open_bound:
            # a summand lifted out of its \sum has an axis per bound index: not comparable as is
            return Comparison(False, "cannot tell", "could not evaluate: indices bound by an enclosing \\sum")
        progs = self.programs()
        fns: dict[str, Any] = {}
        for key, (outs, ordered) in progs.items():
            try:
                # lowered directly, not through compile()'s cache, which is keyed by the canonical form this
                # check is meant to confirm; one program per side, so the sides share no intermediate
                fns[key] = Compiled(lower(outs, {k: (self.axes if ordered else None) for k in outs}), False,
                                    self.limit, False)
            except Exception as exc:  # noqa: BLE001 -- a compiler failure is reported, never raised
                why = exc.message if isinstance(exc, EinsteinError) else (
                    f"the compiler failed: {type(exc).__name__}: {exc} -- an engine bug, please report it")
                if key in "ab":
                    return Comparison(False, "cannot tell", f"could not evaluate: {why}")
                self.drop(key, why)
        by_side: dict[str, list[Expr]] = {}
        for key, (outs, _) in progs.items():
            by_side.setdefault(key[-1], []).extend(outs.values())  # "ka" (a's kinks) is side "a"
        sp = _Spaces(by_side, {ix.name for ix in self.a.free})
        symbols = {s for outs, _ in progs.values() for e in outs.values() for s in e.scalar_symbols()}
        symbols |= {s for fn in fns.values() for s in fn.program.symbols}
        by_py = {_py(s.name): s for s in symbols}
        for sym in symbols:
            if sym.name.startswith("N_"):
                sp.find(("param", sym.name[2:]))  # N_x of an index no side has: a size all the same
            elif (slot := slot_of(sym)) is not None:
                sp.find(("slot", *slot))  # \dim(A, n): the space of that slot of A
        kinks = {k: [False, False] for key, (outs, ordered) in progs.items() if key.startswith("k") and key in fns
                 for k in outs}
        unsaturated = {k: False for key, (outs, _) in progs.items() if key.startswith("s") and key in fns for k in outs}
        draws, worst_abs, worst_rel = 0, 0.0, 0.0
        skipped: dict[str, list[str]] = {}  # why a draw was not made -> its scales (+: positive values)
        rng = np.random.default_rng(20261130)
        caps = list(_CAPS)
        sizes: tuple[dict[Any, int], dict[str, int]] | None = None
        had: dict[Any, set[int]] = {}  # the sizes each space has had
        attempt = 0
        signed_draws = 0  # draws made with values of both signs

        def more() -> bool:
            seen_both = all(pos and neg for pos, neg in kinks.values()) and all(unsaturated.values())
            return draws < self.trials or (not seen_both and draws < _KINK_DRAWS)

        while attempt < len(_SCHEDULE) and more():
            scale, signed = _SCHEDULE[attempt]
            try:
                if sizes is None:
                    # the first draw at the smallest sizes, the next ones anywhere in 2..9
                    sizes = _sizes(sp, rng, caps[0], smallest=draws == 0 and self.deciding, used=had)
                state = rng.bit_generator.state
                got = self.draw(fns, sp, sizes, by_py, rng, caps[0], scale, signed)
                if kinks and signed:
                    # the antithetic draw (every array negated): each entry of a kink's argument is then seen
                    # on both sides where it is linear in the arrays -- relu(R_{ij}) against relu(R_{ji}) on
                    # a 2x2 R agreed on three draws whose off-diagonal entries were all negative
                    after = rng.bit_generator.state
                    rng.bit_generator.state = state
                    flipped = self.draw(fns, sp, sizes, by_py, rng, caps[0], scale, signed, flip=True)
                    rng.bit_generator.state = after
                    verdict = self.judge(flipped)
                    worst_abs, worst_rel = max(worst_abs, verdict[1]), max(worst_rel, verdict[2])
                    if verdict[0] is not None:
                        return Comparison(False, verdict[3], verdict[0], worst_abs, draws + 1, worst_rel)
                    for k, seen in kinks.items():
                        seen[0] = seen[0] or bool(np.any(flipped[k] > 0))
                        seen[1] = seen[1] or bool(np.any(flipped[k] < 0))
            except _NoDraw as exc:
                sizes = None
                if exc.args[1].startswith("aux:"):
                    key = exc.args[1][4:]
                    fns.pop(key)
                    self.drop(key, exc.args[0])
                    kinks = {k: v for k, v in kinks.items() if k[:2] != key}
                    unsaturated = {k: v for k, v in unsaturated.items() if k[:2] != key}
                    continue  # the same draw without it
                if exc.args[1] == "memory" and len(caps) > 1:
                    caps.pop(0)  # smaller sizes, same scale
                    continue
                skipped.setdefault(exc.args[0], []).append(f"{scale:g}{'' if signed else '+'}")
                if exc.args[1] != "values":
                    break  # neither smaller nor other values help
                attempt += 1
                continue
            attempt += 1
            draws += 1
            signed_draws += int(signed)
            drawn = sizes  # (a difference is confirmed at these sizes)
            if self.deciding:
                sizes = None  # deciding on numbers: new sizes every draw; confirming: one set (one plan)
            for k, seen in kinks.items():
                seen[0] = seen[0] or bool(np.any(got[k] > 0))
                seen[1] = seen[1] or bool(np.any(got[k] < 0))
            for k in unsaturated:
                unsaturated[k] = unsaturated[k] or _informative(*self.smooth[k], got[k])
            verdict = self.judge(got)
            worst_abs, worst_rel = max(worst_abs, verdict[1]), max(worst_rel, verdict[2])
            if verdict[0] is not None:
                if verdict[3] == "numeric" and not self.deciding and not self.confirm(fns, sp, by_py, rng, caps[0],
                                                                                      scale, signed, drawn):
                    # the canonical forms agree and the values differ only at this scale (rounding amplified by
                    # the functions): the draw decides nothing; go on with the next
                    skipped.setdefault("values that amplify rounding", []).append(f"{scale:g}")
                    draws -= 1
                    continue
                if verdict[3] == "numeric" and self.deciding and not self.confirm(fns, sp, by_py, rng, caps[0], scale,
                                                                                  signed, drawn):
                    # the values differ only at this scale: functions that amplify rounding (\cos(\exp(x))
                    # with a large x, summed in another order) -- no certain answer
                    return Comparison(False, "cannot tell", f"{verdict[0]} at scale {scale:g}, but not at smaller "
                                      "scales: a difference of rounding, amplified by the functions?", worst_abs,
                                      draws, worst_rel)
                return Comparison(False, verdict[3], verdict[0], worst_abs, draws, worst_rel)
        if draws < self.trials:
            why = "; ".join(f"{r} at scale{'s' if len(sc) > 1 else ''} {', '.join(sc)}" if r.startswith(("a float", "values"))
                            else r for r, sc in skipped.items()) or "no draw"
            return Comparison(False, "cannot tell", f"only {draws} of {self.trials} random draws could be "
                              f"evaluated ({why})", worst_abs, draws, worst_rel)
        unseen = [k for k, (pos, neg) in kinks.items() if not (pos and neg)]
        if unseen and self.deciding and signed_draws < self.trials:
            # e.g. relu(S) against S when \log elsewhere forces positive draws: agreement on one side of
            # the kink proves nothing about the other. (After enough draws of both signs, an argument that
            # never crossed its kink -- relu(-x^2) -- is taken as one that cannot.)
            return Comparison(False, "cannot tell", f"the values agree on {draws} random draws, but the argument "
                              f"of a function with a kink was never drawn on both sides of it", worst_abs, draws,
                              worst_rel)
        saturated = [k for k, ok in unsaturated.items() if not ok]
        if saturated and self.deciding:
            # e.g. tanh(X) against tanh(3/2 X) where every draw made |X| > 20: both sides are 1 to the last bit
            f, _ = self.smooth[saturated[0]]
            return Comparison(False, "cannot tell", f"the values agree on {draws} random draws, but the argument of "
                              f"{f} saturated it on every draw (its value did not depend on the argument)", worst_abs,
                              draws, worst_rel)
        note = "".join(f" ({n})" for n in self.notes)
        return Comparison(True, "numeric", f"the canonical forms differ, but the values agree on {draws} random "
                          f"draws (worst relative difference {worst_rel:.1e}){note}", worst_abs, draws, worst_rel)

    def confirm(self, fns: dict[str, Any], sp: _Spaces, by_py: dict[str, sympy.Symbol], rng: np.random.Generator,
                cap: int | None, scale: float, signed: bool,
                sizes: tuple[dict[Any, int], dict[str, int]] | None = None) -> bool:
        """Whether a difference seen at ``scale`` shows again on fresh draws at a third or a tenth of it.

        A real difference does (exp(-x^2) against exp(-2 x^2) too); rounding amplified by the functions
        (cos(exp(x)) of a large x) fades fast as the values shrink.  ``sizes``: those of the draw that
        differed, kept (a difference that only sizes make, softplus(N_q N_d) against N_q N_d, shows only at
        small sizes)."""
        for small in (scale / 3, scale / 10):
            try:
                got = self.draw(fns, sp, sizes if sizes is not None else _sizes(sp, rng, cap), by_py, rng, cap,
                                small, signed)
            except _NoDraw:
                continue
            if self.judge(got)[0] is not None:
                return True
        return False

    def drop(self, key: str, why: str) -> None:
        """Go on without an auxiliary program (the exact difference, the kinks' arguments), saying why."""
        if key == "d":
            self.diff = None
            self.notes.append(f"the exact difference of the canonical forms could not be evaluated: {why}")

    def draw(self, fns: dict[str, Any], sp: _Spaces, sizes: tuple[dict[Any, int], dict[str, int]],
             by_py: dict[str, sympy.Symbol], rng: np.random.Generator, cap: int | None, scale: float,
             signed: bool, flip: bool = False) -> dict[str, np.ndarray]:
        """One draw's values of every output; :class:`_NoDraw` (reason, kind) when it cannot be used."""
        fixed, ints = sizes
        at = "pairwise different sizes" if cap is None else f"sizes up to {cap}"
        shapes = {h: tuple(fixed[sp.find(("slot", h, p))] for p in range(r)) for h, r in sp.heads.items()}
        entries = [int(np.prod(s, dtype=np.float64)) for s in shapes.values()]
        if any(n * 8 > self.limit for n in entries) or sum(entries) * 8 > 4 * self.limit:
            raise _NoDraw(f"the arrays exceed the memory limit of {self.limit / 2**20:.0f} MiB at {at}", "memory")
        arrays: dict[str, Any] = {}
        scalars: dict[str, Any] = {}
        res: dict[str, Any] = {}
        key = ""
        try:
            with np.errstate(all="raise"):
                for key, fn in fns.items():
                    side = key[-1]
                    kw: dict[str, Any] = {}
                    for py in fn.arrays:
                        if py not in arrays:
                            shape = shapes[fn._raw[py]]
                            arrays[py] = (rng.standard_normal(shape) if signed
                                          else rng.uniform(0.5, 1.5, shape)) * (-scale if flip else scale)
                        kw[py] = arrays[py]
                    for py in fn.scalars:
                        sym = by_py.get(py)
                        if sym is not None and sym.name in ints:
                            kw[py] = ints[sym.name]
                        elif sym is not None and slot_of(sym) is not None:
                            kw[py] = fixed[sp.find(("slot", *slot_of(sym)))]  # type: ignore[misc]
                        elif sym is not None and sym.name.startswith("N_"):
                            x = sym.name[2:]
                            owner = sp.owner(side, x)
                            kw[py] = fixed[sp.find(sp.elem(owner, x) if owner else ("param", x))]
                        else:
                            v = float(rng.uniform(0.5, 1.5))
                            kw[py] = scalars.setdefault(py, -v if signed and rng.integers(2) else v)
                    res.update(fn(**kw))
                    if key == "d" and self.diff:
                        self._exact_zeros(res, fn, kw, by_py, ints)
        except (FloatingPointError, ZeroDivisionError, OverflowError) as exc:
            raise _NoDraw(f"a floating-point error ({exc})", "values") from None
        except EinsteinError as exc:
            if "memory limit" in exc.message:
                raise _NoDraw(f"an intermediate exceeds the memory limit of {self.limit / 2**20:.0f} MiB "
                              f"at {at}", "memory") from None
            raise _NoDraw(f"could not evaluate: {exc.message}", "error" if key in "ab" else "aux:" + key) from None
        except Exception as exc:  # noqa: BLE001 -- a compiler bug: no draw, and the reason says so
            raise _NoDraw(f"could not evaluate (the compiled code failed: {type(exc).__name__}: {exc}) -- an engine "
                          "bug, please report it", "error" if key in "ab" else "aux:" + key) from None
        out = {k: np.asarray(v) for k, v in res.items()}
        if not all(np.all(np.isfinite(v)) for v in out.values()):
            raise _NoDraw("values that are not finite", "values")
        return out

    def _exact_zeros(self, res: dict[str, Any], fn: Any, kw: dict[str, Any], by_py: dict[str, sympy.Symbol],
                     ints: dict[str, int]) -> None:
        """Terms of the difference whose coefficient is exactly zero at the sizes drawn are zero, not the rounding
        of ``K N_k - K \\dim(B, 2)`` at ``N_k = \\dim(B, 2)`` (two spaces one name ties together, seed 3244992591)."""
        sizes = {}
        for py in fn.scalars:
            sym = by_py.get(py)
            if sym is not None and (sym.name in ints or slot_of(sym) is not None or sym.name.startswith("N_")):
                sizes[sym] = int(kw[py])
        if not sizes:
            return
        for n, term in enumerate(self.diff or ()):
            if isinstance(term, Product) and f"d{n}" in res and sympy.expand(term.coeff.subs(sizes)) == 0:
                res[f"d{n}"] = np.zeros_like(np.asarray(res[f"d{n}"]))

    def judge(self, got: dict[str, np.ndarray]) -> tuple[str | None, float, float, str]:
        """(why they differ or None, max |a - b|, worst relative difference, method)."""
        def side(prefix: str) -> tuple[np.ndarray, np.ndarray]:
            parts = [v for k, v in got.items() if k[0] == prefix]
            if not parts:
                return np.zeros(()), np.zeros(())
            val = np.sum(parts, axis=0)
            return val, np.sum(np.abs(parts), axis=0)

        va, ma = side("a")
        vb, mb = side("b")
        with np.errstate(all="ignore"):
            mag = np.maximum(ma, mb)
            diff = np.abs(va - vb)
        if not (np.all(np.isfinite(mag)) and np.all(np.isfinite(diff))):
            # the terms are finite but their sums overflow: an infinite tolerance would call anything equal
            return ("the values are too large to compare in floating point", 0.0, 0.0, "cannot tell")
        floor = max(self.atol, self.rtol * _rms(mag))
        tol = self.rtol * mag + floor
        rel = diff / np.where(mag > 0, mag, 1.0)
        worst_abs = float(np.max(diff)) if diff.size else 0.0
        worst_rel = float(np.max(rel)) if rel.size else 0.0
        if diff.size and np.any(diff > tol):
            where = np.unravel_index(int(np.argmax(diff - tol)), diff.shape)
            at = ", ".join(f"{n}={int(w)}" for n, w in zip(self.axes, where)) or "the scalar"
            return (f"values differ at {at}: {float(va[where]):.6g} vs {float(vb[where]):.6g}",
                    worst_abs, worst_rel, "numeric")
        if self.diff:
            vd, md = side("d")
            dtol = self.rtol * md + max(self.atol, self.rtol * _rms(md))
            faithful = all(np.all(np.abs(got[k] - v) <= self.rtol * (m + np.abs(got[k])) + floor)
                           for k, v, m in (("pa", va, ma), ("pb", vb, mb)) if k in got)
            if not faithful:
                note = ("the canonical forms do not have the values of the sides they stand for (an engine bug, "
                        "please report it), so their difference was not used")
                if note not in self.notes:
                    self.notes.append(note)
            elif vd.size and np.any(np.abs(vd) > dtol):
                big = float(np.max(np.abs(vd) / np.where(mag > 0, mag, 1.0)))
                terms = " + ".join(str(t) for t in self.diff[:3]) + (" + ..." if len(self.diff) > 3 else "")
                return (f"the values agree to {big:.1e} relative, but the canonical forms differ by {terms}, "
                        f"which is not zero on random arrays", worst_abs, worst_rel, "canonical")
        return None, worst_abs, worst_rel, "numeric"


def _py(name: str) -> str:
    from ..compile.lower import python_name

    return python_name(name)
