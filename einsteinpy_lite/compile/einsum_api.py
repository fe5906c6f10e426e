"""numpy's ``einsum`` and opt_einsum's ``contract`` on the compiler.

An einsum string becomes a :class:`~einsteinpy_lite.compile.lower.Program` with one
:class:`~einsteinpy_lite.compile.lower.Contract` hyperedge: every label is one contraction label
(however many operands carry it), a label repeated inside one operand is a diagonal (a view,
never an identity array), a size-1 axis broadcast against a larger one is a label of its own
summed away (a squeeze).  The program is planned, generated and cached by the compiler like any
index expression; a later call with the same subscripts, shapes and dtypes costs one dict lookup
before the generated code runs.

* :func:`einsum` -- numpy's semantics (implicit and explicit output, traces and diagonals, ``...``,
  size-1 broadcasting, 0-d operands, the interleaved form, numpy's result dtype, ``out=``);
* :func:`contract`, :func:`contract_path`, :func:`contract_expression` -- opt_einsum's
  signatures and results, with ``memory_limit`` honoured by a different order or by slicing.

Example:
    >>> import numpy as np
    >>> from einsteinpy_lite.compile.einsum_api import einsum
    >>> einsum("ij,jk->ik", np.eye(2), np.arange(4.0).reshape(2, 2)).tolist()
    [[0.0, 1.0], [2.0, 3.0]]
"""

from __future__ import annotations

import functools
import itertools
import math
import string
from dataclasses import dataclass
from typing import Any

import numpy as np
import opt_einsum

from ..core.backend import namespace
from ..core.errors import EinsteinError
from .codegen import Generated, generate
from .lower import Contract, Input, Program
from .plan import best_path, planning, resolve
from .runtime import load_generated
from .slicing import choose_slices

__all__ = ["Equation", "parse_subscripts", "program", "einsum", "contract", "contract_path", "contract_expression",
           "ContractExpression", "clear_caches"]

#: numpy's interleaved-form sublist integers: 0-25 are A-Z, 26-51 are a-z
_LETTERS = string.ascii_uppercase + string.ascii_lowercase
_SPECIAL = ",.->"
_OPTIMIZE_NAMES = ("greedy", "optimal", "dp", "branch-all", "branch-2", "branch-1", "random-greedy",
                   "random-greedy-128", "auto", "auto-hq")


@dataclass(frozen=True)
class Equation:
    """A parsed subscripts string: per term its labels (``"..."`` one token) and where each stands.

    Attributes:
        text: the subscripts as written (carets point into it).
        inputs: per operand, its labels; ``"..."`` stands for the broadcast axes.
        positions: per operand, the offset in ``text`` of each label.
        starts: per operand, the offset of its term (for errors about the whole operand).
        output: the explicit output labels, or None (implicit output).
        output_positions: offsets of the output labels.
    """

    text: str
    inputs: tuple[tuple[str, ...], ...]
    positions: tuple[tuple[int, ...], ...]
    starts: tuple[int, ...]
    output: tuple[str, ...] | None
    output_positions: tuple[int, ...]


def _fail(msg: str, text: str, pos: int | None, hint: str | None = None) -> EinsteinError:
    return EinsteinError(msg, text=text, pos=pos, hint=hint)


@functools.lru_cache(maxsize=1024)
def parse_subscripts(text: str, numpy_labels: bool = True) -> Equation:
    """Parse an einsum subscripts string (``"ij,jk->ik"``, ``"...ii->...i"``, ``"i,i"``).

    Args:
        text: the subscripts; spaces are ignored.
        numpy_labels: labels are ASCII letters only (numpy); else any character other than
            ``,.->`` and whitespace (opt_einsum's unicode labels).

    Returns:
        The :class:`Equation`.

    Raises:
        EinsteinError: a malformed string, with a caret under the offending character.

    Example:
        >>> eq = parse_subscripts("ij,...j->...i")
        >>> eq.inputs, eq.output
        ((('i', 'j'), ('...', 'j')), ('...', 'i'))
    """
    if not isinstance(text, str):
        raise EinsteinError(f"einsum subscripts must be a string, got {type(text).__name__}",
                            hint="e.g. 'ij,jk->ik', or the interleaved form (A, [0, 1], B, [1, 2])")
    arrow = text.find("->")
    if text.count("->") > 1:
        raise _fail("einsum subscripts have more than one '->'", text, text.find("->", arrow + 1))
    lhs_end = arrow if arrow >= 0 else len(text)
    inputs: list[tuple[str, ...]] = []
    positions: list[tuple[int, ...]] = []
    starts: list[int] = []

    def labels(lo: int, hi: int, what: str) -> tuple[list[str], list[int]]:
        out: list[str] = []
        pos: list[int] = []
        k = lo
        while k < hi:
            ch = text[k]
            if ch.isspace():
                k += 1
                continue
            if ch == ".":
                if text[k:k + 3] != "..." or k + 3 > hi:
                    raise _fail(f"a '.' in the {what} that is not part of an ellipsis '...'", text, k,
                                "write '...' for broadcast axes")
                if "..." in out:
                    raise _fail(f"the {what} has more than one ellipsis '...'", text, k,
                                "one '...' per term stands for all its broadcast axes")
                out.append("...")
                pos.append(k)
                k += 3
                continue
            if ch in "->" or (ch == "," and what == "output"):
                where = "output" if what == "output" else "inputs"
                raise _fail(f"unexpected {ch!r} in the {where} of the subscripts", text, k,
                            "the form is 'ij,jk->ik': terms separated by ',', one '->' before the output")
            if numpy_labels and ch not in _LETTERS:
                raise _fail(f"invalid subscript {ch!r}: numpy einsum labels are the letters a-z and A-Z", text, k,
                            "use letters, or el.contract for opt_einsum's unicode labels")
            out.append(ch)
            pos.append(k)
            k += 1
        return out, pos

    lo = 0
    while True:
        hi = text.find(",", lo, lhs_end)
        end = lhs_end if hi < 0 else hi
        labs, pos = labels(lo, end, f"term {len(inputs)}")
        inputs.append(tuple(labs))
        positions.append(tuple(pos))
        starts.append(lo)
        if hi < 0:
            break
        lo = hi + 1
    output: tuple[str, ...] | None = None
    opos: tuple[int, ...] = ()
    if arrow >= 0:
        labs, pos = labels(arrow + 2, len(text), "output")
        seen: dict[str, int] = {}
        for lab, p in zip(labs, pos):
            if lab in seen:
                raise _fail(f"output subscript {lab!r} appears more than once", text, p,
                            "an output label names one axis of the result")
            seen[lab] = p
        carried = {lab for term in inputs for lab in term}
        for lab, p in zip(labs, pos):
            if lab not in carried:
                raise _fail(f"output subscript {lab!r} appears in no input term", text, p,
                            "every output label must label an axis of some operand")
        output, opos = tuple(labs), tuple(pos)
    return Equation(text, tuple(inputs), tuple(positions), tuple(starts), output, opos)


def _shapes_text(shapes: list[tuple[int, ...]]) -> str:
    return ", ".join(str(tuple(s)) for s in shapes) or "none"


@dataclass(frozen=True)
class _Bound:
    """An equation bound to shapes: integer labels (broadcast axes included), output and sizes."""

    inputs: tuple[tuple[int, ...], ...]
    out: tuple[int, ...]
    sizes: tuple[int, ...]
    names: tuple[str, ...]
    #: the equation with every label a character (opt_einsum's form, for contract_path)
    spec: str


def _bind(eq: Equation, shapes: list[tuple[int, ...]], numpy_rules: bool) -> _Bound:
    """Check ``shapes`` against ``eq``; expand ``...``, give broadcast size-1 axes labels of their own."""
    text = eq.text
    if len(shapes) != len(eq.inputs):
        n, m = len(eq.inputs), len(shapes)
        pos = eq.starts[m] if m < n else len(text.split("->")[0])
        raise _fail(f"the subscripts name {n} operand{'s' * (n != 1)} but {m} {'were' if m != 1 else 'was'} "
                    f"given (shapes {_shapes_text(shapes)})", text, pos,
                    "pass one array per comma-separated term")
    ell: list[int] = []
    for k, (term, shape) in enumerate(zip(eq.inputs, shapes)):
        named = len(term) - ("..." in term)
        if ("..." in term and len(shape) < named) or ("..." not in term and len(shape) != named):
            raise _fail(f"operand {k} has {len(shape)} axes {tuple(shape)} but its subscripts "
                        f"{''.join(term)!r} name {named}" + (" (and '...')" if "..." in term else ""),
                        text, eq.starts[k], f"one label per axis (shapes: {_shapes_text(shapes)})")
        ell.append(len(shape) - named if "..." in term else 0)
    n_ell = max(ell, default=0)
    broad = [f"...{j}" for j in range(n_ell)]
    # the labels of every axis, with ellipses expanded (right-aligned) and where each came from
    axes: list[list[tuple[str, int]]] = []
    for k, term in enumerate(eq.inputs):
        row: list[tuple[str, int]] = []
        for lab, p in zip(term, eq.positions[k]):
            if lab == "...":
                row.extend((b, p) for b in broad[n_ell - ell[k]:])
            else:
                row.append((lab, p))
        axes.append(row)
    full: dict[str, int] = {}
    first: dict[str, tuple[int, int]] = {}
    for k, row in enumerate(axes):
        for ax, (lab, p) in enumerate(row):
            n = int(shapes[k][ax])
            seen = first.get(lab)
            if seen is not None and seen[0] == k and shapes[k][seen[1]] != n:
                raise _fail(f"label {lab!r} is repeated in operand {k} (a diagonal) but its axes have sizes "
                            f"{shapes[k][seen[1]]} and {n} (shape {tuple(shapes[k])})", text, p,
                            "the axes of a diagonal must have equal sizes")
            first.setdefault(lab, (k, ax))
            have = full.get(lab)
            if have is None or have == 1:
                full[lab] = n
            elif n not in (1, have):
                k0, ax0 = first[lab]
                shown = "..." if lab.startswith("...") else repr(lab)
                raise _fail(f"label {shown} has size {have} in operand {k0} (shape {tuple(shapes[k0])}) but {n} "
                            f"in operand {k} (shape {tuple(shapes[k])})", text, p,
                            f"sizes must agree or be 1 (broadcast); shapes: {_shapes_text(shapes)}")
    counts: dict[str, int] = {}
    for row in axes:
        for lab, _ in row:
            counts[lab] = counts.get(lab, 0) + 1
    if eq.output is None:
        out_names = broad + sorted(lab for lab, c in counts.items() if c == 1 and not lab.startswith("..."))
    else:
        out_names = []
        for lab in eq.output:
            out_names.extend(broad if lab == "..." else [lab])
        if n_ell and "..." not in eq.output:
            if numpy_rules:
                k = max(range(len(ell)), key=lambda j: ell[j])
                raise _fail(f"operand {k} (shape {tuple(shapes[k])}) has {n_ell} broadcast axes under '...', but the "
                            "output has no '...'", text, eq.positions[k][eq.inputs[k].index("...")],
                            "write '...' in the output too (numpy sums no broadcast axis implicitly)")
    # integer labels: by first appearance; a size-1 axis broadcast against a larger size gets its own label
    ids: dict[str, int] = {}
    names: list[str] = []
    sizes: list[int] = []

    def lid(name: str, size: int) -> int:
        if name not in ids:
            ids[name] = len(names)
            names.append(name.split("#")[0])
            sizes.append(size)
        return ids[name]

    inputs: list[tuple[int, ...]] = []
    for k, row in enumerate(axes):
        labs = []
        for ax, (lab, _) in enumerate(row):
            n = int(shapes[k][ax])
            labs.append(lid(f"{lab}#{k}", 1) if n == 1 and full[lab] != 1 else lid(lab, full[lab]))
        inputs.append(tuple(labs))
    out = tuple(ids[lab] for lab in out_names)
    sym = _symbols(names)
    spec = ",".join("".join(sym[x] for x in t) for t in inputs) + "->" + "".join(sym[x] for x in out)
    return _Bound(tuple(inputs), out, tuple(sizes), tuple(names), spec)


def _symbols(names: list[str]) -> list[str]:
    """One character per label: the label itself where it is one character and unique, else a fresh one."""
    import opt_einsum

    used = {n for n in names if len(n) == 1}
    out: list[str] = []
    taken: set[str] = set()
    k = 0
    for n in names:
        if len(n) == 1 and n not in taken:
            out.append(n)
            taken.add(n)
            continue
        while opt_einsum.get_symbol(k) in used or opt_einsum.get_symbol(k) in taken:
            k += 1
        out.append(opt_einsum.get_symbol(k))
        taken.add(out[-1])
    return out


# ------------------------------------------------------------------ programs and runners


@functools.lru_cache(maxsize=512)
def program(inputs: tuple[tuple[int, ...], ...], out: tuple[int, ...]) -> Program:
    """The lowered program of one hyperedge ``inputs -> out``: arrays ``T0``, ``T1``, ... and one Contract.

    Labels are integers by first appearance, so equations that differ only in their letters
    (``ij,jk`` and ``ab,bc``) share one program and its generated code.

    Example:
        >>> [type(n).__name__ for n in program(((0, 1), (1, 2)), (0, 2)).nodes]
        ['Input', 'Input', 'Contract']
    """
    import sympy

    names = tuple(f"l{x}" for x in range(1 + max((x for t in inputs for x in t), default=-1)))
    p = Program()
    ops = []
    for k, labs in enumerate(inputs):
        name = f"T{k}"
        vid = p.add(Input(name, len(labs)), f"T{k}", tuple(names[x] for x in labs))
        p.inputs[name] = (vid, tuple(f"{names[x]}@{k}.{a}" for a, x in enumerate(labs)), (False,) * len(labs), name)
        ops.append((vid, labs))
    node = Contract(sympy.Integer(1), tuple(ops), out, tuple(sympy.Integer(0) for _ in names))
    vid = p.add(node, "einsum", tuple(names[x] for x in out), names)
    p.materialized[vid] = ((), out, ())  # no deltas: nothing to materialize
    p.outputs["out"] = (vid, tuple(range(len(out))), tuple(names[x] for x in out))
    return p


_CODE: dict[Any, tuple[Any, Generated]] = {}
#: generated code keeps its intermediates' buffers between calls only when they are this small
_POOL_MAX_BYTES = 8 * 2**20


def _generate(inputs: tuple[tuple[int, ...], ...], out: tuple[int, ...], shapes: tuple[tuple[int, ...], ...],
              want: np.dtype | None, like: Any, numpy_flavor: bool, memory_limit: int | None) -> tuple[Any, Generated]:
    """Plan and generate the code of ``inputs -> out`` for ``shapes`` (cached by structure, shapes and dtype)."""
    dev = None
    if not numpy_flavor:
        import array_api_compat

        dev = array_api_compat.device(like)
    key = (inputs, out, shapes, want, type(like), None if numpy_flavor else str(like.dtype), str(dev), memory_limit)
    hit = _CODE.get(key)
    if hit is not None:
        return hit
    p = program(inputs, out)
    names = tuple(f"T{k}" for k in range(len(inputs)))
    r = resolve(p, dict(zip(names, shapes)), {})
    inplace = numpy_flavor and want is not None and want.kind in "fc"
    itemsize = want.itemsize if want is not None else 8
    with planning(memory_limit=memory_limit):
        gen = generate(p, r, numpy_flavor=numpy_flavor, single=True, args=names, checks={}, itemsize=itemsize,
                       memory_limit=None, inplace=inplace, pool=True, dtype=want)
        if inplace and gen.largest * itemsize > _POOL_MAX_BYTES:
            # large intermediates: allocate per call rather than keep buffers alive in the cache
            gen = generate(p, r, numpy_flavor=numpy_flavor, single=True, args=names, checks={}, itemsize=itemsize,
                           memory_limit=None, inplace=inplace, pool=False, dtype=want)
    run = load_generated(gen, namespace(like) if not numpy_flavor else np, numpy_flavor, like,
                         filename="<einsteinpy_lite einsum>")
    if len(_CODE) > 1024:
        _CODE.pop(next(iter(_CODE)))
    _CODE[key] = (run, gen)
    return run, gen


def _result_dtype(arrays: list[Any], dtype: Any, casting: str, text: str) -> np.dtype | None:
    """numpy's einsum result dtype (``dtype=`` or the promotion of the operands), checked for ``casting``."""
    try:
        want = np.dtype(dtype) if dtype is not None else np.result_type(*arrays)
    except TypeError as err:
        raise EinsteinError(f"einsum: no common dtype for operands of dtypes "
                            f"{', '.join(str(a.dtype) for a in arrays)} ({err})", text=text) from None
    for k, a in enumerate(arrays):
        try:
            ok = np.can_cast(a.dtype, want, casting=casting)  # type: ignore[arg-type]
        except (TypeError, ValueError) as err:
            raise EinsteinError(f"einsum: casting={casting!r} is not one of 'no', 'equiv', 'safe', 'same_kind', "
                                f"'unsafe' ({err})") from None
        if not ok:
            raise EinsteinError(f"einsum: operand {k} of dtype {a.dtype} cannot be cast to {want} under "
                                f"casting={casting!r}", text=text, hint="pass casting='unsafe' or another dtype=")
    return want


class _Runner:
    """Run one equation on fixed shapes and dtypes: cast, call the generated code, fix the result's type.

    Tiered: the first call of a plain equation (numpy arrays of one float or complex dtype, two to
    eight operands, no diagonal, no broadcast axis, no memory limit) runs the planned order through
    ``opt_einsum.contract`` -- no code to generate for an equation that may be called once; the
    second call generates the code every later call runs.  Both run the same pairwise order; their
    results agree to rounding.
    """

    __slots__ = ("run", "generated", "names", "cast", "want", "scalar", "limit", "slices", "bound",
                 "numpy_flavor", "like", "shapes", "first")

    def __init__(self, bound: _Bound, arrays: list[Any], want: np.dtype | None, numpy_flavor: bool,
                 memory_limit: int | None) -> None:
        self.bound = bound
        self.names = tuple(f"T{k}" for k in range(len(arrays)))
        self.numpy_flavor = numpy_flavor
        self.want = want
        self.cast = numpy_flavor and want is not None and any(a.dtype != want for a in arrays)
        self.scalar = numpy_flavor and not bound.out
        self.limit = memory_limit
        self.like = arrays[0] if arrays else np.zeros(())
        #: (label, chunk) sliced to honour the memory limit
        self.slices = _choose_slices(bound, memory_limit) if memory_limit is not None else []
        self.shapes = tuple(tuple(int(n) for n in a.shape) for a in arrays)
        self.first = self._plain(arrays)
        self.run: Any = None
        self.generated: Generated | None = None
        if not self.first:
            self.run, self.generated = self.code(self.shapes)

    def _plain(self, arrays: list[Any]) -> bool:
        """Whether the first call may run the planned order through opt_einsum (see the class)."""
        b = self.bound
        return (self.numpy_flavor and self.limit is None and not self.cast and 2 <= len(arrays) <= 8
                and self.want is not None and self.want.kind in "fc"
                and all(len(set(labs)) == len(labs) for labs in b.inputs)
                and all(shape == tuple(b.sizes[x] for x in labs) for shape, labs in zip(self.shapes, b.inputs)))

    def code(self, shapes: tuple[tuple[int, ...], ...]) -> tuple[Any, Generated]:
        """The generated ``_run`` for these operand shapes (the full ones, or one chunk's)."""
        if self.slices:
            cut = dict(self.slices)
            shapes = tuple(tuple(min(n, cut.get(x, n)) for n, x in zip(s, labs))
                           for s, labs in zip(shapes, self.bound.inputs))
        return _generate(self.bound.inputs, self.bound.out, shapes, self.want, self.like, self.numpy_flavor,
                         self.limit)

    def __call__(self, arrays: tuple[Any, ...] | list[Any]) -> Any:
        if self.cast:
            want = self.want
            arrays = [a if a.dtype == want else a.astype(want) for a in arrays]
        if self.slices:
            res = self._sliced(arrays)
        elif self.run is not None:
            res = self.run(dict(zip(self.names, arrays)))
        elif self.first:
            self.first = False
            b = self.bound
            res = opt_einsum.contract(b.spec, *arrays, optimize=[tuple(st) for st in best_path(b.inputs, b.out, b.sizes)])
        else:
            self.run, self.generated = self.code(self.shapes)
            res = self.run(dict(zip(self.names, arrays)))
        if self.numpy_flavor:
            if res.dtype != self.want:
                res = res.astype(self.want)
            if self.scalar and isinstance(res, np.ndarray):
                res = res[()]
        return res

    def _sliced(self, arrays: list[Any] | tuple[Any, ...]) -> Any:
        """Contract chunk by chunk over the sliced labels: summed labels add up, output labels fill the result."""
        b = self.bound
        ranges = [[(s, min(s + c, b.sizes[lab])) for s in range(0, b.sizes[lab], c)] for lab, c in self.slices]
        out_shape = tuple(b.sizes[x] for x in b.out)
        sliced_out = any(x in dict(self.slices) for x in b.out)
        if sliced_out and not self.numpy_flavor:
            raise EinsteinError("memory_limit slicing over an output index needs numpy arrays",
                                hint="raise memory_limit, or pass numpy arrays")
        total: Any = np.zeros(out_shape, dtype=self.want) if sliced_out else None
        for combo in itertools.product(*ranges):
            where = {lab: slice(lo, hi) for (lab, _), (lo, hi) in zip(self.slices, combo)}
            parts = [a[tuple(where.get(x, slice(None)) for x in labs)] if any(x in where for x in labs) else a
                     for a, labs in zip(arrays, b.inputs)]
            run = self.code(tuple(tuple(int(n) for n in a.shape) for a in parts))[0]
            piece = run(dict(zip(self.names, parts)))
            if sliced_out:
                total[tuple(where.get(x, slice(None)) for x in b.out)] += piece
            else:
                total = piece if total is None else total + piece
        return total


def _choose_slices(bound: _Bound, limit: int) -> list[tuple[int, int]]:
    """Labels to slice (and chunk sizes) so that no intermediate exceeds ``limit`` entries; [] when an order does.

    The same choice as ``compile(..., memory_limit=)`` makes (:func:`.slicing.choose_slices`: by cost).
    """
    ops = tuple(tuple(dict.fromkeys(t)) for t in bound.inputs)
    return choose_slices(ops, tuple(bound.out), tuple(bound.sizes), limit)


_RUNNERS: dict[Any, _Runner] = {}


def clear_caches() -> None:
    """Forget every parsed equation, program, generated code and planned path (for cold-call benchmarks).

    Example:
        >>> clear_caches()
    """
    from .plan import clear_plan_cache

    _RUNNERS.clear()
    _CODE.clear()
    program.cache_clear()
    parse_subscripts.cache_clear()
    clear_plan_cache()


def _interleaved(args: tuple[Any, ...], numpy_rules: bool = True) -> tuple[str, list[Any]]:
    """The ``(op, [0, 1], op, [1, 2], [0, 2])`` form as a subscripts string and operands.

    numpy's labels are integers 0-51 (A-Z, a-z); opt_einsum's any hashable, comparable
    objects, lettered in sorted order.
    """
    ops = list(args[0::2])
    subs = list(args[1::2])
    out = None
    if len(args) % 2 == 1:
        out = ops.pop()  # the last operand slot is the output sublist
    if len(subs) != len(ops):
        raise EinsteinError("interleaved einsum: each operand needs a sublist of axis labels",
                            hint="einsum(A, [0, 1], B, [1, 2], [0, 2])")

    symbol: dict[Any, str] = {}
    if not numpy_rules:
        import opt_einsum

        try:
            labels = {x for sub in [*subs, *([out] if out is not None else [])] for x in sub} - {Ellipsis}
            symbol = {x: opt_einsum.get_symbol(k) for k, x in enumerate(sorted(labels))}
        except TypeError:
            raise EinsteinError("interleaved contract: sublists must hold hashable, comparable labels (ints, "
                                "strings) or Ellipsis", hint="e.g. contract(A, [0, 1], B, [1, 2], [0, 2])") from None

    def conv(sub: Any, what: str) -> str:
        if symbol:
            return "".join("..." if x is Ellipsis else symbol[x] for x in sub)
        try:
            items = list(sub)
        except TypeError:
            raise EinsteinError(f"interleaved einsum: the {what} sublist {sub!r} is not a list of integers",
                                hint="e.g. [0, 1] or [Ellipsis, 0]") from None
        parts = []
        for s in items:
            if s is Ellipsis:
                parts.append("...")
                continue
            try:
                k = int(s)
                ok = not isinstance(s, (bool, float)) and 0 <= k < len(_LETTERS)
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise EinsteinError(f"interleaved einsum: label {s!r} in the {what} sublist must be an integer "
                                    f"in [0, {len(_LETTERS)}) or Ellipsis", hint="e.g. [0, 1]")
            parts.append(_LETTERS[k])
        return "".join(parts)

    text = ",".join(conv(s, f"operand {k}") for k, s in enumerate(subs))
    if out is not None:
        text += "->" + conv(out, "output")
    return text, ops


def _as_arrays(operands: tuple[Any, ...] | list[Any]) -> list[Any]:
    arrays = []
    for k, a in enumerate(operands):
        if hasattr(a, "shape") and hasattr(a, "dtype") and not isinstance(a, np.generic):
            arrays.append(a)
            continue
        try:
            arr = np.asarray(a)
        except (TypeError, ValueError):
            arr = None
        if arr is None or arr.dtype.kind not in "biufcO":
            raise EinsteinError(f"einsum: operand {k} ({type(a).__name__}) is not an array of numbers",
                                hint="pass numpy arrays (or torch / dask arrays), numbers or nested lists")
        arrays.append(arr)
    return arrays


def _check_optimize(optimize: Any, allow_optimizer: bool) -> Any:
    """Validate ``optimize``; returns a hashable key (only its presence matters: we always plan)."""
    if optimize is None or isinstance(optimize, bool):
        return bool(optimize)
    if isinstance(optimize, str):
        if optimize not in _OPTIMIZE_NAMES and not optimize.startswith("random-greedy"):
            raise EinsteinError(f"unknown optimize={optimize!r}",
                                hint=f"choose True, False or one of {', '.join(_OPTIMIZE_NAMES)}, or a path")
        return optimize
    if isinstance(optimize, (list, tuple)):
        items = list(optimize)
        if items and items[0] == "einsum_path":
            items = items[1:]
        for step in items:
            if not isinstance(step, (tuple, list)) or not all(isinstance(i, (int, np.integer)) for i in step):
                raise EinsteinError(f"optimize path step {step!r} is not a tuple of operand positions",
                                    hint="a path is a list such as [(0, 1), (0, 1)]")
        return "path"
    if allow_optimizer and callable(optimize):
        return "optimizer"
    raise EinsteinError(f"unknown optimize={optimize!r}", hint="pass True, False, an optimizer name or a path")


def _execute(subscripts: Any, operands: tuple[Any, ...], *, numpy_rules: bool, out: Any, dtype: Any,
             order: str, casting: str, optimize: Any, memory_limit: int | None, where: str) -> Any:
    if not isinstance(subscripts, str):
        subscripts, ops = _interleaved((subscripts, *operands), numpy_rules)
        operands = tuple(ops)
    _check_optimize(optimize, not numpy_rules)
    arrays = _as_arrays(operands)
    eq = parse_subscripts(subscripts, numpy_rules)
    numpy_flavor = namespace(*arrays) is np
    if numpy_flavor and any(a.dtype.kind == "O" for a in arrays):
        # object arrays: numpy's own loop (our generated code targets numeric BLAS kernels)
        import opt_einsum

        shapes = [tuple(a.shape) for a in arrays]
        bound = _bind(eq, shapes, numpy_rules)
        res = opt_einsum.contract(bound.spec, *arrays, optimize=False) if not numpy_rules else \
            np.einsum(subscripts, *arrays, dtype=dtype, casting=casting)  # type: ignore[call-overload]
        return _finish(res, out, order, casting, where)
    try:
        key: Any = (subscripts, numpy_rules, dtype, casting, memory_limit,
                    tuple((type(a), a.shape, a.dtype) for a in arrays))
        run = _RUNNERS.get(key)
    except TypeError:
        key, run = None, None
    if run is None:
        shapes = [tuple(int(n) for n in a.shape) for a in arrays]
        bound = _bind(eq, shapes, numpy_rules)
        want = _result_dtype(arrays, dtype, casting, subscripts) if numpy_flavor else None
        run = _Runner(bound, arrays, want, numpy_flavor, memory_limit)
        if key is not None:
            if len(_RUNNERS) > 2048:
                _RUNNERS.pop(next(iter(_RUNNERS)))
            _RUNNERS[key] = run
    res = run(arrays)
    return _finish(res, out, order, casting, where)


def _finish(res: Any, out: Any, order: str, casting: str, where: str) -> Any:
    if order not in ("K", "A", "C", "F"):
        raise EinsteinError(f"{where}: order={order!r} is not one of 'K', 'A', 'C', 'F'")
    if out is not None:
        if not isinstance(out, np.ndarray):
            raise EinsteinError(f"{where}: out= must be a numpy array, got {type(out).__name__}")
        if out.shape != np.shape(res):
            raise EinsteinError(f"{where}: out= has shape {out.shape} but the result has shape {np.shape(res)}",
                                hint="pass an out array of the result's shape")
        try:
            np.copyto(out, res, casting=casting)  # type: ignore[arg-type]
        except TypeError as err:
            raise EinsteinError(f"{where}: cannot write the result into out= ({err})",
                                hint="pass out of the result's dtype, or casting='unsafe'") from None
        return out
    if order in ("C", "F") and isinstance(res, np.ndarray):
        res = np.asarray(res, order="C" if order == "C" else "F")
    return res


def einsum(subscripts: Any, *operands: Any, out: Any = None, dtype: Any = None, order: str = "K",
           casting: str = "safe", optimize: Any = False, **unknown: Any) -> Any:
    """numpy's ``einsum``, compiled: the same semantics and result dtype, planned and cached.

    Args:
        subscripts: numpy's subscripts (``"ij,jk->ik"``, ``"ii"``, ``"...ij,...jk"``), or the first
            operand of the interleaved form ``einsum(A, [0, 1], B, [1, 2], [0, 2])``.
        *operands: the arrays (numpy, or any array-API array the compiler supports), numbers or
            nested lists.
        out: an array to write the result into (returned).
        dtype: compute and return in this dtype (operands cast under ``casting``).
        order: memory order of the result (``'C'``, ``'F'``; ``'K'``/``'A'`` as produced).
        casting: numpy's casting rule for ``dtype`` and ``out``.
        optimize: accepted for compatibility (``False``, ``True``, an optimizer name or an
            ``einsum_path`` list); the order is always planned.

    Returns:
        What ``numpy.einsum`` returns: an array, or a numpy scalar for a 0-d result.

    Raises:
        EinsteinError: a malformed subscripts string, operand count or shape mismatch (with a
            caret under the offending character and the shapes), or an unknown option.

    Example:
        >>> import numpy as np
        >>> a = np.arange(9).reshape(3, 3)
        >>> int(einsum("ii", a)), einsum("ii->i", a).tolist(), einsum("ij->ji", a)[0].tolist()
        (12, [0, 4, 8], [0, 3, 6])
        >>> einsum(a, [0, 1], a, [1, 2], [0, 2]).tolist()[0]
        [15, 18, 21]
    """
    if unknown:
        raise EinsteinError(f"einsum: unknown keyword {next(iter(unknown))!r}",
                            hint="known: out, dtype, order, casting, optimize")
    if out is None and dtype is None and order == "K" and casting == "safe" and (optimize is False or optimize is True):
        try:  # the cache hit: one key, one lookup
            run = _RUNNERS.get((subscripts, True, None, "safe", None,
                                tuple([(type(a), a.shape, a.dtype) for a in operands])))
        except (AttributeError, TypeError):
            run = None
        if run is not None:
            return run(operands)
    return _execute(subscripts, operands, numpy_rules=True, out=out, dtype=dtype, order=order, casting=casting,
                    optimize=optimize, memory_limit=None, where="einsum")


def _memory_arg(memory_limit: Any, shapes: list[tuple[int, ...]]) -> int | None:
    """opt_einsum's ``memory_limit``: None or -1 (none), ``'max_input'`` or a number of entries."""
    if memory_limit is None:
        return None
    if isinstance(memory_limit, str):
        if memory_limit == "max_input":
            return max((math.prod(s) for s in shapes), default=1)
        raise EinsteinError(f"memory_limit={memory_limit!r}: pass None, a number of entries or 'max_input'")
    try:
        n = int(memory_limit)
    except (TypeError, ValueError):
        raise EinsteinError(f"memory_limit={memory_limit!r}: pass None, a number of entries or 'max_input'") from None
    if n == -1:
        return None
    if n < 1:
        raise EinsteinError(f"memory_limit={memory_limit!r} must be positive (or -1 for none)")
    return n


_FAST_KW = frozenset(("optimize", "backend", "use_blas"))


def _plain_optimize(optimize: Any) -> bool:
    """An ``optimize`` that needs no checking on a cache hit: a bool, None or a known optimizer name."""
    return optimize is True or optimize is False or optimize is None or (
        type(optimize) is str and optimize in _OPTIMIZE_NAMES)


_CONTRACT_KW = ("out", "dtype", "order", "casting", "use_blas", "optimize", "memory_limit", "backend")


def contract(*operands: Any, **kwargs: Any) -> Any:
    """opt_einsum's ``contract``, compiled: ``contract(eq, *arrays, optimize=..., memory_limit=..., backend=...)``.

    The same result as ``opt_einsum.contract`` on every input it accepts (unicode labels,
    interleaved form, ``...`` with its broadcast axes summed when the output omits them);
    ``memory_limit`` (entries, ``'max_input'``) is honoured by a different order, else by
    slicing the contraction over an index.

    Example:
        >>> import numpy as np
        >>> contract("ij,jk,kl->il", np.eye(2), np.eye(2), np.ones((2, 2))).tolist()
        [[1.0, 1.0], [1.0, 1.0]]
    """
    if operands and (not kwargs or (kwargs.keys() <= _FAST_KW and _plain_optimize(kwargs.get("optimize", True))
                                    and isinstance(kwargs.get("backend", "auto"), (str, type(None))))):
        try:  # the cache hit: one key, one lookup
            run = _RUNNERS.get((operands[0], False, None, "safe", None,
                                tuple([(type(a), a.shape, a.dtype) for a in operands[1:]])))
        except (AttributeError, TypeError):
            run = None
        if run is not None:
            return run(operands[1:])
    unknown = [k for k in kwargs if k not in _CONTRACT_KW]
    if unknown:
        raise EinsteinError(f"contract: unknown keyword {unknown[0]!r}", hint=f"known: {', '.join(_CONTRACT_KW)}")
    if not operands:
        raise EinsteinError("contract: no subscripts and no operands", hint="contract('ij,jk->ik', A, B)")
    subscripts, ops = operands[0], operands[1:]
    if not isinstance(subscripts, str):
        subscripts, lst = _interleaved(tuple(operands), False)
        ops = tuple(lst)
    backend = kwargs.get("backend", "auto")
    if backend is not None and not isinstance(backend, str):
        raise EinsteinError(f"contract: backend={backend!r} must be a name such as 'auto' or 'numpy'")
    arrays = _as_arrays(ops)
    limit = _memory_arg(kwargs.get("memory_limit"), [tuple(a.shape) for a in arrays])
    return _execute(subscripts, tuple(arrays), numpy_rules=False, out=kwargs.get("out"), dtype=kwargs.get("dtype"),
                    order=kwargs.get("order", "K"), casting=kwargs.get("casting", "safe"),
                    optimize=kwargs.get("optimize", True), memory_limit=limit, where="contract")


def contract_path(*operands: Any, use_blas: bool = True, optimize: Any = True, memory_limit: Any = None,
                  shapes: bool = False, **kwargs: Any) -> tuple[list[tuple[int, ...]], Any]:
    """opt_einsum's ``contract_path``: the path our planner chooses and opt_einsum's ``PathInfo`` for it.

    ``optimize=True``/``'auto'``/``'auto-hq'`` is our planner (never more FLOPs than opt_einsum's
    ``'auto'``); another optimizer name, a :class:`opt_einsum.paths.PathOptimizer` or an explicit
    path is used as given, as opt_einsum does.

    Example:
        >>> import numpy as np
        >>> path, info = contract_path("ij,jk,kl->il", np.ones((2, 2)), np.ones((2, 5)), np.ones((5, 2)))
        >>> path
        [(1, 2), (0, 1)]
        >>> int(info.opt_cost)
        56
    """
    import opt_einsum

    if kwargs:
        raise EinsteinError(f"contract_path: unknown keyword {next(iter(kwargs))!r}",
                            hint="known: use_blas, optimize, memory_limit, shapes")
    if not operands:
        raise EinsteinError("contract_path: no subscripts and no operands")
    subscripts, ops = operands[0], list(operands[1:])
    if not isinstance(subscripts, str):
        if shapes:
            raise EinsteinError("contract_path: the interleaved form needs arrays, not shapes=True")
        subscripts, ops = _interleaved(tuple(operands), False)
    _check_optimize(optimize, True)
    if shapes:
        try:
            shp = [tuple(int(n) for n in s) for s in ops]
        except (TypeError, ValueError):
            raise EinsteinError("contract_path(shapes=True): every operand must be a tuple of ints") from None
    else:
        shp = [tuple(int(n) for n in a.shape) for a in _as_arrays(ops)]
    eq = parse_subscripts(subscripts, False)
    bound = _bind(eq, shp, False)
    limit = _memory_arg(memory_limit, shp)
    if optimize in (True, None, "auto", "auto-hq"):
        ops_sets = tuple(tuple(dict.fromkeys(t)) for t in bound.inputs)
        path: Any = [tuple(s) for s in best_path(ops_sets, bound.out, bound.sizes, limit)]
        if len(bound.inputs) == 1:
            path = [(0,)]
    elif optimize is False:
        path = [tuple(range(len(bound.inputs)))]
    else:
        path = optimize
    bshapes = [tuple(bound.sizes[x] for x in t) for t in bound.inputs]
    p, info = opt_einsum.contract_path(bound.spec, *bshapes, shapes=True, optimize=path, use_blas=use_blas,
                                       memory_limit=memory_limit if not isinstance(memory_limit, str) else limit)
    return list(p), info


class ContractExpression:
    """opt_einsum's ``ContractExpression``: an equation fixed for shapes, called with arrays.

    Example:
        >>> import numpy as np
        >>> expr = contract_expression("ij,jk->ik", (2, 2), (2, 2))
        >>> expr(np.eye(2), np.ones((2, 2))).tolist()
        [[1.0, 1.0], [1.0, 1.0]]
    """

    def __init__(self, eq: str, shapes: list[tuple[int, ...]], constants: dict[int, Any], optimize: Any,
                 memory_limit: Any, kwargs: dict[str, Any]) -> None:
        self.eq = eq
        self.shapes = shapes
        self.constants = constants
        self.num_args = len(shapes) - len(constants)
        self.optimize = optimize
        self.memory_limit = memory_limit
        self.kwargs = kwargs
        self.path, self.info = contract_path(eq, *shapes, shapes=True, optimize=optimize, memory_limit=memory_limit)
        self.contraction_list = self.info.contraction_list
        self._free = [k for k in range(len(shapes)) if k not in constants]
        self._limit = _memory_arg(memory_limit, shapes)
        self._plain = not constants and not kwargs
        self._key: Any = None
        self._run: Any = None

    def __call__(self, *arrays: Any, out: Any = None, backend: str = "auto", evaluate_constants: bool = False,
                 **unknown: Any) -> Any:
        """Contract ``arrays`` (the non-constant operands, in order)."""
        if unknown:
            raise EinsteinError(f"contract expression: unknown keyword {next(iter(unknown))!r}",
                                hint="known: out, backend, evaluate_constants")
        key = None
        if out is None and self._plain:
            try:  # the same types, shapes and dtypes as last time: straight to the generated code
                key = tuple([(type(a), a.shape, a.dtype) for a in arrays])
            except AttributeError:
                key = None
            if key is not None and key == self._key:
                return self._run(arrays)
        if len(arrays) != self.num_args:
            raise EinsteinError(f"this expression ({self.eq}) takes {self.num_args} arrays, got {len(arrays)}",
                                hint=f"shapes: {_shapes_text(self.shapes)}")
        if self.constants:
            full: list[Any] = [None] * len(self.shapes)
            for k, c in self.constants.items():
                full[k] = c
            for k, a in zip(self._free, arrays):
                full[k] = a
        else:
            full = list(arrays)
        for k, (a, s) in enumerate(zip(full, self.shapes)):
            shape = tuple(getattr(a, "shape", np.shape(a)))
            if shape != tuple(s):
                starts = parse_subscripts(self.eq, False).starts
                raise EinsteinError(f"operand {k} has shape {shape}, but this expression was built for {tuple(s)}",
                                    text=self.eq, pos=starts[k] if k < len(starts) else None,
                                    hint=f"shapes: {_shapes_text(self.shapes)}")
        res = contract(self.eq, *full, out=out, optimize=self.optimize, memory_limit=self.memory_limit,
                       backend=backend, **self.kwargs)
        if key is not None:
            self._run = _RUNNERS.get((self.eq, False, None, "safe", self._limit, key))
            self._key = key if self._run is not None else None
        return res

    def __repr__(self) -> str:
        return f"<ContractExpression('{self.eq}')>"

    def __str__(self) -> str:
        lines = [repr(self)]
        for i, c in enumerate(self.contraction_list):
            lines.append(f"  {i + 1}.  '{c[2]}'" + (f" [{c[-1]}]" if c[-1] else ""))
        return "\n".join(lines)


def contract_expression(subscripts: str, *shapes: Any, constants: Any = None, optimize: Any = True,
                        memory_limit: Any = None, **kwargs: Any) -> ContractExpression:
    """opt_einsum's ``contract_expression``: fix the equation and shapes once, call it with arrays.

    Args:
        subscripts: the equation.
        *shapes: the operands' shapes (or, at positions listed in ``constants``, the arrays).
        constants: positions of operands given as arrays here rather than at call time.
        optimize: as for :func:`contract_path`.
        memory_limit: as for :func:`contract`.
        **kwargs: ``dtype``, ``order``, ``casting``, ``use_blas``.

    Example:
        >>> import numpy as np
        >>> expr = contract_expression("ij,jk,kl->il", (3, 3), (3, 3), (3, 3))
        >>> float(expr(np.eye(3), np.eye(3), np.eye(3)).trace())
        3.0
    """
    bad = [k for k in kwargs if k not in ("dtype", "order", "casting", "use_blas")]
    if bad:
        raise EinsteinError(f"contract_expression: unknown keyword {bad[0]!r}",
                            hint="known: constants, optimize, memory_limit, dtype, order, casting, use_blas")
    if not isinstance(subscripts, str):
        raise EinsteinError("contract_expression: the equation must be a string", hint="e.g. 'ij,jk->ik'")
    consts = {int(k): shapes[int(k)] for k in (constants or ())}
    shp: list[tuple[int, ...]] = []
    for k, s in enumerate(shapes):
        if k in consts:
            shp.append(tuple(np.shape(s)))
            continue
        try:
            shp.append(tuple(int(n) for n in s))
        except (TypeError, ValueError):
            raise EinsteinError(f"contract_expression: shape {k} ({s!r}) is not a tuple of integers") from None
    kw = {k: v for k, v in kwargs.items() if k != "use_blas"}
    return ContractExpression(subscripts, shp, consts, optimize, memory_limit, kw)
