"""Simplification and equality: deltas contracted, canonical form, like terms collected.

Two forms are computed from the monomials of an expression (coefficient,
explicit sums, factors):

* :func:`simplify`, for reading: deltas contracted (``\\delta^i_j x^j -> x^i``,
  ``\\delta^i_i -> N_i``), the metric lowering or raising the slots of tensors
  used once (``\\delta_{ij} x^j -> x_i``; a tensor used twice keeps the metric
  beside it, so the result parses back), dummies named, like terms collected and
  zeros dropped.  Sums that are factors stay factored, and the written order of
  factors is kept where the free-index order allows.
* :func:`canonical`, for deciding equality: every product distributed over sums,
  every tensor slot raised with explicit metrics (a metric is symmetric, so
  ``B^l_i B_{lj}`` and ``B^l_j B_{li}`` meet), deltas contracted, factors ordered
  by colour refinement (a key that ignores dummy names, refined by what each
  dummy connects to, until no class splits) and dummies named in that order.

Each rewrite terminates: expansion removes a Sum below a Product or SumOver,
contraction removes a delta, refinement stops when no class splits.  The free
indices (names and variance) are unchanged; :func:`simplify` checks it.
:func:`equal` compares canonical forms and settles differing forms on random
arrays.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy

from ..core.atoms import Delta, Tensor, Zero
from ..core.elementwise import Apply, Diag
from ..core.errors import EinsteinError
from ..core.expr import (
    Expr,
    Product,
    Sum,
    SumOver,
    dimension_symbol,
    fold_loops,
    free_slot,
    rename_bound,
    size_name,
    slot_size_symbol,
)
from ..core.indices import Index
from ..core.matrix_functions import MatrixFunction
from ..core.rename import _map_indices, _rename
from ..notation.parse import expression
from .scopes import NameSupply, apart
from .sizes import anchored_names as _anchored_names
from .sizes import fold_unsized

__all__ = ["simplify", "canonical"]

_PLACEHOLDER = "\\dummy"
_BOUND_POOL = ["k", "l", "m", "n", "p", "q"]
_POOL = ["i", "j", "k", "l", "m", "n", "p", "q", "r", "s", "t", "u", "v", "w", "a", "b", "c", "d", "e", "g", "h"]


@dataclass
class _Mono:
    coeff: sympy.Expr
    bounds: list[tuple[str, tuple[sympy.Expr, ...]]] = field(default_factory=list)
    factors: list[Expr] = field(default_factory=list)

    def names(self) -> set[str]:
        out: set[str] = {b[0] for b in self.bounds}
        for f in self.factors:
            out |= f.index_names()
        return out


def _fresh(used: set[str]) -> str:
    for n in itertools.count(1):
        cand = f"{_PLACEHOLDER}{n}"
        if cand not in used:
            used.add(cand)
            return cand
    raise AssertionError  # pragma: no cover


def _dummies_of(factors: list[Expr]) -> list[str]:
    count: dict[str, int] = {}
    for f in factors:
        for ix in f.free:
            if not ix.bound:
                count[ix.name] = count.get(ix.name, 0) + 1
    return [n for n, c in count.items() if c == 2]


def _restrict(mapping: dict[str, str], f: Expr) -> dict[str, str]:
    """The part of ``mapping`` that renames free indices of ``f``."""
    return {ix.name: mapping[ix.name] for ix in f.free if ix.name in mapping}


def _rename_bound(factors: list[Expr], old: str, new: str) -> list[Expr]:
    return [rename_bound(f, old, new) for f in factors]


def _merge(a: _Mono, b: _Mono) -> _Mono:
    """Product of two monomials; dummies and bound names of either that meet the other's
    indices are renamed first (each side's dummies are local to it)."""
    used = a.names() | b.names()
    free_a = {ix.name for f in a.factors for ix in f.free if not ix.bound}
    free_b = {ix.name for f in b.factors for ix in f.free if not ix.bound}
    a_factors = list(a.factors)
    for d in _dummies_of(a.factors):
        if d in free_b:
            new = _fresh(used)
            a_factors = [_rename(f, {d: new}, used) if d in {ix.name for ix in f.free} else f for f in a_factors]
    # a's sums will enclose b's factors too: a name of b (an enclosing sum's index it carries, above all)
    # must not be bound by them
    a_bounds = list(a.bounds)
    b_names = b.names()
    for i, (name, bd) in enumerate(a_bounds):
        if name in b_names:
            new = _fresh(used)
            a_factors = _rename_bound(a_factors, name, new)
            a_bounds[i] = (new, bd)
    a = _Mono(a.coeff, a_bounds, a_factors)
    a_names = a.names()
    # b's dummies meet a's indices only at a's top level: a name bound inside one of a's factors (a function's
    # argument, a sum) is another scope (renaming b's dummy for it made the result depend on factor order:
    # relu(... W1_mu^mu ...) beside Gamma_mu^mu, seed 3066234152)
    a_top = {ix.name for f in a.factors for ix in f.free} | {name for name, _ in a.bounds}
    factors = list(b.factors)
    bounds = list(b.bounds)
    for d in _dummies_of(b.factors):
        if d in a_top:
            new = _fresh(used)
            factors = [_rename(f, {d: new}, used) if d in {ix.name for ix in f.free} else f for f in factors]
    for i, (name, bd) in enumerate(bounds):
        if name in a_names or name in free_b or name in free_a:
            new = _fresh(used)
            factors = _rename_bound(factors, name, new)
            bounds[i] = (new, bd)
    return _Mono(a.coeff * b.coeff, a.bounds + bounds, a.factors + factors)


def _raised(t: Tensor) -> list[Expr]:
    """``B^i_j`` as ``B^{i r} \\delta_{r j}``: every tensor slot up, metrics explicit (the canonical form)."""
    if all(ix.up or ix.bound for ix in t.indices):
        return [t]
    used = t.index_names()
    slots: list[Index] = []
    metrics: list[Expr] = []
    for ix in t.indices:
        if ix.up or ix.bound:
            slots.append(ix)
        else:
            r = _fresh(used)
            slots.append(Index(r, True))
            metrics.append(Delta(Index(r, False), ix))
    return [t.with_indices(slots), *metrics]


def _display_nested(e: Expr, free_order: dict[str, int], lowerable: frozenset[str],
                    reserved: frozenset[str]) -> Expr:
    """:func:`_display` of a function's argument or a sum factor, with the indices of the sums around it
    hidden under placeholders meanwhile, so that the names given inside do not depend on theirs (which
    the enclosing monomial renames: simplify stays idempotent)."""
    # placeholders the expression does not use: a nested call must not pick the names of the call around
    # it (renaming \\dummyo0 back to \\dummyo1 while \\dummyo1 still stood for another index merged the two)
    taken = e.all_names()
    names = (f"{_PLACEHOLDER}o{n}" for n in itertools.count() if f"{_PLACEHOLDER}o{n}" not in taken)
    hidden = {o: next(names) for o in sorted(e.open_bound)}
    for o, h in hidden.items():
        e = rename_bound(e, o, h)
    # the names hidden stay reserved: a \sum inside named like one of them would capture it when the
    # placeholders are renamed back (\sum_k \sigma(\sum_{i} C^k_{n i}) became K \sigma(\sum_k C^k_{n k}))
    out = _display(e, free_order, set(), lowerable, reserved | frozenset(hidden))
    for o, h in hidden.items():
        out = rename_bound(out, h, o)
    return out


def _matrix_function(e: MatrixFunction, body: Expr) -> MatrixFunction:
    """``e`` with its argument simplified to ``body`` -- unless that is a zero whose size only the argument's
    arrays told: ``\\det(A^{i}_{j} - A^{i}_{j})`` stays so (``\\det(0^r_c)`` would ask for the sizes of its
    private ``r`` and ``c``, names nobody wrote; harness)."""
    if isinstance(body, Zero) and not isinstance(e.body, Zero):
        return e
    return MatrixFunction(e.func_name, body)


def _expand(e: Expr, canon: bool, lowerable: frozenset[str] = frozenset(),
            reserved: frozenset[str] = frozenset()) -> list[_Mono]:
    """Monomials of ``e``.  ``canon``: distribute every product over sums and raise every
    tensor slot (the canonical form); otherwise keep sums that are factors as factors.
    ``lowerable``: tensors that the metric may lower or raise (see :func:`simplify`).
    ``reserved``: index names no dummy may be given (the ``x`` of every ``N_x`` around)."""
    if isinstance(e, Zero):
        return []
    if isinstance(e, Tensor):
        return [_Mono(sympy.Integer(1), [], _raised(e) if canon else [e])]
    if isinstance(e, Delta):
        return [_Mono(sympy.Integer(1), [], [e])]
    if isinstance(e, MatrixFunction):  # opaque, as a function: its argument is simplified on its own
        body = (_canonical(e.body, reserved) if canon else
                _display_nested(e.body, {ix.name: n for n, ix in enumerate(e.body.free)}, lowerable, reserved))
        return [_Mono(sympy.Integer(1), [], [_matrix_function(e, body)])]
    if isinstance(e, (Apply, Diag)):
        # the argument keeps its free-index order: a diagonal pairs its slots with it, and the
        # order of free indices is the axis order of the result
        body = (_canonical(e.body, reserved) if canon else
                _display_nested(e.body, {ix.name: n for n, ix in enumerate(e.body.free)}, lowerable, reserved))
        if isinstance(e, Apply):
            return [_Mono(sympy.Integer(1), [], [Apply(e.func_name, e.order, body)])]
        # the derivative indices pair with the argument's free indices by name, not position
        pair = {u.name: lo for u, lo in zip(e.body.free, e.new_indices)}
        node = Diag(e.func_name, e.order, body, [pair[u.name] for u in body.free])
        return [_Mono(sympy.Integer(1), [], [node])]
    if isinstance(e, Sum):
        return [m for t in e.terms for m in _expand(t, canon, lowerable, reserved)]
    if isinstance(e, SumOver):
        k = e.index_name
        size = e.size()  # a slot carrying k, not k's name, sizes the monomials without k
        out = []
        for m in _expand(e.body, canon, lowerable, reserved):
            # a monomial that does not carry k (or where an inner \sum_k rebinds it) is multiplied by the
            # range: one term at a time, so that \sum_k (c + x_k) is c N_k + \sum_k x_k at once
            if k in {name for name, _ in m.bounds} or not any(k in f.open_bound for f in m.factors):
                out.append(_Mono(m.coeff * size, m.bounds, m.factors))
            else:
                out.append(_Mono(m.coeff, [(k, e.bounds)] + m.bounds, m.factors))
        return out
    if isinstance(e, Product) and e.kept:
        return _expand_hadamard(e, canon, lowerable, reserved)
    if isinstance(e, Product):
        monos = [_Mono(e.coeff)]
        for f in e.factors:
            if isinstance(f, Sum) and not canon:
                g = _display_nested(f, {ix.name: n for n, ix in enumerate(f.free)}, lowerable, reserved)
                parts = ([_Mono(sympy.Integer(1), [], [g])] if isinstance(g, Sum)
                         else _expand(g, canon, lowerable, reserved))
            else:
                parts = _expand(f, canon, lowerable, reserved)
            monos = [_merge(a, b) for a in monos for b in parts]
        if len(monos) > 1:
            folded = _fold_distributed_loops(e, monos)
            if folded is None and canon:
                # a dummy some term would keep only on deltas under a function (\cos(\delta^{ij}) \delta_{ij}):
                # no loop to fold, no slot to size it; the sums stay factors, each in its canonical form
                monos = [_Mono(e.coeff)]
                for f in e.factors:
                    g = _canonical(f, reserved) if isinstance(f, Sum) else f
                    parts = [_Mono(sympy.Integer(1), [], [g])] if isinstance(g, Sum) else _expand(g, canon, lowerable, reserved)
                    monos = [_merge(a, b) for a in monos for b in parts]
                return monos
            monos = folded if folded is not None else monos
        return monos
    raise EinsteinError(f"simplify: no rule for a {type(e).__name__}")


def _fold_distributed_loops(e: Product, monos: list[_Mono]) -> list[_Mono] | None:
    """``monos`` (``e`` distributed over its sums) with the loops of deltas that distributing left
    without a tensor folded to the size of the slot that carried them in ``e``; None when a term keeps
    such a dummy elsewhere (under a function: nothing can size it there).

    ``(A^{u1 j} - \\delta^{u1 j}) \\delta_{u1 j}`` gives ``-\\delta^{u1 j} \\delta_{u1 j}``: its size is A's
    first axis (``\\dim(A, 1)``), not ``N_u1``, which would tie it to a name that other terms may size otherwise.
    """
    dummies = {d.name for d in e._free_and_dummies[1]}
    sizes: dict[str, sympy.Expr] = {}
    for d in dummies:
        slot = next((s for s in (free_slot(f, d) for f in e.factors) if s is not None), None)
        if slot is not None:
            sizes[d] = slot_size_symbol(*slot)
    if not sizes:
        return monos
    out = []
    for m in monos:
        coeff, factors = fold_loops(m.factors, set(_dummies_of(m.factors)), sizes, only_sized=True)
        left = {ix.name for f in factors for ix in f.free if not ix.bound} & set(sizes)
        if left - _anchored_names(factors):
            return None
        out.append(m if len(factors) == len(m.factors) else _Mono(m.coeff * coeff, m.bounds, factors))
    return out


def _expand_hadamard(e: Product, canon: bool, lowerable: frozenset[str], reserved: frozenset[str]) -> list[_Mono]:
    """Monomials of a Hadamard product (kept indices): each one a single factor, itself a Hadamard product.

    Its factors are simplified one by one (distributed over sums for the canonical form); a delta is
    contracted inside it only through a summed index, never through a kept one: ``\\sigma'(z^m) \\odot
    \\delta^m_n`` is a diagonal, and renaming ``m`` would change its value.  The monomial keeps the
    Hadamard product whole, so the monomial machinery (which counts two occurrences as a summed pair)
    never sees a kept index twice.
    """
    options: list[list[Expr]] = []
    if canon:
        for f in e.factors:
            g = _canonical(f, reserved)
            options.append(list(g.terms) if isinstance(g, Sum) else [g])
    else:
        for f in e.factors:
            options.append([_display_nested(f, {ix.name: n for n, ix in enumerate(f.free)}, lowerable, reserved)])
    out: list[_Mono] = []
    for combo in itertools.product(*options):
        body = Product.make(e.coeff, list(combo), e.kept)
        if _is_zero(body):
            continue
        if not isinstance(body, Product):
            out.append(_Mono(sympy.Integer(1), [], [body]))
            continue
        m = _contract_deltas(_Mono(body.coeff, [], list(body.factors)), metrics=not canon, kept=body.kept)
        # the canonical form orders the factors (as for any monomial; the Hadamard product commutes); shown,
        # a factor that a contraction changed is shown as any factor is (\delta^q_l \odot \Gamma_q^{l d} gives
        # \Gamma_q^{q d}, whose trace a second pass names i: harness, simplify not idempotent)
        factors = sorted(_hadamard_dummies(m.factors, body.kept, reserved), key=str) if canon else \
            _name_traces(m.factors, lowerable, reserved)
        inner = Product.make(1, factors, body.kept) if factors else Product(1, ())
        if not canon and [ix.key for ix in inner.free] != [ix.key for ix in body.free]:
            # shown as written where contracting would reorder the free indices (the axis order of the result)
            m, inner = _Mono(body.coeff), Product.make(1, body.factors, body.kept)
        inner = _unreserve(inner, reserved)
        if isinstance(inner, Product) and not inner.factors:
            out.append(_Mono(m.coeff * inner.coeff))
        else:
            out.append(_Mono(m.coeff, [], [inner]))
    return out


def _hadamard_dummies(factors: list[Expr], kept: frozenset[str], reserved: frozenset[str]) -> list[Expr]:
    """The canonical form's names for the dummies of a Hadamard product's ``factors``: by first appearance in the
    factors ordered by their shape (:func:`_shape_key`, blind to the dummies' names), from the pool, apart from
    every other name -- so that renaming a dummy does not change the form (harness seed 1782282714: two spellings
    differed in form, and an abs of a positive sqrt left the numbers unable to decide)."""
    whole = Product.make(1, factors, kept)
    if not isinstance(whole, Product):
        return factors
    dummies = {d.name for d in whole._free_and_dummies[1]}
    if not dummies:
        return factors
    keys = [_shape_key(f, dummies, {}) for f in factors]
    seq: list[str] = []
    for n in sorted(range(len(factors)), key=lambda n: keys[n]):
        seq += [ix.name for ix in factors[n].free if ix.name in dummies and ix.name not in seq]
    used = set(reserved).union(*(f.index_names() for f in factors))
    avoid = used - dummies
    pool = (n for n in itertools.chain(_POOL, (f"i{k}" for k in itertools.count(1))) if n not in avoid)
    mapping = {d: next(pool) for d in seq}
    used |= set(mapping.values())
    return [_rename(f, _restrict(mapping, f), used) for f in factors]


def _name_traces(factors: list[Expr], lowerable: frozenset[str], reserved: frozenset[str]) -> list[Expr]:
    """The factors of a Hadamard product with their tensors' traces named afresh, factor by factor, apart from
    every other name in the product: the names then depend on the factors' order and structure only, not on
    the names they came with, so a second pass gives the same (harness seeds 4140625873, 1969799717,
    1630696971: a trace kept a name in one pass and not the next)."""
    anon = [_anonymous_traces(f) for f in factors]
    out: list[Expr] = []
    for n, (f, g) in enumerate(zip(factors, anon)):
        if g is f:
            out.append(f)
            continue
        around = frozenset().union(*(h.index_names() for h in out), *(h.index_names() for h in anon[n + 1:]))
        out.append(_display_nested(g, {ix.name: k for k, ix in enumerate(g.free)}, lowerable, reserved | around))
    return out


def _anonymous_traces(e: Expr) -> Expr:
    """``e`` with the traces of its tensors (directly, or in a function's argument) under placeholder names, so
    that showing it again names them afresh (showing keeps a dummy's name when it is free to keep)."""
    if isinstance(e, Tensor):
        counts: dict[str, int] = {}
        for ix in e.indices:
            if not ix.bound:
                counts[ix.name] = counts.get(ix.name, 0) + 1
        traced = {n: f"{_PLACEHOLDER}{k + 1}" for k, n in enumerate(n for n, c in counts.items() if c == 2)}
        if not traced:
            return e
        return e.with_indices([ix.renamed(traced[ix.name]) if ix.name in traced and not ix.bound else ix
                               for ix in e.indices])
    if isinstance(e, Apply) or (isinstance(e, MatrixFunction) and not e.scalar):
        body = _anonymous_traces(e.body)
        if body is e.body:
            return e
        return Apply(e.func_name, e.order, body) if isinstance(e, Apply) else MatrixFunction(e.func_name, body)
    return e


def _unreserve(e: Expr, reserved: frozenset[str]) -> Expr:
    """``e`` (a Hadamard product) with each of its own dummies named like a size ``N_x`` around it renamed: its
    factors were joined after their names were chosen, and flattening renamed a clash to a generated name
    (``s1``) that an ``N_s1`` outside means (harness: softmax(y_l \\odot \\lambda_l) beside N_s1, canonical form)."""
    if not isinstance(e, Product):
        return e
    clash = sorted(d.name for d in e._free_and_dummies[1] if d.name in reserved)
    if not clash:
        return e
    used = set(e.index_names()) | set(reserved)
    fresh = iter(n for n in itertools.chain(_POOL, (f"i{k}" for k in itertools.count(1))) if n not in used)
    mapping = {d: next(fresh) for d in clash}
    used |= set(mapping.values())
    return Product.make(e.coeff, [_rename(f, _restrict(mapping, f), used) for f in e.factors], e.kept)


# ------------------------------------------------------------------ deltas


def _replace_slot(f: Expr, old: str, new: Index) -> Expr | None:
    """Put ``new`` where the free index ``old`` of factor ``f`` is; None if not possible here."""
    if isinstance(f, Tensor):
        return f.with_indices([new if (ix.name == old and not ix.bound) else ix for ix in f.indices])
    if isinstance(f, Delta):
        a, b = f.indices
        return Delta(new if a.name == old else a, new if b.name == old else b)
    target = next(ix for ix in f.free if ix.name == old)
    if target.up != new.up:
        return None  # raising/lowering inside a function argument: keep the metric
    if isinstance(f, Diag):
        if any(ix.name == old for ix in f.new_indices):
            return Diag(f.func_name, f.order, f.body, [new if ix.name == old else ix for ix in f.new_indices])
        return Diag(f.func_name, f.order, _rename(f.body, {old: new.name}, f.index_names() | {new.name}),
                    [ix for ix in f.new_indices])
    return _rename(f, {old: new.name}, f.index_names() | {new.name})


def _free_sequence(factors: list[Expr]) -> list[str]:
    """The free indices of the product of ``factors``, in order of first appearance."""
    count: dict[str, int] = {}
    for f in factors:
        for ix in f.free:
            if not ix.bound:
                count[ix.name] = count.get(ix.name, 0) + 1
    return [n for n, c in count.items() if c == 1]


def _keeps_order(factors: list[Expr], free_order: dict[str, int]) -> bool:
    """Whether the factors, reordered (and deltas oriented) as :func:`simplify` shows them, give the free
    indices in ``free_order``."""
    seq = [n for n in _free_sequence(_orient_deltas(_Mono(sympy.Integer(1), [], _display_order(factors, free_order)),
                                                    free_order).factors) if n in free_order]
    return seq == sorted(seq, key=lambda n: free_order[n])


def _contract_deltas(m: _Mono, metrics: bool = True, lowerable: frozenset[str] | None = None,
                     free_order: dict[str, int] | None = None, tidy: Callable[[Expr], Expr] | None = None,
                     kept: frozenset[str] = frozenset()) -> _Mono:
    """Contract every delta that meets another factor's index.

    With ``metrics=False`` (the canonical form) a metric (``\\delta_{ij}``,
    ``\\delta^{ij}``) is contracted only into another delta, so that a lowered
    tensor is not a different tensor: ``B^l_i \\delta_{lm} B^m_j`` stays
    recognisable as symmetric.  With ``lowerable``, a metric lowers or raises
    only the tensors named there.  With ``free_order``, a contraction that would
    leave the free indices in another order (``\\delta_j^n A^k_n`` is ``A^k_j``
    with ``k`` first) is not made: the order of free indices is the axis order
    of the result.  ``tidy`` re-shows a sum or function factor whose inner dummies had to be
    renamed out of the way of the index put into it.  ``kept``: the kept indices of a Hadamard
    product, through which no delta is contracted (a delta there is a diagonal).
    """
    factors = list(m.factors)
    coeff = m.coeff
    ordered = free_order is not None and _keeps_order(factors, free_order)
    changed = True
    while changed:
        changed = False
        for n, d in enumerate(factors):
            if not isinstance(d, Delta):
                continue
            a, b = d.indices
            if a.bound or b.bound:
                continue
            if a.name == b.name:
                coeff = coeff * dimension_symbol(a.name)
                factors.pop(n)
                changed = True
                break
            for mine, other in ((b, a), (a, b)):
                if mine.name in kept:
                    continue
                partner = next((k for k, f in enumerate(factors) if k != n and
                                any(ix.name == mine.name and not ix.bound for ix in f.free)), None)
                if partner is None:
                    continue
                pf = factors[partner]
                if a.up == b.up and not isinstance(pf, Delta):
                    if not metrics or (lowerable is not None and not (isinstance(pf, Tensor) and pf.name in lowerable)):
                        continue
                if not isinstance(pf, (Tensor, Delta)) and any(ix.name == other.name for ix in pf.free):
                    continue  # both slots of the delta on one function factor: keep the delta
                if isinstance(pf, Tensor) and sum(ix.name == other.name and not ix.bound for ix in pf.indices) >= 2:
                    continue  # the tensor's own trace has that name: a third slot is no tensor (harness seed 1377443536)
                if other.name in kept and any(ix.name == other.name for ix in pf.free):
                    # x^{d nu} \odot \delta^d_nu is x's diagonal, kept along d: x^{d d} is no tensor (harness)
                    continue
                new_f = _replace_slot(factors[partner], mine.name, other)
                if new_f is None:
                    continue
                if tidy is not None and not isinstance(new_f, (Tensor, Delta)) and \
                        new_f.index_names() - factors[partner].index_names() - {other.name}:
                    new_f = tidy(new_f)
                trial = list(factors)
                trial[partner] = new_f
                trial.pop(n)
                if ordered and free_order is not None and not _keeps_order(trial, free_order):
                    continue
                factors = trial
                changed = True
                break
            if changed:
                break
    return _Mono(coeff, m.bounds, factors)


def _orient_deltas(m: _Mono, free_order: dict[str, int] | None) -> _Mono:
    """Put the slots of each delta in a canonical order (a delta is symmetric).

    For display, free slots follow the expression's free-index order; for the
    canonical form, the upper slot comes first, free slots before dummies, and
    a metric's two dummies in the order of the colours of what they connect to.
    """
    dummies = set(_dummies_of(m.factors))
    col = _colors(m) if free_order is None else []
    out = []
    for n, f in enumerate(m.factors):
        if isinstance(f, Delta):
            a, b = f.indices

            def partner(ix: Index, n: int = n) -> tuple[int, int]:
                for k, g in enumerate(m.factors):
                    if k != n:
                        for pos, jx in enumerate(g.free):
                            if jx.name == ix.name and not jx.bound:
                                return (col[k], pos)
                return (-1, 0)

            def key(ix: Index) -> tuple[object, ...]:
                if free_order is not None:
                    return (free_order.get(ix.name, len(free_order)),)
                dummy = ix.name in dummies
                return (not ix.up, dummy, partner(ix) if dummy else (ix.name, 0))

            if key(b) < key(a):
                f = Delta(b, a)
        out.append(f)
    return _Mono(m.coeff, m.bounds, out)


# ------------------------------------------------------------------ canonical form


def _shape_key(f: Expr, dummies: set[str], bound: dict[str, int]) -> str:
    """A string for ``f`` that does not depend on the names of dummies or bound indices.

    Product-level dummies become ``\\dummyx<slot>`` (numbered by their slot in
    ``f.free``), bound names ``\\dummyb<n>`` (by the order of the sums), and
    traces inside one tensor ``\\dummyt<n>``.
    """
    mapping = {ix.name: f"{_PLACEHOLDER}x{n}" for n, ix in enumerate(f.free) if ix.name in dummies}
    traces = {}
    if isinstance(f, (Tensor, Delta)):
        traces = {d.name: f"{_PLACEHOLDER}t{n}" for n, d in enumerate(f._free_and_dummies[1])}

    def blank(ix: Index) -> Index:
        if ix.bound:
            return ix.renamed(f"{_PLACEHOLDER}b{bound[ix.name]}") if ix.name in bound else ix
        if ix.name in mapping:
            return ix.renamed(mapping[ix.name])
        if ix.name in traces:
            return ix.renamed(traces[ix.name])
        return ix

    if isinstance(f, (Tensor, Delta)):
        g = _map_indices(f, blank)
    else:
        g = _rename(f, mapping, f.index_names() | set(mapping.values())) if mapping else f
        g = _map_indices(g, lambda ix: blank(ix) if ix.bound else ix)
    return f"{type(f).__name__}|{g}"


def _rank(items: list[Any]) -> list[int]:
    order = {v: n for n, v in enumerate(sorted(set(items)))}
    return [order[v] for v in items]


def _is_metric(f: Expr) -> bool:
    return isinstance(f, Delta) and f.indices[0].up == f.indices[1].up


def _colors(m: _Mono) -> list[int]:
    """Colour refinement of the factors: start from a key that ignores dummy names, then
    repeatedly add what each dummy slot connects to, until the partition stops splitting.

    Factors left with equal colours are interchangeable, so naming dummies in colour
    order is canonical.  A metric's two slots are unordered (it is symmetric).
    Terminates: each round either splits a class or stops, and there are at most as
    many classes as factors.
    """
    dummies = set(_dummies_of(m.factors))
    bound = {name: n for n, (name, _) in enumerate(m.bounds)}
    where: dict[str, list[tuple[int, int]]] = {}
    for k, f in enumerate(m.factors):
        for pos, ix in enumerate(f.free):
            if ix.name in dummies:
                where.setdefault(ix.name, []).append((k, pos))
    col = _rank([_shape_key(f, dummies, bound) for f in m.factors])
    for _ in range(len(m.factors)):
        sigs = []
        for k, f in enumerate(m.factors):
            links = []
            for pos, ix in enumerate(f.free):
                if ix.name in dummies:
                    # a metric's slot order is arbitrary: which of its slots is linked does not count
                    other = [(col[j], 0 if _is_metric(m.factors[j]) else p)
                             for j, p in where[ix.name] if (j, p) != (k, pos)]
                    links.append((pos, other[0] if other else (-1, 0)))
            if _is_metric(f):
                links = [(0, x) for x in sorted(link for _, link in links)]
            sigs.append((col[k], tuple(links)))
        new = _rank(sigs)
        if len(set(new)) == len(set(col)):
            break
        col = new
    return col


def _order_factors(m: _Mono) -> list[Expr]:
    col = _colors(m)
    idx = sorted(range(len(m.factors)), key=lambda k: col[k])
    return [m.factors[k] for k in idx]


def _name_dummies(m: _Mono, factors: list[Expr], avoid: set[str], reserved: frozenset[str] = frozenset()) -> _Mono:
    """Rename dummies (in order of first appearance) and bound names to pool names avoiding ``avoid``.

    Capture-avoiding: a dummy never takes a free name, a name bound by an enclosing sum or a
    ``reserved`` one (the ``x`` of ``N_x``: that name stands for one index's size); a bound
    name, whose ``\\sum`` will enclose every factor, never takes a name used anywhere inside
    them, nested scopes included.  A dummy or bound name that is itself reserved keeps it.
    """
    dummy_set = set(_dummies_of(factors))
    # a dummy that no array carries (only deltas) has the size of its name, N_d: it keeps its name
    reserved = reserved | _sizeless(factors, dummy_set)
    used = set(avoid) | set(reserved) | {n for f in factors for n in f.all_names()}
    dummies: list[str] = []
    for f in factors:
        for ix in f.free:
            if ix.name in dummy_set and ix.name not in dummies:
                dummies.append(ix.name)
    own_bound = {name for name, _ in m.bounds}
    free_names = {ix.name for f in factors for ix in f.free if not ix.bound} - dummy_set
    # indices bound by an enclosing sum (not by this monomial) must not be captured
    open_bound = {n for f in factors for n in f.open_bound} - own_bound
    # move this level's names to placeholders first, so that pool names cannot collide mid-way
    # and what is left are the names of scopes nested in the factors
    temp = {d: _fresh(used) for d in dummies if d not in reserved}
    factors = [_rename(f, _restrict(temp, f), used) for f in factors]
    tmps = []
    keep: set[str] = set()
    for name, bd in m.bounds:
        # a \sum over an index that an N_x names keeps its name, unless that would capture another
        pinned = name in reserved and name not in avoid | free_names | open_bound and not _unbound_uses(factors, name)
        tmp = name if pinned else _fresh(used)
        factors = _rename_bound(factors, name, tmp)
        tmps.append((tmp, bd))
        keep |= {tmp} if pinned else set()
    placeholders = set(temp.values()) | {t for t, _ in tmps}
    # names of scopes nested in each factor (sums in a factor, function arguments): the sums of
    # this monomial enclose them all; a dummy passes into those of the factors it occurs in
    inner = [set() if isinstance(f, Tensor) else set(f.all_names()) - placeholders for f in factors]
    nested = set().union(*inner)
    taken = set(avoid) | free_names | open_bound | set(reserved)
    bound_pool = (n for n in itertools.chain(_BOUND_POOL, (f"k{k}" for k in itertools.count(1)))
                  if n not in taken | nested)
    bound_names = [tmp if tmp in keep else next(bound_pool) for tmp, _ in tmps]
    taken |= set(bound_names)
    final: dict[str, str] = {}
    carriers: dict[str, list[int]] = {}  # the factors each placeholder occurs in
    for k, f in enumerate(factors):
        for name in {ix.name for ix in f.free}:
            carriers.setdefault(name, []).append(k)
    for d in dummies:
        if d in temp:
            near = set().union(*(inner[k] for k in carriers.get(temp[d], ())))
            final[temp[d]] = next(n for n in itertools.chain(_POOL, (f"i{k}" for k in itertools.count(1)))
                                  if n not in taken and n not in near)
            taken.add(final[temp[d]])
    pool = (n for n in itertools.chain(_POOL, (f"i{k}" for k in itertools.count(1))) if n not in taken)
    factors = [_rename(f, _restrict(final, f), used) for f in factors]
    # traces inside one tensor (A^i_i) get pool names too, after the product's dummies
    for n, f in enumerate(factors):
        if isinstance(f, Tensor) and f._free_and_dummies[1]:
            # (a trace keeps a name an N_x gives only while no other factor uses that name: t1_q^q beside a
            # dummy q of the product is renamed by the next pass's hygiene, seed 1195010385)
            around = {x for k, g in enumerate(factors) if k != n for x in g.all_names()}
            tr = {d.name: _fresh(used) for d in f._free_and_dummies[1] if d.name not in reserved or d.name in around}
            f = _map_indices(f, lambda ix, tr=tr: ix.renamed(tr[ix.name]) if ix.name in tr else ix)
            tr2 = {v: next(pool) for v in tr.values()}
            factors[n] = _map_indices(f, lambda ix, tr2=tr2: ix.renamed(tr2[ix.name]) if ix.name in tr2 else ix)
    bounds = []
    for (tmp, bd), new in zip(tmps, bound_names):
        factors = _rename_bound(factors, tmp, new)
        bounds.append((new, bd))
    return _Mono(m.coeff, bounds, factors)


def _sizeless(factors: list[Expr], dummies: set[str]) -> frozenset[str]:
    """Dummies whose size no array decides and no free index passes on (renaming them would change it)."""
    free = {ix.name for f in factors for ix in f.free if not ix.bound} - dummies
    anchored = _anchored_names(factors + [Tensor("_", [Index(n) for n in free])])
    return frozenset(d for d in dummies if d not in anchored)


def _unbound_uses(factors: list[Expr], name: str) -> bool:
    """Whether ``name`` names anything in ``factors`` but the slots of an enclosing ``\\sum_{name}``."""
    return any((isinstance(node, SumOver) and node.index_name == name) or
               any(ix.name == name and not ix.bound for ix in node.own_indices())
               for f in factors for node in f.walk())


def _rebuild(m: _Mono) -> Expr:
    body: Expr = Product.make(1, m.factors) if m.factors else Product(1, ())
    for name, bd in reversed(m.bounds):
        body = SumOver.make(name, bd, body)
    return Product.make(m.coeff, [body]) if m.coeff != 1 else body


def _display_order(factors: list[Expr], free_order: dict[str, int]) -> list[Expr]:
    """Keep the written order of factors unless that would change the order of free indices."""
    seq = [ix.name for f in factors for ix in f.free if ix.name in free_order]
    seen: list[str] = []
    for n in seq:
        if n not in seen:
            seen.append(n)
    if seen == sorted(seen, key=lambda n: free_order[n]):
        return list(factors)

    def first_free(f: Expr) -> float:
        pos = [free_order[ix.name] for ix in f.free if ix.name in free_order]
        return min(pos) if pos else float("inf")

    return sorted(factors, key=first_free)


def _finish(e: Expr, collected: dict[Any, _Mono], order: list[Any], free_order: dict[str, int] | None,
            visible: set[str], reserved: frozenset[str] = frozenset()) -> Expr:
    terms = []
    for k in order:
        m = collected[k]
        c = sympy.nsimplify(m.coeff) if m.coeff.is_Float else sympy.factor_terms(sympy.expand(m.coeff))
        if c == 0:
            continue
        terms.append(_rebuild(_Mono(c, m.bounds, m.factors)))
    if not terms:
        # the canonical zero lists its free indices in one order (of the names), not in the order they first
        # appear: factors written in another order made 0^c_{i s} and 0_{i s}^c, and equal could not tell
        # (seed 2508265500); simplify keeps the expression's order
        return Zero(e.free if free_order is not None else tuple(sorted(e.free, key=lambda ix: (ix.name, ix.up))))
    if free_order is not None:
        want = tuple(ix.key for ix in e.free)
        terms.sort(key=lambda t: tuple(ix.key for ix in t.free) != want)
    return _unshadow(Sum.make(terms), visible, reserved)


@functools.lru_cache(maxsize=8192)
def _canonical(e: Expr, reserved: frozenset[str] = frozenset()) -> Expr:
    """Fully expanded, every tensor slot raised with explicit metrics, factors in key order.

    ``reserved``: names no dummy may take (the ``x`` of an ``N_x`` around ``e``; ``e``'s own are added).
    Cached: diff and equal meet the same function arguments and monomials many times.
    """
    reserved = reserved | _live_size_names(e)
    free_names = {ix.name for ix in e.free} | set(e.open_bound)
    collected: dict[Any, _Mono] = {}
    monos = [_orient_deltas(_contract_deltas(m, metrics=False), None) for m in _expand(e, canon=True, reserved=reserved)]
    monos = [_arguments_by_role(m, reserved) for m in monos if m.coeff != 0]
    reserved = _reserved(monos, reserved)
    for m in monos:
        c = _name_dummies(m, _order_factors(m), free_names, reserved)
        c = _Mono(c.coeff, c.bounds, _order_factors(c))
        key = (tuple(c.bounds), tuple(c.factors))
        if key in collected:
            collected[key].coeff = collected[key].coeff + c.coeff
        else:
            collected[key] = c
    return _finish(e, collected, sorted(collected, key=str), None, free_names, reserved)


def _arguments_by_role(m: _Mono, reserved: frozenset[str]) -> _Mono:
    """``m`` with each dummy that a function's argument carries named by its role, and those arguments put in
    their canonical form again under these names.

    An argument's canonical form is computed under the names its free indices have in the input, and it
    depends on them: ``\\mathrm{softplus}(A_{l q}) C^q e^l`` and ``\\mathrm{softplus}(A_{l j2}) C^{j2} e^l``
    gave ``\\delta_{k i} \\delta_{l j} A^{i j}`` and ``\\delta_{k i} \\delta_{l j} A^{j i}`` and equal could only
    say 'cannot tell' for a renaming (seed 2508261339).  A role -- the colours of the factors at both ends
    of the dummy, and the slot at a tensor's end -- does not depend on names; where two such dummies have
    one role (a symmetry the colours do not split) the monomial is left as it is.  Renaming a dummy
    everywhere in its product does not change a value.
    """
    functions = (Apply, Diag, MatrixFunction)
    if not any(isinstance(f, functions) for f in m.factors):
        return m
    dummies = set(_dummies_of(m.factors))
    where: dict[str, list[tuple[int, int]]] = {}
    for k, f in enumerate(m.factors):
        for pos, ix in enumerate(f.free):
            if ix.name in dummies:
                where.setdefault(ix.name, []).append((k, pos))
    # (a dummy that keeps its name keeps it here too: its size is N_d by that name, or an N_d around names it)
    keep = reserved | _sizeless(m.factors, dummies)
    inside = {d for d, ends in where.items()
              if d not in keep and any(isinstance(m.factors[k], functions) for k, _ in ends)}
    if not inside:
        return m
    col = _colors(m)

    def end(k: int, pos: int) -> tuple[int, int]:
        f = m.factors[k]
        # a slot's position means something on a tensor or a delta, not on a function (it follows names there)
        return (col[k], pos if isinstance(f, Tensor) or (isinstance(f, Delta) and not _is_metric(f)) else -1)

    roles = {d: tuple(sorted(end(k, pos) for k, pos in where[d])) for d in inside}
    if len(set(roles.values())) != len(roles):
        return m
    used = set(reserved) | {n for f in m.factors for n in f.all_names()} | {n for n, _ in m.bounds}
    names = (f"{_PLACEHOLDER}r{n}" for n in itertools.count() if f"{_PLACEHOLDER}r{n}" not in used)
    mapping = {d: next(names) for d in sorted(inside, key=lambda d: roles[d])}
    used |= set(mapping.values())
    factors = []
    for f in m.factors:
        g = _rename(f, _restrict(mapping, f), used)
        if isinstance(f, functions) and g is not f:
            g = _expand(g, True, reserved=reserved)[0].factors[0]  # its argument's canonical form, new names
        factors.append(g)
    return _Mono(m.coeff, m.bounds, factors)


def _is_zero(e: Expr) -> bool:
    """Whether ``e`` is zero by its structure (a zero tensor, a factor or sum of them, a zero coefficient)."""
    if isinstance(e, Zero):
        return True
    if isinstance(e, Product):
        return bool(e.coeff == 0) or any(_is_zero(f) for f in e.factors)
    if isinstance(e, SumOver):
        return _is_zero(e.body)
    if isinstance(e, Sum):
        return all(_is_zero(t) for t in e.terms)
    return False


@functools.lru_cache(maxsize=8192)
def _live_size_names(e: Expr) -> frozenset[str]:
    """The ``x`` of every ``N_x`` in ``e`` outside parts that are zero (those vanish from the result,
    and names must not depend on them)."""
    if _is_zero(e):
        return frozenset()
    own: set[str] = set()
    if isinstance(e, Product):
        own = {n for n in map(size_name, e.coeff.free_symbols) if n is not None}
    if isinstance(e, SumOver):
        own = {n for b in e.bounds for n in map(size_name, b.free_symbols) if n is not None}
    return frozenset(own).union(*(_live_size_names(c) for c in e.children()))


def _reserved(monos: list[_Mono], reserved: frozenset[str]) -> frozenset[str]:
    """``reserved`` and the ``x`` of every ``N_x`` the monomials' coefficients gained (``\\delta^j_j -> N_j``,
    ``\\sum_k c -> N_k c``): all of them, so that the names given do not depend on the terms around."""
    out = set(reserved)
    for m in monos:
        out |= {n for n in map(size_name, m.coeff.free_symbols) if n is not None}
    return frozenset(out)


def _display(e: Expr, free_order: dict[str, int] | None, avoid: set[str],
             lowerable: frozenset[str] = frozenset(), reserved: frozenset[str] = frozenset()) -> Expr:
    """Deltas contracted (metrics lower and raise the tensors in ``lowerable``), dummies
    named, like terms collected, the written factor order kept where the free-index order
    allows.  ``reserved``: names no dummy may take (``e``'s own ``N_x`` are added)."""
    reserved = reserved | _live_size_names(e)
    free_names = {ix.name for ix in e.free}
    open_bound = set(e.open_bound)
    collected: dict[Any, _Mono] = {}
    order: list[Any] = []
    def tidy(g: Expr) -> Expr:
        def show(b: Expr) -> Expr:
            return _display(b, {ix.name: n for n, ix in enumerate(b.free)}, set(), lowerable, reserved)

        if isinstance(g, Sum):
            out = show(g)
            return out if isinstance(out, Sum) else g
        if isinstance(g, Apply):
            return Apply(g.func_name, g.order, show(g.body))
        if isinstance(g, MatrixFunction):
            return _matrix_function(g, show(g.body))
        if isinstance(g, Diag):
            return Diag(g.func_name, g.order, show(g.body), g.new_indices)
        return g

    monos: list[_Mono] = []
    todo = _expand(e, canon=False, lowerable=lowerable, reserved=reserved)
    while todo:
        m = _orient_deltas(_contract_deltas(todo.pop(0), lowerable=lowerable, free_order=free_order, tidy=tidy),
                           free_order)
        if m.coeff == 0:
            continue
        if not m.bounds and len(m.factors) == 1 and isinstance(m.factors[0], Sum):
            # a sum factor that the deltas left alone in its term: its terms are terms of e
            todo[:0] = [_Mono(m.coeff * t.coeff, t.bounds, t.factors)
                        for t in _expand(m.factors[0], canon=False, lowerable=lowerable, reserved=reserved)]
            continue
        monos.append(m)
    reserved = _reserved(monos, reserved)
    for m in monos:
        factors = _display_order(m.factors, free_order) if free_order is not None else _order_factors(m)
        shown = _name_dummies(m, factors, avoid | free_names | open_bound, reserved)
        # like terms are recognised by the canonical form of the monomial without its coefficient
        key = _canonical(_rebuild(_Mono(sympy.Integer(1), shown.bounds, shown.factors)), reserved)
        if key in collected:
            collected[key].coeff = collected[key].coeff + shown.coeff
        else:
            collected[key] = shown
            order.append(key)
    if free_order is None:
        order.sort(key=str)
    live = [k for k in order if sympy.expand(collected[k].coeff) != 0]
    if free_order is not None and live and not any(_keeps_order(collected[k].factors, free_order) for k in live):
        # no term can show the free indices in order (the one that did vanished): the first one gets
        # deltas in front that name them in order, \delta^i_{i'} \delta^j_{j'} B^{j' i'}, and keeps those
        # that contracting would reorder
        m = collected[live[0]]
        used = set(avoid) | set(reserved) | {n for f in m.factors for n in f.all_names()}
        primes = {ix.name: _fresh(used) for ix in e.free}
        factors = [Delta(ix, Index(primes[ix.name], not ix.up)) for ix in e.free]
        factors += [_rename(f, {k: v for k, v in primes.items() if k in {ix.name for ix in f.free}}, used)
                    for f in m.factors]
        m = _orient_deltas(_contract_deltas(_Mono(m.coeff, m.bounds, factors), lowerable=lowerable,
                                            free_order=free_order, tidy=tidy), free_order)
        collected[live[0]] = _name_dummies(m, _display_order(m.factors, free_order),
                                           avoid | free_names | open_bound, reserved)
    return _finish(e, collected, order, free_order, free_names | avoid | open_bound, reserved)


_UNSHADOWED = [0]  # how many products _unshadow renamed dummies in (simplify compares it across a pass)


def _unshadow(e: Expr, visible: set[str], reserved: frozenset[str] = frozenset()) -> Expr:
    """Rename dummies of nested products that repeat a name visible from an enclosing scope
    (new names avoid ``reserved`` too)."""
    if isinstance(e, (Tensor, Delta, Zero)):
        return e
    if isinstance(e, Sum):
        return Sum.make([_unshadow(t, visible, reserved) for t in e.terms])
    if isinstance(e, SumOver):
        if e.index_name in visible:
            used = visible | reserved | e.all_names()
            # from the pool the naming of bound indices uses, so that a second pass names it the same
            moved = e.rename_index(next(n for n in itertools.chain(_BOUND_POOL, _POOL,
                                                                   (f"i{k}" for k in itertools.count(1)))
                                        if n not in used))
            if not isinstance(moved, SumOver):
                return _unshadow(moved, visible, reserved)
            e = moved
        return SumOver.make(e.index_name, e.bounds, _unshadow(e.body, visible | {e.index_name}, reserved))
    if isinstance(e, Product):
        dummies = [d.name for d in e._free_and_dummies[1]]
        clash = [d for d in dummies if d in visible]
        factors = list(e.factors)
        if clash:
            _UNSHADOWED[0] += 1  # names no longer in order of appearance: simplify takes another pass
            used = visible | reserved | e.all_names()
            pool = (n for n in itertools.chain(_POOL, (f"i{k}" for k in itertools.count(1))) if n not in used)
            mapping = {d: next(pool) for d in clash}
            factors = [_rename(f, _restrict(mapping, f), used | set(mapping.values())) for f in factors]
            dummies = [mapping.get(d, d) for d in dummies]
        inner = visible | set(dummies)
        return Product.make(e.coeff, [_unshadow(f, inner, reserved) for f in factors], e.kept)
    if isinstance(e, Apply):
        return Apply(e.func_name, e.order, _unshadow(e.body, visible, reserved))
    if isinstance(e, MatrixFunction):
        return MatrixFunction(e.func_name, _unshadow(e.body, visible, reserved))
    if isinstance(e, Diag):
        return Diag(e.func_name, e.order, _unshadow(e.body, visible, reserved), e.new_indices)
    return e


def _lowerable(e: Expr) -> frozenset[str]:
    """Tensors used once in ``e``: the metric may lower or raise their slots without the
    result using one name with two slot patterns (which :func:`parse` rejects)."""
    count: dict[str, int] = {}
    for node in e.walk():
        if isinstance(node, Tensor):
            count[node.name] = count.get(node.name, 0) + 1
    return frozenset(n for n, c in count.items() if c == 1)


def simplify(e: Expr | str) -> Expr:
    """Contract deltas, lower/raise with the metric, name dummies canonically, collect like terms.

    The result has the same free indices as ``e``, in the same order, and the same value;
    it never renames an index to a name bound around it or to the ``x`` of a size ``N_x``
    it contains; simplifying twice changes nothing. ``e`` may be given as text.

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(simplify(parse(r"\\delta^i_j x^j + 2 x^i")))
        '3 x^i'
        >>> str(simplify(parse(r"B^i_m \\delta^m_n A^n_p y^p")))
        'B^i_j A^j_k y^k'
        >>> str(simplify(parse(r"\\delta^i_i")))
        '\\\\mathrm{N_i}'
        >>> str(simplify("x^i + x^i"))
        '2 x^i'
    """
    given = expression(e, "simplify")
    order = {ix.name: n for n, ix in enumerate(given.free)}  # the order as written, before any fold
    e = _hygienic(given)
    renamed = _UNSHADOWED[0]
    out = _display(e, order, set(), _lowerable(e))
    seen = {e}
    while ((_live_size_names(out) != _live_size_names(e) or any(isinstance(n, (SumOver, Delta)) for n in out.walk())
            or _UNSHADOWED[0] != renamed or _inner_sum_dummies(out) or _shadowed(out))
           and out not in seen and len(seen) < 4):
        # the names a pass gives avoid the x of every N_x it starts with; where one vanished with a term
        # that cancelled (or a fold made one), the next pass names otherwise; and a coefficient taken out
        # of a \\sum lets the next pass distribute it (seed 60123), like terms collected inside a function's
        # argument let a metric raise an index there (seed 3580573656): go on until a pass changes nothing
        # (and a dummy that kept the name of its N_x inside a function's argument, then renamed out of
        # the way of the same name outside, is named in order of appearance only by the next pass, seed
        # 529443046)
        # (and a sum that is a factor names its own dummies after the product's names around it, which are
        # chosen to avoid the sum's: a second pass may settle both, seed 815188032; and a result whose
        # bindings are not apart -- a trace t1_q^q in a sum factor beside the product's dummy q -- is what
        # the next pass's hygiene renames, seed 1195010385)
        seen.add(out)
        renamed = _UNSHADOWED[0]
        e, nxt = out, (_hygienic(out) if _shadowed(out) else out)
        out = _display(nxt, order, set(), _lowerable(nxt))
    if out.free_keys != given.free_keys:  # pragma: no cover - an engine bug, never a user error
        raise AssertionError(f"simplify changed the free indices of {given}: {out.free} != {given.free}")
    return out


def _inner_sum_dummies(e: Expr) -> bool:
    """Whether a sum that is a factor of a product in ``e`` has dummies of its own."""
    return any(isinstance(n, Product) and any(isinstance(f, Sum) and f.dummies for f in n.factors)
               for n in e.walk())


def canonical(e: Expr | str) -> Expr:
    """The canonical form used by :func:`equal`: like :func:`simplify` but with factors in key order.

    Example:
        >>> from einsteinpy_lite import parse
        >>> canonical(parse("y^j A^i_j")) == canonical(parse("A^i_k y^k"))
        True
    """
    return _canonical(_hygienic(expression(e, "canonical")))


def _hygienic(e: Expr) -> Expr:
    """``e`` with its sizes folded while the user's names stand (:func:`.sizes.fold_unsized`) and every
    binding named apart: a contraction can then never put an index into a factor that already uses its
    name (``C^{i} \\delta_{i \\mu} G^{\\mu j}_{j}`` with G's own trace also called i)."""
    e = fold_unsized(e)
    if not _shadowed(e):
        return e
    return apart(e, {ix.name for ix in e.free} | set(e.open_bound), NameSupply(set(e.all_names())))


def _shadowed(e: Expr) -> bool:
    """Whether two bindings in ``e`` share a name, or one reuses a free index's (what :func:`_hygienic` renames)."""
    names = [ix.name for node in e.walk() for ix in node._free_and_dummies[1]]
    return len(names) != len(set(names)) or bool(set(names) & ({ix.name for ix in e.free} | set(e.open_bound)))
