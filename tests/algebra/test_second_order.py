"""Tests of el.hvp / el.ggn_vp / el.hessian_block on arbitrary scalar expressions.

Oracles: central finite differences of the compiled gradient (``el.diff`` once, a first-order
result tested elsewhere) along the vector, and plain numpy written here from each expression's
structure; jax where installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import einsteinpy_lite as el


def _call(fn: Any, arrays: dict[str, np.ndarray], sizes: dict[str, int]) -> np.ndarray:
    kw: dict[str, Any] = {k: v for k, v in arrays.items() if k in fn.arrays}
    kw.update({s: sizes[s[2:]] for s in fn.scalars if s.startswith("N_") and s[2:] in sizes})
    return np.asarray(fn(**kw))


CASES = [
    (r"x_i A^i_j A^j_k y^k", {"A": (3, 3), "x": (3,), "y": (3,)}),
    (r"x_i \tanh(A^i_j y^j + b^i)", {"A": (4, 3), "x": (4,), "y": (3,), "b": (4,)}),
    (r"x_i A^i_j \sigma(A^j_k y^k)", {"A": (3, 3), "x": (3,), "y": (3,)}),
    (r"\tanh(x_i A^i_j y^j) \exp(x_k A^k_l y^l)", {"A": (3, 2), "x": (3,), "y": (2,)}),
    (r"x_i A^i_j y^j x_k A^k_l y^l", {"A": (2, 5), "x": (2,), "y": (5,)}),
    (r"\sum_{k} \log(1 + \exp(x_{k i} A^i_j y_k^j))", {"A": (3, 2), "x": (6, 3), "y": (6, 2)}),
]


@pytest.mark.parametrize("text,shapes", CASES)
def test_hvp_matches_finite_differences_of_the_gradient(text: str, shapes: dict[str, tuple[int, ...]]) -> None:
    rng = np.random.default_rng(7)
    e = el.parse(text)
    arrays = {k: rng.normal(size=s) * 0.7 for k, s in shapes.items()}
    V = rng.normal(size=shapes["A"])
    sizes = {"m": shapes["A"][0], "n": shapes["A"][1]}
    grad = el.compile(el.diff(e, "A^{m}_{n}"), out=("m", "n"))
    got = _call(el.compile(el.hvp(e, "A^{m}_{n}", "V"), out=("m", "n")), {**arrays, "V": V}, sizes)
    h = 1e-5
    plus = _call(grad, {**arrays, "A": arrays["A"] + h * V}, sizes)
    minus = _call(grad, {**arrays, "A": arrays["A"] - h * V}, sizes)
    np.testing.assert_allclose(got, (plus - minus) / (2 * h), rtol=1e-6, atol=1e-7)


def test_hvp_of_a_quadratic_form_is_the_matrix_times_the_vector() -> None:
    # L = 1/2 t^i Q_ij t^j: H = (Q + Q^T)/2, a closed form written here
    rng = np.random.default_rng(0)
    Q, v = rng.normal(size=(4, 4)), rng.normal(size=4)
    e = el.parse(r"\frac{1}{2} t^i Q_{ij} t^j")
    got = el.compile(el.hvp(e, "t^{m}", "v"))(Q=Q, v=v)
    np.testing.assert_allclose(got, (Q + Q.T) / 2 @ v, rtol=1e-12)


def test_hvp_block_between_two_parameters_and_sum_of_blocks() -> None:
    # L = x_i tanh(A^i_j y^j + b^i): blocks H_Ab u and H_AA V + H_Ab u, against numpy closed forms
    rng = np.random.default_rng(3)
    A, x, y, b = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=3), rng.normal(size=4)
    V, u = rng.normal(size=(4, 3)), rng.normal(size=4)
    e = el.parse(r"x_i \tanh(A^i_j y^j + b^i)")
    z = A @ y + b
    t2 = -2 * np.tanh(z) * (1 - np.tanh(z) ** 2)  # tanh''
    arrays = {"A": A, "x": x, "y": y, "b": b, "V": V, "u": u}
    sizes = {"m": 4, "n": 3}
    block = _call(el.compile(el.hvp(e, "A^{m}_{n}", {"b": "u"}), out=("m", "n")), arrays, sizes)
    np.testing.assert_allclose(block, np.outer(x * t2 * u, y), rtol=1e-10)
    both = _call(el.compile(el.hvp(e, "A^{m}_{n}", {"A": "V", "b": "u"}), out=("m", "n")), arrays, sizes)
    np.testing.assert_allclose(both, np.outer(x * t2 * (V @ y + u), y), rtol=1e-10)
    full = el.compile(el.hessian_block(e, "A^{m}_{n}", "b^{p}"), out=("m", "n", "p"))
    H = _call(full, arrays, {**sizes, "p": 4})
    np.testing.assert_allclose(np.einsum("mnp,p->mn", H, u), block, rtol=1e-10)


def test_ggn_vp_is_jt_j_v_of_the_residual() -> None:
    # r^i = tanh(A^i_j y^j) - x^i: J = d r / dA (numpy), J^T J V
    rng = np.random.default_rng(4)
    A, x, y, V = rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=2), rng.normal(size=(3, 2))
    r = el.parse(r"\tanh(A^i_j y^j) - x^i")
    got = _call(el.compile(el.ggn_vp(r, "A^{m}_{n}", "V"), out=("m", "n")), {"A": A, "x": x, "y": y, "V": V},
                {"m": 3, "n": 2})
    d = 1 - np.tanh(A @ y) ** 2
    J = np.einsum("i,im,n->imn", d, np.eye(3), y).reshape(3, 6)
    np.testing.assert_allclose(got.ravel(), J.T @ J @ V.ravel(), rtol=1e-10)


def test_hvp_against_jax_where_installed() -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    rng = np.random.default_rng(5)
    A, x, y, b, V = (rng.normal(size=s) for s in ((4, 3), (4,), (3,), (4,), (4, 3)))
    e = el.parse(r"x_i \tanh(A^i_j y^j + b^i)")
    got = _call(el.compile(el.hvp(e, "A^{m}_{n}", "V"), out=("m", "n")),
                {"A": A, "x": x, "y": y, "b": b, "V": V}, {"m": 4, "n": 3})

    def loss(a: Any) -> Any:
        return x @ jnp.tanh(a @ y + b)

    want = jax.jvp(jax.grad(loss), (A,), (V,))[1]
    np.testing.assert_allclose(got, np.asarray(want), rtol=1e-10)


@pytest.mark.parametrize("call,match", [
    (lambda: el.hvp("x_i A^i_j", "A^{m}_{n}", "V"), "hvp needs a scalar expression.*free indices j"),
    (lambda: el.hvp("x_i A^i_j y^j", "A^{m}_{n}", "V_{p q}"), "slots __, the parameter 'A' has \\^_"),
    (lambda: el.hvp("x_i A^i_j y^j", "A^{m}_{n}", "x"), "'x' is already a tensor of the expression"),
    (lambda: el.hvp("x_i A^i_j y^j", "A^{m}_{n}", {"B": "U"}), "missing parameter block: 'B' is not a tensor"),
    (lambda: el.hvp("x_i A^i_j y^j", "A^{m}_{n}", {}), "the vector has no parts"),
    (lambda: el.hvp("x_i A^i_j y^j", "A^{m}_{n}", 3), "must be a tensor name"),
    (lambda: el.ggn_vp("A^i_j y^j", "A^{i}_{n}", "V"), "reuses 'i'"),
    (lambda: el.hessian_block("x_i A^i_j b^j", "A^{m}_{n}", "b^{m}"), "share the index name 'm'"),
])
def test_bad_input_is_an_einstein_error_that_names_it(call: Any, match: str) -> None:
    with pytest.raises(el.EinsteinError, match=match):
        call()


def test_hvp_of_an_expression_without_the_variable_is_zero() -> None:
    out = el.hvp("x_i B^i_j y^j + A^k_l z_k w^l", "A^{m}_{n}", {"B": "U"})
    assert isinstance(out, el.Zero) and [ix.name for ix in out.free] == ["m", "n"]


def test_collect_factors_pulls_a_shared_factor_out_and_keeps_the_value() -> None:
    from einsteinpy_lite.algebra.second_order import collect_factors

    e = el.parse(r"\sum_{k} x_{k i} A^i_j y_k^n + \sum_{k} z_{k i} B^i_j y_k^n")
    out = collect_factors(e)
    assert str(out).count("y_k^n") == 1  # one \sum_k, y written once
    rng = np.random.default_rng(9)
    arrays = {"x": rng.normal(size=(5, 3)), "z": rng.normal(size=(5, 3)), "y": rng.normal(size=(5, 4)),
              "A": rng.normal(size=(3, 2)), "B": rng.normal(size=(3, 2))}
    got = el.compile(out, out=("j", "n"))(**arrays)
    want = np.einsum("ki,ij,kn->jn", arrays["x"], arrays["A"], arrays["y"]) + \
        np.einsum("ki,ij,kn->jn", arrays["z"], arrays["B"], arrays["y"])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_the_network_hvp_contracts_the_input_once_per_weight() -> None:
    # the Hessian-vector product of the single-layer loss w.r.t. A: every term ends in y_k^{j2};
    # collected, the compiled code multiplies by y once, and the whole product costs < 3 gradients
    from einsteinpy_lite import gradients

    net = gradients.single_layer()
    rng = np.random.default_rng(0)
    p = net.init([16, 32, 8])
    x, y = rng.normal(size=(64, 8)), rng.normal(size=(64, 16))
    v = {f"v{k}": rng.normal(size=a.shape) for k, a in p.items()}
    hvp_step, grad_step = net.compile_hvp(), net.compile()
    hvp_step(**p, **v, x=x, y=y)
    grad_step(**p, x=x, y=y)
    hvp_plan, grad_plan = hvp_step.fn._latest().plan, grad_step.fn._latest().plan
    def makes_the_block(text: str) -> bool:
        return "y_{k j2}" in text and text.replace(" ", "").endswith(("->{j1j2}", "->{j2j1}"))

    assert sum(1 for s in hvp_plan.steps if makes_the_block(s.text)) == 1
    assert hvp_plan.flops < 3 * grad_plan.flops
    assert hvp_plan.largest_intermediate <= 64 * 32


def test_result_does_not_depend_on_earlier_calls():
    """A derivative's function arguments were restored from a cache shared by every call: after
    ``y_q A^{iq}`` had been differentiated, ``\\tanh(A^i_j y^j)`` came back as ``\\tanh(y_q A^{kq})``
    (CI failure, docs/guide/second_order.md, run after the rest of the suite)."""
    import einsteinpy_lite as el
    from einsteinpy_lite.algebra.diff_simplify import _BodyAtoms

    def shown() -> str:
        return el.latex(el.hvp(el.parse(r"x_i \tanh(A^i_j y^j)"), "A^{m}_{n}", "V"), compact=True)

    _BodyAtoms.memo.clear()
    for text in (r"x_i \tanh(y_q A^{iq})", r"\tanh(y_q A^{iq}) x_i"):
        el.hvp(el.parse(text), "A^{m}_{n}", "V")
    after = shown()
    assert r"\tanh''(A^{k}{}_{l} y^{l})" in after, after
    _BodyAtoms.memo.clear()
    assert shown() == after
