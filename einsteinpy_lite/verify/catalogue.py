"""The catalogue: one entry per formula of the slides, in the order of the slides.

Each item names the slide, the formula and the function that builds its entry.  The slides'
claims are read from the document ``data/slides.md`` and judged by the general checker
(:func:`document_item`, :mod:`~einsteinpy_lite.verify.document`), with the checks of that
section that are not claims added (:mod:`~einsteinpy_lite.verify.shapes`); the rest (the
optimizers, the chain-rule remark, the shapes in words, forward vs backward, the cost of the
contraction order) are Python checks in :mod:`~einsteinpy_lite.verify.descent`.
:func:`run_entry` runs one item; a crash inside the toolkit while checking becomes an entry
whose check could not run ("not checked", with the error) -- never a fake "holds", and never
an aborted report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from . import descent, document, shapes
from .report import Check, Entry

__all__ = ["CatalogueItem", "CATALOGUE", "run_entry", "keys", "document_item"]


@dataclass(frozen=True)
class CatalogueItem:
    """One formula of the slides: a key, the slide it is on, what it is, and its check."""

    key: str
    slide: str
    title: str
    build: Callable[[], Entry]


def _from_document(key: str, slide: str, title: str, extra: Callable[[Entry], None] | None) -> Entry:
    e = document.entry(key, slide, title)
    if extra is not None:
        extra(e)
    return e


def document_item(key: str, slide: str, title: str, extra: Callable[[Entry], None] | None = None) -> CatalogueItem:
    """An item whose claims stand in the document's section ``{#key}``; ``extra`` adds the checks that are not claims.

    Example:
        >>> e = run_entry(document_item("grad_y", "Gradient w.r.t. y", "grad_y f"))
        >>> e.verdict.value, [(f.line, f.kind) for f in e.findings]
        ('differs only in index variance', [(64, 'variance')])
    """
    return CatalogueItem(key, slide, title, partial(_from_document, key, slide, title, extra))


CATALOGUE: tuple[CatalogueItem, ...] = (
    CatalogueItem("gd_update", "What is Gradient Descent", "gradient-descent update", descent.gd_update),
    CatalogueItem("steepest_descent", "Steepest Descent", "steepest descent with a line search",
                  descent.steepest_descent),
    document_item("mse_gradient", "Computing the Loss Gradient (also: Interpretation of Loss Gradient, Loss Gradient "
                  "Computation)", "MSE loss gradient"),
    CatalogueItem("chain_rule", "Computing the Loss Gradient", "the chain-rule remark", descent.chain_rule),
    CatalogueItem("d_shapes", "Matrix Interpretation", "shapes of epsilon, of the function gradient and of d",
                  descent.d_shapes),
    CatalogueItem("function_gradient", "Function Gradient", "the function gradient N_x x P",
                  descent.function_gradient),
    CatalogueItem("forward_backward", "Forward vs Backward Propogation", "forward vs backward (adjoint) gradient",
                  descent.forward_backward),
    document_item("covector", "Contravariant and Covariant Vectors", "covector times vector: x = g_j y^j"),
    document_item("matrix_vector", "Vector-Matrix Products as Tensors", "matrix times vector: x^i = G^i_j y^j"),
    document_item("tensor_product", "Tensor Products",
                  "4-index tensor on a 2-D input: x^{i1 i2} = G^{i1 i2}_{j1 j2} y^{j1 j2}"),
    document_item("tensor_image", "Example of a Tensor Product",
                  "3-index tensor on a 2-D image: x^i = G^i_{j1 j2} y^{j1 j2}", shapes.tensor_image),
    CatalogueItem("gradient_structure", "Gradient Structure for Single Layer NN", "parameters and parameter gradients",
                  descent.gradient_structure),
    document_item("grad_y", "Gradient w.r.t. y", "input gradient grad_y f"),
    document_item("grad_A", "Gradient w.r.t. A", "grad_A (Ay) and the parameter gradient grad_A f"),
    document_item("grad_b", "Gradient w.r.t. b", "parameter gradient grad_b f"),
    document_item("grad_B", "Gradient w.r.t. B", "grad_B (B sigma) and the parameter gradient grad_B f"),
    document_item("direction_A", "Update Direction for A", "update direction d for A"),
    document_item("direction_b", "Update Direction for b", "update direction d for b", shapes.direction_b),
    document_item("direction_B", "Update Direction for B", "update direction d for B", shapes.direction_B),
    CatalogueItem("efficient_order", "Update Direction for A", "contraction order 'for efficiency, computation goes "
                  "this way'", descent.efficient_order),
)


def keys() -> list[str]:
    """The entry keys, in slide order.

    Example:
        >>> keys()[:3]
        ['gd_update', 'steepest_descent', 'mse_gradient']
    """
    return [item.key for item in CATALOGUE]


def run_entry(item: CatalogueItem) -> Entry:
    """Run one check; a crash of the toolkit becomes a check that could not run, with the error.

    Example:
        >>> def broken() -> Entry:
        ...     raise KeyError("boom")
        >>> e = run_entry(CatalogueItem("x", "a slide", "a formula", broken))
        >>> e.verdict.value, e.checks[0].detail
        ('not checked', "KeyError: 'boom'")
    """
    try:
        return item.build()
    except Exception as exc:  # noqa: BLE001 - report the toolkit's failure in the entry, keep the others
        entry = Entry(item.key, item.slide, item.title, "")
        entry.checks.append(Check("the check ran", None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"))
        return entry
