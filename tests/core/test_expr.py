r"""Expression nodes and the builder API: structure, index rules at construction, sympy behaviour."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import sympy

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError
from einsteinpy_lite.core.atoms import Delta, Tensor, Zero
from einsteinpy_lite.core.builders import apply, delta, scalar, sum_over, tensor
from einsteinpy_lite.core.elementwise import Apply, Diag
from einsteinpy_lite.core.expr import (
    Product,
    Sum,
    SumOver,
    as_expr,
    contract_slots,
    dimension_symbol,
    tensor_signatures,
)
from einsteinpy_lite.core.indices import Index, down, normalize_index_name, parse_index_spec, up
from einsteinpy_lite.core.rename import fresh_names, rename_free

K = sympy.Symbol("K")
A, y, b = tensor("A", "^i_j"), tensor("y", "^j"), tensor("b", "^i")


# ------------------------------------------------------------------ indices


@pytest.mark.parametrize("raw,name", [("i", "i"), ("i1", "i1"), ("i_1", "i1"), ("i_{1}", "i1"), (" j_{12} ", "j12"),
                                      (r"\alpha", r"\alpha"), (r"\alpha_2", r"\alpha2")])
def test_index_names_normalize(raw, name):
    assert normalize_index_name(raw) == name
    assert Index(raw).name == name


@pytest.mark.parametrize("raw", ["", "ij", "1", "i_", "i_{x}", "_i", "i j"])
def test_bad_index_names(raw):
    with pytest.raises(EinsteinError, match="invalid index name"):
        Index(raw)


def test_index_basics():
    i = Index("i", up=True)
    assert (i.name, i.up, i.bound) == ("i", True, False)
    assert i.flip() == Index("i", False) and i.flip().flip() == i
    assert i.renamed("m") == up("m") and i.with_bound(True).bound
    assert i.key == ("i", True) and str(i) == "^i" and str(down("j")) == "_j"
    assert up("i") != down("i") and hash(up("i")) == hash(Index("i", True))
    assert i.func(*i.args) == i
    assert sympy.sstr(i) == "^i" and repr(down("j")) == "_j"
    with pytest.raises(EinsteinError, match="an index name must be a string, got 3"):
        Index(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("spec,slots", [
    ("^i_j", [up("i"), down("j")]),
    ("^{i_1 i_2}_{j}", [up("i1"), up("i2"), down("j")]),
    ("^{i,j}{}_k", [up("i"), up("j"), down("k")]),
    (r"_\mu^\nu", [down(r"\mu"), up(r"\nu")]),
    ("_{i_{1}}", [down("i1")]),
    ("^i _j", [up("i"), down("j")]),
])
def test_index_specs(spec, slots):
    assert list(parse_index_spec(spec)) == slots


@pytest.mark.parametrize("spec,message", [("i", "expected '\\^' or '_'"), ("^{i", "unclosed"), ("^", "expected an index")])
def test_bad_index_specs(spec, message):
    with pytest.raises(EinsteinError, match=message):
        parse_index_spec(spec)


# ------------------------------------------------------------------ nodes and structure


def test_tensor_atoms():
    assert A.name == "A" and A.indices == (up("i"), down("j"))
    assert A.free == (up("i"), down("j")) and A.dummies == ()
    assert tensor("x", "^i_i").free == () and tensor("x", "^i_i").dummies == (up("i"),)
    assert tensor("B", "^{i_1}_{i_2}") == tensor("B", up("i1"), down("i2"))
    assert Tensor(r"\nabla \sigma", [up("i")]) == Tensor(r"\nabla\sigma", [up("i")])  # LaTeX ignores the space
    assert Tensor(r"\nabla_y  f", [up("i")]).name == r"\nabla_y f"
    assert A.with_indices([up("m"), down("n")]) == tensor("A", "^m_n")


def test_delta_and_metric():
    assert delta("^i_j").free == (up("i"), down("j"))
    assert delta(up("i"), down("j")) == Delta(up("i"), down("j"))
    assert delta("_{ij}").free == (down("i"), down("j"))
    assert delta("^i_i").free == () and delta("^i_i").dummies == (up("i"),)
    with pytest.raises(EinsteinError, match="a delta has two indices, got 3"):
        delta("^{ijk}")
    with pytest.raises(EinsteinError, match="appears twice up"):
        delta("^{ii}")


def test_products_sum_pairs_and_keep_first_appearance_order():
    p = A * y
    assert isinstance(p, Product) and p.coeff == 1 and p.factors == (A, y)
    assert p.free == (up("i"),) and p.dummies == (up("j"),)
    q = tensor("C", "^k_j") * tensor("B", "^i_k")
    assert q.free == (down("j"), up("i"))
    assert (2 * A).coeff == 2 and (A * 2).factors == (A,)
    assert (A / K).coeff == 1 / K


def test_a_nested_products_dummies_are_renamed_when_flattened():
    # (x^i y_i) z^i is a scalar times z^i; flattening must not put i three times in one product
    e = (tensor("x", "^i") * tensor("y", "_i")) * tensor("z", "^i")
    assert e.free == (up("i"),) and len(e.factors) == 3
    assert [d.name for d in e.dummies] != ["i"]


def test_product_make_flattens_and_folds():
    p = Product.make(2, [Product.make(3, [tensor("x", "^i")]), tensor("y", "_i")])
    assert p == Product(6, [tensor("x", "^i"), tensor("y", "_i")])
    assert Product.make(1, [y]) is y
    z = Product.make(1, [Zero([up("i")]), tensor("w", "_j")])
    assert z == Zero([up("i"), down("j")])
    assert Product.make(0, [tensor("x", "^i")]) == Zero([up("i")])
    with pytest.raises(EinsteinError, match="use Product.make"):
        Product(1, [Product(2, [y])])


def test_coefficients_have_one_spelling():
    x = tensor("x", "^i")
    a = Product.make(2 / K, [Product.make(K - 1, [x])])
    b = Product.make(2 * K - 2, [Product.make(1 / K, [x])])
    assert a == b and hash(a) == hash(b)
    assert a.coeff == 2 - 2 / K


def test_sums():
    s = tensor("x", "^i") + tensor("y", "^i")
    assert isinstance(s, Sum) and s.free == (up("i"),) and len(s.terms) == 2
    assert (s + tensor("z", "^i")).terms[-1] == tensor("z", "^i")  # flattened
    assert Sum.make([tensor("x", "^i"), Zero([up("i")])]) == tensor("x", "^i")
    assert Sum.make([]) == Zero()
    assert (tensor("x", "^i") - tensor("x", "^i")).terms[1] == -tensor("x", "^i")  # no collection here
    # free indices may come in another order in a later term
    t = tensor("T", "^i_j") + tensor("S", "_j^i")
    assert t.free == (up("i"), down("j"))


def test_scalar_terms_are_added_into_one():
    assert Sum.make([scalar(2), scalar("K")]) == Product(K + 2, ())
    assert Sum.make([scalar(1), scalar(-1)]) == Zero()
    g = tensor("g", "_i") * tensor("v", "^i")
    assert Sum.make([scalar(1), g, scalar(K)]).terms == (Product(K + 1, ()), g)
    assert el.parse("2 + K") == Product(K + 2, ())


def test_sum_over_binds_its_index():
    xk = tensor("x", "_k^i")
    s = sum_over("k", xk, 0, "K - 1")
    assert isinstance(s, SumOver) and s.index_name == "k" and s.bounds == (0, K - 1)
    assert s.free == (up("i"),) and [d.name for d in s.dummies] == ["k"]
    assert all(ix.bound for ix in s.body.indices if ix.name == "k")
    assert s.open_bound == frozenset() and s.body.open_bound == {"k"}
    # a pair k is bound too: \sum_k x^k y_k reads the same from text
    pair = sum_over("k", tensor("x", "^k") * tensor("y", "_k"))
    assert pair == el.parse(r"\sum_k x^k y_k")
    # the bound index may then appear in many factors
    kb = Index("k", False, True)
    many = SumOver("k", (), tensor("x", kb, up("i")) * tensor("y", kb, down("i")) * tensor("z", kb))
    assert many.free == () and many == el.parse(r"\sum_k x_k^i y_{k i} z_k")
    with pytest.raises(EinsteinError, match="needs an upper bound"):
        sum_over("k", xk, 0)
    with pytest.raises(EinsteinError, match="bounds are"):
        SumOver("k", (0,), xk)


def test_apply_and_diag():
    z = A * y + b
    s = apply("sigmoid", z)
    assert isinstance(s, Apply) and s.func_name == "sigmoid" and s.order == 0 and s.free == (up("i"),)
    assert apply(r"\sigma", z) == s and apply("logistic", z) == s
    assert apply("tanh", z, order=1).order == 1
    d = Diag("sigmoid", 1, z, [down("k")])
    assert d.free == (up("i"), down("k")) and d.new_indices == (down("k"),) and d.body == z
    assert d.value == Apply("sigmoid", 1, z)
    assert d.func(*d.args) == d
    with pytest.raises(EinsteinError, match="needs 1 more indices, got 2"):
        Diag("sigmoid", 1, z, [down("k"), down("l")])
    with pytest.raises(EinsteinError, match="opposite variance"):
        Diag("sigmoid", 1, z, [up("k")])
    with pytest.raises(EinsteinError, match="repeats an index of its argument"):
        Diag("sigmoid", 1, z, [down("i")])
    with pytest.raises(EinsteinError, match="unknown function 'gelu'"):
        apply("gelu", z)
    with pytest.raises(EinsteinError, match="derivative order must be >= 0"):
        apply("tanh", z, order=-1)
    with pytest.raises(EinsteinError, match=r"its order must be >= 1, got 0"):
        Diag("sigmoid", 0, z, [down("k")])
    # a non-integer order is named, not a sympy TypeError (numpy integers are fine)
    with pytest.raises(EinsteinError, match=r"derivative order must be an integer, got 1.5"):
        apply("tanh", z, order=1.5)  # type: ignore[arg-type]
    with pytest.raises(EinsteinError, match=r"derivative order must be an integer, got 'x'"):
        Diag("sigmoid", "x", z, [down("k")])
    assert apply("tanh", z, order=np.int64(1)) == apply("tanh", z, order=1)


def test_map_children_rebuilds_each_node_kind():
    x, w = tensor("x", "^i"), tensor("w", "^i")
    swap = lambda c: w if c == x else c  # noqa: E731
    assert (x + tensor("v", "^i")).map_children(swap) == w + tensor("v", "^i")
    assert apply("tanh", x).map_children(swap) == apply("tanh", w)
    assert sum_over("k", x).map_children(swap) == sum_over("k", w)
    d = Diag("tanh", 1, x, [down("j")])
    assert d.map_children(swap) == Diag("tanh", 1, w, [down("j")])
    assert x.map_children(swap) is x
    with pytest.raises(EinsteinError, match="Diag argument changed its free indices"):
        d.map_children(lambda c: tensor("u", "^m"))


def test_scalars_on_the_left():
    g = tensor("g", "_i") * tensor("v", "^i")
    assert 1 + g == Sum.make([scalar(1), g])
    assert 1 - g == Sum.make([scalar(1), -g])
    assert (2 * tensor("x", "^i")).coeff == 2


def test_sum_over_binds_inside_deltas_zeros_and_diagonals():
    kb = Index("k", False, True)
    e = sum_over("k", delta("^k_i") * tensor("x", "_k"))
    assert e == el.parse(r"\sum_k \delta^k_i x_k") and e.free == (down("i"),)
    z = sum_over("k", Zero([down("k"), up("i")]))
    assert z.free == (up("i"),) and z == el.parse(r"\sum_k 0_k^i")
    d = sum_over("k", Diag("tanh", 1, tensor("z", kb, up("i")), [down("j")]) * tensor("y", "_k^j"))
    assert d.body.factors[0].body == tensor("z", kb, up("i"))
    assert d == el.parse(r"\sum_k [\nabla\tanh(z_k^i)]^i_j y_k^j")


def test_rename_moves_dummies_inside_atoms_and_renames_diagonals():
    t = tensor("T", "^i_j^j")
    moved = rename_free(t, {"i": "j"})
    assert moved.free == (up("j"),) and moved.dummies[0].name not in {"i", "j"}
    d = Diag("sigmoid", 1, tensor("z", "^i"), [down("j")])
    assert rename_free(d, {"i": "m", "j": "n"}) == Diag("sigmoid", 1, tensor("z", "^m"), [down("n")])


def test_zero():
    z = Zero([up("i"), down("j")])
    assert z.free == (up("i"), down("j")) and z.indices == z.free
    assert Zero().free == ()
    with pytest.raises(EinsteinError, match="only free indices"):
        Zero([up("i"), down("i")])


# ------------------------------------------------------------------ index rules at construction

RULES = [
    (lambda: tensor("x", "^i") * tensor("y", "^i"), r"index 'i' appears twice up in one product"),
    (lambda: tensor("x", "_i") * tensor("y", "_i"), r"index 'i' appears twice down in one product"),
    (lambda: Product.make(1, [tensor("x", "^i"), tensor("y", "_i"), tensor("z", "^i")]),
     r"index 'i' appears 3 times in one product"),
    (lambda: tensor("G", "^i_{jj}"), r"index 'j' appears twice down in one tensor G"),
    (lambda: tensor("T", "^i_i^i"), r"index 'i' appears 3 times in one tensor T"),
    (lambda: tensor("x", "^i") + tensor("y", "_i"), r"the terms of a sum must have the same free indices"),
    (lambda: tensor("x", "^i") + tensor("y", "^{i j}"), r"'x\^i' has \^i, 'y\^\{i j\}' has \^i \^j"),
    (lambda: tensor("x", "^i") + 1, r"the terms of a sum must have the same free indices"),
    (lambda: tensor("x", "^i") / tensor("y", "^j"), r"can only divide by a scalar coefficient"),
    (lambda: tensor("x", "^i") / 0, r"division by zero"),
    (lambda: tensor("x", "^i") * "K", r"cannot use 'K' in an index expression"),
    (lambda: tensor("x", "^i") * up("j"), r"an index \(\^j\) is not an expression"),
    (lambda: tensor("x", "^i") * [1], r"cannot use \[1\]"),
    (lambda: Product(tensor("x", "^i"), []), r"a coefficient must be a scalar"),
    (lambda: Tensor("", [up("i")]), r"a tensor needs a name"),
    (lambda: Tensor("x", ["i"]), r"tensor x: slot i is not an Index"),
    (lambda: tensor("x", 3), r"3 is not an index"),
    (lambda: scalar("2/"), r"cannot read scalar '2/'"),
    (lambda: Delta(up("i"), "j"), r"a delta takes two indices"),
    (lambda: Sum.make([tensor("x", "^i"), 3]), r"not an index expression: 3"),
    (lambda: Sum([tensor("x", "^i")]), r"a Sum needs two or more terms"),
    (lambda: as_expr(sympy.Tuple(1, 2)), r"cannot use \(1, 2\) in an index expression"),
]


@pytest.mark.parametrize("build,message", RULES, ids=[m for _, m in RULES])
def test_index_rules_at_construction(build, message):
    with pytest.raises(EinsteinError, match=message):
        build()


def test_contract_slots_reports_the_offending_occurrence():
    with pytest.raises(EinsteinError) as err:
        contract_slots([up("j"), down("j"), up("j")], "product")
    assert err.value.index == "j" and err.value.occurrence == 2
    with pytest.raises(EinsteinError) as err:
        contract_slots([down("j"), down("j")], "product")
    assert err.value.index == "j" and err.value.occurrence == 1
    free, dummies = contract_slots([up("k", ).with_bound(True), up("i"), down("k").with_bound(True)], "product")
    assert free == (up("i"),) and dummies == ()


def test_tensor_signatures_and_queries():
    e = el.parse(r"\frac{\alpha}{K} A^i_j \sigma(A^j_k y^k) + b^i")
    assert e.tensors() == {"A": (True, False), "y": (True,), "b": (True,)}
    assert tensor_signatures(e)["A"][0] == (True, False)
    assert e.index_names() == {"i", "j", "k"}
    assert e.scalar_symbols() == {K, sympy.Symbol("alpha")}
    bad = tensor("A", "^i_j") * tensor("A", "^j")
    assert bad.tensors() == {"A": (True, False)}
    with pytest.raises(EinsteinError, match="two slot patterns: 'A\\^i_j' and 'A\\^j'"):
        tensor_signatures(bad)
    assert el.parse(r"\sum_{k=0}^{N_k - 1} x_k").scalar_symbols() == {dimension_symbol("k")}


def test_walk_children_and_map_children():
    e = el.parse(r"B^i_k \sigma(A^k_j y^j + b^k)")
    kinds = [type(n).__name__ for n in e.walk()]
    assert kinds == ["Product", "Tensor", "Apply", "Sum", "Product", "Tensor", "Tensor", "Tensor"]
    assert e.children() == e.factors
    renamed = e.map_children(lambda c: c if not isinstance(c, Tensor) else Tensor("C", c.indices))
    assert str(renamed) == r"C^i_k \sigma(A^k_j y^j + b^k)"


# ------------------------------------------------------------------ renaming


def test_fresh_names():
    assert fresh_names({"u1", "u3"}, 3) == ["u2", "u4", "u5"]
    assert fresh_names(set(), 2, stem="m") == ["m1", "m2"]


def test_rename_free_moves_clashing_dummies_out_of_the_way():
    e = A * y
    assert str(rename_free(e, {"i": "m"})) == "A^m_j y^j"
    moved = rename_free(e, {"i": "j"})
    assert [ix.name for ix in moved.free] == ["j"]
    assert "j" not in {d.name for d in moved.dummies}
    assert rename_free(e, {}) is e
    s = el.parse(r"\sum_k x_k^i")
    assert str(rename_free(s, {"i": "k"})) == r"\sum_{u1} x_u1^k"


# ------------------------------------------------------------------ sympy behaviour


@pytest.mark.parametrize("text", [
    "A^i_j y^j", r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k i} x_k^i", r"[\nabla\sigma(z^i)]^i_j w^j",
    r"\tanh'(x^i) + 0^i", r"\delta_{ij} x^j",
])
def test_nodes_are_sympy_basics(text):
    e = el.parse(text)
    assert isinstance(e, sympy.Basic)
    assert e.func(*e.args) == e
    assert hash(e) == hash(el.parse(text + " "))
    assert pickle.loads(pickle.dumps(e)) == e
    assert eval(sympy.srepr(e), vars(sympy) | vars(el) | {"Str": sympy.core.symbol.Str}) == e


def test_scalar_substitution():
    e = el.parse(r"\frac{2}{K} x^i")
    assert e.subs(K, 4) == Product(sympy.Rational(1, 2), [tensor("x", "^i")])
    assert as_expr(2).free == () and scalar(sympy.Symbol("K")).coeff == K


def test_builders_name_wrong_kinds_of_arguments():
    """Values of the wrong type are EinsteinErrors that say what was given, not AttributeErrors from sympy."""
    with pytest.raises(EinsteinError, match=r"a tensor's name is a string, got None"):
        Tensor(None)  # type: ignore[arg-type]
    with pytest.raises(EinsteinError, match=r"a tensor's name is a string, got 3"):
        tensor(3, "^i")  # type: ignore[arg-type]
    with pytest.raises(EinsteinError, match=r"an index spec is text such as '\^i_j', got 3"):
        parse_index_spec(3)  # type: ignore[arg-type]
    with pytest.raises(EinsteinError, match=r"\\sum_\{k\}: cannot read the bounds \(0, 'x\^\^'\) as scalars"):
        sum_over("k", tensor("x", "_k^i"), 0, "x^^")
    with pytest.raises(EinsteinError, match=r"cannot read the bounds \(0, Tensor\(y\^j\)\) as scalars"):
        sum_over("k", tensor("x", "_k^i"), 0, tensor("y", "^j"))
    assert sum_over("k", tensor("x", "_k^i"), 0, "K - 1").bounds == (0, K - 1)


def test_rename_free_takes_a_dict_of_names():
    e = tensor("A", "^i_j") * tensor("y", "^j")
    with pytest.raises(EinsteinError, match=r"rename_free takes a dict old name -> new name, got None"):
        rename_free(e, None)  # type: ignore[arg-type]
    with pytest.raises(EinsteinError, match=r"got \{'i': 3\}"):
        rename_free(e, {"i": 3})  # type: ignore[dict-item]
