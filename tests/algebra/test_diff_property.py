"""Property tests of diff on random valid expressions (tests/strategies.py).

For a random expression and a random tensor in it: the derivative has the
expression's free indices then the variable's (flipped), simplifying it keeps
its value, and contracting it with a random direction equals the central finite
difference of the expression along that direction.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import einsteinpy_lite as el
from einsteinpy_lite.algebra.diff import free_after_diff
from einsteinpy_lite.core.atoms import Tensor
from einsteinpy_lite.core.expr import SumOver
from einsteinpy_lite.core.indices import Index
from einsteinpy_lite.core.rename import fresh_names
from tests.algebra.test_diff import axes_as, ref_eval
from tests.strategies import array_key, arrays_for, expressions, index_sizes

# smooth functions only: relu's kink and log's domain have their own unit tests
SMOOTH = ("sigmoid", "tanh", "sin", "cos", "square", "identity", "softplus")


def _scalars(e, sizes, rng):
    out = {}
    for node in e.walk():  # a bound like K - 1 must agree with the size of the summed index
        if isinstance(node, SumOver) and node.bounds and node.index_name in sizes:
            count = node.bounds[1] - node.bounds[0] + 1
            symbols = sorted(count.free_symbols, key=str)
            if len(symbols) == 1:
                (root,) = sympy.solve(sympy.Eq(count, sizes[node.index_name]), symbols[0])
                out[str(symbols[0])] = float(root)
    for s in e.scalar_symbols():
        name = str(s)
        if name.startswith("N_") and name[2:] in sizes:
            out.setdefault(name, float(sizes[name[2:]]))
        else:
            out.setdefault(name, float(rng.uniform(0.5, 1.5)))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(expressions(max_depth=2, functions=SMOOTH), st.integers(0, 2**31 - 1), st.data())
def test_derivative_is_the_finite_difference(e, seed, data):
    tensors = {}
    for node in e.walk():
        if isinstance(node, Tensor) and node.indices and not any(ix.bound for ix in node.indices):
            tensors.setdefault(node.name, node)
    assume(tensors)
    name = data.draw(st.sampled_from(sorted(tensors)))
    atom = tensors[name]
    rng = np.random.default_rng(seed)
    sizes = index_sizes(e, rng)
    arrays = arrays_for(e, sizes, rng)
    scalars = _scalars(e, sizes, rng)
    names = fresh_names(e.index_names(), len(atom.indices), stem="w")
    var = Tensor(name, [Index(n, ix.up) for n, ix in zip(names, atom.indices)])
    key = array_key(name)
    base = arrays[key]

    raw = el.diff(e, var, simplify=False)
    want = free_after_diff(e, var)
    assert [ix.key for ix in raw.free] == [ix.key for ix in want] or raw.free_keys == frozenset(
        ix.key for ix in want)
    direction = rng.normal(size=base.shape)
    free_sizes = {ix.name: sizes[ix.name] for ix in e.free}
    free_sizes.update(dict(zip(names, base.shape)))

    def value(expr, arrs):
        return ref_eval(expr, arrs, scalars, {n: free_sizes[n] for n in (ix.name for ix in expr.free)}, sizes)

    got = axes_as(raw, value(raw, arrays), want)
    along = np.tensordot(got, direction, axes=base.ndim) if base.ndim else got * direction
    eps = 1e-6
    plus = value(e, {**arrays, key: base + eps * direction})
    minus = value(e, {**arrays, key: base - eps * direction})
    fd = (plus - minus) / (2 * eps)
    fd = axes_as(e, fd, tuple(e.free)) if fd.ndim else fd
    np.testing.assert_allclose(along, fd, rtol=1e-4, atol=1e-6)

    simple = el.diff(e, var)
    assert simple.free_keys == raw.free_keys
    if any(isinstance(n, SumOver) and not n.bounds for n in e.walk()):
        return  # simplify renames bound indices, and with them the size a sum without bounds multiplies by
    np.testing.assert_allclose(axes_as(simple, value(simple, arrays), want), got, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_second_derivatives_are_symmetric(depth):
    """d2L/dA dA is symmetric under swapping the two halves of its indices (Schwarz)."""
    from einsteinpy_lite import gradients

    net = gradients.mlp([2] + [2] * depth + [2], activation="tanh")
    h = net.hessian("W1")
    assert [ix.name for ix in h.free] == ["j1", "j2", "j3", "j4"]
    params = net.init([2] + [2] * depth + [2], seed=depth)
    rng = np.random.default_rng(depth)
    arrays = {**params, "x": rng.normal(size=(3, 2)), "y": rng.normal(size=(3, 2))}
    value = ref_eval(h, arrays, {"K": 3.0})
    np.testing.assert_allclose(value, np.transpose(value, (2, 3, 0, 1)), rtol=1e-10, atol=1e-12)
