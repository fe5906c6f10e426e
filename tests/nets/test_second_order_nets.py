"""Hessian-vector and Gauss-Newton-vector products of the networks' loss (net.hessian_vector, ...).

Oracles written here: the MSE loss and its gradient by hand-written numpy backpropagation; the
Hessian-vector product as central differences of that gradient; the Gauss-Newton matrix from the
Jacobian of the outputs by finite differences of the numpy forward pass; jax/torch where installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import gradients
from einsteinpy_lite.core.functions import get_function


def _forward(net: Any, p: dict[str, np.ndarray], y: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    h, tape = y, []
    for layer in net.layers:
        z = h @ p[layer.weight].T + (p[layer.bias] if layer.bias else 0.0)
        tape.append((h, z, layer))
        h = get_function(layer.activation)(z) if layer.activation else z
    return h, tape


def _grad_np(net: Any, p: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """dL/dp of L = 1/K sum_k |x_k - f(y_k)|^2, backpropagated by hand."""
    out, tape = _forward(net, p, y)
    delta = -2.0 / len(x) * (x - out)
    g = {}
    for h, z, layer in reversed(tape):
        if layer.activation:
            delta = delta * get_function(layer.activation).implementation(1)(z, np)
        g[layer.weight] = delta.T @ h
        if layer.bias:
            g[layer.bias] = delta.sum(axis=0)
        delta = delta @ p[layer.weight]
    return g


def _flat(net: Any, d: dict[str, np.ndarray]) -> np.ndarray:
    return np.concatenate([np.asarray(d[k]).ravel() for k in net.params])


def _problem(sizes: list[int], seed: int = 0, K: int = 5) -> tuple[Any, ...]:
    rng = np.random.default_rng(seed)
    net = gradients.mlp(sizes)
    p = net.init(sizes, seed=seed)
    x, y = rng.normal(size=(K, sizes[-1])), rng.normal(size=(K, sizes[0]))
    v = {k: rng.normal(size=a.shape) for k, a in p.items()}
    return net, p, x, y, v


@pytest.mark.parametrize("sizes", [[3, 2], [3, 4, 2], [2, 3, 3, 2], [2, 3, 2, 3, 2]])
def test_hessian_vector_matches_finite_differences_of_the_numpy_gradient(sizes: list[int]) -> None:
    net, p, x, y, v = _problem(sizes)
    h = 1e-5
    plus = _grad_np(net, {k: p[k] + h * v[k] for k in p}, x, y)
    minus = _grad_np(net, {k: p[k] - h * v[k] for k in p}, x, y)
    want = (_flat(net, plus) - _flat(net, minus)) / (2 * h)
    got = net.hessian_vector(p, v, x, y)
    assert all(got[k].shape == p[k].shape for k in p)
    np.testing.assert_allclose(_flat(net, got), want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("sizes", [[3, 2], [3, 4, 2], [2, 3, 3, 2], [2, 3, 2, 3, 2]])
def test_gauss_newton_vector_is_two_over_k_jt_j_v(sizes: list[int]) -> None:
    net, p, x, y, v = _problem(sizes, seed=1)
    theta = _flat(net, p)
    shapes = [p[k].shape for k in net.params]

    def outputs(t: np.ndarray) -> np.ndarray:
        q, start = {}, 0
        for k, s in zip(net.params, shapes):
            n = int(np.prod(s))
            q[k], start = t[start:start + n].reshape(s), start + n
        return _forward(net, q, y)[0].ravel()

    h = 1e-6
    J = np.stack([(outputs(theta + h * e) - outputs(theta - h * e)) / (2 * h) for e in np.eye(theta.size)], axis=1)
    want = 2 / len(x) * J.T @ (J @ _flat(net, v))
    np.testing.assert_allclose(_flat(net, net.gauss_newton_vector(p, v, x, y)), want, rtol=1e-6, atol=1e-8)


def test_single_layer_products_match_the_dense_matrices_and_one_block() -> None:
    net = gradients.single_layer()
    rng = np.random.default_rng(2)
    p = net.init([3, 5, 2])
    x, y = rng.normal(size=(6, 2)), rng.normal(size=(6, 3))
    v = {k: rng.normal(size=a.shape) for k, a in p.items()}
    H, G = net.hessian_matrix(p, x, y), net.gauss_newton_matrix(p, x, y)
    np.testing.assert_allclose(net.flat(net.hessian_vector(p, v, x, y)), H @ net.flat(v), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(net.flat(net.gauss_newton_vector(p, v, x, y)), G @ net.flat(v), rtol=1e-10, atol=1e-12)
    # one block: H_{A b} v_b, compiled from net.hvp("A", "b")
    fn = el.compile(net.hvp("A", "b"), out=("j1", "j2"))
    got = fn(**{k: p[k] for k in ("A", "b", "B")}, x=x, y=y, vb=v["b"], K=6)
    np.testing.assert_allclose(got.ravel(), H[:15, 15:20] @ v["b"], rtol=1e-10, atol=1e-12)


def _single_layer_jax_torch_data() -> tuple[Any, ...]:
    net = gradients.single_layer()
    rng = np.random.default_rng(3)
    p = net.init([4, 6, 3])
    x, y = rng.normal(size=(7, 3)), rng.normal(size=(7, 4))
    v = {k: rng.normal(size=a.shape) for k, a in p.items()}
    return net, p, x, y, v


def test_hessian_vector_matches_jax() -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    net, p, x, y, v = _single_layer_jax_torch_data()

    def loss(q: dict[str, Any]) -> Any:
        f = jax.nn.sigmoid(y @ q["A"].T + q["b"]) @ q["B"].T
        return jnp.mean(jnp.sum((x - f) ** 2, axis=1))

    want = jax.jvp(jax.grad(loss), (p,), (v,))[1]
    got = net.hessian_vector(p, v, x, y)
    for k in net.params:
        np.testing.assert_allclose(got[k], np.asarray(want[k]), rtol=1e-9, atol=1e-12)


def test_hessian_vector_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    net, p, x, y, v = _single_layer_jax_torch_data()
    tx, ty = torch.tensor(x), torch.tensor(y)

    def loss(A: Any, b: Any, B: Any) -> Any:
        f = torch.sigmoid(ty @ A.T + b) @ B.T
        return ((tx - f) ** 2).sum(dim=1).mean()

    prims = tuple(torch.tensor(p[k]) for k in net.params)
    tangents = tuple(torch.tensor(v[k]) for k in net.params)
    _, want = torch.autograd.functional.hvp(loss, prims, tangents)
    got = net.hessian_vector(p, v, x, y)
    for k, w in zip(net.params, want):
        np.testing.assert_allclose(got[k], w.numpy(), rtol=1e-9, atol=1e-12)


def test_bad_vectors_are_einstein_errors_that_name_the_block() -> None:
    net, p, x, y, v = _problem([3, 2])
    with pytest.raises(el.EinsteinError, match="misses the parameter block b1"):
        net.hessian_vector(p, {"W1": v["W1"]}, x, y)
    with pytest.raises(el.EinsteinError, match=r"block W1 has shape \(3, 2\), the parameter W1 has shape \(2, 3\)"):
        net.gauss_newton_vector(p, {**v, "W1": v["W1"].T}, x, y)
    with pytest.raises(el.EinsteinError, match="unknown parameter 'Q'"):
        net.hvp("Q")


def test_the_products_pass_the_activation_over_each_layer_once() -> None:
    # sigma'' and tanh'' come from the activation's value even where their argument is the same
    # matrix product written transposed (a separate node the code generator finds again): one exp
    # per sigmoid layer and one tanh per tanh layer, never the registered second derivative
    net = gradients.single_layer()
    p = net.init([3, 5, 2])
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(4, 2)), rng.normal(size=(4, 3))
    v = {k: rng.normal(size=a.shape) for k, a in p.items()}
    net.hessian_vector(p, v, x, y)
    src = net._product_step("hvp").fn.source
    assert src.count("np.exp(") == 1 and "_f0(" not in src
    deep, sizes = gradients.mlp([3, 4, 4, 2]), [3, 4, 4, 2]
    q = deep.init(sizes)
    w = {k: rng.normal(size=a.shape) for k, a in q.items()}
    deep.hessian_vector(q, w, rng.normal(size=(4, 2)), rng.normal(size=(4, 3)))
    src = deep._product_step("hvp").fn.source
    assert src.count("np.tanh(") == 2 and "_f0(" not in src
