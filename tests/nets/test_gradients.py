"""Tests of einsteinpy_lite.gradients: the slides' derivative tensors, the loss, directions, Hessian, MLPs.

Numbers come from ``ref_eval`` (tests/unit/test_diff.py, an einsum walk over the
tree) and central finite differences; the compiled step is checked against them
when :func:`einsteinpy_lite.compile` is available.
"""

from __future__ import annotations

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import gradients
from einsteinpy_lite.core.functions import function_names, get_function
from einsteinpy_lite.core.rename import rename_free
from einsteinpy_lite.selftest.tree import POSITIVE_ARG
from tests.algebra.test_diff import ref_eval

SIGMA = get_function("sigmoid")


def _data(net, sizes, K=4, seed=0, positive=False, activation=""):
    rng = np.random.default_rng(seed)
    params = net.init(sizes, seed=seed, scale=0.1 if activation == "exp" else 0.5)
    x = rng.normal(size=(K, sizes[-1]))
    y = rng.normal(size=(K, sizes[0]))
    if positive:  # log activation: keep every pre-activation positive
        params = {p: np.abs(v) + (3.0 if v.ndim == 1 else 0.1) for p, v in params.items()}
        y = np.abs(y) + 0.1
    return params, x, y


def _loss_np(net, params, x, y):
    h = y
    for layer in net.layers:
        z = h @ params[layer.weight].T + (params[layer.bias] if layer.bias else 0.0)
        h = get_function(layer.activation)(z) if layer.activation else z
    return float(np.mean(np.sum((x - h) ** 2, axis=1)))


def _value(e, params, x, y, **extra):
    return ref_eval(e, {**params, "x": x, "y": y, **extra}, {"K": float(x.shape[0])})


def _axes(e, value, names):
    have = [ix.name for ix in e.free]
    return np.transpose(value, [have.index(n) for n in names]) if value.ndim else value


# ============================================================== the slides' network, symbolically


def test_single_layer_expressions_are_the_slides():
    net = gradients.single_layer()
    assert str(net.f) == r"B^i_j \sigma(A^j_l y^l + b^j)"
    assert net.params == ("A", "b", "B")
    compact = {
        "y": r"B^{i}{}_{j} [\nabla\sigma]^{j}{}_{k} A^{k}{}_{j_{1}}",
        "A": r"B^{i}{}_{j} [\nabla\sigma]^{j}{}_{j_{1}} y^{j_{2}}",
        "b": r"B^{i}{}_{j} [\nabla\sigma]^{j}{}_{j_{1}}",
        "B": r"\delta^{i}{}_{j_{1}} \sigma(A^{j_{2}}{}_{l} y^{l} + b^{j_{2}})",
    }
    got = {"y": net.grad_y, "A": net.grad("A"), "b": net.grad("b"), "B": net.grad("B")}
    for name, expected in compact.items():
        assert el.latex(got[name], compact=True) == expected
    slides = {
        "y": r"B^{i_1}_{i_2} [\nabla\sigma(A^{i_2}_l y^l + b^{i_2})]^{i_2}_{i_3} A^{i_3}_{j_1}",
        "A": r"B^{i_1}_{i_2} [\nabla\sigma(A^{i_2}_l y^l + b^{i_2})]^{i_2}_{i_3} \delta^{i_3}_{j_1} y^{j_2}",
        "b": r"B^{i_1}_{i_2} [\nabla\sigma(A^{i_2}_l y^l + b^{i_2})]^{i_2}_{j_1}",
        "B": r"\delta^{i_1}_{j_1} \sigma(A^{j_2}_l y^l + b^{j_2})",
    }
    for name, text in slides.items():
        assert el.equal(got[name], rename_free(el.parse(text), {"i1": "i"})), name


def test_attributes_and_loss_text():
    net = gradients.single_layer()
    assert net.grad_A == net.grads["A"] and net.grad_b == net.grads["b"] and net.grad_B == net.grads["B"]
    assert str(net.loss) == (r"(1/K) \sum_{k=0}^{K - 1} (x_k^i - B^i_j \sigma(A^j_l y_k^l + b^j)) \delta_{i p}"
                             r" (x_k^p - B^p_q \sigma(A^q_r y_k^r + b^q))")
    assert [ix.key for ix in net.epsilon.free] == [("i", True)] and net.epsilon.open_bound == {"k"}
    assert el.latex(net.directions_eps["A"], compact=True) == (
        r"\frac{2}{K} \sum_{k=0}^{K - 1} \epsilon_{k i} B^{i}{}_{j} [\nabla\sigma]^{j}{}_{j_{1}} y_{k}{}^{j_{2}}")
    for p in net.params:
        assert net.loss_grad[p].free_keys == net.directions[p].free_keys
        assert [ix.name for ix in net.directions[p].free] == [ix.name for ix in net.variable(p).indices]


def test_directions_are_minus_the_loss_gradient_and_match_finite_differences():
    net = gradients.single_layer()
    params, x, y = _data(net, [3, 4, 2], K=5, seed=1)
    eps = 1e-6
    for p in net.params:
        g = _axes(net.loss_grad[p], _value(net.loss_grad[p], params, x, y), [ix.name for ix in net.variable(p).indices])
        d = _axes(net.directions[p], _value(net.directions[p], params, x, y),
                  [ix.name for ix in net.variable(p).indices])
        np.testing.assert_allclose(d, -g, rtol=1e-10, atol=1e-12)
        v = np.random.default_rng(2).normal(size=params[p].shape)
        plus = _loss_np(net, {**params, p: params[p] + eps * v}, x, y)
        minus = _loss_np(net, {**params, p: params[p] - eps * v}, x, y)
        assert abs(np.sum(g * v) - (plus - minus) / (2 * eps)) < 1e-6
        # the loss itself
    np.testing.assert_allclose(_value(net.loss, params, x, y), _loss_np(net, params, x, y), rtol=1e-12)


def test_hessian_of_the_loss_wrt_A_matches_the_closed_form():
    net = gradients.single_layer()
    params, x, y = _data(net, [3, 4, 2], K=5, seed=3)
    h = net.hessian("A")
    assert [ix.key for ix in h.free] == [("j1", False), ("j2", True), ("j3", False), ("j4", True)]
    got = _axes(h, _value(h, params, x, y), ["j1", "j2", "j3", "j4"])
    np.testing.assert_allclose(got, hessian_A_closed_form(params, x, y), rtol=1e-9, atol=1e-12)


def hessian_A_closed_form(params, x, y):
    A, b, B = params["A"], params["b"], params["B"]
    K = x.shape[0]
    z = y @ A.T + b
    s1, s2 = SIGMA(z, 1), SIGMA(z, 2)
    r = (x - SIGMA(z) @ B.T) @ B  # (K, N1)
    m = s1[:, :, None] * y[:, None, :]  # (K, N1, Ny)
    h = np.einsum("jl,kjn,klm->jnlm", B.T @ B, m, m)
    diag = np.einsum("kj,kj,kn,km->jnm", r, s2, y, y)
    n1 = A.shape[0]
    h[np.arange(n1), :, np.arange(n1), :] -= diag
    return 2.0 / K * h


def test_jvp_and_vjp_are_the_jacobian_applied_from_either_side():
    net = gradients.single_layer()
    params, _, _ = _data(net, [3, 4, 2], seed=4)
    rng = np.random.default_rng(5)
    y1 = rng.normal(size=3)
    for p in net.params:
        names = [ix.name for ix in net.variable(p).indices]
        jac = _axes(net.grad(p), ref_eval(net.grad(p), {**params, "y": y1}, sizes={"i": 2}), ["i", *names])
        v = rng.normal(size=params[p].shape)
        u = rng.normal(size=2)
        jv = ref_eval(net.jvp(p), {**params, "y": y1, f"d{p}": v})
        uj = _axes(net.vjp(p), ref_eval(net.vjp(p), {**params, "y": y1, "u": u}), names)
        np.testing.assert_allclose(jv, np.tensordot(jac, v, axes=v.ndim), rtol=1e-10)
        np.testing.assert_allclose(uj, np.tensordot(u, jac, axes=1), rtol=1e-10)
        assert [ix.name for ix in net.jvp(p).free] == ["i"]


def test_gauss_newton_blocks_are_jacobian_products():
    net = gradients.single_layer()
    params, x, y = _data(net, [3, 4, 2], K=3, seed=6)
    jacs = []
    for k in range(3):
        cols = []
        for p in net.params:
            names = [ix.name for ix in net.variable(p).indices]
            j = _axes(net.grad(p), ref_eval(net.grad(p), {**params, "y": y[k]}, sizes={"i": 2}), ["i", *names])
            cols.append(j.reshape(2, -1))
        jacs.append(np.concatenate(cols, axis=1))
    want = 2.0 / 3 * sum(j.T @ j for j in jacs)
    sizes = {p: params[p].size for p in net.params}
    offs = np.cumsum([0] + [sizes[p] for p in net.params])
    for a, p in enumerate(net.params):
        for c, q in enumerate(net.params):
            g = net.gauss_newton(p, q)
            names = [ix.name for ix in net.variable(p).indices] + [ix.name for ix in
                                                                  net.variable(q, len(params[p].shape) + 1).indices]
            dims = dict(zip(names, params[p].shape + params[q].shape))
            value = ref_eval(g, {**params, "x": x, "y": y}, {"K": 3.0}, dims)
            block = _axes(g, value, names).reshape(sizes[p], sizes[q])
            np.testing.assert_allclose(block, want[offs[a]:offs[a + 1], offs[c]:offs[c + 1]], rtol=1e-9, atol=1e-12)


# ============================================================== MLPs of any depth


CASES = [(depth, "tanh") for depth in (1, 2, 3, 4)] + [
    # (not the constant \mathrm{ones}: the gradients of the layers below it are zero tensors)
    (2 + n % 3, name) for n, name in enumerate(function_names()) if name not in ("tanh", "ones")
]


@pytest.mark.parametrize("depth, activation", CASES)
def test_mlp_loss_gradient_matches_finite_differences(depth, activation):
    sizes = [3] + [3] * (depth - 1) + [2]
    net = gradients.mlp(sizes, activation=activation)
    params, x, y = _data(net, sizes, K=3, seed=depth, positive=activation in POSITIVE_ARG, activation=activation)
    rng = np.random.default_rng(7)
    eps = 1e-6
    for p in net.params:
        names = [ix.name for ix in net.variable(p).indices]
        g = _axes(net.loss_grad[p], _value(net.loss_grad[p], params, x, y), names)
        assert g.shape == params[p].shape and np.isfinite(g).all()  # (NaN == NaN would pass assert_allclose)
        v = rng.normal(size=params[p].shape)
        plus = _loss_np(net, {**params, p: params[p] + eps * v}, x, y)
        minus = _loss_np(net, {**params, p: params[p] - eps * v}, x, y)
        np.testing.assert_allclose(np.sum(g * v), (plus - minus) / (2 * eps), rtol=1e-5, atol=1e-7)


def test_mlp_against_torch_autograd():
    torch = pytest.importorskip("torch")
    sizes = [3, 4, 4, 2]
    net = gradients.mlp(sizes, activation="tanh")
    params, x, y = _data(net, sizes, K=5, seed=8)
    tp = {p: torch.tensor(v, requires_grad=True) for p, v in params.items()}
    h = torch.tensor(y)
    for layer in net.layers:
        h = h @ tp[layer.weight].T + tp[layer.bias]
        if layer.activation:
            h = torch.tanh(h)
    loss = ((torch.tensor(x) - h) ** 2).sum(dim=1).mean()
    loss.backward()
    for p in net.params:
        names = [ix.name for ix in net.variable(p).indices]
        g = _axes(net.loss_grad[p], _value(net.loss_grad[p], params, x, y), names)
        np.testing.assert_allclose(g, tp[p].grad.numpy(), rtol=1e-9, atol=1e-12)


def test_mlp_without_output_bias_is_the_single_layer():
    net = gradients.mlp([3, 4, 2], activation="sigmoid", output_bias=False)
    assert net.params == ("W1", "b1", "W2")
    one = gradients.single_layer()
    assert el.latex(net.grad("W1"), compact=True) == r"W2^{i}{}_{j} [\nabla\sigma]^{j}{}_{j_{1}} y^{j_{2}}"
    params, x, y = _data(net, [3, 4, 2], seed=9)
    renamed = {"A": params["W1"], "b": params["b1"], "B": params["W2"]}
    np.testing.assert_allclose(_value(net.loss, params, x, y), _value(one.loss, renamed, x, y), rtol=1e-12)


# ============================================================== compiled


def test_compiled_step_matches_the_reference():
    net = gradients.single_layer()
    params, x, y = _data(net, [3, 4, 2], K=6, seed=10)
    step = net.compile()
    out = step(**params, x=x, y=y)
    assert set(out) == {"loss", "d_A", "d_b", "d_B"}
    np.testing.assert_allclose(out["loss"], _loss_np(net, params, x, y), rtol=1e-10)
    for p in net.params:
        assert out[f"d_{p}"].shape == params[p].shape
        names = [ix.name for ix in net.variable(p).indices]
        want = _axes(net.directions[p], _value(net.directions[p], params, x, y), names)
        np.testing.assert_allclose(out[f"d_{p}"], want, rtol=1e-9, atol=1e-12)
    hess = net.hessian_matrix(params, x, y)
    n = params["A"].size
    np.testing.assert_allclose(hess[:n, :n], hessian_A_closed_form(params, x, y).reshape(n, n), rtol=1e-9, atol=1e-12)
    # every column of the full Hessian is the finite difference of the gradient (-d) of the step
    theta = net.flat(params)
    offsets = np.cumsum([0] + [params[p].size for p in net.params])

    def grad_at(t):
        ps = {p: t[offsets[a]:offsets[a + 1]].reshape(params[p].shape) for a, p in enumerate(net.params)}
        o = step(**ps, x=x, y=y)
        return -np.concatenate([o[f"d_{p}"].ravel() for p in net.params])

    eps = 1e-6
    fd = np.stack([(grad_at(theta + eps * e) - grad_at(theta - eps * e)) / (2 * eps) for e in np.eye(theta.size)], 1)
    np.testing.assert_allclose(hess, fd, rtol=1e-5, atol=1e-7)
    # Gauss-Newton = 2/K sum_k J_k^T J_k with the compiled Jacobian (N_x x P)
    jacs = [net.jacobian(params, y[k]) for k in range(x.shape[0])]
    assert jacs[0].shape == (2, theta.size)
    want = 2.0 / x.shape[0] * sum(j.T @ j for j in jacs)
    np.testing.assert_allclose(net.gauss_newton_matrix(params, x, y), want, rtol=1e-9, atol=1e-12)


# ============================================================== bad input


def test_bad_input():
    net = gradients.single_layer()
    with pytest.raises(el.EinsteinError, match=r"unknown parameter 'C'.*A, b, B"):
        net.hessian("C")
    with pytest.raises(el.EinsteinError, match=r"unknown function 'nope'"):
        gradients.single_layer(activation="nope")
    with pytest.raises(el.EinsteinError, match=r"at least one layer"):
        gradients.mlp([3])
    with pytest.raises(el.EinsteinError, match=r"needs 3 sizes, got 2"):
        net.shapes([3, 2])


def test_mlp_compiled_step_and_forward_vs_backward():
    sizes = [3, 4, 4, 2]
    net = gradients.mlp(sizes, activation="softplus")
    params, x, y = _data(net, sizes, K=5, seed=11)
    out = net.compile()(**params, x=x, y=y)
    assert set(out) == {"loss"} | {f"d_{p}" for p in net.params}
    np.testing.assert_allclose(out["loss"], _loss_np(net, params, x, y), rtol=1e-10)
    for p in net.params:
        names = [ix.name for ix in net.variable(p).indices]
        want = -_axes(net.loss_grad[p], _value(net.loss_grad[p], params, x, y), names)
        np.testing.assert_allclose(out[f"d_{p}"], want, rtol=1e-9, atol=1e-12)
    cost = gradients.single_layer().forward_vs_backward([16, 32, 8])
    assert cost["P"] == 32 * 16 + 32 + 8 * 32
    assert set(cost["jvp"]) == set(cost["vjp"]) == {"A", "b", "B"}
    # one backward pass against one forward pass per parameter entry
    assert cost["forward"] == sum(n * cost["jvp"][p] for p, n in (("A", 512), ("b", 32), ("B", 256)))
    assert cost["ratio"] > 100


def test_compiled_hessian_expression_has_the_shape_of_the_design():
    net = gradients.single_layer()
    params, x, y = _data(net, [3, 4, 2], K=5, seed=12)
    h = el.compile(net.hessian("A"))(**params, x=x, y=y)
    assert h.shape == (4, 3, 4, 3)  # (N_1, N_y, N_1, N_y)
    np.testing.assert_allclose(h, hessian_A_closed_form(params, x, y), rtol=1e-9, atol=1e-12)


def test_printed_gradients_parse_back_equal():
    """Every expression the single-layer net prints reads back as the same expression."""
    from einsteinpy_lite import parse

    net = gradients.single_layer()
    exprs = [net.f, net.grad_y, net.grad_A, net.grad_b, net.grad_B, net.loss, net.hessian("A")]
    exprs += list(net.loss_grad.values()) + list(net.directions.values())
    for e in exprs:
        assert parse(str(e)) == e, str(e)


@pytest.mark.parametrize(("sizes", "message"), [
    (None, r"mlp: sizes must be a list of layer sizes \[N_y, N_1, ..., N_x\] or a number of layers, got None"),
    ("48", r"sizes must be a list of layer sizes .* got '48'"),
    ([0, 2], r"layer size 0 \(item 0 of \[0, 2\]\) is not a positive integer"),
    ([4, "a"], r"layer size 'a' \(item 1 of \[4, 'a'\]\) is not a positive integer"),
    ([4, 2.5], r"layer size 2.5 \(item 1 of \[4, 2.5\]\) is not a positive integer"),
    ([3], r"an MLP needs at least one layer \(two sizes\), got \[3\]"),
])
def test_mlp_sizes_are_checked(sizes, message):
    with pytest.raises(el.EinsteinError, match=message):
        gradients.mlp(sizes)
    assert gradients.mlp([np.int64(4), 2]).params == gradients.mlp(1).params


def test_network_methods_name_missing_parameters_and_bad_sizes():
    net = gradients.single_layer()
    with pytest.raises(el.EinsteinError, match=r"layer size -1 \(item 1 of \[3, -1, 2\]\) is not a positive integer"):
        net.shapes([3, -1, 2])
    with pytest.raises(el.EinsteinError, match=r"layer size -1"):
        net.init([3, -1, 2])
    with pytest.raises(el.EinsteinError, match=r"sizes must be a list of layer sizes .* got None"):
        net.forward_vs_backward(None)  # type: ignore[arg-type]
    with pytest.raises(el.EinsteinError, match=r"missing parameters b, B: this network's parameters are A, b, B"):
        net.flat({"A": np.ones((4, 3))})
    with pytest.raises(el.EinsteinError, match=r"missing parameters b, B"):
        net.jacobian({"A": np.ones((4, 3))}, np.ones(3))
    with pytest.raises(el.EinsteinError, match=r"missing parameters A, b, B"):
        net.hessian_matrix({}, np.ones((2, 2)), np.ones((2, 3)))
    # a compiled step with an array left out says which (was a KeyError while reading delta sizes)
    with pytest.raises(el.EinsteinError, match=r"missing array"):
        gradients.mlp([2, 3, 1]).compile()(W1=np.ones((3, 2)))


# ============================================================== every matrix method, MLPs of depth 1-5 (issue 9)


def _forward_np(net, params, y):
    """The MLP's forward pass written in numpy from the layers (works on complex arrays for the complex step)."""
    h = y
    for layer in net.layers:
        z = h @ params[layer.weight].T + (params[layer.bias] if layer.bias else 0.0)
        h = {"tanh": np.tanh, "sigmoid": lambda v: 1 / (1 + np.exp(-v))}[layer.activation](z) if layer.activation else z
    return h


def _unflat(net, params, theta):
    out, at = {}, 0
    for p in net.params:
        n = params[p].size
        out[p] = theta[at:at + n].reshape(params[p].shape)
        at += n
    return out


def _complex_step_grad(fn, theta, h=1e-30):
    """The exact gradient of an analytic scalar function by the complex step (no subtraction, no error)."""
    return np.array([fn(theta + 1j * h * e).imag / h for e in np.eye(theta.size)])


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5])
def test_every_matrix_method_of_an_mlp_with_output_bias(depth):
    """hessian_matrix, gauss_newton_matrix and jacobian of the default MLP (output bias included) against numpy.

    Before the fix every default MLP raised "missing scalar 'K'": the output bias's curvature block was
    ``-(2/K) \\sum_k 0`` and no array carried the sample axis.
    """
    sizes = [2] + [3] * (depth - 1) + [2]
    net = gradients.mlp(sizes)
    assert net.layers[-1].bias is not None
    params = net.init(seed=depth, scale=1.5)
    rng = np.random.default_rng(depth)
    x, y = rng.normal(size=(4, sizes[-1])), rng.normal(size=(4, sizes[0]))  # targets x, inputs y
    theta = net.flat(params)

    def loss(t):
        eps = x - _forward_np(net, _unflat(net, params, t), y)
        return np.sum(eps * eps) / x.shape[0]  # analytic (no abs), so the complex step applies

    def grad(t):
        return _complex_step_grad(loss, t)

    d = 1e-5
    fd_hessian = np.stack([(grad(theta + d * e) - grad(theta - d * e)) / (2 * d) for e in np.eye(theta.size)], 1)
    H = net.hessian_matrix(params, x, y)
    assert H.shape == (theta.size, theta.size)
    np.testing.assert_allclose(H, fd_hessian, rtol=1e-6, atol=1e-8)
    # Jacobian of f for each sample by the complex step of the numpy forward pass
    jacs = []
    for k in range(x.shape[0]):
        J = np.stack([_forward_np(net, _unflat(net, params, theta + 1e-30j * e), y[k]).imag / 1e-30
                      for e in np.eye(theta.size)], 1)
        np.testing.assert_allclose(net.jacobian(params, y[k]), J, rtol=1e-10, atol=1e-12)
        jacs.append(J)
    gn = 2.0 / x.shape[0] * sum(J.T @ J for J in jacs)
    np.testing.assert_allclose(net.gauss_newton_matrix(params, x, y), gn, rtol=1e-10, atol=1e-12)
    # and the objective built from the net: loss, gradient and Hessian
    obj = net.objective(x, y)
    value, g = obj.value_and_grad(params)
    np.testing.assert_allclose(value, loss(theta).real, rtol=1e-12)
    np.testing.assert_allclose(np.concatenate([g[p].ravel() for p in net.params]), grad(theta), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(obj.hessian(params), H)


def test_a_block_that_is_a_sum_of_zeros_is_zero_and_needs_no_K():
    net = gradients.mlp([3, 4, 2])
    assert str(net.hessian("b2")) == r"2 \delta_{j1 j2}"  # was 2 \delta_{j1 j2} - (2/K) \sum_{k=0}^{K - 1} 0_{j1 j2}
    assert "K" not in el.compile(net.hessian("b2")).scalars
    # K comes from the data's sample axis wherever the compiled block asks for it
    params = net.init()
    block = net._block_step("hessian", "W1", "b2")
    x, y = np.zeros((7, 2)), np.ones((7, 3))
    assert block.sizes({**params, "x": x, "y": y}).get("K") == 7


def test_network_repr_init_predict_and_objective():
    net = gradients.mlp([3, 4, 2])
    text = repr(net)
    for part in ("mlp", "2 layers", "tanh, linear", "input y (N_y=3)", "target x (N_x=2)", "W1 4x3", "b2 2", "P=26"):
        assert part in text, (part, text)
    assert len(text) < 300
    params = net.init()  # the sizes it was built with
    assert {p: v.shape for p, v in params.items()} == {"W1": (4, 3), "b1": (4,), "W2": (2, 4), "b2": (2,)}
    sl = gradients.single_layer()
    assert "sizes not set" in repr(sl)
    with pytest.raises(el.EinsteinError, match=r"single_layer: no layer sizes yet.*net.init\(\[N_y, \.\.\., N_x\]\)"):
        sl.init()
    sl.init([3, 5, 2])
    assert sl.sizes == [3, 5, 2] and sl.init()["A"].shape == (5, 3) and "N_y=3" in repr(sl)
    # predict: the forward pass on a batch of inputs, against numpy
    y = np.random.default_rng(1).normal(size=(6, 3))
    want = np.tanh(y @ params["W1"].T + params["b1"]) @ params["W2"].T + params["b2"]
    np.testing.assert_allclose(net.predict(params, y), want, rtol=1e-12)
    np.testing.assert_allclose(net.predict(params, y[0]), want[0], rtol=1e-12)
    one = el.compile(net.f)(**params, y=y[0])  # the compiled index expression agrees
    np.testing.assert_allclose(one, want[0], rtol=1e-12)
    with pytest.raises(el.EinsteinError, match=r"W1 has shape \(4, 3\), the input y has 5 entries per row"):
        net.predict(params, np.ones((2, 5)))
    # the objective is ready for optim; targets x first, inputs y second, named in the errors
    from einsteinpy_lite import optim

    x = np.random.default_rng(2).normal(size=(6, 2))
    obj = net.objective(x, y)
    r = optim.gradient_descent(obj, params, alpha=0.05, max_iter=30, progress=False)
    assert r.loss < r.losses[0]
    assert optim.newton(obj, params, max_iter=3, progress=False).loss < r.losses[0]
    with pytest.raises(el.EinsteinError, match=r"the target x has 3 columns, this network's output size N_x is 2"):
        net.objective(y, x)
    with pytest.raises(el.EinsteinError, match=r"the target x has 6 rows and the input y 5"):
        net.objective(x, y[:5])
    with pytest.raises(el.EinsteinError, match=r"the input y must be a \(K, N_y\) array"):
        net.hessian_matrix(params, x, y[0])
