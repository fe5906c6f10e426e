"""The one error type users see: :class:`EinsteinError`.

Every mistake a user can make (a misplaced index, malformed text, a missing
array, a shape that disagrees) raises :class:`EinsteinError`, a subclass of
:class:`ValueError`.  When the mistake is in text, the message shows the text
with a caret under the offending token::

    index 'j' appears 3 times in one product
      A^i_j B^j_k C_j
                    ^
      an index may appear twice in a product (once up, once down); ...
"""

from __future__ import annotations

__all__ = ["EinsteinError", "UnknownNameError"]


class EinsteinError(ValueError):
    """A user error in an index expression, with where it is and how to fix it.

    Args:
        message: what is wrong, naming the index or token.
        text: the user's text, when the error is in parsed text.
        pos: 0-based offset into ``text`` for the caret.
        hint: how to fix it (one line).
        index: the offending index name, when there is one; the parser uses it
            (with ``occurrence``) to put the caret under the right token.
        occurrence: which occurrence of ``index`` inside the product is at fault
            (0-based; -1 for the last).

    Example:
        >>> raise EinsteinError("unknown token '$'", text="A^i $", pos=4)
        Traceback (most recent call last):
        ...
        einsteinpy_lite.EinsteinError: unknown token '$'
          A^i $
              ^
    """

    def __init__(
        self,
        message: str,
        *,
        text: str | None = None,
        pos: int | None = None,
        hint: str | None = None,
        index: str | None = None,
        occurrence: int = -1,
    ) -> None:
        self.message = message
        self.text = text
        self.pos = pos
        self.hint = hint
        self.index = index
        self.occurrence = occurrence
        super().__init__(self._format())

    def _format(self) -> str:
        lines = [self.message]
        if self.text is not None:
            lines.append("  " + self.text)
            if self.pos is not None:
                lines.append("  " + " " * max(self.pos, 0) + "^")
        if self.hint:
            lines.append("  " + self.hint)
        return "\n".join(lines)

    def located(self, text: str, pos: int | None) -> EinsteinError:
        """Return a copy of this error that points at ``pos`` in ``text``."""
        return type(self)(
            self.message, text=text, pos=pos, hint=self.hint, index=self.index, occurrence=self.occurrence
        )


class UnknownNameError(EinsteinError, KeyError):
    """An :class:`EinsteinError` for a name that is not in a catalogue or report; also a :class:`KeyError`.

    Lookups by name (``report["grad_b"]``, ``verify.slides(only=[...])``) keep the
    :class:`KeyError` that mapping-style code catches, with the message of an
    :class:`EinsteinError` (printed as it is, not quoted).

    Example:
        >>> err = UnknownNameError("no entry 'x'", hint="entries are a, b")
        >>> isinstance(err, KeyError) and isinstance(err, ValueError)
        True
        >>> print(err)
        no entry 'x'
          entries are a, b
    """

    def __str__(self) -> str:
        return self._format()


# users meet these as einsteinpy_lite.EinsteinError (tracebacks, pickles), wherever they are defined
EinsteinError.__module__ = "einsteinpy_lite"
UnknownNameError.__module__ = "einsteinpy_lite"
