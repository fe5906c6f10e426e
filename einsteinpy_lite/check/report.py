"""The checker's report: one :class:`ClaimResult` per claim, and the text, Markdown, JSON and HTML views.

Example:
    >>> r = Report([ClaimResult(3, 5, "fails", "x^i", "2 x^i", "the sides differ", "x^{i}")])
    >>> r.ok, r.summary()["fails"]
    (False, 1)
    >>> print(r.format("text", colour=False))
    line 3, column 5: fails   x^i = 2 x^i
        the sides differ
        suggestion: x^i = x^{i}
    1 claim: 0 hold, 1 fails, 0 malformed, 0 unsupported
"""

from __future__ import annotations

import html
import importlib.resources
import json
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import EinsteinError
from .document import Problem

__all__ = ["ClaimResult", "Report", "FORMATS", "mathjax_script"]

#: the output formats of :meth:`Report.format`
FORMATS = ("text", "markdown", "json", "html")

#: MathJax 3 with every TeX extension and SVG output (no font files to load), from the optional package
#: ``django-static-mathjax`` (extra ``html``): inlined, so the page typesets offline
_MATHJAX = ("mathjax", "static/mathjax/es5/tex-svg-full.js")
_MATHJAX_CONFIG = ("window.MathJax={loader:{load:[]},tex:{inlineMath:[['\\\\(','\\\\)']],"
                   "displayMath:[['\\\\[','\\\\]']]},svg:{fontCache:'global'}};")


def mathjax_script() -> str | None:
    """The ``<script>`` elements that typeset a page offline, or None where no MathJax package is installed.

    Example:
        >>> s = mathjax_script()
        >>> s is None or (s.startswith("<script>window.MathJax=") and "src=" not in s[:200])
        True
    """
    package, path = _MATHJAX
    try:
        code = (importlib.resources.files(package) / path).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        return None
    # a script's text ends at the first "</script": never in MathJax's code, but make sure
    code = code.replace("</script", "<\\/script")
    return f"<script>{_MATHJAX_CONFIG}</script><script>{code}</script>"


_COLOURS = {"holds": "32", "fails": "31", "malformed": "33", "unsupported": "35"}


@dataclass
class ClaimResult:
    """One claim's line and column (of its ``=``, 1-based), verdict, sides as written, how, suggestion.

    Attributes:
        line, column: where the claim's relation sign stands in the document (1-based).
        verdict: ``holds``, ``fails``, ``malformed`` or ``unsupported``.
        lhs, rhs: the sides as written.
        how: how it was decided or what is wrong (with notes).
        suggestion: a repaired right side that makes the claim hold (LaTeX), or ``None``.
        derived: the derived left side (LaTeX) when it is a derivative.
        source_line: the document's line, for the caret of a malformed claim.
        caret: the 1-based column to point at on ``source_line`` (``None``: the relation sign).
    """

    line: int
    column: int
    verdict: str
    lhs: str
    rhs: str
    how: str
    suggestion: str | None = None
    derived: str | None = None
    source_line: str = ""
    caret: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The claim as the JSON format writes it.

        Example:
            >>> sorted(ClaimResult(1, 4, "holds", "a", "a", "same").as_dict())
            ['column', 'how', 'lhs', 'line', 'rhs', 'suggestion', 'verdict']
        """
        return {"line": self.line, "column": self.column, "verdict": self.verdict, "lhs": self.lhs,
                "rhs": self.rhs, "how": self.how, "suggestion": self.suggestion}


@dataclass
class Report:
    """What :func:`einsteinpy_lite.check` found in a document.

    Attributes:
        claims: the claims in document order.
        problems: what could not be read (a definition refused, an unclosed display), with lines.
        definitions: ``(line, name)`` of each definition read.
        name: the document's file name (or ``"<text>"``).
    """

    claims: list[ClaimResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    definitions: list[tuple[int, str]] = field(default_factory=list)
    name: str = "<text>"

    @property
    def ok(self) -> bool:
        """No claim fails or is malformed (unsupported claims are listed, not counted as failures)."""
        return not any(c.verdict in ("fails", "malformed") for c in self.claims)

    @property
    def first_failure(self) -> ClaimResult | None:
        """The first claim that fails or is malformed."""
        return next((c for c in self.claims if c.verdict in ("fails", "malformed")), None)

    def __getitem__(self, i: int) -> ClaimResult:
        return self.claims[i]

    def __len__(self) -> int:
        return len(self.claims)

    def summary(self) -> dict[str, Any]:
        """Counts per verdict, the definitions and the reading problems."""
        out: dict[str, Any] = {"claims": len(self.claims)}
        for v in ("holds", "fails", "malformed", "unsupported"):
            out[v] = sum(c.verdict == v for c in self.claims)
        out["definitions"] = [{"line": ln, "name": n} for ln, n in self.definitions]
        out["problems"] = [{"line": p.line, "column": p.column, "message": p.message} for p in self.problems]
        out["ok"] = self.ok
        return out

    def format(self, fmt: str = "text", colour: bool = False) -> str:
        """The report as ``text`` (ANSI colours when ``colour``), ``markdown``, ``json`` or ``html``.

        Raises:
            EinsteinError: an unknown format.
        """
        if fmt == "text":
            return self._text(colour)
        if fmt == "json":
            return json.dumps({"claims": [c.as_dict() for c in self.claims], "summary": self.summary()}, indent=2)
        if fmt == "markdown":
            return self._markdown()
        if fmt == "html":
            return self._html()
        raise EinsteinError(f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")

    def __str__(self) -> str:
        return self._text(False)

    def _count_line(self) -> str:
        s = self.summary()
        n = s["claims"]
        return (f"{n} claim{'' if n == 1 else 's'}: {s['holds']} hold, {s['fails']} fails, {s['malformed']} "
                f"malformed, {s['unsupported']} unsupported")

    def _text(self, colour: bool) -> str:
        out: list[str] = []
        for p in self.problems:
            out.append(f"line {p.line}, column {p.column}: problem: {p.message}")
        for c in self.claims:
            tag = f"{c.verdict:<7}"
            if colour:
                tag = f"\x1b[{_COLOURS[c.verdict]}m{tag}\x1b[0m"
            shown = f"{c.lhs} = {c.rhs}" if c.rhs else c.lhs
            out.append(f"line {c.line}, column {c.column}: {tag} {shown}".rstrip())
            out.append(f"    {c.how}")
            if c.verdict == "malformed" and c.source_line:
                col = c.caret if c.caret is not None else c.column
                out.append(f"    {c.source_line}")
                out.append("    " + " " * (col - 1) + "^")
            if c.suggestion is not None:
                out.append(f"    suggestion: {c.lhs} = {c.suggestion}" if c.rhs else f"    suggestion: {c.suggestion}")
            if c.derived is not None and c.verdict != "holds":
                out.append(f"    derived: {c.lhs} = {c.derived}")
        out.append(self._count_line())
        return "\n".join(out)

    def _markdown(self) -> str:
        out = [f"# Check of {self.name}", "", self._count_line(), ""]
        for p in self.problems:
            out.append(f"- **problem** (line {p.line}, column {p.column}): {p.message}")
        if self.problems:
            out.append("")
        out += ["| line | verdict | claim | how | suggestion |", "|---|---|---|---|---|"]
        for c in self.claims:
            cell = [f"{c.line}:{c.column}", f"**{c.verdict}**" if c.verdict != "holds" else c.verdict,
                    f"${c.lhs} = {c.rhs}$", c.how, f"${c.lhs} = {c.suggestion}$" if c.suggestion else ""]
            out.append("| " + " | ".join(x.replace("|", "\\|").replace("\n", " ") for x in cell) + " |")
        return "\n".join(out)

    def _html(self) -> str:
        rows = []
        for c in self.claims:
            extra = ""
            if c.suggestion:
                extra += f"<div class='sugg'>suggestion: \\[{html.escape(c.lhs)} = {html.escape(c.suggestion)}\\]</div>"
            if c.derived and c.verdict != "holds":
                extra += f"<div class='sugg'>derived: \\[{html.escape(c.lhs)} = {html.escape(c.derived)}\\]</div>"
            rows.append(f"<tr class='{c.verdict}'><td>{c.line}:{c.column}</td><td>{c.verdict}</td>"
                        f"<td>\\[{html.escape(c.lhs)} = {html.escape(c.rhs)}\\]{extra}</td>"
                        f"<td>{html.escape(c.how)}</td></tr>")
        script = mathjax_script()
        if script is None:
            script = ""
            typeset = ("The formulas are LaTeX between \\[ and \\]: install the extra <code>html</code> "
                       "(<code>pip install 'einsteinpy_lite[html]'</code>) to have them typeset.")
        else:
            typeset = "The formulas are typeset by MathJax, inlined in this page (it works offline)."
        probs = "".join(f"<li>line {p.line}, column {p.column}: {html.escape(p.message)}</li>" for p in self.problems)
        return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Check of "
                f"{html.escape(self.name)}</title><style>body{{font-family:sans-serif}}"
                "table{border-collapse:collapse}td{border:1px solid #ccc;padding:4px;vertical-align:top}"
                "tr.fails{background:#fdd}tr.malformed{background:#ffd}tr.unsupported{background:#eee}"
                "tr.holds{background:#efe}.sugg{color:#060}</style></head><body>"
                f"<h1>Check of {html.escape(self.name)}</h1><p>{html.escape(self._count_line())}</p>"
                + (f"<ul>{probs}</ul>" if probs else "")
                + "<table><tr><th>where</th><th>verdict</th><th>claim</th><th>how</th></tr>"
                + "".join(rows) + f"</table><p>{typeset}</p>{script}</body></html>")
