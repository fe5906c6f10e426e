"""Tests of einsteinpy_lite.diff: the rule table, the slides' compact forms, finite differences, errors.

``ref_eval`` below is a small, scope-aware reference evaluator (numpy.einsum over
the tree, deltas as identity matrices) kept here, independent of the compiler,
so that the derivative rules are checked against finite differences with
nothing else in between.  test_gradients.py and the property tests import it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
import sympy

import einsteinpy_lite as el
from einsteinpy_lite.algebra.diff import derivative_rule, diff, free_after_diff, register_rule, rule_types
from einsteinpy_lite.algebra.evaluate import array_name
from einsteinpy_lite.core.atoms import Delta, Tensor, Zero
from einsteinpy_lite.core.builders import apply, tensor
from einsteinpy_lite.core.elementwise import Apply, Diag
from einsteinpy_lite.core.expr import Expr, Product, Sum, SumOver
from einsteinpy_lite.core.functions import function_names, get_function, register_function
from einsteinpy_lite.core.indices import Index, down, up
from einsteinpy_lite.selftest.tree import POSITIVE_ARG

# ============================================================== reference evaluator


def _labels(e: Expr) -> list[str]:
    return [ix.name for ix in e.free] + sorted(e.open_bound)


def _array_key(name: str) -> str:
    return array_name(name)


class _Ref:
    def __init__(self, arrays: Mapping[str, Any], scalars: Mapping[str, float],
                 fallback: Mapping[str, int] | None = None) -> None:
        self.arrays = {k: np.asarray(v, dtype=float) for k, v in arrays.items()}
        self.scalars = dict(scalars)
        self.fallback = dict(fallback or {})

    def coeff(self, c: sympy.Expr) -> float:
        subs = {s: self.scalars[str(s)] if str(s) in self.scalars else self.slot_size(str(s))
                if str(s).startswith("dim:") else self.fallback[str(s)[2:]] for s in c.free_symbols}
        return float(c.subs(subs))

    def slot_size(self, name: str) -> int:
        """\\dim(A, n) (the symbol dim:<slot>:<tensor>): the size of that axis of A's array."""
        slot, _, tensor = name[4:].partition(":")
        return int(self.arrays[_array_key(tensor)].shape[int(slot)])

    # sizes of the labels of e that can be learned bottom-up, given the sizes in env
    def hints(self, e: Expr, env: dict[str, int]) -> dict[str, int]:
        labels = _labels(e)
        known = {n: env[n] for n in labels if n in env}
        if isinstance(e, Tensor):
            arr = self.arrays[_array_key(e.name)]
            assert arr.ndim == len(e.indices), (e, arr.shape)
            for ix, n in zip(e.indices, arr.shape):
                known.setdefault(ix.name, n)
        elif isinstance(e, Delta):
            a, b = e.indices
            n = env.get(a.name, env.get(b.name))
            if n is not None:
                known[a.name] = known[b.name] = n
        elif isinstance(e, (Product, Sum)):
            parts = e.children()
            local = dict(known)
            changed = True
            while changed:
                changed = False
                for f in parts:
                    for k, v in self.hints(f, {n: local[n] for n in _labels(f) if n in local}).items():
                        if k not in local:
                            local[k] = v
                            changed = True
            known = local
        elif isinstance(e, SumOver):
            known.update(self.hints(e.body, known))
        elif isinstance(e, Apply):
            known.update(self.hints(e.body, known))
        elif isinstance(e, Diag):
            inner = dict(known)
            for u, lo in zip(e.body.free, e.new_indices):
                if lo.name in known:
                    inner.setdefault(u.name, known[lo.name])
            h = self.hints(e.body, {n: inner[n] for n in _labels(e.body) if n in inner})
            known.update(h)
            for u, lo in zip(e.body.free, e.new_indices):
                if u.name in h:
                    known.setdefault(lo.name, h[u.name])
        return {k: v for k, v in known.items() if k in labels or isinstance(e, (Product, Sum, SumOver))}

    def ev(self, e: Expr, env: dict[str, int]) -> np.ndarray:
        labels = _labels(e)
        sizes = {**self.fallback, **env, **self.hints(e, env)}
        if isinstance(e, Tensor):
            return _einsum([self.arrays[_array_key(e.name)]], [[ix.name for ix in e.indices]], labels)
        if isinstance(e, Delta):
            a, b = e.indices
            if a.name == b.name:
                return np.asarray(float(sizes[a.name]))
            return np.eye(sizes[a.name])
        if isinstance(e, Zero):
            return np.zeros([sizes[n] for n in labels])
        if isinstance(e, Product):
            c = self.coeff(e.coeff)
            if not e.factors:
                return np.asarray(c)
            arrs = [self.ev(f, {n: sizes[n] for n in _labels(f) if n in sizes}) for f in e.factors]
            return c * _einsum(arrs, [_labels(f) for f in e.factors], labels)
        if isinstance(e, Sum):
            total = np.zeros([sizes[n] for n in labels])
            for t in e.terms:
                arr = self.ev(t, {n: sizes[n] for n in _labels(t) if n in sizes})
                total = total + _einsum([arr, np.ones(total.shape)], [_labels(t), labels], labels)
            return total
        if isinstance(e, SumOver):
            body_labels = _labels(e.body)
            arr = self.ev(e.body, {n: sizes[n] for n in body_labels if n in sizes})
            if e.index_name in body_labels:
                return np.asarray(_einsum([arr], [body_labels], labels))
            if e.bounds:
                lo, hi = (self.coeff(b) for b in e.bounds)
                return arr * (hi - lo + 1)
            return arr * self.fallback[e.index_name]
        if isinstance(e, Apply):
            return np.asarray(get_function(e.func_name).implementation(e.order)(self.ev(e.body, sizes), np))
        if isinstance(e, Diag):
            body_labels = _labels(e.body)
            val = get_function(e.func_name).implementation(e.order)(self.ev(e.body, sizes), np)
            eyes = [np.eye(sizes[u.name]) for u in e.body.free]
            specs = [body_labels] + [[u.name, lo.name] for u, lo in zip(e.body.free, e.new_indices)]
            return _einsum([np.asarray(val), *eyes], specs, labels)
        raise AssertionError(type(e))


def _einsum(arrays: list[np.ndarray], specs: list[list[str]], out: list[str]) -> np.ndarray:
    letters: dict[str, str] = {}
    pool = iter(string.ascii_letters)
    ins = ["".join(letters.setdefault(n, next(pool)) for n in s) for s in specs]
    outs = "".join(letters.setdefault(n, next(pool)) for n in out)
    return np.asarray(np.einsum(",".join(ins) + "->" + outs, *arrays))


def ref_eval(e: Expr, arrays: Mapping[str, Any], scalars: Mapping[str, float] | None = None,
             sizes: Mapping[str, int] | None = None, fallback: Mapping[str, int] | None = None) -> np.ndarray:
    """Evaluate ``e`` on numpy arrays (axes in ``e.free`` order).

    ``sizes``: sizes of ``e``'s free indices that no array fixes; ``fallback``: sizes by name for
    any index the arrays and deltas do not determine (names must then mean one size everywhere).
    """
    ref = _Ref(arrays, scalars or {}, fallback)
    return ref.ev(e, dict(sizes or {}))


def fd_derivative(e: Expr, arrays: dict[str, np.ndarray], name: str, scalars: Mapping[str, float] | None = None,
                  sizes: Mapping[str, int] | None = None, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of ``e`` with respect to the array ``name``: axes e.free, then name's axes."""
    base = arrays[name]
    out = None
    for idx in np.ndindex(*base.shape):
        plus, minus = dict(arrays), dict(arrays)
        plus[name] = base.copy()
        plus[name][idx] += eps
        minus[name] = base.copy()
        minus[name][idx] -= eps
        col = (ref_eval(e, plus, scalars, sizes) - ref_eval(e, minus, scalars, sizes)) / (2 * eps)
        if out is None:
            out = np.zeros(col.shape + base.shape)
        out[(...,) + idx] = col
    assert out is not None
    return out


def axes_as(d: Expr, value: np.ndarray, want: tuple[Index, ...]) -> np.ndarray:
    """Transpose ``value`` (axes in ``d.free`` order) to the axis order ``want``."""
    names = [ix.name for ix in d.free]
    return np.transpose(value, [names.index(ix.name) for ix in want]) if value.ndim else value


def check_against_fd(e: Expr, wrt: str, arrays: dict[str, np.ndarray], scalars: Mapping[str, float] | None = None,
                     simplify: bool = True, rtol: float = 1e-5, atol: float = 1e-7) -> Expr:
    """diff(e, wrt) evaluated equals central finite differences of e."""
    d = diff(e, wrt, simplify=simplify)
    want = free_after_diff(e, wrt)
    assert d.free_keys == frozenset(ix.key for ix in want)
    var = el.parse(wrt)
    assert isinstance(var, Tensor)
    num = fd_derivative(e, arrays, _array_key(var.name), scalars)
    sizes = {ix.name: n for ix, n in zip(want, num.shape)}
    got = axes_as(d, ref_eval(d, arrays, scalars, sizes), want)
    np.testing.assert_allclose(got, num, rtol=rtol, atol=atol)
    return d


# ============================================================== fixtures

SLIDE_F = r"B^i_j \sigma(A^j_l y^l + b^j)"
LOSS = (r"\frac{1}{K} \sum_{k} (x_k^i - B^i_j \sigma(A^j_l y_k^l + b^j)) \delta_{i p}"
        r" (x_k^p - B^p_q \sigma(A^q_r y_k^r + b^q))")


def _arrays(rng: np.random.Generator, K: int = 3, ny: int = 4, n1: int = 5, nx: int = 2) -> dict[str, np.ndarray]:
    return {"A": rng.normal(size=(n1, ny)), "b": rng.normal(size=n1), "B": rng.normal(size=(nx, n1)),
            "y": rng.normal(size=ny), "x": rng.normal(size=(K, nx)), "Y": rng.normal(size=(K, ny))}


def _loss_arrays(rng: np.random.Generator) -> dict[str, np.ndarray]:
    a = _arrays(rng)
    a["y"] = a.pop("Y")
    return a


# ============================================================== the rule table


def test_every_node_type_has_a_rule():
    for t in (Tensor, Delta, Zero, Product, Sum, SumOver, Apply, Diag):
        assert t in rule_types()
        assert callable(derivative_rule(t))


def test_missing_rule_names_the_node_type():
    class Strange(Tensor):
        pass

    assert derivative_rule(Strange) is derivative_rule(Tensor)
    with pytest.raises(el.EinsteinError, match=r"(?s)no derivative rule for node type int.*register_rule\(int\)"):
        derivative_rule(int)


def test_register_rule_replaces_and_restores():
    old = derivative_rule(Delta)
    calls = []

    @register_rule(Delta)
    def spy(e, var):
        calls.append(e)
        return old(e, var)

    try:
        # a delta only gets differentiated when it holds the variable; force it through Variable.d
        from einsteinpy_lite.algebra.diff import Variable

        var = Variable({"m", "n"}, tensor=tensor("A", "^m_n"), new=(down("m"), up("n")))
        var._has[el.delta("^i_j")] = True
        out = var.d(el.delta("^i_j"))
        assert isinstance(out, Zero) and [ix.name for ix in out.free] == ["i", "j", "m", "n"]
        assert calls
    finally:
        register_rule(Delta)(old)


# ============================================================== tensors, products, sums


@pytest.mark.parametrize(
    "expr, wrt, expected",
    [
        ("A^i_k", "A^{m}_{n}", r"\delta^i_m \delta_k^n"),
        ("A^i_k x^k", "A^{m}_{n}", r"\delta^i_m x^n"),
        ("A^i_k x^k", "x^{m}", "A^i_m"),
        ("x^i", "A^{m}_{n}", None),
        (r"\delta^i_k x^k", "x^{m}", r"\delta^i_m"),
        ("3 w_a x^a", "w_{m}", "3 x^m"),
        (r"x^i \delta_{ij} x^j", "x^{m}", r"2 \delta_{m j} x^j"),
    ],
)
def test_atoms_and_products(expr, wrt, expected):
    d = diff(el.parse(expr), wrt)
    if expected is None:
        assert isinstance(d, Zero)
        assert [ix.key for ix in d.free] == [("i", True), ("m", False), ("n", True)]
    else:
        assert el.equal(d, el.parse(expected)), str(d)


def test_convention_of_the_design():
    d = diff(el.parse("A^i_k"), "A^{m}_{n}", simplify=False)
    assert d == Product.make(1, [el.delta(up("i"), down("m")), el.delta(down("k"), up("n"))])
    assert free_after_diff(el.parse("A^i_k"), "A^{m}_{n}") == (up("i"), down("k"), down("m"), up("n"))


def test_accepts_a_tensor_object_and_text_expression():
    assert diff("A^i_k x^k", tensor("x", "^m")) == diff(el.parse("A^i_k x^k"), "x^{m}")


def test_product_rule_keeps_dummies_apart():
    # the dummy j of the expression is named like the variable's new index
    e = el.parse("A^i_j A^j_k x^k")
    d = check_against_fd(e, "A^{j}_{k1}", {"A": np.random.default_rng(1).normal(size=(3, 3)),
                                           "x": np.random.default_rng(2).normal(size=3)})
    assert {ix.name for ix in d.free} == {"i", "j", "k1"}


def test_sum_and_trace():
    rng = np.random.default_rng(3)
    arrays = {"A": rng.normal(size=(3, 3)), "x": rng.normal(size=3)}
    check_against_fd(el.parse("A^i_i x^k + A^k_j x^j"), "A^{m}_{n}", arrays)


def test_sum_over_and_bound_index():
    rng = np.random.default_rng(4)
    arrays = {"x": rng.normal(size=(4, 3)), "w": rng.normal(size=3)}
    e = el.parse(r"\sum_{k} w_i x_k^i w_j x_k^j")
    check_against_fd(e, "w_{m}", arrays)
    # the variable's index named like the bound index
    check_against_fd(e, "w_{k}", arrays)
    check_against_fd(e, "x_{p}^{q}", arrays)


# ============================================================== elementwise functions


def _domain(name: str, rng: np.random.Generator, n: int) -> np.ndarray:
    mag = rng.uniform(0.3, 1.5, size=n)
    if name in POSITIVE_ARG:  # defined for positive arguments only
        return mag
    return mag * rng.choice([-1.0, 1.0], size=n)


@pytest.mark.parametrize("name", function_names())
def test_every_registered_function_against_finite_differences(name):
    """Iterates the function registry: the chain rule, the diagonal's rule and order 2 -> 3."""
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    z = _domain(name, rng, 4)
    arrays = {"z": z, "w": rng.normal(size=4)}
    f = apply(name, tensor("z", "^i"))
    check_against_fd(f, "z^{m}", arrays, simplify=False)
    d1 = check_against_fd(f, "z^{m}", arrays)
    assert isinstance(d1, Diag) and d1.order == 1
    # the derivative of the diagonal (a second derivative) and of f'' (third)
    check_against_fd(d1, "z^{n}", arrays, simplify=False, rtol=1e-4, atol=1e-6)
    if name != "relu":  # the third derivative of relu comes from sympy as DiracDelta, which numpy cannot evaluate
        f2 = apply(name, tensor("z", "^i"), order=2)
        check_against_fd(f2, "z^{m}", arrays, simplify=False, rtol=1e-4, atol=1e-6)
    # a contracted argument: f(w_i z^i) is a scalar
    g = Apply(name, 0, tensor("w", "_i") * tensor("z", "^i"))
    arrays2 = {"z": z / 4, "w": np.abs(arrays["w"]) + 0.2}
    check_against_fd(g, "w_{m}", arrays2, simplify=False)


def test_function_without_derivative_is_an_error(scratch_registry):
    mystery = sympy.Function("mystery")
    register_function("mysteryfn", lambda x: mystery(x), [lambda x, xp: x * 1.0], overwrite=True)
    e = apply("mysteryfn", tensor("z", "^i"))
    with pytest.raises(el.EinsteinError, match=r"(?s)'mysteryfn' has no registered derivative of order 1.*register_function"):
        diff(e, "z^{m}")


def test_relu_derivative_honours_the_registry():
    d = diff(apply("relu", tensor("z", "^i")), "z^{m}")
    z = np.array([-1.0, 0.5, 2.0])
    np.testing.assert_allclose(ref_eval(d, {"z": z}), np.diag([0.0, 1.0, 1.0]))


# ============================================================== the slides


SLIDES = {
    "A^{m}_{n}": r"B^i_j [\nabla\sigma(A^j_l y^l + b^j)]^j_m y^n",
    "b^{m}": r"B^i_j [\nabla\sigma(A^j_l y^l + b^j)]^j_m",
    "B^{m}_{n}": r"\delta^i_m \sigma(A^n_l y^l + b^n)",
    "y^{m}": r"B^i_j [\nabla\sigma(A^j_l y^l + b^j)]^j_p A^p_m",
}

COMPACT = {
    "A^{m}_{n}": r"B^{i}{}_{j} [\nabla\sigma]^{j}{}_{m} y^{n}",
    "b^{m}": r"B^{i}{}_{j} [\nabla\sigma]^{j}{}_{m}",
    "B^{m}_{n}": r"\delta^{i}{}_{m} \sigma(A^{n}{}_{l} y^{l} + b^{n})",
    "y^{m}": r"B^{i}{}_{j} [\nabla\sigma]^{j}{}_{k} A^{k}{}_{m}",
}


@pytest.mark.parametrize("wrt", list(SLIDES))
def test_slide_gradients_compact_and_right(wrt):
    f = el.parse(SLIDE_F)
    d = diff(f, wrt)
    assert el.equal(d, el.parse(SLIDES[wrt]))
    assert el.latex(d, compact=True) == COMPACT[wrt]
    check_against_fd(f, wrt, _arrays(np.random.default_rng(5)))


def test_loss_gradient_and_hessian_against_finite_differences():
    rng = np.random.default_rng(6)
    arrays = _loss_arrays(rng)
    loss = el.parse(LOSS)
    g = check_against_fd(loss, "A^{m}_{n}", arrays, {"K": 3.0}, simplify=False)
    check_against_fd(g, "A^{s}_{t}", arrays, {"K": 3.0}, simplify=False, rtol=1e-4, atol=1e-6)
    for wrt in ("b^{m}", "B^{m}_{n}", "x_{s}^{t}"):
        check_against_fd(loss, wrt, arrays, {"K": 3.0}, simplify=False)


def test_second_derivative_of_a_simplified_gradient():
    rng = np.random.default_rng(7)
    arrays = _arrays(rng)
    f = el.parse(SLIDE_F)
    g = diff(f, "A^{m}_{n}")
    check_against_fd(g, "A^{s}_{t}", arrays, rtol=1e-4, atol=1e-6)
    check_against_fd(g, "b^{s}", arrays, rtol=1e-4, atol=1e-6)


# ============================================================== bad input


def test_absent_variable_is_a_zero_with_the_right_indices():
    d = diff(el.parse("B^i_j y^j"), "A^{m}_{n}")
    assert d == Zero([up("i"), down("m"), up("n")])


@pytest.mark.parametrize(
    "wrt, match",
    [
        ("A^m_n y^n", r"only differentiate with respect to a tensor atom"),
        (r"\sigma(y^m)", r"only differentiate with respect to a tensor atom"),
        ("2", r"only differentiate with respect to a tensor atom"),
        ("A^{m}_{m}", r"repeats the index 'm'"),
        ("A^{i}_{n}", r"reuses 'i', a free index"),
        ("A^{m}", r"'A' has the slots \^_ in the expression"),
        ("A^{m}_{n", r"unexpected end of text"),
    ],
)
def test_bad_variables(wrt, match):
    with pytest.raises(el.EinsteinError, match=match):
        diff(el.parse("A^i_k x^k"), wrt)


def test_a_variable_written_with_other_variance_gets_the_metric():
    # A_m^n is A^m_n under the Euclidean metric (which simplify uses to lower and raise slots):
    # d(A^i_k x^k)/dA_m^n = delta^{i m} x_n, with the free indices ^i, ^m, _n
    d = diff(el.parse("A^i_k x^k"), "A_{m}^{n}")
    assert d.free == (up("i"), up("m"), down("n"))
    x = np.random.default_rng(3).normal(size=4)
    got = el.compile(d, out=("i", "m", "n"))(x=x, N_i=3)
    np.testing.assert_allclose(got, np.einsum("im,n->imn", np.eye(3), x))


def test_bad_expression():
    with pytest.raises(el.EinsteinError, match="diff.. takes an index expression"):
        diff(3, "x^{m}")  # type: ignore[arg-type]


def test_register_rule_takes_a_node_class():
    with pytest.raises(el.EinsteinError, match=r"register_rule takes an expression node class .* got 3"):
        register_rule(3)  # type: ignore[arg-type]
    with pytest.raises(el.EinsteinError, match=r"got 'Tensor'"):
        register_rule("Tensor")  # type: ignore[arg-type]
