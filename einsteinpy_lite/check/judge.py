"""The verdict of one claim: ``holds``, ``fails``, ``malformed`` or ``unsupported``, and how it was reached.

Both sides are read with the document's definitions (:class:`~einsteinpy_lite.check.claims.Reader`) and
compared with :func:`einsteinpy_lite.compare`:

* ``holds``: the same canonical form (confirmed on random draws) -- "holds symbolically"; or the forms
  differ and the values agree on random draws -- "holds numerically only".  Values are judged with the
  Euclidean metric: a free index written up on one side and down on the other still gets its value
  verdict, with a note on the variance.
* ``fails``: the free indices differ, a sum's bound disagrees with the other side's sum over the same
  slots (``\\sum_{k=0}^{N-1}`` where the left side has ``K-1``: the numbers alone would tie ``N`` to the
  size), or the values differ; ``how`` names the difference (left minus
  right, simplified) and the largest difference seen on a random draw.
* ``malformed``: an index rule is broken (``offset`` points at it in the document).
* ``unsupported``: a construct the checker cannot read yet (named), a relation it does not judge
  (``\\approx``), or ``compare`` could not tell (an honest "cannot tell", never a guess).

Example:
    >>> from einsteinpy_lite.check.claims import Claim, Reader
    >>> v = judge(Reader(), Claim("A^i_j y^j", "y^k A^i_k", 10, 0, 12))
    >>> v.verdict, v.how
    ('holds', 'holds symbolically (same canonical form, confirmed on 3 random draws)')
    >>> judge(Reader(), Claim("x_i y^i", "2 y^i x_i", 8, 0, 10)).verdict
    'fails'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..algebra.simplify import simplify
from ..core.atoms import Tensor, Zero
from ..core.elementwise import Apply
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, SumOver
from ..equality.decide import compare
from ..notation.matrix_print import to_matrix
from ..notation.printing import latex
from .claims import Claim, Reader

__all__ = ["Verdict", "judge", "VERDICTS", "read_sides", "compare_sides", "bound_mismatch"]

#: the four verdicts, in the JSON's spelling
VERDICTS = ("holds", "fails", "malformed", "unsupported")

_UNREADABLE = ("unsupported construct", "unexpected", "unknown", "empty", "cannot read", "differentiating", "a derivative", "the derivative",
               "cannot be defined", "which the checker cannot")


@dataclass
class Verdict:
    """What the checker found about one claim.

    Attributes:
        verdict: one of :data:`VERDICTS`.
        how: a sentence: how it was decided, or what is wrong.
        offset: the document offset to point at for a malformed claim (``None``: the claim's sign).
        lhs, rhs: the sides as read (``None`` when unreadable).
        notes: remarks beside the verdict (index positions, derivatives).
        derived: the left side derived and simplified, as LaTeX, when it contains a derivative.
        difference: left minus right, simplified, as LaTeX, for a failing claim.
    """

    verdict: str
    how: str
    offset: int | None = None
    lhs: Expr | None = None
    rhs: Expr | None = None
    notes: list[str] = field(default_factory=list)
    derived: str | None = None
    difference: str | None = None
    matrix: bool = False


def _unreadable(exc: EinsteinError, side: str, side_offset: int) -> Verdict:
    msg = exc.message
    where = None if exc.pos is None else side_offset + exc.pos
    text = f"the {side} side: {msg}" + (f" ({exc.hint})" if exc.hint and "convention" not in exc.hint else "")
    if "terms of a sum must have the same free indices" in msg and "has none" in msg:
        text = (f"the {side} side adds a number to a term with free indices (numpy broadcasting, as in "
                f"1 - \\sigma(z^m)), which the checker cannot read yet: {msg}")
        return Verdict("unsupported", "cannot read " + text, where)
    if msg.startswith(_UNREADABLE) or "is not defined" in msg or "not supported" in msg:
        return Verdict("unsupported", "cannot read " + text, where)
    return Verdict("malformed", text, where)


def read_sides(reader: Reader, claim: Claim) -> tuple[Expr, Expr] | Verdict:
    """Both sides of a claim as expressions, the right side read for the left side's output; or why not.

    Example:
        >>> from einsteinpy_lite.check.claims import Claim, Reader
        >>> [str(e) for e in read_sides(Reader(), Claim("w^m", "u^m v^m", 4, 0, 6))]
        ['w^m', 'u^m \\\\odot v^m']
        >>> read_sides(Reader(), Claim("w^m", "u^m +", 4, 0, 6)).verdict
        'unsupported'
    """
    try:
        lhs = reader.read(claim.lhs)
    except EinsteinError as exc:
        return _unreadable(exc, "left", claim.lhs_offset)
    try:
        rhs = reader.read(claim.rhs, out=tuple(lhs.free))
    except EinsteinError as exc:
        return _unreadable(exc, "right", claim.rhs_offset)
    return lhs, rhs


def _align_variance(lhs: Expr, rhs: Expr) -> tuple[Expr, list[str]]:
    """Under the Euclidean metric, move the right side's free indices to the left side's positions."""
    want = {ix.name: ix.up for ix in lhs.free}
    moved = [ix for ix in rhs.free if ix.name in want and want[ix.name] != ix.up]
    if not moved:
        return rhs, []
    out = Reader._metric(rhs, {ix.name: ix.flip() for ix in moved})
    shown = ", ".join(f"'{ix.name}' is {'up' if want[ix.name] else 'down'} on the left but "
                      f"{'up' if ix.up else 'down'} on the right" for ix in moved)
    return out, [f"index position: {shown} (the values are compared with the Euclidean metric)"]


def _sum_slots(e: Expr) -> dict[tuple[str, int], set[Any]]:
    """For each tensor slot a written ``\\sum`` with bounds runs over, the number of terms it says it has."""
    out: dict[tuple[str, int], set[Any]] = {}
    for node in e.walk():
        if isinstance(node, SumOver) and node.bounds:
            for t in node.body.walk():
                if isinstance(t, Tensor):
                    for pos, ix in enumerate(t.indices):
                        if ix.bound and ix.name == node.index_name:
                            out.setdefault((t.name, pos), set()).add(node.count)
    return out


def bound_mismatch(lhs: Expr, rhs: Expr) -> str | None:
    """A sum whose bound disagrees with the other side's sum over the same slots (``N-1`` where it is ``K-1``).

    Example:
        >>> from einsteinpy_lite import parse
        >>> bound_mismatch(parse(r"\\sum_{k=0}^{K-1} x_k"), parse(r"\\sum_{k=0}^{N-1} x_k"))
        "a sum over slot 1 of 'x' has N terms on the right but K on the left"
    """
    left, right = _sum_slots(lhs), _sum_slots(rhs)
    for slot, counts in right.items():
        other = left.get(slot)
        if other and counts != other:
            name, pos = slot
            show = lambda c: ", ".join(sorted(map(str, c)))  # noqa: E731
            return (f"a sum over slot {pos + 1} of '{name}' has {show(counts)} terms on the right but "
                    f"{show(other)} on the left")
    for slot in {**left, **right}:
        both = left.get(slot, set()) | right.get(slot, set())
        if len(both) > 1:
            name, pos = slot
            return f"sums over slot {pos + 1} of '{name}' have {' and '.join(sorted(map(str, both)))} terms"
    return None


def _arities(e: Expr) -> dict[str, dict[int, Tensor]]:
    out: dict[str, dict[int, Tensor]] = {}
    for t in e.walk():
        if isinstance(t, Tensor):
            out.setdefault(t.name, {}).setdefault(len(t.indices), t)
    return out


def slot_mismatch(lhs: Expr, rhs: Expr) -> str | None:
    """A tensor used with different numbers of slots (``B^i_j`` and ``B_k{}^i_j``): one array cannot be both.

    Example:
        >>> from einsteinpy_lite import parse
        >>> slot_mismatch(parse("B^i_j y^j"), parse(r"\\sum_k B_k^i_j y^j"))
        "the right side uses 'B' with 3 slots (B_k^i_j), the left side with 2 (B^i_j)"
    """
    left, right = _arities(lhs), _arities(rhs)
    for name, uses in right.items():
        if name in left and set(uses) != set(left[name]):
            (n, t), (m, u) = next(iter(uses.items())), next(iter(left[name].items()))
            if len(uses) > 1:
                (n, t), (m, u) = sorted(uses.items())[-1], sorted(uses.items())[0]
                return f"the right side uses '{name}' with {n} slots ({t}) and with {m} ({u})"
            return f"the right side uses '{name}' with {n} slots ({t}), the left side with {m} ({u})"
    for side, table in (("left", left), ("right", right)):
        for name, uses in table.items():
            if len(uses) > 1:
                (n, t), (m, u) = sorted(uses.items())[-1], sorted(uses.items())[0]
                return f"the {side} side uses '{name}' with {n} slots ({t}) and with {m} ({u})"
    return None


def _number(e: Expr) -> Any:
    """The value of a side that is a plain number (``0``, ``\\frac{1}{2}``), else None."""
    if isinstance(e, Zero) and not e.free:
        return 0
    if isinstance(e, Product) and not e.factors:
        return e.coeff
    return None


def _broadcast_number(lhs: Expr, rhs: Expr) -> tuple[Expr, Expr, str | None]:
    """A side that is a number, against a side with free indices, read as a tensor of that shape with
    every entry the number (``0 = x^i - x^i``: the zero tensor), and the note that says so.

    Example:
        >>> from einsteinpy_lite import parse
        >>> l, r, note = _broadcast_number(parse("0"), parse("x^i - x^i"))
        >>> l.free
        (^i,)
        >>> print(note)
        the number on the left side is read as a tensor of the right side's shape (every entry 0)
    """
    for side, num, other in (("left", lhs, rhs), ("right", rhs, lhs)):
        c = _number(num)
        if c is None or not other.free or num.open_bound:
            continue
        if c == 0:
            shaped: Expr = Zero(other.free)
        else:
            ref = Product.make(1, list(other.factors)) if isinstance(other, Product) and not other.kept else other
            shaped = Product.make(c, [Apply("ones", 0, ref)])
        note = (f"the number on the {side} side is read as a tensor of the "
                f"{'right' if side == 'left' else 'left'} side's shape (every entry {c})")
        return (shaped, rhs, note) if side == "left" else (lhs, shaped, note)
    return lhs, rhs, None


def compare_sides(lhs: Expr, rhs: Expr) -> Verdict:
    """The verdict on two read sides (the left side's free indices are the claim's output).

    Example:
        >>> from einsteinpy_lite import parse
        >>> compare_sides(parse("A^i_j x^j"), parse("x^k A^i_k")).verdict
        'holds'
        >>> compare_sides(parse("A^i_j x^j"), parse("A_{i j} x^j")).notes[0][:32]
        "index position: 'i' is up on the"
    """
    slots = slot_mismatch(lhs, rhs)
    if slots is not None:
        return Verdict("malformed", slots, lhs=lhs, rhs=rhs)
    bound = bound_mismatch(lhs, rhs)
    if bound is not None:
        return Verdict("fails", f"the sum bounds disagree: {bound}", lhs=lhs, rhs=rhs)
    lhs, rhs, broadcast = _broadcast_number(lhs, rhs)
    ln, rn = {ix.name for ix in lhs.free}, {ix.name for ix in rhs.free}
    if ln != rn:
        fl = " ".join(map(str, lhs.free)) or "none"
        fr = " ".join(map(str, rhs.free)) or "none"
        return Verdict("fails", f"the free indices differ: left {fl}, right {fr}", lhs=lhs, rhs=rhs)
    try:
        rhs2, notes = _align_variance(lhs, rhs)
        notes = ([broadcast] if broadcast else []) + notes
        cmp = compare(lhs, rhs2)
    except EinsteinError as exc:
        return Verdict("unsupported", f"cannot compare: {exc.message}", lhs=lhs, rhs=rhs)
    except Exception as exc:  # noqa: BLE001 - an engine failure is an honest 'cannot tell', never a verdict
        return Verdict("unsupported", f"cannot tell: the engine failed ({type(exc).__name__}: "
                       f"{str(exc).splitlines()[0] if str(exc) else ''})", lhs=lhs, rhs=rhs)
    if cmp.equal and cmp.method == "canonical":
        how = cmp.detail.replace("same canonical form", "holds symbolically (same canonical form", 1) + ")"
        return Verdict("holds", how, lhs=lhs, rhs=rhs, notes=notes)
    if cmp.equal:
        return Verdict("holds", f"holds numerically only: the canonical forms differ, the values agree on "
                       f"{cmp.draws} random draws", lhs=lhs, rhs=rhs, notes=notes)
    if cmp.method == "cannot tell":
        return Verdict("unsupported", f"cannot tell: {cmp.detail}", lhs=lhs, rhs=rhs, notes=notes)
    try:
        difference: str | None = latex(simplify(lhs - rhs2))
    except (EinsteinError, ValueError):
        difference = None
    draws = "a random draw" if cmp.draws <= 1 else f"{cmp.draws} random draws"
    how = f"the sides differ (by up to {cmp.max_abs_diff:.3g} on {draws})"
    sample = _sample(lhs, rhs2)
    if sample:
        how += f"; {sample}"
    if difference is not None:
        how += f"; left - right = {difference}"
    return Verdict("fails", how, lhs=lhs, rhs=rhs, notes=notes, difference=difference)


def _sample(lhs: Expr, rhs: Expr) -> str:
    """The first entry where the sides differ on one random draw (every index of size 3), or ``""``."""
    import numpy as np

    from ..algebra.evaluate import evaluate, random_arrays

    try:
        arrays, scalars, sizes = random_arrays([lhs, rhs], size=3, rng=np.random.default_rng(0))
        a = np.asarray(evaluate(lhs, arrays, sizes, **scalars), dtype=float)
        b = np.asarray(evaluate(rhs, arrays, sizes, **scalars), dtype=float)
        order = [ix.name for ix in lhs.free]
        if b.ndim:
            b = np.transpose(b, [[ix.name for ix in rhs.free].index(n) for n in order])
        if a.shape != b.shape:
            return ""
        diff = np.abs(a - b)
        if not diff.size or float(diff.max()) <= 1e-9 * max(1.0, float(np.abs(a).max())):
            return ""
        at = np.unravel_index(int(np.argmax(diff > 1e-9 * max(1.0, float(np.abs(a).max())))), a.shape)
    except Exception:  # noqa: BLE001 - the sample is an illustration; the verdict does not depend on it
        return ""
    where = ", ".join(f"{n}={i}" for n, i in zip(order, at))
    return (f"e.g. with every index of size 3{', at ' + where if where else ''}: left {float(a[at]):.4g}, "
            f"right {float(b[at]):.4g}")


def judge(reader: Reader, claim: Claim) -> Verdict:
    """The verdict of one claim, read with the definitions in ``reader``.

    Args:
        reader: the document's reader, holding the definitions made before the claim.
        claim: the claim.

    Returns:
        A :class:`Verdict`; never raises for a user's mistake.

    Example:
        >>> from einsteinpy_lite.check.claims import Claim, Reader
        >>> judge(Reader(), Claim("x^i", "y^j", 4, 0, 6)).how
        'the free indices differ: left ^i, right ^j'
    """
    if claim.error:
        return Verdict("malformed", claim.error)
    if claim.relation != "=":
        return Verdict("unsupported", f"the relation '{claim.relation}' is not judged (only '=' claims are)")
    reader.loose.clear()
    reader.kept.clear()
    if reader.matrix.is_matrix(claim.lhs) or reader.matrix.is_matrix(claim.rhs):
        return _judge_matrix(reader, claim)
    sides = read_sides(reader, claim)
    if isinstance(sides, Verdict):
        return sides
    lhs, rhs = sides
    v = compare_sides(lhs, rhs)
    if reader.kept:
        v.notes.append("read with numpy einsum semantics: an index of the left side repeated on the right is "
                       "kept (elementwise), not summed")
    if reader.loose:
        v.notes.append("read with the loose Einstein convention (a repeated index is summed whatever its "
                       "position; under strict Ricci rules the indices are inconsistent)")
    if v.verdict != "holds" and ("\\partial" in claim.lhs or "\\nabla_" in claim.lhs):  # shown for a wrong step
        try:
            v.derived = latex(simplify(lhs))
        except (EinsteinError, ValueError):
            v.derived = None
    return v


def _judge_matrix(reader: Reader, claim: Claim) -> Verdict:
    """The verdict of a claim written in matrix notation (:mod:`.matrix_claims`): entry by entry, rows then columns."""
    m = reader.matrix
    sides: list[Expr] = []
    for side, text, offset in (("left", claim.lhs, claim.lhs_offset), ("right", claim.rhs, claim.rhs_offset)):
        try:
            sides.append(m.read(text))
        except EinsteinError as exc:
            v = _unreadable(exc, side, offset)
            if m.substitute(text) != text:
                v.offset = None  # (the caret would point into the substituted definition)
            v.matrix = True
            return v
    shapes = m.layout(claim.lhs, sides[0]), m.layout(claim.rhs, sides[1])
    lhs, rhs = m.align(sides[0], sides[1])
    note = "read in matrix notation" + (" (the derivative in the Matrix Cookbook's layout: it has the shape of "
                                         "the variable)" if m.is_derivative(claim.lhs) else "")
    if shapes[0] != shapes[1]:
        return Verdict("fails", f"the shapes differ: the left side is {m.shape_of(shapes[0])}, the right side "
                       f"{m.shape_of(shapes[1])}", lhs=lhs, rhs=rhs, notes=[note], matrix=True)
    v = compare_sides(lhs, rhs)
    v.notes = [n for n in v.notes if not n.startswith("index position")] + [note]
    v.matrix = True
    if v.verdict != "holds" and m.is_derivative(claim.lhs):
        try:
            v.derived = to_matrix(simplify(lhs))
        except (EinsteinError, ValueError):
            try:
                v.derived = latex(simplify(lhs))
            except (EinsteinError, ValueError):
                v.derived = None
    return v
