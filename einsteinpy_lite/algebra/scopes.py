"""Scopes and names in derivatives: fresh names, renaming free indices scope-aware, clearing clashing dummies.

:func:`einsteinpy_lite.algebra.diff.diff` and :mod:`.diff_simplify` both keep the index names of an
expression apart from the names a derivative introduces; the bookkeeping they share lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from ..core.atoms import Delta, Tensor, Zero
from ..core.elementwise import Apply, Diag
from ..core.expr import Expr, Product, SumOver
from ..core.indices import Index, fresh_names
from ..core.matrix_functions import MatrixFunction
from ..core.rename import _map_indices
from .sizes import anchored_names

__all__ = ["NameSupply", "apart", "avoid_names"]

_N = TypeVar("_N", bound=Expr)


@dataclass
class NameSupply:
    """Fresh index names: never one in ``used``, taken from ``pool`` first.

    Example:
        >>> NameSupply({"u1", "i"}).fresh(2)
        ['u2', 'u3']
    """

    used: set[str]
    pool: list[str] = field(default_factory=list, repr=False, kw_only=True)

    def fresh(self, count: int) -> list[str]:
        """``count`` index names used nowhere in the expression or its derivative so far."""
        names = [n for n in self.pool if n not in self.used][:count]
        names += fresh_names(self.used | set(names), count - len(names))
        self.used.update(names)
        return names


def _rename_slot(ix: Index, target: Index | None) -> Index:
    return ix.renamed(target.name) if target is not None else ix


def _map_free(e: _N, mapping: Mapping[str, Index | None], convert: Callable[[Index, Index | None], Index]) -> _N:
    """Rebuild ``e`` with each *free* occurrence of the names in ``mapping`` converted.

    Scope-aware: a factor where the name is a local dummy is left alone.
    """
    names = {ix.name for ix in e.free if ix.name in mapping}
    if not names:
        return e

    def slot(ix: Index) -> Index:
        return convert(ix, mapping[ix.name]) if (ix.name in names and not ix.bound) else ix

    out: Expr
    if isinstance(e, Tensor):
        out = e.with_indices([slot(ix) for ix in e.indices])
    elif isinstance(e, Delta):
        out = Delta(slot(e.indices[0]), slot(e.indices[1]))
    elif isinstance(e, Zero):
        out = Zero([slot(ix) for ix in e.indices])
    elif isinstance(e, Diag):
        body = _map_free(e.body, mapping, convert)
        keep: list[Index] = []
        deltas: list[Expr] = []
        for u, lo in zip(e.body.free, e.new_indices):
            v = slot(u)
            if v.bound:  # a diagonal index now bound by a \sum: the diagonal becomes a delta through it
                deltas.append(Delta(v, slot(lo)))
            else:
                keep.append(slot(lo))
        value: Expr = Diag(e.func_name, e.order, body, keep) if keep else Apply(e.func_name, e.order, body)
        out = Product.make(1, [value, *deltas]) if deltas else value
    elif isinstance(e, Product):
        sub = {k: v for k, v in mapping.items() if k in names}
        # a kept index follows its slots (bound by a \sum now, it is no longer kept: Product.make drops it)
        kept = {slot(next(ix for f in e.factors for ix in f.free if ix.name == k and not ix.bound)).name
                for k in e.kept}
        out = Product.make(e.coeff, [_map_free(f, sub, convert) for f in e.factors], kept)
    elif isinstance(e, Apply):
        out = Apply(e.func_name, e.order, _map_free(e.body, mapping, convert))
    elif isinstance(e, MatrixFunction):
        # an index of the inverse now bound by a \sum stays a free (matrix) index of the argument, under a
        # fresh name, and a delta outside carries it to the bound one (as for a diagonal above)
        links: list[Expr] = []
        inner: dict[str, Index | None] = {}
        for u in e.body.free:
            if u.name in names and slot(u).bound:
                (w,) = fresh_names(e.all_names() | set(mapping) | {t.name for t in mapping.values() if t}, 1, stem="w")
                inner[u.name] = Index(w)
                links.append(Delta(Index(w, not u.up), slot(u)))
        body = _map_free(e.body, inner, _rename_slot) if inner else e.body
        body = _map_free(body, {k: v for k, v in mapping.items() if k not in inner}, convert)
        value = MatrixFunction(e.func_name, body)
        out = Product.make(1, [value, *links]) if links else value
    elif isinstance(e, SumOver):
        out = SumOver.make(e.index_name, e.bounds, _map_free(e.body, mapping, convert))
    else:
        out = e.map_children(lambda c: _map_free(c, mapping, convert))
    return out  # type: ignore[return-value]


def _bind_free(e: Expr, names: Mapping[str, str]) -> Expr:
    """Rename free indices ``u -> p`` and mark them bound by an enclosing ``\\sum_p``."""
    table = {k: Index(v, True, True) for k, v in names.items()}
    return _map_free(e, table, lambda ix, new: Index(new.name if new else ix.name, ix.up, True))


def _rename_all(e: Expr, old: str, new: str, bound: bool) -> Expr:
    """Rename every slot named ``old`` (bound or not, as given) to ``new``, in every scope."""
    return _map_indices(e, lambda ix: ix.renamed(new) if (ix.name == old and ix.bound == bound) else ix)


def _clear_names(e: Expr, names: set[str], var: NameSupply) -> Expr:
    """Rename dummies and ``\\sum``-bound indices of ``e`` named like the variable's indices."""
    if not (e.index_names() & names):
        return e
    if isinstance(e, (Tensor, Delta, Zero)):
        for d in e._free_and_dummies[1]:
            if d.name in names:
                e = _rename_all(e, d.name, var.fresh(1)[0], False)
        return e
    if isinstance(e, Product):
        factors = list(e.factors)
        for d in e._free_and_dummies[1]:
            if d.name in names:
                (new,) = var.fresh(1)
                target = {d.name: Index(new)}
                factors = [_map_free(f, target, _rename_slot) for f in factors]
        return Product.make(e.coeff, [_clear_names(f, names, var) for f in factors], e.kept)
    if isinstance(e, SumOver):
        if e.index_name in names:
            moved = e.rename_index(var.fresh(1)[0])
            if not isinstance(moved, SumOver):
                return _clear_names(moved, names, var)
            e = moved
        return SumOver.make(e.index_name, e.bounds, _clear_names(e.body, names, var))
    if isinstance(e, Diag):
        return Diag(e.func_name, e.order, _clear_names(e.body, names, var), e.new_indices)
    return e.map_children(lambda c: _clear_names(c, names, var))


def avoid_names(e: Expr, names: set[str] | frozenset[str]) -> Expr:
    """Rename the dummies and ``\\sum``-bound indices of ``e`` that are named in ``names``.

    Use it before multiplying ``e`` with a factor that sums indices of the same
    names in its own scope.

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(avoid_names(parse("A^i_j y^j"), {"j"}))
        'A^i_u1 y^u1'
    """
    var = NameSupply(e.index_names() | set(names))
    return _clear_names(e, set(names), var)


def _unique_dummies(e: Expr, seen: set[str], var: NameSupply, outer: frozenset[str] = frozenset()) -> Expr:
    """Give every dummy and ``\\sum``-bound index a name used by no enclosing or earlier scope.

    The rules copy sub-expressions (a factor that is a sum lands in several
    terms beside the derivative of another factor), so one name may end up
    summed in nested scopes; that is valid, but the simplifier, which expands
    sums inside products, reads it wrongly.  A dummy whose space no array sizes
    (``\\delta^\\mu_c \\mathrm{softplus}(\\delta_\\mu^c)``: its size is ``N_\\mu``, by its name) keeps
    its name where only an earlier, not an enclosing, scope used it (seed 130641402); ``outer``:
    the names the enclosing scopes bind.
    """
    if isinstance(e, (Tensor, Delta, Zero)):
        for d in e._free_and_dummies[1]:
            if d.name in seen:
                e = _rename_all(e, d.name, var.fresh(1)[0], False)
            seen.add(d.name)
        return e
    if isinstance(e, Product):
        factors = list(e.factors)
        dummies = [d.name for d in e._free_and_dummies[1]]
        sizeless: set[str] = set()
        if any(n in seen and n not in outer for n in dummies):
            sizeless = set(dummies) - anchored_names(factors)
        for name in dummies:
            if name in seen and not (name in sizeless and name not in outer):
                (new,) = var.fresh(1)
                factors = [_map_free(f, {name: Index(new)}, _rename_slot) for f in factors]
                seen.add(new)
                name = new
            else:
                seen.add(name)
            outer = outer | {name}
        return Product.make(e.coeff, [_unique_dummies(f, seen, var, outer) for f in factors], e.kept)
    if isinstance(e, SumOver):
        if e.index_name in seen:
            moved = e.rename_index(var.fresh(1)[0])
            if not isinstance(moved, SumOver):
                return _unique_dummies(moved, seen, var, outer)
            e = moved
        seen.add(e.index_name)
        return SumOver.make(e.index_name, e.bounds, _unique_dummies(e.body, seen, var, outer | {e.index_name}))
    if isinstance(e, (Apply, Diag, MatrixFunction)):
        # a function's argument is its own scope, simplified on its own (diff_simplify): leave it
        # as it is, so that equal arguments stay equal
        return e
    return e.map_children(lambda c: _unique_dummies(c, seen, var, outer))


def apart(e: Expr, outer: set[str], var: NameSupply) -> Expr:
    """Rename every binding (a product's dummy, a tensor's own trace, a ``\\sum``'s index) that reuses a
    name bound or free *around* it, so that no rewrite can put an index into a scope that already uses
    its name.  Sibling scopes may keep one name (they cannot meet); function arguments are their own
    scope and are left alone.

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(apart(parse(r"C^{i} \\delta_{i m} G^{m j}_{j}"), set(), NameSupply({"i", "j", "m"})))
        'C^i \\\\delta_{i m} G^{m j}_j'
        >>> str(apart(parse(r"C^{j} \\delta_{j m} G^{m j}_{j}"), set(), NameSupply({"j", "m"})))
        'C^j \\\\delta_{j m} G^{m u1}_u1'
    """
    if isinstance(e, (Tensor, Delta, Zero)):
        for d in e._free_and_dummies[1]:
            if d.name in outer:
                e = _rename_all(e, d.name, var.fresh(1)[0], False)
        return e
    if isinstance(e, Product):
        factors = list(e.factors)
        dummies = []
        for d in e._free_and_dummies[1]:
            name = d.name
            if name in outer:
                (name,) = var.fresh(1)
                factors = [_map_free(f, {d.name: Index(name)}, _rename_slot) for f in factors]
            dummies.append(name)
        inner = outer | set(dummies) | {ix.name for ix in e.free}
        return Product.make(e.coeff, [apart(f, inner, var) for f in factors], e.kept)
    if isinstance(e, SumOver):
        if e.index_name in outer:
            moved = e.rename_index(var.fresh(1)[0])
            if not isinstance(moved, SumOver):
                return apart(moved, outer, var)
            e = moved
        return SumOver.make(e.index_name, e.bounds, apart(e.body, outer | {e.index_name}, var))
    if isinstance(e, (Apply, Diag)):
        return e
    return e.map_children(lambda c: apart(c, outer, var))
