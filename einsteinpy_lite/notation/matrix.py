r"""Matrix notation in: :func:`parse_matrix` reads ``a^\top X b``, ``\operatorname{tr}(A X B)``, ``\|x\|^2``.

The notation is that of the Matrix Cookbook and of ML notes (grammar in ``matrix.lark``):

* juxtaposition (or ``\cdot``) is the matrix product; a 1x1 factor (a number, a scalar, ``x^\top y``)
  multiplies as a scalar;
* ``^T``, ``^\top``, ``^{\mathsf T}``, ``^\intercal`` transpose (no indices are ever written, so ``^T``
  is always the transpose); ``\operatorname{tr}`` (``\mathrm{tr}``, ``\mathrm{Tr}``) is the trace;
* ``\|x\|^2`` (a vector) and ``\|X\|_F^2`` (any matrix) are squared norms; ``A^2`` is ``A A``;
* ``I`` (or ``\mathbf{I}``) is the identity and ``\mathbf{1}`` the vector of ones, sized by their use;
* numbers, ``\frac{..}{..}`` with a scalar constant below, ``+``, ``-``, and the registered elementwise
  functions and their derivatives (``\sigma(X)``, ``\exp(x)``, ``\mathrm{relu}(W x)``, ``\sigma'(z)``);
* ``\operatorname{softmax}(v)``, ``\operatorname{logsoftmax}(v)`` (vectors) and ``\operatorname{logsumexp}(v)``
  (a scalar) of a column vector;
* ``\odot`` (or ``\circ``), the Hadamard product (looser than juxtaposition, tighter than ``+``), and
  ``\operatorname{diag}(v)``, both written with kept (elementwise) indices (``x^i \odot y^i``);
* ``\sum_{k=0}^{K-1}`` (or ``\sum_k``) over samples, in which ``y_k`` is the ``k``-th vector ``y`` (the
  tensor ``y_k^i``, its sample slot bound by the sum), as in the slides' loss.

Shapes come from a dict (``{"x": (3,), "A": (3, 4)}``, sizes integers or symbols such as ``"n"``) or
from LaTeX declarations (``x \in \mathbb{R}^{n}, A \in \mathbb{R}^{n \times m}``), given as ``shapes``
or after the expression (``a^\top X b, \quad a \in \mathbb{R}^n, ...``).  A shape not given is
inferred from its use where that is unique (``x^\top A x`` sizes ``A`` by ``x``); an undeclared
lowercase Greek letter, and a size symbol of a declared shape (``\frac{1}{n}``), is a scalar.

The result is an ordinary index expression: a matrix is a tensor with one upper and one lower slot
(``A^i_j``), a vector one upper slot (``x^i``), a scalar a coefficient; a transpose or a product of
two slots of the same variance meets the Euclidean metric ``\delta_{ij}``.  So ``diff``, ``equal``,
``compile`` and everything downstream work unchanged.

Example:
    >>> e = parse_matrix(r"a^\top X b", {"a": ("n",), "X": ("n", "m"), "b": ("m",)})
    >>> str(e)
    'a^k \\delta_{k l} X^l_m b^m'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import lark
import sympy

from ..core.atoms import Delta, Tensor
from ..core.composite import layer_norm
from ..core.elementwise import Apply, Diag
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, Sum, SumOver
from ..core.functions import get_function, lookup_latex
from ..core.indices import Index, fresh_names, parse_index_spec
from ..core.matrix_functions import VECTOR_FUNCTIONS, MatrixFunction
from ..core.scalars import scalar_symbol, to_scalar
from .greek import GREEK
from .parse import _tok_pos

__all__ = ["parse_matrix", "read_shapes"]

Shape = tuple[Any, ...]

#: Operators of matrix notation that are not supported (yet): named in the error instead of "unknown".
#: the functions of a column vector: softmax and logsumexp (MatrixFunction nodes), logsoftmax (written out)
_VECTOR = VECTOR_FUNCTIONS | {"logsoftmax", "layernorm"}
_NOT_YET = {"vec": "vec", "otimes": "the Kronecker product"}
#: why they are not: both fuse two indices into one, which index notation never does
_WHY_NOT = ("it reshapes two indices into one, and index notation keeps every index apart; write the "
            "tensor with its indices instead: A^i_j B^k_l for A \\otimes B, X^i_j for vec(X)")


@functools.lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    grammar = resources.files(__package__).joinpath("matrix.lark").read_text()
    return lark.Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=False)


# ----------------------------------------------------------------------------------------- shapes

_NAME = r"(?:\\(?:mathbf|boldsymbol|bm)\s*\{\s*[A-Za-z]\s*\}|\\[A-Za-z]+|[A-Za-z])"
_DECL = re.compile(rf"\s*((?:{_NAME}\s*,\s*)*{_NAME})\s*\\in\s*(?:\\mathbb\s*(?:\{{\s*R\s*\}}|R)|\\Re(?![A-Za-z])"
                   r"|\\mathbf\s*\{\s*R\s*\})"
                   r"\s*(?:\^\s*(\{[^{}]*\}|[A-Za-z0-9]))?\s*")
_SEP = re.compile(r"\s*(?:,|;|\\q?quad(?![A-Za-z])|\\text\s*\{\s*(?:and|where|with)\s*\}|\\[,;:])\s*")
_DECL_START = re.compile(rf"(?:^|,|;|\\q?quad(?![A-Za-z])|\\text\s*\{{\s*(?:where|with)\s*\}})\s*"
                         rf"((?:{_NAME}\s*,\s*)*{_NAME})\s*\\in(?![A-Za-z])")


def _symbol_name(name: str) -> str:
    """``\\mathbf{x}`` -> ``x``: bold is typography, the name is the letter."""
    m = re.fullmatch(r"\\(?:mathbf|boldsymbol|bm)\s*\{\s*(.+?)\s*\}", name.strip())
    return m.group(1) if m else name.strip()


def _read_size(tok: str, text: str, pos: int) -> Any:
    tok = tok.strip()
    if re.fullmatch(r"[0-9]+", tok):
        value = int(tok)
        if value < 1:
            raise EinsteinError(f"a size must be at least 1, got {tok}", text=text, pos=pos)
        return value
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*|\\[A-Za-z]+", tok):
        return tok.lstrip("\\")
    raise EinsteinError(f"cannot read the size {tok!r}", text=text, pos=pos,
                        hint="a size is a positive integer or a name (n, m, K)")


def read_shapes(decls: str) -> dict[str, Shape]:
    r"""Read LaTeX shape declarations such as ``x \in \mathbb{R}^{n}, A \in \mathbb{R}^{n \times m}``.

    Args:
        decls: declarations separated by commas, semicolons or ``\quad``; ``x, y \in \mathbb{R}^n``
            declares both; ``\mathbb{R}`` alone is a scalar.

    Returns:
        The shapes: name -> tuple of sizes (integers, or names of size symbols).

    Raises:
        EinsteinError: text that is not a declaration, with a caret under it.

    Example:
        >>> read_shapes(r"x, y \in \mathbb{R}^{n}, A \in \mathbb{R}^{n \times 3}, \alpha \in \mathbb{R}")
        {'x': ('n',), 'y': ('n',), 'A': ('n', 3), 'alpha': ()}
        >>> read_shapes(r"W \in \Re^{m \times n}")  # (\Re and \mathbf{R} too)
        {'W': ('m', 'n')}
    """
    out: dict[str, Shape] = {}
    pos = 0
    while pos < len(decls):
        m = _DECL.match(decls, pos)
        if not m:
            raise EinsteinError("expected a declaration such as 'x \\in \\mathbb{R}^{n}'", text=decls, pos=pos)
        names = [_symbol_name(n).lstrip("\\") for n in re.findall(_NAME, m.group(1))]
        power = m.group(2)
        shape: Shape = ()
        if power is not None:
            inner = power[1:-1] if power.startswith("{") else power
            start = m.start(2) + (1 if power.startswith("{") else 0)
            parts = re.split(r"\\times(?![A-Za-z])|×", inner)
            shape = tuple(_read_size(p, decls, start) for p in parts)
            if len(shape) > 2:
                raise EinsteinError(f"{names[0]} has {len(shape)} dimensions; matrix notation has vectors and "
                                    "matrices only", text=decls, pos=m.start(2))
        for n in names:
            out[n] = shape
        pos = m.end()
        if pos < len(decls):
            s = _SEP.match(decls, pos)
            if not s or s.end() == pos:
                raise EinsteinError("expected ',' between declarations", text=decls, pos=pos)
            pos = s.end()
    return out


def _split_declarations(text: str) -> tuple[str, str]:
    """Split ``a^T X b, \\quad a \\in \\mathbb{R}^n`` into the expression and the declarations."""
    m = _DECL_START.search(text)
    if m is None:
        return text, ""
    head = re.sub(r"(?:\s|,|;|\\q?quad(?![A-Za-z])|\\[,;:])*$", "", text[: m.start()])
    return head, text[m.start(1):]


def _normalize_shapes(shapes: Mapping[str, Any] | str | None) -> dict[str, Shape]:
    if shapes is None:
        return {}
    if isinstance(shapes, str):
        return read_shapes(shapes)
    if not isinstance(shapes, Mapping):
        raise EinsteinError(f"shapes is a dict such as {{'x': (3,), 'A': (3, 4)}} or declarations, got "
                            f"{type(shapes).__name__}")
    out: dict[str, Shape] = {}
    for key, value in shapes.items():
        if not isinstance(key, str):
            raise EinsteinError(f"a shape's name is text, got {key!r}")
        if isinstance(value, (int, str, sympy.Symbol)) and not isinstance(value, bool):
            value = (value,)
        if not isinstance(value, (tuple, list)) or len(value) > 2:
            raise EinsteinError(f"the shape of {key!r} must be a tuple of at most two sizes, got {value!r}",
                                hint="matrix notation has scalars (), vectors (n,) and matrices (n, m)")
        sizes: list[Any] = []
        for s in value:
            if isinstance(s, bool) or not isinstance(s, (int, str, sympy.Symbol)):
                raise EinsteinError(f"the shape of {key!r}: a size is an integer or a name, got {s!r}")
            if isinstance(s, int) and s < 1:
                raise EinsteinError(f"the shape of {key!r}: a size must be at least 1, got {s}")
            sizes.append(s.name if isinstance(s, sympy.Symbol) else s)
        out[_symbol_name(key).lstrip("\\")] = tuple(sizes)
    return out


# ----------------------------------------------------------------------------------------- dimensions


class _Dim:
    """A dimension in the shape inference: a union-find class with an optional value (int or size name)."""

    __slots__ = ("parent", "value")

    def __init__(self, value: Any = None) -> None:
        self.parent: _Dim | None = None
        self.value = value

    def root(self) -> _Dim:
        d = self
        while d.parent is not None:
            d = d.parent
        return d

    def get(self) -> Any:
        return self.root().value

    def show(self) -> str:
        v = self.get()
        return "?" if v is None else str(v)


def _show(shape: tuple[_Dim, _Dim]) -> str:
    r, c = shape
    if r.get() == 1 and c.get() == 1:
        return "a scalar"
    if c.get() == 1:
        return f"a vector of size {r.show()}"
    if r.get() == 1:
        return f"a row vector of size {c.show()}"
    return f"{r.show()}\u00d7{c.show()}"


def _unify(a: _Dim, b: _Dim) -> bool:
    ra, rb = a.root(), b.root()
    if ra is rb:
        return True
    if ra.value is not None and rb.value is not None and ra.value != rb.value:
        return False
    if ra.value is None:
        ra.value = rb.value
    rb.parent = ra
    return True


_ONE = _Dim(1)


def _is_scalar(shape: tuple[_Dim, _Dim]) -> bool:
    return shape[0].get() == 1 and shape[1].get() == 1


# ----------------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class _MVal:
    """A built matrix value: its index expression, row and column index (None for a size-1 side).

    ``ones`` names the indices that belong to a vector of ones (``\\mathbf{1}``): they are on no tensor,
    and contracting one turns the other side's index into a ``\\sum``.
    """

    expr: Expr
    row: Index | None
    col: Index | None
    ones: frozenset[str] = frozenset()

    def t(self) -> _MVal:
        return _MVal(self.expr, self.col, self.row, self.ones)


def _transposed(tok: Any) -> bool:
    """Whether an inverse token is ``^{-\\top}`` (the inverse transposed), not ``^{-1}``."""
    return "1" not in str(tok)


def _rename_free(e: Expr, old: str, new: str) -> Expr:
    return e.map_slots(lambda ix: ix.renamed(new) if (ix.name == old and not ix.bound) else ix)


class _Reader:
    """Both passes over the tree: shapes first (with inference), then the index expression."""

    def __init__(self, text: str, shapes: dict[str, Shape]) -> None:
        self.text = text
        self.declared = shapes
        self.sizes = {s for shape in shapes.values() for s in shape if isinstance(s, str)}
        self.symbol_dims: dict[str, tuple[_Dim, _Dim]] = {}
        self.node_dims: dict[int, tuple[_Dim, _Dim]] = {}
        self.first_use: dict[str, int] = {}
        self.steps: dict[int, list[str]] = {}
        self.used: set[str] = set()
        self.pool: Iterator[str] = iter(())
        self.reserved: set[str] = set()
        self.bound: list[str] = []  # the indices of the enclosing \sum's

    # ------------------------------------------------------------------ helpers
    def err(self, message: str, node: Any, hint: str | None = None) -> EinsteinError:
        return EinsteinError(message, text=self.text, pos=_tok_pos(node)[0], hint=hint)

    def src(self, node: Any) -> str:
        start, end = _tok_pos(node)
        return self.text[start:end].strip()

    def kind(self, name: str) -> str:
        """'tensor', 'scalar', 'identity' or 'ones' for a name token."""
        if name == "1":
            return "ones"
        if name in self.declared:
            return "scalar" if self.declared[name] == () else "tensor"
        if name == "I":
            return "identity"
        if name in self.sizes or (name in GREEK and name[:1].islower()):
            return "scalar"
        return "tensor"

    # ------------------------------------------------------------------ pass 1: shapes
    def shape(self, node: Any) -> tuple[_Dim, _Dim]:
        out = self._shape(node)
        self.node_dims[id(node)] = out
        return out

    def _shape(self, node: Any) -> tuple[_Dim, _Dim]:
        kind = node.data
        ch = node.children
        if kind == "name":
            raw = _symbol_name(str(ch[0]))
            name = raw.lstrip("\\")
            if raw.startswith("\\") and name not in GREEK:
                what = _NOT_YET.get(name)
                if what:
                    raise self.err(f"{what} ({raw}) is not supported in matrix notation", node, hint=_WHY_NOT)
                raise self.err(f"unknown operator {raw!r}", node,
                               hint="matrix notation knows products, ^\\top, \\operatorname{tr}, \\|x\\|^2, "
                                    "\\|X\\|_F^2 and the registered elementwise functions")
            k = self.kind(name)
            if k == "scalar":
                return _ONE, _ONE
            if k == "identity":
                d = _Dim()
                return d, d
            if k == "ones":
                return _Dim(), _ONE
            if name not in self.symbol_dims:
                self.first_use[name] = _tok_pos(node)[0]
                shape = self.declared.get(name)
                if shape is None:
                    self.symbol_dims[name] = (_Dim(), _Dim())
                else:
                    dims = [_Dim(s) for s in shape] + [_ONE] * (2 - len(shape))
                    self.symbol_dims[name] = (dims[0], dims[1])
            return self.symbol_dims[name]
        if kind == "number":
            return _ONE, _ONE
        if kind in ("paren",):
            return self.shape(ch[1])
        if kind in ("pos", "neg", "starred"):
            return self.shape(ch[-1])
        if kind in ("add", "sub"):
            a, b = self.shape(ch[0]), self.shape(ch[1])
            if not (_unify(a[0], b[0]) and _unify(a[1], b[1])):
                raise self.err(f"the terms of a sum must have the same shape: '{self.src(ch[0])}' is {_show(a)}, "
                               f"'{self.src(ch[1])}' is {_show(b)}", ch[1])
            return a
        if kind == "sumover":
            self.bound.append(self.sum_head(ch[0])[0])
            out = self.shape(ch[1])
            self.bound.pop()
            return out
        if kind == "sample":
            self.sample_index(node)
            return self.shape(ch[0])
        if kind == "odot":
            a, b = self.shape(ch[0]), self.shape(ch[2])
            if not (_unify(a[0], b[0]) and _unify(a[1], b[1])):
                raise self.err(f"the Hadamard product needs equal shapes: '{self.src(ch[0])}' is {_show(a)}, "
                               f"'{self.src(ch[2])}' is {_show(b)}", ch[1])
            return a
        if kind == "product":
            acc = self.shape(ch[0])
            steps: list[str] = []
            for prev, f in zip(ch, ch[1:]):
                s = self.shape(f)
                if _is_scalar(acc):
                    steps.append("scalar")
                    acc = s
                elif _is_scalar(s):
                    steps.append("scalar")
                else:
                    steps.append("matmul")
                    if not _unify(acc[1], s[0]):
                        left = self.text[_tok_pos(ch[0])[0]:_tok_pos(prev)[1]].strip()
                        raise self.err(f"shape mismatch in a matrix product: '{left}' is {_show(acc)}, "
                                       f"'{self.src(f)}' is {_show(s)} ({acc[1].show()} columns, "
                                       f"{s[0].show()} rows)", f)
                    acc = (acc[0], s[1])
            self.steps[id(node)] = steps
            return acc
        if kind == "transpose":
            if ch[0].data in ("name", "number") and self.kind(_symbol_name(str(ch[0].children[0])).lstrip("\\")) \
                    == "scalar" or ch[0].data == "number":
                raise self.err(f"transpose of the scalar '{self.src(ch[0])}': only a matrix or a vector has a "
                               "transpose", ch[1])
            r, c = self.shape(ch[0])
            return c, r
        if kind == "inverse":
            r, c = self.shape(ch[0])
            if _is_scalar((r, c)) or not _unify(r, c):
                raise self.err(f"the inverse of '{self.src(ch[0])}' ({_show((r, c))}): only a square matrix has "
                               "an inverse", ch[1])
            return (c, r) if _transposed(ch[1]) else (r, c)
        if kind == "det":
            r, c = self.shape(ch[1])
            if _is_scalar((r, c)) or not _unify(r, c):
                raise self.err(f"the determinant of '{self.src(ch[1])}' ({_show((r, c))}): only a square matrix has "
                               "one", node)
            return _ONE, _ONE
        if kind == "power":
            base = self.shape(ch[0])
            n = int(re.sub(r"[^0-9]", "", str(ch[1])))
            if ch[0].data == "norm":
                if n != 2:
                    raise self.err(f"a norm to the power {n}: only the squared norm (^2) is supported", ch[1])
                return _ONE, _ONE
            if n == 0 and _is_scalar(base):
                return _ONE, _ONE
            if not _is_scalar(base) and not _unify(base[0], base[1]):
                raise self.err(f"a power of the non-square '{self.src(ch[0])}' ({_show(base)})", ch[1])
            return base
        if kind == "norm":
            inner = self.shape(ch[1])
            sub = str(ch[3]) if len(ch) > 3 else ""
            if "F" not in sub and not _unify(inner[1], _ONE):
                raise self.err(f"\\|{self.src(ch[1])}\\| of {_show(inner)}: the 2-norm is for vectors; "
                               "write \\|X\\|_F^2 for the Frobenius norm", node)
            if sub and not re.search(r"F|2", sub):
                raise self.err(f"the norm {sub.strip()}: only the 2-norm of a vector and the Frobenius norm "
                               "\\|X\\|_F are supported", node)
            return _ONE, _ONE  # a norm is a scalar (\\|x\\| = sqrt(x^T x))
        if kind == "trace":
            r, c = self.shape(ch[1])
            if not _unify(r, c):
                raise self.err(f"trace of the non-square '{self.src(ch[1])}' ({_show((r, c))})", node)
            return _ONE, _ONE
        if kind == "call":
            if self.function(ch[0]) in _VECTOR:
                r, c = self.shape(ch[2])
                name = f"\\operatorname{{{self.function(ch[0])}}}"
                if _is_scalar((r, c)) or not _unify(c, _ONE):
                    raise self.err(f"{name} of '{self.src(ch[2])}' ({_show((r, c))}): {name} takes a (column) vector",
                                   node, hint="apply it to a vector, e.g. \\operatorname{softmax}(W x)")
                return (_ONE, _ONE) if self.function(ch[0]) == "logsumexp" else (r, c)
            if self.function(ch[0]) == "diag":
                r, c = self.shape(ch[2])
                if not _unify(c, _ONE):
                    raise self.err(f"\\operatorname{{diag}} of '{self.src(ch[2])}' ({_show((r, c))}): diag takes a "
                                   "vector", node)
                return r, r
            return self.shape(ch[2])
        if kind == "sqrt":  # elementwise, as every function
            return self.shape(ch[1])
        if kind == "frac":
            top, bottom = self.shape(ch[1]), self.shape(ch[2])
            if not (_unify(bottom[0], _ONE) and _unify(bottom[1], _ONE)):
                raise self.err(f"\\frac: the denominator '{self.src(ch[2])}' is {_show(bottom)}, not a scalar", ch[2])
            return top
        raise self.err(f"internal: unknown node {kind}", node)  # pragma: no cover

    def function(self, tok: Any) -> str:
        """The registered name of the function token ``tok`` (its primes ignored), ``"diag"``, ``"softmax"`` or
        ``"logsumexp"``."""
        word = str(tok).rstrip("'")
        if re.fullmatch(r"\\(?:mathrm|operatorname)\{diag\}", word):
            return "diag"
        vector = re.fullmatch(r"\\(?:mathrm|operatorname)\{(softmax|logsumexp|logsoftmax|layernorm)\}", word)
        if vector:
            if word != str(tok):
                raise self.err(f"{word} is not elementwise: a prime (derivative) is not written on it", tok,
                               hint="use el.diff for its derivative")
            return vector.group(1)
        m = re.fullmatch(r"\\(?:mathrm|operatorname)\{([A-Za-z][A-Za-z0-9]*)\}", word)
        bare = m.group(1) if m else word.lstrip("\\")
        fn = lookup_latex(word)
        if fn is None and m:
            try:
                fn = get_function(bare)
            except EinsteinError:
                fn = None
        if fn is None:
            what = _NOT_YET.get(bare)
            if what:
                raise self.err(f"{what} ({word}) is not supported in matrix notation", tok, hint=_WHY_NOT)
            raise self.err(f"unknown operator {word!r}", tok,
                           hint="matrix notation knows products, ^\\top, \\operatorname{tr}, \\|x\\|^2, \\|X\\|_F^2 "
                                "and the registered elementwise functions")
        return fn.name

    # ------------------------------------------------------------------ pass 2: the index expression
    def fresh(self) -> str:
        for name in self.pool:
            if name not in self.reserved:
                self.reserved.add(name)
                return name
        (name,) = fresh_names(self.reserved, 1, stem="u")
        self.reserved.add(name)
        return name

    def dims_of(self, node: Any) -> tuple[Any, Any]:
        r, c = self.node_dims[id(node)]
        return r.get(), c.get()

    def join(self, a: _MVal, b: _MVal, node: Any) -> tuple[Expr, frozenset[str]]:
        """The product of ``a`` and ``b`` with ``a``'s column contracted with ``b``'s row."""
        ai, bi = a.col, b.row
        ones = a.ones | b.ones
        if ai is None or bi is None:
            if ai is not None or bi is not None:  # pragma: no cover - shapes were checked
                raise self.err("internal: a size-1 side met a sized one", node)
            return Product.make(1, [a.expr, b.expr]), ones
        a_one, b_one = ai.name in a.ones, bi.name in b.ones
        if a_one and b_one:
            raise self.err("\\mathbf{1}^\\top \\mathbf{1} (a size) is not supported", node)
        if a_one or b_one:
            other, ix = (b.expr, bi) if a_one else (a.expr, ai)
            rest = a.expr if a_one else b.expr
            return Product.make(1, [rest, SumOver(ix.name, (), other)]), ones - {ai.name, bi.name}
        if ai.up != bi.up:
            return Product.make(1, [a.expr, _rename_free(b.expr, bi.name, ai.name)]), ones
        return Product.make(1, [a.expr, Delta(ai.flip(), bi.flip()), b.expr]), ones

    def build(self, node: Any) -> _MVal:
        kind = node.data
        ch = node.children
        if kind == "name":
            name = _symbol_name(str(ch[0])).lstrip("\\")
            k = self.kind(name)
            if k == "scalar":
                return _MVal(Product(scalar_symbol(name), ()), None, None)
            r, c = self.dims_of(node)
            if k == "identity":  # (a delta is sized by the indices it meets: its own size may be unknown)
                return self.identity()
            if k == "ones":
                if r is None:
                    raise self.err("cannot tell the size of \\mathbf{1} from its use", node,
                                   hint="declare the shapes around it")
                one = self.fresh()
                return _MVal(Product(1, ()), Index(one, True), None, frozenset({one}))
            row = Index(self.fresh(), True) if r != 1 else None
            col = Index(self.fresh(), False) if c != 1 else None
            slots = [ix for ix in (row, col) if ix is not None]
            if not slots:
                return _MVal(Product(scalar_symbol(name), ()), None, None)
            return _MVal(Tensor("\\" + name if name in GREEK else name, slots), row, col)
        if kind == "number":
            return _MVal(Product(sympy.Rational(str(ch[0])), ()), None, None)
        if kind == "paren":
            return self.build(ch[1])
        if kind in ("pos", "starred"):
            return self.build(ch[-1])
        if kind == "neg":
            v = self.build(ch[0])
            return _MVal(-v.expr, v.row, v.col, v.ones)
        if kind in ("add", "sub"):
            a, b = self.build(ch[0]), self.build(ch[1])
            if a.ones or b.ones:
                raise self.err("\\mathbf{1} in a sum is not supported; contract it (\\mathbf{1}^\\top x)", node)
            e = self.aligned(a, b)
            return _MVal(a.expr + e if kind == "add" else a.expr - e, a.row, a.col)
        if kind == "sumover":
            name, bounds = self.sum_head(ch[0])
            self.bound.append(name)
            v = self.build(ch[1])
            self.bound.pop()
            return _MVal(SumOver(name, bounds, v.expr), v.row, v.col, v.ones)
        if kind == "sample":
            k = self.sample_index(node)
            v = self.build(ch[0])
            slots = list(v.expr.indices) if isinstance(v.expr, Tensor) else []
            head = v.expr.name if isinstance(v.expr, Tensor) else str(ch[0].children[0]).strip()
            return _MVal(Tensor(head, [Index(k, False, True), *slots]), v.row, v.col)
        if kind == "odot":
            a, b = self.build(ch[0]), self.build(ch[2])
            if a.ones or b.ones:
                raise self.err("\\mathbf{1} in a Hadamard product is not supported", node)
            e = self.aligned(a, b)
            kept = [ix.name for ix in (a.row, a.col) if ix is not None]
            return _MVal(Product.make(1, [a.expr, e], kept=kept), a.row, a.col)
        if kind == "product":
            acc = self.build(ch[0])
            for step, f in zip(self.steps[id(node)], ch[1:]):
                v = self.build(f)
                if step == "scalar":
                    if _is_scalar(self.node_dims[id(f)]):
                        acc = _MVal(Product.make(1, [acc.expr, v.expr]), acc.row, acc.col, acc.ones)
                    else:
                        acc = _MVal(Product.make(1, [acc.expr, v.expr]), v.row, v.col, v.ones)
                else:
                    e, ones = self.join(acc, v, f)
                    acc = _MVal(e, acc.row, v.col, ones)
            return acc
        if kind == "transpose":
            return self.build(ch[0]).t()
        if kind == "power":
            n = int(re.sub(r"[^0-9]", "", str(ch[1])))
            if ch[0].data == "norm":
                return self.squared_norm(ch[0])
            if n == 0:  # X^0 = I (a scalar's 0th power is 1)
                return self.identity() if self.dims_of(node)[0] != 1 else _MVal(Product(1, ()), None, None)
            acc = self.build(ch[0])
            for _ in range(n - 1):
                v = self.build(ch[0])
                if acc.row is None and acc.col is None:
                    acc = _MVal(Product.make(1, [acc.expr, v.expr]), None, None)
                else:
                    e, ones = self.join(acc, v, ch[0])
                    acc = _MVal(e, acc.row, v.col, ones)
            return acc
        if kind == "norm":  # \\|x\\| = sqrt(x^T x), \\|X\\|_F = sqrt(tr(X^T X))
            return _MVal(Apply("sqrt", 0, self.squared_norm(node).expr), None, None)
        if kind == "trace":
            v = self.build(ch[1])
            return _MVal(self.close(v, node), None, None)
        if kind in ("inverse", "det"):
            arg = ch[0] if kind == "inverse" else ch[1]
            v = self.build(arg)
            if v.ones:
                raise self.err("\\mathbf{1} inside an inverse or a determinant is not supported", node)
            if kind == "inverse":
                inv = _MVal(MatrixFunction("inv", v.expr), v.row, v.col)
                return inv.t() if _transposed(ch[1]) else inv
            return _MVal(MatrixFunction("logdet" if "log" in str(ch[0]) else "det", v.expr), None, None)
        if kind == "call":
            name = self.function(ch[0])
            if name == "diag":
                return self.diag(ch[2], node)
            v = self.build(ch[2])
            if name in _VECTOR:
                if v.ones:
                    raise self.err("\\mathbf{1} inside a function is not supported", node)
                if name == "logsoftmax" and v.row is not None:  # z - logsumexp(z) 1, as the index parser reads it
                    k = self.fresh()
                    ones = SumOver(k, (), Delta(v.row, Index(k, not v.row.up, True)))
                    lse = Product.make(-1, [MatrixFunction("logsumexp", v.expr), ones])
                    return _MVal(Sum.make([v.expr, lse]), v.row, v.col)
                if name == "softmax":
                    return _MVal(MatrixFunction(name, v.expr), v.row, v.col)
                if name == "layernorm":  # written out in index notation (core.composite)
                    value = layer_norm(v.expr, self.reserved)
                    self.reserved |= value.all_names()
                    return _MVal(value, v.row, v.col)
                return _MVal(MatrixFunction(name, v.expr), None, None)
            if v.ones:
                raise self.err("\\mathbf{1} inside a function is not supported", node)
            order = len(str(ch[0])) - len(str(ch[0]).rstrip("'"))
            return _MVal(Apply(name, order, v.expr), v.row, v.col)
        if kind == "sqrt":
            v = self.build(ch[1])
            if v.ones:
                raise self.err("\\mathbf{1} inside a function is not supported", node)
            return _MVal(Apply("sqrt", 0, v.expr), v.row, v.col)
        if kind == "frac":
            top, bottom = self.build(ch[1]), self.build(ch[2])
            if not (isinstance(bottom.expr, Product) and not bottom.expr.factors):
                raise self.err(f"\\frac: the denominator '{self.src(ch[2])}' must be a scalar constant", ch[2])
            if bottom.expr.coeff == 0:
                raise self.err("\\frac: division by zero", ch[2])
            return _MVal(Product.make(1 / bottom.expr.coeff, [top.expr]), top.row, top.col, top.ones)
        raise self.err(f"internal: unknown node {kind}", node)  # pragma: no cover

    def sum_head(self, tok: Any) -> tuple[str, tuple[sympy.Expr, ...]]:
        """The index and bounds of ``\\sum_{k=0}^{K-1}`` (no bounds for ``\\sum_k``)."""
        m = re.fullmatch(r"\\sum\s*_\s*(?:\{([^{}]*)\}|([A-Za-z]))(?:\s*\^\s*(?:\{([^{}]*)\}|([A-Za-z0-9])))?", str(tok))
        if m is None:  # pragma: no cover - the token's pattern is this one
            raise self.err("cannot read the \\sum", tok)
        sub, sup = (m.group(1) or m.group(2)).strip(), m.group(3) or m.group(4)
        name, _, lower = sub.partition("=")
        name = name.strip()
        if not re.fullmatch(r"[A-Za-z]", name):
            raise self.err(f"\\sum over {name!r}: the index of a sum is one letter", tok)
        if bool(lower.strip()) != (sup is not None):
            raise self.err("a \\sum has both bounds (\\sum_{k=0}^{K-1}) or none (\\sum_k)", tok)
        if sup is None:
            return name, ()
        try:
            return name, (to_scalar(lower.strip(), "a \\sum bound"), to_scalar(sup.strip(), "a \\sum bound"))
        except EinsteinError as exc:
            raise self.err(exc.message, tok) from None

    def sample_index(self, node: Any) -> str:
        """The ``k`` of ``y_k``: a name's sample, bound by an enclosing ``\\sum`` over ``k``."""
        k = re.sub(r"[^A-Za-z]", "", str(node.children[1]))
        if node.children[0].data != "name":
            raise self.err(f"a sample subscript _{k} goes on a name (y_{k}), not on '{self.src(node.children[0])}'",
                           node.children[1])
        if k not in self.bound:
            raise self.err(f"the subscript _{k} is not bound by a \\sum over {k}", node.children[1],
                           hint="matrix notation has no indices; y_k is the k-th sample inside \\sum_{k}")
        return k

    def aligned(self, a: _MVal, b: _MVal) -> Expr:
        """``b``'s expression with ``a``'s row and column indices (same names, same variance)."""
        e = b.expr
        for mine, theirs in ((a.row, b.row), (a.col, b.col)):
            if mine is None or theirs is None:
                continue
            if mine.up == theirs.up:
                e = _rename_free(e, theirs.name, mine.name)
            else:
                e = Product.make(1, [e, Delta(theirs.flip(), mine)])
        return e

    def identity(self) -> _MVal:
        r_name, c_name = self.fresh(), self.fresh()
        return _MVal(Delta(Index(r_name, True), Index(c_name, False)), Index(r_name, True), Index(c_name, False))

    def diag(self, arg: Any, node: Any) -> _MVal:
        """``\\operatorname{diag}(f^{(n)}(z))``: the core's diagonal Jacobian :class:`Diag` (n >= 1)."""
        v = self.build(arg)
        if v.ones:
            raise self.err("\\operatorname{diag}(\\mathbf{1}) is I: write I", node)
        if v.row is None:  # a 1x1 diagonal matrix is its entry
            return v
        col = Index(self.fresh(), not v.row.up)
        if isinstance(v.expr, Apply) and v.expr.order >= 1:  # the diagonal Jacobian the chain rule writes
            return _MVal(Diag(v.expr.func_name, v.expr.order, v.expr.body, [col]), v.row, col)
        # diag(v)^i_j = v^i \odot \delta^i_j: the index i is kept (elementwise), not summed
        return _MVal(Product.make(1, [v.expr, Delta(v.row, col)], kept=[v.row.name]), v.row, col)

    def close(self, v: _MVal, node: Any) -> Expr:
        """Contract ``v``'s row with its column (the trace)."""
        if v.row is None or v.col is None:
            return v.expr
        if v.ones & {v.row.name, v.col.name}:
            raise self.err("the trace of \\mathbf{1} is not supported", node)
        names = {v.row.name, v.col.name}
        if v.row.up != v.col.up and not any(isinstance(n, (Apply, Diag, MatrixFunction)) and names <= {ix.name for ix in n.free}
                                            for n in v.expr.walk()):
            # renaming is a trace wherever the two indices meet in a product or a tensor; inside an
            # elementwise function it would be the function of a trace, so a delta closes that instead
            return _rename_free(v.expr, v.col.name, v.row.name)
        return Product.make(1, [v.expr, Delta(v.row.flip(), v.col.flip())])

    def squared_norm(self, node: Any) -> _MVal:
        """``\\|x\\|^2`` = ``x^T x``; ``\\|X\\|_F^2`` = ``tr(X^T X)``."""
        a, b = self.build(node.children[1]), self.build(node.children[1])
        if a.ones:
            raise self.err("the norm of \\mathbf{1} is not supported", node)
        e, _ = self.join(a.t(), b, node)
        return _MVal(self.close(_MVal(e, a.col, b.col), node), None, None)


_BARS = re.compile(r"\\left\s*\\\||\\right\s*\\\||\\lVert(?![A-Za-z])|\\rVert(?![A-Za-z])|\\Vert(?![A-Za-z])|\\\|")


def _mark_norms(text: str) -> str:
    """Tell opening from closing norm bars (one token each for the grammar), keeping every position."""
    out = []
    last = 0
    opening = True
    first_open = 0
    for m in _BARS.finditer(text):
        tok = m.group(0)
        if tok.startswith("\\left") or tok == "\\lVert":
            is_open = True
        elif tok.startswith("\\right") or tok == "\\rVert":
            is_open = False
        else:
            is_open = opening
        if is_open != opening:
            raise EinsteinError("unbalanced norm bars", text=text, pos=m.start())
        if is_open:
            first_open = m.start()
        opening = not opening
        out.append(text[last:m.start()])
        out.append("\u27e6" + " " * (len(tok) - 1) if is_open else " " * (len(tok) - 1) + "\u27e7")
        last = m.end()
    if not opening:
        raise EinsteinError("a norm bar \\| is not closed", text=text, pos=first_open)
    out.append(text[last:])
    return "".join(out)


def parse_matrix(text: str, shapes: Mapping[str, Any] | str | None = None,
                 indices: str | Sequence[Index] | None = None) -> Expr:
    r"""Read matrix notation (``a^\top X b``, ``\operatorname{tr}(A X B)``, ``\|x\|^2``) as an index expression.

    Args:
        text: the expression; declarations may follow it (``x^\top A x, \quad x \in \mathbb{R}^{n}``).
        shapes: name -> shape (``{"x": (3,), "A": ("n", "m"), "alpha": ()}``) or declarations as text.
        indices: the free indices of the result, row then column (``"^i_j"``, ``"_p^q"``, or a derivative's
            ``.free``); by default ``^i`` for the rows and ``_j`` for the columns.

    Returns:
        The index expression: matrices ``A^i_j``, vectors ``x^i``, scalars as coefficients.

    Raises:
        EinsteinError: malformed text, an unknown operator, shapes that do not fit (a product, a sum, a
            trace of a non-square matrix, a transpose of a scalar) or a shape that cannot be inferred --
            with a caret under the culprit and the shapes named.

    Example:
        >>> str(parse_matrix(r"\operatorname{tr}(A X B)", {"A": (2, 3), "X": (3, 4), "B": (4, 2)}))
        'A^k_l X^l_n B^n_k'
        >>> str(parse_matrix(r"x^\top A x, \quad x \in \mathbb{R}^{n}"))
        'x^k \\delta_{k l} A^l_m x^m'
    """
    if not isinstance(text, str):
        raise EinsteinError(f"parse_matrix() takes a string, got {type(text).__name__}")
    body, decls = _split_declarations(text)
    shape_map = _normalize_shapes(shapes)
    if decls:
        try:
            shape_map.update(read_shapes(decls))
        except EinsteinError as exc:
            raise exc.located(text, None if exc.pos is None else exc.pos + len(text) - len(decls)) from None
    if not body.strip():
        raise EinsteinError("empty expression", text=text, pos=0)
    marked = _mark_norms(body)
    try:
        tree = _parser().parse(marked)
    except lark.exceptions.UnexpectedCharacters as exc:
        pos = exc.pos_in_stream or 0
        hint = None
        if marked[pos] in "^_":
            hint = ("matrix notation has no indices: ^T, ^\\top or ^{\\mathsf T} is the transpose; "
                    "use el.parse for index notation")
        cmd = re.match(r"\\([A-Za-z]+)", text[pos:])
        if cmd and cmd.group(1) in _NOT_YET:
            raise EinsteinError(f"{_NOT_YET[cmd.group(1)]} (\\{cmd.group(1)}) is not supported in matrix notation "
                                "yet", text=text, pos=pos) from None
        raise EinsteinError(f"unexpected {text[pos]!r} in matrix notation", text=text, pos=pos, hint=hint) from None
    except lark.exceptions.UnexpectedToken as exc:
        tok = exc.token
        if tok.type == "$END":
            raise EinsteinError("unexpected end of text", text=text, pos=len(body.rstrip())) from None
        word = text[tok.start_pos: tok.end_pos] if tok.start_pos is not None else str(tok)
        if tok.type == "GREEK" and word.lstrip("\\") in _NOT_YET:
            raise EinsteinError(f"{_NOT_YET[word.lstrip(chr(92))]} ({word}) is not supported in matrix notation",
                                text=text, pos=tok.start_pos, hint=_WHY_NOT) from None
        raise EinsteinError(f"unexpected {word!r} in matrix notation", text=text, pos=tok.start_pos) from None
    except lark.exceptions.UnexpectedEOF:
        raise EinsteinError("unexpected end of text", text=text, pos=len(body)) from None
    reader = _Reader(text, shape_map)
    try:
        rows, cols = reader.shape(tree)
        for name, (r, c) in reader.symbol_dims.items():
            for dim, side in ((r, "rows"), (c, "columns")):
                if dim.get() is None:
                    raise EinsteinError(f"cannot infer the shape of '{name}': its number of {side} is not fixed by "
                                        "its use", text=text, pos=reader.first_use[name],
                                        hint=f"declare it: shapes={{'{name}': (...)}} or "
                                             f"'{name} \\in \\mathbb{{R}}^{{n \\times m}}'")
        want = [ix for ix, d in ((True, rows), (False, cols)) if d.get() != 1]
        if indices is None:
            targets = [Index(n, up) for n, up in zip(("i", "j") if len(want) == 2 or want == [True] else ("j",), want)]
        else:
            targets = list(parse_index_spec(indices) if isinstance(indices, str) else indices)
            if len(targets) != len(want) or not all(isinstance(t, Index) for t in targets):
                raise EinsteinError(f"indices={indices!r}: the result is {_show((rows, cols))}, which takes "
                                    f"{len(want)} free indices", text=text, pos=0)
        reader.reserved = {t.name for t in targets} | set(re.findall(r"\\sum\s*_\s*\{?\s*([A-Za-z])", body))
        reader.pool = iter("klmnopqrstuvwxyzabcdefghij")
        value = reader.build(tree)
    except RecursionError:
        raise EinsteinError("expression nested too deeply", text=text, pos=0) from None
    if value.ones & {ix.name for ix in (value.row, value.col) if ix is not None}:
        raise EinsteinError("a free \\mathbf{1} (not contracted with anything) has no index form", text=text, pos=0,
                            hint="\\mathbf{1}^\\top x and x^\\top \\mathbf{1} are supported")
    e = value.expr
    for have, target in zip([ix for ix in (value.row, value.col) if ix is not None], targets):
        if have.up == target.up:
            e = _rename_free(e, have.name, target.name)
        else:
            e = Product.make(1, [e, Delta(have.flip(), target)])
    return e

