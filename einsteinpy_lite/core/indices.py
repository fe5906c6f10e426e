"""Indices with variance.

An :class:`Index` is a name plus a position: up (contravariant, ``x^i``) or
down (covariant, ``g_i``).  A *bound* index is one that an explicit
``\\sum_{k}`` binds (the sample index of the slides); it may appear any number
of times inside the sum, in any position, and is never free or a dummy.
"""

from __future__ import annotations

import contextvars
import itertools
import re
from collections.abc import Iterable

import sympy
from sympy.core.symbol import Str

from .errors import EinsteinError

__all__ = ["Index", "up", "down", "INDEX_NAME"]

#: What an index name may be: one letter or a Greek command, then optional digits.
INDEX_NAME = re.compile(r"^(?:[A-Za-z]|\\[A-Za-z]+)[0-9]*$")


def normalize_index_name(name: str) -> str:
    """Normalize ``i_1``, ``i_{1}`` and ``i1`` to the same name ``i1``.

    Example:
        >>> normalize_index_name("i_{12}")
        'i12'
    """
    if not isinstance(name, str):
        raise EinsteinError(f"an index name must be a string, got {name!r}")
    text = name.strip()
    m = re.fullmatch(r"((?:[A-Za-z]|\\[A-Za-z]+))(?:_\{?([0-9]+)\}?|([0-9]*))", text)
    if not m:
        raise EinsteinError(
            f"invalid index name {name!r}",
            hint="an index is one letter or a Greek command, then optional digits (i, j1, i_2, \\mu)",
        )
    return m.group(1) + (m.group(2) or m.group(3) or "")


class Index(sympy.Basic):
    """One index slot: a name, a position (up or down) and whether a ``\\sum`` binds it.

    Example:
        >>> i = Index("i_1", up=True)
        >>> i.name, i.up, str(i)
        ('i1', True, '^i1')
        >>> i.flip().up
        False
    """

    def __new__(cls, name: str | Str, up: bool | sympy.Basic = True, bound: bool | sympy.Basic = False) -> Index:
        if isinstance(name, Str):
            name = name.name
        name = normalize_index_name(name)
        up_b = sympy.true if bool(up) else sympy.false
        bound_b = sympy.true if bool(bound) else sympy.false
        return sympy.Basic.__new__(cls, Str(name), up_b, bound_b)  # type: ignore[return-value]

    @property
    def name(self) -> str:
        """The index name, normalized (``i_1`` -> ``i1``)."""
        return self.args[0].name  # type: ignore[attr-defined,no-any-return]

    @property
    def up(self) -> bool:
        """True for an upper (contravariant) index."""
        return bool(self.args[1])

    @property
    def bound(self) -> bool:
        """True when an explicit ``\\sum`` binds this index."""
        return bool(self.args[2])

    def flip(self) -> Index:
        """The same index in the opposite position."""
        return Index(self.name, not self.up, self.bound)

    def renamed(self, name: str) -> Index:
        """The same slot with another name."""
        return Index(name, self.up, self.bound)

    def with_bound(self, bound: bool) -> Index:
        """The same slot, bound by a ``\\sum`` or not."""
        return Index(self.name, self.up, bound)

    @property
    def key(self) -> tuple[str, bool]:
        """``(name, up)``: what identifies a free index of an expression."""
        return (self.name, self.up)

    def __str__(self) -> str:
        return ("^" if self.up else "_") + self.name

    __repr__ = __str__

    def _sympystr(self, printer: object) -> str:
        return str(self)


def up(name: str) -> Index:
    """An upper (contravariant) index.

    Example:
        >>> up("i").up
        True
    """
    return Index(name, True)


def down(name: str) -> Index:
    """A lower (covariant) index.

    Example:
        >>> down("j").up
        False
    """
    return Index(name, False)


def parse_index_spec(spec: str) -> tuple[Index, ...]:
    """Read an index specification such as ``"^i_j"`` or ``"^{i_1 i_2}_{j}"``.

    Example:
        >>> parse_index_spec("^{i j}_k")
        (^i, ^j, _k)
    """
    if not isinstance(spec, str):
        raise EinsteinError(f"an index spec is text such as '^i_j', got {spec!r}")
    out: list[Index] = []
    pos = 0
    text = spec.replace("{}", "")
    while pos < len(text):
        ch = text[pos]
        if ch.isspace():
            pos += 1
            continue
        if ch not in "^_":
            raise EinsteinError(f"expected '^' or '_' in index spec, got {ch!r}", text=spec, pos=pos)
        is_up = ch == "^"
        pos += 1
        if pos < len(text) and text[pos] == "{":
            end = text.find("}", pos)
            # allow nested i_{1} inside a group
            depth, end = 0, pos
            while end < len(text):
                if text[end] == "{":
                    depth += 1
                elif text[end] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                end += 1
            if end >= len(text):
                raise EinsteinError("unclosed '{' in index spec", text=spec, pos=pos)
            body = text[pos + 1 : end]
            for tok in re.findall(r"(?:[A-Za-z]|\\[A-Za-z]+)(?:_\{[0-9]+\}|_[0-9]+|[0-9]*)|\S", body.replace(",", " ")):
                if tok.strip():
                    out.append(Index(tok, is_up))
            pos = end + 1
        else:
            m = re.match(r"(?:[A-Za-z]|\\[A-Za-z]+)(?:_\{[0-9]+\}|_[0-9]+|[0-9]*)", text[pos:])
            if not m:
                raise EinsteinError("expected an index name", text=spec, pos=pos)
            out.append(Index(m.group(0), is_up))
            pos += m.end()
    return tuple(out)


#: Names no generated index may take while a text is read: every index name and the x of every N_x
#: written in it (sizes the user names: a dummy renamed apart in one factor must not take s1 when N_s1,
#: or a \\sum_{s1} over nothing, stands in another).
RESERVED_WHILE_READING: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "RESERVED_WHILE_READING", default=frozenset())


def fresh_names(avoid: Iterable[str], count: int, stem: str = "u") -> list[str]:
    """``count`` index names of the form ``stem<n>`` not in ``avoid`` (nor reserved while reading a text).

    Example:
        >>> fresh_names({"u1"}, 2)
        ['u2', 'u3']
    """
    used = set(avoid) | RESERVED_WHILE_READING.get()
    out: list[str] = []
    for n in itertools.count(1):
        if len(out) == count:
            break
        cand = f"{stem}{n}"
        if cand not in used:
            out.append(cand)
            used.add(cand)
    return out
