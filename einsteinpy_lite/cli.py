"""The command line ``einsteinpy-lite`` (argparse front end; no logic of its own).

Every user error prints the caret message to stderr and exits with status 2,
without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .errors import EinsteinError

__all__ = ["main"]


def _add_expr(p: argparse.ArgumentParser) -> None:
    p.add_argument("expr", help="index expression, e.g. 'B^i_k \\sigma(A^k_j y^j + b^k)'")
    p.add_argument("--convention", choices=("ricci", "einstein"), default="ricci")


def _cmd_latex(args: argparse.Namespace) -> int:
    from .parse import parse
    from .printing import latex

    print(latex(parse(args.expr, convention=args.convention)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of ``einsteinpy-lite`` (one sub-command per job)."""
    parser = argparse.ArgumentParser(
        prog="einsteinpy-lite", description="Tensor algebra in Einstein notation: LaTeX, compile, differentiate, verify."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("latex", help="print an expression as LaTeX")
    _add_expr(p)
    p.set_defaults(run=_cmd_latex)
    return parser


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
        print(f"einsteinpy-lite: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
