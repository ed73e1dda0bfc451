"""Horizontal bar charts drawn on the server as inline SVG: no script, no
CDN, so they show on a provincial intranet and on a cheap phone.

A chart compares two series (supply and demand) for rows of one unit; the
geometry is worked out here and templates/admin/_chart.html draws it. The
numbers are also in a table under every chart, for screen readers and for
anyone who wants the exact figure.
"""
from __future__ import annotations

from dataclasses import dataclass

WIDTH = 340          # viewBox units; the SVG scales to the width of the page
LABEL_HEIGHT = 18    # a row's label sits above its bars
BAR_HEIGHT = 14
BAR_GAP = 3
ROW_GAP = 10
BAR_SPACE = 240      # the longest bar; the rest of the width holds its value
TOP = 4


@dataclass(frozen=True)
class Bar:
    series: str        # "supply" or "demand"
    value: int
    text: str          # the value as the page writes it
    y: float
    width: float       # 0 stays a hairline, so a zero is seen, not missed


@dataclass(frozen=True)
class ChartRow:
    label: str
    label_y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    unit: str
    height: float
    rows: tuple[ChartRow, ...]

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT


def bar_width(value: int, largest: int) -> float:
    if largest <= 0 or value <= 0:
        return 1.0
    return max(round(BAR_SPACE * value / largest, 1), 1.0)


def bar_chart(chart_id: str, title: str, description: str, unit: str,
              rows: list[tuple[str, int, int]], number=str) -> Chart:
    """``rows`` are (label, supply, demand) in one unit; ``number`` writes a value."""
    largest = max((max(supply, demand) for _label, supply, demand in rows), default=0)
    drawn, y = [], float(TOP)
    for label, supply, demand in rows:
        label_y = y + LABEL_HEIGHT - 5
        y += LABEL_HEIGHT
        bars = []
        for series, value in (("supply", supply), ("demand", demand)):
            bars.append(Bar(series, value, number(value), y, bar_width(value, largest)))
            y += BAR_HEIGHT + BAR_GAP
        drawn.append(ChartRow(label, label_y, tuple(bars)))
        y += ROW_GAP
    return Chart(chart_id, title, description, unit, y, tuple(drawn))
