"""Figures for the benchmark: the slides' gradients derived and compiled cold, a deep MLP, the Hessian.

``figures()`` measures, in a fresh interpreter (so that every cache is cold):

* ``slide_gradients``: for each of the slides' gradients (``grad_y``, ``grad_A``, ``grad_b``,
  ``grad_B`` of ``f`` and the update directions ``d_A``, ``d_b``, ``d_B``), the seconds to
  derive, simplify, compile and run once;
* ``mlp``: the same for all update directions of a 10-layer MLP;
* ``hessian``: the full Hessian of the single-layer loss with respect to ``A`` (a
  ``N_1 N_y x N_1 N_y`` matrix), compiled, against the hand-written numpy closed form
  :func:`hessian_A_numpy` (and ``torch.autograd.functional.hessian`` when torch is installed).

Each function also runs on its own in the current process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.functions import get_function
from ..nets.gradients import mlp, single_layer

__all__ = ["slide_gradient_times", "mlp_gradient_time", "hessian_comparison", "hessian_A_numpy", "figures"]


def _best(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _data(sizes: list[int], K: int, seed: int, net: Any) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    params = net.init(sizes, seed=seed)
    return params, rng.normal(size=(K, sizes[-1])), rng.normal(size=(K, sizes[0]))


def slide_gradient_times(sizes: tuple[int, int, int] = (16, 32, 8), K: int = 64) -> dict[str, float]:
    """Seconds to derive + simplify + compile + run once each slide gradient (cold in a fresh process).

    Example:
        >>> sorted(slide_gradient_times((3, 4, 2), K=5))
        ['d_A', 'd_B', 'd_b', 'grad_A', 'grad_B', 'grad_b', 'grad_y']
    """
    from ..compile import compile as compile_expr

    params, x, y = _data(list(sizes), K, 0, single_layer())
    out: dict[str, float] = {}
    for name in ("grad_y", "grad_A", "grad_b", "grad_B"):
        t = time.perf_counter()
        net = single_layer()
        fn = compile_expr(net.grad(name[5:]))
        only_on_deltas = {s: sizes[2] for s in ("N_i", "N_j1") if s in fn.scalars}  # grad_B's delta^i_j1
        fn(**{k: v for k, v in {**params, "y": y[0]}.items() if k in fn.arrays}, **only_on_deltas)
        out[name] = time.perf_counter() - t
    for p in ("A", "b", "B"):
        t = time.perf_counter()
        net = single_layer()
        fn = compile_expr(net.directions[p])
        fn(**{k: v for k, v in {**params, "x": x, "y": y}.items() if k in fn.arrays})
        out[f"d_{p}"] = time.perf_counter() - t
    return out


def mlp_gradient_time(depth: int = 10, width: int = 16, K: int = 64) -> dict[str, float]:
    """Seconds to derive + simplify the update directions of every parameter of a ``depth``-layer MLP,
    to compile them (with the loss) into one step, and to run it once, then warm; and to derive
    ``dL/dp`` for every parameter by differentiating the loss itself.

    Example:
        >>> sorted(mlp_gradient_time(depth=2, width=3, K=4))
        ['compile_and_first_call', 'derive_and_simplify', 'loss_grad_by_diff', 'total', 'warm_call']
    """
    sizes = [width] * (depth + 1)
    t0 = time.perf_counter()
    net = mlp(sizes, activation="tanh")
    net.directions  # noqa: B018 - derive and simplify every direction
    t1 = time.perf_counter()
    step = net.compile()
    params, x, y = _data(sizes, K, 1, net)
    step(**params, x=x, y=y)
    t2 = time.perf_counter()
    warm = _best(lambda: step(**params, x=x, y=y), 5)
    t3 = time.perf_counter()
    net.loss_grad  # noqa: B018 - dL/dp by el.diff of the loss itself (two-term form)
    t4 = time.perf_counter()
    return {"derive_and_simplify": t1 - t0, "compile_and_first_call": t2 - t1, "total": t2 - t0, "warm_call": warm,
            "loss_grad_by_diff": t4 - t3}


def hessian_A_numpy(A: np.ndarray, b: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray,
                    activation: str = "sigmoid") -> np.ndarray:
    """The Hessian ``d2L/dA dA`` of the single-layer MSE loss by hand (closed form), ``(N_1, N_y, N_1, N_y)``.

    ``H = \\frac{2}{K} \\sum_k [(B^T B)_{jl} s'_j s'_l y_n y_m - \\delta_{jl} (\\epsilon B)_j s''_j y_n y_m]``.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> h = hessian_A_numpy(rng.normal(size=(3, 2)), np.zeros(3), rng.normal(size=(2, 3)),
        ...                     rng.normal(size=(4, 2)), rng.normal(size=(4, 2)))
        >>> h.shape, bool(np.allclose(h, h.transpose(2, 3, 0, 1)))
        ((3, 2, 3, 2), True)
    """
    f = get_function(activation)
    K = x.shape[0]
    n1, ny = A.shape
    z = y @ A.T + b
    s1 = f(z, 1)
    r = (x - f(z) @ B.T) @ B  # (K, N1): eps_k B
    m = (s1[:, :, None] * y[:, None, :]).reshape(K, n1 * ny)
    h = ((m.T @ m).reshape(n1, ny, n1, ny) * (B.T @ B)[:, None, :, None])
    diag = np.einsum("kj,kn,km->jnm", r * f(z, 2), y, y)
    h[np.arange(n1), :, np.arange(n1), :] -= diag
    return 2.0 / K * h


def hessian_comparison(n_y: int = 16, n_1: int = 32, n_x: int = 8, K: int = 256, repeat: int = 5) -> dict[str, Any]:
    """The compiled Hessian of the loss w.r.t. A against the numpy closed form (and torch if installed).

    Returns seconds (best of ``repeat``, warm), the ratio compiled / numpy and the largest difference.

    Example:
        >>> r = hessian_comparison(3, 4, 2, K=5, repeat=1)
        >>> r["shape"], r["max_abs_diff"] < 1e-10
        ((12, 12), True)
    """
    net = single_layer()
    params, x, y = _data([n_y, n_1, n_x], K, 2, net)
    t = time.perf_counter()
    step = net._block_step("hessian", "A", "A")
    arrays = {**params, "x": x, "y": y}
    got = step(**arrays)["block"]
    first = time.perf_counter() - t
    compiled = _best(lambda: step(**arrays), repeat)
    want = hessian_A_numpy(params["A"], params["b"], params["B"], x, y)
    numpy_s = _best(lambda: hessian_A_numpy(params["A"], params["b"], params["B"], x, y), repeat)
    n = n_1 * n_y
    out: dict[str, Any] = {
        "shape": (n, n), "derive_compile_first_call": first, "compiled": compiled, "numpy": numpy_s,
        "ratio_to_numpy": compiled / numpy_s, "max_abs_diff": float(np.max(np.abs(got - want))),
    }
    try:
        import torch
    except ImportError:
        out["torch"] = None
        return out
    tp = {k: torch.tensor(v) for k, v in params.items()}
    tx, ty = torch.tensor(x), torch.tensor(y)

    def loss(a: Any) -> Any:
        h = torch.sigmoid(ty @ a.T + tp["b"]) @ tp["B"].T
        return ((tx - h) ** 2).sum(dim=1).mean()

    out["torch"] = _best(lambda: torch.autograd.functional.hessian(loss, tp["A"]), repeat)
    out["ratio_torch_to_compiled"] = out["torch"] / compiled
    return out


def _measure() -> dict[str, Any]:
    return {"slide_gradients": slide_gradient_times(), "mlp": mlp_gradient_time(), "hessian": hessian_comparison()}


def figures(fresh_process: bool = True) -> dict[str, Any]:
    """All figures; by default measured in a fresh interpreter so that every cache is cold."""
    if not fresh_process:
        return _measure()
    res = subprocess.run([sys.executable, "-m", "einsteinpy_lite.bench.gradient_bench"], capture_output=True, text=True,
                         check=True)
    return json.loads(res.stdout)  # type: ignore[no-any-return]


if __name__ == "__main__":
    print(json.dumps(_measure()))
