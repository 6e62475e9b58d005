"""The moderators' platform-health charts: one bar chart per figure, drawn on the server as SVG markup.

Drawn the house way (businesses/charts.py): presentation attributes, never a style attribute (the
Content-Security-Policy forbids inline styles), role="img" with a <title> and a <desc> that gives the
figures in words; the page shows a table of the same figures beside each chart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement

from django.utils.safestring import SafeString

from businesses.charts import GRID, TEXT, svg_markup, svg_root

WIDTH = 560
LEFT, RIGHT, TOP = 56, 16, 28
PLOT_HEIGHT = 180
BOTTOM = TOP + PLOT_HEIGHT
HEIGHT = BOTTOM + 40
BAR = "#0b5394"  # the house blue: 7.6:1 on white; each bar is named under it, so colour carries no meaning
BAR_SHARE = 0.6  # of its slot; the rest is the gap between bars
TICKS = 4


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: nothing to measure (no bar, "no data" in its place)
    text: str  # the figure as people read it: "3", "75% (3 of 4)"
    short: str = ""  # written above the bar where `text` is too long for it: "75%"


def scale_top(values: Sequence[float | None], *, percent: bool) -> float:
    """The top of the value axis: 100 for percentages, else a round number at or above the largest count."""
    if percent:
        return 100.0
    largest = max((value for value in values if value is not None), default=0.0)
    if largest <= TICKS:
        return float(TICKS)
    step = 10 ** math.floor(math.log10(largest / TICKS))
    for multiple in (1, 2, 2.5, 5, 10):
        if largest <= multiple * step * TICKS:
            return multiple * step * TICKS
    return largest  # not reached: 10 × step × TICKS is above `largest`


def bar_chart(
    *, chart_id: str, title: str, summary: str, bars: Sequence[Bar], percent: bool = False
) -> SafeString:
    """An SVG bar chart: one labelled bar per figure, its value written above it, gridlines up the side."""
    svg = svg_root(
        chart_id=chart_id,
        css_class="bar-chart",
        width=WIDTH,
        height=HEIGHT,
        title=title,
        desc=describe(summary, bars),
    )
    top = scale_top([bar.value for bar in bars], percent=percent)
    _draw_axis(svg, top, percent=percent)
    _draw_bars(svg, bars, top)
    return svg_markup(svg)


def describe(summary: str, bars: Sequence[Bar]) -> str:
    """The chart's figures in words, for its <desc>."""
    figures = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    return f"{summary} {figures}."


def _y(value: float, top: float) -> float:
    return BOTTOM - PLOT_HEIGHT * value / top


def _tick_text(value: float, *, percent: bool) -> str:
    return f"{value:g}%" if percent else f"{value:g}"


def _draw_axis(svg: Element, top: float, *, percent: bool) -> None:
    grid = SubElement(svg, "g", {"stroke": GRID, "stroke-width": "1"})
    numbers = SubElement(svg, "g", {"fill": GRID, "font-size": "12", "text-anchor": "end"})
    for tick in range(TICKS + 1):
        value = top * tick / TICKS
        y = _y(value, top)
        line = {"x1": str(LEFT), "y1": f"{y:.1f}", "x2": str(WIDTH - RIGHT), "y2": f"{y:.1f}"}
        if tick:
            line["stroke-opacity"] = "0.35"
        SubElement(grid, "line", line)
        SubElement(numbers, "text", {"x": str(LEFT - 8), "y": f"{y + 4:.1f}"}).text = _tick_text(
            value, percent=percent
        )


def _draw_bars(svg: Element, bars: Sequence[Bar], top: float) -> None:
    slot = (WIDTH - LEFT - RIGHT) / max(len(bars), 1)
    width = slot * BAR_SHARE
    group = SubElement(svg, "g", {"class": "bars", "font-size": "12", "text-anchor": "middle"})
    for index, bar in enumerate(bars):
        middle = LEFT + slot * (index + 0.5)
        SubElement(
            group, "text", {"x": f"{middle:.1f}", "y": str(BOTTOM + 20), "fill": TEXT}
        ).text = bar.label
        if bar.value is None:
            SubElement(
                group, "text", {"x": f"{middle:.1f}", "y": str(BOTTOM - 8), "fill": GRID}
            ).text = "no data"
            continue
        y = _y(min(bar.value, top), top)
        rect = SubElement(
            group,
            "rect",
            {
                "x": f"{middle - width / 2:.1f}",
                "y": f"{y:.1f}",
                "width": f"{width:.1f}",
                "height": f"{BOTTOM - y:.1f}",
                "fill": BAR,
            },
        )
        SubElement(rect, "title").text = f"{bar.label}: {bar.text}"
        SubElement(group, "text", {"x": f"{middle:.1f}", "y": f"{y - 6:.1f}", "fill": TEXT}).text = (
            bar.short or bar.text
        )
