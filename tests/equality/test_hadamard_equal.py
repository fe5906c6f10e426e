"""equal / compare with kept indices: the numeric check evaluates them as numpy does, never as a sum."""

import pytest

import einsteinpy_lite as el

EQUAL = [
    (r"x^i \odot y^i", r"y^i \odot x^i"),
    (r"x^i \odot y^i", r"\sum_k x^k y^k \delta^i_k"),  # the bound-index spelling
    (r"A_b^i_j \odot B_b^j_k", r"B_b^j_k \odot A_b^i_j"),
    (r"x^i \odot \delta^i_j y^j", r"x^i \odot y^i"),
    (r"(x^i \odot y^i) w_i", r"\sum_k x^k y^k w_k"),
    (r"(x^i + y^i) \odot z^i", r"x^i \odot z^i + y^i \odot z^i"),
    (r"(\sigma'(z^m) \odot \delta^m_n) x_m", r"\sum_p \sigma'(z^p) \delta^p_n x_p"),
]

UNEQUAL = [
    (r"x^i \odot y^i", r"x^i \odot x^i"),
    (r"x^i \odot y^i", r"x^i \odot y^i \odot y^i"),
    (r"A_b^i_j \odot B_b^j_k", r"2 A_b^i_j \odot B_b^j_k"),
    (r"A_b^i_j \odot B_b^j_k", r"\sum_c A_c^i_j B_b^j_k"),  # the batch index summed in one factor
    (r"(x^i \odot y^i) w_i", r"x^i y_i w_k z^k"),
]


@pytest.mark.parametrize("a,b", EQUAL)
def test_equal_hadamard_forms(a, b):
    assert el.equal(a, b)
    assert el.compare(a, b).equal


@pytest.mark.parametrize("a,b", UNEQUAL)
def test_unequal_hadamard_forms(a, b):
    assert not el.equal(a, b)


def test_renaming_a_dummy_of_a_hadamard_product_gives_the_same_canonical_form():
    # harness seed 1782282714: the canonical form kept a Hadamard product's dummy names as written, the forms of two
    # spellings differed, and with a kinked function of a positive argument the numbers could not decide
    a = el.parse(r"(R_{l i1}^{j2} A^{l \nu}_{j2}) \odot \operatorname{abs}(\mathrm{sqrt}(P^{\nu}_{i1}))")
    b = el.parse(r"(R_{l i1}^{j} A^{l \nu}_{j}) \odot \operatorname{abs}(\mathrm{sqrt}(P^{\nu}_{i1}))")
    assert el.canonical(a) == el.canonical(b)
    assert el.compare(a, b).method == "canonical"
