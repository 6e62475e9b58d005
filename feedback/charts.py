"""The internship's progress chart: each objective's progress (1–5) week by week, as SVG markup.

Drawn the house way (businesses/charts.py): presentation attributes, never a style attribute (the
Content-Security-Policy forbids inline styles), role="img" with a <title> and a <desc> that gives the
figures in words; the page shows a table of the same figures beside it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.etree.ElementTree import Element, SubElement

from django.utils.safestring import SafeString

from businesses.charts import GRID, TEXT, Series, svg_markup, svg_root
from businesses.charts import PALETTE as RADAR_PALETTE

LOW, HIGH = 1, 5  # progress runs from 1 to 5
WIDTH = 560
LEFT, RIGHT, TOP = 56, 16, 16
PLOT_HEIGHT = 200
AXIS_LABELS = TOP + PLOT_HEIGHT + 20
AXIS_TITLE = AXIS_LABELS + 22
LEGEND_TOP = AXIS_TITLE + 30
LEGEND_ROW = 24
LEGEND_CHARACTERS = 64  # a longer title is shortened in the legend; its <title> and the table keep it whole
MOST_WEEK_LABELS = 12
# Blue, orange and green as in businesses/charts.py, then purple and red; each line has its own dashes
# as well, so the chart does not rely on colour alone. All reach 3:1 on white (WCAG, graphics).
PALETTE = [*RADAR_PALETTE, ("#6a1b9a", "10 3 2 3"), ("#c62828", "1 5")]


def progress_chart(
    *, chart_id: str, title: str, weeks: Sequence[int], series: Sequence[Series]
) -> SafeString:
    """An SVG line chart: weeks along, progress 1–5 up, one line per objective (gaps where no report)."""
    height = LEGEND_TOP + LEGEND_ROW * len(series)
    svg = svg_root(
        chart_id=chart_id,
        css_class="progress-chart",
        width=WIDTH,
        height=height,
        title=title,
        desc=describe(weeks, series),
    )
    _draw_axes(svg, weeks)
    for index, one in enumerate(series):
        _draw_series(svg, weeks, one, index)
        _draw_legend_row(svg, one, index)
    return svg_markup(svg)


def describe(weeks: Sequence[int], series: Sequence[Series]) -> str:
    """The chart's figures in words, for its <desc>."""
    parts = [f"Progress from {LOW} to {HIGH} as the intern reported it, week by week."]
    for one in series:
        figures = ", ".join(
            f"week {week} {'no report' if value is None else f'{value:g}'}"
            for week, value in zip(weeks, one.values, strict=True)
        )
        parts.append(f"{one.label}: {figures}.")
    return " ".join(parts)


def _x(index: int, count: int) -> float:
    # Each week owns an equal slot; its point sits in the slot's middle (one week: the centre).
    slot = (WIDTH - LEFT - RIGHT) / max(count, 1)
    return LEFT + slot * (index + 0.5)


def _y(level: float) -> float:
    return TOP + PLOT_HEIGHT * (HIGH - level) / (HIGH - LOW)


def _draw_axes(svg: Element, weeks: Sequence[int]) -> None:
    grid = SubElement(svg, "g", {"stroke": GRID, "stroke-width": "1"})
    numbers = SubElement(svg, "g", {"fill": GRID, "font-size": "12", "text-anchor": "end"})
    for level in range(LOW, HIGH + 1):
        y = f"{_y(level):.1f}"
        SubElement(
            grid,
            "line",
            {"x1": str(LEFT), "y1": y, "x2": str(WIDTH - RIGHT), "y2": y, "stroke-opacity": "0.35"},
        )
        SubElement(numbers, "text", {"x": str(LEFT - 10), "y": f"{_y(level) + 4:.1f}"}).text = str(level)
    # A long internship would crowd its week numbers: every n-th is labelled, always the first.
    step = math.ceil(len(weeks) / MOST_WEEK_LABELS) if weeks else 1
    labels = SubElement(svg, "g", {"fill": TEXT, "font-size": "12", "text-anchor": "middle"})
    for index, week in enumerate(weeks):
        if index % step == 0:
            x = _x(index, len(weeks))
            SubElement(labels, "text", {"x": f"{x:.1f}", "y": str(AXIS_LABELS)}).text = str(week)
    axis = {"fill": TEXT, "font-size": "13", "text-anchor": "middle"}
    middle = LEFT + (WIDTH - LEFT - RIGHT) / 2
    SubElement(svg, "text", {**axis, "x": f"{middle:.1f}", "y": str(AXIS_TITLE)}).text = "Week"
    vertical = {
        **axis,
        "x": "0",
        "y": "0",
        "transform": f"translate(16 {TOP + PLOT_HEIGHT / 2:.1f}) rotate(-90)",
    }
    SubElement(svg, "text", vertical).text = f"Progress ({LOW}–{HIGH})"


def _runs(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Consecutive points, split where a week has no report: a missing week is a gap, not a guess."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _draw_series(svg: Element, weeks: Sequence[int], series: Series, index: int) -> None:
    colour, dashes = PALETTE[index % len(PALETTE)]
    count = len(weeks)
    points = [
        None if value is None else (_x(position, count), _y(value))
        for position, value in enumerate(series.values)
    ]
    group = SubElement(svg, "g", {"class": "progress-series"})
    SubElement(group, "title").text = series.label
    for run in _runs(points):
        if len(run) < 2:
            continue
        line = {
            "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in run),
            "fill": "none",
            "stroke": colour,
            "stroke-width": "2.5",
            "stroke-linejoin": "round",
        }
        if dashes:
            line["stroke-dasharray"] = dashes
        SubElement(group, "polyline", line)
    for point, week, value in zip(points, weeks, series.values, strict=True):
        if point is not None and value is not None:
            marker = SubElement(
                group, "circle", {"cx": f"{point[0]:.1f}", "cy": f"{point[1]:.1f}", "r": "4", "fill": colour}
            )
            SubElement(marker, "title").text = f"{series.label}, week {week}: {value:g} of {HIGH}"


def _draw_legend_row(svg: Element, series: Series, index: int) -> None:
    colour, dashes = PALETTE[index % len(PALETTE)]
    y = LEGEND_TOP + LEGEND_ROW * index
    line = {"x1": "16", "y1": str(y), "x2": "52", "y2": str(y), "stroke": colour, "stroke-width": "3"}
    if dashes:
        line["stroke-dasharray"] = dashes
    SubElement(svg, "line", line)
    label = series.label
    if len(label) > LEGEND_CHARACTERS:
        label = label[: LEGEND_CHARACTERS - 1].rstrip() + "…"
    SubElement(svg, "text", {"x": "62", "y": str(y + 4), "fill": TEXT, "font-size": "13"}).text = label
