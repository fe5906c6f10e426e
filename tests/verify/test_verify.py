"""The slide catalogue: verdicts pinned, every known mistake found with its correction, checks numeric."""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess
from importlib import resources

import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError, verify
from einsteinpy_lite.verify import document, formulas, model, shapes
from einsteinpy_lite.verify.catalogue import CatalogueItem, run_entry
from einsteinpy_lite.verify.report import Check, Entry, Finding, Report, Verdict, verdict_of

DATA = pathlib.Path(__file__).parent / "data"

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
    "grad_A": "differs only in index variance",
    "grad_b": "holds",
    "grad_B": "holds after a correction",
    "direction_A": "holds after a correction",
    "direction_b": "holds after a correction",
    "direction_B": "holds after a correction",
    "efficient_order": "holds",
}

# the entries whose claims stand in data/slides.md (the rest are checks that are not claims)
DOCUMENT_ENTRIES = {"mse_gradient", "covector", "matrix_vector", "tensor_product", "tensor_image", "grad_y", "grad_A",
                    "grad_b", "grad_B", "direction_A", "direction_b", "direction_B"}

SLIDES = resources.files("einsteinpy_lite").joinpath("data/slides.md").read_text()


def line_of(fragment: str) -> int:
    """The line of data/slides.md that holds ``fragment`` (exactly one)."""
    hits = [n for n, ln in enumerate(SLIDES.splitlines(), 1) if fragment in ln]
    assert len(hits) == 1, (fragment, hits)
    return hits[0]


# every mistake verify reported before the slides became a document (tests/verify/data/findings_before.json,
# recorded from `einsteinpy-lite verify` with the per-formula Python), and where it is reported now:
# ("line", fragment of the slides document's line) for a claim the checker judges, ("python", kind, correction)
# for a check that is not a claim
NOW_FOUND = {
    ("covector", r"\sum_{j=0}^{N-1} g_j y^j"): ("line", "x = g_j y^j = "),
    ("covector", "g_j for 0 <= j < N"): ("line", r"g_j \text{ for } 0 \leq i < N"),
    ("matrix_vector", "x^i for 0 <= i < N_x"): ("line", r"$x^j \text{ for } 0 \leq j < N_x$"),
    ("tensor_product", r"G^{i_1 i_2}_{j_1 j_2} y^{j_1 j_2}"): ("line", "$$ x^{i_1, i_2} = G"),
    ("tensor_product", r"G^{i_1, i_2}_{j_1, j_2} for 0 <= i_1, i_2 < N_x and 0 <= j_1, j_2 < N_y"):
        ("line", "The 4-D tensor"),
    ("grad_y", r"A^{i_{2}}{}_{j}"): ("line", r"[\nabla_y f]^i_j ="),
    ("grad_A_Ay", r"[\nabla_A(Ay)]^{i}{}_{j_{1}}{}^{j_{2}}"): ("line", r"[\nabla_A(A^i_l y^l)]^i_{j_1, j_2} ="),
    ("grad_A", r"[\nabla_A f]^{i_{1}}{}_{j_{1}}{}^{j_{2}}"):
        ("line", r"$$ [\nabla_A f]^{i_1}_{j_1, j_2} = B^{i_1}_{i_2} [\nabla \sigma]^{i_2}_{j_1} y^{j_2} $$"),
    ("grad_B_Bsigma", r"[\nabla_B(B\sigma)]^{i}{}_{j_{1}}{}^{j_{2}}"): ("line", r"[\nabla_B(B^i_l \sigma^l)]"),
    ("grad_B", r"[\nabla_B f]^{i_{1}}{}_{j_{1} j_{2}}"): ("line", r"$$ [\nabla_b f]^{i_1}{}_{j_1,j_2} ="),
    ("grad_B", r"[\nabla_B f]^{i_{1}}{}_{j_{1}}{}^{j_{2}}"): ("line", r"$$ [\nabla_b f]^{i_1}{}_{j_1,j_2} ="),
    ("mse_gradient", r"\sum_{k=0}^{K-1}"): ("line", r"&= \frac{2}{K} \sum_{k=0}^{N-1}"),
    ("direction_A", r"B^{i_{1}}{}_{i_{2}}"): ("line", r"$$ -[\nabla_A L]_{j_1, j_2} ="),
    ("direction_A", r"d_{j_{1}}{}^{j_{2}}"): ("line", r"$$ -[\nabla_A L]_{j_1, j_2} ="),
    ("direction_b", r"B^{i_{1}}{}_{i_{2}}"): ("line", r"$$ -[\nabla_b L]_{j_1} ="),
    ("direction_B", r"d_{j_{1}}{}^{j_{2}}"): ("line", r"$$ -[\nabla_B L]_{j_1, j_2} ="),
    ("d_shapes", r"d = \frac{2}{K} \sum_{k=0}^{K-1} \epsilon_k \nabla_\theta f_\theta(y_k)"):
        ("python", "d_shapes", "bound"),
    ("direction_B", r"[\sigma_k \; N_1] = [N_x \; N_1]"): ("python", "direction_B", "bound"),
    ("gradient_structure", r"\text{Parameters are } \theta = (A, b, B)"): ("python", "gradient_structure", "label"),
    ("function_gradient", r"[f_\theta(y_k)]^i"): ("python", "function_gradient", "variance"),
    ("function_gradient", r"\nabla_\theta f_\theta(y_k)"): ("python", "function_gradient", "label"),
    ("chain_rule", r"f1'(f2(f3(\theta))) \, f2'(f3(\theta)) \, f3'(\theta)"): ("python", "chain_rule", "math"),
}

# what the checker says on each line of the document that shows a mistake: (entry, kind, words of the diagnosis)
DOCUMENT_MISTAKES = {
    r"&= \frac{2}{K} \sum_{k=0}^{N-1}": ("mse_gradient", "bound", "N terms on the right but K on the left"),
    r"g_j \text{ for } 0 \leq i < N": ("covector", "index", "not an index of 'g_j'"),
    "x = g_j y^j = ": ("covector", "index", "rename this 'i' to 'j'"),
    r"$x^j \text{ for } 0 \leq j < N_x$": ("matrix_vector", "index", "'i' is the index that ranges to N_x"),
    "$$ x^{i_1, i_2} = G": ("tensor_product", "index", "index 'j1' appears twice down in one tensor G"),
    "The 4-D tensor": ("tensor_product", "index", "writes the index 'j1' twice"),
    r"[\nabla_y f]^i_j =": ("grad_y", "variance", "'j' is down on the left but up on the right"),
    r"[\nabla_A(A^i_l y^l)]^i_{j_1, j_2} =": ("grad_A", "variance", "'j2' is down on the left"),
    r"&= B^{i_1}_{i_2} [\nabla \sigma]^{i_2}_{i_3} \delta^{i_3}_{j_1} y^{j_2}": ("grad_A", "variance", "'j2' is down"),
    r"$$ [\nabla_A f]^{i_1}_{j_1, j_2} = B^{i_1}_{i_2} [\nabla \sigma]^{i_2}_{j_1} y^{j_2} $$":
        ("grad_A", "variance", "'j2' is down on the left"),
    r"[\nabla_B(B^i_l \sigma^l)]": ("grad_B", "variance", "'j2' is down on the left"),
    r"$$ [\nabla_b f]^{i_1}{}_{j_1,j_2} =": ("grad_B", "label", "has 3 indices, but f has 1 free and b has 1 slots"),
    r"$$ -[\nabla_A L]_{j_1, j_2} =": ("direction_A", "index", "drop the index 'k' (the index positions still differ"),
    r"$$ -[\nabla_b L]_{j_1} =": ("direction_b", "index", "drop the index 'k'"),
    r"$$ -[\nabla_B L]_{j_1, j_2} =": ("direction_B", "variance", "'j2' is down on the left"),
}

# the mistakes found by the checks that are not claims: (entry, kind, the corrected piece)
PYTHON_MISTAKES = [
    ("d_shapes", "bound", r"d = \frac{2}{K} \sum_{k=0}^{K-1} \epsilon_k \nabla_\theta f_\theta(y_k)"),
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


def test_every_mistake_found_before_the_document_is_still_found_now_located_by_line(report):
    """The findings of the per-formula Python (recorded before it was deleted) against today's findings."""
    before = json.loads((DATA / "findings_before.json").read_text())
    assert len(before) == 22 and {(r["entry"], r["corrected"]) for r in before} == set(NOW_FOUND)
    located = {f.line: (e.key, f) for e, f in report.findings if f.line is not None}
    for row in before:
        where = NOW_FOUND[(row["entry"], row["corrected"])]
        if where[0] == "line":
            line = line_of(where[1])
            assert line in located, (row, line)
        else:
            _, key, kind = where
            assert any(e.key == key and f.kind == kind == row["kind"] and f.corrected == row["corrected"]
                       for e, f in report.findings), row


def test_every_mistake_is_found_by_line_or_by_its_check_and_nothing_else(report):
    by_line = {line_of(fragment): want for fragment, want in DOCUMENT_MISTAKES.items()}
    located = [(e, f) for e, f in report.findings if f.line is not None]
    assert sorted(f.line for _, f in located) == sorted(by_line)
    for e, f in located:
        key, kind, words = by_line[f.line]
        assert (e.key, f.kind) == (key, kind) and words in f.why, (f.line, e.key, f.kind, f.why)
        assert f.written != f.corrected
    python = sorted((e.key, f.kind, f.corrected) for e, f in report.findings if f.line is None)
    assert python == sorted(PYTHON_MISTAKES)
    for _, f in report.findings:
        assert len(f.why) > 30
    # the checker's repair is the correction, where it finds one
    fixed = {f.line: f.corrected for _, f in located}
    assert fixed[line_of("x = g_j y^j = ")] == r"g_j y^j = \sum_{j=0}^{N-1} g_j y^j"
    assert r"\sum_{k=0}^{K-1}" in fixed[line_of(r"&= \frac{2}{K} \sum_{k=0}^{N-1}")].split("=", 1)[1]
    assert fixed[line_of(r"$$ [\nabla_b f]^{i_1}{}_{j_1,j_2} =")] == ""  # no repair proposed (yet)


def test_a_variance_finding_proposes_the_right_side_that_holds_under_strict_ricci(report):
    fixed = {f.line: f.corrected for e, f in report.findings if f.kind == "variance" and f.line is not None}
    # the index moved on the right side to where the label has it (grad_y: as the old verify's correction A^{i_2}_j)
    assert fixed[line_of(r"[\nabla_y f]^i_j =")].endswith(r"A^{i_2}_{j}")
    assert fixed[line_of(r"[\nabla_A(A^i_l y^l)]^i_{j_1, j_2} =")].endswith(r"= \delta^i_{j_1} y_{j_2}")
    # d for B: the checker's edit would write \sigma_k_{j_2} (two subscripts, no LaTeX): none is proposed
    assert fixed[line_of(r"$$ -[\nabla_B L]_{j_1, j_2} =")] == ""
    # each proposal holds under strict Ricci checking where the claim as written does not
    head = SLIDES.split("## Computing the Loss Gradient")[0]
    for line, corrected in fixed.items():
        if corrected:
            assert el.check(head + f"$$ {corrected} $$", strict=True).claims[-1].verdict == "holds", line
            written = next(f.written for _, f in report.findings if f.line == line)
            assert el.check(head + f"$$ {written} $$", strict=True).claims[-1].verdict == "fails", line


def test_every_entry_is_checked_and_every_check_passed(report):
    for e in report:
        assert e.checks, e.key
        assert all(c.passed is True for c in e.checks), (e.key, [c for c in e.checks if c.passed is not True])
        if e.key in DOCUMENT_ENTRIES:
            assert e.checks[0].what.startswith("el.check judged the") or "read as a definition" in e.checks[0].what
            held = [c for c in e.checks if c.what.startswith("line ") and "holds" in c.detail]
            assert all("random draws" in c.detail for c in held), e.key
        else:
            numeric = [c for c in e.checks if "max |diff|" in c.detail or " vs " in c.detail or "FLOPs" in c.detail]
            assert numeric, f"{e.key} has no numeric confirmation"


def test_parse_level_findings_carry_the_parsers_message(report):
    why = next(f.why for f in report["tensor_product"].findings if f.line == line_of("$$ x^{i_1, i_2} = G"))
    assert "index 'j1' appears twice down in one tensor G" in why
    with pytest.raises(el.EinsteinError, match="j1"):
        el.parse(r"G^{i_1, i_2}_{j_1, j_1} y^{j_1, j_2}")


def test_the_numbers_behind_the_findings(report):
    chain = next(f.why for f in report["chain_rule"].findings)
    assert "2.156284" in chain and "-0.140499" in chain  # the slide's product vs the true derivative
    order = report["efficient_order"].checks
    assert "epsilon" in order[1].detail and "B" in order[1].detail  # the compiler contracts epsilon B first


def test_the_document_entries_are_the_checkers_verdicts(report):
    """verify's document entries are el.check on data/slides.md: same claims, same lines."""
    checked = el.check(SLIDES)
    bad = {c.line for c in checked.claims if c.verdict in ("fails", "malformed")}
    noted = {c.line for c in checked.claims if c.verdict == "holds" and "index position" in c.how}
    assert {f.line for _, f in report.findings if f.line is not None} == bad | noted


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


def test_model_reference_is_right():
    p = model.Problem.random(K=4, N_x=2, N_1=3, N_y=5)
    g = model.finite_difference_gradient(p.loss, p.theta())
    d = p.directions()
    flat = [*d["A"].ravel(), *d["b"], *d["B"].ravel()]
    assert max(abs(a + b) for a, b in zip(flat, g)) < 1e-6
    J = model.finite_difference_jacobian(lambda t: p.f(p.Y[0], t), p.theta())
    assert abs(J - p.jacobian(p.Y[0])).max() < 1e-7


# ------------------------------------------------------------------ the machinery catches wrong formulas

DOC = r"""# Notes

$$ f^i := B^i_j \sigma(A^j_l y^l + b^j) $$

## Gradient w.r.t. b {#grad_b}

$$ [\nabla_b f]^{i}_{j_1} = B^{i}_{m} [\nabla\sigma(A^m_l y^l + b^m)]^{m}_{j_1} $$

## Gradient w.r.t. A {#grad_A}

$$ [\nabla_A f]^{i}_{j_1}{}^{j_2} = B^{i}_{m} [\nabla\sigma(A^m_l y^l + b^m)]^{m}_{j_2} y^{j_1} $$

## Prose only {#empty}

Nothing to check here.
"""


def test_a_wrong_right_side_is_a_mistake_at_its_line():
    e = document.entry("grad_A", "Slide", "grad_A with y carrying the wrong index", DOC)
    (f,) = e.findings
    assert f.line == 11 and f.kind == "index" and e.verdict is Verdict.CORRECTED
    assert f.corrected.endswith("[\\nabla\\sigma(A^m_l y^l + b^m)]^{m}_{j_1} y^{j_2}"), f.corrected


def test_a_right_equation_has_no_findings():
    e = document.entry("grad_b", "Slide", "grad_b as the toolkit writes it", DOC)
    assert e.findings == [] and e.verdict is Verdict.HOLDS
    assert "line 7" in e.checks[1].what and "random draws" in e.checks[1].detail


def test_a_section_without_claims_or_missing_is_not_checked():
    assert document.entry("empty", "Slide", "t", DOC).verdict is Verdict.NOT_CHECKED
    e = document.entry("nope", "Slide", "t", DOC)
    assert e.verdict is Verdict.NOT_CHECKED and "no heading with {#nope}" in e.checks[0].detail
    assert list(document.sections(DOC)) == ["grad_b", "grad_A", "empty"]
    assert document.sections(DOC)["grad_b"] == ("Gradient w.r.t. b", 5, 7)


def test_the_shape_checks_that_are_not_claims():
    e = Entry("direction_B", "Slide", "t", "")
    shapes.direction_B(e)
    assert [f.kind for f in e.findings] == ["bound"] and "N_x=3, N_1=5" in e.findings[0].why
    e = Entry("tensor_image", "Slide", "t", "")
    shapes.tensor_image(e)
    assert e.verdict is Verdict.HOLDS and "max |diff| 0.0e+00" in e.checks[1].detail


def test_loss_expr_is_the_mse_loss():
    """The slides' loss in the model's tensors, against numpy (the oracle of the matrix-notation tests too)."""
    p = model.Problem.random(K=4, N_x=2, N_1=3, N_y=5)
    got = el.evaluate(formulas.loss_expr(), p.arrays, K=4)
    assert abs(float(got) - p.loss()) < 1e-12


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
    assert (r"\item slide: $y^j \text{ for } 0 \leq j < N$; $g_j \text{ for } 0 \leq i < N$; "
            r"$g_j y^j = \sum_{j=0}^{N-1} g_j y^i$") in tex
    assert r"\item mistake (index) at line 43: $g_j y^j = \sum_{j=0}^{N-1} g_j y^i$ $\to$ " in tex
    assert r"\item slide: \texttt" not in tex and r"\item mistake (index): \texttt" not in tex and "->" not in tex
    assert r"\item as text: \texttt{A\^{}\{j\_1\}" in tex  # what to type stays typewriter text
    assert r"$\to$" in tex and "max |diff|" in tex
    derived = next(line for line in tex.splitlines() if line.startswith(r"\item derived: $\frac{2}{K}"))
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
    assert r"- slide: $y^j \text{ for } 0 \leq j < N$; $g_j \text{ for } 0 \leq i < N$;" in md
    assert (r"- mistake (index) at line 43: $g_j y^j = \sum_{j=0}^{N-1} g_j y^i$ → "
            r"$g_j y^j = \sum_{j=0}^{N-1} g_j y^j$") in md
    assert "- as text: `A^{j_1}_{j_2} + " in md  # what to type stays code
    for line in md.splitlines():
        assert line.count("$") % 2 == 0, line


def test_report_repr_is_a_short_summary(report):
    text = repr(report)
    assert len(text) < 300 and text.startswith("<Report: 20 formulas checked") and "ok" in text
    assert report._repr_markdown_().startswith("# Verification of the slides")
