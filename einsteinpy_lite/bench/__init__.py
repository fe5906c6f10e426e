"""Benchmarks: ``einsteinpy-lite bench`` (contenders side by side in one process) and the gradient figures.

Example:
    >>> from einsteinpy_lite import bench
    >>> sorted(bench.SIZES)
    ['large', 'medium', 'tiny']
"""

from .bench import SIZES, backprop_exprs, format_table, hand_backprop, run_benchmarks

__all__ = ["SIZES", "backprop_exprs", "format_table", "hand_backprop", "run_benchmarks"]
