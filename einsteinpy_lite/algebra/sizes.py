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

import functools

from ..core.atoms import Delta, Tensor, Zero
from ..core.elementwise import Apply, Diag
from ..core.expr import Expr, Product, Sum, SumOver, dimension_symbol, fold_delta_loops, replace_sizes
from ..core.matrix_functions import MatrixFunction

__all__ = ["fold_unsized", "anchored", "anchored_names", "replace_sizes"]


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


@functools.lru_cache(maxsize=8192)
def anchored(e: Expr) -> frozenset[str]:
    """The free indices of ``e`` whose size an array decides (a tensor slot carries them, directly or
    through deltas); the others only have the size their name gives them (``N_i``).

    Example:
        >>> from einsteinpy_lite import parse
        >>> sorted(anchored(parse(r"A^i_j \\delta^j_k"))), sorted(anchored(parse(r"\\delta^i_k")))
        (['i', 'k'], [])
    """
    if isinstance(e, Tensor):
        return frozenset(ix.name for ix in e.free)
    if isinstance(e, (Delta, Zero)):
        return frozenset()
    if isinstance(e, Product):
        free = {ix.name for ix in e.free}
        return frozenset(free & anchored_names(list(e.factors)))
    if isinstance(e, Sum):
        return frozenset().union(*(anchored(t) for t in e.terms))
    if isinstance(e, Diag):
        inner = anchored(e.body)
        return inner | {lo.name for u, lo in zip(e.body.free, e.new_indices) if u.name in inner}
    if isinstance(e, (SumOver, Apply, MatrixFunction)):
        return anchored(e.body) & {ix.name for ix in e.free}
    return frozenset(ix.name for ix in e.free)


def anchored_names(factors: list[Expr]) -> set[str]:
    """Names among the factors' free indices whose size an array decides, deltas passing it along.

    Example:
        >>> from einsteinpy_lite import parse
        >>> sorted(anchored_names(list(parse(r"x^i \\delta_i^k \\delta^m_n").factors)))
        ['i', 'k']
    """
    out = set().union(*(anchored(f) for f in factors if not isinstance(f, Delta)))
    links = [(f.indices[0].name, f.indices[1].name) for f in factors if isinstance(f, Delta)]
    changed = True
    while changed:
        changed = False
        for a, b in links:
            if (a in out) != (b in out):
                out |= {a, b}
                changed = True
    return out
