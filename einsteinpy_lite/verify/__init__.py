"""Verify the lecture slides: their claims checked as a document, and the checks that are not claims.

:func:`slides` runs the catalogue (:mod:`einsteinpy_lite.verify.catalogue`), one entry per formula of
the slides, and returns a :class:`Report`.  The slides' claims are written as the
document ``einsteinpy_lite/data/slides.md`` and judged by the general checker
(:func:`einsteinpy_lite.check`, see :mod:`einsteinpy_lite.verify.document`): each mistake is located by
the line of the document, with the checker's diagnosis and its repair.  What the
document cannot say stays in Python (:mod:`einsteinpy_lite.verify.descent`, :mod:`einsteinpy_lite.verify.shapes`): the
optimizers' behaviour, the chain-rule remark, the shapes written in words, the
labels, forward vs backward gradients and the cost of the contraction order.  The
verdict of an entry -- holds, holds after a correction, differs only in index
variance, fails (or not checked, when a check could not run) -- follows from its
checks and findings.

Example:
    >>> from einsteinpy_lite import verify
    >>> report = verify.slides(["covector"])
    >>> report["covector"].verdict.value
    'holds after a correction'
    >>> [(f.line, f.corrected) for f in report["covector"].findings]
    [(41, 'g_j \\\\text{ for } 0 \\\\leq j < N'), (43, 'g_j y^j = \\\\sum_{j=0}^{N-1} g_j y^j')]
"""

from __future__ import annotations

from collections.abc import Iterable

from ..core.errors import EinsteinError, UnknownNameError
from .catalogue import CATALOGUE, CatalogueItem, keys, run_entry
from .report import FORMATS, Check, Entry, Finding, Report, Verdict

__all__ = ["slides", "Report", "Entry", "Finding", "Check", "Verdict", "FORMATS", "CATALOGUE", "CatalogueItem",
           "keys"]


def slides(only: Iterable[str] | None = None) -> Report:
    """Check every formula of the slides (or only the entries named in ``only``).

    Args:
        only: entry keys (see :func:`keys`); all entries when None.

    Returns:
        The :class:`Report`; ``report.ok`` is False when an entry fails.

    Raises:
        UnknownNameError: an unknown key in ``only`` (an EinsteinError and a KeyError).

    Example:
        >>> report = slides(["grad_b", "covector"])
        >>> [e.key for e in report], report.ok
        (['covector', 'grad_b'], True)
    """
    if isinstance(only, str):
        only = [only]
    try:
        wanted = None if only is None else list(only)
    except TypeError:
        raise EinsteinError(f"only= must be a list of entry keys, got {only!r}", hint=f"the catalogue has {', '.join(keys())}") from None
    if wanted is not None:
        unknown = [k for k in wanted if k not in keys()]
        if unknown:
            raise UnknownNameError(f"unknown entries {unknown}", hint=f"the catalogue has {', '.join(keys())}")
    return Report([run_entry(item) for item in CATALOGUE if wanted is None or item.key in wanted])
