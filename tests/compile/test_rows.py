"""Chains of elementwise steps split by rows over threads: the same values as plain numpy, whatever the
number of threads, the shapes broadcast, the scalars passed or the error settings.

Oracles: numpy written here from each expression's structure.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from einsteinpy_lite import EinsteinError, parse
from einsteinpy_lite.compile import compile, rows
from einsteinpy_lite.compile.rows import MIN_ENTRIES, limited_threads, run_rows, set_threads, split_rows, threads

RNG = np.random.default_rng(44)


@pytest.fixture(autouse=True)
def _small_chains_split(monkeypatch):
    """Chains of a few thousand entries are split here (the default threshold is for speed, not soundness)."""
    monkeypatch.setattr(rows, "MIN_ENTRIES", 1 << 12)


def sig(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_a_split_chain_gives_numpys_values_on_any_number_of_threads(n):
    from einsteinpy_lite.bench.bench import _arrays, backprop_exprs, hand_backprop

    A, b, B, x, y = _arrays(61, 7, 100, 40)  # the slides' step: K=61 rows of 100 activations
    want = hand_backprop(A, b, B, x, y)
    fn = compile(backprop_exprs())
    g = compile(parse(r"\alpha \sigma'(A^i_j Y^j_k) \odot \sigma(A^i_j Y^j_k)"))  # a scalar passed at the call
    Y = RNG.standard_normal((40, 90))
    z = A @ Y
    with limited_threads(n):
        for _ in range(3):  # pooled buffers: the second call reuses the first one's memory
            got = fn(A=A, b=b, B=B, x=x, y=y)
            for k in want:
                np.testing.assert_allclose(got[k], want[k], rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(g(A=A, Y=Y, alpha=0.5), 0.5 * sig(z) ** 2 * (1 - sig(z)), rtol=1e-12)
    assert "_rows(" in fn.source and "_rows(" in g.source


def test_small_chains_are_not_split():
    fn = compile(parse(r"\sigma(A^i_j y^j)"))  # 3 entries
    fn(A=np.ones((3, 4)), y=np.ones(4))
    assert "_rows(" not in fn.source


def test_the_workers_raise_under_the_callers_error_settings():
    fn = compile(parse(r"\exp(A^i_j y^j_k)"))
    A, y = np.full((600, 2), 400.0), np.ones((2, 600))  # exp(800) overflows in every row block
    with limited_threads(2):
        np.testing.assert_allclose(fn(A=np.ones((600, 2)), y=np.ones((2, 600))), np.exp(2.0))
        assert "_rows(" in fn.source
        with np.errstate(over="raise"), pytest.raises(FloatingPointError):
            fn(A=A, y=y)
        with np.errstate(over="ignore"):
            assert np.isinf(fn(A=A, y=y)).all()


def test_concurrent_calls_of_one_compiled_function_stay_apart():
    fn = compile(parse(r"c \tanh(A^i_j y^j_k)"))
    arrays = [(RNG.standard_normal((256, 8)), RNG.standard_normal((8, 1024)), float(c)) for c in range(4)]
    results: dict[int, np.ndarray] = {}

    def call(k: int) -> None:
        A, y, c = arrays[k]
        for _ in range(5):
            results[k] = fn(A=A, y=y, c=c)

    with limited_threads(2):
        ts = [threading.Thread(target=call, args=(k,)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    for k, (A, y, c) in enumerate(arrays):
        np.testing.assert_allclose(results[k], c * np.tanh(A @ y), rtol=1e-12)


def test_run_rows_covers_every_row_once_and_raises_the_first_error():
    seen = np.zeros(10, int)

    def count(lo, hi, a):
        a[lo:hi] += 1

    with limited_threads(3):
        run_rows(count, 10, seen)
    assert seen.tolist() == [1] * 10

    def fail(lo, hi):
        if lo > 0:
            raise ValueError("row block")

    with limited_threads(2), pytest.raises(ValueError, match="row block"):
        run_rows(fail, 4)


def test_split_rows_leaves_alone_what_rows_cannot_split():
    shapes = {"_a0": (8, 4), "_a1": (4,), "_t1": (8, 4), "_t2": (8, 4), "_t3": (8, 4), "_t4": (4, 8), "_t5": (8,)}
    # a step whose result has another shape ends the chain; one step alone is split on its own
    lines = ["    _t1 = np.add(_a0, _a1, out=_b[0])", "    _t4 = np.exp(_t3, out=_b[1])", "    return _t4"]
    out, fns = split_rows(lines, {**shapes, "_t3": (4, 8)}, {"_t1", "_t3", "_t4"}, {}, min_entries=1)
    assert len(fns) == 2 and out[0].startswith("    _rows(_r0, 8") and "_t4 = np.exp" not in fns[0]
    # a vector written by one chain and read whole by the next: two chains, the first done before the second
    lines = ["    _t5 = np.exp(_t5, out=_t5)", "    _t2 = np.add(_t1, _t5, out=_t1)", "    return _t2"]
    out, fns = split_rows(lines, {**shapes, "_t5": (4,)}, {"_t5", "_t1"}, {}, min_entries=1)
    assert len(fns) == 2 and out[0].startswith("    _rows(_r0, 4, _t5)") and "_t5 = _t5[_lo:_hi]" not in fns[1]
    # a view of the memory the chain writes: read by other rows than those written
    lines = ["    _t2 = np.add(_t1, 1.0, out=_t1)", "    _t3 = np.multiply(_t2, _t9, out=_t2)", "    return _t3"]
    out, fns = split_rows(lines, {**shapes, "_t9": (8, 4)}, {"_t1", "_t2"}, {"_t9": frozenset({"_t9", "_t1"})},
                          min_entries=1)
    assert "_t9" not in "".join(fns)
    # under the threshold: as it was
    lines = ["    _t1 = np.add(_a0, _a1, out=_b[0])", "    return _t1"]
    assert split_rows(lines, shapes, {"_t1"}, {}, min_entries=MIN_ENTRIES) == (lines, [])


def test_set_threads_takes_a_positive_count_or_none():
    before = threads()
    for bad in (0, -1, 1.5, "2", True):
        with pytest.raises(EinsteinError, match="positive number of threads"):
            set_threads(bad)  # type: ignore[arg-type]
    assert threads() == before
    with limited_threads(1):
        assert threads() == 1
    assert threads() == before


def test_the_default_follows_the_environment(monkeypatch):
    monkeypatch.setenv("EINSTEINPY_LITE_THREADS", "3")
    assert threads() == 3
    monkeypatch.setenv("EINSTEINPY_LITE_THREADS", "x")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert threads() == 1
