"""Property: compiled random expressions equal a direct evaluation.

1. Random products (up to 8 operands) with deltas, an explicit ``\\sum_k`` whose index sits in
   several factors, elementwise functions of factors, a coefficient and an added term, built as
   text together with the numpy.einsum that evaluates them (identity arrays for the deltas).
2. The shared random-expression strategy (``tests.strategies``) against ``el.evaluate``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from einsteinpy_lite import EinsteinError, SumOver, compile, parse

LETTERS = "ijlmnpqrst"
FUNCS = {"\\tanh": np.tanh, "\\sin": np.sin, "\\exp": np.exp,
         "\\sigma": lambda x: 1.0 / (1.0 + np.exp(-x))}


@st.composite
def products(draw):
    """(text, arrays by name, einsum oracle inputs, their specs, coefficient, sizes, factors) for a random
    valid product; ``factors`` says what each operand is: ``(None, None)`` for a delta, else
    ``(tensor name, function or None)``."""
    n_idx = draw(st.integers(1, 6))
    names = list(LETTERS[:n_idx])
    # each index: free (1 occurrence) or summed (2 occurrences, one up one down)
    occ: list[tuple[str, bool]] = []
    for nm in names:
        if draw(st.booleans()):
            occ += [(nm, True), (nm, False)]
        else:
            occ.append((nm, draw(st.booleans())))
    occ = draw(st.permutations(occ))
    # cut occurrences into factors; two-slot pieces may become deltas
    n_factors = draw(st.integers(1, min(8, len(occ))))
    cuts = sorted(draw(st.lists(st.integers(1, max(1, len(occ) - 1)), min_size=n_factors - 1,
                                max_size=n_factors - 1, unique=True))) if len(occ) > 1 else []
    pieces = [occ[a:b] for a, b in zip([0] + cuts, cuts + [len(occ)]) if occ[a:b]]
    bound = draw(st.booleans())
    sizes: dict[str, int] = {}
    parent = {nm: nm for nm in names}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    kinds = []
    for piece in pieces:
        letters = [nm for nm, _ in piece]
        if len(piece) == 2 and letters[0] != letters[1] and draw(st.integers(0, 2)) == 0:
            kinds.append("delta")
            parent[find(letters[0])] = find(letters[1])
        elif len(set(letters)) < len(letters):
            kinds.append("tensor")  # a trace inside a function would be the function of the trace
        else:
            kinds.append(draw(st.sampled_from(["tensor", "tensor", "func"])))
    for nm in names:
        sizes.setdefault(find(nm), draw(st.integers(1, 4)))
    size = {nm: sizes[find(nm)] for nm in names}
    size["k"] = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    texts, arrays, operands, specs = [], {}, [], []
    factors: list[tuple[str | None, str | None]] = []
    n_bound = 0
    for t, (piece, kind) in enumerate(zip(pieces, kinds)):
        slots = "".join(("^" if up else "_") + "{" + nm + "}" for nm, up in piece)
        letters = "".join(nm for nm, _ in piece)
        if kind == "delta":
            texts.append(f"\\delta{slots}")
            operands.append(np.eye(size[letters[0]]))
            specs.append(letters)
            factors.append((None, None))
            continue
        with_k = bound and draw(st.booleans())
        n_bound += with_k
        name = f"T{t}"
        head = f"{name}_{{k}}" if with_k else name
        shape = ((size["k"],) if with_k else ()) + tuple(size[c] for c in letters)
        a = rng.uniform(-1, 1, size=shape)
        arrays[name] = a
        spec = ("k" if with_k else "") + letters
        if kind == "func":
            f = draw(st.sampled_from(sorted(FUNCS)))
            texts.append(f"{f}({head}{slots})")
            operands.append(FUNCS[f](a))
            factors.append((name, f))
        else:
            texts.append(f"{head}{slots}")
            operands.append(a)
            factors.append((name, None))
        specs.append(spec)
    coeff = draw(st.sampled_from(["", "2 ", "-3 ", r"\frac{1}{2} "]))
    body = " ".join(texts)
    text = f"{coeff}\\sum_{{k}} {body}" if bound else f"{coeff}{body}"
    cval = {"": 1.0, "2 ": 2.0, "-3 ": -3.0, r"\frac{1}{2} ": 0.5}[coeff]
    k_factor = size["k"] if bound and n_bound == 0 else 1
    return text, arrays, operands, specs, cval * k_factor, size, factors


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(products(), st.booleans())
def test_compiled_product_equals_einsum(case, add_term):
    text, arrays, operands, specs, cval, size, _ = case
    e = parse(text)
    out = "".join(ix.name for ix in e.free)
    want = cval * np.einsum(",".join(specs) + "->" + out, *operands)
    if add_term and out:
        # + S with the free indices in reverse order (axes must be aligned by name)
        letters = out[::-1]
        S = np.random.default_rng(1).uniform(-1, 1, size=tuple(size[c] for c in letters))
        var = {ix.name: ix.up for ix in e.free}
        slots = "".join(("^" if var[c] else "_") + "{" + c + "}" for c in letters)
        e = parse(f"{text} + S{slots}" if not text.startswith("-") else f"S{slots} + {text}")
        arrays = {**arrays, "S": S}
        want = want + np.einsum(letters + "->" + out, S)
        final = "".join(ix.name for ix in e.free)  # S first: its order is the output order
        want = np.einsum(out + "->" + final, want)
    fn = compile(e)
    # indices that only deltas carry need their size (N_i); the others come from the arrays
    kw = {**arrays, **{f"N_{c}": n for c, n in size.items() if f"N_{c}" in fn.scalars}}
    got = fn(**kw)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    # a second call takes the cached code and gives the same answer
    np.testing.assert_allclose(fn(**kw), want, rtol=1e-9, atol=1e-12)


def test_strategy_round_trip_example():
    """A fixed case of the generator's kinds: deltas, \\sum_k over several factors, functions."""
    e = parse(r"-3 \sum_{k} T0_{k}^{i} \delta_{i}^{j} \tanh(T2_{k j}{}^{m}) T3^{l}")
    rng = np.random.default_rng(0)
    T0, T2, T3 = rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (2, 3, 4)), rng.uniform(-1, 1, 5)
    want = -3 * np.einsum("ki,ij,kjm,l->ml", T0, np.eye(3), np.tanh(T2), T3)
    np.testing.assert_allclose(compile(e)(T0=T0, T2=T2, T3=T3), want)


strategies = pytest.importorskip("tests.strategies")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(strategies.expressions(max_depth=3), st.integers(0, 2**16))
def test_compiled_equals_reference_evaluator(e, seed):
    from einsteinpy_lite.algebra.evaluate import evaluate

    for node in e.walk():
        if isinstance(node, SumOver) and node.index_name not in node.body.index_names():
            return  # the reference evaluator does not count the terms of a sum that ignores its index

    sizes = strategies.index_sizes(e, rng=seed, low=1, high=3)
    arrays = strategies.arrays_for(e, sizes, rng=seed, low=0.2, high=1.2)
    scalars = {s.name: 1.5 for s in e.scalar_symbols() if not s.name.startswith("N_")}
    scalars.update({s.name: float(sizes[s.name[2:]]) for s in e.scalar_symbols()
                    if s.name.startswith("N_") and s.name[2:] in sizes})
    try:
        want = evaluate(e, arrays, sizes, **scalars)
    except (EinsteinError, FloatingPointError, ValueError):
        return  # outside the reference evaluator's domain
    if not np.all(np.isfinite(want)):
        return
    from einsteinpy_lite.compile import python_name

    fn = compile(e)
    extra = {python_name(f"N_{k}"): v for k, v in sizes.items()}
    kw = {**arrays, **{python_name(k): v for k, v in scalars.items()},
          **{k: v for k, v in extra.items() if k in fn.scalars}}
    try:
        got = fn(**kw)
    except EinsteinError as exc:
        # a \sum_{k=0}^{K-1} whose K (drawn as a number) disagrees with the k axis: rightly refused
        assert "disagrees with the arrays" in str(exc) or "terms by its bounds" in str(exc)
        return
    np.testing.assert_allclose(np.asarray(got, dtype=float), want, rtol=1e-8, atol=1e-10)
