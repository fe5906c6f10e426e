"""Sizes belong to index spaces: a fold names the slot that carries the index, or the user's own name.

Oracles: numpy written here from each expression's structure, and central differences.
"""

import numpy as np
import pytest

import einsteinpy_lite as el
from einsteinpy_lite import EinsteinError
from einsteinpy_lite.algebra.diff import free_after_diff
from einsteinpy_lite.algebra.sizes import fold_unsized

P = el.parse
rng = np.random.default_rng(7)


def test_a_sum_distributed_over_a_term_without_its_index_keeps_the_slot_size():
    # harness seed 5049: \sum_p folded to N_p for S while p also named A's dummy of another size
    e = P(r"A^{a p i} B_{a p} + \sum_{p} (\Gamma^{i p} + S^{i a}_{a})")
    A, B, G, S = rng.random((2, 5, 3)), rng.random((2, 5)), rng.random((3, 4)), rng.random((3, 2, 2))
    want = np.einsum("api,ap->i", A, B) + G.sum(1) + 4 * np.einsum("iaa->i", S)
    for form in (el.simplify(e), el.canonical(e)):
        assert r"\dim(\Gamma, 2)" in str(form)
        assert np.allclose(el.compile(form)(A=A, B=B, Gamma=G, S=S), want)
        assert np.allclose(el.evaluate(form, {"A": A, "B": B, "Gamma": G, "S": S}), want)
        assert P(str(form)) == form and P(el.latex(form)) == form  # printed and read back


def test_a_derivative_that_drops_a_sums_index_keeps_the_slot_size():
    # harness seed 5524: d/dS of \sum_a (S + eps_a) gave N_u1 (a renamed dummy's name), then the second
    # variable's own u1 captured it
    e = P(r"\sin(\sum_{a} (S_{n}^{\mu b} + \epsilon_{a}^{\mu}_{n}^{b}))")
    S, E = rng.random((2, 3, 2)), rng.random((4, 3, 2, 2))  # S_{n}^{mu b}, epsilon_{a}^{mu}_{n}^{b}
    d = el.diff(e, "S_{c}^{a l}")
    assert r"\dim(\epsilon, 1)" in str(d)
    d2 = el.diff(d, r"\epsilon_{d}^{k}_{m}^{u1}")
    out = free_after_diff(d, r"\epsilon_{d}^{k}_{m}^{u1}")
    got = el.compile(d2, out=tuple(ix.name for ix in out))(S=S, epsilon=E, N_d=4)  # d is on deltas only
    z = 4 * S + E.sum(0).transpose(1, 0, 2)  # z_{n mu b}: the sum over a has 4 terms, the size of epsilon's first slot
    # d/dS_c^{al} = 4 cos(z_{n mu b}) [n=c][mu=a][b=l]; d/d eps_d^k_m^u1 of cos(z) = -sin(z) [n=m][mu=k][b=u1]
    letters = {"n": "n", r"\mu": "u", "b": "b", "c": "c", "a": "a", "l": "l", "d": "d", "k": "k", "m": "m", "u1": "v"}
    want = np.einsum("nub,nc,ua,bl,nm,uk,bv,d->" + "".join(letters[ix.name] for ix in out),
                     -4 * np.sin(z), np.eye(2), np.eye(3), np.eye(2), np.eye(2), np.eye(3), np.eye(2), np.ones(4))
    assert np.allclose(got, want)


def test_a_delta_trace_keeps_the_users_name_through_diff():
    # harness: \delta^d_d renamed to \delta^{u1}_{u1} by diff asked for an N_u1 nobody knows
    e = P(r"\delta^{d}_{d} x^i y_i")
    for simp in (True, False):
        d = el.diff(e, "x^{m}", simplify=simp)
        assert {s.name for s in d.scalar_symbols()} == {"N_d"}
        y = rng.random(3)
        assert np.allclose(el.compile(d, out=("m",))(y=y, N_d=5), 5 * y)


def test_fold_unsized_folds_traces_loops_and_empty_sums_only():
    assert str(fold_unsized(P(r"\delta^a_b \delta^b_a A^i_i"))) == r"\mathrm{N_a} A^i_i"
    assert fold_unsized(P(r"\sum_{k} c x^i")) == P(r"\mathrm{N_k} c x^i")
    carried = P(r"\delta^a_b x^b y_a")
    assert fold_unsized(carried) == carried


def test_dim_is_read_printed_and_checked():
    e = P(r"\dim(W1, 2) x^i")
    assert str(e) == r"\dim(W1, 2) x^i"
    with pytest.raises(EinsteinError, match="numbered from 1"):
        P(r"\dim(A, 0) x^i")
    fn = el.compile(e)
    with pytest.raises(EinsteinError, match="no longer contains 'W1'"):
        fn(x=np.ones(2))
    assert np.allclose(fn(x=np.ones(2), **{fn.scalars[0]: 3}), 3 * np.ones(2))


def test_equal_reads_dim_as_the_slots_size():
    a = P(r"\sum_{k} (x_k + c) y^i")
    assert el.equal(a, P(r"\sum_{k} x_k y^i + \dim(x, 1) c y^i"))
    assert not el.equal(a, P(r"\sum_{k} x_k y^i + \dim(y, 1) c y^i"))


def test_flattening_never_renames_a_dummy_onto_a_traced_deltas_name():
    # harness: the inner dummy l was renamed s1, the name of the trace beside it; evaluate then read
    # \delta^{s1}_{s1} as the size of epsilon's axis (wrong values) and the text had s1 four times
    e = P(r"(\delta^{s1}_{s1} \Gamma^{j2}) (\frac{1}{\mathrm{N_a}} \epsilon^{l} t1_{n} x_{\mu l}) B_{l}^{\mu}")
    G, E, T, X, B = rng.random(2), rng.random(3), rng.random(4), rng.random((5, 3)), rng.random((3, 5))
    want = 7 / 6 * np.einsum("j,l,n,ml,km->jnk", G, E, T, X, B)
    arrays = {"Gamma": G, "epsilon": E, "t1": T, "x": X, "B": B}
    assert np.allclose(el.evaluate(e, arrays, {"s1": 7}, N_a=6), want)
    assert np.allclose(el.compile(e)(**arrays, N_s1=7, N_a=6), want)
    assert P(str(e)) == e


def test_simplify_is_idempotent_when_a_size_vanishes_with_a_cancelled_term():
    # harness seed 5073: N_k reserved the name k in the first pass although its term cancels
    e = P(r"\mathrm{N_\nu} (\mathrm{N_k} \lambda_{j \nu}) (-A^{j} + A^{j}) + "
          r"(\mathrm{N_j} R_{j2} B^{u1} W1^{j2} B^{\mu}) C_{\mu u1 \nu}")
    once = el.simplify(e)
    assert el.simplify(once) == once
    R, B, W, C = rng.random(2), rng.random(3), rng.random(2), rng.random((3, 3, 4))
    want = 5 * np.einsum("i,k,i,l,lkn->n", R, B, W, B, C)
    assert np.allclose(el.compile(once)(R=R, B=B, W1=W, C=C, N_j=5), want)


def test_a_sum_index_tied_by_a_delta_to_a_free_index_takes_that_slots_size():
    # harness seed 20758: \sum_c over a term without c was N_c (c's name), c only on a delta to j2
    e = P(r"\sum_{c} (G_{j} + \delta_{j}^{c}) x^i")
    G, x = rng.random(3), rng.random(2)
    want = np.einsum("j,i->ji", 3 * G + 1, x)  # 3 values of c for G_j; the delta is 1 for one c
    assert r"\dim(G, 1)" in str(el.canonical(e))
    for s in (el.simplify(e), el.canonical(e)):
        assert np.allclose(el.compile(s, out=("j", "i"))(G=G, x=x), want)


def test_a_functions_dummies_never_take_the_name_of_a_size_outside():
    # harness seed 20170: relu(t1^k_k) became relu(t1^q_q) beside N_q (a scalar the user passes)
    e = P(r"\mathrm{N_q} \mathrm{relu}(t1^{k}_{k}) \log(\mathrm{softplus}(\mathrm{eps}^{n a}_{d}))")
    d = el.diff(e, r"\mathrm{eps}^{m i}_{j}")
    assert "q" not in d.index_names()


def test_simplify_names_a_shadowing_sum_as_a_second_pass_would():
    # harness seed 30237: the \sum_{j} renamed out of the way of the free j was \sum_i, then \sum_k
    e = P(r"A^{j} (\mathrm{N_j} z_b - \sum_{j} B_{b j})")
    once = el.simplify(e)
    assert el.simplify(once) == once
    A, z, B = rng.random(3), rng.random(2), rng.random((2, 3))
    want = np.einsum("j,b->jb", A, 3 * z - B.sum(1))
    assert np.allclose(el.compile(once, out=("j", "b"))(A=A, z=z, B=B), want)


def test_a_contraction_never_puts_an_index_into_a_tensor_that_traces_the_same_name():
    # harness seed 40414: G's own trace was also called i1, and \delta_{i1 mu} gave G a third i1
    e = P(r"B_{p u} (\frac{1}{2} C_{n}^{i} \delta_{i \mu}) G^{u i \mu}_{i}")
    B, C, G = rng.random((2, 3)), rng.random((4, 2)), rng.random((3, 5, 2, 5))
    want = 0.5 * np.einsum("pu,nm,uiMi->pn".replace("M", "m"), B, C, G)
    for form in (el.simplify(e), el.canonical(e)):
        assert np.allclose(el.compile(form, out=("p", "n"))(B=B, C=C, G=G), want)
    assert np.allclose(el.evaluate(e, {"B": B, "C": C, "G": G}), want)


def test_evaluate_keeps_a_tensors_own_trace_out_of_the_scope_around_it():
    # harness seed 40299: B's trace n and the inner product's dummy n are different indices
    e = P(r"\mathrm{eps}_{p} B_{j}^{n}_{n} (C^{j} A_{j}^{n} \delta_{n}^{p})")
    E, B, C, A = rng.random(2), rng.random((3, 4, 4)), rng.random(3), rng.random((3, 2))
    want = np.einsum("p,jnn,s,sp->j", E, B, C, A)  # B_j keeps j free; the group's j is its own dummy
    assert np.allclose(el.evaluate(e, {"eps": E, "B": B, "C": C, "A": A}), want)


def test_a_space_no_array_carries_is_asked_by_its_free_indexs_name():
    # harness seed 40000: the second derivative asked for N_j, a dummy's name, not the free k's
    e = P(r"\sin(\sigma(C_{m} \delta_{k}^{u}))")
    d2 = el.diff(el.diff(e, "C_{a}"), "C_{b}")
    fn = el.compile(d2)
    assert "N_j" not in fn.scalars and set(fn.scalars) <= {"N_k", "N_u"}


def test_a_sum_never_captures_a_dummy_that_flattening_named_like_it():
    # harness seed 50828: the nested dummy b was renamed s1 when its product was flattened, and the
    # \sum_{s1} around it (over nothing, N_s1) then bound it: equal said False for equal tensors
    a = P(r"\sum_{s1} (\frac{1}{\mathrm{N_\nu}} A_{a \mu}^{\mu} x^{\nu} \delta^{a}_{i}) B_{\nu b} \sum_{i=0}^{K-1} \lambda^{b i}")
    b = P(r"\sum_{s1} (\frac{1}{\mathrm{N_\nu}} (\delta_{a}^{b} A_{b \mu}^{\mu}) x^{\nu} \delta^{a}_{i}) B_{\nu b} "
          r"\sum_{i=0}^{K-1} \lambda^{b i}")
    A, x, B, lam = rng.random((3, 2, 2)), rng.random(4), rng.random((4, 5)), rng.random((5, 3))
    want = 6 / 4 * np.einsum("amm,n,nb,bi->a", A, x, B, lam)  # N_s1 = 6 values, N_nu = 4, K = 3
    for e in (a, b):
        assert np.allclose(el.compile(e)(A=A, x=x, B=B, **{"lambda": lam}, N_s1=6, K=3), want)
    assert el.equal(a, b)


def test_nested_function_arguments_keep_their_sum_indices_apart():
    # harness seed 60003: placeholders of a function argument inside another were renamed back one by
    # one, \dummyo0 -> \dummyo1 while \dummyo1 still stood for another index: x^p_{a q} became x^q_{a q}
    e = P(r"\sum_{k} \sum_{p} \sum_{q} \delta_b^k \delta^{i}_p \delta_{s}^{q} \sigma(A_k^{a} \exp(x^p_{a q}))")
    A, x = rng.normal(size=(2, 3)), rng.normal(size=(4, 3, 5))
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    want = sig(np.einsum("ka,pas->kps", A, np.exp(x)))  # (b, i, s)
    for form in (el.simplify(e), el.canonical(e)):
        assert np.allclose(el.compile(form, out=("b", "i", "s"))(A=A, x=x), want)
    # and through the derivative's simplifier (function arguments as atoms)
    e2 = P(r"\mathrm{softplus}(-A_{b}^{\mu j} \exp(x^{i}_{j \mu s}))")
    d = el.diff(el.diff(e2, r"x^{m}_{u n j2}"), r"A_{q}^{l c}")
    du = el.diff(el.diff(e2, r"x^{m}_{u n j2}", simplify=False), r"A_{q}^{l c}", simplify=False)
    assert el.equal(d, du)


def test_simplify_is_idempotent_when_a_coefficient_leaves_a_sum():
    # harness seed 60123: the first pass kept \sum_k (d - y_k) whole, the second distributed it
    e = P(r"\sum_{u1} \frac{\alpha}{2} (\delta^{j}_{b} - y^{j u1}_{b})")
    once = el.simplify(e)
    assert el.simplify(once) == once
    y = rng.random((3, 4, 3))
    want = 0.5 * 0.7 * (4 * np.eye(3) - y.sum(1))
    assert np.allclose(el.compile(once, out=("j", "b"))(y=y, alpha=0.7), want)


def test_a_loop_of_deltas_in_a_nested_product_keeps_the_users_size_name():
    # harness seed 3580573889: (\delta_{dq} \delta^{dq}) was renamed apart (s1, s2) when flattened, then
    # folded to an N_s1 nobody knows; it is folded first, to N_d
    e = P(r"b2_{q} (\delta_{d q} \delta^{d q}) A_{j} B_{p}^{q}_{d}")
    assert "N_d" in {s.name for s in e.scalar_symbols()}
    b2, A, B = rng.random(3), rng.random(2), rng.random((4, 3, 5))
    want = 5 * np.einsum("q,j,pqd->jpd", b2, A, B)  # N_d: the size of the index d, which B's slot gives
    assert np.allclose(el.compile(el.simplify(e), out=("j", "p", "d"))(b2=b2, A=A, B=B), want)


def test_simplify_is_idempotent_when_collecting_lets_a_metric_raise_an_index():
    # harness seed 3580573656: sin(6 delta^{ij} y_j), then sin(6 y^i)
    e = P(r"\sin(3 \delta^{i j2} (y_{j2} + y_{j2}))")
    once = el.simplify(e)
    assert el.simplify(once) == once
    y = rng.random(4)
    assert np.allclose(el.compile(once)(y=y), np.sin(6 * y))


def test_flattening_never_leaves_a_dummy_named_like_a_size_beside_it():
    # 30-minute run seed 3580575059: an inner flattening named a dummy s1, then N_s1 (a scalar the user
    # passes) met it in the product around: compile read N_s1 as that dummy's size
    e = P(r"(\mathrm{N_s1} A_{\nu}^{a}_{l} C^{l \nu}) (\mathrm{N_a} (3 B^{\nu} \delta_{\nu}^{l}) \delta_{l \nu})")
    A, C, B = rng.random((3, 2, 4)), rng.random((4, 3)), rng.random(3)
    # the second group: N_a 3 B^nu delta_nu^l delta_{l nu'}... its free index nu is B's (metric lowered)
    want = 7 * 2 * 3 * np.einsum("val,lv,w->aw", A, C, B)
    got = el.compile(e, out=("a", r"\nu"))(A=A, C=C, B=B, N_s1=7)
    assert np.allclose(got, want)


def test_a_sum_inside_a_function_never_captures_the_enclosing_sums_index():
    # 30-minute run seed 3580577567: \sum_k sigma(\sum_i C^k_{n i}) became K sigma(\sum_k C^k_{n k})
    e = P(r"\sum_{k=0}^{K-1} \sigma(\sum_{i1=0}^{K-1} C^{k}_{n i1})")
    C = rng.normal(size=(3, 2, 3))
    want = (1 / (1 + np.exp(-C.sum(2)))).sum(0)
    for form in (el.simplify(e), el.canonical(e)):
        assert np.allclose(el.compile(form)(C=C, K=3), want)


def test_traces_named_apart_are_sizes_named_apart():
    # 30-minute run seed 3580577768: equal read every trace on no tensor as one size, so
    # -delta^{i1}_{i1} + delta^m_m was 0 and cos(G) "equal" to G; they are N_m - N_i1
    a = P(r"\cos(G^{a l}) (-\delta^{i1}_{i1} + \delta^{m}_{m}) A_{a} W_{l}")
    b = P(r"G^{a l} (-\delta^{i1}_{i1} + \delta^{m}_{m}) A_{a} W_{l}")
    assert not el.equal(a, b)
    assert el.equal(P(r"\delta^{m}_{m} x^i"), P(r"\mathrm{N_m} x^i"))


def test_evaluate_sizes_a_delta_in_a_sum_factor_from_the_function_beside_it():
    # 30-minute run seed 3580577253: delta_{kb} took the size of A's own trace b (a name heuristic)
    e = P(r"\mathrm{eps}^{j l d} (A_{l j b}^{b}) - (-\delta_{k b} + t1_{k b}) \sin(v^{k d b})")
    E, A, t1, v = rng.random((2, 3, 4)), rng.random((3, 2, 5, 5)), rng.random((6, 6)), rng.random((6, 4, 6))
    want = np.einsum("jld,ljbb->d", E, A) - np.einsum("kb,kdb->d", t1 - np.eye(6), np.sin(v))
    assert np.allclose(el.evaluate(e, {"eps": E, "A": A, "t1": t1, "v": v}), want)


def test_a_function_arguments_trace_never_takes_the_name_of_a_size_inside_it():
    # 30-minute run seed 3580581708: G^k_k inside id(...) was renamed G^{u1}_{u1} beside N_u1
    e = P(r"\mathrm{id}(\sum_{k=0}^{K-1} y^{\mu k} + \delta^{u1}_{u1} G^{k}_{k} \mathrm{eps}^{\mu})")
    d2 = el.diff(el.diff(e, "y^{a c}"), "y^{d n}")
    assert "u1" not in d2.index_names()


def test_equal_is_not_fooled_by_rounding_that_a_function_amplifies():
    # 30-minute run seed 3580581805: cos(exp(x)) of a large x differs in the last bits of x between two
    # contraction orders, and cos(exp(.)) amplifies that: the reordered product is equal all the same
    a = P(r"\cos(\exp(W1_{k}^{n m} A_{\nu}^{\nu} H^{k}_{m l}))")
    b = P(r"\cos(\exp(H^{k}_{m l} A_{\nu}^{\nu} W1_{k}^{n m}))")
    assert el.equal(a, b)
    assert not el.equal(a, P(r"\cos(\exp(H^{k}_{l m} A_{\nu}^{\nu} W1_{k}^{n m}))"))


def test_equal_sees_a_value_that_depends_on_a_size_at_several_sizes():
    # 30-minute run seed 3580584118: relu(sin(N_mu)) "equal" to sin(N_mu): the one space was always size 2
    assert not el.equal(P(r"\mathrm{relu}(\sin(\delta^{\mu}_{\mu}))"), P(r"\sin(\delta^{\mu}_{\mu})"))


def test_a_generated_dummy_never_takes_a_name_written_elsewhere_in_the_text():
    # 30-minute run seed 3580584759: flattening named a dummy s1 in one term while \sum_{s1} over nothing
    # (N_s1, by that name) stood in another: equal then read N_s1 as the dummy's size
    a = P(r"\frac{1}{\mathrm{N_\nu}} (y^{c}_{c} B_{u1}^{d}_{d} H_{j2}^{u1} \lambda^{j2}) G^{j2} \cos(x^{i}_{i}) "
          r"+ \sum_{s1} C^{j2}")
    b = P(r"\frac{1}{\mathrm{N_\nu}} (y^{c}_{c} B_{u1}^{d}_{d} H_{m}^{u1} \lambda^{m}) G^{j2} \cos(x^{i}_{i}) "
          r"+ \sum_{s1} C^{j2}")
    assert "s1" not in {d.name for d in a.terms[0].dummies}
    assert el.equal(a, b)


def test_evaluate_sizes_n_x_by_a_trace_in_another_term():
    # 30-minute run seed 529442330: compile read N_m as the size of v's trace in the other term, evaluate
    # asked for a value (its second pass forgot the traces its first pass had seen)
    rng = np.random.default_rng(0)
    x, v = rng.standard_normal(3), rng.standard_normal((4, 4))
    e = P(r"\mathrm{N_m} x_{j} + v_{m}^{m} x_j")
    want = 4 * x + np.trace(v) * x
    np.testing.assert_allclose(el.evaluate(e, {"x": x, "v": v}), want)
    np.testing.assert_allclose(el.compile(e)(x=x, v=v), want)


def test_simplify_is_idempotent_when_a_dummy_keeps_the_name_of_its_size_inside_a_function():
    # 30-minute run seed 529443046: the argument's dummy s1 kept its name (N_s1 names it), was then renamed
    # out of the way of the A^{s1} outside, and only a second pass put the dummies in order of appearance
    e = P(r"\sigma(\frac{1}{\mathrm{N_s1}} \epsilon^{s1} v_{b s1} G^{b}) A^{s1}")
    once = el.simplify(e)
    assert el.simplify(once) == once
    eps, v, G, A = rng.standard_normal(3), rng.standard_normal((2, 3)), rng.standard_normal(2), rng.standard_normal(3)
    want = 1 / (1 + np.exp(-(eps @ v.T @ G) / 3)) * A
    arrays = {"epsilon": eps, "v": v, "G": G, "A": A}
    np.testing.assert_allclose(el.compile(once)(**arrays), want)


def test_compile_never_sizes_a_free_index_by_another_scopes_index_of_its_name():
    # 30-minute run seed 220124540: a second derivative kept the free d only on \delta_d^i, beside
    # \sum_d H_d; compile took N_d from H's bound d (4) and rejected the free d's true size (2)
    e = P(r"(\sum_{d} H_{d}) \delta_{d}^{i}")
    fn = el.compile(e)
    H = rng.standard_normal(4)
    with pytest.raises(EinsteinError, match="missing scalar 'N_d'"):
        fn(H=H)
    np.testing.assert_allclose(fn(H=H, N_d=2), H.sum() * np.eye(2))


def test_equal_sees_a_function_of_sizes_at_small_sizes():
    # 30-minute run seed 815187386: softplus(N_q N_d) "equalled" N_q N_d: every draw had sizes whose product
    # passed 40, where softplus(x) is x to the last bit; the first draw is now at the smallest sizes, and a
    # difference is confirmed at the sizes it was seen at
    a, b = P(r"\mathrm{softplus}(\sum_{q} \delta^{d}_{d})"), P(r"\sum_{q} \delta^{d}_{d}")
    assert np.log1p(np.exp(-6.0)) > 1e-3  # the oracle: softplus(2 * 3) - 2 * 3
    assert not el.equal(a, b)
    assert "not equal (numeric)" in str(el.compare(a, b))


def test_simplify_is_idempotent_when_a_sum_factor_names_its_own_dummies():
    # 30-minute run seed 815188032: the trace inside the sum factor was named after the product's dummies,
    # which had been named to avoid it
    once = el.simplify(P(r"(\epsilon^{c}_{i} S_{c}) (C^{d i}_{n d} + A^{i}_{n})"))
    assert el.simplify(once) == once
    eps, S, C, A = (rng.standard_normal(s) for s in ((3, 2), 3, (4, 2, 5, 4), (2, 5)))
    want = np.einsum("ci,c,dind->n", eps, S, C) + np.einsum("ci,c,in->n", eps, S, A)
    np.testing.assert_allclose(el.compile(once)(epsilon=eps, S=S, C=C, A=A), want)


def test_equal_never_decides_on_draws_that_saturate_a_function():
    # 30-minute run seed 130641099: tanh(X) "equalled" tanh(3/2 X): X carried traces and sums, so every
    # draw made |X| > 20 and both sides were 1 to the last bit; draws now go on until each smooth function's
    # argument was seen where the function still depends on it
    x = np.linspace(0.1, 1.0, 5)
    assert np.max(np.abs(np.tanh(x) - np.tanh(1.5 * x))) > 0.05  # the oracle
    a = P(r"\tanh(C^{i}_{i}^{s1} (\sum_{q} \Gamma^{i}_{i}) (\epsilon_{s1 n} \delta^{j2}_{j2}))")
    b = P(r"\tanh(C^{i}_{i}^{s1} (\sum_{q} \Gamma^{i}_{i}) (\frac{3}{2} \epsilon_{s1 n} \delta^{j2}_{j2}))")
    assert not el.equal(a, b)
    assert el.equal(P(r"\tanh(x^i)"), P(r"2 \sigma(2 x^i) - \mathrm{ones}(x^i)"))


def test_the_derivative_simplifier_never_names_a_dummy_like_a_size_inside_a_function():
    # 30-minute run seed 130642301: cos(N_i) went into an atom, so the simplifier named a dummy i beside it
    e = P(r"(-\frac{3}{4} (\Gamma^{c}_{n} C^{n}_{p} v_{c}) \cos(\delta^{i}_{i}) \sum_{j2=0}^{K-1} y^{p j2}) "
          r"\sum_{u1=0}^{K-1} (S^{d}_{d} + t1_{c}^{c} + H_{u1})")
    d = el.diff(e, "C^{m}_{q}")
    assert "i" not in d.index_names()
    G, v, y, S, t1, H = (rng.standard_normal(s) for s in ((3, 4), 3, (5, 2), (2, 2), (3, 3), 2))
    T = 2 * (np.trace(S) + np.trace(t1)) + H.sum()
    want = -0.75 * np.cos(6) * T * np.einsum("c,cm,q->mq", v, G, y.sum(axis=1))
    got = el.compile(d, out=("m", "q"))(Gamma=G, v=v, y=y, S=S, t1=t1, H=H, N_i=6, K=2)
    np.testing.assert_allclose(got, want)


def test_diff_keeps_the_name_of_a_dummy_whose_size_is_its_name():
    # 30-minute run seed 130641402: the product rule's copy of delta^mu_c softplus(delta_mu^c) got fresh
    # names u2, u3 (to keep dummies unique across terms), and with them sizes N_u2, N_u3 nobody knows
    e = P(r"(\delta^{\mu}_{c} \mathrm{softplus}(\delta_{\mu}^{c})) A_{n} ((\sum_{j=0}^{K-1} \lambda_{j}) "
          r"\Gamma^{\mu}_{\mu} b2^{c} \lambda_{c}) B_{j2}")
    d2 = el.diff(el.diff(e, "A_{q}"), r"\lambda_{i}")
    lam, G, b2, B = (rng.standard_normal(s) for s in (3, (3, 3), 3, 2))
    sp1 = np.log1p(np.e)  # sum_{mu, c} delta^mu_c softplus(delta_mu^c) = N_mu softplus(1), N_mu = 3 (Gamma's)
    want = np.einsum("nq,m,i->nqmi", np.eye(2), B, b2.dot(lam) * np.ones(3) + lam.sum() * b2) * 3 * sp1 * np.trace(G)
    # the space of mu and c is sized by its name: compile asks for N_mu (and N_n: n is on deltas only)
    got = el.compile(d2, out=("n", "q", "j2", "i"))(**{"lambda": lam}, Gamma=G, b2=b2, B=B, K=3, N__mu=3, N_n=2)
    np.testing.assert_allclose(got, want)


def test_simplify_is_idempotent_when_a_trace_keeps_the_name_of_a_size_beside_a_dummy_of_that_name():
    # 30-minute run seed 1195010385: t1_q^q (q named by N_q) in a sum factor beside the product's dummy q
    # was renamed only by the next pass's hygiene
    e = P(r"(\sum_{s1} C^{q n i1} G_{q} \Gamma_{n}^{s1}) (\frac{\alpha}{2} (t1_{q}^{q} + A_{\nu}^{\nu}) "
          r"\sum_{q} B_{s1}^{s1})")
    once = el.simplify(e)
    assert el.simplify(once) == once
    # every index named q has size 2 (N_q is the size of the index q: C's first axis)
    C, G, Gam, t1, A, B = (rng.standard_normal(s) for s in ((2, 3, 4), 2, (3, 5), (2, 2), (2, 2), (5, 5)))
    want = 0.5 * 0.7 * 2 * np.einsum("qni,q,ns->i", C, G, Gam) * (np.trace(t1) + np.trace(A)) * np.trace(B)
    got = el.compile(once)(C=C, G=G, Gamma=Gam, t1=t1, A=A, B=B, alpha=0.7)
    np.testing.assert_allclose(got, want)


def test_equal_sees_a_function_of_an_argument_that_is_zero():
    # 30-minute run seed 2936441303: square(x - x) against square(x - delta x): both are 0, but the argument
    # (0 everywhere) was taken as saturating square, and equal said 'cannot tell'
    a = P(r"\mathrm{square}(-(-\mathrm{eps}^{p s1} + \mathrm{eps}^{p s1}) (\delta^{b}_{b} \epsilon^{j2}_{j2}) A^{c})")
    b = P(r"\mathrm{square}(-(-(\delta^{s1}_{j2} \mathrm{eps}^{p j2}) + \mathrm{eps}^{p s1}) (\delta^{b}_{b} "
          r"\epsilon^{j2}_{j2}) A^{c})")
    assert el.equal(a, b)


def test_evaluate_sizes_a_deltas_dummy_by_its_own_product_not_by_a_sums_index_of_that_name():
    # 30-minute run seed 2936442203: \delta^{dc}'s c (the product's dummy, C's third axis: 3) took the size
    # of the \sum_c beside it (t1's c: 4), because that sum was evaluated first
    e = P(r"\frac{1}{N_b} \delta^{d c} (C^{i}_{b c} + y_{b}^{i}_{c}) \sum_{c} t1_{i c}")
    C, y, t1 = rng.standard_normal((4, 5, 3)), rng.standard_normal((5, 4, 3)), rng.standard_normal((4, 6))
    want = np.einsum("dc,ibc,i->db", np.eye(3), C + y.transpose(1, 0, 2), t1.sum(1)) / 5
    got = el.evaluate(e, {"C": C, "y": y, "t1": t1}, N_b=5)
    np.testing.assert_allclose(got, want)
    np.testing.assert_allclose(el.compile(e)(C=C, y=y, t1=t1, N_b=5), want)


def test_canonical_sizes_a_loop_of_deltas_left_by_distributing_by_the_slot_that_carried_it():
    # 30-minute run seed 2936445786: (A - delta) delta distributed gave -delta^{u1 j} delta_{u1 j} = -N_u1,
    # a size tied to the name u1, which x^{u1}_{u1} (another size) also uses
    e = P(r"(A^{u1 j} - \delta^{u1 j}) (\delta_{u1 j}) - K x^{u1}_{u1}")
    A, x = rng.standard_normal((3, 3)), rng.standard_normal((4, 4))
    want = np.trace(A) - 3 - 2.5 * np.trace(x)
    form = el.canonical(e)
    assert "N_u1" not in str(form)
    np.testing.assert_allclose(el.compile(form)(A=A, x=x, K=2.5), want)
    np.testing.assert_allclose(el.evaluate(form, {"A": A, "x": x}, K=2.5), want)


def test_canonical_keeps_a_sum_factor_whose_distribution_would_leave_a_dummy_only_under_a_function():
    # 30-minute run seed 2936441197: cos(delta^{j s}) (S_{s j} + delta_{j s}) distributed leaves
    # cos(delta^{j s}) delta_{j s}, whose dummies nothing sizes (compile asked for N_s2)
    e = P(r"\frac{2}{K} (\cos(\delta^{j2 s1}) A^{b} (S_{s1 j2} + \delta_{j2 s1})) B^{j} C_{s1 k j} R^{l}_{b l}^{j2}")
    A, S, B, C, R = (rng.standard_normal(s) for s in (2, (4, 4), 3, (5, 6, 3), (2, 2, 2, 7)))
    cos_d = np.cos(np.eye(4))
    inner = np.einsum("js,sj->", cos_d, S) + np.trace(cos_d)
    want = 2 / 3 * inner * np.einsum("b,j,skj,lblt->skt", A, B, C, R)
    for form in (e, el.canonical(e)):
        got = el.compile(form, out=("s1", "k", "j2"))(A=A, S=S, B=B, C=C, R=R, K=3)
        np.testing.assert_allclose(got, want)


def test_evaluate_sizes_n_x_by_the_index_x_of_a_nested_scope():
    # 30-minute run seed 2038473857: N_p outside the sum whose product binds p is the one size p has
    # (H's first axis); evaluate had stopped looking names up anywhere but a last try
    e = P(r"(\frac{1}{N_p} z^n) \sum_{k} H^{p k} y_p w_k")
    z, H, y, w = rng.standard_normal(2), rng.standard_normal((3, 4)), rng.standard_normal(3), rng.standard_normal(4)
    want = z * (y @ H @ w) / 3
    np.testing.assert_allclose(el.evaluate(e, {"z": z, "H": H, "y": y, "w": w}), want)
    np.testing.assert_allclose(el.compile(e)(z=z, H=H, y=y, w=w), want)


def test_a_delta_tied_to_a_bounded_sum_is_no_closed_loop():
    # 30-minute run seed 2440347378: delta_{a s2} beside delta^a_{i1} delta^{s2}_{i1} (i1 bound by the sum)
    # was folded as a closed loop of deltas to N_a, leaving a and s2 free: the result had three free indices
    e = P(r"\sum_{i1=0}^{K-1} 3 \delta^{a}_{i1} (\delta^{s1}_{i1} \delta_{a s1}) A_{s1}")
    A = rng.standard_normal(5)
    for form in (el.canonical(e), el.simplify(e)):
        assert [ix.name for ix in form.free] == ["s1"]
        np.testing.assert_allclose(el.compile(form)(A=A, K=4), 3 * 4 * A)


def test_canonical_form_does_not_depend_on_factor_order_when_a_function_argument_reuses_a_dummys_name():
    # 30-minute run seed 3066234152: Gamma_mu^mu's raised dummy mu was renamed when the factor came after
    # relu(... W1_mu^mu ...) (whose argument binds mu in its own scope) and kept before it; with log forcing
    # positive draws, relu's kink was never crossed and equal said 'cannot tell' for a mere reordering
    relu = r"\mathrm{relu}(\delta^{\mu}_{\mu} W1_{\mu}^{\mu} x_{u1})"
    logs = r"(\sum_{\mu=0}^{K-1} \log(P^{j2}_{\mu}^{u1}_{k}))"
    rest = r"(-\frac{3}{4} (\mathrm{N_\nu} S_{l} (\frac{1}{\mathrm{N_u1}} \Gamma_{\mu}^{\mu}) W1_{j2}^{l}) b2^{b} S_{b})"
    a, b = P(f"{relu} {logs} {rest}"), P(f"{rest} {logs} {relu}")
    assert el.canonical(a) == el.canonical(b)
    assert el.compare(a, b).method == "canonical"


def test_which_nested_product_keeps_a_shared_dummy_name_does_not_depend_on_factor_order():
    # 30-minute run seed 1726453655: two parenthesized products with a dummy l beside N_l; flattening kept l
    # for the first written, so the canonical forms of a reordering differed (and with log forcing
    # positive draws, relu's kink was never crossed: equal said 'cannot tell')
    relu = r"\mathrm{relu}(\lambda^{q}_{j}^{j} B^{n} W1_{n q})"
    logs = r"((2 \epsilon_{l} (\frac{1}{\mathrm{N_a}} \epsilon_{p})) \log(P^{l p}))"
    rest = r"(-\frac{3}{4} \epsilon_{l} R_{a}^{l} x^{a})"
    a = P(rf"\mathrm{{N_l}} {relu} {logs} {rest} \mathrm{{eps}}_{{n a}}")
    b = P(rf"\mathrm{{N_l}} {rest} {logs} {relu} \mathrm{{eps}}_{{n a}}")
    assert el.canonical(a) == el.canonical(b)
    assert el.compare(a, b).method == "canonical"


def test_equal_does_not_take_the_rounding_of_an_exactly_zero_difference_for_a_difference():
    # 30-minute run seed 3244992591: distributing (B + delta) gave \dim(B, 2) on one side and N_k (the loop
    # delta_k^j delta_j^k, the name k also B's dummy) on the other; at the sizes drawn the difference's
    # coefficient K N_k - K \dim(B, 2) is exactly 0, but its float evaluation was 2e-15, and equal said 'not equal'
    p = r"K \cdot \Gamma_{a}^{a} (\lambda_{u1}^{u1} + t1^{j2}_{j2} + \delta^{j2}_{j2})"
    a = P(rf"-(-{p} \delta_{{k}}^{{j}} (B_{{j}}^{{k}} + \delta_{{j}}^{{k}})) A_{{k}}")
    b = P(rf"-(-{p} \delta_{{k}}^{{j}} B_{{j}}^{{k}} - {p} \delta_{{k}}^{{j}} \delta_{{j}}^{{k}}) A_{{k}}")
    assert el.equal(a, b)
    # a difference of 1e-12 in a coefficient is still one
    assert not el.equal(P("x^i"), P("(1 + 1/1000000000000) x^i"))


def test_equal_sees_a_softplus_dropped_at_large_arguments():
    # 30-minute run seed 3244997759: every draw made softplus's argument large, where softplus(x) is x to the
    # last bits; its slope said 'informative', and equal said True with the function dropped
    e = (r"K \cdot (\sum_{j=0}^{K-1} b2^{j}) (\frac{1}{\mathrm{N_j}} W1_{s1 j} S^{i}_{i}^{s1 j}) "
         r"(K \delta_{s1 i} t1^{i s1})")
    assert not el.equal(P(rf"\mathrm{{softplus}}({e})"), P(e))
    assert el.equal(P(rf"\mathrm{{softplus}}({e})"), P(rf"\mathrm{{softplus}}({e} + 0)"))


def test_equal_of_two_zeros_does_not_depend_on_the_order_of_their_free_indices():
    # 25-minute run seed 2508265500: the canonical zero kept its free indices in order of first appearance, so
    # with the factors in another order 0^c_{i1 s1} and 0_{i1 s1}^c differed, and with a kink that positive
    # draws (for log) never crossed, equal could only say 'cannot tell'
    zero = r"(\epsilon^{c}_{b} - \epsilon^{c}_{b})"
    a = P(rf"\mathrm{{N_b}} {zero} A_{{q i1}} \log(Q_{{s1}}^{{b}}) \mathrm{{relu}}(t1^{{q}})")
    b = P(rf"\mathrm{{N_b}} A_{{q i1}} \log(Q_{{s1}}^{{b}}) \mathrm{{relu}}(t1^{{q}}) {zero}")
    assert el.equal(a, b)
    assert not el.equal(a, P(r"\mathrm{N_b} A_{q i1} \log(Q_{s1}^{b}) \mathrm{relu}(t1^{q}) \epsilon^{c}_{b}"))


def test_a_trace_beside_a_pair_of_the_same_name_is_equal_to_itself_reordered():
    # 20-minute run seed 3081368041 (against a fix that was then reverted): folding the trace \delta^{j2}_{j2}
    # to N_j2 beside a pair named j2 let compile size N_j2 from the pair on one side only, and equal said that
    # two orders of the same factors differ. The trace and the pair share the name, and so their size.
    a = P(r"(\delta^{j2}_{j2} \epsilon^{c}) ((v^{d}_{d} B^{\nu}_{\nu} y^{d}_{d}) A^{j2} \delta_{c j2})")
    b = P(r"((v^{d}_{d} B^{\nu}_{\nu} y^{d}_{d}) A^{j2} \delta_{c j2}) (\delta^{j2}_{j2} \epsilon^{c})")
    assert el.equal(a, b)
    e, v, B, y, A = (rng.standard_normal(s) for s in (3, (2, 2), (4, 4), (2, 2), 3))
    want = 3 * (e @ A) * np.trace(v) * np.trace(B) * np.trace(y)  # N_j2 = 3, A's size
    assert np.isclose(float(el.compile(a)(epsilon=e, v=v, B=B, y=y, A=A)), want)


def test_a_trace_renamed_apart_with_its_pair_keeps_the_pairs_size_not_a_new_name():
    # harness seed 2508263514: -(A_{j2} B^{j2}) beside \delta^{j2}_{j2} is one product where j2 occurs four times;
    # flattened beside another pair j2, the product's j2 was renamed s1, the trace with it, and compile,
    # simplify and canonical asked for N_s1, a size the user never wrote
    inner = r"(-(\epsilon^{q} A_{j2} B_{q}^{j2} x_{b}) \delta^{j2}_{j2})"
    outer = r"\frac{1}{2} ((\sum_{b} t1_{j2 b}) v^{j2}) C^{b}"
    a, b = P(rf"{outer} {inner}"), P(rf"{inner} {outer}")
    t1, v, C, eps, A, B, x = (rng.standard_normal(s) for s in ((3, 2), 3, 5, 4, 3, (4, 3), 5))
    arrays = {"t1": t1, "v": v, "C": C, "epsilon": eps, "A": A, "B": B, "x": x}
    want = 0.5 * (t1.sum(1) @ v) * (C @ x) * -(eps @ B @ A) * 3  # the trace: j2's size, 3
    for form in (a, b, el.simplify(a), el.canonical(a), el.canonical(b)):
        fn = el.compile(form)
        assert not [s for s in fn.scalars if s.startswith("N_")], (form, fn.scalars)
        assert np.isclose(float(fn(**arrays)), want)
        assert np.isclose(float(el.evaluate(form, arrays)), want)
    assert el.equal(a, b)
    assert not el.equal(a, P(rf"{outer} (-(\epsilon^{{q}} A_{{j2}} B_{{q}}^{{j2}} x_{{b}}))"))


def test_a_loop_of_deltas_that_names_a_visible_index_takes_its_size_whatever_the_order_of_the_deltas():
    # 30-minute run seed 4071067238 (a wrong answer): the loop (\delta_{k s1} \delta^{s1 k}) beside a free k was
    # folded to N of its first delta's first name, N_k, and with the deltas swapped to N_s1; equal then drew
    # N_s1 apart from k's size and said the two orders of the same deltas differ
    a = P(r"-z_{p}^{p} (\delta_{k s1} \delta^{s1 k}) \lambda_{d} A^{k}")
    b = P(r"-z_{p}^{p} (\delta^{s1 k} \delta_{k s1}) \lambda_{d} A^{k}")
    assert el.equal(a, b)
    assert not el.equal(a, P(r"-z_{p}^{p} \lambda_{d} A^{k}"))
    z, lam, A = rng.standard_normal((3, 3)), rng.standard_normal(2), rng.standard_normal(4)
    want = -np.trace(z) * 4 * np.multiply.outer(lam, A)  # the loop: k's size, 4 (A's); axes d, k
    for form in (a, b, el.canonical(a), el.canonical(b)):
        names = [ix.name for ix in form.free]
        got = el.compile(form)(z=z, **{"lambda": lam}, A=A)
        assert np.allclose(got if names == ["d", "k"] else got.T, want)


def test_a_trace_in_a_functions_argument_renamed_apart_with_a_pair_keeps_the_pairs_size():
    # 30-minute run seed 4071071684: as above, with the trace inside \operatorname{abs}: the product's j2 was renamed
    # s2 into the argument too, and diff's results asked for N_s2
    e = P(r"(\operatorname{abs}(\delta^{j2}_{j2}) G^{a}_{i1}^{s1} (-K \mathrm{eps}^{i1}_{j}^{j2}_{a} b2_{j2})) B_{\nu s1} "
          r"(-\frac{3}{4} C^{b} b2_{b} \lambda_{j2} A^{\nu j2})")
    G, eps, b2, B, C, lam, A = (rng.standard_normal(s) for s in ((2, 3, 4), (3, 5, 3, 2), 3, (2, 4), 3, 3, (2, 3)))
    arrays = {"G": G, "eps": eps, "b2": b2, "B": B, "C": C, "lambda": lam, "A": A, "K": 2.0}
    c = 0.75 * 2.0 * 3  # 3K/4 times |j2's size|
    want = c * np.einsum("ais,ijpa,p,ns,b,b,q,nq->j", G, eps, b2, B, C, b2, lam, A)
    fn = el.compile(e)
    assert not [s for s in fn.scalars if s.startswith("N_")], fn.scalars
    assert np.allclose(fn(**arrays), want)
    jac = c * (np.einsum("ais,ijda,ns,b,b,q,nq->jd", G, eps, B, C, b2, lam, A)
               + np.einsum("ais,ijpa,p,ns,d,q,nq->jd", G, eps, b2, B, C, lam, A))
    for simp in (True, False):
        d = el.diff(e, "b2_{d}", simplify=simp)
        fd = el.compile(d, out=("j", "d"))
        assert not [s for s in fd.scalars if s.startswith("N_")], (d, fd.scalars)
        assert np.allclose(fd(**arrays), jac)


def test_a_loop_closed_only_in_a_sums_terms_keeps_the_size_of_its_name_when_renamed_apart():
    # harness seed 1717313372 (a wrong answer): the loop \delta_{s1}^{b} \delta^{s1}_{b} beside a free s1 was folded
    # to N_s1 at parse, but with one delta written \frac12\delta + \frac12\delta the loop closed only in the sum's
    # terms: its s1 was renamed apart to s2 and sized N_s2, and equal said the two spellings differ
    loop = r"(W1^{m} \delta_{s1}^{b} \delta^{s1}_{b})"
    halves = r"(W1^{m} \delta_{s1}^{b} (\frac{1}{2} \delta^{s1}_{b} + \frac{1}{2} \delta^{s1}_{b}))"
    rest = r"\epsilon^{k}_{k} (\mathrm{N_b} \delta_{d s1} C_{j} \delta^{j d})"
    a, b = P(rf"K C_{{m}} {loop} {rest}"), P(rf"K C_{{m}} {halves} {rest}")
    assert el.equal(a, b)
    assert not el.equal(a, P(rf"K C_{{m}} W1^{{m}} {rest}"))
    C, W1, eps = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal((3, 3))
    want = 2.0 * (C @ W1) * 4 * np.trace(eps) * 5.0 * C  # the loop: s1's size, 4 (C's); N_b = 5, K = 2
    for form in (a, b, el.simplify(b), el.canonical(b)):
        fn = el.compile(form)
        assert set(fn.scalars) <= {"K", "N_b", "N_s1"}, (form, fn.scalars)  # N_s1: the size of the free s1
        assert np.allclose(fn(C=C, W1=W1, epsilon=eps, K=2.0, N_b=5.0), want)


def test_a_sums_index_tied_only_to_a_derivatives_new_index_takes_that_indexs_size():
    # harness seed 1721891288: d/d\epsilon^{...k} of \sum_m \sum_i (\epsilon^{i} - \epsilon^{m}) leaves \sum_{u3} over
    # \delta^{u3}_k and, split apart, a term without u3 that was sized N_u3, a size nobody gives
    e = P(r"\sum_{m} \sum_{i} (\epsilon^{n}_{u1 s1}^{i} - 2 \epsilon^{n}_{u1 s1}^{m})")
    eps = rng.standard_normal((2, 3, 2, 4))
    assert np.allclose(el.compile(e)(epsilon=eps), -4 * eps.sum(3))  # 4 S - 2 * 4 S
    wrt = r"\epsilon^{\nu}_{i m}^{k}"
    want = -4 * np.einsum("nv,ui,sm,k->nusvimk", np.eye(2), np.eye(3), np.eye(2), np.ones(4))
    for simp in (True, False):
        d = el.diff(e, wrt, simplify=simp)
        out = tuple(ix.name for ix in free_after_diff(e, wrt))
        fn = el.compile(d, out=out)
        # the derivative is on deltas only: its free indices' sizes are asked by their names, no other size
        assert set(fn.scalars) <= {f"N_{n}" for n in out}, (d, fn.scalars)
        sizes = {"N_n": 2, "N_u1": 3, "N_s1": 2, "N_nu": 2, "N_i": 3, "N_m": 2, "N_k": 4}
        assert np.allclose(fn(**{k: v for k, v in sizes.items() if k in fn.scalars}), want)


def test_a_loop_whose_carrying_term_is_differentiated_away_keeps_that_slots_size():
    # harness seed 1717307689: in (S_m^m \delta_c^i x_l + b2^i_{cl}) \delta_i^c the space of c, i is b2's; d/dS drops
    # b2's term, the other term's deltas close a loop, and it was sized by a renamed dummy's name (N_u1)
    e = P(r"(S_{m}^{m} \delta_{c}^{i} x_{l} + b2^{i}_{c l}) \delta_{i}^{c}")
    S, x, b2 = rng.standard_normal((2, 2)), rng.standard_normal(4), rng.standard_normal((3, 3, 4))
    assert np.allclose(el.compile(e)(S=S, x=x, b2=b2), np.trace(S) * 3 * x + np.einsum("ccl->l", b2))
    want = 3 * np.einsum("qd,l->lqd", np.eye(2), x)  # b2's slot size 3 times delta^q_d x_l
    for simp in (True, False):
        d = el.diff(e, "S_{q}^{d}", simplify=simp)
        fn = el.compile(d, out=("l", "q", "d"))
        assert set(fn.scalars) == {"N_q", "dim_1_b2"}, (d, fn.scalars)  # b2 is gone: its slot's size is asked
        assert np.allclose(fn(x=x, N_q=2, dim_1_b2=3), want)


def test_the_size_of_a_sums_index_does_not_depend_on_the_order_of_the_terms_that_carry_it():
    # 30-minute run seed 4071070619: \sum_a over B^{s1 a d} + R^{s1 d a} sized the terms without a by the first
    # carrying slot met, \dim(B, 2) or \dim(R, 3): two orders of the same terms had two canonical forms
    a = P(r"\sum_{a} \sum_{j2} (-\lambda^{j2 d s1} + B^{s1 a d} + R^{s1 d a})")
    b = P(r"\sum_{a} \sum_{j2} (R^{s1 d a} + B^{s1 a d} - \lambda^{j2 d s1})")
    assert el.canonical(a) == el.canonical(b)
    assert el.compare(a, b).method == "canonical"
    lam, B, R = rng.standard_normal((3, 2, 4)), rng.standard_normal((4, 5, 2)), rng.standard_normal((4, 2, 5))
    want = -5 * lam.sum(0) + 3 * B.sum(1).T + 3 * R.sum(2).T  # axes d, s1: a has 5 values, j2 3
    for form in (a, b, el.canonical(a)):
        got = el.compile(form, out=("d", "s1"))(**{"lambda": lam}, B=B, R=R)
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_a_sum_whose_terms_all_carry_an_index_anchors_it_and_the_free_order_stays():
    # harness seed 1969802009: the loop fold distributed (delta_{b i1} + x_{b i1}) over its terms although the other
    # sum (B^{i1}_d + S_d^{i1}) carries i1 in every term, and put the term last: simplify's free order became (j2, b)
    e = P(r"(\delta_{b i1} + x_{b i1}) (B^{i1}_{d} + S_{d}^{i1}) A^{d}_{j2} + C_{j2 b}")
    s = el.simplify(e)
    assert [ix.name for ix in s.free] == ["b", "j2"] and el.simplify(s) == s
    x, B, S, A, C = (rng.standard_normal(sh) for sh in ((3, 3), (3, 4), (4, 3), (4, 2), (2, 3)))
    want = (np.eye(3) + x) @ (B + S.T) @ A + C.T
    np.testing.assert_allclose(el.compile(s)(x=x, B=B, S=S, A=A, C=C), want, rtol=1e-12)
