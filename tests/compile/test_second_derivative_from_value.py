"""sigma'' and tanh'' are computed from the function's value when the value is computed anyway."""

from __future__ import annotations

import numpy as np
import pytest

import einsteinpy_lite as el


@pytest.mark.parametrize("f,second", [
    (r"\sigma", lambda s: s * (1 - s) * (1 - 2 * s)),
    (r"\tanh", lambda t: -2 * t * (1 - t * t)),
])
def test_second_derivative_from_the_value(f: str, second: object) -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 4)) * 2
    fn = el.compile(el.parse(f + "(z^i_j) + " + f + "''(z^i_j)"))
    value = 1 / (1 + np.exp(-z)) if "sigma" in f else np.tanh(z)
    np.testing.assert_allclose(fn(z=z), value + second(value), rtol=1e-12)  # type: ignore[operator]
    plan = str(fn.plan(i=5, j=4))
    assert "''" in plan and "from t" in plan  # one pass over the argument, the second derivative from it


def test_second_derivative_alone_still_evaluates() -> None:
    z = np.linspace(-3, 3, 7)
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(el.compile(r"\sigma''(z^i)")(z=z), s * (1 - s) * (1 - 2 * s), rtol=1e-12)
