r"""Functions of a vector written out in index notation: layer normalization.

``layer_norm(x)`` of an expression with one free index ``i`` (of size ``n``) is

.. math::  \operatorname{layernorm}(x)^i = \frac{x^i - \mu}{\sqrt{\sigma^2 + \varepsilon}}, \quad
           \mu = \frac{1}{n} \sum_k x^k, \quad \sigma^2 = \frac{1}{n} \sum_k (x^k - \mu)^2,

with ``\varepsilon = 10^{-5}`` (as ``torch.nn.LayerNorm``), no learned scale or shift (multiply and
add them outside: ``\gamma^i \odot \operatorname{layernorm}(x)^i + \beta^i``).  It is built from the
engine's own pieces (sums, deltas and the registered ``rsqrt``), so ``diff`` gives its derivatives of
every order and ``compile`` its numbers, without a rule of its own.  ``n`` is the size of the slot
that carries ``i`` (``\dim(W, 1)`` for ``W^i_j y^j``), never a name that a renaming could change.

Example:
    >>> from einsteinpy_lite.notation.parse import parse
    >>> e = layer_norm(parse("x^i"))
    >>> e.free
    (^i,)
"""

from __future__ import annotations

import sympy

from .atoms import Delta, Tensor
from .elementwise import Apply
from .errors import EinsteinError
from .expr import Expr, Product, Sum, SumOver, slot_size_symbol
from .indices import Index, fresh_names
from .rename import rename_free

__all__ = ["layer_norm", "LAYER_NORM_EPS"]

#: the ``\varepsilon`` of :func:`layer_norm` (torch.nn.LayerNorm's default)
LAYER_NORM_EPS = sympy.Rational(1, 100000)


def _size(x: Expr, name: str) -> sympy.Expr:
    """The size of the free index ``name`` of ``x``: the slot of a tensor that carries it."""
    for node in x.walk():
        if isinstance(node, Tensor):
            for pos, ix in enumerate(node.indices):
                if ix.name == name and not ix.bound:
                    return slot_size_symbol(node.name, pos)
    raise EinsteinError(f"layernorm: no tensor carries the index '{name}' of '{x}', so its size is unknown",
                        hint="apply layernorm to a vector expression such as W^i_j y^j + b^i")


def layer_norm(x: Expr, avoid: set[str] | frozenset[str] = frozenset()) -> Expr:
    r"""Layer normalization of ``x`` (one free index) along that index, written out (see the module).

    Args:
        x: the vector expression.
        avoid: index names the result must not use for its own sums (the caller's names).

    Example:
        >>> import numpy as np
        >>> from einsteinpy_lite.notation.parse import parse
        >>> from einsteinpy_lite.algebra.evaluate import evaluate
        >>> v = np.array([1.0, 2.0, 4.0])
        >>> got = evaluate(layer_norm(parse("x^i")), {"x": v})
        >>> bool(np.allclose(got, (v - v.mean()) / np.sqrt(v.var() + 1e-5)))
        True
    """
    if len(x.free) != 1:
        raise EinsteinError(f"layernorm takes a vector (one free index), got '{x}' with {len(x.free)} free indices",
                            hint="write its argument with exactly one free index, e.g. W^i_j y^j + b^i")
    (i,) = x.free
    n = _size(x, i.name)
    taken = set(avoid) | set(x.all_names())
    k, m, a, b = fresh_names(taken, 4, stem="u")

    def copy(name: str) -> Expr:
        return rename_free(x, {i.name: name}, avoid=taken)

    def centred(name: str) -> Expr:
        """``x^{name} - \\mu`` (the mean broadcast along ``name`` by ``\\sum_m \\delta^{name}_m``)."""
        up = i.up
        mean = Product.make(-1 / n, [SumOver(k, (), copy(k)),
                                     SumOver(m, (), Delta(Index(name, up), Index(m, not up, True)))])
        return Sum.make([copy(name), mean])

    var = Product.make(1 / n, [centred(a), Delta(Index(a, not i.up), Index(b, not i.up)), centred(b)])
    scale = Apply("rsqrt", 0, Sum.make([var, Product.make(LAYER_NORM_EPS, [])]))
    return Product.make(1, [centred(i.name), scale])
