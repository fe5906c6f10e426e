r"""A classification network: an MLP whose outputs are logits, trained with the softmax cross-entropy.

``classifier([N_y, N_1, ..., C])`` is :func:`~einsteinpy_lite.nets.gradients.mlp` with the loss

.. math::  L = \frac{1}{K} \sum_k \Big( (\textstyle\sum_o x_k^o) \operatorname{logsumexp}(f(y_k))
           - x_{k i} f^i(y_k) \Big) = -\frac{1}{K} \sum_k x_k^\top \operatorname{logsoftmax}(f(y_k)),

where the target ``x_k`` is a distribution over the ``C`` classes (one-hot, or soft labels; the first
form is the cross-entropy for any target, summing to one or not).  Everything else is inherited: the
gradient, the Hessian blocks, Hessian-vector products and diagonals are derived from this loss with
:func:`~einsteinpy_lite.diff` (the log-sum-exp's own rule gives the softmax, the softmax's gives
``diag(p) - p p^T``), and the Gauss-Newton matrix is the generalized one, ``\frac{1}{K} \sum_k
(\sum_o x_k^o) J_k^\top (\operatorname{diag}(p_k) - p_k p_k^\top) J_k`` with ``J_k`` the Jacobian of the
logits and ``p_k = \operatorname{softmax}(f(y_k))``.

Example:
    >>> net = classifier([4, 8, 3])
    >>> net
    <Network classifier: 2 layers (tanh, linear); input y (N_y=4) -> logits f, softmax cross-entropy with target x (C=3); parameters W1 8x4, b1 8, W2 3x8, b2 3 (P=67)>
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x, y = np.eye(3)[rng.integers(0, 3, size=10)], rng.normal(size=(10, 4))  # one-hot targets, inputs
    >>> from einsteinpy_lite import optim
    >>> r = optim.newton_cg(net.objective(x, y), net.init(), max_iter=5)
    >>> bool(r.loss < r.losses[0])
    True
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from ..algebra.diff import avoid_names, diff
from ..algebra.diff_simplify import simplify_derivative
from ..algebra.second_order import collect_factors
from ..core.atoms import Tensor
from ..core.builders import delta, hadamard
from ..core.expr import Expr, Product, Sum, SumOver
from ..core.indices import Index, down, fresh_names, up
from ..core.matrix_functions import MatrixFunction
from ..core.rename import rename_free
from .gradients import _SAMPLE, K, Network, _check_activation, _sample_sum, mlp

__all__ = ["Classifier", "classifier"]


class Classifier(Network):
    """An MLP with the softmax cross-entropy loss: the outputs ``f`` are logits, the target ``x`` a distribution.

    Build one with :func:`classifier`.  ``directions[p]`` is ``-dL/dp``; :meth:`hessian`,
    :meth:`gauss_newton`, :meth:`hvp`, :meth:`ggn_vp`, :meth:`hessian_diagonal` and the numeric helpers
    (``objective``, ``hessian_matrix``, ``hessian_vector``, ...) are those of this loss.
    """

    LOSS = "softmax cross-entropy"

    def __repr__(self) -> str:
        text = super().__repr__()
        if self.sizes is None:
            return text.replace("output f ~ target x", "logits f, softmax cross-entropy with target x")
        return text.replace(f"output f ~ target x (N_x={self.sizes[-1]})",
                            f"logits f, softmax cross-entropy with target x (C={self.sizes[-1]})")

    def _logits(self, names: Sequence[str]) -> Expr:
        return self._forward(names, Index(_SAMPLE, False, True))

    def _mass(self) -> Expr:
        r"""``\sum_o x_k^o``: 1 for a target distribution (kept, so the loss is right for any target)."""
        o = self.loss_indices[-1]
        return SumOver(o, (), Tensor("x", [Index(_SAMPLE, False, True), up(o)]))

    @functools.cached_property
    def loss(self) -> Expr:  # type: ignore[override]
        r"""``L = \frac{1}{K} \sum_k ((\sum_o x_k^o) \operatorname{logsumexp}(f_k) - x_{k i} f_k^i)``."""
        k = Index(_SAMPLE, False, True)
        i, o = self.indices[-1], self.loss_indices[-1]
        f = self._logits(self.indices)
        fit = Product.make(-1, [Tensor("x", [k, up(o)]), delta(down(o), down(i)), f])
        lse = MatrixFunction("logsumexp", self._logits(self.loss_indices))
        return _sample_sum(1 / K, Sum.make([Product.make(1, [self._mass(), lse]), fit]))

    @functools.cached_property
    def directions(self) -> dict[str, Expr]:  # type: ignore[override]
        r"""``d = -dL/dp``: ``\frac{1}{K} \sum_k (x_k - (\sum_o x_k^o) p_k)_i [\nabla_p f_k]^i...``."""
        return {p: simplify_derivative(Product.make(-1, [g])) for p, g in self.loss_grad.items()}

    @functools.cached_property
    def directions_eps(self) -> dict[str, Expr]:  # type: ignore[override]
        """The update directions as printed (:attr:`directions`: there is no residual ``epsilon`` here)."""
        return self.directions

    @functools.cache  # noqa: B019
    def _hessian(self, p: str, q: str, first: int) -> Expr:
        return diff(self.loss_grad[p], self.variable(q, first))

    def _softmax(self, name: str) -> Expr:
        """``p_k^{name} = softmax(f(y_k))``, free index ``name``."""
        logits = self._logits(self.indices)
        return rename_free(MatrixFunction("softmax", logits), {self.output_index: name},
                           avoid=logits.index_names())

    @functools.cache  # noqa: B019
    def gauss_newton(self, p: str, q: str) -> Expr:
        r"""The generalized Gauss-Newton block ``\frac{1}{K} \sum_k m_k J_p^a (\operatorname{diag}(p_k) -
        p_k p_k^\top)_{ab} J_q^b`` (``J`` the Jacobian of the logits, ``m_k = \sum_o x_k^o``)."""
        i, o = self.indices[-1], self.loss_indices[-1]
        dp, dq = self._output_jacobians(p, q)
        taken = dp.index_names() | dq.index_names() | {_SAMPLE}
        (a, b) = _fresh(taken, 2)
        # diag(p): the Hadamard product of J_p's output index with the softmax, then summed against J_q
        diagonal = Product.make(1, [hadamard(dp, self._softmax(i)), delta(down(i), down(o)), dq])
        pa, pb = self._softmax(a), self._softmax(b)
        outer = Product.make(-1, [dp, delta(down(i), down(a)), pa, pb, delta(down(b), down(o)), dq])
        body = Product.make(1, [self._mass(), Sum.make([diagonal, outer])])
        return simplify_derivative(_sample_sum(1 / K, body))

    @functools.cache  # noqa: B019
    def _ggn_vp(self, p: str, q: str | None) -> Expr:
        # J_p^T (diag(s) - s s^T) (J v) per sample, J v one directional derivative of the logits: neither J
        # nor a Gauss-Newton block is formed (the blocks would be len(params)^2 second-order expressions)
        k = Index(_SAMPLE, False, True)
        i, o = self.indices[-1], self.loss_indices[-1]
        first = len(self.variable(p).indices) + 1
        f = self._forward(self.loss_indices, k)
        jv = Sum.make([Product.make(1, [diff(f, self.variable(r, first), simplify=False),
                                        Tensor(f"v{r}", self.variable(r, first).indices)])
                       for r in ([q] if q is not None else self.params)])
        dp = diff(self._forward(self.indices, k), self.variable(p), simplify=False)
        jv = avoid_names(jv, dp.index_names() - {o})
        taken = dp.index_names() | jv.index_names() | {_SAMPLE}
        (a, b) = _fresh(taken, 2)
        sa = self._softmax(a)
        diagonal = Product.make(1, [dp, delta(down(i), down(a)), hadamard(sa, _renamed(jv, o, a))])
        outer = Product.make(-1, [dp, delta(down(i), down(a)), sa, self._softmax(b), delta(down(b), down(o)), jv])
        body = Product.make(1, [self._mass(), Sum.make([diagonal, outer])])
        return collect_factors(simplify_derivative(_sample_sum(1 / K, body)))

def _renamed(e: Expr, old: str, new: str) -> Expr:
    return rename_free(e, {old: new}, avoid=e.index_names())


def _fresh(taken: set[str], n: int) -> tuple[str, ...]:
    return tuple(fresh_names(taken, n, stem="a"))


def classifier(sizes: Sequence[int] | int, activation: str = "tanh") -> Classifier:
    """A classification MLP: ``h_n = act(W_n h_{n-1} + b_n)``, linear logits, softmax cross-entropy loss.

    Args:
        sizes: layer sizes ``[N_y, N_1, ..., C]`` (input size first, number of classes last), or the
            number of layers.
        activation: a registered elementwise function for the hidden layers.

    Example:
        >>> classifier([2, 3]).params
        ('W1', 'b1')
    """
    net = mlp(sizes, activation=_check_activation(activation))
    return Classifier(net.layers, net.indices, net.loss_indices, sizes=None if isinstance(sizes, int) else sizes,
                      name="classifier")
