r"""Matrix notation out: :func:`to_matrix` writes an index expression as ``(A + A^\top) x``, ``a b^\top``, traces.

The matrix view is Euclidean: the variance of an index does not matter (``\delta_{ij}`` and
``\delta^i_j`` are both the identity).  A product is read as a graph: every factor with at most two
indices is a vector or a matrix, every shared index a contraction.  Its pieces are chains
(``x^\top A B y`` -- a scalar; ``A B y`` -- a vector; ``A B`` -- a matrix), closed chains (traces) and
scalars; a free index is a row (the first free index) or a column (the second).  Two vector chains
give an outer product ``u v^\top``.

There is no matrix form for a result with three or more free indices, for a factor with three or more
indices, or for a diagonal ``[\nabla f]`` (that needs ``\operatorname{diag}``): :func:`to_matrix` says
why in an :class:`EinsteinError`.

Example:
    >>> from einsteinpy_lite import parse
    >>> to_matrix(parse("A_{m j} x^j + x^i A_{i m}"))
    '(A + A^\\top) x'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import sympy

from ..core.atoms import Delta, Tensor, Zero
from ..core.elementwise import Apply, Diag
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, Sum, SumOver
from ..core.functions import get_function
from ..core.indices import Index
from ..core.matrix_functions import MatrixFunction
from .parse import expression

__all__ = ["to_matrix"]


def _call(name: str, order: int, argument: str) -> str:
    """An elementwise function applied, as matrix notation writes it: ``\\sqrt{x^\\top x}``, ``\\sigma'(A x)``."""
    if name == "sqrt" and order == 0:
        return f"\\sqrt{{{argument}}}"
    return f"{get_function(name).latex}{chr(39) * order}({argument})"


@dataclass
class _Item:
    """A factor in the matrix view: its index names (row, column) and how it prints (row to column)."""

    ports: list[str]
    text: str
    identity: bool = False
    symmetric: bool = False
    parts: list[Expr] | None = None  # a Hadamard item's operands: transposed inside, (A \\odot B)^T = A^T \\odot B^T


@dataclass
class _Term:
    """One product in matrix form: coefficient, scalar factors, and the vector/matrix part as printed items."""

    coeff: sympy.Expr
    scalars: list[str] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)


def _t(text: str) -> str:
    """The transpose of a printed item (a diagonal and the identity are their own)."""
    if text == "I" or (text.startswith("\\operatorname{diag}(") and text.endswith(")") and _closes_at_end(text)):
        return text
    for a, b in (("^{-1}", "^{-\\top}"), ("^{-\\top}", "^{-1}")):  # (X^{-1})^\top = X^{-\top}
        if text.endswith(a) and (_is_name(text[: -len(a)]) or _closes_at_end(text[: -len(a)])):
            return text[: -len(a)] + b
    return text[: -len("^\\top")] if text.endswith("^\\top") else text + "^\\top"


def _is_name(text: str) -> bool:
    """Whether ``text`` is one symbol (``X``, ``W1``, ``\\Sigma``): an inverse needs no parentheses around it."""
    return re.fullmatch(r"(\\?[A-Za-z]+|[A-Za-z])[0-9]*", text) is not None


def _closes_at_end(text: str) -> bool:
    """Whether the first bracket opened in ``text`` is the one closed by its last character."""
    depth = 0
    for k, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch == ")":
            return k == len(text) - 1
    return False


def _absorb_vectors(factors: list[Expr]) -> list[Expr]:
    """``a_i (\\delta^i_p \\odot R^i)`` -> ``a_p \\odot R^p``: a tensor summed against kept indices carried by deltas.

    The sum over ``i`` of ``a_i \\delta_{ip} R_i`` is ``a_p R_p``, an elementwise product: the delta goes and the
    tensor joins the kept product under the delta's other index -- when every index of the tensor is such
    a kept index (``A_{ij}`` against ``\\delta^i_p \\odot \\delta_j^q \\odot Y^i_j`` gives ``A \\odot Y``).  Only for
    printing: the matrix view is Euclidean, so the tensor's slots take the variance of the kept indices.
    """
    for k in [f for f in factors if isinstance(f, Product) and f.kept]:
        moves: dict[str, str] = {}  # kept index -> the delta's other index
        deltas: list[Expr] = []
        for d in k.factors:
            if isinstance(d, Delta):
                names = [ix.name for ix in d.indices]
                inside = [n for n in names if n in k.kept]
                if len(inside) == 1 and names[0] != names[1] and inside[0] not in moves:
                    moves[inside[0]] = next(n for n in names if n != inside[0])
                    deltas.append(d)
        for f in factors:
            if f is k or not isinstance(f, Tensor) or not f.indices:
                continue
            mine = [ix.name for ix in f.indices]
            if not set(mine) <= set(moves) or len(set(mine)) != len(mine):
                continue
            used = [d for d in deltas if {ix.name for ix in d.indices} & set(mine)]
            rest = [g for g in k.factors if not any(g is d for d in used)]
            targets = {moves[n] for n in mine}
            if any(targets & {ix.name for ix in g.free} for g in rest) or any(
                    n in {ix.name for ix in g.free} for g in factors if g is not k and g is not f for n in mine):
                continue
            ups = {n: next((ix.up for g in rest for ix in g.free if ix.name == n), True) for n in mine}
            moved_f = Tensor(f.name, [Index(moves[n], ups[n]) for n in mine])
            rename = {n: moves[n] for n in mine}  # (bound now: the lambda runs inside this iteration)
            moved = [g.map_slots(lambda ix, m=rename: Index(m[ix.name], ix.up)  # type: ignore[misc]
                                 if ix.name in m and not ix.bound else ix) for g in rest]
            new = Product.make(k.coeff, [moved_f, *moved], kept=(set(k.kept) - set(mine)) | targets)
            return _absorb_vectors([g for g in factors if g is not k and g is not f] + [new])
    return factors


def _operand(text: str) -> str:
    """An operand of ``\\odot``, in parentheses unless it is one item (``(A x) \\odot y``, ``x \\odot y``)."""
    depth = 0
    for ch in text:
        depth += ch in "({"
        depth -= ch in ")}"
        if ch == " " and depth == 0:
            return f"({text})"
    return text


def _no_form(why: str, e: Expr) -> EinsteinError:
    return EinsteinError(f"no matrix form: {why}", hint=f"the index form is {e}")


class _Writer:
    def __init__(self, top: Expr, factor: bool = True) -> None:
        self.top = top
        self.factor = factor
        self.samples: set[str] = set()  # indices of the enclosing \sum's with bounds: sample subscripts

    # ---------------------------------------------------------------- items
    def items(self, factors: Sequence[Expr], out: list[_Item], bound_once: set[str]) -> sympy.Expr:
        """Turn factors into items (appending to ``out``); returns the coefficient they contribute."""
        coeff: sympy.Expr = sympy.Integer(1)
        for f in _absorb_vectors(list(factors)):
            if isinstance(f, Product) and f.kept:
                coeff *= f.coeff
                self.hadamard(f, out, bound_once)
            elif isinstance(f, Product):
                coeff *= f.coeff
                coeff *= self.items(f.factors, out, bound_once)
            elif isinstance(f, Tensor):
                # a slot bound by an enclosing \sum is a sample subscript: y_k^q is the vector y_{k}
                sample = [ix for ix in f.indices if ix.bound and ix.name in self.samples]
                if any(ix.up for ix in sample):
                    raise _no_form(f"the index {sample[0].name} of a \\sum with bounds is an upper slot of {f}; matrix "
                                   f"notation writes a sample as a subscript, {f.name}_{sample[0].name} (a lower slot)",
                                   self.top)
                ports = [ix.name for ix in f.indices if ix not in sample]
                samples = "".join(f"_{{{ix.name}}}" for ix in sample)
                if len(ports) > 2:
                    raise _no_form(f"the factor {f} has {len(ports)} indices (matrix notation has at most two)",
                                   self.top)
                out.append(_Item(ports, f.name + samples))
            elif isinstance(f, Delta):
                out.append(_Item([ix.name for ix in f.indices], "I", identity=True))
            elif isinstance(f, SumOver) and f.bounds:
                # \sum_{k=0}^{K-1} over samples: its index is a subscript of the tensors it binds
                free = [ix.name for ix in f.free]
                if len(free) > 2:
                    raise _no_form(f"'{f}' has {len(free)} free indices", self.top)
                lo, hi = (sympy.latex(b) for b in f.bounds)
                head = f"\\sum_{{{f.index_name}={lo}}}^{{{hi}}}"
                self.samples.add(f.index_name)
                try:
                    out.append(_Item(free, f"({head} {self.convert(f.body, free)})"))
                finally:
                    self.samples.discard(f.index_name)
            elif isinstance(f, SumOver):
                body = f.body
                inner = list(body.factors) if isinstance(body, Product) else [body]
                if isinstance(body, Product):
                    coeff *= body.coeff
                start = len(out)
                coeff *= self.items(inner, out, bound_once)
                count = sum(p == f.index_name for it in out[start:] for p in it.ports)
                if count == 1:
                    out.append(_Item([f.index_name], "\\mathbf{1}"))
                elif count != 2:
                    raise _no_form(f"the index {f.index_name} of {f} is used {count} times", self.top)
            elif isinstance(f, Sum) and (x := _logsoftmax_of(f)) is not None:
                free = [ix.name for ix in f.free]
                out.append(_Item(free, f"\\operatorname{{logsoftmax}}({self.convert(x, free)})"))
            elif isinstance(f, (Apply, Sum)):
                free = [ix.name for ix in f.free]
                if len(free) > 2:
                    raise _no_form(f"'{f}' has {len(free)} free indices", self.top)
                inner_text = self.convert(f.body if isinstance(f, Apply) else f, free)
                if isinstance(f, Apply):
                    text = _call(f.func_name, f.order, inner_text)
                else:
                    text = f"({inner_text})"
                out.append(_Item(free, text))
            elif isinstance(f, MatrixFunction):
                free = [ix.name for ix in f.body.free]
                inner_text = self.convert(f.body, free)
                if f.func_name == "inv":
                    out.append(_Item(free, (inner_text if _is_name(inner_text) else f"({inner_text})") + "^{-1}"))
                elif f.vector:  # softmax keeps its argument's one free index; logsumexp is a scalar
                    text = f"\\operatorname{{{f.func_name}}}({inner_text})"
                    out.append(_Item(free if f.func_name == "softmax" else [], text))
                else:
                    head = "\\det" if f.func_name == "det" else "\\log\\det"
                    out.append(_Item([], f"{head}({inner_text})"))
            elif isinstance(f, Diag) and not f.body.free:  # the derivative of a function of a scalar: a scalar
                value = _call(f.func_name, f.order, self.convert(f.body, []))
                out.append(_Item([], value))
            elif isinstance(f, Diag):
                free = [ix.name for ix in f.body.free]
                if len(free) != 1:
                    raise _no_form(f"the diagonal {f} of a function of a matrix is a 4-index tensor", self.top)
                value = _call(f.func_name, f.order, self.convert(f.body, free))
                out.append(_Item([free[0], f.new_indices[0].name], f"\\operatorname{{diag}}({value})", symmetric=True))
            else:  # pragma: no cover - every node kind is handled above
                raise _no_form(f"{type(f).__name__} has no matrix notation", self.top)
        return coeff

    def hadamard(self, p: Product, out: list[_Item], bound_once: set[str]) -> None:
        """Items of a product with kept (elementwise) indices: ``(x \\odot y)``, ``(X \\odot Y)``, ``\\operatorname{diag}(v)``.

        Factors joined by a summed (not kept) index form one operand of the elementwise product.  Operands
        of the product's own free indices are a Hadamard product; vectors ``v`` kept with a delta
        ``\\delta^i_l`` are ``\\operatorname{diag}(v)``, whose column ``l`` goes on into the delta's operand.
        """
        free = [ix.name for ix in p.free]
        kept = set(p.kept)
        parent = list(range(len(p.factors)))

        def find(k: int) -> int:
            while parent[k] != k:
                k = parent[k]
            return k

        names = [{ix.name for ix in f.free} for f in p.factors]
        for a in range(len(p.factors)):
            for b in range(a):
                if (names[a] & names[b]) - kept:
                    parent[find(a)] = find(b)
        groups: dict[int, list[Expr]] = {}
        for k, f in enumerate(p.factors):
            groups.setdefault(find(k), []).append(f)
        parts = list(groups.values())
        if len(kept) == 1:
            (i,) = kept
            deltas = [(g, d) for g in parts for d in g
                      if (isinstance(d, Delta) and [ix.name for ix in d.free].count(i) == 1)
                      or (isinstance(d, Diag) and [ix.name for ix in d.body.free] == [i])]
            if len(deltas) == 1:
                group, d = deltas[0]
                rest = [Product.make(1, g) for g in parts if g is not group]
                if isinstance(d, Diag):  # [\nabla f(z)]^i_p: the diagonal of f'(z), one more operand
                    rest.insert(0, d.value)
                if rest and all([ix.name for ix in o.free] == [i] for o in rest):
                    texts = [self.convert(o, [i]) for o in rest]
                    inner = " \\odot ".join(map(_operand, texts)) if len(texts) > 1 else texts[0]
                    other = next(ix.name for ix in d.free if ix.name != i)
                    out.append(_Item([i, other], f"\\operatorname{{diag}}({inner})", symmetric=True))
                    self.items([f for f in group if f is not d], out, bound_once)
                    return
        operands = [Product.make(1, g) for g in parts]
        # vectors in different indices together are their outer product, one operand: (a b^\top) \odot Y
        partial = [o for o in operands if {ix.name for ix in o.free} < set(free)]
        if len(free) == 2 and len(partial) == 2 and not ({ix.name for ix in partial[0].free}
                                                         & {ix.name for ix in partial[1].free}):
            operands = [o for o in operands if o not in partial] + [Product.make(1, partial)]
        if len(free) <= 2 and all({ix.name for ix in o.free} == set(free) for o in operands):
            out.append(_Item(free, self.odot(operands, free), parts=operands))
            return
        raise _no_form(f"the elementwise product '{p}' is neither a Hadamard product of equal shapes nor a diagonal",
                       self.top)

    def odot(self, operands: Sequence[Expr], free: Sequence[str]) -> str:
        return "(" + " \\odot ".join(_operand(self.convert(o, free)) for o in operands) + ")"

    def transposed(self, it: _Item) -> str:
        return self.odot(it.parts, it.ports[::-1]) if it.parts is not None else _t(it.text)

    # ---------------------------------------------------------------- products
    def product(self, coeff: sympy.Expr, factors: Sequence[Expr], row: str | None, col: str | None) -> _Term:
        items: list[_Item] = []
        coeff = coeff * self.items(factors, items, set())
        if len(factors) == 1 and isinstance(factors[0], SumOver) and factors[0].bounds and len(items) == 1 \
                and [n for n in (row, col) if n] == items[0].ports:
            return _Term(coeff, [], [items[0].text[1:-1]])  # the sum runs to the end of the term
        term = _Term(coeff)
        where: dict[str, list[tuple[int, int]]] = {}
        for k, it in enumerate(items):
            for p, name in enumerate(it.ports):
                where.setdefault(name, []).append((k, p))
        for name, occ in where.items():
            if len(occ) == 1 and name not in (row, col):  # pragma: no cover - free indices are row/col
                raise _no_form(f"the index {name} is neither summed nor free", self.top)
        seen: set[int] = set()

        def other(k: int, p: int) -> tuple[int, int] | None:
            name = items[k].ports[p]
            occ = [o for o in where[name] if o != (k, p)]
            return occ[0] if occ else None

        def walk(k: int, enter: int | None) -> tuple[list[str], str | None]:
            """Follow the chain from item k (entered at port ``enter``); the printed items and the free end."""
            out: list[str] = []
            while True:
                seen.add(k)
                it = items[k]
                if len(it.ports) == 1:
                    out.append(it.text if enter is not None else _t(it.text))
                    if enter is not None:
                        return out, None
                    exit_port = 0
                else:
                    assert enter is not None
                    exit_port = 1 - enter
                    if not it.identity:
                        out.append(it.text if enter == 0 or it.symmetric else self.transposed(it))
                nxt = other(k, exit_port)
                if nxt is None:
                    return out, it.ports[exit_port]
                if nxt[0] in seen:  # a closed chain: back at its start
                    return out, None
                k, enter = nxt

        vectors: dict[str, list[str]] = {}
        matrix: list[str] | None = None
        # chains from a free row index, then from vectors
        for end_name in (row, col):
            if end_name is None or end_name not in where:
                continue
            k, p = where[end_name][0]
            if k in seen:
                continue
            it = items[k]
            if len(it.ports) == 1:
                chain, end = [it.text], None
                seen.add(k)
            else:
                chain, end = walk(k, p)
            if not chain:
                chain = ["I"]
            if end is None:
                if end_name == row:
                    vectors[end_name] = chain
                else:  # the column's chain, read from the vector end back to the column
                    vectors[end_name] = [_t(c) for c in reversed(chain)]
            else:
                matrix = chain if end_name == row else [_t(c) for c in reversed(chain)]
        for k, it in enumerate(items):
            if k in seen:
                continue
            if not it.ports:
                term.scalars.append(it.text)
                seen.add(k)
            elif len(it.ports) == 1:
                chain, _ = walk(k, None)
                term.scalars.append(" ".join(chain))
        for k in range(len(items)):
            if k in seen:
                continue
            chain, _ = walk(k, 0)
            if not chain:
                raise _no_form("the trace of an identity (a size) has no matrix notation", self.top)
            term.scalars.append(f"\\operatorname{{tr}}({' '.join(chain)})")
        if matrix is not None:
            term.chain = matrix
        else:
            term.chain = vectors.get(row, []) if row else []
            if col:
                term.chain = term.chain + vectors.get(col, [])
        return term

    # ---------------------------------------------------------------- sums
    def terms(self, e: Expr, row: str | None, col: str | None) -> list[_Term]:
        if isinstance(e, Sum) and _logsoftmax_of(e) is not None:
            return [self.product(sympy.Integer(1), [e], row, col)]
        if isinstance(e, Sum):
            return [t for u in e.terms for t in self.terms(u, row, col)]
        if isinstance(e, Zero):
            return []
        if isinstance(e, Product) and not e.kept:
            return [self.product(e.coeff, e.factors, row, col)]
        return [self.product(sympy.Integer(1), [e], row, col)]

    def convert(self, e: Expr, free: Sequence[str]) -> str:
        if len(free) > 2:
            raise _no_form(f"'{e}' has {len(free)} free indices (a tensor of order {len(free)})", self.top)
        row = free[0] if free else None
        col = free[1] if len(free) > 1 else None
        return _join_terms(self.terms(e, row, col), self.factor)


def _logsoftmax_of(e: Sum) -> Expr | None:
    """``z`` when ``e`` is log-softmax as the parsers write it, ``z^i - \\mathrm{logsumexp}(z) \\sum_k \\delta^i_k``."""
    if len(e.terms) != 2 or len(e.free) != 1:
        return None
    for z, rest in (e.terms, e.terms[::-1]):
        if not (isinstance(rest, Product) and rest.coeff == -1 and len(rest.factors) == 2 and not rest.kept):
            continue
        lse, ones = rest.factors if isinstance(rest.factors[0], MatrixFunction) else rest.factors[::-1]
        if not (isinstance(lse, MatrixFunction) and lse.func_name == "logsumexp" and isinstance(ones, SumOver)
                and not ones.bounds and isinstance(ones.body, Delta)):
            continue
        (f,) = e.free
        slots = set(ones.body.indices)
        if f in slots and any(ix.bound and ix.name == ones.index_name for ix in slots) \
                and len(z.free) == 1 and MatrixFunction("logsumexp", z) == lse:
            return z
    return None


def _coeff_text(c: sympy.Expr) -> tuple[str, str]:
    """(sign, magnitude) of a coefficient: ``-2`` -> ('-', '2'), ``1`` -> ('+', '')."""
    sign = "+"
    if c.could_extract_minus_sign():
        sign, c = "-", -c
    if c == 1:
        return sign, ""
    text = sympy.latex(c)
    if isinstance(c, sympy.Add):
        text = f"({text})"
    return sign, text


def _body(t: _Term, coeff: bool = True) -> str:
    parts = ([_coeff_text(t.coeff)[1]] if coeff else []) + t.scalars + t.chain
    return " ".join(p for p in parts if p)


def _signed(terms: Sequence[_Term]) -> str:
    out = ""
    for k, t in enumerate(terms):
        sign, mag = _coeff_text(t.coeff)
        body = _body(t) or (mag if mag else "1")
        if k == 0:
            out = ("-" if sign == "-" else "") + body
        else:
            out += f" {sign} {body}"
    return out


def _join_terms(terms: list[_Term], factor: bool = True) -> str:
    if not terms:
        return "0"
    if factor and len(terms) > 1 and all(not t.scalars for t in terms):
        # the longest common end (or start) of the vector/matrix parts is taken out: (A + A^\top) x
        shortest = min(len(t.chain) for t in terms)
        for side in ("end", "start"):
            k = 0
            while k < shortest - 1 and len({tuple(t.chain[-k - 1:] if side == "end" else t.chain[:k + 1])
                                             for t in terms}) == 1:
                k += 1
            if k:
                common = terms[0].chain[-k:] if side == "end" else terms[0].chain[:k]
                rest = [_Term(t.coeff, [], t.chain[:-k] if side == "end" else t.chain[k:]) for t in terms]
                inner = f"({_join_terms(rest)})"
                return " ".join([inner, *common] if side == "end" else [*common, inner])
    return _signed(terms)


def to_matrix(e: Expr | str, indices: str | Sequence[Index] | None = None, factor: bool = True) -> str:
    r"""The matrix form of an index expression, as LaTeX that :func:`parse_matrix` reads back.

    Args:
        e: the expression (or its text).
        indices: which free index is the row and which the column (``"_p^q"``, or names in order);
            by default the expression's free indices in order.
        factor: take the longest common start or end out of a sum's terms (``(A + A^\\top) x`` rather
            than ``A x + A^\\top x``).

    Returns:
        LaTeX such as ``(A + A^\top) x``, ``a b^\top``, ``\operatorname{tr}(A B)``.

    Raises:
        EinsteinError: when there is no matrix form, saying why (three or more free indices, a factor
            with three or more indices, a diagonal that needs ``\operatorname{diag}``).

    Example:
        >>> to_matrix("a_p b^q")
        'a b^\\top'
        >>> to_matrix("A_{m j} x^j + x^i A_{i m}", factor=False)
        'A x + A^\\top x'
        >>> to_matrix(r"A^i_j X^j_k B^k_l \delta^l_i")
        '\\operatorname{tr}(A X B)'
    """
    expr = expression(e, "to_matrix")
    free = [ix.name for ix in expr.free]
    if indices is not None:
        from ..core.indices import parse_index_spec

        wanted = [ix.name for ix in (parse_index_spec(indices) if isinstance(indices, str) else indices)]
        if sorted(wanted) != sorted(free):
            raise EinsteinError(f"indices={indices!r} must name the free indices {', '.join(free) or 'none'}")
        free = wanted
    out = _Writer(expr, factor).convert(expr, free)
    return out[1:-1] if out.startswith("(") and _closes_at_end(out) else out
