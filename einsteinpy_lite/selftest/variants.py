r"""Pairs for the ``equal`` check: a tree transformed so that it stays equal, or (usually) does not.

Built equal: a dummy or ``\sum`` index renamed (to a name used in another scope when one is free),
factors or terms reordered, a product distributed over a sum, a slot moved onto a delta, a subterm
written as half plus half, a ``\sum`` over an index its body does not use written as ``N_k`` (or ``K``).
Built unequal: two indices of a tensor swapped, a sign flipped, a coefficient changed, a term, a
function or an unused ``\sum`` dropped, a function replaced.  Whether an "unequal" pair really differs
is decided by the oracle on the case's numbers, not assumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np

from .tree import (
    INDEX_POOL,
    ONE,
    POSITIVE_ARG,
    Add,
    Coef,
    Dlt,
    Fn,
    Had,
    Ix,
    Leaf,
    Node,
    Prod,
    SumK,
    at,
    coef_symbols,
    free,
    hadamard_parts,
    index_names,
    needs_size,
    put,
    validate,
    walk,
)

__all__ = ["Variant", "variants", "bindings"]

Path = tuple[int, ...]


@dataclass(frozen=True)
class Variant:
    """A transformed tree: how, whether it was built equal, and scalars it needs that the original does not."""

    how: str
    built_equal: bool
    tree: Node
    scalars: dict[str, int] = field(default_factory=dict)


def bindings(tree: Node) -> list[tuple[Path, int, str]]:
    r"""``(path of the binding node, bid, name)`` of every dummy pair and ``\sum``-bound index.

    Example:
        >>> i, j = Ix("i", True, 2, 1), Ix("j", False, 3, 2)
        >>> bindings(Prod(ONE, (Leaf("A", (i, j)), Leaf("y", (Ix("j", True, 3, 2),)))))
        [((), 2, 'j')]
    """
    out: list[tuple[Path, int, str]] = []
    for path, n, bound in walk(tree):
        if isinstance(n, SumK):
            out.append((path, n.bid, n.k))
            continue
        if isinstance(n, Prod):
            slots = [ix for f in n.factors for ix in free(f, bound)]
        elif isinstance(n, Had):  # an index summed across the \odot (a kept one is free: no binding here)
            left, right = free(n.left, bound), free(n.right, bound)
            summed = hadamard_parts(left, right)[2]
            out += [(path, ix.bid, ix.name) for ix in left if ix.name in summed]
            continue
        elif isinstance(n, Leaf):
            slots = list(n.slots)
        elif isinstance(n, Dlt):
            slots = [n.a, n.b]
        else:
            continue
        seen: dict[int, int] = {}
        for ix in slots:
            if ix.name not in bound:
                seen[ix.bid] = seen.get(ix.bid, 0) + 1
        out += [(path, ix.bid, ix.name) for ix in slots if seen.get(ix.bid) == 2 and ix.up]
    return out


def rename_binding(node: Node, bid: int, new: str) -> Node:
    """Every occurrence of the binding ``bid`` (and the sum that binds it) renamed ``new``."""
    if isinstance(node, Leaf):
        return replace(node, slots=tuple(replace(ix, name=new) if ix.bid == bid else ix for ix in node.slots))
    if isinstance(node, Dlt):
        a, b = (replace(ix, name=new) if ix.bid == bid else ix for ix in (node.a, node.b))
        return Dlt(a, b)
    if isinstance(node, SumK):
        return replace(node, k=new if node.bid == bid else node.k, body=rename_binding(node.body, bid, new))
    if isinstance(node, Prod):
        return replace(node, factors=tuple(rename_binding(f, bid, new) for f in node.factors))
    if isinstance(node, Add):
        return Add(tuple(rename_binding(t, bid, new) for t in node.terms))
    if isinstance(node, Had):
        return Had(rename_binding(node.left, bid, new), rename_binding(node.right, bid, new))
    return replace(node, body=rename_binding(node.body, bid, new))


def under_log(tree: Node, path: Path) -> bool:
    """True when the node at ``path`` is the argument of a ``\\log`` or ``\\mathrm{sqrt}`` (it must stay positive)."""
    if not path:
        return False
    parent = at(tree, path[:-1])
    return isinstance(parent, Fn) and parent.name in POSITIVE_ARG


class _Builder:
    def __init__(self, tree: Node, rng: np.random.Generator) -> None:
        self.tree = tree
        self.rng = rng
        self.nodes = list(walk(tree))
        self.syms = coef_symbols(tree)
        self.out: list[Variant] = []

    def one(self, items: list[tuple[Path, Node]]) -> tuple[Path, Node]:
        return items[int(self.rng.integers(len(items)))]

    def add(self, how: str, equal: bool, path: Path, new: Node, scalars: dict[str, int] | None = None) -> None:
        self.out.append(Variant(how, equal, put(self.tree, path, new), scalars or {}))

    # ------------------------------------------------------------ built equal
    def rename(self) -> None:
        binds = bindings(self.tree)
        if not binds:
            return
        path, bid, old = binds[int(self.rng.integers(len(binds)))]
        node = at(self.tree, path)
        bound = next(b for p, _, b in self.nodes if p == path)
        avoid = index_names(node) | {ix.name for ix in free(node, bound)} | set(bound)
        # the size of a space no array carries is N_x by its name x: renaming it, or renaming another index
        # to x, changes that size
        cands = [n for n in INDEX_POOL if n not in avoid and f"N_{n}" not in self.syms
                 and n not in needs_size(self.tree)]
        if cands and f"N_{old}" not in self.syms and old not in needs_size(self.tree):
            new = cands[int(self.rng.integers(len(cands)))]
            self.add(f"dummy {old} renamed {new}", True, path, rename_binding(node, bid, new))

    def reorder(self) -> None:
        prods = [(p, n) for p, n, _ in self.nodes if isinstance(n, Prod) and len(n.factors) > 1]
        if prods:
            p, prod = self.one(prods)  # type: ignore[arg-type]
            assert isinstance(prod, Prod)
            perm = [int(k) for k in self.rng.permutation(len(prod.factors))]
            if perm == sorted(perm):
                perm = perm[::-1]
            self.add("factors reordered", True, p, replace(prod, factors=tuple(prod.factors[k] for k in perm)))
        adds = [(p, n) for p, n, _ in self.nodes if isinstance(n, Add)]
        if adds:
            p, add = self.one(adds)  # type: ignore[arg-type]
            assert isinstance(add, Add)
            self.add("terms reordered", True, p, Add(add.terms[::-1]))
        hads = [(p, n) for p, n, _ in self.nodes if isinstance(n, Had)]
        if hads:
            p, had = self.one(hads)  # type: ignore[arg-type]
            assert isinstance(had, Had)
            self.add("the sides of an odot swapped", True, p, Had(had.right, had.left))

    def distribute(self) -> None:
        spots = [(p, n, k) for p, n, _ in self.nodes if isinstance(n, Prod)
                 for k, f in enumerate(n.factors) if isinstance(f, Add)]
        if spots:
            p, prod, k = spots[int(self.rng.integers(len(spots)))]
            assert isinstance(prod, Prod)
            inner = prod.factors[k]
            assert isinstance(inner, Add)
            terms = tuple(Prod(prod.coef, prod.factors[:k] + (t,) + prod.factors[k + 1:]) for t in inner.terms)
            self.add("product distributed over a sum", True, p, Add(terms))

    def delta(self) -> None:
        leaves = [(p, n, b) for p, n, b in self.nodes if isinstance(n, Leaf)]
        if not leaves:
            return
        p, leaf, bound = leaves[int(self.rng.integers(len(leaves)))]
        assert isinstance(leaf, Leaf)
        slots = [s for s, ix in enumerate(leaf.slots)
                 if ix.name not in bound and sum(j.name == ix.name for j in leaf.slots) == 1]
        # not a name whose size only N_m gives (an index no array carries): the delta would tie it to a slot
        cands = [m for m in INDEX_POOL if m not in index_names(leaf) | set(bound) | needs_size(self.tree)
                 and f"N_{m}" not in self.syms]
        if slots and cands:
            s = slots[int(self.rng.integers(len(slots)))]
            ix = leaf.slots[s]
            d = Ix(cands[int(self.rng.integers(len(cands)))], ix.up, ix.size, -ix.bid - 10_000)
            moved = replace(leaf, slots=leaf.slots[:s] + (d,) + leaf.slots[s + 1:])
            self.add("a slot moved onto a delta", True, p, Prod(ONE, (Dlt(ix, replace(d, up=not ix.up)), moved)))

    def halves(self) -> None:
        p, node = self.one([(p, n) for p, n, _ in self.nodes if not under_log(self.tree, p)])
        half = Prod(Coef(Fraction(1, 2)), (node,))
        self.add("a subterm written as half plus half", True, p, Add((half, half)))

    def unused_sum(self) -> None:
        sums = [(p, n) for p, n, _ in self.nodes if isinstance(n, SumK) and n.k not in index_names(n.body)]
        if not sums:
            return
        p, s = self.one(sums)  # type: ignore[arg-type]
        assert isinstance(s, SumK)
        size_sym = "K" if s.bounded else f"N_{s.k}"
        dropped = put(self.tree, p, s.body)
        if size_sym == "K" or (size_sym not in self.syms and s.k not in index_names(dropped)):
            self.add(f"a sum over an unused index written as {size_sym}", True, p,
                     Prod(Coef(Fraction(1), ((size_sym, 1),)), (s.body,)), {size_sym: s.size})
        self.add("a sum over an unused index dropped", False, p, s.body)

    # ------------------------------------------------------------ built unequal
    def functions(self) -> None:
        from ..core.functions import function_names

        fns = [(p, n) for p, n, _ in self.nodes if isinstance(n, Fn) and not under_log(self.tree, p)]
        if not fns:
            return
        p, fn = self.one(fns)  # type: ignore[arg-type]
        assert isinstance(fn, Fn)
        self.add(f"a function {fn.name} dropped", False, p, fn.body)
        if fn.name not in POSITIVE_ARG:
            other = [f for f in function_names() if f != fn.name and f not in POSITIVE_ARG]
            self.add(f"a function {fn.name} replaced", False, p, replace(fn, name=other[int(self.rng.integers(len(other)))]))

    def swap(self) -> None:
        swaps = []
        for p, n, b in self.nodes:
            if isinstance(n, Leaf):
                for s in range(len(n.slots)):
                    for t in range(s + 1, len(n.slots)):
                        u, v = n.slots[s], n.slots[t]
                        if u.up == v.up and u.size == v.size and u.name != v.name and u.name not in b and v.name not in b:
                            swaps.append((p, n, s, t))
        if swaps:
            p, leaf, s, t = swaps[int(self.rng.integers(len(swaps)))]
            sl = list(leaf.slots)
            sl[s], sl[t] = sl[t], sl[s]
            self.add(f"indices {sl[t].name}, {sl[s].name} of {leaf.head} swapped", False, p,
                     replace(leaf, slots=tuple(sl)))

    def sign(self) -> None:
        p, node = self.one([(p, n) for p, n, _ in self.nodes if not under_log(self.tree, p)])
        flipped = replace(node, coef=Coef(-node.coef.value, node.coef.syms)) if isinstance(node, Prod) \
            else Prod(Coef(Fraction(-1)), (node,))
        self.add("a sign flipped", False, p, flipped)

    def coefficient(self) -> None:
        prods = [(p, n) for p, n, _ in self.nodes if isinstance(n, Prod)]
        if prods:
            p, prod = self.one(prods)  # type: ignore[arg-type]
            assert isinstance(prod, Prod)
            factor = [Fraction(2), Fraction(3, 2), Fraction(-1, 2), Fraction(1001, 1000)][int(self.rng.integers(4))]
            self.add("a coefficient changed", False, p, replace(prod, coef=prod.coef.times(Coef(factor))))

    def drop_term(self) -> None:
        adds = [(p, n) for p, n, _ in self.nodes if isinstance(n, Add)]
        if adds:
            p, add = self.one(adds)  # type: ignore[arg-type]
            assert isinstance(add, Add)
            k = int(self.rng.integers(len(add.terms)))
            rest = add.terms[:k] + add.terms[k + 1:]
            self.add("a term dropped", False, p, rest[0] if len(rest) == 1 else Add(rest))


def variants(tree: Node, rng: np.random.Generator) -> list[Variant]:
    """One variant of each kind that applies to ``tree`` (only valid trees).

    Example:
        >>> from .generator import generate
        >>> vs = variants(generate(1), np.random.default_rng(0))
        >>> any(v.built_equal for v in vs) and any(not v.built_equal for v in vs)
        True
    """
    b = _Builder(tree, rng)
    for step in (b.rename, b.reorder, b.distribute, b.delta, b.halves, b.unused_sum,
                 b.functions, b.swap, b.sign, b.coefficient, b.drop_term):
        step()
    return [v for v in b.out if validate(v.tree)]
