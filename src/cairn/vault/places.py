"""Where a position is, in words: the nearest town (issue 16, point 8).

Offline: ``reverse_geocode`` ships GeoNames' list of places with their positions (GeoNames,
CC-BY 4.0) and finds the nearest to a position without asking any server, so nothing about
her photos leaves the machine. Towns of at least 5,000 people are used; loading them takes
about a second and 40 MB the first time a process needs them.

``near_marked`` says whether a position is near a place she marked as hers in the account
review (``cairn.checks``: places written as an export gives them, "Leeds, England, GB"):
the nearest town's name must be one of the words of the mark, and the position within
``NEAR_KM`` of the town.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cairn.vault.revealing import Position

MIN_POPULATION = 5000
NEAR_KM = 25.0
CREDIT = "Place names: GeoNames (CC-BY 4.0)"


@dataclass(frozen=True)
class Place:
    town: str
    country: str
    country_code: str
    km: float  # from the position to the town's centre

    @property
    def words(self) -> str:
        return f"{self.town}, {self.country}" if self.country else self.town


def _km(a: Position, latitude: float, longitude: float) -> float:
    """Great-circle distance (haversine, mean Earth radius 6,371 km)."""
    phi1, phi2 = math.radians(a.latitude), math.radians(latitude)
    dphi = phi2 - phi1
    dlambda = math.radians(longitude - a.longitude)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def nearest(position: Position) -> Place:
    """The nearest town of at least ``MIN_POPULATION`` people."""
    # Imported here, not at the top: the places load on first use, and most processes never
    # need them.
    import reverse_geocode

    found = reverse_geocode.get(
        (position.latitude, position.longitude), min_population=MIN_POPULATION
    )
    return Place(
        town=str(found.get("city", "")),
        country=str(found.get("country", "")),
        country_code=str(found.get("country_code", "")),
        km=_km(position, float(found["latitude"]), float(found["longitude"])),
    )


def _words(text: str) -> set[str]:
    return {word for word in re.split(r"[^\w]+", text.casefold()) if word}


def near_marked(place: Place, marks: Iterable[str]) -> str | None:
    """The mark this place is near, or None: the town's name is in the mark (as whole words)
    and, when the mark names a country (a code or a name), it is the town's."""
    if place.km > NEAR_KM or not place.town:
        return None
    town = _words(place.town)
    for mark in marks:
        words = _words(mark)
        if not town <= words:
            continue
        countries = {place.country_code.casefold(), *_words(place.country)}
        named = {word for word in words if len(word) == 2 and word.isalpha()} - town
        if named and not named & countries:
            continue
        return mark
    return None
