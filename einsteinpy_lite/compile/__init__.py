"""The compiler: index expressions to fast cached numeric contractions.

``lower`` (deltas and diagonal tensors as identified indices, common
subexpressions shared) -> ``plan`` (opt_einsum, fewest FLOPs among its
optimizers) -> ``codegen`` (straight-line matmul / multiply code with
contiguous elementwise steps) -> ``runtime`` (the cached callable).

Example:
    >>> import numpy as np
    >>> from einsteinpy_lite import parse
    >>> from einsteinpy_lite.compile import compile
    >>> fn = compile(parse("A^i_j B^j_k y^k"))
    >>> fn(A=np.eye(2), B=2 * np.eye(2), y=np.ones(2)).tolist()
    [2.0, 2.0]
"""

from .lower import python_name
from .runtime import Compiled, Plan, compile

__all__ = ["compile", "Compiled", "Plan", "python_name"]
