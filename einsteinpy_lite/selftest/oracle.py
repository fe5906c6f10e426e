r"""The oracle: a harness tree's value with plain numpy, written from the tree's own structure.

One ``np.einsum`` per product (with its own letters), an explicit loop over the terms of a sum and
over the values of a ``\sum``'s index, numpy's own functions for ``\sigma``, ``\tanh``, ``relu``, ...
Nothing here calls the engine's evaluator, compiler or simplifier; the only thing read from the engine
is the sympy formula of a function this module does not know (a user's registration).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .tree import (
    Add,
    Coef,
    Dlt,
    Fn,
    Had,
    Ix,
    Leaf,
    Node,
    Prod,
    SumK,
    Vec,
    hadamard_parts,
    heads,
    index_names,
    size_of_name,
    walk,
)

__all__ = ["Oracle", "value", "make_arrays", "make_scalars", "NUMPY_FUNCTIONS"]


def _sigmoid(x: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-x))


#: numpy implementations of the built-in functions, written here (not the registry's).
NUMPY_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0.0),
    "softplus": lambda x: np.logaddexp(0.0, x),
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "sin": np.sin,
    "cos": np.cos,
    "square": lambda x: x * x,
    "identity": lambda x: np.array(x, copy=True),
    "ones": lambda x: np.ones_like(np.asarray(x, dtype=np.result_type(x, 1.0))),
}

#: Periodic functions: their value at a large argument is the rounding of that argument (see ``Oracle.phase``).
PERIODIC = frozenset({"sin", "cos"})

#: Functions with a kink, and where (finite differences must not straddle it).
KINKS: dict[str, float] = {"relu": 0.0}


def _user_function(name: str) -> Callable[[Any], Any]:
    import sympy

    from ..core.functions import get_function

    fn = get_function(name)
    sym = next(iter(fn.formula.free_symbols), sympy.Symbol("x"))
    lam = sympy.lambdify(sym, fn.formula, "numpy")
    return lambda x: np.asarray(lam(x)) + 0 * x


@dataclass
class Oracle:
    """Evaluates trees on given arrays (by head) and scalars (``K``, ``alpha``, ``N_x`` of unused names).

    ``margin`` is the smallest distance of a kinked function's argument to its kink seen so far, ``phase``
    the largest argument of a periodic function (``\\sin(\\exp(x))`` at a large ``exp(x)`` amplifies the
    rounding of any summation order: such a draw decides nothing).

    Example:
        >>> from fractions import Fraction
        >>> from .tree import Ix, Leaf, Prod, Coef
        >>> i, j = Ix("i", True, 2, 1), Ix("j", False, 2, 2)
        >>> A, y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 1.0])
        >>> tree = Prod(Coef(Fraction(2)), (Leaf("A", (i, j)), Leaf("y", (Ix("j", True, 2, 2),))))
        >>> arr, names = Oracle(tree, {"A": A, "y": y}, {}).evaluate()
        >>> arr.tolist(), names
        ([6.0, 14.0], ('i',))
    """

    tree: Node
    arrays: Mapping[str, np.ndarray]
    scalars: Mapping[str, Any]
    margin: float = field(default=np.inf)
    phase: float = 0.0
    _sizes: dict[str, Any] = field(default_factory=dict, repr=False)

    def evaluate(self, tree: Node | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
        """``(array, axis names)``: the value, axes in the order of the free indices."""
        arr, fr = self._ev(self.tree if tree is None else tree, {})
        return np.asarray(arr), tuple(ix.name for ix in fr)

    # ------------------------------------------------------------ nodes
    def _ev(self, node: Node, env: dict[str, int]) -> tuple[np.ndarray, tuple[Ix, ...]]:
        if isinstance(node, Leaf):
            return self._slots(np.asarray(self.arrays[node.head]), node.slots, env)
        if isinstance(node, Dlt):
            return self._slots(np.eye(node.a.size), (node.a, node.b), env)
        if isinstance(node, Prod):
            return self._prod(node, env)
        if isinstance(node, Add):
            first, fr = self._ev(node.terms[0], env)
            total = np.array(first, dtype=np.result_type(first, float), copy=True)
            names = [ix.name for ix in fr]
            for t in node.terms[1:]:
                arr, tfr = self._ev(t, env)
                tnames = [ix.name for ix in tfr]
                total = total + (np.transpose(arr, [tnames.index(n) for n in names]) if names else arr)
            return total, fr
        if isinstance(node, SumK):
            acc: np.ndarray | None = None
            fr_body: tuple[Ix, ...] = ()
            for v in range(node.size):
                arr, fr_body = self._ev(node.body, {**env, node.k: v})
                acc = arr if acc is None else acc + arr
            assert acc is not None
            return acc, fr_body
        if isinstance(node, Had):
            (la, lfr), (ra, rfr) = self._ev(node.left, env), self._ev(node.right, env)
            out, _, _ = hadamard_parts(lfr, rfr)
            letters: dict[str, str] = {}
            for ix in (*lfr, *rfr):
                letters.setdefault(ix.name, string.ascii_letters[len(letters)])
            spec = "".join(letters[ix.name] for ix in lfr) + "," + "".join(letters[ix.name] for ix in rfr) + "->" \
                + "".join(letters[ix.name] for ix in out)
            return np.einsum(spec, la, ra), out
        if isinstance(node, Vec):
            arr, fr = self._ev(node.body, env)
            with np.errstate(all="ignore"):
                top = np.max(arr.real) if arr.size else 0.0
                ex = np.exp(arr - top)
                if node.name == "softmax":
                    return ex / ex.sum(), fr
                return np.asarray(top + np.log(ex.sum())), ()
        assert isinstance(node, Fn)
        arr, fr = self._ev(node.body, env)
        if node.name in KINKS:
            self.margin = min(self.margin, float(np.min(np.abs(arr - KINKS[node.name]), initial=np.inf)))
        if node.name in PERIODIC:
            with np.errstate(all="ignore"):
                self.phase = max(self.phase, float(np.max(np.abs(arr), initial=0.0)))
        fn = NUMPY_FUNCTIONS.get(node.name) or _user_function(node.name)
        with np.errstate(all="ignore"):
            return np.asarray(fn(arr)), fr

    def _slots(self, arr: np.ndarray, slots: tuple[Ix, ...], env: dict[str, int]) -> tuple[np.ndarray, tuple[Ix, ...]]:
        """Fix the slots bound by enclosing sums, trace repeated pairs, axes in free order."""
        take = tuple(env[ix.name] if ix.name in env else slice(None) for ix in slots)
        arr = arr[take]
        rest = [ix for ix in slots if ix.name not in env]
        letters: dict[str, str] = {}
        for ix in rest:
            letters.setdefault(ix.name, string.ascii_letters[len(letters)])
        count = {n: sum(1 for ix in rest if ix.name == n) for n in letters}
        fr = tuple(ix for ix in rest if count[ix.name] == 1)
        spec = "".join(letters[ix.name] for ix in rest) + "->" + "".join(letters[ix.name] for ix in fr)
        return np.einsum(spec, arr), fr

    def _prod(self, node: Prod, env: dict[str, int]) -> tuple[np.ndarray, tuple[Ix, ...]]:
        parts = [self._ev(f, env) for f in node.factors]
        letters: dict[str, str] = {}
        count: dict[str, int] = {}
        specs = []
        for _, fr in parts:
            for ix in fr:
                letters.setdefault(ix.name, string.ascii_letters[len(letters)])
                count[ix.name] = count.get(ix.name, 0) + 1
            specs.append("".join(letters[ix.name] for ix in fr))
        out = tuple(ix for _, fr in parts for ix in fr if count[ix.name] == 1)
        spec = ",".join(specs) + "->" + "".join(letters[ix.name] for ix in out)
        c = self.coefficient(node.coef)
        if not parts:
            return np.asarray(c), ()
        return c * np.einsum(spec, *[a for a, _ in parts]), out

    def coefficient(self, c: Coef) -> Any:
        """The number a coefficient stands for (``N_x`` is the size of ``x`` when the tree uses ``x``)."""
        v: Any = float(c.value.numerator) / float(c.value.denominator)
        for s, p in c.syms:
            if s not in self._sizes:
                if s.startswith("N_") and s[2:] in index_names(self.tree):
                    self._sizes[s] = size_of_name(self.tree, s[2:])
                    assert self._sizes[s] is not None, f"{s} names an index with several sizes"
                else:
                    self._sizes[s] = self.scalars[s]
            v = v * float(self._sizes[s]) ** p
        return v


def value(tree: Node, arrays: Mapping[str, np.ndarray], scalars: Mapping[str, Any]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Shorthand: ``Oracle(tree, arrays, scalars).evaluate()``."""
    return Oracle(tree, arrays, scalars).evaluate()


def make_arrays(tree: Node, rng: np.random.Generator, dtype: str = "float64", scale: float = 1.0) -> dict[str, np.ndarray]:
    """Random arrays for every head of the tree, keyed by head: signed values in ``[-scale, scale]``
    (positive heads in ``[0.5, 1.5]``); complex ones get an imaginary part of a third of that.

    Example:
        >>> from .tree import Ix, Leaf
        >>> a = make_arrays(Leaf("A", (Ix("i", True, 2, 1), Ix("j", False, 3, 2))), np.random.default_rng(0))
        >>> a["A"].shape
        (2, 3)
    """
    out: dict[str, np.ndarray] = {}
    for head, (_, shape, positive) in sorted(heads(tree).items()):
        lo, hi = (0.5, 1.5) if positive else (-scale, scale)
        arr: np.ndarray = rng.uniform(lo, hi, size=shape)
        if dtype == "complex128":
            arr = arr + 1j * rng.uniform(-scale / 3, scale / 3, size=shape)
        out[head] = arr.astype(dtype)
    return out


def make_scalars(tree: Node, rng: np.random.Generator) -> dict[str, Any]:
    """Values of ``K`` (the size of the bounded sums' index), ``alpha`` and the ``N_x`` of names the tree
    does not use (integers, as sizes are).

    Example:
        >>> from .tree import Ix, Leaf
        >>> sorted(make_scalars(Leaf("A", (Ix("i", True, 2, 1),)), np.random.default_rng(0)))
        ['K', 'alpha']
    """
    bounded = {n.size for _, n, _ in walk(tree) if isinstance(n, SumK) and n.bounded}
    assert len(bounded) <= 1
    out: dict[str, Any] = {"K": bounded.pop() if bounded else int(rng.integers(2, 5)),
                           "alpha": float(rng.choice([-1, 1]) * rng.uniform(0.5, 1.5))}
    used = index_names(tree)
    for _, n, _ in walk(tree):
        if isinstance(n, Prod):
            for s, _ in n.coef.syms:
                if s.startswith("N_") and s[2:] not in used:
                    out.setdefault(s, int(rng.integers(2, 6)))
    return out
