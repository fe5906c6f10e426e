"""compile(..., memory_limit=): a contraction no order fits under the limit is sliced, not refused."""

from __future__ import annotations

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite.compile.slicing import SlicedContraction, choose_slices, sliced_cost


def _arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"A": rng.normal(size=(40, 30)), "B": rng.normal(size=(50, 30)), "C": rng.normal(size=(40, 50)),
            "D": rng.normal(size=(7, 50))}


def test_a_contraction_over_the_limit_runs_sliced_with_the_right_result() -> None:
    # every order of A B C makes a 40 x 50, 40 x 30 or 50 x 30 intermediate (>= 1200 entries)
    a = _arrays()
    fn = el.compile("A^i_a B^{j a} C_{i j}", memory_limit=8 * 300)
    got = fn(A=a["A"], B=a["B"], C=a["C"])
    np.testing.assert_allclose(got, np.einsum("ia,ja,ij->", a["A"], a["B"], a["C"]), rtol=1e-12)
    plan = fn.plan(i=40, j=50, a=30)
    assert "sliced over" in str(plan) and "pieces" in str(plan)
    assert plan.largest_intermediate <= 300
    assert "_slc0(" in plan.source
    unlimited = el.compile("A^i_a B^{j a} C_{i j}", memory_limit=None).plan(i=40, j=50, a=30)
    assert "sliced" not in str(unlimited) and unlimited.largest_intermediate > 300


def test_slicing_an_output_index_fills_the_result_and_coefficients_and_functions_follow() -> None:
    # X M makes i x b = 100 entries, M N makes a x l = 100: over 50; cutting the output index i is cheapest
    rng = np.random.default_rng(1)
    X, M, N = rng.normal(size=(2, 50)), rng.normal(size=(50, 50)), rng.normal(size=(50, 2))
    fn = el.compile(r"2 \tanh(X^i_a M^a_b N^b_l)", out=("l", "i"), memory_limit=8 * 50)
    np.testing.assert_allclose(fn(X=X, M=M, N=N), 2 * np.tanh(X @ M @ N).T, rtol=1e-12)
    text = str(fn.plan(i=2, a=50, b=50, l=2))
    assert "sliced over i (chunks of 1), 2 pieces" in text


def test_sliced_pieces_add_up_for_a_summed_index() -> None:
    rng = np.random.default_rng(2)
    x, M, y = rng.normal(size=64), rng.normal(size=(64, 64)), rng.normal(size=64)
    ops, out, sizes = ((0,), (0, 1), (1,)), (), (64, 64)
    slices = choose_slices(ops, out, sizes, limit=16, out_ok=False)
    assert slices and all(x < 2 for x, _ in slices)
    run = SlicedContraction(ops, out, sizes, slices)
    assert run.pieces > 1
    np.testing.assert_allclose(run(x, M, y), x @ M @ y, rtol=1e-12)


def test_pieces_reuse_their_buffers_and_never_a_returned_result() -> None:
    # the pieces of a sliced contraction share pooled intermediates (no page faults per piece); a
    # result handed back, summed over the pieces or filled in, must survive the next call
    rng = np.random.default_rng(5)
    summed = el.compile("A^i_a B^{j a} C_{i j}", memory_limit=8 * 300)
    filled = el.compile("X^i_a M^a_b N^b_l", out=("l", "i"), memory_limit=8 * 50)
    runs = []
    for _ in range(3):
        A, B, C = rng.normal(size=(40, 30)), rng.normal(size=(50, 30)), rng.normal(size=(40, 50))
        X, M, N = rng.normal(size=(2, 50)), rng.normal(size=(50, 50)), rng.normal(size=(50, 2))
        runs.append(((A, B, C, X, M, N), summed(A=A, B=B, C=C), filled(X=X, M=M, N=N)))
    assert "sliced over" in str(summed.plan(i=40, j=50, a=30))
    assert "sliced over" in str(filled.plan(i=2, a=50, b=50, l=2))
    for (A, B, C, X, M, N), s, f in runs:
        np.testing.assert_allclose(s, np.einsum("ia,ja,ij->", A, B, C), rtol=1e-12)
        np.testing.assert_allclose(f, (X @ M @ N).T, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.complex128, np.int64])
def test_sliced_pieces_keep_the_arrays_dtype(dtype: type) -> None:
    # pieces of one floating dtype pool their intermediates in buffers of that dtype (float64 buffers
    # would turn float32 into float64, and refuse a complex product); integers compute as numpy's einsum
    rng = np.random.default_rng(6)
    A, B, C = rng.normal(size=(40, 30)), rng.normal(size=(50, 30)), rng.normal(size=(40, 50))
    if dtype is np.complex128:
        A = A + 1j * rng.normal(size=A.shape)
    A, B, C = (np.round(4 * v) if dtype is np.int64 else v for v in (A, B, C))
    A, B, C = (v.astype(dtype) for v in (A, B, C))
    fn = el.compile("X^i_a Y^{j a} Z_{i j}", memory_limit=8 * 300)
    for _ in range(2):
        got = fn(X=A, Y=B, Z=C)
        assert np.asarray(got).dtype == np.einsum("ia,ja,ij->", A, B, C).dtype
        np.testing.assert_allclose(got, np.einsum("ia,ja,ij->", A, B, C), rtol=1e-5 if dtype is np.float32 else 1e-12)
    assert "sliced over" in str(fn.plan(i=40, j=50, a=30))


def test_no_slicing_when_an_order_fits() -> None:
    # (A^i_k B^k_j) C^j_l would make i x j = 40 x 50; A (B C) makes k x l = 6 entries
    rng = np.random.default_rng(3)
    A, B, C = rng.normal(size=(40, 3)), rng.normal(size=(3, 50)), rng.normal(size=(50, 2))
    fn = el.compile("A^i_k B^k_j C^j_l", memory_limit=8 * 100)
    np.testing.assert_allclose(fn(A=A, B=B, C=C), A @ B @ C, rtol=1e-12)
    text = str(fn.plan(i=40, k=3, j=50, l=2))
    assert "sliced" not in text


def test_the_index_is_chosen_by_cost() -> None:
    ops, out, sizes = ((0, 1), (1, 2), (2, 3)), (0, 3), (2, 50, 50, 2)
    chosen = choose_slices(ops, out, sizes, limit=50)
    cost = sliced_cost(ops, out, sizes, chosen)
    assert cost[1] <= 50
    for lab in range(4):  # any single index cut into pieces of one that meets the limit costs at least as much
        other = sliced_cost(ops, out, sizes, [(lab, 1)])
        if other[1] <= 50:
            assert cost[0] <= other[0]


def test_a_limit_no_slicing_can_meet_is_an_einstein_error() -> None:
    a = _arrays()
    fn = el.compile("A^i_a B_j^a D^{k j}", out=("i", "k"), memory_limit=8 * 100)
    with pytest.raises(el.EinsteinError, match="has 280 entries .* over the memory limit of 800 B: no slicing"):
        fn(A=a["A"], B=a["B"], D=a["D"])
    with pytest.raises(el.EinsteinError, match="no slicing meets the memory limit of 50 entries"):
        choose_slices(((0,), (1,), (2,)), (0, 1, 2), (10, 10, 10), limit=50, out_ok=False)


def test_a_limit_with_a_unit_is_the_same_limit() -> None:
    a = _arrays()
    text = el.compile("A^i_a B^{j a} C_{i j}", memory_limit="2.4 kB")
    assert text is el.compile("A^i_a B^{j a} C_{i j}", memory_limit=2400)
    assert text is el.compile("A^i_a B^{j a} C_{i j}", memory_limit=np.int64(2400))  # numpy scalars are sizes
    np.testing.assert_allclose(text(A=a["A"], B=a["B"], C=a["C"]), np.einsum("ia,ja,ij->", a["A"], a["B"], a["C"]))
    assert "sliced over" in str(text.plan(i=40, j=50, a=30))


@pytest.mark.parametrize("bad, match", [("1 GiBs", "is not a size in bytes"), ("lots", "is not a size in bytes"),
                                        (-5, "must be a positive number"), ("0MiB", "must be a positive number"),
                                        (float("nan"), "must be a positive number"), ([1], "is not a size")])
def test_a_limit_that_is_no_size_is_an_einstein_error(bad: object, match: str) -> None:
    with pytest.raises(el.EinsteinError, match=match):
        el.compile("A^i_a B^{j a} C_{i j}", memory_limit=bad)  # type: ignore[arg-type]


def test_el_contract_slices_by_the_same_choice() -> None:
    a = _arrays(4)
    got = el.contract("ia,ja,ij->", a["A"], a["B"], a["C"], memory_limit=300)
    np.testing.assert_allclose(got, np.einsum("ia,ja,ij->", a["A"], a["B"], a["C"]), rtol=1e-12)


def test_torch_arrays_slice_summed_indices_only() -> None:
    torch = pytest.importorskip("torch")
    a = _arrays(5)
    fn = el.compile("A^i_a B^{j a} C_{i j}", memory_limit=8 * 300)
    got = fn(A=torch.tensor(a["A"]), B=torch.tensor(a["B"]), C=torch.tensor(a["C"]))
    np.testing.assert_allclose(float(got), np.einsum("ia,ja,ij->", a["A"], a["B"], a["C"]), rtol=1e-12)
