r"""Silent misreadings become caret errors with a hint (issue 10): each text below parsed, as something else
than what was surely meant, with exit status 0."""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError
from einsteinpy_lite.core.builders import delta, tensor
from einsteinpy_lite.core.expr import Product, dimension_symbol
from einsteinpy_lite.core.functions import register_function

from .test_parse import caret

# text -> (message pattern, caret position, a pattern the hint must contain)
MISREADINGS = [
    # letters that spell a function without its backslash (read as a h n t x^i)
    ("tanh(x^i)", r"'tanh' reads as the product t a n h, not the function \\tanh", 0, r"write \\tanh\(\.\.\.\)"),
    ("sigma(z^i)", r"'sigma' reads as the product s i g m a, not the function \\sigma", 0, r"\\sigma"),
    ("2 exp x^i", r"'exp' reads as the product e x p, not the function \\exp", 2, r"spaces between the letters"),
    ("y_i relu(x^i)", r"'relu' reads as the product r e l u, not the function \\mathrm\{relu\}", 4, r"relu"),
    ("atanh(x^i)", r"'tanh' reads as the product t a n h", 1, r"\\tanh"),  # a function name ending the run
    ("ln(x^i)", r"'ln' reads as the product l n, not the function \\log", 0, r"\\log"),  # an alias, 2 letters
    # ... a Greek letter or an operator
    ("alpha x^i", r"'alpha' reads as the product a l p h a, not the Greek letter \\alpha", 0, r"\\alpha"),
    ("mu x^i", r"'mu' reads as the product m u, not the Greek letter \\mu", 0, r"\\mu"),
    ("x^i odot y^i", r"'odot' reads as the product o d o t, not the operator \\odot", 4, r"\\odot"),
    ("x_i circ y^i", r"'circ' reads as the product c i r c, not the operator \\circ", 4, r"\\circ"),
    ("a^i top x_i", r"'top' reads as the product t o p, not the operator \\top", 4, r"\\top"),
    # a word: seven scalars and a tensor s
    ("weights^i_j x^j", r"'weights' reads as the product of 7 one-letter names w e i g h t s", 0,
     r"\\mathrm\{weights\}.*letters='split'"),
    ("2 abc x^i", r"'abc' reads as the product of 3 one-letter names", 2, r"letters='split'"),
    ("2/abc x^i", r"'abc' reads as the product of 3 one-letter names a b c", 2, r"\\mathrm\{abc\}"),  # 2/a b c
    ("x^i / ln(K)", r"'ln' reads as the product l n", 6, r"\\log"),
    # operators used as scalar names or indices
    # \odot and \circ are the Hadamard product: an error only where no factor stands on each side
    (r"x^{\odot} y^i", r"\\odot \(the Hadamard product\) goes between two factors, not here", 3, r"x\^i \\odot y\^i"),
    (r"x_i \circ", r"unexpected end of text", 9, r"expected"),
    (r"x^i \otimes y^j", r"\\otimes \(the tensor product\) is not supported yet", 4, r"x\^i y\^j"),
    (r"a^\top X b", r"\\top \(the transpose\) is not supported yet", 2, r"a_i X\^i_j b\^j"),
    (r"\odot(x^i)", r"\\odot needs a factor on each side", 0, r"A_b\^i_j \\odot B_b\^j_k keeps b"),
    # a lone T as the upper index of a vector next to a matrix: a transpose
    ("a^T X b", r"'a\^T' reads as a with an upper index named T, not as a transpose", 2, r"a_i X\^i_j b\^j"),
    ("a^T A^i_j", r"'a\^T' reads as a with an upper index named T", 2, r"indices out"),
    # an index glued to a letter
    ("A_ii", r"'A_ii' reads as A_i times i", 3, r"A_\{ii\}"),
    ("A_ijk B^j", r"'A_ijk' reads as A_i times j k", 3, r"A_\{ijk\}"),
    ("B^ij x_j", r"'B\^ij' reads as B\^i times j", 3, r"B\^\{ij\}"),
    ("A_ij^k x^j", r"'A_ij' reads as A_i times j", 3, r"A_\{ij\}"),  # A_i j^k: the glued letter has indices
    (r"\delta_ij x^j", r"'\\delta_ij' reads as \\delta_i times j", 8, r"\\delta_\{ij\}"),
    # a denominator with indices read as scalar names z_i, w_i
    ("y^i/(z_i - w_i)", r"a denominator must be a scalar, got 'z_i - w_i'", 4, r"indexed expression"),
    (r"\frac{y^i}{z_i}", r"the denominator of \\frac must be a scalar, got 'z_i'", 11, r"indexed expression"),
    (r"\sum_{k=0}^{K_x} x_k", r"a \\sum bound must be a scalar, got 'K_x'", 12, r"indexed"),
]


@pytest.mark.parametrize("text,message,pos,hint", MISREADINGS, ids=[t for t, *_ in MISREADINGS])
def test_misreadings_are_errors_with_a_caret_and_a_hint(text, message, pos, hint):
    with pytest.raises(EinsteinError, match=message) as err:
        el.parse(text)
    assert caret(err) == pos, str(err.value)
    assert err.value.hint is not None and re.search(hint, err.value.hint), err.value.hint


# what still reads, and how
STILL_VALID = [
    ("xy^i", Product(sympy.Symbol("x"), [tensor("y", "^i")])),  # two letters: x times y^i
    ("w e i g h t s^i_j", Product(sympy.Symbol("e") * sympy.Symbol("g") * sympy.Symbol("h") * sympy.Symbol("i")
                                  * sympy.Symbol("t") * sympy.Symbol("w"), [tensor("s", "^i_j")])),  # spaces: a product
    (r"\mathrm{weights}^i_j", tensor("weights", "^i_j")),
    (r"\tanh(x^i)", el.apply("tanh", tensor("x", "^i"))),
    ("A_{ij} B^{jk}", tensor("A", "_{ij}") * tensor("B", "^{jk}")),
    ("A_i i", Product(sympy.Symbol("i"), [tensor("A", "_i")])),  # a space: the product, as written
    ("x^T", tensor("x", "^T")),  # an index named T, alone
    ("x^T y_T", tensor("x", "^T") * tensor("y", "_T")),  # an index named T, paired
    (r"2 \alpha x^T", Product(2 * sympy.Symbol("alpha"), [tensor("x", "^T")])),  # next to numbers only: a vector
    (r"\frac{1}{N_x} x^i", Product(1 / dimension_symbol("x"), [tensor("x", "^i")])),  # N_x is a size
    (r"\sum_{j=0}^{N_y-1} G^i_j y^j", el.sum_over("j", tensor("G", "^i_j") * tensor("y", "^j"), 0,
                                                 dimension_symbol("y") - 1)),
]


@pytest.mark.parametrize("text,expected", STILL_VALID, ids=[t for t, _ in STILL_VALID])
def test_what_still_reads(text, expected):
    assert el.parse(text) == expected


def test_letters_split_reads_words_as_products():
    e = el.parse("weights^i_j", letters="split")
    assert e == Product(sympy.Mul(*sympy.symbols("w e i g h t")), [tensor("s", "^i_j")])
    assert el.parse("2 abc x^i", letters="split").coeff == 2 * sympy.Mul(*sympy.symbols("a b c"))
    # known spellings stay errors: letters='split' is for products of letters, not for missing backslashes
    with pytest.raises(EinsteinError, match=r"'tanh' reads as the product t a n h"):
        el.parse("tanh(x^i)", letters="split")
    with pytest.raises(EinsteinError, match=r"unknown letters option 'words'; use one of strict, split"):
        el.parse("x^i", letters="words")


def test_a_registered_function_is_a_known_spelling():
    register_function("swish", "x / (1 + exp(-x))", [lambda x, xp: x / (1 + xp.exp(-x))], overwrite=True)
    with pytest.raises(EinsteinError, match=r"'swish' reads as the product s w i s h, not the function "
                                            r"\\mathrm\{swish\}"):
        el.parse("swish(x^i)", letters="split")


def test_the_hadamard_hint_is_the_elementwise_product():
    # the rewrite the \odot error suggests computes x * y elementwise (numpy is the oracle)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=5), rng.normal(size=5)
    got = el.compile(el.parse(r"\sum_{k} x^k y^k \delta^i_k"))(x=x, y=y)
    np.testing.assert_allclose(got, x * y, rtol=1e-14)


def test_transpose_hint_is_the_bilinear_form():
    rng = np.random.default_rng(1)
    a, X, b = rng.normal(size=3), rng.normal(size=(3, 4)), rng.normal(size=4)
    got = el.compile(el.parse("a_i X^i_j b^j"))(a=a, X=X, b=b)
    np.testing.assert_allclose(got, a @ X @ b, rtol=1e-12)


def test_einstein_sums_a_pair_inside_one_tensor():
    # A_{ii} was refused under einstein, which sums any repeated pair: it is the trace
    e = el.parse("A_{ii}", convention="einstein")
    assert e.free == () and [d.name for d in e.dummies] == ["i"]
    A = np.random.default_rng(2).normal(size=(4, 4))
    np.testing.assert_allclose(el.compile(e)(A=A), np.trace(A), rtol=1e-12)
    assert el.parse(r"\delta_{ii}", convention="einstein") == delta("_i^i")
    assert el.parse("A_{ii} x_j", convention="einstein").free == tensor("x", "_j").free
    with pytest.raises(EinsteinError, match="twice down in one tensor A"):
        el.parse("A_{ii}")  # ricci still asks for one up, one down
    with pytest.raises(EinsteinError, match="appears 3 times"):
        el.parse("A_{iii}", convention="einstein")


def test_einstein_one_tensor_one_arity():
    # one tensor with two arities compiled to an IndexError; now the parser refuses it, with a caret
    with pytest.raises(EinsteinError, match=r"tensor 'A' is used with 2 and with 1 slots") as err:
        el.parse("A_{ij} A_j", convention="einstein")
    assert caret(err) == 7
    with pytest.raises(EinsteinError, match=r"tensor 'W' is used with 2 and with 3 slots") as err:
        el.parse("W_{ij} x_j + W_{ijk} y_j z_k", convention="einstein")
    assert caret(err) == 13
    # positions may still differ under einstein
    assert el.parse("A_{ij} A_{jk}", convention="einstein").free == tensor("A", "_{ik}").free


def test_huge_numbers_stay_exact():
    # 10^{300} 10^{300} is an exact integer with 601 digits, not a float (an OverflowError at compile time)
    e = el.parse("10^{300} 10^{300} x^i")
    assert e.coeff == sympy.Integer(10) ** 600 and e.coeff.is_Integer
    with pytest.raises(EinsteinError, match="too large"):
        el.parse("10^{900} 10^{900} x^i")
