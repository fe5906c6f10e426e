"""The command line: every sub-command through main([...]), two end to end in a subprocess, every error path."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import einsteinpy_lite as el
from einsteinpy_lite import cli, verify
from einsteinpy_lite.verify.report import Check, Entry, Report

F = r"B^i_j \sigma(A^j_l y^l + b^j)"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, expected", [
    (["latex", r"B^i_k \sigma(A^k_j y^j + b^k)"], r"B^{i}{}_{k} \sigma(A^{k}{}_{j} y^{j} + b^{k})"),
    (["latex", "x_i y_i", "--convention", "einstein"], r"x_{i} y^{i}"),
    (["latex", r"B^i_j [\nabla\sigma(A^j_l y^l)]^j_m", "--compact"], r"B^{i}{}_{j} [\nabla\sigma]^{j}{}_{m}"),
    (["simplify", r"\delta^i_j x^j + 2 x^i"], "3 x^i"),
    (["simplify", r"B^i_m \delta^m_n A^n_p y^p", "--latex"],
     el.latex(el.simplify(el.parse(r"B^i_m \delta^m_n A^n_p y^p")))),  # the CLI prints what the library gives
])
def test_golden_outputs(capsys, argv, expected):
    code, out, err = run(capsys, *argv)
    assert (code, out.strip(), err) == (0, expected, "")


def test_diff_prints_the_derivative_that_parses_back(capsys):
    code, out, _ = run(capsys, "diff", F, "--wrt", "A^m_n")
    assert code == 0
    got = el.parse(out.strip())
    assert [(ix.name, ix.up) for ix in got.free] == [("i", True), ("m", False), ("n", True)]
    assert el.equal(got, el.diff(el.parse(F), "A^{m}_{n}"))
    code, out, _ = run(capsys, "diff", F, "--wrt", "A^m_n", "--latex", "--compact")
    assert code == 0 and r"[\nabla\sigma]^{j}{}_{m} y^{n}" in out
    code, out, _ = run(capsys, "diff", "A^i_k y^k", "--wrt", "A^m_n", "--no-simplify")
    assert code == 0 and r"\delta" in out


def test_explain_shows_the_plan_for_the_given_sizes(capsys):
    code, out, _ = run(capsys, "explain", "A^i_j B^j_k y^k", "--dims", "i=64,j=32,k=16")
    assert code == 0
    assert "i=64, j=32, k=16" in out and "total FLOPs" in out
    assert out.index("B_{j k} y_{k}") < out.index("A_{i j}")  # y is contracted with B first: the cheap order


def test_parse_dims():
    assert cli.parse_dims("i=64, j_1=32,K=8,alpha=2") == {"i": 64, "j1": 32, "K": 8, "alpha": 2}


def test_verify_all_entries_exit_0(capsys):
    code, out, _ = run(capsys, "verify")
    assert code == 0
    assert out.strip().splitlines()[-1].startswith("20 formulas checked")


def test_verify_formats_and_only(capsys):
    code, out, _ = run(capsys, "verify", "--format", "json", "--only", "grad_b,grad_y")
    data = json.loads(out)
    assert code == 0 and [e["key"] for e in data["entries"]] == ["grad_y", "grad_b"]
    assert [e["verdict"] for e in data["entries"]] == ["differs only in index variance", "holds"]
    code, out, _ = run(capsys, "verify", "--format", "markdown", "--only", "covector")
    assert code == 0 and out.startswith("# Verification of the slides") and "| 1 | covector times vector" in out
    code, out, _ = run(capsys, "verify", "--format", "latex", "--only", "covector")
    assert code == 0 and r"\begin{description}" in out


def test_verify_exits_1_when_an_entry_fails(capsys, monkeypatch):
    bad = Report([Entry("x", "Slide", "a formula", "x = y", checks=[Check("equal", False, "max |diff| 1")])])
    monkeypatch.setattr(verify, "slides", lambda only=None: bad)
    code, out, _ = run(capsys, "verify")
    assert code == 1 and "check FAILED: equal" in out


def test_bench_prints_the_table_and_writes_json(capsys, tmp_path):
    path = tmp_path / "bench.json"
    code, out, _ = run(capsys, "bench", "--quick", "--sections", "overhead", "--json", str(path))
    assert code == 0 and "per call" in out and f"results written to {path}" in out
    data = json.loads(path.read_text())
    assert "overhead" in data and "machine" in data


def test_train_prints_the_loss_summary(capsys):
    code, out, _ = run(capsys, "train", "--hidden", "4", "--steps", "20", "--method", "gd")
    assert code == 0 and out.startswith("gradient_descent") and "after 20 iterations" in out and "loss" in out


@pytest.mark.parametrize("argv, message, caret_line", [
    (["latex", "A^i_j B^j_k C_j"], "index 'j' appears 3 times in one product", "                ^"),
    (["latex", "A^i_j $"], "unexpected character '$'", "        ^"),
    (["simplify", "x^i + y_i"], "the terms of a sum must have the same free indices", None),
    (["diff", F, "--wrt", "A^m"], "'A' has the slots ^_ in the expression", "          ^"),
    (["diff", F, "--wrt", "A^i_n"], "reuses 'i', a free index", "          ^"),
    (["diff", F, "--wrt", "2"], "can only differentiate with respect to a tensor", "        ^"),
    (["diff", F, "--wrt", "A^{m}_{n"], "unexpected end of text", "          ^"),
    (["explain", "A^i_j y^j", "--dims", "i=64,j=x"], "bad size 'j=x' in --dims", "       ^"),
    (["explain", "A^i_j y^j", "--dims", "i=0"], "bad size 'i=0' in --dims", "  ^"),
    (["explain", "A^i_j y^j", "--dims", "i=4,i=5"], "index 'i' is given twice", "      ^"),
    (["explain", "A^i_j y^j", "--dims", "i=4"], "no size for index 'j'", None),
    (["explain", "A^i_j y^j", "--dims", "i=4,j=3,z=2"], "--dims gives a size to 'z', which the expression does not use",
     "          ^"),
    (["verify", "--only", "nope"], "unknown entries nope in --only", None),
    (["verify", "--only", " , "], "--only ' , ' names no entry", None),
    (["bench", "--json", "/nonexistent/bench.json"], "the folder /nonexistent does not exist", None),
    (["train", "--method", "adamw", "--steps", "2"], "unknown training method 'adamw'", None),
    (["train", "--hidden", "0"], "--hidden must be a positive integer", None),
    (["bench", "--sizes", "huge", "--json", ""], "unknown benchmark size 'huge'", None),
    (["bench", "--sections", "speed", "--json", ""], "unknown benchmark section 'speed'", None),
    (["bench", "--repeat", "0", "--json", ""], "--repeat must be a positive integer", None),
])
def test_user_errors_exit_2_with_the_caret_message(capsys, argv, message, caret_line):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("einsteinpy-lite: error: ") and message in err
    assert "Traceback" not in err
    if caret_line is not None:
        assert caret_line + "\n" in err + "\n", err


def test_a_file_that_cannot_be_written_is_an_error_not_a_traceback(capsys, tmp_path):
    code, out, err = run(capsys, "bench", "--quick", "--sections", "core", "--json", str(tmp_path))
    assert code == 2 and err.startswith("einsteinpy-lite: error: ") and "Is a directory" in err


def test_argparse_errors_exit_2():
    with pytest.raises(SystemExit) as info:
        cli.main(["diff", F])  # --wrt is required
    assert info.value.code == 2


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "einsteinpy_lite.cli", *argv], capture_output=True, text=True,
                          timeout=120)


def test_end_to_end_latex_and_a_bad_expression():
    ok = _cli("latex", "B^i_k y^k")
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "B^{i}{}_{k} y^{k}\n", "")
    bad = _cli("latex", "A^i_j B^j_k C_j")
    assert bad.returncode == 2 and bad.stdout == "" and "Traceback" not in bad.stderr
    assert bad.stderr.splitlines()[1:3] == ["  A^i_j B^j_k C_j", "                ^"]


def test_end_to_end_verify_json():
    proc = _cli("verify", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["ok"] and len(data["entries"]) == 20 and sum(len(e["findings"]) for e in data["entries"]) == 21


# ============================================================== what a new user hit (issue 9)


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"einsteinpy-lite {el.__version__}"


def test_train_help_lists_every_method_and_newton_alpha_beta_work(capsys):
    from einsteinpy_lite.optim.experiments import TRAIN_METHODS

    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "newton" in TRAIN_METHODS
    for method in TRAIN_METHODS:
        assert method in out
    assert "--alpha" in out and "--beta" in out and "input y, target x" in out
    code, out, err = run(capsys, "train", "--method", "newton", "--steps", "5", "--hidden", "4")
    assert (code, err) == (0, "") and out.startswith("newton") and "lower" in out
    code, out, err = run(capsys, "train", "--method", "momentum", "--steps", "5", "--alpha", "0.05", "--beta", "0.5")
    assert (code, err) == (0, "") and "alpha=0.05, beta=0.5" in out
    assert run(capsys, "train", "--alpha", "-1")[0] == 2
    assert run(capsys, "train", "--beta", "1.5")[0] == 2
    code, _, err = run(capsys, "train", "--method", "adam")
    assert code == 2 and "unknown training method 'adam'" in err and "newton" in err


def test_diff_compact_without_latex_is_an_error(capsys):
    code, out, err = run(capsys, "diff", F, "--wrt", "A^m_n", "--compact")
    assert (code, out) == (2, "")
    assert "--compact shortens the LaTeX output" in err and "use it with --latex" in err


def test_bench_without_json_writes_no_file(capsys, monkeypatch, tmp_path):
    from einsteinpy_lite import bench

    seen = {}

    def fake(**kwargs):
        seen.update(kwargs)
        return {}

    monkeypatch.setattr(bench, "run_benchmarks", fake)
    monkeypatch.setattr(bench, "format_table", lambda results: "table")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "bench", "--quick")
    assert (code, out.strip(), err) == (0, "table", "")
    assert seen["json_path"] is None and list(tmp_path.iterdir()) == []
    code, out, _ = run(capsys, "bench", "--quick", "--json", str(tmp_path / "b.json"))
    assert code == 0 and seen["json_path"] == str(tmp_path / "b.json") and "results written to" in out


@pytest.mark.parametrize("argv", [
    ["latex", "A^i\x1b_j\tx"],
    ["explain", "A^i_j", "--dims", "i=3,j\t=x\x1b[2J"],
    ["diff", "A^i_j y^j", "--wrt", "A^m_n\x1b"],
    ["verify", "--only", "grad_b,\x1b[31mred\x07"],
])
def test_control_characters_in_user_text_are_escaped(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert not any(ord(ch) < 32 and ch != "\n" or ord(ch) == 127 for ch in err), repr(err)
    assert "\\x1b" in err or "\\t" in err


def test_control_characters_keep_the_caret_under_its_spot(capsys):
    code, _, err = run(capsys, "explain", "A^i_j", "--dims", "i=3,\tj=x")
    lines = err.splitlines()
    text = next(line for line in lines if "i=3," in line)
    caret = lines[lines.index(text) + 1]
    at = caret.index("^")
    assert code == 2 and text[at:].startswith("j=x") and text[:at].endswith("\\t")  # under j, after the tab


def test_explain_hints_speak_dims_not_python(capsys):
    code, _, err = run(capsys, "explain", "A^i_j y^j", "--dims", "i=3")
    assert code == 2 and "no size for index 'j'" in err
    assert "--dims i=3,j=8" in err and "fn.plan" not in err
    # j is sized by i through the delta (one index space); k is not
    code, out, _ = run(capsys, "explain", r"\delta^i_j", "--dims", "i=3")
    assert code == 0 and "sizes: i=3" in out
    code, _, err = run(capsys, "explain", r"\delta^i_j x^k", "--dims", "i=3")
    assert code == 2 and "no size for index 'k'" in err and "--dims" in err and "keyword" not in err


def test_python_dash_m_package_runs_the_cli():
    proc = subprocess.run([sys.executable, "-m", "einsteinpy_lite", "--version"], capture_output=True, text=True,
                          timeout=120)
    assert (proc.returncode, proc.stdout.strip()) == (0, f"einsteinpy-lite {el.__version__}")


def test_matrix_flag_prints_the_matrix_form(capsys):
    code, out, _ = run(capsys, "diff", r"x^i \delta_{i j} A^j_k x^k", "--wrt", "x^p", "--matrix")
    assert code == 0 and out.strip() == r"(A + A^\top) x"
    code, out, _ = run(capsys, "simplify", "A_{m j} x^j + x^i A_{i m}", "--matrix")
    assert code == 0 and out.strip() == r"(A + A^\top) x"
    # the printed form reads back as the derivative (matrix notation in)
    d = el.diff(el.parse(r"x^i \delta_{i j} A^j_k x^k"), "x^p")
    assert el.equal(el.parse_matrix(out.strip(), {"x": (3,), "A": (3, 3)}, indices=d.free), d)


def test_matrix_flag_says_why_there_is_no_matrix_form(capsys):
    code, _, err = run(capsys, "simplify", "T^i_{jk} x^j", "--matrix")
    assert code == 2
    assert "no matrix form: the factor T^i_{j k} has 3 indices" in err
