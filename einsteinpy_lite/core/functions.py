"""The registry of elementwise functions (sigma, tanh, relu, ...).

Each function is registered once with its LaTeX command, a sympy formula in one
variable, and array implementations of the function and its first two
derivatives written against the array API namespace ``xp`` (so they run on
numpy, torch, jax, cupy or dask arrays).  Higher derivatives come from the
sympy formula.  Users add their own with :func:`register_function`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy

from .errors import EinsteinError
from .scalars import FORMULA_CONSTANTS, FORMULA_FUNCTIONS, parse_scalar, scalar_symbol, to_scalar

__all__ = ["ElementwiseFunction", "register_function", "get_function", "function_names", "lookup_latex",
           "registry_version"]

ArrayFn = Callable[[Any, Any], Any]  # (x, xp) -> array

# real, so that |x| differentiates to sign(x) rather than to an unevaluated Derivative(re(x))
_X = sympy.Symbol("x", real=True)


def _dirac_zero(x: Any, *order: Any) -> Any:
    """DiracDelta (a kink's second derivative) evaluated away from the kink: zero, almost everywhere."""
    return 0.0 * x



@dataclass(frozen=True)
class ElementwiseFunction:
    """An elementwise function: name, LaTeX, sympy formula and array implementations.

    ``impls[n]`` computes the n-th derivative on an array ``x`` with array
    namespace ``xp``; orders beyond ``len(impls) - 1`` are derived from
    ``formula`` with sympy.
    """

    name: str
    latex: str
    formula: sympy.Expr
    impls: tuple[ArrayFn, ...]
    aliases: tuple[str, ...] = ()
    _extra: dict[int, ArrayFn] = field(default_factory=dict, compare=False, repr=False)

    def derivative_formula(self, order: int) -> sympy.Expr:
        """The sympy formula of the ``order``-th derivative."""
        return sympy.diff(self.formula, _X, order) if order else self.formula

    def implementation(self, order: int) -> ArrayFn:
        """An array implementation ``(x, xp) -> array`` of the ``order``-th derivative.

        Example:
            >>> import numpy as np
            >>> f = get_function("tanh").implementation(1)
            >>> float(f(np.array(0.0), np))
            1.0
        """
        if isinstance(order, bool) or not isinstance(order, int):
            raise EinsteinError(f"{self.name}: derivative order must be an integer, got {order!r}")
        if order < 0:
            raise EinsteinError(f"derivative order must be >= 0, got {order}")
        if order < len(self.impls):
            return self.impls[order]
        if order not in self._extra:
            formula = self.derivative_formula(order)
            lam = sympy.lambdify(_X, formula, [{"DiracDelta": _dirac_zero}, "numpy"])

            def impl(x: Any, xp: Any, _lam: Any = lam) -> Any:
                out = _lam(x)
                return out if hasattr(out, "shape") and getattr(out, "shape", ()) == getattr(x, "shape", ()) else xp.zeros_like(x) + out

            self._extra[order] = impl
        return self._extra[order]

    def __call__(self, x: Any, order: int = 0) -> Any:
        """Evaluate on an array (any array-API library)."""
        from .backend import namespace

        return self.implementation(order)(x, namespace(x))


_REGISTRY: dict[str, ElementwiseFunction] = {}
_ALIASES: dict[str, str] = {}
_VERSION = [0]  # bumped by every registration: caches of compiled code key on it


def registry_version() -> int:
    """A number that changes whenever a function is registered or replaced (caches key on it).

    Example:
        >>> v = registry_version()
        >>> _ = register_function("softsign", lambda x: x / (1 + abs(x)),
        ...                       [lambda x, xp: x / (1 + xp.abs(x))], overwrite=True)
        >>> registry_version() > v
        True
    """
    return _VERSION[0]


#: What the grammar's FUNC token reads as a function name (notation/grammar.lark): \mathrm{name} or
#: \operatorname{name} with letters and digits, or a command that is not a keyword of the syntax.
_READABLE_FUNCTION = re.compile(
    r"\\(?:mathrm|operatorname)\{[A-Za-z][A-Za-z0-9]*\}"
    r"|\\(?!(?:sum|frac|dfrac|tfrac|delta|nabla|cdot|times|left|right|mathrm|operatorname|mathbf)$)[A-Za-z]+")


def register_function(
    name: str,
    formula: sympy.Expr | str | Callable[[sympy.Symbol], sympy.Expr],
    impls: tuple[ArrayFn, ...] | list[ArrayFn],
    latex: str | None = None,
    aliases: tuple[str, ...] = (),
    overwrite: bool = False,
) -> ElementwiseFunction:
    """Register an elementwise function so that expressions, ``diff`` and ``compile`` know it.

    Args:
        name: registry name (``"softsign"``); in text it is written
            ``\\mathrm{softsign}(...)`` unless ``latex`` gives a command.
        formula: a sympy expression in ``sympy.Symbol("x")``, a callable
            building one from a symbol, or text in ``x`` such as
            ``"x / (1 + Abs(x))"`` (read without ``eval``: numbers, names,
            arithmetic, ``pi``, ``E`` and calls of the functions in
            :data:`~einsteinpy_lite.core.scalars.FORMULA_FUNCTIONS` -- ``exp``,
            ``log``, ``tanh``, ``Max``, ``Heaviside``, ...); used for derivatives
            beyond ``impls`` and by the finite-difference checks.
        impls: array implementations ``(x, xp) -> array`` of the function and,
            optionally, its first derivatives (``impls[1]`` the derivative).
        latex: LaTeX for the function name (default ``\\mathrm{name}``).
        aliases: other names that resolve to this function.
        overwrite: allow replacing an existing registration.

    Example:
        >>> import sympy
        >>> f = register_function("softsign", lambda x: x / (1 + abs(x)),
        ...                       [lambda x, xp: x / (1 + xp.abs(x))], overwrite=True)
        >>> f.latex
        '\\\\mathrm{softsign}'
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise EinsteinError(f"a function name must be an identifier, got {name!r}")
    if name in _REGISTRY and not overwrite:
        raise EinsteinError(f"function {name!r} is already registered", hint="pass overwrite=True to replace it")
    try:
        if callable(formula):
            expr = formula(_X)
        elif isinstance(formula, str):
            # read without eval: numbers, names, arithmetic and calls of FORMULA_FUNCTIONS only
            expr = parse_scalar(formula, functions=FORMULA_FUNCTIONS, constants=FORMULA_CONSTANTS,
                                symbol=lambda n: _X if n == "x" else scalar_symbol(n))
        else:
            expr = to_scalar(formula, "a formula").subs(sympy.Symbol("x"), _X)
    except EinsteinError as exc:
        raise EinsteinError(f"function {name!r}: cannot read its formula {formula!r}: {exc.message}",
                            text=exc.text, pos=exc.pos,
                            hint=exc.hint or "pass a sympy expression in x, or a callable x -> expression") from None
    except (TypeError, AttributeError) as exc:
        raise EinsteinError(f"function {name!r}: cannot read its formula {formula!r} ({type(exc).__name__})",
                            hint="pass a sympy expression in x, or a callable x -> expression") from None
    if not isinstance(expr, sympy.Expr):
        raise EinsteinError(f"function {name!r}: its formula is a {type(expr).__name__}, not a sympy expression",
                            hint="pass a sympy expression in x, or a callable x -> expression")
    if not impls:
        raise EinsteinError(f"function {name!r} needs at least one array implementation")
    written = latex or rf"\mathrm{{{name}}}"
    if not _READABLE_FUNCTION.fullmatch(written):
        # the text printer writes the function this way: it must read back as this function, never as
        # a scalar times a bracket (\mathrm{soft_sign}(x) was read as the scalar soft_sign times x)
        raise EinsteinError(f"function {name!r}: the parser cannot read {written!r} as a function",
                            hint="use a name of letters and digits (softsign, not soft_sign), or give latex= as "
                                 "\\mathrm{name} or a command such as \\phi")
    fn = ElementwiseFunction(name, written, expr, tuple(impls), tuple(aliases))
    _REGISTRY[name] = fn
    for alias in (name, *aliases, fn.latex):
        _ALIASES[alias] = name
    _VERSION[0] += 1
    return fn


def get_function(name: str) -> ElementwiseFunction:
    """Look up a registered function by name, alias or LaTeX command.

    Example:
        >>> get_function(r"\\sigma").name
        'sigmoid'
        >>> get_function("nope")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        einsteinpy_lite.EinsteinError: unknown function 'nope'; registered: abs, cos, ...
    """
    key = _ALIASES.get(name)
    if key is None:
        names = ", ".join(sorted(_REGISTRY))
        raise EinsteinError(
            f"unknown function '{name}'; registered: {names}",
            hint="register it with einsteinpy_lite.register_function(name, formula, impls)",
        )
    return _REGISTRY[key]


def function_names() -> tuple[str, ...]:
    """Names of all registered functions, sorted.

    Example:
        >>> {"sigmoid", "tanh", "relu", "softplus"} <= set(function_names())
        True
    """
    return tuple(sorted(_REGISTRY))


def lookup_latex(command: str) -> ElementwiseFunction | None:
    """The function written by a LaTeX command (``\\tanh``), or None.

    Example:
        >>> lookup_latex(r"\\tanh").name, lookup_latex(r"\\nope")
        ('tanh', None)
    """
    key = _ALIASES.get(command)
    return _REGISTRY[key] if key else None


# ---------------------------------------------------------------- built-ins


def _sigmoid(x: Any, xp: Any) -> Any:
    return 1.0 / (1.0 + xp.exp(-x))


def _dsigmoid(x: Any, xp: Any) -> Any:
    s = _sigmoid(x, xp)
    return s * (1.0 - s)


def _d2sigmoid(x: Any, xp: Any) -> Any:
    s = _sigmoid(x, xp)
    return s * (1.0 - s) * (1.0 - 2.0 * s)


def _dtanh(x: Any, xp: Any) -> Any:
    t = xp.tanh(x)
    return 1.0 - t * t


def _d2tanh(x: Any, xp: Any) -> Any:
    t = xp.tanh(x)
    return -2.0 * t * (1.0 - t * t)


def _relu(x: Any, xp: Any) -> Any:
    return xp.where(x > 0, x, xp.zeros_like(x))


def _drelu(x: Any, xp: Any) -> Any:
    return xp.where(x > 0, xp.ones_like(x), xp.zeros_like(x))


def _zeros(x: Any, xp: Any) -> Any:
    return xp.zeros_like(x)


def _softplus(x: Any, xp: Any) -> Any:
    # log(1 + e^x) without overflow: max(x, 0) + log1p(e^{-|x|})
    return xp.where(x > 0, x, xp.zeros_like(x)) + xp.log1p(xp.exp(-xp.abs(x)))


def _ones(x: Any, xp: Any) -> Any:
    return xp.ones_like(x)


register_function("sigmoid", lambda x: 1 / (1 + sympy.exp(-x)), [_sigmoid, _dsigmoid, _d2sigmoid], latex=r"\sigma",
                  aliases=("sigma", "logistic"))
register_function("tanh", sympy.tanh, [lambda x, xp: xp.tanh(x), _dtanh, _d2tanh], latex=r"\tanh")
register_function("relu", lambda x: sympy.Max(x, 0), [_relu, _drelu, _zeros], aliases=("ReLU",))
register_function("softplus", lambda x: sympy.log(1 + sympy.exp(x)), [_softplus, _sigmoid, _dsigmoid])
register_function("exp", sympy.exp, [lambda x, xp: xp.exp(x)] * 3, latex=r"\exp")
register_function("log", sympy.log, [lambda x, xp: xp.log(x), lambda x, xp: 1.0 / x, lambda x, xp: -1.0 / (x * x)],
                  latex=r"\log", aliases=("ln",))
register_function("sin", sympy.sin, [lambda x, xp: xp.sin(x), lambda x, xp: xp.cos(x), lambda x, xp: -xp.sin(x)],
                  latex=r"\sin")
register_function("cos", sympy.cos, [lambda x, xp: xp.cos(x), lambda x, xp: -xp.sin(x), lambda x, xp: -xp.cos(x)],
                  latex=r"\cos")
register_function("sqrt", sympy.sqrt, [lambda x, xp: xp.sqrt(x), lambda x, xp: 0.5 / xp.sqrt(x),
                                        lambda x, xp: -0.25 / (x * xp.sqrt(x))])  # (the 2-norm: sqrt(x^i x_i))
register_function("rsqrt", lambda x: 1 / sympy.sqrt(x),
                  [lambda x, xp: 1.0 / xp.sqrt(x), lambda x, xp: -0.5 / (x * xp.sqrt(x)),
                   lambda x, xp: 0.75 / (x * x * xp.sqrt(x))])  # 1/sqrt(x): layer norm's scale (core.composite)
register_function("abs", sympy.Abs, [lambda x, xp: xp.abs(x), lambda x, xp: xp.sign(x), _zeros],
                  latex=r"\operatorname{abs}")  # written |x|, \lvert x \rvert; kinked at 0 as relu is
register_function("square", lambda x: x**2, [lambda x, xp: x * x, lambda x, xp: 2.0 * x, lambda x, xp: 2.0 + 0.0 * x])
register_function("identity", lambda x: x, [lambda x, xp: x, _ones, _zeros], latex=r"\mathrm{id}", aliases=("id",))
# 1 wherever its argument has an entry: a number added to a term with free indices under numpy's einsum
# semantics (1 - \sigma(z^m)) is broadcast as 1 \mathrm{ones}(\sigma(z^m)) - \sigma(z^m); its derivative is 0
register_function("ones", lambda x: sympy.Integer(1), [_ones, _zeros, _zeros])
