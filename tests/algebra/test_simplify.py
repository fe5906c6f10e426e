"""simplify / canonical / equal / compare: tables of cases with their expected text."""

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite.algebra.evaluate import evaluate, random_arrays

SIMPLIFY_CASES = [
    (r"\delta^i_j x^j", "x^i"),
    (r"\delta^i_j x^j + 2 x^i", "3 x^i"),
    (r"\delta^i_i", r"\mathrm{N_i}"),
    (r"\delta_{ij} x^j", "x_i"),
    (r"\delta^{ij} g_j", "g^i"),
    (r"\delta_{ij} \delta^{jk}", r"\delta_i^k"),
    (r"B^i_m \delta^m_n A^n_p y^p", "B^i_j A^j_k y^k"),
    (r"B^{i_1}_{i_2} [\nabla\sigma]^{i_2}_{i_3} \delta^{i_3}_{j_1} y^{j_2}", r"B^i1_i [\nabla\sigma]^i_j1 y^j2"),
    (r"x^i - x^i", "0^i"),
    (r"(x^i + y^i) z_i", "(x^i + y^i) z_i"),  # sums that are factors stay factored
    (r"\delta^j_i (x^i + y^i) z_j", "(x^i + y^i) z_i"),
    (r"(x^i + x^i) z_i", "2 x^i z_i"),
    (r"\sum_k x_k^i + \sum_l x_l^i", r"2 \sum_{k} x_k^i"),
    (r"2 \sum_k (x_k^i + x_k^i)", r"4 \sum_{k} x_k^i"),
    (r"\delta^i_j y^k x^j", "x^i y^k"),
    (r"B^i_j \sigma(A^j_l y^l + b^j)", r"B^i_j \sigma(A^j_k y^k + b^j)"),
    (r"[\nabla\sigma(A^i_l y^l + b^i)]^i_j \delta^j_m", r"[\nabla\sigma(A^i_j y^j + b^i)]^i_m"),
    (r"\frac{1}{K} x^i + \frac{1}{K} x^i", "(2/K) x^i"),
    (r"0 x^i", "0^i"),
]


@pytest.mark.parametrize("text,expected", SIMPLIFY_CASES)
def test_simplify_table(text, expected):
    e = el.parse(text)
    s = el.simplify(e)
    assert str(s) == expected
    assert s.free_keys == e.free_keys
    assert el.simplify(s) == s  # idempotent


@pytest.mark.parametrize("text,_", SIMPLIFY_CASES)
def test_simplify_keeps_value(text, _):
    e = el.parse(text)
    s = el.simplify(e)
    arrays, scalars, sizes = random_arrays([e, s], rng=np.random.default_rng(3))
    va, vb = evaluate(e, arrays, sizes, **scalars), evaluate(s, arrays, sizes, **scalars)
    order = [[ix.name for ix in e.free].index(ix.name) for ix in s.free]
    np.testing.assert_allclose(va, np.transpose(vb, np.argsort(order)) if vb.ndim else vb)


def test_simplify_keeps_free_order():
    e = el.parse(r"\delta^i_j y^k x^j")
    assert [ix.name for ix in el.simplify(e).free] == ["i", "k"]


def test_slides_update_direction_keeps_written_order():
    e = el.parse(r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k i_1} B^{i_1}_{i_2} [\nabla\sigma_k]^{i_2}_{j_1} y_k^{j_2}")
    assert str(el.simplify(e)) == r"(2/K) \sum_{k=0}^{K - 1} \epsilon_{k i} B^i_j [\nabla\sigma]_k^j_j1 y_k^j2"


EQUAL_CASES = [
    ("A^i_j y^j", "y^k A^i_k", True),
    ("A^i_j B^j_k C^k_l", "C^m_l A^i_n B^n_m", True),
    ("A^i_j B^j_i", "B^i_j A^j_i", True),
    (r"B^i_j \delta^j_k y^k", "y^m B^i_m", True),
    (r"x^i y^j", r"y^j x^i", True),
    (r"(x^i + y^i) z_i", r"z_j y^j + x^j z_j", True),
    (r"\sum_k x_k^i", r"\sum_n x_n^i", True),
    ("A^i_j y^j", "2 A^i_j y^j", False),
    ("A^i_j x^j", "A^i_j y^j", False),
    ("A^i_j B^j_k", "B^i_j A^j_k", False),
    ("x^i", "x_i", False),
]


@pytest.mark.parametrize("a,b,expected", EQUAL_CASES)
def test_equal_table(a, b, expected):
    assert el.equal(el.parse(a), el.parse(b)) is expected
    assert el.equal(el.parse(b), el.parse(a)) is expected


def test_compare_says_how_and_where():
    r = el.compare(el.parse("A^i_j y^j"), el.parse("y^k A^i_k"))
    assert r.method == "canonical" and r.equal
    r = el.compare(el.parse("A^i_j x^j"), el.parse("A^i_j y^j"))
    assert r.method == "numeric" and not r.equal and "values differ at i=" in r.detail
    r = el.compare(el.parse("x^i"), el.parse("x_i"))
    assert r.method == "free indices" and "^i vs _i" in r.detail


def test_equal_numeric_fallback_when_forms_differ():
    # sigma(z) and 1/(1+exp(-z)) differ in form, agree in value
    r = el.compare(el.parse(r"\sigma(z^i)"), el.parse(r"\sigma(z^i) + 0 w^i"))
    assert r.equal


def test_errors_are_einstein_errors():
    with pytest.raises(el.EinsteinError, match="simplify\\(\\) takes an index expression or its text, got int"):
        el.simplify(3)  # type: ignore[arg-type]
    with pytest.raises(el.EinsteinError, match="equal\\(\\) takes index expressions or their text, got int"):
        el.equal(el.parse("x^i"), 3)


def test_metric_symmetry_is_canonical():
    a = el.parse(r"B^l_i \delta_{lm} B^m_j")
    b = el.parse(r"B^l_j \delta_{lm} B^m_i")
    assert el.compare(a, b).method == "canonical"
    # like terms that differ only by which side of the metric they sit on are collected
    s = el.simplify(a + b)
    # B is used twice, so the metric is kept rather than lowering one B (parse would reject B_{kj} beside B^k_i)
    assert str(s) == r"2 B^k_i \delta_{k l} B^l_j"
    assert el.parse(str(s)) == s


def test_metric_lowers_a_tensor_used_once():
    assert str(el.simplify(el.parse(r"\delta_{ij} x^j y^i"))) == "x_i y^i"


def test_sum_factor_dummies_do_not_clash_when_expanded():
    e = el.parse(r"(x^i - B^i_j z^j) \delta_{ik} C^k_j w^j")
    assert el.equal(e, el.simplify(e))
    assert el.compare(e, el.simplify(e)).method == "canonical"


def test_delta_between_two_slots_of_one_function_factor_is_kept():
    e = el.Product.make(1, [el.parse(r"\sigma(x^i y_j)"), el.parse(r"\delta^j_i")])
    s = el.simplify(e)
    assert s.free == () and el.equal(e, s)


def test_diag_derivative_indices_follow_their_argument_indices():
    # the argument's free order changes under simplify; the derivative indices must follow by name
    z = el.parse(r"2 A_{i r j} \delta_l^{r}")
    d = el.Diag("sigmoid", 1, z, [el.up("a"), el.up("b"), el.up("c")])
    s = el.simplify(d)
    assert el.equal(d, s)


def test_sum_over_an_absent_index_multiplies_by_its_range():
    assert str(el.simplify(el.parse(r"\sum_{r} A^i"))) == r"\mathrm{N_r} A^i"
    assert str(el.simplify(el.parse(r"\sum_{r=0}^{K-1} A^i"))) == "K A^i"


def test_inner_sums_do_not_capture_an_enclosing_bound_index():
    inner = el.parse(r"\sum_k \sum_m y_k^i x_m^j").body  # k is bound outside this body
    s = el.simplify(inner)
    assert "k" in s.open_bound and el.equal(inner, s)


def test_compare_and_equal_take_expressions_or_text():
    e = el.parse("x^i")
    assert el.compare(e, "x^i").equal
    with pytest.raises(el.EinsteinError, match=r"compare\(\) takes index expressions or their text, got list"):
        el.compare(e, ["x^i"])  # type: ignore[arg-type]
    with pytest.raises(el.EinsteinError, match=r"equal\(\) takes index expressions or their text, got NoneType"):
        el.equal(None, e)  # type: ignore[arg-type]


def test_equal_confirms_a_canonical_match_on_numbers(monkeypatch):
    """The canonical form is a shortcut; random arrays have the last word."""
    import importlib

    simplify_mod = importlib.import_module("einsteinpy_lite.algebra.simplify")
    a, b = el.parse("A^i_j B^j_k"), el.parse("B^i_j A^j_k")
    monkeypatch.setattr(simplify_mod, "canonical", lambda e: el.parse("C^i_k"))  # a broken canonical form
    r = el.compare(a, b)
    assert not r.equal and "engine bug" in r.detail
    assert el.compare(a, a).equal


def test_simplify_and_canonical_take_text():
    # one API style (issue 9): every function that takes an expression also takes its text
    assert el.simplify(r"\delta^i_j x^j + 2 x^i") == el.simplify(el.parse(r"\delta^i_j x^j + 2 x^i"))
    assert str(el.simplify("x^i + x^i")) == "2 x^i"
    assert el.canonical("y^j A^i_j") == el.canonical(el.parse("A^i_k y^k"))
    with pytest.raises(el.EinsteinError, match="appears 3 times"):
        el.simplify("A^i_j B^j_k C_j")


def test_a_sum_of_zeros_simplifies_to_zero():
    # the MLP output-bias block was 2 delta - (2/K) sum_k 0, which asked for K (issue 9)
    assert str(el.simplify(el.parse(r"2 \delta^i_j - \frac{2}{K} \sum_k 0^i_j"))) == r"2 \delta^i_j"
    assert isinstance(el.simplify(el.parse(r"\sum_{k=0}^{K-1} 0^i")), el.Zero)
