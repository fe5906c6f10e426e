"""Kept indices through evaluate, simplify, canonical and diff, against numpy written here and finite differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite.core.atoms import Delta
from einsteinpy_lite.core.expr import Expr, Product

rng = np.random.default_rng(7)
NB, NI, NJ, NK, NL, N = 3, 4, 5, 2, 3, 6
ARR = {
    "x": rng.normal(size=N), "y": rng.normal(size=N), "z": rng.normal(size=N), "w": rng.normal(size=N),
    "A": rng.normal(size=(NB, NI, NJ)), "C": rng.normal(size=(NB, NJ, NK)), "D": rng.normal(size=(NB, NK, NL)),
    "v": rng.normal(size=NB), "M": rng.normal(size=(N, N)),
}


def sig(t: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-t))


def dsig(t: np.ndarray) -> np.ndarray:
    return sig(t) * (1 - sig(t))


# text -> the value in plain numpy (axes in the order of the expression's free indices)
VALUES: list[tuple[str, Callable[[dict[str, np.ndarray]], np.ndarray]]] = [
    (r"x^i \odot y^i", lambda a: a["x"] * a["y"]),
    (r"x^i \odot y^i \odot z^i", lambda a: a["x"] * a["y"] * a["z"]),
    (r"A_b^i_j \odot C_b^j_k", lambda a: np.einsum("bij,bjk->bik", a["A"], a["C"])),
    (r"A_b^i_j \odot C_b^j_k \odot D_b^k_l", lambda a: np.einsum("bij,bjk,bkl->bil", a["A"], a["C"], a["D"])),
    (r"(A_b^i_j \odot C_b^j_k) v^b", lambda a: np.einsum("bij,bjk,b->ik", a["A"], a["C"], a["v"])),
    (r"(x^i \odot y^i) w_i", lambda a: np.einsum("i,i,i->", a["x"], a["y"], a["w"])),
    (r"x^i \odot y^i \odot z_i \odot w^i", lambda a: np.einsum("i,i,i->", a["x"], a["y"], a["z"]) * a["w"]),
    (r"\sigma'(z^m) \odot \delta^m_n", lambda a: np.diag(dsig(a["z"]))),
    (r"(\sigma'(z^m) \odot \delta^m_n) x_m", lambda a: dsig(a["z"]) * a["x"]),
    (r"x^i \odot \delta^i_j y^j", lambda a: a["x"] * a["y"]),
    (r"M^i_j \odot x^i", lambda a: a["M"] * a["x"][:, None]),
    (r"M^i_j x^j \odot y^i", lambda a: (a["M"] @ a["x"]) * a["y"]),
    (r"\sigma(x^i \odot y^i) \odot z^i + w^i", lambda a: sig(a["x"] * a["y"]) * a["z"] + a["w"]),
    (r"2 (x^i + y^i) \odot (z^i - w^i)", lambda a: 2 * (a["x"] + a["y"]) * (a["z"] - a["w"])),
    # harness (the odot generator): a delta from a kept index to a summed one is the diagonal, x^{d d} no tensor
    (r"M^{d n} \odot \delta^{d}_{n}", lambda a: np.diag(a["M"])),
    (r"\delta_{n d} \odot M_{d}^{n}", lambda a: np.diag(a["M"])),
    (r"(M^{d n} + x^d y^n) \odot \delta^{d}_{n} \odot z^d", lambda a: (np.diag(a["M"]) + a["x"] * a["y"]) * a["z"]),
]


def value(e: Expr) -> np.ndarray:
    return np.asarray(el.evaluate(e, ARR))


@pytest.mark.parametrize("text,ref", VALUES, ids=[t for t, _ in VALUES])
def test_evaluate_simplify_and_canonical_keep_the_value(text, ref):
    e = el.parse(text)
    want = ref(ARR)
    np.testing.assert_allclose(value(e), want, rtol=1e-12, atol=1e-12)
    s = el.simplify(e)
    assert s.free == e.free  # the axis order of the result is kept
    np.testing.assert_allclose(value(s), want, rtol=1e-12, atol=1e-12)
    assert el.simplify(s) == s
    c = el.canonical(e)
    names = [ix.name for ix in c.free]
    got = value(c)
    if got.ndim:
        got = np.transpose(got, [names.index(ix.name) for ix in e.free])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_a_delta_on_a_kept_index_is_a_diagonal_not_a_rename():
    e = el.parse(r"\sigma'(z^m) \odot \delta^m_n")
    s = el.simplify(e)
    assert s == e and any(isinstance(n, Delta) for n in s.walk())


def test_a_delta_through_a_summed_index_is_still_contracted():
    assert el.simplify(el.parse(r"x^i \odot \delta^i_j y^j")) == el.parse(r"x^i \odot y^i")


def test_canonical_forms_of_reordered_hadamard_products_agree():
    assert el.canonical(r"x^i \odot y^i") == el.canonical(r"y^i \odot x^i")
    assert el.simplify(r"x^i \odot y^i + y^i \odot x^i") == el.parse(r"2 x^i \odot y^i")
    assert el.canonical(r"x^i \odot y^i") != el.canonical(r"x^i \odot z^i")


# ----------------------------------------------------------------- diff


def test_diff_of_an_elementwise_product_is_a_diagonal():
    d = el.diff(r"x^i \odot y^i", "x^m")
    assert d == el.parse(r"\delta^i_m \odot y^i")
    assert isinstance(d, Product) and d.kept == {"i"}
    np.testing.assert_allclose(value(d), np.diag(ARR["y"]), rtol=1e-14)


def _fd(f: Callable[[dict[str, np.ndarray]], np.ndarray], name: str, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the numpy function ``f`` in the array ``name``: axes f's, then name's."""
    base = ARR[name]
    out = None
    for idx in np.ndindex(*base.shape):
        plus, minus = dict(ARR), dict(ARR)
        plus[name], minus[name] = base.copy(), base.copy()
        plus[name][idx] += eps
        minus[name][idx] -= eps
        col = (np.asarray(f(plus)) - np.asarray(f(minus))) / (2 * eps)
        if out is None:
            out = np.zeros(col.shape + base.shape)
        out[(...,) + idx] = col
    assert out is not None
    return out


# text, variable, the value in numpy (axes as the expression's free indices)
DIFFS = [
    (r"x^i \odot y^i", "x^m", lambda a: a["x"] * a["y"]),
    (r"x^i \odot x^i", "x^m", lambda a: a["x"] ** 2),
    (r"x^i \odot x^i \odot x^i", "x^m", lambda a: a["x"] ** 3),
    (r"\sigma(z^i) \odot y^i", "z^m", lambda a: sig(a["z"]) * a["y"]),
    (r"(x^i \odot x^i) w_i", "x^m", lambda a: np.sum(a["x"] ** 2 * a["w"])),
    (r"A_b^i_j \odot C_b^j_k", "A_c^p_q", lambda a: np.einsum("bij,bjk->bik", a["A"], a["C"])),
    (r"A_b^i_j \odot C_b^j_k", "C_c^p_q", lambda a: np.einsum("bij,bjk->bik", a["A"], a["C"])),
    (r"\sigma(M^i_j x^j) \odot y^i", "x^m", lambda a: sig(a["M"] @ a["x"]) * a["y"]),
    (r"\sigma(x^i \odot y^i) \odot x^i", "x^m", lambda a: sig(a["x"] * a["y"]) * a["x"]),
]


@pytest.mark.parametrize("text,wrt,f", DIFFS, ids=[f"{t} by {v}" for t, v, _ in DIFFS])
def test_diff_through_kept_indices_matches_finite_differences(text, wrt, f):
    e = el.parse(text)
    var = el.parse(wrt)
    want = _fd(f, var.name)
    want_free = [ix.name for ix in e.free] + [ix.name for ix in var.free]
    sizes = dict(zip(want_free, want.shape))  # an index only on deltas (p of \delta^i_p) gets its size here
    for simplify in (True, False):
        d = el.diff(e, wrt, simplify=simplify)
        assert sorted(ix.name for ix in d.free) == sorted(want_free)
        got = np.asarray(el.evaluate(d, ARR, sizes=sizes))
        names = [ix.name for ix in d.free]
        if got.ndim:
            got = np.transpose(got, [names.index(n) for n in want_free])
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


def test_a_sum_bound_diagonal_index_is_renamed_with_its_sum():
    # the checker's diagonal of d sigma(t^m) / d t^m: simplify renamed \sum_{u1} to \sum_k in the delta but
    # left the diagonal's own slot u1 (a Diag's bound slot was invisible to open_bound and rename_bound)
    e = el.parse(r"\sum_{u1} [\nabla\sigma(t^m)]^m_{u1} \odot \delta_{u1}^m")
    s = el.simplify(e)
    assert not s.open_bound
    t = np.random.default_rng(5).standard_normal(4)
    sg = 1 / (1 + np.exp(-t))
    np.testing.assert_allclose(el.compile(s)(t=t), sg * (1 - sg))
    assert el.equal(e, el.parse(r"\sigma'(t^m)"))


def test_a_derivative_whose_sizes_are_renamed_keeps_its_kept_indices():
    # harness (the odot generator): d/dt1 of (\sum_q (\delta^m_q + t1^m)) \odot (...) rebuilt the Hadamard product
    # without its kept m when the variable's slot size \dim(t1, 1) was renamed N_a: 'm appears twice up'
    e = el.parse(r"(\sum_{q} (\delta^{m}_{q} + t1^{m})) \odot (b2_{n} v_{i}^{n} \tanh(\delta^{m i}))")
    b2, v = rng.normal(size=3), rng.normal(size=(4, 3))
    want = 4 * np.einsum("ma,n,in,mi->ma", np.eye(4), b2, v, np.tanh(np.eye(4)))  # N_q = N_a = 4
    for simp in (True, False):
        d = el.diff(e, "t1^{a}", simplify=simp)
        got = el.compile(d, out=("m", "a"))(b2=b2, v=v, **({"N_a": 4} if "N_a" in el.compile(d).scalars else {}))
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_simplify_names_a_trace_made_inside_a_hadamard_product_as_a_second_pass_would():
    # harness: \delta^q_l \odot \Gamma_q^{l d} contracted to \Gamma_q^{q d}, which a second simplify named \Gamma_i^{i d}
    e = el.parse(r"(3 \delta^{q}_{l} \Gamma_{q}^{l d}) \odot x^{d}")
    s = el.simplify(e)
    assert el.simplify(s) == s
    G = rng.normal(size=(4, 4, N))
    np.testing.assert_allclose(el.compile(s)(Gamma=G, x=ARR["x"]), 3 * np.einsum("qqd->d", G) * ARR["x"])


def test_a_dummy_of_a_hadamard_product_in_a_function_never_takes_the_name_of_a_size_around_it():
    # harness seed 1657467880: canonical raised y_l and lambda_l in softmax(y_l \odot lambda_l) with a metric each, and
    # joining them renamed the clash to s1 -- the name of an N_s1 beside it, which compile then read as y's size
    e = el.parse(r"\mathrm{N_s1} \mathrm{softmax}(y_{l} \odot \lambda_{l}) S^{j l}")
    y, lam, S = rng.normal(size=4), rng.normal(size=4), rng.normal(size=(3, 4))
    z = y * lam
    want = 7.0 * S @ (np.exp(z) / np.exp(z).sum())
    for form in (e, el.simplify(e), el.canonical(e)):
        got = el.compile(form, out=("j",))(y=y, **{"lambda": lam}, S=S, N_s1=7.0)
        np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("text", [
    # harness seeds 1969799717, 4140625873, 1630696971: a trace in a Hadamard factor kept a name in one pass and
    # not the next
    r"\mathrm{square}((\delta^{i}_{s1} \mathrm{eps}^{s1}) \odot \mathrm{softmax}(R^{s1}_{s1}^{i}))",
    r"(\delta^{i}_{s1} \mathrm{eps}^{s1}) \odot \sigma(R^{s1}_{s1}^{i})",
    r"(v_{j2} \odot v_{j2} + v_{j2}) \odot (-x_{j2}^{b d} \mathrm{eps}^{s1}_{s1} \mathrm{eps}^{p}_{p} \Gamma_{d b} - v_{j2} + v_{j2})",
    r"(\delta_{l u1} x^{i l u1}) \odot (-A_{l} \delta^{l i} b2_{p}^{p})",  # seed 1630696971
])
def test_simplify_of_a_hadamard_product_with_traces_is_idempotent(text):
    s = el.simplify(text)
    assert el.simplify(s) == s
    assert el.equal(s, text)


def test_a_delta_is_never_contracted_into_a_tensor_whose_own_trace_has_the_name():
    # harness seed 1377443536: simplify showed G's trace as j beside a kept j, then contracted \delta_j^i into G:
    # G_{j j}^{j}, an error
    e = el.parse(r"A_{q}^{m}_{j} \odot (-\alpha \delta_{j}^{i} \Gamma_{q m} G_{j2 i}^{j2})")
    s = el.simplify(e)
    assert el.simplify(s) == s
    A, Gam, G = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3)), rng.normal(size=(5, 4, 5))
    want = -0.5 * np.einsum("qmj,qm,kjk->qj", A, Gam, G)  # q and j kept, m summed across the odot
    for form in (e, s, el.canonical(e)):
        got = el.compile(form, out=("q", "j"))(A=A, Gamma=Gam, G=G, alpha=0.5)
        np.testing.assert_allclose(got, want, rtol=1e-12)
