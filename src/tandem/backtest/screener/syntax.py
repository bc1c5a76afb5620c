"""Tokenizer and recursive-descent parser of screen expressions, producing a small typed AST.

Grammar (lowest precedence first)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | primary
    primary    := NUMBER | NAME "(" [expr ("," expr)*] ")" | NAME | "(" expr ")"

Every node keeps the 1-based column where it starts so errors can point at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tandem.core.errors import ValidationFailed


class ScreenSyntaxError(ValidationFailed):
    """The expression is malformed; the message names the column."""


@dataclass(frozen=True, slots=True)
class Token:
    """One lexeme: kind is NUM, NAME, OP, LP, RP, COMMA or END."""

    kind: str
    text: str
    col: int


@dataclass(frozen=True, slots=True)
class Num:
    """A numeric literal."""

    value: float
    col: int


@dataclass(frozen=True, slots=True)
class Name:
    """A field reference such as ``close`` or ``roe``."""

    name: str
    col: int


@dataclass(frozen=True, slots=True)
class Call:
    """A function call such as ``ma(close, 60)``."""

    name: str
    args: tuple[Node, ...]
    col: int


@dataclass(frozen=True, slots=True)
class BinOp:
    """Arithmetic, comparison or boolean operator."""

    op: str
    left: Node
    right: Node
    col: int


@dataclass(frozen=True, slots=True)
class Unary:
    """``not x`` or ``-x``."""

    op: str
    operand: Node
    col: int


Node = Num | Name | Call | BinOp | Unary

_TOKEN = re.compile(
    r"\s*(?:(?P<NUM>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?%?|\.\d+%?)|(?P<NAME>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<OP><=|>=|==|!=|<|>|\+|-|\*|/)|(?P<LP>\()|(?P<RP>\))|(?P<COMMA>,))"
)
_KEYWORDS = {"and", "or", "not"}


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; an unexpected character is an error at its column."""
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.lastgroup is None:
            bad = len(text[pos:]) - len(text[pos:].lstrip()) + pos
            raise ScreenSyntaxError(f"unexpected character {text[bad]!r} at column {bad + 1}")
        kind = m.lastgroup
        tok = m.group(kind)
        col = m.start(kind) + 1
        if kind == "NAME" and tok.lower() in _KEYWORDS:
            kind, tok = "OP", tok.lower()
        out.append(Token(kind, tok, col))
        pos = m.end()
    out.append(Token("END", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.toks = tokens
        self.i = 0

    def peek(self) -> Token:
        return self.toks[self.i]

    def take(self) -> Token:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, kind: str, what: str) -> Token:
        tok = self.peek()
        if tok.kind != kind:
            found = "the end" if tok.kind == "END" else repr(tok.text)
            raise ScreenSyntaxError(f"expected {what} at column {tok.col}, found {found}")
        return self.take()

    def binary(self, ops: tuple[str, ...], sub: str) -> Node:
        left: Node = getattr(self, sub)()
        while self.peek().kind == "OP" and self.peek().text in ops:
            tok = self.take()
            left = BinOp(tok.text, left, getattr(self, sub)(), tok.col)
        return left

    def expr(self) -> Node:
        return self.binary(("or",), "and_expr")

    def and_expr(self) -> Node:
        return self.binary(("and",), "not_expr")

    def not_expr(self) -> Node:
        tok = self.peek()
        if tok.kind == "OP" and tok.text == "not":
            self.take()
            return Unary("not", self.not_expr(), tok.col)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        tok = self.peek()
        if tok.kind == "OP" and tok.text in ("<", "<=", ">", ">=", "==", "!="):
            self.take()
            return BinOp(tok.text, left, self.sum(), tok.col)
        return left

    def sum(self) -> Node:
        return self.binary(("+", "-"), "product")

    def product(self) -> Node:
        return self.binary(("*", "/"), "unary")

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == "OP" and tok.text == "-":
            self.take()
            return Unary("-", self.unary(), tok.col)
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "NUM":
            pct = tok.text.endswith("%")
            v = float(tok.text.rstrip("%"))
            return Num(v / 100.0 if pct else v, tok.col)
        if tok.kind == "LP":
            node = self.expr()
            self.expect("RP", "')'")
            return node
        if tok.kind == "NAME":
            if self.peek().kind == "LP":
                self.take()
                args: list[Node] = []
                if self.peek().kind != "RP":
                    args.append(self.expr())
                    while self.peek().kind == "COMMA":
                        self.take()
                        args.append(self.expr())
                self.expect("RP", f"',' or ')' to close {tok.text}(")
                return Call(tok.text.lower(), tuple(args), tok.col)
            return Name(tok.text.lower(), tok.col)
        found = "the end of the expression" if tok.kind == "END" else repr(tok.text)
        raise ScreenSyntaxError(f"expected a number, field or '(' at column {tok.col}, found {found}")


def parse(text: str) -> Node:
    """Parse a screen expression into an AST, or raise :class:`ScreenSyntaxError` naming the column."""
    if not text.strip():
        raise ScreenSyntaxError("the screen expression is empty; e.g. pe_ttm < 20 and roe > 0.15")
    if len(text) > 2000:
        raise ScreenSyntaxError("the screen expression is longer than 2000 characters")
    p = _Parser(tokenize(text))
    node = p.expr()
    tok = p.peek()
    if tok.kind != "END":
        raise ScreenSyntaxError(f"unexpected {tok.text!r} at column {tok.col}; combine conditions with and/or")
    return node
