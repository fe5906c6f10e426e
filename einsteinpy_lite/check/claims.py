"""From rows of display math to definitions and claims, and from a side's LaTeX to an expression.

A row is cut at its top-level relation signs.  ``NAME^{..}_{..} := expr`` (also ``\\coloneqq``,
``\\equiv``, ``\\triangleq``) is a *definition*; so is a first ``=`` whose left side is a bare name not yet
defined or used and absent from its right side (``f^i(y) = B^i_j \\sigma(A^j_l y^l + b^j)``).  Every
other ``=`` is a *claim*: ``a = b = c`` claims ``a = b`` and ``b = c``, and a row that starts with ``=``
(``&= ...``) continues the chain of the row above.  ``\\leftarrow``, ``\\in``, ``\\mapsto`` rows are not
claims (updates, shapes); ``\\approx``, ``\\neq``, ``\\le`` ... are claims the checker cannot judge.

:class:`Reader` turns a side's LaTeX into an expression: derivatives written as users write them
(``\\frac{\\partial E}{\\partial A^{m}_{n}}``, ``\\frac{\\partial}{\\partial x^{m}} ( ... )``, second
derivatives ``\\frac{\\partial^2}{\\partial x^{m} \\partial x^{n}} E``, a derivative as a factor) are derived
with :func:`einsteinpy_lite.diff`, and defined names are replaced by their definitions, with the
definition's indices renamed to the use's and its summed indices made fresh (capture-free); a slot
written in the other position than in the definition is joined by the Euclidean metric.  The sides
are parsed in one place, :meth:`Reader.parse_side`.

Example:
    >>> r = Reader()
    >>> r.define(r"\\epsilon_k^i", r"x_k^i - B^i_j y_k^j")
    >>> str(r.read(r"\\epsilon_k^p"))
    'x_k^p - B^p_u1 y_k^u1'
    >>> str(r.read(r"\\frac{\\partial}{\\partial x^m} (x^i x_i)"))
    '2 x_m'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sympy

from ..algebra.diff import diff
from ..core.atoms import Delta, Tensor
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, SumOver
from ..core.functions import function_names
from ..core.indices import Index, fresh_names
from ..core.rename import rename_free
from ..notation.greek import GREEK
from ..notation.parse import parse
from .matrix_claims import MatrixReader

__all__ = ["Definition", "Claim", "Reader", "split_relations", "extract", "RELATIONS"]

#: relation sign -> what it makes: a definition, a claim, a claim that cannot be judged, or nothing
RELATIONS: dict[str, str] = {
    ":=": "define", "\\coloneqq": "define", "\\equiv": "define", "\\triangleq": "define", "\\stackrel{\\text{def}}{=}": "define",
    "=": "claim",
    "\\approx": "unsupported", "\\neq": "unsupported", "\\ne": "unsupported", "\\leq": "unsupported",
    "\\geq": "unsupported", "\\le": "unsupported", "\\ge": "unsupported", "\\propto": "unsupported",
    "\\sim": "skip", "\\leftarrow": "skip", "\\gets": "skip", "\\in": "skip", "\\mapsto": "skip", "\\to": "skip",
    "\\rightarrow": "skip", "<": "unsupported", ">": "unsupported",
}
_REL_RE = re.compile("|".join(re.escape(k) + ("(?![A-Za-z])" if k[-1].isalpha() else "")
                              for k in sorted(RELATIONS, key=len, reverse=True)))

_NAME = r"(?:\\(?:mathrm|operatorname|mathbf|boldsymbol)\{[^{}]*\}|\[[^\[\]]*\]|\\[A-Za-z]+|[A-Za-z][0-9]*)"
_GROUP = r"(?:\s*(?:[\^_]\s*(?:\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z0-9])|\{\}))"
_HEAD_RE = re.compile(r"\s*(" + _NAME + _GROUP + r"*)\s*(\((?:[^()]*)\))?\s*$")
_USE_RE = re.compile(_NAME + _GROUP + r"*")
_LABEL_RE = re.compile(r"\[\s*\\nabla\s*_\s*(\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z])\s*(\((?:[^()]|\([^()]*\))*\)|"
                       + _NAME + r")\s*\]((?:\s*(?:[\^_]\s*(?:\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z0-9])|\{\}))*)")
_FRAC_RE = re.compile(r"\\[dt]?frac(?![A-Za-z])\s*")
_PAD = {"\\left(": "(", "\\left[": "(", "\\left\\{": "(", "\\right)": ")", "\\right]": ")", "\\right\\}": ")",
        "\\bigl(": "(", "\\bigr)": ")", "\\Bigl(": "(", "\\Bigr)": ")", "\\big(": "(", "\\big)": ")",
        "\\Big(": "(", "\\Big)": ")", "\\left.": "", "\\right.": "", "\\!": "", "\\mathrm{d}": "d"}
#: LaTeX commands a side may hold besides Greek letters and registered functions
_KNOWN_COMMANDS = frozenset({
    "sum", "frac", "dfrac", "tfrac", "delta", "nabla", "cdot", "times", "left", "right", "mathrm", "operatorname",
    "mathbf", "boldsymbol", "partial", "quad", "qquad", "sigma", "odot", "circ", "big", "Big", "bigl", "bigr", "Bigl", "Bigr"})
_COMMAND_RE = re.compile(r"\\([A-Za-z]+)")
_PAD_RE = re.compile("|".join(re.escape(k) for k in sorted(_PAD, key=len, reverse=True)))


@dataclass(frozen=True)
class Definition:
    """``name`` (the parsed head's name or scalar) defined by ``body`` (an expression) at ``offset``."""

    key: Any
    head: Expr
    body: Expr
    text: str
    offset: int = 0
    args: bool = False


@dataclass
class Claim:
    """One ``lhs = rhs`` of the document, with the offsets of its sides and of its sign.

    Attributes:
        lhs, rhs: the sides as written (blanked where not mathematics).
        sign: the document offset of the relation sign; ``lhs_offset``/``rhs_offset`` those of the sides.
        relation: the sign (``=``, or one the checker cannot judge such as ``\\approx``).
        error: why the claim cannot be read at all (from the document: unbalanced braces).
        first: the first relation of its row, not continuing a chain (a candidate definition).
    """

    lhs: str
    rhs: str
    sign: int
    lhs_offset: int
    rhs_offset: int
    relation: str = "="
    error: str = ""
    first: bool = False
    definitions: dict[Any, Definition] = field(default_factory=dict, repr=False)


def split_relations(text: str) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Cut a row at its top-level relation signs: ``(segments, relations)``, each ``(text, offset in row)``.

    Example:
        >>> segs, rels = split_relations(r"a = \\sum_{k=0}^{K-1} b_k := c")
        >>> [s.strip() for s, _ in segs], rels
        (['a', '\\\\sum_{k=0}^{K-1} b_k', 'c'], [('=', 2), (':=', 25)])
    """
    segs: list[tuple[str, int]] = []
    rels: list[tuple[str, int]] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth = max(depth - 1, 0)
        if depth == 0:
            m = _REL_RE.match(text, i)
            if m is not None and not (m.group(0) in "<>" and text[i - 1:i] in "\\"):
                segs.append((text[start:i], start))
                rels.append((m.group(0), i))
                i = start = m.end()
                continue
        if ch == "\\":
            m2 = re.match(r"\\[A-Za-z]+|\\.", text[i:])
            i += len(m2.group(0)) if m2 else 1
            continue
        i += 1
    segs.append((text[start:], start))
    return segs, rels


def _pad(text: str) -> str:
    """``\\left(`` -> ``(`` and the like, padded with spaces so that every character keeps its offset."""
    return _PAD_RE.sub(lambda m: _PAD[m.group(0)].ljust(len(m.group(0))), text)


def _group(text: str, at: int) -> int:
    """The offset just past the balanced ``{...}`` or ``(...)`` that starts at ``at``."""
    open_, close = text[at], {"{": "}", "(": ")"}[text[at]]
    depth = 0
    for i in range(at, len(text)):
        if text[i] == open_:
            depth += 1
        elif text[i] == close:
            depth -= 1
            if depth == 0:
                return i + 1
    raise EinsteinError(f"a '{open_}' is never closed", text=text, pos=at)


def _term_end(text: str, at: int) -> int:
    """Where the term that starts at ``at`` ends: the next top-level ``+``/``-``, or the end."""
    depth = 0
    for i in range(at, len(text)):
        ch = text[i]
        if ch in "{(":
            depth += 1
        elif ch in "})":
            if depth == 0:
                return i
            depth -= 1
        elif ch in "+-" and depth == 0 and text[at:i].strip():
            return i
    return len(text)


def _fresh_dummies(body: Expr, avoid: set[str], keep: set[str] = frozenset()) -> Expr:  # type: ignore[assignment]
    """``body`` with every index name that is not free renamed to a fresh one (each summed pair keeps its scopes)."""
    free = {ix.name for ix in body.free} | set(keep)
    summed = {ix.name for node in body.walk() for ix in node.own_indices() if ix.bound}
    bound = sorted(body.index_names() - free - summed)  # a \\sum's own index stays with its \\sum
    if not bound:
        return body
    new = fresh_names(avoid | body.index_names(), len(bound))
    avoid.update(new)
    table = dict(zip(bound, new))
    return body.map_slots(lambda ix: ix.renamed(table[ix.name]) if ix.name in table else ix)


def _map_tensors(e: Expr, fn: Any) -> Expr:
    if isinstance(e, Tensor):
        return fn(e)  # type: ignore[no-any-return]
    if isinstance(e, Product):
        out = e.map_children(lambda c: _map_tensors(c, fn))
        return out
    return e.map_children(lambda c: _map_tensors(c, fn))


class Reader:
    """Reads the sides of claims with the document's definitions so far.

    Example:
        >>> r = Reader()
        >>> r.define("f^i", r"B^i_j \\sigma(A^j_l y^l + b^j)")
        >>> str(r.read(r"\\frac{\\partial f^i}{\\partial b^m}"))
        'B^i_u1 [\\\\nabla\\\\sigma(A^u1_u2 y^u2 + b^u1)]^u1_m'
    """

    def __init__(self) -> None:
        self.definitions: dict[Any, Definition] = {}
        self._holes: dict[str, tuple[tuple[Index, ...], Expr]] = {}
        self._count = 0
        #: the sides read only under the loose Einstein convention (a repeated index summed whatever its position)
        self.loose: list[str] = []
        #: the sides read with numpy einsum semantics for their output (an output index kept, elementwise)
        self.kept: list[str] = []
        #: the document's declared shapes and definitions in matrix notation (steps written as in the Cookbook)
        self.matrix = MatrixReader()

    # -- the one place where a side's text becomes an expression ------------------------------------
    def parse_side(self, text: str, out: tuple[Index, ...] | None = None) -> Expr:
        """Parse a side (derivatives already replaced) -- the one place where a side's text is read.

        Ricci first.  With ``out`` (the claim's output: the left side's free indices, or a definition's),
        a Ricci reading that sums an output index, or breaks a Ricci rule on one, is read again with
        numpy einsum semantics for that output (``\\sigma(z^m) y^n`` for the output ``m n``: the repeated
        ``m`` is kept, elementwise).  Else the loose Einstein convention (any repeated pair summed).
        """
        names = None if out is None else [ix.name for ix in out]
        einsum_error: EinsteinError | None = None
        try:
            e: Expr | None = parse(text)
            first: EinsteinError | None = None
        except EinsteinError as exc:
            e, first = None, exc
        if names is not None and (
                (e is not None and set(names) - {ix.name for ix in e.free})
                or (first is not None and first.index in names)):
            # an output index summed (or repeated against the Ricci rules): numpy einsum semantics keep it
            try:
                kept = parse(text, convention="einsum", out=tuple(names))
            except EinsteinError as exc:
                einsum_error = exc
            else:
                self.kept.append(text.strip())
                return kept
        if e is not None:
            return e
        assert first is not None
        try:
            e = parse(text, convention="einstein")
        except EinsteinError:
            raise first from None
        lost = [n for n in names or () if n not in {ix.name for ix in e.free}]
        if lost and first.index in lost:
            # the loose reading would sum an output index: the einsum reading was meant but cannot be made
            why = einsum_error.message if einsum_error is not None else first.message
            raise EinsteinError(f"unsupported construct: the output index '{lost[0]}' repeats on this side, and "
                                f"numpy einsum semantics cannot read it ({why})", text=text,
                                pos=einsum_error.pos if einsum_error is not None else first.pos)
        self.loose.append(text.strip())
        return e

    # -- definitions -----------------------------------------------------------------------------------
    def head(self, text: str) -> tuple[Expr, bool] | None:
        """The defined object of a definition's left side (a tensor atom or a scalar name), and whether it takes arguments."""
        m = _HEAD_RE.match(text)
        if m is None or _LABEL_RE.match(text.strip()):
            return None
        try:
            e = parse(m.group(1))
        except EinsteinError:
            return None
        if isinstance(e, Tensor) and len({ix.name for ix in e.indices}) == len(e.indices):
            return e, m.group(2) is not None
        if isinstance(e, Product) and not e.factors and isinstance(e.coeff, sympy.Symbol):
            return e, m.group(2) is not None
        return None

    @staticmethod
    def key(head: Expr) -> Any:
        """The key a definition is known by: the tensor's name and number of slots, or the scalar's symbol.

        (One letter may name several things: ``\\sigma^j`` and the per-sample ``\\sigma_k^j``.)
        """
        if isinstance(head, Tensor):
            return (head.name, len(head.indices))
        return head.coeff  # type: ignore[attr-defined]

    def tensor_names(self) -> set[str]:
        """The names of the tensors defined so far."""
        return {k[0] for k in self.definitions if isinstance(k, tuple)}

    def by_name(self, name: str) -> Definition | None:
        """The (last) definition of a tensor of this name, whatever its number of slots."""
        found = [d for k, d in self.definitions.items() if isinstance(k, tuple) and k[0] == name]
        return found[-1] if found else None

    def define(self, lhs: str, rhs: str, offset: int = 0) -> None:
        """Define the left side by the right side (read with the definitions so far).

        Raises:
            EinsteinError: the left side is no name with indices, the right side cannot be read,
                refers to the name it defines, or has other free indices than the left side.
        """
        got = self.head(lhs)
        if got is None:
            raise EinsteinError(f"'{lhs.strip()}' cannot be defined: the left side of ':=' must be a name with "
                                "distinct indices, such as 'f^{i}' or 'E'")
        head, args = got
        key = self.key(head)
        body, sample = self._body(head, rhs)
        if isinstance(head, Tensor) and head.name in body.tensors() or (
                not isinstance(head, Tensor) and key in _scalars(body)):
            raise EinsteinError(f"the definition of '{lhs.strip()}' refers to itself",
                                hint="a definition may use only names defined before it")
        want = {ix.name: ix for ix in head.free if ix.name != sample}
        have = {ix.name: ix for ix in body.free}
        if set(want) != set(have):
            raise EinsteinError(f"'{lhs.strip()}' has the free indices {' '.join(map(str, head.free)) or 'none'} "
                                f"but its definition has {' '.join(map(str, body.free)) or 'none'}")
        flips = [n for n in want if want[n].up != have[n].up]
        if flips:
            body = self._metric(body, {n: want[n] for n in flips})
        self.definitions[key] = Definition(key, head, body, lhs.strip(), offset, args)

    def _body(self, head: Expr, rhs: str) -> tuple[Expr, str | None]:
        """A definition's right side; one index of the head may be a sample index the body sums with (bound).

        ``\\epsilon_k^i := x_k^i - B^i_j \\sigma(A^j_l y_k^l + b^j)`` is read as if inside ``\\sum_k`` (as it
        is used), where ``b^j`` need not carry ``k``.
        """
        try:
            return self.read(rhs, out=tuple(getattr(head, "free", ())) or None, expand=False), None
        except EinsteinError as first:
            for ix in getattr(head, "indices", ()):
                try:
                    wrapped = self.read(f"\\sum_{{{ix.name}}} ({rhs})", expand=False)
                except EinsteinError:
                    continue
                if isinstance(wrapped, SumOver):
                    return wrapped.body, ix.name
            raise first from None

    @staticmethod
    def _metric(body: Expr, wanted: dict[str, Index]) -> Expr:
        """Move free indices of ``body`` to the positions in ``wanted`` with the Euclidean metric."""
        avoid = set(body.index_names())
        mapping: dict[str, str] = {}
        deltas: list[Expr] = []
        for name, ix in wanted.items():
            (new,) = fresh_names(avoid, 1, stem="m")
            avoid.add(new)
            mapping[name] = new
            deltas.append(Delta(Index(name, ix.up), Index(new, ix.up)))
        return Product.make(1, [*deltas, rename_free(body, mapping)])

    # -- reading a side ------------------------------------------------------------------------------
    def read(self, text: str, out: tuple[Index, ...] | None = None, expand: bool = True) -> Expr:
        """A side's expression: derivatives derived, definitions substituted (unless not ``expand``).

        Raises:
            EinsteinError: the side cannot be read (the message points into ``text``).
        """
        if not text.strip():
            raise EinsteinError("empty side", text=text, pos=0)
        self._known_commands(text)
        prepared = self._strip_args(self._derivatives(self._labels(_pad(text))))
        e = self.parse_side(prepared, out)
        return self.substitute(e) if expand else e

    @staticmethod
    def _known_commands(text: str) -> None:
        """An unknown command (``\\int``, ``\\lim``, ``\\top``) is a construct the checker cannot read: say which."""
        known = _KNOWN_COMMANDS | set(GREEK) | set(function_names())
        for m in _COMMAND_RE.finditer(text):
            if m.group(1) not in known:
                raise EinsteinError(f"unsupported construct '\\{m.group(1)}'", text=text, pos=m.start(),
                                    hint="the checker reads index expressions: sums, products, fractions, "
                                         "functions, deltas and derivatives")

    def _strip_args(self, text: str) -> str:

        """Blank ``(y)`` after a name defined with arguments (``f^i(y)``)."""
        with_args = [d for d in self.definitions.values() if d.args]
        if not with_args:
            return text
        for m in list(_USE_RE.finditer(text)):
            end = m.end()
            while end < len(text) and text[end] == " ":
                end += 1
            if end < len(text) and text[end] == "(":
                try:
                    head = parse(m.group(0))
                except EinsteinError:
                    continue
                key = self.key(head) if isinstance(head, Tensor) else getattr(head, "coeff", None)
                d = self.definitions.get(key)
                if d is not None and d.args:
                    stop = _group(text, end)
                    text = text[:end] + " " * (stop - end) + text[stop:]
        return text

    def _labels(self, text: str) -> str:
        """Replace each gradient label ``[\\nabla_X E]^{..}_{..}`` by a placeholder (derived now).

        The label's indices are ``E``'s free indices, then one per slot of ``X`` (as ``X`` stands in
        ``E``); ``E`` is a defined name or a parenthesized expression.  An index written in the other
        position than the derivative has it is joined by the Euclidean metric (and noted by the judge).
        """
        while True:
            m = _LABEL_RE.search(text)
            if m is None:
                return text
            var_name, operand, groups = m.group(1).strip("{} "), m.group(2).strip(), m.group(3)
            try:
                written = parse("Q" + groups) if groups.strip() else None
            except EinsteinError as exc:
                raise EinsteinError(f"cannot read the indices of '{m.group(0).strip()}': {exc.message}") from None
            idx = written.indices if isinstance(written, Tensor) else ()
            if operand.startswith("("):
                e = self.read(operand[1:-1])
            else:
                got = self.head(operand)
                d = self.definitions.get(self.key(got[0])) if got else None
                if d is None and got is not None and not isinstance(got[0], Tensor):
                    d = self.by_name(parse(operand + "^{z}").name)  # type: ignore[attr-defined]
                if d is None:
                    raise EinsteinError(f"'{operand}' in '{m.group(0).strip()}' is not defined in the document, so "
                                        "its derivative is unknown", hint=f"define it first, e.g. '{operand} := ...'")
                e = self.substitute(d.head)
            occurrences = [t for t in e.walk() if isinstance(t, Tensor) and t.name == parse(var_name + "^{z}").name]
            if not occurrences:
                raise EinsteinError(f"'{var_name}' does not occur in '{operand}' of '{m.group(0).strip()}'")
            pattern = [ix.up for ix in occurrences[0].indices]
            n = len(e.free)
            if len(idx) != n + len(pattern):
                raise EinsteinError(f"'{m.group(0).strip()}' has {len(idx)} indices, but {operand} has {n} free "
                                    f"and {var_name} has {len(pattern)} slots")
            names = [ix.name for ix in idx]
            if len(set(names)) != len(names):
                raise EinsteinError(f"'{m.group(0).strip()}' repeats an index")
            e = rename_free(e, {ix.name: w for ix, w in zip(e.free, names[:n])})
            var = Tensor(occurrences[0].name, [Index(w, up) for w, up in zip(names[n:], pattern)])
            derived = diff(e, var)
            slots = tuple(Index(w, ix.up) for w, ix in zip(names[:n], e.free)) + tuple(
                Index(w, not up) for w, up in zip(names[n:], pattern))
            self._count += 1
            name = f"dpartial{self._count}"
            self._holes[name] = (slots, derived)
            hole = f"\\mathrm{{{name}}}" + "".join(("^{" if ix.up else "_{") + ix.name + "}" for ix in idx)
            text = text[:m.start()] + hole.ljust(m.end() - m.start()) + text[m.end():]

    def _derivatives(self, text: str) -> str:
        """Replace each derivative by a placeholder tensor carrying its free indices (derived now)."""
        while True:
            found = None
            for m in _FRAC_RE.finditer(text):
                if m.end() < len(text) and text[m.end()] == "{":
                    num_end = _group(text, m.end())
                    j = num_end
                    while j < len(text) and text[j] == " ":
                        j += 1
                    if j < len(text) and text[j] == "{":
                        den_end = _group(text, j)
                        num, den = text[m.end() + 1:num_end - 1], text[j + 1:den_end - 1]
                        if den.strip().startswith("\\partial"):
                            found = (m.start(), den_end, num, den)
                            break
            if found is None:
                return text
            start, stop, num, den = found
            num = num.strip()
            if not num.startswith("\\partial"):
                raise EinsteinError("a derivative's numerator must start with \\partial", text=text, pos=start)
            operand = re.sub(r"^\\partial\s*(\^\s*(\{\s*\d+\s*\}|\d))?", "", num).strip()
            if not operand:  # the operator form: the operand follows
                k = stop
                while k < len(text) and text[k] == " ":
                    k += 1
                if k < len(text) and text[k] == "(":
                    end = _group(text, k)
                    operand = text[k + 1:end - 1]
                else:
                    end = _term_end(text, k)
                    operand = text[k:end]
                if not operand.strip():
                    raise EinsteinError("the derivative has nothing to differentiate", text=text, pos=start)
                stop = end
            variables = [v.strip() for v in den.split("\\partial")[1:]]
            self._check_defined(operand, variables)
            e = self.read(operand)
            written: list[Index] = list(e.free)  # the derivative's indices as the text names them
            for v in variables:
                e, var = self._diff(e, v)
                written += [ix.flip() for ix in var.indices]
            hole = self._hole(e, written)
            hole = hole.ljust(stop - start)
            text = text[:start] + hole + text[stop:]

    def _hole(self, e: Expr, written: list[Index]) -> str:
        """Register a derived expression as a placeholder; its text with the indices as written.

        A variable named with an index of its operand (``\\frac{\\partial}{\\partial z^m} \\sigma(z^m)``) was
        derived with a fresh name; written with the operand's name, the derivative is its diagonal in that
        index (numpy einsum semantics: the repeated index is kept), built here so the side reads as usual.
        """
        self._count += 1
        name = f"dpartial{self._count}"
        self._holes[name] = (tuple(e.free), e)
        text = f"\\mathrm{{{name}}}" + "".join(("^{" if ix.up else "_{") + ix.name + "}" for ix in written)
        names = [ix.name for ix in written]
        if len(set(names)) == len(names):
            return text
        kept = tuple(dict.fromkeys(names))
        diagonal = self.substitute(parse(text, convention="einsum", out=kept))
        self._count += 1
        name = f"dpartial{self._count}"
        self._holes[name] = (tuple(diagonal.free), diagonal)
        return f"\\mathrm{{{name}}}" + "".join(("^{" if ix.up else "_{") + ix.name + "}" for ix in diagonal.free)

    def _check_defined(self, operand: str, variables: list[str]) -> None:
        """A derivative of a bare name that the document never defined is unknown (not zero)."""
        got = self.head(operand)
        if got is None:
            return
        try:
            if not isinstance(parse(operand), (Tensor, Product)):
                return  # a function call such as \\sigma(z^m) is no name
        except EinsteinError:
            return
        key = self.key(got[0])
        var_keys = set()
        for v in variables:
            h = self.head(v)
            if h is not None:
                var_keys.add(self.key(h[0]))
        if key not in self.definitions and key not in var_keys:
            raise EinsteinError(f"'{operand.strip()}' is not defined in the document, so its derivative is unknown",
                                hint=f"define it first, e.g. '{operand.strip()} := ...'")

    def _diff(self, e: Expr, var_text: str) -> tuple[Expr, Tensor]:
        """The derivative and the variable as written (a variable index that is free in ``e`` is renamed fresh
        for the derivative; the caller writes it back, which makes the diagonal)."""
        try:
            var = parse(var_text)
        except EinsteinError as exc:
            raise EinsteinError(f"cannot read the variable '{var_text}' of a derivative: {exc.message}") from None
        if not isinstance(var, Tensor):
            raise EinsteinError(f"the variable '{var_text}' of a derivative must be one tensor with its indices")
        if var.name in self.tensor_names():
            raise EinsteinError(f"differentiating with respect to the defined name '{var_text}' is not supported",
                                hint="differentiate with respect to a variable that is not defined in the document")
        if not any(isinstance(t, Tensor) and t.name == var.name for t in e.walk()) and not e.tensors():
            if any(isinstance(x, sympy.Symbol) for x in _scalars(e)):
                raise EinsteinError(f"'{e}' is not defined in the document, so its derivative is unknown",
                                    hint="define it first, e.g. 'E := ...'")
        free = {ix.name for ix in e.free}
        clash = [ix.name for ix in var.indices if ix.name in free]
        if clash:
            fresh = dict(zip(clash, fresh_names(set(e.all_names()) | {ix.name for ix in var.indices}, len(clash))))
            renamed = var.with_indices([ix.renamed(fresh.get(ix.name, ix.name)) for ix in var.indices])
            return diff(e, renamed), var
        return diff(e, var), var

    # -- substitution ------------------------------------------------------------------------------
    def substitute(self, e: Expr, stack: tuple[Any, ...] = ()) -> Expr:
        """``e`` with every defined name (and derivative placeholder) replaced, capture-free.

        Definitions are expanded when used, so one may use a name defined after it (in the text) but
        before the claim; definitions that refer to each other in a circle are an error.
        """
        avoid = set(e.all_names())

        def expanded(d: Definition) -> Expr:
            if d.key in stack:
                chain = " -> ".join(self.definitions[k].text if k in self.definitions else str(k)
                                    for k in (*stack[stack.index(d.key):], d.key))
                raise EinsteinError(f"definitions refer to each other in a circle: {chain}")
            return self.substitute(d.body, (*stack, d.key))

        scalar_defs = {d.key: Definition(d.key, d.head, expanded(d), d.text, d.offset, d.args)
                       for d in self.definitions.values() if not isinstance(d.head, Tensor) and d.key in _scalars(e)}

        def tensor(t: Tensor) -> Expr:
            if t.name in self._holes:
                slots, body = self._holes[t.name]
                return self._instantiate(t, slots, body, avoid)
            d = self.definitions.get((t.name, len(t.indices)))
            if d is None:
                other = self.by_name(t.name)
                if other is not None:
                    raise EinsteinError(f"'{t}' has {len(t.indices)} indices but '{other.text}' is defined with "
                                        f"{len(other.head.indices)}")  # type: ignore[attr-defined]
                return t
            return self._instantiate(t, d.head.indices, expanded(d), avoid)

        out = _map_tensors(e, tensor)
        if scalar_defs:
            out = _subst_scalars(out, scalar_defs, avoid)
        return out

    @staticmethod
    def _instantiate(use: Tensor, slots: tuple[Index, ...], body: Expr, avoid: set[str]) -> Expr:
        body = _fresh_dummies(body, avoid, keep={p.name for p in slots})
        mapping: dict[str, str] = {}
        deltas: list[Expr] = []
        bound: set[str] = set()
        free = {ix.name for ix in body.free}
        for p, u in zip(slots, use.indices):
            if p.name not in free:  # a sample index the body sums with: it takes the use's name, bound
                body = body.map_slots(lambda ix, p=p, u=u: ix.renamed(u.name) if ix.bound and ix.name == p.name
                                      else ix)
                continue
            if u.bound:
                bound.add(u.name)
            if p.up == u.up or u.bound:
                mapping[p.name] = u.name
            else:
                (fresh,) = fresh_names(avoid | body.index_names(), 1, stem="m")
                avoid.add(fresh)
                mapping[p.name] = fresh
                deltas.append(Delta(Index(u.name, u.up), Index(fresh, not p.up)))
        out = rename_free(body, mapping, avoid=avoid)
        if bound:
            out = out.map_slots(lambda ix: ix.with_bound(True) if ix.name in bound else ix)
        return Product.make(1, [*deltas, out]) if deltas else out


def _scalars(e: Expr) -> set[Any]:
    found: set[Any] = set()
    for node in e.walk():
        if isinstance(node, Product):
            found |= set(sympy.sympify(node.coeff).free_symbols)
    return found


def _subst_scalars(e: Expr, defs: dict[Any, Definition], avoid: set[str]) -> Expr:
    """Replace defined scalar names in coefficients (``c L^p`` with ``p`` a positive integer) by their bodies."""
    if isinstance(e, Product):
        coeff = sympy.sympify(e.coeff)
        factors = [_subst_scalars(f, defs, avoid) for f in e.factors]
        for sym, d in defs.items():
            if sym in coeff.free_symbols:
                rest, power = coeff.as_coeff_exponent(sym)
                if sym in rest.free_symbols or not (power.is_Integer and power > 0):
                    raise EinsteinError(f"'{d.text}' appears as '{coeff}', which the checker cannot expand",
                                        hint="write the defined scalar as a plain factor")
                coeff = rest
                factors += [_fresh_dummies(d.body, avoid) for _ in range(int(power))]
        return Product.make(coeff, factors, e.kept)
    return e.map_children(lambda c: _subst_scalars(c, defs, avoid))


def extract(rows: list[Any]) -> list[tuple[str, Any]]:
    """The document's statements in order: ``("define", (lhs, rhs, lhs_offset, rhs_offset, sign))`` or
    ``("claim", Claim)``, from :class:`~einsteinpy_lite.check.document.Row` s.

    Example:
        >>> from einsteinpy_lite.check.document import Row
        >>> items = extract([Row("f := x^i x_i = y", 0, 1), Row("  = z", 20, 1)])
        >>> [(k, v.lhs.strip() + " = " + v.rhs.strip()) if k == "claim" else (k, v[0].strip()) for k, v in items]
        [('define', 'f'), ('claim', 'x^i x_i = y'), ('claim', 'y = z')]
    """
    out: list[tuple[str, Any]] = []
    prev: tuple[int, tuple[str, int] | None] = (-1, None)
    for row in rows:
        segs, rels = split_relations(row.text)
        segs = [(s, row.offset + o) for s, o in segs]
        rels = [(r, row.offset + o) for r, o in rels]
        if row.error:
            at = rels[0][1] if rels else row.offset + len(row.text) - len(row.text.lstrip())
            out.append(("claim", Claim(row.text, "", at, row.offset, row.offset, "=", row.error)))
            prev = (row.block, None)
            continue
        if not rels:
            prev = (row.block, None)
            continue
        continued = not segs[0][0].strip()
        if continued:
            if prev[0] == row.block and prev[1] is not None:
                segs[0] = prev[1]
            else:
                out.append(("claim", Claim("", segs[1][0], rels[0][1], segs[0][1], segs[1][1], rels[0][0],
                                           f"'{rels[0][0]}' has no left side (and no row above to continue)")))
                prev = (row.block, segs[-1])
                continue
        for i, (rel, at) in enumerate(rels):
            (a, ao), (b, bo) = segs[i], segs[i + 1]
            kind = RELATIONS[rel]
            if kind == "skip":
                break
            if kind == "define" and i == 0:
                out.append(("define", (a, b, ao, bo, at)))
            elif kind == "define":
                out.append(("claim", Claim(a, b, at, ao, bo, rel, f"'{rel}' after the first relation of a row")))
            else:
                out.append(("claim", Claim(a, b, at, ao, bo, rel, first=i == 0 and not continued)))
        prev = (row.block, segs[-1])
    return out
