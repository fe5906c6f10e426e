"""Chains of elementwise steps split by rows over threads (numpy).

numpy's matrix products use every core (the BLAS's threads), its elementwise passes one: between
two products of a training step, ``exp``, ``+``, ``*`` over the activations run on a single core
while the others wait.  numpy releases the GIL inside a ufunc, so a chain of consecutive in-place
steps on arrays of one shape (``np.add(t1, b, out=t1)``, ``np.exp(t2, out=t2)``, ...) can be run on
row blocks in parallel: each row of the result depends on the same row of its operands only.

:func:`split_rows` rewrites such chains in the generated code into a function of a row range, and
:func:`run_rows` runs it over :func:`threads` workers.  The number of workers is read at each
call: ``set_threads(1)`` makes every compiled function single-threaded again (as
``OPENBLAS_NUM_THREADS=1`` does for the products), without compiling anew.

Example:
    >>> set_threads(2); threads()
    2
    >>> set_threads(None)  # back to the default: the environment's thread setting, else the cores
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["threads", "set_threads", "limited_threads", "split_rows", "run_rows", "MIN_ENTRIES"]

#: a chain is split only when its steps together weigh at least this many entries (a transcendental
#: function's entry weighs 4, a division's 2, others' 1): below, starting the workers and sharing memory
#: bandwidth cost about what a second core gains (measured on the large training step: one multiply over
#: 2M entries gained nothing on two cores, five steps with an exp over 2M went from 4.9 to 2.7 ms)
MIN_ENTRIES = 1 << 22

#: the weight of one entry of a step, by ufunc (others: 1)
_WEIGHT = {"exp": 4, "expm1": 4, "log": 4, "log1p": 4, "tanh": 4, "sin": 4, "cos": 4, "power": 4,
           "divide": 2, "true_divide": 2, "sqrt": 2}

_ENV = ("EINSTEINPY_LITE_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_setting: int | None = None
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_size = 0


def _default() -> int:
    """The first positive thread count in the environment (ours, then OpenMP's and the BLAS's), else the
    cores this process may run on."""
    for key in _ENV:
        try:
            n = int(os.environ.get(key, ""))
        except ValueError:
            continue
        if n > 0:
            return n
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # (not on every platform)
        return max(1, os.cpu_count() or 1)


def threads() -> int:
    """The number of threads a chain of elementwise steps is split over (1: not split).

    Example:
        >>> threads() >= 1
        True
    """
    return _setting if _setting is not None else _default()


def set_threads(n: int | None) -> None:
    """Split elementwise chains over ``n`` threads in every compiled function (None: the default, from
    ``EINSTEINPY_LITE_THREADS``, ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` or the number of cores).

    Raises:
        EinsteinError: ``n`` is not a positive integer or None.

    Example:
        >>> set_threads(1); threads()
        1
        >>> set_threads(None)
    """
    from ..core.errors import EinsteinError

    global _setting
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise EinsteinError(f"set_threads takes a positive number of threads or None, got {n!r}")
    _setting = n


@contextmanager
def limited_threads(n: int | None) -> Iterator[None]:
    """``set_threads(n)`` inside the block, the previous setting after it.

    Example:
        >>> with limited_threads(1):
        ...     threads()
        1
    """
    global _setting
    before = _setting
    set_threads(n)
    try:
        yield
    finally:
        _setting = before


def _pool(n: int) -> ThreadPoolExecutor:
    global _executor, _executor_size
    with _lock:
        if _executor is None or _executor_size < n:
            _executor = ThreadPoolExecutor(max_workers=n, thread_name_prefix="einsteinpy-rows")
            _executor_size = n
        return _executor


def run_rows(fn: Callable[..., None], rows: int, *args: Any) -> None:
    """Run ``fn(lo, hi, *args)`` over the row blocks of ``range(rows)``, one per thread (the first here).

    The workers compute under the caller's numpy error settings (``np.errstate``), so an overflow
    that raises here raises there too; every block finishes before an exception (this thread's
    first, else the first block's in row order) is raised here.

    Example:
        >>> x = np.arange(8.0).reshape(4, 2)
        >>> def double(lo, hi, a):
        ...     np.multiply(a[lo:hi], 2.0, out=a[lo:hi])
        >>> run_rows(double, 4, x); x[:, 0].tolist()
        [0.0, 4.0, 8.0, 12.0]
    """
    n = min(threads(), rows)
    if n <= 1:
        fn(0, rows, *args)
        return
    err = np.geterr()

    def part(lo: int, hi: int) -> None:
        with np.errstate(**err):
            fn(lo, hi, *args)

    step = -(-rows // n)
    futures = [_pool(n - 1).submit(part, lo, min(lo + step, rows)) for lo in range(step, rows, step)]
    first: BaseException | None = None
    try:
        fn(0, step, *args)
    except BaseException as exc:  # noqa: BLE001 -- raised below, once every block is done with the arrays
        first = exc
    for f in futures:
        failed = f.exception()
        if first is None and failed is not None:
            first = failed
    if first is not None:
        raise first


_LINE = re.compile(r"    (_t[0-9]+) = np\.([a-z_0-9]+)\((.*), out=(_t[0-9]+|_b\[[0-9]+\])\)$")
_NAME = re.compile(r"_[ast][0-9]+")
_NUMBER = re.compile(r"-?[0-9.]+(?:e[-+]?[0-9]+)?")


def split_rows(lines: list[str], shapes: dict[str, tuple[int, ...]], writable: set[str],
               alias: dict[str, frozenset[str]], min_entries: int | None = None
               ) -> tuple[list[str], list[str]]:
    """numpy: rewrite each run of consecutive in-place elementwise lines on arrays of one shape (at least
    two rows, weighing ``min_entries`` entries in all) into a call of a row-range function run over threads.

    Args:
        lines: generated lines ``    _tN = np.ufunc(args, out=target)``, after :func:`~.memory.in_place`
            and :func:`~.memory.pool_buffers` (before ``del`` lines are added).
        shapes: the shape of every array variable (inputs and temporaries) the lines may read.
        writable: the temporaries that own their memory (the only ones written).
        alias: per variable, the variables whose memory it may share.
        min_entries: the least weight of the entries the steps of a chain touch together (default
            :data:`MIN_ENTRIES`, read at each call).

    Returns:
        (the rewritten lines, the source of the row-range functions they call).

    Example:
        >>> lines = ["    _t1 = np.add(_a0, _a1, out=_b[0])", "    _t2 = np.exp(_t1, out=_t1)", "    return _t2"]
        >>> out, fns = split_rows(lines, {"_a0": (4, 3), "_a1": (3,), "_t1": (4, 3), "_t2": (4, 3)}, {"_t1", "_t2"},
        ...                       {}, min_entries=1)
        >>> print("\\n".join(out))
            _rows(_r0, 4, _a0, _a1, _b)
            _t2 = _b[0]
            return _t2
        >>> print(fns[0])
        def _r0(_lo, _hi, _a0, _a1, _b):
            _a0 = _a0[_lo:_hi]
            _t1 = np.add(_a0, _a1, out=_b[0][_lo:_hi])
            _t2 = np.exp(_t1, out=_t1)
    """
    least = MIN_ENTRIES if min_entries is None else min_entries
    out: list[str] = []
    fns: list[str] = []
    memory: dict[str, str] = {}  # what an in-place line's result is: its target's memory (a buffer, a temporary)
    for line in lines:
        m = _LINE.match(line)
        if m is not None:
            memory[m.group(1)] = memory.get(m.group(4), m.group(4))
    n = 0
    while n < len(lines):
        chain = _chain(lines, n, shapes, writable, alias, memory)
        if not chain or sum(math.prod(shapes[v]) * _WEIGHT.get(m.group(2), 1) for v, m in chain) < least:
            out.append(lines[n])
            n += 1
            continue
        end = n + len(chain)
        name = f"_r{len(fns)}"
        call, body, bound = _rewrite(name, chain, shapes)
        fns.append(body)
        out.append(call)
        later = " ".join(lines[end:])
        out.extend(f"    {v} = {target}" for v, target in bound.items()
                   if re.search(rf"(?<![\w.]){v}\b", later))
        n = end
    return out, fns


def _chain(lines: list[str], start: int, shapes: dict[str, tuple[int, ...]], writable: set[str],
           alias: dict[str, frozenset[str]], memory: dict[str, str]) -> list[tuple[str, re.Match[str]]]:
    """The longest run of splittable lines from ``start`` with one result shape."""
    found: list[tuple[str, re.Match[str]]] = []
    shape: tuple[int, ...] | None = None
    written: set[str] = set()  # the memory the chain writes (buffers, temporaries)
    defined: set[str] = set()

    def mem(v: str) -> str:
        return memory.get(v, v)
    for line in lines[start:]:
        m = _LINE.match(line)
        if m is None or m.group(2) == "matmul":
            break
        var, args, target = m.group(1), [a.strip() for a in m.group(3).split(",")], m.group(4)
        sh = shapes.get(var)
        if sh is None or len(sh) == 0 or sh[0] < 2 or (shape is not None and sh != shape):
            break
        if target.startswith("_t") and (target not in writable or shapes.get(target) != sh):
            break
        ok = True
        for a in args:
            if _NUMBER.fullmatch(a) or re.fullmatch(r"_s[0-9]+", a):
                continue  # a number, or a scalar passed whole
            if not _NAME.fullmatch(a) or a not in shapes:
                ok = False
                break
            ash = shapes[a]
            if a not in defined and {mem(u) for u in alias.get(a, frozenset([a])) - {a}} & (written | {mem(target)}):
                ok = False  # a view of memory the chain writes: its rows are other rows of that memory
                break
            if len(ash) == len(sh) and ash[0] == sh[0]:
                continue  # by rows
            if len(ash) < len(sh) or ash[0] == 1:
                if mem(a) in written or mem(a) == mem(target) or a in defined:
                    ok = False  # read whole while other threads write it
                    break
                continue
            ok = False
            break
        if not ok:
            break
        shape = sh
        found.append((var, m))
        defined.add(var)
        written.add(mem(target))
    return found


def _rewrite(name: str, chain: list[tuple[str, re.Match[str]]], shapes: dict[str, tuple[int, ...]]
             ) -> tuple[str, str, dict[str, str]]:
    """The call line, the function's source, and each chain variable's array after the call."""
    rows = shapes[chain[0][0]][0]
    defined: set[str] = set()
    params: list[str] = []
    sliced: list[str] = []
    body: list[str] = []
    bound: dict[str, str] = {}
    for var, m in chain:
        args = [a.strip() for a in m.group(3).split(",")]
        target = m.group(4)
        for a in args + ([target] if target.startswith("_t") else []):
            if _NAME.fullmatch(a) and a not in defined and a not in params:  # (scalars _s0 too: locals of _run)
                params.append(a)
                ash = shapes.get(a, ())
                if len(ash) == len(shapes[var]) and ash[0] == rows:
                    sliced.append(a)
        if target.startswith("_b"):
            if "_b" not in params:
                params.append("_b")
            out = f"{target}[_lo:_hi]"
        else:
            out = target
        body.append(f"    {var} = np.{m.group(2)}({', '.join(args)}, out={out})")
        bound[var] = bound.get(target, target)
        defined.add(var)
    head = [f"def {name}(_lo, _hi, {', '.join(params)}):"] + [f"    {a} = {a}[_lo:_hi]" for a in sliced]
    call = f"    _rows({name}, {rows}, {', '.join(params)})"
    return call, "\n".join(head + body), bound
