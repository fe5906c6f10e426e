"""Objectives: a loss over named parameters, with its gradient and optional Hessian.

An :class:`Objective` is a loss ``L(theta)`` whose parameters are named arrays (``{"A": ..., "b": ...}``),
with its gradient (a dict shaped like the parameters) and, optionally, its Hessian flattened over all
parameters in order.  Build one from Python callables (:func:`from_callables`), as a quadratic form
(:func:`quadratic`) or from a loss written in index notation (:func:`objective`, which differentiates it
with ``el.diff`` and compiles loss, gradient and Hessian with ``el.compile``).  The methods of
:mod:`einsteinpy_lite.optim` minimize them.

Example:
    >>> import numpy as np
    >>> obj = quadratic(np.diag([1.0, 10.0]), c=np.array([1.0, 1.0]))
    >>> float(obj.value({"theta": np.array([1.0, 0.1])}))
    -0.55
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.errors import EinsteinError

__all__ = ["Objective", "from_callables", "quadratic", "objective", "Params"]

Params = dict[str, np.ndarray]

# --------------------------------------------------------------------------- parameters <-> flat vectors


@dataclass(frozen=True)
class _Layout:
    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(int(np.prod(s, dtype=np.int64)) for s in self.shapes)

    @property
    def n(self) -> int:
        return sum(self.sizes)

    def slices(self) -> list[slice]:
        out, start = [], 0
        for size in self.sizes:
            out.append(slice(start, start + size))
            start += size
        return out

    def flatten(self, params: Mapping[str, Any]) -> np.ndarray:
        parts = [np.asarray(params[k], dtype=float).reshape(-1) for k in self.names]
        return np.concatenate(parts) if parts else np.zeros(0)

    def unflatten(self, x: np.ndarray) -> Params:
        return {k: x[s].reshape(shape).copy() for k, s, shape in zip(self.names, self.slices(), self.shapes)}


def _numbers(what: str, value: Any) -> np.ndarray:
    """``value`` as a float array, or an EinsteinError naming ``what``."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise EinsteinError(f"{what}: cannot read a {type(value).__name__} as numbers",
                            hint="pass numbers or numpy arrays") from None


def _as_params(theta: Any) -> Params:
    if isinstance(theta, Mapping):
        return {str(k): _numbers(f"parameter {k!r}", v) for k, v in theta.items()}
    if theta is None:
        raise EinsteinError("the starting point is None", hint="pass an array, or a dict of arrays by parameter name")
    return {"theta": np.atleast_1d(_numbers("the starting point", theta))}


def _shaped_like(out: Mapping[str, Any], params: Params, what: str) -> Params:
    """A callable's per-parameter result (gradient, Hessian-vector product) checked against the parameters."""
    res: Params = {}
    for k, v in params.items():
        if not isinstance(out, Mapping) or k not in out:
            got = sorted(out) if isinstance(out, Mapping) else type(out).__name__
            raise EinsteinError(f"the {what} callable returned no entry for parameter {k!r} (got {got})",
                                hint="return a dict with one array per parameter, shaped like it")
        arr = _numbers(f"the {what} of {k!r}", out[k])
        if arr.size != v.size:
            raise EinsteinError(f"the {what} of {k!r} has shape {arr.shape}, the parameter has shape {v.shape}",
                                hint="return a dict with one array per parameter, shaped like it")
        res[k] = arr.reshape(v.shape)
    return res


def _layout(theta: Params, names: tuple[str, ...] | None) -> _Layout:
    if names is not None:
        missing = [k for k in names if k not in theta]
        extra = [k for k in theta if k not in names]
        if missing or extra:
            raise EinsteinError(
                f"the starting point has parameters {sorted(theta)}, the objective expects {list(names)}"
                + (f"; missing {missing}" if missing else "") + (f"; unknown {extra}" if extra else ""),
                hint="pass one array per parameter of the objective, by name",
            )
    else:
        names = tuple(theta)
    return _Layout(tuple(names), tuple(tuple(np.shape(theta[k])) for k in names))


# --------------------------------------------------------------------------- objectives


class Objective:
    """A loss over named parameters, with its gradient and optionally its Hessian.

    Args:
        value: ``params -> float``.
        grad: ``params -> dict`` of arrays shaped like the parameters.
        hessian: ``params -> (n, n)`` array, the Hessian flattened over all parameters (each one
            C-order flattened, concatenated in the order of ``names`` or of the params dict).
        hvp: ``(params, v) -> dict``, the Hessian-vector product (derived from ``hessian`` if absent).
        value_and_grad: ``params -> (float, dict)``, when both are cheaper computed together.
        quadratic: the Hessian is constant (the loss is a quadratic form); enables exact line searches.
        names: the parameter names, in order (else the order of the starting point's dict).
        description: a short text shown in summaries.

    Example:
        >>> import numpy as np
        >>> obj = Objective(lambda p: float(p["w"] @ p["w"]), lambda p: {"w": 2 * p["w"]})
        >>> obj.value({"w": np.array([1.0, 2.0])}), obj.grad({"w": np.array([1.0, 2.0])})["w"].tolist()
        (5.0, [2.0, 4.0])
    """

    def __init__(
        self,
        value: Callable[[Params], Any],
        grad: Callable[[Params], Mapping[str, Any]],
        *,
        hessian: Callable[[Params], Any] | None = None,
        hvp: Callable[[Params, Params], Mapping[str, Any]] | None = None,
        value_and_grad: Callable[[Params], tuple[Any, Mapping[str, Any]]] | None = None,
        quadratic: bool = False,
        names: tuple[str, ...] | None = None,
        description: str = "objective",
    ) -> None:
        self._value, self._grad, self._hessian, self._hvp, self._vg = value, grad, hessian, hvp, value_and_grad
        self.quadratic = bool(quadratic) and hessian is not None
        self.names = tuple(names) if names is not None else None
        self.description = description
        self.hessian_method = "callable" if hessian is not None else "none"

    def value(self, params: Mapping[str, Any]) -> float:
        """The loss at ``params``."""
        value = self._value(_as_params(params))
        try:
            return float(value)
        except (TypeError, ValueError):
            raise EinsteinError(f"the loss callable of {self.description} returned a {type(value).__name__}, "
                                f"not a number", hint="return a float (or a 0-d array)") from None

    def grad(self, params: Mapping[str, Any]) -> Params:
        """The gradient at ``params``: a dict of arrays shaped like the parameters."""
        p = _as_params(params)
        return _shaped_like(self._grad(p), p, "gradient")

    def value_and_grad(self, params: Mapping[str, Any]) -> tuple[float, Params]:
        """The loss and its gradient together."""
        if self._vg is None:
            return self.value(params), self.grad(params)
        p = _as_params(params)
        f, g = self._vg(p)
        return float(f), _shaped_like(g, p, "gradient")

    @property
    def has_hessian(self) -> bool:
        """Whether :meth:`hessian` is available."""
        return self._hessian is not None

    @property
    def has_hvp(self) -> bool:
        """Whether :meth:`hvp` is available (directly or through the Hessian)."""
        return self._hvp is not None or self._hessian is not None

    def hessian(self, params: Mapping[str, Any]) -> np.ndarray:
        """The Hessian at ``params``, flattened over all parameters: an ``(n, n)`` array."""
        if self._hessian is None:
            raise EinsteinError(f"{self.description} has no Hessian",
                                hint="pass hessian= to the objective, or build it from index notation with objective()")
        p = _as_params(params)
        n = sum(int(np.size(v)) for v in p.values())
        return np.asarray(self._hessian(p), dtype=float).reshape(n, n)

    def hvp(self, params: Mapping[str, Any], v: Mapping[str, Any]) -> Params:
        """The Hessian-vector product ``H v`` at ``params`` (``v`` shaped like the parameters)."""
        p = _as_params(params)
        if self._hvp is not None:
            return _shaped_like(self._hvp(p, _as_params(v)), p, "Hessian-vector product")
        lay = _layout(p, self.names)
        return lay.unflatten(self.hessian(p) @ lay.flatten(_as_params(v)))

    def __repr__(self) -> str:
        return f"Objective({self.description!r}, quadratic={self.quadratic}, hessian={self.has_hessian})"


def from_callables(value: Callable[[Params], Any], grad: Callable[[Params], Mapping[str, Any]], **kwargs: Any) -> Objective:
    """An :class:`Objective` from plain Python callables (keyword arguments as for :class:`Objective`).

    Example:
        >>> import numpy as np
        >>> obj = from_callables(lambda p: float(np.sum(p["x"] ** 4)), lambda p: {"x": 4 * p["x"] ** 3})
        >>> from einsteinpy_lite.optim.methods import gradient_descent
        >>> gradient_descent(obj, {"x": np.array([1.0])}, alpha=0.1, max_iter=5).n_iter
        5
    """
    return Objective(value, grad, **kwargs)


def quadratic(Q: Any, c: Any = None, name: str = "theta") -> Objective:
    r"""The quadratic form ``L = 1/2 theta^i Q_ij theta^j - c_i theta^i`` (``Q`` symmetric), exact Hessian ``Q``.

    Example:
        >>> import numpy as np
        >>> obj = quadratic(np.array([[2.0, 0.0], [0.0, 4.0]]), c=np.array([2.0, 4.0]))
        >>> obj.value({"theta": np.ones(2)}), obj.grad({"theta": np.ones(2)})["theta"].tolist()
        (-3.0, [0.0, 0.0])
    """
    Qa = np.atleast_2d(_numbers("Q", Q))
    if Qa.ndim != 2 or Qa.shape[0] != Qa.shape[1] or not np.allclose(Qa, Qa.T):
        raise EinsteinError(f"Q must be a symmetric square matrix, got shape {Qa.shape}",
                            hint="pass (Q + Q.T) / 2 for the same quadratic form")
    ca = np.zeros(Qa.shape[0]) if c is None else _numbers("c", c).reshape(-1)
    if ca.shape != (Qa.shape[0],):
        raise EinsteinError(f"c has shape {ca.shape}, Q has shape {Qa.shape}", hint="c needs one entry per row of Q")
    return Objective(
        lambda p: 0.5 * p[name] @ Qa @ p[name] - ca @ p[name],
        lambda p: {name: Qa @ p[name] - ca},
        hessian=lambda p: Qa,
        hvp=lambda p, v: {name: Qa @ v[name]},
        quadratic=True,
        names=(name,),
        description=f"quadratic form in {name} (n={Qa.shape[0]})",
    )


def objective(loss: Any, params: tuple[str, ...] | list[str], data: Mapping[str, Any] | None = None, *,
              convention: str = "ricci", hessian: bool | str = "auto", engine: str = "compile") -> Objective:
    r"""An :class:`Objective` from a scalar loss in index notation, differentiated and compiled.

    The gradient with respect to each parameter is ``el.diff(loss, "P^{..}_{..}")``, the Hessian blocks
    are the derivatives of those, and all of them are compiled with ``el.compile`` (loss and gradient
    into one callable, so shared subexpressions are computed once).  A loss whose Hessian does not
    depend on the parameters is recognized as quadratic: steepest descent then takes exact steps.

    Args:
        loss: an expression or text (parsed with ``convention``); must have no free indices.
        params: the tensors to optimize, by array name (``"theta"`` for ``	heta``).
        data: arrays for every other tensor, and values of scalar symbols (``K=...``), by name.
        convention: ``"ricci"`` or ``"einstein"``, for text.
        hessian: ``True``: the Hessian blocks by ``el.diff`` of the gradient (needed by :func:`newton` and
            for quadratic recognition); ``"auto"``: the same, falling back to central differences of the
            compiled gradient when ``el.diff`` cannot take the second derivative; ``False``: none.
            ``objective(...).hessian_method`` says which (``"symbolic"``, ``"finite differences"``, ``"none"``).
        engine: ``"compile"`` (``el.compile``) or ``"evaluate"`` (the slow reference ``el.evaluate``).

    Example:
        >>> import numpy as np
        >>> obj = objective(r"\frac{1}{2} \theta^i Q_{ij} \theta^j - c_i \theta^i", ["theta"],
        ...                 {"Q": np.diag([1.0, 4.0]), "c": np.array([1.0, 2.0])})
        >>> from einsteinpy_lite.optim.methods import newton
        >>> obj.quadratic, newton(obj, {"theta": np.zeros(2)}).params["theta"].tolist()
        (True, [1.0, 0.5])
    """
    from ..algebra.evaluate import array_name, evaluate
    from ..core.atoms import Tensor
    from ..core.expr import Expr, tensor_signatures
    from ..core.indices import Index
    from ..core.rename import fresh_names
    from ..notation.parse import parse

    if engine not in ("compile", "evaluate"):
        raise EinsteinError(f"unknown engine '{engine}'", hint="use 'compile' or 'evaluate'")
    if hessian not in (True, False, "auto"):
        raise EinsteinError(f"hessian={hessian!r} is not True, False or 'auto'", hint="the default 'auto' is usually right")
    if isinstance(params, str) or not all(isinstance(p, str) for p in params):
        raise EinsteinError(f"params={params!r} must be a list of tensor names", hint="e.g. params=['theta']")
    if data is not None and not isinstance(data, Mapping):
        raise EinsteinError(f"data must be a dict of arrays and scalars by name, got {type(data).__name__}",
                            hint="e.g. data={'Q': Q, 'K': 8}")
    e = parse(loss, convention=convention) if isinstance(loss, str) else loss
    if not isinstance(e, Expr):
        raise EinsteinError(f"the loss must be an expression or text, got {type(loss).__name__}")
    if e.free:
        raise EinsteinError(f"the loss must be a scalar, but '{e}' has free indices "
                            f"{', '.join(ix.name for ix in e.free)}", hint="contract them, e.g. with \\delta_{ij}")
    sigs = {array_name(t): (t, pat) for t, (pat, _) in tensor_signatures(e).items()}
    keys = [array_name(p) for p in params]
    for p, k in zip(params, keys):
        if k not in sigs:
            raise EinsteinError(f"parameter '{p}' does not appear in the loss '{e}'; its tensors are {sorted(sigs)}",
                                hint="name the tensors to optimize with params=(...)")
    if len(set(keys)) != len(keys):
        raise EinsteinError(f"parameters {list(params)} name one tensor twice", hint="list each parameter once")
    used = set(e.index_names())

    def variable(k: str) -> Tensor:
        name, pattern = sigs[k]
        fresh = fresh_names(used, len(pattern), stem="w")
        used.update(fresh)
        return Tensor(name, [Index(n, up) for n, up in zip(fresh, pattern)])

    first = {k: variable(k) for k in keys}
    second = {k: variable(k) for k in keys}
    outputs: dict[str, Expr] = {"loss": e, **{f"g{i}": _diff(e, first[k]) for i, k in enumerate(keys)}}

    def second_variable(grad: Expr, k: str) -> Tensor:
        # simplify may leave a parameter metric-lowered in the gradient (B_{il}); diff wants the variable
        # written with the slots it has there -- the same numbers under the Euclidean metric
        seen = tensor_signatures(grad, check=False).get(sigs[k][0])
        v = second[k]
        return v if seen is None else Tensor(v.name, [Index(ix.name, up) for ix, up in zip(v.indices, seen[0])])

    blocks: dict[str, Expr] = {}
    how = "none"
    if hessian:
        try:
            blocks = {f"h{i}_{j}": _diff(outputs[f"g{i}"], second_variable(outputs[f"g{i}"], q))
                      for i in range(len(keys)) for j, q in enumerate(keys)}
            how = "symbolic"
        except EinsteinError:
            if hessian != "auto":
                raise
            how = "finite differences"  # el.diff cannot take this second derivative
    names = {sigs[k][0] for k in keys}
    data = dict(data or {})
    scalars = {k: v for k, v in data.items() if k not in sigs and np.ndim(v) == 0}

    def sizes(p: Params) -> dict[str, int]:
        """The sizes of the variables' index names (a Hessian's deltas may be their only carrier)."""
        return {ix.name: int(np.shape(p[k])[a]) for v in (first, second) for k, t in v.items()
                for a, ix in enumerate(t.indices)}

    def runner(exprs: dict[str, Expr], axes: dict[str, tuple[str, ...]]) -> Callable[[Params], dict[str, Any]]:
        """A callable computing ``exprs``, each with its axes in the order ``axes`` gives (default: free order)."""
        if engine == "evaluate":

            def ev(p: Params) -> dict[str, Any]:
                out = {}
                for n, x in exprs.items():
                    arr, have = evaluate(x, {**data, **p}, sizes(p), **scalars), [ix.name for ix in x.free]
                    out[n] = np.transpose(arr, [have.index(a) for a in axes[n]]) if n in axes else arr
                return out

            return ev
        from ..compile import compile as compile_exprs

        fn = compile_exprs(dict[str, Any](exprs), out=axes)
        need = set(fn.arrays) | set(fn.scalars)  # the keywords this program takes, of data and parameters

        def call(p: Params) -> dict[str, Any]:
            kw = {**data, **p, **{f"N_{n}": size for n, size in sizes(p).items()}}
            return dict(fn(**{k: v for k, v in kw.items() if k in need}))

        return call

    def order(*tensors: Tensor) -> tuple[str, ...]:
        return tuple(ix.name for t in tensors for ix in t.indices)

    vg = runner(outputs, {f"g{i}": order(first[k]) for i, k in enumerate(keys)})

    def value_and_grad(p: Params) -> tuple[float, Params]:
        out = vg(p)
        return float(np.asarray(out["loss"])), {k: np.asarray(out[f"g{i}"]) for i, k in enumerate(keys)}

    hess_fn: Callable[[Params], np.ndarray] | None = None
    if how == "symbolic":
        hv = runner(blocks, {f"h{i}_{j}": order(first[p], second[q]) for i, p in enumerate(keys) for j, q in enumerate(keys)})

        def hess_fn(p: Params) -> np.ndarray:
            out, sizes = hv(p), [int(np.size(p[k])) for k in keys]
            return np.block([[np.asarray(out[f"h{i}_{j}"]).reshape(sizes[i], sizes[j]) for j in range(len(keys))]
                             for i in range(len(keys))])
    elif how == "finite differences":

        def hess_fn(p: Params) -> np.ndarray:
            return _fd_hessian(value_and_grad, p, keys)

    obj = Objective(lambda p: value_and_grad(p)[0], lambda p: value_and_grad(p)[1], hessian=hess_fn,
                    value_and_grad=value_and_grad, names=tuple(keys), description=f"{e} in {', '.join(keys)}",
                    quadratic=how == "symbolic" and not any(set(b.tensors()) & names for b in blocks.values()))
    obj.hessian_method = how
    return obj


def _fd_hessian(vg: Callable[[Params], tuple[float, Params]], p: Params, keys: list[str]) -> np.ndarray:
    """The Hessian by central differences of the gradient, symmetrized (a fallback, ``O(n)`` gradients)."""
    lay = _Layout(tuple(keys), tuple(np.shape(p[k]) for k in keys))
    x = lay.flatten(p)
    H = np.empty((x.size, x.size))
    for i in range(x.size):
        h = 1e-5 * max(1.0, abs(x[i]))
        e = np.zeros_like(x)
        e[i] = h
        H[:, i] = (lay.flatten(vg(lay.unflatten(x + e))[1]) - lay.flatten(vg(lay.unflatten(x - e))[1])) / (2 * h)
    return (H + H.T) / 2


def _diff(e: Any, var: Any) -> Any:
    import einsteinpy_lite as el

    return el.diff(e, var)


