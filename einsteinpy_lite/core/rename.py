"""Index surgery: fresh names, renaming free indices without capturing dummies, binding for ``\\sum``.

Example:
    >>> from einsteinpy_lite import parse
    >>> str(rename_free(parse("A^i_j y^j"), {"i": "j"}))
    'A^j_u1 y^u1'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .atoms import Delta, Tensor, Zero
from .elementwise import Diag
from .errors import EinsteinError
from .expr import Expr, Product, SumOver
from .indices import fresh_names

__all__ = ["fresh_names", "rename_free"]


def _map_indices(e: Expr, fn: Any) -> Expr:
    """Rebuild ``e`` with every written index slot mapped through ``fn`` (no scoping)."""
    return e.map_slots(fn)


def _bind(body: Expr, name: str) -> Expr:
    """Mark the index ``name`` as bound everywhere in ``body`` (for ``\\sum``)."""
    return _map_indices(body, lambda ix: ix.with_bound(True) if ix.name == name else ix)


def rename_free(e: Expr, mapping: Mapping[str, str], avoid: Iterable[str] = ()) -> Expr:
    """Rename free indices of ``e`` (``{"i": "m"}``), renaming clashing dummies out of the way.

    Example:
        >>> from einsteinpy_lite.core.builders import tensor
        >>> e = tensor("A", "^i_j") * tensor("y", "^j")
        >>> str(rename_free(e, {"i": "j"}))
        'A^j_u1 y^u1'
    """
    if not isinstance(mapping, Mapping) or not all(isinstance(v, str) for v in mapping.values()):
        raise EinsteinError(f"rename_free takes a dict old name -> new name, got {mapping!r}", hint="e.g. {'i': 'm'}")
    mapping = {k: v for k, v in mapping.items() if k != v}
    if not mapping:
        return e
    used = e.index_names() | set(mapping.values()) | set(avoid)
    return _rename(e, dict(mapping), used)


def _rename(e: Expr, mapping: dict[str, str], used: set[str]) -> Expr:
    if not (mapping.keys() & e._index_names) or not e.free:
        # nothing to rename here (a node without free indices, such as \det(X^r_c), has only its own
        # names), so nothing here can be captured by a new name
        return e
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
        if e.kept:
            free = {ix.name for ix in e.free}
            for k, v in mapping.items():
                if k in free and v in free and v not in mapping and (k in e.kept or v in e.kept):
                    # in a Hadamard product the two would silently become one kept index
                    raise EinsteinError(f"cannot rename '{k}' to '{v}' in '{e}': '{v}' is already free there",
                                        hint="rename to a name the expression does not use", index=k)
        local = {k: v for k, v in mapping.items()}
        for d in e._free_and_dummies[1]:
            if d.name in targets or d.name in mapping:
                (new,) = fresh_names(used, 1)
                used.add(new)
                local[d.name] = new
        return Product.make(e.coeff, [_rename(f, {k: v for k, v in local.items() if k in f.index_names()}, used)
                                      for f in e.factors], {local.get(k, k) for k in e.kept})
    if isinstance(e, SumOver):
        if e.index_name in targets:
            (new,) = fresh_names(used, 1)
            used.add(new)
            moved = e.rename_index(new)
            if not isinstance(moved, SumOver):  # folded: N_k times the body
                return _rename(moved, mapping, used)
            e = moved
        return SumOver.make(e.index_name, e.bounds, _rename(e.body, mapping, used))
    if isinstance(e, Diag):
        return Diag(e.func_name, e.order, _rename(e.body, mapping, used),
                    [ix.renamed(mapping[ix.name]) if ix.name in mapping else ix for ix in e.new_indices])
    return e.map_children(lambda c: _rename(c, mapping, used))
