"""The slides' gradient-descent experiments, training the single-layer net, summaries and plots.

The slides claim: a step size too small is slow, too large oscillates and diverges, a good one
converges; gradient descent is "very sensitive to the condition number", Newton's method "spheres
the ellipse", momentum helps; coordinate descent needs no step size but takes many small updates.
Each claim is a function here that returns the :class:`~einsteinpy_lite.optim.Result` objects, so
that tests and notebook 04 can measure it; the ``plot_*`` functions draw them (matplotlib, the
``plot`` extra, imported only when called).

Example:
    >>> sweep = condition_number_experiment(kappas=(10, 100), methods=("newton",))
    >>> sweep.iterations["newton"]
    [1, 1]
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.errors import EinsteinError
from ..nets.objective import Objective
from . import methods as optim
from .methods import Params, Result

__all__ = [
    "summarize", "Runs", "conditioned_quadratic", "step_size_experiment", "condition_number_experiment", "ConditionSweep",
    "fit_slope", "tuned_settings", "coordinate_descent_path", "synthetic_regression", "reference_step",
    "single_layer_step", "single_layer_objective", "init_single_layer", "train_single_layer", "train_synthetic",
    "TRAIN_METHODS", "plot_paths", "plot_losses", "plot_condition_numbers",
]


def summarize(result: Result, points: int = 6) -> str:
    """A few lines about a run: method, why it stopped, the loss at a few iterations, and a sparkline.

    The sparkline has 24 bars over the whole run, on a log scale when every loss is positive.

    Example:
        >>> import numpy as np
        >>> print(summarize(optim.gradient_descent(optim.quadratic(np.eye(1)), np.ones(1), alpha=0.5, tol=1e-3)))
        gradient_descent (alpha=0.5): converged after 10 iterations
          stop: |grad| 0.000977 <= 0.001
          loss 0.5 -> 4.768e-07 (1.049e+06x lower); |grad| 1 -> 0.0009766
          loss at: it 0: 0.5 | it 2: 0.03125 | it 4: 0.001953 | it 6: 0.0001221 | it 8: 7.629e-06 | it 10: 4.768e-07
          curve (log): █▇▇▆▅▅▄▃▂▂▁
    """
    if not isinstance(result, Result):
        raise EinsteinError(f"summarize takes an optim Result, got {type(result).__name__}",
                            hint="e.g. summarize(optim.gradient_descent(obj, theta0))")
    r = result
    opts = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in r.settings.items())
    lines = [f"{r.method}{f' ({opts})' if opts else ''}: {r.reason} after {r.n_iter} iterations"]
    if r.message:
        lines.append(f"  stop: {r.message}")
    f0, f1 = float(r.losses[0]), float(r.losses[-1])
    ratio = f"{f0 / f1:.4g}x lower" if (f1 > 0 and np.isfinite(f1) and f0 > f1) else "not lower"
    lines.append(f"  loss {f0:.4g} -> {f1:.4g} ({ratio}); |grad| {float(r.grad_norms[0]):.4g} -> "
                 f"{float(r.grad_norms[-1]):.4g}")
    at = sorted(set(np.linspace(0, r.n_iter, min(points, r.n_iter + 1)).round().astype(int).tolist()))
    lines.append("  loss at: " + " | ".join(f"it {k}: {float(r.losses[k]):.4g}" for k in at))
    vals = r.losses[sorted(set(np.linspace(0, r.n_iter, min(24, r.n_iter + 1)).round().astype(int).tolist()))]
    if np.all(np.isfinite(vals)) and vals.size > 1:
        log = bool(np.all(vals > 0))
        v = np.log10(vals) if log else vals
        span = float(v.max() - v.min())
        bars = "▁▂▃▄▅▆▇█"
        spark = "".join(bars[int(round(7 * (x - v.min()) / span)) if span > 0 else 0] for x in v)
        lines.append(f"  curve ({'log' if log else 'linear'}): {spark}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- quadratics and step sizes


@dataclass
class Runs:
    """Several runs on one objective (for plots): ``runs["good"]`` is a :class:`Result`."""

    objective: Objective
    results: dict[str, Result]
    minimum: np.ndarray | None = None

    def __getitem__(self, label: str) -> Result:
        return self.results[label]

    def __iter__(self) -> Any:
        return iter(self.results)


def conditioned_quadratic(kappa: float, n: int = 2, seed: int = 0) -> tuple[Objective, np.ndarray]:
    """A quadratic with curvatures ``geomspace(1, kappa, n)`` in rotated axes, minimum at ``(1, ..., 1)``.

    The axes are turned by 30 degrees in 2-D and by a random orthogonal matrix (``seed``) otherwise.

    Returns:
        The objective and its minimizer.

    Example:
        >>> obj, star = conditioned_quadratic(100.0)
        >>> round(float(np.linalg.cond(obj.hessian({"theta": star}))), 6), star.tolist()
        (100.0, [1.0, 1.0])
    """
    if not (kappa >= 1 and n >= 1):
        raise EinsteinError(f"need kappa >= 1 and n >= 1, got kappa={kappa}, n={n}", hint="kappa = L / mu >= 1")
    if n == 2:
        t = np.pi / 6
        R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    else:
        R = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))[0]
    Q = R @ np.diag(np.geomspace(1.0, kappa, n)) @ R.T
    Q = (Q + Q.T) / 2
    star = np.ones(n)
    return optim.quadratic(Q, Q @ star), star


def tuned_settings(obj: Objective, theta: Any) -> dict[str, Any]:
    """The classical step sizes from the Hessian's extreme eigenvalues ``mu <= L`` at ``theta``.

    Gradient descent ``alpha = 2 / (L + mu)``; heavy ball ``alpha = 4 / (sqrt L + sqrt mu)^2``,
    ``beta = ((sqrt k - 1) / (sqrt k + 1))^2``; Nesterov ``alpha = 1 / L``, ``beta = (sqrt k - 1) / (sqrt k + 1)``.

    Example:
        >>> obj, star = conditioned_quadratic(4.0)
        >>> s = tuned_settings(obj, star)
        >>> round(s["gd_alpha"], 6), round(s["momentum_beta"], 6)
        (0.4, 0.111111)
    """
    ev = np.linalg.eigvalsh(obj.hessian(optim._as_params(theta)))
    mu, L = float(ev[0]), float(ev[-1])
    if mu <= 0:
        raise EinsteinError(f"the Hessian is not positive definite (smallest eigenvalue {mu:.3g})",
                            hint="these settings are for strongly convex problems")
    r = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
    return {"L": L, "mu": mu, "kappa": L / mu, "gd_alpha": 2 / (L + mu),
            "momentum_alpha": 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, "momentum_beta": float(r**2),
            "nesterov_alpha": 1 / L, "nesterov_beta": float(r)}


def step_size_experiment(dim: int = 2, kappa: float = 4.0, steps: int = 40,
                         factors: Mapping[str, float] | None = None) -> Runs:
    """Fixed-step gradient descent with steps too small, good and too large, on a 1-D or 2-D quadratic.

    Steps are multiples of ``1 / L`` (``factors``); the default is ``too small`` 0.05, ``oscillating`` 1.8
    and ``too large`` 2.2 (beyond ``2 / L``: it diverges), plus ``good`` ``2 / (L + mu)`` (``1 / L`` in 1-D:
    one step).  Each runs ``steps`` iterations at most; converged means ``|grad| <= 1e-6 |grad_0|``.

    Example:
        >>> runs = step_size_experiment(dim=1)
        >>> {k: r.reason for k, r in runs.results.items()}
        {'too small': 'max_iter', 'good': 'converged', 'oscillating': 'max_iter', 'too large': 'diverged'}
    """
    if dim not in (1, 2):
        raise EinsteinError(f"dim={dim}: the slides' pictures are 1-D or 2-D", hint="use dim=1 or dim=2")
    obj, star = conditioned_quadratic(kappa, 2) if dim == 2 else (optim.quadratic([[2.0]], [2.0]), np.ones(1))
    theta0 = star + (np.array([-2.0, 1.5]) if dim == 2 else np.array([-2.0]))
    s = tuned_settings(obj, star)
    mult = dict(factors) if factors is not None else {"too small": 0.05, "good": s["gd_alpha"] * s["L"],
                                                      "oscillating": 1.8, "too large": 2.2}
    results = {}
    with warnings.catch_warnings():  # "too large" diverges on purpose; its reason says so
        warnings.simplefilter("ignore", optim.DivergenceWarning)
        for label, m in mult.items():
            results[label] = optim.gradient_descent(obj, theta0, alpha=m / s["L"], max_iter=steps, tol=0.0, rtol=1e-6)
    return Runs(obj, results, star)


# --------------------------------------------------------------------------- condition numbers

SWEEP_METHODS = ("gradient_descent", "steepest_descent", "momentum", "nesterov", "newton")


@dataclass
class ConditionSweep:
    """Iterations to a tolerance against the condition number, per method."""

    kappas: list[float]
    iterations: dict[str, list[int]] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)

    def slope(self, method: str) -> float:
        """The log-log slope of iterations against ``kappa`` (1: linear, 0.5: square root)."""
        return fit_slope(self.kappas, self.iterations[method])

    def table(self) -> str:
        """A plain-text table: one row per condition number, one column per method, slopes below."""
        names = list(self.iterations)
        rows = ["kappa    " + "".join(f"{m:>18}" for m in names)]
        for i, k in enumerate(self.kappas):
            rows.append(f"{k:<9g}" + "".join(f"{self.iterations[m][i]:>18d}" for m in names))
        rows.append("slope    " + "".join(f"{self.slope(m):>18.2f}" for m in names))
        return "\n".join(rows)


def fit_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """The least-squares slope of ``log y`` against ``log x``.

    Example:
        >>> round(fit_slope([1, 10, 100], [3, 30, 300]), 6)
        1.0
    """
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.maximum(np.asarray(y, float), 1.0)), 1)[0])


def condition_number_experiment(kappas: Sequence[float] = (10, 30, 100, 300, 1000), methods: Sequence[str] = SWEEP_METHODS,
                                n: int = 10, rtol: float = 1e-6, max_iter: int = 200_000, seed: int = 0) -> ConditionSweep:
    """Iterations until ``|grad| <= rtol |grad_0|`` on ``n``-dimensional quadratics of condition ``kappa``.

    Each method gets its classical tuning (:func:`tuned_settings`); steepest descent the exact line search;
    Newton the full step.  Gradient descent needs about ``kappa`` iterations, momentum about ``sqrt kappa``.

    Example:
        >>> s = condition_number_experiment(kappas=(10, 1000), methods=("gradient_descent", "momentum"), n=2)
        >>> s.iterations["gradient_descent"][1] > 10 * s.iterations["momentum"][1]
        True
    """
    unknown = [m for m in methods if m not in SWEEP_METHODS]
    if unknown:
        raise EinsteinError(f"unknown methods {unknown}", hint=f"choose from {', '.join(SWEEP_METHODS)}")
    sweep = ConditionSweep([float(k) for k in kappas], {m: [] for m in methods}, {m: [] for m in methods})
    for kappa in kappas:
        obj, star = conditioned_quadratic(float(kappa), n, seed)
        theta0 = np.zeros(n)
        s = tuned_settings(obj, star)
        stop: dict[str, Any] = dict(rtol=rtol, tol=0.0, max_iter=max_iter, keep_iterates=False, progress=False)
        for m in methods:
            if m == "gradient_descent":
                r = optim.gradient_descent(obj, theta0, alpha=s["gd_alpha"], **stop)
            elif m == "steepest_descent":
                r = optim.steepest_descent(obj, theta0, line_search="exact", **stop)
            elif m in ("momentum", "nesterov"):
                r = optim.momentum(obj, theta0, alpha=s[f"{m}_alpha"], beta=s[f"{m}_beta"], nesterov=m == "nesterov",
                                   **stop)
            else:
                r = optim.newton(obj, theta0, **stop)
            sweep.iterations[m].append(r.n_iter)
            sweep.reasons[m].append(r.reason)
    return sweep


def coordinate_descent_path(kappa: float = 10.0, updates: int = 30) -> Runs:
    """Coordinate descent's staircase on a tilted 2-D ellipse, beside steepest descent's zig-zag.

    Example:
        >>> runs = coordinate_descent_path()
        >>> float(np.abs(np.diff(runs["coordinate descent"].iterates, axis=0)).min(axis=1).max())  # one axis a move
        0.0
    """
    obj, star = conditioned_quadratic(kappa, 2)
    theta0 = star + np.array([-2.0, 1.5])
    stop: dict[str, Any] = dict(max_iter=updates, tol=1e-6, progress=False)
    return Runs(obj, {"coordinate descent": optim.coordinate_descent(obj, theta0, **stop),
                      "steepest descent": optim.steepest_descent(obj, theta0, **stop)}, star)


# --------------------------------------------------------------------------- the single-layer net


def reference_step(A: Any, b: Any, B: Any, x: Any, y: Any, activation: str = "sigmoid") -> dict[str, np.ndarray]:
    """Loss and update directions of ``f = B sigma(A y + b)`` under the MSE, by hand-written numpy backprop.

    ``L = 1/K sum_k |x_k - f(y_k)|^2`` and ``d = -grad L`` (the slides' directions), with ``x: (K, N_x)``
    targets and ``y: (K, N_y)`` inputs; the same contract as ``gradients.single_layer().compile()``.

    Example:
        >>> out = reference_step(np.zeros((3, 2)), np.zeros(3), np.ones((1, 3)), np.ones((4, 1)), np.ones((4, 2)))
        >>> float(out["loss"]), out["d_B"].tolist()
        (0.25, [[-0.5, -0.5, -0.5]])
    """
    from ..core.functions import get_function

    fn = get_function(activation)
    x, y = np.asarray(x, float), np.asarray(y, float)
    z = y @ np.asarray(A, float).T + np.asarray(b, float)
    s = fn.implementation(0)(z, np)
    eps = x - s @ np.asarray(B, float).T
    K = x.shape[0]
    back = (eps @ np.asarray(B, float)) * fn.implementation(1)(z, np)  # epsilon_k B [nabla sigma_k]: (K, N_1)
    return {"loss": np.asarray(np.sum(eps * eps) / K), "d_A": 2 / K * back.T @ y, "d_b": 2 / K * back.sum(axis=0),
            "d_B": 2 / K * eps.T @ s}


def single_layer_step(activation: str = "sigmoid", backend: str = "auto") -> tuple[Callable[..., Any], str]:
    """The step function ``step(A=, b=, B=, x=, y=) -> {"loss", "d_A", "d_b", "d_B"}`` and its backend's name.

    ``backend="compiled"`` uses ``gradients.single_layer(activation).compile()`` (the derived and
    compiled index expressions), ``"numpy"`` :func:`reference_step`, ``"auto"`` the compiled one when
    the ``gradients`` module is installed.

    Example:
        >>> step, name = single_layer_step(backend="numpy")
        >>> name, sorted(step(A=np.zeros((2, 1)), b=np.zeros(2), B=np.zeros((1, 2)), x=np.ones((3, 1)), y=np.ones((3, 1))))
        ('numpy', ['d_A', 'd_B', 'd_b', 'loss'])
    """
    if backend not in ("auto", "compiled", "numpy"):
        raise EinsteinError(f"unknown backend '{backend}'", hint="use 'auto', 'compiled' or 'numpy'")
    if backend != "numpy":
        from ..nets import gradients

        return gradients.single_layer(activation=activation).compile(), "compiled"
    return (lambda **kw: reference_step(activation=activation, **kw)), "numpy"


def single_layer_objective(x: Any, y: Any, activation: str = "sigmoid", backend: str = "auto",
                           hessian: bool = False, hvp: bool = False) -> Objective:
    """The MSE of the single-layer net on data ``x`` (targets, ``(K, N_x)``) and ``y`` (inputs, ``(K, N_y)``).

    ``hessian=True`` adds the compiled Hessian of ``gradients.single_layer()`` (for :func:`optim.newton`),
    ``hvp=True`` its compiled Hessian-vector products (for :func:`optim.newton_cg`; no Hessian is formed).

    Example:
        >>> obj = single_layer_objective(np.ones((4, 1)), np.ones((4, 2)), backend="numpy")
        >>> obj.value({"A": np.zeros((3, 2)), "b": np.zeros(3), "B": np.ones((1, 3))})
        0.25
    """
    step, name = single_layer_step(activation, backend)
    xa, ya = np.asarray(x, float), np.asarray(y, float)

    def value_and_grad(p: Params) -> tuple[float, Params]:
        out = step(A=p["A"], b=p["b"], B=p["B"], x=xa, y=ya)
        return float(out["loss"]), {k: -np.asarray(out[f"d_{k}"]) for k in ("A", "b", "B")}

    hess = hv = None
    if hessian or hvp:
        from ..nets import gradients

        net = gradients.single_layer(activation=activation)
        if hessian:
            hess = lambda p: net.hessian_matrix(p, xa, ya)  # noqa: E731
        if hvp:
            hv = lambda p, v: net.hessian_vector(p, v, xa, ya)  # noqa: E731
    return Objective(lambda p: value_and_grad(p)[0], lambda p: value_and_grad(p)[1], value_and_grad=value_and_grad,
                     hessian=hess, hvp=hv, names=("A", "b", "B"),
                     description=f"single-layer MSE ({name}, {activation}, K={xa.shape[0]})")


def init_single_layer(n_in: int, hidden: int, n_out: int, seed: int = 0, scale: float = 1.0) -> Params:
    """Random starting weights ``A: (hidden, n_in)``, ``b: (hidden,)``, ``B: (n_out, hidden)``.

    Example:
        >>> {k: v.shape for k, v in init_single_layer(2, 16, 1).items()}
        {'A': (16, 2), 'b': (16,), 'B': (1, 16)}
    """
    rng = np.random.default_rng(seed)
    return {"A": scale * rng.normal(size=(hidden, n_in)) / np.sqrt(n_in), "b": scale * rng.normal(size=hidden),
            "B": scale * rng.normal(size=(n_out, hidden)) / np.sqrt(hidden)}


def synthetic_regression(n_samples: int = 200, n_in: int = 2, n_out: int = 1, teacher_hidden: int = 4,
                         noise: float = 0.01, seed: int = 0, activation: str = "sigmoid") -> tuple[np.ndarray, np.ndarray]:
    """A regression set that a single-layer net can fit: targets from a random single-layer teacher.

    Returns:
        ``(x, y)``: targets ``(n_samples, n_out)`` and inputs ``(n_samples, n_in)``, the slides' names.

    Example:
        >>> x, y = synthetic_regression(50)
        >>> x.shape, y.shape
        ((50, 1), (50, 2))
    """
    from ..core.functions import get_function

    rng = np.random.default_rng(seed + 1000)
    y = rng.uniform(-2.0, 2.0, size=(n_samples, n_in))
    teacher = init_single_layer(n_in, teacher_hidden, n_out, seed=seed + 2000, scale=2.0)
    s = get_function(activation).implementation(0)(y @ teacher["A"].T + teacher["b"], np)
    x = s @ teacher["B"].T
    x = x + noise * float(np.std(x)) * rng.normal(size=x.shape)
    return x, y


#: the training methods and their default step (the first trial step for the line searches; Newton's
#: damped step is found by its own Armijo search from 1)
TRAIN_METHODS = {"gd": 0.5, "momentum": 0.1, "nesterov": 0.1, "steepest": 1.0, "coordinate": 1.0, "newton": 1.0,
                 "newton_cg": 1.0}


def train_single_layer(x: Any, y: Any, hidden: int = 16, steps: int = 500, method: str = "momentum",
                       alpha: float | None = None, beta: float = 0.9, seed: int = 0, activation: str = "sigmoid",
                       backend: str = "auto", progress: bool | None = None) -> Result:
    """Train ``f = B sigma(A y + b)`` on targets ``x`` and inputs ``y`` with one of :data:`TRAIN_METHODS`.

    ``gd`` (fixed step), ``momentum`` / ``nesterov`` (``beta``), ``steepest`` (Armijo line search),
    ``coordinate`` (one named parameter A, b, B at a time, with a line search), ``newton`` (damped
    Newton on the compiled Hessian of ``gradients.single_layer()``) and ``newton_cg`` (Hessian-free Newton:
    conjugate gradients on its compiled Hessian-vector products).  ``alpha`` defaults to the value in
    :data:`TRAIN_METHODS` (the first trial step for the line searches; Newton takes none).

    Example:
        >>> x, y = synthetic_regression(40)
        >>> r = train_single_layer(x, y, hidden=4, steps=20, method="gd", backend="numpy")
        >>> r.n_iter, bool(r.loss < r.losses[0])
        (20, True)
    """
    if method not in TRAIN_METHODS:
        raise EinsteinError(f"unknown training method '{method}'", hint=f"choose one of {', '.join(TRAIN_METHODS)}")
    if isinstance(hidden, bool) or not isinstance(hidden, (int, np.integer)) or hidden <= 0:
        raise EinsteinError(f"hidden={hidden!r} must be a positive integer (the hidden layer's size N_1)")
    xa, ya = np.atleast_2d(np.asarray(x, float)), np.atleast_2d(np.asarray(y, float))
    if xa.ndim != 2 or ya.ndim != 2 or xa.shape[0] != ya.shape[0]:
        raise EinsteinError(f"the targets x {xa.shape} and the inputs y {ya.shape} must be (K, N_x) and (K, N_y) "
                            f"with the same K", hint="one row per training pair (target x_k, input y_k): x first, then y")
    obj = single_layer_objective(xa, ya, activation, backend, hessian=method == "newton", hvp=method == "newton_cg")
    theta0 = init_single_layer(ya.shape[1], hidden, xa.shape[1], seed)
    a = TRAIN_METHODS[method] if alpha is None else float(alpha)
    stop: dict[str, Any] = dict(max_iter=steps, tol=1e-10, progress=progress, keep_iterates=max(1, steps // 50))
    if method == "gd":
        r = optim.gradient_descent(obj, theta0, alpha=a, **stop)
    elif method in ("momentum", "nesterov"):
        r = optim.momentum(obj, theta0, alpha=a, beta=beta, nesterov=method == "nesterov", **stop)
    elif method == "steepest":
        r = optim.steepest_descent(obj, theta0, line_search="armijo", alpha0=a, **stop)
    elif method == "newton":
        r = optim.newton(obj, theta0, **stop)
    elif method == "newton_cg":
        r = optim.newton_cg(obj, theta0, **stop)
    else:
        r = optim.coordinate_descent(obj, theta0, blocks="parameters", line_search="armijo", alpha0=a, **stop)
    r.settings.update(hidden=hidden, samples=xa.shape[0], backend=obj.description.split("(")[1].split(",")[0])
    return r


def train_synthetic(hidden: int = 16, steps: int = 500, method: str = "momentum", seed: int = 0,
                    progress: bool | None = None, alpha: float | None = None, beta: float = 0.9) -> Result:
    """Train the single-layer net on :func:`synthetic_regression` (200 pairs, 2 inputs, 1 output).

    What ``einsteinpy-lite train --hidden 16 --steps 500 --method momentum`` runs; print it with
    :func:`summarize`.

    Example:
        >>> r = train_synthetic(hidden=4, steps=30, method="momentum")
        >>> r.reason, bool(r.loss < r.losses[0])
        ('max_iter', True)
    """
    x, y = synthetic_regression(seed=seed)
    return train_single_layer(x, y, hidden=hidden, steps=steps, method=method, seed=seed, progress=progress,
                              alpha=alpha, beta=beta)


# --------------------------------------------------------------------------- plots (matplotlib, imported when called)


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is in the "plot" extra
        raise EinsteinError("plots need matplotlib", hint="pip install 'einsteinpy_lite[plot]'") from None
    return plt


def plot_paths(runs: Runs, ax: Any = None, labels: Sequence[str] | None = None) -> Any:
    """Draw the iterates of ``runs`` on the loss: a curve in 1-D, contour lines of the ellipse in 2-D.

    Returns:
        The matplotlib axes.

    Example:
        >>> ax = plot_paths(coordinate_descent_path(kappa=10.0, updates=5))
        >>> len(ax.lines)  # one path per method
        2
        >>> _pyplot().close(ax.figure)
    """
    plt = _pyplot()
    ax = ax if ax is not None else plt.subplots(figsize=(5, 4))[1]
    chosen = list(labels) if labels is not None else list(runs.results)
    paths = {k: runs[k].iterates[np.all(np.isfinite(runs[k].iterates), axis=1)] for k in chosen}
    n = runs[chosen[0]].iterates.shape[1]
    if n not in (1, 2):
        raise EinsteinError(f"plot_paths draws 1-D and 2-D problems, this one has {n} parameters",
                            hint="use plot_losses for larger problems")
    pts = np.concatenate(list(paths.values()))
    center = runs.minimum if runs.minimum is not None else pts.mean(axis=0)
    half = np.clip(np.abs(pts - center).max(axis=0), 0.5, 4 * np.abs(pts[0] - center).max() + 0.5) * 1.1
    name = runs[chosen[0]].names[0]
    loss = np.vectorize(lambda *t: runs.objective.value({name: np.array(t)}))
    if n == 1:
        grid = np.linspace(center[0] - half[0], center[0] + half[0], 200)
        ax.plot(grid, loss(grid), color="0.6", lw=1)
        for k, p in paths.items():
            ax.plot(p[:, 0], loss(p[:, 0]), "o-", ms=3, lw=1, label=f"{k} ({runs[k].reason})")
        ax.set_xlabel(r"$\theta$")
        ax.set_ylabel(r"$L(\theta)$")
    else:
        gx, gy = (np.linspace(center[i] - half.max(), center[i] + half.max(), 120) for i in range(2))
        X, Y = np.meshgrid(gx, gy)
        ax.contour(X, Y, loss(X, Y), levels=20, colors="0.7", linewidths=0.7)
        for k, p in paths.items():
            ax.plot(p[:, 0], p[:, 1], "o-", ms=2.5, lw=1, label=f"{k} ({runs[k].reason})")
        ax.set_xlim(gx[0], gx[-1])
        ax.set_ylim(gy[0], gy[-1])
        ax.set_aspect("equal")
        ax.set_xlabel(r"$\theta_1$")
        ax.set_ylabel(r"$\theta_2$")
    ax.legend(fontsize=7)
    return ax


def plot_losses(results: Mapping[str, Result], ax: Any = None, minimum: float | None = None) -> Any:
    """Loss curves on a log scale (of ``loss - minimum`` when the minimum is given).

    Values below ``1e-16`` times the losses' size (rounding, not progress) are drawn at that floor.

    Returns:
        The matplotlib axes.

    Example:
        >>> import numpy as np
        >>> r = optim.gradient_descent(optim.quadratic(np.eye(1)), np.ones(1), alpha=0.5, tol=1e-3)
        >>> ax = plot_losses({"gd": r})
        >>> len(ax.lines), ax.get_xlabel()
        (1, 'iteration')
        >>> _pyplot().close(ax.figure)
    """
    plt = _pyplot()
    ax = ax if ax is not None else plt.subplots(figsize=(5, 3.5))[1]
    # below about 1e-16 of the losses' size, L - L* is rounding: clip there, not at 1e-300 (an axis to 1e-315)
    starts = [abs(float(r.losses[0])) for r in results.values() if r.losses.size and np.isfinite(r.losses[0])]
    scale = max(starts + ([abs(float(minimum))] if minimum is not None else []) + [1e-300])
    floor = 1e-16 * scale
    for label, r in results.items():
        vals = r.losses - (minimum if minimum is not None else 0.0)
        ax.semilogy(np.arange(vals.size), np.maximum(vals, floor), lw=1.2, label=f"{label} ({r.reason})")
    ax.set_ylim(bottom=floor / 2)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss" if minimum is None else r"$L - L^*$")
    ax.legend(fontsize=7)
    return ax


def plot_condition_numbers(sweep: ConditionSweep, ax: Any = None) -> Any:
    """Iterations to the tolerance against the condition number, log-log, with the fitted slopes.

    Returns:
        The matplotlib axes.

    Example:
        >>> ax = plot_condition_numbers(condition_number_experiment(kappas=(10, 30), methods=("newton",), n=2))
        >>> ax.get_xscale(), len(ax.lines)
        ('log', 1)
        >>> _pyplot().close(ax.figure)
    """
    plt = _pyplot()
    ax = ax if ax is not None else plt.subplots(figsize=(5, 3.5))[1]
    for m, its in sweep.iterations.items():
        ax.loglog(sweep.kappas, np.maximum(its, 1), "o-", lw=1.2, label=f"{m} (slope {sweep.slope(m):.2f})")
    ax.set_xlabel(r"condition number $\kappa = L / \mu$")
    ax.set_ylabel("iterations to tolerance")
    ax.legend(fontsize=7)
    return ax
