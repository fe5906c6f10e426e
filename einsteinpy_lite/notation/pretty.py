"""Unicode pretty printing with staggered indices, for ``sympy.pretty`` / ``sympy.pprint`` and terminals.

Every node prints as three rows: upper indices above the line, the names on it, lower indices
below it, each index in a column of its own, so the slot order stays visible (``B^i_k`` is
``B`` with ``i`` above and then ``k`` below, one column to the right).

>>> from einsteinpy_lite import parse
>>> print(pretty(parse(r"B^i_k \\sigma(A^k_j y^j + b^k)")))
 i        k       j     k
B  ⋅σ(A    ⋅y  + b )
    k        j
"""

from __future__ import annotations

from typing import Any

import sympy

from ..core.atoms import Delta, Tensor
from ..core.elementwise import Apply, Diag
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, Sum, SumOver, Zero, register_printer
from ..core.functions import get_function
from ..core.indices import Index
from ..core.matrix_functions import MatrixFunction
from .greek import GREEK
from .parse import expression

__all__ = ["pretty"]

#: Three rows (above, on, below the line) of equal width.
Block = tuple[str, str, str]

_UNICODE = {**GREEK, "nabla": "∇"}


def _name(name: str) -> str:
    """``\\epsilon`` -> ``ε``, ``\\mathrm{relu}`` -> ``relu``; other names as they are."""
    if name.startswith("\\mathrm{") or name.startswith("\\operatorname{"):
        name = name[name.index("{") + 1:].rstrip("}")
    if name.startswith("\\"):
        word = name[1:].rstrip("0123456789")
        digits = name[1 + len(word):]
        return _UNICODE.get(word, word) + digits
    return name


def _text(s: str) -> Block:
    return (" " * len(s), s, " " * len(s))


def _join(*blocks: Block) -> Block:
    return ("".join(b[0] for b in blocks), "".join(b[1] for b in blocks), "".join(b[2] for b in blocks))


def _slots(indices: tuple[Index, ...]) -> Block:
    top, bottom = "", ""
    for ix in indices:
        name = _name(ix.name)
        top += (name if ix.up else " " * len(name))
        bottom += (" " * len(name) if ix.up else name)
    return (top, " " * len(top), bottom)


def _coeff(c: sympy.Expr) -> str:
    return sympy.sstr(c)


class _Pretty:
    def block(self, e: Any) -> Block:
        meth = getattr(self, f"_block_{type(e).__name__}", None)
        if meth is None:
            raise EinsteinError(f"cannot print a {type(e).__name__}; it is not an index expression node")
        return meth(e)  # type: ignore[no-any-return]

    def _block_Tensor(self, e: Tensor) -> Block:
        return _join(_text(_name(e.name)), _slots(e.indices))

    def _block_Delta(self, e: Delta) -> Block:
        return _join(_text("δ"), _slots(e.indices))

    def _block_Zero(self, e: Zero) -> Block:
        return _join(_text("0"), _slots(e.indices))

    def fname(self, name: str, order: int) -> str:
        return _name(get_function(name).latex) + "'" * order

    def _block_Apply(self, e: Apply) -> Block:
        return _join(_text(self.fname(e.func_name, e.order) + "("), self.block(e.body), _text(")"))

    def _block_MatrixFunction(self, e: MatrixFunction) -> Block:
        return _join(_text(e.func_name + "("), self.block(e.body), _text(")"))

    def _block_Diag(self, e: Diag) -> Block:
        inner = _join(_text("[∇" + self.fname(e.func_name, e.order - 1) + "("), self.block(e.body), _text(")]"))
        return _join(inner, _slots(tuple(e.body.free) + e.new_indices))

    def _block_Product(self, e: Product) -> Block:
        c = e.coeff
        parts: list[Block] = []
        sign = ""
        if e.factors and c.could_extract_minus_sign():
            sign, c = "-", -c
        if c != 1 or not e.factors:
            cs = _coeff(c)
            parts.append(_text(f"({cs})" if isinstance(c, sympy.Add) and e.factors else cs))
        first = len(parts)
        for f in e.factors:
            b = self.block(f)
            parts.append(_join(_text("("), b, _text(")")) if isinstance(f, (Sum, SumOver, Product)) else b)
        out = _text(sign)
        for i, p in enumerate(parts):
            # the Hadamard product of the factors (kept indices): x^i ⊙ y^i
            glue = " ⊙ " if e.kept and i > first else "⋅"
            out = _join(out, _text(glue) if i else _text(""), p)
        return out

    def _block_Sum(self, e: Sum) -> Block:
        out = self.block(e.terms[0])
        for t in e.terms[1:]:
            b = self.block(t)
            if b[1].startswith("-"):
                out = _join(out, _text(" - "), (b[0][1:], b[1][1:], b[2][1:]))
            else:
                out = _join(out, _text(" + "), b)
        return out

    def _block_SumOver(self, e: SumOver) -> Block:
        name = _name(e.index_name)
        if e.bounds:
            lo, hi = (_coeff(b) for b in e.bounds)
            below, above = f"{name}={lo}", hi
        else:
            below, above = name, ""
        width = max(len(below), len(above), 1)
        sigma: Block = (above.ljust(width), "Σ".ljust(width), below.ljust(width))
        return _join(sigma, _text(" "), self.block(e.body))


def pretty(e: Expr | str) -> str:
    """A three-row unicode picture of ``e``: upper indices above the names, lower ones below.

    What ``sympy.pretty(e)`` and ``sympy.pprint(e)`` show. Text is parsed first.

    Example:
        >>> print(pretty("A^i_j y^j"))
         i   j
        A  ⋅y
          j
    """
    e = expression(e, "pretty")
    top, middle, bottom = _Pretty().block(e)
    return "\n".join(r.rstrip() for r in (top, middle, bottom) if r.strip() or r is middle)


def _three_rows(e: Expr) -> str:
    """The three rows, unstripped (the core's ``_pretty`` builds sympy's picture from them)."""
    return "\n".join(_Pretty().block(e))


register_printer("pretty", _three_rows)
