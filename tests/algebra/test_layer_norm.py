r"""Layer normalization, ``\mathrm{layernorm}(x^i)`` and ``\operatorname{layernorm}(W y + b)``: values against numpy
and ``torch.nn.functional.layer_norm``, derivatives against central differences and torch autograd."""

from __future__ import annotations

import numpy as np
import pytest

import einsteinpy_lite as el


def _ln(z: np.ndarray) -> np.ndarray:
    return (z - z.mean(-1, keepdims=True)) / np.sqrt(z.var(-1, keepdims=True) + 1e-5)


rng = np.random.default_rng(21)
W, y, b, t = rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=5), rng.normal(size=5)
ARRAYS = {"W": W, "y": y, "b": b, "t": t}
SHAPES = {"W": (5, 3), "y": (3,), "b": (5,), "t": (5,)}


@pytest.mark.parametrize("e", [el.parse(r"\mathrm{layernorm}(W^i_j y^j + b^i)"),
                               el.parse_matrix(r"\operatorname{layernorm}(W y + b)", SHAPES)], ids=["index", "matrix"])
def test_value_and_jacobian(e: el.Expr) -> None:
    np.testing.assert_allclose(el.evaluate(e, ARRAYS), _ln(W @ y + b), rtol=1e-12)
    np.testing.assert_allclose(el.compile(e)(W=W, y=y, b=b), _ln(W @ y + b), rtol=1e-12)  # (sizes from W)
    J = el.diff(e, "b^m")
    fd = np.stack([(_ln(W @ y + b + 1e-6 * u) - _ln(W @ y + b - 1e-6 * u)) / 2e-6 for u in np.eye(5)], axis=-1)
    np.testing.assert_allclose(el.evaluate(J, ARRAYS), fd, atol=1e-8)


def test_hessian_of_a_loss_through_layer_norm() -> None:
    L = el.parse_matrix(r"\|\operatorname{layernorm}(W y + b) - t\|^2", SHAPES)
    g = el.diff(L, "b^m")
    H = el.diff(g, "b^n")

    def f(bb: np.ndarray) -> float:
        return float(np.sum((_ln(W @ y + bb) - t) ** 2))

    fd = np.array([(f(b + 1e-6 * u) - f(b - 1e-6 * u)) / 2e-6 for u in np.eye(5)])
    np.testing.assert_allclose(el.evaluate(g, ARRAYS), fd, atol=1e-7)
    grad = lambda bb: el.evaluate(g, {**ARRAYS, "b": bb})  # noqa: E731
    fdH = np.array([(grad(b + 1e-5 * u) - grad(b - 1e-5 * u)) / 2e-5 for u in np.eye(5)])
    np.testing.assert_allclose(el.evaluate(H, ARRAYS), fdH, atol=1e-7)
    # the layer normalization of a vector is centred: its gradient along the ones vector is 0 for any loss
    assert abs(float(el.evaluate(g, ARRAYS).sum())) < 1e-10


def test_against_torch_layer_norm_over_samples() -> None:
    torch = pytest.importorskip("torch")
    K = 6
    Y, T = rng.normal(size=(K, 3)), rng.normal(size=(K, 5))
    shapes = {"W": (5, 3), "y": (3,), "b": (5,), "t": (5,)}
    L = el.parse_matrix(r"\frac{1}{K} \sum_{k=0}^{K-1} \|\operatorname{layernorm}(W y_k + b) - t_k\|^2", shapes)
    gW = el.diff(L, "W^p_q")
    Wt = torch.tensor(W, requires_grad=True)
    bt = torch.tensor(b)
    out = torch.nn.functional.layer_norm(torch.tensor(Y) @ Wt.T + bt, (5,), eps=1e-5)
    loss = ((out - torch.tensor(T)) ** 2).sum(1).mean()
    loss.backward()
    arrays = {"W": W, "b": b, "y": Y, "t": T}
    assert np.isclose(float(el.compile(L)(**arrays, K=K)), float(loss.detach()), rtol=1e-12)
    np.testing.assert_allclose(el.compile(gW, out=("p", "q"))(**arrays, K=K), Wt.grad.numpy(), atol=1e-12)


def test_layer_norm_needs_a_vector() -> None:
    with pytest.raises(el.EinsteinError, match="takes a vector"):
        el.parse(r"\mathrm{layernorm}(A^i_j)")
    with pytest.raises(el.EinsteinError, match=r"layernorm\} of 'W' \(5×3\)"):
        el.parse_matrix(r"\operatorname{layernorm}(W)", SHAPES)
    with pytest.raises(el.EinsteinError, match="not elementwise"):
        el.parse(r"\mathrm{layernorm}'(x^i)")
