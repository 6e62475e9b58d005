"""The follow-up chart: for each objective's metric, the baseline, the target, and the actual value measured
at each follow-up, drawn on the server as SVG (one small panel per metric).

As in businesses/charts.py, every colour and line is a presentation attribute, never a style attribute
(the Content-Security-Policy forbids inline styles); the page puts a table of the same figures beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement

from django.utils.safestring import SafeString

from businesses.charts import GRID, TEXT, svg_markup, svg_root

WIDTH = 640
LEGEND_HEIGHT = 40
PANEL_HEIGHT = 200
PLOT_LEFT, PLOT_RIGHT = 80, 490  # the x range of the points; the target's label sits right of it
PLOT_TOP, PLOT_BOTTOM = 48, 150  # inside a panel
ACTUAL = "#0b5394"
# The target is orange and dashed, the actuals blue and solid: the chart does not rely on colour alone.
TARGET, TARGET_DASHES = "#b35900", "6 4"


@dataclass(frozen=True)
class MetricSeries:
    """One objective's metric: where it started, where it should get to, and what each follow-up measured."""

    metric: str
    baseline: Decimal
    target: Decimal
    actuals: Sequence[tuple[str, Decimal | None]]  # (label, value) per follow-up; None: not recorded


def number(value: Decimal) -> str:
    """A figure the way people write it: 1,250, 12.5, 7."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def follow_up_chart(*, chart_id: str, title: str, series: Sequence[MetricSeries]) -> SafeString:
    """An SVG with one panel per metric: baseline then each follow-up along x, the target as a dashed line."""
    height = LEGEND_HEIGHT + PANEL_HEIGHT * len(series)
    svg = svg_root(
        chart_id=chart_id,
        css_class="follow-up-chart",
        width=WIDTH,
        height=height,
        title=title,
        desc=describe(series),
    )
    _draw_legend(svg)
    for index, one in enumerate(series):
        panel = SubElement(
            svg, "g", {"transform": f"translate(0 {LEGEND_HEIGHT + PANEL_HEIGHT * index})", "class": "metric"}
        )
        _draw_panel(panel, one)
    return svg_markup(svg)


def describe(series: Sequence[MetricSeries]) -> str:
    """The chart's figures in words, for its <desc>."""
    parts = []
    for one in series:
        measured = ", ".join(
            f"{label} {'not recorded' if value is None else number(value)}" for label, value in one.actuals
        )
        parts.append(
            f"{one.metric}: baseline {number(one.baseline)}, target {number(one.target)}; {measured}."
        )
    return " ".join(parts)


def _draw_legend(svg: Element) -> None:
    legend = SubElement(svg, "g", {"font-size": "13", "fill": TEXT})
    SubElement(
        legend,
        "line",
        {"x1": "20", "y1": "20", "x2": "56", "y2": "20", "stroke": ACTUAL, "stroke-width": "3"},
    )
    SubElement(legend, "text", {"x": "64", "y": "24"}).text = "Measured (from the baseline)"
    SubElement(
        legend,
        "line",
        {
            "x1": "300",
            "y1": "20",
            "x2": "336",
            "y2": "20",
            "stroke": TARGET,
            "stroke-width": "3",
            "stroke-dasharray": TARGET_DASHES,
        },
    )
    SubElement(legend, "text", {"x": "344", "y": "24"}).text = "Target"


def _scale(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """The y axis's bottom and top: every value inside, with a margin so no point sits on the edge."""
    low, high = min(values), max(values)
    margin = (high - low) / 10 or abs(high) / 10 or Decimal(1)
    return low - margin, high + margin


def _draw_panel(panel: Element, series: MetricSeries) -> None:
    SubElement(
        panel, "text", {"x": "20", "y": "26", "fill": TEXT, "font-size": "14", "font-weight": "600"}
    ).text = series.metric
    labels = ["Baseline", *(label for label, _ in series.actuals)]
    values: list[Decimal | None] = [series.baseline, *(value for _, value in series.actuals)]
    known = [value for value in values if value is not None]
    bottom, top = _scale([*known, series.target])

    def x_of(index: int) -> float:
        return PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * index / max(len(labels) - 1, 1)

    def y_of(value: Decimal) -> float:
        return PLOT_BOTTOM - float((value - bottom) / (top - bottom)) * (PLOT_BOTTOM - PLOT_TOP)

    # The axis and the x labels.
    SubElement(
        panel,
        "line",
        {"x1": "20", "y1": str(PLOT_BOTTOM), "x2": str(WIDTH - 20), "y2": str(PLOT_BOTTOM), "stroke": GRID},
    )
    axis = SubElement(panel, "g", {"fill": TEXT, "font-size": "12", "text-anchor": "middle"})
    for index, label in enumerate(labels):
        SubElement(axis, "text", {"x": f"{x_of(index):.1f}", "y": str(PLOT_BOTTOM + 20)}).text = label

    # The target: a dashed line across the panel, named at its right end.
    target_y = y = y_of(series.target)
    target = SubElement(
        panel,
        "line",
        {
            "x1": "20",
            "y1": f"{y:.1f}",
            "x2": str(PLOT_RIGHT + 40),
            "y2": f"{y:.1f}",
            "stroke": TARGET,
            "stroke-width": "2",
            "stroke-dasharray": TARGET_DASHES,
        },
    )
    SubElement(target, "title").text = f"Target: {number(series.target)}"
    SubElement(
        panel, "text", {"x": str(PLOT_RIGHT + 48), "y": f"{y + 4:.1f}", "fill": TEXT, "font-size": "12"}
    ).text = f"Target {number(series.target)}"

    # The measured values: a line through those recorded, a labelled dot on each; "not yet" for the others.
    points = [(x_of(index), y_of(value)) for index, value in enumerate(values) if value is not None]
    if len(points) > 1:
        SubElement(
            panel,
            "polyline",
            {
                "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
                "fill": "none",
                "stroke": ACTUAL,
                "stroke-width": "2.5",
                "stroke-linejoin": "round",
            },
        )
    marks = SubElement(panel, "g", {"fill": ACTUAL, "font-size": "12", "text-anchor": "middle"})
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = x_of(index)
        if value is None:
            # Under the axis label, clear of the target line wherever it runs.
            SubElement(
                marks, "text", {"x": f"{x:.1f}", "y": str(PLOT_BOTTOM + 36), "fill": GRID}
            ).text = "not yet"
            continue
        y = y_of(value)
        dot = SubElement(marks, "circle", {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": "4.5"})
        SubElement(dot, "title").text = f"{series.metric}, {label}: {number(value)}"
        # The figure sits above its dot, or below it where the target line runs just above.
        above = y - 9
        label_y = y + 20 if target_y - 2 <= above <= target_y + 14 else above
        SubElement(marks, "text", {"x": f"{x:.1f}", "y": f"{label_y:.1f}", "fill": TEXT}).text = number(value)
