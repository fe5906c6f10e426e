"""Memory layout: one global ranking of axes, so elementwise steps read contiguous memory.

Axes that must line up (the same index flowing through a contraction, a sum or an
elementwise function) share a rank; ranks follow the slot order of the input tensors
(``x_k^i``: k before i).  Every intermediate is laid out in rank order, so it meets the
inputs and the other intermediates in an elementwise step with the same memory order.
"""

from __future__ import annotations

from .lower import Add, ApplyFn, Contract, Input, MatFn, Program

__all__ = ["axis_ranks"]


def axis_ranks(p: Program) -> dict[tuple[int, int], int]:
    """A rank for every axis (value id, position): axes that must line up share a rank.

    Ranks follow the slot order of the input tensors (``x_k^i``: k before i), so
    intermediates are laid out like the inputs they meet in elementwise steps.

    Example:
        >>> from einsteinpy_lite import parse
        >>> from einsteinpy_lite.compile.lower import lower
        >>> p = lower({"r": parse(r"\\sum_k x_k^i y_k^j")}, {"r": None})
        >>> r = axis_ranks(p)
        >>> r[(0, 0)] < r[(0, 1)]  # k before i, as in x
        True
    """
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(a: tuple[int, int]) -> tuple[int, int]:
        while parent.get(a, a) != a:
            a = parent[a]
        return a

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for vid, node in enumerate(p.nodes):
        if isinstance(node, Contract):
            first: dict[int, tuple[int, int]] = {}
            for ov, labels in node.operands:
                for ax, lab in enumerate(labels):
                    union(first.setdefault(lab, (ov, ax)), (ov, ax))
            for o, lab in enumerate(node.out):
                union(first.setdefault(lab, (vid, o)), (vid, o))
        elif isinstance(node, ApplyFn):
            for a in range(node.rank):
                union((vid, a), (node.arg, a))
        elif isinstance(node, MatFn):
            for o, a in enumerate(node.kept_axes()):
                union((vid, o), (node.arg, a))
        elif isinstance(node, Add):
            for _, tv, pos in node.terms:
                for a, o in enumerate(pos):
                    union((tv, a), (vid, o))
    rank_of = [node.rank for node in p.nodes]
    order: list[tuple[int, int]] = []
    after: dict[tuple[int, int], set[tuple[int, int]]] = {}
    indeg: dict[tuple[int, int], int] = {}
    for vid, node in enumerate(p.nodes):
        for a in range(rank_of[vid]):
            c = find((vid, a))
            if c not in indeg:
                indeg[c] = 0
                order.append(c)
        if isinstance(node, Input):
            for a in range(node.rank - 1):
                x, y = find((vid, a)), find((vid, a + 1))
                if x != y and y not in after.setdefault(x, set()):
                    after[x].add(y)
                    indeg[y] = indeg.get(y, 0) + 1
    ranks: dict[tuple[int, int], int] = {}
    remaining = list(order)
    while remaining:
        ready = [c for c in remaining if indeg[c] == 0] or remaining[:1]
        c = ready[0]
        remaining.remove(c)
        ranks[c] = len(ranks)
        for d in after.get(c, ()):
            indeg[d] -= 1
    return {(vid, a): ranks[find((vid, a))] for vid in range(len(p.nodes)) for a in range(rank_of[vid])}
