"""``parse(text, convention="einsum", out=...)``: numpy's einsum semantics on index notation, against np.einsum."""

from __future__ import annotations

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError

rng = np.random.default_rng(3)
N = {"i": 3, "j": 4, "k": 5, "l": 2}


def arr(spec: str) -> np.ndarray:
    return rng.normal(size=tuple(N[c] for c in spec))


# text, out, the same contraction as numpy einsum subscripts (operands in the order the tensors appear)
CASES = [
    ("A_{ij} B_{jk}", "ik", "ij,jk->ik"),
    ("A_{ij} B_{jk}", "ki", "ij,jk->ki"),
    ("A_{ij} B_{jk} C_{ik}", "ik", "ij,jk,ik->ik"),
    ("A_{ij} B_{jk} C_{ik}", "", "ij,jk,ik->"),
    ("A_{ij} B_{jk} C_{ik}", "j", "ij,jk,ik->j"),
    ("x_i y_i", "i", "i,i->i"),
    ("x_i y_i", "", "i,i->"),
    ("x_i y^i z_i", "", "i,i,i->"),  # three occurrences, any position: summed
    ("x_i y^i z_i", "i", "i,i,i->i"),
    ("A_{ii}", "i", "ii->i"),
    ("A_{ii}", "", "ii->"),
    ("A_{ij}", "ji", "ij->ji"),
    ("A_{ij} x_j", "ij", "ij,j->ij"),
    ("A_b^i_j B_b^j_k", "bik", "bij,bjk->bik"),
    ("A_b^i_j B_b^j_k", "ik", "bij,bjk->ik"),
    ("A_{i i j} x_j", "i", "iij,j->i"),
    ("A_{iji} B_{jk}", "ik", "iji,jk->ik"),
]

SIZES = {"b": 2}


def operands(text: str, spec: str) -> list[np.ndarray]:
    return [rng.normal(size=tuple({**N, **SIZES}[c] for c in s)) for s in spec.split("->")[0].split(",")]


@pytest.mark.parametrize("text,out,spec", CASES, ids=[f"{t} -> {o}" for t, o, _ in CASES])
def test_einsum_convention_matches_numpy(text, out, spec):
    e = el.parse(text, convention="einsum", out=out)
    assert sorted(ix.name for ix in e.free) == sorted(out)
    ops = operands(text, spec)
    names = list(dict.fromkeys(h for h in e.tensors()))
    got = el.compile(e, out=tuple(out))(**dict(zip(names, ops)))
    np.testing.assert_allclose(got, np.einsum(spec, *ops), rtol=1e-12, atol=1e-12)
    # and it reads back from its printed form under the default convention
    assert el.parse(el.text(e)) == e


def test_other_indices_are_summed_per_term():
    x, y = rng.normal(size=3), rng.normal(size=3)
    e = el.parse("x_i + y_i", convention="einsum", out="")
    assert np.isclose(el.compile(e)(x=x, y=y), x.sum() + y.sum())
    f = el.parse(r"A_{ij} x_j + \sigma(y_i)", convention="einsum", out="i")
    A, v = rng.normal(size=(3, 4)), rng.normal(size=4)
    np.testing.assert_allclose(el.compile(f)(A=A, x=v, y=x), A @ v + 1 / (1 + np.exp(-x)), rtol=1e-12)


def test_the_out_forms_agree():
    a = el.parse("A_{i1 j} B_{j k}", convention="einsum", out="i1 k")
    assert a == el.parse("A_{i1 j} B_{j k}", convention="einsum", out=("i1", "k"))
    assert el.parse(r"x_\mu y_\mu", convention="einsum", out=r"\mu").free[0].name == r"\mu"


@pytest.mark.parametrize("kwargs,message", [
    (dict(convention="einsum", out="iq"), r"out lists index 'q', which is not an index of the result"),
    (dict(convention="einsum", out="ii"), r"out lists index 'i' twice"),
    (dict(convention="einsum", out="i-"), r"out: '-' is not an index name"),
    (dict(convention="einsum", out=3), r"out= is text such as 'ij' or a tuple of index names, got int"),
    (dict(convention="einsum", out=("i", "2")), r"invalid index name .2."),
    (dict(convention="einsum"), r"convention='einsum' needs out="),
    (dict(out="i"), r"out= goes with convention='einsum'"),
])
def test_bad_out_is_an_error(kwargs, message):
    with pytest.raises(EinsteinError, match=message):
        el.parse("x_i y_i", **kwargs)


def test_an_out_index_bound_by_an_explicit_sum_is_an_error():
    with pytest.raises(EinsteinError, match=r"out lists index 'k', which is not an index of the result"):
        el.parse(r"\sum_k x_k y_i", convention="einsum", out="ik")


def test_random_equations_match_numpy():
    """Random operands over i, j, k, l (repeats inside one operand too), random outputs, random positions."""
    gen = np.random.default_rng(5)
    for _ in range(60):
        specs = ["".join(gen.choice(list("ijkl"), size=gen.integers(1, 4))) for _ in range(gen.integers(1, 4))]
        letters = sorted(set("".join(specs)))
        out = "".join(gen.permutation([c for c in letters if gen.random() < 0.5]))
        heads = "ABC"
        text = " ".join(f"{heads[n]}" + "".join(("^" if gen.random() < 0.5 else "_") + c for c in s)
                        for n, s in enumerate(specs))
        ops = [gen.normal(size=tuple(N[c] for c in s)) for s in specs]
        e = el.parse(text, convention="einsum", out=out)
        got = el.compile(e, out=tuple(out))(**{heads[n]: op for n, op in enumerate(ops)})
        want = np.einsum(",".join(specs) + "->" + out, *ops)
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10, err_msg=f"{text} -> {out}")
        np.testing.assert_allclose(np.asarray(el.evaluate(e, dict(zip(heads, ops)))),
                                   np.einsum(",".join(specs) + "->" + "".join(ix.name for ix in e.free), *ops),
                                   rtol=1e-10, atol=1e-10, err_msg=f"evaluate {text} -> {out}")


def test_a_number_beside_a_term_with_kept_indices_is_broadcast_as_numpy_does():
    # the Hadamard forms people write, sigma (1 - sigma) y: numpy adds 1 to every entry of sigma(z)
    e = el.parse(r"\sigma(z^m) (1 - \sigma(z^m)) y^n", convention="einsum", out="mn")
    assert e.free_keys == frozenset({("m", True), ("n", True)})
    rng = np.random.default_rng(3)
    z, y = rng.standard_normal(4), rng.standard_normal(2)
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(el.compile(e)(z=z, y=y), np.einsum("m,m,n->mn", s, 1 - s, y))
    # the broadcast 1 has derivative 0: d/dz^p [2 - sigma(z^m)] = -sigma'(z^m) delta^m_p
    d = el.diff(el.parse(r"2 - \sigma(z^m)", convention="einsum", out="m"), "z^{p}")
    np.testing.assert_allclose(el.compile(d)(z=z), -np.diag(s * (1 - s)))
    # a term with a summed index is no number: x_j y^j + 1 stays a scalar sum
    assert el.parse("x_j y^j + 1", convention="einsum", out="").free == ()


def test_broadcasting_stays_an_error_in_the_ricci_convention():
    with pytest.raises(EinsteinError, match="the terms of a sum must have the same free indices"):
        el.parse(r"1 - \sigma(z^m)")


def test_an_index_paired_inside_a_function_argument_is_summed_there() -> None:
    # found by a 50-claim benchmark document: B^i_m \sigma'(A^m_l y^l + b^m) with i, m kept was read as
    # \sum_l B^i_m \odot \sigma'(A_{ml} y^l + b_m) -- the argument's own contraction hoisted out of the
    # function (and N_l copies of b); the checker then failed a correct step
    A, B, y, b = arr("ij"), arr("ki"), arr("j"), arr("i")
    z = A @ y + b
    sig = 1 / (1 + np.exp(-z))
    arrays = {"A": A, "B": B, "y": y, "b": b}
    e = el.parse(r"B^k_m \sigma'(A^m_l y^l + b^m)", convention="einsum", out="km")
    np.testing.assert_allclose(el.evaluate(e, arrays), B * (sig * (1 - sig))[None, :])
    e = el.parse(r"\tanh(A^m_l y^l + b^m)", convention="einsum", out="m")
    np.testing.assert_allclose(el.evaluate(e, arrays), np.tanh(z))
    # an index written once inside an argument is still summed over its whole term, as numpy would
    x = arr("j")
    e = el.parse(r"\tanh(x_l)", convention="einsum", out="")
    np.testing.assert_allclose(el.evaluate(e, {"x": x}), np.tanh(x).sum())
    e = el.parse(r"c (x^l x_l + d)", convention="einsum", out="")
    np.testing.assert_allclose(el.evaluate(e, {"x": x}, c=2.0, d=3.0), 2.0 * (x @ x + 3.0))
