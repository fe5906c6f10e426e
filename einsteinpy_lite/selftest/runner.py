"""Running the checks over many seeds: progress, distinct failures, minimized reproducers, the command line.

``python -m einsteinpy_lite.selftest --minutes 5`` runs every check on fresh seeds for five minutes;
``--seed S --cases M`` runs seeds ``S .. S+M-1`` of each check, deterministically.  Each distinct failure
(a check and a kind) is minimized (subtrees replaced by fresh tensors, terms and functions dropped, while
the same kind of failure persists) and printed with its seed and the command that reruns it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from .checks import CHECKS, Engine, Failure, Skip, case_tree, run_check
from .tree import (
    HEAD_POOL,
    ONE,
    POSITIVE_ARG,
    Add,
    Fn,
    Leaf,
    Node,
    Prod,
    SumK,
    at,
    free,
    heads,
    index_names,
    put,
    text,
    validate,
    walk,
)

__all__ = ["Report", "run", "shrink", "main"]


@dataclass
class Report:
    """Counts of cases per check (``ok``, ``fail``, ``skip``) and the distinct failures (first of each kind)."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    distinct: dict[tuple[str, str], Failure] = field(default_factory=dict)
    seen: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def failed(self) -> bool:
        return bool(self.distinct)

    def progress(self) -> str:
        parts = []
        for check, c in self.counts.items():
            s = f"{check} {c['ok'] + c['fail']}"
            if c["fail"]:
                s += f" ({c['fail']} failing)"
            if c["skip"]:
                s += f" [{c['skip']} skipped]"
            parts.append(s)
        return "cases: " + ", ".join(parts)

    def summary(self) -> str:
        lines = [self.progress()]
        if not self.distinct:
            lines.append("no failures")
            return "\n".join(lines)
        lines.append(f"{len(self.distinct)} distinct failures:")
        for key, f in sorted(self.distinct.items()):
            lines.append("")
            lines.append(f.reproducer() + f"\n  ({self.seen[key]} failing cases of this kind)")
        return "\n".join(lines)


# =================================================================== minimizing


def _size(tree: Node) -> int:
    return sum(1 for _ in walk(tree)) + sum(len(n.slots) for _, n, _ in walk(tree) if isinstance(n, Leaf))


def _candidates(tree: Node) -> Iterator[Node]:
    used = set(heads(tree))
    fresh = next((h for h in HEAD_POOL if h not in used), "Z")
    for path, n, bound in walk(tree):
        under_log = bool(path) and isinstance(at(tree, path[:-1]), Fn) and at(tree, path[:-1]).name in POSITIVE_ARG  # type: ignore[union-attr]
        if not isinstance(n, Leaf):
            slots = free(n, bound)
            if slots:
                yield put(tree, path, Leaf(fresh, slots, positive=under_log))
        if isinstance(n, Add):
            for t in n.terms:
                yield put(tree, path, t)
            for k in range(len(n.terms)):
                rest = n.terms[:k] + n.terms[k + 1:]
                yield put(tree, path, rest[0] if len(rest) == 1 else Add(rest))
        if isinstance(n, Fn) and not under_log:
            yield put(tree, path, n.body)
        if isinstance(n, Prod):
            if not n.coef.is_one():
                yield put(tree, path, replace(n, coef=ONE))
            for k, f in enumerate(n.factors):
                if not free(f, bound) and len(n.factors) > 1:
                    rest = n.factors[:k] + n.factors[k + 1:]
                    yield put(tree, path, replace(n, factors=rest))
        if isinstance(n, SumK) and n.k not in index_names(n.body):
            yield put(tree, path, n.body)
        if isinstance(n, Leaf) and any(ix.name in bound for ix in n.slots):
            kept = tuple(ix for ix in n.slots if ix.name not in bound)
            if kept:  # the sample index of an enclosing \sum dropped from this tensor
                yield put(tree, path, Leaf(fresh, kept, n.positive))
        if isinstance(n, Prod):
            for k in range(len(n.coef.syms)):
                yield put(tree, path, replace(n, coef=replace(n.coef, syms=n.coef.syms[:k] + n.coef.syms[k + 1:])))


def shrink(failure: Failure, engine: Engine | None = None, budget_s: float = 20.0, max_tries: int = 200) -> Failure:
    """A smaller expression on which the check fails with the same kind (greedy; ``failure`` if none).

    Example:
        >>> f = Failure("simplify", "simplify: value", "x^{i}", 0, "")
        >>> shrink(f).text  # the real engine passes on x^i: nothing to minimize
        'x^{i}'
    """
    tree = case_tree(failure.check, failure.seed)
    if text(tree) != failure.text:
        return failure
    best, best_failure = tree, failure
    deadline = time.monotonic() + budget_s
    tries = 0
    improved = True
    while improved and time.monotonic() < deadline and tries < max_tries:
        improved = False
        for cand in sorted(_candidates(best), key=_size):
            if _size(cand) >= _size(best) or not validate(cand):
                continue
            tries += 1
            try:
                got = run_check(failure.check, failure.seed, engine, tree=cand)
            except Skip:
                got = []
            same = [g for g in got if g.kind == failure.kind]
            if same:
                best, best_failure, improved = cand, same[0], True
                break
            if time.monotonic() > deadline or tries >= max_tries:
                break
    out = replace(failure, shrunk=text(best))
    if best is not tree:
        out.message = failure.message + "\n  on the minimized expression:\n    " + best_failure.message.replace("\n", "\n    ")
    return out


# =================================================================== running


class _Timeout(Exception):
    pass


def _with_timeout(seconds: float, fn: Callable[[], Any]) -> Any:
    """``fn()``, interrupted after ``seconds`` when this is the main thread of a Unix process."""
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return fn()

    def handler(signum: int, frame: Any) -> None:
        raise _Timeout(f"the case took over {seconds:g} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run(checks: Iterable[str] = CHECKS, seeds: Iterable[int] | None = None, minutes: float | None = None,
        engine: Engine | None = None, minimize: bool = True, log: Callable[[str], None] | None = None,
        case_timeout: float = 60.0, progress_every: float = 10.0) -> Report:
    """Run ``checks`` on ``seeds`` (each seed through every check), or on fresh seeds for ``minutes``.

    Example:
        >>> run(["parse"], seeds=range(2)).counts["parse"]["ok"]
        2
    """
    checks = list(checks)
    unknown = [c for c in checks if c not in CHECKS]
    if unknown:
        raise ValueError(f"unknown checks {unknown}; the checks are {', '.join(CHECKS)}")
    report = Report(counts={c: Counter() for c in checks})
    say = log or (lambda s: None)
    start = time.monotonic()
    last = start
    if seeds is None:
        base = int.from_bytes(os.urandom(4), "little")
        seeds = (base + n for n in range(2**62))
        say(f"fresh seeds from {base}")
    for seed in seeds:
        for check in checks:
            if minutes is not None and time.monotonic() - start > minutes * 60:
                return report
            try:
                failures: list[Failure] = _with_timeout(case_timeout, partial(run_check, check, seed, engine))
            except Skip:
                report.counts[check]["skip"] += 1
                continue
            except _Timeout as exc:
                failures = [Failure(check, f"{check}: timeout", text(case_tree(check, seed)), seed, str(exc))]
            report.counts[check]["fail" if failures else "ok"] += 1
            for f in failures:
                key = (f.check, f.kind)
                report.seen[key] += 1
                if key not in report.distinct:
                    report.distinct[key] = shrink(f, engine) if minimize else f
                    say(f"new failure [{f.check}] {f.kind} (seed {f.seed})")
            if time.monotonic() - last > progress_every:
                last = time.monotonic()
                say(f"[{last - start:6.0f} s] {report.progress()}")
    return report


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit status (1 when a check failed)."""
    ap = argparse.ArgumentParser(prog="python -m einsteinpy_lite.selftest",
                                 description="Differential self-test: random expressions against a numpy oracle.")
    ap.add_argument("--minutes", type=float, default=None, help="run fresh seeds for this long (default 1)")
    ap.add_argument("--seed", type=int, default=None, help="first seed (default: fresh)")
    ap.add_argument("--cases", type=int, default=None, help="with --seed: run seeds S .. S+M-1, deterministically")
    ap.add_argument("--checks", nargs="+", default=list(CHECKS), help=f"checks to run: {', '.join(CHECKS)}")
    ap.add_argument("--no-shrink", action="store_true", help="do not minimize failing expressions")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds one case may take (default 60)")
    ap.add_argument("--quiet", action="store_true", help="print only the summary")
    args = ap.parse_args(argv)
    checks = [c for item in args.checks for c in item.split(",") if c]
    bad = [c for c in checks if c not in CHECKS]
    if bad:
        ap.error(f"unknown check {bad[0]!r}; choose from {', '.join(CHECKS)}")
    if args.cases is not None:
        first = args.seed if args.seed is not None else 0
        seeds: Iterable[int] | None = range(first, first + args.cases)
        minutes = args.minutes
    else:
        seeds = None if args.seed is None else (args.seed + n for n in range(2**62))
        minutes = args.minutes if args.minutes is not None else 1.0
    log = None if args.quiet else (lambda s: print(s, flush=True))
    report = run(checks, seeds, minutes, minimize=not args.no_shrink, log=log, case_timeout=args.timeout)
    print(report.summary())
    return 1 if report.failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
