"""Reading a Markdown or LaTeX document: its display math, row by row, with where every row stands.

Prose is ignored. Display math is ``$$...$$``, ``\\[...\\]`` and the environments ``equation``,
``align``, ``aligned`` (inside a display), ``gather``, ``multline``, ``eqnarray`` (starred or not).
A display is cut into *rows* at ``\\\\``; the alignment marks ``&``, ``\\label{..}``, ``\\tag{..}``,
``\\nonumber`` and the nested ``\\begin{aligned}`` lines are blanked (replaced by spaces), so that every
character of a row keeps its offset in the document, and a remark after ``\\quad``, ``\\text`` or
``\\mbox`` at the end of a row (``\\quad \\text{for all } i``) is blanked with them.  Inline math
(``$...$``, ``\\(...\\)``) is kept only for declarations (definitions written inline).  Code blocks of
Markdown and comments of LaTeX are skipped.

Problems that stop a part of the document from being read (an unclosed ``$$``, an environment left
open, unbalanced braces in a row, a document too large) are :class:`Problem` s with their line; the rest
of the document is read all the same.

Example:
    >>> doc = read_document("Prose $x$.\\n$$ y^i = A^i_j x^j \\\\\\\\ z = 1 $$\\n")
    >>> [(r.text.strip(), doc.position(r.offset + r.text.index("=") )) for r in doc.rows]
    [('y^i = A^i_j x^j', (2, 8)), ('z = 1', (2, 25))]
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

__all__ = ["Row", "Problem", "Document", "read_document", "MAX_CHARS"]

#: documents longer than this are read up to here (a line boundary), with a problem saying so
MAX_CHARS = 1_000_000

_DISPLAY_ENVS = ("equation", "align", "gather", "multline", "eqnarray", "flalign", "alignat", "displaymath", "math")
_INNER_ENVS = ("aligned", "split", "gathered", "alignedat", "array", "cases")
_ENV_RE = re.compile(r"\\begin\{(" + "|".join(_DISPLAY_ENVS) + r")(\*?)\}")
_OPEN_RE = re.compile(r"\$\$|\\\[|\\begin\{(?:" + "|".join(_DISPLAY_ENVS) + r")\*?\}|(?<!\\)\$|\\\(")
_BLANK_RE = re.compile(
    r"\\(?:begin|end)\{(?:" + "|".join(_INNER_ENVS) + r")\*?\}(?:\{[^{}]*\})?"  # nested environments
    r"|\\(?:label|tag\*?|hspace\*?|vspace\*?)\{[^{}]*\}|\\(?:nonumber|notag|displaystyle|textstyle)(?![A-Za-z])"
    r"|\\\\\[[^\]]*\]|&")
_REMARK_RE = re.compile(r"\\(?:text|textrm|textit|mbox|intertext|mathrm\{(?:for|where|if|and)\})(?![A-Za-z])")
_SEPARATOR_RE = re.compile(r",?\s*\\q?quad(?![A-Za-z])")


@dataclass(frozen=True)
class Row:
    """One row of display math (a display cut at ``\\\\``).

    Attributes:
        text: the row, blanked where it is not mathematics (same length as the document's span).
        offset: the document offset of ``text[0]``.
        block: the number of the display it belongs to (rows of one display continue each other's chains).
        error: why the row cannot be read (unbalanced braces), or ``""``.
    """

    text: str
    offset: int
    block: int
    error: str = ""


@dataclass(frozen=True)
class Problem:
    """Something that stopped a part of the document from being read, at a 1-based line and column."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


@dataclass
class Document:
    """A document's display rows, inline declarations and reading problems.

    Attributes:
        text: the document as read (possibly cut at :data:`MAX_CHARS`).
        rows: the display rows in document order.
        inline: ``(text, offset)`` of each piece of inline math.
        problems: what could not be read, with where.
        sections: the offsets where a section starts (a Markdown heading, ``\\section``, a ``frame``).
    """

    text: str
    rows: list[Row] = field(default_factory=list)
    inline: list[tuple[str, int]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sections: list[int] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based ``(line, column)`` of a document offset.

        Example:
            >>> Document("ab\\ncd").position(4)
            (2, 2)
        """
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def problem(self, offset: int, message: str) -> None:
        """Record a problem at a document offset."""
        line, col = self.position(offset)
        self.problems.append(Problem(line, col, message))


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + "".join(ch if ch == "\n" else " " for ch in text[start:end]) + text[end:]


def _skip_non_math(text: str, markdown: bool) -> str:
    """Blank what never holds mathematics: Markdown code (fenced and inline), LaTeX comments, escaped dollars."""
    if markdown:
        for m in re.finditer(r"^ {0,3}(```|~~~).*?(^ {0,3}\1[^\n]*$|\Z)", text, flags=re.M | re.S):
            text = _blank(text, m.start(), m.end())
        for m in re.finditer(r"(?<!`)`[^`\n]+`(?!`)", text):
            text = _blank(text, m.start(), m.end())
        for m in re.finditer(r"<!--.*?(-->|\Z)", text, flags=re.S):
            text = _blank(text, m.start(), m.end())
    for m in re.finditer(r"(?<!\\)%[^\n]*", text):
        if not markdown:
            text = _blank(text, m.start(), m.end())
    return _blank_all(text, re.compile(r"\\\$"))


def _blank_all(text: str, pattern: re.Pattern[str]) -> str:
    parts = []
    last = 0
    for m in pattern.finditer(text):
        parts.append(text[last:m.start()])
        parts.append("".join(ch if ch == "\n" else " " for ch in m.group(0)))
        last = m.end()
    parts.append(text[last:])
    return "".join(parts)


def _closer(opener: str) -> str:
    if opener.startswith("\\begin"):
        return opener.replace("\\begin", "\\end")
    return {"$$": "$$", "\\[": "\\]", "$": "$", "\\(": "\\)"}[opener]


def read_document(text: str, markdown: bool = True) -> Document:
    """Read a document's display math into rows (see the module's description).

    Args:
        text: the document.
        markdown: Markdown (code blocks skipped) or LaTeX (``%`` comments skipped).

    Returns:
        A :class:`Document`.

    Example:
        >>> doc = read_document("\\\\begin{align} a &= b \\\\\\\\ &= c \\\\end{align}", markdown=False)
        >>> [r.text.strip() for r in doc.rows]
        ['a  = b', '= c']
    """
    problems_first: list[tuple[int, str]] = []
    if len(text) > MAX_CHARS:
        cut = text.rfind("\n", 0, MAX_CHARS)
        cut = cut if cut > 0 else MAX_CHARS
        problems_first.append((cut, f"the document has {len(text):,} characters; only the first {cut:,} "
                                    f"(up to this line) are read"))
        text = text[:cut]
    doc = Document(text)
    for off, msg in problems_first:
        doc.problem(off, msg)
    clean = _skip_non_math(text, markdown)
    heading = r"^#{1,6}\s" if markdown else r"\\(?:sub)*section\*?\{|\\begin\{frame\}"
    doc.sections = [m.start() for m in re.finditer(heading, clean, flags=re.M)]
    pos = 0
    block = 0
    while True:
        m = _OPEN_RE.search(clean, pos)
        if m is None:
            break
        opener = m.group(0)
        closer = _closer(opener)
        inline = opener in ("$", "\\(")
        end = clean.find(closer, m.end())
        if inline and end >= 0 and "\n\n" in clean[m.end():end]:
            end = -1  # a lone dollar in prose: an inline formula never spans a blank line
        if end < 0:
            if inline:
                pos = m.end()
                continue
            doc.problem(m.start(), f"'{opener}' is never closed (no '{closer}' after it); the display is skipped")
            pos = m.end()
            continue
        body_start, body_end = m.end(), end
        pos = end + len(closer)
        if inline:
            doc.inline.append((text[body_start:body_end], body_start))
            continue
        block += 1
        _read_display(doc, clean, body_start, body_end, block)
    # a stray closer left in prose is an environment that was never opened
    for m in re.finditer(r"\\end\{(" + "|".join(_DISPLAY_ENVS) + r")\*?\}", clean):
        if not any(r.offset <= m.start() < r.offset + len(r.text) for r in doc.rows) and not _inside_display(
                clean, m.start()):
            doc.problem(m.start(), f"'{m.group(0)}' closes an environment that was never opened")
    doc.problems.sort(key=lambda p: (p.line, p.column))
    return doc


def _inside_display(clean: str, at: int) -> bool:
    """Whether the closer at ``at`` closes a display the scan read (its opener comes before it)."""
    name = clean[at:].split("}", 1)[0].replace("\\end{", "")
    return clean.rfind("\\begin{" + name + "}", 0, at) >= 0


def _read_display(doc: Document, clean: str, start: int, end: int, block: int) -> None:
    body = clean[start:end]
    # nested environments must balance
    stack: list[tuple[str, int]] = []
    for m in re.finditer(r"\\(begin|end)\{([A-Za-z]+\*?)\}", body):
        if m.group(1) == "begin":
            stack.append((m.group(2), m.start()))
        elif stack and stack[-1][0] == m.group(2):
            stack.pop()
        else:
            doc.problem(start + m.start(), f"'\\end{{{m.group(2)}}}' does not close "
                        + (f"'\\begin{{{stack[-1][0]}}}'" if stack else "an open environment"))
    for name, at in stack:
        doc.problem(start + at, f"'\\begin{{{name}}}' is never closed in its display")
    body = _blank_all(body, _BLANK_RE)
    # cut into rows at top-level \\ (inside braces a \\ belongs to an array)
    rows: list[tuple[int, int]] = []
    depth = 0
    row_start = 0
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            if body[i + 1] == "\\" and depth == 0:
                rows.append((row_start, i))
                row_start = i + 2
                i += 2
                continue
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        i += 1
    rows.append((row_start, len(body)))
    # several statements on one row, apart by \quad or \qquad: one row each
    pieces: list[tuple[int, int]] = []
    for a, b in rows:
        last = a
        for m in _SEPARATOR_RE.finditer(body, a, b):
            if _depth(body, a, m.start()) == 0:
                pieces.append((last, m.start()))
                last = m.end()
        pieces.append((last, b))
    for a, b in pieces:
        row = body[a:b]
        cut = _REMARK_RE.search(row)
        if cut is not None:
            row = row[:cut.start()] + " " * (len(row) - cut.start())
        stripped = row.rstrip()
        if stripped.endswith((".", ",", ";")):
            row = stripped[:-1] + " " * (len(row) - len(stripped) + 1)
        if not row.strip():
            continue
        doc.rows.append(Row(row, start + a, block, _brace_error(row)))


def _depth(text: str, start: int, end: int) -> int:
    """The brace depth at ``end`` counted from ``start``."""
    depth = 0
    for ch in text[start:end]:
        depth += ch == "{"
        depth -= ch == "}"
    return depth


def _brace_error(row: str) -> str:
    """Why the braces of a row do not balance, or ``""``.

    Example:
        >>> _brace_error("A^{i_j y^j"), _brace_error("A^{i}_j")
        ("a '{' at column 3 of the row is never closed", '')
    """
    stack: list[int] = []
    i = 0
    while i < len(row):
        ch = row[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            stack.append(i)
        elif ch == "}":
            if not stack:
                return f"a '}}' at column {i + 1} of the row closes nothing"
            stack.pop()
        i += 1
    if stack:
        return f"a '{{' at column {stack[0] + 1} of the row is never closed"
    return ""
