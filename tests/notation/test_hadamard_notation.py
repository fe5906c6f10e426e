"""``\\odot`` and ``\\circ`` in text: reading, printing back (text, LaTeX, pretty) and the errors around them."""

import pytest
import sympy

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError
from einsteinpy_lite.core.expr import Product

# text -> (kept names, free (name, up) in order, summed names)
CASES = [
    (r"x^i \odot y^i", {"i"}, [("i", True)], []),
    (r"A_b^i_j \odot B_b^j_k", {"b"}, [("b", False), ("i", True), ("k", False)], ["j"]),
    (r"\sigma'(z^m) \odot \delta^m_n", {"m"}, [("m", True), ("n", False)], []),
    (r"x^i \odot y^i \odot z^i", {"i"}, [("i", True)], []),
    (r"A_b^i_j \odot B_b^j_k \odot C_b^k_l", {"b"}, [("b", False), ("i", True), ("l", False)], ["j", "k"]),
    (r"x^i \circ y^i", {"i"}, [("i", True)], []),
    (r"2 x^i \odot y^i", {"i"}, [("i", True)], []),
    (r"x^i y^j \odot z^i", {"i"}, [("i", True), ("j", True)], []),
]


@pytest.mark.parametrize("text,kept,free,summed", CASES, ids=[c[0] for c in CASES])
def test_odot_keeps_the_shared_same_position_indices(text, kept, free, summed):
    e = el.parse(text)
    assert isinstance(e, Product) and e.kept == kept
    assert [(ix.name, ix.up) for ix in e.free] == free
    assert sorted(d.name for d in e.dummies) == summed


ROUND_TRIP = [c[0] for c in CASES] + [
    r"(x^i \odot y^i) w_i",  # the kept index summed afterwards: a Hadamard factor
    r"x^i \odot y^i \odot z_i \odot w^i",  # (sum_i x^i y^i z_i) w^i: the summed i is renamed, w^i is free
    r"x^i \odot y^i \odot z^i w_i",
    r"x^i \odot y^i \odot w_i",  # the same, read left to right
    r"(\sum_k x_k^i) \odot y^i",
    r"y^i \odot \sum_k x_k^i",
    r"\sum_k x_k^i \odot y_k^i",
    r"(a^i + b^i) \odot c^i - d^i",
    r"\tanh(x^i \odot y^i) \odot z^i",
    r"(\sigma'(z^m) \odot \delta^m_n) x_m",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_text_and_latex_read_back(text):
    e = el.parse(text)
    assert el.parse(el.text(e)) == e
    assert el.parse(el.latex(e)) == e
    assert r"\odot" in el.latex(e) or not any(isinstance(n, Product) and n.kept for n in e.walk())


def test_printed_forms():
    e = el.parse(r"A_b^i_j \circ B_b^j_k")
    assert el.text(e) == r"A_b^i_j \odot B_b^j_k"
    assert el.latex(e) == r"A_{b}{}^{i}{}_{j} \odot B_{b}{}^{j}{}_{k}"
    assert str(el.parse(r"x^i \odot y^i \odot w_i")) == r"(x^i \odot y^i) w_i"
    assert sympy.pretty(el.parse(r"x^i \odot y^i")).split("\n")[1].strip() == "x  ⊙ y"


def test_an_upper_and_a_lower_occurrence_are_summed_across_odot():
    assert el.parse(r"x^i \odot y_i") == el.parse("x^i y_i")


def test_a_same_position_pair_without_odot_is_an_error_naming_both_fixes():
    with pytest.raises(EinsteinError, match=r"index 'i' appears twice up in one product") as err:
        el.parse("x^i y^i")
    hint = err.value.hint or ""
    assert r"x^i \odot y^i" in hint and r"\sum_{i} x^i y^i" in hint
    assert err.value.pos == 6  # under the second i
    with pytest.raises(EinsteinError, match=r"appears twice down in one tensor G") as err:
        el.parse("G_{j j}")
    assert r"\odot" not in (err.value.hint or "")  # one tensor: no Hadamard product to write


@pytest.mark.parametrize("text,message,pos", [
    (r"\odot x^i", r"\\odot needs a factor on each side", 0),
    (r"x^i \odot y^i w^i", r"index 'i' appears twice up in one product", 16),  # y^i w^i is read first
    (r"x^i \odot y^i \odot", r"unexpected end of text", 19),
])
def test_bad_hadamard_text_is_an_error_with_a_caret(text, message, pos):
    with pytest.raises(EinsteinError, match=message) as err:
        el.parse(text)
    assert err.value.text == text and err.value.pos is not None
    if pos is not None:
        assert err.value.pos == pos


def test_einstein_convention_keeps_odot_indices_too():
    e = el.parse(r"x_i \odot y_i", convention="einstein")
    assert isinstance(e, Product) and e.kept == {"i"}
    assert el.parse("x_i y_i", convention="einstein").dummies  # without \odot the pair is summed
