"""Subtree reconfiguration and the planner's search for many operands.

Oracles: opt_einsum's own optimizers ('optimal', 'dp', 'greedy') and its own contraction of the
arrays along its own path.
"""

from __future__ import annotations

import time

import numpy as np
import opt_einsum
import pytest
from opt_einsum.testing import rand_equation

import einsteinpy_lite as el
from einsteinpy_lite.compile.plan import path_cost
from einsteinpy_lite.compile.reconfigure import reconfigure, search


def _labelled(eq: str, shapes: list[tuple[int, ...]]) -> tuple[tuple[tuple[int, ...], ...], tuple[int, ...], tuple[int, ...]]:
    lhs, out = eq.split("->")
    terms = lhs.split(",")
    lab: dict[str, int] = {}
    for c in "".join(terms) + out:
        lab.setdefault(c, len(lab))
    sizes = [0] * len(lab)
    for t, s in zip(terms, shapes):
        for c, d in zip(t, s):
            sizes[lab[c]] = d
    return tuple(tuple(lab[c] for c in t) for t in terms), tuple(lab[c] for c in out), tuple(sizes)


def _greedy(eq: str, shapes: list[tuple[int, ...]]) -> tuple[tuple[int, ...], ...]:
    """opt_einsum's greedy path, the starting point every test reconfigures."""
    return tuple(tuple(s) for s in opt_einsum.contract_path(eq, *shapes, shapes=True, optimize="greedy")[0])


def _oe_cost(eq: str, shapes: list[tuple[int, ...]], optimize: object) -> int:
    return int(opt_einsum.contract_path(eq, *shapes, shapes=True, optimize=optimize)[1].opt_cost)


@pytest.mark.parametrize("seed", range(6))
def test_reconfiguring_the_whole_tree_finds_the_optimum(seed: int) -> None:
    # a frontier of every operand is the whole network: the exact search over its subsets is 'optimal'
    eq, shapes = rand_equation(7, 3, n_out=2, d_min=2, d_max=6, seed=seed)
    ops, out, sizes = _labelled(eq, shapes)
    greedy = _greedy(eq, shapes)
    path = reconfigure(ops, out, sizes, greedy, float("inf"), k=7)
    assert _oe_cost(eq, shapes, list(path)) == _oe_cost(eq, shapes, "optimal")


@pytest.mark.parametrize("seed", range(4))
def test_large_frontiers_use_dp_and_match_it(seed: int) -> None:
    eq, shapes = rand_equation(11, 3, n_out=2, d_min=2, d_max=6, seed=seed)
    ops, out, sizes = _labelled(eq, shapes)
    greedy = _greedy(eq, shapes)
    path = reconfigure(ops, out, sizes, greedy, float("inf"), k=11)
    assert _oe_cost(eq, shapes, list(path)) <= _oe_cost(eq, shapes, "dp")


@pytest.mark.parametrize("seed", range(4))
def test_reconfiguring_never_costs_more_and_keeps_the_value(seed: int) -> None:
    rng = np.random.default_rng(seed)
    eq, shapes = rand_equation(14, 3, n_out=2, d_min=2, d_max=3, seed=seed)
    ops, out, sizes = _labelled(eq, shapes)
    arrays = [rng.standard_normal(s) for s in shapes]
    greedy = _greedy(eq, shapes)
    for k in (3, 5, 8):
        path = reconfigure(ops, out, sizes, greedy, time.perf_counter() + 0.1, k=k, seed=seed)
        assert path_cost(ops, out, sizes, path)[0] == _oe_cost(eq, shapes, list(path))
        assert _oe_cost(eq, shapes, list(path)) <= _oe_cost(eq, shapes, list(greedy))
        np.testing.assert_allclose(opt_einsum.contract(eq, *arrays, optimize=list(path)),
                                   opt_einsum.contract(eq, *arrays, optimize="greedy"), rtol=1e-9, atol=1e-9)


def test_the_search_keeps_the_callers_random_state() -> None:
    import random

    eq, shapes = rand_equation(16, 3, n_out=2, d_min=2, d_max=4, seed=3)
    random.seed(5)
    want = random.random()
    random.seed(5)
    search(*_labelled(eq, shapes), 0.05)
    assert random.random() == want


def test_a_network_of_24_tensors_is_planned_and_contracted_right() -> None:
    rng = np.random.default_rng(2)
    eq, shapes = rand_equation(24, 3, n_out=2, d_min=2, d_max=3, seed=24)
    arrays = [rng.standard_normal(s) for s in shapes]
    want = opt_einsum.contract(eq, *arrays, optimize="greedy")
    for _ in range(2):  # the first call and the generated code
        np.testing.assert_allclose(el.contract(eq, *arrays), want, rtol=1e-9, atol=1e-9)
    _, info = el.contract_path(eq, *shapes, shapes=True)
    assert info.opt_cost <= _oe_cost(eq, shapes, "greedy")
