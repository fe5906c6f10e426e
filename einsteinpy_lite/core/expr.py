"""Expression nodes: tensors, deltas, products, sums, explicit sums, elementwise functions.

Every node is an immutable :class:`sympy.Basic` with all its state in ``args``,
so ``e.func(*e.args) == e``, hashing, pickling and ``sympy.latex(e)`` work.
Index rules are checked when a node is built (convention ``ricci``): an index
repeated in a product must appear once up and once down and is summed; the
same index twice in one position, or three times, is an :class:`EinsteinError`
unless an explicit ``\\sum`` binds it.

Nodes (the base class, products, sums and explicit sums here; the atoms in
:mod:`.atoms`, the elementwise nodes in :mod:`.elementwise`, the Python builders
in :mod:`.builders`, index renaming in :mod:`.rename`; :mod:`einsteinpy_lite.core` gathers them all):

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

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

import sympy
from sympy.core.symbol import Str

from .cached import cached_property
from .errors import EinsteinError
from .indices import Index, fresh_names, normalize_index_name
from .scalars import to_scalar

__all__ = ["Expr", "Product", "Sum", "SumOver", "Zero", "as_expr", "dimension_symbol", "slot_size_symbol", "slot_of",
           "tensor_signatures",
           "register_printer"]

Scalar = sympy.Expr


def dimension_symbol(index_name: str) -> sympy.Symbol:
    """The sympy symbol for the size of index ``index_name`` (``N_i``); ``\\delta^i_i`` simplifies to it.

    Example:
        >>> dimension_symbol("i1")
        N_i1
    """
    return sympy.Symbol(f"N_{index_name}", positive=True, integer=True)


_SLOT_PREFIX = "dim:"


def slot_size_symbol(tensor: str, slot: int) -> sympy.Symbol:
    """The size of slot ``slot`` (0-based) of tensor ``tensor``, written ``\\dim(A, 2)`` (1-based).

    Sizes belong to index *spaces*: when a rewrite needs the size of a summed index that a tensor's
    slot carries (``\\sum_k (x_k + c)`` is ``\\sum_k x_k + \\dim(x, 1) c``), it names the slot,
    not the index, so no later renaming of indices can change it.

    Example:
        >>> s = slot_size_symbol("A", 1)
        >>> slot_of(s), s.is_integer
        (('A', 1), True)
    """
    return sympy.Symbol(f"{_SLOT_PREFIX}{int(slot)}:{tensor}", positive=True, integer=True)


def slot_of(symbol: sympy.Basic) -> tuple[str, int] | None:
    """``(tensor, slot)`` (0-based) of a :func:`slot_size_symbol`, or None for another symbol.

    Example:
        >>> slot_of(slot_size_symbol("W", 2)), slot_of(sympy.Symbol("K"))
        (('W', 2), None)
    """
    name = getattr(symbol, "name", "")
    if not (isinstance(name, str) and name.startswith(_SLOT_PREFIX)):
        return None
    slot, _, tensor = name[len(_SLOT_PREFIX):].partition(":")
    return tensor, int(slot)


def size_name(symbol: sympy.Basic) -> str | None:
    """The index name whose size the scalar ``symbol`` is (``N_i`` -> ``i``), or None for another symbol.

    Example:
        >>> size_name(dimension_symbol("j1")), size_name(sympy.Symbol("K"))
        ('j1', None)
    """
    name = getattr(symbol, "name", "")
    return name[2:] if isinstance(name, str) and name.startswith("N_") and len(name) > 2 else None


def contract_slots(slots: Iterable[Index], where: str,
                   kept: Iterable[str] = ()) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
    """Apply the ``ricci`` summation rule to index occurrences of one product.

    Returns ``(free, dummies)``: free indices in order of first appearance and
    the summed ones (their upper occurrence).  Bound indices (of an enclosing
    ``\\sum``) are skipped.  A name in ``kept`` (an elementwise index of a
    Hadamard product ``x^i \\odot y^i``) must occur two or more times, all in
    one position; it is free (once, at its first occurrence), never summed.

    Raises:
        EinsteinError: an index three times, or twice in the same position
            (unless kept); a kept index in both positions or only once.

    Example:
        >>> from einsteinpy_lite.core.indices import up, down
        >>> contract_slots([up("i"), down("j"), up("j")], "product")
        ((^i,), (^j,))
        >>> contract_slots([up("i"), up("i"), up("i")], "product", kept=["i"])
        ((^i,), ())
    """
    keep = frozenset(kept)
    seen: dict[str, list[Index]] = {}
    order: list[str] = []
    for ix in slots:
        if ix.bound:
            continue
        if ix.name not in seen:
            seen[ix.name] = []
            order.append(ix.name)
        seen[ix.name].append(ix)
    for name in sorted(keep - set(order)):
        raise EinsteinError(f"kept index '{name}' does not occur in this {where}", index=name)
    free: list[Index] = []
    dummies: list[Index] = []
    for name in order:
        occ = seen[name]
        if name in keep:
            if len(occ) < 2 or any(o.up != occ[0].up for o in occ):
                raise EinsteinError(
                    f"kept index '{name}' must occur in two or more factors, all in one position, in one {where}",
                    hint="\\odot keeps an index that its operands share in the same position (x^i \\odot y^i); "
                    "an upper and a lower occurrence are summed",
                    index=name,
                    occurrence=-1,
                )
            free.append(occ[0])
        elif len(occ) == 1:
            free.append(occ[0])
        elif len(occ) == 2:
            if occ[0].up == occ[1].up:
                pos = "up" if occ[0].up else "down"
                mark = "^" if occ[0].up else "_"
                forms = (f"to keep '{name}' (elementwise) write \\odot between the factors "
                         f"(x{mark}{name} \\odot y{mark}{name}); to sum it write "
                         f"\\sum_{{{name}}} x{mark}{name} y{mark}{name}; " if where == "product" else "")
                raise EinsteinError(
                    f"index '{name}' appears twice {pos} in one {where}",
                    hint="a summed index must appear once up and once down (convention 'ricci'); "
                    f"{forms}use convention='einstein' to sum any repeated pair, or \\delta to raise/lower",
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


def _no_printer(e: Expr) -> str:
    return f"<{type(e).__name__} {e.args}>"


# The printers live in the notation layer, above this one; importing it registers ``text`` and ``latex``
# here (see :func:`register_printer`), so the core never imports its printers.
_PRINTERS: dict[str, Callable[[Expr], str]] = {"text": _no_printer, "latex": _no_printer, "pretty": _no_printer}


def register_printer(kind: str, fn: Callable[[Expr], str]) -> None:
    """Make ``fn`` the printer behind ``str(e)`` (``"text"``), ``e._latex()`` (``"latex"``) or ``sympy.pretty(e)``.

    ``"pretty"`` returns three rows (upper indices, names, lower indices) joined by newlines.

    Example:
        >>> import einsteinpy_lite  # registers the notation layer's printers
        >>> sorted(_PRINTERS)
        ['latex', 'pretty', 'text']
    """
    if kind not in _PRINTERS:
        raise EinsteinError(f"unknown printer kind {kind!r}", hint="use 'text', 'latex' or 'pretty'")
    _PRINTERS[kind] = fn


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
        # (slots written on the node itself count too: a diagonal's derivative index bound by a \sum around)
        out: set[str] = {ix.name for ix in self.own_indices() if ix.bound}
        for a in self.children():
            out |= a.open_bound
        return frozenset(out)

    def children(self) -> tuple[Expr, ...]:
        """The sub-expressions (not indices or coefficients)."""
        return ()

    def walk(self) -> Iterator[Expr]:
        """Pre-order traversal of this node and all sub-expressions.

        With a stack, not nested generators: a chain of 200 functions would pass every node up
        through 200 generator frames.
        """
        stack: list[Expr] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))

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
        """Every index name used anywhere in the expression (a new set: the caller may change it)."""
        return set(self._index_names)

    @cached_property
    def _index_names(self) -> frozenset[str]:
        own = {ix.name for ix in self.own_indices()}
        if isinstance(self, SumOver):
            own.add(self.index_name)
        return frozenset(own).union(*(c._index_names for c in self.children()))

    def own_indices(self) -> tuple[Index, ...]:
        """Index slots written on this node itself (not on children)."""
        return ()

    def map_own_slots(self, fn: Any) -> Expr:
        """This node with ``fn`` applied to the slots written on it (:meth:`own_indices`), children unchanged."""
        return self

    @cached_property
    def size_names(self) -> frozenset[str]:
        """Index names whose size a scalar here names (``x`` for ``N_x`` in a coefficient or a bound).

        ``N_x`` is the size of the index ``x``: a renaming must never give another index the name
        ``x`` while ``N_x`` occurs, nor take it from the index it sizes.

        Example:
            >>> from einsteinpy_lite import parse
            >>> sorted(parse(r"\\frac{1}{N_m} \\sum_m x_m^i").size_names)
            ['m']
        """
        own: set[sympy.Basic] = set()
        if isinstance(self, Product):
            own = set(self.coeff.free_symbols)
        elif isinstance(self, SumOver):
            own = {sym for b in self.bounds for sym in b.free_symbols}
        names = frozenset(n for n in map(size_name, own) if n is not None)
        return names.union(*(c.size_names for c in self.children()))

    def all_names(self) -> frozenset[str]:
        """Every index name the expression uses or reserves: slots, ``\\sum`` names, ``x`` of ``N_x``.

        A fresh name is one outside this set.

        Example:
            >>> from einsteinpy_lite import parse
            >>> sorted(parse(r"N_k x^i_j y^j").all_names())
            ['i', 'j', 'k']
        """
        return self._index_names | self.size_names

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
        return _PRINTERS["text"](self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self})"

    def _sympystr(self, printer: Any) -> str:
        return str(self)

    def _latex(self, printer: Any = None) -> str:
        return _PRINTERS["latex"](self)

    def _pretty(self, printer: Any = None) -> Any:
        """sympy's pretty printers call this (before their own ``_print_Product``, ``_print_Sum``)."""
        from sympy.printing.pretty.stringpict import prettyForm

        rows = _PRINTERS["pretty"](self).split("\n")
        width = max(len(r) for r in rows)
        return prettyForm("\n".join(r.ljust(width) for r in rows), baseline=len(rows) // 2)

    def _repr_latex_(self) -> str:
        return "$" + self._latex() + "$"

    # ------------------------------------------------------------ rebuilding
    def map_children(self, fn: Any) -> Expr:
        """Rebuild this node with ``fn`` applied to each child expression."""
        return self

    def map_slots(self, fn: Any) -> Expr:
        """Rebuild this node with every written index slot mapped through ``fn`` (no scoping).

        Nodes with slots of their own (tensors, deltas, zeros, diagonals) override it.

        Example:
            >>> from einsteinpy_lite import parse
            >>> str(parse("A^i_j y^j").map_slots(lambda ix: ix.renamed("k") if ix.name == "j" else ix))
            'A^i_k y^k'
        """
        return self.map_children(lambda c: c.map_slots(fn))

    def _signature(self) -> tuple[str, tuple[bool, ...]] | None:
        """``(name, slot pattern)`` for a tensor atom, None for every other node."""
        return None


# =================================================================== composites


def _check_factor(f: Any) -> Expr:
    if not isinstance(f, Expr):
        raise EinsteinError(f"not an index expression: {f!r}")
    return f


def exact_coefficient(c: sympy.Expr) -> sympy.Expr:
    """``c`` with every float replaced by the exact fraction of its shortest decimal (``0.1`` -> ``1/10``).

    A coefficient is printed as text that reads back; a float printed as ``0.5`` reads back as
    ``1/2``, so coefficients are kept exact from the start.

    Example:
        >>> exact_coefficient(sympy.Float(0.1) * sympy.Symbol("K"))
        K/10
    """
    if c.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan):
        raise EinsteinError(f"a coefficient must be finite, got {c}")
    floats = c.atoms(sympy.Float)
    if not floats:
        return c
    return c.xreplace({f: sympy.Rational(repr(float(f))) for f in floats})


class Product(Expr):
    """A coefficient times factors, with implied summation over index pairs.

    A product with no factors is a scalar.  Use :meth:`Product.make` to
    flatten nested products and fold zeros.

    Example:
        >>> from einsteinpy_lite.core.builders import tensor
        >>> p = tensor("A", "^i_j") * tensor("y", "^j")
        >>> p.free, p.dummies
        ((^i,), (^j,))
    """

    def __new__(cls, coeff: Any, factors: Iterable[Expr] | sympy.Tuple = (),
                kept: Iterable[str | Str] | sympy.Tuple = ()) -> Product:
        c = to_scalar(coeff, "a coefficient")  # text is read by parse_scalar, never by sympify's eval
        if not isinstance(c, sympy.Expr) or any(isinstance(a, Expr) for a in sympy.preorder_traversal(c)):
            raise EinsteinError(f"a coefficient must be a scalar, got {coeff!r}")
        c = exact_coefficient(c)
        if not c.is_Number:
            # one spelling per coefficient (2*(K - 1)/K and (2*K - 2)/K are both 2 - 2/K), so that
            # equal coefficients compare and hash equal however they were multiplied together
            c = sympy.expand(c)
        fs = sympy.Tuple(*[_check_factor(f) for f in factors])
        names = sorted({normalize_index_name(k.name if isinstance(k, Str) else k) for k in kept})
        for f in fs:
            # a Hadamard product is a factor only where one of its kept indices is summed against another
            # factor (x^i \odot y^i times w_i): flattening would turn that sum into a kept index
            if isinstance(f, Zero) or (isinstance(f, Product) and not f.kept):
                raise EinsteinError("internal: use Product.make to flatten products")
        args = (c, fs, sympy.Tuple(*[Str(n) for n in names])) if names else (c, fs)
        obj: Product = sympy.Basic.__new__(cls, *args)  # type: ignore[assignment]
        obj._free_and_dummies  # noqa: B018
        return obj

    @classmethod
    def make(cls, coeff: Any, factors: Iterable[Expr], kept: Iterable[str] = ()) -> Expr:
        """Build a product, flattening nested products and folding zeros.

        ``kept``: the elementwise (Hadamard) indices, free although they occur in several factors
        (see :attr:`kept`); a kept name that ends up occurring once is an ordinary free index.
        A nested Hadamard product is flattened (its kept indices join ``kept``) unless one of its
        kept indices is summed against another factor here: then it stays a factor.

        Example:
            >>> from einsteinpy_lite.core.builders import tensor
            >>> Product.make(2, [Product.make(3, [tensor("x", "^i")])])
            Product(6 x^i)
            >>> Product.make(1, [tensor("x", "^i"), tensor("y", "^i")], kept=["i"]).free
            (^i,)
        """
        c = to_scalar(coeff, "a coefficient")
        keep = {normalize_index_name(k) for k in kept}
        flat: list[Expr] = []
        zero = False
        items = [_check_factor(f) for f in factors]
        # names visible in the flattened product: every factor's free indices and the names a \sum
        # around the product binds (a dummy named like one of them would be captured)
        scope = {ix.name for f in items for ix in f.free} | {n for f in items for n in f.open_bound}
        avoid: set[str] | None = None  # the N_x names and every name of every factor: found at the first clash
        # nested products whose dummies share a name keep it in an order of their own content, not of their
        # position: which one keeps it must not depend on how the factors were written (a size N_l beside
        # two products with a dummy l is then given the same owner whatever the order, seed 1726453655)
        nested = [n for n, f in enumerate(items) if isinstance(f, Product)]
        order = list(range(len(items)))
        if len(nested) > 1:
            seen: set[str] = set()
            shared = False
            for n in nested:
                names = {d.name for d in items[n]._free_and_dummies[1]}
                shared = shared or bool(names & seen)
                seen |= names
            if shared:
                order = sorted(nested, key=lambda n: str(items[n])) + [n for n in order if n not in nested]
        pieces: list[list[Expr]] = [[] for _ in items]
        for n in order:
            f = items[n]
            out = pieces[n]
            if isinstance(f, Product) and f.kept:
                others = {ix.name for k, g in enumerate(items) if k != n for ix in g.free if not ix.bound}
                if any(k in others and k not in keep for k in f.kept):
                    out.append(f)  # a kept index summed against another factor: a Hadamard factor
                    continue
                keep |= set(f.kept)
            if isinstance(f, Product):
                # (a loop that names a visible index takes that name's size, whatever the order of its deltas:
                # (\delta_{k s1} \delta^{s1 k}) A^k was N_k, and with the deltas swapped N_s1, seed 4071067238)
                folded = fold_delta_loops(f, scope) if any(d.name in scope for d in f._free_and_dummies[1]) else f
                if not isinstance(folded, Product):
                    out.append(folded)
                    continue
                f = folded  # a loop's size is N_name by the user's name: fold it before renaming apart
                c = c * f.coeff
                inner = list(f.factors)
                clash = [d.name for d in f._free_and_dummies[1] if d.name in scope]
                if clash:
                    # the nested product's dummies would meet other factors' indices: give each a name
                    # used nowhere (renaming a name to an unused one everywhere cannot change a value)
                    # (nowhere: not even as another factor's own dummy, a trace \delta^{s1}_{s1} beside it)
                    if avoid is None:
                        avoid = {n for g in items for n in g.size_names}.union(*(g.all_names() for g in items))
                    size, inner = _fold_traces_beside_pairs(inner, set(clash))
                    c = c * size
                    fresh = fresh_names(scope | avoid, len(clash), stem="s")
                    mapping = dict(zip(clash, fresh))
                    inner = [g.map_slots(lambda ix, m=mapping: ix.renamed(m[ix.name])  # type: ignore[misc]
                                         if (ix.name in m and not ix.bound) else ix) for g in inner]
                scope |= {ix.name for g in inner for ix in g.free} | {n for g in inner for n in g.open_bound}
                out.extend(inner)
            elif isinstance(f, Zero):
                zero = True
                out.append(f)
            else:
                out.append(f)
        flat = [g for piece in pieces for g in piece]
        count: dict[str, int] = {}
        for f in flat:
            for ix in f.free:
                if not ix.bound:
                    count[ix.name] = count.get(ix.name, 0) + 1
        keep = {k for k in keep if count.get(k, 0) >= 2}
        if zero or c == 0:
            # validate the indices as a product would, then fold to zero
            free, _ = contract_slots([ix for f in flat for ix in f.free], "product", keep)
            return Zero(free)
        if c == 1 and len(flat) == 1:
            return flat[0]
        return cls(c, flat, sorted(keep))

    @property
    def coeff(self) -> sympy.Expr:
        """The scalar coefficient."""
        return self.args[0]  # type: ignore[return-value]

    @property
    def factors(self) -> tuple[Expr, ...]:
        """The tensor factors."""
        return tuple(self.args[1])  # type: ignore[arg-type]

    @property
    def kept(self) -> frozenset[str]:
        """The kept (elementwise, batch) index names of a Hadamard product ``x^i \\odot y^i``; empty otherwise.

        Each occurs, not bound, in two or more factors, always in one position, and is free (not summed):
        the free indices are the unpaired ones and the kept ones, in order of first appearance.

        Example:
            >>> from einsteinpy_lite import parse
            >>> sorted(parse(r"A_b^i_j \\odot B_b^j_k").kept)
            ['b']
        """
        if len(self.args) < 3:
            return frozenset()
        return frozenset(s.name for s in self.args[2])  # type: ignore[attr-defined]

    def children(self) -> tuple[Expr, ...]:
        return self.factors

    @cached_property
    def _free_and_dummies(self) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
        return contract_slots([ix for f in self.factors for ix in f.free], "product", self.kept)

    def map_children(self, fn: Any) -> Expr:
        return Product.make(self.coeff, [fn(f) for f in self.factors], self.kept)

    def map_slots(self, fn: Any) -> Expr:
        # a kept name follows its slots: rename it as ``fn`` renames its (free) occurrences
        renamed = set()
        for k in self.kept:
            slot = next(ix for f in self.factors for ix in f.free if ix.name == k and not ix.bound)
            renamed.add(fn(slot).name)
        return Product.make(self.coeff, [f.map_slots(fn) for f in self.factors], renamed)


class Sum(Expr):
    """A sum of terms with the same free indices (same names, same variance).

    Example:
        >>> from einsteinpy_lite.core.builders import tensor
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
            >>> from einsteinpy_lite.core.builders import tensor, scalar
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
        >>> from einsteinpy_lite.core.builders import tensor, sum_over
        >>> e = sum_over("k", tensor("x", "_k^i"), 0, sympy.Symbol("K") - 1)
        >>> e.free, e.index_name
        ((^i,), 'k')
    """

    def __new__(cls, index: str | Str, bounds: Iterable[Any] | sympy.Tuple, body: Expr) -> SumOver:
        name = index.name if isinstance(index, Str) else index
        name = normalize_index_name(name)
        try:
            values = [to_scalar(x, "a \\sum bound") for x in bounds]  # text: parse_scalar, never eval
        except EinsteinError as exc:
            raise EinsteinError(f"\\sum_{{{name}}}: cannot read the bounds {tuple(bounds)!r} as scalars: {exc.message}",
                                text=exc.text, pos=exc.pos,
                                hint="bounds are numbers or scalar expressions such as 'K - 1'") from None
        b = sympy.Tuple(*[sympy.expand(v) for v in values])  # one spelling, as coefficients
        if len(b) not in (0, 2):
            raise EinsteinError("\\sum bounds are (lower, upper) or none")
        body = _check_factor(body)
        if any(ix.name == name and not ix.bound for node in body.walk() for ix in node.own_indices()):
            # every occurrence, free or paired, is the bound index -- as the parser reads \sum_{k} x^k y_k
            body = body.map_slots(lambda ix: ix.with_bound(True) if ix.name == name else ix)
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
        body = fn(self.body)
        if not self.bounds and self.index_name in self.body.open_bound and self.index_name not in body.open_bound:
            # the rewrite removed every slot that carried the index: the size of the space it had
            return Product.make(self.size(), [body])
        return SumOver.make(self.index_name, self.bounds, body)

    @property
    def count(self) -> sympy.Expr:
        """The number of values the index takes: ``hi - lo + 1``, or ``N_k`` (the size of ``k``) without bounds.

        Example:
            >>> from einsteinpy_lite import parse
            >>> parse(r"\\sum_{k=1}^{K} x^i").count, parse(r"\\sum_{k} x^i").count
            (K, N_k)
        """
        return (self.bounds[1] - self.bounds[0] + 1) if self.bounds else dimension_symbol(self.index_name)

    def size(self) -> sympy.Expr:
        """The number of values the index takes, tied to its space rather than to its name.

        With bounds, their count; else the size of a tensor slot that carries the index in the body
        (:func:`slot_size_symbol`); else (no array carries it) ``N_k``, given by the user under that name.

        Example:
            >>> from einsteinpy_lite import parse
            >>> parse(r"\\sum_{k} (x_k + c)").size(), parse(r"\\sum_{k} c").size()
            (dim:0:x, N_k)
        """
        if self.bounds:
            return self.count
        # every slot that carries the index has its size: the least by name, so that the order of the terms
        # does not choose (\dim(B, 2) or \dim(R, 3) for \sum_a (B^{s1 a d} + R^{s1 d a}), seed 4071070619)
        slot = min(_carrying_slots(self.body, self.index_name), default=None)
        if slot is None:
            # \sum_c (G_{j} + \delta_{j}^{c}): c runs over the space of j, which G's slot carries
            free = {ix.name for ix in self.body.free}
            for partner in _delta_partners(self.body, self.index_name):
                if partner in free:
                    slot = free_slot(self.body, partner)
                    if slot is None:
                        # a free index no slot carries has the size of its name, which no rewrite renames
                        # (d/d\epsilon^{k} of \sum_m \epsilon^m: \sum_m \delta^m_k sized N_m, seed 1721891288)
                        return dimension_symbol(partner)
                    break
        return slot_size_symbol(*slot) if slot is not None else dimension_symbol(self.index_name)

    def rename_index(self, new: str) -> Expr:
        """The same sum with its index called ``new`` (alpha-conversion; ``new`` must be unused in the body).

        A sum without bounds whose body does not carry its index runs over ``N_k``, the size of the
        *name* ``k``: renaming it would change that size, so it is folded to ``N_k`` times the body instead.

        Example:
            >>> from einsteinpy_lite import parse
            >>> str(parse(r"\\sum_{k} x_k^i").rename_index("q")), str(parse(r"\\sum_{k} x^i").rename_index("q"))
            ('\\\\sum_{q} x_q^i', '\\\\mathrm{N_k} x^i')
        """
        if self.index_name not in self.body.open_bound:
            return Product.make(self.count, [self.body])  # no slot carries it: N_k by its name
        return SumOver(new, self.bounds, rename_bound(self.body, self.index_name, new))

    @classmethod
    def make(cls, index: str, bounds: Iterable[Any], body: Expr) -> Expr:
        """``\\sum_{index}`` around ``body``, binding only the slots of ``body`` already marked bound.

        (A :class:`SumOver`, or ``N_index`` times ``body`` where the body uses the name but does not
        carry the sum's index.)

        The constructor reads a ``\\sum`` as written text does: it binds every ``k`` of its body.
        Rebuilding a sum around a rewritten body must not: a dummy or free index of the new body
        that happens to be called ``k`` is another index.  Here it is renamed apart instead
        (alpha-conversion of the inner scope; the binder keeps its name, whose ``N_k`` may be the
        user's), or, when the body has ``k`` free, the binder is renamed: nothing is captured.

        Example:
            >>> from einsteinpy_lite.core.atoms import Tensor
            >>> from einsteinpy_lite.core.indices import Index, up, down
            >>> x_k = Tensor("x", [Index("k", False, True)])  # k bound by the sum to be built
            >>> str(SumOver.make("k", (), x_k * Tensor("A", [up("k"), down("j")]) * Tensor("y", [up("j"), down("k")])))
            '\\\\sum_{k} x_k A^b1_j y^j_b1'
        """
        name = normalize_index_name(index)
        body = _check_factor(body)
        if any(ix.name == name and not ix.bound for node in body.walk() for ix in node.own_indices()):
            (new,) = fresh_names(body.all_names() | {name}, 1, stem="b")
            if name not in {ix.name for ix in body.free}:
                # only inner scopes' dummies use the name: rename them apart, keep the binder (its N_name)
                body = body.map_slots(lambda ix: ix.renamed(new) if (ix.name == name and not ix.bound) else ix)
                return cls(name, bounds, body)
            if name not in body.open_bound:  # runs over N_name: keep that size (see rename_index)
                return Product.make(cls(new, bounds, body).count if bounds else dimension_symbol(name), [body])
            body = rename_bound(body, name, new)
            name = new
        return cls(name, bounds, body)


def replace_sizes(e: Expr, mapping: dict[sympy.Symbol, sympy.Expr]) -> Expr:
    """``e`` with the size symbols in ``mapping`` replaced in every coefficient and ``\\sum`` bound.

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(replace_sizes(parse(r"\\dim(x, 1) y^i"), {slot_size_symbol("x", 0): dimension_symbol("m")}))
        '\\\\mathrm{N_m} y^i'
    """
    if not mapping or not (e.scalar_symbols() & set(mapping)):
        return e
    if isinstance(e, Product):
        return Product.make(e.coeff.xreplace(mapping), [replace_sizes(f, mapping) for f in e.factors], e.kept)
    if isinstance(e, SumOver):
        return SumOver(e.index_name, tuple(b.xreplace(mapping) for b in e.bounds), replace_sizes(e.body, mapping))
    return e.map_children(lambda c: replace_sizes(c, mapping))


def _is_delta(e: Expr) -> bool:
    """A Kronecker delta or metric (a leaf with two slots and no name; the class lives in atoms)."""
    return not e.children() and getattr(e, "name", None) is None and not isinstance(e, Zero) \
        and len(e.own_indices()) == 2


def fold_delta_loops(e: Product, prefer: Collection[str] = ()) -> Expr:
    """``e`` without its closed loops of deltas (``\\delta^a_b \\delta^b_a``), times their sizes ``N_a``.

    A loop's space touches no tensor slot: only the user gives its size, by the name written (``N_a``).
    Folded before a rewrite renames the loop's dummies (which would cut that link).  ``prefer``: names
    visible around ``e``; a loop that uses one is sized by it (see :func:`fold_loops`).

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(fold_delta_loops(parse(r"\\delta^a_b \\delta^b_a x^i")))
        '\\\\mathrm{N_a} x^i'
    """
    dummies = {ix.name for ix in e._free_and_dummies[1]}
    coeff, factors = fold_loops(list(e.factors), dummies, {}, prefer=prefer)
    if len(factors) != len(e.factors):
        out = Product.make(e.coeff * coeff, factors, kept=getattr(e, "kept", ()))
        return fold_delta_loops(out, prefer) if isinstance(out, Product) else out
    found = _sum_on_unsized_loop(e, dummies)
    if found is None:
        return e
    # the loop closes only in some of the sum's terms: distribute over them, each term folds its own loop,
    # sized by the slot that carries the space in another term, else by the name written (renamed apart
    # later, an unfolded loop would take the size of a generated name: seed 1717313372; differentiated, the
    # carrying term would vanish with its size: seed 1717307689)
    at, sizes = found
    split: list[Expr] = []
    for t in e.factors[at].terms:  # type: ignore[attr-defined]
        # the term where the sum stood: the order of the free indices (the result's axes) stays
        term = Product.make(e.coeff, [*e.factors[:at], t, *e.factors[at + 1:]])
        if isinstance(term, Product):
            inner = {ix.name for ix in term._free_and_dummies[1]}
            c, fs = fold_loops(list(term.factors), inner, sizes, prefer=prefer)
            term = Product.make(term.coeff * c, fs, kept=getattr(term, "kept", ()))
            term = fold_delta_loops(term, prefer) if isinstance(term, Product) else term
        split.append(term)
    return Sum.make(split)


def _carrier(e: Expr, name: str) -> tuple[str, int] | tuple[()] | None:
    """The tensor slot that carries the free index ``name`` of ``e`` (directly or through deltas; in some term
    of a sum); ``()`` when something other than deltas carries it at a slot not found here (a diagonal's new
    index); None when only deltas hold it."""
    if _is_delta(e) or isinstance(e, Zero):
        return None
    if isinstance(e, Sum):
        found = [_carrier(t, name) for t in e.terms]
        return next((c for c in found if c), next((c for c in found if c is not None), None))
    if not isinstance(e, Product):
        kids = e.children()
        if not kids and isinstance(getattr(e, "name", None), str):
            return free_slot(e, name)  # a tensor
        if len(kids) == 1 and any(ix.name == name for ix in kids[0].free):
            return _carrier(kids[0], name)  # a function of it, or a \sum over another index: its argument's
        return free_slot(e, name) or ()
    linked, todo = {name}, [name]
    while todo:
        x = todo.pop()
        for f in e.factors:
            names = [ix.name for ix in f.free if not ix.bound]
            if x not in names:
                continue
            if not _is_delta(f):
                hit = _carrier(f, x)
                if hit is not None:
                    return hit
                continue
            for y in names:
                if y not in linked:
                    linked.add(y)
                    todo.append(y)
    return None


def _sum_on_unsized_loop(e: Expr, dummies: set[str]) -> tuple[int, dict[str, sympy.Expr]] | None:
    """A sum among ``e``'s factors (a product's) with a term where a space of dummies closes in deltas only
    (``\\delta_{s1}^{b} (\\frac12 \\delta^{s1}_{b} + \\frac12 \\delta^{s1}_{b})``), no other factor carrying it:
    (its position, the size of the space's names: a slot that carries it in another term, if any), or None."""
    if not isinstance(e, Product) or e.kept or not any(isinstance(f, Sum) for f in e.factors):
        return None
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    carried: set[str] = set()
    for f in e.factors:
        names = [ix.name for ix in f.free if not ix.bound]
        if _is_delta(f) and len(names) == 2:
            parent[find(names[0])] = find(names[1])
        elif not isinstance(f, Sum):
            carried.update(names)
        else:  # another sum whose every term carries the index anchors it too (harness seed 1969802009)
            carried.update(x for x in names if all(_carrier(t, x) not in (None, ()) for t in f.terms))
    anchored = {find(x) for x in carried} | {find(ix.name) for ix in e.free}
    for n, f in enumerate(e.factors):
        if not isinstance(f, Sum):
            continue
        for ix in f.free:
            x = ix.name
            if x not in dummies or find(x) in anchored:
                continue
            carriers = [_carrier(t, x) for t in f.terms]
            if None not in carriers or () in carriers:
                continue  # every term carries it, or one at a slot not found: sized as it is
            space = [y for y in list(parent) + [x] if find(y) == find(x) and y in dummies]
            slot = next((c for c in carriers if c), None)
            return n, ({y: slot_size_symbol(*slot) for y in space} if slot else {})
    return None


def _fold_traces_beside_pairs(factors: list[Expr], names: set[str]) -> tuple[sympy.Expr, list[Expr]]:
    """The traces ``\\delta^x_x`` among ``factors`` (one product's), or inside them (a function's argument),
    whose name ``x`` in ``names`` is also a pair that a tensor slot of the product carries, folded to that
    slot's size (``\\dim(A, 1)``); returns (the product of those among the factors, the factors).

    A trace and a pair of one name in one product share the name, hence the size (``N_x``, by the name).
    Renaming the pair apart renames the trace with it, and ``N_x`` would become ``N_s1``, a size the user
    never wrote (seed 2508263514: compile asked for it; seed 4071071684: the trace in ``\\operatorname{abs}``);
    folding to ``N_x`` instead would cut it loose from the pair (seed 3081368041). The slot's size is the
    pair's, whatever the names.

    Example:
        >>> from einsteinpy_lite import parse
        >>> size, rest = _fold_traces_beside_pairs(list(parse(r"A_{j} B^{j} \\delta^{j}_{j}").factors), {"j"})
        >>> size, [str(f) for f in rest]
        (dim:0:A, ['A_j', 'B^j'])
    """
    sizes: dict[str, sympy.Expr] = {}
    for x in names:
        slot = next((s for s in (free_slot(g, x) for g in factors if not _is_delta(g)) if s is not None), None)
        if slot is not None:
            sizes[x] = slot_size_symbol(*slot)
    if not sizes:
        return sympy.Integer(1), factors

    def trace(e: Expr) -> str | None:
        ixs = e.own_indices() if _is_delta(e) else ()
        if len(ixs) == 2 and ixs[0].name == ixs[1].name and not any(ix.bound for ix in ixs) and ixs[0].name in sizes:
            return ixs[0].name
        return None

    def fold(e: Expr) -> Expr:
        x = trace(e)
        if x is not None:
            return Product.make(sizes[x], [])
        if not any(trace(n) for n in e.walk()):
            return e
        return e.map_children(fold)

    coeff: sympy.Expr = sympy.Integer(1)
    out: list[Expr] = []
    for f in factors:
        name = trace(f)
        if name is not None:
            coeff = coeff * sizes[name]
        else:
            out.append(fold(f))
    return coeff, out


def fold_loops(factors: list[Expr], dummies: set[str], sizes: Mapping[str, sympy.Expr],
               only_sized: bool = False, prefer: Collection[str] = ()) -> tuple[sympy.Expr, list[Expr]]:
    """The closed loops of deltas among ``factors`` (a product's, with its ``dummies``) folded to sizes.

    A loop whose names are all dummies that no other factor carries is dropped; its size is ``sizes``
    of one of its names where given (the slot that carried it before a sum was distributed), else
    ``N_x`` of its first name -- or, with ``only_sized``, the loop stays.  A loop that uses a name in
    ``prefer`` (visible around the product: its size is that name's) is ``N_x`` of the first such name in
    alphabetical order, so that the order of the deltas does not choose.  Returns (the product of the
    sizes, the factors left).

    Example:
        >>> from einsteinpy_lite import parse
        >>> coeff, rest = fold_loops(list(parse(r"\\delta^a_b \\delta^b_a x^i").factors), {"a", "b"}, {})
        >>> coeff, [str(f) for f in rest]
        (N_a, ['x^i'])
    """
    deltas = [n for n, f in enumerate(factors) if _is_delta(f) and not any(ix.bound for ix in f.own_indices())]
    # a delta with a \sum-bound slot (\delta^a_{i1} under \sum_{i1}) ties its other name to that sum's range
    carried = {ix.name for n, f in enumerate(factors) if n not in deltas for ix in f.free}
    seen: set[int] = set()
    drop: set[int] = set()
    coeff: sympy.Expr = sympy.Integer(1)
    for start in deltas:
        if start in seen:
            continue
        comp: list[int] = []
        names: list[str] = []
        todo = [start]
        seen.add(start)
        while todo:
            n = todo.pop()
            comp.append(n)
            for ix in factors[n].own_indices():
                if ix.name not in names:
                    names.append(ix.name)
                for m in deltas:
                    if m not in seen and any(jx.name == ix.name for jx in factors[m].own_indices()):
                        seen.add(m)
                        todo.append(m)
        if all(x in dummies for x in names) and not (set(names) & carried):
            size = next((sizes[x] for x in names if x in sizes), None)
            if size is None:
                if only_sized:
                    continue
                seen_names = sorted(x for x in names if x in prefer)
                size = dimension_symbol(seen_names[0] if seen_names else factors[min(comp)].own_indices()[0].name)
            drop.update(comp)
            coeff = coeff * size
    return coeff, [f for n, f in enumerate(factors) if n not in drop]


def _carrying_slots(e: Expr, name: str) -> Iterator[tuple[str, int]]:
    """Every tensor slot (name, 0-based position) in ``e`` holding the index ``name`` bound around ``e``."""
    if (isinstance(e, SumOver) and e.index_name == name) or name not in e.open_bound:
        return
    head = getattr(e, "name", None)
    if not e.children() and isinstance(head, str):
        yield from ((head, n) for n, ix in enumerate(e.own_indices()) if ix.bound and ix.name == name)
        return
    for c in e.children():
        yield from _carrying_slots(c, name)


def _delta_partners(e: Expr, name: str) -> list[str]:
    """Unbound names tied by a delta to the bound ``name`` in ``e`` (not under a ``\\sum`` rebinding it)."""
    if (isinstance(e, SumOver) and e.index_name == name) or name not in e.open_bound:
        return []
    if not e.children():
        slots = e.own_indices()
        if getattr(e, "name", None) is None and len(slots) == 2:  # a delta
            a, b = slots
            for x, y in ((a, b), (b, a)):
                if x.bound and x.name == name and not y.bound:
                    return [y.name]
        return []
    return [p for c in e.children() for p in _delta_partners(c, name)]


def free_slot(e: Expr, name: str) -> tuple[str, int] | None:
    """A tensor slot holding the index ``name`` that is free in ``e`` (not a nested product's own dummy)."""
    if name not in {ix.name for ix in e.free}:
        return None
    head = getattr(e, "name", None)
    if not e.children():
        if isinstance(head, str):
            return next(((head, n) for n, ix in enumerate(e.own_indices()) if ix.name == name and not ix.bound),
                        None)
        return None
    for c in e.children():
        hit = free_slot(c, name)
        if hit is not None:
            return hit
    return None


def rename_bound(e: Expr, old: str, new: str) -> Expr:
    """Rename the bound slots ``old`` of ``e`` (bound by a ``\\sum`` around ``e``) to ``new``.

    A ``\\sum_{old}`` inside ``e`` rebinds the name: its body is another scope and is left alone.

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(rename_bound(parse(r"\\sum_k x_k y^i").body, "k", "q"))
        'x_q y^i'
    """
    if isinstance(e, SumOver) and e.index_name == old:
        return e
    if old not in e.open_bound:
        return e
    if not e.children():
        return e.map_slots(lambda ix: ix.renamed(new) if (ix.bound and ix.name == old) else ix)
    out = e.map_children(lambda c: rename_bound(c, old, new))
    if any(ix.bound and ix.name == old for ix in e.own_indices()):  # a diagonal's derivative index
        out = out.map_own_slots(lambda ix: ix.renamed(new) if (ix.bound and ix.name == old) else ix)
    return out


# =================================================================== conversion


class Zero(Expr):
    """The zero tensor with the given free indices (what ``diff`` gives for an absent variable).

    Example:
        >>> from einsteinpy_lite.core.indices import up
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

    def map_slots(self, fn: Any) -> Expr:
        return Zero([fn(ix) for ix in self.indices])

    @cached_property
    def _free_and_dummies(self) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
        free, dummies = contract_slots(self.indices, "zero tensor")
        if dummies:
            raise EinsteinError("a zero tensor has only free indices")
        return free, ()


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


def tensor_signatures(e: Expr, check: bool = True) -> dict[str, tuple[tuple[bool, ...], Expr]]:
    """Each tensor head with its slot pattern (True = up) and first use.

    With ``check``, one name used with two slot patterns is an error.

    Example:
        >>> from einsteinpy_lite.core.builders import tensor
        >>> tensor_signatures(tensor("A", "^i_j") * tensor("A", "^j_k"))["A"][0]
        (True, False)
    """
    out: dict[str, tuple[tuple[bool, ...], Expr]] = {}
    for node in e.walk():
        sig = node._signature()
        if sig is not None:
            name, pat = sig
            if name not in out:
                out[name] = (pat, node)
            elif check and out[name][0] != pat:
                first = out[name][1]
                raise EinsteinError(
                    f"tensor '{name}' is used with two slot patterns: '{first}' and '{node}'",
                    hint="every use of one tensor name must have the same number of slots and the same variance",
                    index=None,
                )
    return out
