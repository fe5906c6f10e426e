"""Lowering: index expressions to a small dataflow program of hyperedge contractions.

The program is a list of value nodes, numbered in topological order:

* :class:`Input` -- an array argument (one per tensor name);
* :class:`Contract` -- one hyperedge contraction (an einsum with a coefficient): a
  product of the expression, with its Kronecker deltas and diagonal tensors turned
  into *identified labels* by union-find (no identity arrays), its ``\\sum``-bound
  indices as ordinary summed labels shared by every factor that carries them;
* :class:`ApplyFn` -- an elementwise function (or derivative) of a value;
* :class:`Add` -- a sum of values with axes aligned (and broadcast where a term
  lacks a ``\\sum``-bound axis).

Nodes are hash-consed with labels renamed canonically, so structurally equal
subexpressions (within one expression or across the outputs of a dict) become
one node and are computed once.

An index's size belongs to its *space*: the class of its binding under the
identifications that deltas and diagonals make, over the whole program.  A label
that no operand of its contraction carries (``\\sin(\\delta^f_c) x^c H_f``: the
delta inside the function) takes its size from any tensor slot in its space, and
the symbol of a ``\\sum`` bound is inferred from the slots its own binding
reaches -- never from another index that happens to have the same name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Union

import sympy

from ..core.atoms import Delta, Tensor, Zero
from ..core.elementwise import Apply, Diag
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, Sum, SumOver, dimension_symbol, size_name
from ..core.indices import Index
from ..core.matrix_functions import MatrixFunction

__all__ = ["Input", "Contract", "ApplyFn", "MatFn", "Add", "Node", "Program", "lower", "python_name"]


@dataclass(frozen=True)
class Input:
    """An array argument: the tensor ``name`` with ``rank`` slots."""

    name: str
    rank: int


@dataclass(frozen=True)
class Contract:
    """``coeff * einsum(operands -> out)``; labels are small ints, canonical by first appearance.

    ``out`` may repeat a label (a delta with both indices free: an identity is
    built for it) or hold a label no operand carries; ``fallback[label]`` is the
    symbolic size of each label (used when no operand carries it).
    """

    coeff: sympy.Expr
    operands: tuple[tuple[int, tuple[int, ...]], ...]
    out: tuple[int, ...]
    fallback: tuple[sympy.Expr, ...]

    @property
    def rank(self) -> int:
        return len(self.out)


@dataclass(frozen=True)
class ApplyFn:
    """Elementwise ``func`` (derivative ``order``) of value ``arg``."""

    func: str
    order: int
    arg: int
    rank: int


@dataclass(frozen=True)
class MatFn:
    """``inv``, ``det`` or ``logdet`` of value ``arg`` over its axes ``rows``, ``cols`` (the others: a batch);
    ``softmax`` or ``logsumexp`` over its axis ``rows`` (``cols == rows``).

    ``inv`` and ``softmax`` keep the argument's axes; ``det``, ``logdet`` and ``logsumexp`` drop theirs.
    """

    func: str
    arg: int
    rows: int
    cols: int
    arg_rank: int

    @property
    def rank(self) -> int:
        return len(self.kept_axes())

    def kept_axes(self) -> tuple[int, ...]:
        """The argument's axes that the result keeps, in order (all for ``inv`` and ``softmax``)."""
        if self.func in ("inv", "softmax"):
            return tuple(range(self.arg_rank))
        return tuple(a for a in range(self.arg_rank) if a not in (self.rows, self.cols))


@dataclass(frozen=True)
class Add:
    """``sum_t coeff_t * value_t``; ``positions[t][a]`` is the output axis of axis ``a`` of term ``t``."""

    terms: tuple[tuple[sympy.Expr, int, tuple[int, ...]], ...]
    rank: int


Node = Union[Input, Contract, ApplyFn, MatFn, Add]  # noqa: UP007 -- a runtime alias, kept for Python 3.10


@dataclass
class Program:
    """The lowered program: nodes, what they mean, and the outputs."""

    nodes: list[Node] = field(default_factory=list)
    index: dict[Node, int] = field(default_factory=dict)
    #: per value: a short description (for errors and ``explain``)
    desc: list[str] = field(default_factory=list)
    #: per value: the index name of each axis (for errors and sizes)
    axis_names: list[tuple[str, ...]] = field(default_factory=list)
    #: per Contract value: index name of each label
    label_names: dict[int, tuple[str, ...]] = field(default_factory=dict)
    #: tensor name -> (value id, slot index names, slot up flags, python name)
    inputs: dict[str, tuple[int, tuple[str, ...], tuple[bool, ...], str]] = field(default_factory=dict)
    #: output name -> (value id, permutation of the value's axes, output index names)
    outputs: dict[str, tuple[int, tuple[int, ...], tuple[str, ...]]] = field(default_factory=dict)
    #: \sum bounds: (bound index name, number of terms as a sympy expression, the tensor slots
    #: (tensor name, axis) in the space of its binding)
    bound_counts: list[tuple[str, sympy.Expr, tuple[tuple[str, int], ...]]] = field(default_factory=list)
    #: (Contract value, label) -> tensor slots (tensor name, axis) in the label's space, for the
    #: labels no operand of that contraction carries (the size of each comes from these slots)
    spaces: dict[tuple[int, int], tuple[tuple[str, int], ...]] = field(default_factory=dict)
    #: every scalar symbol that coefficients or sizes use
    symbols: set[sympy.Symbol] = field(default_factory=set)
    #: the ``N_i`` of free indices ``i`` whose space no tensor carries: no array slot of an index named
    #: ``i`` in another scope tells their value
    uncarried: set[sympy.Symbol] = field(default_factory=set)
    #: free index name of an output -> the tensor slots in its space (``N_i`` of a free ``i`` that only
    #: deltas tie to a tensor, ``\delta_{d i} C^d``, is that slot's size)
    free_spaces: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    #: per Contract value: the spec with deltas kept as identity operands (labels, out, canonical label of each)
    materialized: dict[int, tuple[tuple[tuple[int, ...], ...], tuple[int, ...], tuple[int, ...]]] = field(
        default_factory=dict)
    #: the source expressions, for explain()
    exprs: dict[str, Expr] = field(default_factory=dict)

    def add(self, node: Node, desc: str, axis_names: tuple[str, ...], labels: tuple[str, ...] | None = None) -> int:
        """Hash-cons ``node``: an equal node already present is returned (common subexpressions)."""
        vid = self.index.get(node)
        if vid is not None:
            return vid
        vid = len(self.nodes)
        self.nodes.append(node)
        self.index[node] = vid
        self.desc.append(desc)
        self.axis_names.append(axis_names)
        if labels is not None:
            self.label_names[vid] = labels
        return vid

    def signature(self) -> tuple[object, ...]:
        """What the generated code depends on, without index names: equal signatures give equal code.

        Nodes (their labels are numbers), the tensors and their slot patterns (which slots share an
        index name, as sizes ``N_i`` are inferred by name), outputs, bounds, spaces and scalars.

        Example:
            >>> from einsteinpy_lite import parse
            >>> sig = lambda t: lower({"r": parse(t)}, {"r": None}).signature()
            >>> sig("A^i_j B^j_k") == sig("A^i_m B^m_k"), sig("A^i_j B^j_k") == sig("B^j_k A^i_j")
            (True, False)
        """
        ids: dict[str, int] = {}
        inputs = tuple((name, vid, ups, py, tuple(ids.setdefault(s, len(ids)) for s in slots))
                       for name, (vid, slots, ups, py) in self.inputs.items())
        dims = tuple(sorted((s.name, ids.get(dimension_index(s) or "", -1)) for s in self.symbols
                            if dimension_index(s) is not None))
        return (tuple(self.nodes), inputs, tuple((k, v[0], v[1]) for k, v in self.outputs.items()),
                tuple((c, sl) for _, c, sl in self.bound_counts), tuple(sorted(self.spaces.items())),
                frozenset(self.symbols), dims, frozenset(self.uncarried),
                tuple(sorted((ids.get(k, -1), v) for k, v in self.free_spaces.items())))


def dimension_index(sym: sympy.Symbol) -> str | None:
    """The index name whose size the symbol ``N_i`` stands for (None for other symbols).

    Example:
        >>> import sympy
        >>> dimension_index(sympy.Symbol("N_i1")), dimension_index(sympy.Symbol("K"))
        ('i1', None)
    """
    return sym.name[2:] if sym.name.startswith("N_") and len(sym.name) > 2 else None


def python_name(name: str) -> str:
    """The keyword name of a tensor or scalar, as everywhere in the package (``evaluate.array_name``).

    Backslashes and braces go, other characters that cannot be in an identifier become ``_``.

    Example:
        >>> python_name(r"\\epsilon"), python_name(r"\\nabla\\sigma"), python_name("W1")
        ('epsilon', 'nabla_sigma', 'W1')
    """
    from ..algebra.evaluate import array_name

    out = array_name(name)
    return "t_" + out if out[0].isdigit() else out


def _slots_text(slots: tuple[str, ...], ups: tuple[bool, ...]) -> str:
    """``^i_j`` for slots i (up) and j (down)."""
    return "".join(("^" if u else "_") + ("{" + s + "}" if len(s) > 1 else s) for s, u in zip(slots, ups))


# ------------------------------------------------------------------ lazy products


@dataclass
class _Lazy:
    """A product not yet materialized: coefficient, operand uses, label identifications, output labels."""

    coeff: sympy.Expr
    operands: list[tuple[int, tuple[int, ...]]]
    unions: list[tuple[int, int]]
    out: tuple[int, ...]
    #: the factors as written, deltas and diagonal tensors as identity operands (for cost estimates)
    written: list[tuple[int, ...]] = field(default_factory=list)


class _Lowerer:
    def __init__(self, program: Program) -> None:
        self.p = program
        self.next_label = 0
        self.names: dict[int, str] = {}
        self.sizes: dict[int, sympy.Expr] = {}
        #: spaces: union-find over the labels of the whole program, and the tensor slots of each label
        self.space_parent: dict[int, int] = {}
        self.slots: dict[int, list[tuple[str, int]]] = {}
        #: (Contract value, label, raw label) of the output labels no operand carries
        self.uncarried: list[tuple[int, int, int]] = []
        #: (bound index name, count, raw label) of each \sum with bounds
        self.bounds: list[tuple[str, sympy.Expr, int]] = []
        #: (label, name) of the outputs' free indices: a space no tensor carries is sized by one of them
        self.root_free: list[tuple[int, str]] = []

    def space(self, lab: int) -> int:
        while self.space_parent.get(lab, lab) != lab:
            lab = self.space_parent[lab]
        return lab

    def finish(self) -> None:
        """After every output is lowered: record the spaces of bounds and of uncarried labels."""
        by_root: dict[int, set[tuple[str, int]]] = {}
        for raw, sl in self.slots.items():
            by_root.setdefault(self.space(raw), set()).update(sl)

        def slots(raw: int) -> tuple[tuple[str, int], ...]:
            return tuple(sorted(by_root.get(self.space(raw), ())))

        for name, count, raw in self.bounds:
            self.p.bound_counts.append((name, count, slots(raw)))
        free_of: dict[int, str] = {}
        spaces_of: dict[str, set[tuple[tuple[str, int], ...]]] = {}
        for lab, name in self.root_free:
            free_of.setdefault(self.space(lab), name)
            spaces_of.setdefault(name, set()).add(slots(lab))
        for name, spaces in spaces_of.items():
            # one space for the name in every output (outputs with a free i of two spaces: N_i is not told here)
            if len(spaces) == 1 and () not in spaces and dimension_symbol(name) in self.p.symbols:
                self.p.free_spaces[name] = spaces.pop()
        raw_of_uncarried = {(vid, lab): raw for vid, lab, raw in self.uncarried}
        by_node: dict[tuple[int, int], set[tuple[str, int]]] = {}
        for vid, lab, raw in self.uncarried:
            by_node.setdefault((vid, lab), set()).update(slots(raw))
        for (vid, lab), found in by_node.items():
            if found:
                self.p.spaces[(vid, lab)] = tuple(sorted(found))
            else:  # no tensor carries its space: its size is a scalar (N_i, or the bound's count)
                node = self.p.nodes[vid]
                assert isinstance(node, Contract)
                rep = free_of.get(self.space(raw_of_uncarried[(vid, lab)]))
                fb = node.fallback[lab]
                if rep is not None and size_name(fb) is not None and size_name(fb) != rep:
                    # asked by the name of a free index of the space (what the user knows: N_k for the free
                    # k of \delta_k^{u1}), not of a dummy a rewrite named
                    new = replace(node, fallback=node.fallback[:lab] + (dimension_symbol(rep),) + node.fallback[lab + 1:])
                    self.p.nodes[vid] = new
                    self.p.index[new] = vid
                    node = new
                self.p.symbols |= node.fallback[lab].free_symbols  # type: ignore[arg-type]
                if rep is not None and size_name(node.fallback[lab]) == rep:
                    # the size of a free index of the result, which no tensor carries: not that of another
                    # scope's index of the same name (seed 220124540: \delta_d^i beside \sum_d H_d)
                    self.p.uncarried.add(node.fallback[lab])  # type: ignore[arg-type]

    # labels ------------------------------------------------------------
    def fresh(self, name: str, size: sympy.Expr | None = None) -> int:
        lab = self.next_label
        self.next_label += 1
        self.names[lab] = name
        self.sizes[lab] = size if size is not None else dimension_symbol(name)
        return lab

    def out_labels(self, e: Expr, env: dict[tuple[str, bool], int]) -> tuple[int, ...]:
        return tuple(env[(ix.name, False)] for ix in e.free) + tuple(env[(b, True)] for b in sorted(e.open_bound))

    def slot_labels(self, e: Expr, slots: tuple[Index, ...], env: dict[tuple[str, bool], int]) -> tuple[int, ...]:
        local = {d.name: self.fresh(d.name) for d in e._free_and_dummies[1]}
        return tuple(env[(ix.name, True)] if ix.bound else local[ix.name] if ix.name in local else env[(ix.name, False)]
                     for ix in slots)

    # lowering ------------------------------------------------------------
    def lower(self, e: Expr, env: dict[tuple[str, bool], int]) -> _Lazy:
        if isinstance(e, Tensor):
            vid = self.input(e)
            labels = self.slot_labels(e, e.indices, env)
            for ax, lab in enumerate(labels):
                self.slots.setdefault(lab, []).append((e.name, ax))
            return _Lazy(sympy.Integer(1), [(vid, labels)], [], self.out_labels(e, env), [labels])
        if isinstance(e, Delta):
            a, b = self.slot_labels(e, e.indices, env)
            return _Lazy(sympy.Integer(1), [], [(a, b)], self.out_labels(e, env), [(a, b)])
        if isinstance(e, Zero):
            return _Lazy(sympy.Integer(0), [], [], self.out_labels(e, env))
        if isinstance(e, Product):
            env2 = dict(env)
            for d in e._free_and_dummies[1]:
                env2[(d.name, False)] = self.fresh(d.name)
            coeff = e.coeff
            ops: list[tuple[int, tuple[int, ...]]] = []
            unions: list[tuple[int, int]] = []
            written: list[tuple[int, ...]] = []
            for f in e.factors:
                lz = self.lower(f, env2)
                coeff = coeff * lz.coeff
                ops.extend(lz.operands)
                unions.extend(lz.unions)
                written.extend(lz.written)
            self.p.symbols |= e.coeff.free_symbols  # type: ignore[arg-type]
            return _Lazy(coeff, ops, unions, self.out_labels(e, env), written)
        if isinstance(e, SumOver):
            if e.bounds:
                lo, hi = e.bounds
                count = sympy.simplify(hi - lo + 1)
                self.p.symbols |= count.free_symbols  # type: ignore[arg-type]
            else:
                count = dimension_symbol(e.index_name)
            env2 = dict(env)
            env2[(e.index_name, True)] = self.fresh(e.index_name, count)
            lk = env2[(e.index_name, True)]
            if e.bounds:
                self.bounds.append((e.index_name, count, lk))
            lz = self.lower(e.body, env2)
            coeff = lz.coeff
            if not any(lk in labels for _, labels in lz.operands) and not any(lk in u for u in lz.unions):
                coeff = coeff * count  # the summand does not depend on k
            return _Lazy(coeff, lz.operands, lz.unions, self.out_labels(e, env), lz.written)
        if isinstance(e, Sum):
            out = self.out_labels(e, env)
            pos = {lab: n for n, lab in enumerate(out)}
            terms: list[tuple[sympy.Expr, int, tuple[int, ...]]] = []
            for t in e.terms:
                lz = self.lower(t, env)
                coeff, lz.coeff = lz.coeff, sympy.Integer(1)
                self.p.symbols |= coeff.free_symbols  # type: ignore[arg-type]
                vid, labels = self.materialize(lz, str(t))
                terms.append((coeff, vid, tuple(pos[lab] for lab in labels)))
            node = Add(tuple(terms), len(out))
            vid = self.p.add(node, str(e), tuple(self.names[lab] for lab in out))
            return _Lazy(sympy.Integer(1), [(vid, out)], [], out, [out])
        if isinstance(e, (Apply, Diag)):
            lz = self.lower(e.body, env)
            avid, labels = self.materialize(lz, str(e.body))
            fn = ApplyFn(e.func_name, e.order, avid, len(labels))
            desc = str(e) if isinstance(e, Apply) else str(e.value)
            vid = self.p.add(fn, desc, self.p.axis_names[avid])
            if isinstance(e, Apply):
                return _Lazy(sympy.Integer(1), [(vid, labels)], [], self.out_labels(e, env), [labels])
            new = self.slot_labels(e, e.new_indices, env)
            old = tuple(env[(ix.name, False)] for ix in e.body.free)
            pairs = list(zip(old, new))
            return _Lazy(sympy.Integer(1), [(vid, labels)], pairs, self.out_labels(e, env), [labels, *pairs])
        if isinstance(e, MatrixFunction):
            env2 = dict(env)
            if e.scalar:  # the determinant's two indices are its own
                for ix in e.body.free:
                    env2[(ix.name, False)] = self.fresh(ix.name)
            lz = self.lower(e.body, env2)
            avid, labels = self.materialize(lz, str(e.body))
            rows, *other = (labels.index(env2[(ix.name, False)]) for ix in e.body.free)
            cols = other[0] if other else rows
            mf = MatFn(e.func_name, avid, rows, cols, len(labels))
            names = self.p.axis_names[avid]
            vid = self.p.add(mf, str(e), tuple(names[a] for a in mf.kept_axes()))
            kept = tuple(labels[a] for a in mf.kept_axes())
            return _Lazy(sympy.Integer(1), [(vid, kept)], [], self.out_labels(e, env), [kept])
        raise EinsteinError(f"compile: no lowering for a {type(e).__name__} node ('{e}')",
                            hint="compile supports tensors, deltas, products, sums, \\sum, functions, [\\nabla f]")

    def input(self, t: Tensor) -> int:
        known = self.p.inputs.get(t.name)
        if known is not None:
            if len(known[1]) != len(t.indices):
                first = t.name + _slots_text(known[1], known[2])
                raise EinsteinError(
                    f"compile: tensor {t.name} is used with {len(known[1])} slot{'s' * (len(known[1]) != 1)} "
                    f"({first}) and with {len(t.indices)} ('{t}'); one array cannot have both",
                    hint="give each tensor one number of indices, or rename one of the two")
            return known[0]
        slots = tuple(ix.name for ix in t.indices)
        vid = self.p.add(Input(t.name, len(slots)), t.name, slots)
        self.p.inputs[t.name] = (vid, slots, tuple(ix.up for ix in t.indices), python_name(t.name))
        return vid

    def materialize(self, lz: _Lazy, desc: str) -> tuple[int, tuple[int, ...]]:
        """Turn a lazy product into a value; returns its id and the labels of its axes."""
        if (lz.coeff == 1 and len(lz.operands) == 1 and not lz.unions
                and len(set(lz.operands[0][1])) == len(lz.operands[0][1]) == len(lz.out)
                and set(lz.operands[0][1]) == set(lz.out)):
            return lz.operands[0]
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            while parent.get(x, x) != x:
                parent[x] = parent.get(parent[x], parent[x])
                x = parent[x]
            return x

        for a, b in lz.unions:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
            sa, sb = self.space(a), self.space(b)
            if sa != sb:
                self.space_parent[max(sa, sb)] = min(sa, sb)
        canon: dict[int, int] = {}
        names: list[str] = []
        fallback: list[sympy.Expr] = []

        def c(lab: int) -> int:
            r = find(lab)
            if r not in canon:
                canon[r] = len(canon)
                names.append(self.names[r])
                fallback.append(self.sizes[r])
            return canon[r]

        ops = tuple((vid, tuple(c(lab) for lab in labels)) for vid, labels in lz.operands)
        out = tuple(c(lab) for lab in lz.out)
        coeff = lz.coeff
        carried = {lab for _, labels in ops for lab in labels}
        # a summed label carried by no operand (the trace of a delta) counts its size
        for r in sorted({find(lab) for pair in lz.unions for lab in pair}):
            if r not in canon:
                coeff = coeff * self.sizes[r]
        self.p.symbols |= coeff.free_symbols  # type: ignore[arg-type]
        # only the sizes of labels no operand carries matter (and they must not spoil sharing)
        fallback = [f if lab not in carried else sympy.Integer(0) for lab, f in enumerate(fallback)]
        node = Contract(coeff, ops, out, tuple(fallback))
        vid = self.p.add(node, desc, tuple(names[lab] for lab in out), tuple(names))
        raw_of = {c: r for r, c in canon.items()}
        for lab in dict.fromkeys(out):
            if lab not in carried:
                self.uncarried.append((vid, lab, raw_of[lab]))
        if vid not in self.p.materialized:
            raw: dict[int, int] = {}

            def m(lab: int) -> int:
                return raw.setdefault(lab, len(raw))

            specs = tuple(tuple(m(lab) for lab in labels) for labels in lz.written)
            mout = tuple(m(lab) for lab in lz.out)
            self.p.materialized[vid] = (specs, mout, tuple(canon.get(find(lab), -1) for lab in raw))
        return vid, lz.out


def lower(exprs: dict[str, Expr], outs: dict[str, tuple[str, ...] | None]) -> Program:
    """Lower named expressions into one program, sharing common subexpressions.

    Args:
        exprs: output name -> expression.
        outs: output name -> requested axis order (index names), or None for ``expr.free`` order.

    Returns:
        The :class:`Program`.

    Example:
        >>> from einsteinpy_lite import parse
        >>> p = lower({"r": parse("A^i_j y^j")}, {"r": None})
        >>> [type(n).__name__ for n in p.nodes]
        ['Input', 'Input', 'Contract']
    """
    p = Program()
    lw = _Lowerer(p)
    for name, e in exprs.items():
        if e.open_bound:
            raise EinsteinError(f"compile: output {name!r} uses bound indices {sorted(e.open_bound)} outside their \\sum")
        p.exprs[name] = e
        env = {(ix.name, False): lw.fresh(ix.name) for ix in e.free}
        lw.root_free.extend((env[(ix.name, False)], ix.name) for ix in e.free)
        lz = lw.lower(e, env)
        vid, labels = lw.materialize(lz, str(e))
        free_names = tuple(ix.name for ix in e.free)
        want = outs.get(name)
        if want is None:
            order = free_names
        else:
            from ..core.indices import normalize_index_name

            order = tuple(normalize_index_name(w) for w in want)
            if sorted(order) != sorted(free_names):
                raise EinsteinError(
                    f"out={tuple(want)!r} must list the free indices of {name!r} once each: "
                    f"{', '.join(free_names) or 'none'}",
                    hint="pass out as a tuple of index names, e.g. out=('i', 'j')")
        pos = {lab: n for n, lab in enumerate(labels)}
        perm = tuple(pos[env[(n, False)]] for n in order)
        p.outputs[name] = (vid, perm, order)
    lw.finish()
    return p
