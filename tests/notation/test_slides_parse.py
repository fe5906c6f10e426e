r"""The index expressions of the lecture slides (../shared/seeds/000_ae2f3b87b7466725.txt), as a table.

Three tables, each row naming its slide:

* ``VALID``: expressions that parse under ``ricci``, with their free indices;
* ``INVALID``: expressions whose indices are wrong on their own; ``parse`` raises an
  ``EinsteinError`` whose caret points at the bad index;
* ``EQUATIONS``: the slides' ``lhs = rhs`` lines.  Each side is a valid expression; the line is
  wrong when the sides have different free indices.  ``lhs - (rhs)`` then raises an
  ``EinsteinError`` under ``ricci`` that points at the index on the right that disagrees.

The text is the slides' LaTeX with two edits only: ``\boxed{...}`` (a highlight, not
notation) is dropped, and an equation is split at ``=``.  What the table finds about the
slides, in short: the ``j_1, j_1`` of the tensor-product slide (an index twice in one
position); ``y^i`` for ``y^j`` in ``\sum_{j} g_j y^i``; ``A^{i_2 j}`` for ``A^{i_2}{}_{j}`` in
``\nabla_y f``; and, on every gradient and update slide for A and B, ``j_2`` written down on
the left (``_{j_1, j_2}``) but up on the right (``y^{j_2}``, ``\sigma^{j_2}``) -- under the
derivative convention of DESIGN.md, d/dA^{j_1}{}_{j_2} gives j_1 down and j_2 up, so the
right-hand sides are the correct ones.
"""

from __future__ import annotations

import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError

from .test_parse import caret

U, D = True, False

# (slide, text, free indices as (name, up))
VALID = [
    ("Contravariant and Covariant Vectors", "g_j y^j", []),
    ("Contravariant and Covariant Vectors", r"\sum_{j=0}^{N-1} g_j y^i", [("i", U)]),  # valid alone; see EQUATIONS
    ("Vector-Matrix Products as Tensors", "G^i{}_j y^j", [("i", U)]),
    ("Vector-Matrix Products as Tensors", r"\sum_{j=0}^{N_y-1} G^i{}_j y^j", [("i", U)]),
    ("Tensor Products (as meant)", "G^{i_1, i_2}_{j_1, j_2} y^{j_1, j_2}", [("i1", U), ("i2", U)]),
    ("Tensor Products", "x^{i_1, i_2}", [("i1", U), ("i2", U)]),
    ("Tensor Products", "y^{j_1, j_2}", [("j1", U), ("j2", U)]),
    ("Gradient w.r.t. y", r"[\nabla_y f]^i_j", [("i", U), ("j", D)]),
    # valid as an expression (i and j both up); as the value of [\nabla_y f]^i_j it is wrong, see EQUATIONS
    ("Gradient w.r.t. y", r"B^i_{i_1} [\nabla\sigma]^{i_1}_{i_2} A^{i_2 j}", [("i", U), ("j", U)]),
    ("Gradient w.r.t. A", r"[\nabla_A(Ay)]^i_{j_1, j_2}", [("i", U), ("j1", D), ("j2", D)]),
    ("Gradient w.r.t. A", r"\delta^i_{j_1} y^{j_2}", [("i", U), ("j1", D), ("j2", U)]),
    ("Gradient w.r.t. A", r"B^{i_1}_{i_2} [\nabla \sigma]^{i_2}_{i_3} [\nabla_A(Ay)]^{i_3}_{j_1, j_2}",
     [("i1", U), ("j1", D), ("j2", D)]),
    ("Gradient w.r.t. A", r"B^{i_1}_{i_2} [\nabla \sigma]^{i_2}_{i_3} \delta^{i_3}_{j_1} y^{j_2}",
     [("i1", U), ("j1", D), ("j2", U)]),
    ("Gradient w.r.t. A (boxed)", r"B^{i_1}_{i_2} [\nabla \sigma]^{i_2}_{j_1} y^{j_2}", [("i1", U), ("j1", D), ("j2", U)]),
    ("Gradient w.r.t. b", r"[\nabla_b f]^{i_1}{}_{j_1}", [("i1", U), ("j1", D)]),
    ("Gradient w.r.t. b", r"B^{i_1}{}_{i_2} [\nabla \sigma]^{i_2}{}_{j_1}", [("i1", U), ("j1", D)]),
    ("Gradient w.r.t. B", r"[\nabla_B(B\sigma)]^i{}_{j_1,j_2}", [("i", U), ("j1", D), ("j2", D)]),
    ("Gradient w.r.t. B", r"\delta^i{}_{j_1} \sigma^{j_2}", [("i", U), ("j1", D), ("j2", U)]),
    ("Update Direction for A", r"d_{j_1, j_2}", [("j1", D), ("j2", D)]),
    ("Update Direction for A",
     r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k, i_1} B_k{}^{i_1}_{i_2} [\nabla \sigma_k]^{i_2}_{j_1} y_k{}^{j_2}",
     [("j1", D), ("j2", U)]),
    ("Update Direction for b",
     r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k,i_1} B_k{}^{i_1}_{i_2} [\nabla \sigma_k]^{i_2}_{j_1}", [("j1", D)]),
    ("Update Direction for B", r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k, j_1} \sigma_k^{j_2}", [("j1", D), ("j2", U)]),
    ("the brief's spelling of d_A",
     r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k i_1} B^{i_1}_{i_2} [\nabla \sigma_k]^{i_2}_{j_1} y_k^{j_2}",
     [("j1", D), ("j2", U)]),
    ("the brief's d_A before contracting the delta",
     r"B^{i_1}_{i_2} [\nabla\sigma]^{i_2}_{i_3} \delta^{i_3}_{j_1} y^{j_2}", [("i1", U), ("j1", D), ("j2", U)]),
    ("DESIGN.md: the loss", r"\frac{1}{K} \sum_k \epsilon_k^i \delta_{ij} \epsilon_k^j", []),
    ("DESIGN.md: the model", r"B^i_j \sigma(A^j_l y^l + b^j)", [("i", U)]),
]

# (slide, text, message, caret position): wrong on its own under ricci
INVALID = [
    ("Tensor Products", "G^{i_1, i_2}_{j_1, j_1} y^{j_1, j_2}", r"index 'j1' appears twice down in one tensor G", 19),
    ("Tensor Products", "G^{i_1, i_2}_{j_1, j_1}", r"index 'j1' appears twice down in one tensor G", 19),
    ("Tensor Products (no braces)", "G^{i_1 i_2}_{j_1 j_1} y^{j_1 j_2}", r"index 'j1' appears twice down", 17),
    ("Update Direction for A, its \\sum dropped",
     r"\epsilon_{k, i_1} B^{i_1}_{i_2} [\nabla \sigma_k]^{i_2}_{j_1} y_k^{j_2}", r"index 'k' appears 3 times", 64),
    ("DESIGN.md: the loss, its \\sum dropped", r"\epsilon_k^i \delta_{ij} \epsilon_k^j", r"index 'k' appears twice down", 34),
]

# (slide, lhs, rhs, the index whose (name, variance) differs, or None when the sides agree)
EQUATIONS = [
    ("Contravariant and Covariant Vectors", "g_j y^j", r"\sum_{j=0}^{N-1} g_j y^i", "i"),
    ("Vector-Matrix Products as Tensors", "x^i", "G^i{}_j y^j", None),
    ("Vector-Matrix Products as Tensors", "G^i{}_j y^j", r"\sum_{j=0}^{N_y-1} G^i{}_j y^j", None),
    ("Tensor Products (as meant)", "x^{i_1, i_2}", "G^{i_1, i_2}_{j_1, j_2} y^{j_1, j_2}", None),
    ("Gradient w.r.t. y", r"[\nabla_y f]^i_j", r"B^i_{i_1} [\nabla\sigma]^{i_1}_{i_2} A^{i_2 j}", "j"),
    ("Gradient w.r.t. A", r"[\nabla_A(Ay)]^i_{j_1, j_2}", r"\delta^i_{j_1} y^{j_2}", "j2"),
    ("Gradient w.r.t. A", r"[\nabla_A f]^{i_1}_{j_1, j_2}",
     r"B^{i_1}_{i_2} [\nabla \sigma]^{i_2}_{i_3} [\nabla_A(Ay)]^{i_3}_{j_1, j_2}", None),
    ("Gradient w.r.t. A", r"[\nabla_A f]^{i_1}_{j_1, j_2}",
     r"B^{i_1}_{i_2} [\nabla \sigma]^{i_2}_{i_3} \delta^{i_3}_{j_1} y^{j_2}", "j2"),
    ("Gradient w.r.t. A (boxed)", r"[\nabla_A f]^{i_1}_{j_1, j_2}", r"B^{i_1}_{i_2} [\nabla \sigma]^{i_2}_{j_1} y^{j_2}", "j2"),
    ("Gradient w.r.t. b", r"[\nabla_b f]^{i_1}{}_{j_1}", r"B^{i_1}{}_{i_2} [\nabla \sigma]^{i_2}{}_{j_1}", None),
    ("Gradient w.r.t. B", r"[\nabla_B(B\sigma)]^i{}_{j_1,j_2}", r"\delta^i{}_{j_1} \sigma^{j_2}", "j2"),
    # (the slide also labels this \nabla_b f where it means \nabla_B f; the indices cannot see that)
    ("Gradient w.r.t. B", r"[\nabla_b f]^{i_1}{}_{j_1,j_2}", r"\delta^{i_1}{}_{j_1} \sigma^{j_2}", "j2"),
    ("Update Direction for A", r"d_{j_1, j_2}",
     r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k, i_1} B_k{}^{i_1}_{i_2} [\nabla \sigma_k]^{i_2}_{j_1} y_k{}^{j_2}", "j2"),
    ("Update Direction for b", r"d_{j_1}",
     r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k,i_1} B_k{}^{i_1}_{i_2} [\nabla \sigma_k]^{i_2}_{j_1}", None),
    ("Update Direction for B", r"d_{j_1, j_2}", r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k, j_1} \sigma_k^{j_2}", "j2"),
]


@pytest.mark.parametrize("slide,text,free", VALID, ids=[f"{s}: {t}" for s, t, _ in VALID])
def test_valid_slide_expressions_parse(slide, text, free):
    e = el.parse(text)
    assert [(ix.name, ix.up) for ix in e.free] == free
    # and what the printer makes of them reads back
    assert el.parse(el.latex(e)) == e
    assert el.parse(str(e)) == e


@pytest.mark.parametrize("slide,text,message,pos", INVALID, ids=[f"{s}: {t}" for s, t, _, _ in INVALID])
def test_wrong_slide_expressions_point_at_the_index(slide, text, message, pos):
    with pytest.raises(EinsteinError, match=message) as err:
        el.parse(text)
    assert caret(err) == pos, str(err.value)
    # the caret is under the named index
    name = message.split("'")[1]
    assert text[pos:].replace("_", "").replace("{", "").startswith(name), (text[pos:], name)


@pytest.mark.parametrize("slide,lhs,rhs,bad", EQUATIONS, ids=[f"{s}: {a} = {b}" for s, a, b, _ in EQUATIONS])
def test_slide_equations(slide, lhs, rhs, bad):
    left, right = el.parse(lhs), el.parse(rhs)
    differ = {name for name, _ in left.free_keys ^ right.free_keys}
    text = f"{lhs} - ({rhs})"
    if bad is None:
        assert not differ
        assert el.parse(text).free_keys == left.free_keys
        return
    assert differ == {bad}
    with pytest.raises(EinsteinError, match="the terms of a sum must have the same free indices") as err:
        el.parse(text)
    pos = caret(err)
    assert pos > len(lhs), "the caret points into the right-hand side"
    assert text[pos:].replace("_", "").replace("{", "").startswith(bad), (text[pos:], bad)


def test_tables_cover_every_kind_of_row():
    assert len(VALID) >= 20 and len(INVALID) >= 3
    assert sum(bad is not None for *_, bad in EQUATIONS) >= 8
    assert sum(bad is None for *_, bad in EQUATIONS) >= 5
