"""A SPARQL syntax error as people read it: where, what was expected, what was found, the
query's line with a caret under the column, then the engine's own message (for the experts)."""

from __future__ import annotations

from tilod.serving.i18n import translate
from tilod.sparql.syntax_errors import PHRASES, SyntaxProblem

#: a longer line is shown around the column only
WINDOW = 100
ENGINE_CHARS = 300


def _quoted(token: str, lang: str) -> str:
    return f"« {token} »" if lang == "fr" else f'"{token}"'


def explain(problem: SyntaxProblem, query: str, lang: str) -> str:
    """The error in the page's language, as lines of plain text (a page shows them in a <pre>)."""
    expected = [translate(item, lang) if item in PHRASES else _quoted(item, lang) for item in problem.expected]
    found = problem.found.split("\n")[0][:40]  # a long string: its start
    found = _quoted(found, lang) if found else translate("la fin de la requête", lang)
    sentence = translate("Erreur de syntaxe SPARQL, ligne {line}, colonne {column} : on attendait {expected}, "
                         "trouvé {found}", lang).format(
        line=problem.line, column=problem.column, found=found,
        expected=translate(" ou ", lang).join(expected) or "?")
    if problem.hint:
        sentence += f" ({translate(problem.hint, lang).format(**problem.hint_args)})"
    engine = problem.engine.split("\n")[0]  # its first line: the rest lists character classes
    engine = engine if len(engine) <= ENGINE_CHARS else engine[:ENGINE_CHARS] + "…"
    lines = [sentence + ".", *_caret(query, problem.line, problem.column), "",
             translate("Message du moteur : {message}", lang).format(message=engine)]
    return "\n".join(lines)


def _caret(query: str, line: int, column: int) -> list[str]:
    """The query's line and a caret under the column (tabs kept, so that it lines up).

    >>> _caret("SELECT ?s\\n\\t?s ?p", 2, 5)
    ['\\t?s ?p', '\\t   ^']
    """
    lines = query.split("\n")
    if not 1 <= line <= len(lines):
        return []
    text = lines[line - 1].rstrip("\r")
    start = max(0, min(column - 1 - WINDOW // 2, len(text) - WINDOW))
    shown = ("…" if start else "") + text[start:start + WINDOW] + ("…" if start + WINDOW < len(text) else "")
    before = ("…" if start else "") + text[start:column - 1]
    return [shown, "".join(c if c == "\t" else " " for c in before) + "^"]
