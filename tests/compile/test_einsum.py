"""el.einsum against numpy.einsum, el.contract against opt_einsum.contract (the oracles)."""

from __future__ import annotations

import numpy as np
import opt_einsum
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError

#: opt_einsum's own list of test equations (tests/test_contract.py)
OE_TESTS = [
    "a,->a", "ab,->ab", ",ab,->ab", ",,->",
    "a,ab,abc->abc", "a,b,ab->ab",
    "ea,fb,gc,hd,abcd->efgh", "ea,fb,abcd,gc,hd->efgh", "abcd,ea,fb,gc,hd->efgh",
    "acdf,jbje,gihb,hfac,gfac,gifabc,hfac", "cd,bdhe,aidb,hgca,gc,hgibcd,hgac",
    "abhe,hidj,jgba,hiab,gab", "bde,cdh,agdb,hica,ibd,hgicd,hiac", "chd,bde,agbc,hiad,hgc,hgi,hiad",
    "chd,bde,agbc,hiad,bdi,cgh,agdb", "bdhe,acad,hiab,agac,hibd",
    "ab,ab,c->", "ab,ab,c->c", "ab,ab,cd,cd->", "ab,ab,cd,cd->ac", "ab,ab,cd,cd->cd", "ab,ab,cd,cd,ef,ef->",
    "ab,cd,ef->abcdef", "ab,cd,ef->acdf", "ab,cd,de->abcde", "ab,cd,de->be", "ab,bcd,cd->abcd", "ab,bcd,cd->abd",
    "eb,cb,fb->cef", "dd,fb,be,cdb->cef", "bca,cdb,dbf,afc->", "dcc,fce,ea,dbf->ab", "fdf,cdd,ccd,afe->ae",
    "abcd,ad", "ed,fcd,ff,bcf->be", "baa,dcf,af,cde->be", "bd,db,eac->ace", "fff,fae,bef,def->abd",
    "efc,dbc,acf,fd->abe",
    "ab,ab", "ab,ba", "abc,abc", "abc,bac", "abc,cba",
    "ab,bc", "ab,cb", "ba,bc", "ba,cb", "abcd,cd", "abcd,ab", "abcd,cdef", "abcd,cdef->feba", "abcd,efdc",
    "aab,bc->ac", "ab,bcc->ac", "aab,bcc->ac", "baa,bcc->ac", "aab,ccb->ac",
    "aab,fa,df,ecc->bde", "ecb,fef,bad,ed->ac", "bcf,bbb,fbf,fc->", "bb,ff,be->e", "bcb,bb,fc,fff->",
    "fbb,dfd,fc,fc->", "afd,ba,cc,dc->bf", "adb,bc,fa,cfc->d", "bbd,bda,fc,db->acf", "dba,ead,cad->bce",
    "aef,fbc,dca->bde",
]

_SIZES = dict(zip("abcdefghij", (2, 3, 4, 5, 2, 3, 4, 5, 2, 3)))


def _views(eq: str, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    terms = eq.split("->")[0].split(",")
    return [rng.standard_normal(tuple(_SIZES[c] for c in t)) for t in terms]


@pytest.mark.parametrize("eq", OE_TESTS)
def test_opt_einsum_equations(eq: str) -> None:
    ops = _views(eq)
    want = np.einsum(eq, *ops)
    got = el.einsum(eq, *ops)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(el.contract(eq, *ops), opt_einsum.contract(eq, *ops), rtol=1e-10, atol=1e-10)


#: numpy's einsum test cases (numpy/_core/tests/test_einsum.py): (subscripts, shapes)
NUMPY_CASES = [
    ("i", [(6,)]), ("i->", [(6,)]), ("...", [(3,)]), ("i->i", [(5,)]),
    ("ii", [(4, 4)]), ("ii->i", [(4, 4)]), ("ij->ji", [(3, 4)]), ("ij->", [(3, 4)]), ("ij->i", [(3, 4)]),
    ("ij->j", [(3, 4)]), ("iij->ij", [(3, 3, 2)]), ("jii->ij", [(2, 3, 3)]), ("iii->i", [(3, 3, 3)]),
    ("iii", [(3, 3, 3)]), ("ijj->i", [(2, 3, 3)]), ("ijji->", [(2, 3, 3, 2)]),
    ("...ii->...i", [(2, 3, 3)]), ("ii...->...i", [(3, 3, 2)]), ("i...i", [(3, 2, 3)]), ("...ii", [(2, 3, 3)]),
    ("ji...", [(2, 3, 4)]), ("...ij->...ji", [(5, 2, 3)]), ("ij...->...ij", [(2, 3, 4)]),
    ("...,...", [(2, 3), (2, 3)]), ("...,...", [(2, 1), (1, 3)]), ("i,i", [(5,), (5,)]),
    ("i,i->i", [(5,), (5,)]), ("i,j", [(3,), (4,)]), ("i,j->ji", [(3,), (4,)]), ("ij,j", [(3, 4), (4,)]),
    ("ji,j", [(4, 3), (4,)]), ("ij,j->i", [(3, 4), (4,)]), ("ij,jk", [(3, 4), (4, 5)]),
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("ij,kj->ik", [(3, 4), (5, 4)]), ("ji,jk", [(4, 3), (4, 5)]),
    ("ijk,jil->kl", [(3, 4, 5), (4, 3, 2)]), ("ijk,jil->lk", [(3, 4, 5), (4, 3, 2)]),
    ("i...,i...", [(2, 3, 4), (2, 3, 4)]), ("...i,...i", [(2, 3, 4), (3, 4)]), ("...i,...i", [(2, 3), (4, 1, 3)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]), ("...ij,...jk", [(3, 4), (2, 4, 5)]),
    ("ij...,jk...->ik...", [(3, 4, 2), (4, 5, 2)]), ("ij...,j...->i...", [(3, 4, 2), (4, 2)]),
    ("ij,j->i", [(3, 4), (1,)]), ("ij,j->i", [(3, 1), (4,)]), ("i,i,i", [(3,), (3,), (3,)]),
    ("ij,ij,ij->ij", [(2, 3), (2, 3), (2, 3)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ijk,jk->i", [(2, 3, 4), (3, 4)]), ("ab,bc,cd,de->ae", [(2, 3), (3, 4), (4, 5), (5, 2)]),
    (",i->i", [(), (3,)]), ("i,->i", [(3,), ()]), (",", [(), ()]), ("", [()]), ("->", [()]),
    ("ij->ij", [(0, 3)]), ("ij,jk->ik", [(2, 0), (0, 3)]), ("ij,jk", [(0, 3), (3, 2)]),
    ("bij,bjk->bik", [(4, 2, 3), (4, 3, 2)]), ("bij,bjk->bki", [(4, 2, 3), (4, 3, 2)]),
    ("ii,i->i", [(3, 3), (3,)]), ("ij,ji->", [(3, 4), (4, 3)]), ("iij,jk->ik", [(2, 2, 3), (3, 4)]),
    ("Ab,bB->AB", [(2, 3), (3, 4)]), ("aA,Aa", [(3, 2), (2, 3)]),
    ("i ,j ->ij", [(2,), (3,)]), ("ab,ab,c->c", [(2, 3), (2, 3), (4,)]),
    ("abc,bc,c->a", [(2, 3, 4), (3, 4), (4,)]), ("aaa->a", [(2, 2, 2)]), ("iji,jk->k", [(2, 3, 2), (3, 2)]),
]


@pytest.mark.parametrize("eq,shapes", NUMPY_CASES)
def test_numpy_cases(eq: str, shapes: list[tuple[int, ...]]) -> None:
    rng = np.random.default_rng(1)
    ops = [rng.standard_normal(s) for s in shapes]
    want = np.einsum(eq, *ops)
    got = el.einsum(eq, *ops)
    assert type(got) is type(want) and np.shape(got) == np.shape(want) and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    # opt_einsum agrees wherever it accepts the equation
    try:
        oe = opt_einsum.contract(eq, *ops)
    except (ValueError, TypeError, IndexError):
        return
    np.testing.assert_allclose(el.contract(eq, *ops), oe, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtypes", [("int64", "int64"), ("int8", "int8"), ("bool", "bool"), ("float32", "float32"),
                                    ("float32", "float64"), ("int32", "float32"), ("complex128", "float64"),
                                    ("complex64", "int16"), ("uint8", "bool"), ("int8", "float16")])
@pytest.mark.parametrize("eq", ["ij,jk->ik", "i,i", "ii->i", "ij,j->", "bij,bjk->bik", "i,j->ij", "ij->"])
def test_dtype_promotion(eq: str, dtypes: tuple[str, str]) -> None:
    rng = np.random.default_rng(2)
    terms = eq.split("->")[0].split(",")
    size = {"i": 3, "j": 4, "k": 2, "b": 2}
    ops = []
    for t, dt in zip(terms, dtypes * 2):
        a = rng.integers(-3, 4, size=tuple(size[c] for c in t)) * (1 + 1j if "complex" in dt else 1)
        ops.append((a != 0) if dt == "bool" else np.asarray(a).astype(dt))
    want = np.einsum(eq, *ops)
    got = el.einsum(eq, *ops)
    assert got.dtype == want.dtype and type(got) is type(want)
    np.testing.assert_allclose(got.astype(complex), want.astype(complex), rtol=1e-3)


def test_int8_wraps_like_numpy() -> None:
    a = np.full((4, 40), 7, dtype=np.int8)
    np.testing.assert_array_equal(el.einsum("ij,kj->ik", a, a), np.einsum("ij,kj->ik", a, a))
    np.testing.assert_array_equal(el.einsum("ij->i", a), np.einsum("ij->i", a))


def test_interleaved_form() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    np.testing.assert_allclose(el.einsum(a, [0, 1], b, [1, 2], [0, 2]), np.einsum(a, [0, 1], b, [1, 2], [0, 2]))
    np.testing.assert_allclose(el.einsum(a, [0, 1], b, [1, 2]), np.einsum(a, [0, 1], b, [1, 2]))
    c = rng.standard_normal((5, 2, 3))
    np.testing.assert_allclose(el.einsum(c, [Ellipsis, 0, 1], a, [0, 1], [Ellipsis]),
                               np.einsum(c, [Ellipsis, 0, 1], a, [0, 1], [Ellipsis]))
    np.testing.assert_allclose(el.einsum(a, [30, 51], [51, 30]), a.T)
    np.testing.assert_allclose(el.contract(a, [0, 1], b, [1, 2], [0, 2]), a @ b)
    # opt_einsum: any hashable, comparable labels, lettered in sorted order
    np.testing.assert_allclose(el.contract(a, ["x", "y"], b, ["y", "z"]), opt_einsum.contract(a, ["x", "y"], b, ["y", "z"]))
    np.testing.assert_allclose(el.contract(a, [7, 100], b, [100, 3]), opt_einsum.contract(a, [7, 100], b, [100, 3]))
    with pytest.raises(EinsteinError, match="hashable, comparable"):
        el.contract(a, ["x", 1], b, [1, 2])


def test_scalars_lists_and_out() -> None:
    assert el.einsum("", 3) == 3 and type(el.einsum("", 3)) is type(np.einsum("", 3))
    assert el.einsum("i,", np.ones(3, np.float32), 2.0).dtype == np.einsum("i,", np.ones(3, np.float32), 2.0).dtype
    np.testing.assert_allclose(el.einsum("i,i", [1, 2, 3], [4, 5, 6]), 32)
    out = np.empty((2, 2))
    res = el.einsum("ij,jk->ik", np.eye(2), np.ones((2, 2)), out=out)
    assert res is out and out.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    got = el.einsum("i,i->i", np.ones(3), np.ones(3), dtype=np.float32, casting="same_kind")
    assert got.dtype == np.float32
    assert el.einsum("ij->ij", np.ones((2, 3)), order="F").flags.f_contiguous
    with pytest.raises(EinsteinError, match="cannot be cast"):
        el.einsum("i,i->i", np.ones(3), np.ones(3), dtype=np.int32)
    np.testing.assert_array_equal(el.einsum("i,i->i", np.ones(3), np.ones(3), dtype=np.int32, casting="unsafe"),
                                  np.ones(3, np.int32))


def test_repeated_index_is_a_view_not_an_identity() -> None:
    fn_src = []
    a = np.arange(16.0).reshape(4, 4)
    el.einsum("ii,ij->j", a, a)
    from einsteinpy_lite.compile.einsum_api import _RUNNERS

    run = next(r for k, r in _RUNNERS.items() if k[0] == "ii,ij->j")
    fn_src.append(run.generated.source)
    assert "eye" not in fn_src[0]


def test_cache_hit_checks_options_too() -> None:
    a = np.ones((2, 2))
    el.contract("ij,jk", a, a, optimize="greedy")
    el.contract("ij,jk", a, a, optimize="greedy")  # a hit
    with pytest.raises(EinsteinError, match="unknown optimize"):
        el.contract("ij,jk", a, a, optimize="fastest")
    with pytest.raises(EinsteinError, match="backend=3"):
        el.contract("ij,jk", a, a, backend=3)
    el.einsum("ij,jk", a, a)
    with pytest.raises(EinsteinError, match="unknown optimize"):
        el.einsum("ij,jk", a, a, optimize="fastest")


def test_cache_hit_reuses_the_runner() -> None:
    from einsteinpy_lite.compile.einsum_api import _RUNNERS

    a = np.ones((3, 3))
    el.einsum("ij,jk->ik", a, a)
    n = len(_RUNNERS)
    el.einsum("ij,jk->ik", 2 * a, a)
    assert len(_RUNNERS) == n


# ------------------------------------------------------------------ opt_einsum drop-in


def test_contract_path_matches_opt_einsum_format() -> None:
    a, b, c = np.ones((2, 2)), np.ones((2, 5)), np.ones((5, 2))
    path, info = el.contract_path("ij,jk,kl->il", a, b, c)
    opath, oinfo = opt_einsum.contract_path("ij,jk,kl->il", a, b, c)
    assert path == opath and info.opt_cost == oinfo.opt_cost and info.naive_cost == oinfo.naive_cost
    for field in ("speedup", "largest_intermediate", "size_list", "scale_list"):
        assert getattr(info, field) == getattr(oinfo, field)
    assert [c[2] for c in info.contraction_list] == [c[2] for c in oinfo.contraction_list]
    assert "Complete contraction:  ij,jk,kl->il" in str(info) and "Optimized FLOP count" in repr(info)
    p2, _ = el.contract_path("ij,jk,kl->il", (2, 2), (2, 5), (5, 2), shapes=True)
    assert p2 == path
    p3, _ = el.contract_path("ij,jk,kl->il", a, b, c, optimize="greedy")
    assert p3 == opt_einsum.contract_path("ij,jk,kl->il", a, b, c, optimize="greedy")[0]
    p4, _ = el.contract_path("ij,jk,kl->il", a, b, c, optimize=[(0, 1), (0, 1)])
    assert p4 == [(0, 1), (0, 1)]


@pytest.mark.parametrize("eq", ["ea,fb,abcd,gc,hd->efgh", "ab,bc,cd,de->ae", "abc,bcd,cde->ae", "ab,bc->ac"])
def test_contract_path_never_costlier_than_opt_einsum(eq: str) -> None:
    ops = _views(eq)
    for opt in ("auto", "greedy", "optimal"):
        _, oinfo = opt_einsum.contract_path(eq, *ops, optimize=opt)
        _, info = el.contract_path(eq, *ops)
        assert info.opt_cost <= oinfo.opt_cost


def test_contract_expression() -> None:
    rng = np.random.default_rng(4)
    shapes = [(3, 4), (4, 5), (5, 6)]
    ops = [rng.standard_normal(s) for s in shapes]
    expr = el.contract_expression("ij,jk,kl->il", *shapes)
    np.testing.assert_allclose(expr(*ops), ops[0] @ ops[1] @ ops[2])
    assert len(expr.contraction_list) == 2 and "ij,jk,kl->il" in repr(expr)
    cexpr = el.contract_expression("ij,jk,kl->il", ops[0], (4, 5), ops[2], constants=[0, 2])
    np.testing.assert_allclose(cexpr(ops[1]), ops[0] @ ops[1] @ ops[2])
    with pytest.raises(EinsteinError, match=r"operand 1 has shape \(4, 4\)") as info:
        expr(ops[0], np.ones((4, 4)), ops[2])
    assert str(info.value).splitlines()[1:3] == ["  ij,jk,kl->il", "     ^"]
    with pytest.raises(EinsteinError, match="takes 3 arrays"):
        expr(ops[0])


def test_contract_unicode_labels_and_ellipsis_summed() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 5))
    eq = "αβγ,γδ->αδ"
    np.testing.assert_allclose(el.contract(eq, a, b), opt_einsum.contract(eq, a, b))
    np.testing.assert_allclose(el.contract("...j,jk->k", a, b), opt_einsum.contract("...j,jk->k", a, b))
    with pytest.raises(EinsteinError, match="no '...'"):
        el.einsum("...j,jk->k", a, b)  # numpy does not sum broadcast axes implicitly


@pytest.mark.parametrize("limit", [60, "max_input", 12])
def test_memory_limit_is_honoured(limit: int | str) -> None:
    rng = np.random.default_rng(6)
    eq = "ab,bc,cd->ad"
    ops = [rng.standard_normal(s) for s in ((8, 3), (3, 8), (8, 8))]
    want = opt_einsum.contract(eq, *ops)
    np.testing.assert_allclose(el.contract(eq, *ops, memory_limit=limit), want)
    from einsteinpy_lite.compile.einsum_api import _RUNNERS

    run = next(r for k, r in _RUNNERS.items() if k[0] == eq and k[4] == (64 if limit == "max_input" else limit))
    sizes = [s.size for s in run.generated.steps]
    bound = 64 if limit == "max_input" else int(limit)
    if run.slices:
        assert limit == 12
    # every intermediate but the result fits (the sliced pieces are the results of each chunk)
    assert all(n <= bound for n in sizes[:-1])


def test_memory_limit_slices_when_no_order_fits() -> None:
    rng = np.random.default_rng(7)
    a, b, c = rng.standard_normal((6, 10)), rng.standard_normal((10, 6)), rng.standard_normal((6, 6))
    got = el.contract("ij,jk,ki->", a, b, c, memory_limit=5)
    np.testing.assert_allclose(got, np.einsum("ij,jk,ki->", a, b, c))
    from einsteinpy_lite.compile.einsum_api import _RUNNERS

    assert next(r for k, r in _RUNNERS.items() if k[0] == "ij,jk,ki->" and k[4] == 5).slices
    got2 = el.contract("ij,jk->ik", a, b, memory_limit=5)  # the result itself is not limited
    np.testing.assert_allclose(got2, a @ b)
    got3 = el.contract("ij,jk,kl->il", a, b, c, memory_limit=4)
    np.testing.assert_allclose(got3, a @ b @ c)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("eq,shapes,match,caret", [
    ("ij,jk->ik", [(2, 3)], "name 2 operands but 1 was given", 3),
    ("ij", [(2, 3), (3,)], "name 1 operand but 2 were given", 2),
    ("ij,jk", [(2, 3), (4, 5)], r"label 'j' has size 3 in operand 0 \(shape \(2, 3\)\) but 4 in operand 1", 3),
    ("ijk,jk", [(2, 3), (3, 4)], r"operand 0 has 2 axes \(2, 3\) but its subscripts 'ijk' name 3", 0),
    ("ii", [(2, 3)], "repeated in operand 0", 1),
    ("i.j", [(2, 3)], "not part of an ellipsis", 1),
    ("i$", [(2, 3)], r"invalid subscript '\$'", 1),
    ("ij->ii", [(2, 3)], "output subscript 'i' appears more than once", 5),
    ("ij->k", [(2, 3)], "output subscript 'k' appears in no input term", 4),
    ("ij->i->j", [(2, 3)], "more than one '->'", 5),
    ("ij-jk", [(2, 3)], "unexpected '-'", 2),
    ("i,j->i,j", [(2,), (3,)], "unexpected ','", 6),
    ("......", [(2, 3)], "more than one ellipsis", 3),
    ("i...->i", [(2, 3)], "no '...'", 1),
    ("...i,...i", [(2, 3), (4, 3)], "label ... has size 2 in operand 0", 5),
])
def test_bad_input_caret(eq: str, shapes: list[tuple[int, ...]], match: str, caret: int) -> None:
    ops = [np.ones(s) for s in shapes]
    with pytest.raises(EinsteinError, match=match) as info:
        el.einsum(eq, *ops)
    lines = str(info.value).splitlines()
    assert lines[1] == "  " + eq
    assert lines[2] == "  " + " " * caret + "^"


@pytest.mark.parametrize("call,match", [
    (lambda: el.einsum("ij", np.ones((2, 2)), optimize="fastest"), "unknown optimize='fastest'"),
    (lambda: el.einsum("ij", np.ones((2, 2)), order="X"), "order='X'"),
    (lambda: el.einsum("ij", np.ones((2, 2)), casting="bogus"), "casting='bogus'"),
    (lambda: el.einsum("ij", np.ones((2, 2)), out=np.ones(3)), r"out= has shape \(3,\)"),
    (lambda: el.einsum(3, "ij"), "interleaved"),
    (lambda: el.einsum(np.ones(2), [0.5]), "label 0.5"),
    (lambda: el.einsum(np.ones(2), [60]), "label 60"),
    (lambda: el.einsum("i", "abc"), "not an array of numbers"),
    (lambda: el.contract("ij", np.ones((2, 2)), foo=1), "unknown keyword 'foo'"),
    (lambda: el.einsum("ij", np.ones((2, 2)), foo=1), "unknown keyword 'foo'"),
    (lambda: el.contract_expression("ij", (2, 2))(np.ones((2, 2)), foo=1), "unknown keyword 'foo'"),
    (lambda: el.contract("ij", np.ones((2, 2)), memory_limit="huge"), "memory_limit='huge'"),
    (lambda: el.contract("ij", np.ones((2, 2)), memory_limit=0), "must be positive"),
    (lambda: el.contract("ij", np.ones((2, 2)), backend=3), "backend=3"),
    (lambda: el.contract(), "no subscripts"),
    (lambda: el.contract_path("ij,jk", (2, 2), (3, 3), shapes=True), "label 'j' has size 2"),
    (lambda: el.contract_path("ij", (2, "a"), shapes=True), "tuple of ints"),
    (lambda: el.contract_path("ij", np.ones((2, 2)), bogus=1), "unknown keyword 'bogus'"),
    (lambda: el.contract_expression("ij,jk", (2, 2), (2, 2), foo=1), "unknown keyword 'foo'"),
    (lambda: el.contract_expression("ij,jk", (2, 2), "x"), "not a tuple of integers"),
    (lambda: el.contract_expression(3, (2, 2)), "must be a string"),
])
def test_bad_options(call: object, match: str) -> None:
    with pytest.raises(EinsteinError, match=match):
        call()  # type: ignore[operator]


def test_dask_arrays() -> None:
    da = pytest.importorskip("dask.array")
    rng = np.random.default_rng(8)
    a, b, c = rng.standard_normal((6, 4)), rng.standard_normal((4, 5)), rng.standard_normal((5, 5))
    A, B, C = (da.from_array(x, chunks=2) for x in (a, b, c))
    for eq, ops, nops in [("ij,jk,kl->il", (A, B, C), (a, b, c)), ("ii->i", (C,), (c,)),
                          ("...j,jk->...k", (A, B), (a, b)), ("ij,ij->", (A, A), (a, a))]:
        got = el.contract(eq, *ops)
        assert isinstance(got, da.Array)
        np.testing.assert_allclose(np.asarray(got), opt_einsum.contract(eq, *nops))
        np.testing.assert_allclose(np.asarray(el.einsum(eq, *ops)), np.einsum(eq, *nops))


def test_object_arrays_fall_back_to_numpy() -> None:
    a = np.array([[1, 2], [3, 4]], dtype=object)
    assert el.einsum("ij,jk->ik", a, a).tolist() == np.einsum("ij,jk->ik", a, a).tolist()


def test_memory_limit_on_a_network() -> None:
    from opt_einsum.testing import rand_equation

    from einsteinpy_lite.compile.einsum_api import _RUNNERS

    eq, shapes = rand_equation(12, 3, n_out=2, d_min=2, d_max=4, seed=1)
    rng = np.random.default_rng(0)
    ops = [rng.standard_normal(s) for s in shapes]
    want = opt_einsum.contract(eq, *ops)
    np.testing.assert_allclose(el.contract(eq, *ops, memory_limit=16), want)
    run = next(r for k, r in _RUNNERS.items() if k[0] == eq and k[4] == 16)
    assert run.slices and max(s.size for s in run.generated.steps[:-1]) <= 16


def test_large_intermediates_are_not_pooled(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    mod = importlib.import_module("einsteinpy_lite.compile.einsum_api")
    a, b, c = np.ones((3, 4)), np.ones((4, 5)), np.ones((5, 2))
    mod.clear_caches()
    el.einsum("ij,jk,kl->il", a, b, c)
    el.einsum("ij,jk,kl->il", a, b, c)  # the first call runs through opt_einsum, the second generates code
    assert "_pool" in next(iter(mod._RUNNERS.values())).generated.source
    monkeypatch.setattr(mod, "_POOL_MAX_BYTES", 8)
    mod.clear_caches()
    for _ in range(2):
        np.testing.assert_allclose(el.einsum("ij,jk,kl->il", a, b, c), a @ b @ c)
    assert "_pool" not in next(iter(mod._RUNNERS.values())).generated.source


def test_contract_keywords_and_many_operands() -> None:
    rng = np.random.default_rng(9)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
    out = np.empty((3, 5))
    assert el.contract("ij,jk->ik", a, b, out=out) is out
    np.testing.assert_allclose(out, a @ b)
    assert el.contract("ij,jk->ik", a, b, dtype=np.float32, casting="same_kind").dtype == np.float32
    path = ["einsum_path", (0, 1)]
    np.testing.assert_allclose(el.einsum("ij,jk->ik", a, b, optimize=path), a @ b)
    np.testing.assert_allclose(el.contract("ij,jk->ik", a, b, optimize=[(0, 1)], use_blas=False), a @ b)
    # a 20-matrix chain: planned by the bounded dp / random-greedy
    mats = [rng.standard_normal((3, 3)) / 2 for _ in range(20)]
    letters = "abcdefghijklmnopqrstu"
    eq = ",".join(letters[k] + letters[k + 1] for k in range(20)) + "->au"
    np.testing.assert_allclose(el.einsum(eq, *mats), np.linalg.multi_dot(mats))


def test_the_first_call_runs_the_planned_order_and_the_second_generates_code() -> None:
    import importlib

    mod = importlib.import_module("einsteinpy_lite.compile.einsum_api")
    rng = np.random.default_rng(12)
    a, b, c = rng.standard_normal((3, 40)), rng.standard_normal((40, 5)), rng.standard_normal((5, 30))
    mod.clear_caches()
    first = el.einsum("ij,jk,kl->il", a, b, c)
    run = next(iter(mod._RUNNERS.values()))
    assert run.generated is None  # nothing generated for an equation called once
    second = el.einsum("ij,jk,kl->il", a, b, c)
    assert run.generated is not None
    for got in (first, second, el.einsum("ij,jk,kl->il", a, b, c)):
        np.testing.assert_allclose(got, a @ b @ c)
        assert got.dtype == np.float64 and not any(np.shares_memory(got, x) for x in (a, b, c))
    # not plain (a diagonal, a broadcast axis, mixed dtypes): code from the first call, as before
    mod.clear_caches()
    np.testing.assert_allclose(el.einsum("ii,ij->j", a[:, :3], a), np.diag(a[:, :3]) @ a)
    np.testing.assert_allclose(el.einsum("ij,j->i", a, np.ones(40, np.float32)), a.sum(1))
    assert all(r.generated is not None for r in mod._RUNNERS.values())
