r"""The ``hvp`` section of ``einsteinpy-lite bench``: Hessian-vector products and memory-bounded plans.

* the Hessian-vector product of the single-layer loss with respect to all parameters
  (``net.compile_hvp()``: :func:`einsteinpy_lite.hvp`, compiled) beside one compiled gradient
  (``net.compile()``), ``jax.jit`` of ``jvp(grad)`` and ``torch.func.jvp(grad)`` (each when
  installed), at the medium size (tiny in quick mode), with the BLAS threads as they are and
  with one thread;
* the Hessian's diagonal with respect to ``A`` (:func:`einsteinpy_lite.hessian_diagonal`, kept
  indices) beside the full compiled Hessian block at N_y=16, N_1=32, N_x=8, K=256, and alone at
  N_y=256, N_1=512, N_x=64, K=1024 (a 131,072-square Hessian);
* a contraction whose best order makes a large intermediate (``\sum_a T_{ijk} A^i_a B^j_a
  C^k_a``, a CP reconstruction), compiled without a memory limit and under a limit an eighth of
  that intermediate (sliced), side by side;
* the Hessian of the softmax cross-entropy ``-t^\top \operatorname{logsoftmax}(z)`` with respect to the
  logits (``diag(p) - p p^T``) at 10, 100 and 1000 classes, compiled, beside ``torch.func.hessian`` and
  ``jax.jit(jax.hessian)`` of the same loss (where installed).

Example:
    >>> r = bench_hvp(repeat=1, quick=True, contenders=("compiled hvp", "compiled gradient"))
    >>> sorted(r["hvp"]["seconds"]), r["memory"]["sliced"]
    (['compiled gradient', 'compiled hvp'], True)
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ..core.errors import EinsteinError
from ..nets.gradients import single_layer

__all__ = ["bench_hvp", "format_hvp", "CONTENDERS"]

CONTENDERS = ("compiled hvp", "compiled gradient", "jax.jit jvp(grad)", "torch.func jvp(grad)",
              "compiled hvp on torch", "GEMMs alone")


def _blas_limitable() -> bool:
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def _threads(n: int | None) -> Iterator[None]:
    """BLAS (with threadpoolctl), torch and the compiled code's elementwise chains (:mod:`..compile.rows`)
    limited to ``n`` threads inside the block; None: as they are."""
    if n is None:
        yield
        return
    from ..compile.rows import limited_threads
    torch_before = None
    try:
        import torch

        torch_before = torch.get_num_threads()
        torch.set_num_threads(n)
    except ImportError:
        pass
    try:
        if _blas_limitable():
            import threadpoolctl

            with threadpoolctl.threadpool_limits(n), limited_threads(n):
                yield
        else:  # BLAS threads stay as they are: OPENBLAS_NUM_THREADS=1 in the environment sets them
            with limited_threads(n):
                yield
    finally:
        if torch_before is not None:
            import torch

            torch.set_num_threads(torch_before)


def _jax_hvp(x: np.ndarray, y: np.ndarray) -> Callable[[dict[str, Any], dict[str, Any]], Any] | None:
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    xj, yj = jnp.asarray(x), jnp.asarray(y)

    def loss(p: dict[str, Any]) -> Any:
        f = jax.nn.sigmoid(yj @ p["A"].T + p["b"]) @ p["B"].T
        return jnp.mean(jnp.sum((xj - f) ** 2, axis=1))

    fn = jax.jit(lambda p, v: jax.jvp(jax.grad(loss), (p,), (v,))[1])

    def run(p: dict[str, Any], v: dict[str, Any]) -> Any:
        return jax.block_until_ready(fn(p, v))

    return run


def _torch_hvp(x: np.ndarray, y: np.ndarray) -> Callable[[dict[str, Any], dict[str, Any]], Any] | None:
    try:
        import torch
        import torch.func
    except ImportError:
        return None
    tx, ty = torch.tensor(x), torch.tensor(y)

    def loss(p: dict[str, Any]) -> Any:
        f = torch.sigmoid(ty @ p["A"].T + p["b"]) @ p["B"].T
        return ((tx - f) ** 2).sum(dim=1).mean()

    def run(p: dict[str, Any], v: dict[str, Any]) -> Any:
        return torch.func.jvp(torch.func.grad(loss), (p,), (v,))[1]

    return run


def _hvp_rows(size: str, repeat: int, contenders: Sequence[str]) -> dict[str, Any]:
    from .common import SIZES, _arrays, _median_times

    K, Nx, N1, Ny = SIZES[size]
    A, b, B, x, y = _arrays(K, Nx, N1, Ny)
    p = {"A": A, "b": b, "B": B}
    rng = np.random.default_rng(1)
    v = {k: rng.standard_normal(a.shape) for k, a in p.items()}
    net = single_layer()
    hvp_step, grad_step = net.compile_hvp(), net.compile()
    vec = {f"v{k}": a for k, a in v.items()}
    want = hvp_step(**p, **vec, x=x, y=y)
    fns: dict[str, Callable[[], Any]] = {}
    if "compiled hvp" in contenders:
        fns["compiled hvp"] = lambda: hvp_step(**p, **vec, x=x, y=y)
    if "compiled gradient" in contenders:
        fns["compiled gradient"] = lambda: grad_step(**p, x=x, y=y)
    jx = _jax_hvp(x, y) if "jax.jit jvp(grad)" in contenders else None
    if jx is not None:
        import jax.numpy as jnp

        pj, vj = ({k: jnp.asarray(a) for k, a in d.items()} for d in (p, v))
        got = jx(pj, vj)
        _check(want, {k: np.asarray(got[k]) for k in p}, "jax")
        fns["jax.jit jvp(grad)"] = lambda: jx(pj, vj)
    th = _torch_hvp(x, y) if "torch.func jvp(grad)" in contenders else None
    if th is not None:
        import torch

        pt, vt = ({k: torch.tensor(a) for k, a in d.items()} for d in (p, v))
        got = th(pt, vt)
        _check(want, {k: got[k].numpy() for k in p}, "torch")
        fns["torch.func jvp(grad)"] = lambda: th(pt, vt)
    if "compiled hvp on torch" in contenders:
        # the same compiled step on torch tensors, through the array API (the path an accelerator takes)
        with contextlib.suppress(ImportError):
            import torch

            tarr = {k: torch.tensor(a) for k, a in {**p, **vec, "x": x, "y": y}.items()}
            _check(want, {k: t.numpy() for k, t in hvp_step(**tarr).items()}, "the compiled step on torch tensors")
            fns["compiled hvp on torch"] = lambda: hvp_step(**tarr)
    if "GEMMs alone" in contenders:
        fns["GEMMs alone"] = _hvp_gemms(A, B, v["A"], v["B"], y, rng)
    rows: dict[str, Any] = {"size": size, "K": K, "N_x": Nx, "N_1": N1, "N_y": Ny}
    for label, n in (("default", None), ("one thread", 1)):
        with _threads(n):
            times = _median_times(fns, repeat)
        rows[label] = times
    rows["seconds"] = rows["default"]
    rows["one thread BLAS"] = _blas_limitable()
    rows["missing"] = [c for c in contenders if c not in fns]
    return rows


def _hvp_gemms(A: np.ndarray, B: np.ndarray, vA: np.ndarray, vB: np.ndarray, y: np.ndarray,
               rng: np.random.Generator) -> Callable[[], Any]:
    """The 11 matrix products of Pearlmutter's H v of the single-layer loss alone, on ready operands:
    the product's floor at this BLAS's rate for these shapes (as the backprop section's "GEMMs alone").

    Forward ``y A^T``, tangent ``y vA^T``, ``S B^T``, ``S vB^T``, ``dS B^T``; back ``E B``, ``E vB``,
    ``dE B``; the rows ``E^T dS``, ``dE^T S``, ``G^T y`` (S, dS, G: K x N_1; E, dE: K x N_x).

    Example:
        >>> g = _hvp_gemms(np.ones((3, 2)), np.ones((4, 3)), np.ones((3, 2)), np.ones((4, 3)), np.ones((5, 2)),
        ...                np.random.default_rng(0))
        >>> len(g())
        11
    """
    K, N1, Nx = y.shape[0], A.shape[0], B.shape[0]
    S, dS, G = (rng.standard_normal((K, N1)) for _ in range(3))
    E, dE = (rng.standard_normal((K, Nx)) for _ in range(2))

    def gemms() -> Any:
        return (y @ A.T, y @ vA.T, S @ B.T, S @ vB.T, dS @ B.T, E @ B, E @ vB, dE @ B, E.T @ dS, dE.T @ S, G.T @ y)

    return gemms


def _check(want: dict[str, Any], got: dict[str, Any], who: str) -> None:
    for k, w in want.items():
        if not np.allclose(got[k], w, rtol=1e-8, atol=1e-10):
            raise EinsteinError(f"benchmark: {k} disagrees with {who}")


def _available_bytes() -> int:
    """Memory the system can still give this process (``MemAvailable``; 0 where it cannot tell)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


#: the issue's case: an order whose largest intermediate is 8 GiB (N=64, R=262144), run under "1GiB"
LARGE_MEMORY_CASE = (64, 262144, "1GiB")


def _cp_sum(T: np.ndarray, A: np.ndarray, B: np.ndarray, C: np.ndarray, chunk: int = 4096) -> float:
    """``sum_{ijka} T_ijk A_ia B_ja C_ka`` by hand: matrix products over chunks of ``a`` (the check's oracle).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> T, A, B, C = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5)), rng.normal(size=(3, 5)), rng.normal(size=(4, 5))
        >>> bool(np.isclose(_cp_sum(T, A, B, C, chunk=2), np.einsum("ijk,ia,ja,ka->", T, A, B, C)))
        True
    """
    ni, nj, nk = T.shape
    total = 0.0
    for lo in range(0, A.shape[1], chunk):
        s = slice(lo, lo + chunk)
        tc = T.reshape(ni * nj, nk) @ C[:, s]  # (i j, a)
        total += float(np.sum(tc * (A[:, None, s] * B[None, :, s]).reshape(ni * nj, -1)))
    return total


def _memory_row(repeat: int, quick: bool) -> dict[str, Any]:
    from ..compile import compile
    from ..notation.parse import parse
    from .common import _median_times

    e = parse(r"\sum_{a} T_{i j k} A^i_a B^j_a C^k_a")
    full = compile(e, memory_limit=None)
    N, R, limit_text = LARGE_MEMORY_CASE
    # the 8 GiB case needs that much free memory (and more for the operands): else the 32 MiB one
    large = not quick and _available_bytes() >= 12 * 2**30
    if not large:
        N, R = (24, 32) if quick else (128, 256)
    big = full.plan(i=N, j=N, k=N, a=R).largest_intermediate * 8
    limit: Any = limit_text if large else big // 8
    sliced = compile(e, memory_limit=limit)
    plan = sliced.plan(i=N, j=N, k=N, a=R)
    rng = np.random.default_rng(2)
    T = rng.standard_normal((N, N, N))
    A, B, C = (rng.standard_normal((N, R)) for _ in range(3))
    want = _cp_sum(T, A, B, C)
    for fn in (full, sliced):
        if not np.isclose(fn(T=T, A=A, B=B, C=C), want, rtol=1e-9):
            raise EinsteinError("benchmark: the memory-bounded contraction disagrees with numpy")
    times = _median_times({"unlimited": lambda: full(T=T, A=A, B=B, C=C),
                           "sliced": lambda: sliced(T=T, A=A, B=B, C=C)}, min(repeat, 3) if large else repeat)
    step = next((s.text for s in plan.steps if s.text.startswith("sliced")), "")
    return {"N": N, "R": R, "unlimited_bytes": big, "limit_bytes": 2**30 if large else limit,
            "sliced_bytes": plan.largest_intermediate * 8, "sliced": bool(step), "slicing": step,
            "seconds": times, "ratio": times["sliced"] / times["unlimited"]}


def _diagonal_row(repeat: int, quick: bool) -> dict[str, Any]:
    from ..nets.gradients import Step
    from .common import _median_times

    net = single_layer()
    rng = np.random.default_rng(4)
    diag = Step({"d": net.hessian_diagonal("A")}, {"d": ("j1", "j2")}, net._dims("A"))
    full = net._block_step("hessian", "A", "A")
    small = [16, 32, 8]
    p = net.init(small)
    x, y = rng.standard_normal((256, 8)), rng.standard_normal((256, 16))
    d = diag(**p, x=x, y=y)["d"]
    H = full(**p, x=x, y=y)["block"].reshape(d.size, d.size)
    if not np.allclose(d.ravel(), np.diag(H), rtol=1e-9, atol=1e-12):
        raise EinsteinError("benchmark: the Hessian's diagonal disagrees with the full compiled Hessian")
    times = _median_times({"diagonal": lambda: diag(**p, x=x, y=y), "full Hessian": lambda: full(**p, x=x, y=y)},
                          repeat)
    out: dict[str, Any] = {"small": {"N_y": 16, "N_1": 32, "N_x": 8, "K": 256, "seconds": times,
                                     "ratio": times["diagonal"] / times["full Hessian"]}}
    big = [64, 128, 16] if quick else [256, 512, 64]
    K = 128 if quick else 1024
    p = net.init(big)
    x, y = rng.standard_normal((K, big[2])), rng.standard_normal((K, big[0]))
    diag(**p, x=x, y=y)
    best = float("inf")
    for _ in range(min(repeat, 3)):
        t0 = time.perf_counter()
        diag(**p, x=x, y=y)
        best = min(best, time.perf_counter() - t0)
    n = big[0] * big[1]
    out["large"] = {"N_y": big[0], "N_1": big[1], "N_x": big[2], "K": K, "hessian_side": n, "seconds": best,
                    "largest_intermediate": diag.fn._latest().plan.largest_intermediate}
    return out


def _torch_ce(t: Any, z: Any) -> Any:
    import torch

    return -(t * torch.log_softmax(z, 0)).sum()


def _jax_ce(t: Any, z: Any) -> Any:
    import jax

    return -(t * jax.nn.log_softmax(z)).sum()


def _ready(fn: Any, *args: Any) -> Any:
    return fn(*args).block_until_ready()


def _softmax_rows(repeat: int, quick: bool) -> list[dict[str, Any]]:
    """The Hessian of the softmax cross-entropy ``-t^T logsoftmax(z)`` with respect to the logits, compiled,
    against ``torch.func.hessian`` (and ``jax.jit(jax.hessian)``) of the same loss, where installed."""
    from ..algebra.diff import diff
    from ..compile import compile as compile_expr
    from ..notation.matrix import parse_matrix
    from .common import _median_times

    rows = []
    for c in (10,) if quick else (10, 100, 1000):
        E = parse_matrix(r"-t^\top \operatorname{logsoftmax}(z)", {"t": (c,), "z": (c,)})
        H = diff(diff(E, "z^p"), "z^q")
        fn = compile_expr(H, out=("p", "q"))
        rng = np.random.default_rng(c)
        z, t = rng.standard_normal(c), np.eye(c)[c // 3]
        p = np.exp(z - z.max())
        p /= p.sum()
        want = np.diag(p) - np.outer(p, p)
        _check({"H": want}, {"H": fn(z=z, t=t)}, "compiled softmax cross-entropy Hessian")
        fns: dict[str, Callable[[], Any]] = {"compiled": functools.partial(fn, z=z, t=t)}
        try:
            import torch
            from torch.func import hessian

            zt, tt = torch.tensor(z), torch.tensor(t)
            hf = hessian(functools.partial(_torch_ce, tt))
            _check({"H": want}, {"H": hf(zt).numpy()}, "torch.func.hessian")
            fns["torch.func.hessian"] = functools.partial(hf, zt)
        except ImportError:
            pass
        try:
            import jax
            import jax.numpy as jnp

            jax.config.update("jax_enable_x64", True)
            jt = jnp.asarray(t)
            jh = jax.jit(jax.hessian(functools.partial(_jax_ce, jt)))
            jz = jnp.asarray(z)
            _check({"H": want}, {"H": np.asarray(jh(jz))}, "jax.hessian")
            fns["jax.jit(jax.hessian)"] = functools.partial(_ready, jh, jz)
        except ImportError:
            pass
        times = _median_times(fns, repeat)
        rows.append({"classes": c, "seconds": times,
                     "ratios": {k: times["compiled"] / v for k, v in times.items() if k != "compiled"}})
    return rows


def bench_hvp(repeat: int = 7, quick: bool = False, contenders: Sequence[str] = CONTENDERS) -> dict[str, Any]:
    """The ``hvp`` section: Hessian-vector products side by side, and a sliced contraction against the unlimited one.

    Args:
        repeat: interleaved repeats per measurement (medians).
        quick: tiny sizes.
        contenders: which of :data:`CONTENDERS` to run (those not installed are listed as ``missing``).

    Returns:
        ``{"hvp": {...seconds, one thread, ratios...}, "memory": {...}}``.
    """
    rows = _hvp_rows("tiny" if quick else "medium", repeat, contenders)
    for label in ("default", "one thread"):
        t = rows[label]
        base = t.get("compiled hvp")
        rows[f"ratios ({label})"] = {k: base / v for k, v in t.items() if base and k != "compiled hvp"}
    return {"hvp": rows, "diagonal": _diagonal_row(repeat, quick), "memory": _memory_row(repeat, quick),
            "softmax": _softmax_rows(repeat, quick)}


def format_hvp(r: dict[str, Any]) -> list[str]:
    """The ``hvp`` section as table lines.

    Example:
        >>> r = {"hvp": {"size": "tiny", "K": 1, "N_x": 1, "N_1": 1, "N_y": 1, "default": {"compiled hvp": 1e-4},
        ...      "one thread": {"compiled hvp": 1e-4}, "missing": []},
        ...      "memory": {"N": 2, "R": 2, "unlimited_bytes": 64, "limit_bytes": 8, "sliced_bytes": 8,
        ...                 "slicing": "sliced over a", "seconds": {"unlimited": 1e-3, "sliced": 1e-3}, "ratio": 1.0}}
        >>> format_hvp(r)[1]
        'Hessian-vector product of the single-layer loss, all parameters, tiny (K=1, N_x=1, N_1=1, N_y=1): time per call (compiled hvp / contender)'
    """
    from ..compile.slicing import human_bytes
    from .common import _fmt_t

    h = r["hvp"]
    names = list(h["default"])
    lines = ["", f"Hessian-vector product of the single-layer loss, all parameters, {h['size']} (K={h['K']}, "
             f"N_x={h['N_x']}, N_1={h['N_1']}, N_y={h['N_y']}): time per call (compiled hvp / contender)",
             "| threads | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label in ("default", "one thread"):
        t = h[label]
        base = t.get("compiled hvp")
        cells = [f"{_fmt_t(t[n])}" + (f" ({base / t[n]:.2f}x)" if base and n != "compiled hvp" else "") for n in names]
        shown = label if label == "default" or h.get("one thread BLAS", True) else \
            "one thread (torch only: threadpoolctl is not installed)"
        lines.append(f"| {shown} | " + " | ".join(cells) + " |")
    if h.get("missing"):
        lines.append(f"(not installed: {', '.join(h['missing'])}; `pip install jax torch` adds them)")
    if "jax.jit jvp(grad)" in names:
        lines.append("(jax keeps XLA's own threads in both rows; for one thread there, run with XLA_FLAGS="
                     "'--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1')")
    if "diagonal" in r:
        sm, lg = r["diagonal"]["small"], r["diagonal"]["large"]
        lines.append(f"Hessian diagonal w.r.t. A at N_y={sm['N_y']}, N_1={sm['N_1']}, N_x={sm['N_x']}, K={sm['K']}: "
                     f"{_fmt_t(sm['seconds']['diagonal'])} vs the full compiled Hessian "
                     f"{_fmt_t(sm['seconds']['full Hessian'])} ({sm['ratio']:.3f}x); at N_y={lg['N_y']}, "
                     f"N_1={lg['N_1']}, N_x={lg['N_x']}, K={lg['K']} (a {lg['hessian_side']:,}-square Hessian): "
                     f"{_fmt_t(lg['seconds'])}, largest intermediate {lg['largest_intermediate']:,} entries")
    for row in r.get("softmax", []):
        t = row["seconds"]
        others = ", ".join(f"{k} {_fmt_t(v)} ({row['ratios'][k]:.2f}x)" for k, v in t.items() if k != "compiled")
        lines.append(f"Hessian of the softmax cross-entropy -t^T logsoftmax(z), {row['classes']} classes: compiled "
                     f"{_fmt_t(t['compiled'])}" + (f"; {others}" if others else " (torch and jax not installed)"))
    m = r["memory"]
    lines.append(f"memory-bounded: \\sum_a T_ijk A^i_a B^j_a C^k_a at N={m['N']}, R={m['R']}: unlimited "
                 f"{_fmt_t(m['seconds']['unlimited'])} (largest intermediate {human_bytes(m['unlimited_bytes'])}), "
                 f"memory_limit {human_bytes(m['limit_bytes'])} {_fmt_t(m['seconds']['sliced'])} "
                 f"({human_bytes(m['sliced_bytes'])}; {m['slicing']}); ratio {m['ratio']:.2f}x")
    return lines
