"""Where OpenStreetMap data comes from: a file, a place name online, or the bundled sample.

Every source ends as the same :class:`OsmData` — raw OSM tables in WGS-84 — so the layers
and networks above never care which one it was.
"""

from geoplan.sources._osmfile import OsmData, check_osm_file, read_osm_file, SUPPORTED_SUFFIXES
from geoplan.sources._online import fetch_place
from geoplan.sources._bundled import bundled_sample_path, BUNDLED_SAMPLE_LABEL

__all__ = [
    "OsmData",
    "read_osm_file",
    "check_osm_file",
    "fetch_place",
    "bundled_sample_path",
    "BUNDLED_SAMPLE_LABEL",
    "SUPPORTED_SUFFIXES",
    "open_osm",
]


def open_osm(osm=None, *, place: str | None = None, bbox=None, cache_dir=None) -> OsmData:
    """Read OSM data from a file, a place name or bbox (online), or the bundled sample.

    Parameters
    ----------
    osm
        Path of a ``.osm``, ``.osm.xml``, ``.osm.bz2`` or ``.osm.pbf`` file; ``None`` for the
        bundled sample (unless ``place`` or ``bbox`` is given).
    place
        A place name geocoded by Nominatim, fetched from Overpass (needs internet; cached).
    bbox
        ``(west, south, east, north)`` in degrees, fetched from Overpass (needs internet; cached).
    cache_dir
        Where online downloads are cached (default ``~/.cache/geoplan``).
    """
    if isinstance(osm, OsmData):  # already read (tests, benchmarks building synthetic extracts)
        return osm
    if osm is not None and (place or bbox):
        from geoplan.errors import InputError
        from geoplan.i18n import message

        raise InputError(message("both --osm and --place/--bbox were given"), fix=message("give one source of OSM data"))
    if place or bbox:
        return read_osm_file(fetch_place(place=place, bbox=bbox, cache_dir=cache_dir), label=place or f"bbox {bbox}")
    if osm is None:
        return read_osm_file(bundled_sample_path(), label=BUNDLED_SAMPLE_LABEL)
    return read_osm_file(osm)
