"""Memory reuse in generated code: free temporaries at their last use, write into dead ones.

Large temporaries cost more to allocate (page faults) than to compute on; hand-written
numpy frees an unnamed intermediate as soon as its expression is done.  The generated
code does the same with ``del``, and on numpy writes an elementwise result into an
argument that dies on that line (``np.add(t1, b, out=t1)``).
"""

from __future__ import annotations

import re

__all__ = ["free_dead", "in_place"]

_VAR = re.compile(r"\bt[0-9]+\b")


def free_dead(lines: list[str]) -> list[str]:
    """Insert ``del`` after the last use of each temporary, so its memory is reused at once (as in
    hand-written numpy, where an unnamed intermediate dies with its expression).

    Example:
        >>> free_dead(["    t1 = a @ b", "    t2 = t1 * 2", "    return t2"])
        ['    t1 = a @ b', '    t2 = t1 * 2', '    del t1', '    return t2']
    """
    last: dict[str, int] = {}
    for n, line in enumerate(lines):
        for v in _VAR.findall(line):
            last[v] = n
    out: list[str] = []
    for n, line in enumerate(lines):
        out.append(line)
        if line.lstrip().startswith("return"):
            continue
        dead = sorted({v for v in _VAR.findall(line) if last[v] == n}, key=lambda v: int(v[1:]))
        if dead:
            out.append(f"    del {', '.join(dead)}")
    return out


def in_place(lines: list[str], ops: dict[str, tuple[str, list[str]]], fresh: set[str], size: dict[str, int],
             ndim: dict[str, int]) -> list[str]:
    """numpy only: write an elementwise result into an argument that dies on that line (no new array).

    Args:
        lines: the generated lines ``    tN = expr``.
        ops: for lines that may be rewritten, the numpy ufunc and its arguments.
        fresh: temporaries that own their memory (not views, aliases or numpy scalars).
        size: entries of each temporary.
        ndim: rank of each temporary.

    Example:
        >>> in_place(["    t1 = a @ b", "    t2 = t1 + c", "    return t2"], {"t2": ("add", ["t1", "c"])},
        ...          {"t1"}, {"t1": 4, "t2": 4}, {"t1": 2, "t2": 2})[1]
        '    t2 = np.add(t1, c, out=t1)'
    """
    last: dict[str, int] = {}
    for n, line in enumerate(lines):
        for v in _VAR.findall(line):
            last[v] = n
    out = list(lines)
    for n, line in enumerate(lines):
        m = re.match(r"    (t[0-9]+) = ", line)
        if not m or m.group(1) not in ops:
            continue
        var = m.group(1)
        uf, args = ops[var]
        for a in args:
            # same rank and entry count as the broadcast result: the same shape, so out=a is safe
            if (a in fresh and last.get(a) == n and size[var] > 0 and size.get(a) == size[var]
                    and ndim.get(a) == ndim[var] > 0):
                out[n] = f"    {var} = np.{uf}({', '.join(args)}, out={a})"
                fresh.add(var)
                break
    return out
