"""Say where a SPARQL query is wrong and what was expected there, in plain words.

The engine (Oxigraph, embedded or as a server) says "error at 4:11: expected OPTIONAL" for
a missing "." on line 4, column 3: its position is where its parser gave up, often the end
of the query, and its list names grammar rules. So once the engine has refused a query, the
guard's tokenizer (`guard.TOKEN`) looks for the mistakes people make, each at the token where
it is made; the first in the text wins. Only when none is found are the engine's position and
list passed on, cleaned of grammar notation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tilod.sparql.guard import TOKEN

#: Oxigraph's message (pyoxigraph's SyntaxError, and the text of `oxigraph serve`'s 400)
ENGINE_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
QUOTED = re.compile(r'"((?:[^"\\]|\\.)+)"')

# What may be expected, in words (French keys: serving/i18n translates them)
TRIPLE_END = "« . » pour finir le motif de triplet précédent"
SUBJECT_END = "un prédicat et un objet après le sujet"
OBJECT = "un objet (une variable, une IRI ou un littéral)"
PROJECTION = "une variable, « * » ou une expression (… AS ?nom)"
DECLARED_PREFIX = "un préfixe déclaré"
PREFIX_NAME = "un nom de préfixe suivi de « : » (ex: )"
IRI = "une IRI entre < >"
END = "la fin de la requête"
PHRASES = {TRIPLE_END, SUBJECT_END, OBJECT, PROJECTION, DECLARED_PREFIX, PREFIX_NAME, IRI, END}
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
#: longer texts are no one's typing (and reading them takes time): the engine's finding only
MAX_READ = 100_000
MAX_EXPECTED = 8  # the engine's list can name dozens of rules: the first few say enough
CLOSING = {"{": "}", "(": ")", "[": "]"}


@dataclass(frozen=True)
class SyntaxProblem:
    line: int  # from 1
    column: int  # from 1, in characters
    #: what the grammar wanted there: tokens as written ("}", "WHERE") or phrases of PHRASES
    expected: tuple[str, ...]
    found: str  # the token found there; "" at the end of the query
    engine: str  # the engine's own message
    #: a French sentence with {placeholders} that says more (translated like the phrases)
    hint: str = ""
    hint_args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int


def _tokens(query: str) -> list[_Token]:
    """The query's tokens but comments; a prefixed name gives back the "." that ends a pattern
    (`ex:o.`: the guard's rule for names takes it)."""
    tokens = []
    for match in TOKEN.finditer(query):
        kind, text = match.lastgroup or "other", match.group()
        if kind == "comment":
            continue
        name = text.rstrip(".") if kind == "pname" else text
        tokens.append(_Token(kind, name, match.start()))
        tokens.extend(_Token("other", ".", match.start() + i) for i in range(len(name), len(text)))
    return tokens


def _is_word(token: _Token, *words: str) -> bool:
    return token.kind == "word" and token.text.upper() in words


def _position(query: str, offset: int) -> tuple[int, int]:
    line_start = query.rfind("\n", 0, offset) + 1
    return query.count("\n", 0, offset) + 1, offset - line_start + 1


def _offset(query: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        start = query.find("\n", start) + 1
        if start == 0:
            return len(query)
    return min(start + column - 1, len(query))


# -- the mistakes people make: each yields (offset, expected, found, hint, hint args) -----------

Finding = tuple[int, tuple[str, ...], str, str, dict[str, str]]


def _prologue_and_form(tokens: list[_Token]) -> Iterator[Finding]:
    """PREFIX name: <iri> and BASE <iri>, then one of the four query forms."""
    if not tokens:
        yield 0, QUERY_FORMS, "", "", {}
        return
    i = 0
    while i < len(tokens) and _is_word(tokens[i], "PREFIX", "BASE"):
        if _is_word(tokens[i], "PREFIX"):
            name = tokens[i + 1] if i + 1 < len(tokens) else None
            if name is None or name.kind != "pname" or not name.text.endswith(":"):
                yield _at(name, tokens, (PREFIX_NAME,))
                return
            i += 1
        iri = tokens[i + 1] if i + 1 < len(tokens) else None
        if iri is None or iri.kind != "iri":
            yield _at(iri, tokens, (IRI,))
            return
        i += 2
    if i < len(tokens) and not _is_word(tokens[i], *QUERY_FORMS):
        yield tokens[i].start, QUERY_FORMS, tokens[i].text, "", {}


def _at(token: _Token | None, tokens: list[_Token], expected: tuple[str, ...]) -> Finding:
    if token is None:  # the query ended
        return tokens[-1].start + len(tokens[-1].text), expected, "", "", {}
    return token.start, expected, token.text, "", {}


def _select_clause(tokens: list[_Token]) -> Iterator[Finding]:
    """SELECT with nothing to project, commas between its variables, an expression without AS."""
    for i, token in enumerate(tokens):
        if not _is_word(token, "SELECT"):
            continue
        j = i + 1
        if j < len(tokens) and _is_word(tokens[j], "DISTINCT", "REDUCED"):
            j += 1
        if j < len(tokens) and (tokens[j].text == "{" or _is_word(tokens[j], "WHERE", "FROM")):
            yield tokens[j].start, (PROJECTION,), tokens[j].text, "", {}
        depth, named = 0, False
        for before, item in zip(tokens[j - 1:], tokens[j:], strict=False):
            if depth == 0 and (item.text == "{" or _is_word(item, "WHERE", "FROM")):
                break
            named = (named and depth > 0) or (depth == 1 and _is_word(item, "AS"))
            if depth == 1 and item.text == ")" and not named:  # (COUNT(?s) ?n): no AS
                at = before if before.kind == "variable" else item
                yield at.start, ("AS",), at.text, "", {}
            depth += (item.text == "(") - (item.text == ")")
            if depth == 0 and item.text == ",":
                yield (item.start, (PROJECTION, "WHERE"), ",",
                       "les variables d'un SELECT se séparent par des espaces, sans virgule", {})
                break


def _prefixes(tokens: list[_Token]) -> Iterator[Finding]:
    """A prefixed name whose prefix no PREFIX declares."""
    declared = {t.text[:-1] for previous, t in zip(tokens, tokens[1:], strict=False)
                if _is_word(previous, "PREFIX") and t.kind == "pname"}
    for previous, token in zip([None, *tokens], tokens, strict=False):
        if token.kind != "pname" or (previous is not None and _is_word(previous, "PREFIX")):
            continue
        prefix = token.text.split(":", 1)[0]
        if prefix != "_" and prefix not in declared:
            yield (token.start, (DECLARED_PREFIX,), token.text,
                   "déclarez-le en tête de la requête : PREFIX {prefix}: <…>", {"prefix": prefix})
            return


TERM_KINDS = {"iri", "pname", "variable", "string", "long_string", "number"}


def _triples(tokens: list[_Token]) -> Iterator[Finding]:
    """Plain triple patterns (terms only, between braces) with a term too many or too few.

    A pattern that holds anything else (a path, a function, brackets, a keyword) is not judged."""
    depth = 0
    values_block: int | None = None  # depth of the VALUES data block we are in
    values_pending = datatype = after_semicolon = False
    count, plain = 0, True
    for previous, token in zip([None, *tokens], tokens, strict=False):
        text = token.text
        if values_block is not None:  # data, not patterns
            depth += (text == "{") - (text == "}")
            if depth <= values_block:
                values_block, count, plain = None, 0, True
            continue
        if text == "{":
            if values_pending:
                values_pending, values_block = False, depth
            depth += 1
            count, plain, after_semicolon = 0, True, False
        elif text in (".", "}"):
            if plain and depth and (count == 2 or (count == 1 and not after_semicolon)):
                yield token.start, (SUBJECT_END if count == 1 else OBJECT,), text, "", {}
            depth -= text == "}"
            count, plain, after_semicolon = 0, True, False
        elif text in (";", ","):
            count, after_semicolon = (1, True) if text == ";" else (2, after_semicolon)
        elif token.kind == "langtag":
            continue
        elif text == "^" and previous is not None and (previous.kind in ("string", "long_string") or datatype):
            datatype = True  # "1"^^xsd:int is one term
        elif token.kind in TERM_KINDS or _is_word(token, "A", "TRUE", "FALSE"):
            if datatype:
                datatype = False
                continue
            if plain and depth and count == 3:
                yield token.start, (TRIPLE_END,), text, "", {}
                return
            count += 1
        else:
            plain = False
            values_pending = values_pending or _is_word(token, "VALUES")


def _brackets(tokens: list[_Token], query_end: int) -> Iterator[Finding]:
    """A bracket closed by another kind, closed twice, or never closed."""
    opened: list[_Token] = []
    for token in tokens:
        if token.text in CLOSING:
            opened.append(token)
        elif token.text in CLOSING.values():
            if not opened:
                yield token.start, (END,), token.text, "", {}
                return
            top = opened.pop()
            if CLOSING[top.text] != token.text:
                yield token.start, (CLOSING[top.text],), token.text, *_opened_at(top)
                return
    if opened:
        yield query_end, (CLOSING[opened[-1].text],), "", *_opened_at(opened[-1])


def _opened_at(token: _Token) -> tuple[str, dict[str, str]]:
    return "pour refermer « {bracket} » ouvert ligne {line}, colonne {column}", {
        "bracket": token.text, "offset": str(token.start)}


def _findings(tokens: list[_Token]) -> list[Finding]:
    end = tokens[-1].start + len(tokens[-1].text) if tokens else 0
    checks = (_prologue_and_form(tokens), _select_clause(tokens), _prefixes(tokens), _triples(tokens),
              _brackets(tokens, end))
    return [finding for check in checks for finding in check]


def diagnose(query: str, engine_message: str) -> SyntaxProblem | None:
    """The first mistake in `query`, or the engine's own finding in words; None when the
    engine's message is not a syntax error with a position.

    >>> p = diagnose("SELECT ?s WHERE {\\n  ?s ?p ?o\\n  ?s ?q ?r }", "error at 3:11: expected OPTIONAL")
    >>> (p.line, p.column, p.expected, p.found)
    (3, 3, ('« . » pour finir le motif de triplet précédent',), '?s')
    """
    match = ENGINE_POSITION.search(engine_message)
    if match is None:
        return None
    findings = _findings(_tokens(query)) if len(query) <= MAX_READ else []
    if findings:
        offset, expected, found, hint, args = min(findings, key=lambda finding: finding[0])
        if "offset" in args:  # where a bracket was opened, as a line and column
            opened_line, opened_column = _position(query, int(args["offset"]))
            args = {**args, "line": str(opened_line), "column": str(opened_column)}
        line, column = _position(query, offset)
        return SyntaxProblem(line, column, expected, found, engine_message.strip(), hint, args)
    line, column = int(match.group(1)), int(match.group(2))
    offset = _offset(query, line, column)
    at = TOKEN.match(query, offset)
    found = at.group() if at else ""
    return SyntaxProblem(line, column, _engine_expected(match.group(3))[:MAX_EXPECTED], found, engine_message.strip())


def _engine_expected(text: str) -> tuple[str, ...]:
    """The tokens of the engine's list, without its grammar notation (character classes,
    `[_]` for a space), and its "Prefix not found" in words.

    >>> _engine_expected('expected one of ",", ".", ";", "{", "{|", "}", "~", [_]')
    (',', '.', ';', '{', '{|', '}', '~')
    >>> _engine_expected("expected one of BIND, [_]")
    ('BIND',)
    """
    if "Prefix not found" in text:
        return (DECLARED_PREFIX,)
    text = re.sub(r"\[[^\]]*\]", "", text.removeprefix("expected").removeprefix(" one of"))
    items = [q.replace('\\"', '"').replace("\\\\", "\\") for q in QUOTED.findall(text)]
    words = re.findall(r"(?<![\"\w])([A-Za-z]+)(?![\"\w])", QUOTED.sub("", text))
    return tuple(items + words)


def relative_to(engine_message: str, prefix: str) -> str:
    """The engine's message about `prefix + query`, its position made relative to `query` (a
    remote store is sent the query after a BASE on the same line).

    >>> relative_to("error at 1:33: expected DISTINCT", "BASE <http://x/> ")
    'error at 1:16: expected DISTINCT'
    """
    def shift(match: re.Match) -> str:
        column = int(match.group(2)) - (len(prefix) if match.group(1) == "1" else 0)
        return f"error at {match.group(1)}:{max(column, 1)}"

    return re.sub(r"error at (\d+):(\d+)", shift, engine_message, count=1)
