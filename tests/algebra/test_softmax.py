"""softmax, logsumexp and log-softmax (issue 12, item 3): values, derivatives of every order, compile, printing.

Oracles: plain numpy written here (max-subtracted, as in any textbook), central finite differences,
and the closed forms ``diag(p) - p p^T`` and ``p - t``.
"""

from __future__ import annotations

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError

BIG = np.array([1000.0, 0.0, -1000.0])


def np_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def np_logsumexp(z: np.ndarray) -> float:
    return float(z.max() + np.log(np.exp(z - z.max()).sum()))


def fd(f, z: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences of ``f`` at ``z``: the last axis is the direction."""
    cols = []
    for k in range(z.size):
        dz = np.zeros_like(z)
        dz[k] = h
        cols.append((np.asarray(f(z + dz)) - np.asarray(f(z - dz))) / (2 * h))
    return np.stack(cols, axis=-1)


@pytest.fixture
def z() -> np.ndarray:
    return np.random.default_rng(12).normal(size=5)


@pytest.fixture
def t() -> np.ndarray:
    t = np.random.default_rng(13).random(5)
    return t / t.sum()


# ---------------------------------------------------------------- values


@pytest.mark.parametrize("vec", [BIG, np.array([-1000.0, -1001.0, -2000.0]), np.array([0.3, -0.2, 1.5])])
def test_values_against_numpy(vec: np.ndarray) -> None:
    sm, lse = el.parse(r"\mathrm{softmax}(z^i)"), el.parse(r"\mathrm{logsumexp}(z^i)")
    for value in (el.evaluate(sm, {"z": vec}), el.compile(sm)(z=vec)):
        assert np.all(np.isfinite(value))
        np.testing.assert_allclose(value, np_softmax(vec), rtol=1e-12, atol=1e-300)
    for value in (el.evaluate(lse, {"z": vec}), el.compile(lse)(z=vec)):
        np.testing.assert_allclose(value, np_logsumexp(vec), rtol=1e-12)


def test_logsoftmax_is_finite_where_softmax_underflows() -> None:
    ls = el.parse(r"\mathrm{logsoftmax}(z^i)")
    expected = BIG - np_logsumexp(BIG)  # [0, -1000, -2000]; log(softmax) would be -inf
    np.testing.assert_allclose(el.evaluate(ls, {"z": BIG}), expected)
    np.testing.assert_allclose(el.compile(ls)(z=BIG), expected)


def test_values_inside_an_expression() -> None:
    rng = np.random.default_rng(1)
    W, x, B = rng.normal(size=(4, 3)) * 300, rng.normal(size=3), rng.normal(size=(2, 4))
    e = el.parse(r"B^a_i \mathrm{softmax}(W^i_j x^j) + \mathrm{logsumexp}(W^k_j x^j) \sum_b \delta^a_b")
    expected = B @ np_softmax(W @ x) + np_logsumexp(W @ x)
    np.testing.assert_allclose(el.evaluate(e, {"W": W, "x": x, "B": B}), expected, rtol=1e-12)
    np.testing.assert_allclose(el.compile(e)(W=W, x=x, B=B), expected, rtol=1e-12)


def test_logsumexp_of_all_minus_infinity_is_minus_infinity() -> None:
    e = el.parse(r"\mathrm{logsumexp}(z^i)")
    with np.errstate(all="raise"):
        assert el.evaluate(e, {"z": np.full(3, -np.inf)}) == -np.inf


# ---------------------------------------------------------------- derivatives


def test_softmax_jacobian(z: np.ndarray) -> None:
    J = el.diff(el.parse(r"\mathrm{softmax}(z^i)"), "z^m")
    p = np_softmax(z)
    closed = np.diag(p) - np.outer(p, p)
    np.testing.assert_allclose(el.evaluate(J, {"z": z}), closed, atol=1e-14)
    np.testing.assert_allclose(el.compile(J)(z=z), closed, atol=1e-14)
    np.testing.assert_allclose(closed, fd(np_softmax, z), atol=1e-9)
    assert el.equal(J, el.parse(r"\mathrm{softmax}(z^i) \odot \delta^i_m - \mathrm{softmax}(z^i) \mathrm{softmax}(z^j) \delta_{jm}"))


def test_softmax_second_derivative_against_finite_differences(z: np.ndarray) -> None:
    H = el.diff(el.diff(el.parse(r"\mathrm{softmax}(z^i)"), "z^m"), "z^n")

    def jac(v: np.ndarray) -> np.ndarray:
        p = np_softmax(v)
        return np.diag(p) - np.outer(p, p)

    expected = fd(jac, z)
    np.testing.assert_allclose(el.evaluate(H, {"z": z}), expected, atol=1e-9)
    np.testing.assert_allclose(el.compile(H)(z=z), expected, atol=1e-9)
    third = el.diff(H, "z^q")  # the rule applies to its own result
    np.testing.assert_allclose(el.compile(third)(z=z), fd(lambda v: el.compile(H)(z=v), z), atol=1e-8)


def test_softmax_of_a_linear_map_against_finite_differences() -> None:
    rng = np.random.default_rng(2)
    W, x = rng.normal(size=(4, 3)), rng.normal(size=3)
    d = el.diff(el.parse(r"\mathrm{softmax}(W^i_j x^j)"), "W^{m}_{n}")
    got = el.compile(d)(W=W, x=x)
    expected = fd(lambda w: np_softmax(w.reshape(4, 3) @ x), W.ravel()).reshape(4, 4, 3)
    np.testing.assert_allclose(got, expected, atol=1e-9)


def test_logsumexp_gradient_is_softmax_and_hessian(z: np.ndarray) -> None:
    lse = el.parse(r"\mathrm{logsumexp}(z^i)")
    g = el.diff(lse, "z^m")
    assert el.equal(g, el.parse(r"\mathrm{softmax}(z_m)"))
    np.testing.assert_allclose(el.evaluate(g, {"z": z}), fd(np_logsumexp, z), atol=1e-9)
    H = el.diff(g, "z^n")
    p = np_softmax(z)
    np.testing.assert_allclose(el.compile(H)(z=z), np.diag(p) - np.outer(p, p), atol=1e-14)
    np.testing.assert_allclose(el.compile(H)(z=z), fd(np_softmax, z), atol=1e-9)


CE = r"-t_i \mathrm{logsoftmax}(z^i)"


def test_cross_entropy_gradient_is_p_minus_t(z: np.ndarray, t: np.ndarray) -> None:
    loss = el.parse(CE)
    g = el.diff(loss, "z^m")
    # exactly: p_m (sum_k t_k) - t_m, which is p - t for targets summing to one
    assert el.equal(g, el.parse(r"\mathrm{softmax}(z_m) \sum_k t_k - t_m"))
    assert not el.equal(g, el.parse(r"\mathrm{softmax}(z_m) - t_m"))  # not without sum t = 1
    np.testing.assert_allclose(el.compile(g)(z=z, t=t), np_softmax(z) - t, atol=1e-14)

    def np_loss(v: np.ndarray) -> float:
        return float(-t @ (v - np_logsumexp(v)))

    np.testing.assert_allclose(el.compile(loss)(z=z, t=t), np_loss(z))
    np.testing.assert_allclose(el.compile(g)(z=z, t=t), fd(np_loss, z), atol=1e-9)


def test_cross_entropy_hessian(z: np.ndarray, t: np.ndarray) -> None:
    H = el.diff(el.diff(el.parse(CE), "z^m"), "z^n")
    p = np_softmax(z)
    got = el.compile(H)(z=z, t=t)
    np.testing.assert_allclose(got, np.diag(p) - np.outer(p, p), atol=1e-14)
    np.testing.assert_allclose(got, fd(lambda v: np_softmax(v) - t, z), atol=1e-9)
    closed = r"(\mathrm{softmax}(z_m) \odot \delta_{mn} - \mathrm{softmax}(z_m) \mathrm{softmax}(z_n)) \sum_k t_k"
    assert el.equal(H, el.parse(closed))


def test_cross_entropy_stays_finite_at_large_logits() -> None:
    t = np.array([0.2, 0.3, 0.5])
    loss = el.parse(CE)
    g = el.diff(loss, "z^m")
    H = el.diff(g, "z^n")
    assert el.compile(loss)(z=BIG, t=t) == pytest.approx(0.3 * 1000 + 0.5 * 2000)
    np.testing.assert_allclose(el.compile(g)(z=BIG, t=t), np.array([1.0, 0.0, 0.0]) - t)
    assert np.all(np.isfinite(el.compile(H)(z=BIG, t=t)))
    assert np.all(np.isfinite(el.evaluate(H, {"z": BIG, "t": t})))


# ---------------------------------------------------------------- notation


@pytest.mark.parametrize("text", [
    r"\mathrm{softmax}(z^i)",
    r"\mathrm{logsumexp}(W^i_j x^j)",
    r"\mathrm{logsoftmax}(z_a)",
    CE,
    r"B^a_i \mathrm{softmax}(W^i_j x^j + b^i)",
])
def test_latex_round_trip(text: str) -> None:
    e = el.parse(text)
    assert el.parse(el.latex(e)) == e
    for d in (el.diff(e, "z^m") if "z" in text else el.diff(e, "W^m_n"),):
        assert el.parse(el.latex(d)) == d


def test_printing() -> None:
    assert el.latex(el.parse(r"\mathrm{softmax}(z^i)")) == r"\mathrm{softmax}(z^{i})"
    assert el.latex(el.parse(r"\operatorname{logsumexp}(z_i)")) == r"\mathrm{logsumexp}(z_{r})"
    assert el.latex(el.parse(r"\mathrm{logsoftmax}(z^i)")) == (
        r"z^{i} - \mathrm{logsumexp}(z^{r}) \sum_{k_{1}} \delta^{i}{}_{k_{1}}")


def test_logsoftmax_sum_index_avoids_the_names_written() -> None:
    e = el.parse(r"-t_{k1} \mathrm{logsoftmax}(z^{k1})")
    np.testing.assert_allclose(el.evaluate(e, {"z": BIG, "t": np.ones(3)}), 3000.0 + 3 * 0.0)


@pytest.mark.parametrize("text, match", [
    (r"\mathrm{softmax}(x)", r"softmax\} takes a vector \(one free index\), got 'x' with 0 free indices"),
    (r"\mathrm{softmax}(X^i_j)", r"softmax\} takes a vector \(one free index\), got 'X\^i_j' with 2 free"),
    (r"\mathrm{logsumexp}(A^i_j)", r"logsumexp\} takes a vector"),
    (r"\mathrm{logsoftmax}(s)", r"logsoftmax\} takes a vector"),
    (r"\mathrm{softmax}'(x^i)", r"not elementwise: a prime"),
    (r"\mathrm{logsoftmax}'(x^i)", r"not elementwise: a prime"),
])
def test_bad_input_has_a_caret(text: str, match: str) -> None:
    with pytest.raises(EinsteinError, match=match) as info:
        el.parse("y + " + text if "(x)" in text or "(s)" in text else text)
    assert "^" in str(info.value).splitlines()[2]


# ---------------------------------------------------------------- under a \sum, nested


def test_softmax_and_inverse_under_a_sum() -> None:
    rng = np.random.default_rng(4)
    z, y, A, x, X = rng.normal(size=3), rng.normal(size=3), rng.normal(size=(3, 2)), rng.normal(size=2), \
        rng.normal(size=(3, 3)) + 3 * np.eye(3)
    arrays = {"z": z, "y": y, "A": A, "x": x, "X": X}
    cases = {
        r"\sum_i \mathrm{softmax}(z^i)": 1.0,
        r"\sum_i y_i \mathrm{softmax}(A^i_j x^j)": y @ np_softmax(A @ x),
        r"\sum_i \mathrm{inv}(X^i_j)": np.linalg.inv(X).sum(axis=0),
        r"-\sum_i t_i \mathrm{logsoftmax}(z^i)": -y @ (z - np_logsumexp(z)),
    }
    for text, expected in cases.items():
        e = el.parse(text)
        args = {**arrays, "t": y}
        used = {k: v for k, v in args.items() if f"{k}^" in str(e) or f"{k}_" in str(e)}
        np.testing.assert_allclose(el.evaluate(e, used), expected, rtol=1e-12)
        np.testing.assert_allclose(el.compile(e)(**used), expected, rtol=1e-12)
        assert el.parse(el.latex(e)) == e
    assert el.equal(el.parse(r"-\sum_i t_i \mathrm{logsoftmax}(z^i)"), el.parse(CE))


@pytest.mark.parametrize("text", [r"\sum_i \mathrm{logsumexp}(z^i)", r"\sum_i \det(X^i_j)"])
def test_scalar_function_of_a_summed_index_is_an_error(text: str) -> None:
    with pytest.raises(EinsteinError, match=r"its index i is bound by an enclosing \\sum"):
        el.parse(text)


def test_nested_against_finite_differences(z: np.ndarray) -> None:
    inner = el.diff(el.parse(r"\mathrm{logsumexp}(\mathrm{softmax}(z^i))"), "z^m")
    np.testing.assert_allclose(el.compile(inner)(z=z), fd(lambda v: np_logsumexp(np_softmax(v)), z), atol=1e-9)
    twice = el.diff(el.parse(r"\mathrm{softmax}(\mathrm{softmax}(z^i))"), "z^m")
    np.testing.assert_allclose(el.compile(twice)(z=z), fd(lambda v: np_softmax(np_softmax(v)), z), atol=1e-9)


def test_variable_named_like_a_dummy_inside() -> None:
    # the variable x^j takes the name of the argument's dummy j; W^j_i swaps the argument's names
    rng = np.random.default_rng(5)
    W, x, b = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3)
    d = el.diff(el.parse(r"\mathrm{softmax}(W^i_j x^j)"), "x^j")
    np.testing.assert_allclose(el.compile(d)(W=W, x=x), fd(lambda v: np_softmax(W @ v), x), atol=1e-9)
    d2 = el.diff(d, "x^k")
    jac = el.compile(d)
    np.testing.assert_allclose(el.compile(d2)(W=W, x=x), fd(lambda v: jac(W=W, x=v), x), atol=1e-8)
    g = el.diff(el.parse(r"\mathrm{logsumexp}(W^i_j x^j + b^i)"), "W^j_i")  # result axes: j (rows of W), i
    expected = fd(lambda w: np_logsumexp(w.reshape(3, 4) @ x + b), W.ravel()).reshape(3, 4)
    np.testing.assert_allclose(el.compile(g)(W=W, x=x, b=b), expected, atol=1e-9)
