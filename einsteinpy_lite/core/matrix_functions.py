"""Functions that are not elementwise: the inverse, determinant, log-determinant, softmax and log-sum-exp.

A :class:`MatrixFunction` is not applied entry by entry.  ``inv``, ``det`` and ``logdet`` take an
argument with exactly two free indices -- a square matrix whose rows are its first free index and whose
columns are its second; ``softmax`` and ``logsumexp`` take a vector, an argument with exactly one free
index:

* ``inv``: the inverse keeps the argument's two free indices, names and positions:
  ``\\mathrm{inv}(X^{i}_{j})`` is the entry ``(X^{-1})^{i}{}_{j}``, so ``X^{i}_{k}
  \\mathrm{inv}(X^{k}_{j}) = \\delta^{i}_{j}``.  (With the Euclidean metric the positions carry no
  meaning of their own; since ``(X^\\top)^{-1} = (X^{-1})^\\top`` the order of the two free
  indices does not matter either.)
* ``det``: ``\\det(X^{r}_{c})``, a scalar;
* ``logdet``: ``\\mathrm{logdet}(X^{r}_{c}) = \\log|\\det X|`` (``slogdet``'s value), a scalar;
* ``softmax``: ``\\mathrm{softmax}(z^{i})`` keeps the argument's free index:
  ``p^{i} = e^{z^{i}} / \\sum_k e^{z^{k}}``;
* ``logsumexp``: ``\\mathrm{logsumexp}(z^{r}) = \\log \\sum_r e^{z^{r}}``, a scalar.

The argument of ``det``, ``logdet`` and ``logsumexp`` is a closed scope: its free indices are private,
always named ``r`` and ``c`` (so equal determinants are equal nodes), and renaming the indices of an
enclosing expression never reaches them.  These functions are *not* registered as elementwise
functions.  Their derivative rules live in :mod:`einsteinpy_lite.algebra.matrix_rules`.

Example:
    >>> from einsteinpy_lite.core.builders import tensor
    >>> MatrixFunction("inv", tensor("X", "^i_j")).free
    (^i, _j)
    >>> d = MatrixFunction("det", tensor("X", "^a_b"))
    >>> d.free, str(d.body)
    ((), 'X^r_c')
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.core.symbol import Str

from .cached import cached_property
from .errors import EinsteinError
from .expr import Expr, _check_factor
from .indices import Index

__all__ = ["MatrixFunction", "MATRIX_FUNCTIONS", "VECTOR_FUNCTIONS"]

#: name -> LaTeX of the index form (what the index parser reads back)
MATRIX_FUNCTIONS: dict[str, str] = {"inv": r"\mathrm{inv}", "det": r"\det", "logdet": r"\mathrm{logdet}",
                                    "softmax": r"\mathrm{softmax}", "logsumexp": r"\mathrm{logsumexp}"}
#: the functions of a vector (one free index); the others take a square matrix (two)
VECTOR_FUNCTIONS = frozenset({"softmax", "logsumexp"})
#: the functions whose value keeps the argument's free indices; the others are scalars
_KEEPS = frozenset({"inv", "softmax"})
_PRIVATE = ("r", "c")


class MatrixFunction(Expr):
    """``inv``, ``det`` or ``logdet`` of a square matrix (two free indices), ``softmax`` or ``logsumexp`` of a
    vector (one free index).

    Example:
        >>> from einsteinpy_lite.core.builders import tensor
        >>> MatrixFunction("logdet", tensor("X", "_i_j")).free
        ()
    """

    def __new__(cls, name: str | Str, body: Expr) -> MatrixFunction:
        fname = name.name if isinstance(name, Str) else name
        if fname not in MATRIX_FUNCTIONS:
            raise EinsteinError(f"unknown matrix function {fname!r}; known: {', '.join(MATRIX_FUNCTIONS)}")
        body = _check_factor(body)
        if fname in VECTOR_FUNCTIONS:
            if len(body.free) != 1:
                n = len(body.free)
                raise EinsteinError(
                    f"{MATRIX_FUNCTIONS[fname]} takes a vector (one free index), "
                    f"got '{body}' with {n} free ind{'ex' if n == 1 else 'ices'}",
                    hint=f"{MATRIX_FUNCTIONS[fname]} runs over one index: write its argument with exactly one "
                         "free index, e.g. z^{i} (a batch of vectors is not supported)")
        elif len(body.free) != 2:
            raise EinsteinError(
                f"{MATRIX_FUNCTIONS[fname]} takes a square matrix (two free indices), "
                f"got '{body}' with {len(body.free)} free ind{'ex' if len(body.free) == 1 else 'ices'}",
                hint="write the argument with one row and one column index, e.g. X^{i}_{j}")
        if fname not in _KEEPS:
            body = _privatize(body)
        obj: MatrixFunction = sympy.Basic.__new__(cls, Str(fname), body)  # type: ignore[assignment]
        obj._free_and_dummies  # noqa: B018
        return obj

    @property
    def func_name(self) -> str:
        """``"inv"``, ``"det"``, ``"logdet"``, ``"softmax"`` or ``"logsumexp"``."""
        return self.args[0].name  # type: ignore[attr-defined,no-any-return]

    @property
    def body(self) -> Expr:
        """The matrix argument."""
        return self.args[1]  # type: ignore[return-value]

    @property
    def scalar(self) -> bool:
        """True for ``det``, ``logdet`` and ``logsumexp`` (no free indices)."""
        return self.func_name not in _KEEPS

    @property
    def vector(self) -> bool:
        """True for ``softmax`` and ``logsumexp`` (a vector argument: one free index)."""
        return self.func_name in VECTOR_FUNCTIONS

    def children(self) -> tuple[Expr, ...]:
        return (self.body,)

    @cached_property
    def _free_and_dummies(self) -> tuple[tuple[Index, ...], tuple[Index, ...]]:
        return (() if self.scalar else self.body.free), ()

    def map_children(self, fn: Any) -> Expr:
        return MatrixFunction(self.func_name, fn(self.body))

    def map_slots(self, fn: Any) -> Expr:
        if self.scalar:
            # a closed scope: its free indices are its own; an index an enclosing \sum binds is that sum's
            # (renamed with it: d/dW1 of \sum_d \sigma(logsumexp(W1_{d m})) left W1_{u1 r} under \sum_k, harness)
            if not self.body.open_bound:
                return self
            return MatrixFunction(self.func_name, self.body.map_slots(lambda ix: fn(ix) if ix.bound else ix))
        return MatrixFunction(self.func_name, self.body.map_slots(fn))


def _privatize(body: Expr) -> Expr:
    """``body`` with its free indices named ``r`` (and ``c``): a determinant's private names.

    A free index that no tensor slot carries (only deltas hold it) keeps the name written: its size is
    ``N_x`` by that name, and ``N_r`` would be a size nobody gives (``\\mathrm{logsumexp}(\\sum_k
    \\delta^{i1}_{k})`` runs over ``N_i1`` entries).

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(_privatize(parse("X^a_b"))), str(_privatize(parse(r"\\sum_{k} \\delta^{i1}_{k}")))
        ('X^r_c', '\\\\sum_{k} \\\\delta^i1_k')
    """
    from .expr import _carrier
    from .rename import rename_free

    keep = {ix.name for ix in body.free if _carrier(body, ix.name) is None}
    names = iter(n for n in (*_PRIVATE, "r1", "c1", "r2", "c2") if n not in keep)
    mapping = {ix.name: next(names) for ix in body.free if ix.name not in keep}
    return rename_free(body, mapping) if mapping else body
