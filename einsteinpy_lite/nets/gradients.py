"""The slides' network in index notation: its derivative tensors, the MSE loss, its gradient and more.

``single_layer()`` is the network of the slides, ``f^i = B^i_j \\sigma(A^j_l y^l + b^j)``;
``mlp(sizes)`` is the same for any depth (parameters ``W1, b1, W2, b2, ...``).

The slides' letters are kept: **``y`` is the input** (``y_k``, shape ``(K, N_y)``: one row per
training pair) and **``x`` is the target** (``x_k``, shape ``(K, N_x)``), so the network maps
``y -> f(y) ~ x``.  Every method that takes data takes the target ``x`` first, then the input ``y``
(``net.objective(x, y)``, ``net.hessian_matrix(params, x, y)``), as the loss
``\\|x_k - f(y_k)\\|^2`` writes them; ``net.predict(params, y)`` takes only the input.
Everything is derived with :func:`einsteinpy_lite.diff` from ``f`` and the loss,
never written by hand:

* ``grad_y``, ``grad_A``, ``grad_b``, ``grad_B`` (``grads[p]`` for an MLP): the
  derivative tensors of ``f`` (the variable's indices are ``j1, j2``);
* ``loss``: ``L = \\frac{1}{K} \\sum_k \\epsilon_k^i \\delta_{ij} \\epsilon_k^j`` with
  ``\\epsilon_k^i = x_k^i - f^i(y_k)``, and ``loss_grad[p] = dL/dp``;
* ``directions[p]``: ``d = -dL/dp`` in the slides' form,
  ``\\frac{2}{K} \\sum_k \\epsilon_{k i} [\\nabla_p f_k]^i{}_{...}`` (proven equal
  to ``-loss_grad[p]`` by the tests);
* ``hessian(p, q)``, ``jvp(p)``, ``vjp(p)``, and numeric helpers for the
  Jacobian of ``f`` with respect to all parameters (``N_x x P``), the full
  Hessian of the loss and the Gauss-Newton matrix, all from compiled index
  expressions.

>>> from einsteinpy_lite import latex
>>> net = single_layer()
>>> print(latex(net.grad_A, compact=True))
B^{i}{}_{j} [\\nabla\\sigma]^{j}{}_{j_{1}} y^{j_{2}}
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from ..algebra.diff import avoid_names, diff
from ..algebra.diff_simplify import simplify_derivative
from ..algebra.second_order import collect_factors, ggn_vp, hessian_diagonal, hvp
from ..core.atoms import Tensor
from ..core.builders import apply, delta
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, Sum, SumOver, Zero
from ..core.functions import get_function
from ..core.indices import Index, down, up
from ..core.rename import rename_free
from .objective import Objective

__all__ = ["Layer", "Network", "single_layer", "mlp", "K", "Step"]

#: The number of training pairs (the bound of the sample sum).
K = sympy.Symbol("K")  # plain, as the parser reads it, so printed formulas parse back equal
_K_NAME = str(K)
_SAMPLE = "k"


def _sample_sum(coeff: Any, body: Expr) -> Expr:
    """``coeff \\sum_{k=0}^{K-1} body``, the sum over the training pairs; a sum of zeros is zero.

    Folding the zero here keeps ``K`` out of blocks that do not depend on the data (the output
    bias's Hessian block of an MLP is ``2 \\delta``, not ``2 \\delta - (2/K) \\sum_k 0``).

    Example:
        >>> from einsteinpy_lite.core.expr import Zero
        >>> isinstance(_sample_sum(2 / K, Zero([up("i")])), Zero)
        True
    """
    if isinstance(body, Zero):
        return body
    return Product.make(coeff, [SumOver(_SAMPLE, (0, K - 1), body)])


def _one_sample_sum(e: Expr) -> Expr:
    """A vector written as several sums over the samples, as one: ``\\sum_k a + \\sum_k b = \\sum_k (a + b)``.

    Only for results with at most one free index (a bias's row): each summand then has the size of
    the activations (``K x N``), so the sum of the summands is one array, shared with the weight's
    row that contracts the same summands with the inputs, and one column sum.  A matrix's summands
    stay apart: each is a matrix product over ``k``, where their sum would be a ``K x N x M`` array.

    Example:
        >>> from einsteinpy_lite import parse
        >>> str(_one_sample_sum(parse(r"\\sum_{k=0}^{K-1} x_k^i + \\sum_{k=0}^{K-1} 2 y_k^i")))
        '\\\\sum_{k=0}^{K - 1} (x_k^i + 2 y_k^i)'
    """
    if not isinstance(e, Sum) or len(e.free) > 1:
        return e
    sums = e.terms
    if not all(isinstance(t, SumOver) for t in sums) or len({(t.index_name, t.bounds) for t in sums}) != 1:
        return e
    first = sums[0]
    assert isinstance(first, SumOver)
    return SumOver.make(first.index_name, first.bounds, Sum.make([t.body for t in sums]))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Layer:
    """One layer ``h' = act(W h + b)``: weight name, bias name (or None), activation (or None: linear)."""

    weight: str
    bias: str | None
    activation: str | None


class Network:
    """A feed-forward network in index notation with its derivative tensors and the MSE loss.

    The input is ``y`` and the target ``x`` (the slides' letters): see the module docstring.

    Args:
        layers: the layers, input to output.
        indices: index names, input first, output last (one more than layers).
        loss_indices: a second set of index names for the second copy of
            ``\\epsilon`` in the loss.
        sizes: the layer sizes ``[N_y, ..., N_x]`` when known (else set by :meth:`init`).
        name: what built it (``"single_layer"``, ``"mlp"``), for ``repr``.

    Attributes:
        f: ``f^i(y)`` for one input ``y^l``.
        params: parameter names in order (``A, b, B`` or ``W1, b1, ...``).
        sizes: the layer sizes ``[N_y, ..., N_x]``, or None until given to :meth:`init`.

    Example:
        >>> mlp([3, 4, 2])
        <Network mlp: 2 layers (tanh, linear); input y (N_y=3) -> output f ~ target x (N_x=2); parameters W1 4x3, b1 4, W2 2x4, b2 2 (P=26)>
    """

    #: what the loss is (in ``objective``'s description)
    LOSS = "MSE"

    def __init__(self, layers: Sequence[Layer], indices: Sequence[str], loss_indices: Sequence[str],
                 sizes: Sequence[int] | None = None, name: str = "network") -> None:
        if len(indices) != len(layers) + 1 or len(loss_indices) != len(layers) + 1:
            raise EinsteinError("internal: a network needs one index name per layer plus one")
        self.name = name
        self.layers = tuple(layers)
        self.indices = tuple(indices)
        self.loss_indices = tuple(loss_indices)
        params: list[str] = []
        for layer in self.layers:
            params.append(layer.weight)
            if layer.bias:
                params.append(layer.bias)
        self.params = tuple(params)
        self.f = self._forward(self.indices, sample=None)
        self.sizes: list[int] | None = None
        if sizes is not None:
            self.shapes(sizes)  # checks them
            self.sizes = _layer_sizes(sizes)

    def __repr__(self) -> str:
        n = len(self.layers)
        acts = ", ".join(layer.activation or "linear" for layer in self.layers)
        head = f"<Network {self.name}: {n} layer{'s' * (n != 1)} ({acts})"
        if self.sizes is None:
            return (f"{head}; input y -> output f ~ target x; parameters {', '.join(self.params)} "
                    f"(sizes not set: net.init([N_y, ..., N_x])); f^{self.output_index} = {self.f}>")
        shapes = self.shapes(self.sizes)
        params = ", ".join(f"{p} {'x'.join(map(str, s))}" for p, s in shapes.items())
        total = sum(int(np.prod(s)) for s in shapes.values())
        return (f"{head}; input y (N_y={self.sizes[0]}) -> output f ~ target x (N_x={self.sizes[-1]}); "
                f"parameters {params} (P={total})>")

    # ------------------------------------------------------------ building blocks
    def _forward(self, names: Sequence[str], sample: Index | None) -> Expr:
        h: Expr = Tensor("y", ([sample] if sample is not None else []) + [up(names[0])])
        for n, layer in enumerate(self.layers, 1):
            z: Expr = Tensor(layer.weight, [up(names[n]), down(names[n - 1])]) * h
            if layer.bias:
                z = z + Tensor(layer.bias, [up(names[n])])
            h = apply(layer.activation, z) if layer.activation else z
        return h

    def _epsilon(self, names: Sequence[str], sample: Index) -> Expr:
        return Tensor("x", [sample, up(names[-1])]) - self._forward(names, sample)

    @property
    def output_index(self) -> str:
        """The free index of ``f`` (``i``)."""
        return self.indices[-1]

    @functools.cached_property
    def epsilon(self) -> Expr:
        """``\\epsilon_k^i = x_k^i - f^i(y_k)``, the error of sample ``k`` (``k`` as bound by the loss's sum)."""
        return self._epsilon(self.indices, Index(_SAMPLE, False, True))

    @functools.cached_property
    def loss(self) -> Expr:
        """``L = \\frac{1}{K} \\sum_{k=0}^{K-1} \\epsilon_k^i \\delta_{ij} \\epsilon_k^j`` (MSE over K samples)."""
        k = Index(_SAMPLE, False, True)
        i, p = self.indices[-1], self.loss_indices[-1]
        body = self._epsilon(self.indices, k) * delta(down(i), down(p)) * self._epsilon(self.loss_indices, k)
        return _sample_sum(1 / K, body)

    def variable(self, name: str, first: int = 1) -> Tensor:
        """The variable ``name`` with fresh indices ``j<first>, j<first+1>, ...`` (its slots as in ``f``).

        Example:
            >>> str(single_layer().variable("A"))
            'A^j1_j2'
        """
        if name == "y":
            pattern: tuple[bool, ...] = (True,)
        elif name in self.params:
            pattern = self.f.tensors()[name]
        else:
            raise EinsteinError(
                f"unknown parameter {name!r}; this network has {', '.join(self.params)} (and the input y)",
                hint="use one of the parameter names",
            )
        return Tensor(name, [Index(f"j{first + n}", is_up) for n, is_up in enumerate(pattern)])

    # ------------------------------------------------------------ derivatives
    def grad(self, name: str) -> Expr:
        """``[\\nabla_p f]``: the derivative of ``f`` with respect to a parameter (or ``"y"``)."""
        return self._grad(name)

    @functools.cache  # noqa: B019 - networks are few and long-lived
    def _grad(self, name: str) -> Expr:
        return diff(self.f, self.variable(name))

    @functools.cached_property
    def grads(self) -> dict[str, Expr]:
        """``[\\nabla_p f]`` for every parameter."""
        return {p: self.grad(p) for p in self.params}

    def __getattr__(self, name: str) -> Expr:
        """``net.grad_A``, ``net.grad_W1``, ...: :meth:`grad` of that parameter."""
        if name.startswith("grad_") and name[5:] in self.__dict__.get("params", ()):
            return self.grad(name[5:])
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def grad_y(self) -> Expr:
        """``[\\nabla_y f]^i{}_{j_1}``, the derivative with respect to the input."""
        return self.grad("y")

    @functools.cached_property
    def loss_grad(self) -> dict[str, Expr]:
        """``dL/dp`` for every parameter, derived from :attr:`loss`."""
        return {p: diff(self.loss, self.variable(p)) for p in self.params}

    @functools.cached_property
    def directions(self) -> dict[str, Expr]:
        """``d = -dL/dp`` in the slides' form ``\\frac{2}{K} \\sum_k \\epsilon_{k i} [\\nabla_p f_k]^i...``.

        ``\\epsilon`` is written out (``x_k^i - f^i(y_k)``) so that the directions
        compile; :attr:`directions_eps` keeps it as a tensor for printing.
        """
        k = Index(_SAMPLE, False, True)
        i, p = self.indices[-1], self.loss_indices[-1]
        eps = self._epsilon(self.indices, k)
        taken = eps.index_names() | {_SAMPLE}
        out = {}
        for name in self.params:
            df = diff(self._forward(self.loss_indices, k), self.variable(name), simplify=False)
            # the metric stays explicit (epsilon_i = delta_{ip} epsilon^p): lowering B's slot beside
            # the B^i_j inside epsilon would use one tensor with two slot patterns
            body = avoid_names(simplify_derivative(eps * delta(down(i), down(p)) * df), taken - eps.index_names())
            out[name] = _sample_sum(2 / K, body)
        return out

    @functools.cached_property
    def directions_eps(self) -> dict[str, Expr]:
        """:attr:`directions` with ``\\epsilon_{k i}`` as a tensor: the slides' update directions verbatim.

        Example:
            >>> from einsteinpy_lite import latex
            >>> print(latex(single_layer().directions_eps["b"], compact=True))
            \\frac{2}{K} \\sum_{k=0}^{K - 1} \\epsilon_{k i} B^{i}{}_{j} [\\nabla\\sigma]^{j}{}_{j_{1}}
        """
        k = Index(_SAMPLE, False, True)
        eps = Tensor(r"\epsilon", [k, down(self.output_index)])
        out = {}
        for name in self.params:
            df = avoid_names(diff(self._forward(self.indices, k), self.variable(name)), {_SAMPLE})
            out[name] = simplify_derivative(_sample_sum(2 / K, eps * df))
        return out

    def hessian(self, p: str, q: str | None = None) -> Expr:
        """``d^2 L / dp dq``: free indices ``p``'s slots (``j1, j2``) then ``q``'s (``j3, j4``).

        Example:
            >>> [ix.name for ix in single_layer().hessian("A").free]
            ['j1', 'j2', 'j3', 'j4']
        """
        q = p if q is None else q
        first = len(self.variable(p).indices) + 1
        out = self._hessian(p, q, first)
        names = [ix.name for ix in out.free]
        want = [f"j{n}" for n in range(1, len(names) + 1)]
        half = first - 1
        if p == q and names == want[half:] + want[:half]:
            # d2L/dp dp is symmetric: swapping the two halves of the names is the same tensor
            out = rename_free(out, dict(zip(want, want[half:] + want[:half])))
        return out

    @functools.cache  # noqa: B019
    def _hessian(self, p: str, q: str, first: int) -> Expr:
        # d/dq of dL/dp = -(2/K) sum_k eps_i df_k^i/dp: the Gauss-Newton term (from d eps) minus
        # (2/K) sum_k eps_i d2f_k^i/dp dq, with eps kept as one factor so that it is computed once
        k = Index(_SAMPLE, False, True)
        i, o = self.indices[-1], self.loss_indices[-1]
        d1 = diff(self._forward(self.loss_indices, k), self.variable(p), simplify=False)
        d2 = diff(d1, self.variable(q, first), simplify=False)
        eps = self._epsilon(self.indices, k)
        # the metric stays explicit beside epsilon (see directions)
        body = avoid_names(simplify_derivative(eps * delta(down(i), down(o)) * d2), {_SAMPLE})
        curvature = _sample_sum(-2 / K, body)
        return self.gauss_newton(p, q) + curvature

    def jvp(self, p: str) -> Expr:
        """Forward mode: ``[\\nabla_p f]`` applied to a tangent ``dp`` (tensor ``d<p>``), free ``i``."""
        var = self.variable(p)
        return simplify_derivative(self.grad(p) * Tensor(f"d{p}", var.indices))

    def vjp(self, p: str) -> Expr:
        """Backward mode: a cotangent ``u_i`` applied to ``[\\nabla_p f]``, free: ``p``'s slots flipped."""
        return simplify_derivative(Tensor("u", [down(self.output_index)]) * self.grad(p))

    def loss_jvp(self, p: str) -> Expr:
        """``dL`` along a tangent ``d<p>`` (a scalar): one forward-mode pass gives one directional derivative."""
        var = self.variable(p)
        return simplify_derivative(self.loss_grad[p] * Tensor(f"d{p}", var.indices))

    @functools.cache  # noqa: B019
    def gauss_newton(self, p: str, q: str) -> Expr:
        """The Gauss-Newton block ``\\frac{2}{K} \\sum_k [\\nabla_p f_k]^i \\delta_{ij} [\\nabla_q f_k]^j``."""
        i, o = self.indices[-1], self.loss_indices[-1]
        dp, dq = self._output_jacobians(p, q)
        return simplify_derivative(_sample_sum(2 / K, dp * delta(down(i), down(o)) * dq))

    def _output_jacobians(self, p: str, q: str) -> tuple[Expr, Expr]:
        """``[\\nabla_p f_k]`` (output index ``i``, ``p``'s slots ``j1..``) and ``[\\nabla_q f_k]`` (output index of
        the loss's second copy, ``q``'s slots after ``p``'s), per sample ``k``, their dummies apart."""
        k = Index(_SAMPLE, False, True)
        first = len(self.variable(p).indices) + 1
        dp = diff(self._forward(self.indices, k), self.variable(p), simplify=False)
        dq = diff(self._forward(self.loss_indices, k), self.variable(q, first), simplify=False)
        return dp, avoid_names(dq, dp.index_names() - {ix.name for ix in dq.free})

    # ------------------------------------------------------------ second order without the Hessian
    def vector(self, q: str) -> Tensor:
        """The tangent along parameter ``q`` of :meth:`hvp` and :meth:`ggn_vp`: the tensor ``v<q>`` (``vA``).

        Example:
            >>> str(single_layer().vector("A"))
            '\\\\mathrm{vA}^j1_j2'
        """
        var = self.variable(q)
        return Tensor(f"v{q}", var.indices)

    def _vectors(self, q: str | None) -> dict[str, Tensor]:
        if q is not None:
            return {q: self.vector(q)}
        return {r: self.vector(r) for r in self.params}

    def hvp(self, p: str, q: str | None = None) -> Expr:
        """The Hessian-vector product of the loss, row ``p``: ``\\sum_q d^2L/dp\\,dq \\cdot v_q`` (or one block ``q``).

        The tangents are the tensors :meth:`vector` (``vA``, ``vb``, ...): with ``q=None`` the
        product with the whole vector (every parameter's block), else the block ``H_{pq} v_q``.
        Free indices: ``p``'s slots (``j1, j2``), as :meth:`grad`.

        Example:
            >>> [ix.name for ix in single_layer().hvp("A").free]
            ['j1', 'j2']
        """
        return self._hvp(p, q)

    @functools.cache  # noqa: B019
    def _hvp(self, p: str, q: str | None) -> Expr:
        return _one_sample_sum(hvp(self.loss, self.variable(p), self._vectors(q)))

    def hessian_diagonal(self, p: str) -> Expr:
        """The diagonal of the loss's Hessian block ``(p, p)``: ``d^2L / dp^2`` entry by entry, free ``p``'s slots.

        Written with kept indices (:func:`einsteinpy_lite.hessian_diagonal`): compiled, the Hessian
        block itself is never an array.

        Example:
            >>> [ix.name for ix in single_layer().hessian_diagonal("A").free]
            ['j1', 'j2']
        """
        return self._hessian_diagonal(p)

    @functools.cache  # noqa: B019
    def _hessian_diagonal(self, p: str) -> Expr:
        return hessian_diagonal(self.loss, self.variable(p))

    @functools.cache  # noqa: B019
    def _diagonal_step(self) -> Step:
        dims: dict[str, tuple[str, int]] = {}
        for p in self.params:
            dims.update(self._dims(p))
        return Step({p: self.hessian_diagonal(p) for p in self.params}, {p: self._names(p) for p in self.params}, dims)

    def hessian_diagonal_values(self, params: Mapping[str, Any], x: Any, y: Any) -> dict[str, np.ndarray]:
        """The Hessian's diagonal for every parameter at once (compiled :meth:`hessian_diagonal`), shaped like them.

        Example:
            >>> net = mlp([2, 3, 1])
            >>> p = net.init()
            >>> x, y = np.ones((4, 1)), np.ones((4, 2))
            >>> d = net.hessian_diagonal_values(p, x, y)
            >>> bool(np.allclose(net.flat(d), np.diag(net.hessian_matrix(p, x, y))))
            True
        """
        self._check_params(params)
        xa, ya = self._data(x, y)
        out = self._diagonal_step()(**params, x=xa, y=ya)
        return {p: np.asarray(out[p], dtype=float).reshape(np.shape(params[p])) for p in self.params}

    def ggn_vp(self, p: str, q: str | None = None) -> Expr:
        """The Gauss-Newton-vector product, row ``p``: ``\\frac{2}{K} J_p^T \\sum_q J_q v_q`` (or one block ``q``).

        ``J`` is the Jacobian of the residual ``\\epsilon_k^i`` (all samples), so this is
        :meth:`gauss_newton` contracted with the tangents :meth:`vector`, without forming it.

        Example:
            >>> [ix.name for ix in single_layer().ggn_vp("b").free]
            ['j1']
        """
        return self._ggn_vp(p, q)

    @functools.cache  # noqa: B019
    def _ggn_vp(self, p: str, q: str | None) -> Expr:
        # per sample (k bound by the sample sum, as in directions), then summed over the samples
        residual = self._epsilon(self.indices, Index(_SAMPLE, False, True))
        out = ggn_vp(residual, self.variable(p), self._vectors(q))
        return collect_factors(simplify_derivative(_sample_sum(2 / K, avoid_names(out, {_SAMPLE}))))

    def forward_vs_backward(self, sizes: Sequence[int]) -> dict[str, Any]:
        """FLOPs of the whole gradient of a scalar loss by forward mode vs backward mode (compiler plans).

        Forward mode pushes one tangent ``dp`` through ``f`` per call (:meth:`jvp`), so the
        gradient needs one call per parameter entry; backward mode pulls the cotangent
        ``u_i = -\\frac{2}{K}\\epsilon_i`` back once (:meth:`vjp`) and gets every entry.

        Args:
            sizes: layer sizes ``[N_y, ..., N_x]``.

        Returns:
            ``{"jvp": {p: flops}, "vjp": {p: flops}, "forward": total, "backward": total,
            "ratio": forward / backward, "P": number of parameters}`` for one sample.
        """
        shapes: dict[str, tuple[int, ...]] = dict(self.shapes(sizes))
        shapes["y"] = (sizes[0],)
        shapes["u"] = (sizes[-1],)
        jvp: dict[str, int] = {}
        vjp: dict[str, int] = {}
        for p in self.params:
            shapes[f"d{p}"] = shapes[p]
            jvp[p] = _flops(self.jvp(p), shapes)
            vjp[p] = _flops(self.vjp(p), shapes)
        forward = sum(int(np.prod(shapes[p])) * jvp[p] for p in self.params)
        backward = _flops({p: self.vjp(p) for p in self.params}, shapes)
        return {"jvp": jvp, "vjp": vjp, "forward": forward, "backward": backward,
                "ratio": forward / max(backward, 1), "P": sum(int(np.prod(shapes[p])) for p in self.params)}

    # ------------------------------------------------------------ numbers
    def compile(self) -> Step:
        """One callable for the loss and every update direction: ``step(A=, b=, B=, x=, y=)``.

        ``x`` (the targets) is ``(K, N_x)``, ``y`` (the inputs) is ``(K, N_y)``; the result is a dict with
        ``"loss"`` and ``"d_<p>"`` for every parameter, each shaped like it.
        """
        exprs = {"loss": self.loss}
        order: dict[str, tuple[str, ...]] = {"loss": ()}
        for p in self.params:
            exprs[f"d_{p}"] = self.directions[p]
            order[f"d_{p}"] = self._names(p)
        return Step(exprs, order, {})

    def compile_hvp(self) -> Step:
        """One callable for ``H v`` of every parameter: ``step(A=, b=, B=, vA=, vb=, vB=, x=, y=)``.

        The tangents are named as :meth:`vector` gives them; the result has one entry per
        parameter, shaped like it (:meth:`hessian_vector` wraps it with checks).

        Example:
            >>> sorted(mlp([2, 3, 1]).compile_hvp().exprs)
            ['W1', 'W2', 'b1', 'b2']
        """
        return self._product_step("hvp")

    def _names(self, p: str, first: int = 1) -> tuple[str, ...]:
        return tuple(ix.name for ix in self.variable(p, first).indices)

    def _dims(self, p: str, first: int = 1) -> dict[str, tuple[str, int]]:
        return {name: (p, n) for n, name in enumerate(self._names(p, first))}

    def shapes(self, sizes: Sequence[int]) -> dict[str, tuple[int, ...]]:
        """Parameter shapes for layer sizes ``[N_y, N_1, ..., N_x]``.

        Example:
            >>> single_layer().shapes([3, 4, 2])
            {'A': (4, 3), 'b': (4,), 'B': (2, 4)}
        """
        sizes = _layer_sizes(sizes)
        if len(sizes) != len(self.layers) + 1:
            raise EinsteinError(f"this network needs {len(self.layers) + 1} sizes, got {len(sizes)}")
        out: dict[str, tuple[int, ...]] = {}
        for n, layer in enumerate(self.layers, 1):
            out[layer.weight] = (sizes[n], sizes[n - 1])
            if layer.bias:
                out[layer.bias] = (sizes[n],)
        return out

    def init(self, sizes: Sequence[int] | None = None, seed: int = 0, scale: float = 1.0) -> dict[str, np.ndarray]:
        """Random parameters (normal, variance ``scale / fan_in``) for layer sizes ``[N_y, ..., N_x]``.

        Args:
            sizes: the layer sizes, input size ``N_y`` first, output (target) size ``N_x`` last;
                remembered by the network (:attr:`sizes`). None: the sizes the network was
                built with or last initialized with.
            seed: the random seed.
            scale: the variance times the fan-in.

        Example:
            >>> net = mlp([3, 4, 2])
            >>> {p: v.shape for p, v in net.init().items()}
            {'W1': (4, 3), 'b1': (4,), 'W2': (2, 4), 'b2': (2,)}
            >>> net = single_layer()
            >>> _ = net.init([3, 5, 2]); net.sizes
            [3, 5, 2]
        """
        if sizes is None:
            if self.sizes is None:
                raise EinsteinError(f"{self.name}: no layer sizes yet: pass them once, "
                                    f"net.init([N_y, ..., N_x]) with {len(self.layers) + 1} sizes",
                                    hint="e.g. net.init([3, 8, 2]) for a 3-dimensional input y and a 2-dimensional target x")
            sizes = self.sizes
        shapes = self.shapes(sizes)
        self.sizes = _layer_sizes(sizes)
        rng = np.random.default_rng(seed)
        return {p: rng.normal(size=s) * np.sqrt(scale / (s[-1] if len(s) == 2 else 1)) for p, s in shapes.items()}

    def _data(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """The target ``x`` ``(K, N_x)`` and input ``y`` ``(K, N_y)`` as float arrays, checked."""
        arrays = []
        for name, what, value, axis in (("x", "target", x, -1), ("y", "input", y, 0)):
            try:
                a = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise EinsteinError(f"the {what} {name} must be numbers, got {type(value).__name__}",
                                    hint=f"{name} is a (K, N_{name}) array, one row per training pair") from None
            if a.ndim != 2:
                raise EinsteinError(f"the {what} {name} must be a (K, N_{name}) array (one row per training pair), "
                                    f"got shape {a.shape}", hint=f"for one pair use {name}[None, :]")
            if self.sizes is not None and a.shape[1] != self.sizes[axis]:
                raise EinsteinError(f"the {what} {name} has {a.shape[1]} columns, this network's "
                                    f"{'output' if axis else 'input'} size N_{name} is {self.sizes[axis]}",
                                    hint="the target x comes first, then the input y: net.objective(x, y)")
            arrays.append(a)
        xa, ya = arrays
        if xa.shape[0] != ya.shape[0]:
            raise EinsteinError(f"the target x has {xa.shape[0]} rows and the input y {ya.shape[0]}: "
                                f"both need one row per training pair (K rows)", hint="x is (K, N_x), y is (K, N_y)")
        return xa, ya

    def predict(self, params: Mapping[str, Any], y: Any) -> np.ndarray:
        """The forward pass ``f(y)`` on a batch of inputs ``y`` ``(K, N_y)`` (or one input ``(N_y,)``).

        Returns:
            The outputs, ``(K, N_x)`` (or ``(N_x,)`` for one input), to compare with the targets ``x``.

        Example:
            >>> net = mlp([3, 4, 2])
            >>> net.predict(net.init(), np.zeros((5, 3))).shape
            (5, 2)
        """
        self._check_params(params)
        try:
            h = np.asarray(y, dtype=float)
        except (TypeError, ValueError):
            raise EinsteinError(f"the input y must be numbers, got {type(y).__name__}",
                                hint="y is a (K, N_y) array, one row per input") from None
        if h.ndim not in (1, 2):
            raise EinsteinError(f"the input y must be (K, N_y) or (N_y,), got shape {h.shape}")
        one = h.ndim == 1
        h = np.atleast_2d(h)
        for layer in self.layers:
            W = np.asarray(params[layer.weight], dtype=float)
            if W.ndim != 2 or W.shape[1] != h.shape[1]:
                what = "the input y" if layer is self.layers[0] else "the layer below"
                raise EinsteinError(f"{layer.weight} has shape {W.shape}, {what} has {h.shape[1]} entries per row",
                                    hint="net.init(sizes) makes parameters of matching shapes")
            z = h @ W.T + (np.asarray(params[layer.bias], dtype=float) if layer.bias else 0.0)
            h = get_function(layer.activation).implementation(0)(z, np) if layer.activation else z
        return h[0] if one else h

    def objective(self, x: Any, y: Any) -> Objective:
        """The MSE loss on the pairs (target ``x_k``, input ``y_k``) as an :class:`~.objective.Objective`.

        Loss and gradient come from the compiled :meth:`compile` step (the gradient is ``-d``), the
        Hessian from the compiled blocks (:meth:`hessian_matrix`), so every method of
        :mod:`einsteinpy_lite.optim` takes it, ``newton`` included.

        Args:
            x: the targets, ``(K, N_x)``.
            y: the inputs, ``(K, N_y)``.

        Example:
            >>> from einsteinpy_lite import optim
            >>> net = mlp([2, 3, 1])
            >>> rng = np.random.default_rng(0)
            >>> x, y = rng.normal(size=(8, 1)), rng.normal(size=(8, 2))  # targets x, inputs y
            >>> r = optim.gradient_descent(net.objective(x, y), net.init(), alpha=0.1, max_iter=20)
            >>> bool(r.loss < r.losses[0])
            True
        """
        xa, ya = self._data(x, y)
        step = self.compile()

        def value_and_grad(p: Mapping[str, Any]) -> tuple[float, dict[str, np.ndarray]]:
            self._check_params(p)
            out = step(**{k: p[k] for k in self.params}, x=xa, y=ya)
            return float(out["loss"]), {k: -np.asarray(out[f"d_{k}"]) for k in self.params}

        return Objective(lambda p: value_and_grad(p)[0], lambda p: value_and_grad(p)[1],
                         hessian=lambda p: self.hessian_matrix(p, xa, ya),
                         hvp=lambda p, v: self.hessian_vector(p, v, xa, ya), value_and_grad=value_and_grad,
                         names=self.params, description=f"{self.LOSS} of the {self.name} net on K={xa.shape[0]} pairs")

    def flat(self, params: Mapping[str, Any]) -> np.ndarray:
        """The parameter vector ``theta`` (all parameters flattened, in :attr:`params` order)."""
        self._check_params(params)
        return np.concatenate([np.asarray(params[p], dtype=float).ravel() for p in self.params])

    def _check_params(self, params: Mapping[str, Any]) -> None:
        missing = [p for p in self.params if not isinstance(params, Mapping) or p not in params]
        if missing:
            raise EinsteinError(f"missing parameter{'s' * (len(missing) > 1)} {', '.join(missing)}: this network's "
                                f"parameters are {', '.join(self.params)}", hint="pass a dict of arrays by name, "
                                "e.g. net.init(sizes)")

    def jacobian(self, params: Mapping[str, Any], y: Any) -> np.ndarray:
        """``\\nabla_\\theta f(y)`` for one input ``y`` (``N_y``): the ``N_x x P`` "function gradient".

        Example:
            >>> net = mlp([2, 3, 1])
            >>> net.jacobian(net.init(), np.ones(2)).shape
            (1, 13)
        """
        self._check_params(params)
        out = self._jacobian_step()(**params, y=np.asarray(y, dtype=float))
        return np.concatenate([out[p].reshape(out[p].shape[0], -1) for p in self.params], axis=1)

    @functools.cache  # noqa: B019 - networks are few and long-lived
    def _jacobian_step(self) -> Step:
        order = {p: (self.output_index, *self._names(p)) for p in self.params}
        dims = {self.output_index: (self.layers[-1].weight, 0)}
        for p in self.params:
            dims.update(self._dims(p))
        return Step({p: self.grad(p) for p in self.params}, order, dims)

    @functools.cache  # noqa: B019
    def _block_step(self, kind: str, p: str, q: str) -> Step:
        first = len(self._names(p)) + 1
        expr = self.hessian(p, q) if kind == "hessian" else self.gauss_newton(p, q)
        return Step({"block": expr}, {"block": self._names(p) + self._names(q, first)},
                    {**self._dims(p), **self._dims(q, first)})

    def _matrix(self, kind: str, params: Mapping[str, Any], x: Any, y: Any) -> np.ndarray:
        self._check_params(params)
        xa, ya = self._data(x, y)
        arrays = {**params, "x": xa, "y": ya}
        sizes = [int(np.prod(np.shape(params[p]))) for p in self.params]
        blocks: dict[tuple[int, int], np.ndarray] = {}
        for a, p in enumerate(self.params):
            for c, q in enumerate(self.params[a:], a):
                blocks[a, c] = self._block_step(kind, p, q)(**arrays)["block"].reshape(sizes[a], sizes[c])
                # both matrices are symmetric: the block (q, p) is the transpose of (p, q)
                blocks[c, a] = blocks[a, c].T
        return np.block([[blocks[a, c] for c in range(len(sizes))] for a in range(len(sizes))])

    def hessian_matrix(self, params: Mapping[str, Any], x: Any, y: Any) -> np.ndarray:
        """The full Hessian of the loss, ``P x P``, from the compiled blocks ``hessian(p, q)``.

        Args:
            params: the parameters by name.
            x: the targets, ``(K, N_x)``.
            y: the inputs, ``(K, N_y)``.

        Example:
            >>> net = mlp([2, 3, 1])
            >>> net.hessian_matrix(net.init(), np.ones((4, 1)), np.ones((4, 2))).shape
            (13, 13)
        """
        return self._matrix("hessian", params, x, y)

    @functools.cache  # noqa: B019
    def _product_step(self, kind: str) -> Step:
        build = self.hvp if kind == "hvp" else self.ggn_vp
        exprs = {p: build(p) for p in self.params}
        dims: dict[str, tuple[str, int]] = {}
        for p in self.params:
            dims.update(self._dims(p))
        return Step(exprs, {p: self._names(p) for p in self.params}, dims)

    def _product(self, kind: str, params: Mapping[str, Any], v: Mapping[str, Any], x: Any, y: Any) -> dict[str, np.ndarray]:
        self._check_params(params)
        what = "Hessian" if kind == "hvp" else "Gauss-Newton"
        missing = [p for p in self.params if not isinstance(v, Mapping) or p not in v]
        if missing:
            raise EinsteinError(f"the vector of the {what}-vector product misses the parameter block"
                                f"{'s' * (len(missing) > 1)} {', '.join(missing)}: it needs one array per "
                                f"parameter ({', '.join(self.params)})",
                                hint="pass a dict shaped like the parameters, e.g. {p: np.zeros_like(a) for p, a in params.items()}")
        vectors = {}
        for p in self.params:
            try:
                a = np.asarray(v[p], dtype=float)
            except (TypeError, ValueError):
                raise EinsteinError(f"the vector's block {p} must be numbers, got {type(v[p]).__name__}") from None
            if a.shape != np.shape(params[p]):
                raise EinsteinError(f"the vector's block {p} has shape {a.shape}, the parameter {p} has shape "
                                    f"{np.shape(params[p])}", hint="each block of the vector is shaped like its parameter")
            vectors[f"v{p}"] = a
        xa, ya = self._data(x, y)
        out = self._product_step(kind)(**params, **vectors, x=xa, y=ya)
        return {p: np.asarray(out[p], dtype=float).reshape(np.shape(params[p])) for p in self.params}

    def hessian_vector(self, params: Mapping[str, Any], v: Mapping[str, Any], x: Any, y: Any) -> dict[str, np.ndarray]:
        """``H v`` for every parameter at once (compiled :meth:`hvp`), never forming the Hessian.

        Args:
            params: the parameters by name.
            v: the vector, one array per parameter, shaped like it.
            x: the targets, ``(K, N_x)``.
            y: the inputs, ``(K, N_y)``.

        Returns:
            ``H v`` by parameter name, each shaped like the parameter.

        Example:
            >>> net = mlp([2, 3, 1])
            >>> p = net.init()
            >>> x, y = np.ones((4, 1)), np.ones((4, 2))
            >>> hv = net.hessian_vector(p, p, x, y)
            >>> bool(np.allclose(net.flat(hv), net.hessian_matrix(p, x, y) @ net.flat(p)))
            True
        """
        return self._product("hvp", params, v, x, y)

    def gauss_newton_vector(self, params: Mapping[str, Any], v: Mapping[str, Any], x: Any, y: Any) -> dict[str, np.ndarray]:
        """The Gauss-Newton matrix times ``v`` for every parameter at once (compiled :meth:`ggn_vp`).

        Args:
            params: the parameters by name.
            v: the vector, one array per parameter, shaped like it.
            x: the targets, ``(K, N_x)``.
            y: the inputs, ``(K, N_y)``.
        """
        return self._product("ggn_vp", params, v, x, y)

    def gauss_newton_matrix(self, params: Mapping[str, Any], x: Any, y: Any) -> np.ndarray:
        """The Gauss-Newton matrix ``\\frac{2}{K} \\sum_k J_k^T J_k``, ``P x P``, from compiled blocks.

        Args:
            params: the parameters by name.
            x: the targets, ``(K, N_x)``.
            y: the inputs, ``(K, N_y)``.
        """
        return self._matrix("gauss_newton", params, x, y)


class Step:
    """Compiled outputs (one :func:`einsteinpy_lite.compile` of a dict), axes in a given index order.

    The sizes of indices that only a delta carries (``N_j1`` in
    ``\\delta_{j_1 j_3}``) are read from the parameter arrays; ``K`` from the
    data's sample axis (the rows of the target ``x`` or the input ``y``), so it is
    known even where no array of the expression carries the sample index.
    """

    #: the data arrays whose first axis is the sample axis ``k`` (of size ``K``)
    SAMPLES = ("x", "y")

    def __init__(self, exprs: Mapping[str, Expr], order: Mapping[str, tuple[str, ...]],
                 dims: Mapping[str, tuple[str, int]]) -> None:
        import importlib

        compile_fn = importlib.import_module("..compile", __package__).compile
        self.exprs = dict(exprs)
        self.order = {k: tuple(v) for k, v in order.items()}
        self.dims = dict(dims)
        self.fn = compile_fn(self.exprs, out=self.order)
        scalars = tuple(getattr(self.fn, "scalars", ()))
        # what a call reads, worked out once (a call of a small step is tens of microseconds)
        self._takes = frozenset(getattr(self.fn, "arrays", ())) | frozenset(scalars)
        self._from_arrays = [(name, *self.dims[name[2:]]) for name in scalars
                             if name.startswith("N_") and name[2:] in self.dims]
        self._needs_k = _K_NAME in scalars

    def sizes(self, arrays: Mapping[str, Any]) -> dict[str, int]:
        """The dimension symbols (``N_j1``) the compiled code needs, from the arrays' shapes."""
        out: dict[str, int] = {}
        for name, array, axis in self._from_arrays:
            if name not in arrays and array in arrays and np.ndim(arrays[array]) > axis:  # else the call names what is missing
                out[name] = int(np.shape(arrays[array])[axis])
        if self._needs_k and _K_NAME not in arrays:
            rows = [np.shape(arrays[a])[0] for a in self.SAMPLES if a in arrays and np.ndim(arrays[a]) == 2]
            if rows:
                out[_K_NAME] = int(rows[0])
        return out

    def __call__(self, **arrays: Any) -> dict[str, Any]:
        """Evaluate every output; arrays by tensor name."""
        takes = self._takes if hasattr(self.fn, "arrays") else self._takes | set(arrays)
        return dict(self.fn(**{k: v for k, v in arrays.items() if k in takes}, **self.sizes(arrays)))

    def plan(self, **sizes: int) -> Any:
        """The compiler's plan for index sizes by name (see :meth:`einsteinpy_lite.compile`'s ``plan``)."""
        return self.fn.plan(**sizes)


def _flops(exprs: Expr | dict[str, Expr], shapes: Mapping[str, tuple[int, ...]]) -> int:
    """The compiler's planned FLOPs for arrays of the given shapes (by tensor name)."""
    import importlib

    fn = importlib.import_module("..compile", __package__).compile(exprs)
    sizes: dict[str, int] = {}
    for raw, (_, slots, _, _) in fn.program.inputs.items():
        for name, n in zip(slots, shapes[raw]):
            sizes[name] = int(n)
    return int(fn.plan(**sizes).flops)


# ============================================================== constructors


def _check_activation(activation: str) -> str:
    return get_function(activation).name


def _layer_sizes(sizes: Any, where: str = "layer sizes") -> list[int]:
    """``[N_y, N_1, ..., N_x]`` checked: a list of positive integers."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise EinsteinError(f"{where}: sizes must be a list of layer sizes [N_y, N_1, ..., N_x], got {sizes!r}",
                            hint="e.g. [4, 8, 2]")
    for n, size in enumerate(sizes):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size <= 0:
            raise EinsteinError(f"{where}: layer size {size!r} (item {n} of {list(sizes)!r}) is not a positive integer",
                                hint="e.g. [4, 8, 2]")
    return [int(n) for n in sizes]


def _depth(sizes: Any) -> int:
    """The number of layers that ``mlp(sizes)`` builds (``sizes`` a list of sizes or a number of layers)."""
    if isinstance(sizes, int) and not isinstance(sizes, bool):
        return sizes
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise EinsteinError(f"mlp: sizes must be a list of layer sizes [N_y, N_1, ..., N_x] or a number of layers, "
                            f"got {sizes!r}", hint="e.g. gradients.mlp([4, 8, 2])")
    return len(_layer_sizes(sizes, "mlp")) - 1


def single_layer(activation: str = "sigmoid") -> Network:
    """The slides' network ``f^i = B^i_j \\sigma(A^j_l y^l + b^j)``, parameters ``(A, b, B)``.

    Example:
        >>> net = single_layer()
        >>> str(net.f)
        'B^i_j \\\\sigma(A^j_l y^l + b^j)'
        >>> str(net.grad_b)
        'B^i_j [\\\\nabla\\\\sigma(A^j_l y^l + b^j)]^j_j1'
    """
    act = _check_activation(activation)
    return Network([Layer("A", "b", act), Layer("B", None, None)], ("l", "j", "i"), ("r", "q", "p"),
                   name="single_layer")


def mlp(sizes: Sequence[int] | int, activation: str = "tanh", output_bias: bool = True) -> Network:
    """A multilayer perceptron: ``h_n = act(W_n h_{n-1} + b_n)``, the last layer linear.

    Args:
        sizes: layer sizes ``[N_y, N_1, ..., N_x]``, input size first, target
            size last (their count makes the expressions; the network
            remembers the values for :meth:`Network.init`), or the number
            of layers.
        activation: a registered elementwise function.
        output_bias: give the last layer a bias (``mlp(..., output_bias=False)``
            with two layers is :func:`single_layer`, renamed).

    Example:
        >>> net = mlp([4, 8, 8, 2], activation="tanh")
        >>> net.params
        ('W1', 'b1', 'W2', 'b2', 'W3', 'b3')
    """
    depth = _depth(sizes)
    if depth < 1:
        raise EinsteinError(f"an MLP needs at least one layer (two sizes), got {sizes!r}")
    act = _check_activation(activation)
    layers = [Layer(f"W{n}", f"b{n}" if (n < depth or output_bias) else None, act if n < depth else None)
              for n in range(1, depth + 1)]
    known = None if isinstance(sizes, int) else sizes
    return Network(layers, [f"a{n}" for n in range(depth)] + ["i"], [f"c{n}" for n in range(depth)] + ["p"],
                   sizes=known, name="mlp")
