"""Planning: sizes of every axis, and the contraction order of each hyperedge (opt_einsum).

:func:`resolve` checks the arrays' shapes against the index structure (before
any work) and infers the dimension symbols ``N_i`` and the symbols of
``\\sum`` bounds (``K`` in ``\\sum_{k=0}^{K-1}``).  :func:`plan_contract` asks
every opt_einsum optimizer that is affordable for the operand count (``dp``, and for many
operands random-greedy trials improved by subtree reconfiguration, :mod:`.reconfigure`;
cotengra when installed) and keeps the
path with the fewest FLOPs, under a memory limit set by :func:`planning`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import opt_einsum
import sympy

from ..core.errors import EinsteinError
from ..core.expr import slot_of
from .lower import Add, ApplyFn, Contract, Input, MatFn, Program, dimension_index, python_name
from .reconfigure import search

__all__ = ["Resolved", "resolve", "ContractPlan", "plan_contract", "optimizers_for", "step_flops", "naive_flops",
           "best_path", "path_cost", "planning", "clear_plan_cache",
           "search_seconds", "DP_MAX_OPERANDS", "QUICK_MAX_OPERANDS"]


@dataclass
class Resolved:
    """Sizes for one set of shapes: the shape of every value and the size of every contraction label."""

    shapes: list[tuple[int, ...]]
    label_sizes: dict[int, tuple[int, ...]]
    scalars: dict[str, Any]
    inferred: dict[str, Any]
    index_sizes: dict[str, int] = field(default_factory=dict)


def _where(p: Program, vid: int, axis: int) -> str:
    names = p.axis_names[vid]
    desc = p.desc[vid]
    if isinstance(p.nodes[vid], Input):
        return f"{desc} (axis {axis}, index '{names[axis]}')"
    return f"the intermediate '{desc}' (axis {axis})"


def _agree(p: Program, sizes: list[int | None], sources: list[tuple[int, int]], slot: int, n: int,
           source: tuple[int, int], name: str, hint: str) -> None:
    """Record size ``n`` for ``slot`` (seen at ``source``, a value and its axis), or fail if it had another size."""
    if sizes[slot] is None:
        sizes[slot], sources[slot] = n, source
    elif sizes[slot] != n:
        raise EinsteinError(f"index '{name}' has size {sizes[slot]} in {_where(p, *sources[slot])} but {n} in "
                            f"{_where(p, *source)}", hint=hint)


def _infer(p: Program, sym: sympy.Symbol, index_sizes: dict[str, int], ambiguous: set[str],
           shapes: dict[str, tuple[int, ...]]) -> int | float | None:
    """The value of ``sym`` that the array sizes imply (``N_i``, or the symbol of a ``\\sum`` bound), if any.

    A bound's symbol comes from the tensor slots its own binding reaches (its space), never from
    another index of the same name elsewhere.
    """
    slot = slot_of(sym)
    if slot is not None:  # \dim(A, n): the size of that slot of A's array
        shape = shapes.get(slot[0])
        return int(shape[slot[1]]) if shape is not None and slot[1] < len(shape) else None
    idx = dimension_index(sym)
    if idx is not None and idx in p.free_spaces:  # a free index of the result: the slots of its own space
        return _slot_size(shapes, p.free_spaces[idx])
    if idx is not None and idx in index_sizes and sym not in p.uncarried:
        if idx in ambiguous:
            raise EinsteinError(f"cannot infer {sym.name}: index '{idx}' has different sizes in different tensors",
                                hint=f"pass {python_name(sym.name)}=... explicitly")
        return index_sizes[idx]
    for _, count, slots in p.bound_counts:
        if sym in count.free_symbols and slots:
            sol = sympy.solve(sympy.Eq(count, _slot_size(shapes, slots)), sym)
            if len(sol) == 1 and sol[0].is_number:
                val = sol[0]
                return int(val) if val.is_integer else float(val)
    return None


def _slot_size(shapes: dict[str, tuple[int, ...]], slots: tuple[tuple[str, int], ...]) -> int:
    """The size of a space: that of the first tensor slot in it (the contractions check that the others agree)."""
    name, axis = slots[0]
    return int(shapes[name][axis])


def resolve(p: Program, shapes: dict[str, tuple[int, ...]], scalars: dict[str, Any],
            optional: frozenset[str] = frozenset()) -> Resolved:
    """Check ``shapes`` (tensor name -> shape) against ``p`` and size every value.

    Scalars named in ``optional`` (keyword names) may be missing: they are then taken as 1 (for
    plans, where a coefficient does not change the cost).

    Raises:
        EinsteinError: a rank or size that disagrees (naming the index and both
            tensors), or a scalar that is missing and cannot be inferred.

    Example:
        >>> from einsteinpy_lite import parse
        >>> from einsteinpy_lite.compile.lower import lower
        >>> p = lower({"out": parse("A^i_j y^j")}, {"out": None})
        >>> resolve(p, {"A": (2, 3), "y": (3,)}, {}).index_sizes
        {'i': 2, 'j': 3}
    """
    index_sizes: dict[str, int] = {}
    first_seen: dict[str, tuple[str, int]] = {}
    ambiguous: set[str] = set()
    for name, (_vid, slots, ups, py) in p.inputs.items():
        shape = shapes[name]
        if len(shape) != len(slots):
            pattern = name + "".join(("^" if u else "_") + s for s, u in zip(slots, ups))
            raise EinsteinError(
                f"array {py!r} has {len(shape)} axes {tuple(shape)}, but {pattern} has {len(slots)} slots",
                hint=f"pass {py} with one axis per index slot, in slot order")
        for ax, (s, n) in enumerate(zip(slots, shape)):
            if s in index_sizes and index_sizes[s] != n:
                ambiguous.add(s)
            else:
                index_sizes.setdefault(s, int(n))
                first_seen.setdefault(s, (name, ax))
    # scalars: given, or inferred from sizes (N_i, and the symbol of a \sum bound)
    values: dict[sympy.Symbol, Any] = {}
    inferred: dict[str, Any] = {}
    placeholders: set[sympy.Symbol] = set()
    for sym in sorted(p.symbols, key=str):
        key = python_name(sym.name)
        guess = _infer(p, sym, index_sizes, ambiguous, shapes)
        if key in scalars:
            values[sym] = scalars[key]
            if guess is not None:
                if scalars[key] != guess:
                    raise EinsteinError(f"scalar {key}={scalars[key]!r} disagrees with the arrays, which give "
                                        f"{key}={guess!r}",
                                        hint=f"leave {key} out (it is inferred from the array shapes) or make them agree")
                inferred[key] = guess
            continue
        if guess is None and key in optional:
            values[sym] = 1
            placeholders.add(sym)
            continue
        if guess is None:
            needed = ", ".join(sorted(python_name(s.name) for s in p.symbols))
            hint = f"pass it as a keyword number, e.g. {key}=2.0"
            if sym.name.startswith("N_"):
                hint = f"no array carries index '{sym.name[2:]}': pass its size as {key}=..."
            if slot_of(sym) is not None:
                t, n = slot_of(sym)  # type: ignore[misc]
                hint = f"the expression no longer contains '{t}': pass the size of its slot {n + 1} as {key}=..."
            raise EinsteinError(f"missing scalar {key!r}: the expression uses {needed}", hint=hint)
        values[sym] = inferred[key] = guess
    for k, count, bslots in p.bound_counts:
        if bslots and not (count.free_symbols & placeholders):
            got = count.subs(values)
            n = _slot_size(shapes, bslots)
            if got.is_number and int(got) != n:
                raise EinsteinError(
                    f"\\sum over '{k}' has {got} terms by its bounds ({count}), but the arrays' '{k}' axis has "
                    f"{n} entries", hint="make the bounds and the sample axis agree")
    out_shapes: list[tuple[int, ...]] = []
    label_sizes: dict[int, tuple[int, ...]] = {}
    for vid, node in enumerate(p.nodes):
        if isinstance(node, Input):
            out_shapes.append(tuple(int(n) for n in shapes[node.name]))
        elif isinstance(node, ApplyFn):
            out_shapes.append(out_shapes[node.arg])
        elif isinstance(node, MatFn):
            arg_shape = out_shapes[node.arg]
            if arg_shape[node.rows] != arg_shape[node.cols]:
                raise EinsteinError(
                    f"{node.func} of '{p.desc[node.arg]}' needs a square matrix, but its axes "
                    f"'{p.axis_names[node.arg][node.rows]}' and '{p.axis_names[node.arg][node.cols]}' have sizes "
                    f"{arg_shape[node.rows]} and {arg_shape[node.cols]}", hint="pass arrays of a square matrix")
            out_shapes.append(tuple(arg_shape[a] for a in node.kept_axes()))
        elif isinstance(node, Add):
            sh: list[int | None] = [None] * node.rank
            src: list[tuple[int, int]] = [(-1, -1)] * node.rank
            for _, tv, pos in node.terms:
                for ax, o in enumerate(pos):
                    _agree(p, sh, src, o, out_shapes[tv][ax], (tv, ax), p.axis_names[vid][o],
                           "the terms of a sum must have the same shape")
            out_shapes.append(tuple(int(n or 1) for n in sh))
        else:
            assert isinstance(node, Contract)
            names = p.label_names[vid]
            lsz: list[int | None] = [None] * len(node.fallback)
            lsrc: list[tuple[int, int]] = [(-1, -1)] * len(node.fallback)
            for ov, labels in node.operands:
                for ax, lab in enumerate(labels):
                    _agree(p, lsz, lsrc, lab, out_shapes[ov][ax], (ov, ax), names[lab],
                           "every occurrence of an index (and every index a \\delta identifies) needs one size")
            for lab, got in enumerate(lsz):
                if got is None and (vid, lab) in p.spaces:  # sized by a tensor elsewhere in its space
                    lsz[lab] = _slot_size(shapes, p.spaces[(vid, lab)])
                elif got is None:
                    fb = node.fallback[lab]
                    given = {s: values[s] for s in fb.free_symbols if s in values}  # type: ignore[attr-defined]
                    val = fb.subs({s: sympy.sympify(v) for s, v in given.items() if not isinstance(v, bool)})
                    bad = any(isinstance(v, bool) for v in given.values())
                    if val.free_symbols and not bad:
                        missing = ", ".join(sorted(python_name(s.name) for s in val.free_symbols))
                        raise EinsteinError(f"cannot tell the size of index '{names[lab]}' from the arrays",
                                            hint=f"pass {missing} as a keyword number")
                    if bad or not (val.is_number and val.is_real and float(val).is_integer() and val >= 1):
                        said = ", ".join(f"{python_name(s.name)}={v!r}" for s, v in given.items())
                        raise EinsteinError(f"the size of index '{names[lab]}' must be a positive integer, got {said}",
                                            hint="pass a positive integer size")
                    lsz[lab] = int(val)
            label_sizes[vid] = tuple(int(n or 0) for n in lsz)
            out_shapes.append(tuple(label_sizes[vid][lab] for lab in node.out))
    scal = {python_name(s.name): v for s, v in values.items()}
    return Resolved(out_shapes, label_sizes, scal, inferred, index_sizes)


# ------------------------------------------------------------------ paths


def optimizers_for(n: int) -> tuple[str, ...]:
    """opt_einsum optimizers affordable for ``n`` operands (all are tried; the fewest FLOPs wins).

    Up to 14 operands opt_einsum's own ``'auto'`` choice is always among them (so the path is
    never worse), with ``dp``.  Above (beyond what ``optimal``/``branch`` searches afford):
    ``dp`` bounded in time (up to 20 operands; abandoned when over its budget), ``greedy`` (what
    ``'auto'`` picks there), seeded random-greedy trials improved by subtree reconfiguration
    (:func:`.reconfigure.search`) within a time budget, and cotengra's hyper-optimizer when it is
    installed.

    Example:
        >>> optimizers_for(3)
        ('optimal',)
        >>> optimizers_for(18)
        ('dp-bounded', 'greedy', 'reconfigured', 'cotengra')
        >>> optimizers_for(40)
        ('greedy', 'reconfigured', 'cotengra')
    """
    if n <= 5:  # exhaustive: nothing can do better (opt_einsum's 'auto' is optimal or branch-all here)
        return ("optimal",)
    # opt_einsum's 'auto' choice is always among them (never a worse path), with dp, which beats it
    # on 5-15% of random networks of 6-14 tensors
    if n == 6:
        return ("branch-all", "dp")
    if n <= 8:
        return ("branch-2", "dp")
    if n <= 14:
        return ("dp", "branch-1", "greedy")
    if n <= DP_MAX_OPERANDS:
        return ("dp-bounded", "greedy", "reconfigured", "cotengra")
    return ("greedy", "reconfigured", "cotengra")


#: the most operands for which a time-bounded ``dp`` is tried (beyond, it rarely finishes in its budget)
DP_MAX_OPERANDS = 20
#: the most operands planned within :data:`PLAN_SECONDS`; more get a longer search
QUICK_MAX_OPERANDS = 30


def search_seconds(name: str, n: int, dp_found: bool = False) -> float:
    """The time budget of a bounded search (``dp-bounded``, ``reconfigured``, ``cotengra``) on ``n`` operands.

    Under a second in all up to 30 operands: ``dp`` gets 0.4 s (up to 20 operands), the
    reconfigured search what is left of :data:`PLAN_SECONDS` (0.2 s when ``dp`` finished, whose
    path it rarely beats); 2 s beyond 30 operands, where orders differ by orders of magnitude.

    Example:
        >>> search_seconds("dp-bounded", 20), search_seconds("reconfigured", 30)
        (0.4, 0.85)
        >>> search_seconds("reconfigured", 60)
        2.0
    """
    if name == "dp-bounded":
        return 0.4
    if n > QUICK_MAX_OPERANDS:
        return 2.0
    return 0.2 if dp_found else 0.85


class _OutOfTime(Exception):
    """A bounded search ran past its time budget."""


def _bounded_dp(seconds: float) -> Any:
    """opt_einsum's ``dp`` (fewest FLOPs, no outer products) that gives up after ``seconds``."""
    from opt_einsum.paths import DynamicProgramming, _dp_compare_flops

    def run(inputs: Any, output: Any, size_dict: Any, memory_limit: Any = None) -> Any:
        deadline = time.perf_counter() + seconds
        calls = [0]

        def compare(*args: Any) -> None:
            calls[0] += 1
            if not calls[0] & 1023 and time.perf_counter() > deadline:
                raise _OutOfTime
            _dp_compare_flops(*args)

        return DynamicProgramming(minimize=compare)(inputs, output, size_dict, None)  # type: ignore[arg-type]

    return run


_MEMORY_LIMIT: contextvars.ContextVar[int | None] = contextvars.ContextVar("einsteinpy_lite_memory_limit",
                                                                          default=None)


@contextlib.contextmanager
def planning(memory_limit: int | None = None) -> Iterator[None]:
    """Within this block, :func:`plan_contract` keeps every intermediate under ``memory_limit`` entries if any order does.

    Example:
        >>> with planning(memory_limit=10**6):
        ...     plan_contract(((0, 1), (1, 2)), (0, 2), (2, 3, 4)).flops
        48
    """
    token = _MEMORY_LIMIT.set(memory_limit)
    try:
        yield
    finally:
        _MEMORY_LIMIT.reset(token)


#: the time all searches together may take on up to :data:`QUICK_MAX_OPERANDS` operands
PLAN_SECONDS = 0.9


def _optimizer(name: str, n: int, dp_found: bool = False, left: float = math.inf) -> Any:
    """An opt_einsum path function (or optimizer object) for ``name``; None when unavailable.

    ``left``: the seconds the searches may still take (a time-bounded search gets no more)."""
    if name == "dp-bounded":
        try:
            return _bounded_dp(search_seconds(name, n))
        except ImportError:  # another opt_einsum: plain dp where it is affordable
            return opt_einsum.paths.get_path_fn("dp") if n <= 20 else None
    if name == "cotengra":
        try:
            import cotengra  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            return None
        if left < 0.05:
            return None
        return cotengra.HyperOptimizer(max_repeats=64, max_time=min(search_seconds(name, n, dp_found), left),
                                       minimize="flops", progbar=False)
    return opt_einsum.paths.get_path_fn(name)


def path_cost(ops: tuple[tuple[int, ...], ...], out: tuple[int, ...], sizes: tuple[int, ...],
              path: tuple[tuple[int, ...], ...]) -> tuple[int, int]:
    """FLOPs and largest intermediate (entries; the result itself excluded) of ``path``, pairwise as codegen runs it.

    A step of several operands is contracted pairwise, left to right, as the code generator
    does; each partial product keeps the labels that the other operands or the output need.

    Example:
        >>> path_cost(((0, 1), (1, 2), (2, 3)), (0, 3), (10, 1000, 10, 1000), ((0, 1), (0, 1)))
        (400000, 100)
    """
    live = [tuple(o) for o in ops]
    flops = largest = 0
    for n_step, step in enumerate(path):
        group = [live[k] for k in sorted(step)]
        for k in sorted(step, reverse=True):
            live.pop(k)
        last = n_step == len(path) - 1
        if len(group) == 1:
            need = {x for o in live for x in o} | set(out)
            group = [tuple(x for x in group[0] if x in need)]
        while len(group) > 1:
            a, b = group.pop(0), group.pop(0)
            need = {x for o in live + group for x in o} | set(out)
            keep = tuple(x for x in dict.fromkeys(a + b) if x in need)
            flops += step_flops(a, b, keep, sizes)
            if not (last and not group):
                largest = max(largest, math.prod(sizes[x] for x in keep))
            group.insert(0, keep)
        live.append(group[0])
    return flops, largest


def best_path(ops: tuple[tuple[int, ...], ...], out: tuple[int, ...], sizes: tuple[int, ...],
              memory_limit: int | None = None) -> tuple[tuple[int, ...], ...]:
    """The pairwise order with the fewest FLOPs among the affordable optimizers (under ``memory_limit`` if any is).

    Args:
        ops: the labels of each operand (no label repeated within one operand).
        out: the output labels.
        sizes: the size of each label.
        memory_limit: entries any intermediate may take (None: no limit); when no candidate
            order meets it, the one with the smallest largest intermediate.

    Example:
        >>> best_path(((0, 1), (1, 2), (2, 3)), (0, 3), (10, 1000, 10, 1000))
        ((0, 1), (0, 1))
    """
    return _best_path(ops, out, sizes, memory_limit)[0]


@functools.lru_cache(maxsize=4096)
def _best_path(ops: tuple[tuple[int, ...], ...], out: tuple[int, ...], sizes: tuple[int, ...],
               memory_limit: int | None) -> tuple[tuple[tuple[int, ...], ...], int, int, str]:
    n = len(ops)
    if n <= 1:
        return (((0,),) if n else ()), 0, 0, "trivial"
    if n == 2:
        path2 = ((0, 1),)
        f, big = path_cost(ops, out, sizes, path2)
        return path2, f, big, "optimal"
    if n == 3 and memory_limit is None:  # three orders: try them all (what 'optimal' does, without its setup)
        tries = []
        for first in ((0, 1), (0, 2), (1, 2)):
            path3 = (first, (0, 1))
            f, big = path_cost(ops, out, sizes, path3)
            tries.append((f, big, path3))
        f, big, path3 = min(tries)
        return path3, f, big, "optimal"
    sym = opt_einsum.get_symbol
    inputs = [frozenset(sym(x) for x in o) for o in ops]
    output = frozenset(sym(x) for x in out)
    size_dict = {sym(x): int(s) for x, s in enumerate(sizes)}
    best: tuple[Any, ...] | None = None
    names = optimizers_for(n)
    dp_found = False
    deadline = time.perf_counter() + (PLAN_SECONDS if n <= QUICK_MAX_OPERANDS else math.inf)
    for name in names:
        if name == "reconfigured":
            seconds = max(0.05, min(search_seconds(name, n, dp_found), deadline - time.perf_counter()))
            fn: Any = lambda *_args, s=seconds: search(ops, out, sizes, s)  # noqa: E731
        else:
            fn = _optimizer(name, n, dp_found, deadline - time.perf_counter())
        if fn is None:
            continue
        limits = ((None, memory_limit) if memory_limit is not None and name not in ("dp-bounded", "reconfigured")
                  else (None,))
        for limit in limits:
            try:
                raw = fn(inputs, output, size_dict, limit)
            except Exception:  # noqa: BLE001 -- an optional optimizer that fails is skipped, greedy remains
                continue
            path = tuple(tuple(int(i) for i in s) for s in raw)
            dp_found = dp_found or name == "dp-bounded"
            flops, big = path_cost(ops, out, sizes, path)
            over = memory_limit is not None and big > memory_limit
            cand = (over, big if over else 0, flops, big, path, name)
            if best is None or cand[:4] < best[:4]:
                best = cand
    assert best is not None
    return best[4], best[2], best[3], best[5]


@dataclass(frozen=True)
class ContractPlan:
    """The planned order of one contraction, over deduplicated operand labels."""

    operands: tuple[tuple[int, ...], ...]  # labels of each operand (diagonals taken)
    out: tuple[int, ...]  # carried output labels, unique, in order of first appearance in the node's out
    path: tuple[tuple[int, ...], ...]
    flops: int
    naive_flops: int
    largest: int
    optimizer: str


def step_flops(a: tuple[int, ...], b: tuple[int, ...], keep: tuple[int, ...], sizes: tuple[int, ...]) -> int:
    """FLOPs of one pairwise step, counted as opt_einsum does (2 per multiply-add when a label is summed).

    Example:
        >>> step_flops((0, 1), (1, 2), (0, 2), (3, 4, 5))
        120
    """
    labels = set(a) | set(b)
    inner = bool(labels - set(keep))
    return math.prod(sizes[x] for x in labels) * (2 if inner else 1)


def _spec(ops: tuple[tuple[int, ...], ...], out: tuple[int, ...]) -> str:
    sym = opt_einsum.get_symbol
    return ",".join("".join(sym(x) for x in o) for o in ops) + "->" + "".join(sym(x) for x in out)


def naive_flops(ops: tuple[tuple[int, ...], ...], out: tuple[int, ...], sizes: tuple[int, ...]) -> int:
    """FLOPs of one single einsum over all labels at once (opt_einsum's naive count).

    Example:
        >>> naive_flops(((0, 1), (1, 2)), (0, 2), (3, 4, 5))
        120
    """
    labels = {x for o in ops for x in o}
    inner = bool(labels - set(out))
    return math.prod(sizes[x] for x in labels) * (max(1, len(ops) - 1) + (1 if inner else 0))


def plan_contract(ops: tuple[tuple[int, ...], ...], out: tuple[int, ...], sizes: tuple[int, ...]) -> ContractPlan:
    """Choose the pairwise order of a contraction: the fewest FLOPs among the affordable optimizers.

    Args:
        ops: the labels of each operand (no label repeated within one operand).
        out: the output labels (each carried by some operand).
        sizes: the size of each label.

    Example:
        >>> plan_contract(((0, 1), (1, 2), (2, 3)), (0, 3), (10, 1000, 10, 1000)).path
        ((0, 1), (0, 1))
    """
    n = len(ops)
    carried = {lab for o in ops for lab in o}
    naive = naive_flops(ops, out, sizes)
    if n <= 1:
        size = math.prod(sizes[x] for x in carried) if n else 1
        return ContractPlan(ops, out, ((0,),) if n else (), size, naive, size, "trivial")
    path, flops, _, name = _best_path(ops, out, sizes, _MEMORY_LIMIT.get())
    live = [set(o) for o in ops]
    largest = 0
    for step in path:  # opt_einsum's largest intermediate: every step's result, the output included
        merged = set().union(*(live[k] for k in step))
        for k in sorted(step, reverse=True):
            live.pop(k)
        keep = {x for x in merged if x in out or any(x in o for o in live)}
        largest = max(largest, math.prod(sizes[x] for x in keep))
        live.append(keep)
    return ContractPlan(ops, out, path, flops, naive, largest, name)


def clear_plan_cache() -> None:
    """Forget every planned path (for benchmarks of cold planning).

    Example:
        >>> clear_plan_cache()
    """
    _best_path.cache_clear()


def materialized_cost(p: Program, vid: int, label_sizes: tuple[int, ...]) -> tuple[int, int]:
    """FLOPs and largest intermediate of contraction ``vid`` with its deltas as identity arrays, left to right."""
    specs, out, canon = p.materialized[vid]
    carried = {x for o in specs for x in o}
    missing = tuple(x for x in out if x not in carried)
    if missing:  # an output index only a zero carries: materialized, it is an array of that shape
        specs = (*specs, missing)
    if len(specs) < 2:
        return 0, 0
    sizes = [label_sizes[c] if c >= 0 else 1 for c in canon]
    shapes = [tuple(sizes[x] for x in o) for o in specs]
    spec = _spec(specs, out)
    path = [(0, 1)] * (len(specs) - 1)
    _, info = opt_einsum.contract_path(spec, *shapes, shapes=True, optimize=path)
    return int(info.opt_cost), int(info.largest_intermediate)
