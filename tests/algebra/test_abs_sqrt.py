r"""The absolute value (``|x^i|``) and the square root (``\sqrt{x^i}``): derivatives against numpy and finite
differences, ``equal`` against published identities (|x| = sqrt(x^2), |x| = relu(x) + relu(-x))."""

from __future__ import annotations

import numpy as np
import pytest

import einsteinpy_lite as el

rng = np.random.default_rng(11)


def test_gradient_of_a_weighted_absolute_value_is_the_sign() -> None:
    e = el.parse(r"|x^i| y_i")
    d = el.diff(e, "x^m")
    x, y = np.array([-1.5, 2.0, 0.3, -0.2]), rng.normal(size=4)
    np.testing.assert_allclose(el.evaluate(d, {"x": x, "y": y}), np.sign(x) * y)
    h = el.diff(d, "x^n")  # zero away from the kink
    np.testing.assert_allclose(el.evaluate(h, {"x": x, "y": y}), np.zeros((4, 4)))


def test_l1_norm_and_its_gradient_compile() -> None:
    e = el.parse(r"\left| A^i_j x^j - t^i \right| w_i")
    A, x, t, w = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3), rng.normal(size=3)
    arrays = {"A": A, "x": x, "t": t, "w": w}
    assert np.isclose(float(el.compile(e)(**arrays)), np.abs(A @ x - t) @ w)
    g = el.diff(e, "x^m")
    want = A.T @ (np.sign(A @ x - t) * w)
    np.testing.assert_allclose(el.compile(g)(**arrays), want)
    # central differences of the function written in numpy
    f = lambda v: np.abs(A @ v - t) @ w  # noqa: E731
    fd = np.array([(f(x + 1e-6 * e_) - f(x - 1e-6 * e_)) / 2e-6 for e_ in np.eye(4)])
    np.testing.assert_allclose(el.evaluate(g, arrays), fd, rtol=1e-6, atol=1e-8)


def test_square_root_in_index_notation_is_the_two_norm() -> None:
    e = el.parse(r"\sqrt{x^i \delta_{ij} x^j}")
    d = el.diff(e, "x^m")
    x = rng.normal(size=5)
    np.testing.assert_allclose(el.evaluate(e, {"x": x}), np.linalg.norm(x))
    np.testing.assert_allclose(el.evaluate(d, {"x": x}), x / np.linalg.norm(x))
    h = el.diff(d, "x^n")  # (I - u u^T) / |x|, u = x / |x|
    u = x / np.linalg.norm(x)
    np.testing.assert_allclose(el.evaluate(h, {"x": x}), (np.eye(5) - np.outer(u, u)) / np.linalg.norm(x))


@pytest.mark.parametrize(("a", "b", "same"), [
    (r"|x^i|", r"x^i", False),  # never True on a lucky draw of positives
    (r"|x^i|", r"\sqrt{\mathrm{square}(x^i)}", True),
    (r"|x^i|", r"\mathrm{relu}(x^i) + \mathrm{relu}(-x^i)", True),
    (r"|x^i|", r"-x^i", False),
    (r"|x^i| \odot |y^i|", r"|x^i \odot y^i|", True),
])
def test_equal_on_absolute_values(a: str, b: str, same: bool) -> None:
    assert el.equal(el.parse(a), el.parse(b)) is same


def test_printed_forms_read_back() -> None:
    for text in (r"|x^i|", r"\sqrt{x^i \delta_{ij} x^j}", r"||c^i| - d^i| y_i", r"\sqrt{|x^i|}"):
        e = el.parse(text)
        assert el.parse(el.latex(e)) == e and el.parse(str(e)) == e
