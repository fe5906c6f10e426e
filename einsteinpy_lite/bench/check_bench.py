r"""The ``check`` section of ``einsteinpy-lite bench``: the document checker on a 50-claim document.

The document (:func:`document`) is five blocks of ten claims each -- a gradient derived in an
``aligned`` chain with a wrong last step, quadratic forms, a Hadamard step, two steps in matrix
notation (one wrong), a delta -- each block with other tensor names, so no claim is a repeat of
another.  Measured: the whole command ``einsteinpy-lite check`` in a fresh process (imports
included: what a user waits for), and, in this process, the repair search of each failing claim.

Example:
    >>> doc = document(1)
    >>> import einsteinpy_lite as el
    >>> r = el.check(doc, repairs=False)
    >>> len(r.claims), r.summary()["fails"]
    (10, 3)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

__all__ = ["document", "bench_check"]

_BLOCK = r"""
## Block {k}

Let $x \in \mathbb{{R}}^{{n}}$, $a \in \mathbb{{R}}^{{n}}$, $b \in \mathbb{{R}}^{{m}}$, ${X} \in \mathbb{{R}}^{{n \times m}}$,
${M} \in \mathbb{{R}}^{{n \times n}}$. The loss is ${E} := \frac{{1}}{{2}} r^i r_i$ with $r^i := {W}^i_j v^j - t^i$.
$$
\begin{{aligned}}
\frac{{\partial {E}}}{{\partial {W}^{{p}}_{{q}}}} &= r_i \frac{{\partial r^i}}{{\partial {W}^{{p}}_{{q}}}} \\
  &= r_i \delta^i_p v^q \\
  &= r_q v^p
\end{{aligned}}
$$
$$ v^i {G}_{{ij}} v^j = v^c {G}_{{cj}} v^j $$
$$ \frac{{\partial}}{{\partial v^m}} (v^i {G}_{{ij}} v^j) = {G}_{{mj}} v^j + v^i {G}_{{im}} $$
$$ \frac{{\partial}}{{\partial v^m}} (v^i v_i) = v_m $$
$$ \nabla_x (x^\top {M} x) = ({M} + {M}^\top) x $$
$$ \frac{{\partial}}{{\partial {X}}} a^\top {X} b = b a^\top $$
$$ \frac{{\partial}}{{\partial s^{{m}}}} {H}^i_j \sigma({U}^j_l u^l + s^j) = {H}^i_m \sigma'({U}^m_l u^l + s^m) $$
$$ \delta^i_j w^j = w^i $$
"""
_ROLES = ("E", "W", "G", "M", "X", "H", "U")
_POOL = "ABCDFGHJLMOPQRSVWXYZ"  # capitals that are not I (identity), K, N (sizes) or T (transpose)


def document(blocks: int = 5) -> str:
    """A document of ``10 * blocks`` claims, 3 of each ten wrong (each block with its own tensor names).

    Example:
        >>> document(2).count("$$")  # 8 displays a block, 6 of them one-line
        32
    """
    out = ["# A derivation to check\n"]
    for k in range(blocks):
        names = {r: _POOL[(k * 7 + j * 3) % len(_POOL)] for j, r in enumerate(_ROLES)}
        out.append(_BLOCK.format(k=k + 1, **names))
    return "".join(out)


def _command(path: str, repairs: bool) -> tuple[float, dict[str, Any]]:
    cmd = [sys.executable, "-m", "einsteinpy_lite", "check", path, "--format", "json"]
    if not repairs:
        cmd.append("--no-repairs")
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    took = time.perf_counter() - start
    return took, json.loads(done.stdout)["summary"]


def bench_check(repeat: int, quick: bool = False) -> dict[str, Any]:
    """Seconds of ``einsteinpy-lite check`` on the 50-claim document (fresh processes, median) and of
    each failing claim's repair search (in this process, first time).

    Example:
        >>> r = bench_check(1, quick=True)
        >>> r["claims"], r["fails"], len(r["repair_seconds"])
        (10, 3, 3)
    """
    from ..check import repair
    from ..check.run import check

    blocks = 1 if quick else 5
    text = document(blocks)
    runs = 1 if quick else min(repeat, 3)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "derivation.md")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        with_repairs = [_command(path, True) for _ in range(runs)]
        without = [_command(path, False) for _ in range(runs)]
    summary = with_repairs[0][1]
    # each repair search, timed where the checker calls it
    spent: list[float] = []
    originals = repair.search, repair.search_matrix

    def timed(fn: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent.append(time.perf_counter() - start)

        return run

    repair.search, repair.search_matrix = timed(originals[0]), timed(originals[1])  # type: ignore[assignment]
    try:
        report = check(text)
    finally:
        repair.search, repair.search_matrix = originals  # type: ignore[assignment]
    return {"claims": summary["claims"], "holds": summary["holds"], "fails": summary["fails"],
            "cli_seconds": statistics.median(t for t, _ in with_repairs),
            "cli_seconds_no_repairs": statistics.median(t for t, _ in without),
            "repair_seconds": spent, "repaired": sum(c.suggestion is not None for c in report.claims)}


def format_check(r: dict[str, Any]) -> list[str]:
    """The section's lines for :func:`~einsteinpy_lite.bench.bench.format_table`."""
    rs = r["repair_seconds"]
    return ["", f"check: a document of {r['claims']} claims ({r['holds']} hold, {r['fails']} fail): "
            f"`einsteinpy-lite check` {r['cli_seconds']:.2f} s in a fresh process ({r['cli_seconds_no_repairs']:.2f} s "
            f"without repairs); repair search per failing claim: median {statistics.median(rs) * 1e3:.0f} ms, "
            f"max {max(rs) * 1e3:.0f} ms ({r['repaired']} of {len(rs)} repaired)" if rs else ""]
