"""Printing: LaTeX with staggered indices, and plain text that :func:`parse` reads back.

Dispatch is on ``_print_<ClassName>``, as in sympy's printers; an unknown node
type is an error, never silently printed with ``str``.

>>> from einsteinpy_lite import parse
>>> e = parse(r"B^i_k \\sigma(A^k_j y^j + b^k)")
>>> latex(e)
'B^{i}{}_{k} \\\\sigma(A^{k}{}_{j} y^{j} + b^{k})'
>>> text(e)
'B^i_k \\\\sigma(A^k_j y^j + b^k)'
"""

from __future__ import annotations

import re
from typing import Any

import sympy
from sympy.printing.str import StrPrinter

from ..core.atoms import Delta, Tensor, Zero
from ..core.elementwise import Apply, Diag
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, Sum, SumOver, register_printer, slot_of
from ..core.functions import get_function
from ..core.indices import Index
from ..core.matrix_functions import MATRIX_FUNCTIONS, MatrixFunction
from .parse import expression

__all__ = ["latex", "text"]

_SIMPLE_NAME = re.compile(r"^[A-Za-z][0-9]*$")
_GREEK_NAME = re.compile(r"^\\[A-Za-z]+[0-9]*$")
_WORD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")  # \mathrm{...} reads these back (N_x too: not [N_x])
_ENDS_IN_COMMAND = re.compile(r"\\[A-Za-z]+$")
#: A command the parser reads as a tensor head (``\epsilon``): no digits, not a keyword of the syntax.
_HEAD_COMMAND = re.compile(r"^\\(?!(sum|frac|dfrac|tfrac|delta|nabla|cdot|times|odot|circ|left|right|mathrm|operatorname|mathbf)$)"
                           r"[A-Za-z]+$")


class _CoeffStr(StrPrinter):
    """sympy's plain-text printer, with symbols as the parser reads them and ``K^{2}`` for powers."""

    def __init__(self, owner: _Printer) -> None:
        super().__init__()
        self.owner = owner

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return self.owner.symbol_latex(expr)

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exp = expr.as_base_exp()
        if exp.is_Integer and exp.is_negative:
            den = base if exp == -1 else sympy.Pow(base, -exp, evaluate=False)
            return "1/" + self.parenthesize(den, 49)
        if not exp.is_Integer:
            raise EinsteinError(f"cannot print the coefficient {expr}: only integer powers are written in text")
        b = self._print(base)
        if not (base.is_Symbol or (base.is_Integer and base.is_nonnegative)):
            b = f"({b})"
        return f"{b}^{{{self._print(exp)}}}"


class _Printer:
    def __init__(self, mode: str, compact: bool = False) -> None:
        self.latex = mode == "latex"
        self.compact = compact

    # ------------------------------------------------------------ pieces
    def index_name(self, ix: Index) -> str:
        name = ix.name
        if self.latex:
            m = re.fullmatch(r"([A-Za-z]|\\[A-Za-z]+)([0-9]+)", name)
            if m:
                return f"{m.group(1)}_{{{m.group(2)}}}"
        return name

    def slots(self, indices: tuple[Index, ...]) -> str:
        if not indices:
            return ""
        groups: list[tuple[bool, list[Index]]] = []
        for ix in indices:
            if groups and groups[-1][0] == ix.up:
                groups[-1][1].append(ix)
            else:
                groups.append((ix.up, [ix]))
        parts = []
        for is_up, ixs in groups:
            mark = "^" if is_up else "_"
            names = [self.index_name(i) for i in ixs]
            if self.latex:
                parts.append(mark + "{" + " ".join(names) + "}")
            elif len(names) == 1 and not names[0].startswith("\\"):
                parts.append(mark + names[0])
            else:
                parts.append(mark + "{" + " ".join(names) + "}")
        return ("{}" if self.latex else "").join(parts)

    def head(self, name: str, slots: int = 1) -> str:
        if slots == 0:
            return f"[{name}]"  # a bare name reads back as a scalar symbol; [L] is a tensor without slots
        if _SIMPLE_NAME.match(name) or _HEAD_COMMAND.match(name):
            return name
        if name.startswith("\\") or " " in name or not _WORD_NAME.match(name):
            return f"[{name}]"
        return rf"\mathrm{{{name}}}"

    def coeff(self, c: sympy.Expr) -> str:
        if self.latex:
            names = {s: self.symbol_latex(s) for s in c.free_symbols if isinstance(s, sympy.Symbol)}
            return sympy.latex(c, symbol_names=names)
        return _CoeffStr(self).doprint(c)  # type: ignore[no-any-return]

    def symbol_latex(self, s: sympy.Symbol) -> str:
        slot = slot_of(s)
        if slot is not None:
            return rf"\dim({self.head(slot[0], 1)}, {slot[1] + 1})"
        name = s.name
        if _SIMPLE_NAME.match(name) or _GREEK_NAME.match(name):
            return name
        greek = sympy.latex(sympy.Symbol(name))
        if _HEAD_COMMAND.fullmatch(greek):
            return greek
        return rf"\mathrm{{{name}}}"

    # ------------------------------------------------------------ nodes
    def doprint(self, e: Any) -> str:
        meth = getattr(self, f"_print_{type(e).__name__}", None)
        if meth is None:
            raise EinsteinError(f"cannot print a {type(e).__name__}; it is not an index expression node")
        return meth(e)  # type: ignore[no-any-return]

    def _print_Tensor(self, e: Tensor) -> str:
        return self.head(e.name, len(e.indices)) + self.slots(e.indices)

    def _print_Delta(self, e: Delta) -> str:
        a, b = e.indices
        if self.latex:
            return r"\delta" + self.slots((a, b))
        if a.up == b.up:
            return r"\delta" + ("^" if a.up else "_") + "{" + a.name + " " + b.name + "}"
        return r"\delta" + self.slots((a, b))

    def _print_Zero(self, e: Zero) -> str:
        if not e.indices:
            return "0"
        return (r"\mathbf{0}" if self.latex else "0") + self.slots(e.indices)

    def fname(self, name: str, order: int) -> str:
        return get_function(name).latex + "'" * order

    def _print_Apply(self, e: Apply) -> str:
        if e.order == 0 and e.func_name == "sqrt":
            return rf"\sqrt{{{self.doprint(e.body)}}}"
        if e.order == 0 and e.func_name == "abs":
            return rf"\left| {self.doprint(e.body)} \right|"
        return f"{self.fname(e.func_name, e.order)}({self.doprint(e.body)})"

    def _print_MatrixFunction(self, e: MatrixFunction) -> str:
        return f"{MATRIX_FUNCTIONS[e.func_name]}({self.doprint(e.body)})"

    def _print_Diag(self, e: Diag) -> str:
        inner = r"\nabla " + self.fname(e.func_name, e.order - 1) if self.latex else r"\nabla" + self.fname(
            e.func_name, e.order - 1
        )
        idx = tuple(e.body.free) + e.new_indices
        if self.compact:
            return f"[{inner.replace(' ', '')}]" + self.slots(idx)
        return f"[{inner}({self.doprint(e.body)})]" + self.slots(idx)

    def factor(self, f: Expr, last: bool) -> str:
        s = self.doprint(f)
        # a Hadamard product that is a factor (one of its kept indices summed against another factor)
        if isinstance(f, (Sum, Product)) or (isinstance(f, SumOver) and not last):
            return f"({s})"
        return s

    def _print_Product(self, e: Product) -> str:
        c = e.coeff
        facs = [self.factor(f, i == len(e.factors) - 1) for i, f in enumerate(e.factors)]
        if e.kept and facs:
            # x^i \odot y^i: read back left to right, every index shared in one position is kept again
            facs = [" \\odot ".join(facs)]
        if not facs:
            return self.coeff(c)
        sign = ""
        if c.could_extract_minus_sign():
            sign, c = "-", -c
        if c == 1:
            cs = ""
        else:
            cs = self.coeff(c)
            if not self.latex and (isinstance(c, sympy.Add) or not (c.is_Atom or isinstance(c, sympy.Symbol))):
                cs = f"({cs})"
            elif self.latex and isinstance(c, sympy.Add):
                cs = rf"\left({cs}\right)"
        parts = [x for x in [cs, *facs] if x]
        out = parts[0]
        for prev, nxt in zip(parts, parts[1:]):
            # "\eta (x + y)" would read as a function \eta applied to (x + y): multiply explicitly
            glue = (r" \cdot " if self.latex else " * ") if nxt.startswith("(") and _ENDS_IN_COMMAND.search(prev) else " "
            out += glue + nxt
        return sign + out

    def _print_Sum(self, e: Sum) -> str:
        out = ""
        for i, t in enumerate(e.terms):
            s = self.doprint(t)
            if i == 0:
                out = s
            elif s.startswith("-"):
                out += " - " + s[1:]
            else:
                out += " + " + s
        return out

    def _print_SumOver(self, e: SumOver) -> str:
        name = self.index_name(Index(e.index_name))
        if e.bounds:
            lo, hi = (self.coeff(b) for b in e.bounds)
            head = rf"\sum_{{{name}={lo}}}^{{{hi}}}"
        else:
            head = rf"\sum_{{{name}}}"
        body = self.doprint(e.body)
        if isinstance(e.body, Sum):
            body = f"({body})"
        return f"{head} {body}"


def latex(e: Expr | str, compact: bool = False, form: str = "index") -> str:
    """LaTeX with staggered indices (``B^{i}{}_{k}``), ``\\delta``, ``\\frac``, ``\\sum_{k}``, ``\\sigma``.

    Args:
        e: the expression, or its text (parsed first).
        compact: print diagonal Jacobians in the slides' short form
            ``[\\nabla\\sigma]^{i}{}_{j}`` (without their argument).
        form: ``"index"`` (default) or ``"matrix"``: the matrix form of
            :func:`~einsteinpy_lite.notation.matrix_print.to_matrix` (an error saying why when there is none).

    Example:
        >>> from einsteinpy_lite import parse
        >>> latex(parse(r"\\frac{2}{K} \\epsilon_{i} \\delta^{i}_{j}"))
        '\\\\frac{2}{K} \\\\epsilon_{i} \\\\delta^{i}{}_{j}'
        >>> latex("A^i_j y^j")
        'A^{i}{}_{j} y^{j}'
        >>> latex("A_{m j} x^j + x^i A_{i m}", form="matrix")
        '(A + A^\\\\top) x'
    """
    if form == "matrix":
        from .matrix_print import to_matrix

        return to_matrix(e)
    if form != "index":
        raise EinsteinError(f"latex(form={form!r}): the form is 'index' or 'matrix'")
    return _Printer("latex", compact).doprint(expression(e, "latex"))


def text(e: Expr | str) -> str:
    """Plain text that :func:`einsteinpy_lite.parse` reads back.

    Example:
        >>> from einsteinpy_lite import parse
        >>> text(parse(r"G^{i_1 i_2}_{j_1 j_2} y^{j_1 j_2}"))
        'G^{i1 i2}_{j1 j2} y^{j1 j2}'
    """
    return _Printer("text").doprint(expression(e, "text"))


register_printer("text", text)
register_printer("latex", latex)
