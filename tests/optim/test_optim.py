"""The gradient-descent methods: stop reasons, exactness on quadratics, line searches, preconditioning."""

import warnings

import numpy as np
import pytest

from einsteinpy_lite import EinsteinError, optim
from einsteinpy_lite.nets import objective as objective_mod


def spd(n, kappa, seed=0):
    rng = np.random.default_rng(seed)
    R = np.linalg.qr(rng.normal(size=(n, n)))[0]
    Q = R @ np.diag(np.geomspace(1.0, kappa, n)) @ R.T
    return (Q + Q.T) / 2


def two_block_quadratic(seed=1):
    """L = 1/2 z.Q z - c.z with z = (vec(W), v): two named parameters coupled through Q."""
    Q = spd(6, 20.0, seed)
    c = np.random.default_rng(seed).normal(size=6)

    def z(p):
        return np.concatenate([p["W"].reshape(-1), p["v"]])

    def grad(p):
        g = Q @ z(p) - c
        return {"W": g[:4].reshape(2, 2), "v": g[4:]}

    obj = optim.from_callables(lambda p: 0.5 * z(p) @ Q @ z(p) - c @ z(p), grad, hessian=lambda p: Q,
                               quadratic=True, names=("W", "v"))
    return obj, np.linalg.solve(Q, c), {"W": np.zeros((2, 2)), "v": np.zeros(2)}


def rosenbrock(with_hessian=False, b=100.0):
    def f(p):
        x, y = p["theta"]
        return (1 - x) ** 2 + b * (y - x * x) ** 2

    def g(p):
        x, y = p["theta"]
        return {"theta": np.array([-2 * (1 - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x)])}

    def h(p):
        x, y = p["theta"]
        return np.array([[2 - 4 * b * (y - 3 * x * x), -4 * b * x], [-4 * b * x, 2 * b]])

    return optim.from_callables(f, g, hessian=h if with_hessian else None)


# ----------------------------------------------------------------------------- Newton


@pytest.mark.parametrize("n,kappa", [(1, 1.0), (2, 10.0), (8, 1e4)])
def test_newton_takes_one_step_on_a_quadratic(n, kappa):
    Q = spd(n, kappa)
    c = np.arange(1.0, n + 1)
    r = optim.newton(optim.quadratic(Q, c), np.full(n, 3.0), tol=1e-8)
    assert (r.n_iter, r.reason) == (1, "converged")
    np.testing.assert_allclose(r.params["theta"], np.linalg.solve(Q, c), rtol=1e-8)
    assert r.step_sizes.tolist() == [1.0]


def test_newton_flattens_the_hessian_over_named_parameters():
    obj, star, start = two_block_quadratic()
    r = optim.newton(obj, start)
    assert r.n_iter == 1 and r.converged
    np.testing.assert_allclose(np.concatenate([r.params["W"].ravel(), r.params["v"]]), star, rtol=1e-10)
    assert r.params["W"].shape == (2, 2)


def test_damped_newton_on_rosenbrock_converges():
    r = optim.newton(rosenbrock(with_hessian=True), np.array([-1.2, 1.0]), tol=1e-10)
    assert r.converged and r.n_iter < 40
    np.testing.assert_allclose(r.params["theta"], [1.0, 1.0], atol=1e-8)
    assert np.all(np.diff(r.losses) <= 0)  # the Armijo damping keeps every step a descent step


def test_newton_regularizes_an_indefinite_hessian():
    # f = x^4/4 - x^2/2 + y^2: H is indefinite at the start (x = 0.1), minima at x = +-1
    obj = optim.from_callables(lambda p: p["t"][0] ** 4 / 4 - p["t"][0] ** 2 / 2 + p["t"][1] ** 2,
                               lambda p: {"t": np.array([p["t"][0] ** 3 - p["t"][0], 2 * p["t"][1]])},
                               hessian=lambda p: np.diag([3 * p["t"][0] ** 2 - 1, 2.0]))
    r = optim.newton(obj, {"t": np.array([0.1, 1.0])}, tol=1e-10)
    assert r.converged
    np.testing.assert_allclose(np.abs(r.params["t"]), [1.0, 0.0], atol=1e-8)


def test_newton_needs_a_hessian():
    with pytest.raises(EinsteinError, match="needs the objective's Hessian"):
        optim.newton(rosenbrock(), np.zeros(2))


# ----------------------------------------------------------------------------- fixed step and divergence


@pytest.mark.parametrize("factor", [2.05, 2.5, 4.0])
def test_a_step_above_2_over_L_is_detected_as_divergence(factor):
    Q = spd(5, 50.0)
    L = np.linalg.eigvalsh(Q)[-1]
    with pytest.warns(optim.DivergenceWarning, match="diverged"):
        r = optim.gradient_descent(optim.quadratic(Q), np.ones(5), alpha=factor / L, max_iter=10_000)
    assert r.reason == "diverged"
    assert r.n_iter < 500  # detected early, not at the iteration limit
    assert r.loss > r.losses[0]


def test_a_step_below_2_over_L_converges():
    Q = spd(5, 50.0)
    L = np.linalg.eigvalsh(Q)[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("error", optim.DivergenceWarning)
        r = optim.gradient_descent(optim.quadratic(Q), np.ones(5), alpha=1.9 / L, max_iter=100_000, tol=1e-9)
    assert r.reason == "converged"
    np.testing.assert_allclose(r.params["theta"], 0.0, atol=1e-8)


def test_nan_and_inf_are_divergence():
    obj = optim.from_callables(lambda p: float(np.log(p["x"][0])), lambda p: {"x": 1 / p["x"]})
    with pytest.warns(optim.DivergenceWarning):
        r = optim.gradient_descent(obj, {"x": np.array([1.0])}, alpha=2.0)  # x -> -1: log is NaN
    assert r.reason == "diverged" and r.n_iter == 1 and "nan" in r.message
    with pytest.warns(optim.DivergenceWarning):
        assert optim.gradient_descent(optim.quadratic([[1.0]]), np.array([np.inf])).reason == "diverged"


def test_max_iter_and_immediate_convergence_are_reported():
    obj = optim.quadratic(np.diag([1.0, 100.0]))
    r = optim.gradient_descent(obj, np.ones(2), alpha=1e-4, max_iter=7)
    assert (r.reason, r.n_iter, r.losses.size, r.grad_norms.size, r.step_sizes.size) == ("max_iter", 7, 8, 8, 7)
    assert "iteration limit 7" in r.message
    r0 = optim.gradient_descent(obj, np.zeros(2))
    assert (r0.reason, r0.n_iter) == ("converged", 0)


def test_gradient_descent_follows_the_update_rule():
    Q = np.diag([1.0, 3.0])
    r = optim.gradient_descent(optim.quadratic(Q, [1.0, 1.0]), np.zeros(2), alpha=0.1, max_iter=3)
    x = np.zeros(2)
    for row in r.iterates[1:]:
        x = x + 0.1 * -(Q @ x - 1.0)  # theta <- theta + alpha d, d = -grad
        np.testing.assert_allclose(row, x)
    np.testing.assert_allclose(r.grad_norms[-1], np.linalg.norm(Q @ x - 1.0))


def test_iterates_can_be_thinned():
    obj = optim.quadratic(np.diag([1.0, 10.0]))
    r = optim.gradient_descent(obj, np.ones(2), alpha=0.01, max_iter=25, keep_iterates=10)
    assert r.iterate_steps.tolist() == [0, 10, 20, 25]
    np.testing.assert_allclose(r.params_at(-1)["theta"], r.params["theta"])
    assert optim.gradient_descent(obj, np.ones(2), alpha=0.01, max_iter=25, keep_iterates=False).iterates.shape == (2, 2)


# ----------------------------------------------------------------------------- steepest descent


def test_exact_line_search_minimizes_along_each_direction():
    Q = spd(4, 30.0, seed=3)
    c = np.ones(4)
    r = optim.steepest_descent(optim.quadratic(Q, c), np.zeros(4), max_iter=5)
    for a, b in zip(r.iterates[:-1], r.iterates[1:]):
        d = -(Q @ a - c)
        g_new = Q @ b - c
        assert abs(g_new @ d) < 1e-10 * np.linalg.norm(d) ** 2  # the new gradient is orthogonal to d
        np.testing.assert_allclose(b, a + (d @ d) / (d @ Q @ d) * d)  # alpha* = d.d / d.Q d


@pytest.mark.parametrize("search", ["armijo", "golden"])
def test_line_searches_on_rosenbrock(search):
    r = optim.steepest_descent(rosenbrock(b=5.0), np.array([-1.2, 1.0]), line_search=search, max_iter=5000, tol=1e-6)
    assert r.converged
    np.testing.assert_allclose(r.params["theta"], [1.0, 1.0], atol=1e-3)
    assert np.all(np.diff(r.losses) <= 1e-12)


def test_auto_line_search_uses_hessian_vector_products():
    r = optim.steepest_descent(rosenbrock(True, b=5.0), np.array([-1.2, 1.0]), max_iter=5000, tol=1e-6)
    assert r.converged and r.evaluations["hessian"] > 0
    np.testing.assert_allclose(r.params["theta"], [1.0, 1.0], atol=1e-3)


def test_golden_search_agrees_with_the_exact_step():
    Q, c = spd(3, 10.0, seed=4), np.ones(3)
    exact = optim.steepest_descent(optim.quadratic(Q, c), np.zeros(3), max_iter=3)
    golden = optim.steepest_descent(optim.from_callables(lambda p: 0.5 * p["theta"] @ Q @ p["theta"] - c @ p["theta"],
                                                         lambda p: {"theta": Q @ p["theta"] - c}),
                                    np.zeros(3), line_search="golden", max_iter=3)
    np.testing.assert_allclose(golden.step_sizes, exact.step_sizes, rtol=1e-5)


def test_line_search_errors():
    with pytest.raises(EinsteinError, match="unknown line search 'newton'"):
        optim.steepest_descent(rosenbrock(), np.zeros(2), line_search="newton")
    with pytest.raises(EinsteinError, match="needs a quadratic objective"):
        optim.steepest_descent(rosenbrock(), np.zeros(2), line_search="exact")


# ----------------------------------------------------------------------------- coordinate descent


def test_coordinate_descent_is_exact_on_each_coordinate():
    Q, c = spd(3, 10.0, seed=5), np.array([1.0, -2.0, 0.5])
    r = optim.coordinate_descent(optim.quadratic(Q, c), np.zeros(3), max_iter=9)
    for k, (a, b) in enumerate(zip(r.iterates[:-1], r.iterates[1:])):
        i = k % 3
        moved = np.flatnonzero(a != b)
        assert moved.tolist() in ([i], [])
        assert abs((Q @ b - c)[i]) < 1e-12  # the coordinate's derivative is zero after its update


def test_coordinate_descent_on_a_separable_quadratic_takes_one_sweep():
    r = optim.coordinate_descent(optim.quadratic(np.diag([1.0, 5.0, 25.0]), [1.0, 1.0, 1.0]), np.zeros(3))
    assert (r.n_iter, r.reason) == (3, "converged")


def test_greedy_and_block_coordinate_descent():
    obj, star, start = two_block_quadratic()
    for kw in ({"order": "greedy"}, {"blocks": "parameters"}):
        r = optim.coordinate_descent(obj, start, max_iter=5000, tol=1e-9, **kw)
        assert r.converged
        np.testing.assert_allclose(np.concatenate([r.params["W"].ravel(), r.params["v"]]), star, atol=1e-8)
    with pytest.raises(EinsteinError, match="blocks is 'coordinates' or 'parameters'"):
        optim.coordinate_descent(obj, start, blocks="rows")


# ----------------------------------------------------------------------------- momentum


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_converges_and_beats_gradient_descent(nesterov):
    Q = spd(6, 400.0, seed=6)
    L, mu = np.linalg.eigvalsh(Q)[[-1, 0]]
    obj = optim.quadratic(Q, np.ones(6))
    gd = optim.gradient_descent(obj, np.zeros(6), alpha=1 / L, max_iter=100_000, tol=1e-8)
    mo = optim.momentum(obj, np.zeros(6), alpha=1 / L, beta=(np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1),
                        nesterov=nesterov, max_iter=100_000, tol=1e-8)
    assert gd.converged and mo.converged
    assert mo.n_iter * 5 < gd.n_iter
    assert mo.method == ("nesterov" if nesterov else "momentum")
    np.testing.assert_allclose(mo.params["theta"], np.linalg.solve(Q, np.ones(6)), atol=1e-6)


def test_heavy_ball_transient_is_not_divergence_but_a_too_large_step_is():
    Q = np.diag([1.0, 1000.0])
    obj = optim.quadratic(Q, [1.0, 1000.0])
    alpha, beta = 4 / (1 + np.sqrt(1000)) ** 2, ((np.sqrt(1000) - 1) / (np.sqrt(1000) + 1)) ** 2
    with warnings.catch_warnings():
        warnings.simplefilter("error", optim.DivergenceWarning)
        r = optim.momentum(obj, np.zeros(2), alpha=alpha, beta=beta, max_iter=10_000, tol=1e-8)
    assert r.converged
    assert r.losses.max() > r.losses[0] + 1000  # it did rise far above the start on the way
    with pytest.warns(optim.DivergenceWarning):
        assert optim.momentum(obj, np.zeros(2), alpha=4 / 1000, beta=0.9).reason == "diverged"


def test_momentum_argument_errors():
    with pytest.raises(EinsteinError, match="0 <= beta < 1"):
        optim.momentum(optim.quadratic([[1.0]]), np.ones(1), beta=1.0)


# ----------------------------------------------------------------------------- preconditioning


def test_jacobi_preconditioning_spheres_a_diagonal_ellipse():
    obj = optim.quadratic(np.diag([1.0, 1e4]), [1.0, 1.0])
    plain = optim.gradient_descent(obj, np.zeros(2), alpha=1.0 / 1e4, max_iter=2000, tol=1e-9)
    pre = optim.gradient_descent(obj, np.zeros(2), alpha=1.0, precondition="jacobi", tol=1e-9)
    assert (pre.n_iter, pre.reason, plain.reason) == (1, "converged", "max_iter")
    np.testing.assert_allclose(optim.jacobi_preconditioner(obj, np.zeros(2))["theta"], [1.0, 1e-4])


def test_preconditioning_by_parameter():
    obj, star, start = two_block_quadratic()
    r = optim.steepest_descent(obj, start, precondition={"W": 0.5, "v": 2.0}, max_iter=5000, tol=1e-9)
    assert r.converged
    with pytest.raises(EinsteinError, match=r"unknown parameters \['U'\]"):
        optim.gradient_descent(obj, start, precondition={"U": 1.0})
    with pytest.raises(EinsteinError, match="has 3 entries, the parameters have 6"):
        optim.gradient_descent(obj, start, precondition=np.ones(3))
    with pytest.raises(EinsteinError, match="needs the Hessian's diagonal"):
        optim.gradient_descent(rosenbrock(), np.zeros(2), precondition="jacobi")


# ----------------------------------------------------------------------------- objectives and errors


def test_starting_point_must_match_the_objective():
    obj, _, _ = two_block_quadratic()
    with pytest.raises(EinsteinError, match=r"missing \['v'\]"):
        optim.gradient_descent(obj, {"W": np.zeros((2, 2))})
    with pytest.raises(EinsteinError, match="needs an Objective"):
        optim.gradient_descent(lambda p: 0.0, np.zeros(2))
    with pytest.raises(EinsteinError, match="must be positive"):
        optim.gradient_descent(obj, {"W": np.zeros((2, 2)), "v": np.zeros(2)}, alpha=0.0)
    with pytest.raises(EinsteinError, match="symmetric square"):
        optim.quadratic(np.array([[1.0, 2.0], [0.0, 1.0]]))


def test_hessian_vector_product_defaults_to_the_hessian():
    obj, _, start = two_block_quadratic()
    v = {"W": np.ones((2, 2)), "v": np.array([1.0, -1.0])}
    hv = obj.hvp(start, v)
    Q = obj.hessian(start)
    np.testing.assert_allclose(np.concatenate([hv["W"].ravel(), hv["v"]]), Q @ np.array([1, 1, 1, 1, 1, -1.0]))


QUAD = r"\frac{1}{2} \theta^i Q_{ij} \theta^j - c_i \theta^i"


def test_index_notation_quadratic_matches_the_matrix_form():
    Q, c = spd(3, 10.0, seed=7), np.array([1.0, 2.0, 3.0])
    obj = optim.objective(QUAD, ["theta"], {"Q": Q, "c": c}, engine="evaluate")
    ref = optim.quadratic(Q, c)
    p = {"theta": np.array([0.3, -1.0, 2.0])}
    assert obj.quadratic and obj.hessian_method == "symbolic"
    np.testing.assert_allclose(obj.value(p), ref.value(p))
    np.testing.assert_allclose(obj.grad(p)["theta"], ref.grad(p)["theta"])
    np.testing.assert_allclose(obj.hessian(p), Q)
    r = optim.newton(obj, {"theta": np.zeros(3)})
    assert r.n_iter == 1
    np.testing.assert_allclose(r.params["theta"], np.linalg.solve(Q, c))


def test_index_notation_single_layer_gradient_matches_backprop():
    from einsteinpy_lite.optim import experiments as ex

    loss = (r"\frac{1}{K} \sum_k (x_k^i - B^i_j \sigma(A^j_l y_k^l)) \delta_{im} "
            r"(x_k^m - B^m_n \sigma(A^n_p y_k^p))")
    x, y = ex.synthetic_regression(15)
    obj = optim.objective(loss, ("A", "B"), {"x": x, "y": y, "K": 15}, engine="evaluate")
    p = ex.init_single_layer(2, 3, 1, seed=2)
    p["b"][:] = 0.0
    f, g = obj.value_and_grad({"A": p["A"], "B": p["B"]})
    ref = ex.reference_step(x=x, y=y, **p)
    np.testing.assert_allclose(f, ref["loss"])
    np.testing.assert_allclose(g["A"], -ref["d_A"], atol=1e-12)
    np.testing.assert_allclose(g["B"], -ref["d_B"], atol=1e-12)
    assert not obj.quadratic and obj.has_hessian


SINGLE_LAYER = (r"\frac{1}{K} \sum_k (x_k^i - B^i_j \sigma(A^j_l y_k^l + b^j)) \delta_{im} "
                r"(x_k^m - B^m_n \sigma(A^n_p y_k^p + b^n))")


def test_compiled_objective_matches_the_reference_evaluator():
    pytest.importorskip("einsteinpy_lite.compile")
    Q, c = spd(4, 10.0, seed=8), np.arange(4.0)
    fast = optim.objective(QUAD, ["theta"], {"Q": Q, "c": c})
    slow = optim.objective(QUAD, ["theta"], {"Q": Q, "c": c}, engine="evaluate")
    p = {"theta": np.array([0.5, -1.0, 2.0, 0.0])}
    np.testing.assert_allclose(fast.value(p), slow.value(p))
    np.testing.assert_allclose(fast.grad(p)["theta"], slow.grad(p)["theta"])
    np.testing.assert_allclose(fast.hessian(p), Q)
    assert fast.quadratic
    r = optim.steepest_descent(fast, {"theta": np.zeros(4)}, tol=1e-10)
    np.testing.assert_allclose(r.params["theta"], np.linalg.solve(Q, c), atol=1e-9)


def test_compiled_single_layer_loss_trains_like_backprop():
    pytest.importorskip("einsteinpy_lite.compile")
    from einsteinpy_lite.optim import experiments as ex

    x, y = ex.synthetic_regression(25, seed=4)
    obj = optim.objective(SINGLE_LAYER, ("A", "b", "B"), {"x": x, "y": y, "K": 25})
    p = ex.init_single_layer(2, 3, 1, seed=4)
    f, g = obj.value_and_grad(p)
    ref = ex.reference_step(x=x, y=y, **p)
    np.testing.assert_allclose(f, ref["loss"])
    for k in ("A", "b", "B"):
        np.testing.assert_allclose(g[k], -ref[f"d_{k}"], atol=1e-12)
    H = obj.hessian(p)
    assert H.shape == (12, 12) and obj.hessian_method == "symbolic"
    np.testing.assert_allclose(H, objective_mod._fd_hessian(obj.value_and_grad, p, ["A", "b", "B"]), rtol=1e-4, atol=1e-6)
    r = optim.newton(obj, p, max_iter=10)
    assert r.loss < f / 10 and np.all(np.diff(r.losses) <= 0)


def test_hessian_falls_back_to_finite_differences_when_diff_cannot(monkeypatch):
    real = objective_mod._diff

    def first_derivatives_only(e, var):
        if e.free:
            raise EinsteinError("no second derivative here")
        return real(e, var)

    monkeypatch.setattr(objective_mod, "_diff", first_derivatives_only)
    Q, c = spd(3, 5.0, seed=9), np.ones(3)
    obj = optim.objective(QUAD, ["theta"], {"Q": Q, "c": c}, engine="evaluate")
    assert obj.hessian_method == "finite differences" and not obj.quadratic
    np.testing.assert_allclose(obj.hessian({"theta": np.ones(3)}), Q, atol=1e-6)
    with pytest.raises(EinsteinError, match="no second derivative"):
        optim.objective(QUAD, ["theta"], {"Q": Q, "c": c}, engine="evaluate", hessian=True)
    assert optim.objective(QUAD, ["theta"], {"Q": Q, "c": c}, engine="evaluate", hessian=False).hessian_method == "none"


@pytest.mark.parametrize("loss,params,match", [
    ("A^i_j y^j", ["A"], "must be a scalar"),
    (QUAD, ["W"], "parameter 'W' does not appear"),
])
def test_index_notation_errors(loss, params, match):
    with pytest.raises(EinsteinError, match=match):
        optim.objective(loss, params, engine="evaluate")


def test_progress_bar_is_optional(capsys):
    r = optim.gradient_descent(optim.quadratic([[1.0]]), np.ones(1), alpha=0.1, max_iter=20, progress=True)
    assert r.n_iter == 20
    assert "gradient_descent" in capsys.readouterr().err
    optim.gradient_descent(optim.quadratic([[1.0]]), np.ones(1), alpha=0.1, max_iter=20)
    assert capsys.readouterr().err == ""


_Q2 = optim.quadratic(np.diag([1.0, 4.0]))


@pytest.mark.parametrize(("call", "message"), [
    (lambda: optim.gradient_descent(_Q2, np.ones(2), alpha="a"), r"step size alpha='a' must be positive and finite"),
    (lambda: optim.gradient_descent(_Q2, np.ones(2), alpha=np.ones(2)), r"step size alpha=array"),
    (lambda: optim.gradient_descent(_Q2, np.ones(2), alpha=float("inf")), r"alpha=inf must be positive and finite"),
    (lambda: optim.steepest_descent(_Q2, np.ones(2), line_search="armijo", alpha0=-1), r"alpha0=-1 must be positive"),
    (lambda: optim.coordinate_descent(_Q2, np.ones(2), alpha0="x"), r"alpha0='x' must be positive"),
    (lambda: optim.momentum(_Q2, np.ones(2), beta=None), r"momentum needs alpha > 0 and 0 <= beta < 1"),
    (lambda: optim.newton(_Q2, np.ones(2), regularization=-1), r"regularization=-1 must be a finite number >= 0"),
    (lambda: optim.newton(None, np.ones(2)), r"newton needs an Objective, got NoneType"),
    (lambda: optim.jacobi_preconditioner(None, np.ones(2)), r"jacobi_preconditioner needs an Objective"),
    (lambda: optim.gradient_descent(_Q2, np.ones(2), max_iter=2.5), r"bad stopping settings max_iter=2.5"),
    (lambda: optim.gradient_descent(_Q2, np.ones(2), tol="a"), r"bad stopping settings .*tol='a'"),
    (lambda: optim.gradient_descent(_Q2, np.ones(2), keep_iterates=-1), r"keep_iterates=-1"),
    (lambda: optim.gradient_descent(_Q2, np.ones(3)), r"gradient_descent: the objective fails at the starting point "
                                                        r"\(ValueError: matmul"),
    (lambda: optim.gradient_descent(_Q2, None), r"the starting point is None"),
    (lambda: optim.gradient_descent(_Q2, "ab"), r"the starting point: cannot read a str as numbers"),
    (lambda: optim.gradient_descent(_Q2, np.ones(2), precondition=["a", "b"]), r"preconditioner \['a', 'b'\] is not"),
    (lambda: optim.gradient_descent(_Q2, np.ones(2), precondition={"theta": np.ones(3)}),
     r"preconditioner scales must be numbers or arrays shaped like their parameters"),
    (lambda: optim.gradient_descent(optim.from_callables(lambda p: 1.0, lambda p: {"zz": 1}), np.ones(2)),
     r"the gradient callable returned no entry for parameter 'theta' \(got \['zz'\]\)"),
    (lambda: optim.gradient_descent(optim.from_callables(lambda p: 1.0, lambda p: {"theta": np.ones(3)}), np.ones(2)),
     r"the gradient of 'theta' has shape \(3,\), the parameter has shape \(2,\)"),
    (lambda: optim.gradient_descent(optim.from_callables(lambda p: "x", lambda p: {"theta": p["theta"]}), np.ones(2)),
     r"the loss callable of objective returned a str, not a number"),
    (lambda: optim.quadratic("a"), r"Q: cannot read a str as numbers"),
    (lambda: optim.gradient_descent(_Q2, np.ones(2), alpha=0.1).params_at(10**6),
     r"params_at\(1000000\): there are \d+ stored iterates"),
    (lambda: optim.summarize(None), r"summarize takes an optim Result, got NoneType"),
    (lambda: optim.train_synthetic(hidden=-1, steps=1), r"hidden=-1 must be a positive integer"),
])
def test_wrong_arguments_are_named(call, message):
    """Every wrong argument of the methods is an EinsteinError that names it, not a TypeError from a comparison."""
    with pytest.raises(EinsteinError, match=message):
        call()


def test_objective_arguments_are_checked():
    with pytest.raises(EinsteinError, match=r"params='x' must be a list of tensor names"):
        optim.objective(r"x^i \delta_{ij} x^j", "x")  # type: ignore[arg-type]
    with pytest.raises(EinsteinError, match=r"hessian='nope' is not True, False or 'auto'"):
        optim.objective(r"x^i \delta_{ij} x^j", ["x"], hessian="nope")
    with pytest.raises(EinsteinError, match=r"data must be a dict of arrays and scalars by name, got int"):
        optim.objective(r"x^i \delta_{ij} x^j", ["x"], data=3)  # type: ignore[arg-type]


def test_progress_without_tqdm_falls_back_quietly(monkeypatch, capsys):
    """A plain ``pip install .`` has no tqdm: every method ran into "progress bars need tqdm" on a terminal."""
    import sys

    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm raises ImportError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    obj = optim.quadratic(np.diag([1.0, 4.0]))
    runs = [optim.gradient_descent(obj, np.ones(2), alpha=0.1, max_iter=5),
            optim.steepest_descent(obj, np.ones(2), max_iter=5),
            optim.coordinate_descent(obj, np.ones(2), max_iter=5),
            optim.momentum(obj, np.ones(2), alpha=0.1, max_iter=5),
            optim.newton(obj, np.ones(2), max_iter=5)]
    assert all(r.reason in optim.REASONS for r in runs)
    assert capsys.readouterr().err == ""  # automatic progress: none without tqdm, and no error
    # asked for explicitly: a plain progress line instead of the bar
    r = optim.gradient_descent(obj, np.ones(2), alpha=0.1, max_iter=20, tol=0.0, progress=True)
    assert r.n_iter == 20
    err = capsys.readouterr().err
    assert "gradient_descent: 20/20" in err and err.endswith("\n")
