"""Property tests: el.einsum == numpy.einsum and el.contract == opt_einsum.contract on random equations;
planned FLOPs never above opt_einsum's 'auto' on random regular networks."""

from __future__ import annotations

from typing import Any

import numpy as np
import opt_einsum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError

DTYPES = ["int64", "int8", "float32", "float64", "complex128", "bool"]


@st.composite
def equations(draw: Any) -> tuple[str, list[np.ndarray]]:
    labels = "abcdE"
    size = {c: draw(st.integers(1, 3)) for c in labels}
    n_ell = draw(st.integers(0, 2))
    ell_sizes = [draw(st.integers(1, 3)) for _ in range(n_ell)]
    n = draw(st.integers(1, 4))
    terms: list[str] = []
    shapes: list[tuple[int, ...]] = []
    any_ell = False
    for _ in range(n):
        labs = draw(st.lists(st.sampled_from(labels), max_size=3))
        use_ell = n_ell > 0 and draw(st.booleans())
        pos = draw(st.integers(0, len(labs)))
        shape: list[int] = []
        ones = {c: draw(st.booleans()) and draw(st.booleans()) for c in set(labs)}  # size-1 broadcasting
        for c in labs[:pos]:
            shape.append(1 if ones[c] else size[c])
        text = "".join(labs[:pos])
        if use_ell:
            any_ell = True
            k = draw(st.integers(0, n_ell))
            shape.extend(1 if draw(st.booleans()) and draw(st.booleans()) else s for s in ell_sizes[n_ell - k:])
            text += "..."
        for c in labs[pos:]:
            shape.append(1 if ones[c] else size[c])
        text += "".join(labs[pos:])
        terms.append(text)
        shapes.append(tuple(shape))
    eq = ",".join(terms)
    if draw(st.booleans()):
        used = sorted({c for t in terms for c in t if c != "."})
        out = draw(st.lists(st.sampled_from(used), unique=True)) if used else []
        out_text = "".join(out)
        if any_ell:
            k = draw(st.integers(0, len(out_text)))
            out_text = out_text[:k] + "..." + out_text[k:]
        eq += "->" + out_text
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    ops = []
    for shape in shapes:
        dt = draw(st.sampled_from(DTYPES))
        a = rng.integers(-3, 4, size=shape)
        ops.append(np.asarray(a != 0) if dt == "bool" else (a * (1 + 0.5j) if dt.startswith("complex") else a).astype(dt))
    return eq, ops


def _close(got: Any, want: Any) -> None:
    assert np.shape(got) == np.shape(want)
    assert np.result_type(got) == np.result_type(want)
    tol = 1e-3 if np.result_type(want) in (np.float32, np.complex64) else 1e-9
    if np.result_type(want).kind in "iub":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(equations())
def test_einsum_matches_numpy(case: tuple[str, list[np.ndarray]]) -> None:
    eq, ops = case
    try:
        want = np.einsum(eq, *ops)
    except ValueError:
        with pytest.raises(EinsteinError):
            el.einsum(eq, *ops)
        return
    for _ in range(3):  # the first call runs the planned order through opt_einsum, the next ones generated code
        got = el.einsum(eq, *ops)
        assert type(got) is type(want)
        _close(got, want)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(equations())
def test_contract_matches_opt_einsum(case: tuple[str, list[np.ndarray]]) -> None:
    eq, ops = case
    ops = [np.real(o).astype(float) for o in ops]
    try:
        want = opt_einsum.contract(eq, *ops)
    except (ValueError, TypeError, IndexError):
        return
    for _ in range(2):  # the first call and the generated code
        _close(el.contract(eq, *ops), want)
    _close(el.contract(eq, *ops, memory_limit="max_input"), want)


@pytest.mark.parametrize("n,seed", [(16, 0), (18, 1), (22, 2), (26, 3), (30, 4)])
def test_planned_flops_never_above_opt_einsum_auto(n: int, seed: int) -> None:
    from opt_einsum.testing import rand_equation

    eq, shapes = rand_equation(n, 3, n_out=2, d_min=2, d_max=6, seed=seed)
    _, auto = opt_einsum.contract_path(eq, *shapes, shapes=True, optimize="auto")
    _, ours = el.contract_path(eq, *shapes, shapes=True)
    assert ours.opt_cost <= auto.opt_cost
    if n <= 16:  # where dp finishes well within its time budget, at least as good as dp
        _, dp = opt_einsum.contract_path(eq, *shapes, shapes=True, optimize="dp")
        assert ours.opt_cost <= dp.opt_cost


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab.,->$ A", max_size=10),
       st.lists(st.lists(st.integers(1, 3), max_size=3), max_size=3))
def test_malformed_subscripts_raise_einstein_error(eq: str, shapes: list[list[int]]) -> None:
    ops = [np.ones(tuple(s)) for s in shapes]
    try:
        want = np.einsum(eq, *ops)
    except (ValueError, TypeError):
        with pytest.raises(EinsteinError):
            el.einsum(eq, *ops)
        return
    _close(el.einsum(eq, *ops), want)
