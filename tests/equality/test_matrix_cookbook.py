r"""The derivative identities of the Matrix Cookbook (Petersen & Pedersen, 2012), section 2, as tests.

Each identity is written in matrix notation, differentiated by ``el.diff``, and checked three ways:

1. ``el.equal`` against the Cookbook's answer, read from the Cookbook's matrix notation;
2. numerically against central finite differences of the function, written here in plain numpy, on
   non-square shapes wherever the identity allows them;
3. printed back with ``to_matrix``, which must read back equal; ``PRINTED`` pins the printed form, and
   ``cookbook_form`` says whether it is the Cookbook's own (up to spacing and ``^\top`` for ``^T``).

The symmetric-W identities of 2.4.2 are written with ``W = S + S^T`` (symmetric for every ``S``), so they
are checked as exact identities rather than under an assumption the engine cannot state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import parse_matrix, to_matrix


@dataclass(frozen=True)
class Identity:
    section: str
    expr: str
    wrt: str  # the variable's name
    answer: str  # the Cookbook's answer, in matrix notation
    shapes: dict[str, tuple[int, ...]]
    f: Callable[..., Any]  # the function in plain numpy
    printed: str  # what to_matrix prints for el.diff's answer
    cookbook_form: bool  # printed (or printed without factoring, to_matrix(..., factor=False)) is the Cookbook's form


V3, V4 = (3,), (4,)
SQ = {"X": (3, 3), "A": (3, 3), "B": (3, 3), "C": (3, 3)}
W = "(S + S^T)"


def _w(S: np.ndarray) -> np.ndarray:
    return S + S.T


IDENTITIES = [
    # ---- 2.4.1 first order
    Identity("2.4.1", r"x^T a", "x", "a", {"x": V3, "a": V3}, lambda x, a, **_: x @ a, "a", True),
    Identity("2.4.1", r"a^T x", "x", "a", {"x": V3, "a": V3}, lambda x, a, **_: a @ x, "a", True),
    Identity("2.4.1", r"a^T X b", "X", r"a b^T", {"a": V3, "X": (3, 4), "b": V4},
             lambda a, X, b, **_: a @ X @ b, r"a b^\top", True),
    Identity("2.4.1", r"a^T X^T b", "X", r"b a^T", {"a": V4, "X": (3, 4), "b": V3},
             lambda a, X, b, **_: a @ X.T @ b, r"b a^\top", True),
    Identity("2.4.1", r"a^T X a", "X", r"a a^T", {"a": V3, "X": (3, 3)},
             lambda a, X, **_: a @ X @ a, r"a a^\top", True),
    Identity("2.4.1", r"a^T X^T a", "X", r"a a^T", {"a": V3, "X": (3, 3)},
             lambda a, X, **_: a @ X.T @ a, r"a a^\top", True),
    # ---- 2.4.2 second order
    Identity("2.4.2", r"b^T X^T X c", "X", r"X (b c^T + c b^T)", {"b": V4, "c": V4, "X": (3, 4)},
             lambda b, X, c, **_: b @ X.T @ X @ c, r"X (c b^\top + b c^\top)", True),
    Identity("2.4.2", r"(B x + b)^T C (D x + d)", "x", r"B^T C (D x + d) + D^T C^T (B x + b)",
             {"x": V4, "B": (3, 4), "b": V3, "C": (3, 2), "D": (2, 4), "d": (2,)},
             lambda x, B, b, C, D, d, **_: (B @ x + b) @ C @ (D @ x + d),
             r"B^\top C (D x + d) + D^\top C^\top (B x + b)", True),
    Identity("2.4.2", r"x^T B x", "x", r"(B + B^T) x", {"x": V3, "B": (3, 3)},
             lambda x, B, **_: x @ B @ x, r"(B + B^\top) x", True),
    Identity("2.4.2", r"b^T X^T D X c", "X", r"D^T X b c^T + D X c b^T",
             {"b": V4, "c": V4, "X": (3, 4), "D": (3, 3)},
             lambda b, X, D, c, **_: b @ X.T @ D @ X @ c, r"D X c b^\top + D^\top X b c^\top", True),
    Identity("2.4.2", r"(X b + c)^T D (X b + c)", "X", r"(D + D^T) (X b + c) b^T",
             {"b": V4, "c": V3, "X": (3, 4), "D": (3, 3)},
             lambda X, b, c, D, **_: (X @ b + c) @ D @ (X @ b + c),
             r"(D + D^\top) (X b + c) b^\top", True),
    Identity("2.4.2 (W symmetric)", rf"(x - A s)^T {W} (x - A s)", "s", rf"-2 A^T {W} (x - A s)",
             {"x": V3, "A": (3, 4), "s": V4, "S": (3, 3)},
             lambda x, A, s, S, **_: (x - A @ s) @ _w(S) @ (x - A @ s),
             r"-2 A^\top (S + S^\top) (x - A s)", True),
    Identity("2.4.2 (W symmetric)", rf"(x - s)^T {W} (x - s)", "x", rf"2 {W} (x - s)",
             {"x": V3, "s": V3, "S": (3, 3)}, lambda x, s, S, **_: (x - s) @ _w(S) @ (x - s),
             r"2 (S + S^\top) (x - s)", True),
    Identity("2.4.2 (W symmetric)", rf"(x - s)^T {W} (x - s)", "s", rf"-2 {W} (x - s)",
             {"x": V3, "s": V3, "S": (3, 3)}, lambda x, s, S, **_: (x - s) @ _w(S) @ (x - s),
             r"-2 (S + S^\top) (x - s)", True),
    Identity("2.4.2 (W symmetric)", rf"(x - A s)^T {W} (x - A s)", "x", rf"2 {W} (x - A s)",
             {"x": V3, "A": (3, 4), "s": V4, "S": (3, 3)},
             lambda x, A, s, S, **_: (x - A @ s) @ _w(S) @ (x - A @ s),
             r"2 (S + S^\top) (x - A s)", True),
    Identity("2.4.2 (W symmetric)", rf"(x - A s)^T {W} (x - A s)", "A", rf"-2 {W} (x - A s) s^T",
             {"x": V3, "A": (3, 4), "s": V4, "S": (3, 3)},
             lambda x, A, s, S, **_: (x - A @ s) @ _w(S) @ (x - A @ s),
             r"-2 (S + S^\top) (x - A s) s^\top", True),
    # ---- 2.5.1 traces, first order
    Identity("2.5.1", r"\operatorname{Tr}(X)", "X", "I", {"X": (3, 3)}, lambda X, **_: np.trace(X), "I", True),
    Identity("2.5.1", r"\operatorname{Tr}(X A)", "X", "A^T", {"X": (3, 4), "A": (4, 3)},
             lambda X, A, **_: np.trace(X @ A), r"A^\top", True),
    Identity("2.5.1", r"\operatorname{Tr}(A X B)", "X", "A^T B^T", {"A": (2, 3), "X": (3, 4), "B": (4, 2)},
             lambda A, X, B, **_: np.trace(A @ X @ B), r"A^\top B^\top", True),
    Identity("2.5.1", r"\operatorname{Tr}(A X^T B)", "X", "B A", {"A": (2, 4), "X": (3, 4), "B": (3, 2)},
             lambda A, X, B, **_: np.trace(A @ X.T @ B), r"B A", True),
    Identity("2.5.1", r"\operatorname{Tr}(X^T A)", "X", "A", {"X": (3, 4), "A": (3, 4)},
             lambda X, A, **_: np.trace(X.T @ A), "A", True),
    Identity("2.5.1", r"\operatorname{Tr}(A X^T)", "X", "A", {"X": (3, 4), "A": (3, 4)},
             lambda X, A, **_: np.trace(A @ X.T), "A", True),
    # ---- 2.5.2 traces, second order
    Identity("2.5.2", r"\operatorname{Tr}(X^2)", "X", "2 X^T", SQ, lambda X, **_: np.trace(X @ X),
             r"2 X^\top", True),
    Identity("2.5.2", r"\operatorname{Tr}(X^2 B)", "X", "(X B + B X)^T", SQ, lambda X, B, **_: np.trace(X @ X @ B),
             r"B^\top X^\top + X^\top B^\top", False),
    Identity("2.5.2", r"\operatorname{Tr}(X^T B X)", "X", "B X + B^T X", {"X": (3, 4), "B": (3, 3)},
             lambda X, B, **_: np.trace(X.T @ B @ X), r"(B + B^\top) X", True),
    Identity("2.5.2", r"\operatorname{Tr}(B X X^T)", "X", "B X + B^T X", {"X": (3, 4), "B": (3, 3)},
             lambda X, B, **_: np.trace(B @ X @ X.T), r"(B^\top + B) X", True),
    Identity("2.5.2", r"\operatorname{Tr}(X X^T B)", "X", "B X + B^T X", {"X": (3, 4), "B": (3, 3)},
             lambda X, B, **_: np.trace(X @ X.T @ B), r"(B^\top + B) X", True),
    Identity("2.5.2", r"\operatorname{Tr}(X B X^T)", "X", "X B^T + X B", {"X": (3, 4), "B": (4, 4)},
             lambda X, B, **_: np.trace(X @ B @ X.T), r"X (B^\top + B)", True),
    Identity("2.5.2", r"\operatorname{Tr}(B X^T X)", "X", "X B^T + X B", {"X": (3, 4), "B": (4, 4)},
             lambda X, B, **_: np.trace(B @ X.T @ X), r"X (B + B^\top)", True),
    Identity("2.5.2", r"\operatorname{Tr}(X^T X B)", "X", "X B^T + X B", {"X": (3, 4), "B": (4, 4)},
             lambda X, B, **_: np.trace(X.T @ X @ B), r"X (B + B^\top)", True),
    Identity("2.5.2", r"\operatorname{Tr}(A X B X)", "X", "A^T X^T B^T + B^T X^T A^T",
             {"A": (4, 3), "X": (3, 4), "B": (4, 3)}, lambda A, X, B, **_: np.trace(A @ X @ B @ X),
             r"A^\top X^\top B^\top + B^\top X^\top A^\top", True),
    Identity("2.5.2", r"\operatorname{Tr}(X^T X)", "X", "2 X", {"X": (3, 4)}, lambda X, **_: np.trace(X.T @ X),
             "2 X", True),
    Identity("2.5.2", r"\operatorname{Tr}(X X^T)", "X", "2 X", {"X": (3, 4)}, lambda X, **_: np.trace(X @ X.T),
             "2 X", True),
    Identity("2.5.2", r"\operatorname{Tr}(B^T X^T C X B)", "X", "C^T X B B^T + C X B B^T",
             {"B": (4, 2), "X": (3, 4), "C": (3, 3)}, lambda B, X, C, **_: np.trace(B.T @ X.T @ C @ X @ B),
             r"(C + C^\top) X B B^\top", True),
    Identity("2.5.2", r"\operatorname{Tr}(X^T B X C)", "X", "B X C + B^T X C^T",
             {"X": (3, 4), "B": (3, 3), "C": (4, 4)}, lambda X, B, C, **_: np.trace(X.T @ B @ X @ C),
             r"B X C + B^\top X C^\top", True),
    Identity("2.5.2", r"\operatorname{Tr}(A X B X^T C)", "X", "A^T C^T X B^T + C A X B",
             {"A": (3, 3), "X": (3, 4), "B": (4, 4), "C": (3, 3)},
             lambda A, X, B, C, **_: np.trace(A @ X @ B @ X.T @ C), r"A^\top C^\top X B^\top + C A X B", True),
    Identity("2.5.2", r"\operatorname{Tr}((A X B + C) (A X B + C)^T)", "X", "2 A^T (A X B + C) B^T",
             {"A": (2, 3), "X": (3, 4), "B": (4, 5), "C": (2, 5)},
             lambda A, X, B, C, **_: np.trace((A @ X @ B + C) @ (A @ X @ B + C).T),
             r"2 A^\top (A X B + C) B^\top", True),
    # ---- 2.5.3 traces, higher order
    Identity("2.5.3", r"\operatorname{Tr}(X^3)", "X", "3 (X^2)^T", SQ, lambda X, **_: np.trace(X @ X @ X),
             r"3 X^\top X^\top", False),
    Identity("2.5.3", r"\operatorname{Tr}(A X^3)", "X", "(X^0 A X^2 + X A X + X^2 A X^0)^T", SQ,
             lambda A, X, **_: np.trace(A @ X @ X @ X), r"A^\top X^\top X^\top + X^\top A^\top X^\top + X^\top X^\top A^\top",
             False),
    Identity("2.5.3", r"\operatorname{Tr}(B^T X^T C X X^T C X B)", "X",
             r"C X X^T C X B B^T + C^T X B B^T X^T C^T X + C X B B^T X^T C X + C^T X X^T C^T X B B^T",
             {"B": (4, 2), "X": (3, 4), "C": (3, 3)},
             lambda B, X, C, **_: np.trace(B.T @ X.T @ C @ X @ X.T @ C @ X @ B),
             r"C X X^\top C X B B^\top + C^\top X B B^\top X^\top C^\top X + C X B B^\top X^\top C X "
             r"+ C^\top X X^\top C^\top X B B^\top", True),
    # ---- 2.6 norms
    Identity("2.6.1", r"\|x\|^2", "x", "2 x", {"x": V3}, lambda x, **_: x @ x, "2 x", True),
    Identity("2.6.2", r"\|X\|_F^2", "X", "2 X", {"X": (3, 4)}, lambda X, **_: (X * X).sum(), "2 X", True),
]


def _arrays(shapes: dict[str, tuple[int, ...]], seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(v) for k, v in shapes.items()}


def _fd_gradient(f: Callable[..., Any], arrays: dict[str, np.ndarray], var: str, h: float = 1e-5) -> np.ndarray:
    out = np.zeros(arrays[var].shape)
    for idx in np.ndindex(*arrays[var].shape):
        plus, minus = dict(arrays), dict(arrays)
        plus[var] = arrays[var].copy()
        minus[var] = arrays[var].copy()
        plus[var][idx] += h
        minus[var][idx] -= h
        out[idx] = (f(**plus) - f(**minus)) / (2 * h)
    return out


def _wrt(identity: Identity) -> str:
    return f"{identity.wrt}^p" if len(identity.shapes[identity.wrt]) == 1 else f"{identity.wrt}^p_q"


def _in_order(d: el.Expr, value: np.ndarray, names: list[str]) -> np.ndarray:
    have = [ix.name for ix in d.free]
    return np.transpose(value, [have.index(n) for n in names])


@pytest.mark.parametrize("identity", IDENTITIES, ids=[f"{i.section} d/d{i.wrt} {i.expr}" for i in IDENTITIES])
def test_cookbook_identity(identity: Identity) -> None:
    e = parse_matrix(identity.expr, identity.shapes)
    d = el.diff(e, _wrt(identity))
    # 1. the Cookbook's answer, read from its matrix notation
    answer = parse_matrix(identity.answer, identity.shapes, indices=d.free)
    assert el.equal(d, answer), el.compare(d, answer)
    # 2. finite differences of the plain numpy function, on non-square shapes where allowed
    arrays = _arrays(identity.shapes, seed=len(identity.expr))
    names = ["p", "q"][: len(identity.shapes[identity.wrt])]
    sizes = dict(zip(names, identity.shapes[identity.wrt]))  # (an identity is sized by the variable)
    got = _in_order(d, el.evaluate(d, arrays, sizes=sizes), names)
    np.testing.assert_allclose(got, _fd_gradient(identity.f, arrays, identity.wrt), rtol=1e-6, atol=1e-6)
    # 3. printed back in matrix notation, which reads back equal
    if identity.printed is None:
        return
    printed = to_matrix(d)
    assert printed == identity.printed
    assert el.equal(parse_matrix(printed, identity.shapes, indices=d.free), d)


def _terms(text: str) -> list[str]:
    """The terms of matrix notation, sorted (inside parentheses too), signs kept, spaces and ^\\top vs ^T ignored."""
    flat = text.replace(r"^\top", "^T").replace(" ", "")
    out, depth, cur, group = [], 0, "", ""
    for ch in flat:
        if depth > 0:
            if ch == ")" and depth == 1:
                cur += "(" + "".join(_terms(group)) + ")"
                group, depth = "", 0
                continue
            depth += (ch == "(") - (ch == ")")
            group += ch
            continue
        if ch == "(":
            depth = 1
            continue
        if ch in "+-" and cur:
            out.append(cur if cur[0] in "+-" else "+" + cur)
            cur = ""
        cur += ch
    out.append(cur if cur[0] in "+-" else "+" + cur)
    return sorted(out)


def cookbook_form(identity: Identity) -> bool:
    """Whether the printed answer, factored or not, is the Cookbook's own (up to term order, spacing, ^T)."""
    e = parse_matrix(identity.expr, identity.shapes)
    d = el.diff(e, _wrt(identity))
    return any(_terms(to_matrix(d, factor=f)) == _terms(identity.answer) for f in (True, False))


def test_count_of_identities_printed_in_cookbook_form() -> None:
    assert [(i.expr, cookbook_form(i)) for i in IDENTITIES] == [(i.expr, i.cookbook_form) for i in IDENTITIES]
    assert len(IDENTITIES) >= 40
    assert sum(cookbook_form(i) for i in IDENTITIES) >= 39


# ---- second derivatives (Hessians): the derivative of the 2.4.2 gradients


HESSIANS = [
    (r"x^T B x", "B + B^T", {"x": V3, "B": (3, 3)}, lambda x, B: x @ B @ x, r"B + B^\top"),
    (r"\|x\|^2", "2 I", {"x": V3}, lambda x: x @ x, "2 I"),
    (r"(B x + b)^T C (D x + d)", "B^T C D + D^T C^T B",
     {"x": V4, "B": (3, 4), "b": V3, "C": (3, 2), "D": (2, 4), "d": (2,)},
     lambda x, B, b, C, D, d: (B @ x + b) @ C @ (D @ x + d), r"B^\top C D + D^\top C^\top B"),
    (r"(x - A s)^T (S + S^T) (x - A s)", "2 A^T (S + S^T) A", {"x": V3, "A": (3, 4), "s": V4, "S": (3, 3)},
     lambda x, A, s, S: (x - A @ s) @ _w(S) @ (x - A @ s), r"2 A^\top (S + S^\top) A"),
]


@pytest.mark.parametrize(("expr", "answer", "shapes", "f", "printed"), HESSIANS, ids=[h[0] for h in HESSIANS])
def test_cookbook_hessians(expr: str, answer: str, shapes: dict, f: Callable[..., Any], printed: str) -> None:  # type: ignore[type-arg]
    var = "s" if "A s" in expr else "x"
    e = parse_matrix(expr, shapes)
    h = el.diff(el.diff(e, f"{var}^p"), f"{var}^r")
    assert el.equal(h, parse_matrix(answer, shapes, indices=h.free))
    arrays = _arrays(shapes, seed=3)
    step = 1e-4
    n = arrays[var].shape[0]
    fd = np.zeros((n, n))
    for a in range(n):
        for b in range(n):
            vals = []
            for sa, sb in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                moved = dict(arrays)
                moved[var] = arrays[var].copy()
                moved[var][a] += sa * step
                moved[var][b] += sb * step
                vals.append(sa * sb * f(**moved))
            fd[a, b] = sum(vals) / (4 * step * step)
    value = el.evaluate(h, arrays, sizes={"p": n, "r": n})
    np.testing.assert_allclose(_in_order(h, value, ["p", "r"]), fd, rtol=1e-5, atol=1e-5)
    assert to_matrix(h) == printed


def test_second_derivative_by_a_matrix_has_no_matrix_form() -> None:
    # d^2 Tr(X^T X) / dX dX = 2 delta delta: a 4-index tensor, which matrix notation cannot write
    e = parse_matrix(r"\operatorname{Tr}(X^T X)", {"X": (3, 4)})
    h = el.diff(el.diff(e, "X^p_q"), "X^r_s")
    assert el.equal(h, el.parse(r"2 \delta_{p r} \delta^{s q}"))
    with pytest.raises(el.EinsteinError, match=r"no matrix form: .* has 4 free indices \(a tensor of order 4\)"):
        to_matrix(h)


# ---- the inverse, the determinant and the log-determinant (Cookbook 2.1 eqs. 49-64 and 2.2)
#
# Arrays are well-conditioned: a square matrix is n I plus small noise, so every inverse exists and finite
# differences are accurate.  ``decidable``: whether ``el.equal`` can decide the identity on its own random
# draws -- not where an argument is only invertible for some shapes (X^T X needs X tall), which ``equal``
# cannot know; there it must say "cannot tell" (never "not equal"), and the value is checked against the
# Cookbook's answer written in numpy instead.


@dataclass(frozen=True)
class MatrixFunctionIdentity:
    eq: str  # the Cookbook's equation
    expr: str
    wrt: str
    answer: str
    shapes: dict[str, tuple[int, ...]]
    f: Callable[..., Any]  # the function in plain numpy
    printed: str  # what to_matrix prints for el.diff's answer
    cookbook_form: bool
    decidable: bool = True


inv, det = np.linalg.inv, np.linalg.det


def _logdet(m: np.ndarray) -> float:
    return float(np.linalg.slogdet(m)[1])


S3 = (3, 3)
MATRIX_FUNCTION_IDENTITIES = [
    MatrixFunctionIdentity("49", r"\det X", "X", r"\det(X) X^{-T}", {"X": S3}, lambda X: det(X),
                           r"\det(X) X^{-\top}", True),
    MatrixFunctionIdentity("50", r"\det(A X B)", "X", r"\det(A X B) X^{-T}", {"A": S3, "X": S3, "B": S3},
                           lambda A, X, B: det(A @ X @ B), r"\det(A X B) A^\top (A X B)^{-\top} B^\top", False),
    MatrixFunctionIdentity("50 (non-square X)", r"\det(A X B)", "X", r"\det(A X B) A^T (A X B)^{-T} B^T",
                           {"A": (3, 4), "X": (4, 5), "B": (5, 3)}, lambda A, X, B: det(A @ X @ B),
                           r"\det(A X B) A^\top (A X B)^{-\top} B^\top", True, decidable=False),
    MatrixFunctionIdentity("52", r"\det(X^T A X)", "X",
                           r"\det(X^T A X) (A X (X^T A X)^{-1} + A^T X (X^T A^T X)^{-1})", {"X": (3, 2), "A": S3},
                           lambda X, A: det(X.T @ A @ X),
                           r"\det(X^\top A X) (A X (X^\top A X)^{-1} + A^\top X (X^\top A X)^{-\top})", False,
                           decidable=False),
    MatrixFunctionIdentity("55", r"\log\det(X^T X)", "X", r"2 X (X^T X)^{-1}", {"X": (4, 2)},
                           lambda X: _logdet(X.T @ X), r"2 X (X^\top X)^{-1}", True, decidable=False),
    MatrixFunctionIdentity("57", r"\log\det X", "X", r"X^{-T}", {"X": S3}, lambda X: _logdet(X), r"X^{-\top}", True),
    MatrixFunctionIdentity("58 (k = 2)", r"\det(X^2)", "X", r"2 \det(X^2) X^{-T}", {"X": S3},
                           lambda X: det(X @ X), r"\det(X X) ((X X)^{-\top} X^\top + X^\top (X X)^{-\top})", False),
    MatrixFunctionIdentity("61", r"a^T X^{-1} b", "X", r"-X^{-T} a b^T X^{-T}", {"a": V3, "X": S3, "b": V3},
                           lambda a, X, b: a @ inv(X) @ b, r"-X^{-\top} a b^\top X^{-\top}", True),
    MatrixFunctionIdentity("61 (transposed)", r"a^T X^{-T} b", "X", r"-X^{-T} b a^T X^{-T}",
                           {"a": V3, "X": S3, "b": V3}, lambda a, X, b: a @ inv(X).T @ b,
                           r"-X^{-\top} b a^\top X^{-\top}", True),
    MatrixFunctionIdentity("62", r"\det(X^{-1})", "X", r"-\det(X^{-1}) X^{-T}", {"X": S3},
                           lambda X: det(inv(X)), r"-\det(X^{-1}) X^{-\top} (X^{-1})^{-\top} X^{-\top}", False),
    MatrixFunctionIdentity("63", r"\operatorname{tr}(A X^{-1} B)", "X", r"-(X^{-1} B A X^{-1})^T",
                           {"A": S3, "X": S3, "B": S3}, lambda A, X, B: np.trace(A @ inv(X) @ B),
                           r"-X^{-\top} A^\top B^\top X^{-\top}", False),
    MatrixFunctionIdentity("64", r"\operatorname{tr}((X + A)^{-1})", "X", r"-((X + A)^{-1} (X + A)^{-1})^T",
                           {"X": S3, "A": S3}, lambda X, A: np.trace(inv(X + A)),
                           r"-(X + A)^{-\top} (X + A)^{-\top}", False),
    MatrixFunctionIdentity("64 (A = 0)", r"\operatorname{tr}(X^{-1})", "X", r"-X^{-T} X^{-T}", {"X": S3},
                           lambda X: np.trace(inv(X)), r"-X^{-\top} X^{-\top}", True),
    MatrixFunctionIdentity("2.2 (logdet of a quadratic)", r"\log\det(A + X^T X)", "X",
                           r"X ((A + X^T X)^{-1} + (A + X^T X)^{-T})", {"X": (4, 3), "A": S3},
                           lambda X, A: _logdet(A + X.T @ X),
                           r"X ((A + X^\top X)^{-1} + (A + X^\top X)^{-\top})", True),
    MatrixFunctionIdentity("2.2 (a vector)", r"\log\det(I + x x^T)", "x", r"2 (I + x x^T)^{-1} x", {"x": V3},
                           lambda x: _logdet(np.eye(3) + np.outer(x, x)),
                           r"((I + x x^\top)^{-\top} + (I + x x^\top)^{-1}) x", False),
    MatrixFunctionIdentity("2.4 (an inverse quadratic form)", r"x^T (A + B)^{-1} x", "x",
                           r"((A + B)^{-1} + (A + B)^{-T}) x", {"x": V3, "A": S3, "B": S3},
                           lambda x, A, B: x @ inv(A + B) @ x, r"((A + B)^{-1} + (A + B)^{-\top}) x", True),
]


def _well_conditioned(shapes: dict[str, tuple[int, ...]], seed: int) -> dict[str, np.ndarray]:
    """Random arrays; a square matrix is n I plus small noise (invertible, well-conditioned)."""
    rng = np.random.default_rng(seed)
    out = {}
    for k, v in shapes.items():
        a = rng.standard_normal(v)
        out[k] = len(v) * np.eye(v[0]) + 0.3 * a if len(v) == 2 and v[0] == v[1] else a
    return out


@pytest.mark.parametrize("identity", MATRIX_FUNCTION_IDENTITIES,
                         ids=[f"{i.eq} d/d{i.wrt} {i.expr}" for i in MATRIX_FUNCTION_IDENTITIES])
def test_cookbook_matrix_function_identity(identity: MatrixFunctionIdentity) -> None:
    e = parse_matrix(identity.expr, identity.shapes)
    d = el.diff(e, f"{identity.wrt}^p" if len(identity.shapes[identity.wrt]) == 1 else f"{identity.wrt}^p_q")
    answer = parse_matrix(identity.answer, identity.shapes, indices=d.free)
    if identity.decidable:
        assert el.equal(d, answer), el.compare(d, answer)
    else:
        assert "cannot tell" in str(el.compare(d, answer)) or el.equal(d, answer)
    arrays = _well_conditioned(identity.shapes, seed=len(identity.expr))
    names = ["p", "q"][: len(identity.shapes[identity.wrt])]
    got = _in_order(d, el.evaluate(d, arrays), names)
    fd = _fd_gradient(identity.f, arrays, identity.wrt)
    np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-6)
    # the Cookbook's answer, evaluated: the same numbers (an oracle the engine's derivative did not produce)
    np.testing.assert_allclose(_in_order(answer, el.evaluate(answer, arrays), names), fd, rtol=1e-6, atol=1e-6)
    compiled = el.compile(d)(**{k: v for k, v in arrays.items() if k in d.tensors()})
    np.testing.assert_allclose(_in_order(d, compiled, names), fd, rtol=1e-6, atol=1e-6)
    printed = to_matrix(d)
    assert printed == identity.printed
    assert el.equal(parse_matrix(printed, identity.shapes, indices=d.free), d) or not identity.decidable
    assert any(_terms(_plain(to_matrix(d, factor=f))) == _terms(_plain(identity.answer)) for f in (True, False)) \
        == identity.cookbook_form


def _plain(text: str) -> str:
    return text.replace(r"^{-\top}", "^{-T}")


def _fd(f: Callable[[np.ndarray], Any], X: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences of ``f`` (an array-valued function of the matrix X): axes f's, then X's."""
    cols = []
    for idx in np.ndindex(*X.shape):
        plus, minus = X.copy(), X.copy()
        plus[idx] += h
        minus[idx] -= h
        cols.append((np.asarray(f(plus)) - np.asarray(f(minus))) / (2 * h))
    return np.stack(cols, axis=-1).reshape(np.shape(f(X)) + X.shape)


X3 = 3 * np.eye(3) + 0.3 * np.random.default_rng(7).standard_normal((3, 3))


def test_cookbook_59_derivative_of_the_inverse() -> None:
    # d (X^{-1})_{kl} / d X_{ij} = -(X^{-1})_{ki} (X^{-1})_{jl}
    d = el.diff(el.parse(r"\mathrm{inv}(X^k_l)"), "X^i_j")
    assert el.equal(d, el.parse(r"-\mathrm{inv}(X^k_i) \mathrm{inv}(X^j_l)"))
    wrong = el.parse(r"-\mathrm{inv}(X^k_b) \mathrm{inv}(X^a_l) \delta_{a i} \delta^{b j}")  # i and j swapped
    assert "values differ" in str(el.compare(d, wrong))
    np.testing.assert_allclose(_in_order(d, el.evaluate(d, {"X": X3}), ["k", "l", "i", "j"]),
                               _fd(inv, X3), rtol=1e-6, atol=1e-8)


def test_second_derivative_of_log_det() -> None:
    # d^2 log|det X| / dX_{pq} dX_{rs} = -(X^{-1})_{qr} (X^{-1})_{sp}
    h = el.diff(el.diff(parse_matrix(r"\log\det X", {"X": S3}), "X^p_q"), "X^r_s")
    assert el.equal(h, el.parse(r"-\mathrm{inv}(X^q_r) \mathrm{inv}(X^s_p)"))
    want = -np.einsum("qr,sp->pqrs", inv(X3), inv(X3))
    np.testing.assert_allclose(_in_order(h, el.evaluate(h, {"X": X3}), ["p", "q", "r", "s"]), want, rtol=1e-9)
    np.testing.assert_allclose(want, _fd(lambda X: inv(X).T, X3), rtol=1e-6, atol=1e-8)  # the oracle itself


def test_second_derivative_of_det() -> None:
    # d^2 det X / dX_{pq} dX_{rs} = det X ((X^{-1})_{qp} (X^{-1})_{sr} - (X^{-1})_{qr} (X^{-1})_{sp})
    h = el.diff(el.diff(parse_matrix(r"\det X", {"X": S3}), "X^p_q"), "X^r_s")
    assert el.equal(h, el.parse(r"\det(X^a_b) (\mathrm{inv}(X^q_p) \mathrm{inv}(X^s_r) "
                                r"- \mathrm{inv}(X^q_r) \mathrm{inv}(X^s_p))"))
    got = _in_order(h, el.evaluate(h, {"X": X3}), ["p", "q", "r", "s"])
    np.testing.assert_allclose(got, _fd(lambda X: det(X) * inv(X).T, X3), rtol=1e-6, atol=1e-6)


def test_third_derivative_of_log_det_by_finite_differences() -> None:
    e = parse_matrix(r"\log\det X", {"X": (2, 2)})
    t = el.diff(el.diff(el.diff(e, "X^p_q"), "X^r_s"), "X^u_v")
    X = 2 * np.eye(2) + 0.3 * np.random.default_rng(3).standard_normal((2, 2))
    got = _in_order(t, el.evaluate(t, {"X": X}), ["p", "q", "r", "s", "u", "v"])
    np.testing.assert_allclose(got, _fd(lambda Y: -np.einsum("qr,sp->pqrs", inv(Y), inv(Y)), X), rtol=1e-6,
                               atol=1e-6)


def test_hessian_of_an_inverse_quadratic_form() -> None:
    shapes = {"x": V3, "A": S3, "B": S3}
    h = el.diff(el.diff(parse_matrix(r"x^T (A + B)^{-1} x", shapes), "x^p"), "x^r")
    assert el.equal(h, parse_matrix(r"(A + B)^{-1} + (A + B)^{-T}", shapes, indices=h.free))
    assert to_matrix(h) == r"(A + B)^{-1} + (A + B)^{-\top}"
    arrays = _well_conditioned(shapes, seed=5)
    want = inv(arrays["A"] + arrays["B"])
    np.testing.assert_allclose(_in_order(h, el.evaluate(h, arrays), ["p", "r"]), want + want.T, rtol=1e-9)


def test_count_of_matrix_function_identities() -> None:
    assert len(MATRIX_FUNCTION_IDENTITIES) + 6 >= 20  # 16 first-order identities, 6 of second and third order
    assert sum(i.cookbook_form for i in MATRIX_FUNCTION_IDENTITIES) >= 9
