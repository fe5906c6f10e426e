"""Sizes that no array carries: fold them to their size symbol while the user's names still stand.

An index whose space touches no tensor slot -- a trace ``\\delta^d_d``, a loop of deltas
``\\delta^a_b \\delta^b_a``, the index of a ``\\sum_k`` whose body does not carry ``k`` -- has a size
that only the user can give, and the user gives it by the name they wrote: ``N_d``, ``N_a``, ``N_k``.
A rewrite that renames dummies (``diff`` does, to keep the names it introduces apart) would cut that
link: ``\\delta^{u1}_{u1}`` asks for an ``N_u1`` nobody knows.  :func:`fold_unsized` therefore replaces
each such space by its size symbol first, under the name the user wrote, after which renaming
cannot change it.

Example:
    >>> from einsteinpy_lite import parse
    >>> str(fold_unsized(parse(r"\\delta^d_d x^i + \\sum_{k} y^i")))
    '\\\\mathrm{N_d} x^i + \\\\mathrm{N_k} y^i'
"""

from __future__ import annotations

import sympy

from ..core.atoms import Delta
from ..core.expr import Expr, Product, SumOver, dimension_symbol, fold_delta_loops

__all__ = ["fold_unsized"]


def fold_unsized(e: Expr) -> Expr:
    """``e`` with every index space that no tensor slot carries replaced by its size symbol ``N_x``.

    Folded: a delta's trace (``\\delta^d_d`` -> ``N_d``), a closed loop of deltas in one product
    (``\\delta^a_b \\delta^b_a`` -> ``N_a``), and a ``\\sum_k`` whose body does not carry ``k``
    (``N_k`` times the body; with bounds, their count).  The value is unchanged; the sizes now
    belong to the names the user wrote, whatever is renamed later.

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(fold_unsized(parse(r"\\delta^a_b \\delta^b_a A^i_i")))
        '\\\\mathrm{N_a} A^i_i'
    """
    if not any(isinstance(n, (Delta, SumOver)) for n in e.walk()):
        return e  # nothing to fold: no rebuild (simplify calls this on every function argument)
    return _fold(e)


def _fold(e: Expr) -> Expr:
    if isinstance(e, Delta):
        a, b = e.indices
        if a.name == b.name and not a.bound and not b.bound:
            return Product.make(dimension_symbol(a.name), [])
        return e
    if not e.children():
        return e
    e = e.map_children(_fold)
    if isinstance(e, SumOver) and e.index_name not in e.body.open_bound:
        return Product.make(e.count, [e.body])
    if isinstance(e, Product):
        return fold_delta_loops(e)
    return e


def replace_sizes(e: Expr, mapping: dict[sympy.Symbol, sympy.Expr]) -> Expr:
    """``e`` with the size symbols in ``mapping`` replaced in every coefficient and ``\\sum`` bound.

    Example:
        >>> from einsteinpy_lite import parse
        >>> from einsteinpy_lite.core.expr import slot_size_symbol
        >>> str(replace_sizes(parse(r"\\dim(x, 1) y^i"), {slot_size_symbol("x", 0): dimension_symbol("m")}))
        '\\\\mathrm{N_m} y^i'
    """
    if not mapping or not (e.scalar_symbols() & set(mapping)):
        return e
    if isinstance(e, Product):
        return Product.make(e.coeff.xreplace(mapping), [replace_sizes(f, mapping) for f in e.factors])
    if isinstance(e, SumOver):
        return SumOver(e.index_name, tuple(b.xreplace(mapping) for b in e.bounds), replace_sizes(e.body, mapping))
    return e.map_children(lambda c: replace_sizes(c, mapping))
