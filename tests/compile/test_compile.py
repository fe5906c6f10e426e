"""The compiler against numpy.einsum: a table of equations, deltas, sums, functions, outputs, errors."""

from __future__ import annotations

import re

import numpy as np
import pytest

from einsteinpy_lite import EinsteinError, parse
from einsteinpy_lite.compile import compile, python_name

RNG = np.random.default_rng(7)
SIZES = {"i": 3, "j": 4, "k": 5, "l": 2, "m": 3, "n": 4}


def arr(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def sig(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# text, arrays (name -> shape by index letters), oracle(arrays) -> expected
CASES = [
    ("A^i_j y^j", {"A": "ij", "y": "j"}, lambda a: np.einsum("ij,j->i", a["A"], a["y"])),
    ("A^i_j B^j_k", {"A": "ij", "B": "jk"}, lambda a: a["A"] @ a["B"]),
    ("A^i_j B^j_k C^k_l", {"A": "ij", "B": "jk", "C": "kl"}, lambda a: a["A"] @ a["B"] @ a["C"]),
    ("A^i_j A^j_k A^k_l", {"A": "ii"}, lambda a: a["A"] @ a["A"] @ a["A"]),
    ("x^i y^j", {"x": "i", "y": "j"}, lambda a: np.outer(a["x"], a["y"])),
    ("x^i y_i", {"x": "i", "y": "i"}, lambda a: a["x"] @ a["y"]),
    ("A^i_i", {"A": "ii"}, lambda a: np.trace(a["A"])),
    (r"\delta^i_j A^j_k", {"A": "jk"}, lambda a: a["A"]),
    (r"A^i_j \delta^j_k B^k_l", {"A": "ij", "B": "jl"}, lambda a: a["A"] @ a["B"]),
    (r"\delta_{ij} x^i x^j", {"x": "i"}, lambda a: a["x"] @ a["x"]),
    (r"\delta^i_m y^n", {"y": "n", "N_i": 3}, lambda a: np.einsum("im,n->imn", np.eye(3), a["y"])),
    (r"A^i_j \delta^j_i", {"A": "ii"}, lambda a: np.trace(a["A"])),
    ("T^{i j}_k x_i", {"T": "ijk", "x": "i"}, lambda a: np.einsum("ijk,i->jk", a["T"], a["x"])),
    ("T^{i j}_k S^k_{i l}", {"T": "ijk", "S": "kil"}, lambda a: np.einsum("ijk,kil->jl", a["T"], a["S"])),
    ("A^i_j x^j + b^i", {"A": "ij", "x": "j", "b": "i"}, lambda a: a["A"] @ a["x"] + a["b"]),
    ("A^i_j x^j - 2 b^i", {"A": "ij", "x": "j", "b": "i"}, lambda a: a["A"] @ a["x"] - 2 * a["b"]),
    (r"\sigma(A^i_j x^j + b^i)", {"A": "ij", "x": "j", "b": "i"}, lambda a: sig(a["A"] @ a["x"] + a["b"])),
    (r"B^i_k \tanh(A^k_j y^j)", {"A": "kj", "B": "ik", "y": "j"}, lambda a: a["B"] @ np.tanh(a["A"] @ a["y"])),
    (r"[\nabla\sigma(z^i)]^i_j", {"z": "i"}, lambda a: np.diag(sig(a["z"]) * (1 - sig(a["z"])))),
    (r"B^m_i [\nabla\sigma(z^i)]^i_j A^j_n", {"B": "mi", "z": "i", "A": "in"},
     lambda a: a["B"] @ np.diag(sig(a["z"]) * (1 - sig(a["z"]))) @ a["A"]),
    (r"\sum_{k} x_k^i y_k^j", {"x": "ki", "y": "kj"}, lambda a: a["x"].T @ a["y"]),
    (r"\sum_{k} x_k^i y_k^j z_{k i}", {"x": "ki", "y": "kj", "z": "ki"},
     lambda a: np.einsum("ki,kj,ki->j", a["x"], a["y"], a["z"])),
    (r"\sum_{k} (x_k^i + b^i)", {"x": "ki", "b": "i"}, lambda a: a["x"].sum(0) + 5 * a["b"]),
    (r"\frac{1}{K}\sum_{k=0}^{K-1} x_k^i", {"x": "ki"}, lambda a: a["x"].mean(0)),
    (r"\sum_{k} \sigma(A^i_j y_k^j + b^i)", {"A": "ij", "y": "kj", "b": "i"},
     lambda a: sig(a["y"] @ a["A"].T + a["b"]).sum(0)),
    (r"\epsilon_{k i} W^i_j", {"\\epsilon": "ki", "W": "ij"}, lambda a: a["\\epsilon"] @ a["W"]),
    ("2 A^i_j y^j", {"A": "ij", "y": "j"}, lambda a: 2 * a["A"] @ a["y"]),
]


def _matmuls(src: str) -> int:
    return src.count(" @ ") + src.count("np.matmul(")


def _arrays(spec: dict[str, str | int]) -> dict[str, np.ndarray | int]:
    """Random arrays shaped by index letters; an int entry is a scalar passed as is."""
    return {name: letters if isinstance(letters, int) else arr(*[SIZES[c] for c in letters])
            for name, letters in spec.items()}


@pytest.mark.parametrize("text,spec,oracle", [c for c in CASES if c[1] is not None], ids=lambda x: str(x)[:30])
def test_table_against_einsum(text, spec, oracle):
    arrays = _arrays(spec)
    fn = compile(parse(text))
    got = fn(**{python_name(k): v for k, v in arrays.items()})
    np.testing.assert_allclose(got, oracle(arrays), rtol=1e-10, atol=1e-12)
    assert fn.source is not None and "def _run" in fn.source


def test_dict_input_and_raw_names():
    arrays = _arrays({"\\epsilon": "ki", "W": "ij"})
    fn = compile(parse(r"\epsilon_{k i} W^i_j"))
    np.testing.assert_allclose(fn(arrays), arrays["\\epsilon"] @ arrays["W"])
    np.testing.assert_allclose(fn({"epsilon": arrays["\\epsilon"]}, W=arrays["W"]), arrays["\\epsilon"] @ arrays["W"])


def test_bracket_tensor_name():
    assert python_name(r"\nabla\sigma") == "nabla_sigma"
    e = parse(r"\sum_k e_{k i} [\nabla\sigma_k]^i_j")
    G, E = arr(5, 3, 4), arr(5, 3)
    np.testing.assert_allclose(compile(e)(nabla_sigma=G, e=E), np.einsum("kij,ki->j", G, E))


def test_out_order_and_dict_outputs():
    A, y = arr(3, 4), arr(5, 4)
    e = parse(r"\sum_k A^i_j y_k^j y_k^l")
    fn = compile(e, out=("l", "i"))
    np.testing.assert_allclose(fn(A=A, y=y), np.einsum("ij,kj,kl->li", A, y, y))
    both = compile({"u": parse("A^i_j y_k^j"), "v": e})
    res = both(A=A, y=y)
    assert set(res) == {"u", "v"}
    np.testing.assert_allclose(res["u"], np.einsum("ij,kj->ik", A, y))
    np.testing.assert_allclose(res["v"], np.einsum("ij,kj,kl->il", A, y, y))


def test_scalars_given_and_inferred():
    x = arr(6, 3)
    fn = compile(parse(r"\alpha \frac{2}{K} \sum_{k=0}^{K-1} x_k^i"))
    np.testing.assert_allclose(fn(x=x, alpha=0.5), 0.5 * 2 / 6 * x.sum(0))
    np.testing.assert_allclose(fn(x=x, alpha=3.0), 3.0 * 2 / 6 * x.sum(0))  # same code, a new scalar
    np.testing.assert_allclose(fn(x=x, alpha=1.0, K=6), 2 / 6 * x.sum(0))
    with pytest.raises(EinsteinError, match=r"scalar K=5 disagrees with the arrays, which give K=6"):
        fn(x=x, alpha=1.0, K=5)
    with pytest.raises(EinsteinError, match=r"missing scalar 'alpha'"):
        fn(x=x)


def test_dimension_symbol_inferred_and_passed():
    x = arr(3)
    e = parse(r"\delta^j_j x^i")  # trace of a delta: the size of j, given as N_j
    np.testing.assert_allclose(compile(e)(x=x, N_j=7), 7 * x)
    with pytest.raises(EinsteinError, match=r"missing scalar 'N_j'"):
        compile(e)(x=x)
    eye = compile(parse(r"\delta^i_j"))
    np.testing.assert_allclose(eye(N_i=3), np.eye(3))


def test_zero_and_pure_scalar():
    from einsteinpy_lite import Zero, up

    z = compile(Zero([up("i")]))(N_i=3)
    np.testing.assert_array_equal(z, np.zeros(3))
    assert float(compile(parse(r"\frac{2}{K}"))(K=4)) == 0.5


def test_shared_subexpressions_computed_once():
    z = r"\sigma(A^j_l y_k^l + b^j)"
    e1 = parse(rf"\sum_k x_k^i {z}")
    e2 = parse(rf"\sum_k {z} x_k^i")
    fn = compile({"a": e1, "b": e2})
    A, b, y, x = arr(4, 3), arr(4), arr(5, 3), arr(5, 2)
    res = fn(A=A, b=b, y=y, x=x)
    np.testing.assert_allclose(res["a"], x.T @ sig(y @ A.T + b))
    np.testing.assert_allclose(res["b"], (x.T @ sig(y @ A.T + b)).T)
    assert fn.source.count("np.exp(") == 1  # sigma evaluated once
    assert _matmuls(fn.source) == 2  # A y once, then x^T sigma once (b is its transpose)


def test_deltas_never_materialized():
    e = parse(r"\sum_k e_{k i} B^i_j [\nabla\sigma(A^j_l y_k^l + b^j)]^j_m y_k^n")
    src = compile(e).plan(i=3, j=4, k=5, l=2, m=4, n=2).source
    assert "eye" not in src and "einsum" not in src


def test_memory_limit_before_any_work():
    e = parse("x^i y^j z^k")
    fn = compile(e, memory_limit=1000)
    with pytest.raises(EinsteinError, match=r"entries .* over the memory limit of") as err:
        fn(x=np.ones(10), y=np.ones(10), z=np.ones(10))
    # the user's names and a readable size, never the generated code's locals
    assert "_a" not in str(err.value) and "z_{k}" in str(err.value) and "7.81 KiB" in str(err.value)
    assert compile(e, memory_limit=None)(x=np.ones(10), y=np.ones(10), z=np.ones(10)).shape == (10, 10, 10)


def test_errors_name_and_shape():
    fn = compile(parse("A^i_j y^j"))
    with pytest.raises(EinsteinError, match=r"missing array 'y': this expression takes arrays A \(A\^i_j\), y"):
        fn(A=np.ones((2, 3)))
    with pytest.raises(EinsteinError, match=r"unknown argument 'z': this expression takes arrays"):
        fn(A=np.ones((2, 3)), y=np.ones(3), z=1)
    with pytest.raises(EinsteinError, match=r"index 'j' has size 3 in A \(axis 1, index 'j'\) but 4 in y \(axis 0"):
        fn(A=np.ones((2, 3)), y=np.ones(4))
    with pytest.raises(EinsteinError, match=r"array 'A' has 1 axes \(2,\), but A\^i_j has 2 slots"):
        fn(A=np.ones(2), y=np.ones(3))
    with pytest.raises(EinsteinError, match=r"pass arrays by tensor name"):
        fn(np.ones((2, 3)), np.ones(3))
    with pytest.raises(EinsteinError, match=r"out= for a dict of expressions must be a dict"):
        compile({"u": parse("A^i_j y^j")}, out=("i",))
    with pytest.raises(EinsteinError, match=r"out=\('i', 'j'\) must list the free indices"):
        compile(parse("A^i_j y^j B^k"), out=("i", "j"))


def test_bad_arguments_are_einstein_errors():
    """Wrong kinds of values are named, never a TypeError or ValueError from numpy or the generated code."""
    fn = compile(parse(r"\alpha A^i_j y^j"))
    ok = {"A": np.ones((2, 3)), "y": np.ones(3)}
    with pytest.raises(EinsteinError, match=r"array 'y': cannot read a str as numbers"):
        fn(A=ok["A"], y="abc", alpha=1.0)
    with pytest.raises(EinsteinError, match=r"array 'y' has dtype object, not numbers"):
        fn(A=ok["A"], y=np.array([object()] * 3), alpha=1.0)
    with pytest.raises(EinsteinError, match=r"scalar 'alpha' must be a number, got str"):
        fn(**ok, alpha="a")
    assert fn(**ok, alpha=2.0).tolist() == [6.0, 6.0]  # compiled and cached for these shapes
    # the cached fast path does not look at scalars: a wrong one is still named
    with pytest.raises(EinsteinError, match=r"scalar 'alpha' must be a number, got ndarray of shape \(3,\)"):
        fn(**ok, alpha=np.ones(3))
    with pytest.raises(EinsteinError, match=r"output name 3 is not a string"):
        compile({3: parse("y^j")})  # type: ignore[dict-item]
    with pytest.raises(EinsteinError, match=r"the dict of expressions is empty"):
        compile({})
    with pytest.raises(EinsteinError, match=r"out=3 must be a tuple of index names"):
        compile(parse("y^j"), out=3)  # type: ignore[arg-type]
    with pytest.raises(EinsteinError, match=r"out='ij' must be a tuple of index names"):
        compile(parse("A^i_j"), out="ij")  # type: ignore[arg-type]
    with pytest.raises(EinsteinError, match=r"the size of index 'i' must be positive, got -1"):
        fn.plan(i=-1, j=2)
    with pytest.raises(EinsteinError, match=r"the size of index 'i' must be an integer, got 2.5"):
        fn.plan(i=2.5, j=2)  # type: ignore[arg-type]
    with pytest.raises(EinsteinError, match=r"the size of index 'j' must be an integer, got 'a'"):
        fn.plan(i=2, j="a")  # type: ignore[arg-type]


def test_delta_identifies_sizes():
    fn = compile(parse(r"A^i_j \delta^j_k B^k_l"))
    with pytest.raises(EinsteinError, match=r"index '.' has size 3 .* but 4"):
        fn(A=np.ones((2, 3)), B=np.ones((4, 2)))


def test_cache_and_repeat_calls():
    e = parse("A^i_j y^j")
    fn = compile(e)
    assert compile(e) is fn and compile("A^i_j y^j") is fn
    A, y = arr(3, 4), arr(4)
    r1 = fn(A=A, y=y)
    n = len(fn._specs)
    r2 = fn(A=A, y=y)
    assert len(fn._specs) == n
    np.testing.assert_array_equal(r1, r2)
    fn(A=arr(5, 4), y=y)  # new shapes: a new specialization
    assert len(fn._specs) == n + 1
    np.testing.assert_allclose(fn(A=A.astype(np.float32), y=y.astype(np.float32)), A @ y, rtol=1e-5)


def test_plan_and_explain():
    e = parse(r"\frac{2}{K}\sum_{k=0}^{K-1} e_{k i} B^i_j [\nabla\sigma(A^j_l y_k^l + b^j)]^j_m y_k^n")
    fn = compile(e)
    with pytest.raises(EinsteinError, match="nothing to explain yet"):
        compile(parse("Q^i_j R^j_k w^k")).explain()
    plan = fn.plan(i=64, j=256, k=512, l=128, m=256, n=128)
    assert plan.flops < plan.naive_flops < plan.materialized_flops
    assert plan.largest_intermediate == 512 * 256
    text = fn.explain()
    assert "naive single einsum" in text and "deltas materialized" in text and "FLOPs" in text
    with pytest.raises(EinsteinError, match=r"plan: no size for index 'l'"):
        fn.plan(i=2, j=2, k=2)


def test_chosen_path_is_min_over_optimizers():
    import opt_einsum

    e = parse("A^i_j B^j_k C^k_l D^l_m x^m")
    plan = compile(e).plan(i=50, j=3, k=60, l=4, m=70)
    for spec, shapes, flops, _ in plan.contractions:
        best = min(int(opt_einsum.contract_path(spec, *shapes, shapes=True, optimize=o)[1].opt_cost)
                   for o in ("optimal", "dp", "greedy", "branch-2"))
        assert flops == best


def test_single_layer_backprop_matches_hand_numpy():
    eps = r"(x_k^{i} - B^{i}_{j} \sigma(A^{j}_{l} y_k^{l} + b^{j}))"
    grad = rf"\frac{{2}}{{K}} \sum_{{k=0}}^{{K-1}} {eps} \delta_{{i i_1}} B^{{i_1}}_{{i_2}}"
    z2 = r"A^{i_2}_{l} y_k^{l} + b^{i_2}"
    fn = compile({
        "d_A": parse(rf"{grad} [\nabla\sigma({z2})]^{{i_2}}_{{j_1}} y_k^{{j_2}}"),
        "d_b": parse(rf"{grad} [\nabla\sigma({z2})]^{{i_2}}_{{j_1}}"),
        "d_B": parse(rf"\frac{{2}}{{K}} \sum_{{k=0}}^{{K-1}} {eps} \delta_{{i j_1}} \sigma(A^{{j_2}}_{{l}} y_k^{{l}} + b^{{j_2}})"),
    })
    K, Nx, N1, Ny = 7, 2, 5, 3
    A, b, B, X, Y = arr(N1, Ny), arr(N1), arr(Nx, N1), arr(K, Nx), arr(K, Ny)
    S = sig(Y @ A.T + b)
    E = X - S @ B.T
    G = (E @ B) * S * (1 - S)
    out = fn(A=A, b=b, B=B, x=X, y=Y)
    np.testing.assert_allclose(out["d_A"], 2 / K * G.T @ Y)
    np.testing.assert_allclose(out["d_b"], 2 / K * G.sum(0))
    np.testing.assert_allclose(out["d_B"], 2 / K * E.T @ S)
    src = fn.source
    assert src.count("np.exp(") == 1 and "np.subtract(1.0, _t" in src  # sigma once, sigma' from its value
    b_var = re.search(r"(_a[0-9]+) = kw\['B'\]", src).group(1)
    assert len(re.findall(rf"(@ {b_var}\n|matmul\(_t[0-9]+, {b_var},)", src)) == 1  # (epsilon B) shared by d_A, d_b
    # in any order of the outputs: d_b alone would rather contract epsilon with sigma' first
    rev = compile({k: fn.program.exprs[k] for k in ("d_B", "d_b", "d_A")})
    rev(A=A, b=b, B=B, x=X, y=Y)
    assert _matmuls(rev.source) == _matmuls(src) == 5  # y A^T, sigma B^T, epsilon B, G^T y, epsilon^T sigma


def test_dask_chunked_arrays():
    da = pytest.importorskip("dask.array")
    import dask

    A, y = arr(6, 8), arr(10, 8)
    dA = da.from_array(A, chunks=(3, 4))
    dy = da.from_array(y, chunks=(5, 4))
    fn = compile(parse(r"\sum_k \sigma(A^i_j y_k^j) y_k^l"))
    res = fn(A=dA, y=dy)
    assert isinstance(res, da.Array)
    with dask.config.set(scheduler="synchronous"):
        got = res.compute()
    np.testing.assert_allclose(got, sig(y @ A.T).T @ y)
    # identities and diagonals on the generic (array API) path
    T = arr(3, 3)
    with dask.config.set(scheduler="synchronous"):
        eye = compile(parse(r"\delta^i_m x^n"))(x=da.from_array(y[0], chunks=4), N_i=3).compute()
        tr = compile(parse("T^i_i x^n"))(T=da.from_array(T, chunks=2), x=da.from_array(y[0], chunks=4)).compute()
    np.testing.assert_allclose(eye, np.einsum("im,n->imn", np.eye(3), y[0]))
    np.testing.assert_allclose(tr, np.trace(T) * y[0])


def test_torch_optional():
    torch = pytest.importorskip("torch")
    A, y = arr(3, 4), arr(4)
    got = compile(parse("A^i_j y^j"))(A=torch.tensor(A), y=torch.tensor(y))
    np.testing.assert_allclose(got.numpy(), A @ y)


def test_outputs_never_share_the_reused_buffers():
    from concurrent.futures import ThreadPoolExecutor

    e = {"f": parse(r"B^i_j \sigma(A^j_l y^l + b^j)"), "g": parse(r"\sigma(A^j_l y^l + b^j) c_j")}
    fn = compile(e)
    plain = compile(e, reuse_buffers=False)
    assert "_pool" in fn.source if fn.source else True

    def case(seed):
        r = np.random.default_rng(seed)
        return {"A": r.standard_normal((30, 20)), "b": r.standard_normal(30), "y": r.standard_normal(20),
                "B": r.standard_normal((10, 30)), "c": r.standard_normal(30)}

    def want(a):
        s = sig(a["A"] @ a["y"] + a["b"])
        return {"f": a["B"] @ s, "g": s @ a["c"]}

    first = fn(case(0))
    assert "_pool.pop()" in fn.source and "_pool" not in plain.plan(i=2, j=3, l=4).source
    keep = {k: v.copy() for k, v in first.items()}
    fn(case(1))  # a second call must not write into the first call's results
    for k in keep:
        np.testing.assert_array_equal(first[k], keep[k])
    with ThreadPoolExecutor(2) as pool:  # concurrent calls take different buffer sets
        results = list(pool.map(lambda s: (s, fn(case(s))), range(20)))
    for s, got in results:
        for k, v in want(case(s)).items():
            np.testing.assert_allclose(got[k], v, rtol=1e-10)


def test_keyword_names_must_not_collide():
    with pytest.raises(EinsteinError, match=r"two tensors or scalars share the keyword name"):
        compile(parse(r"\alpha \alpha_i x^i"))


@pytest.mark.parametrize("reuse", [True, False])
def test_a_chain_of_sums_whose_first_terms_lack_an_axis_is_not_written_in_place(reuse):
    # 30-minute run seed 4071070619: B and R lack lambda's j2, lambda lacks their a; the chain B + R - lambda
    # wrote lambda's term in place into the smaller B + R ('non-broadcastable output operand' without the
    # buffer pool: equal could only say 'cannot tell')
    e = parse(r"\sum_{a} \sum_{j2} (-\lambda^{j2 d s1} + B^{s1 a d} + R^{s1 d a})")
    r = np.random.default_rng(5)
    lam, B, R = r.standard_normal((3, 2, 4)), r.standard_normal((4, 5, 2)), r.standard_normal((4, 2, 5))
    want = -5 * lam.sum(0) + 3 * B.sum(1).T + 3 * R.sum(2).T  # axes d, s1; a has 5 values, j2 has 3
    got = compile(e, reuse_buffers=reuse)(**{"lambda": lam}, B=B, R=R)
    np.testing.assert_allclose(got, want)
    f = parse(r"\sum_{a} \sum_{j2} (B^{s1 a d} + R^{s1 d a} + B^{s1 a d} + 3 \lambda^{j2 d s1})")
    want = (2 * 3 * B.sum(1).T + 3 * R.sum(2).T + 3 * 5 * lam.sum(0)).T  # axes s1, d
    np.testing.assert_allclose(compile(f, reuse_buffers=reuse)(**{"lambda": lam}, B=B, R=R), want)
