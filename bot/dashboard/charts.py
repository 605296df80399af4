"""Charts as inline SVG, drawn on the server: no script, nothing to download,
readable at any width (a ``viewBox`` that scales), and every label escaped.

Each chart has a ``<title>`` and ``role="img"`` with an ``aria-label``, and
the pages print the same numbers in a table beside it.
"""

from __future__ import annotations

from html import escape
from typing import Dict, List, Sequence, Tuple

WIDTH = 640
ROW = 30
LABEL_WIDTH = 230
PALETTE = {"cql": "#2f4bd8", "nurture": "#3b9c6e", "disqualified": "#b42318", "support": "#8a5300", "new": "#6b7280"}


def _svg(height: int, label: str, body: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label, quote=True)}" '
        f'preserveAspectRatio="xMinYMin meet"><title>{escape(label)}</title>{body}</svg>'
    )


def horizontal_bars(label: str, rows: Sequence[Tuple[str, float, str]], marks: Sequence[float] | None = None) -> str:
    """One bar per row: (name, value, text shown after the bar). ``marks``
    draws a tick per row (e.g. a fair share) on the same scale."""
    top = max([value for _, value, _ in rows] + list(marks or []) + [1])
    span = WIDTH - LABEL_WIDTH - 110
    parts: List[str] = []
    for index, (name, value, note) in enumerate(rows):
        y = index * ROW + 6
        width = span * value / top
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" class="label">{escape(name[:34])}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="20" rx="3" class="bar"/>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 15}" class="value">{escape(note)}</text>'
        )
        if marks is not None:
            x = LABEL_WIDTH + span * marks[index] / top
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 3}" y2="{y + 23}" class="mark"/>')
    return _svg(max(ROW, len(rows) * ROW + 8), label, "".join(parts))


def stacked_columns(label: str, columns: Sequence[str], series: Dict[str, Sequence[int]]) -> str:
    """Columns (e.g. score bands) stacked by series (e.g. tiers), with a legend."""
    height, base, left = 220, 180, 30
    totals = [sum(values[i] for values in series.values()) for i in range(len(columns))]
    top = max(totals + [1])
    step = (WIDTH - left - 10) / max(1, len(columns))
    parts: List[str] = []
    for i, column in enumerate(columns):
        x, y = left + i * step + 4, float(base)
        for name, values in series.items():
            h = (base - 20) * values[i] / top
            if h > 0:
                y -= h
                colour = PALETTE.get(name, "#6b7280")
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{step - 8:.1f}" height="{h:.1f}" fill="{colour}">'
                    f"<title>{escape(name)} {escape(column)}: {values[i]}</title></rect>"
                )
        parts.append(
            f'<text x="{x + (step - 8) / 2:.1f}" y="{base + 16}" text-anchor="middle" class="tick">{escape(column)}</text>'
        )
        if totals[i]:
            parts.append(
                f'<text x="{x + (step - 8) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" class="value">{totals[i]}</text>'
            )
    for n, name in enumerate(series):
        colour = PALETTE.get(name, "#6b7280")
        parts.append(
            f'<rect x="{left + n * 130}" y="{height - 14}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + n * 130 + 16}" y="{height - 4}" class="label">{escape(name)}</text>'
        )
    return _svg(height, label, "".join(parts))
