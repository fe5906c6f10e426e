"""Gradient-descent methods of the slides on a loss over named parameters.

An :class:`Objective` is a loss ``L(theta)`` whose parameters are named arrays (``{"A": ..., "b": ...}``),
with its gradient (a dict shaped like the parameters) and, optionally, its Hessian flattened over all
parameters in order.  Build one from Python callables (:func:`from_callables`), as a quadratic form
(:func:`quadratic`) or from a loss written in index notation (:func:`objective`, which differentiates it
with ``el.diff`` and compiles loss, gradient and Hessian with ``el.compile``).

The methods -- :func:`gradient_descent`, :func:`steepest_descent`, :func:`coordinate_descent`,
:func:`momentum` (heavy ball and Nesterov), :func:`newton` and the Hessian-free :func:`newton_cg` (conjugate
gradients on Hessian-vector products, the Hessian never formed) -- all return one :class:`Result` whose
``reason`` says why they stopped: ``"converged"`` (gradient norm at most ``max(tol, rtol * |g0|)``),
``"max_iter"`` or ``"diverged"`` (a NaN or inf, or a loss that rose ``patience`` steps in a row to above
its starting value, see ``patience`` below; a :class:`DivergenceWarning` is issued too).  Diagonal preconditioning is the
``precondition=`` argument (``"jacobi"``, or a dict of per-parameter scales).

Stopping rules, the same keyword arguments for every method: ``max_iter`` (iteration limit), ``tol`` and
``rtol`` (converged when ``|grad| <= max(tol, rtol * |grad_0|)``), ``patience`` (a loss rising this many
steps in a row, each rise at least as large as the one before, to above its start is divergence; the
growing-then-slowing transient of momentum is not), ``keep_iterates`` (store every iterate: True; every
k-th: an int k; only the first and last: False) and ``progress`` (a tqdm bar; None: only on a terminal and when
tqdm is installed, quietly none otherwise; True: always, a plain line on stderr when tqdm is missing).

Example:
    >>> import numpy as np
    >>> obj = quadratic(np.diag([1.0, 10.0]), c=np.array([1.0, 1.0]))
    >>> r = steepest_descent(obj, np.zeros(2), tol=1e-10)
    >>> r.reason, np.round(r.params["theta"], 6).tolist()
    ('converged', [1.0, 0.1])
    >>> newton(obj, np.zeros(2)).n_iter
    1
"""

from __future__ import annotations

import functools
import math
import numbers
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import numpy as np

from ..core.errors import EinsteinError
from ..nets.objective import Objective, Params, _as_params, _Layout, _layout, from_callables, objective, quadratic
from .linesearch import NO_DECREASE, along, armijo, check_line_search, line_step

__all__ = [
    "Objective", "Result", "DivergenceWarning", "from_callables", "quadratic", "objective",
    "gradient_descent", "steepest_descent", "coordinate_descent", "momentum", "newton", "newton_cg",
    "jacobi_preconditioner", "REASONS",
]

REASONS = ("converged", "max_iter", "diverged")


class DivergenceWarning(RuntimeWarning):
    """Issued when a method stops because its loss became NaN/inf or kept growing."""


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    """What a method did: final parameters, histories and why it stopped.

    Attributes:
        method: the method's name (``"gradient_descent"``, ``"momentum"``, ...).
        reason: ``"converged"``, ``"max_iter"`` or ``"diverged"``.
        n_iter: iterations taken (for coordinate descent: coordinate updates).
        params: the last iterate, by name.
        losses: the loss at iterations ``0..n_iter`` (``n_iter + 1`` values).
        grad_norms: the gradient's Euclidean norm at the same iterations.
        step_sizes: the step size of each iteration (``n_iter`` values).
        iterates: stored iterates, flattened over all parameters, one row each.
        iterate_steps: the iteration number of each stored row.
        settings: the method's hyper-parameters.
        message: a sentence about the stop.
        evaluations: how many loss, gradient and Hessian evaluations it took.
    """

    method: str
    reason: str
    n_iter: int
    params: Params
    losses: np.ndarray
    grad_norms: np.ndarray
    step_sizes: np.ndarray
    iterates: np.ndarray
    iterate_steps: np.ndarray
    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    settings: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    evaluations: dict[str, int] = field(default_factory=dict)

    @property
    def loss(self) -> float:
        """The final loss."""
        return float(self.losses[-1])

    @property
    def converged(self) -> bool:
        """Whether it converged: the gradient-norm tolerance was reached, or (see ``message``) a line search
        found the loss flat to machine precision along the descent direction."""
        return self.reason == "converged"

    def params_at(self, row: int) -> Params:
        """The stored iterate ``row`` (see ``iterate_steps``) as a dict of parameters."""
        n = len(self.iterates)
        if not (_is_int(row) and -n <= row < n):
            raise EinsteinError(f"params_at({row!r}): there are {n} stored iterates (rows 0 to {n - 1})",
                                hint="iterate_steps gives the iteration of each row; keep_iterates=True stores all")
        return _Layout(self.names, self.shapes).unflatten(self.iterates[row])

    def __repr__(self) -> str:
        return (f"Result(method={self.method!r}, reason={self.reason!r}, n_iter={self.n_iter}, "
                f"loss={self.loss:.6g}, grad_norm={float(self.grad_norms[-1]):.3g})")


# --------------------------------------------------------------------------- the machinery all methods share


class _Problem:
    """An objective seen on flat vectors, with evaluation counters."""

    def __init__(self, obj: Objective, theta0: Any) -> None:
        p0 = _as_params(theta0)
        self.obj, self.layout = obj, _layout(p0, obj.names)
        self.x0 = self.layout.flatten(p0)
        self.count = {"loss": 0, "grad": 0, "hessian": 0, "hvp": 0}
        self._Q: np.ndarray | None = None

    def f(self, x: np.ndarray) -> float:
        self.count["loss"] += 1
        return self.obj.value(self.layout.unflatten(x))

    def fg(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        self.count["loss"] += 1
        self.count["grad"] += 1
        f, g = self.obj.value_and_grad(self.layout.unflatten(x))
        return f, self.layout.flatten(g)

    def hess(self, x: np.ndarray) -> np.ndarray:
        if self.obj.quadratic:
            if self._Q is None:
                self.count["hessian"] += 1
                self._Q = self.obj.hessian(self.layout.unflatten(x))
            return self._Q
        self.count["hessian"] += 1
        return self.obj.hessian(self.layout.unflatten(x))

    def hvp(self, x: np.ndarray, d: np.ndarray) -> np.ndarray:
        """``H(x) d`` on flat vectors: the objective's Hessian-vector product (the dense Hessian only as a fallback)."""
        if self.obj.quadratic or self.obj._hvp is None:
            return self.hess(x) @ d
        self.count["hvp"] += 1
        lay = self.layout
        return lay.flatten(self.obj.hvp(lay.unflatten(x), lay.unflatten(d)))

    def curvature(self, x: np.ndarray, d: np.ndarray) -> float | None:
        """``d . H(x) d``, or None without second derivatives."""
        if self.obj.quadratic or (self.obj.has_hessian and self.obj._hvp is None):
            return float(d @ self.hess(x) @ d)
        if self.obj.has_hvp:
            self.count["hessian"] += 1
            lay = self.layout
            return float(d @ lay.flatten(self.obj.hvp(lay.unflatten(x), lay.unflatten(d))))
        return None


def _is_int(v: Any) -> TypeGuard[int]:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_real(v: Any) -> TypeGuard[float]:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _check_step(name: str, value: Any, hint: str) -> float:
    """A step size (``alpha``, ``alpha0``): a finite number > 0."""
    if not (_is_real(value) and 0 < value < math.inf):
        raise EinsteinError(f"step size {name}={value!r} must be positive and finite", hint=hint)
    return float(value)


def _check_objective(method: str, obj: Any) -> None:
    if not isinstance(obj, Objective):
        raise EinsteinError(f"{method} needs an Objective, got {type(obj).__name__}",
                            hint="build one with optim.from_callables, optim.quadratic or optim.objective")


class _PlainProgress:
    """A progress line on stderr, for when tqdm is not installed (it is in the ``plot`` extra)."""

    def __init__(self, total: int, desc: str) -> None:
        self.total, self.desc, self.n, self.postfix = total, desc, 0, ""
        self.every = max(1, total // 20)

    def update(self, n: int = 1) -> None:
        self.n += n
        if self.n % self.every == 0 or self.n == self.total:
            sys.stderr.write(f"\r{self.desc}: {self.n}/{self.total}{self.postfix}")
            sys.stderr.flush()

    def set_postfix(self, refresh: bool = False, **values: Any) -> None:
        self.postfix = "".join(f", {k}={v}" for k, v in values.items())

    def close(self) -> None:
        sys.stderr.write(f"\r{self.desc}: {self.n}/{self.total}{self.postfix}\n")
        sys.stderr.flush()


def _progress(total: int, enabled: bool | None, desc: str) -> Any:
    """The progress bar of a run: tqdm when installed, else a plain line (asked for) or nothing (automatic).

    ``enabled=None`` shows a bar only on a terminal, and only with tqdm installed: a plain
    ``pip install .`` (no extras) runs quietly.  ``enabled=True`` always shows progress.

    Example:
        >>> _progress(10, False, "gd") is None
        True
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
        quiet = True
    else:
        quiet = False
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is in the "plot" extra: fall back, never fail
        return None if quiet else _PlainProgress(total, desc)
    return tqdm(total=total, desc=desc, leave=False)


class _Run:
    """Records one method's histories and decides when it stops."""

    def __init__(self, method: str, prob: _Problem, x: np.ndarray, f: float, g: np.ndarray, *, max_iter: int,
                 tol: float, rtol: float, patience: int, keep_iterates: bool | int, progress: bool | None,
                 settings: dict[str, Any]) -> None:
        ints_ok = all(_is_int(v) for v in (max_iter, patience)) and (_is_int(keep_iterates) or
                                                                   isinstance(keep_iterates, bool))
        if not (ints_ok and _is_real(tol) and _is_real(rtol)) or max_iter < 0 or tol < 0 or rtol < 0 or patience < 1 \
                or keep_iterates < 0:
            raise EinsteinError(f"bad stopping settings max_iter={max_iter!r}, tol={tol!r}, rtol={rtol!r}, "
                                f"patience={patience!r}, keep_iterates={keep_iterates!r}",
                                hint="max_iter and patience are integers (patience >= 1), tol and rtol numbers >= 0, "
                                     "keep_iterates True, False or an integer k >= 0 (every k-th iterate)")
        self.method, self.prob, self.settings = method, prob, settings
        self.max_iter, self.patience = max_iter, patience
        gn = float(np.linalg.norm(g))
        self.threshold = max(tol, rtol * gn) if math.isfinite(gn) else tol
        self.every = int(keep_iterates) if not isinstance(keep_iterates, bool) else (1 if keep_iterates else 0)
        self.losses, self.gnorms, self.alphas = [f], [gn], list[float]()
        self.rows, self.steps = [x.copy()], [0]
        self.k, self.rises, self.last_rise = 0, 0, 0.0
        self.bar = _progress(max_iter, progress, method)

    def first(self) -> str | None:
        if not (math.isfinite(self.losses[0]) and math.isfinite(self.gnorms[0])):
            return "diverged"
        if self.gnorms[0] <= self.threshold:
            return "converged"
        return "max_iter" if self.max_iter == 0 else None

    def step(self, x: np.ndarray, f: float, g: np.ndarray, alpha: float) -> str | None:
        self.k += 1
        gn = float(np.linalg.norm(g))
        rise = f - self.losses[-1]
        # a divergence streak: rises, each at least as large as the one before (a transient slows down)
        self.rises = (self.rises + 1 if self.rises and rise >= self.last_rise else 1) if rise > 0 else 0
        self.last_rise = rise
        self.losses.append(f)
        self.gnorms.append(gn)
        self.alphas.append(alpha)
        if self.every and self.k % self.every == 0:
            self.rows.append(x.copy())
            self.steps.append(self.k)
        if self.bar is not None:
            self.bar.update(1)
            if self.k % 10 == 0:
                self.bar.set_postfix(loss=f"{f:.4g}", refresh=False)
        if not (math.isfinite(f) and math.isfinite(gn) and np.all(np.isfinite(x))):
            return "diverged"
        if gn <= self.threshold:
            return "converged"
        if self.rises >= self.patience and f > self.losses[0]:
            return "diverged"
        return "max_iter" if self.k >= self.max_iter else None

    def finish(self, x: np.ndarray, reason: str, message: str = "") -> Result:
        if self.bar is not None:
            self.bar.close()
        if self.steps[-1] != self.k:
            self.rows.append(x.copy())
            self.steps.append(self.k)
        if not message:
            message = {
                "converged": f"|grad| {self.gnorms[-1]:.3g} <= {self.threshold:.3g}",
                "max_iter": f"iteration limit {self.max_iter} reached, |grad| {self.gnorms[-1]:.3g}",
                "diverged": (f"loss became {self.losses[-1]}" if not math.isfinite(self.losses[-1]) else
                             f"loss rose {self.rises} steps in a row, faster each step, to {self.losses[-1]:.4g} "
                             f"(started at {self.losses[0]:.4g})"),
            }[reason]
        if reason == "diverged":
            warnings.warn(f"{self.method} diverged: {message}", DivergenceWarning, stacklevel=3)
        lay = self.prob.layout
        return Result(self.method, reason, self.k, lay.unflatten(x), np.array(self.losses), np.array(self.gnorms),
                      np.array(self.alphas), np.array(self.rows), np.array(self.steps), lay.names, lay.shapes,
                      dict(self.settings), message, dict(self.prob.count))


def _preconditioner(prob: _Problem, spec: Any, x0: np.ndarray) -> np.ndarray | None:
    """The diagonal scaling P (flat) of ``d = -P g``."""
    if spec is None:
        return None
    lay = prob.layout
    if isinstance(spec, str):
        if spec != "jacobi":
            raise EinsteinError(f"unknown preconditioner '{spec}'", hint="use 'jacobi', a dict of scales per parameter, or None")
        if prob.obj.has_hessian:
            diag = np.diag(prob.hess(x0)).copy()
        elif prob.obj.has_hvp:
            diag = np.array([prob.curvature(x0, np.eye(lay.n)[i]) or 0.0 for i in range(lay.n)])
        else:
            raise EinsteinError("precondition='jacobi' needs the Hessian's diagonal, and the objective has no Hessian",
                                hint="pass hessian= or hvp= to the objective, or give explicit scales as a dict")
        diag = np.abs(diag)
        floor = 1e-12 * max(float(diag.max(initial=0.0)), 1e-300)
        return 1.0 / np.maximum(diag, floor)
    if isinstance(spec, Mapping):
        unknown = sorted(set(spec) - set(lay.names))
        if unknown:
            raise EinsteinError(f"preconditioner names unknown parameters {unknown}", hint=f"parameters are {list(lay.names)}")
        try:
            return lay.flatten({k: np.broadcast_to(np.asarray(spec.get(k, 1.0), dtype=float), s)
                                for k, s in zip(lay.names, lay.shapes)})
        except (TypeError, ValueError):
            raise EinsteinError("preconditioner scales must be numbers or arrays shaped like their parameters",
                                hint=f"parameters have shapes {dict(zip(lay.names, lay.shapes))}") from None
    try:
        P = np.asarray(spec, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise EinsteinError(f"preconditioner {spec!r} is not 'jacobi', a dict of scales or an array of numbers",
                            hint="use 'jacobi', a dict of scales per parameter, or None") from None
    if P.shape != (lay.n,):
        raise EinsteinError(f"preconditioner has {P.size} entries, the parameters have {lay.n}",
                            hint="give one scale per parameter entry, or a dict of scales per parameter")
    return P


def jacobi_preconditioner(obj: Objective, params: Mapping[str, Any]) -> Params:
    """The Jacobi (inverse Hessian diagonal) scales at ``params``, by parameter.

    Example:
        >>> import numpy as np
        >>> jacobi_preconditioner(quadratic(np.diag([2.0, 8.0])), np.zeros(2))["theta"].tolist()
        [0.5, 0.125]
    """
    _check_objective("jacobi_preconditioner", obj)
    prob = _Problem(obj, params)
    P = _preconditioner(prob, "jacobi", prob.x0)
    assert P is not None
    return prob.layout.unflatten(P)


# --------------------------------------------------------------------------- the methods

def _start(method: str, obj: Objective, theta0: Any, stop: dict[str, Any], settings: dict[str, Any],
           ) -> tuple[_Problem, _Run, np.ndarray, float, np.ndarray]:
    _check_objective(method, obj)
    prob = _Problem(obj, theta0)
    x = prob.x0.copy()
    try:
        f, g = prob.fg(x)
    except EinsteinError:
        raise
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
        raise EinsteinError(f"{method}: the objective fails at the starting point ({type(exc).__name__}: {exc})",
                            hint=f"{obj!r} was given parameters of shapes "
                                 f"{dict(zip(prob.layout.names, prob.layout.shapes))}") from exc
    return prob, _Run(method, prob, x, f, g, settings=settings, **stop), x, f, g


def gradient_descent(obj: Objective, theta0: Any, alpha: float = 0.1, *, precondition: Any = None,
                     max_iter: int = 1000, tol: float = 1e-6, rtol: float = 0.0, patience: int = 5,
                     keep_iterates: bool | int = True, progress: bool | None = None) -> Result:
    """Gradient descent with a fixed step: ``d = -P grad L``, ``theta <- theta + alpha d``.

    Args:
        obj: the objective.
        theta0: the starting parameters (a dict, or one array named ``theta``).
        alpha: the step size; above ``2 / L`` (``L`` the largest curvature) it diverges.
        precondition: None, ``"jacobi"`` (``P = 1 / |diag H|`` at the start) or a dict of scales.
        max_iter, tol, rtol, patience, keep_iterates, progress: the stopping rules (module docstring).

    Example:
        >>> import numpy as np
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:  # 0.6 > 2 / L = 0.5
        ...     warnings.simplefilter("always")
        ...     r = gradient_descent(quadratic(np.diag([1.0, 4.0])), np.ones(2), alpha=0.6)
        >>> r.reason, caught[0].category.__name__
        ('diverged', 'DivergenceWarning')
    """
    _check_step("alpha", alpha, "try alpha=1/L, L the largest curvature")
    stop = dict(max_iter=max_iter, tol=tol, rtol=rtol, patience=patience, keep_iterates=keep_iterates, progress=progress)
    prob, run, x, f, g = _start("gradient_descent", obj, theta0, stop, {"alpha": float(alpha)})
    P = _preconditioner(prob, precondition, x)
    reason = run.first()
    while reason is None:
        x = x - alpha * (g if P is None else P * g)
        f, g = prob.fg(x)
        reason = run.step(x, f, g, alpha)
    return run.finish(x, reason)


def steepest_descent(obj: Objective, theta0: Any, *, line_search: str = "auto", precondition: Any = None,
                     alpha0: float = 1.0, max_iter: int = 1000, tol: float = 1e-6, rtol: float = 0.0,
                     patience: int = 5, keep_iterates: bool | int = True, progress: bool | None = None) -> Result:
    """Steepest descent: ``alpha* = argmin_a L(theta + a d)`` along ``d = -P grad L`` at every step.

    Args:
        obj: the objective.
        theta0: the starting parameters.
        line_search: ``"auto"`` (exact ``alpha* = -g.d / d.Q d`` on a quadratic; a 1-D Newton step
            guarded by Armijo backtracking when Hessian-vector products exist; Armijo otherwise),
            ``"exact"`` (quadratics only), ``"armijo"`` (backtracking) or ``"golden"`` (bracketing and
            golden-section search).
        precondition: as for :func:`gradient_descent`.
        alpha0: the first trial step of the backtracking and golden searches (then twice the last step).
        max_iter, tol, rtol, patience, keep_iterates, progress: the stopping rules (module docstring).

    Example:
        >>> import numpy as np
        >>> steepest_descent(quadratic(np.diag([1.0, 4.0])), np.ones(2), line_search="golden").reason
        'converged'
    """
    check_line_search(line_search)
    _check_step("alpha0", alpha0, "the first trial step, e.g. alpha0=1.0")
    stop = dict(max_iter=max_iter, tol=tol, rtol=rtol, patience=patience, keep_iterates=keep_iterates, progress=progress)
    prob, run, x, f, g = _start("steepest_descent", obj, theta0, stop, {"line_search": line_search})
    P = _preconditioner(prob, precondition, x)
    reason, trial = run.first(), alpha0
    while reason is None:
        d = -(g if P is None else P * g)
        alpha = line_step(prob, x, f, g, d, line_search, trial)
        if alpha == 0.0:
            return run.finish(x, "converged", NO_DECREASE)
        trial = 2 * alpha
        x = x + alpha * d
        f, g = prob.fg(x)
        reason = run.step(x, f, g, alpha)
    return run.finish(x, reason)


def coordinate_descent(obj: Objective, theta0: Any, *, blocks: str = "coordinates", order: str = "cyclic",
                       line_search: str = "auto", alpha0: float = 1.0, max_iter: int = 1000, tol: float = 1e-6,
                       rtol: float = 0.0, patience: int = 5, keep_iterates: bool | int = True,
                       progress: bool | None = None) -> Result:
    """Coordinate descent: minimize along one coordinate (or one named parameter) at a time.

    Each iteration takes one block ``B`` and the step ``d = -g`` restricted to ``B``, with the same line
    search as :func:`steepest_descent`; on a quadratic with single coordinates this is the exact
    coordinate minimum ``theta_i -= g_i / Q_ii``, with no step size to choose.

    Args:
        obj: the objective.
        theta0: the starting parameters.
        blocks: ``"coordinates"`` (every scalar entry) or ``"parameters"`` (one named parameter at a time).
        order: ``"cyclic"`` or ``"greedy"`` (the block with the largest gradient, Gauss-Southwell).
        line_search: as for :func:`steepest_descent`.
        alpha0: the first trial step of the backtracking and golden searches.
        max_iter, tol, rtol, patience, keep_iterates, progress: the stopping rules (module docstring).

    Example:
        >>> import numpy as np
        >>> coordinate_descent(quadratic(np.diag([1.0, 4.0]), c=np.ones(2)), np.zeros(2)).n_iter
        2
    """
    check_line_search(line_search)
    _check_step("alpha0", alpha0, "the first trial step, e.g. alpha0=1.0")
    if blocks not in ("coordinates", "parameters") or order not in ("cyclic", "greedy"):
        raise EinsteinError(f"unknown blocks={blocks!r} or order={order!r}",
                            hint="blocks is 'coordinates' or 'parameters'; order is 'cyclic' or 'greedy'")
    stop = dict(max_iter=max_iter, tol=tol, rtol=rtol, patience=patience, keep_iterates=keep_iterates, progress=progress)
    prob, run, x, f, g = _start("coordinate_descent", obj, theta0, stop, {"blocks": blocks, "order": order})
    parts = ([np.array([i]) for i in range(x.size)] if blocks == "coordinates"
             else [np.arange(s.start, s.stop) for s in prob.layout.slices()])
    reason, k, trial, idle = run.first(), 0, alpha0, 0
    while reason is None:
        if order == "greedy":
            b = parts[int(np.argmax([np.linalg.norm(g[p]) for p in parts]))]
        else:
            b, k = parts[k % len(parts)], k + 1
        d = np.zeros_like(x)
        d[b] = -g[b]
        if not np.any(d):
            idle += 1
            if idle > len(parts):  # pragma: no cover - the gradient norm test stops earlier
                return run.finish(x, "converged", NO_DECREASE)
            continue
        alpha = line_step(prob, x, f, g, d, line_search, trial)
        idle = idle + 1 if alpha == 0.0 else 0
        if idle > len(parts):
            return run.finish(x, "converged", NO_DECREASE)
        trial = 2 * alpha if alpha > 0 else alpha0
        x = x + alpha * d
        f, g = prob.fg(x)
        reason = run.step(x, f, g, alpha)
    return run.finish(x, reason)


def momentum(obj: Objective, theta0: Any, alpha: float = 0.01, beta: float = 0.9, *, nesterov: bool = False,
             precondition: Any = None, max_iter: int = 1000, tol: float = 1e-6, rtol: float = 0.0,
             patience: int = 20, keep_iterates: bool | int = True, progress: bool | None = None) -> Result:
    """Momentum: heavy ball ``v <- beta v - alpha P g(theta)``, ``theta <- theta + v``, or Nesterov's
    look-ahead ``g(theta + beta v)``.

    On a quadratic with curvatures in ``[mu, L]``, ``alpha = 4 / (sqrt L + sqrt mu)^2`` and
    ``beta = ((sqrt k - 1) / (sqrt k + 1))^2`` (``k = L / mu``) make the heavy ball need about
    ``sqrt k`` times fewer iterations than gradient descent's ``k``.

    Args:
        obj: the objective.
        theta0: the starting parameters.
        alpha: the step size.
        beta: the momentum coefficient, in ``[0, 1)``.
        nesterov: evaluate the gradient at the look-ahead point.
        precondition: as for :func:`gradient_descent`.
        max_iter, tol, rtol, patience, keep_iterates, progress: the stopping rules (module docstring).

    Example:
        >>> import numpy as np
        >>> momentum(quadratic(np.diag([1.0, 4.0])), np.ones(2), alpha=0.4, beta=0.1).reason
        'converged'
    """
    if not (_is_real(alpha) and _is_real(beta) and 0 < alpha < math.inf and 0 <= beta < 1):
        raise EinsteinError(f"momentum needs alpha > 0 and 0 <= beta < 1, got alpha={alpha}, beta={beta}",
                            hint="typical values: alpha=0.01, beta=0.9")
    stop = dict(max_iter=max_iter, tol=tol, rtol=rtol, patience=patience, keep_iterates=keep_iterates, progress=progress)
    name = "nesterov" if nesterov else "momentum"
    prob, run, x, f, g = _start(name, obj, theta0, stop, {"alpha": float(alpha), "beta": float(beta)})
    P = _preconditioner(prob, precondition, x)
    v = np.zeros_like(x)
    reason = run.first()
    while reason is None:
        gl = prob.fg(x + beta * v)[1] if nesterov else g
        v = beta * v - alpha * (gl if P is None else P * gl)
        x = x + v
        f, g = prob.fg(x)
        reason = run.step(x, f, g, alpha)
    return run.finish(x, reason)


def newton(obj: Objective, theta0: Any, *, damping: str | float = "armijo", regularization: float = 0.0,
           max_iter: int = 100, tol: float = 1e-6, rtol: float = 0.0, patience: int = 5,
           keep_iterates: bool | int = True, progress: bool | None = None) -> Result:
    """Damped Newton: solve ``(H + lam I) p = -g`` with the Hessian flattened over all parameters, step ``t p``.

    It "spheres the ellipse": on a quadratic the full step (``t = 1``) lands on the minimum.  ``lam``
    starts at ``regularization`` and grows until ``H + lam I`` is positive definite (Cholesky).  An
    objective with Hessian-vector products but no Hessian is solved by conjugate gradients instead
    (:func:`newton_cg`, which only needs products).

    Args:
        obj: the objective (with a Hessian, or Hessian-vector products).
        theta0: the starting parameters.
        damping: ``"armijo"`` (backtrack from ``t = 1``) or a fixed fraction ``t`` in ``(0, 1]``.
        regularization: the Levenberg term ``lam`` added to the Hessian's diagonal.
        max_iter, tol, rtol, patience, keep_iterates, progress: the stopping rules (module docstring).

    Example:
        >>> import numpy as np
        >>> r = newton(quadratic(np.array([[3.0, 1.0], [1.0, 2.0]]), c=np.ones(2)), np.zeros(2))
        >>> r.n_iter, r.reason
        (1, 'converged')
    """
    _check_objective("newton", obj)
    if not (_is_real(regularization) and 0 <= regularization < math.inf):
        raise EinsteinError(f"regularization={regularization!r} must be a finite number >= 0", hint="e.g. 1e-6")
    if not obj.has_hessian and obj.has_hvp:
        return _newton_cg("newton", obj, theta0, damping=damping, regularization=regularization, cg_tol=None,
                          max_cg=None, stop=dict(max_iter=max_iter, tol=tol, rtol=rtol, patience=patience,
                                                 keep_iterates=keep_iterates, progress=progress))
    if not obj.has_hessian:
        raise EinsteinError("newton needs the objective's Hessian or its Hessian-vector products",
                            hint="pass hessian= or hvp= to from_callables, or use objective() on an index-notation loss")
    if not (damping == "armijo" or (_is_real(damping) and 0 < damping <= 1)):
        raise EinsteinError(f"damping={damping!r} is neither 'armijo' nor a step in (0, 1]", hint="use damping='armijo'")
    stop = dict(max_iter=max_iter, tol=tol, rtol=rtol, patience=patience, keep_iterates=keep_iterates, progress=progress)
    prob, run, x, f, g = _start("newton", obj, theta0, stop, {"damping": damping})
    reason = run.first()
    while reason is None:
        H = prob.hess(x)
        lam, scale = regularization, max(float(np.abs(np.diag(H)).max(initial=0.0)), 1e-12)
        for _ in range(60):
            try:
                Lc = np.linalg.cholesky(H + lam * np.eye(x.size))
                break
            except np.linalg.LinAlgError:
                lam = max(2 * lam, 1e-8 * scale)
        else:
            return run.finish(x, "diverged", "the Hessian could not be made positive definite")
        p = -np.linalg.solve(Lc.T, np.linalg.solve(Lc, g))
        t = 1.0 if damping == "armijo" else float(damping)
        if damping == "armijo":
            t = armijo(along(prob, x, p), f, float(g @ p), 1.0)
            if t == 0.0:
                return run.finish(x, "converged", NO_DECREASE)
        x = x + t * p
        f, g = prob.fg(x)
        reason = run.step(x, f, g, t)
    return run.finish(x, reason)


def newton_cg(obj: Objective, theta0: Any, *, damping: str | float = "armijo", regularization: float = 0.0,
              cg_tol: float | None = None, max_cg: int | None = None, max_iter: int = 100, tol: float = 1e-6,
              rtol: float = 0.0, patience: int = 5, keep_iterates: bool | int = True,
              progress: bool | None = None) -> Result:
    """Hessian-free (truncated) Newton: conjugate gradients on ``(H + lam I) p = -g`` using only ``H v`` products.

    Each iteration runs CG from ``p = 0`` until the residual falls below ``eta |g|`` (``eta = cg_tol``,
    default ``min(0.5, sqrt |g|)``: inexact far from the minimum, superlinear near it), ``max_cg``
    products (default: the number of parameters) or a direction of negative curvature (then the
    iterate so far, or ``-g`` on the first CG step), and steps ``t p`` as :func:`newton`.  The Hessian
    is never formed: an objective's ``hvp`` (compiled for networks: ``net.hessian_vector``) does the work.

    Args:
        obj: the objective (with Hessian-vector products, or a Hessian to multiply by).
        theta0: the starting parameters.
        damping: ``"armijo"`` (backtrack from ``t = 1``) or a fixed step ``t`` in ``(0, 1]``.
        regularization: ``lam``, added to the curvature of every CG direction.
        cg_tol: the relative residual at which CG stops (None: ``min(0.5, sqrt |g|)``).
        max_cg: the most Hessian-vector products per iteration (None: the number of parameters).
        max_iter, tol, rtol, patience, keep_iterates, progress: the stopping rules (module docstring).

    Example:
        >>> import numpy as np
        >>> obj = quadratic(np.array([[3.0, 1.0], [1.0, 2.0]]), c=np.ones(2))
        >>> r = newton_cg(obj, np.zeros(2), cg_tol=1e-12)
        >>> r.n_iter, np.round(r.params["theta"], 6).tolist()
        (1, [0.2, 0.4])
    """
    stop = dict(max_iter=max_iter, tol=tol, rtol=rtol, patience=patience, keep_iterates=keep_iterates, progress=progress)
    return _newton_cg("newton_cg", obj, theta0, damping=damping, regularization=regularization, cg_tol=cg_tol,
                      max_cg=max_cg, stop=stop)


def _cg(hvp: Any, g: np.ndarray, lam: float, rel: float, max_cg: int) -> tuple[np.ndarray, int]:
    """Approximately solve ``(H + lam I) p = -g`` by conjugate gradients; stops at negative curvature."""
    p = np.zeros_like(g)
    r = -g.copy()
    d = r.copy()
    rr = float(r @ r)
    target = rel * math.sqrt(rr)
    for k in range(max_cg):
        hd = hvp(d) + lam * d
        curv = float(d @ hd)
        if not math.isfinite(curv) or curv <= 1e-14 * float(d @ d):
            return (p if k else -g.copy()), k + 1  # negative curvature: the Newton model has no minimum
        a = rr / curv
        p = p + a * d
        r = r - a * hd
        rr_new = float(r @ r)
        if math.sqrt(rr_new) <= target:
            return p, k + 1
        d = r + (rr_new / rr) * d
        rr = rr_new
    return p, max_cg


def _newton_cg(method: str, obj: Objective, theta0: Any, *, damping: str | float, regularization: float,
               cg_tol: float | None, max_cg: int | None, stop: dict[str, Any]) -> Result:
    _check_objective(method, obj)
    if not (_is_real(regularization) and 0 <= regularization < math.inf):
        raise EinsteinError(f"regularization={regularization!r} must be a finite number >= 0", hint="e.g. 1e-6")
    if not obj.has_hvp:
        raise EinsteinError(f"{method} needs the objective's Hessian-vector products (or its Hessian)",
                            hint="pass hvp= to from_callables, or use net.objective(x, y) / objective() on a loss")
    if not (damping == "armijo" or (_is_real(damping) and 0 < damping <= 1)):
        raise EinsteinError(f"damping={damping!r} is neither 'armijo' nor a step in (0, 1]", hint="use damping='armijo'")
    if cg_tol is not None and not (_is_real(cg_tol) and 0 < cg_tol < 1):
        raise EinsteinError(f"cg_tol={cg_tol!r} must be a number in (0, 1)", hint="e.g. cg_tol=1e-3, or None")
    if max_cg is not None and not (_is_int(max_cg) and max_cg >= 1):
        raise EinsteinError(f"max_cg={max_cg!r} must be a positive integer", hint="e.g. max_cg=50, or None")
    prob, run, x, f, g = _start(method, obj, theta0, stop, {"damping": damping, "cg_tol": cg_tol, "solver": "cg"})
    reason = run.first()
    cg_steps = 0
    while reason is None:
        gn = float(np.linalg.norm(g))
        rel = cg_tol if cg_tol is not None else min(0.5, math.sqrt(gn))
        p, used = _cg(functools.partial(prob.hvp, x), g, float(regularization), rel, max_cg or x.size)
        cg_steps += used
        slope = float(g @ p)
        if not slope < 0:  # pragma: no cover - CG from 0 gives a descent direction for positive curvature
            p, slope = -g, -gn * gn
        t = 1.0 if damping == "armijo" else float(damping)
        if damping == "armijo":
            t = armijo(along(prob, x, p), f, slope, 1.0)
            if t == 0.0:
                run.settings["cg_steps"] = cg_steps
                return run.finish(x, "converged", NO_DECREASE)
        x = x + t * p
        f, g = prob.fg(x)
        reason = run.step(x, f, g, t)
    run.settings["cg_steps"] = cg_steps
    return run.finish(x, reason)
