r"""Shared hypothesis strategies: random VALID index expressions, index sizes and arrays for them.

Import them in any test as ``from tests.strategies import expressions, index_sizes, arrays_for``.

* :func:`expressions` draws an expression that is valid under ``ricci`` and that the printer and
  parser round-trip: tensors (Latin, Greek, ``W1``, ``\mathrm{eps}``, ``[\nabla\sigma]`` names),
  Kronecker deltas and Euclidean metrics, products with implied sums, sums, explicit
  ``\sum_{k}`` with the bound index in several factors, every registered elementwise function
  (and derivatives, ``\sigma'``), diagonal Jacobians ``[\nabla f(z)]``, zero tensors and sympy
  coefficients (``2/K``, ``\alpha^{2}``, ``N_i``).  One tensor name always keeps one slot
  pattern, every dummy and bound index name is fresh, so the result also parses back.
* :func:`index_sizes` gives every index of an expression a size, equal where the expression
  forces it (the same slot of one tensor, the two slots of a delta, a diagonal's pairs), and
  otherwise different, so that a transposed axis shows up as a wrong shape or value.
* :func:`arrays_for` makes random arrays for an expression's tensors from those sizes, keyed by
  the name a compiled function takes (``epsilon`` for ``\epsilon``).
* :func:`token_text` draws text made of the grammar's tokens (for fuzzing ``parse``).
* :func:`harness_texts` draws the text of a tree from the differential harness
  (``einsteinpy_lite.selftest``): names reused across scopes, ``N_x`` next to a dummy ``x``, dummies of
  one name with different sizes, every function with signed arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy
from hypothesis import strategies as st

from einsteinpy_lite.core.atoms import Delta, Tensor, Zero
from einsteinpy_lite.core.elementwise import Apply, Diag
from einsteinpy_lite.core.expr import Expr, Product, Sum, SumOver, dimension_symbol
from einsteinpy_lite.core.functions import function_names
from einsteinpy_lite.core.indices import Index

__all__ = [
    "INDEX_NAMES", "TENSOR_NAMES", "COEFFICIENTS", "KINDS", "expressions", "free_indices", "index_sizes", "arrays_for",
    "array_key", "token_text", "GRAMMAR_TOKENS", "harness_texts",
]

#: Index names the strategies draw from (Latin, with digits, Greek).
INDEX_NAMES = (
    "i", "j", "k", "l", "m", "n", "p", "q", "r", "s", "t", "a", "b", "c", "d", "e",
    "i1", "i2", "j1", "j2", "k3", r"\alpha", r"\beta", r"\mu", r"\nu", r"\rho1",
)

#: Tensor head names: one letter (+ digits), Greek commands, a \mathrm word, bracketed names.
TENSOR_NAMES = (
    "A", "B", "G", "W1", "x", "y", "z", "g", "b2", r"\epsilon", r"\sigma", r"\Gamma", "eps",
    r"\nabla\sigma", r"\nabla_y f", r"\nabla_A(Ay)",
)

_K, _ALPHA = sympy.Symbol("K"), sympy.Symbol("alpha")
#: Coefficients: rationals, symbols, powers, sums and dimension symbols.
COEFFICIENTS = (
    sympy.Integer(2), sympy.Integer(-1), sympy.Rational(1, 2), sympy.Rational(-3, 4), 2 / _K, -2 / _K, _K,
    _ALPHA, 1 / _K**2, _K - 1, _ALPHA**2, _ALPHA / _K, dimension_symbol("i"), 1 / dimension_symbol("j1"),
    sympy.Symbol("eta") * _K,
)

#: Kinds of node :func:`expressions` can be told to leave out (``exclude=``): composite nodes,
#: and among leaves deltas/metrics, zero tensors, traces ``x^a_a``, scalar leaves, tensors without
#: slots (``[L]``), and coefficients other than 1 (scalar leaves too, since they fold into coefficients).
KINDS = ("product", "sum", "apply", "sumover", "diag", "delta", "zero", "trace", "scalar", "slotless", "coefficient")

_BOUNDS = ((), (sympy.Integer(0), _K - 1), (sympy.Integer(1), _K), (sympy.Integer(0), dimension_symbol("k") - 1))


class _Gen:
    """One drawing session: keeps the slot pattern of every tensor name and hands out fresh index names."""

    def __init__(self, draw: Any, functions: tuple[str, ...], exclude: frozenset[str] = frozenset()) -> None:
        unknown = set(exclude) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown kinds {sorted(unknown)}; the kinds are {', '.join(KINDS)}")
        self.draw = draw
        self.functions = functions
        self.exclude = frozenset(exclude)
        self.patterns: dict[str, tuple[bool, ...]] = {}
        self.pool = list(draw(st.permutations(INDEX_NAMES)))
        self.extra = 0

    def fresh(self) -> str:
        if self.pool:
            return self.pool.pop()
        self.extra += 1
        return f"w{self.extra}"

    def head(self, pattern: tuple[bool, ...]) -> str:
        start = self.draw(st.integers(0, len(TENSOR_NAMES) - 1))
        for k in range(len(TENSOR_NAMES)):
            name = TENSOR_NAMES[(start + k) % len(TENSOR_NAMES)]
            if self.patterns.setdefault(name, pattern) == pattern:
                return name
        n = 1
        while f"T{n}" in self.patterns and self.patterns[f"T{n}"] != pattern:
            n += 1
        self.patterns[f"T{n}"] = pattern
        return f"T{n}"

    def coeff(self) -> sympy.Expr:
        if "coefficient" in self.exclude or self.draw(st.integers(0, 3)):
            return sympy.Integer(1)
        return self.draw(st.sampled_from(COEFFICIENTS))  # type: ignore[no-any-return]

    # ------------------------------------------------------------ nodes
    def expr(self, free: list[Index], depth: int, bound: tuple[str, ...]) -> Expr:
        kinds = ["leaf"]
        if depth > 0:
            kinds += ["product", "product", "sum", "apply", "sumover"]
            if sum(ix.up for ix in free) * 2 == len(free):
                kinds += ["diag"]
        kind = self.draw(st.sampled_from([k for k in kinds if k not in self.exclude]))
        return getattr(self, "_" + kind)(free, depth - 1, bound)  # type: ignore[no-any-return]

    def _leaf(self, free: list[Index], depth: int, bound: tuple[str, ...]) -> Expr:
        choice = self.draw(st.integers(0, 9))
        if len(free) == 2 and choice < 2 and "delta" not in self.exclude:
            a, b = self.draw(st.permutations(free))
            return Delta(a, b)
        if not free and not bound and choice < 3 and not {"scalar", "coefficient"} & self.exclude:
            return Product(self.draw(st.sampled_from(COEFFICIENTS)), ())
        if free and choice == 9 and "zero" not in self.exclude:
            return Zero(self.draw(st.permutations(free)))
        slots = list(self.draw(st.permutations(free)))
        trace = choice == 8 and len(slots) < 3 and "trace" not in self.exclude
        if trace:  # a trace inside the tensor, x^a_a
            name = self.fresh()
            slots += [Index(name, True), Index(name, False)]
            slots = list(self.draw(st.permutations(slots)))
        for k in bound:  # the sample index of an enclosing \sum, anywhere, any number of times
            for _ in range(self.draw(st.integers(0, 1))):
                slots.insert(self.draw(st.integers(0, len(slots))), Index(k, self.draw(st.booleans()), True))
        if not slots and "slotless" in self.exclude:  # no free index, yet a tensor with slots: T^a_a
            name = self.fresh()
            slots = [Index(name, True), Index(name, False)]
        pattern = tuple(ix.up for ix in slots)
        return Tensor(self.head(pattern), slots)

    def _product(self, free: list[Index], depth: int, bound: tuple[str, ...]) -> Expr:
        n = self.draw(st.integers(2, 3))
        parts: list[list[Index]] = [[] for _ in range(n)]
        for ix in free:
            parts[self.draw(st.integers(0, n - 1))].append(ix)
        for _ in range(self.draw(st.integers(0, 2))):  # implied sums
            name = self.fresh()
            a, b = self.draw(st.permutations(range(n)))[:2]
            up_first = self.draw(st.booleans())
            parts[a].append(Index(name, up_first))
            parts[b].append(Index(name, not up_first))
        factors = [self.expr(list(self.draw(st.permutations(p))), depth, bound) for p in parts]
        return Product.make(self.coeff(), factors)

    def _sum(self, free: list[Index], depth: int, bound: tuple[str, ...]) -> Expr:
        terms = [self.expr(list(self.draw(st.permutations(free))), depth, bound)
                 for _ in range(self.draw(st.integers(2, 3)))]
        return Sum.make(terms)

    def _apply(self, free: list[Index], depth: int, bound: tuple[str, ...]) -> Expr:
        name = self.draw(st.sampled_from(self.functions))
        return Apply(name, self.draw(st.integers(0, 2)), self.expr(free, depth, bound))

    def _sumover(self, free: list[Index], depth: int, bound: tuple[str, ...]) -> Expr:
        k = self.fresh()
        body = self.expr(free, depth, (*bound, k))
        return SumOver(k, self.draw(st.sampled_from(_BOUNDS)), body)

    def _diag(self, free: list[Index], depth: int, bound: tuple[str, ...]) -> Expr:
        ups = [ix for ix in free if ix.up]
        downs = [ix for ix in free if not ix.up]
        # the argument takes some of each variance; the new indices are the rest, opposite variance
        n_up = self.draw(st.integers(0, len(ups)))
        z = ups[:n_up] + downs[: len(downs) - n_up]
        w = downs[len(downs) - n_up:] + ups[n_up:]
        body = self.expr(list(self.draw(st.permutations(z))), depth, bound)
        w_up = [ix for ix in w if ix.up]
        w_down = [ix for ix in w if not ix.up]
        new = [(w_down if zi.up else w_up).pop() for zi in body.free]
        return Diag(self.draw(st.sampled_from(self.functions)), self.draw(st.integers(1, 2)), body, new)


@st.composite
def free_indices(draw: Any, max_free: int = 3) -> list[Index]:
    """Distinct free indices with random variance (balanced up/down half the time)."""
    n = draw(st.integers(0, max_free))
    names = draw(st.permutations(("i", "j", "l", "m", "n", r"\mu")))[:n]
    if draw(st.booleans()):
        return [Index(name, k % 2 == 0) for k, name in enumerate(names)]
    return [Index(name, draw(st.booleans())) for name in names]


@st.composite
def expressions(draw: Any, max_depth: int = 3, free: list[Index] | None = None,
                functions: tuple[str, ...] | None = None, exclude: frozenset[str] | set[str] = frozenset()) -> Expr:
    r"""A random expression, valid under ``ricci``, that ``parse(str(e))`` and ``parse(latex(e))`` give back.

    Args:
        max_depth: nesting depth of products, sums, ``\sum``, functions and diagonals.
        free: the free indices it must have (any order); drawn when None.
        functions: the elementwise functions to use (default: every registered one).
        exclude: node kinds to leave out, from :data:`KINDS` (e.g. ``{"sumover", "zero"}``).
    """
    gen = _Gen(draw, functions or function_names(), frozenset(exclude))
    if free is None:
        free = draw(free_indices())
    for ix in free:
        if ix.name in gen.pool:
            gen.pool.remove(ix.name)
    return gen.expr(list(free), draw(st.integers(0, max_depth)), ())


# =================================================================== sizes and arrays


def array_key(tensor_name: str) -> str:
    r"""The keyword a tensor's array goes by: the package's convention (``\epsilon`` -> ``epsilon``)."""
    from einsteinpy_lite.algebra.evaluate import array_name

    return array_name(tensor_name)


def _size_classes(e: Expr) -> dict[str, str]:
    """Union-find over index names: names that must share a size end up with one representative."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        parent.setdefault(a, a)
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    first_use: dict[str, tuple[str, ...]] = {}
    for node in e.walk():
        for ix in node.own_indices():
            find(ix.name)
        if isinstance(node, SumOver):
            find(node.index_name)
        if isinstance(node, Tensor):
            names = tuple(ix.name for ix in node.indices)
            for a, b in zip(first_use.setdefault(node.name, names), names):
                union(a, b)
        elif isinstance(node, Delta):
            union(node.indices[0].name, node.indices[1].name)
        elif isinstance(node, Diag):
            for a, b in zip(node.body.free, node.new_indices):
                union(a.name, b.name)
    for sym in e.scalar_symbols():  # N_x in a coefficient or a \sum bound is the size of x
        if sym.name.startswith("N_"):
            find(sym.name[2:])
    return {name: find(name) for name in parent}


def index_sizes(e: Expr, rng: np.random.Generator | int | None = None, low: int = 1, high: int = 4,
                fixed: Mapping[str, int] | None = None) -> dict[str, int]:
    r"""A size for every index name of ``e`` (bound ``\sum`` indices and the ``x`` of ``N_x`` included).

    Sizes are equal where ``e`` forces it and drawn in ``[low, high]`` independently otherwise;
    ``fixed`` pins some names (and everything tied to them).

    Example:
        >>> from einsteinpy_lite import parse
        >>> s = index_sizes(parse("A^i_j B^j_k"), fixed={"i": 2, "j": 3, "k": 4})
        >>> s == {"i": 2, "j": 3, "k": 4}
        True
    """
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    classes = _size_classes(e)
    by_class: dict[str, int] = {}
    for name, size in (fixed or {}).items():
        if name in classes:
            by_class[classes[name]] = int(size)
    out: dict[str, int] = {}
    for name, rep in classes.items():
        if rep not in by_class:
            by_class[rep] = int(gen.integers(low, high + 1))
        out[name] = by_class[rep]
    return out


def arrays_for(e: Expr, sizes: Mapping[str, int], rng: np.random.Generator | int | None = None,
               low: float = -1.0, high: float = 1.0) -> dict[str, np.ndarray]:
    r"""Random arrays for every tensor of ``e``, shaped by the sizes of its slots' indices.

    Keys are :func:`array_key` of the tensor names; axes follow the slot order.

    Raises:
        ValueError: an index has no size, or two uses of one tensor need different shapes.

    Example:
        >>> from einsteinpy_lite import parse
        >>> a = arrays_for(parse(r"\epsilon_i B^i_j"), {"i": 2, "j": 3})
        >>> {k: v.shape for k, v in a.items()}
        {'epsilon': (2,), 'B': (2, 3)}
    """
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    shapes: dict[str, tuple[int, ...]] = {}
    for node in e.walk():
        if not isinstance(node, Tensor):
            continue
        missing = [ix.name for ix in node.indices if ix.name not in sizes]
        if missing:
            raise ValueError(f"no size for index {missing[0]!r} of tensor {node.name!r}")
        shape = tuple(int(sizes[ix.name]) for ix in node.indices)
        if shapes.setdefault(node.name, shape) != shape:
            raise ValueError(f"tensor {node.name!r} is used with shapes {shapes[node.name]} and {shape}")
    return {array_key(name): gen.uniform(low, high, size=shape) for name, shape in shapes.items()}


# =================================================================== text from the grammar's tokens

#: Tokens of the text syntax (and a few near misses) for fuzzing the parser.
GRAMMAR_TOKENS = (
    "A", "B", "x", "y", "W1", "i", "j", "k", "i_1", "i_{2}", "j1", "^", "_", "{", "}", "{}", "(", ")", "[", "]",
    ",", "+", "-", "*", "/", "=", "'", "0", "1", "2", "2.5", "K", r"\alpha", r"\epsilon", r"\sigma", r"\sigma'",
    r"\tanh", r"\exp", r"\log", r"\sin", r"\cos", r"\mathrm{relu}", r"\operatorname{softplus}", r"\mathrm{eps}",
    r"\mathrm{N_x}", r"\mathbf{0}", r"\delta", r"\nabla", r"\sum", r"\frac", r"\cdot", r"\times", r"\left(",
    r"\right)", r"\,", r"\foo", "\\", " ", "N_y", "$", "%", "&", "^{99999}", "9" * 1200,
)


@st.composite
def token_text(draw: Any, max_tokens: int = 16) -> str:
    """Text built from :data:`GRAMMAR_TOKENS`, joined with or without spaces."""
    toks = draw(st.lists(st.sampled_from(GRAMMAR_TOKENS), max_size=max_tokens))
    return draw(st.sampled_from(["", " "])).join(toks)


# =================================================================== the differential harness's expressions


@st.composite
def harness_texts(draw: Any) -> str:
    r"""The text of a random well-formed tree of :mod:`einsteinpy_lite.selftest` (valid under ``ricci``).

    Unlike :func:`expressions`, names are reused across scopes on purpose (sibling ``\sum``\ s binding one
    name, a dummy ``j`` next to ``\mathrm{N_j}``, one dummy name with two sizes in two terms).
    """
    from einsteinpy_lite.selftest.generator import generate
    from einsteinpy_lite.selftest.tree import text

    return text(generate(draw(st.integers(0, 2**32 - 1))))
