"""The command line ``einsteinpy-lite`` (argparse front end; no logic of its own).

Sub-commands: ``latex``, ``simplify``, ``diff``, ``explain``, ``verify``,
``bench`` and ``train``; each calls the library.  Every user error (a bad
expression, a bad ``--dims`` or ``--wrt``) prints the caret message to stderr
and exits with status 2, without a traceback; ``verify`` exits with 1 when an
entry fails.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from .core.errors import EinsteinError
from .core.indices import normalize_index_name

__all__ = ["main", "build_parser", "parse_dims"]


def parse_dims(text: str) -> dict[str, int]:
    """Read ``--dims i=64,j=32`` (index or scalar name = positive integer, comma separated).

    Raises:
        EinsteinError: a malformed item, with a caret under it.

    Example:
        >>> parse_dims("i=64, j_1=32,K=8")
        {'i': 64, 'j1': 32, 'K': 8}
    """
    out: dict[str, int] = {}
    pos = 0
    for item in text.split(","):
        start = pos + len(item) - len(item.lstrip())
        m = re.fullmatch(r"\s*([A-Za-z\\][A-Za-z0-9_{}\\]*)\s*=\s*([0-9]+)\s*", item)
        if not m or int(m.group(2)) <= 0:
            raise EinsteinError(f"bad size {item.strip()!r} in --dims", text=text, pos=start,
                                hint="write sizes as name=positive integer, comma separated: --dims i=64,j=32")
        try:
            name = normalize_index_name(m.group(1))  # i_1, i_{1} and i1 are one index
        except EinsteinError:
            name = m.group(1)  # a scalar such as alpha
        if name in out:
            raise EinsteinError(f"index {name!r} is given twice in --dims", text=text, pos=start)
        out[name] = int(m.group(2))
        pos += len(item) + 1
    return out


def _expr(args: argparse.Namespace) -> object:
    from .notation.parse import parse

    return parse(args.expr, convention=args.convention)


def _cmd_latex(args: argparse.Namespace) -> int:
    from .notation.printing import latex

    print(latex(_expr(args), compact=args.compact))  # type: ignore[arg-type]
    return 0


def _cmd_simplify(args: argparse.Namespace) -> int:
    from .algebra.simplify import simplify
    from .notation.printing import latex

    out = simplify(_expr(args))  # type: ignore[arg-type]
    print(_output(out, args, latex(out) if args.latex else str(out)))
    return 0


def _output(out: Any, args: argparse.Namespace, index_form: str) -> str:
    """The printed result: its matrix form with ``--matrix`` (an error saying why when it has none)."""
    if not getattr(args, "matrix", False):
        return index_form
    from .notation.matrix_print import to_matrix

    return to_matrix(out)


def _cmd_diff(args: argparse.Namespace) -> int:
    from .algebra.diff import diff
    from .notation.printing import latex

    _check_compact(args)
    expr = _expr(args)
    try:
        out = diff(expr, args.wrt, simplify=not args.no_simplify)  # type: ignore[arg-type]
    except EinsteinError as exc:
        if exc.text is not None:
            raise
        # point the caret at the offending index of --wrt (or at its start)
        spots = [m.start(1) for m in re.finditer(r"[\^_{\s,]([A-Za-z](?:_\{?[0-9]+\}?|[0-9]*))", args.wrt)
                 if exc.index is not None and normalize_index_name(m.group(1)) == exc.index]
        raise exc.located(f"--wrt {args.wrt}", 6 + (spots[0] if spots else 0)) from None
    print(_output(out, args, latex(out, compact=args.compact) if args.latex else str(out)))
    return 0


def _check_compact(args: argparse.Namespace) -> None:
    """``--compact`` shortens the LaTeX form; the plain text form has none, so it needs ``--latex``."""
    if args.compact and not args.latex:
        raise EinsteinError("--compact shortens the LaTeX output ([\\nabla\\sigma] without its argument): "
                            "use it with --latex", hint=f"einsteinpy-lite {args.command} ... --latex --compact")


def _cmd_explain(args: argparse.Namespace) -> int:
    from .compile import compile as compile_expr

    dims = parse_dims(args.dims)
    expr = _expr(args)
    fn = compile_expr(expr)  # type: ignore[arg-type]
    indices = sorted(expr.index_names())  # type: ignore[attr-defined]
    unknown = [k for k in dims if k not in indices and k not in fn.scalars]
    if unknown:  # a typo would otherwise be ignored silently
        at = args.dims.find(unknown[0])
        raise EinsteinError(f"--dims gives a size to {unknown[0]!r}, which the expression does not use",
                            text=args.dims, pos=at if at >= 0 else None,
                            hint=f"its indices are {', '.join(indices) or 'none'}"
                                 + (f"; its scalars {', '.join(fn.scalars)}" if fn.scalars else ""))
    try:
        text = fn.explain(**dims)
    except EinsteinError as exc:
        # the library's hint speaks Python (fn.plan(i=8), N_i=...): say it with --dims
        given = [f"{k}={v}" for k, v in dims.items()]
        wanted = [f"{k}=8" for k in [*indices, *fn.scalars] if k not in dims]
        raise EinsteinError(exc.message, hint=f"give every size with --dims, e.g. --dims {','.join(given + wanted)}") \
            from None
    print(text)
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from . import verify

    only = _split(args.only)
    if only == []:
        raise EinsteinError(f"--only {args.only!r} names no entry", hint=f"choose among {', '.join(verify.keys())}")
    if only is not None:
        unknown = [k for k in only if k not in verify.keys()]
        if unknown:
            raise EinsteinError(f"unknown entries {', '.join(unknown)} in --only",
                                hint=f"choose among {', '.join(verify.keys())}")
    report = verify.slides(only)
    print(report.format(args.format))
    return 0 if report.ok else 1


def _cmd_check(args: argparse.Namespace) -> int:
    import pathlib

    from .check.run import check

    if args.slides:
        from importlib import resources

        source: str | pathlib.Path = resources.files("einsteinpy_lite").joinpath("data/slides.md").read_text()
    elif args.file is None:
        raise EinsteinError("check needs a FILE (or --slides)", hint="e.g. einsteinpy-lite check notes.md")
    else:
        source = sys.stdin.read() if args.file == "-" else pathlib.Path(args.file)
    report = check(source, repairs=not args.no_repairs, strict=args.strict)
    colour = args.format == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    print(report.format(args.format, colour=colour))
    return 0 if report.ok else 1


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [x.strip() for x in text.split(",") if x.strip()]


def _cmd_bench(args: argparse.Namespace) -> int:
    from . import bench

    if args.repeat is not None and args.repeat <= 0:
        raise EinsteinError(f"--repeat must be a positive integer, got {args.repeat}")
    folder = os.path.dirname(os.path.abspath(args.json)) if args.json else None
    if folder is not None and not os.path.isdir(folder):
        # say so now, not after minutes of measuring
        raise EinsteinError(f"--json {args.json}: the folder {folder} does not exist",
                            hint="give a path in an existing folder, or leave --json out for no file")
    sections = _split(args.sections)
    results = bench.run_benchmarks(sizes=_split(args.sizes), repeat=args.repeat, json_path=args.json or None,
                                   quick=args.quick, **({"sections": sections} if sections else {}))
    print(bench.format_table(results))
    if args.json:
        print(f"results written to {args.json}")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from . import optim

    for name in ("hidden", "steps"):
        if getattr(args, name) <= 0:
            raise EinsteinError(f"--{name} must be a positive integer, got {getattr(args, name)}")
    if args.alpha is not None and not 0 < args.alpha < float("inf"):
        raise EinsteinError(f"--alpha must be a positive number, got {args.alpha}")
    if args.beta is not None and not 0 <= args.beta < 1:
        raise EinsteinError(f"--beta must be in [0, 1), got {args.beta}")
    extra = {k: getattr(args, k) for k in ("alpha", "beta") if getattr(args, k) is not None}
    result = optim.train_synthetic(hidden=args.hidden, steps=args.steps, method=args.method, seed=args.seed,
                                   progress=False, **extra)
    print(optim.summarize(result))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of ``einsteinpy-lite`` (one sub-command per job).

    Example:
        >>> args = build_parser().parse_args(["diff", "A^i_j y^j", "--wrt", "A^m_n"])
        >>> args.command, args.wrt, args.convention
        ('diff', 'A^m_n', 'ricci')
    """
    from . import __version__
    from .optim.experiments import TRAIN_METHODS

    parser = argparse.ArgumentParser(
        prog="einsteinpy-lite",
        description="Tensor algebra in Einstein notation: LaTeX, simplify, differentiate, compile, verify the slides.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_expr(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("expr", help="index expression, e.g. 'B^i_k \\sigma(A^k_j y^j + b^k)'")
        p.add_argument("--convention", choices=("ricci", "einstein"), default="ricci",
                       help="ricci (default): a summed pair is one up, one down; einstein: any repeated pair")
        return p

    p = with_expr("latex", "print an expression as LaTeX")
    p.add_argument("--compact", action="store_true", help="print [\\nabla\\sigma] without its argument")
    p.set_defaults(run=_cmd_latex)

    p = with_expr("simplify", "contract deltas, rename dummies, collect like terms")
    p.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    p.add_argument("--matrix", action="store_true", help="print the matrix form ((A + A^\\top) x) as LaTeX")
    p.set_defaults(run=_cmd_simplify)

    p = with_expr("diff", "differentiate an expression with respect to a tensor")
    p.add_argument("--wrt", required=True, help="the variable with fresh indices, e.g. 'A^m_n'")
    p.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    p.add_argument("--compact", action="store_true", help="with --latex, print [\\nabla\\sigma] without its argument")
    p.add_argument("--no-simplify", action="store_true", help="keep the raw derivative (deltas uncontracted)")
    p.add_argument("--matrix", action="store_true", help="print the matrix form ((A + A^\\top) x) as LaTeX")
    p.set_defaults(run=_cmd_diff)

    p = with_expr("explain", "show the compiled contraction order with FLOPs for given index sizes")
    p.add_argument("--dims", required=True, help="index sizes, e.g. i=64,j=32 (scalars such as K too)")
    p.set_defaults(run=_cmd_explain)

    p = sub.add_parser("verify", help="check every formula of the lecture slides",
                       description="check every formula of the lecture slides; exit 1 if an entry fails")
    p.add_argument("--format", choices=("text", "markdown", "latex", "json"), default="text")
    p.add_argument("--only", default=None, help="comma-separated entry keys (default: all)")
    p.set_defaults(run=_cmd_verify)

    p = sub.add_parser("check", help="check every step of a derivation in a Markdown or LaTeX file",
                       description="read FILE (.md or .tex; '-' for standard input), judge every '=' in its display "
                                   "math, propose a repair for each failing step; exit 0 if no claim fails, 1 if one "
                                   "fails or is malformed, 2 if the file cannot be read")
    p.add_argument("file", nargs="?", default=None, help="the document, e.g. notes.md or notes.tex")
    p.add_argument("--slides", action="store_true",
                   help="check the lecture slides written as a document (einsteinpy_lite/data/slides.md)")
    p.add_argument("--format", choices=("text", "markdown", "json", "html"), default="text")
    p.add_argument("--no-repairs", action="store_true", help="do not search repairs of failing steps")
    p.add_argument("--strict", action="store_true",
                   help="strict Ricci checking: an index in another position fails the step (default: a note)")
    p.set_defaults(run=_cmd_check)

    p = sub.add_parser("bench", help="benchmark compiled expressions against hand-written numpy and others",
                       description="compiled vs hand-written numpy backprop, opt_einsum, numpy.einsum (and torch); "
                                   "per-call overhead; compile and cache hit; path FLOPs; parse/simplify/equal")
    p.add_argument("--quick", action="store_true", help="tiny sizes and few repeats")
    p.add_argument("--sizes", default=None, help="comma-separated: tiny, medium, large (default all)")
    p.add_argument("--sections", default=None, help="comma-separated: backprop, overhead, compile, paths, core, einsum, hvp, check")
    p.add_argument("--repeat", type=int, default=None, help="interleaved repeats per measurement (medians)")
    p.add_argument("--json", default=None, help="also write the results as JSON to this file (default: none)")
    p.set_defaults(run=_cmd_bench)

    methods = ", ".join(TRAIN_METHODS)
    p = sub.add_parser("train", help="train the single-layer net on a synthetic regression set",
                       description="train f = B sigma(A y + b) (input y, target x) on 200 synthetic pairs with one "
                                   f"of the slides' methods: {methods}")
    p.add_argument("--hidden", type=int, default=16, help="hidden size N_1 (default 16)")
    p.add_argument("--steps", type=int, default=500, help="iterations (default 500)")
    p.add_argument("--method", default="momentum", metavar="METHOD",
                   help=f"one of {methods} (default momentum)")
    p.add_argument("--alpha", type=float, default=None,
                   help="step size (the first trial step for steepest and coordinate; default per method: "
                        + ", ".join(f"{k} {v:g}" for k, v in TRAIN_METHODS.items() if not k.startswith("newton")) + ")")
    p.add_argument("--beta", type=float, default=None, help="momentum of momentum and nesterov, in (0, 1) (default 0.9)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=_cmd_train)
    return parser


def _escape(text: str) -> str:
    """``text`` with every control character written as its escape (``\\t``, ``\\x1b``): safe on a terminal.

    Example:
        >>> _escape("A^i\\tx\\x1b[2J")
        'A^i\\\\tx\\\\x1b[2J'
    """
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _printable(exc: EinsteinError) -> str:
    """The error's message with control characters in the user's text escaped, the caret still under its spot."""
    text, pos = exc.text, exc.pos
    if text is not None:
        pos = None if pos is None else len(_escape(text[:max(pos, 0)]))
        text = _escape(text)
    return str(EinsteinError(_escape(exc.message), text=text, pos=pos,
                             hint=None if exc.hint is None else _escape(exc.hint)))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 a check failed, 2 a user error).

    Example:
        >>> main(["latex", "B^i_k y^k"])
        B^{i}{}_{k} y^{k}
        0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except EinsteinError as exc:
        print(f"einsteinpy-lite: error: {_printable(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        return 0
    except OSError as exc:  # a file that cannot be written (bench --json in a read-only place)
        print(f"einsteinpy-lite: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
