"""The slides' gradient-descent methods, their line searches and the experiments that measure their claims.

``methods`` (fixed step, steepest and coordinate descent, momentum, Newton, Hessian-free Newton), ``linesearch`` (Armijo,
golden section, the exact step), ``experiments`` (condition number, step sizes, training the net).

Example:
    >>> from einsteinpy_lite import optim
    >>> res = optim.gradient_descent(optim.quadratic([[2.0, 0.0], [0.0, 1.0]]), [1.0, 1.0], alpha=0.4)
    >>> res.reason
    'converged'
"""

from ..nets.objective import Params
from .experiments import summarize, train_synthetic
from .methods import (
    REASONS,
    DivergenceWarning,
    Objective,
    Result,
    coordinate_descent,
    from_callables,
    gradient_descent,
    jacobi_preconditioner,
    momentum,
    newton,
    newton_cg,
    objective,
    quadratic,
    steepest_descent,
)

__all__ = [
    "Objective", "Result", "DivergenceWarning", "from_callables", "quadratic", "objective",
    "gradient_descent", "steepest_descent", "coordinate_descent", "momentum", "newton", "newton_cg",
    "jacobi_preconditioner", "REASONS", "Params", "summarize", "train_synthetic",
]
