"""einsteinpy_lite: tensor algebra in Einstein notation -- write, print, compile, differentiate, verify.

>>> import einsteinpy_lite as el
>>> e = el.parse(r"B^i_k \\sigma(A^k_j y^j + b^k)")
>>> el.latex(e)
'B^{i}{}_{k} \\\\sigma(A^{k}{}_{j} y^{j} + b^{k})'

Architecture
------------
One subpackage per layer; a module imports only from its own layer and the layers below it
(``tests/test_layout.py`` walks every import, those inside functions included, and fails on an
upward import or a cycle). Lowest first:

``core``
    indices (:class:`Index`), expression nodes (``expr``: the base class, products, sums,
    ``\\sum``, zeros; ``atoms``: tensors, deltas; ``elementwise``: function application and
    diagonals), ``builders``, ``rename``, the function registry (``functions``), array
    namespaces (``backend``) and :class:`EinsteinError`. The core never prints: the notation
    layer registers its printers (``core.expr.register_printer``) when imported.
``notation``
    ``parse`` (+ ``grammar.lark``) and ``printing``: text and LaTeX to expressions and back;
    ``matrix`` (+ ``matrix.lark``) and ``matrix_print``: matrix notation in and out.
``algebra``
    ``simplify`` (reading form and canonical form), ``evaluate`` (the reference evaluator),
    ``diff`` (the rule table), ``diff_simplify``, ``second_order`` (Hessian-vector products), ``scopes`` (name bookkeeping of both),
    ``sizes`` (sizes of index spaces no array carries, folded while the user's names stand).
``compile``
    ``lower`` -> ``plan`` -> ``codegen`` (``layout``, ``memory``) -> ``runtime``.
``equality``
    ``equal`` / ``compare``: canonical form, confirmed on numbers.
``nets``
    ``gradients`` (the slides' network, MLPs) and ``objective`` (losses for ``optim``).
``optim``
    ``methods``, ``linesearch``, ``experiments``.
``bench``, ``check``, then ``verify``
    the benchmark harness; the checker of a user's own derivation (``el.check``); the slides' checks,
    which run the checker on the slides written as a document.
``cli``, ``__main__``
    the command line.

This module is the facade: every public name is importable from ``einsteinpy_lite``;
``einsteinpy_lite.gradients``, ``.optim``, ``.verify`` and ``.bench`` load on first use.
"""

from .algebra.diff import diff
from .algebra.evaluate import evaluate
from .algebra.second_order import ggn_vp, hessian_block, hessian_diagonal, hvp
from .algebra.simplify import canonical, simplify
from .check.run import check
from .compile import ContractExpression, compile, contract, contract_expression, contract_path, einsum
from .core.atoms import Delta, Tensor, Zero
from .core.builders import apply, delta, hadamard, scalar, sum_over, tensor
from .core.elementwise import Apply, Diag
from .core.errors import EinsteinError, UnknownNameError
from .core.expr import Expr, Product, Sum, SumOver
from .core.functions import function_names, get_function, register_function
from .core.indices import Index, down, up
from .equality.decide import compare, equal
from .notation.matrix import parse_matrix
from .notation.matrix_print import to_matrix
from .notation.parse import parse
from .notation.printing import latex, text

__version__ = "0.1.0"

# the network models and the optimizers are reached as einsteinpy_lite.gradients / .objective / .optim
# without importing them (and matplotlib, tqdm) with the package


def __getattr__(name: str) -> object:
    import importlib

    where = {"gradients": ".nets.gradients", "objective": ".nets.objective", "optim": ".optim",
             "verify": ".verify", "bench": ".bench"}
    if name in where:
        return importlib.import_module(where[name], __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "EinsteinError", "UnknownNameError", "Expr", "Tensor", "Delta", "Product", "Sum", "SumOver", "Apply", "Diag", "Zero", "Index",
    "parse", "parse_matrix", "to_matrix", "latex", "text", "tensor", "delta", "apply", "scalar", "sum_over",
    "hadamard", "up", "down",
    "register_function", "get_function", "function_names",
    "simplify", "canonical", "equal", "compare", "evaluate",
    "diff", "hvp", "ggn_vp", "hessian_block", "hessian_diagonal", "check",
    "compile", "einsum", "contract", "contract_path", "contract_expression", "ContractExpression",
]
