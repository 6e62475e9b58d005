"""Charts drawn on the server as SVG markup.

The Content-Security-Policy forbids inline styles and scripts, so every colour and
line is a presentation attribute (fill, stroke), never a style attribute."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

from django.utils.safestring import SafeString, mark_safe

SCALE = 5  # levels run from 1 to 5; the centre is 0
WIDTH = 560
CENTRE_X, CENTRE_Y = 280, 215
RADIUS = 150
LEGEND_TOP = 410
LEGEND_ROW = 24
TEXT = "#212529"  # Bootstrap's body colour
GRID = "#6c757d"  # Bootstrap's secondary grey: 4.7:1 on white, enough for the ring numbers
# Blue and orange stay apart for most colour-blind readers; the second polygon is
# dashed as well, so the chart does not rely on colour alone.
PALETTE = [("#0b5394", ""), ("#b35900", "6 4"), ("#2e7d32", "2 3")]


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per axis; None where there is no value


def radar_chart(*, chart_id: str, title: str, axes: Sequence[str], series: Sequence[Series]) -> SafeString:
    """An SVG radar chart: one axis per label, rings 0–5, one polygon per series."""
    height = LEGEND_TOP + LEGEND_ROW * len(series)
    svg = svg_root(
        chart_id=chart_id,
        css_class="radar-chart",
        width=WIDTH,
        height=height,
        title=title,
        desc=describe(axes, series),
    )
    _draw_grid(svg, axes)
    for index, one in enumerate(series):
        _draw_series(svg, axes, one, index)
        _draw_legend_row(svg, one, index)
    return svg_markup(svg)


def svg_root(*, chart_id: str, css_class: str, width: int, height: int, title: str, desc: str) -> Element:
    """An accessible <svg> element: role="img", labelled by its <title>, described by its <desc>."""
    svg = Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {width} {height}",
            "width": "100%",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title",
            "aria-describedby": f"{chart_id}-desc",
            "id": chart_id,
            "class": css_class,
            "font-family": "system-ui, sans-serif",
        },
    )
    SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = desc
    return svg


def svg_markup(svg: Element) -> SafeString:
    """The chart as markup for a template."""
    return mark_safe(tostring(svg, encoding="unicode"))  # noqa: S308 - ElementTree escaped every text and attribute


def describe(axes: Sequence[str], series: Sequence[Series]) -> str:
    """The chart's figures in words, for its <desc>."""
    parts = [f"Levels from 0 at the centre to {SCALE} at the outer ring, one axis per department."]
    for one in series:
        figures = ", ".join(
            f"{axis} {level_text(value)}" for axis, value in zip(axes, one.values, strict=True)
        )
        parts.append(f"{one.label}: {figures}.")
    return " ".join(parts)


def level_text(value: float | None) -> str:
    return "no value" if value is None else f"{value:.1f}"


def _point(axis: int, count: int, level: float) -> tuple[float, float]:
    # The first axis points straight up; the others follow clockwise.
    angle = -math.pi / 2 + 2 * math.pi * axis / count
    distance = RADIUS * level / SCALE
    return CENTRE_X + distance * math.cos(angle), CENTRE_Y + distance * math.sin(angle)


def _coords(x: float, y: float) -> str:
    return f"{x:.1f},{y:.1f}"


def _draw_grid(svg: Element, axes: Sequence[str]) -> None:
    count = len(axes)
    grid = SubElement(svg, "g", {"stroke": GRID, "stroke-width": "1", "fill": "none"})
    # Rings are paths, so the only polygons in the chart are the series.
    for ring in range(1, SCALE + 1):
        corners = [_coords(*_point(axis, count, ring)) for axis in range(count)]
        SubElement(grid, "path", {"d": "M" + " L".join(corners) + " Z", "stroke-opacity": "0.5"})
    for axis in range(count):
        x, y = _point(axis, count, SCALE)
        SubElement(
            grid, "line", {"x1": str(CENTRE_X), "y1": str(CENTRE_Y), "x2": f"{x:.1f}", "y2": f"{y:.1f}"}
        )
    numbers = SubElement(svg, "g", {"fill": GRID, "font-size": "11"})
    for ring in range(1, SCALE + 1):
        _, y = _point(0, count, ring)
        SubElement(numbers, "text", {"x": str(CENTRE_X + 4), "y": f"{y + 12:.1f}"}).text = str(ring)
    labels = SubElement(svg, "g", {"fill": TEXT, "font-size": "13"})
    for axis, label in enumerate(axes):
        x, y = _point(axis, count, SCALE + 0.5)
        dx, dy = x - CENTRE_X, y - CENTRE_Y
        anchor = "middle" if abs(dx) < RADIUS * 0.2 else ("start" if dx > 0 else "end")
        # Keep labels clear of the outer ring: above it at the top, below it at the bottom.
        baseline = y - 2 if dy < -RADIUS * 0.6 else (y + 12 if dy > RADIUS * 0.6 else y + 4)
        SubElement(
            labels, "text", {"x": f"{x:.1f}", "y": f"{baseline:.1f}", "text-anchor": anchor}
        ).text = label


def _draw_series(svg: Element, axes: Sequence[str], series: Series, index: int) -> None:
    colour, dashes = PALETTE[index % len(PALETTE)]
    count = len(axes)
    # A department without a value sits at the centre; its marker is left out.
    points = [_point(axis, count, value or 0) for axis, value in enumerate(series.values)]
    group = SubElement(svg, "g", {"class": "radar-series"})
    attributes = {
        "points": " ".join(_coords(x, y) for x, y in points),
        "fill": colour,
        "fill-opacity": "0.15",
        "stroke": colour,
        "stroke-width": "2.5",
        "stroke-linejoin": "round",
    }
    if dashes:
        attributes["stroke-dasharray"] = dashes
    polygon = SubElement(group, "polygon", attributes)
    SubElement(polygon, "title").text = series.label
    for (x, y), axis, value in zip(points, axes, series.values, strict=True):
        if value is not None:
            marker = SubElement(
                group, "circle", {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": "3.5", "fill": colour}
            )
            SubElement(marker, "title").text = f"{series.label}, {axis}: {level_text(value)}"


def _draw_legend_row(svg: Element, series: Series, index: int) -> None:
    colour, dashes = PALETTE[index % len(PALETTE)]
    y = LEGEND_TOP + LEGEND_ROW * index
    line = {"x1": "40", "y1": str(y), "x2": "76", "y2": str(y), "stroke": colour, "stroke-width": "3"}
    if dashes:
        line["stroke-dasharray"] = dashes
    SubElement(svg, "line", line)
    SubElement(svg, "text", {"x": "86", "y": str(y + 4), "fill": TEXT, "font-size": "13"}).text = series.label
