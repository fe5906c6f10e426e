r"""A generator of random well-formed harness trees (:mod:`.tree`) that reuses names across scopes on purpose.

Dummies of sibling scopes share names, a ``\sum_{k}`` binds a name that is a dummy or a free index elsewhere
(and, for the parse check, one that an enclosing ``\sum`` binds), size symbols ``\mathrm{N_j}`` sit next to a
dummy ``j``, one dummy name has different sizes in different terms, tensors repeat, every registered function
appears with signed arguments (``\log`` of positive ones), and names include the engine's own generated
stems (``u1``, ``s1``, ``t1``).  Deterministic for a seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from typing import TypeVar

import numpy as np

from .tree import (
    HEAD_POOL,
    INDEX_POOL,
    ONE,
    POSITIVE_ARG,
    POSITIVE_HEADS,
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
    Vec,
    at,
    index_names,
    put,
    size_of_name,
    validate,
    walk,
)

__all__ = ["Generator", "generate"]

T = TypeVar("T")


class Generator:
    """Draws random well-formed trees from a numpy ``Generator`` (deterministic for a seed).

    Example:
        >>> from einsteinpy_lite.selftest.tree import text
        >>> tree = Generator(np.random.default_rng(0)).expression()
        >>> isinstance(text(tree), str)
        True
    """

    def __init__(self, rng: np.random.Generator, functions: tuple[str, ...] | None = None,
                 max_depth: int = 3, max_leaves: int = 7, shadow: bool = False, vector: bool = True) -> None:
        from ..core.functions import function_names

        self.shadow = shadow  # may a \sum bind a name an enclosing \sum binds (the parser may refuse it)
        self.vector = vector  # softmax and logsumexp of vectors (not holomorphic as computed: no complex draws)

        self.rng = rng
        self.functions = tuple(functions) if functions is not None else function_names()
        self.max_depth = max_depth
        self.max_leaves = max_leaves
        self.leaves = 0
        self.bids = 0
        self.K = int(rng.integers(2, 5))
        self.signatures: dict[str, tuple[tuple[bool, ...], tuple[int, ...], bool]] = {}
        self.used: set[str] = set()

    # ------------------------------------------------------------ helpers
    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.rng.integers(len(seq)))]

    def size(self) -> int:
        return int(self.rng.choice([2, 3, 3, 4]))

    def bid(self) -> int:
        self.bids += 1
        return self.bids

    def name(self, avoid: set[str]) -> str:
        """An index name not in ``avoid``; half the time one already used elsewhere in the tree (another scope)."""
        again = sorted(n for n in self.used if n not in avoid)
        nm = self.pick(again) if again and self.chance(0.5) else self.pick([n for n in INDEX_POOL if n not in avoid])
        self.used.add(nm)
        return nm

    def shuffled(self, xs: list[Ix]) -> list[Ix]:
        return [xs[int(k)] for k in self.rng.permutation(len(xs))]

    def head(self, pattern: tuple[bool, ...], shape: tuple[int, ...], positive: bool) -> str:
        sig = (pattern, shape, positive)
        same = [h for h, s in self.signatures.items() if s == sig]
        if same and self.chance(0.6):  # repeated tensors
            return self.pick(same)
        pool = [h for h in (POSITIVE_HEADS if positive else HEAD_POOL) if h not in self.signatures]
        if not pool:
            pool = [f"T{n}" for n in range(1, 99) if f"T{n}" not in self.signatures][:1]
        h = self.pick(pool)
        self.signatures[h] = sig
        return h

    # ------------------------------------------------------------ nodes
    def expression(self) -> Node:
        """A whole expression: 0-3 free indices, then a random tree."""
        n_free = int(self.rng.choice([0, 1, 1, 2, 2, 3]))
        names: list[str] = []
        for _ in range(n_free):
            names.append(self.name(set(names)))
        fr = [Ix(nm, self.chance(0.5), self.size(), self.bid()) for nm in names]
        tree = self.node(fr, int(self.rng.integers(1, self.max_depth + 1)), ())
        return self.coefficients(tree)

    def node(self, fr: list[Ix], depth: int, bound: tuple[tuple[str, int, int], ...],
             visible: frozenset[str] = frozenset()) -> Node:
        """A subtree with free indices ``fr``; ``visible``: names of the enclosing product (a trace avoids them)."""
        kinds = ["leaf"]
        if depth > 0 and self.leaves < self.max_leaves:
            kinds += ["prod", "prod", "add", "fn", "sumk"] + (["had"] if fr else []) + \
                (["vec"] if self.vector and len(fr) <= 1 else [])
        kind = self.pick(kinds)
        return getattr(self, "_" + kind)(fr, depth - 1, bound, visible)  # type: ignore[no-any-return]

    def _leaf(self, fr: list[Ix], depth: int, bound: tuple[tuple[str, int, int], ...],
              visible: frozenset[str] = frozenset(), positive: bool = False) -> Node:
        self.leaves += 1
        if not positive and len(fr) == 2 and fr[0].size == fr[1].size and self.chance(0.3):
            a, b = self.shuffled(fr)
            return Dlt(a, b)
        slots = self.shuffled(fr)
        if not positive and len(fr) == 1 and bound and self.chance(0.15):
            k, size, bid = bound[int(self.rng.integers(len(bound)))]
            if size == fr[0].size:  # \delta^k_j with k bound by an enclosing sum
                return Dlt(Ix(k, not fr[0].up, size, bid), fr[0]) if self.chance(0.5) else \
                    Dlt(fr[0], Ix(k, not fr[0].up, size, bid))
        for k, size, bid in bound:  # the sample index of an enclosing \sum, in any position
            if self.chance(0.5):
                slots.insert(int(self.rng.integers(len(slots) + 1)), Ix(k, self.chance(0.5), size, bid))
        if not slots or (len(slots) < 3 and self.chance(0.1)):  # a trace x^a_a (or \delta^a_a)
            avoid = {ix.name for ix in fr} | {b[0] for b in bound} | visible
            nm, size, tb = self.name(avoid), self.size(), self.bid()
            pair = [Ix(nm, True, size, tb), Ix(nm, False, size, tb)]
            if not slots and not positive and self.chance(0.25):
                return Dlt(*pair)
            slots = self.shuffled(slots + pair)
        pattern = tuple(ix.up for ix in slots)
        shape = tuple(ix.size for ix in slots)
        return Leaf(self.head(pattern, shape, positive), tuple(slots), positive)

    def _prod(self, fr: list[Ix], depth: int, bound: tuple[tuple[str, int, int], ...],
              visible: frozenset[str] = frozenset()) -> Node:
        n = int(self.rng.choice([2, 2, 3, 4]))
        parts: list[list[Ix]] = [[] for _ in range(n)]
        for ix in fr:
            parts[int(self.rng.integers(n))].append(ix)
        avoid = {ix.name for ix in fr} | {b[0] for b in bound}
        for _ in range(int(self.rng.integers(0, 3))):  # implied sums
            nm = self.name(avoid)
            avoid.add(nm)
            size = fr[int(self.rng.integers(len(fr)))].size if fr and self.chance(0.4) else self.size()
            a, b = (int(x) for x in self.rng.permutation(n)[:2])
            up, bid = self.chance(0.5), self.bid()
            parts[a].append(Ix(nm, up, size, bid))
            parts[b].append(Ix(nm, not up, size, bid))
        inside = visible | {ix.name for p in parts for ix in p}
        factors = tuple(self.node(self.shuffled(p), depth, bound, inside) for p in parts)
        return Prod(ONE, factors)

    def _had(self, fr: list[Ix], depth: int, bound: tuple[tuple[str, int, int], ...],
             visible: frozenset[str] = frozenset()) -> Node:
        r"""``left \odot right`` keeping some of ``fr`` (in both sides, same position), the rest on either side,
        and sometimes an index summed across the ``\odot`` (up on one side, down on the other)."""
        order = self.shuffled(fr)
        n_kept = int(self.rng.integers(1, len(order) + 1))
        left, right = list(order[:n_kept]), list(order[:n_kept])
        for ix in order[n_kept:]:
            (left if self.chance(0.5) else right).append(ix)
        avoid = {ix.name for ix in fr} | {b[0] for b in bound}
        if self.chance(0.35):
            nm, up, size, bid = self.name(avoid), self.chance(0.5), self.size(), self.bid()
            left.append(Ix(nm, up, size, bid))
            right.append(Ix(nm, not up, size, bid))
        inside = visible | {ix.name for ix in left + right}
        return Had(self.node(self.shuffled(left), depth, bound, inside),
                   self.node(self.shuffled(right), depth, bound, inside))

    def _vec(self, fr: list[Ix], depth: int, bound: tuple[tuple[str, int, int], ...],
             visible: frozenset[str] = frozenset()) -> Node:
        r"""``\mathrm{softmax}`` of a vector with the one free index ``fr``, or ``\mathrm{logsumexp}`` (a scalar) of a
        vector whose index, its own, is named like anything around it."""
        if fr:
            return Vec("softmax", self.node(fr, depth, bound, visible))
        ix = Ix(self.name({b[0] for b in bound}), self.chance(0.5), self.size(), self.bid())
        return Vec("logsumexp", self.node([ix], depth, bound, visible | {ix.name}))

    def _add(self, fr: list[Ix], depth: int, bound: tuple[tuple[str, int, int], ...],
             visible: frozenset[str] = frozenset()) -> Node:
        n = int(self.rng.choice([2, 2, 3]))
        return Add(tuple(self.node(self.shuffled(fr), depth, bound, visible) for _ in range(n)))

    def _fn(self, fr: list[Ix], depth: int, bound: tuple[tuple[str, int, int], ...],
            visible: frozenset[str] = frozenset()) -> Node:
        name = self.pick(self.functions)
        if name in POSITIVE_ARG:
            wrap = [f for f in ("exp", "sigmoid", "softplus") if f in self.functions]
            if wrap and self.chance(0.6):
                return Fn(name, Fn(self.pick(wrap), self.node(fr, depth, bound, visible)))
            return Fn(name, self._leaf(fr, depth, bound, visible, positive=True))
        return Fn(name, self.node(fr, depth, bound, visible))

    def _sumk(self, fr: list[Ix], depth: int, bound: tuple[tuple[str, int, int], ...],
              visible: frozenset[str] = frozenset()) -> Node:
        outer = [b[0] for b in bound if b[0] not in {ix.name for ix in fr}]
        if self.shadow and outer and self.chance(0.5):  # \sum_{k} ... \sum_{k}: the inner one shadows
            k = self.pick(outer)
        else:
            k = self.name({ix.name for ix in fr} | {b[0] for b in bound})
        bounded = self.chance(0.35)
        size = self.K if bounded else self.size()
        bid = self.bid()
        inner = tuple(b for b in bound if b[0] != k) + ((k, size, bid),)
        return SumK(k, size, bid, bounded, self.node(fr, depth, inner, visible))

    # ------------------------------------------------------------ coefficients
    def coefficients(self, tree: Node) -> Node:
        r"""Scalar coefficients on some products (numbers, ``K``, ``\alpha``, ``N_x`` of a used or unused name).

        Nodes are visited deepest and last first, and re-read at their path, so that wrapping a node in a
        product (which moves everything below it) never leaves a stale path behind.
        """
        paths = [path for path, _, _ in walk(tree)][::-1]
        for path in paths:
            n = at(tree, path)
            if not isinstance(n, Prod) and not (isinstance(n, Leaf) and not n.positive and self.chance(0.15)):
                continue
            c = self.coefficient(tree)
            if isinstance(n, Prod):
                tree = put(tree, path, replace(n, coef=c))
            elif not c.is_one():
                tree = put(tree, path, Prod(c, (n,)))
        # terms of sums: signs and factors (a wrapped term keeps the sum's free indices)
        for path in [path for path, _, _ in walk(tree)][::-1]:
            n = at(tree, path)
            if isinstance(n, Add):
                terms = list(n.terms)
                for t_i, t in enumerate(terms):
                    if self.chance(0.3):
                        c = Coef(Fraction(-1)) if self.chance(0.6) else self.coefficient(tree)
                        terms[t_i] = replace(t, coef=t.coef.times(c)) if isinstance(t, Prod) else Prod(c, (t,))
                tree = put(tree, path, Add(tuple(terms)))
        return tree

    def coefficient(self, tree: Node) -> Coef:
        if self.chance(0.55):
            return ONE
        choice = int(self.rng.integers(9))
        if choice < 4:
            return Coef(Fraction(self.pick(["2", "-1", "1/2", "-3/4", "3"])))
        if choice == 4:
            return Coef(Fraction(self.pick(["1", "2", "-1"])), (("K", self.pick([1, -1])),))
        if choice == 5:
            return Coef(Fraction(self.pick(["1", "-1", "1/2"])), (("alpha", 1),))
        # N_x: a name of the tree with one size (dummy, free or bound), or a name it never uses
        used = index_names(tree)
        sized = sorted(nm for nm in used if size_of_name(tree, nm) is not None)
        unused = sorted(set(INDEX_POOL) - used)
        cands = sized if (sized and self.chance(0.7)) or not unused else unused
        return Coef(Fraction(1), ((f"N_{self.pick(cands)}", self.pick([1, 1, -1])),))


def generate(seed: int | tuple[int, ...], functions: tuple[str, ...] | None = None, max_depth: int = 3,
             shadow: bool = False, vector: bool = True) -> Node:
    """A valid random tree for a seed (draws again, from the same stream, until :func:`validate` holds).

    Example:
        >>> validate(generate(7))
        True
    """
    rng = np.random.default_rng(seed)
    while True:
        tree = Generator(rng, functions, max_depth, shadow=shadow, vector=vector).expression()
        if validate(tree):
            return tree
