"""The catalogue: one entry per formula of the slides, in the order of the slides.

Each item names the slide, the formula and the function that checks it (in
:mod:`~einsteinpy_lite.verify.notation`, :mod:`~einsteinpy_lite.verify.network` and
:mod:`~einsteinpy_lite.verify.descent`).  :func:`run_entry` runs
one check; a crash inside the toolkit while checking becomes an entry whose
check could not run ("not checked", with the error) -- never a fake "holds",
and never an aborted report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import descent, network, notation
from .report import Check, Entry

__all__ = ["CatalogueItem", "CATALOGUE", "run_entry", "keys"]


@dataclass(frozen=True)
class CatalogueItem:
    """One formula of the slides: a key, the slide it is on, what it is, and its check."""

    key: str
    slide: str
    title: str
    build: Callable[[], Entry]


CATALOGUE: tuple[CatalogueItem, ...] = (
    CatalogueItem("gd_update", "What is Gradient Descent", "gradient-descent update", descent.gd_update),
    CatalogueItem("steepest_descent", "Steepest Descent", "steepest descent with a line search",
                  descent.steepest_descent),
    CatalogueItem("mse_gradient", "Computing the Loss Gradient", "MSE loss gradient", descent.mse_gradient),
    CatalogueItem("chain_rule", "Computing the Loss Gradient", "the chain-rule remark", descent.chain_rule),
    CatalogueItem("d_shapes", "Matrix Interpretation", "shapes of epsilon, of the function gradient and of d",
                  descent.d_shapes),
    CatalogueItem("function_gradient", "Function Gradient", "the function gradient N_x x P",
                  descent.function_gradient),
    CatalogueItem("forward_backward", "Forward vs Backward Propogation", "forward vs backward (adjoint) gradient",
                  descent.forward_backward),
    CatalogueItem("covector", "Contravariant and Covariant Vectors", "x = g_j y^j", notation.covector),
    CatalogueItem("matrix_vector", "Vector-Matrix Products as Tensors", "x^i = G^i_j y^j", notation.matrix_vector),
    CatalogueItem("tensor_product", "Tensor Products", "4-index tensor", notation.tensor_product),
    CatalogueItem("tensor_image", "Example of a Tensor Product", "3-index tensor on a 2-D image",
                  notation.tensor_image),
    CatalogueItem("gradient_structure", "Gradient Structure for Single Layer NN", "parameters and their gradients",
                  descent.gradient_structure),
    CatalogueItem("grad_y", "Gradient w.r.t. y", "grad_y f", network.grad_y),
    CatalogueItem("grad_A_Ay", "Gradient w.r.t. A", "grad_A (Ay)", network.grad_A_Ay),
    CatalogueItem("grad_A", "Gradient w.r.t. A", "grad_A f", network.grad_A),
    CatalogueItem("grad_b", "Gradient w.r.t. b", "grad_b f", network.grad_b),
    CatalogueItem("grad_B_Bsigma", "Gradient w.r.t. B", "grad_B (B sigma)", network.grad_B_Bsigma),
    CatalogueItem("grad_B", "Gradient w.r.t. B", "grad_B f", network.grad_B),
    CatalogueItem("direction_A", "Update Direction for A", "update direction for A", network.direction_A),
    CatalogueItem("direction_b", "Update Direction for b", "update direction for b", network.direction_b),
    CatalogueItem("direction_B", "Update Direction for B", "update direction for B", network.direction_B),
    CatalogueItem("efficient_order", "Update Direction for A", "'for efficiency, computation goes this way'",
                  descent.efficient_order),
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
