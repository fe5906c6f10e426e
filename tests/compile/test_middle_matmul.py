"""A matrix contracted with a middle axis of a large operand is a broadcast matmul on a view, not a
transpose-copy of the large operand (the ``pi,qj,ijkl,rk,sl->pqrs`` benchmark)."""

import numpy as np

import einsteinpy_lite as el


def test_basis_change_of_a_four_index_tensor_copies_no_intermediate():
    n = 12
    rng = np.random.default_rng(2)
    c = [rng.normal(size=(n, n)) for _ in range(4)]
    t = rng.normal(size=(n, n, n, n))
    fn = el.compile(el.parse("P^p_i Q^q_j T^{ijkl} R^r_k S^s_l"), out=("p", "q", "r", "s"))
    got = fn(P=c[0], Q=c[1], T=t, R=c[2], S=c[3])
    np.testing.assert_allclose(got, np.einsum("pi,qj,ijkl,rk,sl->pqrs", c[0], c[1], t, c[2], c[3], optimize=True),
                               rtol=1e-9, atol=1e-9)
    src = fn.source
    assert src is not None
    steps = [line for line in src.splitlines() if "@" in line]
    assert len(steps) == 4 and not any("transpose" in line for line in steps), src


def test_a_middle_axis_contraction_matches_numpy_in_every_position():
    rng = np.random.default_rng(4)
    a = rng.normal(size=(3, 5, 40))
    m = rng.normal(size=(6, 5))
    for text, spec, ops in [
        ("A^{i j k} M^r_j", "ijk,rj->ikr", dict(A=a, M=m)),
        ("M^r_j A^{i j k}", "rj,ijk->rik", dict(M=m, A=a)),
        ("A^{i j k} N_j^r", "ijk,jr->ikr", dict(A=a, N=m.T.copy())),
    ]:
        e = el.parse(text)
        fn = el.compile(e)
        assert [ix.name for ix in e.free] == list(spec.split("->")[1])
        np.testing.assert_allclose(fn(**ops), np.einsum(spec, *ops.values()), rtol=1e-12)
        assert fn.source is not None
        assert not any("transpose" in line for line in fn.source.splitlines() if "@" in line), fn.source
