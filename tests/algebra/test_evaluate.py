"""The reference evaluator against hand-written numpy."""

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError
from einsteinpy_lite.algebra.evaluate import array_name, evaluate

rng = np.random.default_rng(7)
K, NX, N1, NY = 5, 3, 4, 2
ARR = dict(x=rng.normal(size=(K, NX)), B=rng.normal(size=(NX, N1)), A=rng.normal(size=(N1, NY)),
           y=rng.normal(size=(K, NY)), b=rng.normal(size=N1))


def sig(z):
    return 1 / (1 + np.exp(-z))


CASES = [
    ("A^i_j y_k^j", None),  # k free: y's first slot
    (r"B^i_j \sigma(A^j_l y^l)", lambda a: a["B"] @ sig(a["A"] @ a["y"][0])),
    (r"\sum_k (x_k^i - B^i_j \sigma(A^j_l y_k^l + b^j))",
     lambda a: (a["x"] - sig(a["y"] @ a["A"].T + a["b"]) @ a["B"].T).sum(0)),
    (r"\delta^i_j b^j", lambda a: a["b"]),
    (r"\delta^i_i", lambda a: float(N1)),
    (r"[\nabla\sigma(A^i_l y^l)]^i_j b^j",
     lambda a: sig(a["A"] @ a["y"][0]) * (1 - sig(a["A"] @ a["y"][0])) * a["b"]),
]


@pytest.mark.parametrize("text,ref", [c for c in CASES if c[1] is not None])
def test_evaluate_matches_numpy(text, ref):
    e = el.parse(text)
    arrays = dict(ARR, y=ARR["y"][0]) if "y^l" in text else ARR
    got = evaluate(e, arrays, sizes={"i": N1} if text == r"\delta^i_i" else None)
    np.testing.assert_allclose(got, ref(ARR), rtol=1e-12)


def test_axes_follow_free_order():
    got = evaluate(el.parse("A^i_j y_k^j"), ARR)
    np.testing.assert_allclose(got, np.einsum("ij,kj->ik", ARR["A"], ARR["y"]))


def test_missing_array_and_scalar_are_einstein_errors():
    with pytest.raises(el.EinsteinError, match="no array for tensor 'C'"):
        evaluate(el.parse("C^i_j b^j"), ARR)
    with pytest.raises(el.EinsteinError, match="no value for the scalar 'K'"):
        evaluate(el.parse("K b^i"), ARR)


def test_array_names():
    assert array_name(r"\epsilon") == "epsilon"
    assert array_name(r"\nabla\sigma") == "nabla_sigma"


def test_shapes_that_disagree_and_wrong_kinds_are_einstein_errors():
    e = el.parse("A^i_j y^j")
    with pytest.raises(el.EinsteinError, match=r"evaluate: the arrays' shapes do not fit the expression") as info:
        evaluate(e, {"A": np.ones((2, 3)), "y": np.ones(4)})
    assert "'y': (4,)" in str(info.value)
    with pytest.raises(el.EinsteinError, match=r"arrays must be a dict of arrays by tensor name, got NoneType"):
        evaluate(e, None)  # type: ignore[arg-type]


# ---------------------------------------------------------------- issue 10: scopes, complex input, many factors


def test_a_dummy_name_reused_in_another_term_may_have_another_size():
    """One size per index occurrence scope: j is 3 in the first term and 5 in the second."""
    r = np.random.default_rng(1)
    A, y, B, z = r.normal(size=(2, 3)), r.normal(size=3), r.normal(size=(2, 5)), r.normal(size=5)
    e = el.parse(r"A^i_j y^j + B^i_j \delta^j_k z^k")
    got = evaluate(e, {"A": A, "y": y, "B": B, "z": z})
    np.testing.assert_allclose(got, A @ y + B @ z, rtol=1e-12)


def test_a_size_symbol_of_a_dummy_is_the_size_in_its_own_term():
    r = np.random.default_rng(2)
    A, y, B, z = r.normal(size=(2, 3)), r.normal(size=3), r.normal(size=(2, 5)), r.normal(size=5)
    e = el.parse(r"A^i_j y^j + \mathrm{N_j} B^i_j z^j")  # N_j: the size of the second term's own j
    got = evaluate(e, {"A": A, "y": y, "B": B, "z": z})
    np.testing.assert_allclose(got, A @ y + 5 * (B @ z), rtol=1e-12)


def test_complex_input_to_a_function_keeps_its_imaginary_part():
    x = np.array([0.3 + 1.0j, -0.5 - 0.2j])
    np.testing.assert_allclose(evaluate(el.parse(r"\exp(x^i)"), {"x": x}), np.exp(x), rtol=1e-12)
    W = np.array([[1.0, 2.0], [0.5, -1.0]])
    got = evaluate(el.parse(r"\tanh(W^i_j x^j)"), {"W": W, "x": x})
    np.testing.assert_allclose(got, np.tanh(W @ x), rtol=1e-12)
    assert np.iscomplexobj(got)


@pytest.mark.parametrize("n", [26, 30, 60])
def test_many_factors_do_not_run_out_of_letters(n):
    r = np.random.default_rng(n)
    mats = [r.normal(size=(2, 2)) / 1.5 for _ in range(n)]
    names = ["i"] + [f"j{t}" for t in range(1, n)] + ["k"]
    text = " ".join(f"M{t}^{{{names[t]}}}_{{{names[t + 1]}}}" for t in range(n))
    got = evaluate(el.parse(text), {f"M{t}": m for t, m in enumerate(mats)})
    np.testing.assert_allclose(got, np.linalg.multi_dot(mats), rtol=1e-10)


def test_random_arrays_give_sum_bounds_integer_sizes():
    """K was drawn as a float in [0.5, 1.5] and truncated: \\sum_{a=0}^{K-1} x^i was 0 or x^i."""
    from einsteinpy_lite.algebra.evaluate import random_arrays

    e = el.parse(r"\sum_{a=0}^{K-1} x^i")
    arrays, scalars, sizes = random_arrays([e], size=4, rng=np.random.default_rng(5))
    assert scalars["K"] == 4 and isinstance(scalars["K"], int)
    np.testing.assert_allclose(evaluate(e, arrays, sizes, **scalars), 4 * arrays["x"], rtol=1e-12)
    # with the bound index on an array, the count matches the array's axis
    e = el.parse(r"\frac{1}{K} \sum_{k=1}^{K} x_k^i")
    arrays, scalars, sizes = random_arrays([e], size=3, rng=np.random.default_rng(6))
    np.testing.assert_allclose(evaluate(e, arrays, sizes, **scalars), arrays["x"].mean(axis=0), rtol=1e-12)


def test_scalar_values_are_numbers_never_text(tmp_path):
    # a string value reached sympy's subs, which sympifies (evaluates) it: that ran arbitrary code
    marker = tmp_path / "ran"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch() or 2"
    x = np.ones(2)
    for bad in (payload, "2", [2], None, True):
        with pytest.raises(EinsteinError, match="the scalar K must be a number"):
            el.evaluate(el.parse("K x^i"), {"x": x}, K=bad)
    assert not marker.exists()
    np.testing.assert_allclose(el.evaluate(el.parse("K x^i"), {"x": x}, K=3), 3 * x)


def test_a_free_index_sized_only_by_a_later_term():
    # the first pass stopped at the delta (no size for \mu yet) and never saw H, which carries it
    # (found by the differential harness)
    H = np.arange(9.0).reshape(3, 3)
    got = evaluate(el.parse(r"-\delta_{p}^{\mu} + H^{\mu}_{p}"), {"H": H})
    np.testing.assert_allclose(got, H.T - np.eye(3))  # axes (p, \mu): the first term's order


def test_a_size_symbol_inside_a_factor_sized_by_a_tensor_beside_it():
    # N_u1 in the sum factor is the size of the product's dummy u1, which only W1 and eps carry; the
    # sum used to be evaluated before them ("no value for the scalar N_u1"; found by the harness)
    rng = np.random.default_rng(0)
    A, W, eps = rng.normal(size=(3, 3)), rng.normal(size=4), rng.normal(size=(4, 3, 2, 5))
    e = el.parse(r"(\mathrm{N_u1} A_{a s1} + 3 \delta_{s1 a}) W1_{u1} \epsilon^{u1 a i1}_{c}")
    got = evaluate(e, {"A": A, "W1": W, "epsilon": eps})
    np.testing.assert_allclose(got, np.einsum("as,u,uaic->sic", 4 * A + 3 * np.eye(3), W, eps))
