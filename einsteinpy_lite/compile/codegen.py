"""Code generation: a planned program becomes straight-line array code.

Each pairwise step of a contraction is emitted as ``@`` (matmul, BLAS), a
broadcast multiply, or a multiply-and-sum, on views (``.T``, ``reshape``) chosen
so that no copy is made when the operands' memory layouts allow it.  Every array
is kept in one *global axis ranking* (derived from the input tensors' slot
orders, so a sample index ``k`` that comes first in ``x_k^i`` stays outermost),
which makes the elementwise steps (``*``, ``+``, functions) read contiguous memory,
as hand-written numpy backprop does (``((E @ B) * S1).T @ Y``).  Identical
expressions are emitted once (common subexpressions across outputs).

The generated code is hygienic: no user name ever becomes a Python identifier.
Arrays are read from the argument dict into ``_a0, _a1, ...``, scalars into ``_s0,
...``, temporaries are ``_t1, ...``, functions ``_f0, ...`` and output names ``_o0,
...`` (constants of the namespace), so a tensor named ``t1``, ``_b``, ``lambda`` or
``ﬁ`` (which Python would read as ``fi``) cannot collide with anything.  A result
never aliases an input or another result: it is copied when it would be a view.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from ..core.errors import EinsteinError
from ..core.functions import get_function
from ..core.vector_kernels import vector_function
from .layout import axis_ranks
from .lower import Add, ApplyFn, Contract, Input, MatFn, Program, python_name
from .matrix_kernels import matrix_function
from .memory import free_dead, in_place, pool_buffers
from .plan import (
    ContractPlan,
    Resolved,
    _spec,
    best_path,
    naive_flops,
    path_cost,
    plan_contract,
    planning,
    resolve,
    step_flops,
)
from .rows import run_rows, split_rows
from .slicing import SlicedContraction, choose_slices, human_bytes, sliced_cost

__all__ = ["Generated", "generate"]

#: derivatives computed from the function's value when that value is computed anyway
_FROM_VALUE = {
    ("sigmoid", 1): "{v} * (1.0 - {v})",
    ("tanh", 1): "1.0 - {v} * {v}",
    ("exp", 1): "{v}",
    ("exp", 2): "{v}",
    ("sigmoid", 2): "{v} * (1.0 - {v}) * (1.0 - 2.0 * {v})",
    ("tanh", 2): "-2.0 * {v} * (1.0 - {v} * {v})",
}


def embed_diagonal(values: Any, shape: tuple[int, ...], spec: str, dtype: Any) -> Any:
    """A new numpy array of ``shape``, zero except on the diagonal that ``spec`` (``"aab->ab"``) names,
    which holds ``values``.

    Example:
        >>> embed_diagonal(np.array([1.0, 2.0]), (2, 2), "aa->a", np.float64).tolist()
        [[1.0, 0.0], [0.0, 2.0]]
    """
    out = np.zeros(shape, dtype=np.result_type(dtype, values))
    np.einsum(spec, out)[...] = values
    return out


@dataclass
class Step:
    """One emitted operation, for ``explain``."""

    var: str
    text: str
    flops: int
    size: int


@dataclass
class Generated:
    """Generated source, the names it needs, and what it costs."""

    source: str
    namespace: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    largest: int = 0
    #: per contraction: einsum spec, operand shapes, FLOPs of the chosen path, naive FLOPs, optimizer
    contractions: list[tuple[str, tuple[tuple[int, ...], ...], int, int, str]] = field(default_factory=list)


@dataclass
class _Arr:
    var: str
    labels: tuple[int, ...]


def _num(x: Any) -> str:
    """A number as code: an integer that numpy takes as one (kept exact, so integer arrays stay integer),
    else a float.

    Raises:
        EinsteinError: a number beyond the floating-point range (numpy would raise OverflowError).
    """
    v = sympy.nsimplify(x) if isinstance(x, float) else sympy.sympify(x)
    if v.is_Integer and abs(int(v)) < 2**63:
        return str(int(v))
    try:
        out = float(v)
    except OverflowError:
        out = math.inf
    if math.isinf(out) and v.is_finite is not False:
        raise EinsteinError(f"compile: the coefficient {sympy.N(v, 3)} is too large for floating point",
                            hint="rescale the expression (a coefficient must be below about 1.8e308)")
    return repr(out)


#: the generated names that can hold arrays (inputs and temporaries)
_ARRAY_VAR = re.compile(r"(?<![\w.'])_[at][0-9]+\b")
#: the generated names of arrays, scalars and temporaries (shown to users by ``explain``)
_LOCAL = re.compile(r"(?<![\w.'])_[ast][0-9]+(?![0-9])")


class _Gen:
    def __init__(self, p: Program, r: Resolved, numpy_flavor: bool,
                 local: dict[str, str], itemsize: int, memory_limit: float | None,
                 exact: bool = False, scale_in_place: bool = False, logical: bool = False) -> None:
        self.p, self.r = p, r
        self.np = numpy_flavor
        #: identities, zeros and ones take the arrays' dtype (and device on other backends)
        self.ckw = ", dtype=_dt" if numpy_flavor else ", dtype=_dt, device=_dev"
        self.weak_scalars = False  # scalar-only terms promote like Python scalars (set by generate)
        #: keyword name of each array and scalar -> its local variable (_a0, _s0, ...)
        self.local = local
        #: some input is bool or integer: functions get a floating argument first (numpy)
        self.exact = exact and numpy_flavor
        #: every input is bool (numpy): contractions of bool values are logical, as numpy's einsum makes
        #: them; the variables known to hold bool arrays
        self.bools: set[str] = set(local.values()) if logical and numpy_flavor else set()
        #: a constant real coefficient may scale a new floating temporary in place
        self.scale_in_place = scale_in_place and numpy_flavor
        #: per variable: the variables whose memory it may share (inputs and temporaries)
        self.alias: dict[str, frozenset[str]] = {v: frozenset([v]) for v in local.values()}
        self.names = {v: k for k, v in local.items()}
        self.itemsize = itemsize
        self.memory_limit = memory_limit
        self.lines: list[str] = []
        self.memo: dict[str, str] = {}
        self.ns: dict[str, Any] = {}
        self.values: dict[int, tuple[str, tuple[int, ...]]] = {}
        self.steps: list[Step] = []
        self.largest = 0
        self.count = 0
        self.ranks = axis_ranks(p)
        self.fns: dict[tuple[str, int], str] = {}
        self.pair_memo: dict[Any, tuple[str, tuple[int, ...]]] = {}
        self.records: list[tuple[str, tuple[tuple[int, ...], ...], int, int, str]] = []
        self.owned: set[str] = set()
        self.created = False
        self.ops: dict[str, tuple[str, list[str]]] = {}
        self.var_size: dict[str, int] = {}
        self.var_ndim: dict[str, int] = {}
        self.var_shape: dict[str, tuple[int, ...]] = {}
        self.fresh_vars: set[str] = set()
        self.new_vars: set[str] = set()
        #: the sliced contractions (memory limit), as the plan shows them
        self.sliced: list[str] = []

    # emission ------------------------------------------------------------
    def emit(self, expr: str, size: int, text: str, flops: int = 0, fresh: bool = False,
             op: tuple[str, list[str]] | None = None, owns: bool = True,
             shape: tuple[int, ...] | None = None) -> str:
        """Emit ``tN = expr`` (or reuse an identical earlier line).

        ``op`` (a numpy ufunc name and its arguments) marks a line that may write into a dead
        argument's memory; ``owns`` says the result is a new array (not a view or an alias) and
        ``shape`` its shape (0-d results of numpy are scalars, never written into).
        """
        self.created = False
        if not fresh and expr in self.memo:
            return self.memo[expr]
        self.created = True
        if self.memory_limit is not None and size * self.itemsize > self.memory_limit:
            raise EinsteinError(
                f"the intermediate {self.show(text)} has {size:,} entries ({human_bytes(size * self.itemsize)}), over the "
                f"memory limit of {human_bytes(self.memory_limit)}",
                hint="pass a larger memory_limit= to compile, or use smaller arrays (or dask chunks)")
        self.count += 1
        var = f"_t{self.count}"
        self.lines.append(f"    {var} = {expr}")
        self.alias[var] = frozenset([var]) if owns else frozenset(
            [var, *(a for u in _ARRAY_VAR.findall(expr) for a in self.alias.get(u, (u,)))])
        self.memo[expr] = var
        self.steps.append(Step(self.show(var), self.show(text), flops, size))
        self.largest = max(self.largest, size)
        self.var_size[var] = size
        ndim = len(shape) if shape is not None else 0
        self.var_ndim[var] = ndim
        if shape is not None:
            self.var_shape[var] = shape
        if op is not None:
            self.ops[var] = op
        if owns:
            self.new_vars.add(var)
        if owns and ndim > 0:
            self.fresh_vars.add(var)
        return var

    def show(self, text: str) -> str:
        """A step's text for ``explain``: arrays and scalars under their keyword names, temporaries as ``t1``."""
        return _LOCAL.sub(lambda m: self.names.get(m.group(0), m.group(0)[1:]), text)

    def perm(self, var: str, cur: tuple[int, ...], target: tuple[int, ...]) -> str:
        if cur == target:
            return var
        p = tuple(cur.index(x) for x in target)
        if len(p) == 2:
            return f"{var}.T"
        return f"{var}.transpose({p})" if self.np else f"xp.permute_dims({var}, {p})"

    def expand(self, var: str, cur: tuple[int, ...], target: tuple[int, ...]) -> str:
        """``var`` (axes ``cur``) viewed with axes ``target`` (a superset): permuted, with new axes of size 1."""
        present = tuple(x for x in target if x in cur)
        v = self.perm(var, cur, present)
        idx = [":" if x in cur else "None" for x in target]
        while idx and idx[0] == "None":
            idx.pop(0)
        if "None" in idx:
            v = f"{v}[{', '.join(idx)}]"
        return v

    def reshape(self, var: str, shape: tuple[int, ...]) -> str:
        return f"{var}.reshape({shape})" if self.np else f"xp.reshape({var}, {shape})"

    def rsum(self, var: str, axes: tuple[int, ...], logical: bool = False) -> str:
        ax = axes[0] if len(axes) == 1 else axes
        if logical:  # of bool arrays: a sum of products is an "or" of "and"s, as in numpy's einsum and matmul
            return f"{var}.any(axis={ax})"
        return f"{var}.sum(axis={ax})" if self.np else f"xp.sum({var}, axis={ax})"

    def coeff_code(self, c: sympy.Expr) -> str | None:
        c = self.coeff_value(c)
        if c == 1:
            return None
        if c.is_number:
            return _num(c)
        repl = {s: sympy.Symbol(self.local[python_name(s.name)]) for s in c.free_symbols}  # type: ignore[attr-defined]
        # pycode writes math.exp, math.pi: numpy's (complex scalars too, and np is in the namespace)
        return "(" + re.sub(r"\bmath\.", "np.", sympy.pycode(c.subs(repl))) + ")"

    def coeff_value(self, c: sympy.Expr) -> sympy.Expr:
        """The coefficient with the inferred scalars put in (what is left are runtime scalars)."""
        return c.subs({s: v for s, v in self.sym_values.items()})

    # values ------------------------------------------------------------
    def value(self, vid: int) -> tuple[str, tuple[int, ...]]:
        if vid in self.values:
            return self.values[vid]
        node = self.p.nodes[vid]
        if isinstance(node, Input):
            res = (self.local[python_name(node.name)], tuple(range(node.rank)))
        elif isinstance(node, ApplyFn):
            res = self.apply(vid, node)
        elif isinstance(node, MatFn):
            res = self.matfn(vid, node)
        elif isinstance(node, Add):
            res = self.add(vid, node)
        else:
            assert isinstance(node, Contract)
            res = self.contract(vid, node)
        self.values[vid] = res
        return res

    def ranked(self, vid: int) -> tuple[int, ...]:
        return tuple(sorted(range(len(self.r.shapes[vid])), key=lambda a: (self.ranks[(vid, a)], a)))

    def value_sibling(self, node: ApplyFn, arg: str) -> int | None:
        """The program's node of the function itself (order 0) on the same argument as the derivative
        ``node``, or on another node whose value is that same array ``arg`` (a transposed contraction
        the pair memo found again): its value gives the derivative without a pass of exp.  (Looking
        computes the candidates' arguments: nodes of the program, needed by the code anyway.)
        """
        sib = self.p.index.get(ApplyFn(node.func, 0, node.arg, node.rank))
        if sib is not None:
            return sib
        for other, vid in self.p.index.items():
            if (isinstance(other, ApplyFn) and other.func == node.func and other.order == 0
                    and other.rank == node.rank and other.arg != node.arg
                    and self.value(other.arg)[0] == arg):
                return vid
        return None

    def apply(self, vid: int, node: ApplyFn) -> tuple[str, tuple[int, ...]]:
        arg, axes = self.value(node.arg)
        size = math.prod(self.r.shapes[vid])
        desc = self.p.desc[vid]
        if self.exact:  # bool and integer arguments become floating, as x * 1.0 would
            arg = self.emit(f"np.asarray({arg}, np.result_type({arg}, 1.0))", size, f"{arg} as floating", 0,
                            owns=False)
        sh = tuple(self.r.shapes[vid][a] for a in axes)
        fn = get_function(node.func)
        builtin = fn.impls[min(node.order, len(fn.impls) - 1)].__module__ == "einsteinpy_lite.core.functions"
        if builtin and node.order == 1 and node.func in ("sigmoid", "tanh", "exp"):
            sib = self.value_sibling(node, arg)
            if sib is not None:
                v, _ = self.value(sib)
                if node.func == "exp":
                    return v, axes
                if not self.np:
                    tmpl = _FROM_VALUE[(node.func, 1)]
                    return self.emit(tmpl.format(v=v), size, f"{desc} from {v}", size), axes
                if node.func == "sigmoid":
                    u = self.emit(f"1.0 - {v}", size, f"1 - {v}", size, op=("subtract", ["1.0", v]), shape=sh)
                    return self.emit(f"{u} * {v}", size, f"{desc} from {v}", size, op=("multiply", [u, v]), shape=sh), axes
                u = self.emit(f"{v} * {v}", size, f"{v}^2", size, op=("multiply", [v, v]), shape=sh)
                return self.emit(f"1.0 - {u}", size, f"{desc} from {v}", size, op=("subtract", ["1.0", u]), shape=sh), axes
        if builtin and node.order == 2 and node.func in ("sigmoid", "tanh"):
            # the second derivative from the function's value (sigma'' = sigma'(1 - 2 sigma),
            # tanh'' = -2 tanh tanh'): no second pass of exp over the argument
            sib = self.value_sibling(node, arg)
            if sib is not None:
                v, _ = self.value(sib)
                if not self.np:
                    return self.emit(_FROM_VALUE[(node.func, 2)].format(v=v), size, f"{desc} from {v}", size), axes
                if node.func == "sigmoid":
                    u = self.emit(f"1.0 - {v}", size, f"1 - {v}", size, op=("subtract", ["1.0", v]), shape=sh)
                    d1 = self.emit(f"{u} * {v}", size, f"{u} {v}", size, op=("multiply", [u, v]), shape=sh)
                    w2 = self.emit(f"-2.0 * {v}", size, f"-2 {v}", size, op=("multiply", ["-2.0", v]), shape=sh)
                    w = self.emit(f"{w2} + 1.0", size, f"1 - 2 {v}", size, op=("add", [w2, "1.0"]), shape=sh)
                else:
                    u = self.emit(f"{v} * {v}", size, f"{v}^2", size, op=("multiply", [v, v]), shape=sh)
                    d1 = self.emit(f"1.0 - {u}", size, f"1 - {u}", size, op=("subtract", ["1.0", u]), shape=sh)
                    w = self.emit(f"-2.0 * {v}", size, f"-2 {v}", size, op=("multiply", ["-2.0", v]), shape=sh)
                return self.emit(f"{d1} * {w}", size, f"{desc} from {v}", size, op=("multiply", [d1, w]), shape=sh), axes
        if self.np and builtin and node.order == 0 and node.func in ("sigmoid", "tanh", "exp"):
            if node.func == "sigmoid":
                u1 = self.emit(f"-{arg}", size, f"-{arg}", size, op=("negative", [arg]), shape=sh)
                u2 = self.emit(f"np.exp({u1})", size, f"exp({u1})", size, op=("exp", [u1]), shape=sh)
                u3 = self.emit(f"{u2} + 1.0", size, f"{u2} + 1", size, op=("add", [u2, "1.0"]), shape=sh)
                return self.emit(f"1.0 / {u3}", size, desc, size, op=("divide", ["1.0", u3]), shape=sh), axes
            uf = "tanh" if node.func == "tanh" else "exp"
            return self.emit(f"np.{uf}({arg})", size, desc, size, op=(uf, [arg]), shape=sh), axes
        key = (node.func, node.order)
        if key not in self.fns:
            self.fns[key] = f"_f{len(self.fns)}"
            self.ns[self.fns[key]] = fn.implementation(node.order)
        # the built-ins make a new array (all but the identity); a registered function may return its argument
        new = builtin and not (node.func == "identity" and node.order == 0)
        return self.emit(f"{self.fns[key]}({arg}, xp)", size, desc, size, owns=new), axes

    def matfn(self, vid: int, node: MatFn) -> tuple[str, tuple[int, ...]]:
        """``inv``, ``det``, ``logdet`` over the argument's two matrix axes, ``softmax``, ``logsumexp`` over its
        one vector axis, computed once per call."""
        arg, axes = self.value(node.arg)
        rows, cols = axes.index(node.rows), axes.index(node.cols)
        n = self.r.shapes[node.arg][node.rows]
        size = math.prod(self.r.shapes[vid])
        if node.rows == node.cols:  # a vector function
            self.ns["_vector_function"] = vector_function
            code = f"_vector_function({node.func!r}, {arg}, xp, {rows})"
            out = self.emit(code, size, self.p.desc[vid], max(size, 1) * n * 4)
        else:
            self.ns["_matrix_function"] = matrix_function
            code = f"_matrix_function({node.func!r}, {arg}, xp, {rows}, {cols})"
            out = self.emit(code, size, self.p.desc[vid], max(size, 1) * n ** 3)
        if node.func in ("inv", "softmax"):
            return out, axes
        # the result keeps the other axes in their physical order; each is an axis of the result
        position = {a: o for o, a in enumerate(node.kept_axes())}
        return out, tuple(position[a] for a in axes if a not in (node.rows, node.cols))

    def add(self, vid: int, node: Add) -> tuple[str, tuple[int, ...]]:
        target = self.ranked(vid)
        if self.np and not self.exact and len(node.terms) > 2:  # (integer arrays keep numpy's integer sums)
            chained = self.add_chain(vid, node, target)
            if chained is not None:
                return chained, target
        parts: list[str] = []
        logical = True
        for coeff, tv, pos in node.terms:
            var, axes = self.value(tv)
            cur = tuple(pos[a] for a in axes)
            v = self.expand(var, cur, target)
            c = self.coeff_code(coeff)
            logical = logical and c is None and var in self.bools
            if c is None:
                parts.append(f"+ {v}")
            elif c == "-1":  # numpy has no minus of bools: 1 * makes it an integer first
                parts.append(f"- 1 * {v}" if var in self.bools else f"- {v}")
            else:
                parts.append(f"+ {c} * {v}")
        parts.sort(key=lambda t: not t.startswith("+"))
        expr = " ".join(parts)
        expr = expr[2:] if expr.startswith("+ ") else "-" + expr[2:]
        size = math.prod(self.r.shapes[vid])
        op = None
        if len(parts) == 2 and parts[0].startswith("+ ") and " * " not in parts[0] + parts[1]:
            op = ("add" if parts[1].startswith("+") else "subtract", [parts[0][2:], parts[1][2:]])
        var = self.emit(expr, size, self.p.desc[vid], size * (len(node.terms) - 1), op=op,
                        shape=tuple(self.r.shapes[vid][a] for a in target))
        if logical:
            self.bools.add(var)
        return var, target

    def add_chain(self, vid: int, node: Add, target: tuple[int, ...]) -> str | None:
        """numpy: a sum of three or more terms as a chain of binary adds into one accumulator, the common
        coefficient applied once at the end (``c (t1 - t2 + t3)``): each line may then write in place
        (:func:`~.memory.in_place`), where one Python expression made a new array per ``*`` and ``+``.

        None where a term is boolean (numpy's sums of bools count) or a coefficient is not a real number.
        """
        terms = []
        for coeff, tv, pos in node.terms:
            var, axes = self.value(tv)
            if var in self.bools:
                return None
            value = self.coeff_value(coeff)
            if not (value.is_number and value.is_real):  # (a complex coefficient may not write into a real array)
                return None
            cur = tuple(pos[a] for a in axes)
            terms.append((value, self.expand(var, cur, target), frozenset(cur)))
        full = self.r.shapes[vid]

        def made(axes: frozenset[int]) -> tuple[int, tuple[int, ...]]:
            # the entries and shape of a partial sum over these axes: numpy broadcasts the expanded views,
            # whose leading absent axes are left out and inner ones are 1 (seed 4071070619: the first two
            # terms of a chain lacked an axis of the third, and writing the third in place into their
            # sum raised 'non-broadcastable output operand')
            lead = next((n for n, a in enumerate(target) if a in axes), len(target))
            return (math.prod(full[a] for a in axes),
                    tuple(full[a] if a in axes else 1 for a in target[lead:]))
        # the coefficient most terms have (up to sign) is applied once, at the end; the accumulator starts
        # from a full-shaped term with exactly that coefficient (so it is an array of the result's shape)
        counts: dict[sympy.Expr, int] = {}
        for value, _, _ in terms:
            counts[abs(value)] = counts.get(abs(value), 0) + 1
        common = max(counts, key=lambda c: counts[c])
        if not any(value == common for value, _, _ in terms):
            common = -common
        if common == 0:
            return None
        every = frozenset(target)
        terms.sort(key=lambda t: (t[0] != common, t[2] != every, "[" in t[1]))
        acc, acc_axes = terms[0][1], terms[0][2]
        for value, v, axes_v in terms[1:]:
            ratio = value / common
            acc_axes = acc_axes | axes_v
            size, shape = made(acc_axes)
            if ratio == 1 or ratio == -1:
                op = "add" if ratio == 1 else "subtract"
                acc = self.emit(f"{acc} {'+' if ratio == 1 else '-'} {v}", size, self.p.desc[vid], size,
                                op=(op, [acc, v]), shape=shape)
            else:
                r = _num(ratio)
                n, sh = made(axes_v)
                scaled = self.emit(f"{r} * {v}", n, self.p.desc[vid], n, op=("multiply", [r, v]), shape=sh)
                acc = self.emit(f"{acc} + {scaled}", size, self.p.desc[vid], size, op=("add", [acc, scaled]),
                                shape=shape)
        size, shape = made(acc_axes)
        if common != 1:
            c = _num(common)
            acc = self.emit(f"{c} * {acc}", size, self.p.desc[vid], size, op=("multiply", [c, acc]), shape=shape)
        return acc

    # contractions ----------------------------------------------------------
    def contract(self, vid: int, node: Contract) -> tuple[str, tuple[int, ...]]:
        sizes = self.r.label_sizes[vid]
        names = self.p.label_names[vid]
        # rank of each label: that of the value axes it lands on (or of an operand axis)
        lrank: dict[int, int] = {}
        for o, lab in enumerate(node.out):
            lrank.setdefault(lab, self.ranks[(vid, o)])
        for ov, labels in node.operands:
            for ax, lab in enumerate(labels):
                lrank.setdefault(lab, self.ranks[(ov, ax)])
        for ov, _ in node.operands:
            self.value(ov)
        self.cur = (vid, sizes, names, lrank)
        self.owned = set()
        arrs: list[_Arr] = []
        for ov, labels in node.operands:
            ovar, oaxes = self.value(ov)
            olab = tuple(labels[a] for a in oaxes)
            if len(set(olab)) != len(olab):
                ovar, olab = self.diagonal(ovar, olab)
            arrs.append(_Arr(ovar, olab))
        if self.bools and not all(a.var in self.bools for a in arrs):
            # bool and other operands: numpy's einsum computes in the promoted type (sums count)
            for k, a in enumerate(arrs):
                if a.var in self.bools:
                    n = math.prod(sizes[x] for x in a.labels)
                    arrs[k] = _Arr(self.emit(f"{a.var}.astype(np.int64)", n, f"{a.var} as integers", 0), a.labels)
        carried = {x for a in arrs for x in a.labels}
        out = tuple(x for x in dict.fromkeys(node.out) if x in carried)
        naive = naive_flops(tuple(a.labels for a in arrs), out, sizes)
        arrs = self.reuse(arrs, out)
        plan = plan_contract(tuple(a.labels for a in arrs), out, sizes)
        plan, sliced = self.bounded(vid, plan, sizes)
        self.records.append((_spec(plan.operands, out), tuple(tuple(sizes[x] for x in o) for o in plan.operands),
                             plan.flops, naive, plan.optimizer))
        live = [self.slice_run(vid, arrs, plan, sizes, sliced)] if sliced else list(arrs)
        for step in plan.path if not sliced else ():
            if len(step) == 1:
                a = live.pop(step[0])
                others = {x for o in live for x in o.labels}
                live.append(self.reduce(a, tuple(x for x in a.labels if x in others or x in plan.out)))
                continue
            group = [live[k] for k in sorted(step)]
            for k in sorted(step, reverse=True):
                live.pop(k)
            while len(group) > 1:
                a, b = group.pop(0), group.pop(0)
                group.insert(0, self.pair(a, b, self.keep(a, b, live + group, out)))
            live.append(group[0])
        res = live[0] if live else None
        coeff = self.coeff_code(node.coeff)
        target = self.ranked(vid)
        out_labels = tuple(node.out[a] for a in target)
        simple = len(set(node.out)) == len(node.out) and res is not None and set(res.labels) == set(node.out)
        size = math.prod(self.r.shapes[vid])
        # a runtime scalar may be complex (or float with integer arrays): never written into an array
        runtime_coeff = not self.coeff_value(node.coeff).is_number
        constant_real = not runtime_coeff and bool(self.coeff_value(node.coeff).is_real)
        if simple:
            assert res is not None
            if coeff is not None and self.scale_in_place and constant_real and res.var in self.owned:
                self.lines.append(f"    {res.var} *= {coeff}")
                self.steps.append(Step(self.show(res.var), self.show(f"{res.var} *= {coeff}"), size, size))
                for mk in [mk for mk, v in self.memo.items() if v == res.var]:
                    del self.memo[mk]
                for pk in [pk for pk, pv in self.pair_memo.items() if pv[0] == res.var]:
                    del self.pair_memo[pk]
            elif coeff is not None:
                var = self.emit(f"{coeff} * {res.var}", size, f"{coeff} * {res.var}", size,
                                op=None if runtime_coeff else ("multiply", [coeff, res.var]),
                                shape=tuple(sizes[x] for x in res.labels))
                res = _Arr(var, res.labels)
            return res.var, tuple(node.out.index(x) for x in res.labels)
        # identities for repeated output labels, ones for labels no operand carries, zeros for a zero coefficient
        shape = tuple(self.r.shapes[vid][a] for a in target)
        if node.coeff == 0:
            return self.emit(f"xp.zeros({shape}{self.ckw})", size, "zeros", 0), target
        full = tuple(range(len(target)))
        first: dict[int, int] = {}
        for pos, lab in enumerate(out_labels):
            first.setdefault(lab, pos)
        uniq = tuple(first)
        if self.np and res is not None and set(res.labels) == set(uniq) and len(uniq) < len(out_labels) <= 26:
            # numpy: zeros with the values written on their diagonal (never an identity materialized and
            # multiplied, which took three passes over the result)
            sym = "abcdefghijklmnopqrstuvwxyz"
            spec = "".join(sym[uniq.index(x)] for x in out_labels) + "->" + sym[:len(uniq)]
            values = self.expand(res.var, tuple(uniq.index(x) for x in res.labels), tuple(range(len(uniq))))
            if coeff is not None:
                values = f"{coeff} * {values}"
            self.ns["_embed_diagonal"] = embed_diagonal
            var = self.emit(f"_embed_diagonal({values}, {shape}, {spec!r}, _dt)", size,
                            f"{self.p.desc[vid]} (on a diagonal)", size)
            return var, target
        factors: list[str] = []
        if res is not None and res.labels:
            factors.append(self.expand(res.var, tuple(first[x] for x in res.labels), full))
        elif res is not None:
            factors.append(res.var)
        for pos, lab in enumerate(out_labels):
            n = sizes[lab]
            if first[lab] != pos:
                eye = self.emit(f"xp.eye({n}{self.ckw})", n * n, f"identity for {names[lab]}", 0)
                factors.append(self.expand(eye, (first[lab], pos), full))
            elif (res is None or lab not in res.labels) and out_labels.count(lab) == 1:
                ones = self.emit(f"xp.ones({n}{self.ckw})", n, f"ones for {names[lab]}", 0)
                factors.append(self.expand(ones, (pos,), full))
        if coeff is not None:
            factors.insert(0, coeff)
        if not factors:
            factors.append("1.0")
        expr = " * ".join(factors)
        if not any(_ARRAY_VAR.search(f) or f.startswith("xp.") for f in factors):
            if self.np and self.weak_scalars:
                # a term of scalars only: numpy promotes it with the arrays as a Python scalar (weakly),
                # so float32 arrays plus the trace of a delta stay float32
                expr = f"xp.asarray({expr}, np.result_type(_dt, {expr}))"
            else:
                expr = f"xp.asarray({expr})"
        var = self.emit(expr, size, f"{self.p.desc[vid]} (with identities)", size)
        return var, target

    def bounded(self, vid: int, plan: ContractPlan, sizes: tuple[int, ...]) -> tuple[ContractPlan, list[tuple[int, int]]]:
        """Keep the contraction's intermediates under the memory limit: another order, else slices.

        Returns the plan to run and the ``(label, chunk)`` slices (``[]``: no slicing).
        """
        if self.memory_limit is None or len(plan.operands) < 2:
            return plan, []
        limit = max(1, int(self.memory_limit // self.itemsize))
        ops, out = plan.operands, plan.out
        if path_cost(ops, out, sizes, plan.path)[1] <= limit:
            return plan, []
        names = self.p.label_names[vid]
        result = math.prod(sizes[x] for x in out)
        if result > limit:
            raise EinsteinError(
                f"the result of {self.p.desc[vid]} has {result:,} entries ({human_bytes(result * self.itemsize)}), "
                f"over the memory limit of {human_bytes(self.memory_limit)}: no slicing can make a result smaller",
                hint="pass a larger memory_limit= to compile (or None for no limit), or use smaller arrays")
        path = best_path(ops, out, sizes, limit)
        flops, big = path_cost(ops, out, sizes, path)
        if big <= limit:  # another order fits
            return ContractPlan(ops, out, path, flops, plan.naive_flops, big, plan.optimizer + ", memory-bounded"), []
        try:
            slices = choose_slices(ops, out, sizes, limit, out_ok=self.np)
        except EinsteinError as exc:
            raise EinsteinError(f"{exc.args[0]} (in {self.p.desc[vid]}, indices "
                                f"{', '.join(names[x] for x in dict.fromkeys(x for o in ops for x in o))})",
                                hint="pass a larger memory_limit= to compile (or None for no limit)") from None
        total, big, _ = sliced_cost(ops, out, sizes, slices)
        return ContractPlan(ops, out, plan.path, total, plan.naive_flops, big, "sliced"), slices

    def slice_run(self, vid: int, arrs: list[_Arr], plan: ContractPlan, sizes: tuple[int, ...],
                  slices: list[tuple[int, int]]) -> _Arr:
        """Emit the call of a :class:`SlicedContraction` of ``arrs``: one line, its pieces in a loop."""
        names = self.p.label_names[vid]
        limit = max(1, int((self.memory_limit or 0) // self.itemsize))
        run = SlicedContraction(plan.operands, plan.out, sizes, slices,
                                piece=functools.partial(_piece_code, plan.operands, plan.out, limit) if self.np else None)
        fn = f"_slc{len([k for k in self.ns if k.startswith('_slc')])}"
        self.ns[fn] = run
        cuts = ", ".join(f"{names[x]} (chunks of {c})" for x, c in slices)
        text = f"sliced over {cuts}, {run.pieces} pieces: {_spec(plan.operands, plan.out)}"
        shape = tuple(sizes[x] for x in plan.out)
        var = self.emit(f"{fn}({', '.join(a.var for a in arrs)})", math.prod(shape), text, plan.flops, fresh=True,
                        shape=shape)
        self.sliced.append(text)
        self.largest = max(self.largest, plan.largest)  # the pieces' own intermediates
        return _Arr(var, plan.out)

    @staticmethod
    def keep(a: _Arr, b: _Arr, others: list[_Arr], out: tuple[int, ...]) -> tuple[int, ...]:
        need = set(out)
        for other in others:
            need |= set(other.labels)
        return tuple(x for x in dict.fromkeys(a.labels + b.labels) if x in need)

    @staticmethod
    def signature(a: _Arr, b: _Arr, keep: tuple[int, ...]) -> tuple[Any, dict[int, int]]:
        canon: dict[int, int] = {}
        for x in a.labels + b.labels:
            canon.setdefault(x, len(canon))
        key = (a.var, tuple(canon[x] for x in a.labels), b.var, tuple(canon[x] for x in b.labels),
               frozenset(canon[x] for x in keep))
        return key, canon

    def reuse(self, arrs: list[_Arr], out: tuple[int, ...]) -> list[_Arr]:
        """Replace operand pairs that an earlier contraction already multiplied by that product."""
        found = True
        while found and len(arrs) > 1:
            found = False
            for i in range(len(arrs)):
                for j in range(len(arrs)):
                    if i == j:
                        continue
                    rest = [a for k, a in enumerate(arrs) if k not in (i, j)]
                    key, canon = self.signature(arrs[i], arrs[j], self.keep(arrs[i], arrs[j], rest, out))
                    hit = self.pair_memo.get(key)
                    if hit is not None:
                        back = {v: k for k, v in canon.items()}
                        arrs = rest + [_Arr(hit[0], tuple(back[x] for x in hit[1]))]
                        found = True
                        break
                if found:
                    break
        return arrs

    def diagonal(self, var: str, lab: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
        uniq = tuple(dict.fromkeys(lab))
        sizes = self.cur[1]
        if self.np:
            sym = "abcdefghijklmnopqrstuvwxyz"
            spec = "".join(sym[uniq.index(x)] for x in lab) + "->" + "".join(sym[i] for i in range(len(uniq)))
            out = self.emit(f"np.einsum({spec!r}, {var})", math.prod(sizes[x] for x in uniq), "diagonal", 0,
                            owns=False)
            if var in self.bools:
                self.bools.add(out)
            return out, uniq
        # generic backends: multiply by identities and sum the repeated axes away
        cur = var
        labels = list(lab)
        while len(set(labels)) != len(labels):
            x = next(x for x in labels if labels.count(x) > 1)
            a = labels.index(x)
            b = labels.index(x, a + 1)
            n = sizes[x]
            eye = self.emit(f"xp.eye({n}{self.ckw})", n * n, "identity", 0)
            full = tuple(range(len(labels)))
            prod = f"{cur} * {self.expand(eye, (a, b), full)}"
            cur = self.emit(self.rsum(f"({prod})", (b,)), math.prod(sizes[y] for y in set(labels)), "diagonal", 0)
            labels.pop(b)
        return cur, tuple(labels)

    def reduce(self, a: _Arr, out: tuple[int, ...]) -> _Arr:
        axes = tuple(n for n, x in enumerate(a.labels) if x not in out)
        if not axes:
            return a
        sizes = self.cur[1]
        labels = tuple(x for x in a.labels if x in out)
        size = math.prod(sizes[x] for x in labels)
        logical = a.var in self.bools
        var = self.emit(self.rsum(a.var, axes, logical), size, f"sum over {self._names(a.labels, axes)}",
                        math.prod(sizes[x] for x in a.labels), shape=tuple(sizes[x] for x in labels))
        if logical:
            self.bools.add(var)
        return _Arr(var, labels)

    def _names(self, labels: tuple[int, ...], axes: tuple[int, ...]) -> str:
        return ", ".join(self.cur[2][labels[n]] for n in axes)

    def _idx(self, labels: tuple[int, ...]) -> str:
        return "{" + " ".join(self.cur[2][x] for x in labels) + "}"

    def pair(self, a: _Arr, b: _Arr, keep: tuple[int, ...]) -> _Arr:
        key, canon = self.signature(a, b, keep)
        logical = a.var in self.bools and b.var in self.bools
        res = self._pair(a, b, keep, logical)
        if logical:
            self.bools.add(res.var)
        self.pair_memo[key] = (res.var, tuple(canon[x] for x in res.labels))
        if self.created:
            self.owned.add(res.var)
        return res

    def _pair(self, a: _Arr, b: _Arr, keep: tuple[int, ...], logical: bool = False) -> _Arr:
        sizes = self.cur[1]
        lrank = self.cur[3]
        text = f"{a.var}_{self._idx(a.labels)} {b.var}_{self._idx(b.labels)} -> {self._idx(keep)}"
        flops = step_flops(a.labels, b.labels, keep, sizes)
        a = self.reduce(a, tuple(set(keep) | set(b.labels)))
        b = self.reduce(b, tuple(set(keep) | set(a.labels)))
        bs = set(b.labels)
        C = [x for x in a.labels if x in bs and x not in keep]
        L = [x for x in a.labels if x not in bs]
        R = [x for x in b.labels if x not in set(a.labels)]
        Bt = [x for x in a.labels if x in bs and x in keep]
        rk = lrank.__getitem__

        def n(xs: list[int]) -> int:
            return math.prod(sizes[x] for x in xs)

        if not C:
            out = tuple(sorted(keep, key=rk))
            xa, xb = self.expand(a.var, a.labels, out), self.expand(b.var, b.labels, out)
            return _Arr(self.emit(f"{xa} * {xb}", n(list(out)), text, flops, op=("multiply", [xa, xb]),
                                  shape=tuple(sizes[x] for x in out)), out)
        if not L and not R:
            pb = self.perm(b.var, b.labels, a.labels)
            prod = self.emit(f"{a.var} * {pb}", n(list(a.labels)), f"{a.var} * {b.var}", n(list(a.labels)),
                             op=("multiply", [a.var, pb]), shape=tuple(sizes[x] for x in a.labels))
            axes = tuple(k for k, x in enumerate(a.labels) if x in C)
            labels = tuple(x for x in a.labels if x not in C)
            return _Arr(self.emit(self.rsum(prod, axes, logical), n(list(labels)), text, flops,
                                  shape=tuple(sizes[x] for x in labels)), labels)
        if Bt:
            # batched matmul: (B, L, C) @ (B, C, R)
            x3 = self.reshape(self.perm(a.var, a.labels, tuple(Bt + L + C)), (n(Bt), n(L), n(C)))
            y3 = self.reshape(self.perm(b.var, b.labels, tuple(Bt + C + R)), (n(Bt), n(C), n(R)))
            labels = tuple(Bt + L + R)
            var = self.emit(self.reshape(f"({x3} @ {y3})", tuple(sizes[x] for x in labels)), n(list(labels)),
                            text, flops, shape=tuple(sizes[x] for x in labels))
            return _Arr(var, labels)
        middle = self.middle_matmul(a, b, C, R, text, flops) or self.middle_matmul(b, a, C, L, text, flops)
        if middle is not None:
            return middle
        # 2-d matmul on views: X as (L, C) and Y as (C, R), each possibly transposed
        La = [x for x in a.labels if x in L]
        Ca = [x for x in a.labels if x in C]
        Cb = [x for x in b.labels if x in C]
        Rb = [x for x in b.labels if x in R]
        if Ca != Cb:
            # both must flatten C the same way: permute the smaller operand
            if n(list(a.labels)) <= n(list(b.labels)):
                Ca = Cb
            else:
                Cb = Ca
        x = self.as2d(a, La, Ca)
        y = self.as2d(b, Cb, Rb)
        if L and R and min(rk(v) for v in R) < min(rk(v) for v in L):
            lhs, rhs = self.t(y), self.t(x)
            labels = tuple(Rb + La)
        else:
            lhs, rhs = f"{x[0]}{'.T' if x[1] else ''}", f"{y[0]}{'.T' if y[1] else ''}"
            labels = tuple(La + Rb)
        expr = f"{lhs} @ {rhs}"
        op: tuple[str, list[str]] | None = ("matmul", [lhs, rhs])
        if len(L) > 1 or len(R) > 1:
            expr, op = self.reshape(f"({expr})", tuple(sizes[v] for v in labels)), None
        shape = tuple(sizes[v] for v in labels)
        return _Arr(self.emit(expr, n(list(labels)), text, flops, op=op, shape=shape), labels)

    def middle_matmul(self, big: _Arr, mat: _Arr, C: list[int], R: list[int], text: str, flops: int) -> _Arr | None:
        """``big`` (P, c, S) times the matrix ``mat`` over its one contracted axis ``c`` in the middle:
        ``M_{R c} @ big.reshape(P, c, S)`` puts ``R`` where ``c`` was, with no copy of ``big`` (a transpose
        to bring ``c`` to an end would copy it whole: a step of ``pi,qj,ijkl,rk,sl->pqrs``)."""
        if not self.np or len(C) != 1 or not R or set(mat.labels) != set(C) | set(R):
            return None
        sizes = self.cur[1]
        pos = big.labels.index(C[0])
        P, S = list(big.labels[:pos]), list(big.labels[pos + 1:])
        nP, nS = math.prod(sizes[x] for x in P), math.prod(sizes[x] for x in S)
        if not P or nS < 8 or set(P + S) & set(R):
            return None
        Rm = [x for x in mat.labels if x in R]
        m = self.as2d(mat, Rm, C)
        labels = tuple(P + Rm + S)
        shape = tuple(sizes[x] for x in labels)
        x3 = self.reshape(big.var, (nP, sizes[C[0]], nS))
        expr = self.reshape(f"({self.t((m[0], not m[1]))} @ {x3})", shape)
        return _Arr(self.emit(expr, math.prod(shape), text, flops, shape=shape), labels)

    @staticmethod
    def t(x: tuple[str, bool]) -> str:
        return x[0] if x[1] else f"{x[0]}.T"

    def as2d(self, a: _Arr, first: list[int], second: list[int]) -> tuple[str, bool]:
        """``a`` as a matrix (first, second) -- or a vector when one side is empty; (expr, transposed)."""
        sizes = self.cur[1]
        n1 = math.prod(sizes[v] for v in first)
        n2 = math.prod(sizes[v] for v in second)
        lab = list(a.labels)
        if not first or not second:
            only = first or second
            v = self.perm(a.var, a.labels, tuple(only))
            return (self.reshape(v, (n1 * n2,)) if len(only) > 1 else v), False
        if lab == first + second:
            return (a.var if len(lab) == 2 else self.reshape(a.var, (n1, n2))), False
        if lab == second + first:
            return (a.var if len(lab) == 2 else self.reshape(a.var, (n2, n1))), True
        v = self.perm(a.var, a.labels, tuple(first + second))
        return self.reshape(v, (n1, n2)), False

    # outputs ------------------------------------------------------------
    def run(self, outputs: dict[str, tuple[int, tuple[int, ...], tuple[str, ...]]], single: bool,
            sym_values: dict[sympy.Symbol, Any]) -> None:
        self.sym_values = sym_values
        # larger hyperedges first: their best order makes partial products (epsilon B) that the
        # smaller ones can then reuse instead of choosing an order of their own
        contracts = [v for v, node in enumerate(self.p.nodes) if isinstance(node, Contract)]
        for vid in sorted(contracts, key=lambda v: -len(self.p.nodes[v].operands)):  # type: ignore[union-attr]
            self.value(vid)
        results: list[tuple[str, str]] = []
        inputs = set(self.local.values())
        taken: set[str] = set()
        for name, (vid, perm, _) in outputs.items():
            var, axes = self.value(vid)
            out = self.perm(var, axes, perm) if len(perm) > 1 else var
            roots = self.alias.get(var, frozenset([var]))
            if roots & (inputs | taken):  # a view of an input or of another result: a copy of its own
                out = f"{out}.copy()" if self.np else f"xp.asarray({out}, copy=True)"
            taken |= roots
            results.append((name, out))
        if single:
            self.lines.append(f"    return {results[0][1]}")
        else:
            for n, (name, _) in enumerate(results):
                self.ns[f"_o{n}"] = name
            self.lines.append("    return {" + ", ".join(f"_o{n}: {v}" for n, (_, v) in enumerate(results)) + "}")


def generate(p: Program, r: Resolved, *, numpy_flavor: bool, single: bool,
             args: tuple[str, ...], checks: dict[str, Any], itemsize: int = 8,
             memory_limit: float | None = None, inplace: bool = False, pool: bool = True,
             dtype: Any = None, array_dtype: Any = None, input_dtypes: dict[str, Any] | None = None) -> Generated:
    """Emit the source of ``def _run(kw)`` for sizes ``r``.

    Args:
        p: the lowered program.
        r: resolved sizes.
        numpy_flavor: emit numpy methods (``.transpose``) rather than array-API functions.
        single: return one array (else a dict).
        args: the keyword names read from ``kw`` (arrays, then runtime scalars).
        checks: inferred scalars the caller also passed, with the value they must have.
        itemsize: bytes per entry, for the memory limit.
        memory_limit: bytes an intermediate may take (None: no limit).
        inplace: reuse dead temporaries for elementwise results (numpy, one floating dtype).
        pool: keep the intermediates' buffers between calls (with ``inplace``).
        dtype: the arrays' dtype (for pooled buffers).
        array_dtype: numpy: the dtype numpy promotes the input arrays to (identities, ones and zeros
            take it, so float32 stays float32 through a delta; bool and integer inputs make functions
            convert their argument to floating first); default float64.
        input_dtypes: numpy: each array's dtype by keyword name; bool arrays among others are read as
            ``array_dtype`` (numpy's einsum computes in the promoted type: sums count, not "or").

    Example:
        >>> from einsteinpy_lite import parse
        >>> from einsteinpy_lite.compile.lower import lower
        >>> from einsteinpy_lite.compile.plan import resolve
        >>> p = lower({"out": parse("A^i_j y^j")}, {"out": None})
        >>> g = generate(p, resolve(p, {"A": (2, 3), "y": (3,)}, {}), numpy_flavor=True, single=True,
        ...              args=("A", "y"), checks={})
        >>> print(g.source.strip())
        def _run(kw):
            _a0 = kw['A']
            _a1 = kw['y']
            _t1 = _a0 @ _a1
            return _t1
    """
    import numpy as np

    arrays = {v[3] for v in p.inputs.values()}
    local = {a: f"_a{n}" if a in arrays else f"_s{n}" for n, a in enumerate(args)}
    adt = np.dtype(array_dtype) if array_dtype is not None else np.dtype(float)
    g = _Gen(p, r, numpy_flavor, local, itemsize, memory_limit, exact=adt.kind not in "fc",
             scale_in_place=inplace, logical=adt.kind == "b")
    g.weak_scalars = bool(arrays) and array_dtype is not None
    sym_values = {s: r.inferred[python_name(s.name)] for s in p.symbols if python_name(s.name) in r.inferred}
    g.run(p.outputs, single, sym_values)
    head = ["def _run(kw):"]
    in_dt = input_dtypes or {}
    for a in args:
        cast = numpy_flavor and adt.kind != "b" and a in in_dt and np.dtype(in_dt[a]).kind == "b"
        head.append(f"    {local[a]} = kw[{a!r}]" + (".astype(_dt)" if cast else ""))
    for a, v in checks.items():
        head.append(f"    if {local[a]} != {v!r}:")
        head.append(f"        _scalar_mismatch({a!r}, {local[a]}, {v!r})")
    lines = g.lines
    ns = dict(g.ns)
    if numpy_flavor:
        ns["_dt"] = adt
    if inplace and numpy_flavor:
        lines = in_place(lines, g.ops, g.fresh_vars, g.var_size, g.var_ndim)
        if pool:
            lines, shapes = pool_buffers(lines, g.ops, g.fresh_vars, g.var_shape, g.new_vars | g.fresh_vars)
            if shapes:
                head.append("    _b = _pool.pop() if _pool else [np.empty(s, _dtype) for s in _shapes]")
                lines = lines[:-1] + ["    _pool.append(_b)", lines[-1]]
                ns.update(_pool=[], _shapes=shapes, _dtype=dtype)
        # chains of elementwise steps on one shape run by rows over threads (numpy's ufuncs use one core)
        shapes_of = dict(g.var_shape)
        shapes_of.update({g.local[python_name(node.name)]: tuple(r.shapes[vid]) for vid, node in enumerate(p.nodes)
                          if isinstance(node, Input) and python_name(node.name) in g.local})
        lines, row_fns = split_rows(lines, shapes_of, g.fresh_vars, g.alias)
        if row_fns:
            ns["_rows"] = run_rows
            head = [*row_fns, *head]
    source = "\n".join(head + free_dead(lines)) + "\n"
    return Generated(source, ns, g.steps, g.largest, g.records)


def _piece_code(ops: tuple[tuple[int, ...], ...], out: tuple[int, ...], limit: int,
                shapes: tuple[tuple[int, ...], ...], dtype: Any = None) -> Any:
    """The generated numpy code of one piece of a sliced contraction (``ops -> out`` on arrays of ``shapes``).

    Planned under the memory limit (``limit`` entries) that the slicing was chosen for.  When the
    pieces have one floating ``dtype``, their intermediates are pooled: the pieces of one call reuse
    the same buffers (a fresh 1 GiB array each piece was page-faulted in again: 1.47x the unlimited
    time on the 8 GiB case, 1.0x pooled), kept by the :class:`SlicedContraction` that asked for this
    code, so they go with the compiled function.
    """
    import builtins

    import numpy as np
    import sympy

    p = Program()
    labels = sorted({x for o in ops for x in o} | set(out))
    names = {x: f"l{x}" for x in labels}
    width = 1 + max(labels, default=-1)
    operands = []
    args = tuple(f"T{k}" for k in range(len(ops)))
    for k, labs in enumerate(ops):
        vid = p.add(Input(args[k], len(labs)), args[k], tuple(names[x] for x in labs))
        p.inputs[args[k]] = (vid, tuple(f"{names[x]}@{k}.{a}" for a, x in enumerate(labs)), (False,) * len(labs), args[k])
        operands.append((vid, labs))
    all_names = tuple(names.get(x, f"l{x}") for x in range(width))
    vid = p.add(Contract(sympy.Integer(1), tuple(operands), out, tuple(sympy.Integer(0) for _ in range(width))),
                "piece", tuple(names[x] for x in out), all_names)
    p.materialized[vid] = ((), out, ())
    p.outputs["out"] = (vid, tuple(range(len(out))), tuple(names[x] for x in out))
    r = resolve(p, dict(zip(args, shapes)), {})
    with planning(memory_limit=limit):
        floating = dtype is not None and np.dtype(dtype).kind in "fc"
        gen = generate(p, r, numpy_flavor=True, single=True, args=args, checks={}, inplace=floating, pool=True,
                       dtype=dtype, array_dtype=dtype if floating else None)
    ns: dict[str, Any] = {"xp": np, "np": np, **gen.namespace}
    exec(builtins.compile(gen.source, "<einsteinpy_lite sliced piece>", "exec"), ns)  # noqa: S102 -- our own code
    run = ns["_run"]

    def call(*arrays: Any) -> Any:
        return run(dict(zip(args, arrays)))

    return call
