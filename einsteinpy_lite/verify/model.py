"""An independent numpy reference of the slides' single-layer network -- the oracle of the checks.

Everything here is written by hand with plain numpy (matrix products and
finite differences), without the toolkit's derivatives or compiler, so that a
check compares the toolkit against something it did not produce:
``f(y) = B sigma(A y + b)``, ``L = (1/K) sum_k ||x_k - f(y_k)||^2``, the update
directions ``d = -grad L`` by hand-written backpropagation, and the function
gradient (Jacobian) ``N_x x P`` of ``f`` with respect to ``theta = (A, b, B)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Problem", "sigmoid", "finite_difference_gradient", "finite_difference_jacobian"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function.

    Example:
        >>> float(sigmoid(np.array(0.0)))
        0.5
    """
    return 1.0 / (1.0 + np.exp(-z))


def finite_difference_gradient(fun: Callable[[np.ndarray], float], theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar function of a flat vector.

    Example:
        >>> finite_difference_gradient(lambda t: float(t @ t), np.array([1.0, 2.0])).round(6).tolist()
        [2.0, 4.0]
    """
    g = np.empty_like(theta)
    for n in range(theta.size):
        e = np.zeros_like(theta)
        e[n] = h
        g[n] = (fun(theta + e) - fun(theta - e)) / (2 * h)
    return g


def finite_difference_jacobian(
    fun: Callable[[np.ndarray], np.ndarray], theta: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    """Central differences of a vector function of a flat vector: shape (outputs, len(theta)).

    Example:
        >>> finite_difference_jacobian(lambda t: 2 * t, np.array([1.0, 2.0])).round(6).tolist()
        [[2.0, 0.0], [0.0, 2.0]]
    """
    cols = []
    for n in range(theta.size):
        e = np.zeros_like(theta)
        e[n] = h
        cols.append((fun(theta + e) - fun(theta - e)) / (2 * h))
    return np.stack(cols, axis=-1)


@dataclass
class Problem:
    """Random parameters and K training pairs for ``f(y) = B sigma(A y + b)``.

    Shapes follow the slides: ``A`` is ``N_1 x N_y`` (``A^{j}_{l}``), ``b`` is
    ``N_1``, ``B`` is ``N_x x N_1``, ``X`` is ``K x N_x`` and ``Y`` is ``K x N_y``.

    Example:
        >>> p = Problem.random(K=5, N_x=2, N_1=3, N_y=4)
        >>> p.P, p.jacobian(p.Y[0]).shape
        (21, (2, 21))
    """

    A: np.ndarray
    b: np.ndarray
    B: np.ndarray
    X: np.ndarray
    Y: np.ndarray

    @classmethod
    def random(cls, K: int = 6, N_x: int = 3, N_1: int = 5, N_y: int = 4, seed: int = 0) -> Problem:
        """A reproducible random problem (distinct sizes, so that a transposed index shows)."""
        rng = np.random.default_rng(seed)
        return cls(A=rng.normal(size=(N_1, N_y)), b=rng.normal(size=N_1), B=rng.normal(size=(N_x, N_1)),
                   X=rng.normal(size=(K, N_x)), Y=rng.normal(size=(K, N_y)))

    # ------------------------------------------------------------ sizes
    @property
    def sizes(self) -> dict[str, int]:
        """``K, N_x, N_1, N_y``."""
        return {"K": self.X.shape[0], "N_x": self.B.shape[0], "N_1": self.A.shape[0], "N_y": self.A.shape[1]}

    @property
    def P(self) -> int:
        """Number of parameters: ``N_1 N_y + N_1 + N_x N_1``."""
        return self.A.size + self.b.size + self.B.size

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays by tensor name, samples along the first axis of ``x`` and ``y``."""
        return {"A": self.A, "b": self.b, "B": self.B, "x": self.X, "y": self.Y}

    # ------------------------------------------------------------ theta = (A, b, B) flattened
    def slide_arrays(self) -> dict[str, np.ndarray]:
        """The parameters and data plus the slides' per-sample abbreviations, samples first.

        ``epsilon`` (K, N_x), ``sigma`` (K, N_1), ``nabla_sigma`` (K, N_1, N_1) -- the diagonal
        ``[\\nabla\\sigma_k]^{i}_{j}`` -- as arrays named like :func:`einsteinpy_lite.evaluate.array_name`.
        """
        s = sigmoid(self.z())
        eye = np.eye(s.shape[1])
        return {**self.arrays, "epsilon": self.eps(), "sigma": s, "nabla_sigma": (s * (1 - s))[:, :, None] * eye}

    def theta(self) -> np.ndarray:
        """The flat parameter vector ``(A, b, B)`` (row-major)."""
        return np.concatenate([self.A.ravel(), self.b, self.B.ravel()])

    def unflatten(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(A, b, B)`` from a flat vector."""
        a, nb = self.A.size, self.b.size
        return (theta[:a].reshape(self.A.shape), theta[a : a + nb], theta[a + nb :].reshape(self.B.shape))

    # ------------------------------------------------------------ the network
    def f(self, y: np.ndarray, theta: np.ndarray | None = None) -> np.ndarray:
        """``B sigma(A y + b)`` for one sample (or a K x N_y batch)."""
        A, b, B = self.unflatten(theta) if theta is not None else (self.A, self.b, self.B)
        return sigmoid(y @ A.T + b) @ B.T

    def z(self) -> np.ndarray:
        """Pre-activations ``A y_k + b``, shape (K, N_1)."""
        return self.Y @ self.A.T + self.b

    def eps(self) -> np.ndarray:
        """Prediction errors ``epsilon_k = x_k - f(y_k)``, shape (K, N_x)."""
        return self.X - self.f(self.Y)

    def loss(self, theta: np.ndarray | None = None) -> float:
        """``L = (1/K) sum_k ||x_k - f(y_k)||^2``."""
        E = self.X - self.f(self.Y, theta)
        return float((E * E).sum() / self.X.shape[0])

    def directions(self) -> dict[str, np.ndarray]:
        """``d = -grad L`` by hand-written backpropagation, each shaped like its parameter."""
        K = self.X.shape[0]
        s = sigmoid(self.z())
        E = self.eps()
        G = (E @ self.B) * s * (1 - s)
        return {"A": 2 / K * G.T @ self.Y, "b": 2 / K * G.sum(axis=0), "B": 2 / K * E.T @ s}

    def jacobian(self, y: np.ndarray) -> np.ndarray:
        """The function gradient ``d f^i / d theta_p`` at one sample, shape ``N_x x P`` (closed form)."""
        s = sigmoid(self.A @ y + self.b)
        Bs = self.B * (s * (1 - s))  # B^i_j sigma'(z^j)
        dA = np.einsum("ij,l->ijl", Bs, y).reshape(self.B.shape[0], -1)
        dB = np.einsum("im,j->imj", np.eye(self.B.shape[0]), s).reshape(self.B.shape[0], -1)
        return np.concatenate([dA, Bs, dB], axis=1)
