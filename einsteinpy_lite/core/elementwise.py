"""Expression nodes of elementwise functions: ``\\sigma(z^i)`` (:class:`Apply`) and ``[\\nabla\\sigma]^i_j`` (:class:`Diag`).

The functions themselves (formulas, derivatives, array implementations) are in the
registry of :mod:`einsteinpy_lite.functions`; these nodes name one by its registered name.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any

import sympy
from sympy.core.symbol import Str

from .cached import cached_property
from .errors import EinsteinError
from .expr import Expr, _check_factor, contract_slots
from .functions import get_function
from .indices import Index

__all__ = ["Apply", "Diag"]


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
        >>> from einsteinpy_lite.core.builders import apply, tensor
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
        body = fn(self.body)
        if body is self.body:
            return self
        # the function and order are this node's own, already checked: only the new argument is
        obj: Apply = sympy.Basic.__new__(type(self), self.args[0], self.args[1], _check_factor(body))  # type: ignore[assignment]
        return obj


class Diag(_FunctionNode):
    """The diagonal tensor of an elementwise derivative: ``f^{(n)}(z^{i}) \\delta^{i}_{j}``.

    ``Diag("sigmoid", 1, z, [down("j")])`` is ``[\\nabla\\sigma]^{i}{}_{j}``: its
    free indices are ``z``'s, then the new ones (opposite variance, one per
    free index of ``z``).

    Example:
        >>> from einsteinpy_lite.core.builders import tensor
        >>> from einsteinpy_lite.core.indices import down
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

    def map_slots(self, fn: Any) -> Expr:
        return Diag(self.func_name, self.order, self.body.map_slots(fn), [fn(ix) for ix in self.new_indices])

    def own_indices(self) -> tuple[Index, ...]:
        return self.new_indices

    def map_own_slots(self, fn: Any) -> Expr:
        return Diag(self.func_name, self.order, self.body, [fn(ix) for ix in self.new_indices])

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
