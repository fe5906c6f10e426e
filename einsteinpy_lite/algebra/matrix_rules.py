"""Derivative rules of the matrix functions (:class:`~einsteinpy_lite.core.matrix_functions.MatrixFunction`).

With ``B`` a matrix argument and ``dB`` its derivative (the Matrix Cookbook, eqs. 41, 46, 59):

* ``d B^{-1} = -B^{-1} dB B^{-1}``;
* ``d \\det B = \\det B \\operatorname{tr}(B^{-1} dB)``;
* ``d \\log|\\det B| = \\operatorname{tr}(B^{-1} dB)``;

and with ``z`` a vector argument and ``p = \\operatorname{softmax}(z)``:

* ``d p^{i} = p^{i} \\odot dz^{i} - p^{i} p_{k} dz^{k}`` (the Jacobian ``\\operatorname{diag}(p) - p p^\\top``);
* ``d \\operatorname{logsumexp}(z) = p_{k} dz^{k}``.

Each is written with the matrix functions again, so the rules apply to their own results:
derivatives of every order follow.  Slots are joined through the Euclidean metric (a
``\\delta``, which :func:`~einsteinpy_lite.simplify` contracts), so arguments with any
variance (``X^i_j``, ``X_{ij}``) work.

Example:
    >>> from einsteinpy_lite import parse, diff
    >>> str(diff(parse(r"\\mathrm{logdet}(X^i_j)"), "X^{m}_{n}"))
    '\\\\mathrm{inv}(X^i_m) \\\\delta^n_i'
"""

from __future__ import annotations

from ..core.atoms import Delta
from ..core.expr import Expr, Sum
from ..core.indices import Index
from ..core.matrix_functions import MatrixFunction
from ..core.rename import rename_free
from .diff import Variable, _join, register_rule

__all__: list[str] = []


def _link(a: Index, b: Index) -> Delta:
    """The metric that sums slot ``a`` of one factor against slot ``b`` of another (any variances)."""
    return Delta(a.flip(), b.flip())


def _inverse_of(body: Expr, names: tuple[str, str], var: Variable) -> tuple[MatrixFunction, tuple[Index, Index]]:
    """``inv(body)`` with its two free indices renamed to ``names``; returns it and its two slots."""
    f1, f2 = body.free
    inv = MatrixFunction("inv", rename_free(body, {f1.name: names[0], f2.name: names[1]}, avoid=var.used))
    return inv, (Index(names[0], f1.up), Index(names[1], f2.up))


def _trace_inverse_times_derivative(body: Expr, var: Variable) -> Expr:
    """``\\operatorname{tr}(B^{-1} dB) = (B^{-1})[i, j] dB[j, i]`` with the variable's free indices."""
    f1, f2 = body.free
    i, j, i2, j2 = var.fresh(4)
    inv, (si, sj) = _inverse_of(body, (i, j), var)
    db = var.d(rename_free(body, {f1.name: j2, f2.name: i2}, avoid=var.used))
    return _distributed(1, [inv, _link(sj, Index(j2, f1.up)), _link(si, Index(i2, f2.up))], db, var)


def _distributed(coeff: int, factors: list[Expr], db: Expr, var: Variable, kept: frozenset[str] = frozenset()) -> Expr:
    """``coeff factors db``, one product per term of ``db`` (a sum of products reads as matrices; a
    product with a sum factor of four free indices does not).  ``kept``: the kept (Hadamard) indices."""
    terms = db.terms if isinstance(db, Sum) else (db,)
    return Sum.make([_join(coeff, [*factors, t], var, kept) for t in terms])


def _softmax_times_derivative(body: Expr, var: Variable) -> Expr:
    """``p_{k} dz^{k}`` with ``p = \\operatorname{softmax}(z)``, ``z = body`` (one free index): the derivative
    of ``\\operatorname{logsumexp}(z)``."""
    (f,) = body.free
    k, k2 = var.fresh(2)
    p = MatrixFunction("softmax", rename_free(body, {f.name: k}, avoid=var.used))
    dz = var.d(rename_free(body, {f.name: k2}, avoid=var.used))
    return _distributed(1, [p, _link(Index(k, f.up), Index(k2, f.up))], dz, var)


def _d_softmax(e: MatrixFunction, var: Variable) -> Expr:
    """``d p^{f} = p^{f} \\odot dz^{f} - p^{f} p_{k} dz^{k}`` (``f`` kept in the first term)."""
    body = e.body
    (f,) = body.free
    diagonal = _distributed(1, [e], var.d(body), var, frozenset({f.name}))
    return Sum.make([diagonal, _join(-1, [e, _softmax_times_derivative(body, var)], var)])


@register_rule(MatrixFunction)
def _d_matrix_function(e: MatrixFunction, var: Variable) -> Expr:
    """``d B^{-1} = -B^{-1} dB B^{-1}``, ``d \\det B = \\det B \\operatorname{tr}(B^{-1} dB)``, ``d \\log|\\det B|
    = \\operatorname{tr}(B^{-1} dB)``; softmax and logsumexp as in the module's docstring."""
    body = e.body
    if e.func_name == "softmax":
        return _d_softmax(e, var)
    if e.func_name == "logsumexp":
        return _softmax_times_derivative(body, var)
    if e.func_name == "logdet":
        return _trace_inverse_times_derivative(body, var)
    if e.func_name == "det":
        return _join(1, [e, _trace_inverse_times_derivative(body, var)], var)
    f1, f2 = body.free
    p, q, p2, q2 = var.fresh(4)
    # (B^{-1})[f1, p] dB[p', q'] (B^{-1})[q, f2], p ~ p' and q' ~ q through the metric
    left, (_, sp) = _inverse_of(body, (f1.name, p), var)
    right, (sq, _) = _inverse_of(body, (q, f2.name), var)
    db = var.d(rename_free(body, {f1.name: p2, f2.name: q2}, avoid=var.used))
    links = [_link(sp, Index(p2, f1.up)), _link(Index(q2, f2.up), sq)]
    return _distributed(-1, [left, right, *links], db, var)

