"""Text to expression: :func:`parse` reads the syntax of DESIGN.md ("Text syntax").

The grammar (``grammar.lark``) is parsed by lark's LALR parser; a small
builder then walks the tree top-down, so that it knows which indices an
enclosing ``\\sum`` binds, and builds the nodes of :mod:`einsteinpy_lite.core`,
which validate themselves.  Every error, from the grammar or the index rules,
becomes an :class:`EinsteinError` with a caret under the offending token.

Text that the grammar accepts but that surely means something else is refused the
same way, with a hint (``_Builder.check_misreadings``): letters spelling a function,
a Greek letter or an operator without its backslash (``tanh(x^i)``), words
(``weights^i_j``, unless ``letters="split"``), an index glued to a letter (``A_ii``),
``a^T`` next to another factor, and operators the syntax does not have (``\\odot``,
``\\circ``, ``\\top``) written as names.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Collection
from importlib import resources
from typing import Any

import lark
import sympy

from ..core.atoms import Delta, Tensor, Zero
from ..core.builders import hadamard
from ..core.composite import layer_norm
from ..core.elementwise import Apply, Diag
from ..core.errors import EinsteinError
from ..core.expr import (
    Expr,
    Product,
    Sum,
    SumOver,
    _carrier,
    _check_same_free,
    as_expr,
    dimension_symbol,
    replace_sizes,
    slot_size_symbol,
    tensor_signatures,
)
from ..core.functions import get_function
from ..core.indices import RESERVED_WHILE_READING, Index, fresh_names, normalize_index_name
from ..core.matrix_functions import MATRIX_FUNCTIONS, VECTOR_FUNCTIONS, MatrixFunction
from ..core.scalars import scalar_symbol
from .greek import GREEK

#: N_x, N_{x}, \\mathrm{N_x} in a text: the x is a size name (see RESERVED_WHILE_READING)
_SIZE_NAME = re.compile(r"N_\{?\s*((?:\\[A-Za-z]+|[A-Za-z])(?:_?\{?[0-9]+\}?)?)")
__all__ = ["parse", "CONVENTIONS", "LETTERS"]

#: The index conventions :func:`parse` accepts.
CONVENTIONS = ("ricci", "einstein", "einsum")

#: How :func:`parse` reads three or more adjacent letters: an error, or a product of one-letter names.
LETTERS = ("strict", "split")


@functools.lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    grammar = resources.files(__package__).joinpath("grammar.lark").read_text()
    return lark.Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=False)


_TOKEN_NAMES = {
    "INDEX": "an index", "NAME": "a name", "NUMBER": "a number", "GREEK": "a Greek letter", "LPAR": "'('",
    "RPAR": "')'", "LBRACE": "'{'", "RBRACE": "'}'", "CIRCUMFLEX": "'^'", "UNDERSCORE": "'_'", "PLUS": "'+'",
    "MINUS": "'-'", "SLASH": "'/'", "STAR": "'*'", "FUNC": "a function", "MATHRM": "\\mathrm{...}",
    "BRACKET": "a [bracketed] name", "$END": "end of text", "SUM": "\\sum", "FRAC": "\\frac", "DELTA": "\\delta",
    "EQUAL": "'='", "COMMA": "','", "LSQB": "'['", "RSQB": "']'", "NABLA": "\\nabla", "ODOT": "\\odot",
    "SQRT": "\\sqrt", "ABSL": "an opening '|'", "ABSR": "a closing '|'",
}


def _bars(text: str) -> str:
    """``text`` with each bare ``|`` marked as an absolute value's opening (``\\x01``) or closing (``\\x02``) bar.

    A bar closes when one is open and what stands before it ends an operand (``|x^i|``); else it opens
    (``|a| |b|``, ``||a| - b|``).  ``\\|`` (a norm), ``\\left|`` and ``\\right|`` are left alone.  The text keeps
    its length, so carets stay where they were.

    Example:
        >>> _bars("|a| |b| - ||c| - d|").replace("\\x01", "<").replace("\\x02", ">")
        '<a> <b> - <<c> - d>'
    """
    if "|" not in text:
        return text
    for k, ch in enumerate(text):
        if ch in "\x01\x02":  # (the marks themselves, written: never part of an expression)
            raise EinsteinError(f"unexpected character {ch!r}", text=text, pos=k)
    out = list(text)
    opened: list[int] = []  # the bars open now
    for k, ch in enumerate(text):
        if ch != "|" or (k and text[k - 1] == "\\") or re.search(r"\\(left|right)\s*$", text[:k]):
            continue
        before = text[:k].rstrip()
        ends_operand = bool(before) and (before[-1].isalnum() or before[-1] in ")}]'\x02")
        if opened and ends_operand:
            out[k] = "\x02"
            opened.pop()
        else:
            out[k] = "\x01"
            opened.append(k)
    if opened:
        if not text[opened[-1] + 1:].strip():
            raise EinsteinError("this '|' closes no absolute value", text=text, pos=opened[-1],
                                hint="open it before the argument: |x^i|")
        raise EinsteinError("an absolute value's '|' is never closed", text=text, pos=opened[0],
                            hint="close it with a second '|' after its argument: |x^i|")
    return "".join(out)


def _expected(names: Any) -> str:
    nice = sorted({_TOKEN_NAMES.get(n, n) for n in names})
    if len(nice) > 6:
        nice = nice[:6] + ["..."]
    return ", ".join(nice)


def parse(text: str, convention: str = "ricci", activation: str = "sigmoid", letters: str = "strict",
          out: str | tuple[str, ...] | list[str] | None = None) -> Expr:
    """Read an index expression.

    Args:
        text: the expression, e.g. ``r"B^i_k \\sigma(A^k_j y^j + b^k)"``.
        convention: ``"ricci"`` (default): a repeated index must appear once up
            and once down; ``"einstein"``: any index appearing exactly twice
            in a product (or in one tensor, ``A_{ii}``) is summed, whatever its
            position, and one tensor name keeps one number of slots.
        activation: the registered function that ``\\sigma`` stands for.
        letters: how adjacent letters read.  A name is one letter (plus
            digits), so ``xy^i`` is ``x`` times ``y^i``.  ``"strict"``
            (default): three or more adjacent letters (``weights^i_j``) are an
            error, as they look like a word; write ``\\mathrm{weights}^i_j``
            for a multi-letter name.  ``"split"``: they are a product of
            one-letter names.  Under both, letters that spell a function,
            a Greek letter or an operator without its backslash (``tanh(x^i)``,
            ``sigma``, ``odot``) are an error.
        out: with ``convention="einsum"`` (and only then), the indices of the result, as text
            (``"ij"``, ``"i1 j"``) or a tuple of names: numpy's einsum semantics.  These indices
            are kept however often and wherever they appear (``x_i y_i`` with ``out="i"`` is the
            elementwise product, ``A_{ii}`` the diagonal; their position is that of their first
            occurrence); every other index is summed whatever its count or position, over the
            term of the top-level sum it appears in (an explicit ``\\sum`` around it).  The free
            indices come in order of first appearance (``el.compile(e, out=...)`` orders the
            result's axes).

    Returns:
        The expression (immutable, hashable).

    Raises:
        EinsteinError: malformed text or an index rule broken; the message
            shows the text with a caret under the offending token.

    Example:
        >>> e = parse(r"B^i_k \\sigma(A^k_j y^j + b^k)")
        >>> [(ix.name, ix.up) for ix in e.free]
        [('i', True)]
        >>> parse("x_i y_i", convention="einstein").dummies
        (^i,)
        >>> parse("abc x^i", letters="split").coeff
        a*b*c
        >>> print(parse("A_{ij} B_{jk} C_{ik}", convention="einsum", out="ik"))
        \\sum_{j} A_{i j} \\odot B_{j k} \\odot C_{i k}
    """
    if not isinstance(text, str):
        raise EinsteinError(f"parse() takes a string, got {type(text).__name__}")
    if convention not in CONVENTIONS:
        raise EinsteinError(f"unknown convention {convention!r}; use one of {', '.join(CONVENTIONS)}")
    if letters not in LETTERS:
        raise EinsteinError(f"unknown letters option {letters!r}; use one of {', '.join(LETTERS)}")
    if (out is None) != (convention != "einsum"):
        raise EinsteinError("out= goes with convention='einsum'" if out is not None else
                            "convention='einsum' needs out=, the indices of the result ('ij', or '' for a scalar)")
    return _parse_cached(text, convention, activation, letters, None if out is None else _out_names(out))


def _out_names(out: Any) -> tuple[str, ...]:
    """The index names of ``out=`` (``"ij"``, ``"i1 j"``, ``("i", "\\mu")``), checked: known names, none twice."""
    if isinstance(out, str):
        names: list[str] = []
        for m in re.finditer(r"(\\[A-Za-z]+|[A-Za-z])(_\{[0-9]+\}|_[0-9]+|[0-9]*)|[\s,]+|(.)", out):
            if m.group(3) is not None:
                raise EinsteinError(f"out: {m.group(3)!r} is not an index name", text=out, pos=m.start(),
                                    hint="list the result's indices: 'ij', 'i1 j2', '\\mu\\nu'")
            if m.group(1) is not None:
                names.append(normalize_index_name(m.group(0)))
    elif isinstance(out, (tuple, list)) and all(isinstance(n, str) for n in out):
        names = [normalize_index_name(n) for n in out]  # (an invalid name is an error there)
    else:
        raise EinsteinError(f"out= is text such as 'ij' or a tuple of index names, got {type(out).__name__}")
    for n in names:
        if names.count(n) > 1:
            raise EinsteinError(f"out lists index '{n}' twice", hint="each index of the result once")
    return tuple(names)


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str, convention: str, activation: str, letters: str = "strict",
                  out: tuple[str, ...] | None = None) -> Expr:
    if not text.strip():
        raise EinsteinError("empty expression", text=text, pos=0)
    root = re.search(r"\\sqrt\s*\[", text)
    if root:
        raise EinsteinError("only square roots are written: \\sqrt{...}", text=text, pos=root.start(),
                            hint="write another root as a power of a scalar, or register the function")
    try:
        tree = _parser().parse(_bars(text))
    except lark.exceptions.UnexpectedCharacters as exc:
        pos = exc.pos_in_stream or 0
        raise EinsteinError(f"unexpected character {text[pos]!r}", text=text,
                            pos=pos,
                            hint=f"expected {_expected(exc.allowed)}" if exc.allowed else None) from None
    except lark.exceptions.UnexpectedToken as exc:
        tok = exc.token
        if tok.type == "ODOT":
            raise EinsteinError(f"{str(tok)} needs a factor on each side", text=text, pos=tok.start_pos,
                                hint=_HADAMARD) from None
        if tok.type == "$END":
            raise EinsteinError("unexpected end of text", text=text, pos=len(text),
                                hint=f"expected {_expected(exc.expected)}") from None
        raise EinsteinError(f"unexpected token {str(tok)!r}", text=text, pos=tok.start_pos,
                            hint=f"expected {_expected(exc.expected)}") from None
    except lark.exceptions.UnexpectedEOF as exc:
        raise EinsteinError("unexpected end of text", text=text, pos=len(text),
                            hint=f"expected {_expected(exc.expected)}") from None
    except lark.exceptions.LarkError as exc:  # pragma: no cover - other grammar failures
        raise EinsteinError(f"cannot parse: {exc}", text=text, pos=0) from None
    builder = _Builder(text, convention, activation, letters, out)
    if out is not None:
        builder.avoid = {_norm(str(t)) for t in builder.index_tokens(tree)}
    # names the text gives sizes to (N_x): no index renamed apart while building may take them
    # and every index name written: a \sum_{s1} over nothing is N_s1 too, by the name written
    written = {normalize_index_name(re.sub(r"[{}\s]", "", m)) for m in _SIZE_NAME.findall(text)}
    written |= {_norm(str(t)) for t in _index_tokens(tree)}
    token = RESERVED_WHILE_READING.set(frozenset(written))
    try:
        expr = builder.build(tree)
    except RecursionError:
        raise EinsteinError("expression nested too deeply", text=text, pos=0) from None
    finally:
        RESERVED_WHILE_READING.reset(token)
    gone = {sym: size for sym, size in builder.private_sizes.items() if sym.name[2:] not in expr.index_names()}
    if gone:  # N_x of an index that only a det's or a logsumexp's argument had: the slot that carried it
        expr = replace_sizes(expr, gone)
    if out is not None:
        expr = _sum_the_rest(expr, out, text)
    if convention in ("einstein", "einsum"):
        # positions are free under einstein, the number of slots is not: A_{ij} A_j is two tensors
        arity: dict[str, tuple[int, int]] = {}
        for name, pos, pattern in builder.heads:
            first = arity.setdefault(name, (len(pattern), pos))
            if first[0] != len(pattern):
                raise EinsteinError(f"tensor '{name}' is used with {first[0]} and with {len(pattern)} slots",
                                    text=text, pos=pos,
                                    hint="every use of one tensor name must have the same number of slots") from None
    if convention == "ricci":
        try:
            tensor_signatures(expr, check=True)
        except EinsteinError as exc:
            name = exc.message.split("'")[1]
            uses = [(pos, pattern) for n, pos, pattern in builder.heads if n == name]
            # the caret goes under the first use whose slot pattern differs from the first use's
            bad = [pos for pos, pattern in uses if pattern != uses[0][1]]
            raise exc.located(text, bad[0] if bad else None) from None
    return expr


def _broadcast_numbers(terms: list[Expr]) -> list[Expr]:
    """numpy's einsum semantics for a sum: a term without free indices beside terms with them is broadcast
    to their shape, ``1 - \\sigma(z^m)`` -> ``\\mathrm{ones}(\\sigma(z^m)) - \\sigma(z^m)`` (1 wherever the
    other term has an entry, derivative 0)."""
    ref = next((t for t in terms if t.free), None)
    if ref is None or all(t.free or t.open_bound for t in terms):  # (a term with a summed index is no number)
        return terms
    if isinstance(ref, Product) and not ref.kept:  # (its coefficient does not change where it has entries)
        ref = Product.make(1, list(ref.factors))
    shape = Apply("ones", 0, ref)
    return [t if t.free or t.open_bound else Product.make(1, [t, shape]) for t in terms]


def _tok_pos(node: Any) -> tuple[int, int]:
    meta = getattr(node, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return meta.start_pos, meta.end_pos
    if isinstance(node, lark.Token):
        return node.start_pos or 0, node.end_pos or 0
    return 0, 0


def _to_scalar(e: Expr) -> sympy.Expr | None:
    if isinstance(e, Product) and not e.factors:
        return e.coeff
    if isinstance(e, Zero) and not e.free:
        return sympy.Integer(0)
    return None  # (sums of scalars and products of scalars are folded into one scalar Product on construction)


#: Numbers longer than this are refused (sympy and Python cannot print integers of over 4300 digits).
_MAX_DIGITS = 1000
_MAX_BITS = 3400  # a little over 1000 decimal digits

def _symbol(name: str) -> sympy.Symbol:
    """The scalar symbol of a bare name: ``K``; ``\\alpha`` -> ``alpha``; ``N_x`` -> the dimension of ``x``.

    The same rule as every other scalar text (``el.scalar("N_x")``): :func:`~einsteinpy_lite.core.scalars.scalar_symbol`.
    """
    return scalar_symbol(name)


def _scalar_of(e: Expr, text: str, node: Any, what: str) -> sympy.Expr:
    value = _to_scalar(e)
    if value is None:
        raise EinsteinError(f"{what} must be a scalar, got '{e}'", text=text, pos=_tok_pos(node)[0],
                            hint="only numbers, names (K, \\alpha, N_x) and their arithmetic go here; "
                                 "dividing by an indexed expression is not supported")
    return value


class _Builder:
    """Walks the lark tree top-down, tracking the indices bound by enclosing sums."""

    def __init__(self, text: str, convention: str, activation: str, letters: str = "strict",
                 out: tuple[str, ...] | None = None) -> None:
        self.text = text
        self.einstein = convention == "einstein"
        # convention 'einsum': the kept indices (out=), the position each takes (its first), the names used
        self.keep = frozenset(out) if out is not None else None
        self.keep_up: dict[str, bool] = {}
        self.avoid: set[str] = set()
        self.activation = activation
        self.split_letters = letters == "split"
        self.bound: list[str] = []
        self.heads: list[tuple[str, int, tuple[bool, ...]]] = []  # tensor name, position, slot pattern
        self.scalar_depth = 0  # > 0 inside a \sum bound or a denominator, where N_x is a scalar
        self.power: sympy.Integer | None = None
        #: N_x of an index x that a det, logdet or logsumexp renamed to its private r or c -> the size of the
        #: tensor slot that carries it (\frac{1}{N_i} \mathrm{logsumexp}(z^i): N_i is z's size)
        self.private_sizes: dict[sympy.Symbol, sympy.Expr] = {}

    # ------------------------------------------------------------ helpers
    def fail(self, message: str, node: Any, hint: str | None = None) -> EinsteinError:
        return EinsteinError(message, text=self.text, pos=_tok_pos(node)[0], hint=hint)

    def locate(self, exc: EinsteinError, node: Any, end: int | None = None) -> EinsteinError:
        """Put the caret of an index-rule error under the right index token in ``node``'s span (up to ``end``)."""
        if exc.text is not None:
            return exc
        start, stop = _tok_pos(node)
        stop = stop if end is None else end
        pos: int | None = start
        if exc.index is not None:
            spots = [t.start_pos for t in self.index_tokens(node)
                     if _norm(str(t)) == exc.index and (t.start_pos or 0) < stop]
            if spots:
                k = exc.occurrence if -len(spots) <= exc.occurrence < len(spots) else -1
                pos = spots[k]
        return exc.located(self.text, pos)

    def index_tokens(self, node: Any) -> list[lark.Token]:
        out: list[lark.Token] = []
        if isinstance(node, lark.Token):
            if node.type == "INDEX":
                out.append(node)
            return out
        for c in node.children:
            out.extend(self.index_tokens(c))
        out.sort(key=lambda t: t.start_pos or 0)
        return out

    def known_command(self, tok: Any) -> None:
        """A ``\\word`` written as a name must be a Greek letter: a typo (``\\simga``) or a command the notation
        does not have (``\\vert``, ``\\sqrt[3]``) is an error, never a new scalar."""
        word = str(tok)[1:]
        if word in GREEK or word in _NAME_COMMANDS:
            return
        hints = {"sqrt": "a square root is \\sqrt{...} (no other roots)",
                 "vert": "an absolute value is |x|, \\lvert x \\rvert or \\left| x \\right|",
                 "lvert": "an absolute value is \\lvert x \\rvert", "rvert": "an absolute value is \\lvert x \\rvert"}
        near = difflib.get_close_matches(word, list(GREEK), n=1)
        hint = hints.get(word) or (f"did you mean \\{near[0]}?" if near else
                                   "a named scalar is written \\mathrm{" + word + "}")
        raise self.fail(f"unknown command '\\{word}'", tok, hint=hint)

    def operator_error(self, name: str, tok: Any) -> EinsteinError:
        """``\\odot``, ``\\circ``, ``\\top`` ... written where a name or an index goes: say what is meant instead."""
        what, hint = _OPERATORS[name]
        if name in _HADAMARD_OPS:
            return self.fail(f"\\{name} ({what}) goes between two factors, not here", tok, hint=hint)
        return self.fail(f"\\{name} ({what}) is not supported yet", tok, hint=hint)

    # ------------------------------------------------------------ misreadings
    def check_misreadings(self, node: Any) -> None:
        """Refuse products that read, silently, as something else than what was surely meant.

        * adjacent letters that spell a function, a Greek letter or an operator without its
          backslash (``tanh(x^i)`` is t a n h x^i), and, unless ``letters="split"``, three or more
          adjacent letters (``weights^i_j`` is w e i g h t s^i_j);
        * an index glued to a letter (``A_ii`` is A_i times the scalar i);
        * a lone upper ``T`` on a one-slot tensor next to another factor (``a^T X b``): a transpose.
        """
        children = list(node.children)
        # runs of adjacent one-letter names: (head tokens, child index of the last one)
        runs: list[tuple[list[lark.Token], int]] = []
        current: list[lark.Token] = []
        open_end: int | None = None  # where the last name of the current run ends, if it has no indices
        for n, child in enumerate(children):
            # (a factor after '*' or '/' may start a run: 2/abc is 2/a times b c)
            factor: Any = child.children[-1] if child.data in ("item", "mul", "div") else None
            tok = _name_head(factor)
            if tok is not None and current and open_end == tok.start_pos:
                current.append(tok)
            else:
                if current:
                    runs.append((current, n - 1))
                current = [tok] if tok is not None else []
            open_end = tok.end_pos if tok is not None and len(factor.children) == 1 else None
        if current:
            runs.append((current, len(children) - 1))
        for toks, last in runs:
            nxt = children[last + 1] if last + 1 < len(children) else None
            call = nxt is not None and nxt.data == "item" and nxt.children[0].data in ("paren", "parenpow")
            self.check_run(toks, call)
        # factors that can be a matrix or a vector: a named tensor, with or without indices (X in a^T X b)
        named = [f for f in (c.children[-1] for c in children if c.data in ("item", "mul", "div"))
                 if isinstance(f, lark.Tree) and f.data == "tensor"
                 and (getattr(f.children[0].children[0], "type", None) != "GREEK" or len(f.children) > 1)]
        for n, child in enumerate(children):
            factor = child.children[-1] if child.data in ("item", "mul", "div") else None
            if not isinstance(factor, lark.Tree) or factor.data not in ("tensor", "delta", "number"):
                continue
            toks = self.index_tokens(factor)
            if not toks:
                continue
            glued = children[n + 1] if n + 1 < len(children) and children[n + 1].data == "item" else None
            gtok = _name_head(glued.children[0]) if glued is not None else None
            if gtok is not None and gtok.start_pos == toks[-1].end_pos == _tok_pos(factor)[1]:
                self.glued_index(children, n, factor, toks[-1])
            if factor.data == "tensor" and len(named) > 1 and len(toks) == 1 and str(toks[0]) == "T" \
                    and len(factor.children) == 2 and factor.children[1].data == "up":
                uses = [t for t in self.index_tokens(node) if str(t) == "T"]
                if len(uses) == 1:
                    head = str(factor.children[0].children[0])
                    raise self.fail(f"'{head}^T' reads as {head} with an upper index named T, not as a transpose",
                                    toks[0], hint="write the indices out: a^T X b is a_i X^i_j b^j "
                                                  "(transposes are index positions)")

    def check_run(self, toks: list[lark.Token], call: bool) -> None:
        """A run of adjacent one-letter names (``tanh``, ``weights``): refuse a known spelling or a word."""
        if len(toks) < 2:
            return
        letters = [str(t) for t in toks]
        known = _known_words()
        # a known spelling: the whole run, or (before a parenthesis) a function name ending the run
        spans = [(0, len(toks))] + ([(k, len(toks)) for k in range(1, len(toks) - 1)] if call else [])
        for a, b in spans:
            word = "".join(letters[a:b])
            if word in known and (a == 0 or known[word][0] == "function"):
                kind, written = known[word]
                raise self.fail(f"'{word}' reads as the product {' '.join(letters[a:b])}, not the {kind} {written}",
                                toks[a], hint=f"write {written} for the {kind}, or put spaces between the letters "
                                              f"({' '.join(letters[a:b])}) for a product")
        if len(toks) >= 3 and not self.split_letters:
            word = "".join(letters)
            raise self.fail(f"'{word}' reads as the product of {len(toks)} one-letter names {' '.join(letters)}",
                            toks[0], hint=f"a name is one letter (and digits): write \\mathrm{{{word}}} for a "
                                          f"multi-letter name, or pass letters='split' to read adjacent letters "
                                          f"as a product")

    def glued_index(self, children: list[Any], n: int, factor: Any, tok: lark.Token) -> None:
        """``A_ii``: an index without braces followed at once by a letter, which reads as a scalar."""
        extra: list[str] = []
        end = tok.end_pos
        for child in children[n + 1:]:
            t = _name_head(child.children[0]) if child.data == "item" else None
            if t is None or t.start_pos != end:
                break
            extra.append(str(t))
            end = t.end_pos
            if len(child.children[0].children) > 1:
                break
        start = _tok_pos(factor)[0]
        written = self.text[start:end]
        fixed = self.text[start:tok.start_pos] + "{" + str(tok) + "".join(extra) + "}"
        raise self.fail(f"'{written}' reads as {self.text[start:tok.end_pos]} times {' '.join(extra)}",
                        children[n + 1].children[0],
                        hint=f"several indices go in braces: {fixed}; or put a space before "
                             f"'{extra[0]}' for a product")

    # ------------------------------------------------------------ dispatch
    def build(self, node: Any) -> Expr:
        if isinstance(node, lark.Token):
            raise self.fail(f"unexpected token {str(node)!r}", node)
        meth = getattr(self, "_" + node.data, None)
        if meth is None:  # pragma: no cover - grammar and builder out of step
            raise self.fail(f"internal: no builder for {node.data}", node)
        try:
            return meth(node)  # type: ignore[no-any-return]
        except EinsteinError as exc:
            raise self.locate(exc, node) from None

    def _add(self, node: Any) -> Expr:
        """``a + b - c ...``: the left-recursive chain walked without recursion, so long sums parse."""
        chain: list[tuple[Any, bool]] = []
        top = node
        while isinstance(node, lark.Tree) and node.data in ("add", "sub"):
            chain.append((node.children[1], node.data == "sub"))
            node = node.children[0]
        terms = [self.build(node)]
        written: list[tuple[Expr, Any]] = []  # each later term as written (its sign apart) and its node
        for term_node, negate in reversed(chain):
            t = self.build(term_node)
            terms.append(-t if negate else t)
            written.append((t, term_node))
        if self.keep is not None:  # numpy's einsum semantics: a number beside indexed terms is broadcast
            terms = _broadcast_numbers(terms)
            written = [(t if not w.free and not w.open_bound else w, n) for (w, n), t in zip(written, terms[1:])]
        for t, term_node in written:
            try:
                _check_same_free(terms[0], t)
            except EinsteinError as exc:
                # the caret goes under the stray index, searched up to the end of this term
                raise self.locate(exc, top, _tok_pos(term_node)[1]) from None
        return Sum.make(terms)

    _sub = _add

    def _neg(self, node: Any) -> Expr:
        return -self.build(node.children[0])

    def _paren(self, node: Any) -> Expr:
        return self.build(node.children[1])

    def _sqrt(self, node: Any) -> Expr:
        return Apply("sqrt", 0, self.build(node.children[-1]))

    def _absval(self, node: Any) -> Expr:
        return Apply("abs", 0, self.build(node.children[1]))

    def _parenpow(self, node: Any) -> Expr:
        base = self.scalar(node.children[1], "a base raised to a power")
        return as_expr(self.power_of(base, self.exponent(node.children[3]), node))

    def scalar(self, node: Any, what: str) -> sympy.Expr:
        """Build ``node`` where only a scalar makes sense; there ``N_x`` is the dimension symbol of ``x``."""
        self.scalar_depth += 1
        try:
            e = self.build(node)
        finally:
            self.scalar_depth -= 1
        return _scalar_of(e, self.text, node, what)

    def exponent(self, power: Any) -> sympy.Integer:
        tok = power.children[0]
        if "." in str(tok):
            raise self.fail(f"only integer powers of scalars are supported, not {tok}", tok)
        return sympy.Integer(self.number(tok))

    def number(self, tok: Any) -> sympy.Rational:
        """The value of a NUMBER token (``2``, ``0.5`` -> 1/2); absurdly long numbers are an error."""
        raw = str(tok)
        if len(raw) > _MAX_DIGITS:
            raise self.fail(f"a number with {len(raw)} digits is too long", tok, hint=f"use at most {_MAX_DIGITS} digits")
        return sympy.Rational(raw)

    def check_size(self, value: sympy.Expr, node: Any) -> sympy.Expr:
        """Refuse numbers (products, powers such as ``2^{99999}``) too large to print back."""
        for r in (value,) if value.is_Rational else value.atoms(sympy.Rational):
            if max(abs(r.p), abs(r.q)).bit_length() > _MAX_BITS:  # type: ignore[attr-defined]
                raise self.fail("this number is too large", node, hint=f"numbers may have at most {_MAX_DIGITS} digits")
        return value

    def power_of(self, base: sympy.Expr, power: sympy.Integer, node: Any) -> sympy.Expr:
        """``base**power``, refusing a number whose power would be too large to compute and print."""
        if base.is_Rational and abs(base) != 1 and base != 0:
            if int(power) * max(abs(base.p), abs(base.q)).bit_length() > 2 * _MAX_BITS:  # type: ignore[attr-defined]
                raise self.fail("this number is too large", node, hint=f"numbers may have at most {_MAX_DIGITS} digits")
        return self.check_size(base**power, node)

    def _product(self, node: Any) -> Expr:
        self.check_misreadings(node)
        coeff: sympy.Expr = sympy.Integer(1)
        factors: list[Expr] = []
        first = True
        for child in node.children:
            if child.data == "item":
                factors.append(self.build(child.children[0]))
            elif child.data == "mul":
                if first:
                    raise self.fail("a product cannot start with '*'", child)
                factors.append(self.build(child.children[1]))
            elif child.data == "div":
                if first:
                    raise self.fail("a product cannot start with '/'", child)
                d = self.scalar(child.children[0], "a denominator")
                if d == 0:
                    raise self.fail("division by zero", child)
                coeff = coeff / d
            elif child.data == "sum":
                factors.append(self.build(child))
            first = False
        if self.einstein:
            factors = _einstein_flip(factors)
        out = Product.make(coeff, factors, self.kept_here(factors)) if (factors or coeff != 1) else as_expr(1)
        if isinstance(out, Product):
            self.check_size(out.coeff, node)
        return out

    def _hadamard(self, node: Any) -> Expr:
        """``a \\odot b \\odot c``, left to right: an index both sides have free in one position is kept.

        An upper and a lower occurrence are summed, as in any product (``A_b^i_j \\odot B_b^j_k`` keeps
        ``b`` and sums ``j``).  The chain is walked without recursion, so long chains parse.
        """
        chain: list[Any] = []
        while isinstance(node, lark.Tree) and node.data == "hadamard":
            chain.append(node.children[2])
            node = node.children[0]
        acc = self.build(node)
        for right in reversed(chain):
            r = self.build(right)
            try:
                acc = hadamard(acc, r)
            except EinsteinError as exc:
                raise self.locate(exc, right) from None
        return acc

    def _sum(self, node: Any) -> Expr:
        children = [c for c in node.children if not (isinstance(c, lark.Token) and c.type == "SUM")]
        sub = children[0]
        sup = children[1] if len(children) == 3 else None
        body_node = children[-1]
        idx_tok = sub.children[0]
        name = _norm(str(idx_tok))
        bounds: tuple[Any, ...] = ()
        if len(sub.children) > 1:
            lo = self.scalar(sub.children[1], "a \\sum bound")
            if sup is None:
                raise self.fail("\\sum with a lower bound needs an upper bound '^{...}'", node)
            bounds = (lo, self._bound(sup))
        elif sup is not None:
            bounds = (sympy.Integer(0), self._bound(sup))
        if name in self.bound:
            raise self.fail(f"index '{name}' is already bound by an enclosing \\sum", idx_tok)
        self.bound.append(name)
        try:
            body = self.build(body_node)
        finally:
            self.bound.pop()
        # the slots written under the \sum were made bound as they were read; a slot of the same name
        # that is not bound was named by a rewrite (a nested product's dummy renamed apart when it was
        # flattened): it is another index, which SumOver.make keeps apart instead of capturing it
        return SumOver.make(name, bounds, body)

    def _bound(self, sup: Any) -> sympy.Expr:
        if isinstance(sup, lark.Token):
            if sup.type == "NUMBER":
                return self.number(sup)
            return _symbol(str(sup))
        return self.scalar(sup, "a \\sum bound")

    # ------------------------------------------------------------ factors
    def groups(self, nodes: list[Any], power_ok: bool = False) -> list[Index]:
        """The index slots of ``^``/``_`` groups; an integer power (``K^{2}``) goes to ``self.power``."""
        out: list[Index] = []
        self.power = None
        for g in nodes:
            if g.data == "empty":
                continue
            if g.data == "group":  # an integer power
                power = g.children[0]
                if not power_ok or self.power is not None or out:
                    raise self.fail("only a scalar can be raised to a power", power,
                                    hint="indices are letters or Greek commands (x^i); a number after '^' is a power")
                self.power = self.exponent(power)
                continue
            if self.power is not None:
                raise self.fail("indices after a power", g, hint="write the indices before the power, or drop the power")
            is_up = g.data == "up"
            idx = g.children[0]
            toks = [t for t in idx.children if isinstance(t, lark.Token) and t.type == "INDEX"]
            for t in toks:
                name = _norm(str(t))
                if name.startswith("\\") and name[1:] in _OPERATORS:
                    raise self.operator_error(name[1:], t)
                out.append(self.slot(name, is_up))
        return out

    def slot(self, name: str, is_up: bool) -> Index:
        """An index slot as written; under convention 'einsum', an index not kept is bound (summed by a
        ``\\sum`` that :func:`_sum_the_rest` puts around its term) and a kept one takes its first position."""
        if self.keep is None or name in self.bound:
            return Index(name, is_up, name in self.bound)
        if name in self.keep:
            return Index(name, self.keep_up.setdefault(name, is_up), False)
        return Index(name, is_up, True)

    def kept_here(self, factors: list[Expr]) -> set[str]:
        """Convention 'einsum': the kept indices that occur in two or more of ``factors``."""
        if self.keep is None:
            return set()
        names = [ix.name for f in factors for ix in f.free if not ix.bound]
        return {n for n in self.keep if names.count(n) > 1}

    def diagonal(self, slots: list[Index]) -> tuple[list[Index], list[Expr]]:
        """Convention 'einsum': a kept index twice in one tensor (``A_{ii}``) is its diagonal, written with a
        summed (bound) index and a delta: ``A_{i u} \\odot \\delta_{u i}``."""
        if self.keep is None:
            return slots, []
        out: list[Index] = []
        deltas: list[Expr] = []
        for ix in slots:
            if not ix.bound and any(o.name == ix.name and not o.bound for o in out):
                (u,) = fresh_names(self.avoid, 1)
                self.avoid.add(u)
                out.append(Index(u, ix.up, True))
                deltas.append(Delta(Index(u, not ix.up, True), ix))
            else:
                out.append(ix)
        return out, deltas

    def _tensor(self, node: Any) -> Expr:
        head_node = node.children[0]
        tok = head_node.children[0]
        raw = str(tok)
        slots = self.groups(node.children[1:], power_ok=True)
        power = self.power
        if tok.type == "BRACKET":
            name, lead = _bracket_name(raw[1:-1])
            slots = [self.slot(n, False) for n in lead] + slots
            if not name:
                raise self.fail("empty [] name", tok)
        elif tok.type == "MATHRM":
            name = raw[raw.index("{") + 1 : -1]
        else:
            name = raw
            if tok.type == "GREEK" and raw[1:] in _OPERATORS:
                raise self.operator_error(raw[1:], tok)
            if tok.type == "GREEK":
                self.known_command(tok)
        if not slots and tok.type != "BRACKET":
            # a bare name is a scalar symbol: K, \alpha, \mathrm{N_x}
            sym = _symbol(name)
            return as_expr(sym if power is None else sym**power)
        if (self.scalar_depth and name == "N" and len(slots) == 1 and not slots[0].up and not slots[0].bound
                and power is None):
            # N_x in a \sum bound or a denominator: the scalar symbol N_x (the dimension of x); any other
            # indexed name there (y^i/(z_i - w_i)) is a tensor, and a denominator refuses it
            return as_expr(_symbol(f"{name}_{slots[0].name}"))
        if power is not None:
            raise self.fail(f"only a scalar can be raised to a power, not the tensor '{name}'", tok)
        if self.einstein:
            slots = _einstein_pairs(slots)
        slots, deltas = self.diagonal(slots)
        t = Tensor(name, slots)
        self.heads.append((t.name, tok.start_pos or 0, tuple(ix.up for ix in t.indices)))
        return Product.make(1, [t, *deltas], self.kept_here([t, *deltas])) if deltas else t

    def _dimsize(self, node: Any) -> Expr:
        """``\\dim(A, 2)``: the size of the tensor's second slot, a positive integer scalar."""
        _, head_node, num, _ = node.children
        tok = head_node.children[0]
        raw = str(tok)
        name = raw[raw.index("{") + 1: -1] if tok.type == "MATHRM" else raw[1:-1].strip() if tok.type == "BRACKET" else raw
        if "." in str(num) or int(str(num)) < 1:
            raise self.fail(f"slots are numbered from 1: \\dim({name}, {num}) names no slot", num)
        return as_expr(slot_size_symbol(name, int(str(num)) - 1))

    def _number(self, node: Any) -> Expr:
        tok = node.children[0]
        raw = str(tok)
        value = sympy.Integer(0) if tok.type == "BOLDZERO" else self.number(tok)
        slots = self.groups(node.children[1:], power_ok=True)
        if self.power is not None:  # (groups() refuses a power together with indices)
            value = self.power_of(value, self.power, node)
        if slots:
            if value != 0:
                raise self.fail(f"only 0 can carry indices (a zero tensor), not {raw}", tok)
            return Zero(slots)
        return as_expr(value)

    def _delta(self, node: Any) -> Expr:
        slots = self.groups(node.children[1:])
        if len(slots) != 2:
            raise self.fail(f"\\delta takes exactly two indices, got {len(slots)}", node,
                            hint="write \\delta^i_j, \\delta_{ij} or \\delta^{ij}")
        if self.einstein:
            slots = _einstein_pairs(slots)
        slots, deltas = self.diagonal(slots)
        d = Delta(slots[0], slots[1])
        return Product.make(1, [d, *deltas], self.kept_here([d, *deltas])) if deltas else d

    def function(self, tok: Any) -> tuple[str, int]:
        raw = str(tok)
        order = len(raw) - len(raw.rstrip("'"))
        raw = raw.rstrip("'")
        m = re.fullmatch(r"\\(?:mathrm|operatorname)\{(.*)\}", raw)
        key = m.group(1) if m else raw
        if key.startswith("\\") and key[1:] in _OPERATORS:
            raise self.operator_error(key[1:], tok)
        if key == "\\sigma":
            key = self.activation
        try:
            fn = get_function(key)
        except EinsteinError as exc:
            raise self.fail(exc.message, tok, exc.hint) from None
        return fn.name, order

    def _call(self, node: Any) -> Expr:
        tok, _, body, _ = node.children
        matrix = _matrix_function(str(tok))
        if matrix is not None:
            if str(tok).endswith("'"):
                raise self.fail(f"{MATRIX_FUNCTIONS[matrix]} is not elementwise: a prime (derivative) is not "
                                "written on it", tok, hint="use el.diff for its derivative")
            inner = self.build(body)
            inner, links = self.unbind(matrix, inner)
            for ix in inner.free if matrix not in ("inv", "softmax") else ():
                slot = _carrier(inner, ix.name)
                if slot:
                    self.private_sizes.setdefault(dimension_symbol(ix.name), slot_size_symbol(*slot))
            try:
                value = MatrixFunction(matrix, inner)
            except EinsteinError as exc:
                caught = sorted(inner.open_bound & set(self.bound))
                if caught:  # the argument's index is the enclosing \sum's
                    raise self.fail(f"{exc.message}: its index {', '.join(caught)} is bound by an enclosing \\sum",
                                    tok, hint=f"the indices of {MATRIX_FUNCTIONS[matrix]} are its own: write it outside "
                                              "the \\sum, with a free index") from None
                raise self.fail(exc.message, tok, exc.hint) from None
            return Product.make(1, [value, *links]) if links else value
        if _matrix_function(str(tok), ("logsoftmax",)):
            # log-softmax is written out, exactly: z^f - logsumexp(z) (finite where softmax underflows)
            if str(tok).endswith("'"):
                raise self.fail("\\mathrm{logsoftmax} is not elementwise: a prime (derivative) is not written on it",
                                tok, hint="use el.diff for its derivative")
            inner, links = self.unbind("softmax", self.build(body))
            if len(inner.free) != 1:
                n = len(inner.free)
                raise self.fail(f"\\mathrm{{logsoftmax}} takes a vector (one free index), got '{inner}' with {n} free "
                                f"ind{'ex' if n == 1 else 'ices'}", tok,
                                hint="write its argument with exactly one free index, e.g. z^{i}")
            # the scalar logsumexp is broadcast along the free index f by \sum_k \delta^f_k (= 1 for every f)
            (f,) = inner.free
            (k,) = fresh_names(self.avoid | inner.all_names(), 1, stem="k")
            self.avoid.add(k)
            ones = SumOver(k, (), Delta(f, Index(k, not f.up, True)))
            value = Sum.make([inner, Product.make(-1, [MatrixFunction("logsumexp", inner), ones])])
            return Product.make(1, [value, *links]) if links else value
        if _matrix_function(str(tok), ("layernorm",)):
            # layer normalization along the argument's one free index, written out (core.composite)
            if str(tok).endswith("'"):
                raise self.fail("\\mathrm{layernorm} is not elementwise: a prime (derivative) is not written on it",
                                tok, hint="use el.diff for its derivative")
            inner, links = self.unbind("softmax", self.build(body))
            try:
                value = layer_norm(inner, self.avoid)
            except EinsteinError as exc:
                raise self.fail(exc.message, tok, exc.hint) from None
            self.avoid |= value.all_names()
            return Product.make(1, [value, *links]) if links else value
        name, order = self.function(tok)
        return Apply(name, order, self.build(body))

    def unbind(self, matrix: str, inner: Expr) -> tuple[Expr, list[Expr]]:
        """The argument of ``inv`` or ``softmax`` (or log-softmax) with its indices bound by an enclosing ``\\sum`` made
        free.

        In ``\\sum_i \\mathrm{softmax}(z^i)`` the slot ``i`` of the argument is bound by the sum, so the
        argument has no free index; the function needs it free.  It is renamed to a fresh free index
        ``w`` and a delta ``\\delta_w^i`` outside carries it back to the bound ``i`` (as
        :func:`~einsteinpy_lite.core.rename` does for the scopes of a derivative).  The scalar functions
        (``det``, ``logsumexp``) keep their indices private: a bound index there stays an error.
        """
        arity = 1 if matrix in VECTOR_FUNCTIONS else 2
        open_bound = sorted(inner.open_bound & set(self.bound))
        if matrix not in ("inv", "softmax") or len(inner.free) + len(open_bound) != arity or not open_bound:
            return inner, []
        names = fresh_names(self.avoid | inner.all_names(), len(open_bound), stem="w")
        self.avoid |= set(names)
        new = dict(zip(open_bound, names))
        ups: dict[str, bool] = {}

        def free(ix: Index) -> Index:
            if ix.bound and ix.name in new:
                ups[ix.name] = ix.up
                return Index(new[ix.name], ix.up)
            return ix

        inner = inner.map_slots(free)
        links: list[Expr] = [Delta(Index(new[n], not ups[n]), Index(n, ups[n], True)) for n in open_bound]
        return inner, links

    def _frac(self, node: Any) -> Expr:
        _, num, den = node.children
        return self.fraction(self.build(num), self.scalar(den, "the denominator of \\frac"), den, node)

    def fraction(self, num: Expr, d: sympy.Expr, den: Any, node: Any) -> Expr:
        if d == 0:
            raise self.fail("division by zero", den)
        out = Product.make(1 / d, [num])
        if isinstance(out, Product):
            self.check_size(out.coeff, node)
        return out

    def _fracdigits(self, node: Any) -> Expr:
        """``\\frac12``: TeX's one-digit arguments."""
        (tok,) = node.children
        a, b = (int(ch) for ch in str(tok) if ch.isdigit())
        return self.fraction(Product.make(a, []), sympy.Integer(b), tok, node)

    def _fracdigit(self, node: Any) -> Expr:
        """``\\frac1{K}``."""
        tok, den = node.children
        a = next(int(ch) for ch in str(tok) if ch.isdigit())
        return self.fraction(Product.make(a, []), self.scalar(den, "the denominator of \\frac"), den, node)

    def _fracbydigit(self, node: Any) -> Expr:
        """``\\frac{x^i}2``."""
        _, num, tok = node.children
        return self.fraction(self.build(num), sympy.Integer(int(str(tok).strip())), tok, node)

    def _diagbr(self, node: Any) -> Expr:
        _, tok, _, body_node, _, *groups = node.children
        name, order = self.function(tok)
        body = self.build(body_node)
        slots = self.groups(groups)
        zf = body.free
        if len(slots) != 2 * len(zf):
            raise self.fail(
                f"[\\nabla f(z)] needs the {len(zf)} free indices of its argument and {len(zf)} new ones, "
                f"got {len(slots)} indices", node)
        for a, b in zip(zf, slots[: len(zf)]):
            if a.key != b.key:
                raise self.fail(f"the first indices of [\\nabla f(z)] must be its argument's free indices "
                                f"{' '.join(map(str, zf))}", node)
        return Diag(name, order + 1, body, slots[len(zf):])


def _sum_the_rest(e: Expr, out: tuple[str, ...], text: str) -> Expr:
    """Convention 'einsum': a ``\\sum`` around each top-level term for the indices it sums; ``out`` checked."""
    terms = e.terms if isinstance(e, Sum) else (e,)
    wrapped = []
    for t in terms:
        for name in sorted(t.open_bound, reverse=True):
            t = _place_sum(t, name)
        wrapped.append(t)
    result = Sum.make(wrapped)
    free = [ix.name for ix in result.free]
    for n in out:
        if n not in free:
            raise EinsteinError(f"out lists index '{n}', which is not an index of the result", text=text, pos=0,
                                hint="out names indices that occur in the text, outside an explicit \\sum")
    return result


def _uses(e: Expr, name: str) -> int:
    """How many slots of ``e`` are named ``name`` (every one, at any depth)."""
    count = [0]

    def look(ix: Index) -> Index:
        count[0] += ix.name == name
        return ix

    e.map_slots(look)
    return count[0]


def _place_sum(e: Expr, name: str) -> Expr:
    r"""Convention 'einsum': ``\sum_{name}`` put around the smallest part of a term that holds all of ``name``.

    numpy's einsum sums an index that is not in the output over its whole term; a term here may also
    hold elementwise functions, and an index paired inside a function's argument
    (``\sigma(A^m_l y^l + b^m)``) is that argument's own contraction, as the Ricci convention reads it:
    the sum goes inside the argument, and inside the one term of a sum that holds the index (never
    ``N_l b^m``).  An index written once inside an argument (``\sigma(x_l)``) is summed outside, over the
    term, as numpy would.
    """
    if isinstance(e, Product):
        holders = [k for k, f in enumerate(e.factors) if name in f.open_bound]
        if len(holders) == 1 and isinstance(e.factors[holders[0]], (Apply, Sum, SumOver)):
            inner = _place_sum(e.factors[holders[0]], name)
            if not (isinstance(inner, SumOver) and inner.index_name == name and inner.body == e.factors[holders[0]]):
                factors = list(e.factors)
                factors[holders[0]] = inner
                return Product.make(e.coeff, factors, e.kept)
    elif isinstance(e, Apply) and _uses(e.body, name) >= 2:
        return Apply(e.func_name, e.order, _place_sum(e.body, name))
    elif isinstance(e, Sum):
        holders = [k for k, t in enumerate(e.terms) if name in t.open_bound]
        if len(holders) == 1:
            terms = list(e.terms)
            terms[holders[0]] = _place_sum(terms[holders[0]], name)
            return Sum.make(terms)
    elif isinstance(e, SumOver) and e.index_name != name:
        return SumOver.make(e.index_name, e.bounds, _place_sum(e.body, name))
    return SumOver(name, (), e)


def _norm(raw: str) -> str:
    return normalize_index_name(raw)


def _name_head(factor: Any) -> lark.Token | None:
    """The head token of a tensor factor named by one letter (and digits), else None."""
    if isinstance(factor, lark.Tree) and factor.data == "tensor":
        tok = factor.children[0].children[0]
        if isinstance(tok, lark.Token) and tok.type == "NAME":
            return tok
    return None


_HADAMARD = ("write it between two factors: x^i \\odot y^i keeps i (elementwise), A_b^i_j \\odot B_b^j_k "
             "keeps b and sums j")
_HADAMARD_OPS = ("odot", "circ")
_TRANSPOSE = "transposes are index positions: write the indices out (a^T X b is a_i X^i_j b^j)"

#: LaTeX operators that the syntax does not have, written where a name or an index goes: (what, hint).
_OPERATORS: dict[str, tuple[str, str]] = {
    "odot": ("the Hadamard product", _HADAMARD),
    "circ": ("the Hadamard product", _HADAMARD + "; compose functions by nesting: \\tanh(\\sigma(x^i))"),
    "otimes": ("the tensor product", "a tensor product is a product with distinct indices: x^i y^j"),
    "oplus": ("the direct sum", "write the sum of the blocks with indices"),
    "top": ("the transpose", _TRANSPOSE),
    "intercal": ("the transpose", _TRANSPOSE),
}

#: commands that name a symbol as a Greek letter does (\ell)
_NAME_COMMANDS = frozenset({"ell", "hbar", "imath", "jmath"})

_COMMANDS = ("sum frac dfrac tfrac nabla cdot times sqrt partial left right mathrm operatorname mathbf "
             "quad qquad").split()


def _known_words() -> dict[str, tuple[str, str]]:
    """Words that adjacent letters must not spell: ``word -> (kind, how it is written)``."""
    from ..core.functions import function_names

    out: dict[str, tuple[str, str]] = {}
    for w in GREEK:
        out[w] = ("Greek letter", "\\" + w)
    for w in _COMMANDS:
        out[w] = ("command", "\\" + w)
    for w in _OPERATORS:
        out[w] = ("operator", "\\" + w)
    for name in function_names():
        fn = get_function(name)
        m = re.fullmatch(r"\\(?:mathrm|operatorname)\{(.*)\}|\\(.*)", fn.latex)
        spelled = (m.group(1) or m.group(2)) if m else fn.latex
        for w in (name, *fn.aliases, spelled):
            if w.isalpha():
                out[w] = ("function", fn.latex + "(...)")
    return out


def _einstein_pairs(slots: list[Index]) -> list[Index]:
    """Convention 'einstein': in one tensor (``A_{ii}``), flip the second of a same-position pair so it is summed."""
    out: list[Index] = []
    for ix in slots:
        if not ix.bound and any(o.name == ix.name and o.up == ix.up and not o.bound for o in out) \
                and sum(1 for o in slots if o.name == ix.name) == 2:
            ix = ix.flip()
        out.append(ix)
    return out


def _bracket_name(inner: str) -> tuple[str, list[str]]:
    """Split ``\\nabla\\sigma_k`` into the name ``\\nabla\\sigma`` and leading lower slots ``['k']``."""
    inner = inner.strip()
    m = re.fullmatch(r"(.*?\S)\s*_\s*(\{[^{}]*\}|[A-Za-z][0-9]*)", inner)
    if m and not re.search(r"\\[A-Za-z]*$", m.group(1)[-1:]):
        sub = m.group(2).strip("{}").replace(",", " ").split()
        if sub and all(re.fullmatch(r"[A-Za-z][0-9]*|\\[A-Za-z]+[0-9]*", s) for s in sub):
            head = m.group(1)
            # "\nabla_y f" keeps its subscript: only a trailing subscript becomes slots
            if not head.endswith("\\nabla"):
                return head, [normalize_index_name(s) for s in sub]
    return inner, []


def _einstein_flip(factors: list[Expr]) -> list[Expr]:
    """Convention 'einstein': flip the second of a same-position pair so the pair is summed."""
    from ..core.rename import _map_indices

    seen: dict[str, tuple[int, bool]] = {}
    count: dict[str, int] = {}
    for f in factors:
        for ix in f.free:
            if not ix.bound:
                count[ix.name] = count.get(ix.name, 0) + 1
    out = list(factors)
    for n, f in enumerate(factors):
        flips: set[str] = set()
        for ix in f.free:
            if ix.bound or count[ix.name] != 2:
                continue
            if ix.name in seen and seen[ix.name][1] == ix.up:
                flips.add(ix.name)
            seen.setdefault(ix.name, (n, ix.up))
        if flips:
            out[n] = _map_indices(f, lambda ix, fl=flips: ix.flip() if (ix.name in fl and not ix.bound) else ix)
    return out


def expression(e: Any, caller: str, takes: str = "an index expression or its text") -> Expr:
    """``e`` if it is an expression, its parse if it is text: how every function taking an expression reads it.

    Args:
        e: an expression or its text.
        caller: the public function's name, for the error message.
        takes: what the function takes, as the message says it.

    Example:
        >>> str(expression("A^i_j y^j", "simplify"))
        'A^i_j y^j'
        >>> expression(3, "simplify")
        Traceback (most recent call last):
        ...
        einsteinpy_lite.EinsteinError: simplify() takes an index expression or its text, got int
    """
    if isinstance(e, str):
        return parse(e)
    if not isinstance(e, Expr):
        raise EinsteinError(f"{caller}() takes {takes}, got {type(e).__name__}")
    return e


def _matrix_function(raw: str, names: Collection[str] = MATRIX_FUNCTIONS) -> str | None:
    """The :class:`MatrixFunction` a call token names (``\\det``, ``\\mathrm{inv}``, ``\\mathrm{logdet}``), or None.

    ``names``: the function names to look for (by default the :class:`MatrixFunction` names)."""
    m = re.fullmatch(r"\\(?:mathrm|operatorname)\{(.*)\}", raw.rstrip("'"))
    key = m.group(1) if m else raw.rstrip("'").lstrip("\\")
    return key if key in names else None


def _index_tokens(tree: Any) -> list[lark.Token]:
    """The INDEX tokens of a parse tree, walked without recursion (texts may nest deeply)."""
    out: list[lark.Token] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, lark.Token):
            if node.type == "INDEX":
                out.append(node)
        elif isinstance(node, lark.Tree):
            stack.extend(node.children)
    return out
