"""Line searches: how far to step along a descent direction (Armijo backtracking, golden section, exact).

:func:`line_step` picks the step for ``line_search=`` of
:func:`einsteinpy_lite.optim.steepest_descent` and
:func:`einsteinpy_lite.optim.coordinate_descent`: on a quadratic the exact minimizer
``-g.d / d.Q d``; with Hessian-vector products a 1-D Newton step guarded by Armijo;
otherwise Armijo backtracking or a golden-section search.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from ..core.errors import EinsteinError

__all__ = ["LINE_SEARCHES", "NO_DECREASE", "LineProblem", "armijo", "golden", "along", "line_step",
           "check_line_search"]


class LineProblem(Protocol):
    """What a line search needs of a problem: the loss on flat vectors, the curvature ``d.H d``, the objective."""

    obj: Any

    def f(self, x: np.ndarray) -> float: ...

    def curvature(self, x: np.ndarray, d: np.ndarray) -> float | None: ...


def armijo(phi: Callable[[float], float], f0: float, slope: float, alpha: float, c1: float = 1e-4) -> float:
    """Backtrack from ``alpha`` until ``phi(a) <= f0 + c1 a slope``; 0.0 when no decrease is found.

    Example:
        >>> armijo(lambda a: (a - 1.0) ** 2, 1.0, -2.0, 8.0)  # halves 8 -> 4 -> 2 -> 1
        1.0
    """
    for _ in range(80):
        fa = phi(alpha)
        if math.isfinite(fa) and fa <= f0 + c1 * alpha * slope:
            return alpha
        alpha *= 0.5
    return 0.0


def golden(phi: Callable[[float], float], f0: float, alpha: float, rel_tol: float = 1e-6) -> float:
    """Bracket the minimum of ``phi`` on ``a >= 0`` by doubling, then golden-section search; 0.0 if none.

    Example:
        >>> round(golden(lambda a: (a - 3.0) ** 2, 9.0, 1.0), 5)
        3.0
        >>> golden(lambda a: 1.0 + a, 1.0, 1.0)  # increasing: no step decreases it
        0.0
    """
    lo, mid, fmid = 0.0, alpha, phi(alpha)
    if not (math.isfinite(fmid) and fmid < f0):  # minimum inside [0, alpha]: shrink until phi(a) < f0
        for _ in range(60):
            mid *= 0.25
            fmid = phi(mid)
            if math.isfinite(fmid) and fmid < f0:
                break
        else:
            return 0.0
        hi = 4 * mid
    else:
        for _ in range(60):
            hi = 2 * mid
            fhi = phi(hi)
            if not (math.isfinite(fhi) and fhi < fmid):
                break
            lo, mid, fmid = mid, hi, fhi
    inv = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - inv * (b - a), a + inv * (b - a)
    fc, fd = phi(c), phi(d)
    best, fbest = mid, fmid
    for _ in range(100):
        if b - a <= rel_tol * max(b, 1e-300):
            break
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - inv * (b - a)
            fc = phi(c)
        else:
            a, c, fc = c, d, fd
            d = a + inv * (b - a)
            fd = phi(d)
        for pt, fp in ((c, fc), (d, fd)):
            if math.isfinite(fp) and fp < fbest:
                best, fbest = pt, fp
    return best


#: The line searches that steepest and coordinate descent take (``line_search=``).
LINE_SEARCHES = ("auto", "exact", "armijo", "golden")


def along(prob: LineProblem, x: np.ndarray, d: np.ndarray) -> Callable[[float], float]:
    """``phi(a) = L(x + a d)``.

    Example:
        >>> import numpy as np
        >>> from einsteinpy_lite.optim.methods import _Problem
        >>> from einsteinpy_lite.nets.objective import quadratic
        >>> along(_Problem(quadratic(np.eye(2)), np.ones(2)), np.ones(2), -np.ones(2))(0.5)
        0.25
    """
    return lambda a: prob.f(x + a * d)


def line_step(prob: LineProblem, x: np.ndarray, f: float, g: np.ndarray, d: np.ndarray, mode: str,
               alpha0: float) -> float:
    """The step length along ``d`` (0.0 when none decreases the loss), by the line search ``mode``.

    Example:
        >>> import numpy as np
        >>> from einsteinpy_lite.optim.methods import _Problem
        >>> from einsteinpy_lite.nets.objective import quadratic
        >>> prob = _Problem(quadratic(np.diag([1.0, 4.0])), np.ones(2))
        >>> x = prob.x0
        >>> f, g = prob.fg(x)
        >>> line_step(prob, x, f, g, -g, "exact", 1.0)  # g.g / g.Q g = 17 / 65
        0.26153846153846155
    """
    slope = float(g @ d)
    if slope >= 0:
        return 0.0
    if mode in ("exact", "auto") and (prob.obj.quadratic or (mode == "auto" and prob.obj.has_hvp)):
        curv = prob.curvature(x, d)
        if curv is not None and curv > 0:
            alpha = -slope / curv  # the exact minimizer on a quadratic, a 1-D Newton step otherwise
            if prob.obj.quadratic:
                return alpha
            return armijo(along(prob, x, d), f, slope, alpha)
        if mode == "exact":
            raise EinsteinError("the quadratic loss is not bounded below along the search direction",
                                hint="Q must be positive definite for a minimum to exist")
    if mode == "exact":
        raise EinsteinError("line_search='exact' needs a quadratic objective (constant Hessian)",
                            hint="use line_search='auto', 'armijo' or 'golden' for other losses")
    if mode == "golden":
        return golden(along(prob, x, d), f, alpha0)
    return armijo(along(prob, x, d), f, slope, alpha0)


def check_line_search(mode: str) -> None:
    """Fail unless ``mode`` is one of :data:`LINE_SEARCHES`.

    Example:
        >>> check_line_search("golden")
        >>> check_line_search("wolfe")
        Traceback (most recent call last):
        ...
        einsteinpy_lite.EinsteinError: unknown line search 'wolfe'
          choose one of auto, exact, armijo, golden
    """
    if mode not in LINE_SEARCHES:
        raise EinsteinError(f"unknown line search '{mode}'", hint=f"choose one of {', '.join(LINE_SEARCHES)}")


NO_DECREASE = "the line search found no decrease (the loss is flat to machine precision)"
