"""Range declarations in inline math: ``$g_j \\text{ for } 0 \\leq j < N$`` -- each range variable must be an index of the tensor.

A declaration names a tensor and the ranges of its indices.  It is consistent when the variables of the
ranges are exactly the tensor's indices, each written once; otherwise it is a mistake (a range over an
index the tensor does not carry, an index written twice), with a suggestion when one renaming fixes it.

Example:
    >>> d = read_declaration(r"g_j \\text{ for } 0 \\leq i < N")
    >>> d.verdict, d.how, d.suggestion
    ('fails', "the range names 'i', which is not an index of 'g_j' (its indices: j)", 'g_j \\\\text{ for } 0 \\\\leq j < N')
    >>> read_declaration(r"G^i{}_j \\text{ for } 0 \\leq i < N_x \\text{ and } 0 \\leq j < N_y").verdict
    'holds'
    >>> read_declaration("x^i + y^i") is None
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.indices import normalize_index_name

__all__ = ["Declaration", "read_declaration", "cross_check"]

_SPLIT = re.compile(r"\s*(?:\\text\{\s*for\s*\}|\\quad\s*\\text\{\s*for\s*\}|\\mathrm\{for\})\s*")
_AND = re.compile(r"\s*(?:\\text\{\s*and\s*\}|\\quad|;|\\mathrm\{and\})\s*")
_RANGE = re.compile(r"0\s*\\leq?\s*(?P<vars>[^<]+?)\s*<\s*(?P<bound>.+)$")
_SCRIPT = re.compile(r"([\^_])\s*(\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z0-9])")
_INDEX = re.compile(r"\\[A-Za-z]+|[A-Za-z](?:_\{\d+\}|_\d+|\d*)")


@dataclass(frozen=True)
class Declaration:
    """A range declaration: the tensor as written, its verdict, how, and a corrected declaration (or None)."""

    tensor: str
    verdict: str
    how: str
    suggestion: str | None
    offset: int  # of the first range's relation sign, within the inline text
    ranges: tuple[tuple[str, str], ...] = ()  # (variable as written, bound)


def _written(tensor: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _SCRIPT.finditer(tensor):
        body = m.group(2)
        start = m.start(2) + (1 if body.startswith("{") else 0)
        inner = body[1:-1] if body.startswith("{") else body
        for im in _INDEX.finditer(inner):
            out.append((start + im.start(), start + im.end(), im.group(0)))
    return out


def read_declaration(text: str) -> Declaration | None:
    """Read ``TENSOR \\text{ for } 0 \\leq VARS < BOUND (\\text{ and } ...)``; ``None`` when it is no declaration."""
    parts = _SPLIT.split(text.strip(), maxsplit=1)
    if len(parts) != 2:
        return None
    tensor, ranges = parts
    variables: list[tuple[str, int]] = []
    bounds: list[tuple[str, str]] = []
    for piece in _AND.split(ranges):
        m = _RANGE.match(piece.strip())
        if m is None:
            return None
        for v in m.group("vars").split(","):
            if v.strip():
                variables.append((v.strip(), text.find(piece.strip())))
                bounds.append((v.strip(), " ".join(m.group("bound").split())))
    written = _written(tensor)
    if not written or not variables:
        return None
    names = [normalize_index_name(n) for _, _, n in written]
    var_names = [normalize_index_name(v) for v, _ in variables]
    at = text.find("\\le")
    repeated = [n for i, n in enumerate(names) if n in names[:i]]
    missing = [v for v in var_names if v not in names]  # ranged, not carried
    unranged = [n for n in dict.fromkeys(names) if n not in var_names]
    if not repeated and not missing and not unranged:
        return Declaration(tensor.strip(), "holds", "every index has a range and every range an index", None, at,
                           tuple(bounds))
    problems = []
    suggestion = None
    if repeated:
        problems.append(f"'{tensor.strip()}' writes the index '{repeated[0]}' twice")
        if len(missing) == 1:  # the second occurrence was meant to be the ranged index
            s, e, _ = [w for w in written if normalize_index_name(w[2]) == repeated[0]][1]
            raw = next(v for v, _ in variables if normalize_index_name(v) == missing[0])
            suggestion = text.replace(tensor, tensor[:s] + raw + tensor[e:], 1)
    elif missing:
        problems.append(f"the range names '{missing[0]}', which is not an index of '{tensor.strip()}' "
                        f"(its indices: {', '.join(dict.fromkeys(names))})")
        if len(missing) == 1 and len(unranged) == 1:
            raw = next(v for v, _ in variables if normalize_index_name(v) == missing[0])
            good = next(w[2] for w in written if normalize_index_name(w[2]) == unranged[0])
            ranges_fixed = re.sub(r"(?<![A-Za-z\\])" + re.escape(raw) + r"(?![A-Za-z0-9_])", good, ranges, count=1)
            suggestion = text.replace(ranges, ranges_fixed, 1)
    elif unranged:
        problems.append(f"the index '{unranged[0]}' of '{tensor.strip()}' has no range")
    return Declaration(tensor.strip(), "fails", "; ".join(problems), suggestion, at, tuple(bounds))


def cross_check(declarations: list[tuple[str, Declaration]]) -> dict[int, tuple[str, str | None]]:
    r"""Within one section, an index name ranging to two bounds: the minority declarations are mistakes.

    ``declarations`` is ``(inline text, declaration)`` in document order.  Returns, by position in the
    list, ``(how, suggestion)`` for each declaration to flag; the suggestion renames the index to the one
    that has that bound elsewhere in the section (``x^j for 0 <= j < N_x`` where ``G^i_j`` has
    ``0 <= i < N_x``: ``x^i for 0 <= i < N_x``).

    Example:
        >>> texts = [r"y^j \text{ for } 0 \leq j < N_y", r"x^j \text{ for } 0 \leq j < N_x",
        ...          r"G^i{}_j \text{ for } 0 \leq i < N_x \text{ and } 0 \leq j < N_y"]
        >>> cross_check([(t, read_declaration(t)) for t in texts])[1][1]
        'x^i \\text{ for } 0 \\leq i < N_x'
    """
    uses: dict[str, list[tuple[int, str, str]]] = {}
    for k, (_, d) in enumerate(declarations):
        for raw, bound in d.ranges:
            uses.setdefault(normalize_index_name(raw), []).append((k, raw, bound))
    out: dict[int, tuple[str, str | None]] = {}
    for name, seen in uses.items():
        counts: dict[str, int] = {}
        for _, _, bound in seen:
            counts[bound] = counts.get(bound, 0) + 1
        if len(counts) < 2:
            continue
        major = max(counts, key=lambda b: (counts[b], -min(k for k, _, bb in seen if bb == b)))
        for k, raw, bound in seen:
            if bound == major or k in out:
                continue
            how = (f"the index '{raw}' ranges to {bound} here but to {major} elsewhere in this section")
            other = next((r for kk, (_, d) in enumerate(declarations) for r, b in d.ranges
                          if b == bound and normalize_index_name(r) != name), None)
            suggestion = None
            if other is not None:
                text = declarations[k][0]
                suggestion = re.sub(r"(?<![A-Za-z\\])" + re.escape(raw) + r"(?![A-Za-z0-9_])", other, text)
                how += f"; '{other}' is the index that ranges to {bound}"
            out[k] = (how, suggestion)
    return out
