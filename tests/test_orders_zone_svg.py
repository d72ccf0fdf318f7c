"""The exclusion zone's picture: an outline for an area, a circle for a radius, sizes in
words for screen readers, nothing for a term without a zone, and text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cairn.orders.zone_svg import zone_svg


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own SVG)


SVG = "{http://www.w3.org/2000/svg}"
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-2.25, 53.48], [-2.25, 53.49], [-2.235, 53.49], [-2.235, 53.48], [-2.25, 53.48]]
    ],
}


def test_an_area_is_drawn_as_its_outline_with_its_size():
    svg = parse(zone_svg("z1", area=SQUARE))
    assert svg.find(f"{SVG}polygon") is not None
    desc = svg.find(f"{SVG}desc").text
    # 0.015 degrees of longitude at 53.485 N is about 994 m; 0.01 of latitude about 1105 m.
    assert desc == (
        "An area with 4 corners, about 994 m from west to east and 1105 m from "
        "south to north. North is up."
    )
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "z1-title"


def test_a_circle_shows_its_radius():
    svg = parse(zone_svg("z2", centre_lat=53.4808, centre_lon=-2.2426, radius_m=2500))
    assert svg.find(f"{SVG}circle") is not None
    assert "2.5 km" in svg.find(f"{SVG}desc").text
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["2.5 km"]


def test_no_zone_no_picture():
    assert zone_svg("z3") == ""
    assert zone_svg("z4", radius_m=100) == ""  # a distance from the person, not a zone
    assert zone_svg("z5", area={"type": "Point"}) == ""


def test_the_id_is_escaped():
    svg = zone_svg('z"<', centre_lat=1.0, centre_lon=1.0, radius_m=10)
    assert parse(svg).get("aria-labelledby") == 'z"<-title'
