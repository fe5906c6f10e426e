"""The slides' claims, measured: step sizes, condition numbers, coordinate descent, training the net."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from einsteinpy_lite import EinsteinError, optim  # noqa: E402
from einsteinpy_lite.optim import experiments  # noqa: E402


@pytest.fixture(scope="module")
def sweep():
    return experiments.condition_number_experiment(kappas=(10, 30, 100, 300, 1000), n=10)


def test_every_run_of_the_sweep_converged(sweep):
    assert all(r == "converged" for reasons in sweep.reasons.values() for r in reasons), sweep.reasons


def test_gd_iterations_grow_linearly_with_the_condition_number(sweep):
    assert 0.85 <= sweep.slope("gradient_descent") <= 1.15, sweep.table()
    assert 0.75 <= sweep.slope("steepest_descent") <= 1.15, sweep.table()
    its = sweep.iterations["gradient_descent"]
    assert its[-1] > 50 * its[0]  # 100x the condition number, ~100x the iterations


def test_momentum_iterations_grow_with_the_square_root(sweep):
    assert 0.35 <= sweep.slope("momentum") <= 0.65, sweep.table()
    assert 0.35 <= sweep.slope("nesterov") <= 0.65, sweep.table()
    assert sweep.iterations["momentum"][-1] * 10 < sweep.iterations["gradient_descent"][-1]


def test_newton_needs_one_step_whatever_the_condition_number(sweep):
    assert sweep.iterations["newton"] == [1, 1, 1, 1, 1]
    assert "slope" in sweep.table() and "newton" in sweep.table()


def test_fit_slope():
    k = np.array([10.0, 100.0, 1000.0])
    assert experiments.fit_slope(k, 3 * k**0.5) == pytest.approx(0.5)
    assert experiments.fit_slope(k, [7, 7, 7]) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("dim", [1, 2])
def test_step_sizes_too_small_good_too_large(dim):
    runs = experiments.step_size_experiment(dim=dim)
    reasons = {k: r.reason for k, r in runs.results.items()}
    assert reasons == {"too small": "max_iter", "good": "converged", "oscillating": "max_iter", "too large": "diverged"}
    small, osc = runs["too small"], runs["oscillating"]
    assert np.all(np.diff(small.losses) < 0)  # slow but steady
    assert small.loss - runs.objective.value({"theta": runs.minimum}) > 1e-3
    errors = osc.iterates[:, 0] - runs.minimum[0] if dim == 1 else None
    if dim == 1:
        assert np.all(errors[1:] * errors[:-1] < 0)  # overshoots: the sign flips every step
        assert runs["good"].n_iter == 1  # alpha = 1/L on a 1-D quadratic lands on the minimum
    with pytest.raises(EinsteinError, match="1-D or 2-D"):
        experiments.step_size_experiment(dim=3)


def test_coordinate_descent_path_moves_along_one_axis_at_a_time():
    runs = experiments.coordinate_descent_path(kappa=10.0, updates=30)
    cd, sd = runs["coordinate descent"], runs["steepest descent"]
    steps = np.diff(cd.iterates, axis=0)
    assert np.all(np.count_nonzero(steps, axis=1) == 1)
    assert np.all(np.diff(cd.losses) <= 1e-15)
    assert cd.loss < cd.losses[0] - 1.0 and sd.loss < sd.losses[0] - 1.0


def test_tuned_settings_need_a_positive_definite_hessian():
    with pytest.raises(EinsteinError, match="not positive definite"):
        experiments.tuned_settings(optim.quadratic(np.diag([1.0, -1.0])), np.zeros(2))


# ----------------------------------------------------------------------------- the single-layer net


def test_reference_step_matches_finite_differences():
    x, y = experiments.synthetic_regression(12, n_in=3, n_out=2, seed=3)
    p = experiments.init_single_layer(3, 4, 2, seed=3)
    obj = experiments.single_layer_objective(x, y, backend="numpy")
    g = obj.grad(p)
    for name in ("A", "b", "B"):
        for idx in np.ndindex(p[name].shape):
            q = {k: v.copy() for k, v in p.items()}
            q[name][idx] += 1e-6
            up = obj.value(q)
            q[name][idx] -= 2e-6
            fd = (up - obj.value(q)) / 2e-6
            assert g[name][idx] == pytest.approx(fd, rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_compiled_step_matches_the_numpy_reference(activation):
    gradients = pytest.importorskip("einsteinpy_lite.nets.gradients")
    step = gradients.single_layer(activation=activation).compile()
    x, y = experiments.synthetic_regression(10, n_in=3, n_out=2, seed=1, activation=activation)
    p = experiments.init_single_layer(3, 5, 2, seed=1)
    out, ref = step(A=p["A"], b=p["b"], B=p["B"], x=x, y=y), experiments.reference_step(x=x, y=y, activation=activation, **p)
    for k in ("loss", "d_A", "d_b", "d_B"):
        np.testing.assert_allclose(np.asarray(out[k]), ref[k], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("method", ["momentum", "gd", "nesterov", "steepest", "coordinate"])
def test_training_cuts_the_mse_tenfold(method):
    x, y = experiments.synthetic_regression()
    r = experiments.train_single_layer(x, y, hidden=16, steps=300, method=method, backend="numpy")
    assert r.losses[0] / r.loss >= 10, experiments.summarize(r)
    assert r.loss <= np.var(x) / 10  # ten times better than predicting the mean: the net learned the map
    assert r.reason == "max_iter" and r.n_iter == 300


def test_train_synthetic_and_its_summary():
    r = experiments.train_synthetic(hidden=16, steps=500, method="momentum")
    assert r.losses[0] / r.loss >= 10 and r.settings["hidden"] == 16
    text = experiments.summarize(r)
    assert text.startswith("momentum (alpha=0.1, beta=0.9, hidden=16, samples=200")
    assert "max_iter after 500 iterations" in text and "x lower" in text
    assert f"it 500: {r.loss:.4g}" in text
    assert optim.summarize is experiments.summarize and optim.train_synthetic is experiments.train_synthetic


def test_summary_of_a_divergent_run_says_so():
    with pytest.warns(optim.DivergenceWarning):
        r = optim.gradient_descent(optim.quadratic([[1.0]]), np.ones(1), alpha=3.0)
    text = experiments.summarize(r)
    assert "diverged after" in text and "not lower" in text and "faster each step" in text


def test_training_argument_errors():
    x, y = experiments.synthetic_regression(10)
    with pytest.raises(EinsteinError, match="unknown training method 'adam'"):
        experiments.train_single_layer(x, y, method="adam")
    with pytest.raises(EinsteinError, match="same K"):
        experiments.train_single_layer(x[:5], y)
    with pytest.raises(EinsteinError, match="unknown backend"):
        experiments.single_layer_step(backend="cuda")


# ----------------------------------------------------------------------------- plots


def test_plots_draw_what_was_run():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4)
    runs2 = experiments.step_size_experiment(dim=2, steps=10)
    ax = experiments.plot_paths(runs2, ax=axes[0])
    assert len(ax.get_lines()) == 4 and "too large (diverged)" in [t.get_text() for t in ax.get_legend().get_texts()]
    experiments.plot_paths(experiments.step_size_experiment(dim=1, steps=10), ax=axes[1])
    ax = experiments.plot_losses(runs2.results, ax=axes[2], minimum=runs2.objective.value({"theta": runs2.minimum}))
    assert len(ax.get_lines()) == 4
    sweep = experiments.condition_number_experiment(kappas=(10, 100), methods=("gradient_descent", "newton"), n=2)
    ax = experiments.plot_condition_numbers(sweep, ax=axes[3])
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), sweep.iterations["gradient_descent"])
    plt.close(fig)


def test_plot_losses_clips_at_machine_precision_not_1e_300():
    """Notebook 04's "L - L*, kappa=300" plot had a y-axis down to 1e-315: Newton lands exactly on L*."""
    obj, star = experiments.conditioned_quadratic(300.0, n=10)
    theta0 = np.zeros(10)
    runs = {"gd": optim.gradient_descent(obj, theta0, alpha=1e-3, max_iter=50, progress=False),
            "newton": optim.newton(obj, theta0, tol=1e-8, progress=False)}
    minimum = obj.value({"theta": star})
    ax = experiments.plot_losses(runs, minimum=minimum)
    scale = max(abs(minimum), abs(float(runs["gd"].losses[0])))
    low, high = ax.get_ylim()
    assert 1e-18 * scale < low <= 1e-16 * scale, (low, scale)
    for line in ax.lines:
        assert np.nanmin(line.get_ydata()) >= 1e-16 * scale * (1 - 1e-12)
    experiments._pyplot().close(ax.figure)
