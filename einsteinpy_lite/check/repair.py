"""Repairs of a failing claim's right side: the first small edit of the user's LaTeX that makes the claim hold.

The edits tried, cheapest first: change the sign (of everything, or of one term); change the coefficient
(times 2, 1/2, -2, -1/2); flip one index's position; transpose a two-index factor (swap its indices);
swap two index names everywhere; rename one index occurrence to another name of the claim; put a sum's
bound right (the bound the left side has for the same slots).  Each candidate is read and compared
like the claim itself (:func:`einsteinpy_lite.check.judge.compare_sides`); the first that holds is
proposed, as the user's LaTeX with the one edit.  The search stops after :data:`MAX_CANDIDATES` candidates.

Example:
    >>> from einsteinpy_lite.check.claims import Claim, Reader
    >>> r = Reader()
    >>> claim = Claim("B^i_j y^j", "B^j_i y^j", 10, 0, 12)
    >>> search(r, claim, r.read(claim.lhs))
    ('B^i_j y^j', "transpose 'B^j_i' (swap its indices)")
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from fractions import Fraction

from ..core.errors import EinsteinError
from ..core.expr import Expr
from .claims import Claim, Reader, _term_end
from .judge import compare_sides

__all__ = ["search", "candidates", "search_matrix", "matrix_candidates"]

_SCRIPT = re.compile(r"([\^_])\s*(\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z0-9])")
_INDEX = re.compile(r"\\[A-Za-z]+|[A-Za-z](?:_\{\d+\}|_\d+|\d*)")
_TENSOR = re.compile(r"(?:\\mathrm\{[^{}]*\}|\[[^\[\]]*\]|\\[A-Za-z]+|[A-Za-z])((?:\s*(?:[\^_]\s*(?:\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z0-9])|\{\}))+)")
_BOUND = re.compile(r"(\\sum\s*_\s*\{\s*([A-Za-z])\s*=\s*0\s*\}\s*\^\s*)(\{[^{}]*\}|[A-Za-z0-9])")


def _indices(text: str) -> list[tuple[int, int, str, str]]:
    """``(start, end, name, '^' or '_')`` of every index written in a script (sum bounds excluded)."""
    out = []
    for m in _SCRIPT.finditer(text):
        body = m.group(2)
        before = text[:m.start()].rstrip()
        if "=" in body or before.endswith(("\\sum", "\\partial")) or re.search(r"\\sum\s*_\s*\{[^{}]*\}$", before):
            continue
        if before.endswith(("\\frac", "}")) and body.strip("{}").isdigit():
            continue
        inner_start = m.start(2) + (1 if body.startswith("{") else 0)
        inner = body[1:-1] if body.startswith("{") else body
        if inner.strip().isdigit():
            continue
        for im in _INDEX.finditer(inner):
            out.append((inner_start + im.start(), inner_start + im.end(), im.group(0), m.group(1)))
    return out


def _terms(text: str) -> list[tuple[int, int]]:
    spans = []
    i = 0
    while i < len(text):
        end = _term_end(text, i)
        if end == i:
            break
        spans.append((i, end))
        i = end
    return spans


def _coefficient(c: Fraction) -> str:
    """A coefficient as LaTeX in front of a factor: ``''``, ``'-'``, ``'3 '``, ``'\\frac{1}{2} '``."""
    sign = "-" if c < 0 else ""
    c = abs(c)
    if c == 1:
        return sign
    if c.denominator == 1:
        return f"{sign}{c.numerator} "
    return f"{sign}\\frac{{{c.numerator}}}{{{c.denominator}}} "


_LEAD = re.compile(r"(-?)\s*(?:(\d+)\s+|\\frac\s*\{\s*(\d+)\s*\}\s*\{\s*(\d+)\s*\}\s*)(?=[^\s+\-])")


def _lead(text: str) -> tuple[Fraction, int] | None:
    """The coefficient written in front of a term (``3 x``, ``-\\frac{1}{2} x``) and where the rest begins."""
    m = _LEAD.match(text)
    if m is None or m.group(4) == "0":
        return None
    value = Fraction(int(m.group(2))) if m.group(2) else Fraction(int(m.group(3)), int(m.group(4)))
    return (-value if m.group(1) else value), m.end()


def _scalings(text: str) -> Iterator[tuple[str, str]]:
    """The edits of sign and coefficient: of everything, or of one term (or the term dropped)."""
    terms = _terms(text)
    single = len(terms) == 1
    if single:
        yield (text[1:].strip() if text.startswith("-") else "-" + text), "change the sign"
    else:
        yield f"-({text})", "change the sign"
    lead = _lead(text) if single else None
    for c, shown, factor in (("2", "2", Fraction(2)), ("\\frac{1}{2}", "1/2", Fraction(1, 2)),
                             ("-2", "-2", Fraction(-2)), ("-\\frac{1}{2}", "-1/2", Fraction(-1, 2))):
        if lead is not None:  # a written coefficient is changed, not multiplied: 1 x_m -> 2 x_m
            yield _coefficient(lead[0] * factor) + text[lead[1]:], \
                f"multiply by {shown}"
        else:
            yield (f"{c} {text}" if single and not text.startswith("-") else f"{c} ({text})"), f"multiply by {shown}"
    if len(terms) > 1:
        for a, b in terms:
            term = text[a:b].strip()
            flipped = ("+ " + term[1:].strip()) if term.startswith("-") else ("- " + term.lstrip("+ ").strip())
            if a == 0:
                flipped = flipped.lstrip("+ ") if flipped.startswith("+") else flipped
            yield (text[:a] + " " + flipped + " " + text[b:]).strip(), f"change the sign of '{term.lstrip('+- ')}'"
            yield (text[:a] + text[b:]).strip().lstrip("+ ").strip(), f"drop the term '{term.lstrip('+ ')}'"


def candidates(rhs: str, lhs: str) -> Iterator[tuple[str, str]]:
    """Edited right sides with a word on each edit, cheapest first.

    Example:
        >>> [c for c, _ in candidates("x^i", "y^i")][:3]
        ['-x^i', '2 x^i', '\\\\frac{1}{2} x^i']
    """
    text = rhs.strip()
    yield from _scalings(text)
    idx = _indices(text)
    for s, e, name, pos in idx:
        mark = text.rfind(pos, 0, s)
        if mark >= 0 and text[mark + 1:s].strip(" {") == "" and text[e:].lstrip().startswith("}") or (
                mark >= 0 and text[mark + 1:s].strip() == "" and not text[mark + 1:s].startswith("{")):
            other = "_" if pos == "^" else "^"
            yield text[:mark] + other + text[mark + 1:], f"write '{name}' {'down' if pos == '^' else 'up'}"
        elif mark >= 0 and text[mark + 1:].lstrip().startswith("{"):  # one index of a group: _{i j} -> ^{i}_{j}
            open_ = text.index("{", mark)
            close = text.find("}", open_)
            if not open_ < s < e <= close:
                continue
            before = text[open_ + 1:s].strip(" ,")
            after = text[e:close].strip(" ,")
            other = "_" if pos == "^" else "^"
            new = (f"{pos}{{{before}}}" if before else "") + f"{other}{{{name}}}" + (f"{pos}{{{after}}}" if after else "")
            yield text[:mark] + new + text[close + 1:], f"write '{name}' {'down' if pos == '^' else 'up'}"
    for m in _TENSOR.finditer(text):
        inner = _indices(m.group(0))
        if len(inner) == 2 and inner[0][2] != inner[1][2]:
            (s1, e1, n1, _), (s2, e2, n2, _) = inner
            t = m.group(0)
            new = t[:s1] + n2 + t[e1:s2] + n1 + t[e2:]
            yield text[:m.start()] + new + text[m.end():], f"transpose '{t.strip()}' (swap its indices)"
    for s, e, name, pos in idx:  # an index too many (B_k{}^i_j where B has two slots)
        mark = text.rfind(pos, 0, s)
        if mark >= 0 and not text[mark + 1:s].strip() and (e >= len(text) or text[e] != "}"):
            cut = text[:mark] + text[e:]
            yield cut.replace("{}^", "^").replace("{}_", "_"), f"drop the index '{name}'"
    names = list(dict.fromkeys(n for _, _, n, _ in idx))
    for n_a, n_b in itertools.combinations(names, 2):
        swapped = text
        for s, e, n, _ in reversed(idx):
            if n in (n_a, n_b):
                swapped = swapped[:s] + (n_b if n == n_a else n_a) + swapped[e:]
        yield swapped, f"swap the indices '{n_a}' and '{n_b}'"
    pool = list(dict.fromkeys(names + [n for _, _, n, _ in _indices(lhs)]))
    for s, e, n, _ in reversed(idx):  # the later occurrence first: G_{j_1 j_1} y^{j_1 j_2} -> G_{j_1 j_2}
        for other in pool:
            if other != n:
                yield text[:s] + other + text[e:], f"rename this '{n}' to '{other}'"
    lhs_bounds = [m.group(3) for m in _BOUND.finditer(lhs)]
    for m in _BOUND.finditer(text):
        for good in dict.fromkeys(lhs_bounds):
            if good != m.group(3):
                yield text[:m.start(3)] + good + text[m.end(3):], f"let the sum over '{m.group(2)}' run to {good.strip('{}')}"


def _ratio(reader: Reader, claim: Claim, lhs: Expr) -> Iterator[tuple[str, str]]:
    """The coefficient that makes the sides agree when both are one term with the same factors (``3 x_m`` vs ``2 x_m``)."""
    from ..algebra.simplify import canonical
    from ..core.expr import Product

    try:
        rhs = reader.read(claim.rhs, out=tuple(lhs.free))
        cl, cr = canonical(lhs), canonical(rhs)
    except (EinsteinError, ValueError):
        return
    if not (isinstance(cl, Product) and isinstance(cr, Product) and cl.factors == cr.factors):
        return
    try:
        ratio = Fraction(str(cl.coeff / cr.coeff))
    except (ValueError, ZeroDivisionError, TypeError):
        return
    text = claim.rhs.strip()
    lead = _lead(text) if len(_terms(text)) == 1 else None
    if lead is not None:
        new = _coefficient(lead[0] * ratio) + text[lead[1]:]
    else:
        new = _coefficient(ratio) + (text if len(_terms(text)) == 1 else f"({text})")
    yield new, f"change the coefficient (times {ratio})"


def _targeted(claim: Claim, hint: str) -> Iterator[tuple[str, str]]:
    """The edits that answer what the verdict names first: a bound for a sum bound, an index for a slot count."""
    keys = {"sum bounds": "let the sum", "slots": "drop the index", "free indices": "rename this"}
    for key, kind in keys.items():
        if key in hint:
            yield from ((c, w) for c, w in candidates(claim.rhs, claim.lhs) if w.startswith(kind))


#: Candidate edits judged at most per failing claim: a count, not a clock, so that the same document
#: gets the same repairs on a loaded machine (a time budget alone made the answer depend on the load).
MAX_CANDIDATES = 60


def _judged(edits: Iterator[tuple[str, str]], budget: float) -> Iterator[tuple[str, str]]:
    """The distinct edits (spacing aside) to judge, at most :data:`MAX_CANDIDATES` and within ``budget`` seconds."""
    deadline = time.monotonic() + budget
    seen: set[str] = set()
    for cand, why in edits:
        if time.monotonic() > deadline or len(seen) >= MAX_CANDIDATES:
            return
        key = " ".join(cand.split())
        if key not in seen:
            seen.add(key)
            yield key, why


def search(reader: Reader, claim: Claim, lhs: Expr, budget: float = 30.0,
           strict: bool = False, hint: str = "") -> tuple[str, str] | None:
    """The first edit of the claim's right side that makes it hold: ``(new right side, what was changed)``.

    Args:
        reader: the document's reader (the definitions in force at the claim).
        claim: the failing claim.
        lhs: its left side, read.
        budget: seconds the search may take at most (a safety net; the search is bounded by
            :data:`MAX_CANDIDATES` judged candidates, so that its answer does not depend on the load).
        hint: what the verdict says is wrong (the edits that answer it are tried first).
        strict: accept only a repair whose index positions agree too (else one that holds with the
            Euclidean metric is proposed when nothing better is found, saying so).

    Returns:
        ``(LaTeX, why)`` or ``None`` when no small edit makes it hold within the budget.

    Example:
        >>> r = Reader()
        >>> search(r, Claim("x^i", "-x^i", 4, 0, 6), r.read("x^i"))
        ('x^i', 'change the sign')
    """
    want = {ix.name for ix in lhs.free}
    fallback: tuple[str, str] | None = None  # one that holds only with the Euclidean metric (a variance note)
    for key, why in _judged(itertools.chain(_ratio(reader, claim, lhs), _targeted(claim, hint),
                                            candidates(claim.rhs, claim.lhs)), budget):
        try:
            rhs = reader.read(key, out=tuple(lhs.free))
        except EinsteinError:
            continue
        if {ix.name for ix in rhs.free} != want:
            continue
        v = compare_sides(lhs, rhs)
        if v.verdict == "holds" and not v.notes:
            return key, why
        if v.verdict == "holds" and fallback is None and not strict:
            fallback = key, why + " (the index positions still differ: " + "; ".join(v.notes) + ")"
    return fallback


#: a transposition or inversion written after a factor in matrix notation
_MATRIX_SCRIPT = re.compile(
    r"\s*\^\s*(?P<t>\\top(?![A-Za-z])|\\intercal(?![A-Za-z])|T(?![A-Za-z])|\{\s*(?:\\top|T|\\mathsf\s*\{?\s*T\s*\}?)\s*\})"
    r"|\s*\^\s*(?P<inv>\{\s*-\s*1\s*\})|\s*\^\s*(?P<invt>\{\s*-\s*(?:\\top|T)\s*\})")
#: a factor of matrix notation: a letter (with a label subscript), a Greek letter, a parenthesized group
_MATRIX_ATOM = re.compile(r"(?<![\\A-Za-z{])(?:[A-Za-z]|\\(?!(?:left|right|frac|sum|det|log|operatorname|mathrm|"
                          r"mathbf|mathsf|top|partial|nabla|cdot|odot|otimes)(?![A-Za-z]))[A-Za-z]+)"
                          r"(?![A-Za-z(])(?:_\{[^{}]*\}|_[A-Za-z0-9])?")


def _groups(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every parenthesized group, ``\\left( ... \\right)`` included."""
    stack: list[int] = []
    for k, ch in enumerate(text):
        if ch == "(":
            stack.append(k - 5 if text[max(0, k - 5):k] == "\\left" else k)
        elif ch == ")" and stack:
            yield stack.pop(), k + 1


def matrix_candidates(rhs: str) -> Iterator[tuple[str, str]]:
    r"""Edited right sides of a claim in matrix notation, cheapest first: sign and coefficient, then
    one factor transposed (``A`` -> ``A^\top``, ``A^\top`` -> ``A``, ``X^{-1}`` -> ``X^{-\top}``), then two
    neighbouring factors swapped: their names (``b a^\top`` -> ``a b^\top``), or the factors whole.

    Example:
        >>> [c for c, w in matrix_candidates(r"a b^\top") if "transpose" in w or "swap" in w]
        ['a^\\top b^\\top', 'a b', 'b a^\\top', 'b^\\top a']
    """
    text = rhs.strip()
    yield from _scalings(text)
    spans = [(m.start(), m.end()) for m in _MATRIX_ATOM.finditer(text)]
    spans += [g for g in _groups(text) if not text[:g[0]].rstrip().endswith(("}", "\\det", "\\log", "\\|"))]
    for a, b in sorted(spans):
        factor = text[a:b]
        if factor in ("I",) or text[:a].rstrip().endswith(("\\operatorname{", "\\mathrm{", "\\mathbf{")):
            continue
        m = _MATRIX_SCRIPT.match(text, b)
        if m is None:
            yield text[:b] + "^\\top" + text[b:], f"transpose '{factor}'"
        elif m.group("t"):
            yield text[:b] + text[m.end():], f"drop the transpose of '{factor}'"
        elif m.group("inv"):
            yield text[:b] + "^{-\\top}" + text[m.end():], f"transpose '{factor}^{{-1}}'"
        else:
            yield text[:b] + "^{-1}" + text[m.end():], f"drop the transpose of '{text[a:m.end()].strip()}'"
    atoms = []
    for a, b in sorted(spans):
        m = _MATRIX_SCRIPT.match(text, b)
        atoms.append((a, b, m.end() if m else b))
    for (a1, n1, b1), (a2, n2, b2) in zip(atoms, atoms[1:]):
        if b1 <= a2 and not text[b1:a2].strip():  # neighbours in one product
            first, second = text[a1:n1], text[a2:n2]
            yield (text[:a1] + second + text[n1:a2] + first + text[n2:],
                   f"swap the names '{first}' and '{second}'")
            first, second = text[a1:b1], text[a2:b2]
            yield text[:a1] + second + text[b1:a2] + first + text[b2:], f"swap '{first}' and '{second}'"


def search_matrix(reader: Reader, claim: Claim, budget: float = 30.0) -> tuple[str, str] | None:
    r"""The first edit of a matrix-notation claim's right side that makes it hold: ``(LaTeX, what was changed)``.

    Each candidate (:func:`matrix_candidates`) is read in matrix notation and compared entry by entry
    with the left side, rows and columns as well as values; at most :data:`MAX_CANDIDATES` are judged.

    Example:
        >>> r = Reader()
        >>> r.matrix.shapes.update({"a": ("n",), "X": ("n", "m"), "b": ("m",)})
        >>> search_matrix(r, Claim(r"\frac{\partial}{\partial X} a^\top X b", r"b a^\top", 0, 0, 0))
        ('a b^\\top', "swap the names 'b' and 'a'")
    """
    m = reader.matrix
    try:
        lhs = m.read(claim.lhs)
    except EinsteinError:
        return None
    layout = m.layout(claim.lhs, lhs)
    for key, why in _judged(matrix_candidates(claim.rhs), budget):
        try:
            rhs = m.read(key)
        except EinsteinError:
            continue
        if m.layout(key, rhs) != layout:
            continue
        left, right = m.align(lhs, rhs)
        if compare_sides(left, right).verdict == "holds":
            return key, why
    return None
