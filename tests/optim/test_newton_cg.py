"""Hessian-free Newton (optim.newton_cg) and newton on Hessian-vector products only."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import optim
from einsteinpy_lite.optim.experiments import TRAIN_METHODS, train_synthetic


def _rosenbrock(with_hessian: bool) -> optim.Objective:
    def f(p: dict[str, np.ndarray]) -> float:
        x, y = p["theta"]
        return float((1 - x) ** 2 + 100 * (y - x * x) ** 2)

    def g(p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        x, y = p["theta"]
        return {"theta": np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])}

    def H(p: dict[str, np.ndarray]) -> np.ndarray:
        x, y = p["theta"]
        return np.array([[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200.0]])

    hvp = lambda p, v: {"theta": H(p) @ v["theta"]}  # noqa: E731 -- the closed form, written here
    return optim.from_callables(f, g, hvp=hvp, hessian=H if with_hessian else None)


def test_newton_cg_lands_on_a_quadratic_minimum_in_one_step() -> None:
    rng = np.random.default_rng(0)
    M = rng.normal(size=(6, 6))
    Q, c = M @ M.T + 6 * np.eye(6), rng.normal(size=6)
    r = optim.newton_cg(optim.quadratic(Q, c), np.zeros(6), cg_tol=1e-12)
    assert r.n_iter == 1 and r.converged
    np.testing.assert_allclose(r.params["theta"], np.linalg.solve(Q, c), rtol=1e-9)


def test_newton_cg_never_asks_for_the_hessian_and_reaches_the_rosenbrock_minimum() -> None:
    r = optim.newton_cg(_rosenbrock(with_hessian=False), np.array([-1.2, 1.0]), max_iter=200, tol=1e-8)
    assert r.converged and r.evaluations["hessian"] == 0 and r.evaluations["hvp"] > 0
    np.testing.assert_allclose(r.params["theta"], [1.0, 1.0], atol=1e-6)


def test_newton_uses_products_when_the_objective_has_no_hessian() -> None:
    r = optim.newton(_rosenbrock(with_hessian=False), np.array([-1.2, 1.0]), max_iter=200, tol=1e-8)
    assert r.converged and r.settings["solver"] == "cg" and r.evaluations["hessian"] == 0
    dense = optim.newton(_rosenbrock(with_hessian=True), np.array([-1.2, 1.0]), max_iter=200, tol=1e-8)
    np.testing.assert_allclose(r.params["theta"], dense.params["theta"], atol=1e-6)


def test_newton_cg_trains_the_network_on_compiled_products_like_newton() -> None:
    assert "newton_cg" in TRAIN_METHODS
    cg = train_synthetic(hidden=6, steps=25, method="newton_cg")
    dense = train_synthetic(hidden=6, steps=25, method="newton")
    assert cg.evaluations["hessian"] == 0 and cg.evaluations["hvp"] > 0
    assert cg.loss < 1e-3 * cg.losses[0] and cg.loss < 2 * dense.loss


def test_network_objective_hvp_is_the_compiled_product() -> None:
    net = el.gradients.mlp([2, 3, 1])
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 1)), rng.normal(size=(6, 2))
    obj, p = net.objective(x, y), net.init()
    v = {k: rng.normal(size=a.shape) for k, a in p.items()}
    got = net.flat(obj.hvp(p, v))
    np.testing.assert_allclose(got, obj.hessian(p) @ net.flat(v), rtol=1e-10, atol=1e-12)
    r = optim.newton_cg(obj, p, max_iter=10)
    assert r.loss < r.losses[0] and r.evaluations["hessian"] == 0


@pytest.mark.parametrize("kw,match", [
    ({"cg_tol": 2.0}, r"cg_tol=2.0 must be a number in \(0, 1\)"),
    ({"max_cg": 0}, "max_cg=0 must be a positive integer"),
    ({"damping": "wolfe"}, "neither 'armijo' nor a step"),
    ({"regularization": -1.0}, "regularization=-1.0"),
])
def test_bad_settings_are_einstein_errors(kw: dict[str, Any], match: str) -> None:
    with pytest.raises(el.EinsteinError, match=match):
        optim.newton_cg(optim.quadratic(np.eye(2)), np.zeros(2), **kw)


def test_an_objective_without_second_derivatives_is_refused() -> None:
    obj = optim.from_callables(lambda p: float(p["theta"] @ p["theta"]), lambda p: {"theta": 2 * p["theta"]})
    with pytest.raises(el.EinsteinError, match="newton_cg needs the objective's Hessian-vector products"):
        optim.newton_cg(obj, np.ones(2))
    with pytest.raises(el.EinsteinError, match="newton needs the objective's Hessian or its Hessian-vector products"):
        optim.newton(obj, np.ones(2))
