"""Expression nodes: tensors, deltas, products, sums, explicit sums, elementwise functions.

Every node is an immutable :class:`sympy.Basic` with all its state in ``args``,
so ``e.func(*e.args) == e``, hashing, pickling and ``sympy.latex(e)`` work.
Index rules are checked when a node is built (convention ``ricci``): an index
repeated in a product must appear once up and once down and is summed; the
same index twice in one position, or three times, is an :class:`EinsteinError`
unless an explicit ``\\sum`` binds it.

Nodes:

* :class:`Tensor` ``A^i_j`` -- a head name and index slots;
* :class:`Delta` ``\\delta^i_j`` (Kronecker) and ``\\delta_{ij}``, ``\\delta^{ij}``
  (the Euclidean metric);
* :class:`Product` -- a sympy coefficient times factors, summation implied;
* :class:`Sum` -- terms with the same free indices;
* :class:`SumOver` -- ``\\sum_{k=0}^{K-1} body``, binding the index ``k``;
* :class:`Apply` -- an elementwise function (or its n-th derivative) of an
  expression, with that expression's free indices;
* :class:`Diag` -- the diagonal tensor ``[\\nabla\\sigma]^i_j = \\sigma'(z^i) \\delta^i_j``
  that the chain rule produces;
* :class:`Zero` -- the zero tensor with given free indices.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import Any

import sympy
from sympy.core.symbol import Str

from .errors import EinsteinError
from .functions import get_function
from .indices import Index, parse_index_spec

__all__ = [
    "Expr", "Tensor", "Delta", "Product", "Sum", "SumOver", "Apply", "Diag", "Zero",
    "tensor", "delta", "apply", "sum_over", "scalar", "as_expr", "dimension_symbol",
    "fresh_names", "rename_free", "tensor_signatures",
]

Scalar = sympy.Expr


def dimension_symbol(index_name: str) -> sympy.Symbol:
    """The sympy symbol for the size of index ``index_name`` (``N_i``); ``\\delta^i_i`` simplifies to it.

    Example:
        >>> dimension_symbol("i1")
        N_i1
    """
    return sympy.Symbol(f"N_{index_name}", positive=True, integer=True)


def contract_slots(slots: Iterable[Index], where: str) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
    """Apply the ``ricci`` summation rule to index occurrences of one product.

    Returns ``(free, dummies)``: free indices in order of first appearance and
    the summed ones (their upper occurrence).  Bound indices (of an enclosing
    ``\\sum``) are skipped.

    Raises:
        EinsteinError: an index three times, or twice in the same position.

    Example:
        >>> from einsteinpy_lite.indices import up, down
        >>> contract_slots([up("i"), down("j"), up("j")], "product")
        ((^i,), (^j,))
    """
    seen: dict[str, list[Index]] = {}
    order: list[str] = []
    for ix in slots:
        if ix.bound:
            continue
        if ix.name not in seen:
            seen[ix.name] = []
            order.append(ix.name)
        seen[ix.name].append(ix)
    free: list[Index] = []
    dummies: list[Index] = []
    for name in order:
        occ = seen[name]
        if len(occ) == 1:
            free.append(occ[0])
        elif len(occ) == 2:
            if occ[0].up == occ[1].up:
                pos = "up" if occ[0].up else "down"
                raise EinsteinError(
                    f"index '{name}' appears twice {pos} in one {where}",
                    hint="a summed index must appear once up and once down (convention 'ricci'); "
                    "use convention='einstein' to sum any repeated pair, or \\delta to raise/lower",
                    index=name,
                    occurrence=1,
                )
            dummies.append(occ[0] if occ[0].up else occ[1])
        else:
            raise EinsteinError(
                f"index '{name}' appears {len(occ)} times in one {where}",
                hint="an index may appear twice in a product (once up, once down); bind it with \\sum to use it more",
                index=name,
                occurrence=2,
            )
    return tuple(free), tuple(dummies)


class Expr(sympy.Basic):
    """Base class of index expressions (a :class:`sympy.Basic`).

    Arithmetic builds new nodes: ``+``, ``-``, ``*`` (implied summation) and
    ``/`` by a scalar.
    """

    # ------------------------------------------------------------ structure
    @cached_property
    def free(self) -> tuple[Index, ...]:
        """The free indices, ordered by first appearance (the axis order of compiled output)."""
        return self._free_and_dummies[0]

    @cached_property
    def dummies(self) -> tuple[Index, ...]:
        """Indices summed inside this expression: implied pairs (their upper occurrence) and ``\\sum``-bound ones."""
        out: list[Index] = []
        for node in self.walk():
            if isinstance(node, SumOver):
                out.append(Index(node.index_name, False, True))
            else:
                out.extend(node._free_and_dummies[1])
        return tuple(out)

    @cached_property
    def _free_and_dummies(self) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
        raise NotImplementedError

    @cached_property
    def open_bound(self) -> frozenset[str]:
        """Names of ``\\sum``-bound indices used here but bound by an enclosing ``\\sum``."""
        out: set[str] = set()
        for a in self.children():
            out |= a.open_bound
        return frozenset(out)

    def children(self) -> tuple[Expr, ...]:
        """The sub-expressions (not indices or coefficients)."""
        return ()

    def walk(self) -> Iterator[Expr]:
        """Pre-order traversal of this node and all sub-expressions."""
        yield self
        for c in self.children():
            yield from c.walk()

    @property
    def free_keys(self) -> frozenset[tuple[str, bool]]:
        """The free indices as a set of ``(name, up)``."""
        return frozenset(ix.key for ix in self.free)

    def tensors(self) -> dict[str, tuple[bool, ...]]:
        """Each tensor head used, with its slot pattern (True = up).

        Example:
            >>> from einsteinpy_lite import parse
            >>> parse("A^i_j y^j").tensors()
            {'A': (True, False), 'y': (True,)}
        """
        return {k: v[0] for k, v in tensor_signatures(self, check=False).items()}

    def index_names(self) -> set[str]:
        """Every index name used anywhere in the expression."""
        names: set[str] = set()
        for node in self.walk():
            for ix in node.own_indices():
                names.add(ix.name)
            if isinstance(node, SumOver):
                names.add(node.index_name)
        return names

    def own_indices(self) -> tuple[Index, ...]:
        """Index slots written on this node itself (not on children)."""
        return ()

    def scalar_symbols(self) -> set[sympy.Symbol]:
        """Scalar symbols in coefficients and ``\\sum`` bounds (``K``, ``\\alpha``)."""
        out: set[sympy.Symbol] = set()
        for node in self.walk():
            if isinstance(node, Product):
                out |= node.coeff.free_symbols  # type: ignore[arg-type]
            if isinstance(node, SumOver) and node.bounds:
                for b in node.bounds:
                    out |= b.free_symbols  # type: ignore[arg-type]
        return out

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> Expr:
        return Sum.make([self, as_expr(other)])

    def __radd__(self, other: Any) -> Expr:
        return Sum.make([as_expr(other), self])

    def __sub__(self, other: Any) -> Expr:
        return Sum.make([self, -as_expr(other)])

    def __rsub__(self, other: Any) -> Expr:
        return Sum.make([as_expr(other), -self])

    def __neg__(self) -> Expr:
        return Product.make(-1, [self])

    def __mul__(self, other: Any) -> Expr:
        return Product.make(1, [self, as_expr(other)])

    def __rmul__(self, other: Any) -> Expr:
        return Product.make(1, [as_expr(other), self])

    def __truediv__(self, other: Any) -> Expr:
        o = as_expr(other)
        if not (isinstance(o, Product) and not o.factors):
            raise EinsteinError(f"can only divide by a scalar coefficient, not by '{o}'")
        if o.coeff == 0:
            raise EinsteinError("division by zero")
        return Product.make(1 / o.coeff, [self])

    # ------------------------------------------------------------ printing
    def __str__(self) -> str:
        from .printing import text

        return text(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self})"

    def _sympystr(self, printer: Any) -> str:
        return str(self)

    def _latex(self, printer: Any = None) -> str:
        from .printing import latex

        return latex(self)

    def _repr_latex_(self) -> str:
        return "$" + self._latex() + "$"

    # ------------------------------------------------------------ rebuilding
    def map_children(self, fn: Any) -> Expr:
        """Rebuild this node with ``fn`` applied to each child expression."""
        return self


# =================================================================== atoms


_SPACE_NOT_BETWEEN_WORDS = re.compile(r"\s+(?![A-Za-z0-9])|(?<![A-Za-z0-9])\s+")


def _normalize_head(name: str) -> str:
    r"""A tensor name with LaTeX's insignificant spaces removed, so ``\nabla \sigma`` is ``\nabla\sigma``.

    A space is kept (as one) only between two letters or digits (``\nabla_y f``), where it separates words.

    Example:
        >>> _normalize_head(r" \nabla  \sigma ")
        '\\nabla\\sigma'
    """
    if not any(c.isspace() for c in name):
        return name
    return _SPACE_NOT_BETWEEN_WORDS.sub("", re.sub(r"\s+", " ", name.strip()))


class Tensor(Expr):
    """A tensor atom ``A^i_j``: a head name and index slots in order.

    Example:
        >>> A = tensor("A", "^i_j")
        >>> A.name, A.free
        ('A', (^i, _j))
    """

    def __new__(cls, name: str | Str, indices: Iterable[Index] | sympy.Tuple = ()) -> Tensor:
        if isinstance(name, str):
            name = Str(_normalize_head(name))
        if not isinstance(name, Str):
            raise EinsteinError(f"a tensor's name is a string, got {name!r}")
        if not name.name:
            raise EinsteinError("a tensor needs a name")
        idx = sympy.Tuple(*indices)
        for ix in idx:
            if not isinstance(ix, Index):
                raise EinsteinError(f"tensor {name.name}: slot {ix!r} is not an Index")
        obj: Tensor = sympy.Basic.__new__(cls, name, idx)  # type: ignore[assignment]
        obj._free_and_dummies  # noqa: B018  (validate now)
        return obj

    @property
    def name(self) -> str:
        """The head name (``A``, ``\\epsilon``, ``\\nabla\\sigma``)."""
        return self.args[0].name  # type: ignore[attr-defined,no-any-return]

    @property
    def indices(self) -> tuple[Index, ...]:
        """The index slots in order."""
        return tuple(self.args[1])  # type: ignore[arg-type]

    def own_indices(self) -> tuple[Index, ...]:
        return self.indices

    @cached_property
    def _free_and_dummies(self) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
        return contract_slots(self.indices, f"tensor {self.name}")

    @cached_property
    def open_bound(self) -> frozenset[str]:
        return frozenset(ix.name for ix in self.indices if ix.bound)

    def with_indices(self, indices: Iterable[Index]) -> Tensor:
        """The same head with other slots."""
        return Tensor(self.args[0], indices)  # type: ignore[arg-type]


class Delta(Expr):
    """Kronecker delta ``\\delta^i_j`` or Euclidean metric ``\\delta_{ij}`` / ``\\delta^{ij}``.

    Example:
        >>> from einsteinpy_lite.indices import up, down
        >>> Delta(up("i"), down("j")).free
        (^i, _j)
    """

    def __new__(cls, a: Index, b: Index) -> Delta:
        if not isinstance(a, Index) or not isinstance(b, Index):
            raise EinsteinError("a delta takes two indices")
        obj: Delta = sympy.Basic.__new__(cls, a, b)  # type: ignore[assignment]
        obj._free_and_dummies  # noqa: B018
        return obj

    @property
    def indices(self) -> tuple[Index, Index]:
        """The two slots."""
        return (self.args[0], self.args[1])  # type: ignore[return-value]

    def own_indices(self) -> tuple[Index, ...]:
        return self.indices

    @cached_property
    def _free_and_dummies(self) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
        return contract_slots(self.indices, "delta")

    @cached_property
    def open_bound(self) -> frozenset[str]:
        return frozenset(ix.name for ix in self.indices if ix.bound)


class Zero(Expr):
    """The zero tensor with the given free indices (what ``diff`` gives for an absent variable).

    Example:
        >>> from einsteinpy_lite.indices import up
        >>> Zero([up("i")]).free
        (^i,)
    """

    def __new__(cls, indices: Iterable[Index] | sympy.Tuple = ()) -> Zero:
        # a zero does not depend on a \sum's bound index: only the free indices are kept
        idx = sympy.Tuple(*[ix for ix in indices if not ix.bound])
        obj: Zero = sympy.Basic.__new__(cls, idx)  # type: ignore[assignment]
        obj._free_and_dummies  # noqa: B018
        return obj

    @property
    def indices(self) -> tuple[Index, ...]:
        """The free indices."""
        return tuple(self.args[0])  # type: ignore[arg-type]

    def own_indices(self) -> tuple[Index, ...]:
        return self.indices

    @cached_property
    def _free_and_dummies(self) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
        free, dummies = contract_slots(self.indices, "zero tensor")
        if dummies:
            raise EinsteinError("a zero tensor has only free indices")
        return free, ()


# =================================================================== composites


def _check_factor(f: Any) -> Expr:
    if not isinstance(f, Expr):
        raise EinsteinError(f"not an index expression: {f!r}")
    return f


class Product(Expr):
    """A coefficient times factors, with implied summation over index pairs.

    A product with no factors is a scalar.  Use :meth:`Product.make` to
    flatten nested products and fold zeros.

    Example:
        >>> p = tensor("A", "^i_j") * tensor("y", "^j")
        >>> p.free, p.dummies
        ((^i,), (^j,))
    """

    def __new__(cls, coeff: Any, factors: Iterable[Expr] | sympy.Tuple = ()) -> Product:
        c = sympy.sympify(coeff)
        if not isinstance(c, sympy.Expr) or any(isinstance(a, Expr) for a in sympy.preorder_traversal(c)):
            raise EinsteinError(f"a coefficient must be a scalar, got {coeff!r}")
        if not c.is_Number:
            # one spelling per coefficient (2*(K - 1)/K and (2*K - 2)/K are both 2 - 2/K), so that
            # equal coefficients compare and hash equal however they were multiplied together
            c = sympy.expand(c)
        fs = sympy.Tuple(*[_check_factor(f) for f in factors])
        for f in fs:
            if isinstance(f, (Product, Zero)):
                raise EinsteinError("internal: use Product.make to flatten products")
        obj: Product = sympy.Basic.__new__(cls, c, fs)  # type: ignore[assignment]
        obj._free_and_dummies  # noqa: B018
        return obj

    @classmethod
    def make(cls, coeff: Any, factors: Iterable[Expr]) -> Expr:
        """Build a product, flattening nested products and folding zeros.

        Example:
            >>> Product.make(2, [Product.make(3, [tensor("x", "^i")])])
            Product(6 x^i)
        """
        c = sympy.sympify(coeff)
        flat: list[Expr] = []
        zero = False
        items = [_check_factor(f) for f in factors]
        # names visible in the flattened product: every factor's free indices
        scope = {ix.name for f in items for ix in f.free}
        for f in items:
            if isinstance(f, Product):
                c = c * f.coeff
                inner = list(f.factors)
                clash = [d.name for d in f._free_and_dummies[1] if d.name in scope]
                if clash:
                    # the nested product's dummies would meet other factors' indices: rename them
                    used = scope | f.index_names()
                    fresh = fresh_names(used, len(clash), stem="s")
                    mapping = dict(zip(clash, fresh))
                    inner = [_rename(g, {k: v for k, v in mapping.items() if k in {ix.name for ix in g.free}},
                                     used | set(fresh)) for g in inner]
                scope |= {ix.name for g in inner for ix in g.free}
                flat.extend(inner)
            elif isinstance(f, Zero):
                zero = True
                flat.append(f)
            else:
                flat.append(f)
        if zero or c == 0:
            # validate the indices as a product would, then fold to zero
            free, _ = contract_slots([ix for f in flat for ix in f.free], "product")
            return Zero(free)
        if c == 1 and len(flat) == 1:
            return flat[0]
        return cls(c, flat)

    @property
    def coeff(self) -> sympy.Expr:
        """The scalar coefficient."""
        return self.args[0]  # type: ignore[return-value]

    @property
    def factors(self) -> tuple[Expr, ...]:
        """The tensor factors."""
        return tuple(self.args[1])  # type: ignore[arg-type]

    def children(self) -> tuple[Expr, ...]:
        return self.factors

    @cached_property
    def _free_and_dummies(self) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
        return contract_slots([ix for f in self.factors for ix in f.free], "product")

    def map_children(self, fn: Any) -> Expr:
        return Product.make(self.coeff, [fn(f) for f in self.factors])


class Sum(Expr):
    """A sum of terms with the same free indices (same names, same variance).

    Example:
        >>> s = tensor("x", "^i") + tensor("y", "^i")
        >>> s.free
        (^i,)
    """

    def __new__(cls, terms: Iterable[Expr] | sympy.Tuple) -> Sum:
        ts = sympy.Tuple(*[_check_factor(t) for t in terms])
        if len(ts) < 2:
            raise EinsteinError("internal: a Sum needs two or more terms; use Sum.make")
        obj: Sum = sympy.Basic.__new__(cls, ts)  # type: ignore[assignment]
        obj._free_and_dummies  # noqa: B018
        return obj

    @classmethod
    def make(cls, terms: Iterable[Expr]) -> Expr:
        """Build a sum, flattening nested sums, dropping zeros and adding up plain scalar terms.

        Scalar terms (products without factors) become one scalar term where the
        first of them stood, so ``2 + K`` is the coefficient ``K + 2``, as printed.

        Example:
            >>> x = tensor("x", "^i")
            >>> Sum.make([x, Zero(x.free)]) == x
            True
            >>> Sum.make([scalar(2), scalar("K")])
            Product(K + 2)
        """
        flat: list[Expr] = []
        zero: Zero | None = None
        const: sympy.Expr | None = None
        const_at = 0
        for t in terms:
            t = _check_factor(t)
            for u in t.terms if isinstance(t, Sum) else (t,):
                if isinstance(u, Zero):
                    zero = u
                elif isinstance(u, Product) and not u.factors:
                    if const is None:
                        const, const_at = u.coeff, len(flat)
                    else:
                        const = const + u.coeff
                else:
                    flat.append(u)
        if const is not None and const != 0:
            flat.insert(const_at, Product(const, ()))
        elif const is not None and zero is None:
            zero = Zero()
        if zero is not None:
            for t in flat:
                _check_same_free(zero, t)
        if not flat:
            return zero if zero is not None else Zero()
        if len(flat) == 1:
            return flat[0]
        return cls(flat)

    @property
    def terms(self) -> tuple[Expr, ...]:
        """The terms."""
        return tuple(self.args[0])  # type: ignore[arg-type]

    def children(self) -> tuple[Expr, ...]:
        return self.terms

    @cached_property
    def _free_and_dummies(self) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
        first = self.terms[0]
        for t in self.terms[1:]:
            _check_same_free(first, t)
        return first.free, ()

    def map_children(self, fn: Any) -> Expr:
        return Sum.make([fn(t) for t in self.terms])


def _check_same_free(a: Expr, b: Expr) -> None:
    if a.free_keys != b.free_keys:
        fa = " ".join(map(str, a.free)) or "none"
        fb = " ".join(map(str, b.free)) or "none"
        # point at an index of the later term that the first lacks (else one it misses)
        bad = sorted(b.free_keys - a.free_keys) or sorted(a.free_keys - b.free_keys)
        raise EinsteinError(
            f"the terms of a sum must have the same free indices: '{a}' has {fa}, '{b}' has {fb}",
            hint="every term needs the same free indices with the same variance",
            index=bad[0][0] if bad else None,
            occurrence=-1,
        )


class SumOver(Expr):
    """An explicit sum ``\\sum_{k=lo}^{hi} body`` binding the index ``k``.

    Inside the body ``k`` is a *bound* index: it may appear in many factors, in
    any position.  Building a ``SumOver`` marks every ``k`` of the body as bound
    (a pair ``x^k y_k`` too, as the parser reads ``\\sum_{k} x^k y_k``).

    Example:
        >>> e = sum_over("k", tensor("x", "_k^i"), 0, sympy.Symbol("K") - 1)
        >>> e.free, e.index_name
        ((^i,), 'k')
    """

    def __new__(cls, index: str | Str, bounds: Iterable[Any] | sympy.Tuple, body: Expr) -> SumOver:
        name = index.name if isinstance(index, Str) else index
        from .indices import normalize_index_name

        name = normalize_index_name(name)
        try:
            values = [sympy.sympify(x) for x in bounds]
        except (sympy.SympifyError, TypeError):
            values = [None]
        if not all(isinstance(v, sympy.Expr) for v in values):
            raise EinsteinError(f"\\sum_{{{name}}}: cannot read the bounds {tuple(bounds)!r} as scalars",
                                hint="bounds are numbers or scalar expressions such as 'K - 1'")
        b = sympy.Tuple(*[sympy.expand(v) for v in values])  # one spelling, as coefficients
        if len(b) not in (0, 2):
            raise EinsteinError("\\sum bounds are (lower, upper) or none")
        body = _check_factor(body)
        if any(ix.name == name and not ix.bound for node in body.walk() for ix in node.own_indices()):
            # every occurrence, free or paired, is the bound index -- as the parser reads \sum_{k} x^k y_k
            body = _bind(body, name)
        obj: SumOver = sympy.Basic.__new__(cls, Str(name), b, body)  # type: ignore[assignment]
        obj._free_and_dummies  # noqa: B018
        return obj

    @property
    def index_name(self) -> str:
        """The bound index name."""
        return self.args[0].name  # type: ignore[attr-defined,no-any-return]

    @property
    def bounds(self) -> tuple[sympy.Expr, ...]:
        """``(lower, upper)`` as written, or ``()``."""
        return tuple(self.args[1])  # type: ignore[arg-type]

    @property
    def body(self) -> Expr:
        """The summand."""
        return self.args[2]  # type: ignore[return-value]

    def children(self) -> tuple[Expr, ...]:
        return (self.body,)

    @cached_property
    def _free_and_dummies(self) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
        return self.body.free, ()

    @cached_property
    def open_bound(self) -> frozenset[str]:
        return self.body.open_bound - {self.index_name}

    def map_children(self, fn: Any) -> Expr:
        return SumOver(self.index_name, self.bounds, fn(self.body))


class _FunctionNode(Expr):
    """What :class:`Apply` and :class:`Diag` share: a registered function, a derivative order, an argument.

    ``args`` start with ``(Str(name), Integer(order), body)``.
    """

    @staticmethod
    def _function_and_order(fname: str | Str, order: Any, body: Any) -> tuple[Any, sympy.Integer, Expr]:
        """Look up the function, read the order as an integer and check the argument."""
        name = fname.name if isinstance(fname, Str) else fname
        fn = get_function(name)
        try:
            if isinstance(order, bool):
                raise TypeError
            o = sympy.Integer(operator.index(order))
        except TypeError:
            raise EinsteinError(f"{fn.latex}: derivative order must be an integer, got {order!r}") from None
        return fn, o, _check_factor(body)

    @property
    def func_name(self) -> str:
        """Registered function name."""
        return self.args[0].name  # type: ignore[attr-defined,no-any-return]

    @property
    def order(self) -> int:
        """Derivative order (0 = the function itself, 1 for ``\\sigma'``)."""
        return int(self.args[1])  # type: ignore[call-overload]

    @property
    def body(self) -> Expr:
        """The argument ``z``."""
        return self.args[2]  # type: ignore[return-value]

    def children(self) -> tuple[Expr, ...]:
        return (self.body,)


class Apply(_FunctionNode):
    """An elementwise function, or its ``order``-th derivative, of an expression.

    ``\\sigma(z^i)`` has the free indices of ``z``; ``order=1`` is ``\\sigma'``.

    Example:
        >>> e = apply("sigmoid", tensor("z", "^i"))
        >>> e.func_name, e.free
        ('sigmoid', (^i,))
    """

    def __new__(cls, fname: str | Str, order: Any, body: Expr) -> Apply:
        fn, o, body = cls._function_and_order(fname, order, body)
        if o < 0:
            raise EinsteinError(f"{fn.latex}: derivative order must be >= 0, got {o}")
        obj: Apply = sympy.Basic.__new__(cls, Str(fn.name), o, body)  # type: ignore[assignment]
        return obj

    @cached_property
    def _free_and_dummies(self) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
        return self.body.free, ()

    def map_children(self, fn: Any) -> Expr:
        return Apply(self.func_name, self.order, fn(self.body))


class Diag(_FunctionNode):
    """The diagonal tensor of an elementwise derivative: ``f^{(n)}(z^{i}) \\delta^{i}_{j}``.

    ``Diag("sigmoid", 1, z, [down("j")])`` is ``[\\nabla\\sigma]^{i}{}_{j}``: its
    free indices are ``z``'s, then the new ones (opposite variance, one per
    free index of ``z``).

    Example:
        >>> from einsteinpy_lite.indices import down
        >>> d = Diag("sigmoid", 1, tensor("z", "^i"), [down("j")])
        >>> d.free
        (^i, _j)
    """

    def __new__(cls, fname: str | Str, order: Any, body: Expr, indices: Iterable[Index] | sympy.Tuple) -> Diag:
        fn, o, body = cls._function_and_order(fname, order, body)
        if o < 1:
            raise EinsteinError(f"[\\nabla{fn.latex}] is a derivative: its order must be >= 1, got {order}",
                                hint="use Apply for the function itself")
        idx = sympy.Tuple(*indices)
        zf = body.free
        if len(idx) != len(zf):
            raise EinsteinError(
                f"[\\nabla{fn.latex}] of an argument with {len(zf)} free indices needs {len(zf)} more indices, got {len(idx)}"
            )
        for a, b in zip(zf, idx):
            if not isinstance(b, Index) or b.up == a.up:
                raise EinsteinError(
                    f"the derivative indices of [\\nabla{fn.latex}] take the opposite variance of its argument's ({a} -> {b})",
                    index=getattr(b, "name", None),
                )
        obj: Diag = sympy.Basic.__new__(cls, Str(fn.name), o, body, idx)  # type: ignore[assignment]
        obj._free_and_dummies  # noqa: B018
        return obj

    @property
    def new_indices(self) -> tuple[Index, ...]:
        """The derivative's indices (after the argument's)."""
        return tuple(self.args[3])  # type: ignore[arg-type]

    def own_indices(self) -> tuple[Index, ...]:
        return self.new_indices

    @cached_property
    def _free_and_dummies(self) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
        free, dummies = contract_slots(list(self.body.free) + list(self.new_indices), "[\\nabla f]")
        if dummies:
            raise EinsteinError(f"[\\nabla f]: index '{dummies[0].name}' repeats an index of its argument")
        return free, ()

    def map_children(self, fn: Any) -> Expr:
        new_body = fn(self.body)
        if new_body.free != self.body.free:
            raise EinsteinError("internal: Diag argument changed its free indices")
        return Diag(self.func_name, self.order, new_body, self.new_indices)

    @property
    def value(self) -> Apply:
        """The diagonal's entries ``f^{(n)}(z)`` as an :class:`Apply`."""
        return Apply(self.func_name, self.order, self.body)


# =================================================================== builders


def as_expr(x: Any) -> Expr:
    """Turn a number or sympy scalar into a scalar :class:`Product`; pass expressions through.

    Example:
        >>> as_expr(2).free
        ()
    """
    if isinstance(x, Expr):
        return x
    if isinstance(x, Index):
        raise EinsteinError(f"an index ({x}) is not an expression; put it on a tensor")
    try:
        c = sympy.sympify(x, strict=True)
    except (sympy.SympifyError, TypeError):
        raise EinsteinError(f"cannot use {x!r} in an index expression") from None
    if not isinstance(c, sympy.Expr):
        raise EinsteinError(f"cannot use {x!r} in an index expression")
    return Product(c, ())


def scalar(value: Any) -> Expr:
    """A scalar coefficient (``2``, ``sympy.Symbol('K')``, ``"2/K"``).

    Example:
        >>> scalar("2/K").free
        ()
    """
    if isinstance(value, str):
        try:
            return Product(sympy.sympify(value), ())
        except sympy.SympifyError:
            raise EinsteinError(f"cannot read scalar {value!r}") from None
    return as_expr(value)


def tensor(name: str, *indices: Index | str) -> Tensor:
    """Build a tensor atom from a name and an index spec or :class:`Index` objects.

    Example:
        >>> from einsteinpy_lite.indices import up, down
        >>> tensor("B", "^{i_1}_{i_2}") == tensor("B", up("i1"), down("i2"))
        True
    """
    slots: list[Index] = []
    for ix in indices:
        if isinstance(ix, str):
            slots.extend(parse_index_spec(ix))
        elif isinstance(ix, Index):
            slots.append(ix)
        else:
            raise EinsteinError(f"tensor {name}: {ix!r} is not an index")
    return Tensor(name, slots)


def delta(a: Index | str, b: Index | str | None = None) -> Delta:
    """A Kronecker delta or metric: ``delta("^i_j")`` or ``delta(up("i"), down("j"))``.

    Example:
        >>> delta("_{ij}").free
        (_i, _j)
    """
    if isinstance(a, str) and b is None:
        slots = parse_index_spec(a)
    else:
        slots = tuple(parse_index_spec(x)[0] if isinstance(x, str) else x for x in (a, b))  # type: ignore[misc]
    if len(slots) != 2:
        raise EinsteinError(f"a delta has two indices, got {len(slots)}")
    return Delta(slots[0], slots[1])


def apply(fname: str, body: Any, order: int = 0) -> Apply:
    """Apply a registered elementwise function (``"sigmoid"``, ``"tanh"``, ...).

    Example:
        >>> apply("tanh", tensor("z", "^i"), order=1).order
        1
    """
    return Apply(fname, order, as_expr(body))


def sum_over(index: str, body: Any, lower: Any = None, upper: Any = None) -> SumOver:
    """An explicit sum over ``index``: ``\\sum_{index=lower}^{upper} body``.

    Example:
        >>> str(sum_over("k", tensor("x", "_k^i"), 0, "K - 1"))
        '\\\\sum_{k=0}^{K - 1} x_k^i'
    """
    bounds = () if lower is None and upper is None else (0 if lower is None else lower, upper)
    if bounds and bounds[1] is None:
        raise EinsteinError("\\sum with a lower bound needs an upper bound")
    return SumOver(index, bounds, as_expr(body))


# =================================================================== index surgery


def _map_indices(e: Expr, fn: Any) -> Expr:
    """Rebuild ``e`` with every written index slot mapped through ``fn`` (no scoping)."""
    if isinstance(e, Tensor):
        return e.with_indices([fn(ix) for ix in e.indices])
    if isinstance(e, Delta):
        a, b = e.indices
        return Delta(fn(a), fn(b))
    if isinstance(e, Zero):
        return Zero([fn(ix) for ix in e.indices])
    if isinstance(e, Diag):
        return Diag(e.func_name, e.order, _map_indices(e.body, fn), [fn(ix) for ix in e.new_indices])
    return e.map_children(lambda c: _map_indices(c, fn))


def _bind(body: Expr, name: str) -> Expr:
    """Mark the index ``name`` as bound everywhere in ``body`` (for ``\\sum``)."""
    return _map_indices(body, lambda ix: ix.with_bound(True) if ix.name == name else ix)


def fresh_names(avoid: Iterable[str], count: int, stem: str = "u") -> list[str]:
    """``count`` index names of the form ``stem<n>`` not in ``avoid``.

    Example:
        >>> fresh_names({"u1"}, 2)
        ['u2', 'u3']
    """
    used = set(avoid)
    out: list[str] = []
    for n in itertools.count(1):
        if len(out) == count:
            break
        cand = f"{stem}{n}"
        if cand not in used:
            out.append(cand)
            used.add(cand)
    return out


def rename_free(e: Expr, mapping: Mapping[str, str], avoid: Iterable[str] = ()) -> Expr:
    """Rename free indices of ``e`` (``{"i": "m"}``), renaming clashing dummies out of the way.

    Example:
        >>> e = tensor("A", "^i_j") * tensor("y", "^j")
        >>> str(rename_free(e, {"i": "j"}))
        'A^j_u1 y^u1'
    """
    mapping = {k: v for k, v in mapping.items() if k != v}
    if not mapping:
        return e
    used = e.index_names() | set(mapping.values()) | set(avoid)
    return _rename(e, dict(mapping), used)


def _rename(e: Expr, mapping: dict[str, str], used: set[str]) -> Expr:
    targets = set(mapping.values())
    if isinstance(e, (Tensor, Delta, Zero)):
        dummies = {ix.name for ix in e._free_and_dummies[1]}
        local = dict(mapping)
        for d in dummies & targets:
            (new,) = fresh_names(used, 1)
            used.add(new)
            local[d] = new
        return _map_indices(e, lambda ix: ix.renamed(local[ix.name]) if (ix.name in local and not ix.bound) else ix)
    if isinstance(e, Product):
        local = {k: v for k, v in mapping.items()}
        for d in e._free_and_dummies[1]:
            if d.name in targets or d.name in mapping:
                (new,) = fresh_names(used, 1)
                used.add(new)
                local[d.name] = new
        return Product.make(e.coeff, [_rename(f, {k: v for k, v in local.items() if k in f.index_names()}, used)
                                      for f in e.factors])
    if isinstance(e, SumOver):
        body = e.body
        name = e.index_name
        if name in targets:
            (new,) = fresh_names(used, 1)
            used.add(new)
            body = _map_indices(body, lambda ix: ix.renamed(new) if (ix.bound and ix.name == name) else ix)
            name = new
        return SumOver(name, e.bounds, _rename(body, mapping, used))
    if isinstance(e, Diag):
        return Diag(e.func_name, e.order, _rename(e.body, mapping, used),
                    [ix.renamed(mapping[ix.name]) if ix.name in mapping else ix for ix in e.new_indices])
    return e.map_children(lambda c: _rename(c, mapping, used))


def tensor_signatures(e: Expr, check: bool = True) -> dict[str, tuple[tuple[bool, ...], Tensor]]:
    """Each tensor head with its slot pattern (True = up) and first use.

    With ``check``, one name used with two slot patterns is an error.

    Example:
        >>> tensor_signatures(tensor("A", "^i_j") * tensor("A", "^j_k"))["A"][0]
        (True, False)
    """
    out: dict[str, tuple[tuple[bool, ...], Tensor]] = {}
    for node in e.walk():
        if isinstance(node, Tensor):
            pat = tuple(ix.up for ix in node.indices)
            if node.name not in out:
                out[node.name] = (pat, node)
            elif check and out[node.name][0] != pat:
                first = out[node.name][1]
                raise EinsteinError(
                    f"tensor '{node.name}' is used with two slot patterns: '{first}' and '{node}'",
                    hint="every use of one tensor name must have the same number of slots and the same variance",
                    index=None,
                )
    return out
