"""The matrix functions inv, det and logdet: nodes, index notation in and out, evaluation, compile, derivatives.

Oracles: numpy's linear algebra written here, and central finite differences.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError, parse
from einsteinpy_lite.core.builders import tensor
from einsteinpy_lite.core.matrix_functions import MatrixFunction
from einsteinpy_lite.core.rename import rename_free

RNG = np.random.default_rng(11)
X = 3 * np.eye(3) + 0.3 * RNG.standard_normal((3, 3))
A = RNG.standard_normal((3, 3))
b, c = RNG.standard_normal(3), RNG.standard_normal(3)
SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]])


def _fd(f: Callable[[np.ndarray], Any], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences: f's axes, then x's."""
    cols = []
    for idx in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += h
        minus[idx] -= h
        cols.append((np.asarray(f(plus)) - np.asarray(f(minus))) / (2 * h))
    return np.stack(cols, axis=-1).reshape(np.shape(f(x)) + x.shape)


def _ordered(e: el.Expr, value: np.ndarray, names: list[str]) -> np.ndarray:
    have = [ix.name for ix in e.free]
    return np.transpose(value, [have.index(n) for n in names])


# ------------------------------------------------------------------------------------------ nodes


def test_inverse_keeps_its_arguments_indices_and_det_has_none() -> None:
    assert MatrixFunction("inv", tensor("X", "^i_j")).free == tensor("X", "^i_j").free
    d = MatrixFunction("det", tensor("X", "^a_b"))
    assert d.free == () and str(d.body) == "X^r_c"
    # the determinant's indices are its own: equal determinants are equal nodes
    assert parse(r"\det(X^i_j)") == parse(r"\det(X^a_b)")
    assert str(parse(r"\det(X^i_j) Y^i_j")) == r"\det(X^r_c) Y^i_j"


def test_renaming_never_reaches_into_a_determinant() -> None:
    e = parse(r"\det(X^a_b) y^r")
    assert str(rename_free(e, {"r": "c"})) == r"\det(X^r_c) y^c"


@pytest.mark.parametrize(("text", "message", "caret"), [
    (r"\mathrm{inv}(x^i)", r"\\mathrm\{inv\} takes a square matrix \(two free indices\), got 'x\^i' with 1 free index", 0),
    (r"y^k + \det(A^i_j x^j)", r"\\det takes a square matrix", 6),
    (r"\mathrm{logdet}'(X^i_j)", r"a prime \(derivative\) is not written on it", 0),
])
def test_bad_index_input(text: str, message: str, caret: int) -> None:
    with pytest.raises(EinsteinError, match=message) as info:
        parse(text)
    assert str(info.value).split("\n")[2] == "  " + " " * caret + "^"


@pytest.mark.parametrize("text", [
    r"\mathrm{inv}(X^i_j)", r"\det(X^i_j)", r"\mathrm{logdet}(A^i_k X^k_j)", r"a_i \mathrm{inv}(X^i_j + A^i_j) b^j",
    r"\det(X^i_j) \mathrm{inv}(X^k_m) \mathrm{inv}(\mathrm{inv}(X^m_l))",
])
def test_index_form_round_trip(text: str) -> None:
    e = parse(text)
    assert parse(el.latex(e)) == e
    assert parse(el.text(e)) == e
    d = el.diff(e, "X^{p}_{q}")
    assert el.equal(parse(el.latex(d)), d)


# ------------------------------------------------------------------------------------------ numbers


def test_evaluate_and_compile_against_numpy() -> None:
    cases = [
        (r"\mathrm{inv}(X^i_j)", np.linalg.inv(X)),
        (r"\det(X^i_j)", np.linalg.det(X)),
        (r"\mathrm{logdet}(X^i_j)", np.log(abs(np.linalg.det(X)))),
        (r"a_i \mathrm{inv}(X^i_k A^k_j + X^i_j) b^j", c @ np.linalg.inv(X @ A + X) @ b),
        (r"\det(X^i_j) \mathrm{inv}(X^k_l) b^l", np.linalg.det(X) * np.linalg.inv(X) @ b),
    ]
    for text, want in cases:
        e = parse(text)
        arrays = {k: v for k, v in {"X": X, "A": A, "a": c, "b": b}.items() if k in e.tensors()}
        np.testing.assert_allclose(el.evaluate(e, arrays), want, rtol=1e-10)
        np.testing.assert_allclose(el.compile(e)(**arrays), want, rtol=1e-10)


def test_a_batch_of_matrices_under_a_sum() -> None:
    Xs = np.stack([X, X.T + np.eye(3), 2 * X])
    e = parse(r"\sum_{k} \mathrm{logdet}(X_k^i_j)")
    want = sum(np.linalg.slogdet(m)[1] for m in Xs)
    np.testing.assert_allclose(el.evaluate(e, {"X": Xs}), want, rtol=1e-12)
    np.testing.assert_allclose(el.compile(e)(X=Xs), want, rtol=1e-12)
    inv_sum = parse(r"\sum_{k} \mathrm{inv}(X_k^i_j)")
    np.testing.assert_allclose(el.compile(inv_sum)(X=Xs), np.linalg.inv(Xs).sum(axis=0), rtol=1e-12)


def test_singular_matrix_is_an_error_or_its_value_never_nan() -> None:
    with pytest.raises(EinsteinError, match="is singular: it has no inverse"):
        el.evaluate(parse(r"\mathrm{inv}(X^i_j)"), {"X": SINGULAR})
    with pytest.raises(EinsteinError, match="singular: it has no inverse"):
        el.compile(parse(r"\mathrm{inv}(X^i_j) b^j"))(X=SINGULAR, b=b)
    assert el.evaluate(parse(r"\mathrm{logdet}(X^i_j)"), {"X": SINGULAR}) == -np.inf
    assert el.compile(parse(r"\mathrm{logdet}(X^i_j)"))(X=SINGULAR) == -np.inf
    assert abs(el.evaluate(parse(r"\det(X^i_j)"), {"X": SINGULAR})) < 1e-12


def test_non_square_argument_is_an_error() -> None:
    with pytest.raises(EinsteinError, match="needs a square matrix"):
        el.evaluate(parse(r"\det(X^i_j)"), {"X": np.ones((2, 3))})
    with pytest.raises(EinsteinError, match="needs a square matrix"):
        el.compile(parse(r"\mathrm{inv}(X^i_j)"))(X=np.ones((2, 3)))


# ------------------------------------------------------------------------------------------ derivatives


def test_first_derivatives_against_finite_differences() -> None:
    inv, det = np.linalg.inv, np.linalg.det
    cases: list[tuple[str, Callable[[np.ndarray], Any]]] = [
        (r"\mathrm{inv}(X^i_j)", inv),
        (r"\det(X^i_j)", det),
        (r"\mathrm{logdet}(X^i_j)", lambda m: np.linalg.slogdet(m)[1]),
        (r"\mathrm{inv}(A^i_k X^k_j)", lambda m: inv(A @ m)),
        (r"\det(X_{ij})", det),  # both slots down: the rules join slots through the metric
    ]
    for text, f in cases:
        e = parse(text)
        d = el.diff(e, "X^{p}_{q}" if "X_{ij}" not in text else "X_{pq}")
        names = [ix.name for ix in e.free] + ["p", "q"]
        arrays = {k: v for k, v in {"X": X, "A": A}.items() if k in e.tensors()}
        np.testing.assert_allclose(_ordered(d, el.evaluate(d, arrays), names), _fd(f, X), rtol=1e-6, atol=1e-8)


def test_through_an_elementwise_function_second_order() -> None:
    # c_i sigma((X^{-1} b)_i): its Hessian in b, and in X, by finite differences of numpy gradients
    e = parse(r"c_i \sigma(\mathrm{inv}(X^i_j) b^j)")
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h = el.diff(el.diff(e, "b^p"), "b^q")
    grad_b = lambda v: np.linalg.inv(X).T @ (c * sig(np.linalg.inv(X) @ v) * (1 - sig(np.linalg.inv(X) @ v)))  # noqa: E731
    np.testing.assert_allclose(_ordered(h, el.evaluate(h, {"X": X, "b": b, "c": c}), ["p", "q"]), _fd(grad_b, b),
                               rtol=1e-6, atol=1e-8)
    hx = el.diff(el.diff(e, "X^p_q"), "X^r_s")

    def grad_x(m: np.ndarray) -> np.ndarray:
        mi = np.linalg.inv(m)
        z = mi @ b
        g = c * sig(z) * (1 - sig(z))  # d/dz
        return -np.outer(mi.T @ g, mi @ b)  # d/dX of g . X^{-1} b = -X^{-T} g b^T X^{-T}

    got = _ordered(hx, el.evaluate(hx, {"X": X, "b": b, "c": c}), ["p", "q", "r", "s"])
    np.testing.assert_allclose(got, _fd(grad_x, X), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(el.compile(hx, out=tuple(ix.name for ix in hx.free))(X=X, b=b, c=c), el.evaluate(hx, {"X": X, "b": b, "c": c}),
                               rtol=1e-9)


def test_derivative_rules_do_not_apply_elementwise() -> None:
    # the inverse of a diagonal matrix is elementwise, of a full one it is not: the derivative knows it
    d = el.diff(parse(r"\mathrm{inv}(X^i_j)"), "X^{p}_{q}")
    assert el.equal(d, parse(r"-\mathrm{inv}(X^i_p) \mathrm{inv}(X^q_j)"))


def test_hessian_vector_product_of_log_det_and_an_inverse_form() -> None:
    e = el.parse_matrix(r"\log\det X + a^T X^{-1} b", {"X": (3, 3), "a": (3,), "b": (3,)})
    h = el.hvp(e, "X^m_n", "V")
    V = RNG.standard_normal((3, 3))
    inv = np.linalg.inv

    def grad(m: np.ndarray) -> np.ndarray:  # the Cookbook's gradient, eqs. 57 and 61
        return inv(m).T - inv(m).T @ np.outer(c, b) @ inv(m).T

    eps = 1e-5
    want = (grad(X + eps * V) - grad(X - eps * V)) / (2 * eps)
    arrays = {"X": X, "V": V, "a": c, "b": b}
    np.testing.assert_allclose(_ordered(h, el.evaluate(h, arrays), ["m", "n"]), want, atol=1e-7)
    np.testing.assert_allclose(el.compile(h, out=("m", "n"))(**arrays), want, atol=1e-7)


def test_pretty_printing() -> None:
    import sympy

    assert sympy.pretty(parse(r"\det(X^i_j) \mathrm{inv}(X^k_l)")).split("\n")[1] == "det(X  )⋅inv(X  )"


def test_a_size_named_by_an_index_that_only_a_private_argument_has_is_that_arrays_size():
    # harness (vector functions): \frac{1}{N_{i1}} logsumexp(lambda^{i1}) -- the argument's i1 is renamed to the
    # private r, and N_i1 was a scalar nobody could infer; it is lambda's size
    lam = RNG.standard_normal(5)
    want = np.log(np.exp(lam).sum()) / 5
    e = parse(r"\frac{1}{\mathrm{N_i1}} \mathrm{logsumexp}(\lambda^{i1})")
    for form in (e, el.simplify(e), el.canonical(e)):
        np.testing.assert_allclose(el.compile(form)(**{"lambda": lam}), want, rtol=1e-12)
        np.testing.assert_allclose(el.evaluate(form, {"lambda": lam}), want, rtol=1e-12)
    # an index of the expression named like it keeps its own size
    e2 = parse(r"\mathrm{N_i} \det(X^{i}_{j}) x^i")
    assert el.compile(e2)(X=X, x=b).tolist() == pytest.approx((3 * np.linalg.det(X) * b).tolist())  # x's size


def test_a_private_index_that_no_array_carries_keeps_the_name_that_sizes_it():
    # logsumexp(\sum_k \delta^{i1}_k) runs over N_i1 entries of 1: renamed r, it asked for N_r, a name nobody wrote
    e = parse(r"\mathrm{logsumexp}(\sum_{k} \delta^{i1}_{k})")
    for form in (e, el.simplify(e), el.canonical(e)):
        fn = el.compile(form)
        assert fn.scalars == ("N_i1",), (form, fn.scalars)
        np.testing.assert_allclose(fn(N_i1=4), np.log(4 * np.e), rtol=1e-12)


def test_a_scalar_matrix_function_of_a_cancelled_argument_keeps_its_size():
    # harness: logsumexp(S_d - S_d) simplified to logsumexp(0_r), whose size (S's) was gone: compile asked for N_r
    S, x = RNG.standard_normal(6), RNG.standard_normal(6)
    cases = [(r"\mathrm{logsumexp}(S_{d} - S_{d})", {"S": S}, np.log(6)),
             (r"\det(A^{i}_{j} - A^{i}_{j})", {"A": A}, 0.0),
             (r"\mathrm{softmax}(S_{d} - S_{d}) x^d", {"S": S, "x": x}, x.mean())]
    for text, arrays, want in cases:
        e = parse(text)
        for form in (el.simplify(e), el.canonical(e)):
            fn = el.compile(form)
            assert not [s for s in fn.scalars if s.startswith("N_")], (form, fn.scalars)
            np.testing.assert_allclose(fn(**arrays), want, atol=1e-12)


def test_a_sum_index_inside_a_private_argument_is_renamed_with_its_sum():
    # harness: d/dW1 of \sum_d \sigma(logsumexp(W1_{d m})) renamed the sum's d apart (the variable has a d) but not
    # inside logsumexp's closed argument: W1_{u1 r} was left under \sum_k, and compile refused the bound u1
    W = RNG.standard_normal((3, 4))
    lse = np.log(np.exp(W).sum(1))
    soft = np.exp(W) / np.exp(W).sum(1, keepdims=True)
    s = 1 / (1 + np.exp(-lse))
    want = (s * (1 - s))[:, None] * soft
    e = parse(r"\sum_{d} \sigma(\mathrm{logsumexp}(W1_{d m}))")
    for simp in (True, False):
        d = el.diff(e, r"W1_{d \mu}", simplify=simp)
        np.testing.assert_allclose(el.compile(d, out=("d", r"\mu"))(W1=W), want, rtol=1e-10)
