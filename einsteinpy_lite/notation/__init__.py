"""Notation: text and LaTeX to expressions (``parse``) and back (``latex``, ``text``).

Importing this layer registers its printers with the core, so ``str(e)`` and ``e._repr_latex_()`` work.

Example:
    >>> from einsteinpy_lite.notation import latex, parse
    >>> latex(parse("A^i_j y^j"))
    'A^{i}{}_{j} y^{j}'
"""

from .matrix import parse_matrix
from .matrix_print import to_matrix
from .parse import parse
from .pretty import pretty
from .printing import latex, text

__all__ = ["parse", "latex", "text", "pretty", "parse_matrix", "to_matrix"]
