"""The benchmark harness: it runs (quick), its numbers are sane, its table and JSON have every section."""

from __future__ import annotations

import json

import numpy as np
import pytest

from einsteinpy_lite import EinsteinError
from einsteinpy_lite.bench import bench


def test_quick_run_has_every_section_and_writes_json(tmp_path):
    path = tmp_path / "bench.json"
    res = bench.run_benchmarks(quick=True, repeat=1, json_path=str(path))
    assert {"machine", "backprop", "overhead", "compile", "paths", "core", "check"} <= set(res)
    # the checker's section: the one-block document's 3 wrong claims, each repaired
    assert (res["check"]["claims"], res["check"]["fails"], res["check"]["repaired"]) == (10, 3, 3)
    row = res["backprop"][0]
    assert row["size"] == "tiny" and (row["K"], row["N_x"], row["N_1"], row["N_y"]) == (32, 4, 16, 8)
    assert set(row["seconds"]) >= {"compiled", "hand numpy", "opt_einsum expr", "np.einsum opt", "GEMMs alone"}
    assert row["vs_gemms"] > 0
    assert all(t > 0 for t in row["seconds"].values())
    assert [r["operands"] for r in res["overhead"]] == [2, 3, 4, 5]
    assert res["compile"]["cold_compile_s"] > 0 and res["compile"]["cache_hit_s"] > 0
    for r in res["paths"]:  # the chosen orders are never worse than opt_einsum's best optimizer
        assert r["chosen_flops"] == r["min_over_optimizers"] <= r["opt_einsum_auto"] < r["naive_flops"]
    saved = json.loads(path.read_text())
    assert saved["backprop"][0]["size"] == "tiny"
    table = bench.format_table(res)
    for needle in ("backprop of the single-layer net", "tiny (32, 4, 16, 8)", "compiled / GEMMs alone", "per call", "cold compile",
                   "cache hit", "contraction FLOPs", "core", "check: a document of 10 claims"):
        assert needle in table


def test_compiled_expressions_are_the_hand_backprop():
    from einsteinpy_lite.compile import compile

    A, b, B, x, y = bench._arrays(6, 2, 4, 3, seed=5)
    got = compile(bench.backprop_exprs())(A=A, b=b, B=B, x=x, y=y)
    want = bench.hand_backprop(A, b, B, x, y)
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-10, atol=1e-12)
    # the loss is the MSE: (1/K) sum |x - f|^2, and d = -grad: a small step along d_b lowers it
    lower = compile(bench.backprop_exprs(("loss",)))(A=A, b=b + 1e-4 * want["d_b"], B=B, x=x, y=y)["loss"]
    assert lower < want["loss"]


def test_bad_arguments_are_einstein_errors():
    with pytest.raises(EinsteinError, match="unknown benchmark size 'huge'"):
        bench.run_benchmarks(sizes=["huge"], sections=("backprop",))
    with pytest.raises(EinsteinError, match="unknown benchmark section 'gpu'"):
        bench.run_benchmarks(sections=("gpu",))
    with pytest.raises(EinsteinError, match=r"repeat=0 must be a positive integer"):  # was a StatisticsError
        bench.run_benchmarks(sizes=["tiny"], repeat=0, sections=("core",), quick=True, json_path=None)
