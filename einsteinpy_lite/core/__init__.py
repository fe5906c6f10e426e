"""The symbolic core: indices, expression nodes, elementwise functions, builders, renaming, errors.

Everything here is a ``sympy.Basic`` node or what builds one; nothing in this layer parses text,
prints, simplifies or compiles (those layers sit above and import it).

Example:
    >>> from einsteinpy_lite.core import tensor
    >>> tensor("A", "^i_j").free
    (^i, _j)
"""

from .atoms import Delta, Tensor
from .builders import apply, delta, hadamard, scalar, sum_over, tensor
from .elementwise import Apply, Diag
from .errors import EinsteinError, UnknownNameError
from .expr import Expr, Product, Sum, SumOver, Zero
from .functions import function_names, get_function, register_function
from .indices import Index, down, fresh_names, up
from .rename import rename_free

__all__ = ["Delta", "Tensor", "Zero", "apply", "delta", "scalar", "sum_over", "hadamard", "tensor", "Apply", "Diag",
           "EinsteinError", "UnknownNameError", "Expr", "Product", "Sum", "SumOver", "function_names", "get_function",
           "register_function", "Index", "down", "up", "fresh_names", "rename_free"]
