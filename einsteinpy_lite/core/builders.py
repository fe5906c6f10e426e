"""Building expressions in Python: ``tensor("A", "^i_j")``, ``delta``, ``apply``, ``sum_over``, ``scalar``.

Example:
    >>> e = tensor("A", "^i_j") * tensor("y", "^j") + tensor("b", "^i")
    >>> str(e), e.free
    ('A^i_j y^j + b^i', (^i,))
"""

from __future__ import annotations

from typing import Any

from .atoms import Delta, Tensor
from .elementwise import Apply
from .errors import EinsteinError
from .expr import Expr, Product, SumOver, as_expr
from .indices import Index, parse_index_spec
from .scalars import parse_scalar

__all__ = ["tensor", "delta", "apply", "sum_over", "scalar", "hadamard"]


def scalar(value: Any) -> Expr:
    """A scalar coefficient (``2``, ``sympy.Symbol('K')``, ``"2/K"``).

    Text is read by :func:`einsteinpy_lite.core.scalars.parse_scalar` (numbers, names such as
    ``K``, ``N_x``, ``\\alpha`` and arithmetic; never Python's ``eval``).

    Example:
        >>> scalar("2/K").free
        ()
    """
    if isinstance(value, str):
        try:
            return Product(parse_scalar(value), ())  # numbers, names and arithmetic only: never eval
        except EinsteinError as exc:
            raise EinsteinError(f"cannot read scalar {value!r}: {exc.message}", text=exc.text, pos=exc.pos,
                                hint=exc.hint) from None
    return as_expr(value)


def tensor(name: str, *indices: Index | str) -> Tensor:
    """Build a tensor atom from a name and an index spec or :class:`Index` objects.

    Example:
        >>> from einsteinpy_lite.core.indices import up, down
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


def hadamard(*operands: Any) -> Expr:
    """The Hadamard (elementwise) product ``a \\odot b \\odot ...``, as the parser reads it.

    Left to right, an index that both sides have free in the same position is kept (free, not summed);
    an upper and a lower occurrence are summed as in any product.  ``x^i \\odot y^i`` is the elementwise
    product, ``A_b^i_j \\odot B_b^j_k`` a batched matrix product (``b`` kept, ``j`` summed).

    Raises:
        EinsteinError: no operands, or an index rule broken.

    Example:
        >>> e = hadamard(tensor("A", "_b^i_j"), tensor("B", "_b^j_k"))
        >>> print(e)
        A_b^i_j \\odot B_b^j_k
        >>> e.free
        (_b, ^i, _k)
    """
    if not operands:
        raise EinsteinError("hadamard() needs at least one operand")
    acc = as_expr(operands[0])
    for op in operands[1:]:
        r = as_expr(op)
        theirs = {ix.key for ix in r.free if not ix.bound}
        kept = {ix.name for ix in acc.free if not ix.bound and ix.key in theirs}
        acc = Product.make(1, [acc, r], kept)
    return acc
