"""The hvp section of the benchmark: it runs (quick), checks the contenders agree, shows the slicing."""

from __future__ import annotations

from einsteinpy_lite.bench import bench
from einsteinpy_lite.bench.second_order_bench import bench_hvp, format_hvp


def test_quick_hvp_section_runs_and_slices() -> None:
    r = bench_hvp(repeat=1, quick=True)
    h = r["hvp"]
    assert (h["K"], h["N_x"], h["N_1"], h["N_y"]) == (32, 4, 16, 8)
    assert {"compiled hvp", "compiled gradient"} <= set(h["default"]) and all(t > 0 for t in h["default"].values())
    assert set(h["default"]) | set(h["missing"]) == {"compiled hvp", "compiled gradient", "jax.jit jvp(grad)",
                                                     "torch.func jvp(grad)", "compiled hvp on torch", "GEMMs alone"}
    sm = r["diagonal"]["small"]
    assert sm["ratio"] > 0 and r["diagonal"]["large"]["largest_intermediate"] < r["diagonal"]["large"]["hessian_side"] ** 2 // 8
    m = r["memory"]
    assert m["sliced"] and m["sliced_bytes"] <= m["limit_bytes"] < m["unlimited_bytes"]
    text = "\n".join(format_hvp(r))
    assert "Hessian-vector product of the single-layer loss" in text and "sliced over" in text
    # the softmax cross-entropy Hessian (checked against diag(p) - p p^T inside the bench) at 10 classes
    (row,) = r["softmax"]
    assert row["classes"] == 10 and row["seconds"]["compiled"] > 0
    assert "Hessian of the softmax cross-entropy -t^T logsoftmax(z), 10 classes: compiled" in text


def test_hvp_is_a_section_of_the_bench() -> None:
    assert "hvp" in bench.SECTIONS
    res = bench.run_benchmarks(quick=True, repeat=1, sections=("hvp",))
    assert "memory-bounded" in bench.format_table(res)
