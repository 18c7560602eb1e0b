"""Bar charts drawn on the server as inline SVG: no script, no external asset, no font file.

``bar_chart`` returns markup that is safe to put into a page as is (every text is escaped):
an ``<svg role="img">`` labelled by its ``<title>`` and described by its ``<desc>``; the
page shows the same numbers as a table next to it (the accessible alternative).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[int, ...]
    #: fill colour; with the stroke it keeps 3:1 against white (WCAG 1.4.11)
    colour: str


def _nice_top(peak: int) -> int:
    """The axis maximum: the peak rounded up to 1, 2, 5 × 10^n (at least 1)."""
    if peak <= 1:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if peak <= m * step:
                return m * step
        step *= 10


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    tick_every: int = 5,
    width: int = 720,
    height: int = 240,
) -> Markup:
    """Grouped bars, one group per label (a day), one bar per series; a y axis with 0 and the
    maximum, an x label every ``tick_every`` groups, and a legend. Scales to its container
    (``viewBox``, width 100 %)."""
    left, right, top, bottom = 36, 8, 28, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    groups = max(len(labels), 1)
    slot = plot_w / groups
    bar_w = max(1.0, (slot - 2) / max(len(series), 1))
    top_value = _nice_top(max((v for s in series for v in s.values), default=0))
    out = [
        f'<svg id="{escape(chart_id)}" class="chart" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, Arial, sans-serif" '
        f'font-size="11">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    # axis and grid: 0, half and the maximum
    for fraction in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - fraction)
        value = top_value * fraction
        text = f"{value:g}" if fraction in (0.0, 1.0) or value == int(value) else ""
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{"#595959" if fraction == 0 else "#d0d0d0"}" stroke-width="1"/>'
        )
        if text:
            out.append(
                f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#1a1a1a">'
                f"{escape(text)}</text>"
            )
    for i, label in enumerate(labels):
        x0 = left + i * slot + 1
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else 0
            if value <= 0:
                continue
            h = plot_h * value / top_value
            x = x0 + j * bar_w
            out.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{escape(s.colour)}"/>'
            )
        if i % tick_every == 0 or i == len(labels) - 1:
            out.append(
                f'<text x="{x0 + slot / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                f'fill="#1a1a1a">{escape(label)}</text>'
            )
    # legend
    x = left
    for s in series:
        out.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{escape(s.colour)}"/>')
        out.append(f'<text x="{x + 16}" y="16" fill="#1a1a1a">{escape(s.label)}</text>')
        x += 24 + 7 * len(s.label)
    out.append("</svg>")
    return Markup("\n".join(out))
