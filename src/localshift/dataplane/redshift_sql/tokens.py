"""Redshift SQL lexing: tokens, a tree of bracketed groups, statements.

Redshift's lexer is PostgreSQL 8.0's: a backslash escapes the next character
inside an ordinary string literal (``'It\\'s'``; the SQL reference writes regular
expressions as ``'\\\\d'``).  Engines run with ``standard_conforming_strings =
off`` for the same reason, so string tokens pass through unchanged.  A session
that turns the setting on gets PostgreSQL's rule (a backslash is an ordinary
character in '...'; ``E'...'`` still escapes): ``tokenize(sql,
standard_strings=True)`` reads such strings and gives those holding a backslash
as the ``E'...'`` string of the same value, which reads alike in either mode.

Redshift's lexer also reads ``#name`` as a table name (a temporary table) where a
table can be named, or as a column's qualifier (``#t.a``): ``temporary_table_names``
makes it the delimited name ``"#name"``; elsewhere ``#`` stays the XOR operator.

A statement becomes a list of *nodes*: a ``Token`` or a ``Group`` (a bracketed
span ``( ... )`` / ``[ ... ]`` holding its own nodes).  Rewrites walk these lists
and put ``Token('raw', text)`` nodes in place of what they change; ``render``
joins everything back, so untouched spans keep their exact text and spacing.
"""

from __future__ import annotations

import re
from typing import Iterable, Literal, cast

from .errors import TranslationError

# Where the engine's lexer (PostgreSQL's) ends a token, so must this one: text it reads as a comment
# or a string that the engine reads as code would pass the translator's refusals unseen.  So
# whitespace is ASCII's alone (U+3000 or U+00A0 begin an identifier, as every non-ASCII character
# does), a line comment ends at a carriage return too, an operator ends before ``--`` or ``/*``,
# and block comments nest (``comment`` below matches their start; ``tokenize`` finds their end).
_TOKEN_PATTERN = r"""
  (?P<ws>[ \t\n\r\f\v]+)
| (?P<comment>--[^\n\r]*|/\*)
| (?P<string>STRING)
| (?P<dollar>\$(?P<tag>(?:[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_\x80-\U0010ffff]*)?)\$.*?\$(?P=tag)\$)
| (?P<param>\$\d+)
| (?P<qident>(?:[Uu]&)?"(?:[^"]|"")*")
| (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
| (?P<ident>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*)
| (?P<open>[(\[])
| (?P<close>[)\]])
| (?P<punct>::|[,;.:])
| (?P<op>(?:[+*<>=~!@#%^&|`?]|-(?!-)|/(?!\*))+)
"""
_BLOCK_COMMENT_EDGE = re.compile(r"/\*|\*/")
_ESCAPED_STRING = r"""(?:[EeBbXxNn]|[Uu]&)?'(?:[^'\\]|\\.|'')*'"""
_TOKEN = re.compile(_TOKEN_PATTERN.replace("STRING", _ESCAPED_STRING), re.VERBOSE | re.DOTALL)
# standard_conforming_strings = on: only E'...' strings escape with a backslash.
_STANDARD_TOKEN = re.compile(_TOKEN_PATTERN.replace(
    "STRING", r"""[Ee]'(?:[^'\\]|\\.|'')*'|(?P<plain>(?:[BbXxNn]|[Uu]&)?'(?:[^']|'')*')"""),
    re.VERBOSE | re.DOTALL)


# A token's kind: a group name of _TOKEN_PATTERN (``plain`` and ``tag`` are parts of one), or
# ``raw``, text a rewrite puts in.  Literal types make ``node.kind == "group"`` tell a Group.
TokenKind = Literal["ws", "comment", "string", "dollar", "param", "qident", "number", "ident", "open", "close",
                    "punct", "op", "raw"]


class Token:
    """One lexical token.  ``low`` is the lower-cased text of words (for
    keyword tests) and the text itself otherwise."""

    __slots__ = ("kind", "text", "low")

    def __init__(self, kind: TokenKind, text: str) -> None:
        self.kind = kind
        self.text = text
        self.low = text.lower() if kind == "ident" else text

    def __repr__(self) -> str:
        return f"Token({self.kind!r}, {self.text!r})"

    @property
    def blank(self) -> bool:
        return self.kind in ("ws", "comment")


class Group:
    """A bracketed span: ``open`` and ``close`` are the bracket texts."""

    __slots__ = ("open", "close", "nodes")
    kind: Literal["group"] = "group"
    blank = False
    low = "(...)"

    def __init__(self, open_: str, nodes: list, close: str) -> None:
        self.open = open_
        self.nodes = nodes
        self.close = close

    @property
    def text(self) -> str:
        return render(self.nodes, self.open, self.close)

    def __repr__(self) -> str:
        return f"Group({self.text!r})"


Node = Token | Group


def tokenize(sql: str, standard_strings: bool = False, as_sent: bool = False) -> list[Token]:
    """``as_sent``: strings keep their text (not re-escaped, see above)."""
    tokens = []
    pos, end = 0, len(sql)
    match = (_STANDARD_TOKEN if standard_strings else _TOKEN).match
    while pos < end:
        m = match(sql, pos)
        if m is None:
            raise TranslationError(_unterminated(sql, pos), "42601")
        text, next_pos = m.group(), m.end()
        if text == "/*":
            next_pos = _block_comment_end(sql, pos)
            text = sql[pos:next_pos]
        if standard_strings and not as_sent and m.group("plain") and "\\" in text and text[0] == "'":
            text = "E" + text.replace("\\", "\\\\")  # the same value, escaped
        tokens.append(Token(cast(TokenKind, m.lastgroup), text))  # the pattern's groups are the kinds
        pos = next_pos
    return tokens


# Words after which ``#name`` names a table (Redshift: a temporary table).
_TABLE_POSITIONS = frozenset({"from", "join", "into", "table", "update", "delete", "exists", "truncate", "using",
                              "only", "like", "copy", "lock", "vacuum", "analyze", "analyse", "temp", "temporary",
                              ","})
# Words after which ``#name.column`` qualifies a column (elsewhere ``a #b.c`` is XOR).
_EXPRESSION_START = frozenset({"select", "where", "and", "or", "not", "on", "by", "when", "then", "else",
                               "case", "set", "having", "distinct", "all", "between", "returning",
                               "qualify", "values"})


def temporary_table_names(tokens: list[Token]) -> list[Token]:
    """``#name`` -> the delimited name ``"#name"`` where it names a table: in a table
    position (FROM, JOIN, USING, INTO, UPDATE, TABLE, TRUNCATE, LIKE, COPY, a list's comma)
    or as a column's qualifier (``#t.a``).  Redshift makes a table whose name starts with
    ``#`` a temporary table; elsewhere ``#`` is the bitwise XOR operator.  The list itself
    when no ``#name`` names a table."""
    out: list[Token] = []
    merged = False
    prev: Token | None = None  # the last significant token
    k, n = 0, len(tokens)
    while k < n:
        tok = tokens[k]
        if tok.kind == "op" and tok.text == "#" and k + 1 < n and tokens[k + 1].kind == "ident" \
                and prev is not None and (prev.low in _TABLE_POSITIONS or _qualifies(prev, tokens, k + 2)):
            tok = Token("qident", f'"#{tokens[k + 1].low}"')
            k += 1
            merged = True
        out.append(tok)
        if not tok.blank:
            prev = tok
        k += 1
    return out if merged else tokens


def _qualifies(prev: Token, tokens: list[Token], k: int) -> bool:
    """Whether ``#name`` followed by ``tokens[k]`` qualifies a column: ``.`` follows and what
    comes before is no operand (``x #t.a`` is ``x`` XOR ``t.a``)."""
    if k >= len(tokens) or tokens[k].text != ".":
        return False
    if prev.kind == "ident":
        return prev.low in _EXPRESSION_START
    return prev.kind in ("op", "punct", "open")


def _block_comment_end(sql: str, start: int) -> int:
    """Where the block comment opening at ``start`` ends: after the ``*/`` that closes it, past
    the comments it holds (PostgreSQL's block comments nest)."""
    depth, pos = 0, start
    while (edge := _BLOCK_COMMENT_EDGE.search(sql, pos)) is not None:
        depth += 1 if edge.group() == "/*" else -1
        pos = edge.end()
        if depth == 0:
            return pos
    raise TranslationError(_unterminated(sql, start), "42601")


def _unterminated(sql: str, pos: int) -> str:
    what = {"'": "quoted string", '"': "quoted identifier", "$": "dollar-quoted string",
            "/": "/* comment"}.get(sql[pos], "input")
    return f"unterminated {what} at or near \"{sql[pos:pos + 20]}\""


def tree(tokens: Iterable[Token]) -> list[Node]:
    """Nest tokens into groups by their brackets."""
    stack: list[list] = [[]]
    opens: list[str] = []
    for tok in tokens:
        if tok.kind == "open":
            stack.append([])
            opens.append(tok.text)
        elif tok.kind == "close":
            if not opens or "([".index(opens[-1]) != ")]".index(tok.text):
                raise TranslationError(f'syntax error at or near "{tok.text}"', "42601")
            nodes = stack.pop()
            stack[-1].append(Group(opens.pop(), nodes, tok.text))
        else:
            stack[-1].append(tok)
    if opens:
        raise TranslationError("syntax error at end of input", "42601")
    return stack[0]


def render(nodes: Iterable[Node], prefix: str = "", suffix: str = "") -> str:
    parts = [prefix]
    for node in nodes:
        parts.append(node.text)
    parts.append(suffix)
    return "".join(parts)


def split_statements(tokens: list[Token], keep_blank: bool = False) -> list[list[Token]]:
    """Cut a token list at top-level semicolons (dropping them and, unless ``keep_blank``,
    empty statements)."""
    statements: list[list[Token]] = []
    current: list[Token] = []
    for tok in tokens:
        if tok.kind == "punct" and tok.text == ";":
            if keep_blank or any(not t.blank for t in current):
                statements.append(current)
            current = []
        else:
            current.append(tok)
    if keep_blank or any(not t.blank for t in current):
        statements.append(current)
    return statements


def raw(text: str) -> Token:
    return Token("raw", text)


def inside(node: Node) -> list[Node]:
    """The nodes of a bracketed group (a call's arguments, a column list); a syntax error
    at anything else."""
    if not isinstance(node, Group):
        raise TranslationError(f'syntax error at or near "{node.text}"', "42601")
    return node.nodes


def words(nodes: list[Node]) -> list[Node]:
    """The significant nodes (no whitespace or comments)."""
    return [n for n in nodes if not n.blank]


def split_commas(nodes: list[Node]) -> list[list[Node]]:
    """Split a group's nodes at top-level commas."""
    parts: list[list[Node]] = [[]]
    for node in nodes:
        if node.kind == "punct" and node.text == ",":
            parts.append([])
        else:
            parts[-1].append(node)
    if len(parts) == 1 and not words(parts[0]):
        return []
    return parts


def strip(nodes: list[Node]) -> list[Node]:
    """Nodes without leading and trailing whitespace/comments."""
    start, end = 0, len(nodes)
    while start < end and nodes[start].blank:
        start += 1
    while end > start and nodes[end - 1].blank:
        end -= 1
    return nodes[start:end]


def identifier_value(node: Node) -> str:
    """The name an identifier token denotes: unquoted names fold to lower case,
    and so do quoted ones (Redshift folds ASCII letters of delimited identifiers too,
    unless enable_case_sensitive_identifier is on)."""
    if node.kind == "qident":
        return node.text[1:-1].replace('""', '"').lower()
    if node.kind == "ident":
        return node.low
    raise TranslationError(f'syntax error at or near "{node.text}"', "42601")


def quote_ident(name: str) -> str:
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A string literal that reads the same whatever standard_conforming_strings is."""
    return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def string_value(node: Node) -> str:
    """The value of a string literal token (Redshift escapes: backslash and '')."""
    if node.kind == "dollar":
        tag_end = node.text.index("$", 1) + 1
        return node.text[tag_end:-tag_end]
    if node.kind != "string" or not node.text.endswith("'"):
        raise TranslationError(f'syntax error at or near "{node.text}"', "42601")
    body = node.text[node.text.index("'") + 1:-1]
    return _ESCAPE.sub(_unescape, body.replace("''", "'"))


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescape(m: re.Match) -> str:
    return _ESCAPES.get(m.group(1), m.group(1))


# Words PostgreSQL reserves as column/table names (quote_ident quotes them).
_RESERVED = frozenset("""
all analyse analyze and any array as asc asymmetric authorization binary both case cast check
collate collation column concurrently constraint create cross current_catalog current_date
current_role current_schema current_time current_timestamp current_user default deferrable desc
distinct do else end except false fetch for foreign freeze from full grant group having ilike in
initially inner intersect into is isnull join lateral leading left like limit localtime
localtimestamp natural not notnull null offset on only or order outer overlaps placing primary
references returning right select session_user similar some symmetric system_user table tablesample
then to trailing true union unique user using variadic verbose when where window with
""".split())
