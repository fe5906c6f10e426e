"""Memory reuse in generated code: free temporaries at their last use, write into dead ones.

Large temporaries cost more to allocate (page faults) than to compute on; hand-written
numpy frees an unnamed intermediate as soon as its expression is done.  The generated
code does the same with ``del``, and on numpy writes an elementwise result into an
argument that dies on that line (``np.add(t1, b, out=t1)``).
"""

from __future__ import annotations

import re

__all__ = ["free_dead", "in_place", "pool_buffers"]

#: a temporary of the generated code (``_t1``); inputs (``_a0``) and user names never match
_VAR = re.compile(r"(?<![\w.])_t[0-9]+\b")


def free_dead(lines: list[str]) -> list[str]:
    """Insert ``del`` after the last use of each temporary, so its memory is reused at once (as in
    hand-written numpy, where an unnamed intermediate dies with its expression).

    Example:
        >>> free_dead(["    _t1 = _a0 @ _a1", "    _t2 = _t1 * 2", "    return _t2"])
        ['    _t1 = _a0 @ _a1', '    _t2 = _t1 * 2', '    del _t1', '    return _t2']
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
        dead = sorted({v for v in _VAR.findall(line) if last[v] == n}, key=lambda v: int(v[2:]))
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
        >>> in_place(["    _t1 = _a0 @ _a1", "    _t2 = _t1 + _a2", "    return _t2"],
        ...          {"_t2": ("add", ["_t1", "_a2"])}, {"_t1"}, {"_t1": 4, "_t2": 4}, {"_t1": 2, "_t2": 2})[1]
        '    _t2 = np.add(_t1, _a2, out=_t1)'
    """
    last: dict[str, int] = {}
    for n, line in enumerate(lines):
        for v in _VAR.findall(line):
            last[v] = n
    out = list(lines)
    for n, line in enumerate(lines):
        m = re.match(r"    (_t[0-9]+) = ", line)
        if not m or m.group(1) not in ops:
            continue
        var = m.group(1)
        uf, args = ops[var]
        if uf == "matmul":
            continue  # matmul may not write into its own operand
        for a in args:
            # same rank and entry count as the broadcast result: the same shape, so out=a is safe
            if (a in fresh and last.get(a) == n and size[var] > 0 and size.get(a) == size[var]
                    and ndim.get(a) == ndim[var] > 0):
                out[n] = f"    {var} = np.{uf}({', '.join(args)}, out={a})"
                fresh.add(var)
                break
    return out


_DEF = re.compile(r"    (_t[0-9]+) = (.*)$")


def pool_buffers(lines: list[str], ops: dict[str, tuple[str, list[str]]], fresh: set[str],
                 shapes: dict[str, tuple[int, ...]], new: set[str] | None = None) -> tuple[list[str], list[tuple[int, ...]]]:
    """numpy only: give every intermediate that is not returned a buffer kept between calls.

    Temporaries whose lifetimes do not overlap share a buffer of their shape; the generated
    function takes a set of buffers from a pool at entry and puts it back before returning
    (``list.pop``/``append`` are atomic, so concurrent calls take different sets).  Returns the
    rewritten lines (``np.matmul(a, b, out=_b[0])``) and the buffer shapes.  ``fresh`` are the
    temporaries that may be written into, ``new`` (default ``fresh``) those that are no view or
    alias of another array (numpy scalars included).

    Example:
        >>> lines = ["    _t1 = _a0 @ _a1", "    _t2 = _t1 @ _a2", "    del _t1", "    return _t2"]
        >>> pool_buffers(lines, {"_t1": ("matmul", ["_a0", "_a1"]), "_t2": ("matmul", ["_t1", "_a2"])},
        ...              {"_t1", "_t2"}, {"_t1": (2, 2), "_t2": (2, 2)})
        (['    _t1 = np.matmul(_a0, _a1, out=_b[0])', '    _t2 = _t1 @ _a2', '    del _t1', '    return _t2'], [(2, 2)])
    """
    defs: dict[str, int] = {}
    last: dict[str, int] = {}
    returned: set[str] = set()
    parent: dict[str, str] = {}

    def find(v: str) -> str:
        while parent.get(v, v) != v:
            v = parent[v]
        return v

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb, key=lambda v: defs.get(v, -1))] = min(ra, rb, key=lambda v: defs.get(v, -1))

    for n, line in enumerate(lines):
        for v in _VAR.findall(line):
            last[v] = n
        if line.lstrip().startswith("return"):
            returned |= set(_VAR.findall(line))
        m = _DEF.match(line)
        if m and m.group(1) not in defs:
            defs[m.group(1)] = n
    for line in lines:
        m = _DEF.match(line)
        if not m:
            continue
        var, rhs = m.group(1), m.group(2)
        out = re.search(r"out=(_t[0-9]+)\)$", rhs)
        if out:
            union(var, out.group(1))
        elif var not in (fresh if new is None else new):
            for u in _VAR.findall(rhs):  # a view or an alias of what it reads
                union(var, u)
    members: dict[str, list[str]] = {}
    for v in defs:
        members.setdefault(find(v), []).append(v)
    cands = []
    for root, mem in members.items():
        if (root in ops and root in fresh and root in shapes and not (set(mem) & returned)
                and "out=" not in lines[defs[root]]):
            cands.append((defs[root], max(last[v] for v in mem), root))
    out_lines = list(lines)
    buffers: list[tuple[int, ...]] = []
    free: dict[tuple[int, ...], list[int]] = {}
    active: list[tuple[int, int]] = []
    for start, end, root in sorted(cands):
        for item in [a for a in active if a[0] < start]:
            active.remove(item)
            free.setdefault(buffers[item[1]], []).append(item[1])
        shape = shapes[root]
        if free.get(shape):
            k = free[shape].pop()
        else:
            k = len(buffers)
            buffers.append(shape)
        active.append((end, k))
        uf, args = ops[root]
        out_lines[start] = f"    {root} = np.{uf}({', '.join(args)}, out=_b[{k}])"
    return out_lines, buffers
