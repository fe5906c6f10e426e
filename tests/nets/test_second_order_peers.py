"""Second-order products of random MLPs of depth 1-4 against jax and torch autodiff (issue 14's acceptance).

The loss is written here from the network's layers, in jax and in torch:
``L = 1/K sum_k |x_k - f(y_k)|^2`` with ``h_n = act(h_{n-1} W_n^T + b_n)``, the last layer linear. The
oracles are the peers' own autodiff: ``jvp(grad)`` for ``H v``; ``J^T (J v)`` of the outputs (a jvp, then a
vjp) for the Gauss-Newton product; the diagonal of their dense Hessian for the Hessian diagonal. Each
network is derived and compiled once per module (the derivations of depth 4 take seconds).
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest

from einsteinpy_lite import gradients

# depth 1-4, two activations, a network without an output bias; sizes [N_y, N_1, ..., N_x]
CASES = [
    ([3, 2], "tanh", True),
    ([3, 4, 2], "sigmoid", True),
    ([2, 3, 3, 2], "tanh", False),
    ([2, 3, 2, 3, 2], "softplus", True),
]
IDS = ["depth1-tanh", "depth2-sigmoid", "depth3-tanh-nobias", "depth4-softplus"]


@pytest.fixture(scope="module", params=CASES, ids=IDS)
def problem(request: pytest.FixtureRequest) -> tuple[Any, ...]:
    if not any(importlib.util.find_spec(m) for m in ("jax", "torch")):
        pytest.skip("neither jax nor torch is installed")
    sizes, act, out_bias = request.param
    rng = np.random.default_rng(len(sizes))
    net = gradients.mlp(sizes, activation=act, output_bias=out_bias)
    p = net.init(sizes, seed=len(sizes))
    K = 6
    x, y = rng.normal(size=(K, sizes[-1])), rng.normal(size=(K, sizes[0]))
    v = {k: rng.normal(size=a.shape) for k, a in p.items()}
    ours = {"hvp": net.hessian_vector(p, v, x, y), "ggn": net.gauss_newton_vector(p, v, x, y),
            "diag": net.hessian_diagonal_values(p, x, y)}
    return net, act, p, x, y, v, ours


def _jax_act(jax: Any, name: str) -> Any:
    return {"tanh": jax.numpy.tanh, "sigmoid": jax.nn.sigmoid, "softplus": jax.nn.softplus}[name]


def _torch_act(torch: Any, name: str) -> Any:
    return {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "softplus": torch.nn.functional.softplus}[name]


def _outputs(net: Any, act: Any, q: dict[str, Any], y: Any) -> Any:
    h = y
    for n, layer in enumerate(net.layers):
        h = h @ q[layer.weight].T
        if layer.bias:
            h = h + q[layer.bias]
        if n < len(net.layers) - 1:
            h = act(h)
    return h


def _close(got: dict[str, np.ndarray], want: dict[str, Any], net: Any) -> None:
    for k in net.params:
        np.testing.assert_allclose(got[k], np.asarray(want[k]).reshape(got[k].shape), rtol=1e-9, atol=1e-12,
                                   err_msg=f"block {k}")


def test_products_and_diagonal_match_jax(problem: tuple[Any, ...]) -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    net, act_name, p, x, y, v, ours = problem
    act = _jax_act(jax, act_name)
    jp = {k: jnp.asarray(a) for k, a in p.items()}
    jv = {k: jnp.asarray(a) for k, a in v.items()}

    def outputs(q: dict[str, Any]) -> Any:
        return _outputs(net, act, q, jnp.asarray(y))

    def loss(q: dict[str, Any]) -> Any:
        return jnp.mean(jnp.sum((jnp.asarray(x) - outputs(q)) ** 2, axis=1))

    want_hvp = jax.jvp(jax.grad(loss), (jp,), (jv,))[1]
    _close(ours["hvp"], want_hvp, net)
    f, jv_out = jax.jvp(outputs, (jp,), (jv,))
    _, pullback = jax.vjp(outputs, jp)
    want_ggn = {k: 2 / len(x) * g for k, g in pullback(jv_out)[0].items()}
    _close(ours["ggn"], want_ggn, net)
    # the compiled steps on jax arrays: jax arrays back, equal to jax's own autodiff
    arrays = {**jp, **{f"v{k}": a for k, a in jv.items()}, "x": jnp.asarray(x), "y": jnp.asarray(y)}
    for kind, want in (("hvp", want_hvp), ("ggn_vp", want_ggn)):
        got = net._product_step(kind)(**arrays)
        assert all(isinstance(got[k], jax.Array) for k in net.params)
        _close({k: np.asarray(got[k]).reshape(p[k].shape) for k in net.params}, want, net)
    flat = jnp.concatenate([jp[k].ravel() for k in net.params])
    shapes = [p[k].shape for k in net.params]

    def loss_flat(t: Any) -> Any:
        q, start = {}, 0
        for k, s in zip(net.params, shapes):
            n = int(np.prod(s))
            q[k], start = t[start:start + n].reshape(s), start + n
        return loss(q)

    diag = np.diag(np.asarray(jax.hessian(loss_flat)(flat)))
    np.testing.assert_allclose(net.flat(ours["diag"]), diag, rtol=1e-9, atol=1e-12)


def test_products_and_diagonal_match_torch(problem: tuple[Any, ...]) -> None:
    torch = pytest.importorskip("torch")
    net, act_name, p, x, y, v, ours = problem
    act = _torch_act(torch, act_name)
    names = list(net.params)
    tx, ty = torch.tensor(x), torch.tensor(y)
    prims = tuple(torch.tensor(p[k]) for k in names)
    tangents = tuple(torch.tensor(v[k]) for k in names)

    def outputs(*q: Any) -> Any:
        return _outputs(net, act, dict(zip(names, q)), ty)

    def loss(*q: Any) -> Any:
        return ((tx - outputs(*q)) ** 2).sum(dim=1).mean()

    _, hv = torch.autograd.functional.hvp(loss, prims, tangents)
    want_hvp = {k: t.numpy() for k, t in zip(names, hv)}
    _close(ours["hvp"], want_hvp, net)
    _, jv_out = torch.func.jvp(outputs, prims, tangents)
    _, pullback = torch.func.vjp(outputs, *prims)
    want_ggn = {k: 2 / len(x) * t.numpy() for k, t in zip(names, pullback(jv_out))}
    _close(ours["ggn"], want_ggn, net)
    H = torch.autograd.functional.hessian(loss, prims)
    diag = np.concatenate([torch.diagonal(H[i][i].reshape(prims[i].numel(), -1)).numpy() for i in range(len(names))])
    np.testing.assert_allclose(net.flat(ours["diag"]), diag, rtol=1e-9, atol=1e-12)
    # the same compiled steps on torch tensors (the array-API path an accelerator takes): torch
    # tensors back, equal to torch's own autodiff
    arrays = {**{k: torch.tensor(a) for k, a in p.items()}, **{f"v{k}": torch.tensor(a) for k, a in v.items()},
              "x": tx, "y": ty}
    for kind, want in (("hvp", want_hvp), ("ggn_vp", want_ggn)):
        got = net._product_step(kind)(**arrays)
        assert all(isinstance(got[k], torch.Tensor) and got[k].dtype == torch.float64 for k in names)
        _close({k: got[k].numpy().reshape(p[k].shape) for k in names}, want, net)
    got = net._diagonal_step()(**arrays)
    assert all(isinstance(got[k], torch.Tensor) for k in names)
    np.testing.assert_allclose(np.concatenate([got[k].numpy().ravel() for k in names]), diag, rtol=1e-9, atol=1e-12)
