"""Checks of the gradient-descent slides that are not claims: the GD update, the chain-rule remark,
the matrix interpretation (shapes of epsilon, of the function gradient and of d), forward vs backward
gradients, the parameter structure, and the order "for efficiency, computation goes this way".
"""

from __future__ import annotations

import numpy as np
import opt_einsum

from ..algebra.diff import diff
from ..algebra.simplify import simplify
from ..nets import gradients
from ..notation.parse import parse
from .formulas import evaluate_expr, max_diff, model_f, try_parse
from .model import Problem, finite_difference_gradient, finite_difference_jacobian
from .report import Entry

__all__ = ["gd_update", "steepest_descent", "chain_rule", "d_shapes", "function_gradient", "forward_backward",
           "gradient_structure", "efficient_order", "MEDIUM"]

TOL = 1e-7

#: The medium size of the compiler issue: K=512, N_x=64, N_1=256, N_y=128.
MEDIUM = {"K": 512, "N_x": 64, "N_1": 256, "N_y": 128}

_D_A = r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k i_1} B^{i_1}_{i_2} [\nabla\sigma_k]^{i_2}_{j_1} y_k^{j_2}"


_D_A_Z = r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k i_1} B^{i_1}_{i_2} [\nabla\sigma(z_k^{i_2})]^{i_2}_{j_1} y_k^{j_2}"


def _problem() -> Problem:
    return Problem.random(K=6, N_x=3, N_1=5, N_y=4, seed=11)


def gd_update() -> Entry:
    """``d <- -grad L(theta)``, ``theta <- theta + alpha d^t`` (and ``A <- A + alpha d^t`` for A, b, B).

    Example:
        >>> e = gd_update()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds', 0, True)
    """
    e = Entry("gd_update", "What is Gradient Descent / Update Direction for A, b, B", "gradient-descent update",
              r"d \leftarrow -\nabla L(\theta);  \theta \leftarrow \theta + \alpha d^t;  A \leftarrow A + \alpha d^t")
    p = _problem()
    d = p.directions()
    flat = np.concatenate([d["A"].ravel(), d["b"], d["B"].ravel()])
    theta = p.theta()
    grad = finite_difference_gradient(p.loss, theta)
    e.derived = "d = -grad L, a 1 x P row; theta <- theta + alpha d^t with d^t the P x 1 column"
    e.check(f"d = -grad L (backprop) equals minus finite differences of L (P={p.P})", max_diff(flat, -grad) < 1e-6,
            f"max |diff| {max_diff(flat, -grad):.1e}")
    alpha = 1e-3
    drop = p.loss(theta) - p.loss(theta + alpha * flat)
    e.check("a small step alpha=1e-3 along d lowers L by about alpha |d|^2 (d is a descent direction)",
            drop > 0 and abs(drop - alpha * flat @ flat) < 0.05 * alpha * flat @ flat,
            f"L drops by {drop:.3e}; alpha |d|^2 = {alpha * flat @ flat:.3e}")
    # A <- A + alpha d^t in index notation: the "t" raises and lowers both indices with the metric
    e.syntax.append(r"A^{j_1}_{j_2} + \alpha \delta^{j_1 a} d_{a}{}^{b} \delta_{b j_2}  (A + alpha d^t)")
    upd, _ = try_parse(r"A^{j_1}_{j_2} + \alpha \delta^{j_1 a} d_{a}{}^{b} \delta_{b j_2}")
    assert upd is not None
    short = simplify(upd)
    val, how = evaluate_expr(upd, {"A": p.A, "d": d["A"]}, alpha=alpha)
    e.check(f"A^j1_j2 + alpha (d^t)^j1_j2 with (d^t)^j1_j2 = delta^(j1 a) d_a^b delta_(b j2) ({how}) is A + alpha d "
            f"with no transpose of the array", max_diff(val, p.A + alpha * d["A"]) < 1e-12,
            f"simplifies to {short}; d_A has A's shape {d['A'].shape}, its array transpose {d['A'].T.shape} would not fit")
    e.notes.append("d_{j_1}^{j_2} is laid out like A^{j_1}_{j_2}: the t of d^t only turns the 1 x P row into a "
                   "P x 1 column (in index notation it moves both indices with the metric); it is not a matrix "
                   "transpose of d_A")
    return e


def steepest_descent() -> Entry:
    """Steepest descent: ``alpha* <- argmin_alpha L(theta + alpha d^t)``, ``theta <- theta + alpha* d^t``.

    Example:
        >>> e = steepest_descent()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds', 0, True)
    """
    from .. import optim

    e = Entry("steepest_descent", "Steepest Descent", "steepest descent with a line search",
              r"d \leftarrow -\nabla L(\theta);  \alpha^* \leftarrow \arg \min_{\alpha} \{L(\theta + \alpha d^t)\};  "
              r"\theta \leftarrow \theta + \alpha^* d^t")
    loss = parse(r"\frac{1}{2} \theta^i Q_{ij} \theta^j - c_i \theta^i")
    d_expr = -diff(loss, r"\theta^{m}")
    e.syntax.append(f"L = {loss}")
    e.derived = f"d_m = {d_expr}; on a quadratic alpha* = d.d / d.Q.d"
    rng = np.random.default_rng(13)
    M = rng.normal(size=(4, 4))
    Q, c, theta = M @ M.T + np.eye(4), rng.normal(size=4), rng.normal(size=4)
    d, how = evaluate_expr(d_expr, {"theta": theta, "Q": Q, "c": c})
    e.check(f"d = -grad L from el.diff ({how}) equals c - Q theta", max_diff(d, c - Q @ theta) < 1e-12,
            f"max |diff| {max_diff(d, c - Q @ theta):.1e}")
    L = lambda t: 0.5 * t @ Q @ t - c @ t  # noqa: E731
    alpha = float(d @ d / (d @ Q @ d))
    grid = np.linspace(0.0, 3 * alpha, 601)
    best = float(grid[np.argmin([L(theta + a * d) for a in grid])])
    e.check("alpha* = d.d / d.Q.d minimizes L(theta + alpha d) along d (a grid of 601 steps agrees)",
            abs(best - alpha) <= grid[1] and L(theta + alpha * d) <= min(L(theta + a * d) for a in grid) + 1e-12,
            f"alpha* = {alpha:.6f}, best on the grid {best:.6f}; L {L(theta):.4f} -> {L(theta + alpha * d):.4f}")
    r = optim.steepest_descent(optim.quadratic(Q, c), theta, max_iter=1)
    step = np.asarray(r.iterates[1]) - theta
    e.check("optim.steepest_descent takes exactly that step", max_diff(step, alpha * d) < 1e-10,
            f"max |diff| {max_diff(step, alpha * d):.1e}")
    return e


def chain_rule() -> Entry:
    """``Der[f1(f2(f3(theta)))] = der(f1(theta)) * der(f2(theta)) * der(f3(theta))``.

    Example:
        >>> e = chain_rule()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds after a correction', 1, True)
    """
    e = Entry("chain_rule", "Computing the Loss Gradient", "the chain-rule remark",
              r"\text{Der}[f1(f2(f3(\theta)))] = \text{der}(f1(\theta)) * \text{der}(f2(\theta)) * \text{der}(f3(\theta))")
    t0 = 0.7
    expr = parse(r"\sin(\exp(\mathrm{square}(t^i)))")
    d = diff(expr, "t^{m}")
    e.derived = f"d/dt {expr} = {d}"
    val, how = evaluate_expr(d, {"t": np.array([t0])})
    fd = finite_difference_gradient(lambda v: float(np.sin(np.exp(v[0] ** 2))), np.array([t0]))[0]
    toolkit = float(np.asarray(val).ravel()[0])
    e.check(f"the toolkit's derivative of sin(exp(t^2)) at t={t0} ({how}) equals finite differences",
            abs(toolkit - fd) < 1e-7, f"{toolkit:.9f} vs {fd:.9f}")
    slide = np.cos(t0) * np.exp(t0) * 2 * t0
    right = np.cos(np.exp(t0**2)) * np.exp(t0**2) * 2 * t0
    e.check("the corrected product f1'(f2(f3(t))) f2'(f3(t)) f3'(t) equals finite differences", abs(right - fd) < 1e-7,
            f"{right:.9f} vs {fd:.9f}")
    if abs(slide - fd) > 1e-6:
        e.find("math", r"\text{der}(f1(\theta)) * \text{der}(f2(\theta)) * \text{der}(f3(\theta))",
               r"f1'(f2(f3(\theta))) \, f2'(f3(\theta)) \, f3'(\theta)",
               f"each factor is the derivative at the value of the inner function, not at theta: for "
               f"f1=sin, f2=exp, f3=square at theta={t0} the slide's product cos(t) exp(t) 2t = {slide:.6f}, "
               f"the derivative is {fd:.6f}")
    return e


def d_shapes() -> Entry:
    """Matrix interpretation: epsilon_k^t is 1 x N_x, grad f is N_x x P, d is 1 x P.

    Example:
        >>> e = d_shapes()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds after a correction', 1, True)
    """
    e = Entry("d_shapes", "Matrix Interpretation / Loss Gradient Computation / Update Direction for Supervised "
              "Training", "shapes of epsilon, of the function gradient and of d",
              r"\epsilon_k^t \; 1 \times N_x;  [-\nabla_\theta L]^t \; P \times 1;  d \; 1 \times P = 2 \frac{K-1}{K} "
              r"\sum_{k=0}^{N_x \times P} \epsilon_k \; 1 \times N_x;  d \; 1 \times P = \frac{2}{K} \sum_{k=0}^{K-1} "
              r"\epsilon_k \; 1 \times N_x \; \nabla_\theta f_\theta(y_k) \; N_x \times P")
    p = _problem()
    K, Nx = p.X.shape[0], p.B.shape[0]
    eps, J = p.eps(), [p.jacobian(y) for y in p.Y]
    e.derived = f"epsilon_k: {eps[0].shape}, grad f(y_k): {J[0].shape}, d: ({p.P},) for N_x={Nx}, P={p.P}"
    e.check("epsilon_k has N_x entries and grad_theta f(y_k) is N_x x P",
            eps[0].shape == (Nx,) and J[0].shape == (Nx, p.P), e.derived)
    d = 2 / K * sum(eps[k] @ J[k] for k in range(K))
    grad = finite_difference_gradient(p.loss, p.theta())
    e.check("d = (2/K) sum_{k=0}^{K-1} epsilon_k grad f(y_k) is 1 x P and equals -grad L (finite differences)",
            d.shape == (p.P,) and max_diff(d, -grad) < 1e-6, f"shape {d.shape}, max |diff| {max_diff(d, -grad):.1e}")
    garbled = 2 * (K - 1) / K * sum(eps[k] @ J[k] for k in range(K))
    if max_diff(garbled, d) > 1e-9 or Nx * p.P > K:
        e.find("bound", r"d = 2 \frac{K-1}{K} \sum_{k=0}^{N_x \times P} \epsilon_k",
               r"d = \frac{2}{K} \sum_{k=0}^{K-1} \epsilon_k \nabla_\theta f_\theta(y_k)",
               f"on 'Loss Gradient Computation' the limit K-1 slid into the coefficient and the shape label "
               f"N_x x P of the gradient became the upper limit: 2(K-1)/K is {K - 1} times 2/K (K={K}), a sum to "
               f"N_x x P = {Nx * p.P} runs past the K={K} samples, and the factor grad f(y_k) is missing; "
               f"the next slide has it right")
    return e


def function_gradient() -> Entry:
    """``d[f_theta(y_k)]_i / d theta_j``: the N_x x P function gradient.

    Example:
        >>> e = function_gradient()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds after a correction', 2, True)
    """
    e = Entry("function_gradient", "Function Gradient", "the function gradient N_x x P",
              r"\nabla f_\theta(y_n) = \nabla_\theta f_\theta(y_k) = \frac{\partial [f_\theta(y_k)]_i}{\partial \theta_j}"
              r" \; (N_x \times P)")
    p = _problem()
    f = model_f()
    J, fd, how = _toolkit_jacobian(p, p.Y[0])
    e.derived = "[grad_A f | grad_b f | grad_B f] from el.diff, flattened: " + f"{J.shape}"
    e.check(f"el.diff's three gradients, flattened side by side ({how}), form the N_x x P Jacobian "
            f"(finite differences, N_x={p.B.shape[0]}, P={p.P})", J.shape == fd.shape and max_diff(J, fd) < 1e-6,
            f"shape {J.shape}, max |diff| {max_diff(J, fd):.1e}")
    if f.free[0].up:
        e.find("variance", r"[f_\theta(y_k)]_i", r"[f_\theta(y_k)]^i",
               f"the output of f is contravariant like x^i (f^i = {f}, free index {f.free[0]}); the gradient "
               f"d f^i / d theta^j has i up and the parameter index down")
    e.find("label", r"\nabla f_\theta(y_n)", r"\nabla_\theta f_\theta(y_k)",
           "the slide names the sample y_n and, one line below, y_k; every other slide indexes samples by k, and "
           "the gradient is with respect to theta")
    return e


def _toolkit_jacobian(p: Problem, y0: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """The N_x x P function gradient from el.diff's grad_A f, grad_b f, grad_B f, evaluated and flattened.

    Returns it, its finite-difference oracle (in theta, at ``y0``) and which evaluator ran.
    """
    parts, how = [], ""
    arrays = {"A": p.A, "b": p.b, "B": p.B, "y": y0}
    for wrt, size in (("A^{j_1}_{j_2}", p.A.size), ("b^{j_1}", p.b.size), ("B^{j_1}_{j_2}", p.B.size)):
        sizes = {"i": p.B.shape[0], "j1": p.B.shape[0]} if wrt.startswith("B") else None
        val, how = evaluate_expr(diff(model_f(), wrt), arrays, sizes)
        parts.append(np.asarray(val).reshape(p.B.shape[0], size))
    fd = finite_difference_jacobian(lambda t: p.f(y0, t), p.theta())
    return np.concatenate(parts, axis=1), fd, how


def gradient_structure() -> Entry:
    """``grad_theta f = [grad_A f, grad_b f, grad_B f]`` and "Parameters are grad_A f_(A,B,b)".

    Example:
        >>> e = gradient_structure()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds after a correction', 1, True)
    """
    e = Entry("gradient_structure", "Gradient Structure for Single Layer NN", "parameters and parameter gradients",
              r"\text{Parameters are } \nabla_A f_{(A,B,b)};  \nabla_\theta f_\theta(y) = [\nabla_A f_{(A,b,B)}(y), "
              r"\nabla_b f_{(A,b,B)}(y), \nabla_B f_{(A,b,B)}(y)]")
    p = _problem()
    params = [t for t in ("A", "b", "B") if t in model_f().tensors()]  # in the order of grad_theta f's blocks
    assert set(params) == set(model_f().tensors()) - {"y"}
    e.derived = f"theta = ({', '.join(params)}); blocks N_x x {p.A.size}, N_x x {p.b.size}, N_x x {p.B.size}"
    sizes = {"A": p.A.size, "b": p.b.size, "B": p.B.size}
    J, fd, how = _toolkit_jacobian(p, p.Y[0])
    worst, start = 0.0, 0
    for size in sizes.values():
        worst = max(worst, max_diff(J[:, start : start + size], fd[:, start : start + size]))
        start += size
    e.check(f"grad_theta f is [grad_A f, grad_b f, grad_B f] side by side: blocks of N_1 N_y, N_1 and N_x N_1 "
            f"columns ({how}), each equal to finite differences in its parameter", start == p.P and worst < 1e-6,
            f"{sizes}, P={p.P}, max |diff| {worst:.1e}")
    named = "\\nabla_A f"
    if named not in params:
        e.find("label", r"\text{Parameters are } \nabla_A f_{(A,B,b)}", r"\text{Parameters are } \theta = (A, b, B)",
               f"the parameters of f are the tensors {', '.join(params)} (all but the input y), not the gradient "
               f"{named}; the previous slide says theta = (A, B, b)")
    return e


def forward_backward() -> Entry:
    """Forward gradient ``dx = grad f dtheta`` vs the backward (adjoint) gradient ``dtheta^t = dx^t grad f``.

    Example:
        >>> e = forward_backward()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds', 0, True)
    """
    e = Entry("forward_backward", "Forward vs Backward Propogation", "forward vs backward (adjoint) gradient",
              r"\delta \hat{x} \leftarrow \nabla_\theta f_\theta(y) \delta \theta;  \text{backward: } "
              r"\delta\theta^t \leftarrow \delta \hat{x}^t \nabla_\theta f_\theta(y)")
    p = _problem()
    y0 = p.Y[0]
    rng = np.random.default_rng(12)
    dA, dx = rng.normal(size=p.A.shape), rng.normal(size=p.B.shape[0])
    jvp = parse(r"B^i_{i_2} [\nabla\sigma(A^{i_2}_l y^l + b^{i_2})]^{i_2}_{j_1} y^{j_2} \mathrm{dA}^{j_1}_{j_2}")
    vjp = parse(r"\mathrm{dx}_i B^i_{i_2} [\nabla\sigma(A^{i_2}_l y^l + b^{i_2})]^{i_2}_{j_1} y^{j_2}")
    e.syntax += [str(jvp), str(vjp)]
    net = gradients.single_layer()
    net_jvp, net_vjp = net.jvp("A"), net.vjp("A")
    e.derived = f"gradients.single_layer().jvp('A') = {net_jvp};  .vjp('A') = {net_vjp}"
    arrays = {"A": p.A, "b": p.b, "B": p.B, "y": y0, "dA": dA, "dx": dx}
    val, how = evaluate_expr(jvp, arrays)
    h = 1e-6
    fd = (p.f(y0, p.theta() + h * _flat(p, dA)) - p.f(y0, p.theta() - h * _flat(p, dA))) / (2 * h)
    e.check(f"forward gradient grad_A f dA ({how}) equals the directional finite difference of f",
            max_diff(val, fd) < 1e-7, f"max |diff| {max_diff(val, fd):.1e}")
    val, how = evaluate_expr(vjp, arrays)
    ref = (dx @ p.jacobian(y0))[: p.A.size].reshape(p.A.shape)
    e.check(f"backward gradient dx^t grad_A f ({how}) equals dx^t J restricted to A", max_diff(val, ref) < 1e-10,
            f"max |diff| {max_diff(val, ref):.1e}")
    jv, _ = evaluate_expr(net_jvp, arrays)
    vj, _ = evaluate_expr(net_vjp, {**arrays, "u": dx})
    e.check("gradients.single_layer().jvp('A') and .vjp('A') give the same numbers",
            max_diff(jv, fd) < 1e-7 and max_diff(vj, ref) < 1e-10,
            f"max |diff| {max(max_diff(jv, fd), max_diff(vj, ref)):.1e}")
    s = MEDIUM
    # one forward (tangent) pass per direction dA: dA y, times sigma', times B; the gradient needs N_1 N_y of them
    tangent = 2 * s["N_1"] * s["N_y"] + s["N_1"] + 2 * s["N_x"] * s["N_1"]
    forward = s["N_1"] * s["N_y"] * tangent
    # one backward (adjoint) pass: dx^t B, times sigma', outer product with y
    backward = 2 * s["N_x"] * s["N_1"] + s["N_1"] + s["N_1"] * s["N_y"]
    e.check("for a scalar loss the backward order is cheaper: the gradient by forward gradients needs one pass per "
            "parameter, the backward gradient one pass in all", forward > backward,
            f"grad_A at N_x={s['N_x']}, N_1={s['N_1']}, N_y={s['N_y']}, per sample: {forward:.2e} FLOPs forward "
            f"({s['N_1'] * s['N_y']} passes of {tangent}) vs {backward:.2e} backward")
    e.notes.append("the slide shows the backward (adjoint) formula only as a picture; it is written here as "
                   "dtheta^t <- dx^t grad_theta f")
    e.notes.append("the slide's title spells 'Propogation' (Propagation)")
    return e


def _flat(p: Problem, dA: np.ndarray) -> np.ndarray:
    return np.concatenate([dA.ravel(), np.zeros(p.b.size), np.zeros(p.B.size)])


def efficient_order() -> Entry:
    """"For efficiency, computation goes this way!" -- epsilon_k B first -- against the compiler's plan.

    Example:
        >>> e = efficient_order()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds', 0, True)
    """
    e = Entry("efficient_order", "Update Direction for A / b", "contraction order 'for efficiency, computation "
              "goes this way'", r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k, i_1} B_k{}^{i_1}_{i_2} [\nabla \sigma_k]^{i_2}_{j_1}"
              r" y_k{}^{j_2};  \text{For efficiency, computation goes this way!} \longrightarrow")
    s = MEDIUM
    K, Nx, N1, Ny = s["K"], s["N_x"], s["N_1"], s["N_y"]
    # operands with [nabla sigma_k] as its diagonal (never materialized): E(k,i) B(i,j) S(k,j) Y(k,l) -> d(j,l)
    shapes = [(K, Nx), (Nx, N1), (K, N1), (K, Ny)]
    eq = "ki,ij,kj,kl->jl"
    costs = {}
    # opt_einsum paths: each step removes the pair and appends the result at the end
    for name, path in (("slide (left to right)", [(0, 1), (0, 2), (0, 1)]),
                       ("right to left", [(2, 3), (1, 2), (0, 1)]),
                       ("opt_einsum optimal", "optimal")):
        info = opt_einsum.contract_path(eq, *shapes, shapes=True, optimize=path)[1]
        costs[name] = int(info.opt_cost)
    e.syntax.append(_D_A)
    e.derived = f"{_D_A}; FLOPs at K={K}, N_x={Nx}, N_1={N1}, N_y={Ny}: " + ", ".join(
        f"{k} {v:.3e}" for k, v in costs.items())
    e.check("the slide's order (epsilon B first, then sigma', then y) costs the optimum over all orders",
            costs["slide (left to right)"] <= costs["opt_einsum optimal"],
            f"{costs['slide (left to right)']:.3e} vs optimum {costs['opt_einsum optimal']:.3e}; right to left "
            f"{costs['right to left']:.3e} ({costs['right to left'] / costs['slide (left to right)']:.0f}x)")
    from ..compile import compile as compile_expr

    # [nabla sigma_k] as the diagonal of sigma'(z_k), so that the compiler may elide the delta as it should
    fn = compile_expr(parse(_D_A_Z))
    plan = fn.plan(k=K, i1=Nx, i2=N1, j2=Ny)
    flops = int(plan.contraction_flops)
    first = next((st.text for st in plan.steps if "->" in st.text), "")
    e.check("the compiler's plan (fn.plan) contracts epsilon with B first, as the slide's arrow says",
            "epsilon" in first.split("->")[0] and "B" in first.split("->")[0], f"first step: {first}")
    e.check("and its contractions cost no more than the slide's order",
            flops <= costs["slide (left to right)"],
            f"compiler {flops:.3e} FLOPs (total with elementwise steps {plan.flops:.3e}); naive single einsum "
            f"{plan.naive_flops:.3e}; deltas materialized {plan.materialized_flops:.3e}")
    e.notes.append("the arrow runs left to right under the formula: epsilon_k B first, then [nabla sigma_k], then y_k "
                   "(the backward, adjoint order)")
    e.notes.append("compiler plan: " + " | ".join(line.strip() for line in str(plan).splitlines()[2:6]))
    return e
