"""Checks of the slides' Einstein-notation examples: x = g_j y^j, x^i = G^i_j y^j, the 4- and 3-index tensors.

Each check parses the slide's formula as written (an index error is part of
the finding), compares it with the corrected form, checks the index ranges the
slide states, and evaluates the formula with the toolkit on random arrays
against plain numpy.
"""

from __future__ import annotations

import numpy as np

from ..core.atoms import Tensor
from ..core.expr import Expr
from ..equality.decide import compare
from .formulas import evaluate_expr, first_line, max_diff, try_parse
from .report import Entry

__all__ = ["covector", "matrix_vector", "tensor_product", "tensor_image"]

TOL = 1e-10


Statement = tuple[str, ...]


def _range_problem(tensor_text: str, variables: str, uses: dict[str, tuple[str, ...]]) -> str:
    """What is wrong with "tensor for 0 <= variables < N" ('' when nothing)."""
    t, err = try_parse(tensor_text)
    if t is None:
        return f"under ricci: {first_line(err)}"
    assert isinstance(t, Tensor)
    names = [v.strip().replace("_", "") for v in variables.split(",")]
    own = tuple(ix.name for ix in t.indices)
    if set(names) != set(own):
        return (f"the range variable {', '.join(n for n in names if n not in own)} is not an index of "
                f"{tensor_text}, which carries {', '.join(own)}")
    if t.name in uses and uses[t.name] != own:
        return (f"the formula writes {t.name} with the index {', '.join(uses[t.name])}, not {', '.join(own)}, "
                f"and {', '.join(own)} already names the other side's index, with another range")
    return ""


def _ranges(entry: Entry, statements: list[Statement], formulas: list[Expr]) -> None:
    """Check statements "T for 0 <= v < N": v must be T's index, and T's indices those it has in the formula.

    Each statement is ``(tensor, variables, corrected tensor, corrected variables, bound)`` as text, optionally
    followed by how the slide writes the statement and its correction.
    """
    uses: dict[str, tuple[str, ...]] = {}
    for formula in formulas:
        for node in formula.walk():
            if isinstance(node, Tensor):
                uses.setdefault(node.name, tuple(ix.name for ix in node.indices))
    still_wrong = []
    for tensor_text, variables, fixed_tensor, fixed_variables, bound, *shown in statements:
        problem = _range_problem(tensor_text, variables, uses)
        if problem:
            written, corrected = shown or (f"{tensor_text} for 0 <= {variables} < {bound}",
                                           f"{fixed_tensor} for 0 <= {fixed_variables} < {bound}")
            entry.find("index", written, corrected, problem)
        if _range_problem(fixed_tensor, fixed_variables, uses):
            still_wrong.append(fixed_tensor)
    entry.check("each (corrected) range statement names the indices its tensor carries in the formula",
                not still_wrong, f"{len(statements)} statements" + (f"; still wrong: {still_wrong}" if still_wrong else ""))


def covector() -> Entry:
    """``x = g_j y^j = \\sum_{j=0}^{N-1} g_j y^i`` and the ranges of y and g.

    Example:
        >>> e = covector()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds after a correction', 2, True)
    """
    e = Entry("covector", "Contravariant and Covariant Vectors", "covector times vector: x = g_j y^j",
              r"x = g_j y^j = \sum_{j=0}^{N-1} g_j y^i;  y^j for 0 <= j < N;  g_j for 0 <= i < N")
    e.syntax += ["x = g_j y^j", r"x = \sum_{j=0}^{N-1} g_j y^i"]
    implied, _ = try_parse("g_j y^j")
    explicit, _ = try_parse(r"\sum_{j=0}^{N-1} g_j y^i")
    fixed, _ = try_parse(r"\sum_{j=0}^{N-1} g_j y^j")
    assert implied is not None and explicit is not None and fixed is not None
    e.derived = str(implied)
    e.check("g_j y^j is a scalar, like x (one upper and one lower j, summed)", implied.free == (), str(implied.free))
    rng = np.random.default_rng(1)
    g, y = rng.normal(size=5), rng.normal(size=5)
    ref = float(g @ y)
    val, how = evaluate_expr(implied, {"g": g, "y": y})
    e.check(f"g_j y^j on random g, y (N=5, {how}) equals numpy g @ y", max_diff(val, ref) < TOL,
            f"max |diff| {max_diff(val, ref):.1e}")
    if explicit.free:
        wrong, _ = evaluate_expr(explicit, {"g": g, "y": y})
        e.find("index", r"\sum_{j=0}^{N-1} g_j y^i", r"\sum_{j=0}^{N-1} g_j y^j",
               f"the sum runs over j but y carries i: the result has the free index i while x has none "
               f"(on random g, y it is the vector (sum_j g_j) y^i of shape {wrong.shape}, not the number g.y)")
    cmp = compare(fixed, implied)
    e.check("the corrected explicit sum equals g_j y^j", cmp.equal, str(cmp))
    _ranges(e, [("y^j", "j", "y^j", "j", "N"), ("g_j", "i", "g_j", "j", "N")], [implied])
    return e


def matrix_vector() -> Entry:
    """``x^i = G^i_j y^j = \\sum_{j=0}^{N_y-1} G^i_j y^j`` and the ranges of y, x and G.

    Example:
        >>> e = matrix_vector()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds after a correction', 1, True)
    """
    e = Entry("matrix_vector", "Vector-Matrix Products as Tensors", "matrix times vector: x^i = G^i_j y^j",
              r"x^i = G^i{}_j y^j = \sum_{j=0}^{N_y-1} G^i{}_j y^j;  y^j for 0 <= j < N_y;  x^j for 0 <= j < N_x;"
              r"  G^i{}_j for 0 <= i < N_x and 0 <= j < N_y")
    e.syntax += ["x^i = G^i{}_j y^j", r"x^i = \sum_{j=0}^{N_y-1} G^i{}_j y^j"]
    implied, _ = try_parse("G^i{}_j y^j")
    explicit, _ = try_parse(r"\sum_{j=0}^{N_y-1} G^i{}_j y^j")
    assert implied is not None and explicit is not None
    e.derived = str(implied)
    e.check("G^i_j y^j has the free index i, as x^i", [ix.key for ix in implied.free] == [("i", True)],
            str(implied.free))
    cmp = compare(explicit, implied)
    e.check("the explicit sum equals the implied one", cmp.equal, str(cmp))
    rng = np.random.default_rng(2)
    G, y = rng.normal(size=(3, 5)), rng.normal(size=5)
    val, how = evaluate_expr(implied, {"G": G, "y": y})
    e.check(f"G^i_j y^j with N_x=3, N_y=5 ({how}) equals numpy G @ y", max_diff(val, G @ y) < TOL,
            f"max |diff| {max_diff(val, G @ y):.1e}")
    x_formula, _ = try_parse("x^i")
    assert x_formula is not None
    _ranges(e, [("y^j", "j", "y^j", "j", "N_y"), ("x^j", "j", "x^i", "i", "N_x")], [x_formula, implied])
    e.notes.append("G^i_j for 0 <= i < N_x and 0 <= j < N_y: so i, not j, is the output index of size N_x")
    return e


def tensor_product() -> Entry:
    """``x^{i_1 i_2} = G^{i_1 i_2}_{j_1 j_1} y^{j_1 j_2}`` (the 4-index tensor).

    Example:
        >>> e = tensor_product()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds after a correction', 2, True)
    """
    written = r"G^{i_1, i_2}_{j_1, j_1} y^{j_1, j_2}"
    e = Entry("tensor_product", "Tensor Products", "4-index tensor on a 2-D input: x^{i1 i2} = G^{i1 i2}_{j1 j2} y^{j1 j2}",
              r"x^{i_1, i_2} = G^{i_1, i_2}_{j_1, j_1} y^{j_1, j_2};  G^{i_1, i_2}_{j_1, j_1} for 0 <= i_1, i_2 < N_x"
              r" and 0 <= j_1, j_2 < N_y")
    e.syntax.append(f"x^{{i_1, i_2}} = {written}")
    bad, err = try_parse(written)
    _, err_einstein = try_parse(written, convention="einstein")
    fixed, _ = try_parse(r"G^{i_1 i_2}_{j_1 j_2} y^{j_1 j_2}")
    assert fixed is not None
    e.derived = str(fixed)
    if bad is None:
        e.find("index", written, r"G^{i_1 i_2}_{j_1 j_2} y^{j_1 j_2}",
               f"G's second lower index repeats j_1 where the input has j_2: under ricci {first_line(err)}; "
               f"under the loose einstein convention too: {first_line(err_einstein)}; the pairs to sum are "
               f"(j_1, j_1) and (j_2, j_2)")
    e.check("the corrected form has the free indices i_1 i_2 of x",
            [ix.key for ix in fixed.free] == [("i1", True), ("i2", True)], str(fixed.free))
    rng = np.random.default_rng(3)
    G, y = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(4, 5))
    val, how = evaluate_expr(fixed, {"G": G, "y": y})
    ref = np.tensordot(G, y, axes=2)
    e.check(f"corrected form with N_x=2,3 and N_y=4,5 ({how}) equals numpy tensordot(G, y, 2)",
            max_diff(val, ref) < TOL, f"max |diff| {max_diff(val, ref):.1e}")
    _ranges(e, [("y^{j_1 j_2}", "j_1, j_2", "y^{j_1 j_2}", "j_1, j_2", "N_y"),
                ("x^{i_1 i_2}", "i_1, i_2", "x^{i_1 i_2}", "i_1, i_2", "N_x"),
                (r"G^{i_1 i_2}_{j_1 j_1}", "i_1, i_2, j_1, j_2", r"G^{i_1 i_2}_{j_1 j_2}", "i_1, i_2, j_1, j_2", "",
                 r"G^{i_1, i_2}_{j_1, j_1} for 0 <= i_1, i_2 < N_x and 0 <= j_1, j_2 < N_y",
                 r"G^{i_1, i_2}_{j_1, j_2} for 0 <= i_1, i_2 < N_x and 0 <= j_1, j_2 < N_y")], [fixed])
    return e


def tensor_image() -> Entry:
    """The 3-index tensor on a 2-D image: ``x^i = G^i_{j_1 j_2} y^{j_1 j_2}``, as a matrix ``N_o x N_i``.

    Example:
        >>> e = tensor_image()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds', 0, True)
    """
    e = Entry("tensor_image", "Example of a Tensor Product",
              "3-index tensor on a 2-D image: x^i = G^i_{j1 j2} y^{j1 j2}",
              r"x^i = G^i{}_{j_1 j_2} y^{j_1 j_2}  (input: 2D image (j_1, j_2); output: vector i); "
              r"G \in \Re^{N_o \times N_i}")
    e.syntax.append(r"x^i = G^i{}_{j_1 j_2} y^{j_1 j_2}")
    fixed, _ = try_parse(r"G^i{}_{j_1 j_2} y^{j_1 j_2}")
    assert fixed is not None
    e.derived = str(fixed)
    e.check("one free index i (the output vector); j_1 and j_2 summed (the image)",
            [ix.key for ix in fixed.free] == [("i", True)] and {d.name for d in fixed.dummies} == {"j1", "j2"},
            f"free {fixed.free}, summed {fixed.dummies}")
    rng = np.random.default_rng(4)
    G, y = rng.normal(size=(3, 4, 5)), rng.normal(size=(4, 5))
    val, how = evaluate_expr(fixed, {"G": G, "y": y})
    ref = G.reshape(3, 20) @ y.ravel()
    e.check(f"on a 4x5 image ({how}) it equals the matrix G (N_o=3 x N_i=20) times the flattened image",
            max_diff(val, ref) < TOL, f"max |diff| {max_diff(val, ref):.1e}")
    e.notes.append("the slide's example formula is a picture; it is read from the bullets (input: a 2-D image "
                   "indexed by (j_1, j_2); output: a vector indexed by i)")
    return e
