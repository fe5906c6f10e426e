"""The einsum bench section runs and prints its ratios."""

from __future__ import annotations

from einsteinpy_lite.bench import bench


def test_einsum_section_quick() -> None:
    res = bench.run_benchmarks(quick=True, sections=("einsum",), repeat=1)
    e = res["einsum"]
    assert {"tiny", "expressions", "bmm", "first_call", "planning"} <= set(e)
    assert all(row["vs_auto"] <= 1.0 for row in e["planning"])  # never a worse path than opt_einsum's auto
    text = bench.format_table(res)
    assert "el.einsum / opt_einsum" in text and "random regular network" in text and "first call" in text
