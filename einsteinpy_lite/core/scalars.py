"""Scalars from text without ``eval``: :func:`parse_scalar` and :func:`to_scalar`.

``sympy.sympify`` reads a string by handing it to Python's ``eval`` (``sympify("__import__('os')...")``
runs the command), so no string given to this package ever reaches it.  Every string that becomes a
sympy scalar -- ``el.scalar("2/K")``, the bounds of ``el.sum_over``, a string coefficient of
``Product.make``, a string formula of ``register_function`` -- is read here by a small
recursive-descent parser that knows numbers, names and arithmetic and builds the sympy objects
itself: nothing in the text is ever looked up as Python.

The syntax:

* numbers: ``2``, ``0.5``, ``1e-3`` (exact rationals, at most 1000 digits);
* names: an identifier of letters and digits with ``_`` subscripts (``K``, ``lr``, ``x_1``,
  ``N_x``) or a LaTeX command (``\\alpha``, ``\\alpha_{1}``); ``N_x`` is the size of index ``x``,
  as in :func:`einsteinpy_lite.parse`;
* ``+ - * / ^ **``, ``\\cdot``, ``\\times``, juxtaposition (``2 K``), ``( )``, ``{ }``, ``\\left( \\right)``
  and ``\\frac{a}{b}``;
* only where a caller allows them (the formulas of :func:`register_function`): calls of a fixed
  list of sympy functions named in the text (``exp``, ``tanh``, ``Max``, ``Heaviside``, ...) and
  the constants ``pi`` and ``E``.

Nothing else -- no attribute access, no subscripts, no lambdas, no names with a leading
underscore -- is accepted; an error is an :class:`EinsteinError` with a caret under the offending
character.
"""

from __future__ import annotations

import numbers
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

import sympy

from .errors import EinsteinError
from .indices import normalize_index_name

__all__ = ["parse_scalar", "to_scalar", "scalar_symbol", "FORMULA_FUNCTIONS", "FORMULA_CONSTANTS"]

#: The sympy functions a function formula may call, by the name written in the text.
FORMULA_FUNCTIONS: Mapping[str, Callable[..., sympy.Expr]] = {
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt,
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "asin": sympy.asin, "acos": sympy.acos,
    "atan": sympy.atan, "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh, "asinh": sympy.asinh,
    "acosh": sympy.acosh, "atanh": sympy.atanh, "Abs": sympy.Abs, "abs": sympy.Abs, "sign": sympy.sign,
    "Max": sympy.Max, "Min": sympy.Min, "max": sympy.Max, "min": sympy.Min, "Heaviside": sympy.Heaviside,
    "erf": sympy.erf, "erfc": sympy.erfc,
}

#: The constants a function formula may name.
FORMULA_CONSTANTS: Mapping[str, sympy.Expr] = {"pi": sympy.pi, "E": sympy.E}

#: Numbers longer than this are refused (as in :func:`einsteinpy_lite.parse`).
_MAX_DIGITS = 1000
_MAX_BITS = 3400  # a little over 1000 decimal digits
_MAX_LENGTH = 100_000

_SUB = r"_(?:[A-Za-z0-9]+|\{\s*(?:[A-Za-z0-9]|\\[A-Za-z]+)(?:[A-Za-z0-9_ ]|\\[A-Za-z]+)*\})"
_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<frac>\\[dt]?frac(?![A-Za-z]))"
    r"|(?P<star>\*\*|\*|\\cdot(?![A-Za-z])|\\times(?![A-Za-z]))"
    r"|(?P<lpar>\\left\s*\(|\()"
    r"|(?P<rpar>\\right\s*\)|\))"
    rf"|(?P<name>(?:[A-Za-z][A-Za-z0-9]*|\\[A-Za-z]+)(?:{_SUB})*)"
    r"|(?P<op>[-+/^{},])"
)

# LaTeX spacing commands: \, \; \: \! and \quad, \qquad are skipped like spaces
_SPACING = re.compile(r"\\[,;:! ]|\\q?quad(?![A-Za-z])")

_DIMENSION = re.compile(r"N_\{?\s*((?:[A-Za-z]|\\[A-Za-z]+)(?:_\{?[0-9]+\}?|[0-9]*))\s*\}?")


def scalar_symbol(name: str) -> sympy.Symbol:
    """The sympy symbol a scalar name stands for: ``K``; ``\\alpha`` -> ``alpha``; ``N_x`` -> the size of ``x``.

    ``N_x`` is the same symbol as :func:`einsteinpy_lite.core.expr.dimension_symbol` (``"x"``) and as
    ``N_x`` read by :func:`einsteinpy_lite.parse`; subscripts in braces lose them (``x_{12}`` is ``x_12``).

    Example:
        >>> scalar_symbol(r"\\alpha"), scalar_symbol("N_{i_1}").is_integer
        (alpha, True)
    """
    if name.startswith("\\"):
        name = name[1:]
    m = _DIMENSION.fullmatch(name)
    if m:
        return sympy.Symbol(f"N_{normalize_index_name(m.group(1))}", positive=True, integer=True)
    flat = re.sub(r"_\{\s*(.*?)\s*\}", lambda g: "_" + re.sub(r"[\s\\]+", "", g.group(1)), name)
    return sympy.Symbol(flat)


def parse_scalar(text: str, *, functions: Mapping[str, Callable[..., sympy.Expr]] | None = None,
                 constants: Mapping[str, sympy.Expr] | None = None,
                 symbol: Callable[[str], sympy.Expr] | None = None) -> sympy.Expr:
    """Read a scalar: numbers, names and arithmetic, built without ``eval``.

    Args:
        text: the scalar, e.g. ``"2/K"``, ``"K - 1"``, ``r"\\frac{1}{2}\\alpha^2"``.
        functions: the functions the text may call, by name (none by default); pass
            :data:`FORMULA_FUNCTIONS` for function formulas.
        constants: names that stand for constants (none by default: every name is a symbol).
        symbol: the symbol of a name (default :func:`scalar_symbol`).

    Returns:
        The sympy expression (numbers are exact: ``0.5`` is ``1/2``).

    Raises:
        EinsteinError: anything but numbers, names and arithmetic (attribute access, a call,
            a subscript, a name with a leading underscore, ...), with a caret under it.

    Example:
        >>> parse_scalar("2/K - 0.5")
        -1/2 + 2/K
        >>> parse_scalar("__import__('os')")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        einsteinpy_lite.EinsteinError: unexpected character '_' in a scalar
        ...
    """
    if not isinstance(text, str):
        raise EinsteinError(f"a scalar text must be a string, got {type(text).__name__}")
    if len(text) > _MAX_LENGTH:
        raise EinsteinError(f"a scalar of {len(text)} characters is too long", hint=f"at most {_MAX_LENGTH}")
    reader = _Reader(text, functions or {}, constants or {}, symbol or scalar_symbol)
    try:
        return reader.read()
    except RecursionError:
        raise EinsteinError("scalar nested too deeply", text=text, pos=0) from None


def to_scalar(value: Any, what: str = "the value") -> sympy.Expr:
    """Any scalar value as a sympy expression; strings go through :func:`parse_scalar`, never ``eval``.

    Numbers, sympy expressions and numpy scalars pass through ``sympy.sympify(value, strict=True)``
    (which never reads text); anything else (a list, an array, a Python object) is an error.

    Example:
        >>> to_scalar("K - 1"), to_scalar(2), to_scalar(0.5)
        (K - 1, 2, 0.500000000000000)
    """
    if isinstance(value, sympy.Expr):
        return value
    if isinstance(value, str):
        return parse_scalar(value)
    try:
        out = sympy.sympify(value, strict=True)
    except (sympy.SympifyError, TypeError, ValueError):
        out = None
        if isinstance(value, numbers.Integral) or hasattr(value, "__index__"):
            try:
                out = sympy.Integer(operator.index(value))
            except TypeError:
                out = None
        if out is None and isinstance(value, numbers.Real):
            out = sympy.Float(float(value))
    if not isinstance(out, sympy.Expr):
        raise EinsteinError(f"{what} must be a scalar, got {value!r}",
                            hint="a scalar is a number, a sympy expression or text such as '2/K'")
    if out.is_Number and not out.is_finite:
        raise EinsteinError(f"{what} must be finite, got {value!r}")
    return out


# ---------------------------------------------------------------- the reader


class _Tok:
    __slots__ = ("kind", "text", "pos", "end")

    def __init__(self, kind: str, text: str, pos: int, end: int) -> None:
        self.kind, self.text, self.pos, self.end = kind, text, pos, end


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(text):
        sp = _SPACING.match(text, pos)
        if sp:
            pos = sp.end()
            continue
        m = _TOKEN.match(text, pos)
        if m is None or not m.lastgroup:
            raise EinsteinError(f"unexpected character {text[pos]!r} in a scalar", text=text, pos=pos,
                                hint="a scalar has numbers, names (K, x_1, \\alpha) and + - * / ^ ( ) only")
        if m.lastgroup != "space":
            kind = m.lastgroup
            raw = m.group()
            if kind == "op":
                kind = raw
            elif kind == "star" and raw == "**":
                kind = "^"
            out.append(_Tok(kind, raw, pos, m.end()))
        pos = m.end()
    out.append(_Tok("end", "", len(text), len(text)))
    return out


#: tokens that start an operand, so that juxtaposition (``2 K``) is a product
_STARTS = {"number", "name", "lpar", "{", "frac"}


class _Reader:
    def __init__(self, text: str, functions: Mapping[str, Callable[..., sympy.Expr]],
                 constants: Mapping[str, sympy.Expr], symbol: Callable[[str], sympy.Expr]) -> None:
        self.text = text
        self.functions = functions
        self.constants = constants
        self.symbol = symbol
        self.toks = _tokens(text)
        self.at = 0

    # ------------------------------------------------------------ helpers
    @property
    def tok(self) -> _Tok:
        return self.toks[self.at]

    def take(self) -> _Tok:
        t = self.toks[self.at]
        self.at += 1
        return t

    def fail(self, message: str, tok: _Tok | None = None, hint: str | None = None) -> EinsteinError:
        t = tok or self.tok
        return EinsteinError(message, text=self.text, pos=t.pos, hint=hint)

    def expect(self, kind: str, what: str) -> _Tok:
        if self.tok.kind != kind:
            raise self.unexpected(f"expected {what}")
        return self.take()

    def unexpected(self, hint: str) -> EinsteinError:
        t = self.tok
        if t.kind == "end":
            return self.fail("unexpected end of a scalar", t, hint)
        return self.fail(f"unexpected {t.text!r} in a scalar", t, hint)

    def check(self, value: sympy.Expr, tok: _Tok) -> sympy.Expr:
        """Refuse numbers too large to print back (as :func:`einsteinpy_lite.parse` does)."""
        for r in (value,) if value.is_Rational else value.atoms(sympy.Rational):
            if max(abs(r.p), abs(r.q)).bit_length() > _MAX_BITS:  # type: ignore[attr-defined]
                raise self.fail("this number is too large", tok, hint=f"numbers may have at most {_MAX_DIGITS} digits")
        return value

    # ------------------------------------------------------------ grammar
    def read(self) -> sympy.Expr:
        if self.tok.kind == "end":
            raise self.fail("empty scalar", hint="write a number, a name or an arithmetic expression")
        value = self.sum()
        if self.tok.kind != "end":
            raise self.unexpected("expected an operator (+ - * / ^) or the end")
        if not isinstance(value, sympy.Expr):  # pragma: no cover - every operation builds an Expr
            raise self.fail("not a scalar", self.toks[0])
        return value

    def sum(self) -> sympy.Expr:
        """``product (('+' | '-') product)*``"""
        value = self.product()
        while self.tok.kind in ("+", "-"):
            tok = self.take()
            rhs = self.product()
            value = self.check(value + rhs if tok.kind == "+" else value - rhs, tok)
        return value

    def product(self) -> sympy.Expr:
        """``unary (('*' | '/' | juxtaposition) power)*``"""
        value = self.unary()
        while True:
            tok = self.tok
            if tok.kind == "star":
                self.take()
                value = self.check(value * self.power(), tok)
            elif tok.kind == "/":
                self.take()
                d = self.power()
                if d == 0:
                    raise self.fail("division by zero", tok)
                value = self.check(value / d, tok)
            elif tok.kind in _STARTS:  # juxtaposition, as in el.parse: 2 K, 10^{3} 10^{3}
                value = self.check(value * self.power(), tok)
            else:
                return value

    def unary(self) -> sympy.Expr:
        """``('-' | '+')* power``"""
        if self.tok.kind in ("-", "+"):
            tok = self.take()
            value = self.unary()
            return -value if tok.kind == "-" else value
        return self.power()

    def power(self) -> sympy.Expr:
        """``atom (('^' | '**') unary)?``, right-associative: ``2^3^2`` is ``2^9``."""
        base = self.atom()
        if self.tok.kind != "^":
            return base
        tok = self.take()
        exponent = self.unary()
        if base.is_Rational and exponent.is_Integer and base not in (0, 1, -1):
            bits = max(abs(base.p), abs(base.q)).bit_length()  # type: ignore[attr-defined]
            if abs(int(exponent)) * bits > 2 * _MAX_BITS:
                raise self.fail("this number is too large", tok, hint=f"numbers may have at most {_MAX_DIGITS} digits")
        if base == 0 and exponent.is_negative:
            raise self.fail("division by zero", tok)
        return self.check(base**exponent, tok)

    def atom(self) -> sympy.Expr:
        tok = self.tok
        if tok.kind == "number":
            self.take()
            return self.number(tok)
        if tok.kind == "name":
            self.take()
            return self.name(tok)
        if tok.kind == "lpar":
            self.take()
            value = self.sum()
            self.expect("rpar", "')'")
            return value
        if tok.kind == "{":
            self.take()
            value = self.sum()
            self.expect("}", "'}'")
            return value
        if tok.kind == "frac":
            self.take()
            self.expect("{", "'{' after \\frac")
            num = self.sum()
            self.expect("}", "'}'")
            self.expect("{", "'{' (the denominator of \\frac)")
            den = self.sum()
            self.expect("}", "'}'")
            if den == 0:
                raise self.fail("division by zero", tok)
            return self.check(num / den, tok)
        raise self.unexpected("expected a number, a name or '('")

    def number(self, tok: _Tok) -> sympy.Expr:
        raw = tok.text
        mantissa, _, exp = raw.lower().partition("e")
        digits = len(mantissa.replace(".", "").lstrip("0"))
        if digits > _MAX_DIGITS or (exp and abs(int(exp)) > _MAX_DIGITS):
            raise self.fail(f"the number {raw[:20]}{'...' if len(raw) > 20 else ''} is too long", tok,
                            hint=f"numbers may have at most {_MAX_DIGITS} digits")
        value = sympy.Rational(mantissa)
        if exp:
            value = value * sympy.Integer(10) ** int(exp)
        return self.check(value, tok)

    def name(self, tok: _Tok) -> sympy.Expr:
        raw = tok.text
        if self.tok.kind == "lpar":
            key = raw.lstrip("\\")
            fn = self.functions.get(key)
            if fn is None:
                if self.functions:
                    allowed = ", ".join(sorted(self.functions))
                    raise self.fail(f"unknown function '{raw}' in a formula", tok, hint=f"the functions allowed: {allowed}")
                raise self.fail(f"'{raw}(...)': a scalar cannot call a function", tok,
                                hint=f"write {raw}*(...) for a product")
            self.take()
            args = [self.sum()]
            while self.tok.kind == ",":
                self.take()
                args.append(self.sum())
            self.expect("rpar", "')'")
            try:
                value = fn(*args)
            except (TypeError, ValueError) as exc:
                raise self.fail(f"cannot apply {key} to {len(args)} argument(s): {exc}", tok) from None
            if not isinstance(value, sympy.Expr):
                raise self.fail(f"{key}(...) is not a scalar", tok)
            return value
        if raw.lstrip("\\") in self.constants:
            return self.constants[raw.lstrip("\\")]
        return self.symbol(raw)
