"""Finding territories, EPCIs and communes by name or code, ignoring case and accents.

The index is built once per release from the names the build wrote (release/search_index.py,
a few MB for the whole of France) and searched in memory: SPARQL has no accent folding, and
a scan of ~37,000 short names in Python takes a few milliseconds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_RESULTS = 50
MAX_QUERY = 200  # characters; a longer query is cut
KINDS = ("territoire", "epci", "commune")  # the order results are listed in
LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss"}
WORD_BREAKS = re.compile(r"[\W_]+")


def _fold_slowly(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(LIGATURES.get(c, c) for c in text if not unicodedata.combining(c))


#: the Latin letters French names use, folded once (fold() runs ~37,000 times per index)
FOLDED = str.maketrans({chr(c): _fold_slowly(chr(c).casefold()) for c in range(0x80, 0x250)}
                       | {chr(c): " " for c in range(0x2000, 0x2070)})  # dashes, quotes, spaces


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces.

    >>> fold("Thiérache — Sambre-et-Oise,  l’Œuvre")
    'thierache sambre et oise l oeuvre'
    """
    text = text.casefold().translate(FOLDED)
    if not text.isascii():
        text = _fold_slowly(text)
    return " ".join(WORD_BREAKS.sub(" ", text).split())


@dataclass
class Entry:
    kind: str
    uri: str
    label: str
    code: str
    context: str = ""
    names: set[str] = field(default_factory=set)  # folded label and alternative labels


@dataclass(frozen=True)
class Hit:
    kind: str
    uri: str
    label: str
    code: str
    context: str


class SearchIndex:
    def __init__(self, rows: list[dict[str, str]]) -> None:
        """From the rows of `release/search_index.py`'s query (one per name of each thing)."""
        entries: dict[str, Entry] = {}
        for row in rows:
            entry = entries.get(row["item"])
            if entry is None:
                entry = entries[row["item"]] = Entry(row["kind"], row["item"], row["label"], row.get("code", ""),
                                                     row.get("context", ""), {fold(row["label"])})
            if "alt" in row:
                entry.names.add(fold(row["alt"]))
        order = {kind: i for i, kind in enumerate(KINDS)}
        self.entries = sorted(entries.values(), key=lambda e: (order.get(e.kind, 9), fold(e.label), e.uri))
        # one string per entry, to find candidates with a C-speed substring test
        self.haystacks = ["\n".join(e.names) for e in self.entries]
        self.codes = [e.code.upper() for e in self.entries]

    def search(self, query: str) -> tuple[list[Hit], int]:
        """(the best MAX_RESULTS hits, how many matched). Every word of the query must appear
        in one name (or the query is a code's beginning); exact names and codes come first."""
        folded = fold(query[:MAX_QUERY])
        if not folded:
            return [], 0
        words = folded.split()
        code = query.strip().upper().replace(" ", "")
        first = max(words, key=len)
        candidates = {i for i, haystack in enumerate(self.haystacks) if first in haystack}
        if len(code) >= 2:
            candidates.update(i for i, c in enumerate(self.codes) if c.startswith(code))
        scored = []
        for rank in candidates:
            entry = self.entries[rank]
            score = _score(entry, folded, words, code)
            if score is not None:
                scored.append((score, rank, entry))
        scored.sort(key=lambda s: (s[0], s[1]))
        hits = [Hit(e.kind, e.uri, e.label, e.code, e.context) for _, _, e in scored[:MAX_RESULTS]]
        return hits, len(scored)


def _score(entry: Entry, folded: str, words: list[str], code: str) -> int | None:
    """0 exact code, 1 exact name, 2 name starting with the query, 3 code prefix, 4 words found."""
    if code and entry.code.upper() == code:
        return 0
    best = None
    for name in entry.names:
        if name == folded:
            return 1
        if name.startswith(folded):
            best = 2
        elif best is None and all(word in name for word in words):
            best = 4
    if best is None and len(code) >= 2 and entry.code.upper().startswith(code):
        best = 3
    return best
