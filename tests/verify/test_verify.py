"""The slide catalogue: verdicts pinned, every known mistake found with its correction, checks numeric."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError, verify
from einsteinpy_lite.verify import formulas, model
from einsteinpy_lite.verify.catalogue import CatalogueItem, run_entry
from einsteinpy_lite.verify.report import Check, Entry, Finding, Report, Verdict, verdict_of

# the verdict of every formula of the slides
VERDICTS = {
    "gd_update": "holds",
    "steepest_descent": "holds",
    "mse_gradient": "holds after a correction",
    "chain_rule": "holds after a correction",
    "d_shapes": "holds after a correction",
    "function_gradient": "holds after a correction",
    "forward_backward": "holds",
    "covector": "holds after a correction",
    "matrix_vector": "holds after a correction",
    "tensor_product": "holds after a correction",
    "tensor_image": "holds",
    "gradient_structure": "holds after a correction",
    "grad_y": "differs only in index variance",
    "grad_A_Ay": "differs only in index variance",
    "grad_A": "differs only in index variance",
    "grad_b": "holds",
    "grad_B_Bsigma": "differs only in index variance",
    "grad_B": "holds after a correction",
    "direction_A": "holds after a correction",
    "direction_b": "holds after a correction",
    "direction_B": "holds after a correction",
    "efficient_order": "holds",
}

# (entry, kind, the corrected piece) for every mistake of the slides
MISTAKES = [
    ("covector", "index", r"\sum_{j=0}^{N-1} g_j y^j"),
    ("covector", "index", "g_j for 0 <= j < N"),
    ("matrix_vector", "index", "x^i for 0 <= i < N_x"),
    ("tensor_product", "index", r"G^{i_1 i_2}_{j_1 j_2} y^{j_1 j_2}"),
    ("tensor_product", "index", r"G^{i_1, i_2}_{j_1, j_2} for 0 <= i_1, i_2 < N_x and 0 <= j_1, j_2 < N_y"),
    ("grad_y", "variance", r"A^{i_{2}}{}_{j}"),
    ("grad_A_Ay", "variance", r"[\nabla_A(Ay)]^{i}{}_{j_{1}}{}^{j_{2}}"),
    ("grad_A", "variance", r"[\nabla_A f]^{i_{1}}{}_{j_{1}}{}^{j_{2}}"),
    ("grad_B_Bsigma", "variance", r"[\nabla_B(B\sigma)]^{i}{}_{j_{1}}{}^{j_{2}}"),
    ("grad_B", "label", r"[\nabla_B f]^{i_{1}}{}_{j_{1} j_{2}}"),
    ("grad_B", "variance", r"[\nabla_B f]^{i_{1}}{}_{j_{1}}{}^{j_{2}}"),
    ("mse_gradient", "bound", r"\sum_{k=0}^{K-1}"),
    ("d_shapes", "bound", r"d = \frac{2}{K} \sum_{k=0}^{K-1} \epsilon_k \nabla_\theta f_\theta(y_k)"),
    ("direction_A", "index", r"B^{i_{1}}{}_{i_{2}}"),
    ("direction_A", "variance", r"d_{j_{1}}{}^{j_{2}}"),
    ("direction_b", "index", r"B^{i_{1}}{}_{i_{2}}"),
    ("direction_B", "variance", r"d_{j_{1}}{}^{j_{2}}"),
    ("direction_B", "bound", r"[\sigma_k \; N_1] = [N_x \; N_1]"),
    ("gradient_structure", "label", r"\text{Parameters are } \theta = (A, b, B)"),
    ("function_gradient", "variance", r"[f_\theta(y_k)]^i"),
    ("function_gradient", "label", r"\nabla_\theta f_\theta(y_k)"),
    ("chain_rule", "math", r"f1'(f2(f3(\theta))) \, f2'(f3(\theta)) \, f3'(\theta)"),
]


@pytest.fixture(scope="module")
def report() -> Report:
    return verify.slides()


def test_every_formula_of_the_slides_has_an_entry_with_its_pinned_verdict(report):
    assert [e.key for e in report] == list(VERDICTS)
    assert {e.key: e.verdict.value for e in report} == VERDICTS
    assert report.ok


def test_every_mistake_is_found_with_its_correction_and_nothing_else(report):
    found = sorted((e.key, f.kind, f.corrected) for e, f in report.findings)
    assert found == sorted(MISTAKES)
    for _, f in report.findings:
        assert f.written != f.corrected and len(f.why) > 30


def test_every_entry_is_checked_numerically_and_every_check_passed(report):
    for e in report:
        assert e.checks, e.key
        assert all(c.passed is True for c in e.checks), (e.key, [c for c in e.checks if c.passed is not True])
        numeric = [c for c in e.checks if "max |diff|" in c.detail or " vs " in c.detail or "FLOPs" in c.detail]
        assert numeric, f"{e.key} has no numeric confirmation"


def test_parse_level_findings_carry_the_parsers_message(report):
    why = next(f.why for f in report["tensor_product"].findings if f.kind == "index")
    assert "index 'j1' appears twice down in one tensor G" in why
    with pytest.raises(el.EinsteinError, match="j1"):
        el.parse(r"G^{i_1, i_2}_{j_1, j_1} y^{j_1, j_2}")


def test_the_numbers_behind_the_findings(report):
    chain = next(f.why for f in report["chain_rule"].findings)
    assert "2.156284" in chain and "-0.140499" in chain  # the slide's product vs the true derivative
    bound = next(f.why for f in report["mse_gradient"].findings)
    assert "K=6, N=4" in bound
    order = report["efficient_order"].checks
    assert "epsilon" in order[1].detail and "B" in order[1].detail  # the compiler contracts epsilon B first


def test_verdict_rules():
    ok, bad, skipped = Check("a", True), Check("b", False), Check("c", None)
    var, fix = Finding("variance", "A^{ij}", "A^i_j", "why"), Finding("index", "y^i", "y^j", "why")
    assert verdict_of([ok], []) is Verdict.HOLDS
    assert verdict_of([ok], [var]) is Verdict.VARIANCE
    assert verdict_of([ok], [var, fix]) is Verdict.CORRECTED
    assert verdict_of([ok, bad], []) is Verdict.FAILS
    assert verdict_of([ok, skipped], [fix]) is Verdict.NOT_CHECKED
    assert verdict_of([], []) is Verdict.NOT_CHECKED


def test_a_crashing_check_is_reported_not_checked_and_fails_nothing():
    def boom() -> Entry:
        raise RuntimeError("compiler exploded")

    e = run_entry(CatalogueItem("x", "Slide", "t", boom))
    assert e.verdict is Verdict.NOT_CHECKED
    assert "compiler exploded" in e.checks[0].detail
    assert Report([e]).ok


def test_a_failed_check_makes_the_report_not_ok():
    e = Entry("x", "Slide", "t", "x = y", checks=[Check("equal", False, "max |diff| 1")])
    r = Report([e])
    assert not r.ok and r.counts() == {"fails": 1}


def test_formats(report):
    data = json.loads(report.format("json"))
    assert data["ok"] is True and len(data["entries"]) == len(VERDICTS)
    assert data["entries"][0]["verdict"] == "holds"
    md = report.format("markdown")
    assert md.startswith("# Verification of the slides") and "| 12 | grad_y" not in md
    assert md.count("\n## ") == len(VERDICTS)
    tex = report.format("latex")
    assert tex.count(r"\item[") == len(VERDICTS) and r"\textbackslash{}" in tex
    assert tex.count("{") - tex.count(r"\{") == tex.count("}") - tex.count(r"\}")
    text = report.format("text")
    assert text.splitlines()[-1] == report.summary()
    with pytest.raises(ValueError, match="unknown format"):
        report.format("html")
    with pytest.raises(EinsteinError, match=r"unknown format 'html'\n  use one of text, markdown"):
        report.format("html")


def test_only_and_unknown_keys():
    r = verify.slides(["grad_b"])
    assert [e.key for e in r] == ["grad_b"]
    with pytest.raises(KeyError, match="unknown entries"):
        verify.slides(["nope"])
    # the same error is an EinsteinError that lists the catalogue, printed unquoted
    with pytest.raises(EinsteinError, match=r"unknown entries \['nope'\]\n  the catalogue has gd_update, ") as info:
        verify.slides(["nope"])
    assert str(info.value).startswith("unknown entries")
    assert [e.key for e in verify.slides("grad_b")] == ["grad_b"]  # one key as a string, not its letters
    with pytest.raises(EinsteinError, match=r"only= must be a list of entry keys, got 3"):
        verify.slides(3)  # type: ignore[arg-type]
    with pytest.raises(KeyError, match=r"no entry 'zz' in this report\n  entries are grad_b"):
        r["zz"]
    with pytest.raises(EinsteinError, match=r"no entry 'zz'"):
        r["zz"]


def test_expand_and_reslot():
    e = formulas.expand(el.parse(r"B^i_{j} [\nabla\sigma]^{j}_{m}"))
    assert str(e) == r"B^i_j [\nabla\sigma(A^j_q y^q + b^j)]^j_m"
    # an index in the other position than the definition's gets the metric
    e = formulas.expand(el.parse(r"\sum_{k} \epsilon_{k i} y_k^j"))
    assert r"\delta_{i m1}" in str(e) and e.free == el.parse(r"\sum_k \epsilon_{k i} y_k^j").free
    assert str(formulas.reslot(el.parse("B^i_k A^{k j}"), formulas.MODEL_SLOTS)) == "B^i_k A^k_j"


def test_model_reference_is_right():
    p = model.Problem.random(K=4, N_x=2, N_1=3, N_y=5)
    g = model.finite_difference_gradient(p.loss, p.theta())
    d = p.directions()
    flat = [*d["A"].ravel(), *d["b"], *d["B"].ravel()]
    assert max(abs(a + b) for a, b in zip(flat, g)) < 1e-6
    J = model.finite_difference_jacobian(lambda t: p.f(p.Y[0], t), p.theta())
    assert abs(J - p.jacobian(p.Y[0])).max() < 1e-7


# ------------------------------------------------------------------ the machinery catches wrong formulas

def test_a_wrong_right_side_fails_the_entry():
    from einsteinpy_lite.verify import network

    derived = el.diff(formulas.model_f(), "A^{j_1}_{j_2}")
    e = Entry("x", "Slide", "grad_A with y carrying the wrong index", "")
    network.compare_with_derivation(e, r"[\nabla_A f]^{i}_{j_1}{}^{j_2}",
                                    r"B^{i}_{i_2} [\nabla\sigma]^{i_2}_{j_2} y^{j_1}", derived, head=r"\nabla_A f")
    assert e.verdict is Verdict.FAILS


def test_a_right_equation_has_no_findings():
    from einsteinpy_lite.verify import network

    derived = el.diff(formulas.model_f(), "b^{j_1}")
    e = Entry("x", "Slide", "grad_b as the toolkit writes it", "")
    network.compare_with_derivation(e, r"[\nabla_b f]^{i}_{j_1}", r"B^{i}_{m} [\nabla\sigma]^{m}_{j_1}", derived,
                                    head=r"\nabla_b f")
    assert e.findings == [] and e.verdict is Verdict.HOLDS


@pytest.mark.parametrize("label, kinds", [
    (r"[\nabla_b f]^{i}_{j_1}", []),
    (r"[\nabla_b f]^{i j_1}", ["variance"]),
    (r"[\nabla_c f]^{i}_{j_1}", ["label"]),
])
def test_label_checks(label, kinds):
    from einsteinpy_lite.verify import network

    derived = el.diff(formulas.model_f(), "b^{j_1}")
    e = Entry("x", "Slide", "t", "")
    network.compare_with_derivation(e, label, r"B^{i}_{m} [\nabla\sigma]^{m}_{j_1}", derived, head=r"\nabla_b f")
    assert [f.kind for f in e.findings] == kinds


def test_range_statements():
    from einsteinpy_lite.verify import notation

    e = Entry("x", "Slide", "t", "")
    notation._ranges(e, [("y^j", "j", "y^j", "j", "N"), ("g_j", "j", "g_j", "j", "N")], [el.parse("g_j y^j")])
    assert e.findings == [] and e.verdict is Verdict.HOLDS
    e = Entry("x", "Slide", "t", "")
    notation._ranges(e, [("g_j", "i", "g_j", "k", "N")], [el.parse("g_j y^j")])  # a wrong "correction" too
    assert [f.kind for f in e.findings] == ["index"] and e.verdict is Verdict.FAILS


# ============================================================== the report's documents (issue 9)


def _unescaped(tex: str, ch: str) -> int:
    return len(re.findall(r"(?<!\\)" + re.escape(ch), tex))


def test_latex_is_a_complete_document_with_typeset_formulas(report):
    tex = report.format("latex")
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
    assert tex.count(r"\begin{document}") == 1 and r"\usepackage[T1]{fontenc}" in tex  # T1: | < > print as such
    assert _unescaped(tex, "{") == _unescaped(tex, "}")
    for line in tex.splitlines():
        assert _unescaped(line, "$") % 2 == 0, line  # every formula closed on its line
    assert tex.count(r"\begin{itemize}") == tex.count(r"\end{itemize}") == len(report)
    # formulas are maths, not escaped source in \texttt; arrows are symbols, not "-" and ">"
    assert r"\item slide: $x = g_j y^j = \sum_{j=0}^{N-1} g_j y^i$; $y^j \text{ for } 0 \le  j < N$" in tex
    assert r"\item slide: \texttt" not in tex and r"\item mistake (index): \texttt" not in tex and "->" not in tex
    assert r"\item as text: \texttt{x = g\_j y\^{}j}" in tex  # what to type stays typewriter text
    assert r"$\to$" in tex and "max |diff|" in tex
    derived = next(line for line in tex.splitlines() if line.startswith(r"\item derived: $-\text{grad}_A$"))
    assert r"\sum_{k=0}^{K - 1}" in derived and r"\textbackslash" not in derived


def test_latex_report_compiles(report, tmp_path):
    engine = shutil.which("pdflatex")
    if engine is None:
        pytest.skip("no LaTeX engine (pdflatex) on this machine: the structure is checked by the test above")
    (tmp_path / "report.tex").write_text(report.format("latex"), encoding="utf-8")
    proc = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", "report.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
    log = (tmp_path / "report.log").read_text(errors="replace")
    assert "Undefined control sequence" not in log and (tmp_path / "report.pdf").stat().st_size > 10_000


def test_markdown_puts_formulas_in_dollars(report):
    md = report.format("markdown")
    assert "- slide: $x = g_j y^j = \\sum_{j=0}^{N-1} g_j y^i$; $y^j \\text{ for } 0 \\le  j < N$" in md
    assert "- mistake (index): $\\sum_{j=0}^{N-1} g_j y^i$ → $\\sum_{j=0}^{N-1} g_j y^j$" in md
    assert "- as text: `x = g_j y^j`" in md  # what to type stays code
    for line in md.splitlines():
        assert line.count("$") % 2 == 0, line


def test_report_repr_is_a_short_summary(report):
    text = repr(report)
    assert len(text) < 300 and text.startswith("<Report: 22 formulas checked") and "ok" in text
    assert report._repr_markdown_().startswith("# Verification of the slides")
