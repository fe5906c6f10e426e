r"""The benchmark harness behind ``einsteinpy-lite bench``.

Everything runs in one process, side by side, and reports medians of
interleaved repeats (so a load spike on a shared machine hits every contender):

* **backprop** -- forward pass, MSE loss and the update directions d_A, d_b, d_B of the
  slides' single-layer net, written in index notation and compiled, against hand-written
  numpy backprop (``((E @ B) * S1).T @ Y``), bare ``opt_einsum.contract_expression``,
  ``numpy.einsum(optimize=True)`` and torch autograd (when torch is installed), at
  tiny (K=32, N_x=4, N_1=16, N_y=8), medium (512, 64, 256, 128) and large (4096, 128, 512, 256),
  and the step's five matrix products alone (its roofline at the machine's GEMM rate);
* **overhead** -- per-call time of tiny 2-5 operand contractions;
* **compile** -- cold compile (lower, plan, generate, first call) of the three update
  directions, and the cost of a cache hit;
* **paths** -- FLOPs of the chosen contraction orders against the minimum over opt_einsum's
  optimizers;
* **core** -- parse + simplify of a 20-factor product, ``el.equal`` on two 10-, 20- and
  50-factor matrix chains (10 in quick mode) that differ by dummy names and factor order (each with every cache
  cleared), and ``el.diff`` of 200 nested ``\\tanh`` (once; 20 in quick mode);
* **einsum** -- ``el.einsum`` / ``el.contract`` against ``opt_einsum`` and numpy: per call on a
  tiny 3-operand chain, 4-8-matrix chains and ``pi,qj,ijkl,rk,sl->pqrs`` (sizes 10-60) against
  ``opt_einsum.contract_expression``, a batched matmul against ``numpy.matmul``, the first call of
  a new equation against ``opt_einsum.contract``'s, and planned FLOPs (and planning time) on random
  regular networks of 20-60 tensors against opt_einsum's optimizers;
* **hvp** -- the Hessian-vector product of the single-layer loss (all parameters) against one compiled
  gradient, ``jax.jit(jvp(grad))`` and ``torch.func`` ``jvp(grad)``, and a memory-bounded (sliced)
  contraction against the unlimited one (:mod:`.second_order_bench`);
* **check** -- ``einsteinpy-lite check`` on a 50-claim document in a fresh process, and the repair
  search of each failing claim (:mod:`.check_bench`).

Example:
    >>> res = run_benchmarks(quick=True, sections=("overhead",))
    >>> "overhead" in res and "machine" in res
    True
"""

from __future__ import annotations

import functools
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core.errors import EinsteinError
from .common import SIZES, _arrays, _fmt_t, _median_times

__all__ = ["run_benchmarks", "format_table", "SIZES", "backprop_exprs", "hand_backprop"]

SECTIONS = ("backprop", "overhead", "compile", "paths", "core", "einsum", "hvp", "check")

_EPS = r"(x_k^{i} - B^{i}_{j} \sigma(A^{j}_{l} y_k^{l} + b^{j}))"
_EPS1 = r"(x_k^{i_1} - B^{i_1}_{j_3} \sigma(A^{j_3}_{l} y_k^{l} + b^{j_3}))"
_SUM = r"\sum_{k=0}^{K-1}"
_DSIG = r"[\nabla\sigma(A^{i_2}_{l} y_k^{l} + b^{i_2})]^{i_2}_{j_1}"
#: The slides' single-layer net in index notation: loss and update directions d = -grad L.
TEXTS = {
    "loss": rf"\frac{{1}}{{K}} {_SUM} {_EPS} \delta_{{i i_1}} {_EPS1}",
    "d_A": rf"\frac{{2}}{{K}} {_SUM} {_EPS} \delta_{{i i_1}} B^{{i_1}}_{{i_2}} {_DSIG} y_k^{{j_2}}",
    "d_b": rf"\frac{{2}}{{K}} {_SUM} {_EPS} \delta_{{i i_1}} B^{{i_1}}_{{i_2}} {_DSIG}",
    "d_B": rf"\frac{{2}}{{K}} {_SUM} {_EPS} \delta_{{i j_1}} \sigma(A^{{j_2}}_{{l}} y_k^{{l}} + b^{{j_2}})",
}


def backprop_exprs(names: Sequence[str] = ("loss", "d_A", "d_b", "d_B")) -> dict[str, Any]:
    """The parsed expressions of :data:`TEXTS` (arrays: A (N_1, N_y), b, B (N_x, N_1), x (K, N_x), y (K, N_y)).

    Example:
        >>> sorted(backprop_exprs(("d_b", "loss")))
        ['d_b', 'loss']
        >>> [ix.name for ix in backprop_exprs(("d_b",))["d_b"].free]
        ['j1']
    """
    from ..notation.parse import parse

    return {n: parse(TEXTS[n]) for n in names}


def hand_backprop(A: np.ndarray, b: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Hand-written numpy backprop of the single-layer net: loss and d = -grad L.

    Example:
        >>> r = hand_backprop(*_arrays(4, 2, 3, 2))
        >>> sorted(r), r["d_A"].shape
        (['d_A', 'd_B', 'd_b', 'loss'], (3, 2))
    """
    K = x.shape[0]
    S = 1.0 / (1.0 + np.exp(-(y @ A.T + b)))
    E = x - S @ B.T
    G = (E @ B) * (S * (1.0 - S))
    c = 2.0 / K
    return {"loss": np.sum(E * E) / K, "d_A": c * (G.T @ y), "d_b": c * G.sum(0), "d_B": c * (E.T @ S)}


def _einsum_backprop(contract: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    """Backprop with every contraction written as one einsum call (``contract(spec, *arrays)``)."""

    def step(A: np.ndarray, b: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
        K = x.shape[0]
        S = 1.0 / (1.0 + np.exp(-(contract("jl,kl->kj", A, y) + b)))
        E = x - contract("ij,kj->ki", B, S)
        S1 = S * (1.0 - S)
        c = 2.0 / K
        return {"loss": contract("ki,ki->", E, E) / K, "d_A": c * contract("ki,ij,kj,kl->jl", E, B, S1, y),
                "d_b": c * contract("ki,ij,kj->j", E, B, S1), "d_B": c * contract("ki,kj->ij", E, S)}

    return step


def _oe_backprop(shapes: dict[str, tuple[int, ...]]) -> Callable[..., dict[str, Any]]:
    import opt_einsum

    K, Nx = shapes["x"]
    N1, Ny = shapes["A"]
    s = {"A": (N1, Ny), "y": (K, Ny), "B": (Nx, N1), "S": (K, N1), "E": (K, Nx)}
    exprs = {
        "jl,kl->kj": opt_einsum.contract_expression("jl,kl->kj", s["A"], s["y"]),
        "ij,kj->ki": opt_einsum.contract_expression("ij,kj->ki", s["B"], s["S"]),
        "ki,ki->": opt_einsum.contract_expression("ki,ki->", s["E"], s["E"]),
        "ki,ij,kj,kl->jl": opt_einsum.contract_expression("ki,ij,kj,kl->jl", s["E"], s["B"], s["S"], s["y"]),
        "ki,ij,kj->j": opt_einsum.contract_expression("ki,ij,kj->j", s["E"], s["B"], s["S"]),
        "ki,kj->ij": opt_einsum.contract_expression("ki,kj->ij", s["E"], s["S"]),
    }
    return _einsum_backprop(lambda spec, *ops: exprs[spec](*ops))


def _torch_backprop() -> Callable[..., dict[str, Any]] | None:
    try:
        import torch
    except ImportError:
        return None

    def step(A: Any, b: Any, B: Any, x: Any, y: Any) -> dict[str, Any]:
        A.grad = b.grad = B.grad = None
        S = torch.sigmoid(y @ A.T + b)
        E = x - S @ B.T
        loss = (E * E).sum() / x.shape[0]
        loss.backward()
        return {"loss": loss.detach(), "d_A": -A.grad, "d_b": -b.grad, "d_B": -B.grad}

    return step


# ------------------------------------------------------------------ timing


def _machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(), "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
    }
    try:
        import threadpoolctl

        info["blas"] = [{k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
                        for d in threadpoolctl.threadpool_info()]
    except ImportError:
        info["blas"] = "threadpoolctl not installed"
    return info


# ------------------------------------------------------------------ sections


def _backprop_row(fn: Any, name: str, repeat: int) -> dict[str, Any]:
    K, Nx, N1, Ny = SIZES[name]
    A, b, B, x, y = _arrays(K, Nx, N1, Ny)
    want = hand_backprop(A, b, B, x, y)
    got = fn(A=A, b=b, B=B, x=x, y=y)
    for k in want:
        if not np.allclose(got[k], want[k], rtol=1e-8, atol=1e-10):
            raise EinsteinError(f"benchmark: compiled {k} disagrees with hand-written numpy at {name} sizes")
    oe_step = _oe_backprop({"x": x.shape, "A": A.shape})
    np_step = _einsum_backprop(lambda s, *o: np.einsum(s, *o, optimize=True))
    S = 1.0 / (1.0 + np.exp(-(y @ A.T + b)))
    E = x - S @ B.T
    G = (E @ B) * (S * (1.0 - S))

    def gemms() -> Any:
        # the step's five matrix products alone, on ready operands: its roofline at this BLAS's GEMM rate
        return y @ A.T, S @ B.T, E @ B, G.T @ y, E.T @ S

    contenders: dict[str, Callable[[], Any]] = {
        "compiled": lambda: fn(A=A, b=b, B=B, x=x, y=y),
        "hand numpy": lambda: hand_backprop(A, b, B, x, y),
        "opt_einsum expr": lambda: oe_step(A, b, B, x, y),
        "np.einsum opt": lambda: np_step(A, b, B, x, y),
        "GEMMs alone": gemms,
    }
    tstep = _torch_backprop()
    if tstep is not None:
        import torch

        tA, tb, tB = (torch.tensor(v, requires_grad=True) for v in (A, b, B))
        tx, ty = torch.tensor(x), torch.tensor(y)
        contenders["torch autograd"] = lambda: tstep(tA, tb, tB, tx, ty)
    times = _median_times(contenders, repeat)
    hand = times["hand numpy"]
    return {"size": name, "K": K, "N_x": Nx, "N_1": N1, "N_y": Ny,
            "seconds": times, "vs_hand": {k: v / hand for k, v in times.items()},
            "vs_gemms": times["compiled"] / times["GEMMs alone"]}


def _bench_backprop(sizes: Sequence[str], repeat: int) -> list[dict[str, Any]]:
    from ..compile import compile

    fn = compile(backprop_exprs())
    return [_backprop_row(fn, name, repeat) for name in sizes]


_CHAINS = {
    2: ("A^i_j y^j", "ij,j->i"),
    3: ("A^i_j B^j_k y^k", "ij,jk,k->i"),
    4: ("A^i_j B^j_k C^k_l y^l", "ij,jk,kl,l->i"),
    5: ("A^i_j B^j_k C^k_l D^l_m y^m", "ij,jk,kl,lm,m->i"),
}


def _overhead_row(n: int, text: str, spec: str, repeat: int) -> dict[str, Any]:
    import opt_einsum

    from ..compile import compile
    from ..notation.parse import parse

    rng = np.random.default_rng(n)
    mats = [rng.standard_normal((3, 3)) for _ in range(n - 1)] + [rng.standard_normal(3)]
    kw = dict(zip("ABCD"[: n - 1] + "y", mats))
    fn = compile(parse(text))
    expr = opt_einsum.contract_expression(spec, *[m.shape for m in mats])
    times = _median_times({
        "compiled": lambda: fn(**kw),
        "opt_einsum expr": lambda: expr(*mats),
        "np.einsum opt": lambda: np.einsum(spec, *mats, optimize=True),
    }, repeat)
    return {"operands": n, "seconds": times, "compiled_vs_opt_einsum": times["compiled"] / times["opt_einsum expr"]}


def _bench_overhead(repeat: int) -> list[dict[str, Any]]:
    return [_overhead_row(n, text, spec, repeat) for n, (text, spec) in _CHAINS.items()]


def _bench_compile(repeat: int) -> dict[str, Any]:
    from ..algebra.simplify import _canonical
    from ..compile import compile, runtime
    from ..compile.plan import clear_plan_cache

    exprs = backprop_exprs(("d_A", "d_b", "d_B"))
    K, Nx, N1, Ny = SIZES["tiny"]
    A, b, B, x, y = _arrays(K, Nx, N1, Ny)
    cold = []
    for _ in range(max(3, repeat // 2)):
        runtime._CACHE.clear()
        runtime._CANONICAL_CACHE.clear()
        clear_plan_cache()
        _canonical.cache_clear()
        t0 = time.perf_counter()
        compile(exprs)(A=A, b=b, B=B, x=x, y=y)
        cold.append(time.perf_counter() - t0)
    fn = compile(exprs)
    kw = {"A": A, "b": b, "B": B, "x": x, "y": y}
    fn(**kw)
    times = _median_times({
        "compile lookup": lambda: compile(exprs),
        "dispatch": lambda: fn._specs.get(fn._key(kw)),
    }, repeat)
    return {"cold_compile_s": statistics.median(cold), "cache_hit_s": times["compile lookup"] + times["dispatch"],
            "lookup_s": times["compile lookup"], "dispatch_s": times["dispatch"]}


def _bench_paths() -> list[dict[str, Any]]:
    import opt_einsum

    from ..compile import compile
    from ..compile.plan import optimizers_for
    from ..notation.parse import parse

    cases = [
        ("d_A (medium)", compile(backprop_exprs(("d_A",))["d_A"]), {"i": 64, "i1": 64, "i2": 256, "j": 256,
                                                                      "j1": 256, "j2": 128, "k": 512, "l": 128}),
        ("5-chain, uneven", compile(parse("A^i_j B^j_k C^k_l D^l_m x^m")), {"i": 50, "j": 3, "k": 60, "l": 4, "m": 70}),
        ("6-operand network", compile(parse("A^{i j} B_{j k} C^{k l} D_{l i}{}^m E_m{}^n F_n")),
         {"i": 8, "j": 30, "k": 5, "l": 40, "m": 6, "n": 50}),
        ("7-operand ring", compile(parse("A^a_b B^b_c C^c_d D^d_e E^e_f F^f_g G^g_a")),
         {"a": 9, "b": 2, "c": 30, "d": 3, "e": 25, "f": 4, "g": 20}),
    ]
    rows = []
    for name, fn, sizes in cases:
        plan = fn.plan(**sizes)
        best = default = 0
        for spec, shapes, _, _ in plan.contractions:
            n = len(shapes)
            opts = ("optimal",) if n <= 2 else tuple(dict.fromkeys(optimizers_for(n) + ("greedy", "branch-2", "dp")))
            costs = [int(opt_einsum.contract_path(spec, *shapes, shapes=True, optimize=o)[1].opt_cost) for o in opts]
            best += min(costs)
            default += int(opt_einsum.contract_path(spec, *shapes, shapes=True, optimize="auto")[1].opt_cost)
        rows.append({"case": name, "chosen_flops": plan.contraction_flops, "min_over_optimizers": best,
                     "opt_einsum_auto": default, "naive_flops": plan.naive_flops,
                     "ratio": plan.contraction_flops / best if best else 1.0})
    return rows


def _chain_pair(n: int, seed: int = 3) -> tuple[str, str]:
    """Two texts of one ``n``-factor matrix chain: the second with its dummies renamed and factors shuffled."""
    rng = np.random.default_rng(seed)
    names = [f"j{k}" for k in range(n + 1)]
    first = [f"W{k}^{{{names[k]}}}_{{{names[k + 1]}}}" for k in range(n)]
    renamed = {nm: f"m{k}" for k, nm in enumerate(names[1:-1])}
    other = [f"W{k}^{{{renamed.get(names[k], names[k])}}}_{{{renamed.get(names[k + 1], names[k + 1])}}}"
             for k in range(n)]
    return " ".join(first), " ".join(other[i] for i in rng.permutation(n))


def _nested(depth: int) -> str:
    text = "x^i"
    for _ in range(depth):
        text = rf"\tanh({text})"
    return text


def _clear_symbolic_caches() -> None:
    """Clear the caches of parsed texts and canonical forms: measure the work, not the cache.

    The grammar's parser (built once per process, ``parse._parser``) is kept: it is not work done
    per expression.
    """
    import importlib

    for module in ("einsteinpy_lite.notation.parse", "einsteinpy_lite.algebra.simplify"):
        mod = importlib.import_module(module)
        for name, value in vars(mod).items():
            if (callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == module
                    and name != "_parser"):
                value.cache_clear()


def _bench_core(repeat: int, quick: bool = False) -> dict[str, Any]:
    from ..algebra.diff import diff
    from ..algebra.simplify import simplify
    from ..equality.decide import equal
    from ..notation.parse import parse

    idx = [f"i{n}" for n in range(21)]
    factors = [f"T{n}^{{{idx[n]}}}_{{{idx[n + 1]}}}" for n in range(20)]
    factors[7] = rf"\delta^{{{idx[7]}}}_{{{idx[8]}}}"
    text20 = " ".join(factors)
    pairs = {n: tuple(parse(t) for t in _chain_pair(n)) for n in ((10,) if quick else (10, 20, 50))}
    for n, (a, b) in pairs.items():
        if not equal(a, b):
            raise EinsteinError(f"benchmark: el.equal says two renamed, reordered {n}-factor products differ")

    def parse_simplify() -> Any:
        _clear_symbolic_caches()
        return simplify(parse(text20))

    def equal_cold(a: Any, b: Any) -> Callable[[], Any]:
        def run() -> Any:
            _clear_symbolic_caches()
            return equal(a, b)

        return run

    fns: dict[str, Callable[[], Any]] = {"parse+simplify 20 factors": parse_simplify}
    fns.update({f"equal {n} factors": equal_cold(a, b) for n, (a, b) in pairs.items()})
    times = _median_times(fns, repeat, min_time=0.02)
    # one derivative of a deep composition, measured once (it takes seconds, not microseconds)
    depth = 20 if quick else 200
    nested = parse(_nested(depth))
    _clear_symbolic_caches()
    start = time.perf_counter()
    diff(nested, "x^{m}")
    times[f"diff {depth} nested tanh"] = time.perf_counter() - start
    return {"seconds": times}


def _bench_einsum(repeat: int, quick: bool = False) -> dict[str, Any]:
    import opt_einsum
    from opt_einsum.testing import rand_equation

    from ..compile import contract, contract_expression, contract_path, einsum
    from ..compile import einsum_api as mod

    rng = np.random.default_rng(11)
    out: dict[str, Any] = {}
    # per call, tiny operands
    tiny = [rng.standard_normal((2, 2)) for _ in range(3)]
    eq = "ij,jk,kl->il"
    t = _median_times({
        "el.einsum": lambda: einsum(eq, *tiny),
        "el.contract": lambda: contract(eq, *tiny),
        "opt_einsum.contract": lambda: opt_einsum.contract(eq, *tiny),
        "np.einsum opt": lambda: np.einsum(eq, *tiny, optimize=True),
    }, repeat)
    out["tiny"] = {"eq": eq, "shape": (2, 2), "seconds": t,
                   "einsum_vs_opt_einsum": t["el.einsum"] / t["opt_einsum.contract"],
                   "contract_vs_opt_einsum": t["el.contract"] / t["opt_einsum.contract"],
                   "einsum_vs_np_einsum": t["el.einsum"] / t["np.einsum opt"]}
    # chains and the index transformation, compiled expressions side by side
    cases: list[tuple[str, list[tuple[int, ...]]]] = []
    for n_mat in ((4,) if quick else (4, 6, 8)):
        for size in ((10, 60) if quick else (10, 30, 60)):
            letters = "abcdefghij"[: n_mat + 1]
            spec = ",".join(letters[k] + letters[k + 1] for k in range(n_mat)) + "->" + letters[0] + letters[-1]
            cases.append((spec, [(size, size)] * n_mat))
    for size in ((10,) if quick else (10, 30, 60)):
        cases.append(("pi,qj,ijkl,rk,sl->pqrs", [(size, size), (size, size), (size,) * 4, (size, size), (size, size)]))
    rows = []
    for spec, shapes in cases:
        ops = [rng.standard_normal(s) for s in shapes]
        t = _median_times({"el": functools.partial(contract_expression(spec, *shapes), *ops),
                           "opt_einsum": functools.partial(opt_einsum.contract_expression(spec, *shapes), *ops)},
                          max(3, repeat // 2) if shapes[0][0] >= 60 else repeat)
        rows.append({"eq": spec, "size": shapes[0][0], "seconds": t, "ratio": t["el"] / t["opt_einsum"]})
    out["expressions"] = rows
    # batched matmul
    b, n = (8, 64) if quick else (64, 128)
    x, y = rng.standard_normal((b, n, n)), rng.standard_normal((b, n, n))
    t = _median_times({"el.einsum": lambda: einsum("bij,bjk->bik", x, y), "np.matmul": lambda: np.matmul(x, y),
                       "opt_einsum.contract": lambda: opt_einsum.contract("bij,bjk->bik", x, y)}, repeat)
    out["bmm"] = {"b": b, "n": n, "seconds": t, "ratio": t["el.einsum"] / t["np.matmul"]}
    # first call of a new equation: every cache cleared, shapes new each sample
    first = []
    for n_ops in (3, 4, 8):
        ours_t, theirs_t = [], []
        for k in range(max(5, repeat)):
            letters = "abcdefghijklmnopqrstuvwxyz"[: n_ops + 1]
            spec = ",".join(letters[i] + letters[i + 1] for i in range(n_ops)) + "->" + letters[0] + letters[-1]
            dims = [7 + k + 3 * i for i in range(n_ops + 1)]
            ops = [rng.standard_normal((dims[i], dims[i + 1])) for i in range(n_ops)]
            for who in rng.permutation(2):
                if who == 0:
                    mod.clear_caches()
                    t0 = time.perf_counter()
                    einsum(spec, *ops)
                    ours_t.append(time.perf_counter() - t0)
                else:
                    t0 = time.perf_counter()
                    opt_einsum.contract(spec, *ops)
                    theirs_t.append(time.perf_counter() - t0)
        a, c = statistics.median(ours_t), statistics.median(theirs_t)
        first.append({"operands": n_ops, "seconds": {"el.einsum": a, "opt_einsum.contract": c}, "ratio": a / c})
    out["first_call"] = first
    # planning on random regular networks
    plans = []
    for n_t in ((20, 30) if quick else (20, 30, 40, 60)):
        eq_r, shapes_r = rand_equation(n_t, 3, n_out=2, d_min=2, d_max=8, seed=n_t)
        mod.clear_caches()
        t0 = time.perf_counter()
        _, info = contract_path(eq_r, *shapes_r, shapes=True)
        plan_s = time.perf_counter() - t0
        oe_cost: dict[str, float] = {}
        opts = ["auto", "greedy", "random-greedy-128", "auto-hq"] + (["dp"] if n_t <= 30 else [])
        for opt in opts:
            t0 = time.perf_counter()
            oe_cost[opt] = float(opt_einsum.contract_path(eq_r, *shapes_r, shapes=True, optimize=opt)[1].opt_cost)
            oe_cost[opt + " s"] = time.perf_counter() - t0
        best = min(oe_cost[o] for o in opts)
        row = {"tensors": n_t, "flops": float(info.opt_cost), "plan_seconds": plan_s, "opt_einsum": oe_cost,
               "vs_best": float(info.opt_cost) / best, "vs_auto": float(info.opt_cost) / oe_cost["auto"]}
        try:  # cotengra's hyper-optimizer where it is installed (an optional extra), given 2 s
            import cotengra  # type: ignore[import-not-found,unused-ignore]

            t0 = time.perf_counter()
            opt = cotengra.HyperOptimizer(max_repeats=128, max_time=2.0, minimize="flops", progbar=False)
            ctg = float(opt_einsum.contract_path(eq_r, *shapes_r, shapes=True, optimize=opt)[1].opt_cost)
            row.update({"cotengra": ctg, "cotengra_seconds": time.perf_counter() - t0,
                        "vs_cotengra": float(info.opt_cost) / ctg})
        except ImportError:
            pass
        plans.append(row)
    out["planning"] = plans
    try:
        import threadpoolctl

        out["threads"] = max((d.get("num_threads") or 1) for d in threadpoolctl.threadpool_info()) or 1
    except ImportError:
        out["threads"] = "unknown"
    return out


def run_benchmarks(sizes: Sequence[str] | None = None, repeat: int | None = None, json_path: str | None = None,
                   quick: bool = False, sections: Sequence[str] = SECTIONS) -> dict[str, Any]:
    """Run the benchmark and return the results (optionally also written as JSON).

    Args:
        sizes: which of :data:`SIZES` to run for backprop (default all three; ``quick``: tiny).
        repeat: interleaved repeats per measurement, medians reported (default 7; ``quick``: 3).
        json_path: write the results there as JSON too.
        quick: tiny sizes and few repeats (for tests and a first look).
        sections: which of ``backprop``, ``overhead``, ``compile``, ``paths``, ``core``, ``einsum``, ``hvp``, ``check`` to run.

    Returns:
        A dict with ``machine`` and one entry per section run.

    Example:
        >>> res = run_benchmarks(quick=True, sections=("core",))
        >>> sorted(res), sorted(res["core"]["seconds"])
        (['core', 'machine', 'quick', 'repeat'], ['diff 20 nested tanh', 'equal 10 factors', 'parse+simplify 20 factors'])
    """
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise EinsteinError(f"unknown benchmark section {unknown[0]!r}", hint=f"choose among {', '.join(SECTIONS)}")
    size_names = list(sizes) if sizes is not None else (["tiny"] if quick else list(SIZES))
    bad = [s for s in size_names if s not in SIZES]
    if bad:
        raise EinsteinError(f"unknown benchmark size {bad[0]!r}", hint=f"choose among {', '.join(SIZES)}")
    if repeat is not None and (isinstance(repeat, bool) or not isinstance(repeat, int) or repeat <= 0):
        raise EinsteinError(f"repeat={repeat!r} must be a positive integer")
    reps = repeat if repeat is not None else (3 if quick else 7)
    res: dict[str, Any] = {"machine": _machine(), "repeat": reps, "quick": quick}
    if "backprop" in sections:
        res["backprop"] = _bench_backprop(size_names, reps)
        try:
            import torch

            res["torch"] = str(torch.__version__)
        except ImportError:
            res["torch"] = "not installed"
    if "overhead" in sections:
        res["overhead"] = _bench_overhead(reps)
    if "compile" in sections:
        res["compile"] = _bench_compile(reps)
    if "paths" in sections:
        res["paths"] = _bench_paths()
    if "core" in sections:
        res["core"] = _bench_core(reps, quick)
    if "einsum" in sections:
        res["einsum"] = _bench_einsum(reps, quick)
    if "hvp" in sections:
        from .second_order_bench import bench_hvp

        res["hvp"] = bench_hvp(reps, quick)
    if "check" in sections:
        from .check_bench import bench_check

        res["check"] = bench_check(reps, quick)
    if json_path:
        with open(json_path, "w") as fh:
            json.dump(res, fh, indent=2, default=str)
    return res


def format_table(result: dict[str, Any]) -> str:
    """The results of :func:`run_benchmarks` as plain-text tables (markdown-compatible).

    Example:
        >>> print(format_table({"machine": {"cpus": 2, "numpy": "2.0"}, "repeat": 3}).splitlines()[0])
        machine: 2 cpus, numpy 2.0, ...
    """
    m = result.get("machine", {})
    blas = m.get("blas")
    blas_s = ", ".join(f"{d.get('internal_api')} {d.get('version')} {d.get('architecture')} x{d.get('num_threads')}"
                       for d in blas) if isinstance(blas, list) else str(blas)
    lines = [f"machine: {m.get('cpus')} cpus, numpy {m.get('numpy')}, {m.get('processor')}, BLAS {blas_s}, "
             f"OPENBLAS_CORETYPE={m.get('OPENBLAS_CORETYPE')}; medians of {result.get('repeat')} interleaved repeats"]
    if "backprop" in result:
        names = list(result["backprop"][0]["seconds"]) if result["backprop"] else []
        lines += ["", "backprop of the single-layer net (loss + d_A, d_b, d_B), time per step (ratio to hand numpy)",
                  "| size (K, N_x, N_1, N_y) | " + " | ".join(names) + " |",
                  "|---|" + "---|" * len(names)]
        for row in result["backprop"]:
            cells = [f"{_fmt_t(row['seconds'][n])} ({row['vs_hand'][n]:.2f}x)" for n in names]
            lines.append(f"| {row['size']} ({row['K']}, {row['N_x']}, {row['N_1']}, {row['N_y']}) | "
                         + " | ".join(cells) + " |")
        lines.append("compiled / GEMMs alone (the step's five matrix products on ready operands, its roofline): "
                     + ", ".join(f"{row['size']} {row['vs_gemms']:.2f}x" for row in result["backprop"]))
        if result.get("torch") == "not installed":
            lines.append("(torch autograd: torch is not installed; `pip install torch` adds its column)")
    if "overhead" in result:
        lines += ["", "per call, tiny chains (3x3 matrices and a vector)",
                  "| operands | compiled | opt_einsum expr | np.einsum opt | compiled / opt_einsum |",
                  "|---|---|---|---|---|"]
        for row in result["overhead"]:
            s = row["seconds"]
            lines.append(f"| {row['operands']} | {_fmt_t(s['compiled'])} | {_fmt_t(s['opt_einsum expr'])} | "
                         f"{_fmt_t(s['np.einsum opt'])} | {row['compiled_vs_opt_einsum']:.2f} |")
    if "compile" in result:
        c = result["compile"]
        lines += ["", f"cold compile of d_A, d_b, d_B (lower, plan, generate, first call): {_fmt_t(c['cold_compile_s'])}",
                  f"cache hit: {_fmt_t(c['cache_hit_s'])} = el.compile lookup {_fmt_t(c['lookup_s'])} + "
                  f"call dispatch to the cached code {_fmt_t(c['dispatch_s'])}"]
    if "paths" in result:
        lines += ["", "contraction FLOPs: chosen vs the minimum over opt_einsum's optimizers",
                  "| case | chosen | min over optimizers | opt_einsum 'auto' | naive single einsum | ratio |",
                  "|---|---|---|---|---|---|"]
        for row in result["paths"]:
            lines.append(f"| {row['case']} | {row['chosen_flops']:.4g} | {row['min_over_optimizers']:.4g} | "
                         f"{row['opt_einsum_auto']:.4g} | {row['naive_flops']:.4g} | {row['ratio']:.2f} |")
    if "core" in result:
        core = result["core"]
        lines += ["", "core: " + ", ".join(f"{k} {_fmt_t(v)}" for k, v in core["seconds"].items())]
    if "einsum" in result:
        lines += _einsum_table(result["einsum"])
    if "hvp" in result:
        from .second_order_bench import format_hvp

        lines += format_hvp(result["hvp"])
    if "check" in result:
        from .check_bench import format_check

        lines += format_check(result["check"])
    return "\n".join(lines)


def _einsum_table(e: dict[str, Any]) -> list[str]:
    t = e["tiny"]
    s = t["seconds"]
    lines = ["", f"einsum / contract (BLAS threads: {e.get('threads')})",
             f"per call, {t['eq']} on {t['shape']}: el.einsum {_fmt_t(s['el.einsum'])}, el.contract "
             f"{_fmt_t(s['el.contract'])}, opt_einsum.contract {_fmt_t(s['opt_einsum.contract'])}, np.einsum(optimize=True) "
             f"{_fmt_t(s['np.einsum opt'])}; el.einsum / opt_einsum {t['einsum_vs_opt_einsum']:.2f}x, el.contract / "
             f"opt_einsum {t['contract_vs_opt_einsum']:.2f}x, el.einsum / np.einsum {t['einsum_vs_np_einsum']:.2f}x",
             "| expression | size | el.contract_expression | opt_einsum.contract_expression | ratio |", "|---|---|---|---|---|"]
    for row in e["expressions"]:
        lines.append(f"| {row['eq']} | {row['size']} | {_fmt_t(row['seconds']['el'])} | "
                     f"{_fmt_t(row['seconds']['opt_einsum'])} | {row['ratio']:.2f} |")
    b = e["bmm"]
    lines.append(f"bij,bjk->bik at b={b['b']}, i=j=k={b['n']}: el.einsum {_fmt_t(b['seconds']['el.einsum'])}, np.matmul "
                 f"{_fmt_t(b['seconds']['np.matmul'])}, opt_einsum {_fmt_t(b['seconds']['opt_einsum.contract'])}; "
                 f"ratio to matmul {b['ratio']:.2f}x")
    lines += ["| first call, new chain of | el.einsum | opt_einsum.contract | ratio |", "|---|---|---|---|"]
    for row in e["first_call"]:
        lines.append(f"| {row['operands']} matrices | {_fmt_t(row['seconds']['el.einsum'])} | "
                     f"{_fmt_t(row['seconds']['opt_einsum.contract'])} | {row['ratio']:.2f} |")
    lines += ["| random regular network | our FLOPs | planning | opt_einsum auto | best of opt_einsum | vs best | vs auto |",
              "|---|---|---|---|---|---|---|"]
    for row in e["planning"]:
        oe = row["opt_einsum"]
        best = min(v for k, v in oe.items() if not k.endswith(" s"))
        lines.append(f"| {row['tensors']} tensors | {row['flops']:.3g} | {_fmt_t(row['plan_seconds'])} | {oe['auto']:.3g} | "
                     f"{best:.3g} | {row['vs_best']:.2f} | {row['vs_auto']:.2f} |")
    ctg = [row for row in e["planning"] if "cotengra" in row]
    if ctg:
        lines.append("cotengra's hyper-optimizer (2 s): " + ", ".join(
            f"{row['tensors']} tensors {row['cotengra']:.3g} FLOPs (ours {row['vs_cotengra']:.2f}x)" for row in ctg))
    return lines
