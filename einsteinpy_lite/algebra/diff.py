"""Derivatives of index expressions: ``diff(expr, "A^{m}_{n}")``.

Convention (DESIGN.md, "Derivative convention"): the derivative of
``A^{i}_{k}`` with respect to ``A^{m}_{n}`` is ``\\delta^{i}_{m} \\delta_{k}^{n}``:
the new free indices carry the names written on the variable, with the
opposite variance of its slots, and come after the expression's own free
indices.

The rules live in a table, one small function per node type, apart from the
machinery that walks the tree (as autograd keeps its vjp table apart from its
tracer).  :func:`register_rule` adds or replaces a rule; a node type with no
rule is an :class:`EinsteinError` that names it.  Elementwise functions bring
their derivatives with their registration in :mod:`einsteinpy_lite.functions`.

The chain rule through an elementwise function gives the diagonal Jacobian:
``d f(z^u) / dA = [\\nabla f(z)]^{u}{}_{l} dz^{l}/dA`` (a :class:`Diag`).  The
derivative of a diagonal ``f^{(n)}(z^u) \\delta^{u}_{l}`` is a three-way
diagonal, ``f^{(n+1)}(z^u) \\delta^{u}_{l} dz^{u}/dA``, which the two-slot
summation rule cannot write; it is written with an explicit sum whose bound
index may appear in all three places:
``\\sum_{p} \\delta^{u}_{p} \\delta^{p}_{l} f^{(n+1)}(z^{p}) dz^{p}/dA``.

The result is simplified by :func:`einsteinpy_lite.diff_simplify.simplify_derivative`.

>>> from einsteinpy_lite import parse, latex
>>> print(latex(diff(parse(r"B^i_j \\sigma(A^j_l y^l + b^j)"), "A^{m}_{n}"), compact=True))
B^{i}{}_{j} [\\nabla\\sigma]^{j}{}_{m} y^{n}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sympy

from ..core.atoms import Delta, Tensor, Zero
from ..core.elementwise import Apply, Diag
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, Sum, SumOver, dimension_symbol, slot_size_symbol
from ..core.functions import get_function
from ..core.indices import Index
from ..core.rename import rename_free
from ..notation.parse import expression
from .scopes import NameSupply, _bind_free, _clear_names, _map_free, _rename_slot, _unique_dummies, avoid_names
from .sizes import fold_unsized, replace_sizes

__all__ = ["diff", "register_rule", "derivative_rule", "rule_types", "Variable", "free_after_diff", "avoid_names"]  # avoid_names: from .scopes

Rule = Callable[[Any, "Variable"], Expr]
_RULES: dict[type, Rule] = {}
_N = TypeVar("_N", bound=Expr)


def register_rule(node_type: type) -> Callable[[Rule], Rule]:
    """Register the derivative rule of a node type (a decorator).

    A rule takes the node and the :class:`Variable` and returns the derivative,
    whose free indices are the node's then ``var.new``.  It differentiates
    children with ``var.d(child)`` and takes fresh index names from
    ``var.fresh(n)``.

    Example:
        >>> @register_rule(Zero)
        ... def _zero(e, var):
        ...     return Zero(e.free + var.new)
        >>> derivative_rule(Zero) is _zero
        True
    """

    if not isinstance(node_type, type):
        raise EinsteinError(f"register_rule takes an expression node class (such as Tensor), got {node_type!r}",
                            hint="@register_rule(MyNode) above def rule(node, var): ...")

    def deco(fn: Rule) -> Rule:
        _RULES[node_type] = fn
        return fn

    return deco


def derivative_rule(node_type: type) -> Rule:
    """The rule registered for ``node_type`` (or its nearest base class).

    Raises:
        EinsteinError: no rule for this node type; the message names it.

    Example:
        >>> derivative_rule(Tensor).__name__
        '_d_tensor'
    """
    for cls in node_type.__mro__:
        if cls in _RULES:
            return _RULES[cls]
    known = ", ".join(sorted(t.__name__ for t in _RULES))
    raise EinsteinError(
        f"no derivative rule for node type {node_type.__name__}; rules exist for {known}",
        hint=f"register one: from einsteinpy_lite.diff import register_rule; "
        f"@register_rule({node_type.__name__}) def rule(node, var): ...",
    )


def rule_types() -> tuple[type, ...]:
    """The node types that have a derivative rule.

    Example:
        >>> Apply in rule_types()
        True
    """
    return tuple(_RULES)


@dataclass
class Variable(NameSupply):
    """What a rule needs to know about the variable ``A^{m}_{n}``.

    Attributes:
        tensor: the variable as written (its slots carry the new index names).
        new: the derivative's new free indices: the variable's slots flipped.
        used: every index name taken so far (fresh names avoid them).
    """

    tensor: Tensor = field(default_factory=lambda: Tensor("_", []))
    new: tuple[Index, ...] = ()
    _has: dict[Expr, bool] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """The variable's tensor name."""
        return self.tensor.name

    def contains(self, e: Expr) -> bool:
        """Whether the variable occurs in ``e`` (cached)."""
        hit = self._has.get(e)
        if hit is None:
            if isinstance(e, Tensor):
                hit = e.name == self.name
            else:
                hit = any(self.contains(c) for c in e.children())
            self._has[e] = hit
        return hit

    def zero(self, e: Expr) -> Expr:
        """The zero derivative of ``e``: free indices ``e.free`` then ``new``."""
        return Zero(tuple(e.free) + self.new)

    def d(self, e: Expr) -> Expr:
        """Differentiate a sub-expression (zero when the variable does not occur in it)."""
        if not self.contains(e):
            return self.zero(e)
        return derivative_rule(type(e))(e, self)


# =================================================================== the rules


@register_rule(Tensor)
def _d_tensor(e: Tensor, var: Variable) -> Expr:
    """``dA^{i}_{k}/dA^{m}_{n} = \\delta^{i}_{m} \\delta_{k}^{n}`` (a scalar tensor gives 1).

    A slot that the expression lowered or raised with the Euclidean metric
    (``B_{i l}`` beside ``B^{i}_{l}``) gets the metric ``\\delta_{i m}``.
    """
    if len(e.indices) != len(var.new):
        raise EinsteinError(
            f"the variable '{var.tensor}' has {len(var.new)} slots but '{e}' in the expression has {len(e.indices)}",
            hint=f"write the variable with the slots of '{e}', with fresh index names",
            index=var.tensor.indices[0].name if var.tensor.indices else None,
        )
    return Product.make(1, [Delta(s, n) for s, n in zip(e.indices, var.new)])


@register_rule(Delta)
def _d_delta(e: Delta, var: Variable) -> Expr:
    """A Kronecker delta is constant."""
    return var.zero(e)


@register_rule(Zero)
def _d_zero(e: Zero, var: Variable) -> Expr:
    """Zero stays zero, with the derivative's indices added."""
    return var.zero(e)


@register_rule(Product)
def _d_product(e: Product, var: Variable) -> Expr:
    """Leibniz: one term per factor that contains the variable; the coefficient is constant."""
    terms = []
    factors = e.factors
    for i, f in enumerate(factors):
        if var.contains(f):
            terms.append(_join(e.coeff, [*factors[:i], var.d(f), *factors[i + 1 :]], var, e.kept))
    return Sum.make(terms) if terms else var.zero(e)


@register_rule(Sum)
def _d_sum(e: Sum, var: Variable) -> Expr:
    """The derivative of a sum is the sum of the derivatives."""
    return Sum.make([var.d(t) for t in e.terms])


@register_rule(SumOver)
def _d_sum_over(e: SumOver, var: Variable) -> Expr:
    """``d/dA \\sum_k g_k = \\sum_k dg_k/dA`` (the bound name never clashes with the new indices)."""
    return e.map_children(var.d)  # a body left without k is folded with the size of k's space


def _check_derivative_exists(fname: str, order: int) -> None:
    fn = get_function(fname)
    if order < len(fn.impls):
        return
    formula = fn.derivative_formula(order)
    if formula.has(sympy.Derivative) or formula.has(sympy.Subs):
        raise EinsteinError(
            f"function '{fn.name}' has no registered derivative of order {order}: "
            f"sympy cannot differentiate its formula {fn.formula}",
            hint=f"register it again with register_function('{fn.name}', formula, impls=[f, f', ...], "
            "overwrite=True), giving a formula sympy can differentiate or an array implementation of "
            f"derivative {order}",
        )


@register_rule(Apply)
def _d_apply(e: Apply, var: Variable) -> Expr:
    """Chain rule: ``d f^{(n)}(z^u)/dA = [\\nabla f^{(n)}(z)]^{u}{}_{l} dz^{l}/dA`` with a fresh ``l``."""
    _check_derivative_exists(e.func_name, e.order + 1)
    z = e.body
    names = var.fresh(len(z.free))
    jac = Diag(e.func_name, e.order + 1, z, [Index(n, not u.up) for n, u in zip(names, z.free)])
    # rename the argument, not its derivative: the argument is the smaller (a chain of n functions
    # renamed its derivatives' n levels at every level before: cubic in the depth)
    dz = var.d(rename_free(z, {u.name: n for u, n in zip(z.free, names)}, avoid=var.used))
    return _join(1, [jac, dz], var)


@register_rule(Diag)
def _d_diag(e: Diag, var: Variable) -> Expr:
    """``d [f^{(n)}(z^u) \\delta^u_l]/dA = \\sum_p \\delta^u_p \\delta^p_l f^{(n+1)}(z^p) dz^p/dA``.

    The three-way diagonal is written with a ``\\sum``-bound ``p`` (one per
    free index of ``z``), which may appear in any number of factors.
    """
    _check_derivative_exists(e.func_name, e.order + 1)
    z = e.body
    names = var.fresh(len(z.free))
    to_bound = {u.name: n for u, n in zip(z.free, names)}
    deltas: list[Expr] = []
    for u, p, lo in zip(z.free, names, e.new_indices):
        deltas.append(Delta(u, Index(p, not u.up, True)))
        deltas.append(Delta(Index(p, u.up, True), lo))
    value = Apply(e.func_name, e.order + 1, _bind_free(z, to_bound))
    dz = _bind_free(var.d(z), to_bound)
    body = _join(1, [*deltas, value, dz], var)
    for p in reversed(names):
        body = SumOver(p, (), body)
    return body


# =================================================================== index surgery


def _join(coeff: Any, factors: list[Expr], var: Variable, kept: frozenset[str] = frozenset()) -> Expr:
    """``Product.make`` that first renames the dummies of nested products out of their new neighbours' way.

    Flattening a product into another one merges two scopes: a dummy of the
    inner product may be named like an index of another factor.  ``kept``: the kept indices of the
    Hadamard product being differentiated (the derivative of a factor has its free indices).
    """
    taken = {ix.name for f in factors for ix in f.free}
    out: list[Expr] = []
    for f in factors:
        if isinstance(f, Product):
            for d in f._free_and_dummies[1]:
                if d.name in taken:
                    (new,) = var.fresh(1)
                    target = {d.name: Index(new)}
                    f = Product.make(f.coeff, [_map_free(g, target, _rename_slot) for g in f.factors],  # type: ignore[assignment]
                                     f.kept)
            taken |= {ix.name for ix in f._free_and_dummies[1]}
        out.append(f)
    return Product.make(coeff, out, kept)


# =================================================================== the entry point


def _variable(wrt: Any) -> Tensor:
    if isinstance(wrt, str):
        from ..notation.parse import parse

        target: Any = parse(wrt)
    else:
        target = wrt
    if not isinstance(target, Tensor):
        shown = str(target) if isinstance(target, Expr) else repr(target)
        raise EinsteinError(
            f"can only differentiate with respect to a tensor atom such as 'A^{{m}}_{{n}}', got '{shown}'",
            hint="write the variable as one tensor with fresh index names, e.g. diff(e, 'A^{m}_{n}')",
        )
    seen: set[str] = set()
    for ix in target.indices:
        if ix.name in seen:
            raise EinsteinError(
                f"the variable '{target}' repeats the index '{ix.name}'",
                hint="give every slot of the variable its own fresh index name",
                index=ix.name,
            )
        seen.add(ix.name)
    return target


def diff(expr: Expr | str, wrt: Tensor | str, simplify: bool = True) -> Expr:
    """The derivative of ``expr`` with respect to the tensor ``wrt``.

    Args:
        expr: an expression (or its text).
        wrt: the variable, a tensor atom with fresh index names, as text
            (``"A^{m}_{n}"``) or a :class:`Tensor`.
        simplify: pass the result through :func:`einsteinpy_lite.simplify`
            (deltas contracted, like terms collected).

    Returns:
        An expression whose free indices are ``expr``'s, then the variable's
        index names with the opposite variance (``_m``, ``^n`` for
        ``A^{m}_{n}``); a :class:`Zero` with those indices when the variable
        does not occur.

    Raises:
        EinsteinError: ``wrt`` is not a tensor atom, repeats an index, reuses
            a free index of ``expr``, or has another number of slots than in
            ``expr``; a function on the way has no derivative.  (Slots written up
            where ``expr`` has them down, or the reverse, are accepted: the
            derivative then carries the Euclidean metric.)

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(diff(parse("A^i_k x^k"), "A^{m}_{n}"))
        '\\\\delta^i_m x^n'
        >>> diff(parse("x^i"), "A^{m}_{n}").free
        (^i, _m, ^n)
    """
    # sizes no array carries belong to the names the user wrote: fold them before any renaming
    e = fold_unsized(expression(expr, "diff"))
    target = _variable(wrt)
    names = [ix.name for ix in target.indices]
    clash = [ix for ix in e.free if ix.name in names]
    if clash:
        raise EinsteinError(
            f"the variable '{target}' reuses '{clash[0].name}', a free index of '{e}'",
            hint="give the variable fresh index names (the derivative adds them as new free indices)",
            index=clash[0].name,
        )
    sig = e.tensors().get(target.name)
    arities = {len(t.indices) for t in e.walk() if isinstance(t, Tensor) and t.name == target.name}
    if sig is not None and len(target.indices) not in arities:
        want = "".join("^" if u else "_" for u in sig)
        raise EinsteinError(
            f"'{target.name}' has the slots {want} in the expression but the variable is written '{target}'",
            hint="write the variable with as many slots as in the expression, with fresh names",
            index=names[0] if names else None,
        )
    # a slot written up where the expression has it down (or the reverse) is the same component under
    # the Euclidean metric, which simplify uses to lower and raise (a first derivative may turn v^g into
    # v_g): the tensor rule then puts the metric \delta_{g m} in place of \delta^g_m
    new = tuple(ix.flip() for ix in target.indices)
    var = Variable(set(e.all_names()) | set(names), tensor=target, new=new)
    if sig is None:
        return Zero(tuple(e.free) + new)
    e = _clear_names(e, set(names), var)
    out = var.d(e)
    if simplify and not isinstance(out, Zero):
        out = _simplified(_unique_dummies(out, {ix.name for ix in out.free}, var))
    if target.name not in out.tensors():
        # \dim(A, n) of the variable, gone from the derivative: the size of its new free index
        out = replace_sizes(out, {slot_size_symbol(target.name, n): dimension_symbol(ix.name)
                                  for n, ix in enumerate(new)})
    return out


def _simplified(e: Expr) -> Expr:
    from .diff_simplify import simplify_derivative

    return simplify_derivative(e)


def free_after_diff(expr: Expr, wrt: Tensor | str) -> tuple[Index, ...]:
    """The free indices of ``diff(expr, wrt)`` in the convention's order: ``expr``'s, then the new ones.

    Useful as ``out=`` of :func:`einsteinpy_lite.compile`, since simplifying may reorder them.

    Example:
        >>> from einsteinpy_lite import parse
        >>> free_after_diff(parse("A^i_k"), "A^{m}_{n}")
        (^i, _k, _m, ^n)
    """
    target = _variable(wrt)
    return tuple(expression(expr, "diff").free) + tuple(ix.flip() for ix in target.indices)
