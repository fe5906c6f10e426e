"""The verification report: verdicts, findings, checks, and their text / Markdown / LaTeX / JSON forms.

A :class:`Report` is a list of :class:`Entry` objects, one per formula of the
slides.  Each entry holds the formula as the slide writes it, the toolkit's own
derivation, the numeric checks that were run and the mistakes found (each with
its correction and the reason).  The verdict of an entry is computed from its
checks and findings, never written by hand (see :func:`verdict_of`).
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import EinsteinError, UnknownNameError
from ..notation.greek import GREEK

__all__ = ["Verdict", "Finding", "Check", "Entry", "Report", "verdict_of", "FORMATS"]

#: The output formats :meth:`Report.format` knows.
FORMATS = ("text", "markdown", "latex", "json")


class Verdict(str, enum.Enum):
    """What the check of one slide formula concluded (worst first in :data:`_ORDER`)."""

    HOLDS = "holds"
    VARIANCE = "differs only in index variance"
    CORRECTED = "holds after a correction"
    FAILS = "fails"
    NOT_CHECKED = "not checked"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Finding:
    """One mistake of the slides, with the corrected formula and why.

    Attributes:
        kind: ``"variance"`` (an index in the wrong position), ``"index"`` (a
            wrong index name), ``"label"`` (a wrong name for a quantity),
            ``"bound"`` (a wrong summation limit or size), ``"math"`` (a wrong
            statement).
        written: the piece as the slide writes it.
        corrected: the corrected piece.
        why: the reason, with the evidence (the checker's diagnosis, numbers).
        line: the line of ``data/slides.md`` on which the mistaken claim's ``=`` stands (None for a
            finding of a check that is not a claim).

    An empty ``corrected`` means no repair is proposed (``why`` says what is wrong).
    """

    kind: str
    written: str
    corrected: str
    why: str
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"kind": self.kind, "line": self.line, "written": self.written, "corrected": self.corrected,
                "why": self.why}

    @property
    def where(self) -> str:
        """`` at line N`` (of the slides document) or nothing."""
        return "" if self.line is None else f" at line {self.line}"


@dataclass(frozen=True)
class Check:
    """One check that was run: what, whether it passed, and the evidence (numbers, sizes).

    ``passed`` is None when the check could not run (a toolkit module missing).
    """

    what: str
    passed: bool | None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"what": self.what, "passed": self.passed, "detail": self.detail}


def verdict_of(checks: list[Check], findings: list[Finding]) -> Verdict:
    """The verdict that follows from the checks and findings of an entry.

    A failed check makes the entry fail; a check that could not run (and no
    failure) makes it "not checked"; otherwise the findings decide: none ->
    holds, only variance findings -> differs only in index variance, any other
    -> holds after a correction.

    Example:
        >>> verdict_of([Check("x", True)], [Finding("variance", "A^{ij}", "A^i_j", "...")]).value
        'differs only in index variance'
    """
    if any(c.passed is False for c in checks):
        return Verdict.FAILS
    if not checks or any(c.passed is None for c in checks):
        return Verdict.NOT_CHECKED
    if not findings:
        return Verdict.HOLDS
    if all(f.kind == "variance" for f in findings):
        return Verdict.VARIANCE
    return Verdict.CORRECTED


@dataclass
class Entry:
    """The check of one formula of the slides."""

    key: str
    slide: str
    title: str
    written: str
    derived: str = ""
    syntax: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        """Computed from the checks and findings (:func:`verdict_of`)."""
        return verdict_of(self.checks, self.findings)

    def check(self, what: str, passed: bool | None, detail: str = "") -> bool | None:
        """Record a check; returns ``passed``."""
        passed = None if passed is None else bool(passed)
        self.checks.append(Check(what, passed, detail))
        return passed

    def find(self, kind: str, written: str, corrected: str, why: str) -> None:
        """Record a mistake of the slide."""
        self.findings.append(Finding(kind, written, corrected, why))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "key": self.key, "slide": self.slide, "title": self.title, "written": self.written,
            "syntax": list(self.syntax), "derived": self.derived, "verdict": self.verdict.value,
            "findings": [f.as_dict() for f in self.findings], "checks": [c.as_dict() for c in self.checks],
            "notes": list(self.notes),
        }


_LATEX_ESCAPES = {
    "\\": r"\textbackslash{}", "_": r"\_", "^": r"\^{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
    "#": r"\#", "$": r"\$", "~": r"\~{}",
}

# ------------------------------------------------------------ formulas in the report (LaTeX and Markdown)

_GREEK = " ".join(GREEK)
#: the commands a formula of the report may use: amsmath/amssymb math (anything else is shown as text)
_MATH_COMMANDS = frozenset((_GREEK + " nabla partial sum prod frac tfrac dfrac sqrt cdot cdots ldots dots times "
                            "div pm mp le leq ge geq ne neq approx sim to gets leftarrow rightarrow longrightarrow "
                            "longleftarrow Leftarrow Rightarrow Longrightarrow iff in notin subset subseteq cup cap "
                            "infty exp log ln sin cos tan tanh sinh cosh arg min max argmin argmax sup inf lim det "
                            "Re Im hat bar tilde vec dot ddot overline underline mathrm mathbf mathit mathcal "
                            "mathbb operatorname text textrm textbf textit left right big Big bigl bigr quad qquad "
                            "top mid langle rangle lfloor rfloor lceil rceil ell forall exists circ otimes oplus "
                            "star ast prime").split())
_TEXT_ARG = frozenset("text textrm textbf textit mathrm mathbf mathit operatorname".split())
_OPERATORS = (("<=", r"\le "), (">=", r"\ge "), ("->", r"\to "), ("<-", r"\leftarrow "), ("!=", r"\ne "))


def _balanced(s: str) -> bool:
    depth = 0
    for n, ch in enumerate(s):
        if ch in "{}" and n and s[n - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def math_body(text: str) -> str | None:
    """A formula of the report (slide LaTeX or the toolkit's text form) as math-mode LaTeX, or None.

    Index names with digits get their subscript (``^j1`` is ``^{j_{1}}``), ``<=`` and ``->``
    their symbols, words ``\\text``; None when the result would not typeset (unbalanced braces,
    a command outside amsmath) -- the caller then shows it as text.

    Example:
        >>> math_body(r"B^i_j [\\nabla\\sigma]^j_j1 y^j2 for 0 <= j < N")
        'B^i_j [\\\\nabla\\\\sigma]^j_{j_{1}} y^{j_{2}} \\\\text{ for } 0 \\\\le j < N'
        >>> math_body(r"\\frac{1}{K") is None
        True
    """
    s = text.strip()
    if not s or not _balanced(s) or "$" in s:
        return None
    out: list[str] = []
    n = 0
    while n < len(s):
        m = re.match(r"\\([A-Za-z]+)|\\.|[A-Za-z]+|\s+|.", s[n:], re.S)
        assert m is not None
        tok = m.group(0)
        step = len(tok)
        if m.group(1) is not None:
            if m.group(1) not in _MATH_COMMANDS:
                return None
            if m.group(1) in _TEXT_ARG and s[n + len(tok):].startswith("{"):
                depth, end = 0, n + len(tok)
                for end in range(n + len(tok), len(s)):  # copy the braced argument as it is
                    depth += {"{": 1, "}": -1}.get(s[end], 0)
                    if depth == 0:
                        break
                tok = s[n:end + 1]
                step = len(tok)
        elif tok.isalpha() and len(tok) > 1 and (n == 0 or s[n - 1] not in "^_"):
            # a word (for, input, sigma written out): upright text, spaced as in the source
            before = " " if n and s[n - 1].isspace() else ""
            after = " " if n + len(tok) < len(s) and s[n + len(tok)].isspace() else ""
            tok = rf"\text{{{before}{tok}{after}}}"
        elif tok in "%#&~":
            tok = {"%": r"\%", "#": r"\#", "&": r"\&", "~": r"\sim "}[tok]
        elif ord(tok[0]) > 127:
            return None
        out.append(tok)
        n += step
    body = "".join(out)
    body = re.sub(r"([\^_])([A-Za-z])([0-9]+)", r"\1{\2_{\3}}", body)
    for op, sym in _OPERATORS:
        body = body.replace(op, sym)
    return body if _balanced(body) and _scripts_typeset(body) else None


def _scripts_typeset(body: str) -> bool:
    """False when an atom gets two subscripts or two superscripts (``B_k^{i}_{j}``, ``x^{i}'``): TeX refuses them.

    Example:
        >>> _scripts_typeset("B^{i}_{j} y_k^{j}"), _scripts_typeset("B_k^{i}_{j}"), _scripts_typeset("x^{i}'")
        (True, False, False)
    """
    seen: set[str] = set()
    n = 0
    while n < len(body):
        ch = body[n]
        if ch in "^_'":
            kind = "^" if ch in "^'" else "_"
            if kind in seen:
                return False
            seen.add(kind)
            n += 1
            if ch == "'":
                continue
            while n < len(body) and body[n].isspace():
                n += 1
            if n < len(body) and body[n] == "{":  # skip the braced argument
                depth = 0
                while n < len(body):
                    depth += {"{": 1, "}": -1}.get(body[n], 0) if body[n - 1] != "\\" else 0
                    n += 1
                    if depth == 0:
                        break
            elif n < len(body) and body[n] == "\\":
                m = re.match(r"\\[A-Za-z]+|\\.", body[n:])
                n += len(m.group(0)) if m else 1
            else:
                n += 1
            continue
        if not ch.isspace():
            seen = set()
        n += 1
    return True


def _segments(text: str) -> list[tuple[bool, str]]:
    """Split prose into ``(is_math, piece)``: runs of words with ``\\\\command``, ``^`` or ``_`` are maths.

    Example:
        >>> _segments("d = -grad L with d^t the column")
        [(False, 'd = -grad L with '), (True, 'd^t'), (False, ' the column')]
    """
    words = re.split(r"(\s+)", text)
    # a word with a command, a script or a brace is maths; a Python name (optim.newton, grad_y) is not
    mathy = [bool(re.search(r"\\[A-Za-z]|[\^_{}]", w)) and not re.search(r"[A-Za-z]{2}_[A-Za-z]{2}|\w\.\w", w)
             for w in words]
    joins = [bool(re.fullmatch(r"[-+=*/<>]+|\(?[0-9./]+\)?|[A-Za-z]", w)) for w in words]
    out: list[tuple[bool, str]] = []
    n = 0
    while n < len(words):
        if not mathy[n]:
            out.append((False, words[n]))
            n += 1
            continue
        end = n  # extend over whitespace and connectors while another math word follows
        k = n + 1
        while k < len(words):
            if words[k].isspace() or joins[k] or mathy[k]:
                if mathy[k]:
                    end = k
                k += 1
            else:
                break
        run = "".join(words[n:end + 1])
        core = run.rstrip(",;:.")
        tail = run[len(core):]
        while core.count("(") < core.count(")") and core.endswith(")"):
            core, tail = core[:-1], ")" + tail
        head = ""
        if len(core) > 1 and core[0] == core[-1] == "'":  # a quoted formula: the quotes are prose, not primes
            head, core, tail = "'", core[1:-1], "'" + tail
        while core.count("(") > core.count(")") and core.startswith("("):
            head, core = head + "(", core[1:]
        out += [(False, head), (True, core), (False, tail)]
        n = end + 1
    merged: list[tuple[bool, str]] = []
    for is_math, piece in out:
        if not piece:
            continue
        if merged and not is_math and not merged[-1][0]:
            merged[-1] = (False, merged[-1][1] + piece)
        else:
            merged.append((is_math, piece))
    return merged


def _latex_text(text: str) -> str:
    """Prose for LaTeX: special characters escaped, ``->`` and ``<=`` as symbols."""
    out = "".join(_LATEX_ESCAPES.get(ch, ch) if ord(ch) < 128 else "?" for ch in text)
    for op, sym in _OPERATORS:
        out = out.replace(op, f"${sym.strip()}$")
    return out


def latex_prose(text: str) -> str:
    """Prose with its formulas typeset: maths in ``$...$``, the rest escaped text.

    Example:
        >>> latex_prose("max |diff| 3e-10 for x^i -> y_k")
        'max |diff| 3e-10 for $x^i \\\\to  y_k$'
    """
    parts = []
    for is_math, piece in _segments(text):
        body = math_body(piece) if is_math else None
        parts.append(f"${body}$" if body is not None else _latex_text(piece))
    return "".join(parts)


def latex_formula(text: str) -> str:
    """A formula (parts separated by ``;``) in ``$...$``; prose where a part is not maths."""
    parts = []
    for part in re.split(r";\s\s+", text.strip()):
        body = math_body(part)
        parts.append(f"${body}$" if body is not None else latex_prose(part))
    return "; ".join(parts)


def markdown_prose(text: str) -> str:
    """Prose for Markdown with its formulas in ``$...$`` (the rest as it is)."""
    parts = []
    for is_math, piece in _segments(text):
        body = math_body(piece) if is_math else None
        parts.append(f"${body}$" if body is not None else piece)
    return "".join(parts)


def markdown_formula(text: str) -> str:
    """A formula in ``$...$`` for Markdown (code where a part is not maths)."""
    parts = []
    for part in re.split(r";\s\s+", text.strip()):
        body = math_body(part)
        parts.append(f"${body}$" if body is not None else f"`{part}`")
    return "; ".join(parts)


_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage{lmodern}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm]{geometry}
\sloppy
\title{Verification of the slides}
\date{}
\begin{document}
\maketitle
"""


def _mark(passed: bool | None) -> str:
    return {True: "ok", False: "FAILED", None: "not run"}[passed]


@dataclass
class Report:
    """All entries of a verification, with summary and formatting.

    Example:
        >>> r = Report([Entry("e", "Slide", "a formula", "x = y", checks=[Check("equal", True)])])
        >>> r.counts()
        {'holds': 1}
        >>> r.ok
        True
    """

    entries: list[Entry]

    def __getitem__(self, key: str) -> Entry:
        for e in self.entries:
            if e.key == key:
                return e
        raise UnknownNameError(f"no entry {key!r} in this report",
                               hint=f"entries are {', '.join(e.key for e in self.entries) or 'none'}")

    def __iter__(self) -> Any:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def findings(self) -> list[tuple[Entry, Finding]]:
        """Every mistake found, with its entry."""
        return [(e, f) for e in self.entries for f in e.findings]

    @property
    def ok(self) -> bool:
        """True when no entry fails."""
        return all(e.verdict is not Verdict.FAILS for e in self.entries)

    def counts(self) -> dict[str, int]:
        """How many entries have each verdict."""
        out: dict[str, int] = {}
        for e in self.entries:
            out[e.verdict.value] = out.get(e.verdict.value, 0) + 1
        return out

    def summary(self) -> str:
        """One line: entries, verdict counts and mistakes found."""
        counts = ", ".join(f"{n} {v}" for v, n in self.counts().items())
        n, m = len(self.entries), len(self.findings)
        return (f"{n} formula{'s' * (n != 1)} checked: {counts}; {m} mistake{'s' * (m != 1)} found in the slides")

    # ------------------------------------------------------------ formats
    def format(self, fmt: str = "text") -> str:
        """The report as ``"text"``, ``"markdown"``, ``"latex"`` or ``"json"``."""
        if fmt not in FORMATS:
            raise EinsteinError(f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
        return {"text": self.to_text, "markdown": self.to_markdown, "latex": self.to_latex,
                "json": self.to_json}[fmt]()

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        """A short summary (``str(report)`` or ``report.format(...)`` for the whole report).

        Example:
            >>> Report([Entry("e", "Slide", "a formula", "x = y", checks=[Check("equal", True)])])
            <Report: 1 formula checked: 1 holds; 0 mistakes found in the slides; ok (print(report) for the whole report)>
        """
        return f"<Report: {self.summary()}; {'ok' if self.ok else 'FAILS'} (print(report) for the whole report)>"

    def _repr_markdown_(self) -> str:
        """Jupyter shows the Markdown report, formulas rendered."""
        return self.to_markdown()

    def to_json(self) -> str:
        """JSON: ``{"summary": ..., "ok": ..., "counts": ..., "entries": [...]}``."""
        return json.dumps({"summary": self.summary(), "ok": self.ok, "counts": self.counts(),
                           "entries": [e.as_dict() for e in self.entries]}, indent=2)

    def to_text(self) -> str:
        """Plain text, one block per entry."""
        out: list[str] = []
        for n, e in enumerate(self.entries, 1):
            out.append(f"[{n:2d}] {e.title}  ({e.slide})")
            out.append(f"     verdict: {e.verdict.value}")
            out.append(f"     slide:   {e.written}")
            for t in e.syntax:
                out.append(f"     as text: {t}")
            if e.derived:
                out.append(f"     derived: {e.derived}")
            for f in e.findings:
                fix = f"  ->  {f.corrected}" if f.corrected else ""
                out.append(f"     mistake ({f.kind}){f.where}: {f.written}{fix}")
                out.append(f"        why: {f.why}")
            for c in e.checks:
                detail = f": {c.detail}" if c.detail else ""
                out.append(f"     check {_mark(c.passed)}: {c.what}{detail}")
            for note in e.notes:
                out.append(f"     note: {note}")
            out.append("")
        out.append(self.summary())
        return "\n".join(out)

    def to_markdown(self) -> str:
        """Markdown: a summary table, then one section per entry, formulas in ``$...$``."""
        out = ["# Verification of the slides", "", self.summary(), "",
               "| # | formula | slide | verdict | mistakes |", "|---|---|---|---|---|"]
        for n, e in enumerate(self.entries, 1):
            out.append(f"| {n} | {e.title} | {e.slide} | {e.verdict.value} | {len(e.findings)} |")
        for n, e in enumerate(self.entries, 1):
            out += ["", f"## {n}. {markdown_prose(e.title)}", "", f"*{e.slide}* -- **{e.verdict.value}**", "",
                    f"- slide: {markdown_formula(e.written)}"]
            out += [f"- as text: `{t}`" for t in e.syntax]
            if e.derived:
                out.append(f"- derived: {markdown_prose(e.derived)}")
            for f in e.findings:
                fix = f" → {markdown_formula(f.corrected)}" if f.corrected else ""
                out.append(f"- mistake ({f.kind}){f.where}: {markdown_formula(f.written)}{fix}: {markdown_prose(f.why)}")
            for c in e.checks:
                detail = f": {c.detail}" if c.detail else ""
                out.append(f"- check {_mark(c.passed)}: {markdown_prose(c.what + detail)}")
            for note in e.notes:
                out.append(f"- note: {markdown_prose(note)}")
        return "\n".join(out) + "\n"

    def to_latex(self) -> str:
        r"""A complete LaTeX document (``pdflatex`` compiles it): formulas typeset in ``$...$``, one item per entry.

        Example:
            >>> tex = Report([Entry("e", "Slide", "a formula", "x = g_j y^j", checks=[Check("equal", True)])]).to_latex()
            >>> tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
            True
            >>> "$x = g_j y^j$" in tex
            True
        """
        esc = _latex_text
        out = [_PREAMBLE, esc(self.summary()), "", r"\begin{description}"]
        for e in self.entries:
            out.append(rf"\item[{{{latex_prose(e.title)}}}] ({esc(e.slide)}) \textbf{{{esc(e.verdict.value)}}}")
            out.append(r"\begin{itemize}")
            out.append(rf"\item slide: {latex_formula(e.written)}")
            out += [rf"\item as text: \texttt{{{esc(t)}}}" for t in e.syntax]
            if e.derived:
                out.append(rf"\item derived: {latex_prose(e.derived)}")
            for f in e.findings:
                fix = rf" $\to$ {latex_formula(f.corrected)}" if f.corrected else ""
                out.append(rf"\item mistake ({esc(f.kind)}){esc(f.where)}: {latex_formula(f.written)}{fix}: "
                           rf"{latex_prose(f.why)}")
            for c in e.checks:
                detail = f": {c.detail}" if c.detail else ""
                out.append(rf"\item check {esc(_mark(c.passed))}: {latex_prose(c.what + detail)}")
            for note in e.notes:
                out.append(rf"\item note: {latex_prose(note)}")
            out.append(r"\end{itemize}")
        out.append(r"\end{description}")
        out.append(r"\end{document}")
        return "\n".join(out) + "\n"
