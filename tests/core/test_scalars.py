r"""Scalars from text without eval (issue 10, "Injection"): parse_scalar and every place a string becomes a scalar."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError
from einsteinpy_lite.core.builders import scalar, sum_over, tensor
from einsteinpy_lite.core.expr import Product, SumOver, dimension_symbol
from einsteinpy_lite.core.functions import function_names, get_function, register_function
from einsteinpy_lite.core.scalars import FORMULA_CONSTANTS, FORMULA_FUNCTIONS, parse_scalar, scalar_symbol, to_scalar

K, X, ALPHA = sympy.symbols("K x alpha")


def _payloads(target):
    """Texts that create ``target`` if anything hands them to Python's eval (as sympy.sympify does)."""
    t = str(target)
    return [
        f"__import__('pathlib').Path({t!r}).touch() or 2",
        f"open({t!r}, 'w').close() or 2",
        f"(lambda: open({t!r}, 'w'))() and 2",
        f"[c for c in ().__class__.__base__.__subclasses__()] and open({t!r}, 'w') and 2",
        f"x.__class__ or open({t!r}, 'w') or 2",
        f"exec(\"open({t!r}, 'w')\") or 2",
    ]


ENTRY_POINTS = {
    "el.scalar": lambda text: el.scalar(text),
    "sum_over upper": lambda text: sum_over("k", tensor("x", "_k^i"), 0, text),
    "sum_over lower": lambda text: sum_over("k", tensor("x", "_k^i"), text, "K"),
    "SumOver bounds": lambda text: SumOver("k", (0, text), tensor("x", "_k")),
    "Product.make": lambda text: Product.make(text, [tensor("x", "^i")]),
    "Product": lambda text: Product(text, [tensor("x", "^i")]),
    "Product.make in a list": lambda text: Product.make([text], [tensor("x", "^i")]),
    "register_function": lambda text: register_function("pwned", text, [lambda x, xp: x], overwrite=True),
}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_no_string_is_evaluated(entry, tmp_path):
    # the reproducer of issue 10: each of these ran the command (here: created a file) through sympify
    for n, text in enumerate(_payloads(tmp_path / "pwned")):
        with pytest.raises(EinsteinError):
            ENTRY_POINTS[entry](text)
        assert not (tmp_path / "pwned").exists(), f"{entry} evaluated payload {n}: {text}"
    assert "pwned" not in function_names()


def test_the_reproducer_of_the_issue(tmp_path):
    target = tmp_path / "ran"
    with pytest.raises(EinsteinError, match=r"unexpected character '_' in a scalar") as err:
        el.scalar(f"__import__('os').system('touch {target}') or 2")
    assert not target.exists()
    assert err.value.pos == 0  # the caret is under the first underscore


# text -> value: what a scalar may be
READS = [
    ("2", sympy.Integer(2)),
    ("2/K", 2 / K),
    ("K - 1", K - 1),
    ("2*K/3", 2 * K / 3),
    ("-K**2 + 1/2", sympy.Rational(1, 2) - K**2),  # sympy's own str() of a coefficient
    ("K^2", K**2),
    ("2^3^2", sympy.Integer(512)),  # right-associative, as in sympy and LaTeX
    ("-2^2", sympy.Integer(-4)),
    ("2^-1", sympy.Rational(1, 2)),
    ("0.5", sympy.Rational(1, 2)),  # exact, as in el.parse
    (".25", sympy.Rational(1, 4)),
    ("1e-3", sympy.Rational(1, 1000)),
    ("2 K", 2 * K),  # juxtaposition multiplies
    ("2K", 2 * K),
    ("2 3", sympy.Integer(6)),  # as in el.parse
    ("a/b/c", sympy.Symbol("a") / (sympy.Symbol("b") * sympy.Symbol("c"))),
    ("(K - 1)(K + 1)", (K - 1) * (K + 1)),
    (r"\frac{2}{K}", 2 / K),
    (r"\frac{1}{2}\alpha^{2}", ALPHA**2 / 2),
    (r"\left(K - 1\right)^{2}", (K - 1) ** 2),
    (r"2 \cdot K", 2 * K),
    (r"2\,K", 2 * K),
    ("alpha", ALPHA),
    (r"\alpha", ALPHA),  # as el.parse reads \alpha
    ("lr", sympy.Symbol("lr")),
    ("x_1", sympy.Symbol("x_1")),
    ("x_{12}", sympy.Symbol("x_12")),
    (r"\alpha_{1}", sympy.Symbol("alpha_1")),
    ("N_x", dimension_symbol("x")),  # the size of index x, as in el.parse
    ("N_{i_1}", dimension_symbol("i1")),
    ("N_i1", dimension_symbol("i1")),  # sympy's str() of dimension_symbol("i1") reads back as it
]


@pytest.mark.parametrize("text,value", READS, ids=[t for t, _ in READS])
def test_reads_numbers_names_and_arithmetic(text, value):
    got = parse_scalar(text)
    assert got == value and type(got) is type(value), (got, value)


def test_scalar_agrees_with_parse():
    assert el.scalar("N_x").coeff == el.parse(r"\mathrm{N_x}").coeff == dimension_symbol("x")
    assert el.scalar(r"\alpha").coeff == el.parse(r"\alpha").coeff
    assert el.scalar("2/K") == el.parse("2/K")
    assert el.scalar("0.5") == el.parse("0.5")
    assert scalar_symbol("N_{x}") == dimension_symbol("x")


# text -> message, caret
REFUSED = [
    ("__import__('os')", r"unexpected character '_' in a scalar", 0),
    ("os.system", r"unexpected character '\.' in a scalar", 2),
    ("x[0]", r"unexpected character '\[' in a scalar", 1),
    ("lambda: 1", r"unexpected character ':' in a scalar", 6),
    ("f(2)", r"'f\(\.\.\.\)': a scalar cannot call a function", 0),
    ("exp(2)", r"'exp\(\.\.\.\)': a scalar cannot call a function", 0),  # functions only in formulas
    ("K (K + 1)", r"'K\(\.\.\.\)': a scalar cannot call a function", 0),
    ("'2'", r"unexpected character \"'\"", 0),
    ("2/", r"unexpected end of a scalar", 2),
    ("(K", r"unexpected end of a scalar", 2),
    ("K)", r"unexpected '\)' in a scalar", 1),
    ("", r"empty scalar", 0),
    ("1/0", r"division by zero", 1),
    ("0^-1", r"division by zero", 1),
    (r"\frac{1}{0}", r"division by zero", 0),
    ("2^(2^20)", r"this number is too large", 1),
    ("10^{300} 10^{300} 10^{300} 10^{300}", r"this number is too large", 27),
    ("9" * 1001, r"is too long", 0),
    ("1e99999999", r"is too long", 0),
    ("K;", r"unexpected character ';'", 1),
    ("2 $", r"unexpected character '\$'", 2),
]


@pytest.mark.parametrize("text,message,pos", REFUSED, ids=[t[:30] for t, _, _ in REFUSED])
def test_refuses_everything_else_with_a_caret(text, message, pos):
    with pytest.raises(EinsteinError, match=message) as err:
        parse_scalar(text)
    assert err.value.text == text and err.value.pos == pos, str(err.value)


def test_deep_nesting_is_an_error_not_a_recursion_error():
    with pytest.raises(EinsteinError, match="nested too deeply"):
        parse_scalar("(" * 5000 + "K" + ")" * 5000)
    assert parse_scalar("(" * 50 + "K" + ")" * 50) == K


def test_huge_numbers_stay_exact():
    assert parse_scalar("10^{300} 10^{300}") == sympy.Integer(10) ** 600
    assert el.scalar("10^{300} * 10^{300} / 10^{599}").coeff == 10


def test_to_scalar():
    assert to_scalar(2) == 2 and to_scalar(K) is K and to_scalar("K - 1") == K - 1
    assert to_scalar(np.float64(0.5)) == 0.5 and to_scalar(np.int64(3)) == 3
    for bad in (["2"], np.array([1.0, 2.0]), object(), None, tensor("x", "^i")):
        with pytest.raises(EinsteinError, match="must be a scalar"):
            to_scalar(bad)
    for bad in (float("inf"), float("nan"), np.float64(-np.inf)):
        with pytest.raises(EinsteinError, match="must be finite"):
            to_scalar(bad)
    with pytest.raises(EinsteinError, match="a coefficient must be finite"):
        Product.make(float("nan"), [tensor("x", "^i")])


def test_builders_name_the_error():
    with pytest.raises(EinsteinError, match=r"cannot read scalar '2/': unexpected end of a scalar"):
        scalar("2/")
    with pytest.raises(EinsteinError, match=r"\\sum_\{k\}: cannot read the bounds \(0, 'K\(1\)'\) as scalars"):
        sum_over("k", tensor("x", "_k^i"), 0, "K(1)")
    assert sum_over("k", tensor("x", "_k^i"), 0, "N_x - 1").bounds == (0, dimension_symbol("x") - 1)
    assert Product.make("2/K", [tensor("x", "^i")]) == Product(2 / K, [tensor("x", "^i")])


def test_formulas_may_call_a_fixed_list_of_functions():
    x = sympy.Symbol("x", real=True)
    got = parse_scalar("exp(-x) * Max(x, 0) + Heaviside(x) + tanh(x)/pi + log(E)", functions=FORMULA_FUNCTIONS,
                       constants=FORMULA_CONSTANTS, symbol=lambda n: x if n == "x" else sympy.Symbol(n))
    assert got == sympy.exp(-x) * sympy.Max(x, 0) + sympy.Heaviside(x) + sympy.tanh(x) / sympy.pi + 1
    with pytest.raises(EinsteinError, match=r"unknown function 'eval' in a formula") as err:
        parse_scalar("1 + eval(x)", functions=FORMULA_FUNCTIONS)
    assert err.value.pos == 4 and "tanh" in (err.value.hint or "")
    with pytest.raises(EinsteinError, match=r"cannot apply exp to 2 argument"):
        parse_scalar("exp(x, x)", functions=FORMULA_FUNCTIONS)


def test_register_function_reads_a_string_formula(scratch_registry):
    fn = register_function("softsigntext", "x / (1 + Abs(x))", [lambda x, xp: x / (1 + xp.abs(x))], overwrite=True)
    x = sympy.Symbol("x", real=True)
    assert fn.formula == x / (1 + sympy.Abs(x))
    # the second derivative comes from the formula: check it against finite differences of the first
    d1, d2 = get_function("softsigntext").implementation(1), get_function("softsigntext").implementation(2)
    z, h = np.array([-1.3, -0.2, 0.4, 2.0]), 1e-6
    np.testing.assert_allclose(d1(z, np), 1 / (1 + np.abs(z)) ** 2, rtol=1e-12)
    np.testing.assert_allclose(d2(z, np), (d1(z + h, np) - d1(z - h, np)) / (2 * h), rtol=1e-6)
    with pytest.raises(EinsteinError, match=r"function 'bad_text': cannot read its formula 'getattr\(x, 1\)'"):
        register_function("bad_text", "getattr(x, 1)", [lambda x, xp: x])
    assert "bad_text" not in function_names()
