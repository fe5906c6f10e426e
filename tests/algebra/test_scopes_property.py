r"""Property test (issue 10): expressions that reuse index names across scopes on purpose -- a ``\sum_k``
inside a ``\sum_k``, dummies named like an enclosing sum's index elsewhere, like a sibling's dummy, or
like the ``x`` of a size symbol ``N_x`` in a coefficient -- keep their value and free-index order under
:func:`simplify` (which is idempotent on them) and their value under :func:`canonical`.

The oracle is :mod:`tests.algebra.oracle`, a tree evaluator written for the tests (loops for ``\sum``,
``numpy.einsum`` per product), not the package's evaluator.  Sizes belong to names here, as ``N_x``
says: every index called ``j`` has size ``SIZES["j"]``, so a dummy renamed to a name of another size,
or a size symbol whose index was renamed, shows as a wrong value or shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from einsteinpy_lite.algebra.simplify import canonical, simplify
from einsteinpy_lite.core.atoms import Delta, Tensor
from einsteinpy_lite.core.elementwise import Apply
from einsteinpy_lite.core.expr import Expr, Product, Sum, SumOver, dimension_symbol
from einsteinpy_lite.core.indices import Index
from tests.algebra.oracle import value
from tests.strategies import array_key, arrays_for, expressions, index_sizes

#: Every index name and its size (i/m, j/n and k/p share sizes, so deltas between them are valid).
SIZES = {"i": 2, "j": 3, "k": 4, "l": 5, "m": 2, "n": 3, "p": 4}
NAMES = tuple(SIZES)
FUNCTIONS = ("sin", "tanh", "sigmoid")


class _Gen:
    """Draws an expression; tensor heads are named by slot pattern and shape, so one head has one of each."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.heads: dict[tuple[tuple[bool, ...], tuple[int, ...]], str] = {}

    def head(self, slots: list[Index]) -> str:
        key = (tuple(ix.up for ix in slots), tuple(SIZES[ix.name] for ix in slots))
        return self.heads.setdefault(key, f"T{len(self.heads)}")

    def arrays(self) -> dict[str, np.ndarray]:
        """An array for every head, shaped by the sizes of the names it was drawn with.

        (Building the expression may rename a dummy -- ``Product.make`` flattening a product -- but
        not change a shape, so the arrays come from the drawing, not from the names in the result.)
        """
        rng = np.random.default_rng(0)
        return {name: rng.uniform(-1, 1, size=shape) for (_, shape), name in self.heads.items()}

    def coeff(self) -> sympy.Expr:
        c = self.draw(st.sampled_from(["1", "1", "2", "-1/2", "N"]))
        if c == "N":  # the size of some index: often one that is also a dummy or a \sum's index
            return dimension_symbol(self.draw(st.sampled_from(NAMES)))
        return sympy.Rational(c)

    def expr(self, free: list[Index], depth: int, bound: tuple[str, ...]) -> Expr:
        kinds = ["leaf"] + (["product", "product", "sum", "sumover", "sumover", "apply"] if depth > 0 else [])
        kind = self.draw(st.sampled_from(kinds))
        return getattr(self, "_" + kind)(free, depth - 1, bound)  # type: ignore[no-any-return]

    def _leaf(self, free: list[Index], depth: int, bound: tuple[str, ...]) -> Expr:
        if len(free) == 2 and SIZES[free[0].name] == SIZES[free[1].name] and self.draw(st.integers(0, 3)) == 0:
            return Delta(*free)
        slots = list(self.draw(st.permutations(free)))
        for k in bound:  # the index of an enclosing \sum: any number of times, either position
            for _ in range(self.draw(st.integers(0, 2))):
                slots.insert(self.draw(st.integers(0, len(slots))), Index(k, self.draw(st.booleans()), True))
        return Tensor(self.head(slots), slots)

    def _product(self, free: list[Index], depth: int, bound: tuple[str, ...]) -> Expr:
        n = self.draw(st.integers(2, 3))
        parts: list[list[Index]] = [[] for _ in range(n)]
        for ix in free:
            parts[self.draw(st.integers(0, n - 1))].append(ix)
        # dummies: any name not visible here -- the same name as a dummy or a \sum elsewhere is the point
        visible = {ix.name for ix in free} | set(bound)
        choices = [x for x in NAMES if x not in visible]
        for name in self.draw(st.lists(st.sampled_from(choices), max_size=2, unique=True)) if choices else []:
            a, b = self.draw(st.permutations(range(n)))[:2]
            up = self.draw(st.booleans())
            parts[a].append(Index(name, up))
            parts[b].append(Index(name, not up))
        return Product.make(self.coeff(), [self.expr(list(self.draw(st.permutations(p))), depth, bound)
                                           for p in parts])

    def _sum(self, free: list[Index], depth: int, bound: tuple[str, ...]) -> Expr:
        return Sum.make([self.expr(list(self.draw(st.permutations(free))), depth, bound) for _ in range(2)])

    def _sumover(self, free: list[Index], depth: int, bound: tuple[str, ...]) -> Expr:
        # any name that is not free here: an enclosing sum's own name (shadowing) included
        k = self.draw(st.sampled_from([x for x in NAMES if x not in {ix.name for ix in free}]))
        body = self.expr(free, depth, (*[b for b in bound if b != k], k))
        bounds = self.draw(st.sampled_from([(), (0, dimension_symbol(k) - 1)]))
        return SumOver(k, bounds, body)

    def _apply(self, free: list[Index], depth: int, bound: tuple[str, ...]) -> Expr:
        return Apply(self.draw(st.sampled_from(FUNCTIONS)), 0, self.expr(free, depth, bound))


@st.composite
def scoped_expressions(draw: Any) -> tuple[Expr, dict[str, np.ndarray]]:
    """A random expression that reuses index names across scopes (see the module docstring), and arrays."""
    names = draw(st.permutations(NAMES))[: draw(st.integers(0, 2))]
    free = [Index(x, draw(st.booleans())) for x in names]
    gen = _Gen(draw)
    e = gen.expr(free, draw(st.integers(1, 3)), ())
    return e, gen.arrays()


def _by_name(arr: np.ndarray, e: Expr, names: list[str]) -> np.ndarray:
    have = [ix.name for ix in e.free]
    return np.transpose(arr, [have.index(n) for n in names]) if have else arr


SETTINGS = settings(max_examples=250, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(scoped_expressions())
def test_simplify_keeps_value_and_free_order_and_is_idempotent(case):
    e, arrays = case
    want = value(e, arrays, SIZES)
    s = simplify(e)
    assert s.free == e.free, f"simplify({e}) = {s} reorders the free indices"
    np.testing.assert_allclose(value(s, arrays, SIZES), want, rtol=1e-9, atol=1e-9, err_msg=f"{e} -> {s}")
    assert simplify(s) == s, f"simplify is not idempotent on {e}: {s} then {simplify(s)}"


@SETTINGS
@given(scoped_expressions())
def test_canonical_keeps_value(case):
    e, arrays = case
    want = value(e, arrays, SIZES)
    c = canonical(e)
    assert c.free_keys == e.free_keys
    got = _by_name(value(c, arrays, SIZES), c, [ix.name for ix in e.free])
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, err_msg=f"{e} -> {c}")


# ------------------------------------------------------------------ the shared generator of tests/strategies.py


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(expressions(max_depth=3, functions=("sin", "tanh", "sigmoid", "exp")), st.integers(0, 2**16))
def test_simplify_and_canonical_on_the_shared_generator(e, seed):
    """Every node kind (diagonals, traces, metrics, zeros, coefficients with ``N_x``), sizes per name as
    :func:`tests.strategies.index_sizes` ties them."""
    sizes = index_sizes(e, seed)
    by_key = arrays_for(e, sizes, seed)
    arrays = {n.name: by_key[array_key(n.name)] for n in e.walk() if isinstance(n, Tensor)}
    scalars = {"K": 3.0, "alpha": 0.7, "eta": 1.3}
    try:  # (the drawn sizes need not fit a bound K - 1)
        want = value(e, arrays, sizes, scalars)
    except (IndexError, ValueError):
        assume(False)
    s = simplify(e)
    assert s.free == e.free, f"simplify({e}) = {s} reorders the free indices"
    np.testing.assert_allclose(value(s, arrays, sizes, scalars), want, rtol=1e-8, atol=1e-8, err_msg=f"{e} -> {s}")
    assert simplify(s) == s, f"simplify is not idempotent on {e}: {s} then {simplify(s)}"
    c = canonical(e)
    assert c.free_keys == e.free_keys
    got = _by_name(value(c, arrays, sizes, scalars), c, [ix.name for ix in e.free])
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-8, err_msg=f"{e} -> {c}")
