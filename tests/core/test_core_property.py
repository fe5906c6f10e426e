r"""Property tests of the symbolic core on random valid expressions (tests/strategies.py):
parse(str(e)) == e and parse(latex(e)) == e structurally, every printed LaTeX string renders in
mathtext, and parse on arbitrary text raises nothing but EinsteinError."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError
from einsteinpy_lite.algebra.evaluate import evaluate
from einsteinpy_lite.notation.parse import _parse_cached
from tests.notation.test_printing import render
from tests.strategies import KINDS, arrays_for, expressions, index_sizes, token_text

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(expressions())
def test_text_round_trip(e):
    text = str(e)
    back = _parse_cached.__wrapped__(text, "ricci", "sigmoid")
    assert back == e, (text, repr(back))
    assert back.free == e.free
    # a ricci-valid expression reads the same under the loose convention
    assert el.parse(text, convention="einstein") == e


@SETTINGS
@given(expressions())
def test_latex_round_trip(e):
    latex = el.latex(e)
    back = _parse_cached.__wrapped__(latex, "ricci", "sigmoid")
    assert back == e, (latex, repr(back))
    assert el.parse(latex) == el.parse(e._repr_latex_().strip("$"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(max_depth=2))
def test_mathtext_renders_random_expressions(e):
    render(el.latex(e))
    render(el.latex(e, compact=True))


def only_einstein_errors(text: str) -> None:
    for convention in ("ricci", "einstein"):
        try:
            e = _parse_cached.__wrapped__(text, convention, "sigmoid")
        except EinsteinError as exc:
            assert str(exc)  # the message formats
            continue
        # what parses prints, and the print reads back
        assert el.parse(str(e), convention=convention) is not None


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=30))
def test_fuzz_arbitrary_text(text):
    only_einstein_errors(text)


@settings(max_examples=400, deadline=None)
@given(token_text())
def test_fuzz_text_from_grammar_tokens(text):
    only_einstein_errors(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([str(e) for e in [el.parse(r"B^i_k \sigma(A^k_j y^j + b^k)")]] + [
    r"\sum_{k=0}^{K-1}", r"[\nabla\sigma(", ")]^i_j", r"\frac{2}{K}", "{", "}", "^{i_1}", "_j", r"\delta", " + ", "(",
    ")", "x^i", "y_i", r"\mathbf{0}", "^2"]), max_size=8).map("".join))
def test_fuzz_fragments_of_valid_text(text):
    only_einstein_errors(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(max_depth=2), st.integers(0, 2**32 - 1))
def test_sizes_and_arrays_fit_the_expression(e, seed):
    sizes = index_sizes(e, rng=seed, low=1, high=4)
    arrays = arrays_for(e, sizes, rng=seed, low=0.2, high=1.2)
    for node in e.walk():
        if isinstance(node, el.Delta):
            assert sizes[node.indices[0].name] == sizes[node.indices[1].name]
    scalars = {str(s): 1.5 for s in e.scalar_symbols() if not str(s).startswith("N_")}
    with np.errstate(all="ignore"):
        value = evaluate(e, arrays, sizes, **scalars)
    assert value.shape == tuple(sizes[ix.name] for ix in e.free)


NODE_OF_KIND = {"sum": el.Sum, "apply": el.Apply, "sumover": el.SumOver, "diag": el.Diag, "delta": el.Delta,
                "zero": el.Zero}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_strategies_leave_out_excluded_kinds(data):
    exclude = data.draw(st.sets(st.sampled_from(sorted(NODE_OF_KIND) + ["slotless", "coefficient"]), min_size=1))
    e = data.draw(expressions(exclude=exclude))
    for node in e.walk():
        for kind in exclude & set(NODE_OF_KIND):
            assert not isinstance(node, NODE_OF_KIND[kind]), (kind, str(e))
        if "slotless" in exclude:
            assert not (isinstance(node, el.Tensor) and not node.indices)
        if "coefficient" in exclude and isinstance(node, el.Product) and node.factors:
            assert node.coeff == 1
    assert set(KINDS) >= set(exclude)
