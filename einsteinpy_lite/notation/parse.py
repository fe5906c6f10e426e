"""Text to expression: :func:`parse` reads the syntax of DESIGN.md ("Text syntax").

The grammar (``grammar.lark``) is parsed by lark's LALR parser; a small
builder then walks the tree top-down, so that it knows which indices an
enclosing ``\\sum`` binds, and builds the nodes of :mod:`einsteinpy_lite.core`,
which validate themselves.  Every error, from the grammar or the index rules,
becomes an :class:`EinsteinError` with a caret under the offending token.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any

import lark
import sympy

from ..core.atoms import Delta, Tensor, Zero
from ..core.elementwise import Apply, Diag
from ..core.errors import EinsteinError
from ..core.expr import Expr, Product, Sum, SumOver, _check_same_free, as_expr, dimension_symbol, tensor_signatures
from ..core.functions import get_function
from ..core.indices import Index, normalize_index_name

__all__ = ["parse", "CONVENTIONS"]

#: The index conventions :func:`parse` accepts.
CONVENTIONS = ("ricci", "einstein")


@functools.lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    grammar = resources.files(__package__).joinpath("grammar.lark").read_text()
    return lark.Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=False)


_TOKEN_NAMES = {
    "INDEX": "an index", "NAME": "a name", "NUMBER": "a number", "GREEK": "a Greek letter", "LPAR": "'('",
    "RPAR": "')'", "LBRACE": "'{'", "RBRACE": "'}'", "CIRCUMFLEX": "'^'", "UNDERSCORE": "'_'", "PLUS": "'+'",
    "MINUS": "'-'", "SLASH": "'/'", "STAR": "'*'", "FUNC": "a function", "MATHRM": "\\mathrm{...}",
    "BRACKET": "a [bracketed] name", "$END": "end of text", "SUM": "\\sum", "FRAC": "\\frac", "DELTA": "\\delta",
    "EQUAL": "'='", "COMMA": "','", "LSQB": "'['", "RSQB": "']'", "NABLA": "\\nabla",
}


def _expected(names: Any) -> str:
    nice = sorted({_TOKEN_NAMES.get(n, n) for n in names})
    if len(nice) > 6:
        nice = nice[:6] + ["..."]
    return ", ".join(nice)


def parse(text: str, convention: str = "ricci", activation: str = "sigmoid") -> Expr:
    """Read an index expression.

    Args:
        text: the expression, e.g. ``r"B^i_k \\sigma(A^k_j y^j + b^k)"``.
        convention: ``"ricci"`` (default): a repeated index must appear once up
            and once down; ``"einstein"``: any index appearing exactly twice
            in a product is summed, whatever its position.
        activation: the registered function that ``\\sigma`` stands for.

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
    """
    if not isinstance(text, str):
        raise EinsteinError(f"parse() takes a string, got {type(text).__name__}")
    if convention not in CONVENTIONS:
        raise EinsteinError(f"unknown convention {convention!r}; use one of {', '.join(CONVENTIONS)}")
    return _parse_cached(text, convention, activation)


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str, convention: str, activation: str) -> Expr:
    if not text.strip():
        raise EinsteinError("empty expression", text=text, pos=0)
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedCharacters as exc:
        pos = exc.pos_in_stream or 0
        raise EinsteinError(f"unexpected character {text[pos]!r}", text=text,
                            pos=pos,
                            hint=f"expected {_expected(exc.allowed)}" if exc.allowed else None) from None
    except lark.exceptions.UnexpectedToken as exc:
        tok = exc.token
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
    builder = _Builder(text, convention, activation)
    try:
        expr = builder.build(tree)
    except RecursionError:
        raise EinsteinError("expression nested too deeply", text=text, pos=0) from None
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

_DIMENSION = re.compile(r"N_\{?((?:[A-Za-z]|\\[A-Za-z]+)[0-9]*)\}?")


def _symbol(name: str) -> sympy.Symbol:
    """The scalar symbol of a bare name: ``K``; ``\\alpha`` -> ``alpha``; ``N_x`` -> the dimension of ``x``."""
    if name.startswith("\\"):
        name = name[1:]
    m = _DIMENSION.fullmatch(name)
    if m:
        return dimension_symbol(normalize_index_name(m.group(1)))
    return sympy.Symbol(name)


def _scalar_of(e: Expr, text: str, node: Any, what: str) -> sympy.Expr:
    value = _to_scalar(e)
    if value is None:
        raise EinsteinError(f"{what} must be a scalar, got '{e}'", text=text, pos=_tok_pos(node)[0])
    return value


class _Builder:
    """Walks the lark tree top-down, tracking the indices bound by enclosing sums."""

    def __init__(self, text: str, convention: str, activation: str) -> None:
        self.text = text
        self.einstein = convention == "einstein"
        self.activation = activation
        self.bound: list[str] = []
        self.heads: list[tuple[str, int, tuple[bool, ...]]] = []  # tensor name, position, slot pattern
        self.scalar_depth = 0  # > 0 inside a \sum bound or a denominator, where N_x is a scalar
        self.power: sympy.Integer | None = None

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
        for term_node, negate in reversed(chain):
            t = self.build(term_node)
            terms.append(-t if negate else t)
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
        out = Product.make(coeff, factors) if (factors or coeff != 1) else as_expr(1)
        if isinstance(out, Product):
            self.check_size(out.coeff, node)
        return out

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
        return SumOver(name, bounds, body)

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
                out.append(Index(name, is_up, name in self.bound))
        return out

    def _tensor(self, node: Any) -> Expr:
        head_node = node.children[0]
        tok = head_node.children[0]
        raw = str(tok)
        slots = self.groups(node.children[1:], power_ok=True)
        power = self.power
        if tok.type == "BRACKET":
            name, lead = _bracket_name(raw[1:-1])
            slots = [Index(n, False, n in self.bound) for n in lead] + slots
            if not name:
                raise self.fail("empty [] name", tok)
        elif tok.type == "MATHRM":
            name = raw[raw.index("{") + 1 : -1]
        else:
            name = raw
        if not slots and tok.type != "BRACKET":
            # a bare name is a scalar symbol: K, \alpha, \mathrm{N_x}
            sym = _symbol(name)
            return as_expr(sym if power is None else sym**power)
        if self.scalar_depth and len(slots) == 1 and not slots[0].up and not slots[0].bound and power is None:
            # N_x in a \sum bound or a denominator: the scalar symbol N_x (the dimension of x)
            return as_expr(_symbol(f"{name}_{slots[0].name}"))
        if power is not None:
            raise self.fail(f"only a scalar can be raised to a power, not the tensor '{name}'", tok)
        t = Tensor(name, slots)
        self.heads.append((t.name, tok.start_pos or 0, tuple(ix.up for ix in t.indices)))
        return t

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
        return Delta(slots[0], slots[1])

    def function(self, tok: Any) -> tuple[str, int]:
        raw = str(tok)
        order = len(raw) - len(raw.rstrip("'"))
        raw = raw.rstrip("'")
        m = re.fullmatch(r"\\(?:mathrm|operatorname)\{(.*)\}", raw)
        key = m.group(1) if m else raw
        if key == "\\sigma":
            key = self.activation
        try:
            fn = get_function(key)
        except EinsteinError as exc:
            raise self.fail(exc.message, tok, exc.hint) from None
        return fn.name, order

    def _call(self, node: Any) -> Expr:
        tok, _, body, _ = node.children
        name, order = self.function(tok)
        return Apply(name, order, self.build(body))

    def _frac(self, node: Any) -> Expr:
        _, num, den = node.children
        d = self.scalar(den, "the denominator of \\frac")
        if d == 0:
            raise self.fail("division by zero", den)
        out = Product.make(1 / d, [self.build(num)])
        if isinstance(out, Product):
            self.check_size(out.coeff, node)
        return out

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


def _norm(raw: str) -> str:
    return normalize_index_name(raw)


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
