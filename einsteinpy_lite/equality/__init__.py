"""Equality as tensors: :func:`equal` and :func:`compare` (canonical form, confirmed on numbers).

It sits above the algebra layer (the canonical form) and the compiler (the numbers).

Example:
    >>> from einsteinpy_lite.equality import equal
    >>> from einsteinpy_lite.notation import parse
    >>> equal(parse("A^i_j y^j"), parse("y^k A^i_k"))
    True
"""

from .decide import Comparison, compare, equal

__all__ = ["Comparison", "compare", "equal"]
