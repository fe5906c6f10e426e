"""Tools the slide checks share: the model, its loss and directions, parse safely, evaluate, compare arrays.

The formulas of the slides that are claims are judged by the document checker on
``data/slides.md`` (:mod:`einsteinpy_lite.verify.document`); what is left here serves the checks that are not
claims (the optimizers, the shapes, the chain-rule remark, the cost of the contraction order).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..core.errors import EinsteinError
from ..core.expr import Expr
from ..notation.parse import parse

__all__ = ["try_parse", "first_line", "model_f", "loss_expr", "evaluate_expr", "max_diff"]


def model_f() -> Expr:
    """The slides' network ``f^i = B^i_j sigma(A^j_l y^l + b^j)``.

    Example:
        >>> str(model_f())
        'B^i_j \\\\sigma(A^j_l y^l + b^j)'
    """
    return parse(r"B^i_j \sigma(A^j_l y^l + b^j)")


def try_parse(text: str, convention: str = "ricci") -> tuple[Expr | None, EinsteinError | None]:
    """Parse, returning ``(expr, None)`` or ``(None, error)`` instead of raising.

    Example:
        >>> e, err = try_parse("x_i x_i")
        >>> e is None, first_line(err)
        (True, "index 'i' appears twice down in one product")
    """
    try:
        return parse(text, convention=convention), None
    except EinsteinError as exc:
        return None, exc


def first_line(exc: BaseException | None) -> str:
    """The first line of an error message (what is wrong, without the caret picture).

    Example:
        >>> first_line(EinsteinError("unknown token '$'", text="A^i $", pos=4)), first_line(None)
        ("unknown token '$'", '')
    """
    return str(exc).splitlines()[0] if exc is not None else ""


def loss_expr() -> Expr:
    """The MSE loss ``(1/K) sum_k delta_{ij} epsilon_k^i epsilon_k^j`` in the model's tensors.

    ``epsilon_k^i = x_k^i - B^i_p sigma(A^p_q y_k^q + b^p)``, the error of training pair ``k``.

    Example:
        >>> e = loss_expr()
        >>> e.free, sorted(e.tensors())
        ((), ['A', 'B', 'b', 'x', 'y'])
    """
    return parse(r"\frac{1}{K} \sum_{k=0}^{K-1} \delta_{ij} (x_k^i - B^i_p \sigma(A^p_q y_k^q + b^p)) "
                 r"(x_k^j - B^j_m \sigma(A^m_n y_k^n + b^m))")


def evaluate_expr(e: Expr, arrays: Mapping[str, Any], sizes: Mapping[str, int] | None = None,
                  **scalars: float) -> tuple[np.ndarray, str]:
    """Evaluate with the toolkit: ``el.compile``, or the reference ``el.evaluate`` when ``sizes`` are given.

    ``sizes`` gives the sizes of indices that only deltas carry (the reference
    evaluator then runs, since it materializes the deltas).  Returns the array
    (axes in ``e.free`` order) and which evaluator ran.

    Example:
        >>> evaluate_expr(parse("A^i_j y^j"), {"A": np.eye(2), "y": np.ones(2), "unused": 0})
        (array([1., 1.]), 'el.compile')
        >>> evaluate_expr(parse(r"\\delta^i_j y^j"), {"y": np.ones(2)}, sizes={"i": 2})[1]
        'el.evaluate, the reference einsum'
    """
    from ..algebra.evaluate import array_name, evaluate

    wanted = {array_name(name) for name in e.tensors()}
    arrays = {k: v for k, v in arrays.items() if k in wanted}
    if sizes is None:
        from ..compile import compile as compile_expr

        fn = compile_expr(e)
        return np.asarray(fn(**arrays, **scalars)), "el.compile"
    return np.asarray(evaluate(e, arrays, sizes, **scalars)), "el.evaluate, the reference einsum"


def max_diff(a: Any, b: Any) -> float:
    """Largest absolute difference of two arrays of the same shape (inf when the shapes differ).

    Example:
        >>> max_diff(np.ones(2), np.ones(3))
        inf
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b))) if a.size else 0.0
