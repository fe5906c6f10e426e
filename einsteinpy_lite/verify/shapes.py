"""What the slides say about shapes in words, checked next to their claims in the document.

The document ``data/slides.md`` holds the slides' claims; these functions add to a document entry
(:mod:`einsteinpy_lite.verify.catalogue`) the checks of its statements that are not claims: the 3-index tensor read as a
matrix ``N_o x N_i`` on the flattened image, and the shape lines of the update directions.
"""

from __future__ import annotations

import numpy as np

from .formulas import evaluate_expr, max_diff, try_parse
from .model import Problem
from .report import Entry

__all__ = ["tensor_image", "direction_b", "direction_B"]

TOL = 1e-10


def _problem() -> Problem:
    return Problem.random(K=6, N_x=3, N_1=5, N_y=4, seed=8)


def tensor_image(e: Entry) -> None:
    """``x^i = G^i_{j_1 j_2} y^{j_1 j_2}`` is the matrix ``G`` (``N_o x N_i``) times the flattened image.

    Example:
        >>> e = Entry("tensor_image", "Example of a Tensor Product", "t", "")
        >>> tensor_image(e); [c.passed for c in e.checks]
        [True, True]
    """
    fixed, _ = try_parse(r"G^i{}_{j_1 j_2} y^{j_1 j_2}")
    assert fixed is not None
    e.check("one free index i (the output vector); j_1 and j_2 summed (the image)",
            [ix.key for ix in fixed.free] == [("i", True)] and {d.name for d in fixed.dummies} == {"j1", "j2"},
            f"free {fixed.free}, summed {fixed.dummies}")
    rng = np.random.default_rng(4)
    G, y = rng.normal(size=(3, 4, 5)), rng.normal(size=(4, 5))
    val, how = evaluate_expr(fixed, {"G": G, "y": y})
    ref = G.reshape(3, 20) @ y.ravel()
    e.check(rf"on a 4x5 image ({how}) it equals the matrix G \in \Re^{{N_o \times N_i}} (N_o=3, N_i=20) times "
            "the flattened image", max_diff(val, ref) < TOL, f"max |diff| {max_diff(val, ref):.1e}")
    e.notes.append("the slide's example formula is a picture; it is read from the bullets (input: a 2-D image "
                   "indexed by (j_1, j_2); output: a vector indexed by i)")


def direction_b(e: Entry) -> None:
    """The shape line of d for b: ``[\\epsilon_k 1 x N_x] [B N_x x N_1] = [N_1 x 1]``.

    Example:
        >>> e = Entry("direction_b", "Update Direction for b", "t", "")
        >>> direction_b(e); [c.passed for c in e.checks]
        [True]
    """
    p = _problem()
    row = p.eps()[0] @ p.B
    e.check("epsilon_k (1 x N_x) times B (N_x x N_1) is a row of N_1 entries", row.shape == (p.sizes["N_1"],),
            f"shape {row.shape}, N_1={p.sizes['N_1']}")
    e.notes.append(f"shape line: epsilon_k (1 x N_x) times B (N_x x N_1) is a row of {row.shape[0]} = N_1 entries "
                   f"(d_{{j_1}} has a lower index); the slide's box N_1 x 1 is d^t, the column added to b")


def direction_B(e: Entry) -> None:
    """The shape line of d for B: ``[\\epsilon_k 1 x N_x] [\\sigma_k N_2] = [N_x N_2]`` (a single-layer net has N_1).

    Example:
        >>> e = Entry("direction_B", "Update Direction for B", "t", "")
        >>> direction_B(e); [f.kind for f in e.findings], [c.passed for c in e.checks]
        (['bound'], [True])
    """
    p = _problem()
    sizes = p.sizes
    shape = p.directions()["B"].shape
    if "N_2" not in sizes:
        e.find("bound", r"[\sigma_k \; N_2] = [N_x \; N_2]", r"[\sigma_k \; N_1] = [N_x \; N_1]",
               f"sigma_k = sigma(A y_k + b) has the hidden size N_1 (the rows of A); a single-layer net has no "
               f"N_2: with N_x={sizes['N_x']}, N_1={sizes['N_1']} the direction for B is {shape[0]} x {shape[1]}")
    e.check("d for B (numpy backprop) is shaped like B (N_x x N_1)", shape == p.B.shape, f"{shape} vs B {p.B.shape}")
