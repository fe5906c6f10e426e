"""Numeric kernels of the matrix functions for compiled code: ``inv``, ``det``, ``logdet`` of a batch.

Example:
    >>> import numpy as np
    >>> matrix_function("logdet", 2 * np.eye(3), np, 0, 1).round(6)
    np.float64(2.079442)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.errors import EinsteinError

__all__ = ["matrix_function"]


def matrix_function(name: str, a: Any, xp: Any, rows: int, cols: int, what: str = "") -> Any:
    """``inv``, ``det`` or ``logdet`` (``\\log|\\det|``) of ``a`` over the axes ``rows``, ``cols``.

    The other axes are a batch; ``inv`` keeps the axes where they were, ``det`` and ``logdet`` drop
    the two.  A singular matrix has no inverse (an :class:`EinsteinError`); its ``logdet`` is
    ``-inf`` and its ``det`` 0, their values.  ``what``: the argument as written, for the error.

    Example:
        >>> matrix_function("inv", np.array([[2.0, 0.0], [0.0, 4.0]]), np, 0, 1).tolist()
        [[0.5, 0.0], [0.0, 0.25]]
    """
    mats = xp.moveaxis(a, (rows, cols), (-2, -1))
    if name == "det":
        return xp.linalg.det(mats)
    if name == "logdet":
        with np.errstate(divide="ignore"):
            return xp.linalg.slogdet(mats)[1]
    try:
        inv = xp.linalg.inv(mats)
    except np.linalg.LinAlgError:
        inv = None
    if inv is None or (xp is np and not np.all(np.isfinite(inv))):
        raise EinsteinError(f"the matrix {what + ' ' if what else ''}is singular: it has no inverse",
                            hint="\\mathrm{inv} needs an invertible matrix (\\det \\neq 0)")
    return xp.moveaxis(inv, (-2, -1), (rows, cols))
