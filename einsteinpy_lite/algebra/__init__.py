"""Algebra: simplification, the canonical form, the reference evaluator and derivatives.

Example:
    >>> from einsteinpy_lite.algebra import diff, simplify
    >>> from einsteinpy_lite.notation import parse
    >>> str(simplify(parse(r"\\delta^i_j x^j + 2 x^i")))
    '3 x^i'
"""

from . import matrix_rules  # noqa: F401  (registers the derivative rules of inv, det, logdet)
from .diff import diff, register_rule
from .evaluate import evaluate
from .simplify import canonical, simplify

__all__ = ["diff", "register_rule", "evaluate", "canonical", "simplify"]
