"""``check(text_or_path)``: read a document, judge every claim in order, search repairs, report.

Example:
    >>> doc = '''Let $f^i := A^i_j y^j$.
    ... $$ \\\\frac{\\\\partial f^i}{\\\\partial y^m} = A^i_m = A^{i}{}_{m} $$
    ... '''
    >>> report = check(doc)
    >>> [(c.line, c.column, c.verdict) for c in report.claims]
    [(2, 38, 'holds'), (2, 46, 'holds')]
"""

from __future__ import annotations

import bisect
import os
import pathlib
from typing import Any

from ..core.errors import EinsteinError
from ..core.expr import Expr
from .claims import Claim, Reader, extract, split_relations
from .declarations import cross_check, read_declaration
from .document import Document, Problem, read_document
from .judge import Verdict, judge
from .matrix_claims import declared_shapes
from .report import ClaimResult, Report

__all__ = ["check", "load", "MAX_STATEMENTS"]

#: definitions, claims and declarations checked at most (a huge document is checked up to there, with a problem)
MAX_STATEMENTS = 2000

_SUFFIXES = (".md", ".markdown", ".tex", ".txt", ".ltx")


def load(source: str | os.PathLike[str]) -> tuple[str, str, bool]:
    """``(text, name, markdown)`` of a document given as text or as a path.

    A string is a path when it names an existing file or ends in ``.md``/``.tex`` without a newline.

    Raises:
        EinsteinError: the file cannot be read (missing, a directory, not UTF-8).

    Example:
        >>> load("$$ x = x $$")
        ('$$ x = x $$', '<text>', True)
    """
    is_path = isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and len(source) < 4096
        and (source.lower().endswith(_SUFFIXES) or os.path.isfile(source)))
    if not is_path:
        if not isinstance(source, str):
            raise EinsteinError(f"check() takes a document's text or path, got {type(source).__name__}")
        return source, "<text>", not ("\\documentclass" in source or "\\begin{document}" in source)
    path = pathlib.Path(source)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise EinsteinError(f"'{path}' is a directory, not a document") from None
    except OSError as exc:
        raise EinsteinError(f"cannot read '{path}': {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise EinsteinError(f"'{path}' is not UTF-8 text (line {line})") from None
    markdown = path.suffix.lower() not in (".tex", ".ltx")
    return text, str(path), markdown


def check(source: str | os.PathLike[str], repairs: bool = True, strict: bool = False) -> Report:
    """Check every step of a derivation written in Markdown or LaTeX.

    Every ``=`` in display math is a claim; ``:=`` (``\\coloneqq``, ``\\equiv``, ``\\triangleq``) defines a
    name used later; derivatives are written ``\\frac{\\partial E}{\\partial A^{m}_{n}}`` or
    ``\\frac{\\partial}{\\partial x^m} (...)``.  See the guide page *Checking a derivation*.

    Args:
        source: the document's text, or a path to a ``.md`` or ``.tex`` file.
        repairs: search small repairs of each failing right side (proposed as ``suggestion``).
        strict: strict Ricci checking: a free index in another position on the two sides fails the claim
            (by default the values are judged with the Euclidean metric and the position is a note).

    Returns:
        A :class:`~einsteinpy_lite.check.report.Report` (``report.ok``, ``report.claims``,
        ``report.format("json")``).

    Raises:
        EinsteinError: the file cannot be read.  Mistakes in the document never raise: they are verdicts
            and problems of the report.

    Example:
        >>> r = check("$$ x^i y_i = y^j x_j = 2 x^i y_i $$")
        >>> [c.verdict for c in r.claims], r.ok
        (['holds', 'fails'], False)
    """
    text, name, markdown = load(source)
    doc = read_document(text, markdown)
    report = Report(problems=list(doc.problems), name=name)
    reader = Reader()
    for inline, _ in doc.inline:  # shapes declared anywhere (x \in \mathbb{R}^{n}): steps in matrix notation
        reader.matrix.shapes.update(declared_shapes(inline))
    used: set[Any] = set()
    items: list[tuple[str, Any]] = _statements(doc)
    lines = text.split("\n")
    implicit: dict[Any, int] = {}  # definitions made by a plain '=': they last to the end of their section
    current = 0
    sections_decl: dict[int, list[tuple[str, Any, ClaimResult]]] = {}
    if len(items) > MAX_STATEMENTS:
        kind0, item0 = items[MAX_STATEMENTS]
        offset = item0[1] if kind0 == "declare" else (item0[4] if kind0 == "define" else item0.sign)
        line, col = doc.position(offset)
        report.problems.append(Problem(line, col, f"the document has {len(items):,} statements; only the first "
                                       f"{MAX_STATEMENTS:,} are checked (up to this line)"))
        items = items[:MAX_STATEMENTS]
    for kind, item in items:
        if kind == "declare":
            text_, offset, declared = item
            line, col = doc.position(offset + declared.offset)
            report.claims.append(ClaimResult(line, col, declared.verdict, " ".join(text_.split()), "",
                                             "range declaration: " + declared.how, declared.suggestion))
            sections_decl.setdefault(bisect.bisect_right(doc.sections, offset), []).append(
                (text_, declared, report.claims[-1]))
            continue
        at = item[4] if kind == "define" else item.sign
        section = bisect.bisect_right(doc.sections, at)
        if section != current:  # a new section: its own names
            current = section
            used = set()
            for key in list(implicit):
                reader.definitions.pop(key, None)
                del implicit[key]
        if kind == "define":
            lhs, rhs, lo, ro, sign = item
            try:
                matrix_def = reader.matrix.define(lhs, rhs)  # r := A x - b, in matrix notation
            except EinsteinError as exc:
                line, col = doc.position(sign)
                report.problems.append(Problem(line, col, f"the definition of '{lhs.strip()}' is not used: {exc.message}"))
                continue
            if matrix_def:
                report.definitions.append((doc.position(sign)[0], lhs.strip()))
                continue
            if reader.head(lhs) is not None:
                _define(doc, reader, report, lhs, rhs, lo, sign)
                continue
            claim = Claim(lhs, rhs, sign, lo, ro)  # '\\equiv' between two expressions: an identity to check
        else:
            claim = item
        meant = _implicit_definition(reader, claim, used) if (
            claim.first and not claim.error and claim.relation == "=") else False
        if isinstance(meant, Verdict):  # a definition whose right side has other free indices
            result = _result(doc, lines, claim, meant)
            if repairs:
                found = _repair_definition(reader, claim)
                if found is not None:
                    result.suggestion, why = found
                    result.how += f"; repair: {why}"
            report.claims.append(result)
            continue
        if meant:
            got = reader.head(claim.lhs)
            if got is not None:
                implicit[reader.key(got[0])] = section
            line, _ = doc.position(claim.lhs_offset)
            report.definitions.append((line, claim.lhs.strip()))
            continue
        try:
            verdict = judge(reader, claim)
        except Exception as exc:  # noqa: BLE001 - an engine failure is 'cannot tell', never a traceback
            verdict = Verdict("unsupported", f"cannot tell: the engine failed ({type(exc).__name__})")
        for e in (verdict.lhs, verdict.rhs):
            if e is not None:
                used |= _names(e)
        positions = [n for n in verdict.notes if n.startswith("index position")]
        if strict and verdict.verdict == "holds" and positions:
            verdict = Verdict("fails", "the index positions differ (strict Ricci checking): "
                              + "; ".join(positions).replace("index position: ", ""), lhs=verdict.lhs,
                              rhs=verdict.rhs, derived=verdict.derived)
        result = _result(doc, lines, claim, verdict)
        if repairs and not verdict.matrix and (verdict.verdict == "fails" or verdict.verdict == "malformed" and verdict.how.startswith((
                "the right side", "the left side uses"))) and not claim.error:
            if verdict.lhs is None:
                try:
                    verdict.lhs = reader.read(claim.lhs)
                except EinsteinError:
                    verdict.lhs = None
        if verdict.lhs is not None and repairs and not verdict.matrix and result.verdict in ("fails", "malformed") \
                and not claim.error:
            from .repair import search

            found = search(reader, claim, verdict.lhs, strict=strict, hint=verdict.how)
            if found is not None:
                result.suggestion, why = found
                result.how += f"; repair: {why}"
        if verdict.matrix and repairs and not claim.error and (result.verdict == "fails" or result.verdict == "malformed"
                                                                and verdict.how.startswith("the right side")):
            from .repair import search_matrix

            found = search_matrix(reader, claim)  # sign, coefficient, a transpose, two factors swapped
            if found is not None:
                result.suggestion, why = found
                result.how += f"; repair: {why}"
        report.claims.append(result)
    for group in sections_decl.values():
        flagged = cross_check([(t, d) for t, d, _ in group])
        for k, (how, suggestion) in flagged.items():
            result = group[k][2]
            if result.verdict == "holds":
                result.verdict, result.how, result.suggestion = "fails", "range declaration: " + how, suggestion
    report.problems.sort(key=lambda p: (p.line, p.column))
    return report


def _statements(doc: Document) -> list[tuple[str, Any]]:
    """Definitions in inline math and the display's statements, in document order."""
    items: list[tuple[int, tuple[str, Any]]] = []
    for kind, item in extract(doc.rows):
        items.append((item[4] if kind == "define" else item.sign, (kind, item)))
    for text, offset in doc.inline:
        declared = read_declaration(text)
        if declared is not None:
            items.append((offset + declared.offset, ("declare", (text, offset, declared))))
            continue
        segs, rels = split_relations(text)
        if rels and rels[0][0] in (":=", "\\coloneqq", "\\triangleq", "\\equiv") and len(segs) >= 2:
            (a, ao), (b, bo) = segs[0], segs[1]
            items.append((offset + rels[0][1], ("define", (a, b, offset + ao, offset + bo, offset + rels[0][1]))))
    items.sort(key=lambda x: x[0])
    return [x[1] for x in items]


def _names(e: Expr) -> set[Any]:
    from .claims import _scalars

    return set(e.tensors()) | _scalars(e)


def _define(doc: Document, reader: Reader, report: Report, lhs: str, rhs: str, lo: int, sign: int) -> None:
    line, col = doc.position(sign)
    try:
        reader.define(lhs, rhs, lo)
    except EinsteinError as exc:
        report.problems.append(Problem(line, col, f"the definition of '{lhs.strip()}' is not used: {exc.message}"))
        return
    report.definitions.append((line, lhs.strip()))


def _repair_definition(reader: Reader, claim: Claim) -> tuple[str, str] | None:
    """The first edit of a definition's right side that gives it the defined name's free indices (Ricci-valid)."""
    from ..notation.parse import parse
    from .repair import candidates

    got = reader.head(claim.lhs)
    if got is None:
        return None
    want = {ix.name for ix in got[0].free}
    for cand, why in candidates(claim.rhs, claim.lhs):
        try:
            parse(cand)
            e = reader.read(cand)
        except EinsteinError:
            continue
        if {ix.name for ix in e.free} == want:
            return " ".join(cand.split()), why
    return None


def _implicit_definition(reader: Reader, claim: Claim, used: set[Any]) -> bool | Verdict:
    """``f^i = ...`` as the first relation of a row, ``f`` new (not defined, not used, not on the right): a definition.

    Returns True when it defined the name, False when the row is a claim, and a ``malformed`` verdict
    when it is a definition whose right side has other free indices than the name.
    """
    got = reader.head(claim.lhs)
    if got is None:
        return False
    head, _ = got
    key = reader.key(head)
    name = key[0] if isinstance(key, tuple) else key
    if key in reader.definitions or name in used or (isinstance(key, tuple) and name in reader.tensor_names()):
        return False
    try:
        body = reader.read(claim.rhs, out=tuple(head.free) or None)
    except EinsteinError:
        return False
    from .claims import _scalars

    if name in body.tensors() or name in _scalars(body):
        return False
    if {ix.name for ix in body.free} != {ix.name for ix in head.free}:
        fb = " ".join(map(str, body.free)) or "none"
        fh = " ".join(map(str, head.free)) or "none"
        how = f"the right side defines '{claim.lhs.strip()}' but has the free indices {fb}, the name {fh}"
        try:
            from ..notation.parse import parse

            parse(claim.rhs)
        except EinsteinError as exc:
            how += f" (under the Ricci convention: {exc.message})"
        return Verdict("malformed", how, lhs=None, rhs=body)
    try:
        reader.define(claim.lhs, claim.rhs, claim.lhs_offset)
    except EinsteinError:
        return False
    return True


def _result(doc: Document, lines: list[str], claim: Claim, v: Verdict) -> ClaimResult:
    line, col = doc.position(claim.sign)
    how = v.how
    if v.notes:
        how += "; note: " + "; ".join(v.notes)
    caret = None
    src = ""
    if v.verdict == "malformed":
        at = v.offset if v.offset is not None else claim.sign
        cline, caret = doc.position(at)
        src = lines[cline - 1] if cline - 1 < len(lines) else ""
        if cline != line:
            how += f" (at line {cline}, column {caret})"
            caret = None
            src = lines[line - 1]
    return ClaimResult(line, col, v.verdict, " ".join(claim.lhs.split()), " ".join(claim.rhs.split()), how,
                       None, v.derived, src, caret)
