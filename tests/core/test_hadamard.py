"""Kept (elementwise, batch) indices: ``Product.kept``, ``Product.make`` and the ``hadamard`` builder."""

import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError
from einsteinpy_lite.core.builders import hadamard, tensor
from einsteinpy_lite.core.expr import Product
from einsteinpy_lite.core.indices import up
from einsteinpy_lite.core.rename import rename_free

x, y, z, w = tensor("x", "^i"), tensor("y", "^i"), tensor("z", "^i"), tensor("w", "_i")


def test_a_kept_index_is_free_once_and_never_summed():
    p = Product.make(1, [x, y, z], kept=["i"])
    assert isinstance(p, Product) and p.kept == {"i"}
    assert p.free == (up("i"),) and p.dummies == ()
    assert p.func(*p.args) == p  # all the state is in args
    assert p != Product.make(1, [x, w])  # not the contraction


def test_a_product_without_kept_indices_keeps_its_two_args():
    p = x * w
    assert isinstance(p, Product) and len(p.args) == 2 and p.kept == frozenset()


@pytest.mark.parametrize("factors,kept,message", [
    ([x, w], ["i"], r"kept index 'i' must occur in two or more factors, all in one position"),
    ([x, tensor("y", "^j")], ["k"], r"kept index 'k' does not occur"),
    ([x, y], [], r"index 'i' appears twice up in one product"),
])
def test_bad_kept_sets_are_errors(factors, kept, message):
    with pytest.raises(EinsteinError, match=message):
        Product(1, factors, kept)


def test_make_drops_a_kept_name_that_occurs_once():
    assert Product.make(2, [x], kept=["i"]).args == Product.make(2, [x]).args


def test_a_hadamard_factor_whose_kept_index_is_summed_stays_a_factor():
    inner = Product.make(1, [x, y], kept=["i"])
    p = Product.make(1, [inner, w])  # sum_i x^i y^i w_i: not a kept index, not a pair
    assert isinstance(p, Product) and p.factors == (inner, w) and p.free == () and [d.name for d in p.dummies] == ["i"]
    flat = Product.make(1, [inner, z], kept=["i"])  # kept again: one flat Hadamard product
    assert isinstance(flat, Product) and flat.factors == (x, y, z) and flat.kept == {"i"}


def test_flattening_renames_inner_dummies_away_from_kept_indices():
    inner = tensor("A", "^i_j") * tensor("v", "^j")  # j summed inside
    p = Product.make(1, [inner, tensor("s", "^j"), tensor("t", "^j")], kept=["j"])
    assert isinstance(p, Product) and p.kept == {"j"}
    assert [ix.name for ix in p.free] == ["i", "j"] and len(p.dummies) == 1 and p.dummies[0].name != "j"


def test_renaming_a_kept_index_renames_the_kept_set():
    p = Product.make(1, [x, y], kept=["i"])
    q = rename_free(p, {"i": "k"})
    assert isinstance(q, Product) and q.kept == {"k"} and str(q) == r"x^k \odot y^k"
    m = p.map_slots(lambda ix: ix.renamed("m"))
    assert isinstance(m, Product) and m.kept == {"m"}


def test_hadamard_builder_is_what_the_parser_reads():
    A, B = tensor("A", "_b^i_j"), tensor("B", "_b^j_k")
    e = hadamard(A, B)
    assert e == el.parse(r"A_b^i_j \odot B_b^j_k")
    assert isinstance(e, Product) and e.kept == {"b"} and [d.name for d in e.dummies] == ["j"]
    assert [ix.name for ix in e.free] == ["b", "i", "k"]
    assert hadamard(x, y, z) == el.parse(r"x^i \odot y^i \odot z^i")
    assert hadamard(x, w) == x * w  # an upper and a lower occurrence are summed, as in any product
    with pytest.raises(EinsteinError, match=r"hadamard\(\) needs at least one operand"):
        hadamard()


def test_renaming_onto_another_free_index_of_a_hadamard_product_is_an_error():
    e = Product.make(1, [x, y, tensor("z", "^k")], kept=["i"])
    with pytest.raises(EinsteinError, match=r"cannot rename 'k' to 'i'.*'i' is already free there"):
        rename_free(e, {"k": "i"})
    with pytest.raises(EinsteinError, match=r"cannot rename 'i' to 'k'"):
        rename_free(e, {"i": "k"})
    swapped = rename_free(e, {"i": "k", "k": "i"})
    assert isinstance(swapped, Product) and swapped.kept == {"k"} and str(swapped) == r"x^k \odot y^k \odot z^i"
