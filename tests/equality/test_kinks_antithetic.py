"""equal on functions with a kink: agreement on one side of the kink proves nothing (harness seed 30113)."""

import numpy as np

import einsteinpy_lite as el

P = el.parse


def test_relu_of_a_transposed_matrix_is_not_equal_on_lucky_draws():
    # relu(R_{n s1}) against relu(R_{s1 n}) on a 2x2 R: three draws had every off-diagonal entry negative
    a = P(r"W1_{\nu s1}^{k} (\frac{\alpha}{2} \lambda^{\nu}_{n k}) + \mathrm{relu}(R_{n s1})")
    b = P(r"W1_{\nu s1}^{k} (\frac{\alpha}{2} \lambda^{\nu}_{n k}) + \mathrm{relu}(R_{s1 n})")
    R = np.array([[1.0, 2.0], [-1.0, 0.5]])
    assert not np.allclose(np.maximum(R, 0), np.maximum(R.T, 0))  # the oracle: they differ
    assert not el.equal(a, b)


def test_relu_identity_still_holds():
    assert el.equal(P(r"\mathrm{relu}(x^i) - \mathrm{relu}(-x^i)"), P("x^i"))
    assert not el.equal(P(r"\mathrm{relu}(x^i)"), P("x^i"))
