"""Tools the slide checks share: parse a slide's formula, expand its abbreviations, compare, evaluate.

The slides abbreviate: ``\\sigma^{j}`` means ``\\sigma(A^{j}_{l} y^{l} + b^{j})``,
``[\\nabla\\sigma]^{j}_{m}`` the diagonal Jacobian of sigma at ``A y + b``,
``\\epsilon_k^{i}`` the error ``x_k^{i} - f^{i}(y_k)`` of sample ``k``.  To compare a
slide's formula with the toolkit's derivation (which is written in ``A``, ``b``,
``B``, ``x``, ``y`` only), :func:`expand` replaces each abbreviation by its
definition in the model, renaming indices and inserting the Euclidean metric
where the slide writes an index in the other position.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..core.atoms import Delta, Tensor
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, SumOver
from ..core.indices import Index
from ..core.rename import fresh_names, rename_free
from ..notation.parse import parse

__all__ = [
    "try_parse", "first_line", "expand", "map_tensors", "model_f", "slot_patterns", "reslot", "evaluate_expr",
    "safe_compare", "max_diff", "MODEL_SLOTS", "PER_SAMPLE",
]

#: The model's tensors and their slot patterns (True = up): f^i = B^i_j sigma(A^j_l y^l + b^j).
MODEL_SLOTS: dict[str, tuple[bool, ...]] = {"A": (True, False), "b": (True,), "B": (True, False), "y": (True,),
                                            "x": (True,)}

#: Tensors that depend on the training sample k (they may carry the bound index k).
PER_SAMPLE = frozenset({"x", "y", "\\epsilon", "\\sigma", "\\nabla\\sigma"})

#: Definitions of the slides' abbreviations: (template as used, definition).  The
#: template's first slot ``k`` (when present) is the sample index.
#: (Their inner dummies p, q are names the slides never use, so they cannot shadow a slide's index.)
_DEFS: dict[str, tuple[str, str]] = {
    "\\sigma": ("\\sigma^{j}", r"\sigma(A^{j}_{q} y^{q} + b^{j})"),
    "\\nabla\\sigma": (r"[\nabla\sigma]^{j}_{m}", r"[\nabla\sigma(A^{j}_{q} y^{q} + b^{j})]^{j}_{m}"),
}
_SAMPLE_DEFS: dict[str, tuple[str, str]] = {
    "\\sigma": ("\\sigma_k^{j}", r"\sigma(A^{j}_{q} y_k^{q} + b^{j})"),
    "\\nabla\\sigma": (r"[\nabla\sigma_k]^{j}_{m}", r"[\nabla\sigma(A^{j}_{q} y_k^{q} + b^{j})]^{j}_{m}"),
    "\\epsilon": (r"\epsilon_k^{i}", r"x_k^{i} - B^{i}_{p} \sigma(A^{p}_{q} y_k^{q} + b^{p})"),
}


def model_f() -> Expr:
    """The slides' network ``f^i = B^i_j sigma(A^j_l y^l + b^j)``.

    Example:
        >>> str(model_f())
        'B^i_j \\\\sigma(A^j_l y^l + b^j)'
    """
    return parse(r"B^i_j \sigma(A^j_l y^l + b^j)")


def try_parse(text: str, convention: str = "ricci") -> tuple[Expr | None, EinsteinError | None]:
    """Parse, returning ``(expr, None)`` or ``(None, error)`` instead of raising.

    Example:
        >>> e, err = try_parse("x_i x_i")
        >>> e is None, first_line(err)
        (True, "index 'i' appears twice down in one product")
    """
    try:
        return parse(text, convention=convention), None
    except EinsteinError as exc:
        return None, exc


def first_line(exc: BaseException | None) -> str:
    """The first line of an error message (what is wrong, without the caret picture).

    Example:
        >>> first_line(EinsteinError("unknown token '$'", text="A^i $", pos=4)), first_line(None)
        ("unknown token '$'", '')
    """
    return str(exc).splitlines()[0] if exc is not None else ""


def map_tensors(e: Expr, fn: Callable[[Tensor], Expr]) -> Expr:
    """Rebuild ``e`` with every tensor atom replaced by ``fn(atom)`` (products, sums and ``\\sum`` rebuilt around them).

    Example:
        >>> str(map_tensors(parse("A^i_j y^j"), lambda t: t.with_indices(t.indices) if t.name == "A" else t))
        'A^i_j y^j'
        >>> str(map_tensors(parse("A^i_j y^j"), lambda t: parse("x^j") if t.name == "y" else t))
        'A^i_j x^j'
    """
    if isinstance(e, Tensor):
        return fn(e)
    return e.map_children(lambda c: map_tensors(c, fn))


def _norm_name(name: str) -> str:
    return name.replace(" ", "")


@functools.cache
def _template(name: str, per_sample: bool) -> tuple[tuple[Index, ...], Expr] | None:
    table = _SAMPLE_DEFS if per_sample else _DEFS
    if name not in table:
        return None
    use, definition = table[name]
    if per_sample:
        # parse inside a \sum over k so that k is a bound index, as it is in the slides' formulas
        head = parse(r"\sum_{k} " + use)
        body = parse(r"\sum_{k} (" + definition + ")")
        assert isinstance(head, SumOver) and isinstance(body, SumOver)
        t = head.body
        assert isinstance(t, Tensor)
        return t.indices, body.body
    t = parse(use)
    assert isinstance(t, Tensor)
    return t.indices, parse(definition)


def _expand_tensor(t: Tensor, avoid: set[str]) -> Expr:
    name = _norm_name(t.name)
    per_sample = any(ix.bound for ix in t.indices)
    tmpl = _template(name, per_sample)
    if tmpl is None or len(tmpl[0]) != len(t.indices):
        return t
    slots, body = tmpl
    mapping: dict[str, str] = {}
    metrics: list[Expr] = []
    for p, u in zip(slots, t.indices):
        if p.bound:
            if not u.bound or u.name != p.name:
                return t
            continue
        if p.up == u.up:
            mapping[p.name] = u.name
        else:
            (fresh,) = fresh_names(avoid | body.index_names() | set(mapping.values()), 1, stem="m")
            avoid.add(fresh)
            mapping[p.name] = fresh
            metrics.append(Delta(Index(u.name, u.up), Index(fresh, u.up)))
    out = rename_free(body, mapping, avoid=avoid)
    return Product.make(1, [*metrics, out]) if metrics else out


def expand(e: Expr) -> Expr:
    """Replace the slides' abbreviations (sigma^j, [nabla sigma]^j_m, epsilon_k^i, ...) by their definitions.

    Example:
        >>> str(expand(parse(r"B^{i}_{j} \\sigma^{j}")))
        'B^i_j \\\\sigma(A^j_q y^q + b^j)'
        >>> str(expand(parse(r"\\sum_{k} \\epsilon_{k i} y_k^{j}")))
        '\\\\sum_{k} \\\\delta_{i m1} (x_k^m1 - B^m1_p \\\\sigma(A^p_q y_k^q + b^p)) y_k^j'
    """
    avoid = set(e.index_names())
    return map_tensors(e, lambda t: _expand_tensor(t, avoid))


def slot_patterns(e: Expr) -> dict[str, tuple[bool, ...]]:
    """Each tensor's slot pattern without the sample index (True = up), for comparison with the model.

    Example:
        >>> slot_patterns(parse(r"\\sum_{k} B^{i}_{j} y_k^{j}"))
        {'B': (True, False), 'y': (True,)}
    """
    out: dict[str, tuple[bool, ...]] = {}
    for node in e.walk():
        if isinstance(node, Tensor):
            out.setdefault(node.name, tuple(ix.up for ix in node.indices if not ix.bound))
    return out


def reslot(e: Expr, patterns: Mapping[str, tuple[bool, ...]]) -> Expr:
    """Put each model tensor's slots in the model's positions (``A^{i j}`` -> ``A^{i}_{j}``).

    Raises:
        EinsteinError: when the result breaks an index rule.

    Example:
        >>> str(reslot(parse("B^i_k A^{k j}"), MODEL_SLOTS))
        'B^i_k A^k_j'
    """
    def go(node: Tensor) -> Expr:
        if node.name not in patterns:
            return node
        free = [ix for ix in node.indices if not ix.bound]
        pattern = patterns[node.name]
        if len(free) != len(pattern):
            return node
        it = iter(pattern)
        return node.with_indices([ix if ix.bound else Index(ix.name, next(it), False) for ix in node.indices])

    return map_tensors(e, go)


def evaluate_expr(e: Expr, arrays: Mapping[str, Any], sizes: Mapping[str, int] | None = None,
                  **scalars: float) -> tuple[np.ndarray, str]:
    """Evaluate with the toolkit: ``el.compile``, or the reference ``el.evaluate`` when ``sizes`` are given.

    ``sizes`` gives the sizes of indices that only deltas carry (the reference
    evaluator then runs, since it materializes the deltas).  Returns the array
    (axes in ``e.free`` order) and which evaluator ran.

    Example:
        >>> evaluate_expr(parse("A^i_j y^j"), {"A": np.eye(2), "y": np.ones(2), "unused": 0})
        (array([1., 1.]), 'el.compile')
        >>> evaluate_expr(parse(r"\\delta^i_j y^j"), {"y": np.ones(2)}, sizes={"i": 2})[1]
        'el.evaluate, the reference einsum'
    """
    from ..algebra.evaluate import array_name, evaluate

    wanted = {array_name(name) for name in e.tensors()}
    arrays = {k: v for k, v in arrays.items() if k in wanted}
    if sizes is None:
        from ..compile import compile as compile_expr

        fn = compile_expr(e)
        return np.asarray(fn(**arrays, **scalars)), "el.compile"
    return np.asarray(evaluate(e, arrays, sizes, **scalars)), "el.evaluate, the reference einsum"


def safe_compare(a: Expr, b: Expr) -> tuple[bool | None, str]:
    """:func:`einsteinpy_lite.simplify.compare`, made robust: when its evaluator crashes, compare with ``el.compile``.

    Returns ``(equal, how)``; ``equal`` is None when no comparison could run.

    Example:
        >>> safe_compare(parse("A^i_j y^j"), parse("y^k A^i_k"))
        (True, 'equal (canonical): same canonical form, confirmed on 3 random draws')
    """
    from ..equality.decide import compare

    try:
        cmp = compare(a, b)
    except Exception as exc:  # noqa: BLE001 - a toolkit bug must show in the report, not abort it
        problem = f"el.compare failed ({type(exc).__name__}: {first_line(exc)})"
        return _compiled_compare(a, b, problem)
    return cmp.equal, str(cmp)


def _compiled_compare(a: Expr, b: Expr, problem: str) -> tuple[bool | None, str]:
    """Compare two expressions with the same free indices on random arrays, evaluated with ``el.compile``."""
    from ..algebra.evaluate import random_arrays

    if a.free_keys != b.free_keys:
        return False, f"free indices differ: {a.free} vs {b.free}"
    try:
        from ..compile import compile as compile_expr

        worst = 0.0
        for size in (3, 4):
            arrays, _, _ = random_arrays([a, b], size=size, rng=np.random.default_rng(size))
            va = np.asarray(compile_expr(a)(**arrays))
            vb = np.asarray(compile_expr(b)(**arrays))
            order = [ix.name for ix in a.free]
            vb = np.transpose(vb, [[ix.name for ix in b.free].index(n) for n in order]) if vb.ndim else vb
            worst = max(worst, max_diff(va, vb))
    except Exception as exc:  # noqa: BLE001
        return None, f"{problem}; el.compile could not compare either ({type(exc).__name__}: {first_line(exc)})"
    return worst < 1e-9, f"values on random arrays (sizes 3 and 4, el.compile) differ by at most {worst:.1e}; {problem}"


def max_diff(a: Any, b: Any) -> float:
    """Largest absolute difference of two arrays of the same shape (inf when the shapes differ).

    Example:
        >>> max_diff(np.ones(2), np.ones(3))
        inf
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b))) if a.size else 0.0
