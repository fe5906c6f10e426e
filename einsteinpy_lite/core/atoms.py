"""Atoms of index expressions: tensors ``A^i_j``, Kronecker deltas and metrics, zero tensors.

Each is an :class:`~einsteinpy_lite.core.expr.Expr` whose index slots are checked when it is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sympy
from sympy.core.symbol import Str

from .cached import cached_property
from .errors import EinsteinError
from .expr import Expr, Zero, contract_slots
from .indices import Index

__all__ = ["Tensor", "Delta", "Zero"]


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
        >>> from einsteinpy_lite.core.builders import tensor
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

    def _signature(self) -> tuple[str, tuple[bool, ...]] | None:
        return self.name, tuple(ix.up for ix in self.indices)

    def map_slots(self, fn: Any) -> Expr:
        return self.with_indices([fn(ix) for ix in self.indices])

    def with_indices(self, indices: Iterable[Index]) -> Tensor:
        """The same head with other slots."""
        return Tensor(self.args[0], indices)  # type: ignore[arg-type]


class Delta(Expr):
    """Kronecker delta ``\\delta^i_j`` or Euclidean metric ``\\delta_{ij}`` / ``\\delta^{ij}``.

    Example:
        >>> from einsteinpy_lite.core.indices import up, down
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

    def map_slots(self, fn: Any) -> Expr:
        first, second = self.indices
        return Delta(fn(first), fn(second))

    def own_indices(self) -> tuple[Index, ...]:
        return self.indices

    @cached_property
    def _free_and_dummies(self) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
        return contract_slots(self.indices, "delta")

    @cached_property
    def open_bound(self) -> frozenset[str]:
        return frozenset(ix.name for ix in self.indices if ix.bound)
