"""Line searches: Armijo's sufficient decrease, golden section against known minima, the exact step."""

from __future__ import annotations

import math

import numpy as np
import pytest

from einsteinpy_lite import EinsteinError, optim
from einsteinpy_lite.optim.linesearch import LINE_SEARCHES, armijo, check_line_search, golden, line_step
from einsteinpy_lite.optim.methods import _Problem


@pytest.mark.parametrize(("phi", "minimum"), [
    (lambda a: (a - 3.0) ** 2, 3.0),
    (lambda a: (a - 0.01) ** 2, 0.01),          # inside the first trial step: shrink, then search
    (lambda a: math.cosh(a - 7.5), 7.5),        # far out: bracket by doubling
    (lambda a: (a - 2.0) ** 4 - a * 1e-3, 2.0 + (1e-3 / 4) ** (1 / 3)),
])
def test_golden_finds_the_minimum(phi, minimum):
    assert golden(phi, phi(0.0), 1.0, rel_tol=1e-10) == pytest.approx(minimum, rel=1e-4)


@pytest.mark.parametrize("alpha0", [0.1, 1.0, 8.0, 100.0])
def test_armijo_returns_a_sufficient_decrease(alpha0):
    phi = lambda a: (a - 1.0) ** 2  # noqa: E731 -- phi(0) = 1, slope -2
    a = armijo(phi, 1.0, -2.0, alpha0)
    assert 0 < a <= alpha0 and phi(a) <= 1.0 + 1e-4 * a * -2.0


def test_no_decrease_gives_zero():
    assert armijo(lambda a: 1.5 + a, 1.0, -1.0, 1.0) == 0.0  # above phi(0) everywhere
    assert golden(lambda a: 1.0 + a, 1.0, 1.0) == 0.0


def test_line_step_modes_on_a_quadratic():
    Q = np.diag([1.0, 4.0])
    prob = _Problem(optim.quadratic(Q), np.ones(2))
    x = prob.x0
    f, g = prob.fg(x)
    exact = float(g @ g / (g @ Q @ g))
    assert line_step(prob, x, f, g, -g, "exact", 1.0) == pytest.approx(exact)
    assert line_step(prob, x, f, g, -g, "auto", 1.0) == pytest.approx(exact)
    assert line_step(prob, x, f, g, -g, "golden", 1.0) == pytest.approx(exact, rel=1e-5)
    assert line_step(prob, x, f, g, g, "armijo", 1.0) == 0.0  # an ascent direction: no step


def test_exact_needs_a_quadratic_and_modes_are_named():
    obj = optim.from_callables(lambda p: float(np.sum(p["theta"] ** 4)), lambda p: {"theta": 4 * p["theta"] ** 3})
    prob = _Problem(obj, np.ones(2))
    f, g = prob.fg(prob.x0)
    with pytest.raises(EinsteinError, match=r"line_search='exact' needs a quadratic objective"):
        line_step(prob, prob.x0, f, g, -g, "exact", 1.0)
    for mode in LINE_SEARCHES:
        check_line_search(mode)
    with pytest.raises(EinsteinError, match=r"unknown line search 'wolfe'"):
        check_line_search("wolfe")
