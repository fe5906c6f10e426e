"""Compiling kept indices: the einsum output keeps them, hyperedges (one index in 3+ operands) are planned,
and no identity or diagonal array is built for a delta on a kept index."""

from __future__ import annotations

import numpy as np
import pytest

import einsteinpy_lite as el

rng = np.random.default_rng(11)
NB, NI, NJ, NK, NL, N = 3, 4, 5, 2, 3, 6
ARR = {
    "x": rng.normal(size=N), "y": rng.normal(size=N), "z": rng.normal(size=N), "w": rng.normal(size=N),
    "A": rng.normal(size=(NB, NI, NJ)), "C": rng.normal(size=(NB, NJ, NK)), "D": rng.normal(size=(NB, NK, NL)),
    "v": rng.normal(size=NB), "M": rng.normal(size=(N, N)), "P": rng.normal(size=(NB, N)), "Q": rng.normal(size=(NB, N)),
}


def dsig(t: np.ndarray) -> np.ndarray:
    s = 1 / (1 + np.exp(-t))
    return s * (1 - s)


# text, numpy einsum with explicit output (or a plain numpy formula), the tensors it uses
CASES = [
    (r"x^i \odot y^i", lambda a: np.einsum("i,i->i", a["x"], a["y"])),
    (r"x^i \odot y^i \odot z^i", lambda a: np.einsum("i,i,i->i", a["x"], a["y"], a["z"])),
    (r"x^i \odot y^i \odot z^i \odot w^i", lambda a: np.einsum("i,i,i,i->i", a["x"], a["y"], a["z"], a["w"])),
    (r"(x^i \odot y^i \odot z^i) w_i", lambda a: np.einsum("i,i,i,i->", a["x"], a["y"], a["z"], a["w"])),
    (r"A_b^i_j \odot C_b^j_k", lambda a: np.einsum("bij,bjk->bik", a["A"], a["C"])),
    (r"A_b^i_j \odot C_b^j_k \odot D_b^k_l", lambda a: np.einsum("bij,bjk,bkl->bil", a["A"], a["C"], a["D"])),
    (r"(A_b^i_j \odot C_b^j_k) v^b", lambda a: np.einsum("bij,bjk,b->ik", a["A"], a["C"], a["v"])),
    (r"P_b^i \odot Q_b^i", lambda a: np.einsum("bi,bi->bi", a["P"], a["Q"])),
    (r"P_b^i \odot Q_b^j", lambda a: np.einsum("bi,bj->bij", a["P"], a["Q"])),
    (r"(P_b^i \odot Q_b^j) M_{j i}", lambda a: np.einsum("bi,bj,ji->b", a["P"], a["Q"], a["M"])),
    (r"M^i_j \odot x^i", lambda a: np.einsum("ij,i->ij", a["M"], a["x"])),
    (r"M^i_j x^j \odot y^i", lambda a: np.einsum("ij,j,i->i", a["M"], a["x"], a["y"])),
    (r"(\sigma'(z^m) \odot \delta^m_n) x_m", lambda a: dsig(a["z"]) * a["x"]),
    (r"(\sigma'(z^m) \odot \delta^m_n) M^n_k", lambda a: dsig(a["z"])[:, None] * a["M"]),
    (r"\sigma'(z^m) \odot \delta^m_n", lambda a: np.diag(dsig(a["z"]))),
    (r"(x^i \odot \delta^i_j \odot y_j) w^j", lambda a: np.einsum("i,i,i->i", a["x"], a["y"], a["w"])),
    (r"(x^i \odot y^i) \delta_{i j} z^j", lambda a: np.einsum("i,i,i->", a["x"], a["y"], a["z"])),
    (r"x^i \odot y^i + M^i_j z^j", lambda a: a["x"] * a["y"] + a["M"] @ a["z"]),
]


@pytest.mark.parametrize("text,ref", CASES, ids=[t for t, _ in CASES])
def test_compiled_hadamard_products_match_numpy(text, ref):
    e = el.parse(text)
    fn = el.compile(e)
    names = {t for t in e.tensors()}
    got = fn(**{k: v for k, v in ARR.items() if k in names})
    np.testing.assert_allclose(got, ref(ARR), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("text", [r"(\sigma'(z^m) \odot \delta^m_n) x_m", r"(\sigma'(z^m) \odot \delta^m_n) M^n_k",
                                  r"(x^i \odot \delta^i_j \odot y_j) w^j", r"(x^i \odot y^i) \delta_{i j} z^j"])
def test_no_identity_array_is_built_for_a_delta_on_a_kept_index(text):
    e = el.parse(text)
    fn = el.compile(e)
    names = {t for t in e.tensors()}
    fn(**{k: v for k, v in ARR.items() if k in names})
    assert fn.source is not None and "eye" not in fn.source and "diag" not in fn.source


def test_a_batched_matrix_product_is_one_batched_matmul():
    fn = el.compile(el.parse(r"A_b^i_j \odot C_b^j_k"))
    fn(A=ARR["A"], C=ARR["C"])
    assert fn.source is not None and fn.source.count("@") == 1 and "einsum" not in fn.source


def test_the_derivative_of_a_hadamard_product_compiles_to_its_value():
    d = el.diff(r"x^i \odot \sigma(z^i)", "z^m")  # diag(x * sigma'(z)), a diagonal
    fn = el.compile(d)
    np.testing.assert_allclose(fn(x=ARR["x"], z=ARR["z"]), np.diag(ARR["x"] * dsig(ARR["z"])), rtol=1e-12)
    g = el.compile(el.parse(r"v_i") * d)  # contracted with a vector: no diagonal built
    v = ARR["w"]
    np.testing.assert_allclose(g(v=v, x=ARR["x"], z=ARR["z"]), v * ARR["x"] * dsig(ARR["z"]), rtol=1e-12)
    assert g.source is not None and "eye" not in g.source
