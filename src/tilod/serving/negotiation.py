"""Content negotiation: parse an Accept header (RFC 9110 §12.5.1) and pick the best offer.

Rules: a media range's quality is its `q` (default 1, clamped to 0..1, `q=0` means "not
acceptable"); the most specific matching range decides an offer's quality (`text/turtle`
beats `text/*` beats `*/*`); ties go to the server's order of preference. Parameters other
than `q` (e.g. `charset=utf-8`) are ignored for matching. Malformed parts are skipped: a
broken header never causes an error, at worst it matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_ACCEPT_PARTS = 64  # a longer header is cut: its tail cannot change a sane choice


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """Specificity of the match (3 exact, 2 type/*, 1 */*), or 0 for no match."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 1 if self.subtype == "*" else 0
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges of an Accept header; an absent or empty header means `*/*`.

    >>> parse_accept("text/turtle;q=0.5, application/ld+json")
    [MediaRange(type='text', subtype='turtle', q=0.5), MediaRange(type='application', subtype='ld+json', q=1.0)]
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for part in header.split(",")[:MAX_ACCEPT_PARTS]:
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        main, slash, sub = media.partition("/")
        if not slash or not main or not sub or " " in media or (main == "*" and sub != "*"):
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0 if value.strip() else 1.0
                if q != q:  # NaN
                    q = 0.0
        ranges.append(MediaRange(main, sub, q))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The quality the client gives `media_type`: that of the most specific matching range."""
    best_specificity, best_q = 0, 0.0
    for r in ranges:
        specificity = r.matches(media_type)
        better = specificity > best_specificity or (specificity == best_specificity and r.q > best_q)
        if specificity and better:
            best_specificity, best_q = specificity, r.q
    return best_q


def negotiate(header: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers (server order breaks ties), or None if none is acceptable.

    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", ["text/turtle", "text/html"])
    'text/html'
    >>> negotiate("text/turtle;q=0, */*", ["text/turtle", "application/ld+json"])
    'application/ld+json'
    >>> negotiate("image/png", ["text/turtle"]) is None
    True
    """
    ranges = parse_accept(header)
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    return best
