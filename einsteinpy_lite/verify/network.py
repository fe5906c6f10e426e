"""Checks of the single-layer network slides: grad_y f, grad_A(Ay), grad_A f, grad_b f, grad_B f, and d for A, b, B.

Each check derives the quantity from the model ``f^i = B^i_j sigma(A^j_l y^l + b^j)``
with :func:`einsteinpy_lite.diff`, compares the slide's right-hand side with it
(after expanding the slide's abbreviations, symbolically and then on random
arrays), compares the slide's left-hand label with both, and evaluates the
corrected formula with the toolkit against the hand-written numpy model of
:mod:`einsteinpy_lite.verify.model`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..algebra.diff import diff
from ..core.atoms import Tensor
from ..core.expr import Expr
from ..core.indices import Index
from ..core.rename import rename_free
from ..nets import gradients
from ..notation.parse import parse
from ..notation.printing import latex
from .formulas import (
    MODEL_SLOTS,
    PER_SAMPLE,
    evaluate_expr,
    expand,
    map_tensors,
    max_diff,
    reslot,
    safe_compare,
    slot_patterns,
)
from .model import Problem, finite_difference_jacobian
from .report import Entry

__all__ = ["grad_y", "grad_A_Ay", "grad_A", "grad_b", "grad_B_Bsigma", "grad_B", "direction_A", "direction_b",
           "direction_B", "loss_expr", "derived_direction"]

TOL = 1e-7

#: The slides' network, with its output index named i (as model_f) and i_1 (as the gradient slides).
_MODEL = r"B^i_j \sigma(A^j_l y^l + b^j)"
_MODEL_I1 = r"B^{i_1}_j \sigma(A^j_l y^l + b^j)"


def _pattern(p: tuple[bool, ...]) -> str:
    return " and ".join("upper" if u else "lower" for u in p)


def loss_expr() -> Expr:
    """The MSE loss ``(1/K) sum_k epsilon_k^i delta_{ij} epsilon_k^j`` in the model's tensors.

    Example:
        >>> e = loss_expr()
        >>> e.free, sorted(e.tensors())
        ((), ['A', 'B', 'b', 'x', 'y'])
    """
    return expand(parse(r"\frac{1}{K} \sum_{k=0}^{K-1} \epsilon_k^i \delta_{ij} \epsilon_k^j"))


def derived_direction(param: str) -> Expr:
    """The toolkit's ``d = -dL/dparam``, free indices j_1 (and j_2) like the slides' d.

    Example:
        >>> derived_direction("A").free
        (_j1, ^j2)
    """
    wrt = {"A": "A^{j_1}_{j_2}", "b": "b^{j_1}", "B": "B^{j_1}_{j_2}"}[param]
    return -diff(loss_expr(), wrt)


def _strip_sample(e: Expr, entry: Entry | None) -> Expr:
    """Drop the sample index k from tensors that do not depend on the sample (B_k -> B), recording the finding."""
    def go(node: Tensor) -> Expr:
        if node.name in PER_SAMPLE or not any(ix.bound for ix in node.indices):
            return node
        fixed = node.with_indices([ix for ix in node.indices if not ix.bound])
        if entry is not None and not any(f.written == latex(node) for f in entry.findings):
            entry.find("index", latex(node), latex(fixed),
                       f"{node.name} is a parameter of the network, the same for every training pair: it "
                       f"carries no sample index k (only \\epsilon_k, \\sigma_k, [\\nabla\\sigma_k] and y_k do)")
        return fixed

    return map_tensors(e, go)


def compare_with_derivation(entry: Entry, label_text: str, rhs_text: str, derived: Expr,
                            head: str | None = None) -> Expr:
    """Compare a slide equation ``label = rhs`` with the toolkit's derivation; record findings and checks.

    Returns the corrected right-hand side (abbreviations kept), ready to evaluate.
    """
    entry.syntax.append(f"{label_text} = {rhs_text}")
    label = parse(label_text)
    rhs = _strip_sample(parse(rhs_text), entry)
    assert isinstance(label, Tensor)
    # tensors written with their slots in other positions than in the model
    for name, pat in slot_patterns(rhs).items():
        model = MODEL_SLOTS.get(name)
        if model is not None and len(model) == len(pat) and model != pat:
            node = next(n for n in rhs.walk() if isinstance(n, Tensor) and n.name == name)
            fixed_node = reslot(node, MODEL_SLOTS)
            outer = [ix for ix in node.indices if ix.name in {f.name for f in rhs.free}]
            which = ", ".join(f"{ix.name} {'up' if ix.up else 'down'}" for ix in outer)
            entry.find("variance", latex(node), latex(fixed_node),
                       f"{name} has {_pattern(model)} slots in the model (f^i = B^i_j \\sigma(A^j_l y^l + b^j)), "
                       f"written {_pattern(pat)} here, which leaves the free index {which} while the label and "
                       f"the derivation have it the other way. With the Euclidean metric the numbers are the same")
    fixed = reslot(rhs, MODEL_SLOTS)
    # the label: its name, and its indices against the right side's and the derivation's
    if head is not None and label.name != head:
        entry.find("label", latex(label), latex(Tensor(head, label.indices)),
                   f"this is the derivative with respect to {head.split('_')[1].split()[0]}, not {label.name}")
    want = [ix.key for ix in derived.free]
    if [ix.name for ix in label.indices] == [n for n, _ in want] and [ix.key for ix in label.indices] != want:
        good = Tensor(head or label.name, [Index(n, u) for n, u in want])
        wrong = [(ix.name, ix.up) for ix, (_, u) in zip(label.indices, want) if ix.up != u]
        said = ", ".join(f"{n} {'up' if up_ else 'down'}" for n, up_ in wrong)
        entry.find("variance", latex(label), latex(good),
                   f"the label writes {said}, but the right side and the derivation have "
                   f"{'it' if len(wrong) == 1 else 'them'} the other way: the derivative with respect to a "
                   f"variable takes each of its slots in the opposite position (d/dA^{{j_1}}_{{j_2}} gives j_1 "
                   f"down, j_2 up); with the Euclidean metric the numbers are the same")
    entry.check("the label has the free indices of the derivation, in order",
                [ix.name for ix in label.indices] == [n for n, _ in want],
                f"label {label.free}, derived {derived.free}")
    _symbolic(entry, "the (corrected) right side equals the toolkit's derivation", expand(fixed), expand(derived))
    return fixed


def _symbolic(entry: Entry, what: str, a: Expr, b: Expr) -> None:
    """Record el.compare(a, b) as a check; a crash of the comparison becomes a note (the numeric checks decide)."""
    equal, how = safe_compare(a, b)
    if equal is None:
        entry.notes.append(f"symbolic comparison skipped -- {how}")
    else:
        entry.check(what, equal, how)


def _numeric(entry: Entry, fixed: Expr, arrays: dict[str, np.ndarray], oracle: np.ndarray, what: str,
             sizes: dict[str, int] | None = None, **scalars: float) -> None:
    val, how = evaluate_expr(expand(fixed), arrays, sizes, **scalars)
    diff_ = max_diff(val, oracle)
    entry.check(f"{what} ({how})", diff_ < TOL, f"max |diff| {diff_:.1e}, shape {tuple(np.shape(val))}")


# ------------------------------------------------------------------ gradients of f

def _cross_check(entry: Entry, attr: str, derived: Expr) -> None:
    """Check that ``gradients.single_layer().<attr>`` (the toolkit's NN module) agrees with el.diff's derivation."""
    g = getattr(gradients.single_layer(), attr)
    if len(g.free) != len(derived.free):
        entry.check(f"gradients.single_layer().{attr} agrees with el.diff", False, f"free {g.free} vs {derived.free}")
        return
    g = rename_free(g, {a.name: b.name for a, b in zip(g.free, derived.free)})
    _symbolic(entry, f"gradients.single_layer().{attr} agrees with el.diff", expand(g), expand(derived))


def _problem() -> Problem:
    return Problem.random(K=6, N_x=3, N_1=5, N_y=4, seed=7)


def _jac_blocks(p: Problem, y: np.ndarray) -> dict[str, np.ndarray]:
    J = p.jacobian(y)
    Nx, N1, Ny = p.B.shape[0], p.A.shape[0], p.A.shape[1]
    a, nb = p.A.size, p.b.size
    return {"A": J[:, :a].reshape(Nx, N1, Ny), "b": J[:, a : a + nb], "B": J[:, a + nb :].reshape(Nx, Nx, N1)}


def _derive(e: Entry, model: str, wrt: str, label: str, rhs: str, head: str,
            cross: str | None = None) -> tuple[Expr, Expr]:
    """Derive ``d model / d wrt`` with el.diff and compare the slide's ``label = rhs`` with it.

    With ``cross``, also check ``gradients.single_layer().<cross>`` against the
    derivation.  Returns ``(derived, corrected right-hand side)``.
    """
    derived = diff(parse(model), wrt)
    e.derived = str(derived)
    fixed = compare_with_derivation(e, label, rhs, derived, head=head)
    if cross is not None:
        _cross_check(e, cross, derived)
    return derived, fixed


def _at_one_sample(e: Entry, form: Expr, what: str, oracle: str | Callable[[Problem, np.ndarray], np.ndarray],
                   sizes: dict[str, int] | None = None) -> tuple[Problem, np.ndarray]:
    """Evaluate ``form`` at the first sample of the small problem against ``oracle``.

    ``oracle`` is a parameter name (its closed-form Jacobian block) or a function
    of the problem and the sample.  Returns the problem and the sample.
    """
    p = _problem()
    y0 = p.Y[0]
    want = _jac_blocks(p, y0)[oracle] if isinstance(oracle, str) else oracle(p, y0)
    _numeric(e, form, {"A": p.A, "b": p.b, "B": p.B, "y": y0}, want, what, sizes)
    return p, y0


def _linear_map_check(e: Entry, form: Expr, vector: str, shape: tuple[int, int], seed: int, what: str) -> None:
    """Check ``form`` (a delta times ``vector``) against finite differences of ``M v`` in the matrix ``M``."""
    rng = np.random.default_rng(seed)
    M, v = rng.normal(size=shape), rng.normal(size=shape[1])
    oracle = finite_difference_jacobian(lambda m: m.reshape(shape) @ v, M.ravel()).reshape(shape[0], *shape)
    val, how = evaluate_expr(form, {vector: v}, sizes={"i": shape[0], "j1": shape[0]})
    e.check(what.format(how=how), max_diff(val, oracle) < TOL, f"max |diff| {max_diff(val, oracle):.1e}")


def grad_y() -> Entry:
    """``[\\nabla_y f]^i_j = B^i_{i_1} [\\nabla\\sigma]^{i_1}_{i_2} A^{i_2 j}``.

    Example:
        >>> e = grad_y()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('differs only in index variance', 1, True)
    """
    e = Entry("grad_y", "Gradient w.r.t. y", "input gradient grad_y f",
              r"\nabla_y f = B[\nabla\sigma(Ay + b)]A;  [\nabla_y f]^i_j = B^i_{i_1} [\nabla\sigma]^{i_1}_{i_2} A^{i_2 j}")
    _, fixed = _derive(e, _MODEL, "y^{j}", r"[\nabla_y f]^i_j", r"B^i_{i_1} [\nabla\sigma]^{i_1}_{i_2} A^{i_2 j}",
                       r"\nabla_y f", cross="grad_y")
    p, y0 = _at_one_sample(e, fixed,
                           "corrected form at one sample equals finite differences of f in y (N_x=3, N_1=5, N_y=4)",
                           lambda p, y0: finite_difference_jacobian(p.f, y0))
    oracle = finite_difference_jacobian(p.f, y0)
    s = 1 / (1 + np.exp(-(p.A @ y0 + p.b)))
    matrix = p.B @ np.diag(s * (1 - s)) @ p.A
    e.check("the matrix form B [nabla sigma(Ay + b)] A equals finite differences", max_diff(matrix, oracle) < TOL,
            f"max |diff| {max_diff(matrix, oracle):.1e}")
    return e


def grad_A_Ay() -> Entry:
    """``[\\nabla_A(Ay)]^i_{j_1 j_2} = \\delta^i_{j_1} y^{j_2}``.

    Example:
        >>> e = grad_A_Ay()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('differs only in index variance', 1, True)
    """
    e = Entry("grad_A_Ay", "Gradient w.r.t. A", "derivative of Ay with respect to A",
              r"[\nabla_A(Ay)]^i_{j_1, j_2} = \delta^i_{j_1} y^{j_2}")
    _, fixed = _derive(e, "A^i_k y^k", "A^{j_1}_{j_2}", r"[\nabla_A(Ay)]^i_{j_1 j_2}", r"\delta^i_{j_1} y^{j_2}",
                       r"\nabla_A(Ay)")
    _linear_map_check(e, fixed, "y", (3, 4), 5,
                      "delta^i_j1 y^j2 (N_1=3, N_y=4, {how}) equals finite differences of Ay in A")
    return e


def grad_A() -> Entry:
    """``[\\nabla_A f]^{i_1}_{j_1, j_2} = B^{i_1}_{i_2} [\\nabla\\sigma]^{i_2}_{j_1} y^{j_2}`` (two lines).

    Example:
        >>> e = grad_A()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('differs only in index variance', 1, True)
    """
    e = Entry("grad_A", "Gradient w.r.t. A", "parameter gradient grad_A f",
              r"[\nabla_A f]^{i_1}_{j_1, j_2} = B^{i_1}_{i_2} [\nabla \sigma]^{i_2}_{i_3} \delta^{i_3}_{j_1} y^{j_2}"
              r" = B^{i_1}_{i_2} [\nabla \sigma]^{i_2}_{j_1} y^{j_2}")
    derived, line = _derive(e, _MODEL_I1, "A^{j_1}_{j_2}", r"[\nabla_A f]^{i_1}_{j_1 j_2}",
                            r"B^{i_1}_{i_2} [\nabla\sigma]^{i_2}_{i_3} \delta^{i_3}_{j_1} y^{j_2}", r"\nabla_A f",
                            cross="grad_A")
    boxed = parse(r"B^{i_1}_{i_2} [\nabla \sigma]^{i_2}_{j_1} y^{j_2}")
    _symbolic(e, "the boxed result (delta contracted) equals the derivation", expand(boxed), derived)
    _symbolic(e, "contracting delta^{i_3}_{j_1} turns the second line into the boxed one", line, boxed)
    _at_one_sample(e, boxed, "boxed form at one sample equals the closed-form Jacobian block of A (N_x=3, N_1=5, N_y=4)",
                   "A")
    return e


def grad_b() -> Entry:
    """``[\\nabla_b f]^{i_1}_{j_1} = B^{i_1}_{i_2} [\\nabla\\sigma]^{i_2}_{j_1}``.

    Example:
        >>> e = grad_b()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds', 0, True)
    """
    e = Entry("grad_b", "Gradient w.r.t. b", "parameter gradient grad_b f",
              r"\nabla_b f = B \nabla \sigma;  [\nabla_b f]^{i_1}{}_{j_1} = B^{i_1}{}_{i_2} [\nabla \sigma]^{i_2}{}_{j_1}")
    _, fixed = _derive(e, _MODEL_I1, "b^{j_1}", r"[\nabla_b f]^{i_1}{}_{j_1}",
                       r"B^{i_1}{}_{i_2} [\nabla \sigma]^{i_2}{}_{j_1}", r"\nabla_b f", cross="grad_b")
    p, y0 = _at_one_sample(e, fixed, "slide's form at one sample equals the closed-form Jacobian block of b", "b")
    oracle = finite_difference_jacobian(lambda bb: p.B @ (1 / (1 + np.exp(-(p.A @ y0 + bb)))), p.b)
    block = _jac_blocks(p, y0)["b"]
    e.check("and finite differences of f in b", max_diff(block, oracle) < TOL, f"max |diff| {max_diff(block, oracle):.1e}")
    return e


def grad_B_Bsigma() -> Entry:
    """``[\\nabla_B(B\\sigma)]^i_{j_1, j_2} = \\delta^i_{j_1} \\sigma^{j_2}``.

    Example:
        >>> e = grad_B_Bsigma()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('differs only in index variance', 1, True)
    """
    e = Entry("grad_B_Bsigma", "Gradient w.r.t. B", "derivative of B sigma with respect to B",
              r"\nabla_B f = \nabla_B(B\sigma);  [\nabla_B(B\sigma)]^i{}_{j_1,j_2} = \delta^i{}_{j_1} \sigma^{j_2}")
    _, fixed = _derive(e, r"B^i_j \sigma^j", "B^{j_1}_{j_2}", r"[\nabla_B(B\sigma)]^i{}_{j_1 j_2}",
                       r"\delta^i{}_{j_1} \sigma^{j_2}", r"\nabla_B(B\sigma)")
    _linear_map_check(e, fixed, "sigma", (3, 5), 6,
                      "delta^i_j1 sigma^j2 (N_x=3, N_1=5, {how}) equals finite differences of B sigma in B")
    return e


def grad_B() -> Entry:
    """``[\\nabla_b f]^{i_1}_{j_1,j_2} = \\delta^{i_1}_{j_1} \\sigma^{j_2}`` -- the gradient with respect to B.

    Example:
        >>> e = grad_B()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds after a correction', 2, True)
    """
    e = Entry("grad_B", "Gradient w.r.t. B", "parameter gradient grad_B f",
              r"[\nabla_b f]^{i_1}{}_{j_1,j_2} = \delta^{i_1}{}_{j_1} \sigma^{j_2}")
    _, fixed = _derive(e, _MODEL_I1, "B^{j_1}_{j_2}", r"[\nabla_b f]^{i_1}{}_{j_1 j_2}",
                       r"\delta^{i_1}{}_{j_1} \sigma^{j_2}", r"\nabla_B f", cross="grad_B")
    n_x = _problem().B.shape[0]
    _at_one_sample(e, fixed, "corrected form at one sample equals the closed-form Jacobian block of B", "B",
                   sizes={"i1": n_x, "j1": n_x})
    return e


# ------------------------------------------------------------------ update directions

def _direction(key: str, param: str, title: str, label: str, rhs: str, written: str,
               extra: Callable[[Entry, Problem], None] | None = None) -> Entry:
    e = Entry(key, f"Update Direction for {param}", title, written)
    derived = derived_direction(param)
    e.derived = str(gradients.single_layer().directions_eps[param])  # the slides' form, with epsilon_k
    fixed = compare_with_derivation(e, label, rhs, derived, head="d")
    p = Problem.random(K=6, N_x=3, N_1=5, N_y=4, seed=8)
    val, how = evaluate_expr(fixed, p.slide_arrays(), K=6)
    diff_ = max_diff(val, p.directions()[param])
    e.check(f"corrected d on K=6 random pairs ({how}; epsilon_k, sigma_k, [nabla sigma_k] from the model) equals "
            f"hand-written numpy backprop for {param} (N_x=3, N_1=5, N_y=4)", diff_ < TOL, f"max |diff| {diff_:.1e}")
    _compiled_step(e, p, param)
    if extra is not None:
        extra(e, p)
    return e


def _compiled_step(e: Entry, p: Problem, param: str) -> None:
    out = gradients.single_layer().compile()(A=p.A, b=p.b, B=p.B, x=p.X, y=p.Y)
    got = np.asarray(out[f"d_{param}"])
    e.check(f"gradients.single_layer().compile() gives the same d_{param}", max_diff(got, p.directions()[param]) < TOL,
            f"max |diff| {max_diff(got, p.directions()[param]):.1e}")


def direction_A() -> Entry:
    """``d_{j_1 j_2} = 2/K sum_k epsilon_{k i_1} B_k^{i_1}_{i_2} [nabla sigma_k]^{i_2}_{j_1} y_k^{j_2}``.

    Example:
        >>> e = direction_A()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds after a correction', 2, True)
    """
    return _direction(
        "direction_A", "A", "update direction d for A", "d_{j_1 j_2}",
        r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k i_1} B_k{}^{i_1}_{i_2} [\nabla\sigma_k]^{i_2}_{j_1} y_k{}^{j_2}",
        r"d_{j_1, j_2} = \frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k, i_1} B_k{}^{i_1}_{i_2} [\nabla \sigma_k]^{i_2}_{j_1}"
        r" y_k{}^{j_2}")


def _b_shapes(e: Entry, p: Problem) -> None:
    row = (p.eps()[0] @ p.B).shape
    e.notes.append(f"shape line: epsilon_k (1 x N_x) times B (N_x x N_1) is a row of {row[0]} = N_1 entries "
                   f"(d_{{j_1}} has a lower index); the slide's box N_1 x 1 is d^t, the column added to b")


def direction_b() -> Entry:
    """``d_{j_1} = 2/K sum_k epsilon_{k i_1} B_k^{i_1}_{i_2} [nabla sigma_k]^{i_2}_{j_1}``.

    Example:
        >>> e = direction_b()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds after a correction', 1, True)
    """
    return _direction(
        "direction_b", "b", "update direction d for b", "d_{j_1}",
        r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k i_1} B_k{}^{i_1}_{i_2} [\nabla\sigma_k]^{i_2}_{j_1}",
        r"d_{j_1} = \frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k,i_1} B_k{}^{i_1}_{i_2} [\nabla \sigma_k]^{i_2}_{j_1};"
        r"  \frac{2}{K} \sum_k [\epsilon_k 1 \times N_x] [B_k N_x \times N_1] = [N_1 \times 1]", _b_shapes)


def _B_shapes(e: Entry, p: Problem) -> None:
    sizes = p.sizes
    shape = p.directions()["B"].shape
    if "N_2" not in sizes:
        e.find("bound", r"[\sigma_k \; N_2] = [N_x \; N_2]", r"[\sigma_k \; N_1] = [N_x \; N_1]",
               f"sigma_k = sigma(A y_k + b) has the hidden size N_1 (the rows of A); a single-layer net has no "
               f"N_2: with N_x={sizes['N_x']}, N_1={sizes['N_1']} the direction for B is {shape[0]} x {shape[1]}")
    e.check("d for B is shaped like B (N_x x N_1)", shape == p.B.shape, f"{shape} vs B {p.B.shape}")


def direction_B() -> Entry:
    """``d_{j_1 j_2} = 2/K sum_k epsilon_{k j_1} sigma_k^{j_2}``.

    Example:
        >>> e = direction_B()
        >>> e.verdict.value, len(e.findings), all(c.passed for c in e.checks)
        ('holds after a correction', 2, True)
    """
    return _direction(
        "direction_B", "B", "update direction d for B", "d_{j_1 j_2}",
        r"\frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k j_1} \sigma_k^{j_2}",
        r"d_{j_1, j_2} = \frac{2}{K} \sum_{k=0}^{K-1} \epsilon_{k, j_1} \sigma_k^{j_2};"
        r"  \frac{2}{K} \sum_k [\epsilon_k 1 \times N_x] [\sigma_k N_2] = [N_x N_2]", _B_shapes)
