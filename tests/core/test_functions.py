"""The registry of elementwise functions: every function's implementations against its sympy formula
and finite differences (iterating the registry, so a new function gets checked without new tests)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError
from einsteinpy_lite.core.functions import (
    ElementwiseFunction,
    function_names,
    get_function,
    lookup_latex,
    register_function,
)
from einsteinpy_lite.selftest.tree import POSITIVE_ARG

BUILT_IN = ("sigmoid", "tanh", "relu", "softplus", "exp", "log", "sin", "cos", "square", "identity", "sqrt")
X = sympy.Symbol("x", real=True)


def points(name: str) -> np.ndarray:
    """Sample points inside the function's domain, away from relu's kink."""
    if name in POSITIVE_ARG:
        return np.linspace(0.3, 3.0, 9)
    return np.array([-2.3, -1.1, -0.4, 0.35, 0.9, 1.7, 2.6])


def test_the_built_ins_are_registered():
    assert set(BUILT_IN) <= set(function_names())
    assert list(function_names()) == sorted(function_names())


@pytest.mark.parametrize("name", function_names())
@pytest.mark.parametrize("order", [0, 1, 2, 3])
def test_implementation_matches_the_sympy_formula(name, order):
    fn = get_function(name)
    x = points(name)
    # relu's kink: its second and higher derivatives are DiracDeltas, zero away from the kink
    expected = sympy.lambdify(X, fn.derivative_formula(order), [{"DiracDelta": lambda x, *k: 0 * x}, "numpy"])(x)
    got = fn.implementation(order)(x, np)
    assert np.shape(got) == x.shape and np.isfinite(got).all()  # (NaN == NaN would pass assert_allclose)
    np.testing.assert_allclose(got, np.broadcast_to(expected, x.shape), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", function_names())
@pytest.mark.parametrize("order", [0, 1, 2])
def test_derivative_by_finite_differences(name, order):
    fn = get_function(name)
    x = points(name)
    h = 1e-6
    numeric = (fn.implementation(order)(x + h, np) - fn.implementation(order)(x - h, np)) / (2 * h)
    assert np.isfinite(numeric).all()
    np.testing.assert_allclose(fn.implementation(order + 1)(x, np), numeric, rtol=1e-5, atol=1e-6)


def test_known_values():
    assert float(get_function("sigmoid")(np.array(0.0))) == 0.5
    assert float(get_function("sigmoid")(np.array(0.0), order=1)) == 0.25
    assert float(get_function("tanh")(np.array(0.0), order=1)) == 1.0
    np.testing.assert_array_equal(get_function("relu")(np.array([-1.0, 2.0])), [0.0, 2.0])
    np.testing.assert_array_equal(get_function("relu")(np.array([-1.0, 2.0]), order=1), [0.0, 1.0])
    # softplus without overflow for large arguments
    assert float(get_function("softplus")(np.array(800.0))) == 800.0
    assert float(get_function("softplus")(np.array(-800.0))) == 0.0


@pytest.mark.parametrize("key,name", [
    (r"\sigma", "sigmoid"), ("sigma", "sigmoid"), ("logistic", "sigmoid"), (r"\tanh", "tanh"), ("ReLU", "relu"),
    (r"\exp", "exp"), ("ln", "log"), (r"\log", "log"), (r"\sin", "sin"), (r"\cos", "cos"), ("id", "identity"),
    (r"\mathrm{id}", "identity"), (r"\mathrm{softplus}", "softplus"), (r"\mathrm{square}", "square"),
])
def test_aliases_and_latex_commands(key, name):
    assert get_function(key).name == name
    assert lookup_latex(key) is get_function(name)


def test_latex_of_each_function():
    assert get_function("sigmoid").latex == r"\sigma"
    assert get_function("tanh").latex == r"\tanh"
    assert get_function("relu").latex == r"\mathrm{relu}"
    assert get_function("identity").latex == r"\mathrm{id}"
    assert lookup_latex(r"\nope") is None


def test_unknown_function_names_the_registry():
    with pytest.raises(EinsteinError, match=r"unknown function 'gelu'; registered: abs, cos, exp, identity, log, .*relu, "):
        get_function("gelu")


def test_register_a_new_function_and_use_it_everywhere(scratch_registry):
    fn = register_function("softsign", lambda x: x / (1 + abs(x)), [lambda x, xp: x / (1 + xp.abs(x))],
                           aliases=("ssign",), overwrite=True)
    assert isinstance(fn, ElementwiseFunction) and fn.latex == r"\mathrm{softsign}"
    assert get_function("ssign") is fn
    e = el.parse(r"\mathrm{softsign}(z^i) + \mathrm{softsign}'(z^i) + \mathrm{ssign}(z^i)")
    assert el.latex(e) == r"\mathrm{softsign}(z^{i}) + \mathrm{softsign}'(z^{i}) + \mathrm{softsign}(z^{i})"
    assert el.parse(str(e)) == e
    # the derivative comes from the sympy formula
    x = np.array([0.5, 1.5])
    np.testing.assert_allclose(fn.implementation(1)(x, np), 1 / (1 + x) ** 2)
    with pytest.raises(EinsteinError, match="already registered"):
        register_function("softsign", lambda x: x, [lambda x, xp: x])


@pytest.mark.parametrize("kwargs,message", [
    ({"name": "two words"}, "must be an identifier"),
    ({"name": "nothing", "impls": []}, "needs at least one array implementation"),
])
def test_bad_registrations(kwargs, message, scratch_registry):
    args = {"name": "f", "formula": lambda x: x, "impls": [lambda x, xp: x]} | kwargs
    with pytest.raises(EinsteinError, match=message):
        register_function(**args)


def test_formulas_given_as_expressions_in_plain_x(scratch_registry):
    fn = register_function("cube", sympy.Symbol("x") ** 3, [lambda x, xp: x * x * x], overwrite=True)
    np.testing.assert_allclose(fn.implementation(1)(np.array([2.0]), np), [12.0])
    assert "cube" in function_names()


def test_scratch_registrations_are_undone():
    assert "cube" not in function_names()


def test_higher_derivatives_of_relu_are_zero_away_from_the_kink():
    np.testing.assert_array_equal(get_function("relu").implementation(3)(np.array([-1.0, 2.0]), np), [0.0, 0.0])


def test_negative_order():
    with pytest.raises(EinsteinError, match="derivative order must be >= 0"):
        get_function("tanh").implementation(-1)
    with pytest.raises(EinsteinError, match=r"tanh: derivative order must be an integer, got 'a'"):
        get_function("tanh").implementation("a")  # type: ignore[arg-type]


def test_register_names_an_unreadable_formula():
    with pytest.raises(EinsteinError, match=r"function 'zz': cannot read its formula None"):
        register_function("zz", None, [lambda x, xp: x])  # type: ignore[arg-type]
    with pytest.raises(EinsteinError, match=r"function 'zz': cannot read its formula 'x\^\^': unexpected '\^'"):
        register_function("zz", "x^^", [lambda x, xp: x])
    assert "zz" not in function_names()


def test_a_function_the_parser_cannot_read_back_is_refused(scratch_registry):
    # \mathrm{soft_sign}(x^i) was read as the scalar soft_sign times x^i: the printed text of the
    # function silently meant something else (found by the differential harness)
    with pytest.raises(EinsteinError, match=r"the parser cannot read '.*soft_sign.*' as a function"):
        el.register_function("soft_sign", "x", [lambda x, xp: x])
    with pytest.raises(EinsteinError, match="cannot read"):
        el.register_function("ok", "x", [lambda x, xp: x], latex=r"\frac")
    el.register_function("softsign2", "x / (1 + Abs(x))", [lambda x, xp: x / (1 + xp.abs(x))])
    e = el.apply("softsign2", el.tensor("x", "^i"))
    assert el.parse(el.text(e)) == e and el.parse(el.latex(e)) == e
