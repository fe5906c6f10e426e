r"""Matrix notation in (parse_matrix) and out (to_matrix).

Values are checked against plain numpy written here (the matrix expression computed with ``@``),
never against the engine alone.
"""

from __future__ import annotations

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError, parse_matrix, to_matrix
from einsteinpy_lite.notation.matrix import read_shapes

SHAPES = {"a": (3,), "b": (4,), "x": (3,), "y": (3,), "X": (3, 4), "Y": (3, 4), "A": (3, 3), "B": (4, 3),
          "C": (3, 3), "alpha": ()}
RNG = np.random.default_rng(7)
ARR = {k: RNG.standard_normal(v) for k, v in SHAPES.items() if v}


def value(text: str, shapes: dict | str = SHAPES) -> np.ndarray:  # type: ignore[type-arg]
    """The engine's value of the parsed text, axes row then column."""
    e = parse_matrix(text, shapes)
    return el.evaluate(e, ARR, alpha=0.7)


# numpy's reading of each expression, written from the notation itself
CASES = [
    (r"a^\top X b", lambda a, X, b, **_: a @ X @ b),
    (r"a^T X b", lambda a, X, b, **_: a @ X @ b),
    (r"a^{\mathsf T} X b", lambda a, X, b, **_: a @ X @ b),
    (r"a^{\mathsf{T}} X b", lambda a, X, b, **_: a @ X @ b),
    (r"b^\intercal X^\top a", lambda a, X, b, **_: b @ X.T @ a),
    (r"X b", lambda X, b, **_: X @ b),
    (r"X^\top a", lambda X, a, **_: X.T @ a),
    (r"x^\top A", lambda x, A, **_: x @ A),
    (r"a b^\top", lambda a, b, **_: np.outer(a, b)),
    (r"\operatorname{tr}(A X B)", lambda A, X, B, **_: np.trace(A @ X @ B)),
    (r"\mathrm{tr}(X B)", lambda X, B, **_: np.trace(X @ B)),
    (r"\operatorname{Tr} A", lambda A, **_: np.trace(A)),
    (r"x^\top A x", lambda x, A, **_: x @ A @ x),
    (r"\|x\|^2", lambda x, **_: x @ x),
    (r"\left\| X b - a \right\|^2", lambda X, a, b, **_: (X @ b - a) @ (X @ b - a)),
    (r"\|X\|_F^2", lambda X, **_: (X * X).sum()),
    (r"A x + A^T x", lambda A, x, **_: A @ x + A.T @ x),
    (r"(A + A^\top) x - 2 C x", lambda A, C, x, **_: (A + A.T) @ x - 2 * C @ x),
    (r"\frac{1}{2} x^\top A x + \alpha \|x\|^2", lambda x, A, **_: 0.5 * x @ A @ x + 0.7 * x @ x),
    (r"\sigma(X b)", lambda X, b, **_: 1 / (1 + np.exp(-(X @ b)))),
    (r"\tanh(B a) a^\top", lambda B, a, **_: np.outer(np.tanh(B @ a), a)),
    (r"\mathbf{1}^\top X b", lambda X, b, **_: (X @ b).sum()),
    (r"A^2 x", lambda A, x, **_: A @ A @ x),
    (r"(x^\top y)^2", lambda x, y, **_: (x @ y) ** 2),
    (r"(x^\top y) A x", lambda x, y, A, **_: (x @ y) * (A @ x)),
    (r"A + I", lambda A, **_: A + np.eye(3)),
    (r"\operatorname{tr}(\exp(X B) A)", lambda X, B, A, **_: np.trace(np.exp(X @ B) @ A)),
    (r"x^\top \cdot A \cdot y", lambda x, A, y, **_: x @ A @ y),
    # the Hadamard product and diag (kept indices)
    (r"x \odot y", lambda x, y, **_: x * y),
    (r"X \circ Y", lambda X, Y, **_: X * Y),
    (r"a^\top (X \odot Y) b", lambda a, X, Y, b, **_: a @ (X * Y) @ b),
    (r"X^\top \odot Y^\top", lambda X, Y, **_: X.T * Y.T),
    (r"A x \odot y", lambda A, x, y, **_: (A @ x) * y),
    (r"\operatorname{diag}(x) A", lambda x, A, **_: np.diag(x) @ A),
    (r"x^\top \operatorname{diag}(a) y", lambda x, a, y, **_: x @ np.diag(a) @ y),
    (r"A \operatorname{diag}(x \odot y) A^\top", lambda A, x, y, **_: A @ np.diag(x * y) @ A.T),
    (r"\sigma(x) \odot \exp(y) + x", lambda x, y, **_: np.exp(y) / (1 + np.exp(-x)) + x),
]


@pytest.mark.parametrize(("text", "numpy_form"), CASES, ids=[c[0] for c in CASES])
def test_values_match_numpy(text: str, numpy_form) -> None:  # type: ignore[no-untyped-def]
    got = value(text)
    want = numpy_form(**ARR)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("text", "numpy_form"), CASES, ids=[c[0] for c in CASES])
def test_round_trip(text: str, numpy_form) -> None:  # type: ignore[no-untyped-def]
    e = parse_matrix(text, SHAPES)
    back = parse_matrix(to_matrix(e), SHAPES, indices=e.free)
    assert el.equal(back, e), (to_matrix(e), str(back), str(e))


def test_matrix_is_one_up_one_down_and_vector_up() -> None:
    e = parse_matrix("X b", SHAPES)
    assert str(e) == "X^i_l b^l"
    assert e.tensors() == {"X": (True, False), "b": (True,)}


def test_default_and_requested_free_indices() -> None:
    assert [str(ix) for ix in parse_matrix("a b^T", SHAPES).free] == ["^i", "_j"]
    assert [str(ix) for ix in parse_matrix("x^T A", SHAPES).free] == ["_j"]
    assert {str(ix) for ix in parse_matrix("a b^T", SHAPES, indices="_p^q").free} == {"_p", "^q"}
    with pytest.raises(EinsteinError, match="takes 2 free indices"):
        parse_matrix("a b^T", SHAPES, indices="^i")


def test_shapes_from_declarations_in_text_and_as_shapes() -> None:
    text = r"a^\top X b, \quad a \in \mathbb{R}^{3}, X \in \mathbb{R}^{3 \times 4}, b \in \mathbb{R}^4"
    np.testing.assert_allclose(el.evaluate(parse_matrix(text), ARR), ARR["a"] @ ARR["X"] @ ARR["b"])
    e = parse_matrix(r"a^\top X b", r"a \in \mathbb{R}^{n}, X \in \mathbb{R}^{n\times m}, b \in \mathbb{R}^{m}")
    assert el.equal(e, parse_matrix(r"a^\top X b", SHAPES))
    assert read_shapes(r"x, y \in \mathbb{R}^n; \lambda \in \mathbb{R}") == {"x": ("n",), "y": ("n",), "lambda": ()}


def test_size_symbols_and_greek_are_scalars() -> None:
    e = parse_matrix(r"\frac{1}{n} \|x\|^2 + \lambda x^\top y", {"x": ("n",), "y": ("n",)})
    assert {str(s) for s in e.scalar_symbols()} == {"n", "lambda"}
    got = el.evaluate(e, ARR, n=3, **{"lambda": 0.5})
    np.testing.assert_allclose(got, ARR["x"] @ ARR["x"] / 3 + 0.5 * ARR["x"] @ ARR["y"])


def test_greek_matrix_and_bold_names() -> None:
    e = parse_matrix(r"\mathbf{x}^\top \Sigma \mathbf{x}", {"x": ("n",), "Sigma": ("n", "n")})
    assert "\\Sigma" in e.tensors()
    np.testing.assert_allclose(el.evaluate(e, {"x": ARR["x"], "Sigma": ARR["A"]}), ARR["x"] @ ARR["A"] @ ARR["x"])


def test_shapes_inferred_where_unique() -> None:
    # M is sized by x on both sides; the sum gives N the shape of A
    e = parse_matrix(r"x^\top M x + \operatorname{tr}(N) ", {"x": (3,), "A": (3, 3), "N": (3, 3)})
    assert e.tensors()["M"] == (True, False)
    e = parse_matrix("A + N", {"A": (3, 3)})
    assert e.tensors()["N"] == (True, False)


def test_shape_not_inferable_names_the_symbol() -> None:
    with pytest.raises(EinsteinError, match="cannot infer the shape of 'M': its number of rows") as info:
        parse_matrix("M x", SHAPES)
    assert "\n  M x\n  ^" in str(info.value)


# --------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("text", "message", "caret"), [
    ("X a", r"shape mismatch in a matrix product: 'X' is 3×4, 'a' is a vector of size 3 \(4 columns, 3 rows\)", 2),
    ("A B", r"shape mismatch in a matrix product: 'A' is 3×3, 'B' is 4×3", 2),
    ("A + x", r"the terms of a sum must have the same shape: 'A' is 3×3, 'x' is a vector of size 3", 4),
    (r"\operatorname{tr}(X)", r"trace of the non-square '\(X\)' \(3×4\)", 0),
    (r"\alpha^\top x", r"transpose of the scalar '\\alpha'", 6),
    ("2^T x", r"transpose of the scalar '2'", 1),
    (r"\|X\|^2", r"the 2-norm is for vectors; write \\\|X\\\|_F\^2", 0),
    (r"\|X\| + 1", r"the 2-norm is for vectors", 0),
    (r"\|x\|^3", r"only the squared norm", 5),
    ("x^i", "unexpected '\\^' in matrix notation", 1),
    ("A_{ij}", "unexpected '_' in matrix notation", 1),
    (r"X^{-1}", r"the inverse of 'X' \(3×4\): only a square matrix has an inverse", 1),
    (r"a^{-1}", r"the inverse of 'a' \(a vector of size 3\): only a square matrix", 1),
    (r"\det(X)", r"the determinant of '\(X\)' \(3×4\): only a square matrix has one", 0),
    (r"A + \log\det X", r"the determinant of 'X' \(3×4\)", 4),
    (r"A \odot X", r"the Hadamard product needs equal shapes: 'A' is 3×3, 'X' is 3×4", 2),
    (r"A \otimes C", r"the Kronecker product \(\\otimes\) is not supported", 2),
    (r"\operatorname{foo}(x)", r"unknown operator '\\\\operatorname\{foo\}'", 0),
    (r"\foo x", r"unknown operator '\\\\foo'", 0),
    (r"\|x", r"a norm bar \\\| is not closed", 0),
    ("A x +", "unexpected end of text", 5),
    (r"\frac{x}{y}", r"the denominator 'y' is a vector of size 3, not a scalar", 9),
    (r"\operatorname{diag}(X)", r"diag takes a vector", 0),
    (r"X^2", r"a power of the non-square 'X' \(3×4\)", 1),
])
def test_bad_input_caret_and_shapes(text: str, message: str, caret: int) -> None:
    with pytest.raises(EinsteinError, match=message) as info:
        parse_matrix(text, SHAPES)
    lines = str(info.value).split("\n")
    assert lines[1] == "  " + text
    assert lines[2] == "  " + " " * caret + "^", str(info.value)


def test_bad_shapes_argument() -> None:
    with pytest.raises(EinsteinError, match="at most two sizes"):
        parse_matrix("x", {"x": (2, 3, 4)})
    with pytest.raises(EinsteinError, match="a size must be at least 1"):
        parse_matrix("x", {"x": (0,)})
    with pytest.raises(EinsteinError, match="expected a declaration"):
        parse_matrix("x", r"x \subset \mathbb{R}^3")
    with pytest.raises(EinsteinError, match="takes a string"):
        parse_matrix(3)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------- to_matrix


@pytest.mark.parametrize(("index_form", "matrix_form"), [
    ("A_{m j} x^j + x^i A_{i m}", r"(A + A^\top) x"),
    ("a_p b^q", r"a b^\top"),
    (r"A^i_j X^j_k B^k_l \delta^l_i", r"\operatorname{tr}(A X B)"),
    (r"x^i \delta_{i j} A^j_k x^k", r"x^\top A x"),
    ("A^i_j B^k_i", r"A^\top B^\top"),
    (r"2 x^i y^j - \frac{1}{2} A^i_k B^k_l C^{l j}", r"2 x y^\top - \frac{1}{2} A B C"),
    (r"\sigma(W^i_j x^j)", r"\sigma(W x)"),
    (r"[\nabla\sigma(z^i)]^i_p a_i", r"\operatorname{diag}(\sigma'(z)) a"),
    (r"\sum_{k} x^k", r"x^\top \mathbf{1}"),
    (r"\delta^i_j", "I"),
    (r"x^i \odot y^i", r"x \odot y"),
    (r"A^i_j x^j \odot y^i", r"(A x) \odot y"),
    (r"x^i \odot \delta^i_j", r"\operatorname{diag}(x)"),
    (r"[\nabla\sigma(x^i)]^i_p \odot y^i", r"\operatorname{diag}(\sigma'(x) \odot y)"),
    (r"a_i ([\nabla\sigma(x^i)]^i_p \odot y^i)", r"\operatorname{diag}(\sigma'(x) \odot y) a"),
    ("0 x^i", "0"),
])
def test_to_matrix_forms(index_form: str, matrix_form: str) -> None:
    assert to_matrix(index_form) == matrix_form
    assert el.latex(index_form, form="matrix") == matrix_form


def test_to_matrix_row_and_column_order() -> None:
    assert to_matrix("a_p b^q", indices="^q_p") == r"b a^\top"
    with pytest.raises(EinsteinError, match="must name the free indices p, q"):
        to_matrix("a_p b^q", indices="^q_r")


@pytest.mark.parametrize(("index_form", "why"), [
    ("T^i_{j k} x^j", "the factor T\\^i_\\{j k\\} has 3 indices"),
    ("a^i b^j c^k", "has 3 free indices \\(a tensor of order 3\\)"),
    (r"a_i (\delta^i_p \odot \delta_j^q \odot Y^i_j) b^j x^k", "has 3 free indices"),
    (r"\delta_{i k} (\delta^k_p \odot Y^k_l) \delta^{j l} Z^i_j", "neither a Hadamard product of equal shapes nor a diagonal"),
    (r"\sum_{k=0}^{K-1} x^k", "the index k of a \\\\sum with bounds is an upper slot of x\\^k"),
    (r"[\nabla\sigma(Z^i_j)]^i_{j p}^q A^p_q", "a 4-index tensor"),
])
def test_no_matrix_form_says_why(index_form: str, why: str) -> None:
    with pytest.raises(EinsteinError, match="no matrix form: .*" + why) as info:
        to_matrix(index_form)
    assert "the index form is" in str(info.value)


def test_latex_form_is_checked() -> None:
    with pytest.raises(EinsteinError, match="the form is 'index' or 'matrix'"):
        el.latex("x^i", form="tensor")


def test_derivative_printed_back_and_read_back() -> None:
    # the slides' layer: d/dW of 1/2 |sigma(W x) - c|^2, shown in matrix form and read back equal
    shapes = {"W": (3, 4), "x": (4,), "c": (3,)}
    e = parse_matrix(r"\frac{1}{2} \|\sigma(W x) - c\|^2", shapes)
    d = el.diff(e, "W^p_q")
    m = to_matrix(d)
    assert m == r"\operatorname{diag}(\sigma'(W x)) (\sigma(W x) - c) x^\top"
    assert el.equal(parse_matrix(m, shapes, indices=d.free), d)
    # and against numpy: (sigma'(z) * (sigma(z) - c)) x^T
    W, x, c = RNG.standard_normal((3, 4)), RNG.standard_normal(4), RNG.standard_normal(3)
    s = 1 / (1 + np.exp(-(W @ x)))
    np.testing.assert_allclose(el.evaluate(d, {"W": W, "x": x, "c": c}), np.outer(s * (1 - s) * (s - c), x))


def test_hadamard_derivative_in_matrix_form_against_finite_differences() -> None:
    shapes = {"x": (3,), "y": (3,), "a": (3,)}
    e = parse_matrix(r"\|x \odot y - a\|^2", shapes)
    d = el.diff(e, "x^p")
    m = to_matrix(d)
    assert m == r"2 \operatorname{diag}(y) ((x \odot y) - a)"
    assert el.equal(parse_matrix(m, shapes, indices=d.free), d)
    x, y, a = (RNG.standard_normal(3) for _ in range(3))
    h = 1e-6
    fd = [((((x + h * e_k) * y - a) ** 2).sum() - (((x - h * e_k) * y - a) ** 2).sum()) / (2 * h) for e_k in np.eye(3)]
    np.testing.assert_allclose(el.evaluate(d, {"x": x, "y": y, "a": a}), fd, rtol=1e-6)
    np.testing.assert_allclose(el.evaluate(d, {"x": x, "y": y, "a": a}), 2 * y * (x * y - a))


@pytest.mark.parametrize(("expr", "wrt", "printed", "numpy_form"), [
    # d/dX a^T (X o Y) b = (a b^T) o Y;  d/dX tr(A^T (X o Y)) = A o Y;  d/dy x^T (a o y) = x o a
    (r"a^\top (X \odot Y) b", "X^p_q", r"Y \odot (a b^\top)", lambda a, Y, b, **_: np.outer(a, b) * Y),
    (r"\operatorname{tr}(Z^\top (X \odot Y))", "X^p_q", r"Z \odot Y", lambda Z, Y, **_: Z * Y),
    (r"x^\top (a \odot y)", "y^p", r"x \odot a", lambda x, a, **_: x * a),
])
def test_hadamard_gradients_in_matrix_form(expr: str, wrt: str, printed: str, numpy_form) -> None:  # type: ignore[no-untyped-def]
    shapes = dict(SHAPES, Z=(3, 4))
    d = el.diff(parse_matrix(expr, shapes), wrt)
    assert to_matrix(d) == printed
    assert el.equal(parse_matrix(printed, shapes, indices=d.free), d)
    arrays = dict(ARR, Z=RNG.standard_normal((3, 4)))
    np.testing.assert_allclose(el.evaluate(d, arrays), numpy_form(**arrays))


# --------------------------------------------------------------------------------------- sums over samples

SLIDES = {"A": ("h", "n"), "y": ("n",), "b": ("h",), "B": ("m", "h"), "x": ("m",)}


def test_slides_loss_in_matrix_notation_is_the_verified_loss() -> None:
    from einsteinpy_lite.verify.formulas import loss_expr

    e = parse_matrix(r"\frac{1}{K} \sum_{k=0}^{K-1} \|x_k - B \sigma(A y_k + b)\|^2", SLIDES)
    assert el.equal(e, loss_expr())
    # against numpy: K samples as rows
    rng = np.random.default_rng(3)
    K, A, B, b = 5, rng.standard_normal((4, 3)), rng.standard_normal((2, 4)), rng.standard_normal(4)
    y, x = rng.standard_normal((K, 3)), rng.standard_normal((K, 2))
    r = x - (1 / (1 + np.exp(-(y @ A.T + b)))) @ B.T
    np.testing.assert_allclose(el.evaluate(e, {"A": A, "B": B, "b": b, "y": y, "x": x}, K=K), (r * r).sum() / K)


@pytest.mark.parametrize(("wrt", "printed"), [
    ("A^p_q", r"-\frac{2}{K} \sum_{k=0}^{K - 1} \operatorname{diag}(\sigma'(A y_{k} + b)) B^\top "
              r"(x_{k} - B \sigma(A y_{k} + b)) y_{k}^\top"),
    ("b^p", r"-\frac{2}{K} \sum_{k=0}^{K - 1} \operatorname{diag}(\sigma'(A y_{k} + b)) B^\top "
            r"(x_{k} - B \sigma(A y_{k} + b))"),
    ("B^p_q", r"-\frac{2}{K} \sum_{k=0}^{K - 1} (x_{k} - B \sigma(A y_{k} + b)) \sigma(A y_{k} + b)^\top"),
])
def test_slides_gradients_in_matrix_form_read_back(wrt: str, printed: str) -> None:
    from einsteinpy_lite.verify.formulas import loss_expr

    d = el.diff(loss_expr(), wrt)
    assert to_matrix(d) == printed
    assert el.equal(parse_matrix(printed, SLIDES, indices=d.free), d)


def test_sum_without_bounds_and_sample_errors() -> None:
    e = parse_matrix(r"\sum_k y_k^\top y_k", {"y": (3,)})
    y = RNG.standard_normal((4, 3))
    np.testing.assert_allclose(el.evaluate(e, {"y": y}), (y * y).sum())
    with pytest.raises(EinsteinError, match=r"the subscript _k is not bound by a \\sum over k") as info:
        parse_matrix(r"y_k^\top y", {"y": (3,)})
    assert str(info.value).split("\n")[2] == "   ^"
    with pytest.raises(EinsteinError, match="a sample subscript _k goes on a name"):
        parse_matrix(r"\sum_k (A y)_k", {"y": (3,), "A": (3, 3)})
    with pytest.raises(EinsteinError, match="both bounds"):
        parse_matrix(r"\sum_{k=0} y_k", {"y": (3,)})


def test_norms_differentiate_as_the_cookbook_says() -> None:
    # d|x|/dx = x/|x|, d|X|_F/dX = X/|X|_F (Matrix Cookbook eqs. 129, 555); the Hessian of |x| is
    # (I - x x^T/|x|^2)/|x|; checked against numpy written here
    rng = np.random.default_rng(4)
    x, X = rng.standard_normal(4), rng.standard_normal((3, 5))
    g = el.diff(parse_matrix(r"\|x\|_2", {"x": ("n",)}), "x^p")
    np.testing.assert_allclose(el.evaluate(g, {"x": x}), x / np.linalg.norm(x))
    h = el.diff(g, "x^q")
    n = np.linalg.norm(x)
    np.testing.assert_allclose(el.evaluate(h, {"x": x}), (np.eye(4) - np.outer(x, x) / n**2) / n)
    f = el.diff(parse_matrix(r"\|X\|_F", {"X": ("n", "m")}), "X^p_q")
    np.testing.assert_allclose(el.evaluate(f, {"X": X}), X / np.linalg.norm(X))
    assert el.to_matrix(g) == r"2 \mathrm{sqrt}'(x^\top x) x"
