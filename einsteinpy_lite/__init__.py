"""einsteinpy_lite: tensor algebra in Einstein notation -- write, print, compile, differentiate, verify.

>>> import einsteinpy_lite as el
>>> e = el.parse(r"B^i_k \\sigma(A^k_j y^j + b^k)")
>>> el.latex(e)
'B^{i}{}_{k} \\\\sigma(A^{k}{}_{j} y^{j} + b^{k})'
"""

from .compile import compile
from .diff import diff
from .equality import compare, equal
from .errors import EinsteinError
from .evaluate import evaluate
from .expr import (
    Apply,
    Delta,
    Diag,
    Expr,
    Product,
    Sum,
    SumOver,
    Tensor,
    Zero,
    apply,
    delta,
    scalar,
    sum_over,
    tensor,
)
from .functions import function_names, get_function, register_function
from .indices import Index, down, up
from .parse import parse
from .printing import latex, text
from .simplify import canonical, simplify

__version__ = "0.1.0"

__all__ = [
    "EinsteinError", "Expr", "Tensor", "Delta", "Product", "Sum", "SumOver", "Apply", "Diag", "Zero", "Index",
    "parse", "latex", "text", "tensor", "delta", "apply", "scalar", "sum_over", "up", "down",
    "register_function", "get_function", "function_names",
    "simplify", "canonical", "equal", "compare", "evaluate",
    "diff",
    "compile",
]
