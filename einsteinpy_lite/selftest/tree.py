r"""The harness's own expression trees: a few frozen dataclasses and their text (the generator is in :mod:`.generator`).

The generator never builds an engine :class:`~einsteinpy_lite.Expr`; it builds :data:`Node` trees whose
meaning is fixed here (lexical scoping: a node's dummies are its own, a ``\sum_{k}`` binds every ``k``
of its body), prints them as text for :func:`~einsteinpy_lite.parse`, and the oracle
(:mod:`.oracle`) evaluates them with plain numpy.  Every index occurrence carries its size and the id
of its binding (``bid``), so sizes belong to bindings and spaces, not to names: one name may be a
dummy of size 2 in one term and of size 4 in another.

Names are reused on purpose: dummies of sibling scopes share names, a ``\sum_{k}`` binds a name that is a
dummy or a free index elsewhere, size symbols ``\mathrm{N_j}`` sit next to a dummy ``j``, tensors repeat,
and index and tensor names include the engine's own generated stems (``u1``, ``s1``, ``t1``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction

__all__ = ["Ix", "Leaf", "Dlt", "Coef", "Prod", "Add", "SumK", "Fn", "Had", "Vec", "Node", "text", "free",
           "walk", "well_formed", "index_names", "heads", "needs_size", "size_of_name", "validate", "ONE",
           "NON_HOLOMORPHIC", "POSITIVE_ARG", "slots_text", "coef_symbols", "shadowed", "at", "put"]

#: Index names drawn from: Latin, digits, Greek, and the engine's own generated stems (u1, s1).
INDEX_POOL = ("i", "j", "k", "l", "m", "n", "a", "b", "c", "d", "p", "q", "i1", "j2", "u1", "s1", r"\mu", r"\nu")
#: Tensor heads: Latin, digits, Greek, \mathrm words, names that collide with generated code (t1, \lambda).
HEAD_POOL = ("A", "B", "C", "G", "W1", "x", "y", "z", "v", "b2", "t1", r"\epsilon", r"\Gamma", r"\lambda",
             r"\mathrm{eps}", "H", "R", "S")
#: Heads of tensors whose arrays are positive (arguments of \log).
POSITIVE_HEADS = ("P", "Q", r"\rho")
#: Functions that are not holomorphic: no complex128 inputs for them.
NON_HOLOMORPHIC = frozenset({"relu", "softplus", "abs"})
#: Functions whose argument must be positive.
POSITIVE_ARG = frozenset({"log", "sqrt", "rsqrt"})


@dataclass(frozen=True)
class Ix:
    """One index occurrence: name, position, the size of its space, and the id of its binding."""

    name: str
    up: bool
    size: int
    bid: int

    def group(self) -> str:
        return "^" if self.up else "_"


@dataclass(frozen=True)
class Leaf:
    """A tensor ``head`` with its slots (``positive``: its array is drawn positive)."""

    head: str
    slots: tuple[Ix, ...]
    positive: bool = False


@dataclass(frozen=True)
class Dlt:
    r"""A Kronecker delta ``\delta^i_j``, or a metric ``\delta_{ij}`` / ``\delta^{ij}`` (identity numbers)."""

    a: Ix
    b: Ix


@dataclass(frozen=True)
class Coef:
    """``num/den`` times a product of symbols (``K``, ``alpha``, ``N_x``) to integer powers."""

    value: Fraction
    syms: tuple[tuple[str, int], ...] = ()

    def is_one(self) -> bool:
        return self.value == 1 and not self.syms

    def times(self, other: Coef) -> Coef:
        return Coef(self.value * other.value, self.syms + other.syms)


ONE = Coef(Fraction(1))


@dataclass(frozen=True)
class Prod:
    """A coefficient times factors; repeated indices (once up, once down) are summed."""

    coef: Coef
    factors: tuple[Node, ...]


@dataclass(frozen=True)
class Add:
    """A sum of terms with the same free indices (the first term's order)."""

    terms: tuple[Node, ...]


@dataclass(frozen=True)
class SumK:
    r"""``\sum_{k} body`` (over the size of k's space) or ``\sum_{k=0}^{K-1} body`` (``bounded``)."""

    k: str
    size: int
    bid: int
    bounded: bool
    body: Node


@dataclass(frozen=True)
class Fn:
    """A registered elementwise function of ``body``."""

    name: str
    body: Node


@dataclass(frozen=True)
class Had:
    r"""``left \odot right``: an index both sides have free in the same position is kept (free once, elementwise),
    one they have in opposite positions is summed, the others are free."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Vec:
    r"""A function of a whole vector: ``softmax`` (keeps the body's one free index) or ``logsumexp`` (a scalar:
    the body's one free index is its own, summed inside)."""

    name: str
    body: Node


Node = Leaf | Dlt | Prod | Add | SumK | Fn | Had | Vec


def walk(node: Node, bound: tuple[str, ...] = (), path: tuple[int, ...] = ()
         ) -> Iterator[tuple[tuple[int, ...], Node, tuple[str, ...]]]:
    """Every node with its path (child positions) and the names bound by enclosing sums."""
    yield path, node, bound
    if isinstance(node, Prod):
        for n, f in enumerate(node.factors):
            yield from walk(f, bound, (*path, n))
    elif isinstance(node, Add):
        for n, t in enumerate(node.terms):
            yield from walk(t, bound, (*path, n))
    elif isinstance(node, SumK):
        yield from walk(node.body, (*bound, node.k), (*path, 0))
    elif isinstance(node, (Fn, Vec)):
        yield from walk(node.body, bound, (*path, 0))
    elif isinstance(node, Had):
        yield from walk(node.left, bound, (*path, 0))
        yield from walk(node.right, bound, (*path, 1))


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Prod):
        return node.factors
    if isinstance(node, Add):
        return node.terms
    if isinstance(node, (SumK, Fn, Vec)):
        return (node.body,)
    if isinstance(node, Had):
        return (node.left, node.right)
    return ()


def with_children(node: Node, kids: tuple[Node, ...]) -> Node:
    if isinstance(node, Prod):
        return replace(node, factors=kids)
    if isinstance(node, Add):
        return replace(node, terms=kids)
    if isinstance(node, (SumK, Fn, Vec)):
        return replace(node, body=kids[0])
    if isinstance(node, Had):
        return Had(kids[0], kids[1])
    return node


def hadamard_parts(left: tuple[Ix, ...], right: tuple[Ix, ...]) -> tuple[tuple[Ix, ...], set[str], set[str]]:
    """(the free indices of ``left \\odot right`` in order: the left's unsummed, then the right's new ones; the kept
    names; the summed names)."""
    lpos = {ix.name: ix.up for ix in left}
    kept = {ix.name for ix in right if ix.name in lpos and lpos[ix.name] == ix.up}
    summed = {ix.name for ix in right if ix.name in lpos and lpos[ix.name] != ix.up}
    return tuple(ix for ix in left if ix.name not in summed) + tuple(ix for ix in right if ix.name not in lpos), \
        kept, summed


def at(node: Node, path: tuple[int, ...]) -> Node:
    for p in path:
        node = children(node)[p]
    return node


def put(node: Node, path: tuple[int, ...], new: Node) -> Node:
    """``node`` with the subtree at ``path`` replaced by ``new``."""
    if not path:
        return new
    kids = list(children(node))
    kids[path[0]] = put(kids[path[0]], path[1:], new)
    return with_children(node, tuple(kids))


def occurrences(node: Node) -> Iterator[Ix]:
    """Every index occurrence written in the tree (slots of tensors and deltas)."""
    for _, n, _ in walk(node):
        if isinstance(n, Leaf):
            yield from n.slots
        elif isinstance(n, Dlt):
            yield n.a
            yield n.b


def index_names(node: Node) -> set[str]:
    """Every index name used (slots and sum-bound names)."""
    out = {ix.name for ix in occurrences(node)}
    out |= {n.k for _, n, _ in walk(node) if isinstance(n, SumK)}
    return out


def heads(node: Node) -> dict[str, tuple[tuple[bool, ...], tuple[int, ...], bool]]:
    """Each tensor head: (slot pattern, shape, positive)."""
    out: dict[str, tuple[tuple[bool, ...], tuple[int, ...], bool]] = {}
    for _, n, _ in walk(node):
        if isinstance(n, Leaf):
            out.setdefault(n.head, (tuple(ix.up for ix in n.slots), tuple(ix.size for ix in n.slots), n.positive))
    return out


def free(node: Node, bound: tuple[str, ...] = ()) -> tuple[Ix, ...]:
    """Free indices in the ricci convention's order: first appearance; pairs contracted; bound names skipped."""
    if isinstance(node, (Leaf, Dlt)):
        return _contract(list(node.slots) if isinstance(node, Leaf) else [node.a, node.b], bound)
    if isinstance(node, Prod):
        return _contract([ix for f in node.factors for ix in free(f, bound)], bound)
    if isinstance(node, Add):
        return free(node.terms[0], bound)
    if isinstance(node, SumK):
        return free(node.body, (*bound, node.k))
    if isinstance(node, Had):
        return hadamard_parts(free(node.left, bound), free(node.right, bound))[0]
    if isinstance(node, Vec) and node.name == "logsumexp":
        return ()
    return free(node.body, bound)


def _contract(slots: list[Ix], bound: tuple[str, ...]) -> tuple[Ix, ...]:
    count: dict[str, int] = {}
    for ix in slots:
        count[ix.name] = count.get(ix.name, 0) + 1
    return tuple(ix for ix in slots if ix.name not in bound and count[ix.name] == 1)


def size_of_name(node: Node, name: str) -> int | None:
    """The size every occurrence of ``name`` has (None when it has several, or does not occur)."""
    sizes = {ix.size for ix in occurrences(node) if ix.name == name}
    sizes |= {n.size for _, n, _ in walk(node) if isinstance(n, SumK) and n.k == name}
    return sizes.pop() if len(sizes) == 1 else None


def needs_size(node: Node) -> set[str]:
    r"""Names whose size no array carries (a space of deltas and unused ``\sum`` indices only).

    The user passes those sizes (``N_x=`` to a compiled function, ``sizes=`` to evaluate).
    """
    parent: dict[int, int] = {}

    def find(a: int) -> int:
        parent.setdefault(a, a)
        while parent[a] != a:
            a = parent[a]
        return a

    carried: set[int] = set()
    names: dict[int, set[str]] = {}
    for _, n, _ in walk(node):
        if isinstance(n, Leaf):
            for ix in n.slots:
                carried.add(ix.bid)
                names.setdefault(ix.bid, set()).add(ix.name)
        elif isinstance(n, Dlt):
            parent[find(n.a.bid)] = find(n.b.bid)
            names.setdefault(n.a.bid, set()).add(n.a.name)
            names.setdefault(n.b.bid, set()).add(n.b.name)
        elif isinstance(n, SumK):
            names.setdefault(n.bid, set()).add(n.k)
    carried_roots = {find(b) for b in carried}
    return {name for b, ns in names.items() if find(b) not in carried_roots for name in ns}


def shadowed(node: Node) -> bool:
    r"""True when a ``\sum`` binds a name that an enclosing ``\sum`` binds."""
    return any(isinstance(n, SumK) and n.k in bound for _, n, bound in walk(node))


def coef_symbols(node: Node) -> set[str]:
    return {s for _, n, _ in walk(node) if isinstance(n, Prod) for s, _ in n.coef.syms}


def well_formed(node: Node) -> bool:
    """The ricci rules on the tree: a name at most twice per product (once up, once down), the terms of a
    sum with the same free indices, a bound index only inside its sum.

    Example:
        >>> x, y = Leaf("x", (Ix("i", True, 2, 1),)), Leaf("y", (Ix("j", True, 2, 2),))
        >>> well_formed(Add((x, x))), well_formed(Add((x, y)))
        (True, False)
    """
    sums = {n.bid for _, n, _ in walk(node) if isinstance(n, SumK)}
    signatures: dict[str, tuple[tuple[bool, ...], tuple[int, ...], bool]] = {}
    for _, n, _ in walk(node):
        if isinstance(n, Leaf):
            sig = (tuple(ix.up for ix in n.slots), tuple(ix.size for ix in n.slots), n.positive)
            if signatures.setdefault(n.head, sig) != sig:
                return False  # one tensor, two slot patterns or shapes
    for _, n, bound in walk(node):
        if isinstance(n, (Leaf, Dlt)):
            slots = list(n.slots) if isinstance(n, Leaf) else [n.a, n.b]
            if any(ix.bid in sums and ix.name not in bound for ix in slots):
                return False
        elif isinstance(n, Prod):
            slots = [ix for f in n.factors for ix in free(f, bound)]
        elif isinstance(n, Had):
            left, right = free(n.left, bound), free(n.right, bound)
            _, kept, summed = hadamard_parts(left, right)
            sizes = {ix.name: ix.size for ix in left}
            if not kept or any(ix.size != sizes[ix.name] for ix in right if ix.name in kept | summed):
                return False  # an \odot keeps an index (else it is a plain product), of one size on both sides
            continue
        elif isinstance(n, Vec):
            if len(free(n.body, bound)) != 1:
                return False  # a function of a vector: its argument has exactly one free index
            continue
        elif isinstance(n, Add):
            keys = {frozenset((ix.name, ix.up) for ix in free(t, bound)) for t in n.terms}
            if len(keys) != 1 or any(len(free(t, bound)) != len(free(n.terms[0], bound)) for t in n.terms):
                return False
            continue
        else:
            continue
        by_name: dict[str, list[Ix]] = {}
        for ix in slots:
            if ix.name not in bound:
                by_name.setdefault(ix.name, []).append(ix)
        for occ in by_name.values():
            if len(occ) > 2 or (len(occ) == 2 and (occ[0].up == occ[1].up or occ[0].size != occ[1].size)):
                return False
    return True


def validate(node: Node) -> bool:
    """A well-formed tree in which every name the user must size (``N_x``, delta-only spaces) has one size."""
    if not well_formed(node):
        return False
    used = index_names(node)
    must = needs_size(node) | {s[2:] for s in coef_symbols(node) if s.startswith("N_") and s[2:] in used}
    return all(size_of_name(node, name) is not None for name in must)


# =================================================================== text


def _sym_text(s: str) -> str:
    if s == "alpha":
        return r"\alpha"
    if s.startswith("N_"):
        return rf"\mathrm{{N_{s[2:]}}}"
    return s


def _coef_parts(c: Coef) -> tuple[bool, str]:
    """(negative, text of |c|) -- '' when |c| is 1."""
    v = c.value
    num = [str(abs(v.numerator))] if abs(v.numerator) != 1 else []
    den = [str(v.denominator)] if v.denominator != 1 else []
    for s, p in c.syms:
        (num if p > 0 else den).extend([_sym_text(s)] * abs(p))
    if not den:
        return v < 0, " ".join(num)
    return v < 0, rf"\frac{{{' '.join(num) or '1'}}}{{{' '.join(den)}}}"


def slots_text(slots: tuple[Ix, ...]) -> str:
    out = ""
    run: list[str] = []
    pos = None
    for ix in slots:
        if pos is not None and ix.up != pos:
            out += ("^" if pos else "_") + "{" + " ".join(run) + "}"
            run = []
        pos = ix.up
        run.append(ix.name)
    if run:
        out += ("^" if pos else "_") + "{" + " ".join(run) + "}"
    return out


def _fn_text(name: str) -> str:
    from ..core.functions import get_function

    return get_function(name).latex


def text(node: Node) -> str:
    r"""The text of a tree for :func:`~einsteinpy_lite.parse`.

    Example:
        >>> i, j = Ix("i", True, 2, 1), Ix("j", False, 3, 2)
        >>> text(Prod(Coef(Fraction(-3, 4)), (Leaf("A", (i, j)), Leaf("y", (Ix("j", True, 3, 2),)))))
        '-\\frac{3}{4} A^{i}_{j} y^{j}'
    """
    if isinstance(node, Leaf):
        return node.head + slots_text(node.slots)
    if isinstance(node, Dlt):
        return r"\delta" + slots_text((node.a, node.b))
    if isinstance(node, Fn):
        return f"{_fn_text(node.name)}({text(node.body)})"
    if isinstance(node, Vec):
        return rf"\mathrm{{{node.name}}}({text(node.body)})"
    if isinstance(node, SumK):
        head = rf"\sum_{{{node.k}=0}}^{{K-1}}" if node.bounded else rf"\sum_{{{node.k}}}"
        body = text(node.body)
        if isinstance(node.body, (Add, Had)) or (isinstance(node.body, Prod) and node.body.coef.value < 0):
            body = f"({body})"
        return f"{head} {body}"
    if isinstance(node, Had):
        sides = [text(x) for x in (node.left, node.right)]
        sides = [f"({t})" if isinstance(x, (Add, Prod, SumK, Had)) else t for t, x in zip(sides, (node.left, node.right))]
        return rf"{sides[0]} \odot {sides[1]}"
    if isinstance(node, Add):
        out = ""
        for n, t in enumerate(node.terms):
            neg = isinstance(t, Prod) and t.coef.value < 0
            body = _prod_text(t, drop_sign=True) if neg else text(t)
            if isinstance(t, Add):
                body = f"({body})"
            out += (f" {'-' if neg else '+'} " if n else ("-" if neg else "")) + body
        return out
    return _prod_text(node)


def _prod_text(node: Node, drop_sign: bool = False) -> str:
    assert isinstance(node, Prod)
    neg, c = _coef_parts(node.coef)
    parts: list[str] = [c] if c else []
    for n, f in enumerate(node.factors):
        t = text(f)
        last = n == len(node.factors) - 1
        if isinstance(f, (Add, Prod, Had)) or (isinstance(f, SumK) and not last):
            t = f"({t})"
        if t.startswith("(") and parts and parts[-1][-1].isalpha():
            parts.append(r"\cdot")  # '\alpha (' would read as a call of a function \alpha
        parts.append(t)
    if not node.factors:
        parts = parts or ["1"]
    return ("-" if neg and not drop_sign else "") + " ".join(parts)
