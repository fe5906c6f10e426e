"""The compiler: index expressions to fast cached numeric contractions.

``lower`` (deltas and diagonal tensors as identified indices, common
subexpressions shared) -> ``plan`` (opt_einsum, fewest FLOPs among its
optimizers) -> ``codegen`` (straight-line matmul / multiply code with
contiguous elementwise steps) -> ``runtime`` (the cached callable).
``einsum`` puts numpy's ``einsum`` and opt_einsum's ``contract`` / ``contract_path`` /
``contract_expression`` on the same pipeline.

Example:
    >>> import numpy as np
    >>> from einsteinpy_lite import parse
    >>> from einsteinpy_lite.compile import compile
    >>> fn = compile(parse("A^i_j B^j_k y^k"))
    >>> fn(A=np.eye(2), B=2 * np.eye(2), y=np.ones(2)).tolist()
    [2.0, 2.0]
"""

from .einsum_api import ContractExpression, contract, contract_expression, contract_path, einsum
from .lower import python_name
from .rows import limited_threads, set_threads, threads
from .runtime import Compiled, Plan, compile

__all__ = ["compile", "Compiled", "Plan", "python_name", "einsum", "contract", "contract_path", "contract_expression",
           "ContractExpression", "set_threads", "limited_threads", "threads"]
