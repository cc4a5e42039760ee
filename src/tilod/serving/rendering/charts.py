"""Horizontal bar charts as inline SVG, drawn on the server (no script, no chart library).

Used by the SPARQL results page for aggregate results: one bar a row, labelled with the
row's label, its value written at the end of the bar. Every text goes through `escape`.

>>> svg = bar_chart([("Grand Est", 26.0), ("<b>", 3.0)], "Territoires", "c1", "fr")
>>> svg.count("<rect"), "&lt;b&gt;" in svg, 'aria-labelledby="c1"' in svg
(2, True, True)
"""

from __future__ import annotations

from markupsafe import Markup, escape

from tilod.serving.i18n import format_number

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 260  # room for a région's or a territory's name
BAR_WIDTH = 380
VALUE_WIDTH = 110
MAX_LABEL_CHARS = 40


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _number(value: float, lang: str) -> str:
    if value == int(value) and abs(value) < 1e15:
        return format_number(int(value), lang)
    return f"{value:.2f}".replace(".", "," if lang == "fr" else ".")


def bar_chart(bars: list[tuple[str, float]], title: str, element_id: str, lang: str) -> Markup:
    """An accessible SVG bar chart (`role="img"`, a `<title>`); negative values draw as 0."""
    top = max((value for _, value in bars), default=0.0)
    scale = BAR_WIDTH / top if top > 0 else 0.0
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graphique" role="img" '
        f'aria-labelledby="{escape(element_id)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f'<title id="{escape(element_id)}">{escape(title)}</title>',
    ]
    for i, (label, value) in enumerate(bars):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = max(value, 0.0) * scale
        middle = y + BAR_HEIGHT / 2
        parts.append(
            f'<g><text x="{LABEL_WIDTH - 8}" y="{middle:.1f}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(_short(label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}"><title>'
            f"{escape(label)} : {escape(_number(value, lang))}</title></rect>"
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{middle:.1f}" dominant-baseline="middle">'
            f"{escape(_number(value, lang))}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above is escaped
