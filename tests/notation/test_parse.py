r"""parse(): every piece of the text syntax of DESIGN.md, the index rules, and the caret errors."""

from __future__ import annotations

import re

import pytest
import sympy

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError
from einsteinpy_lite.core.atoms import Tensor, Zero
from einsteinpy_lite.core.builders import apply, delta, tensor
from einsteinpy_lite.core.elementwise import Apply, Diag
from einsteinpy_lite.core.expr import Product, Sum, SumOver, dimension_symbol
from einsteinpy_lite.core.indices import Index, down, up
from einsteinpy_lite.notation.parse import _parse_cached

K, ALPHA = sympy.Symbol("K"), sympy.Symbol("alpha")
KB = Index("k", up=False, bound=True)  # k_ bound by an enclosing \sum (so it may appear in many factors)


def x(spec: str = "^i") -> Tensor:
    return tensor("x", spec)


def y(spec: str = "^j") -> Tensor:
    return tensor("y", spec)


# text -> the same expression built with the Python API
SYNTAX = [
    # tensor atoms, ^ upper, _ lower, juxtaposition / * / \cdot / \times multiply
    ("A^i_j y^j", tensor("A", "^i_j") * y()),
    ("A^i_j * y^j", tensor("A", "^i_j") * y()),
    (r"A^i_j \cdot y^j", tensor("A", "^i_j") * y()),
    (r"A^i_j \times y^j", tensor("A", "^i_j") * y()),
    # names: one letter + digits; \mathrm{...}; Greek; [bracketed]; xy^i is x times y^i
    ("W1^i_j", tensor("W1", "^i_j")),
    (r"\mathrm{eps}_i", tensor("eps", "_i")),
    (r"\operatorname{eps}_i", tensor("eps", "_i")),
    ("xy^i", Product(sympy.Symbol("x"), [tensor("y", "^i")])),
    (r"\epsilon_{k i_1}", tensor(r"\epsilon", "_{k i1}")),
    (r"[\nabla\sigma]^{i}_{j}", tensor(r"\nabla\sigma", "^i_j")),
    (r"[\nabla \sigma]^{i}_{j}", tensor(r"\nabla\sigma", "^i_j")),  # LaTeX ignores the space
    (r"[\nabla_y f]^i_j", tensor(r"\nabla_y f", "^i_j")),
    (r"[\nabla_A(Ay)]^i_{j_1 j_2}", tensor(r"\nabla_A(Ay)", "^i_{j1 j2}")),
    (r"[\nabla\sigma_k]^i_j", tensor(r"\nabla\sigma", "_k^i_j")),  # a trailing subscript is a leading slot
    ("[L]", Tensor("L", [])),  # a tensor without slots; a bare L is a scalar symbol
    # braces, empty groups ignored, several indices in a group (spaces, commas or none)
    ("B^{i_1}{}_{i_2}", tensor("B", "^{i1}_{i2}")),
    ("B^{i_1}_{i_2}", tensor("B", "^{i1}_{i2}")),
    ("G^{i_1 i_2}_{j_1 j_2}", tensor("G", "^{i1 i2}_{j1 j2}")),
    ("G^{i_1, i_2}_{j_1,j_2}", tensor("G", "^{i1 i2}_{j1 j2}")),
    ("G^{ij}_{kl}", tensor("G", "^{i j}_{k l}")),
    (r"x^{\alpha \beta}", tensor("x", r"^{\alpha \beta}")),
    (r"x_\mu", tensor("x", r"_\mu")),
    # i1, i_1, i_{1} are one index
    ("x^{i1} + x^{i_1} + x^{i_{1}}", x("^{i1}") + x("^{i1}") + x("^{i1}")),
    # slot order is the written order
    ("T_j^i", tensor("T", "_j^i")),
    ("T^i{}_j{}^k", tensor("T", "^i_j^k")),
    # Kronecker delta and Euclidean metric
    (r"\delta^i_j", delta("^i_j")),
    (r"\delta_{ij}", delta("_{ij}")),
    (r"\delta^{ij}", delta("^{ij}")),
    (r"\delta_j{}^i", delta("_j^i")),
    # elementwise functions: \sigma (sigmoid), derivatives, LaTeX commands, \mathrm / \operatorname
    (r"\sigma(A^i_j y^j + b^i)", apply("sigmoid", tensor("A", "^i_j") * y() + tensor("b", "^i"))),
    (r"\sigma'(z^i)", apply("sigmoid", tensor("z", "^i"), order=1)),
    (r"\sigma''(z^i)", apply("sigmoid", tensor("z", "^i"), order=2)),
    (r"\tanh(z^i)", apply("tanh", tensor("z", "^i"))),
    (r"\exp(z^i) \log(w_i)", apply("exp", tensor("z", "^i")) * apply("log", tensor("w", "_i"))),
    (r"\sin(z^i) \cos(w_i)", apply("sin", tensor("z", "^i")) * apply("cos", tensor("w", "_i"))),
    (r"\mathrm{relu}(z^i)", apply("relu", tensor("z", "^i"))),
    (r"\operatorname{softplus}(z^i)", apply("softplus", tensor("z", "^i"))),
    (r"\mathrm{square}(z^i)", apply("square", tensor("z", "^i"))),
    (r"\mathrm{id}(z^i)", apply("identity", tensor("z", "^i"))),
    (r"\sigma\left(z^i\right)", apply("sigmoid", tensor("z", "^i"))),
    (r"\sigma^{j}", tensor(r"\sigma", "^j")),  # a Greek name followed by ^ is a tensor
    # the diagonal Jacobian with its argument
    (r"[\nabla\sigma(z^i)]^i_j", Diag("sigmoid", 1, tensor("z", "^i"), [down("j")])),
    (r"[\nabla\tanh'(z_i)]_i^j", Diag("tanh", 2, tensor("z", "_i"), [up("j")])),
    # scalar coefficients
    ("2 x^i", 2 * x()),
    ("2/K x^i", Product(2 / K, [x()])),
    (r"\frac{2}{K} x^i", Product(2 / K, [x()])),
    (r"\dfrac{1}{2} x^i", Product(sympy.Rational(1, 2), [x()])),
    (r"\alpha x^i", Product(ALPHA, [x()])),
    ("0.5 x^i", Product(sympy.Rational(1, 2), [x()])),
    ("K^2 x^i", Product(K**2, [x()])),
    (r"\frac{1}{K^{2}} x^i", Product(K**-2, [x()])),
    (r"\left(K - 1\right)^{2} x^i", Product((K - 1) ** 2, [x()])),
    ("x^i / K", Product(1 / K, [x()])),
    (r"\mathrm{N_x} x^i", Product(dimension_symbol("x"), [x()])),
    (r"\frac{1}{N_x} x^i", Product(1 / dimension_symbol("x"), [x()])),  # N_x is a scalar in a denominator
    (r"\mathbf{0}^i", Zero([up("i")])),
    ("0^i_j", Zero([up("i"), down("j")])),
    # explicit sums binding an index
    (r"\sum_k x_k^i", SumOver("k", (), tensor("x", "_k^i"))),
    (r"\sum_{k} x_k^i y_k^j", SumOver("k", (), tensor("x", KB, up("i")) * tensor("y", KB, up("j")))),
    (r"\sum_{k=0}^{K-1} x_k^i", SumOver("k", (0, K - 1), tensor("x", "_k^i"))),
    (r"\sum_{k=1}^{K} x_k^i", SumOver("k", (1, K), tensor("x", "_k^i"))),
    (r"\sum_k^K x_k^i", SumOver("k", (0, K), tensor("x", "_k^i"))),
    (r"\sum_k^5 x_k^i", SumOver("k", (0, 5), tensor("x", "_k^i"))),
    (r"\sum_k^\alpha x_k^i", SumOver("k", (0, ALPHA), tensor("x", "_k^i"))),
    (r"\sum_{j=0}^{N_y-1} G^i_j y^j", SumOver("j", (0, dimension_symbol("y") - 1), tensor("G", "^i_j") * y())),
    # + - ( ) and their usual meaning
    ("x^i + y^i", x() + tensor("y", "^i")),
    ("x^i - y^i", x() - tensor("y", "^i")),
    ("-x^i", -x()),
    ("+x^i", x()),
    ("(x^i + y^i) z_i", (x() + tensor("y", "^i")) * tensor("z", "_i")),
    (r"\left(x^i + y^i\right) z_i", (x() + tensor("y", "^i")) * tensor("z", "_i")),
    ("x^i \\, y_i", x() * tensor("y", "_i")),
    (r"x^i \quad y_i \qquad", x() * tensor("y", "_i")),  # LaTeX spacing is ignored
    (r"\varepsilon^i", tensor(r"\varepsilon", "^i")),
    (r"|x^i|", Apply("abs", 0, x())),
    (r"\lvert x^i \rvert", Apply("abs", 0, x())),
    (r"\left| x^i \right|", Apply("abs", 0, x())),
    (r"\sqrt{x^i}", Apply("sqrt", 0, x())),
    (r"|a_i| |x^i|", Apply("abs", 0, tensor("a", "_i")) * Apply("abs", 0, x())),
]


@pytest.mark.parametrize(("text", "message", "column"), [
    (r"\quadratic^i", r"unknown command '\\quadratic'", 0),  # (not the spacing \quad, then 'ratic')
    (r"\simga(x^i) + \simga x^i", r"unknown function", 0),
    (r"2 \simga x^i", r"unknown command '\\simga'.*did you mean \\sigma", 2),
    (r"\vert x^i \vert", r"unknown command '\\vert'.*an absolute value is \|x\|", 0),
    (r"\sqrt[3]{x^i}", r"only square roots", 0),
    (r"y_i |x^i", r"'\|' is never closed", 4),
    (r"y_i x^i|", r"this '\|' closes no absolute value", 7),
    ("\x02|", r"unexpected character '\\x02'", 0),  # hypothesis (CI): the bar marks themselves, written
])
def test_unknown_commands_and_unbalanced_bars_are_errors(text: str, message: str, column: int) -> None:
    # a typo or a command the notation lacks was read as a new scalar (\simga x^i was \mathrm{simga} x^i)
    with pytest.raises(EinsteinError, match="(?s)" + message) as info:
        el.parse(text)
    assert info.value.pos == column


@pytest.mark.parametrize("text,expected", SYNTAX, ids=[t for t, _ in SYNTAX])
def test_syntax_table(text, expected):
    got = el.parse(text)
    assert got == expected, (repr(got), repr(expected))


# text -> (free indices as (name, up), dummies as names)
INDICES = [
    ("A^i_j y^j", [("i", True)], ["j"]),
    ("g_j y^j", [], ["j"]),
    ("G^{i_1 i_2}_{j_1 j_2} y^{j_1 j_2}", [("i1", True), ("i2", True)], ["j1", "j2"]),
    ("B^i_k C^k_j", [("i", True), ("j", False)], ["k"]),
    ("C^k_j B^i_k", [("j", False), ("i", True)], ["k"]),  # free indices by first appearance
    (r"\delta^i_i", [], ["i"]),
    ("x^i_i", [], ["i"]),
    (r"\sigma(A^i_j y^j) w_i", [], ["i", "j"]),  # dummies at every level: i here, j inside \sigma
    (r"\sum_k x_k^i y_k^j", [("i", True), ("j", True)], ["k"]),
    (r"\sum_{k} \epsilon_{k i} B^i_j", [("j", False)], ["k", "i"]),
    (r"[\nabla\sigma(z^i)]^i_j", [("i", True), ("j", False)], []),
    ("2", [], []),
]


@pytest.mark.parametrize("text,free,dummies", INDICES, ids=[t for t, _, _ in INDICES])
def test_free_and_dummies(text, free, dummies):
    e = el.parse(text)
    assert [(ix.name, ix.up) for ix in e.free] == free
    assert all(isinstance(ix, Index) for ix in e.free)
    assert sorted(ix.name for ix in e.dummies) == sorted(dummies)


def test_sum_over_binds_every_occurrence():
    e = el.parse(r"\sum_{k} x_k^i y_k^j z_k")
    body = e.body
    assert all(ix.bound for f in body.factors for ix in f.indices if ix.name == "k")
    assert [ix.name for ix in e.free] == ["i", "j"]


def caret(err: pytest.ExceptionInfo) -> int:
    """The column the caret points at, in the text line of the message."""
    lines = str(err.value).splitlines()
    row = next(i for i, line in enumerate(lines) if line.strip() == "^")
    return lines[row].index("^") - 2


# text -> (message pattern, index of the caret in the text)
ERRORS = [
    # an index three times in a product
    ("A^i_j B^j_k C_j", r"index 'j' appears 3 times in one product", 14),
    # a same-position pair under ricci
    ("x_i y_i", r"index 'i' appears twice down in one product", 6),
    ("A^{ij} A^{ji}", r"index 'i' appears twice up", 11),
    ("G^{i_1 i_2}_{j_1 j_1} y^{j_1 j_2}", r"index 'j1' appears twice down in one tensor G", 17),
    # terms of a sum with different free indices
    ("x^i + y_i", r"the terms of a sum must have the same free indices", 8),
    ("x^i + y^j", r"the terms of a sum must have the same free indices", 8),
    ("A^i_j y^j - z^k", r"the terms of a sum must have the same free indices", 14),
    # one tensor name with two slot patterns
    ("A^i_j A^j", r"tensor 'A' is used with two slot patterns: 'A\^i_j' and 'A\^j'", 6),
    ("A^i_j y^j + A_j^i y^j", r"tensor 'A' is used with two slot patterns", 12),
    ("A^i_j A^j_k A^k", r"tensor 'A' is used with two slot patterns: 'A\^i_j' and 'A\^k'", 12),
    (r"[\nabla \sigma]^i_j x^j + [\nabla\sigma]^i", r"tensor '\\nabla\\sigma' is used with two slot patterns", 26),
    # unknown function
    (r"\foo(x^i)", r"unknown function '\\foo'; registered: abs, cos, exp, identity", 0),
    (r"x^i \mathrm{bar}(y_i)", r"unknown function 'bar'", 4),
    # malformed text
    ("A^i_j (", r"unexpected end of text", 7),
    ("A^i_j )", r"unexpected token '\)'", 6),
    ("A^", r"unexpected end of text", 2),
    ("x^i + ", r"unexpected end of text", 6),
    ("$x^i", r"unexpected character '\$'", 0),
    ("()", r"unexpected token '\)'", 1),
    ("x^i_", r"unexpected end of text", 4),
    (r"\delta^{i}", r"\\delta takes exactly two indices, got 1", 0),
    ("2.5^i", r"only 0 can carry indices", 0),
    ("x^i/y^j", r"a denominator must be a scalar, got 'y\^j'", 4),
    (r"\frac{x^i}{0}", r"division by zero", 11),
    (r"\sum_k \sum_k x_k", r"index 'k' is already bound by an enclosing \\sum", 12),
    (r"\sum_{k=0} x_k", r"\\sum with a lower bound needs an upper bound", 0),
    (r"[\nabla\sigma(z^i)]^j_k", r"the first indices of \[\\nabla f\(z\)\] must be its argument's free indices", 0),
    (r"[\nabla\sigma(z^i)]^i", r"needs the 1 free indices of its argument and 1 new ones, got 1", 0),
    ("x_i^2", r"only a scalar can be raised to a power", 3),
    ("x^{2}_i", r"indices after a power", 5),
    (r"[\nabla\sigma_k]^2", r"only a scalar can be raised to a power, not the tensor '\\nabla\\sigma'", 0),
    ("1/0 x^i", r"division by zero", 1),
    ("(" * 400 + "x^i" + ")" * 400, r"expression nested too deeply", 0),
    ("K^{2.5}", r"only integer powers", 3),
    ("[]^i", r"empty \[\] name", 0),
    ("   ", r"empty expression", 0),
    ("x^i + z^j + w^j", r"the terms of a sum must have the same free indices: 'x\^i' has \^i, 'z\^j' has \^j", 8),
    ("x^i - y^i - z_i + w^i", r"'x\^i' has \^i, 'z_i' has _i", 14),
    ("2^{99999} x^i", r"this number is too large", 0),
    ("(2^{900})^{900}", r"this number is too large", 0),
    ("9" * 1001, r"a number with 1001 digits is too long", 0),
    (r"\cdot x^i", r"a product cannot start with '\*'", 0),
]


@pytest.mark.parametrize("text,message,pos", ERRORS, ids=[t for t, _, _ in ERRORS])
def test_errors_point_at_the_token(text, message, pos):
    with pytest.raises(EinsteinError, match=message) as err:
        el.parse(text)
    assert isinstance(err.value, ValueError)
    assert err.value.text == text
    assert caret(err) == pos, str(err.value)


def test_error_message_matches_the_design_example():
    with pytest.raises(EinsteinError) as err:
        el.parse("A^i_j B^j_k C_j")
    assert str(err.value) == (
        "index 'j' appears 3 times in one product\n"
        "  A^i_j B^j_k C_j\n"
        "                ^\n"
        "  an index may appear twice in a product (once up, once down); bind it with \\sum to use it more"
    )


def test_errors_name_what_is_expected():
    with pytest.raises(EinsteinError, match=r"expected .*'\('") as err:
        el.parse("A^i_j (")
    assert err.value.hint and "expected" in err.value.hint


def test_einstein_convention_sums_any_repeated_pair():
    e = el.parse("x_i y_i", convention="einstein")
    assert e.free == () and [d.name for d in e.dummies] == ["i"]
    e = el.parse("A^{ij} B^{jk}", convention="einstein")
    assert [(ix.name, ix.up) for ix in e.free] == [("i", True), ("k", True)]
    # the first occurrence keeps its position; the second is flipped so the pair is summed
    assert e == tensor("A", "^{i j}") * tensor("B", "_j^k")
    # three times is still an error, and ricci rejects what einstein accepts
    with pytest.raises(EinsteinError, match="appears 3 times"):
        el.parse("x_i y_i z_i", convention="einstein")
    with pytest.raises(EinsteinError, match="twice down"):
        el.parse("x_i y_i")
    # a pair already up/down is left alone
    assert el.parse("x^i y_i", convention="einstein") == el.parse("x^i y_i")


def test_einstein_convention_allows_two_slot_patterns_of_one_name():
    # slot patterns are only enforced under ricci; the loose habit flips positions freely
    e = el.parse("A_{ij} A_{jk}", convention="einstein")
    assert [(ix.name, ix.up) for ix in e.free] == [("i", False), ("k", False)]


def test_activation_binds_sigma():
    assert el.parse(r"\sigma(z^i)", activation="tanh") == apply("tanh", tensor("z", "^i"))
    assert el.parse(r"\sigma(z^i)") == apply("sigmoid", tensor("z", "^i"))


def test_bad_arguments():
    with pytest.raises(EinsteinError, match="takes a string"):
        el.parse(3)  # type: ignore[arg-type]
    with pytest.raises(EinsteinError, match="unknown convention 'loose'; use one of ricci, einstein"):
        el.parse("x^i", convention="loose")


def test_scalar_symbols_and_bounds():
    e = el.parse(r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k i} x_k^i")
    assert e.scalar_symbols() == {K}
    assert e.coeff == 2 / K
    assert e.factors[0].bounds == (0, K - 1)
    assert el.parse(r"\alpha").coeff == ALPHA
    assert el.parse(r"\sum_{k}^{K} x_k").bounds == (0, K)


def test_parse_is_cached_and_returns_immutable_nodes():
    text = "A^i_j y^j"
    assert el.parse(text) is el.parse(text)
    assert _parse_cached.__wrapped__(text, "ricci", "sigmoid") == el.parse(text)


def test_long_sums_and_big_numbers():
    # a sum's terms are collected without recursion: thousands of terms parse
    e = el.parse(" + ".join(f"x{n}^i" for n in range(2000)))
    assert len(e.terms) == 2000 and e.free == (up("i"),)
    assert el.parse(" - ".join(["x^i"] * 3)) == Sum.make([x(), -x(), -x()])  # no collection when parsing
    big = "9" * 1000
    assert el.parse(f"{big} x^i").coeff == int(big)
    with pytest.raises(EinsteinError, match="too large"):
        el.parse(f"{big} {big} {big} {big} x^i")


def test_unknown_function_lists_the_registry():
    with pytest.raises(EinsteinError) as err:
        el.parse(r"\mathrm{gelu}(x^i)")
    assert re.search(r"registered: .*sigmoid.*tanh", str(err.value))
    assert "register_function" in str(err.value)


@pytest.mark.parametrize("short, long", [
    (r"\frac12 A^i_j B^j_k", r"\frac{1}{2} A^i_j B^j_k"),
    (r"\dfrac 3 4 x^i", r"\frac{3}{4} x^i"),
    (r"\frac1{K} x^i", r"\frac{1}{K} x^i"),
    (r"\frac{x^i}2", r"\frac{x^i}{2}"),
    (r"\tfrac{1}{2}\frac34 y_j", r"\frac{3}{8} y_j"),
])
def test_frac_with_one_digit_arguments_reads_as_tex_does(short, long):
    assert el.parse(short) == el.parse(long)


@pytest.mark.parametrize("text, message", [
    (r"\frac10 x^i", "division by zero"),
    (r"\frac123 x^i", "unexpected token '123'"),
])
def test_frac_with_one_digit_arguments_errors(text, message):
    with pytest.raises(EinsteinError, match=re.escape(message)):
        el.parse(text)
