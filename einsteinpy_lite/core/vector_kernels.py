"""Numerically stable kernels of the vector functions ``softmax`` and ``logsumexp``.

Both subtract the maximum over the reduced axis before exponentiating, so that no ``exp`` overflows:
``softmax([1000, 0, -1000])`` is ``[1, e^{-1000}, e^{-2000}]`` (``[1, 0, 0]`` in floating point) and
``logsumexp([1000, 0, -1000])`` is ``1000``.  Used by :func:`~einsteinpy_lite.evaluate` and by compiled
code; ``xp`` is the array namespace (numpy, or an array-API namespace such as torch's).

Example:
    >>> import numpy as np
    >>> float(vector_function("logsumexp", np.array([1000.0, 0.0, -1000.0]), np, 0))
    1000.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import EinsteinError

__all__ = ["vector_function"]


def vector_function(name: str, a: Any, xp: Any, axis: int) -> Any:
    """``softmax`` or ``logsumexp`` of ``a`` over ``axis`` (the other axes are a batch), max subtracted.

    ``softmax`` keeps the axes of ``a``; ``logsumexp`` drops ``axis``.  An infinite maximum (a ``+inf``
    or an all ``-inf`` entry) is not subtracted, so ``logsumexp`` of all ``-inf`` is ``-inf``, its value.

    Args:
        name: ``"softmax"`` or ``"logsumexp"``.
        a: the array.
        xp: its array namespace.
        axis: the axis the function runs over.

    Returns:
        The array of values.

    Example:
        >>> vector_function("softmax", np.array([0.0, np.log(3.0)]), np, 0).round(6).tolist()
        [0.25, 0.75]
    """
    if name not in ("softmax", "logsumexp"):
        raise EinsteinError(f"unknown vector function {name!r}; known: softmax, logsumexp")
    m = xp.max(a, axis=axis, keepdims=True)
    m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        e = xp.exp(a - m)
        s = xp.sum(e, axis=axis, keepdims=True)
        if name == "softmax":
            return e / s
        return xp.squeeze(xp.log(s) + m, axis=axis)
