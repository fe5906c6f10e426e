r"""Claims in matrix notation: ``\nabla_x (x^\top A x) = (A + A^\top) x`` with ``x \in \mathbb{R}^{n}`` declared.

A document may write some steps in the Matrix Cookbook's notation.  A side is read in matrix
notation (:func:`~einsteinpy_lite.notation.matrix.parse_matrix`) when it transposes, inverts, takes a
trace, determinant or norm, or names a tensor whose shape an inline declaration gave
(``$A \in \mathbb{R}^{m \times n}$``, also ``\Re^{..}``) without writing an index on it.  Definitions
in matrix notation (``r := A x - b``) are substituted, parenthesized, into later matrix steps.

Derivatives follow the Cookbook's layout: ``\nabla_X E``, ``\frac{\partial E}{\partial X}`` and
``\frac{\partial}{\partial X} E`` of a scalar ``E`` have the shape of ``X`` (entry ``(p, q)`` is
``\partial E / \partial X_{pq}``).  The two sides are compared entry by entry: free indices are
matched by position (rows, then columns), values with the Euclidean metric.

Example:
    >>> m = MatrixReader({"x": ("n",), "A": ("n", "n")})
    >>> m.is_matrix(r"\nabla_x (x^\top A x)"), m.is_matrix("x^i A_{ij} x^j")
    (True, False)
    >>> lhs, rhs = m.read_sides(r"\nabla_x (x^\top A x)", r"(A + A^\top) x")
    >>> [len(lhs.free), len(rhs.free)]
    [1, 1]
"""

from __future__ import annotations

import re
from typing import Any

from ..algebra.diff import diff
from ..core.errors import EinsteinError
from ..core.expr import Expr
from ..core.indices import fresh_names
from ..core.rename import rename_free
from ..notation.matrix import parse_matrix, read_shapes

__all__ = ["MatrixReader", "declared_shapes"]

#: what only matrix notation writes: a transpose, an inverse, a trace, a determinant, a norm
_MARKERS = re.compile(
    r"\^\s*(?:\\top(?![A-Za-z])|\{\s*\\top\s*\}|\\intercal|\{\s*\\mathsf\s*\{?\s*T\s*\}?\s*\}|T(?![A-Za-z])|"
    r"\{\s*T\s*\}|\{\s*-\s*1\s*\}|\{\s*-\s*\\top\s*\})"
    r"|\\operatorname\s*\{\s*(?:tr|Tr|diag|vec|softmax|logsumexp|logsoftmax|layernorm)\s*\}|\\mathrm\s*\{\s*(?:tr|Tr)\s*\}"
    r"|\\det(?![A-Za-z])|\\\||\\lVert")
_NABLA = re.compile(r"^\s*\\nabla_\s*(\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z])")
_FRAC_OF = re.compile(r"^\s*\\frac\s*\{\s*\\partial\s*(?P<body>(?:[^{}]|\{[^{}]*\})*?)\s*\}\s*"
                      r"\{\s*\\partial\s*(?P<var>\\[A-Za-z]+|[A-Za-z])\s*\}\s*$")
_FRAC_OP = re.compile(r"^\s*\\frac\s*\{\s*\\partial\s*\}\s*\{\s*\\partial\s*(?P<var>\\[A-Za-z]+|[A-Za-z])\s*\}")


def declared_shapes(text: str) -> dict[str, tuple[Any, ...]]:
    r"""The shapes an inline math span declares (``x \in \mathbb{R}^{n}``), or ``{}`` when it declares none.

    Example:
        >>> declared_shapes(r"A \in \mathbb{R}^{m \times n}, x \in \Re^{n}")
        {'A': ('m', 'n'), 'x': ('n',)}
        >>> declared_shapes(r"0 \leq i < N")
        {}
    """
    if "\\in" not in text:
        return {}
    try:
        return dict(read_shapes(text.strip().rstrip(".,;")))
    except EinsteinError:
        return {}


def _name(tok: str) -> str:
    tok = tok.strip()
    if tok.startswith("{") and tok.endswith("}"):
        tok = tok[1:-1].strip()
    return tok.lstrip("\\")


class MatrixReader:
    """The document's declared shapes and matrix definitions; reads and compares matrix-notation claims."""

    def __init__(self, shapes: dict[str, tuple[Any, ...]] | None = None) -> None:
        self.shapes: dict[str, tuple[Any, ...]] = dict(shapes or {})
        self.definitions: dict[str, str] = {}

    # ------------------------------------------------------------------ detection

    def _bare_use(self, text: str) -> bool | None:
        """True when a declared name is written without an index, False when one carries an index, None
        when none is written."""
        bare: bool | None = None
        for name in set(self.shapes) | set(self.definitions):
            pat = re.escape(name) if len(name) == 1 else r"\\" + re.escape(name)
            for m in re.finditer(rf"(?<![A-Za-z\\]){pat}(?![A-Za-z])", text):
                after = text[m.end():].lstrip()
                if after.startswith(("^", "_")):
                    script = after[1:].lstrip()
                    if re.match(r"(?:\{\s*)?(?:\\top|\\intercal|\\mathsf|T(?![A-Za-z])|-|\d)", script):
                        bare = True  # a transpose, an inverse, a power: matrix notation
                        continue
                    return False  # an index: index notation
                bare = True
        return bare

    def is_matrix(self, text: str) -> bool:
        r"""Whether ``text`` is written in matrix notation (see the module).

        Example:
            >>> MatrixReader().is_matrix(r"a^\top X b"), MatrixReader().is_matrix("a_i X^i_j b^j")
            (True, False)
        """
        if _MARKERS.search(text):
            return self._bare_use(text) is not False
        var = self._variable(text)
        if var is not None:
            return True
        return self._bare_use(text) is True

    def _variable(self, text: str) -> str | None:
        """The declared variable of a derivative written in matrix notation (``\\nabla_X``, ``\\partial X``)."""
        for pat in (_NABLA, _FRAC_OP):
            m = pat.match(text)
            if m is not None:
                name = _name(m.group(1) if pat is _NABLA else m.group("var"))
                return name if name in self.shapes else None
        m = _FRAC_OF.match(text)
        if m is not None and _name(m.group("var")) in self.shapes:
            return _name(m.group("var"))
        return None

    # ------------------------------------------------------------------ reading

    def define(self, lhs: str, rhs: str) -> bool:
        r"""Record ``lhs := rhs`` when ``lhs`` is a bare name and ``rhs`` is matrix notation; True if recorded.

        Example:
            >>> m = MatrixReader({"A": ("m", "n"), "x": ("n",), "b": ("m",)})
            >>> m.define("r", "A x - b"), m.substitute(r"r^\top r")
            (True, '(A x - b)^\\top (A x - b)')
        """
        head = lhs.strip()
        if not re.fullmatch(r"\\?[A-Za-z]+|\{[A-Za-z]\}", head) or not self.is_matrix(rhs):
            return False
        name = _name(head)
        pat = re.escape(name) if len(name) == 1 else r"\\" + re.escape(name)
        if re.search(rf"(?<![A-Za-z\\]){pat}(?![A-Za-z])", self.substitute(rhs)):
            raise EinsteinError(f"the definition of '{name}' refers to itself")
        self.definitions[name] = rhs.strip()
        return True

    def substitute(self, text: str) -> str:
        """``text`` with every defined name replaced by its parenthesized definition (definitions that use
        earlier ones are expanded in turn; a definition that refers to itself stops after one round each)."""
        for _ in range(len(self.definitions) + 1):
            changed = False
            for name, body in self.definitions.items():
                pat = re.escape(name) if len(name) == 1 else r"\\" + re.escape(name)

                def paren(_m: re.Match[str], b: str = body) -> str:
                    return f"({b})"

                new = re.sub(rf"(?<![A-Za-z\\]){pat}(?![A-Za-z])", paren, text)
                changed = changed or new != text
                text = new
            if not changed:
                break
        return text

    def read(self, text: str) -> Expr:
        r"""One side: a derivative in the Cookbook's layout, or a matrix expression.

        Example:
            >>> m = MatrixReader({"a": ("n",), "X": ("n", "m"), "b": ("m",)})
            >>> [ix.up for ix in m.read(r"\frac{\partial}{\partial X} a^\top X b").free]
            [False, True]
        """
        var = self._variable(text)
        if var is None:
            for pat in (_NABLA, _FRAC_OP, _FRAC_OF):
                m0 = pat.match(text)
                if m0 is not None:
                    name = _name(m0.group(1) if pat is _NABLA else m0.group("var"))
                    raise EinsteinError(f"the variable '{name}' of a derivative in matrix notation has no declared "
                                        f"shape", hint=f"declare it in inline math, e.g. ${name} \\in \\mathbb{{R}}^{{n}}$")
            return parse_matrix(self.substitute(text), self.shapes)
        m = _NABLA.match(text) or _FRAC_OP.match(text)
        if m is not None:
            body = text[m.end():]
        else:
            fm = _FRAC_OF.match(text)
            assert fm is not None
            body = fm.group("body")
        e = parse_matrix(self.substitute(body), self.shapes)
        if e.free:
            raise EinsteinError(f"the derivative of a {len(e.free)}-index expression in matrix notation "
                                f"(\\nabla_{var} of a vector or matrix) has no matrix form; write it in index notation")
        shape = self.shapes[var]
        names = fresh_names(set(e.all_names()), len(shape), stem="p")
        slots = "".join(("^" if k == 0 else "_") + "{" + n + "}" for k, n in enumerate(names))
        if not shape:
            raise EinsteinError(f"'{var}' is declared a scalar: write its derivative in index notation")
        from ..notation.parse import parse

        return diff(e, parse(("\\" if len(var) > 1 else "") + var + slots))

    def read_sides(self, lhs: str, rhs: str) -> tuple[Expr, Expr]:
        """Both sides, the left side's free indices renamed to the right side's by position (:meth:`align`)."""
        return self.align(self.read(lhs), self.read(rhs))

    def layout(self, text: str, e: Expr) -> tuple[bool, ...]:
        """Rows (up) and columns (down) of a side's free indices: a derivative has its variable's shape."""
        var = self._variable(text)
        if var is not None:
            return (True, False)[: len(self.shapes[var])]
        if len(e.free) == 2:  # a matrix: its index positions say nothing (A^\top has a lower first index)
            return (True, False)
        return tuple(ix.up for ix in e.free)

    @staticmethod
    def shape_of(layout: tuple[bool, ...]) -> str:
        """``a column vector``, ``a row vector``, ``a matrix``, ``a scalar`` for a :meth:`layout`."""
        return {(): "a scalar", (True,): "a column vector", (False,): "a row vector"}.get(layout, "a matrix")

    @staticmethod
    def align(left: Expr, right: Expr) -> tuple[Expr, Expr]:
        """``left`` with its free indices renamed to ``right``'s, position by position (rows, then columns).

        Example:
            >>> from einsteinpy_lite import parse
            >>> [str(e) for e in MatrixReader.align(parse("x_p"), parse("y^i"))]
            ['x_i', 'y^i']
        """
        if len(left.free) != len(right.free):
            return left, right
        avoid = set(left.all_names()) | set(right.all_names())
        mapping = {a.name: b.name for a, b in zip(left.free, right.free) if a.name != b.name}
        if mapping:
            tmp = fresh_names(avoid, len(mapping), stem="t")
            left = rename_free(left, dict(zip(mapping, tmp)), avoid=avoid)
            left = rename_free(left, {t: mapping[a] for a, t in zip(mapping, tmp)}, avoid=avoid | set(tmp))
        return left, right

    def is_derivative(self, text: str) -> bool:
        """Whether ``text`` is a derivative written in matrix notation."""
        return self._variable(text) is not None
