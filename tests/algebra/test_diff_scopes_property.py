r"""Property test (issue 10): :func:`diff` on expressions that reuse index names across scopes (see
:mod:`tests.algebra.test_scopes_property`), with the variable's index names drawn from the same names
(so they meet dummies and ``\sum`` indices of the expression), matches central finite differences of
the test-side evaluator, to the second order, simplified or not."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import einsteinpy_lite as el
from einsteinpy_lite.core.atoms import Tensor
from einsteinpy_lite.core.expr import Expr
from einsteinpy_lite.core.indices import Index
from tests.algebra.oracle import value
from tests.algebra.test_scopes_property import NAMES, SIZES, scoped_expressions


def _variable(draw: Any, e: Expr, arrays: dict[str, np.ndarray], taken: set[str]) -> Tensor | None:
    """A tensor of ``e`` written with names not in ``taken`` whose sizes fit its slots (None if none fit)."""
    heads = sorted({(n.name, tuple(ix.up for ix in n.indices)) for n in e.walk() if isinstance(n, Tensor)})
    if not heads:
        return None
    name, pattern = draw(st.sampled_from(heads))
    slots = []
    for up, size in zip(pattern, np.shape(arrays[name])):
        fit = [x for x in NAMES if SIZES[x] == size and x not in taken and x not in {ix.name for ix in slots}]
        if not fit:
            return None
        slots.append(Index(draw(st.sampled_from(fit)), up))
    return Tensor(name, slots)


def _fd(e: Expr, arrays: dict[str, np.ndarray], name: str, h: float = 1e-6) -> np.ndarray:
    """Central differences of ``value(e)`` in every entry of ``arrays[name]``: axes ``e.free``, then the array's."""
    base = arrays[name]
    out = np.zeros(np.shape(value(e, arrays, SIZES)) + base.shape)
    for idx in np.ndindex(*base.shape):
        plus, minus = base.copy(), base.copy()
        plus[idx] += h
        minus[idx] -= h
        out[(..., *idx)] = (value(e, {**arrays, name: plus}, SIZES) - value(e, {**arrays, name: minus}, SIZES)) / (2 * h)
    return out


def _check(d: Expr, want: np.ndarray, arrays: dict[str, np.ndarray], order: list[str]) -> None:
    names = [ix.name for ix in d.free]
    assert sorted(names) == sorted(order)
    got = value(d, arrays, SIZES)
    got = np.transpose(got, [names.index(n) for n in order]) if names else got
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(scoped_expressions(), st.booleans(), st.data())
def test_first_and_second_derivatives_match_finite_differences(case, simp, data):
    e, arrays = case
    free = [ix.name for ix in e.free]
    v1 = _variable(data.draw, e, arrays, set(free))
    assume(v1 is not None)
    d1 = el.diff(e, v1, simplify=simp)
    order1 = free + [ix.name for ix in v1.indices]
    _check(d1, _fd(e, arrays, v1.name), arrays, order1)
    v2 = _variable(data.draw, e, arrays, set(order1))
    if v2 is None:
        return
    d2 = el.diff(d1, v2, simplify=simp)
    # differences of the first derivative as the test evaluates it, in the order of its own free indices
    names1 = [ix.name for ix in d1.free]
    want = np.transpose(_fd(d1, arrays, v2.name), [names1.index(n) for n in order1] + list(
        range(len(names1), len(names1) + len(v2.indices))))
    _check(d2, want, arrays, order1 + [ix.name for ix in v2.indices])
