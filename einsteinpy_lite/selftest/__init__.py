r"""A differential test harness: random index expressions, checked against a numpy oracle of their own.

Layer ``selftest`` (above every other layer).  Modules:

``tree``
    the harness's own expression trees (frozen dataclasses), their text for :func:`~einsteinpy_lite.parse`,
    and a generator of random well-formed trees that reuses names across scopes on purpose.
``oracle``
    the value of a tree with plain numpy (one einsum per product, loops over terms and over a
    ``\sum``'s index, numpy's own functions) -- never the engine's evaluator or compiler.
``checks``
    the checks (``parse``, ``compile``, ``simplify``, ``canonical``, ``equal``, ``diff``), each on one
    seed, returning failures (engine exceptions included) instead of raising.
``runner``
    many seeds, progress, distinct failures with minimized reproducers, the command line
    ``python -m einsteinpy_lite.selftest --minutes N [--seed S] [--cases M] [--checks ...]``.

Example:
    >>> from einsteinpy_lite.selftest import run_check
    >>> run_check("parse", 0)
    []
"""

from .checks import CHECKS, Engine, Failure, Skip, case_tree, run_check
from .runner import Report, main, run, shrink

__all__ = ["CHECKS", "Engine", "Failure", "Skip", "case_tree", "run_check", "Report", "main", "run", "shrink"]
