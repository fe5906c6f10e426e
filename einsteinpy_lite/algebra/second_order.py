r"""Second order without the full Hessian: Hessian-vector and Gauss-Newton-vector products as index expressions.

:func:`hvp` is the directional derivative of the gradient: with ``V`` a tensor with the slots of
the variable,

.. math:: (H V)_{m}{}^{n} = \frac{\partial}{\partial A^{m}{}_{n}} \sum_{p q}
          \frac{\partial L}{\partial A^{p}{}_{q}} V^{p}{}_{q},

so the vector is contracted into the expression before anything is differentiated a second
time, and the compiler contracts it wherever its planner finds cheapest: the Hessian itself is
never an array.  The new free indices follow :func:`einsteinpy_lite.diff`'s convention: the
variable's names with the opposite variance (``_m``, ``^n`` for ``A^{m}_{n}``).  A vector along
another parameter (``{"B": "U"}``) gives the block ``H_{AB} U``; a dict of several gives the
sum of the blocks (a row of blocks of the Hessian times the whole vector).

:func:`hessian_diagonal` ties the two copies of the variable's indices with kept indices
(``\\odot``), term by term, so the diagonal is planned per entry and the Hessian never exists.

:func:`ggn_vp` is the Gauss-Newton-vector product ``J^T J V`` of a residual ``r`` (any free
indices, all contracted with the Euclidean metric), ``J = \partial r / \partial A``; for the
loss ``r \cdot r`` the Gauss-Newton matrix is ``2 J^T J``.

>>> from einsteinpy_lite import parse
>>> print(hvp(parse("x_i A^i_j y^j x_k A^k_l y^l"), "A^{m}_{n}", "V"))
2 x_m y^n x_i V^i_j y^j
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.atoms import Delta, Tensor
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, Sum, SumOver, Zero
from ..core.indices import Index
from ..core.rename import fresh_names, rename_free
from ..notation.parse import expression
from .diff import _variable, diff
from .diff_simplify import simplify_derivative
from .scopes import avoid_names

__all__ = ["hvp", "ggn_vp", "hessian_block", "hessian_diagonal", "collect_factors"]

Vectors = Any  # a name, a tensor (or its text), or a dict of them by parameter name


def _is_bare_name(text: str) -> bool:
    return not any(c in text for c in "^_{} ") or (text.startswith("\\") and not any(c in text for c in "^_ "))


def _vector(v: Any, param: str, pattern: tuple[bool, ...], taken: set[str], e: Expr) -> Tensor:
    """The vector along ``param`` with fresh index names, its slots as ``param``'s in ``e``."""
    given: Tensor | None = None
    if isinstance(v, Tensor):
        given = v
    elif isinstance(v, str) and v.strip() and not _is_bare_name(v.strip()):
        parsed = expression(v, "hvp")
        if not isinstance(parsed, Tensor):
            raise EinsteinError(f"the vector along '{param}' must be a tensor name such as 'V' or a tensor "
                                f"such as 'V^{{p}}_{{q}}', got '{v}'", hint="pass a bare name: hvp(e, 'A^{m}_{n}', 'V')")
        given = parsed
    elif not (isinstance(v, str) and v.strip()):
        raise EinsteinError(f"the vector along '{param}' must be a tensor name such as 'V', got {v!r}",
                            hint="pass a bare name: hvp(e, 'A^{m}_{n}', 'V')")
    name = given.name if given is not None else v.strip()
    want = "".join("^" if u else "_" for u in pattern)
    if given is not None and given.indices and tuple(ix.up for ix in given.indices) != pattern:
        have = "".join("^" if ix.up else "_" for ix in given.indices)
        raise EinsteinError(f"the vector '{given}' has the slots {have}, the parameter '{param}' has {want or 'none'}",
                            hint=f"the vector along '{param}' needs the parameter's slots; or pass just its name")
    if name in e.tensors():
        raise EinsteinError(f"the vector's name '{name}' is already a tensor of the expression",
                            hint="name the vector with a tensor name the expression does not use")
    names = fresh_names(taken, len(pattern), stem="v")
    taken.update(names)
    return Tensor(name, [Index(n, u) for n, u in zip(names, pattern)])


def _blocks(e: Expr, wrt_name: str, vector: Vectors, what: str) -> dict[str, Any]:
    """The vector's parts by parameter name (one part along the variable itself by default)."""
    parts = dict(vector) if isinstance(vector, Mapping) else {wrt_name: vector}
    if not parts:
        raise EinsteinError(f"{what}: the vector has no parts", hint="e.g. {'A': 'V', 'b': 'u'}")
    sigs = e.tensors()
    for p in parts:
        if not isinstance(p, str) or p not in sigs:
            raise EinsteinError(f"{what}: missing parameter block: '{p}' is not a tensor of '{e}' "
                                f"(its tensors are {', '.join(sorted(sigs))})",
                                hint="give the vector's parts by the names of the parameters they go along")
    return parts


def _directional(e: Expr, parts: Mapping[str, Any], taken: set[str], avoid: set[str]) -> Expr:
    """``\\sum_q \\partial e / \\partial q \\cdot V_q``: the derivative of ``e`` along the vector (free: ``e``'s)."""
    sigs = e.tensors()
    terms: list[Expr] = []
    for p, v in parts.items():
        pattern = sigs[p]
        names = fresh_names(taken | avoid, len(pattern), stem="w")
        taken.update(names)
        g = diff(e, Tensor(p, [Index(n, u) for n, u in zip(names, pattern)]))
        vec = _vector(v, p, pattern, taken, e)
        # V's slots: the gradient's new free indices (named after the variable) flipped back,
        # so each contracts with its partner whatever variance simplify left on it
        flipped = {ix.name: ix for ix in g.free}
        vec = Tensor(vec.name, [Index(n, not flipped[n].up) if n in flipped else Index(n, u)
                                for n, u in zip(names, pattern)])
        g = avoid_names(g, {ix.name for ix in vec.indices} - set(names))
        terms.append(simplify_derivative(Product.make(1, [g, vec])))
    return Sum.make(terms)


def hvp(expr: Expr | str, wrt: Tensor | str, vector: Vectors) -> Expr:
    """The Hessian-vector product ``\\sum_{pq} \\partial^2 expr / \\partial A^{m}_{n} \\partial A^{p}_{q} V^{p}_{q}``.

    Args:
        expr: a scalar expression (or its text).
        wrt: the variable, a tensor with fresh index names (``"A^{m}_{n}"``).
        vector: the vector's tensor name (``"V"``: it gets the variable's slots), or the tensor
            written out (``"V^{p}_{q}"``, its slots checked), or a dict of them by parameter
            name (``{"A": "V", "b": "u"}``): the sum of the Hessian blocks ``H_{A q} V_q``.

    Returns:
        The product, with free indices the variable's names, opposite variance (as ``diff``).

    Raises:
        EinsteinError: ``expr`` has free indices; the vector has other slots than its
            parameter, or names a tensor the expression uses; a part of the vector goes
            along a tensor the expression does not have.

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(hvp(parse(r"x_i A^i_j A^j_k y^k"), "A^{m}_{n}", "V"))
        'x_m V^n_i y^i + x_i V^i_m y^n'
    """
    e = expression(expr, "hvp")
    if e.free:
        raise EinsteinError(f"hvp needs a scalar expression, but '{e}' has the free indices "
                            f"{', '.join(ix.name for ix in e.free)}",
                            hint="the Hessian-vector product is of a scalar (a loss); contract the free indices first")
    target = _variable(wrt)
    parts = _blocks(e, target.name, vector, "hvp")
    taken = set(e.all_names()) | {ix.name for ix in target.indices}
    gradient = diff(e, target)
    if isinstance(gradient, Zero):
        return Zero(tuple(ix.flip() for ix in target.indices))
    # the directional derivative of the gradient, as Pearlmutter's R-operator: every parameter P becomes
    # P + t V_P and the gradient is differentiated by the scalar t at t = 0.  The tangent of an argument
    # (V_A y + V_b inside \sigma) is then one factor, computed once, where differentiating the directional
    # derivative term by term made one contraction per (parameter, block) pair (15 matrix products for the
    # single-layer net's H v against 11)
    names = {p: _vector(v, p, e.tensors()[p], taken, e).name for p, v in parts.items()}
    t = Tensor(_fresh_tensor_name(e.tensors().keys() | set(names.values()), "t"), [])
    moved = _move(gradient, names, t)
    # t = 0 before simplifying: every argument sheds its t-term first (depth-4 MLPs: 37 s -> a few)
    out = _at_zero(diff(moved, t, simplify=False), t.name)
    if isinstance(out, Zero):
        return Zero(tuple(ix.flip() for ix in target.indices))
    return collect_factors(simplify_derivative(out))


def _fresh_tensor_name(used: set[str], stem: str) -> str:
    """A tensor name not in ``used``: ``stem``, else ``stem1``, ``stem2``, ..."""
    if stem not in used:
        return stem
    n = 1
    while f"{stem}{n}" in used:
        n += 1
    return f"{stem}{n}"


def _move(e: Expr, vectors: Mapping[str, str], t: Tensor) -> Expr:
    """``e`` with every tensor ``P`` of ``vectors`` replaced by ``P + t V_P`` (``V_P`` with ``P``'s slots)."""
    if isinstance(e, Tensor) and e.name in vectors:
        return Sum.make([e, Product.make(1, [t, Tensor(vectors[e.name], e.indices)])])
    return e.map_children(lambda c: _move(c, vectors, t))


def _at_zero(e: Expr, name: str) -> Expr:
    """``e`` with the scalar tensor ``name`` set to 0."""
    if isinstance(e, Tensor) and e.name == name:
        return Product.make(0, [])
    return e.map_children(lambda c: _at_zero(c, name))


def hessian_block(expr: Expr | str, wrt: Tensor | str, wrt2: Tensor | str) -> Expr:
    """The block ``\\partial^2 expr / \\partial A^{m}_{n} \\partial B^{p}_{q}`` of the Hessian (free ``m, n, p, q``).

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(hessian_block(parse("x_i A^i_j b^j"), "A^{m}_{n}", "b^{p}"))
        'x_m \\\\delta^n_p'
    """
    e = expression(expr, "hessian_block")
    if e.free:
        raise EinsteinError(f"hessian_block needs a scalar expression, but '{e}' has the free indices "
                            f"{', '.join(ix.name for ix in e.free)}", hint="contract the free indices first")
    first, second = _variable(wrt), _variable(wrt2)
    clash = {ix.name for ix in first.indices} & {ix.name for ix in second.indices}
    if clash:
        raise EinsteinError(f"the variables '{first}' and '{second}' share the index name '{sorted(clash)[0]}'",
                            hint="give the two variables different index names")
    return diff(diff(e, first), second)


def ggn_vp(residual: Expr | str, wrt: Tensor | str, vector: Vectors) -> Expr:
    """The Gauss-Newton-vector product ``J^T J V`` of a residual ``r`` (``J = \\partial r / \\partial A``).

    Every free index of the residual is summed with the Euclidean metric: ``J V`` (one directional
    derivative of ``r``) is formed first and then pulled back, so neither ``J`` nor ``J^T J`` is an
    array.  For the loss ``\\sum r^2`` the Gauss-Newton matrix is ``2 J^T J``.

    Args:
        residual: the residual (any free indices), or its text.
        wrt: the variable, a tensor with fresh index names.
        vector: as for :func:`hvp`.

    Returns:
        The product, with free indices the variable's names, opposite variance.

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(ggn_vp(parse("A^i_j y^j - x^i"), "A^{m}_{n}", "V"))
        'y^i V_{m i} y^n'
    """
    r = expression(residual, "ggn_vp")
    target = _variable(wrt)
    names = {ix.name for ix in target.indices}
    clash = [ix for ix in r.free if ix.name in names]
    if clash:
        raise EinsteinError(f"the variable '{target}' reuses '{clash[0].name}', a free index of the residual '{r}'",
                            hint="give the variable fresh index names")
    parts = _blocks(r, target.name, vector, "ggn_vp")
    taken = set(r.all_names()) | names
    jv = _directional(r, parts, taken, names)
    jac = diff(r, target)
    if isinstance(jv, Zero) or isinstance(jac, Zero):
        return Zero(tuple(ix.flip() for ix in target.indices))
    # rename J V's free indices apart, and join them to J's with the metric delta_{i i'}
    fresh = fresh_names(taken | jac.index_names() | jv.index_names(), len(r.free), stem="r")
    jv = rename_free(jv, {ix.name: n for ix, n in zip(r.free, fresh)}, avoid=taken | jac.index_names())
    jv = avoid_names(jv, jac.index_names() - set(fresh))
    metric = [Delta(Index(n, not ix.up), Index(ix.name, not ix.up)) for ix, n in zip(r.free, fresh)]
    return collect_factors(simplify_derivative(Product.make(1, [jv, *metric, jac])))


# =================================================================== collecting common factors


def collect_factors(e: Expr) -> Expr:
    """Distribute back: pull common factors out of sums, so the compiler contracts them once.

    Differentiating twice leaves sums whose terms share a factor (``y_k^{n}`` in every term of
    the Hessian-vector product of a layer's weight): written once in front of the sum, the
    compiler does one contraction with it instead of one per term.  Three rewrites, bottom up:

    * ``\\sum_l F G_l = F \\sum_l G_l`` for the factors ``F`` that do not use ``l``;
    * ``a \\sum_k F X_k + b \\sum_k F Y_k = \\sum_k F (a X_k + b Y_k)`` (same bounds; one
      ``\\sum_k`` per group of terms that share a factor);
    * ``F X + F Y = F (X + Y)`` for a factor ``F`` whose indices are free in the sum (or
      bound by an enclosing ``\\sum``), the factor most terms share first.

    Each is an identity; a rewrite whose result would not be a well-formed expression is skipped.

    Example:
        >>> from einsteinpy_lite import parse
        >>> print(collect_factors(parse("x_i A^i_j y^n + z_i B^i_j y^n")))
        (x_i A^i_j + z_i B^i_j) y^n
    """
    try:
        return _collect(e)
    except EinsteinError:  # pragma: no cover - every rewrite checks itself; keep the input if one slips
        return e


def _collect(e: Expr) -> Expr:
    if isinstance(e, Sum):
        return _factor_sum(_merge_sums([_collect(t) for t in e.terms]))
    if isinstance(e, Product):
        return Product.make(e.coeff, [_collect(f) for f in e.factors], e.kept)
    if isinstance(e, SumOver):
        return SumOver.make(e.index_name, e.bounds, _collect(e.body))
    return e


def _as_sum_over(t: Expr) -> tuple[Any, SumOver] | None:
    """``coeff * \\sum_k body`` as ``(coeff, the sum)``; None for any other term."""
    if isinstance(t, SumOver):
        return 1, t
    if isinstance(t, Product) and len(t.factors) == 1 and isinstance(t.factors[0], SumOver):
        return t.coeff, t.factors[0]
    return None


def _merge_sums(terms: list[Expr]) -> list[Expr]:
    """Terms ``c \\sum_k X`` with the same bound name and bounds become one ``\\sum_k``."""
    groups: dict[Any, list[Expr]] = {}
    for n, t in enumerate(terms):
        so = _as_sum_over(t)
        key: Any = (so[1].index_name, so[1].bounds) if so is not None else n
        groups.setdefault(key, []).append(t)
    out: list[Expr] = []
    for key, group in groups.items():
        if len(group) == 1:
            out.extend(group)
            continue
        parts = [p for p in (_as_sum_over(t) for t in group) if p is not None]
        try:
            body = Sum.make([Product.make(c, [so.body]) for c, so in parts])
            inner = list(body.terms) if isinstance(body, Sum) else [body]
            factored = _factor_sum(inner)
            # one \\sum_k per group that shares a factor: a sum of terms inside one \\sum_k would be
            # an array over k and all their free indices (per-sample outer products) before the sum
            groups_k = list(factored.terms) if isinstance(factored, Sum) else [factored]
            out.extend(SumOver.make(key[0], key[1], g) for g in groups_k)
        except EinsteinError:
            out.extend(group)
    return out


def _available(t: Expr) -> list[Expr]:
    """The factors of a term, with those of a nested ``\\sum_l`` that do not use ``l``."""
    fs = list(t.factors) if isinstance(t, Product) else [t]
    out = []
    for f in fs:
        out.append(f)
        if isinstance(f, SumOver) and isinstance(f.body, Product):
            out += [g for g in f.body.factors if f.index_name not in g.index_names()]
    return out


def _without(t: Expr, g: Expr) -> Expr:
    """The term ``t`` with one factor ``g`` taken out (directly, or out of a nested ``\\sum``)."""
    coeff, fs = (t.coeff, list(t.factors)) if isinstance(t, Product) else (1, [t])
    if g in fs:
        fs.remove(g)
        return Product.make(coeff, fs)
    for n, f in enumerate(fs):
        if isinstance(f, SumOver) and isinstance(f.body, Product) and g in f.body.factors \
                and f.index_name not in g.index_names():
            inner = list(f.body.factors)
            inner.remove(g)
            fs[n] = SumOver.make(f.index_name, f.bounds, Product.make(f.body.coeff, inner))
            return Product.make(coeff, fs)
    raise EinsteinError("internal: the factor is not in the term")  # pragma: no cover


def _factor_sum(terms: list[Expr]) -> Expr:
    """``F X + F Y + Z -> F (X + Y) + Z`` for the factor shared by most terms, repeatedly."""
    whole = Sum.make(terms)
    if not isinstance(whole, Sum):
        return whole
    free = {ix.name for ix in whole.free}
    count: dict[Expr, int] = {}
    for t in whole.terms:
        for f in set(_available(t)):
            names = [ix.name for ix in f.free]
            if f.free and len(set(names)) == len(names) and set(names) <= free:
                count[f] = count.get(f, 0) + 1
    best = max(count.items(), key=lambda kv: kv[1], default=None)
    if best is None or best[1] < 2:
        return whole
    shared = best[0]
    inner: list[Expr] = []
    rest: list[Expr] = []
    for t in whole.terms:
        (inner if shared in _available(t) else rest).append(t)
    try:
        rest_sum = _factor_sum([_without(t, shared) for t in inner])
        # the factor after the sum, or before it: whichever keeps the sum's order of free indices
        grouped = Product.make(1, [rest_sum, shared])
        if grouped.free != whole.free:
            other = Product.make(1, [shared, rest_sum])
            grouped = other if other.free == whole.free else grouped
        if {ix.name for ix in grouped.free} != free:
            return whole
        return Sum.make([grouped, *([_factor_sum(rest)] if rest else [])])
    except EinsteinError:
        return whole


def hessian_diagonal(expr: Expr | str, wrt: Tensor | str) -> Expr:
    """The diagonal of the Hessian, ``\\partial^2 expr / \\partial (A^{m}_{n})^2``, free indices ``m, n``.

    The second derivative's two copies of the variable's indices are tied with kept indices
    (``\\odot``, see :doc:`/guide/kept_indices`): the compiler plans them as hyperedges, so the
    Hessian itself (``N^2`` entries for ``N`` in the variable) is never an array.

    Args:
        expr: a scalar expression (or its text).
        wrt: the variable, a tensor with fresh index names (``"A^{m}_{n}"``).

    Returns:
        The diagonal, with the variable's index names free, opposite variance (as ``diff``).

    Raises:
        EinsteinError: ``expr`` has free indices, or ``wrt`` is not a tensor of fresh names.

    Example:
        >>> import numpy as np
        >>> from einsteinpy_lite import compile
        >>> d = hessian_diagonal(r"\\frac{1}{2} t^i Q_{ij} t^j", "t^{m}")
        >>> print(d)
        1/2 Q_{p1 m} \\odot \\delta^p1_m + 1/2 Q_{i p1} \\odot \\delta_m^i \\odot \\delta^p1_m
        >>> compile(d)(Q=np.array([[2.0, 1.0], [3.0, 4.0]])).tolist()
        [2.0, 4.0]
    """
    e = expression(expr, "hessian_diagonal")
    if e.free:
        raise EinsteinError(f"hessian_diagonal needs a scalar expression, but '{e}' has the free indices "
                            f"{', '.join(ix.name for ix in e.free)}", hint="contract the free indices first")
    target = _variable(wrt)
    taken = set(e.all_names()) | {ix.name for ix in target.indices}
    names = fresh_names(taken, len(target.indices), stem="p")
    first = Tensor(target.name, [Index(n, ix.up) for n, ix in zip(names, target.indices)])
    hess = diff(diff(e, first), target)
    if isinstance(hess, Zero):
        return Zero(tuple(ix.flip() for ix in target.indices))
    have = {ix.name: ix for ix in hess.free}
    # sum each first-derivative index against the second's through a delta that keeps the second's
    ties = [Delta(have[n].flip(), have[ix.name]) for n, ix in zip(names, target.indices)]
    return _tie(hess, ties)


def _tie(e: Expr, ties: list[Delta]) -> Expr:
    """``e \\odot ties``, distributed over sums and into ``\\sum_k`` bodies: each term ties its own indices.

    Tied outside a sum, the compiler would build every term with all four indices (the Hessian)
    before taking the diagonal; tied inside, each term's contraction plans the kept index as a
    hyperedge.
    """
    from ..core.builders import hadamard

    if isinstance(e, Sum):
        return Sum.make([_tie(t, ties) for t in e.terms])
    if isinstance(e, SumOver):
        return SumOver.make(e.index_name, e.bounds, _tie(e.body, ties))
    if isinstance(e, Product) and len(e.factors) == 1 and isinstance(e.factors[0], (Sum, SumOver)):
        return Product.make(e.coeff, [_tie(e.factors[0], ties)])
    return hadamard(e, *ties)
