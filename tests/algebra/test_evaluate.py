"""The reference evaluator against hand-written numpy."""

import numpy as np
import pytest

import einsteinpy_lite as el
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
