"""The stable softmax / logsumexp kernels in compiled code on another array backend (torch)."""

from __future__ import annotations

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError
from einsteinpy_lite.core.vector_kernels import vector_function


def test_torch_cross_entropy_at_large_logits() -> None:
    torch = pytest.importorskip("torch")
    z = torch.tensor([1000.0, 0.0, -1000.0], dtype=torch.float64)
    t = torch.tensor([0.2, 0.3, 0.5], dtype=torch.float64)
    loss = el.parse(r"-t_i \mathrm{logsoftmax}(z^i)")
    g = el.diff(loss, "z^m")
    assert float(el.compile(loss)(z=z, t=t)) == pytest.approx(1300.0)
    out = el.compile(g)(z=z, t=t)
    assert isinstance(out, torch.Tensor)
    np.testing.assert_allclose(out.numpy(), [0.8, -0.3, -0.5])
    lse = el.compile(el.parse(r"\mathrm{logsumexp}(z^i)"))
    assert float(lse(z=torch.full((3,), -float("inf"), dtype=torch.float64))) == -float("inf")


def test_kernel_batch_axis_and_unknown_name() -> None:
    a = np.array([[1000.0, 0.0], [0.0, 1000.0], [-1000.0, 0.0]])  # vectors down axis 0
    np.testing.assert_allclose(vector_function("logsumexp", a, np, 0), [1000.0, 1000.0])
    np.testing.assert_allclose(vector_function("softmax", a, np, 0), [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    with pytest.raises(EinsteinError, match="unknown vector function 'softmin'"):
        vector_function("softmin", a, np, 0)
