"""The classification network (softmax cross-entropy): loss, gradient, Hessian, Gauss-Newton matrix and their
vector products, against numpy written here (finite differences, J^T (diag p - p p^T) J) and torch autograd."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from einsteinpy_lite import EinsteinError, optim
from einsteinpy_lite.nets.classifier import classifier

EPS = 1e-6


def _unflat(net: Any, p: dict[str, np.ndarray], th: np.ndarray) -> dict[str, np.ndarray]:
    cuts = np.cumsum([p[k].size for k in net.params])[:-1]
    return {k: a.reshape(p[k].shape) for k, a in zip(net.params, np.split(th, cuts))}


def _logits(net: Any, P: dict[str, np.ndarray], y: np.ndarray) -> np.ndarray:
    h = y
    for n, layer in enumerate(net.layers, 1):
        z = h @ P[f"W{n}"].T + P[f"b{n}"]
        h = np.tanh(z) if layer.activation else z
    return h


def _loss(net: Any, P: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    z = _logits(net, P, y)
    top = z.max(1, keepdims=True)
    lse = np.log(np.exp(z - top).sum(1)) + top[:, 0]
    return float(np.mean(x.sum(1) * lse - (x * z).sum(1)))


@pytest.mark.parametrize(("sizes", "soft"), [([3, 4], False), ([3, 4, 3], True), ([2, 3, 3, 4], False)])
def test_classifier_derivatives_against_numpy(sizes: list[int], soft: bool) -> None:
    net = classifier(sizes)
    p = net.init(seed=1)
    rng = np.random.default_rng(len(sizes))
    K, C = 5, sizes[-1]
    x = rng.dirichlet(np.ones(C), size=K) if soft else np.eye(C)[rng.integers(0, C, size=K)]
    y = rng.normal(size=(K, sizes[0]))
    th = net.flat(p)
    f = lambda t: _loss(net, _unflat(net, p, t), x, y)  # noqa: E731
    obj = net.objective(x, y)
    assert np.isclose(obj.value(p), f(th), rtol=1e-12)
    g = net.flat(obj.grad(p))
    fd = np.array([(f(th + EPS * e) - f(th - EPS * e)) / (2 * EPS) for e in np.eye(th.size)])
    np.testing.assert_allclose(g, fd, atol=1e-8)
    z = _logits(net, p, y)
    s = np.exp(z - z.max(1, keepdims=True))
    s /= s.sum(1, keepdims=True)
    J = np.stack([(_logits(net, _unflat(net, p, th + EPS * e), y) - _logits(net, _unflat(net, p, th - EPS * e), y))
                  / (2 * EPS) for e in np.eye(th.size)], axis=-1)
    # the generalized Gauss-Newton matrix: J^T (diag p - p p^T) J, J of the logits by central differences
    G = np.mean([x[k].sum() * J[k].T @ (np.diag(s[k]) - np.outer(s[k], s[k])) @ J[k] for k in range(K)], axis=0)
    v = net.init(seed=7)
    vf = net.flat(v)
    # H v: central differences of the compiled gradient along v
    Hv = (net.flat(obj.grad(_unflat(net, p, th + 1e-5 * vf))) - net.flat(obj.grad(_unflat(net, p, th - 1e-5 * vf)))) / 2e-5
    np.testing.assert_allclose(net.flat(net.hessian_vector(p, v, x, y)), Hv, atol=1e-7)
    np.testing.assert_allclose(net.flat(net.gauss_newton_vector(p, v, x, y)), G @ vf, atol=1e-8)
    H = net.hessian_matrix(p, x, y)
    fdH = np.array([(net.flat(obj.grad(_unflat(net, p, th + 1e-5 * e))) - net.flat(obj.grad(_unflat(net, p, th - 1e-5 * e))))
                    / 2e-5 for e in np.eye(th.size)])
    np.testing.assert_allclose(H, fdH, atol=1e-7)
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    np.testing.assert_allclose(net.gauss_newton_matrix(p, x, y), G, atol=1e-8)
    if len(sizes) == 2:  # one layer: the logits are linear in the parameters, the GGN is the Hessian
        np.testing.assert_allclose(H, G, atol=1e-8)


def test_classifier_hessian_against_torch() -> None:
    torch = pytest.importorskip("torch")
    net = classifier([3, 5, 4])
    p = net.init(seed=2)
    rng = np.random.default_rng(9)
    x, y = np.eye(4)[rng.integers(0, 4, size=7)], rng.normal(size=(7, 3))
    th = torch.tensor(net.flat(p), dtype=torch.float64)
    cuts = [int(c) for c in np.cumsum([p[k].size for k in net.params])]
    xt, yt = torch.tensor(x), torch.tensor(y)

    def loss(t: Any) -> Any:
        parts = dict(zip(net.params, torch.tensor_split(t, cuts[:-1])))
        W1, b1 = parts["W1"].reshape(p["W1"].shape), parts["b1"]
        W2, b2 = parts["W2"].reshape(p["W2"].shape), parts["b2"]
        z = torch.tanh(yt @ W1.T + b1) @ W2.T + b2
        return -(xt * torch.log_softmax(z, 1)).sum(1).mean()

    want = torch.autograd.functional.hessian(loss, th).numpy()
    np.testing.assert_allclose(net.hessian_matrix(p, x, y), want, atol=1e-12)
    diag = net.hessian_diagonal_values(p, x, y)
    np.testing.assert_allclose(net.flat(diag), np.diag(want), atol=1e-12)


def test_newton_cg_trains_a_classifier() -> None:
    net = classifier([2, 6, 3])
    rng = np.random.default_rng(3)
    y = rng.normal(size=(30, 2))
    labels = (y[:, 0] > 0).astype(int) + (y[:, 1] > 0.5)
    x = np.eye(3)[labels]
    r = optim.newton_cg(net.objective(x, y), net.init(seed=4), max_iter=15)
    assert r.loss < 0.5 * r.losses[0]
    pred = net.predict(r.params, y).argmax(1)
    assert (pred == labels).mean() >= 0.9


def test_classifier_bad_input() -> None:
    net = classifier([2, 3])
    p = net.init()
    with pytest.raises(EinsteinError, match="the target x has 4 columns, this network's output size N_x is 3"):
        net.objective(np.zeros((5, 4)), np.zeros((5, 2)))
    with pytest.raises(EinsteinError, match="misses the parameter block"):
        net.hessian_vector(p, {"W1": p["W1"]}, np.zeros((5, 3)), np.zeros((5, 2)))
