r"""Printing: golden LaTeX and plain-text strings, and every LaTeX string rendered by matplotlib's mathtext."""

from __future__ import annotations

import io
import pickle

import matplotlib
import pytest
import sympy

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError
from einsteinpy_lite.core.atoms import Tensor, Zero
from einsteinpy_lite.core.builders import tensor
from einsteinpy_lite.core.elementwise import Diag
from einsteinpy_lite.core.expr import Product, SumOver, dimension_symbol
from einsteinpy_lite.core.indices import Index, down, up

matplotlib.use("Agg")
from matplotlib import mathtext  # noqa: E402

K = sympy.Symbol("K")


def render(latex: str) -> None:
    """Render ``$latex$`` with matplotlib's mathtext to a PNG (raises ValueError on anything it cannot typeset)."""
    mathtext.math_to_image(f"${latex}$", io.BytesIO(), format="png", dpi=40)


_AGG = mathtext.MathTextParser("agg")


def typeset(latex: str) -> None:
    """Parse and lay out ``$latex$`` with mathtext and the Agg fonts, without rasterizing (4x faster)."""
    _AGG.parse(f"${latex}$", dpi=40)


# text -> (golden LaTeX, golden plain text)
GOLDEN = [
    # staggered indices
    ("B^i_k y^k", r"B^{i}{}_{k} y^{k}", "B^i_k y^k"),
    ("T^i{}_j{}^k", r"T^{i}{}_{j}{}^{k}", "T^i_j^k"),
    ("G^{i_1 i_2}_{j_1 j_2} y^{j_1 j_2}", r"G^{i_{1} i_{2}}{}_{j_{1} j_{2}} y^{j_{1} j_{2}}", "G^{i1 i2}_{j1 j2} y^{j1 j2}"),
    # i_{1} indices
    ("B^{i_1}_{i_2} x^{i_2}", r"B^{i_{1}}{}_{i_{2}} x^{i_{2}}", "B^i1_i2 x^i2"),
    ("x^{i12}", r"x^{i_{12}}", "x^i12"),
    # \delta: Kronecker and metric
    (r"\delta^i_j x^j", r"\delta^{i}{}_{j} x^{j}", r"\delta^i_j x^j"),
    (r"\delta_{ij} x^j", r"\delta_{i j} x^{j}", r"\delta_{i j} x^j"),
    (r"\delta^{ij}", r"\delta^{i j}", r"\delta^{i j}"),
    # \frac and other coefficients
    (r"\frac{2}{K} x^i", r"\frac{2}{K} x^{i}", "(2/K) x^i"),
    (r"-\frac{2}{K} x^i", r"-\frac{2}{K} x^{i}", "-(2/K) x^i"),
    (r"\frac{1}{2} x^i", r"\frac{1}{2} x^{i}", "1/2 x^i"),
    ("K^2 x^i", r"K^{2} x^{i}", "(K^{2}) x^i"),
    (r"\frac{1}{N_x} x^i", r"\frac{1}{\mathrm{N_x}} x^{i}", r"(1/\mathrm{N_x}) x^i"),
    (r"\alpha x^i - y^i", r"\alpha x^{i} - y^{i}", r"\alpha x^i - y^i"),
    (r"(K - 1) x^i", r"\left(K - 1\right) x^{i}", "(K - 1) x^i"),
    # \sum_{k}
    (r"\sum_k x_k^i", r"\sum_{k} x_{k}{}^{i}", r"\sum_{k} x_k^i"),
    (r"\sum_{k=0}^{K-1} x_k^i y_k^j", r"\sum_{k=0}^{K - 1} x_{k}{}^{i} y_{k}{}^{j}", r"\sum_{k=0}^{K - 1} x_k^i y_k^j"),
    (r"(\sum_k x_k) y^i", r"(\sum_{k} x_{k}) y^{i}", r"(\sum_{k} x_k) y^i"),
    (r"\sum_k (x_k^i + y_k^i)", r"\sum_{k} (x_{k}{}^{i} + y_{k}{}^{i})", r"\sum_{k} (x_k^i + y_k^i)"),
    # \sigma, \tanh and the other functions
    (r"B^i_k \sigma(A^k_j y^j + b^k)", r"B^{i}{}_{k} \sigma(A^{k}{}_{j} y^{j} + b^{k})", r"B^i_k \sigma(A^k_j y^j + b^k)"),
    (r"\sigma'(z^i)", r"\sigma'(z^{i})", r"\sigma'(z^i)"),
    (r"\tanh(A^i_j y^j)", r"\tanh(A^{i}{}_{j} y^{j})", r"\tanh(A^i_j y^j)"),
    (r"\tanh''(z^i)", r"\tanh''(z^{i})", r"\tanh''(z^i)"),
    (r"\mathrm{relu}(x^i) + \exp(x^i)", r"\mathrm{relu}(x^{i}) + \exp(x^{i})", r"\mathrm{relu}(x^i) + \exp(x^i)"),
    (r"\operatorname{softplus}(x^i)", r"\mathrm{softplus}(x^{i})", r"\mathrm{softplus}(x^i)"),
    (r"\log(x^i) \sin(y_i) \cos(z)", r"\log(x^{i}) \sin(y_{i}) \cos(z)", r"\log(x^i) \sin(y_i) \cos(z)"),
    (r"\mathrm{square}(x^i) - \mathrm{identity}(x^i)", r"\mathrm{square}(x^{i}) - \mathrm{id}(x^{i})",
     r"\mathrm{square}(x^i) - \mathrm{id}(x^i)"),
    # Greek names and indices
    (r"\epsilon_{\mu} W1^{\mu}", r"\epsilon_{\mu} W1^{\mu}", r"\epsilon_{\mu} W1^{\mu}"),
    (r"\Gamma^{\alpha}_{\beta \gamma1}", r"\Gamma^{\alpha}{}_{\beta \gamma_{1}}", r"\Gamma^{\alpha}_{\beta \gamma1}"),
    (r"\sigma^{j}", r"\sigma^{j}", r"\sigma^j"),
    # bracketed and \mathrm names, zero tensors, slotless tensors
    (r"[\nabla\sigma]^{i_2}_{j_1}", r"[\nabla\sigma]^{i_{2}}{}_{j_{1}}", r"[\nabla\sigma]^i2_j1"),
    (r"[\nabla_y f]^i_j", r"[\nabla_y f]^{i}{}_{j}", r"[\nabla_y f]^i_j"),
    (r"\mathrm{eps}_i", r"\mathrm{eps}_{i}", r"\mathrm{eps}_i"),
    (r"\mathbf{0}^i_j", r"\mathbf{0}^{i}{}_{j}", "0^i_j"),
    ("[L]", "[L]", "[L]"),
    # products of sums, signs
    ("(x^i + y^i) z_i", r"(x^{i} + y^{i}) z_{i}", "(x^i + y^i) z_i"),
    ("x^i - 2 y^i + z^i", r"x^{i} - 2 y^{i} + z^{i}", "x^i - 2 y^i + z^i"),
    # the slides' update direction for A
    (r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k i_1} B^{i_1}_{i_2} [\nabla \sigma_k]^{i_2}_{j_1} y_k^{j_2}",
     r"\frac{2}{K} \sum_{k=0}^{K - 1} \epsilon_{k i_{1}} B^{i_{1}}{}_{i_{2}} [\nabla\sigma]_{k}{}^{i_{2}}{}_{j_{1}} y_{k}{}^{j_{2}}",
     r"(2/K) \sum_{k=0}^{K - 1} \epsilon_{k i1} B^i1_i2 [\nabla\sigma]_k^i2_j1 y_k^j2"),
]


@pytest.mark.parametrize("text,golden_latex,golden_text", GOLDEN, ids=[t for t, _, _ in GOLDEN])
def test_golden_strings(text, golden_latex, golden_text):
    e = el.parse(text)
    assert el.latex(e) == golden_latex
    assert str(e) == golden_text == el.text(e)
    assert el.parse(golden_latex) == e
    assert el.parse(golden_text) == e


DIAG = Diag("sigmoid", 1, tensor("A", "^i_j") * tensor("y", "^j") + tensor("b", "^i"), [down("k")])

# expression -> (LaTeX, compact LaTeX)
DIAG_GOLDEN = [
    (DIAG, r"[\nabla \sigma(A^{i}{}_{j} y^{j} + b^{i})]^{i}{}_{k}", r"[\nabla\sigma]^{i}{}_{k}"),
    (Diag("tanh", 1, tensor("z", "_i"), [up("j")]), r"[\nabla \tanh(z_{i})]_{i}{}^{j}", r"[\nabla\tanh]_{i}{}^{j}"),
    (Diag("sigmoid", 2, tensor("z", "^{i1 i2}"), [down("j1"), down("j2")]),
     r"[\nabla \sigma'(z^{i_{1} i_{2}})]^{i_{1} i_{2}}{}_{j_{1} j_{2}}", r"[\nabla\sigma']^{i_{1} i_{2}}{}_{j_{1} j_{2}}"),
    (Diag("relu", 1, tensor("z", "^i"), [down("j")]), r"[\nabla \mathrm{relu}(z^{i})]^{i}{}_{j}",
     r"[\nabla\mathrm{relu}]^{i}{}_{j}"),
    (tensor("B", "^{i1}_{i2}") * DIAG.func(DIAG.func_name, 1, tensor("z", "^{i2}"), [down("j1")]) * tensor("y", "^{j2}"),
     r"B^{i_{1}}{}_{i_{2}} [\nabla \sigma(z^{i_{2}})]^{i_{2}}{}_{j_{1}} y^{j_{2}}",
     r"B^{i_{1}}{}_{i_{2}} [\nabla\sigma]^{i_{2}}{}_{j_{1}} y^{j_{2}}"),
]


@pytest.mark.parametrize("e,full,compact", DIAG_GOLDEN, ids=[g for _, g, _ in DIAG_GOLDEN])
def test_diag_full_and_compact(e, full, compact):
    assert el.latex(e) == full
    assert el.latex(e, compact=True) == compact
    assert el.parse(full) == e  # the full form keeps the argument and reads back
    # the compact form is the slides' notation: a tensor named by its bracket
    assert isinstance(el.parse(compact), (Tensor, Product))


def test_builder_expressions_print():
    assert el.latex(tensor("A", "^i_j")) == r"A^{i}{}_{j}"
    assert el.latex(Zero([up("i"), down("j")])) == r"\mathbf{0}^{i}{}_{j}"
    assert el.latex(Zero()) == "0"
    assert el.latex(Product(dimension_symbol("i"), [tensor("x", "^j")])) == r"\mathrm{N_i} x^{j}"
    assert el.latex(Tensor(r"\delta", [up("i")])) == r"[\delta]^{i}"  # a keyword as a name goes in brackets
    assert el.latex(Tensor(r"\epsilon1", [up("i")])) == r"[\epsilon1]^{i}"
    assert el.latex(Tensor("eps", [up("i")])) == r"\mathrm{eps}^{i}"
    assert el.latex(Product(K**-2, [tensor("x", "^i")])) == r"\frac{1}{K^{2}} x^{i}"
    assert str(Product(K**-2, [tensor("x", "^i")])) == "(1/K^{2}) x^i"
    assert str(Product(1 / K, [tensor("x", "^i")])) == "(1/K) x^i"
    assert el.latex(Product(2 * (K - 1) / K, [tensor("x", "^i")])) == r"\left(2 - \frac{2}{K}\right) x^{i}"
    s = SumOver("k", (0, dimension_symbol("k") - 1), tensor("x", Index("k", False, True), up("i")))
    assert el.latex(s) == r"\sum_{k=0}^{\mathrm{N_k} - 1} x_{k}{}^{i}"


def test_a_greek_coefficient_before_parentheses_is_multiplied_explicitly():
    e = el.parse(r"\eta \cdot (x^i + y^i)")
    assert el.latex(e) == r"\eta \cdot (x^{i} + y^{i})"
    assert str(e) == r"\eta * (x^i + y^i)"
    assert el.parse(el.latex(e)) == el.parse(str(e)) == e
    # without the \cdot, \eta( is read as a function and rejected
    with pytest.raises(EinsteinError, match=r"unknown function '\\eta'"):
        el.parse(r"\eta (x^i + y^i)")


def test_sympy_and_jupyter_hooks():
    e = el.parse(r"B^i_k \sigma(A^k_j y^j + b^k)")
    assert sympy.latex(e) == el.latex(e)
    assert e._repr_latex_() == "$" + el.latex(e) + "$"
    assert sympy.sstr(e) == str(e)
    assert repr(e) == r"Product(B^i_k \sigma(A^k_j y^j + b^k))"
    assert pickle.loads(pickle.dumps(e)) == e


def test_powers_in_bounds_and_coefficients():
    s = SumOver("k", (0, (K - 1) ** 2), tensor("x", Index("k", False, True)))
    assert s.bounds == (0, K**2 - 2 * K + 1)  # bounds are expanded, like coefficients
    assert str(s) == r"\sum_{k=0}^{K^{2} - 2*K + 1} x_k"
    assert el.latex(s) == r"\sum_{k=0}^{K^{2} - 2 K + 1} x_{k}"
    assert el.parse(str(s)) == el.parse(el.latex(s)) == s
    p = Product(1 / (K - 1) ** 2, [tensor("x", "^i")])
    assert str(p) == "(1/(K^{2} - 2*K + 1)) x^i"
    assert el.parse(str(p)) == el.parse(el.latex(p)) == p


def test_printer_rejects_what_is_not_an_expression():
    class Weird(el.Expr):
        pass

    with pytest.raises(EinsteinError, match="cannot print a Weird; it is not an index expression node"):
        el.latex(Weird())
    with pytest.raises(EinsteinError, match="latex\\(\\) takes an index expression or its text, got int"):
        el.latex(3)  # type: ignore[arg-type]
    with pytest.raises(EinsteinError, match="text\\(\\) takes an index expression or its text, got list"):
        el.text(["x^i"])  # type: ignore[arg-type]
    with pytest.raises(EinsteinError, match="only integer powers"):
        str(Product(sympy.sqrt(K), [tensor("x", "^i")]))


# ------------------------------------------------------------------ mathtext


def all_printed_latex() -> list[str]:
    """Every LaTeX string the printer produces in the unit tests: golden tables, syntax and slide tables."""
    from .test_parse import INDICES, SYNTAX
    from .test_slides_parse import EQUATIONS, VALID

    out: list[str] = [g for _, g, _ in GOLDEN]
    for e, full, compact in DIAG_GOLDEN:
        out += [full, compact, el.latex(e), el.latex(e, compact=True)]
    exprs = [expected for _, expected in SYNTAX] + [el.parse(t) for t, *_ in INDICES]
    exprs += [el.parse(t) for _, t, _ in VALID] + [el.parse(s) for _, a, b, _ in EQUATIONS for s in (a, b)]
    for e in exprs:
        out += [el.latex(e), el.latex(e, compact=True), e._repr_latex_().strip("$")]
    return sorted(set(out))


def test_mathtext_renders_every_printed_latex_string():
    strings = all_printed_latex()
    assert len(strings) > 100
    failures = []
    for s in strings:
        try:
            render(s)
        except ValueError as exc:  # mathtext's parse errors
            failures.append((s, str(exc).splitlines()[0]))
    assert not failures


@pytest.mark.parametrize("bad", [r"x^{i}^{j}", r"\frac{1}", r"x^{i", r"\notacommand x"])
def test_mathtext_check_can_fail(bad):
    with pytest.raises(ValueError):
        render(bad)
    with pytest.raises(ValueError):
        typeset(bad)


def test_mathtext_renders_what_the_other_modules_print():
    """The printer's LaTeX for derivatives, simplified forms and the network's gradient tensors renders too."""
    gradients = pytest.importorskip("einsteinpy_lite.nets.gradients")
    from .test_slides_parse import VALID

    exprs: list[el.Expr] = []
    for net in (gradients.single_layer(), gradients.mlp([3, 4, 5, 2], activation="tanh")):
        for name in ("f", "loss", "grad_y", "epsilon", "grads", "loss_grad", "directions"):
            value = getattr(net, name, None)
            values = value.values() if isinstance(value, dict) else [value]
            exprs += [v for v in values if isinstance(v, el.Expr)]
    model = el.parse(r"B^i_j \sigma(A^j_l y^l + b^j)")
    exprs += [el.diff(model, wrt) for wrt in ("A^{m}_{n}", "b^{m}", "B^{m}_{n}", "y^{m}")]
    exprs += [el.simplify(el.parse(text)) for _, text, _ in VALID]
    assert len(exprs) > 40
    for e in exprs:
        typeset(el.latex(e))
        typeset(el.latex(e, compact=True))


def test_latex_and_text_take_the_text_of_an_expression():
    # one API style: every function that takes an expression also takes its text
    assert el.latex("A^i_j y^j") == el.latex(el.parse("A^i_j y^j")) == "A^{i}{}_{j} y^{j}"
    assert el.text(r"\delta^i_j x^j") == r"\delta^i_j x^j"
    with pytest.raises(EinsteinError, match="index 'j' appears 3 times"):
        el.latex("A^i_j B^j_k C_j")


@pytest.mark.parametrize("value, shown", [(0.5, "1/2"), (0.1, "1/10"), (-2.25, "-9/4"), (1 / 3, "3333333333333333/10000000000000000")])
def test_float_coefficients_are_kept_exact_and_read_back(value, shown):
    # 0.5 * x used to print as 0.500000000000000 and read back as 1/2: a different expression
    e = value * el.tensor("x", "^i")
    assert el.text(e) == f"{shown} x^i"
    assert el.parse(el.text(e)) == e
    assert sympy.Rational(repr(value)) == e.coeff


def test_infinite_coefficients_are_refused():
    with pytest.raises(EinsteinError, match="finite"):
        float("inf") * el.tensor("x", "^i")


PRETTY = [
    ("A^i_j y^j", [" i   j", "A  ⋅y", "  j"]),
    ("x^i", [" i", "x"]),
    (r"B^i_k \sigma(A^k_j y^j + b^k)", [" i     k   j    k", "B  ⋅σ(A  ⋅y  + b )", "  k     j"]),
    (r"\delta^i_j x^j - 2 x^i", [" i   j      i", "δ  ⋅x  - 2⋅x", "  j"]),
    (r"\sum_{k=0}^{K-1} \epsilon_k^i", ["K - 1   i", "Σ     ε", "k=0    k"]),
]


@pytest.mark.parametrize("source, rows", PRETTY)
def test_pretty_staggers_indices_in_three_rows(source, rows):
    from einsteinpy_lite.notation import pretty

    assert pretty(source).split("\n") == rows


def test_sympy_pretty_and_pprint_work_on_every_node(capsys):
    # sympy's pretty printer has its own _print_Product / _print_Sum / _print_Tensor: they crashed on our nodes
    nodes = [el.parse(r"B^i_k \sigma(A^k_j y^j + b^k)"), el.parse(r"\sum_k x_k^i"), el.parse("0 x^i"),
             el.diff(el.parse(r"B^i_j \sigma(A^j_l y^l + b^j)"), "A^{m}_{n}"), el.tensor("T", "^i_j")]
    for e in nodes:
        pic = sympy.pretty(e)
        assert pic.strip()
        sympy.pprint(e)
    out = capsys.readouterr().out
    assert "σ" in out and "Σ" in out and "∇σ" in out
    assert sympy.pretty(el.parse("A^i_j y^j")).split("\n")[1].startswith("A  ⋅y")


def test_pretty_draws_every_greek_letter_the_parser_knows():
    # the pretty printer kept its own Greek table, which lacked \vartheta, \varpi, \varrho, \varsigma, \Upsilon
    from einsteinpy_lite.notation import pretty

    for cmd, glyph in [("vartheta", "ϑ"), ("varpi", "ϖ"), ("varrho", "ϱ"), ("varsigma", "ς"), ("Upsilon", "Υ")]:
        assert pretty(rf"\{cmd}^i").split("\n")[1] == glyph
