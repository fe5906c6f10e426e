"""Simplifying derivatives: :func:`simplify_derivative`, what :func:`einsteinpy_lite.diff` applies to its result.

A derivative repeats the arguments of its elementwise functions many times (every
``[\\nabla\\sigma(z)]`` of a deep network carries the whole forward pass in ``z``).
Here each distinct argument is simplified once and stands in as one atom while
the rest is simplified by :func:`einsteinpy_lite.simplify`; indices bound by a
``\\sum`` around the expression are kept out of the simplifier's reach.
"""

from __future__ import annotations

import hashlib

from ..core.atoms import Delta, Tensor, Zero
from ..core.elementwise import Apply, Diag
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product
from ..core.indices import Index
from ..core.rename import _map_indices, fresh_names, rename_free
from .scopes import NameSupply, _clear_names, _rename_all, _unique_dummies, avoid_names
from .sizes import anchored

__all__ = ["simplify_derivative"]


def simplify_derivative(e: Expr) -> Expr:
    """:func:`einsteinpy_lite.simplify` with each distinct function argument simplified only once.

    What :func:`diff` applies to its result; use it for expressions built from derivatives.

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(simplify_derivative(parse(r"\\sigma(\\delta^i_j x^j) \\delta_i^k")))
        '\\\\sigma(x^k)'
    """
    # indices bound by a \\sum around e (the sample index k of a loss's summand) are hidden under
    # names the simplifier never picks, so that it cannot name one of its own sums like them
    opened = sorted(e.open_bound)
    hidden = {b: f"\\varpi{n}" for n, b in enumerate(opened)}
    work = e
    for b, h in hidden.items():
        work = _rename_all(work, b, h, True)
    try:
        out = _BodyAtoms().simplify(work)
    except EinsteinError:  # pragma: no cover - a simplifier gap (e.g. a delta between two slots of one
        return e  # diagonal); the unsimplified derivative is right, so return it rather than fail
    if opened:
        out = avoid_names(out, set(opened))
        for b, h in hidden.items():
            out = _rename_all(out, h, b, True)
    return out


class _BodyAtoms:
    """Simplify with every function argument standing in as one atom, each distinct argument simplified once.

    A derivative repeats the arguments of its elementwise functions many times
    (every ``[\\nabla\\sigma(z)]`` of a deep network carries the whole forward pass
    in ``z``).  Each distinct argument is simplified once, named by its canonical
    form (so arguments equal up to index names share one atom and like terms
    still collect), and put back after the outer expression is simplified.
    """

    _ATOM = "__arg"  # no text the parser reads names a tensor like this
    # shared by every call (a network's gradients repeat the same arguments), and pure: an argument's
    # simplified form, its atom, and the arguments nested in it, in the order they were met
    memo: dict[Expr, tuple[Tensor, Expr, int]] = {}  # argument -> its atom, normalized argument, sums around
    records: dict[Expr, tuple[str, tuple[Expr, tuple[Index, ...], tuple[str, ...]], tuple[Expr, ...]]] = {}

    def __init__(self) -> None:
        if len(self.memo) + len(self.records) > 40000:  # bound the caches
            self.memo.clear()
            self.records.clear()
        self.outer: set[str] = set()
        # this call's own: which argument an atom restores to is the first one met *in this call*, so
        # that the result never depends on earlier calls (arguments equal up to index names share an atom)
        self.templates: dict[str, tuple[Expr, tuple[Index, ...], tuple[str, ...]]] = {}
        self.restored: dict[str, Expr] = {}
        self.met: list[list[Expr]] = []
        self.seen: set[Expr] = set()

    def simplify(self, e: Expr) -> Expr:
        from .simplify import simplify

        out = simplify(self.shell(e))
        # an argument's dummies must not take a name of the outer expression, nor the x of its N_x
        self.outer = set(out.index_names()) | set(out.size_names)
        return self.restore(out)

    def shell(self, e: Expr) -> Expr:
        """``e`` with the argument of every Apply and Diag replaced by an atom.

        Not an argument with a free index that no array sizes (\\mathrm{softplus}(\\delta_\\mu^c)): an atom
        is a tensor, whose slots would size that index, and the simplifier would rename it freely while its
        size is the one its name gives (seed 130641402)."""
        if isinstance(e, (Apply, Diag)):
            if e.body.size_names or {ix.name for ix in e.body.free} - anchored(e.body):
                # (nor one with a size N_x: an atom would hide the x from the names the simplifier must not
                # give a dummy, \cos(N_i) beside a dummy it named i, seed 130642301)
                return e.map_children(self.shell)
        if isinstance(e, Apply):
            return Apply(e.func_name, e.order, self.atom(e.body))
        if isinstance(e, Diag):
            return Diag(e.func_name, e.order, self.atom(e.body), e.new_indices)
        if not any(isinstance(n, (Apply, Diag)) for n in e.walk()):
            return e
        return e.map_children(self.shell)

    def atom(self, body: Expr) -> Tensor:
        if self.met:
            self.met[-1].append(body)
        hit = self.memo.get(body)
        if hit is None:
            free = tuple(body.free)
            bound = tuple(sorted(body.open_bound))
            # the argument up to the names of its free indices and of the sums around it: one record for
            # every spelling (the argument of \tanh and of its derivative's diagonal, renamed by diff)
            norm = rename_free(body, {ix.name: f"\\zeta{n}" for n, ix in enumerate(free)})
            norm = _rename_bound_at_once(norm, {b: f"\\eta{n}" for n, b in enumerate(bound)})
            name = self.record(norm, len(bound))
            out = Tensor(name, list(free) + [Index(b, False, True) for b in bound])
            self.memo[body] = hit = (out, norm, len(bound))
            return out
        out, norm, n_bound = hit
        self.record(norm, n_bound)
        return out

    def record(self, norm: Expr, n_bound: int) -> str:
        """The atom's name for the normalized argument ``norm``, its template registered in this call."""
        rec = self.records.get(norm)
        if rec is not None:
            name, template, nested = rec
            if norm in self.seen:  # met before in this call: its nested arguments too
                return name
            self.met.append([])  # (their own nested ones are in their records, not the caller's)
            for inner_body in nested:  # meet the nested arguments as a fresh computation would
                self.atom(inner_body)
            self.met.pop()
        else:
            from .simplify import canonical, simplify

            self.met.append([])
            try:
                shelled = self.shell(_unique_dummies(norm, {ix.name for ix in norm.free},
                                                     NameSupply(set(norm.all_names()))))
            finally:
                nested = tuple(self.met.pop())
            inner = simplify(shelled)
            # named by a digest of the canonical form, so that names (and with them the order of factors
            # and the dummy names of the result) do not depend on earlier calls
            name = f"{self._ATOM}{hashlib.sha1(str(canonical(inner)).encode()).hexdigest()[:12]}"
            template = (inner, tuple(ix.with_bound(False) for ix in norm.free),
                        tuple(f"\\eta{n}" for n in range(n_bound)))
            self.records[norm] = (name, template, nested)
        self.seen.add(norm)
        self.templates.setdefault(name, template)
        return name

    def restore(self, e: Expr) -> Expr:
        """Put the simplified arguments back in place of the atoms."""
        if isinstance(e, Tensor) and e.name in self.templates:
            template, free, bound = self.templates[e.name]
            slots = e.indices[: len(free)]
            used = e.index_names() | template.index_names() | template.size_names  # N_x inside: never x
            fix: list[Expr] = []
            mapping: dict[str, str] = {}
            for want, have in zip(free, slots):
                if want.up == have.up:
                    mapping[want.name] = have.name
                else:  # the simplifier raised or lowered the atom's slot: apply the metric to the argument
                    (mid,) = fresh_names(used, 1, stem="v")
                    used.add(mid)
                    mapping[want.name] = mid
                    fix.append(Delta(have, Index(mid, not want.up)))
            full = self.restored.get(e.name)
            if full is None:
                full = self.restored[e.name] = self.restore(template)
            # the argument's own dummies named like an index put into it, or like one around it, get short
            # fresh names first (renaming the free indices would otherwise push them to u1, u2, ...)
            targets = set(mapping.values())
            clash = (full.index_names() - {ix.name for ix in full.free}) & (targets | self.outer)
            if clash:
                full = _rename_dummies_pretty(full, clash, self.outer | full.index_names() | full.size_names | targets
                                              | used)
            body = rename_free(full, mapping, avoid=used)
            # at once: the slots' names may be another atom's \eta names (nested arguments), and renaming
            # one by one merged \eta0 -> \eta1 with the \eta1 still waiting to become \eta2
            body = _rename_bound_at_once(body, {b: slot.name for b, slot in zip(bound, e.indices[len(free):])})
            return Product.make(1, [body, *fix]) if fix else body
        if isinstance(e, Apply):
            return Apply(e.func_name, e.order, self.restore(e.body))
        if isinstance(e, Diag):
            body = self.restore(e.body)
            # the diagonal pairs its argument's free indices with its own by position: keep the pairs
            pair = {u.name: lo for u, lo in zip(e.body.free, e.new_indices)}
            return Diag(e.func_name, e.order, body, [pair[u.name] for u in body.free])
        if isinstance(e, (Tensor, Delta, Zero)):
            return e
        return e.map_children(self.restore)


_PRETTY = "lmnpqrstabcdefgh"


def _rename_dummies_pretty(e: Expr, names: set[str], taken: set[str]) -> Expr:
    """Rename the dummies ``names`` of ``e`` to short letters not in ``taken``."""
    var = NameSupply(set(taken), pool=list(_PRETTY))
    return _clear_names(e, set(names), var)


def _rename_bound_at_once(e: Expr, mapping: dict[str, str]) -> Expr:
    """Rename the bound slots of ``e`` by ``mapping``, all at once (never one name into another)."""
    if not mapping:
        return e
    return _map_indices(e, lambda ix: ix.renamed(mapping[ix.name]) if (ix.bound and ix.name in mapping) else ix)
