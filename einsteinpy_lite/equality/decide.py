"""Equality as tensors: :func:`equal` and :func:`compare`, which says how the answer was reached.

Two expressions are equal when they have the same free indices (names and
variance) and either the same canonical form (:func:`einsteinpy_lite.simplify.canonical`:
dummy names, factor and term order, deltas and like terms do not matter) or,
when the forms differ, the same values on random arrays (then :func:`compare`
reports the largest difference, or where the values differ).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.errors import EinsteinError
from ..core.expr import Expr

__all__ = ["equal", "compare", "Comparison"]


@dataclass(frozen=True)
class Comparison:
    """How :func:`compare` decided: ``equal``, ``method`` ('canonical', 'numeric', 'free indices') and ``detail``."""

    equal: bool
    method: str
    detail: str
    max_abs_diff: float = 0.0

    def __bool__(self) -> bool:
        return self.equal

    def __str__(self) -> str:
        return f"{'equal' if self.equal else 'not equal'} ({self.method}): {self.detail}"


def compare(a: Expr, b: Expr, trials: int = 2, rtol: float = 1e-9, atol: float = 1e-10) -> Comparison:
    """Compare two expressions as tensors and say how the answer was reached and, if unequal, where.

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(compare(parse("A^i_j y^j"), parse("y^k A^i_k")))
        'equal (canonical): same canonical form'
        >>> compare(parse("A^i_j y^j"), parse("A^i_j y_i")).method
        'free indices'
    """
    from ..algebra.simplify import canonical

    _check_pair("compare", a, b)
    if a.free_keys != b.free_keys:
        fa = " ".join(map(str, a.free)) or "none"
        fb = " ".join(map(str, b.free)) or "none"
        return Comparison(False, "free indices", f"free indices differ: {fa} vs {fb}")
    ca, cb = canonical(a), canonical(b)
    if ca == cb:
        # confirm on one random draw: the numbers are the ground truth, the canonical form a shortcut
        check = _numeric(a, b, ca, cb, 1, rtol, atol, explain=False)
        if check.equal or check.detail.startswith("could not evaluate"):
            return Comparison(True, "canonical", "same canonical form", check.max_abs_diff)
        return Comparison(False, "numeric", "same canonical form, but " + check.detail
                          + " -- an engine bug, please report it", check.max_abs_diff)
    return _numeric(a, b, ca, cb, trials, rtol, atol)


def _numeric(a: Expr, b: Expr, ca: Expr, cb: Expr, trials: int, rtol: float, atol: float,
             explain: bool = True) -> Comparison:
    from ..algebra.evaluate import evaluate, random_arrays
    from ..algebra.simplify import simplify

    def forms() -> str:
        return f"simplified: {simplify(a)} and {simplify(b)}" if explain else f"{a} and {b}"

    if a.open_bound or b.open_bound:
        # a summand lifted out of its \sum has an axis per bound index: not comparable as is
        return Comparison(False, "numeric", "could not evaluate: indices bound by an enclosing \\sum",
                          float("nan"))
    axes = [ix.name for ix in a.free]
    worst = 0.0
    for t in range(trials):
        rng = np.random.default_rng(1234 + t)
        arrays, scalars, sizes = random_arrays([a, b], size=3 + t, rng=rng)
        try:
            va = evaluate(a, arrays, sizes, **scalars)
            vb = evaluate(b, arrays, sizes, **scalars)
        except EinsteinError as exc:
            return Comparison(False, "numeric", f"could not evaluate: {exc.message}", float("nan"))
        order = [axes.index(ix.name) for ix in b.free]
        vb = np.transpose(vb, np.argsort(order)) if vb.ndim else vb
        diff = np.abs(va - vb)
        if diff.size and np.all(np.isnan(va) == np.isnan(vb)):
            diff = np.where(np.isnan(diff), 0.0, diff)
        scale = atol + rtol * np.maximum(np.abs(va), np.abs(vb))
        if diff.size and np.any(diff > scale):
            where = np.unravel_index(int(np.nanargmax(diff - scale)), diff.shape)
            at = ", ".join(f"{n}={int(w)}" for n, w in zip(axes, where)) or "the scalar"
            return Comparison(False, "numeric", f"values differ at {at}: {float(va[where]):.6g} vs {float(vb[where]):.6g} "
                              f"({forms()})", float(np.nanmax(diff)))
        worst = max(worst, float(np.nanmax(diff)) if diff.size else 0.0)
    if not explain:
        return Comparison(True, "numeric", f"values agree on {trials} random draws", worst)
    return Comparison(True, "numeric", f"forms differ ({simplify(a)} vs {simplify(b)}) but values agree on "
                      f"{trials} random draws", worst)


def equal(a: Expr, b: Expr) -> bool:
    """Equality as tensors: up to dummy names, factor and term order, deltas and like terms.

    Decided by canonical form, confirmed (or, when the forms differ, settled)
    by evaluating both sides on random arrays.  :func:`compare` says how.

    Example:
        >>> from einsteinpy_lite import parse
        >>> equal(parse(r"B^i_j \\delta^j_k y^k"), parse("y^m B^i_m"))
        True
        >>> equal(parse("A^i_j y^j"), parse("2 A^i_j y^j"))
        False
    """
    _check_pair("equal", a, b)
    return compare(a, b).equal


def _check_pair(caller: str, a: Any, b: Any) -> None:
    for x in (a, b):
        if not isinstance(x, Expr):
            raise EinsteinError(f"{caller}() takes index expressions, got {type(x).__name__}",
                                hint="parse text first: el.parse(...)")
