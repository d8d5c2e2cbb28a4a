"""Time zones a participant or site may be in: the tz database's zones of places."""

import functools
from importlib import resources


@functools.cache
def zone_countries() -> dict[str, str]:
    """Return each canonical region zone and the ISO 3166 country it is mainly used in.

    The tz database's zone.tab lists the zones of places (``America/New_York``); it
    leaves out fixed offsets and abbreviations (``Etc/GMT-9``, ``EST``, ``UTC``), which
    know no daylight saving time, and old aliases (``US/Eastern``, ``Asia/Calcutta``).
    """
    text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text("utf-8")
    table = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone, *_ = line.split("\t")
            table[zone] = country
    return table


def is_region_zone(name: str) -> bool:
    """Say whether ``name`` is a canonical zone of a place (``Asia/Seoul``)."""
    return name in zone_countries()
