"""softmax and logsumexp in matrix notation (parse_matrix, to_matrix) and in the plain-text printer."""

from __future__ import annotations

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError
from einsteinpy_lite.notation.pretty import pretty

SHAPES = {"W": (3, 4), "x": (4,), "t": (3,), "z": (3,)}


def np_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


@pytest.mark.parametrize("text", [
    r"\operatorname{softmax}(W x)",
    r"\operatorname{logsumexp}(W x)",
    r"\operatorname{logsumexp}(W x) - t^\top W x",
    r"t^\top \operatorname{softmax}(z)",
    r"\operatorname{softmax}(z) \odot t",
])
def test_matrix_round_trip(text: str) -> None:
    e = el.parse_matrix(text, SHAPES)
    assert el.to_matrix(e) == text
    assert el.parse_matrix(el.to_matrix(e), SHAPES) == e


def test_matrix_values_against_numpy() -> None:
    rng = np.random.default_rng(3)
    W, x = rng.normal(size=(3, 4)) * 400, rng.normal(size=4)
    sm = el.parse_matrix(r"\operatorname{softmax}(W x)", SHAPES)
    lse = el.parse_matrix(r"\mathrm{logsumexp}(W x)", SHAPES)
    z = W @ x
    np.testing.assert_allclose(el.compile(sm)(W=W, x=x), np_softmax(z), atol=1e-300)
    np.testing.assert_allclose(el.compile(lse)(W=W, x=x), z.max() + np.log(np.exp(z - z.max()).sum()))


def test_cross_entropy_in_matrix_form() -> None:
    # -t^T logsoftmax(z) = logsumexp(z) - t^T z for targets summing to one
    loss = el.parse_matrix(r"\operatorname{logsumexp}(z) - t^\top z", SHAPES)
    g = el.diff(loss, "z^m")
    assert el.to_matrix(g) == r"\operatorname{softmax}(z) - t"
    H = el.diff(g, "z^n")
    closed = r"\mathrm{softmax}(z_m) \odot \delta_{mn} - \mathrm{softmax}(z_m) \mathrm{softmax}(z_n)"
    assert el.equal(H, el.parse(closed))
    jac = el.diff(el.parse(r"\mathrm{softmax}(z^i)"), "z^m")
    assert el.to_matrix(jac) == (r"\operatorname{diag}(\operatorname{softmax}(z)) - "
                                 r"\operatorname{softmax}(z) \operatorname{softmax}(z)^\top")


def test_logsoftmax_in_matrix_form() -> None:
    assert el.to_matrix(el.parse(r"\mathrm{logsoftmax}(z^i)")) == r"\operatorname{logsoftmax}(z)"
    ce = el.parse_matrix(r"-t^\top \operatorname{logsoftmax}(z)", SHAPES)
    assert el.equal(ce, el.parse(r"-t_i \mathrm{logsoftmax}(z^i)"))
    z, t = np.array([1000.0, 0.0, -1000.0]), np.array([0.2, 0.3, 0.5])
    assert el.compile(ce)(z=z, t=t) == pytest.approx(1300.0)
    for text in (r"-t^\top \operatorname{logsoftmax}(z)", r"\operatorname{logsoftmax}(W x)",
                 r"\operatorname{logsoftmax}(z) \odot t"):
        e = el.parse_matrix(text, SHAPES)
        assert el.to_matrix(e) == text
        assert el.parse_matrix(el.to_matrix(e), SHAPES) == e
    # a logsumexp of another vector is not a log-softmax
    other = el.parse(r"z^i - \mathrm{logsumexp}(y^r) \sum_k \delta^i_k")
    assert el.to_matrix(other) == r"z - \operatorname{logsumexp}(y) \mathbf{1}"


@pytest.mark.parametrize("text, match", [
    (r"\operatorname{softmax}(W)", r"softmax\} of 'W' \(3×4\): \\operatorname\{softmax\} takes a \(column\) vector"),
    (r"\operatorname{logsumexp}(x^\top)", r"logsumexp\} of 'x\^\\top' \(a row vector of size 4\)"),
    (r"\operatorname{softmax}'(x)", r"not elementwise: a prime"),
    (r"\operatorname{logsoftmax}(W)", r"logsoftmax\} of 'W' \(3×4\)"),
])
def test_matrix_bad_input(text: str, match: str) -> None:
    with pytest.raises(EinsteinError, match=match) as info:
        el.parse_matrix(text, SHAPES)
    assert "^" in str(info.value).splitlines()[2]


def test_pretty() -> None:
    assert pretty(el.parse(r"\mathrm{softmax}(z^i) + \mathrm{logsumexp}(z^j) t^i")).splitlines()[1] == (
        "softmax(z ) + logsumexp(z )⋅t")
