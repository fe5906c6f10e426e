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
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import EinsteinError, UnknownNameError

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
        why: the reason, with the evidence (parse error, numbers).
    """

    kind: str
    written: str
    corrected: str
    why: str

    def as_dict(self) -> dict[str, str]:
        """A JSON-ready dict."""
        return {"kind": self.kind, "written": self.written, "corrected": self.corrected, "why": self.why}


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
                out.append(f"     mistake ({f.kind}): {f.written}  ->  {f.corrected}")
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
        """Markdown: a summary table, then one section per entry."""
        out = ["# Verification of the slides", "", self.summary(), "",
               "| # | formula | slide | verdict | mistakes |", "|---|---|---|---|---|"]
        for n, e in enumerate(self.entries, 1):
            out.append(f"| {n} | {e.title} | {e.slide} | {e.verdict.value} | {len(e.findings)} |")
        for n, e in enumerate(self.entries, 1):
            out += ["", f"## {n}. {e.title}", "", f"*{e.slide}* -- **{e.verdict.value}**", "",
                    f"- slide: `{e.written}`"]
            out += [f"- as text: `{t}`" for t in e.syntax]
            if e.derived:
                out.append(f"- derived: `{e.derived}`")
            for f in e.findings:
                out.append(f"- mistake ({f.kind}): `{f.written}` -> `{f.corrected}`: {f.why}")
            for c in e.checks:
                detail = f": {c.detail}" if c.detail else ""
                out.append(f"- check {_mark(c.passed)}: {c.what}{detail}")
            for note in e.notes:
                out.append(f"- note: {note}")
        return "\n".join(out) + "\n"

    def to_latex(self) -> str:
        """A LaTeX ``longtable``-free document body: one ``description`` item per entry."""
        def esc(s: str) -> str:
            return "".join(_LATEX_ESCAPES.get(ch, ch) for ch in s)

        out = [r"\section*{Verification of the slides}", esc(self.summary()), r"\begin{description}"]
        for e in self.entries:
            out.append(rf"\item[{{{esc(e.title)}}}] ({esc(e.slide)}) \textbf{{{esc(e.verdict.value)}}}")
            out.append(r"\begin{itemize}")
            out.append(rf"\item slide: \texttt{{{esc(e.written)}}}")
            out += [rf"\item as text: \texttt{{{esc(t)}}}" for t in e.syntax]
            if e.derived:
                out.append(rf"\item derived: \texttt{{{esc(e.derived)}}}")
            for f in e.findings:
                out.append(rf"\item mistake ({esc(f.kind)}): \texttt{{{esc(f.written)}}} $\to$ "
                           rf"\texttt{{{esc(f.corrected)}}}: {esc(f.why)}")
            for c in e.checks:
                detail = f": {c.detail}" if c.detail else ""
                out.append(rf"\item check {esc(_mark(c.passed))}: {esc(c.what + detail)}")
            out.append(r"\end{itemize}")
        out.append(r"\end{description}")
        return "\n".join(out) + "\n"
