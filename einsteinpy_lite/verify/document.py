"""The slides as a document: ``el.check`` run on ``einsteinpy_lite/data/slides.md``, its claims as entries.

Every formula of the slides that is a claim (an ``=`` between two expressions, a range declaration)
stands in the document ``data/slides.md`` and is judged by the general checker
(:func:`einsteinpy_lite.check`), with the line and column of its ``=``.  A heading of the document
``## Gradient w.r.t. A {#grad_A}`` names the entry that its claims make in verify's report.  A claim
that fails or is malformed is a mistake of the slides (kind ``bound``, ``label`` or ``index``, from
the checker's diagnosis); a claim that holds with a note on an index's position is a ``variance``
mistake.  The checker's repair, when it finds one, is the correction.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ..check.repair import candidates
from ..check.report import ClaimResult
from ..check.report import Report as CheckReport
from ..check.run import check
from .report import Entry, Finding, _scripts_typeset

__all__ = ["DOCUMENT", "slides_text", "checked", "sections", "entry", "finding_of", "variance_repairs"]

#: the slides as a document, inside the package
DOCUMENT = "data/slides.md"

_HEADING = re.compile(r"^#+\s+(?P<title>.*?)\s*\{#(?P<key>[A-Za-z_][\w]*)\}\s*$")


def slides_text() -> str:
    """The text of ``einsteinpy_lite/data/slides.md``.

    Example:
        >>> slides_text().startswith("# Gradient Descent Optimization")
        True
    """
    return resources.files("einsteinpy_lite").joinpath(DOCUMENT).read_text(encoding="utf-8")


@lru_cache(maxsize=4)
def checked(text: str | None = None) -> CheckReport:
    """The checker's report of the document (of the slides when ``text`` is None); cached.

    Example:
        >>> checked().summary()["claims"]
        22
    """
    return check(slides_text() if text is None else text)


def sections(text: str) -> dict[str, tuple[str, int, int]]:
    """The keyed sections of a document: key -> (title, first line, last line), 1-based.

    Example:
        >>> sections("# T\\n## One {#one}\\n$$ a = a $$\\n## Two\\n## Three {#three}\\n")
        {'one': ('One', 2, 3), 'three': ('Three', 5, 5)}
    """
    lines = text.split("\n")
    heads = [(n, m) for n, ln in enumerate(lines, 1) if (m := _HEADING.match(ln)) or ln.startswith("#")]
    out: dict[str, tuple[str, int, int]] = {}
    for k, (n, m) in enumerate(heads):
        if m is not None:
            end = heads[k + 1][0] - 1 if k + 1 < len(heads) else len(lines)
            while end > n and not lines[end - 1].strip():
                end -= 1
            out[m.group("key")] = (m.group("title"), n, end)
    return out


_POSITION = re.compile(r"index position: '(\w+)' is (down|up) on the left but (up|down) on the right")


@lru_cache(maxsize=4)
def variance_repairs(text: str | None = None) -> dict[int, str]:
    """For each claim that holds with an index in another position: the right side with that index moved.

    The candidate edits are the checker's own (:func:`einsteinpy_lite.check.repair.candidates`, "write
    'j2' down"); one is kept only when the claim then holds under strict Ricci checking, judged by
    :func:`einsteinpy_lite.check` on the document's opening definitions (up to its first keyed heading)
    followed by the repaired claims.  Returns ``{line: repaired right side}``.

    Example:
        >>> print(variance_repairs()[64])
        B^i_{i_1} [\\nabla\\sigma]^{i_1}_{i_2} A^{i_2}_{j}
    """
    source = slides_text() if text is None else text
    lines = source.split("\n")
    first = next((n for n, ln in enumerate(lines) if _HEADING.match(ln)), len(lines))
    parts = ["\n".join(lines[:first])]
    tried: list[tuple[int, str, int]] = []  # (claim's line, repaired right side, line in the trial document)
    for c in checked(text).claims:
        m = _POSITION.search(c.how)
        if c.verdict != "holds" or m is None or not c.rhs:
            continue
        name, left, _ = m.groups()
        for cand, why in candidates(c.rhs, c.lhs):
            w = re.fullmatch(r"write '(\w+)' (up|down)", why)
            if w and w.group(1).replace("_", "") == name and w.group(2) == left and _scripts_typeset(cand):
                tried.append((c.line, cand, sum(p.count("\n") + 2 for p in parts) + 1))
                parts.append(f"$$ {c.lhs} = {cand} $$")
                break
    if not tried:
        return {}
    trial = {r.line: r for r in check("\n\n".join(parts), repairs=False, strict=True).claims}
    return {line: cand for line, cand, at in tried if at in trial and trial[at].verdict == "holds"}


def _kind(c: ClaimResult) -> str:
    """The kind of mistake a claim shows, from the checker's diagnosis."""
    if c.verdict == "holds":
        return "variance"
    if "bound" in c.how:
        return "bound"
    if c.how.startswith("the left side"):
        return "label"
    return "index"


def _claim_text(c: ClaimResult) -> str:
    return f"{c.lhs} = {c.rhs}" if c.rhs else c.lhs


def finding_of(c: ClaimResult, repaired: str | None = None) -> Finding | None:
    """The mistake a judged claim shows, located by its line (None when it holds without a note).

    ``repaired`` is the right side to propose when the checker has none (see :func:`variance_repairs`).

    Example:
        >>> c = checked()[0]
        >>> c.verdict, finding_of(c)
        ('holds', None)
    """
    if c.verdict == "holds" and "index position" not in c.how:
        return None
    if c.verdict == "unsupported":
        return None
    corrected = ""
    suggestion = c.suggestion if c.suggestion is not None else repaired
    if suggestion is not None:
        corrected = f"{c.lhs} = {suggestion}" if c.rhs else suggestion
    return Finding(_kind(c), _claim_text(c), corrected, c.how, line=c.line)


def entry(key: str, slide: str, title: str, text: str | None = None) -> Entry:
    """The entry of the document's section ``{#key}``: its claims judged, its mistakes by line.

    The checker's run over the section is a check (``passed`` is None when a claim is unsupported), each
    claim that holds a check with how it holds; a claim that fails, is malformed or holds with an
    index-position note is a finding.

    Example:
        >>> e = entry("covector", "Contravariant and Covariant Vectors", "x = g_j y^j")
        >>> e.verdict.value, [(f.line, f.kind) for f in e.findings]
        ('holds after a correction', [(41, 'index'), (43, 'index')])
    """
    source = slides_text() if text is None else text
    where = sections(source).get(key)
    e = Entry(key, slide, title, "")
    if where is None:
        e.check(f"the document has a section {{#{key}}}", None, f"no heading with {{#{key}}} in {DOCUMENT}")
        return e
    _, first, last = where
    report = checked(text)
    claims = [c for c in report.claims if first <= c.line <= last]
    lines = source.split("\n")
    defined = [(ln, lines[ln - 1].strip().strip("$").strip()) for ln, _ in report.definitions if first <= ln <= last]
    e.written = ";  ".join([_claim_text(c) for c in claims] + [text_ for _, text_ in defined])
    derived = [c.derived for c in claims if c.derived]
    e.derived = ";  ".join(derived)
    counts = {v: sum(c.verdict == v for c in claims) for v in ("holds", "fails", "malformed", "unsupported")}
    if claims:
        e.check(f"el.check judged the {len(claims)} claim{'s' * (len(claims) != 1)} of lines {first}-{last} of "
                f"{DOCUMENT}", None if counts["unsupported"] else True,
                ", ".join(f"{n} {v}" for v, n in counts.items() if n))
    for c in claims:
        if c.verdict == "holds":
            e.check(f"line {c.line}: {_claim_text(c)}", True, c.how)
        found = finding_of(c, variance_repairs(text).get(c.line))
        if found is not None:
            e.findings.append(found)
    for (line, name), (_, text_) in zip([d for d in report.definitions if first <= d[0] <= last], defined):
        e.check(f"line {line}: {name} read as a definition (el.check)", True, text_)
    for p in report.problems:
        if first <= p.line <= last:
            e.check(f"line {p.line}: the document reads", None, p.message)
    if not e.checks:
        e.check(f"lines {first}-{last} hold a claim", None, "no claim in this section")
    return e
