"""The chart of a city's progress, drawn on the server as SVG (no script, nothing fetched).

One row per process (and one for the overall score), a horizontal axis of scores from 0 to 100,
and in each row one marker per assessment, joined by a line from the lowest to the highest: how
far each process moved between assessments. Markers differ in shape as well as colour, so the
chart does not rely on colour alone; each has a ``<title>`` (its process, date and score), and
the whole a ``<title>`` and ``<desc>`` named by ``aria-labelledby``. The page's table gives the
same figures as text.

>>> svg = chart("Progress", [("G1", "G1 Leadership", [10.0, 60.0])], ["2024-01-01", "2025-01-01"])
>>> svg.count("<title>G1 Leadership, 2025-01-01: 60.0</title>")
1
"""

from __future__ import annotations

from html import escape

#: marker colours (contrast of 3:1 or more on white) and shapes, taken in turn per assessment
COLOURS = ("#1f5fa8", "#b3261e", "#1b7a3a", "#7a4ab0", "#8a5a00", "#00707a")
SHAPES = ("circle", "square", "triangle", "diamond")
LEFT, RIGHT, TOP, ROW = 64, 24, 56, 20
WIDTH = 640
PLOT = WIDTH - LEFT - RIGHT
#: the width allowed per character of 11-pixel sans-serif (its digits are 6.1 pixels wide),
#: the height of a legend line, and the longest label a legend entry shows whole
CHAR, LINE = 7.0, 18
LONGEST = int((PLOT - 24) / CHAR)


def _x(score: float) -> float:
    """The horizontal position of ``score`` (0-100)."""
    return LEFT + PLOT * max(0.0, min(100.0, score)) / 100


def marker(index: int, x: float, y: float, size: float = 5.0) -> str:
    """The marker of assessment ``index`` centred on (x, y): its shape and colour."""
    colour = COLOURS[index % len(COLOURS)]
    shape = SHAPES[index % len(SHAPES)]
    style = f'fill="{colour}" stroke="#ffffff" stroke-width="1"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" {style}/>'
    if shape == "square":
        s = size * 0.9
        return f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" {style}/>'
    if shape == "triangle":
        pts = [
            (x, y - size * 1.1),
            (x + size * 1.1, y + size * 0.8),
            (x - size * 1.1, y + size * 0.8),
        ]
    else:
        pts = [(x, y - size * 1.2), (x + size * 1.2, y), (x, y + size * 1.2), (x - size * 1.2, y)]
    points = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
    return f'<polygon points="{points}" {style}/>'


def chart(title: str, rows: list[tuple[str, str, list[float | None]]], dates: list[str]) -> str:
    """The SVG: ``rows`` are (short label, full name, score per assessment or None), ``dates``
    the assessments' dates in the same order. However many assessments there are, the legend
    wraps onto as many lines as it needs (a label too long for a line is cut, ending in …; the
    markers' titles and the table give it whole), and the chart grows to hold them."""
    legend, lines = _legend(dates)
    top = TOP + LINE * (lines - 1)
    height = top + ROW * len(rows) + 28
    desc = (
        f"Score from 0 to 100 of each process in each of the {len(dates)} assessments "
        f"({', '.join(dates)}); each assessment is a marker of its own shape and colour, "
        "joined by a line from the lowest score to the highest. The table gives the same figures."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
        f'aria-labelledby="timeline-title timeline-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="11">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<desc id="timeline-desc">{escape(desc)}</desc>',
    ]
    out += legend
    out += _axis(top, height)
    for i, (label, name, scores) in enumerate(rows):
        y = top + ROW * i + ROW / 2
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>')
        known = [s for s in scores if s is not None]
        if len(known) > 1:
            out.append(
                f'<line x1="{_x(min(known)):.1f}" y1="{y:.1f}" x2="{_x(max(known)):.1f}" '
                f'y2="{y:.1f}" stroke="#6b6b6b" stroke-width="2"/>'
            )
        for j, score in enumerate(scores):
            if score is not None:
                tip = f"{name}, {dates[j]}: {score:.1f}"
                # a little apart, so that equal scores do not hide each other
                dy = (j - (len(scores) - 1) / 2) * min(4.0, 10.0 / len(scores))
                out.append(
                    f'<g class="mark"><title>{escape(tip)}</title>'
                    f"{marker(j, _x(score), y + dy)}</g>"
                )
    out.append("</svg>")
    return "\n".join(out)


def _legend(dates: list[str]) -> tuple[list[str], int]:
    """The legend across the top, each assessment's marker and date, on as many lines as it
    takes (none past the plot's right edge); and the number of lines."""
    out = []
    x, line = float(LEFT), 0
    for j, date in enumerate(dates):
        label = date if len(date) <= LONGEST else date[: LONGEST - 1] + "…"
        width = 14 + CHAR * len(label)
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, line = float(LEFT), line + 1
        y = 20 + LINE * line
        out.append(marker(j, x + 5, y - 4))
        out.append(f'<text x="{x + 14:.1f}" y="{y}">{escape(label)}</text>')
        x += width + 10
    return out, line + 1


def _axis(top: int, height: int) -> list[str]:
    """The score axis: a grid line and a figure at 0, 25, 50, 75 and 100."""
    out = []
    bottom = height - 24
    for tick in (0, 25, 50, 75, 100):
        x = _x(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{bottom}" stroke="#d0d0d0"/>'
        )
        out.append(f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle">{tick}</text>')
    out.append(
        f'<text x="{LEFT + PLOT / 2:.1f}" y="{top - 14}" text-anchor="middle">score (0–100)</text>'
    )
    return out
