"""A static picture of an exclusion zone (pure: no Django): the area's outline, or the circle
of its radius, with its size in metres, as an SVG the page shows beside the term. No map
tiles, so nothing leaves the machine and it works without JavaScript; the coordinates stay
in the term's text for anyone who needs them exactly.

Distances use a local flat projection (metres east and north of the zone's middle), which is
accurate enough at the scale of a town."""

from __future__ import annotations

import math
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from cairn.orders.rules import polygon_ring

SIZE = 240
PAD = 24
M_PER_DEGREE_LAT = 110_540.0
M_PER_DEGREE_LON = 111_320.0
FILL = "#d4351c"  # GOV.UK red: a zone to keep out of
INK = "#0b0c0c"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _metres(value: float) -> str:
    return f"{value / 1000:.1f} km" if value >= 2000 else f"{round(value)} m"


def _svg(svg_id: str, title: str, desc: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'width="{SIZE}" height="{SIZE}" class="cairn-fit" role="img" '
        f'focusable="false" aria-labelledby={quoteattr(svg_id + "-title")} '
        f"aria-describedby={quoteattr(svg_id + '-desc')}>"
        f"<title id={quoteattr(svg_id + '-title')}>{escape(title)}</title>"
        f"<desc id={quoteattr(svg_id + '-desc')}>{escape(desc)}</desc>"
        f'<rect x="0" y="0" width="{SIZE}" height="{SIZE}" fill="#f3f2f1"/>'
        + "".join(body)
        + "</svg>"
    )


def _label(x: float, y: float, words: str) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-family="sans-serif" font-size="12" '
        f'text-anchor="middle" fill="{INK}">{escape(words)}</text>'
    )


def zone_svg(
    svg_id: str,
    *,
    area: dict[str, Any] | None = None,
    centre_lat: float | None = None,
    centre_lon: float | None = None,
    radius_m: int | None = None,
) -> str:
    """The zone as an SVG, or "" when the term has no zone to draw."""
    title = "Shape of the exclusion zone"
    if area:
        try:
            ring = polygon_ring(area)
        except ValueError:
            return ""
        mid_lat = sum(lat for _, lat in ring[:-1]) / (len(ring) - 1)
        mid_lon = sum(lon for lon, _ in ring[:-1]) / (len(ring) - 1)
        east = M_PER_DEGREE_LON * math.cos(math.radians(mid_lat))
        points = [((lon - mid_lon) * east, (lat - mid_lat) * M_PER_DEGREE_LAT) for lon, lat in ring]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        width, height = max(xs) - min(xs), max(ys) - min(ys)
        scale = (SIZE - 2 * PAD) / max(width, height, 1.0)
        left = (SIZE - width * scale) / 2
        top = (SIZE - height * scale) / 2
        drawn = " ".join(
            f"{_n(left + (x - min(xs)) * scale)},{_n(top + (max(ys) - y) * scale)}"
            for x, y in points
        )
        desc = (
            f"An area with {len(ring) - 1} corners, about {_metres(width)} from west to "
            f"east and {_metres(height)} from south to north. North is up."
        )
        return _svg(
            svg_id,
            title,
            desc,
            [
                f'<polygon points="{drawn}" fill="{FILL}" fill-opacity="0.25" stroke="{FILL}" '
                'stroke-width="2"/>',
                _label(SIZE / 2, SIZE - 6, f"{_metres(width)} across"),
            ],
        )
    if centre_lat is not None and centre_lon is not None and radius_m:
        r = SIZE / 2 - PAD
        c = SIZE / 2
        desc = (
            f"A circle of radius {_metres(radius_m)} around latitude {centre_lat:.5f}, "
            f"longitude {centre_lon:.5f}."
        )
        return _svg(
            svg_id,
            title,
            desc,
            [
                f'<circle cx="{_n(c)}" cy="{_n(c)}" r="{_n(r)}" fill="{FILL}" fill-opacity="0.25" '
                f'stroke="{FILL}" stroke-width="2"/>',
                f'<circle cx="{_n(c)}" cy="{_n(c)}" r="3" fill="{INK}"/>',
                f'<line x1="{_n(c)}" y1="{_n(c)}" x2="{_n(c + r)}" y2="{_n(c)}" stroke="{INK}" '
                'stroke-width="1.5"/>',
                _label(c + r / 2, c - 6, _metres(radius_m)),
            ],
        )
    return ""
