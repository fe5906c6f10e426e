"""el.hessian_diagonal: the Hessian's diagonal with kept indices, never the Hessian itself.

Oracles: closed forms written here, second central differences of a plain numpy loss, and the
diagonal of the dense compiled Hessian (``net.hessian_matrix``, itself tested against finite
differences) on random MLPs of depth 1-3.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import gradients
from einsteinpy_lite.nets.gradients import Step


def test_the_diagonal_of_a_layer_is_the_closed_form() -> None:
    rng = np.random.default_rng(0)
    A, x, y = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=3)
    d = el.hessian_diagonal(r"x_i \tanh(A^i_j y^j)", "A^{m}_{n}")
    assert [ix.name for ix in d.free] == ["m", "n"]
    got = el.compile(d, out=("m", "n"))(A=A, x=x, y=y)
    t = np.tanh(A @ y)
    np.testing.assert_allclose(got, np.outer(x * -2 * t * (1 - t**2), y**2), rtol=1e-12)


@pytest.mark.parametrize("text,shapes", [
    (r"x_i A^i_j A^j_k y^k", {"A": (3, 3), "x": (3,), "y": (3,)}),
    (r"\tanh(x_i A^i_j y^j) \exp(x_k A^k_l y^l)", {"A": (3, 2), "x": (3,), "y": (2,)}),
    (r"\sum_{k} \log(1 + \exp(x_{k i} A^i_j y_k^j))", {"A": (3, 2), "x": (6, 3), "y": (6, 2)}),
])
def test_the_diagonal_matches_second_differences_of_the_loss(text: str, shapes: dict[str, tuple[int, ...]]) -> None:
    rng = np.random.default_rng(1)
    arrays = {k: rng.normal(size=s) * 0.7 for k, s in shapes.items()}
    e = el.parse(text)
    loss = el.compile(e)
    fn = el.compile(el.hessian_diagonal(e, "A^{m}_{n}"), out=("m", "n"))
    kw: dict[str, Any] = {k: v for k, v in arrays.items() if k in fn.arrays}
    kw.update({s: {"N_m": shapes["A"][0], "N_n": shapes["A"][1]}[s] for s in fn.scalars if s in ("N_m", "N_n")})
    got = fn(**kw)
    h = 1e-4
    want = np.empty(shapes["A"])
    for idx in np.ndindex(*shapes["A"]):
        E = np.zeros(shapes["A"])
        E[idx] = h
        f = [float(loss(**{**arrays, "A": arrays["A"] + s * E})) for s in (1, 0, -1)]
        want[idx] = (f[0] - 2 * f[1] + f[2]) / h**2
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("sizes", [[3, 2], [3, 4, 2], [2, 3, 3, 2]])
def test_network_diagonals_are_the_dense_hessians_diagonal(sizes: list[int]) -> None:
    rng = np.random.default_rng(2)
    net = gradients.mlp(sizes)
    p = net.init(sizes, seed=2)
    x, y = rng.normal(size=(5, sizes[-1])), rng.normal(size=(5, sizes[0]))
    dense = np.diag(net.hessian_matrix(p, x, y))
    got = net.hessian_diagonal_values(p, x, y)
    np.testing.assert_allclose(net.flat(got), dense, rtol=1e-9, atol=1e-12)


def test_the_hessian_is_never_an_array() -> None:
    # N_y=16, N_1=32, N_x=8, K=256: the Hessian w.r.t. A has 512^2 entries; the diagonal's plan stays per sample
    net = gradients.single_layer()
    rng = np.random.default_rng(3)
    p = net.init([16, 32, 8])
    x, y = rng.normal(size=(256, 8)), rng.normal(size=(256, 16))
    step = Step({"d": net.hessian_diagonal("A")}, {"d": ("j1", "j2")}, net._dims("A"))
    got = step(**p, x=x, y=y)["d"]
    np.testing.assert_allclose(got.ravel(), np.diag(net.hessian_matrix(p, x, y))[:512], rtol=1e-9, atol=1e-12)
    plan = step.fn._latest().plan
    assert plan.largest_intermediate < 512**2 // 8


def test_bad_input_is_named() -> None:
    with pytest.raises(el.EinsteinError, match="hessian_diagonal needs a scalar expression.*free indices j"):
        el.hessian_diagonal("x_i A^i_j", "A^{m}_{n}")
    out = el.hessian_diagonal("x_i A^i_j y^j", "B^{m}_{n}")
    assert isinstance(out, el.Zero)
