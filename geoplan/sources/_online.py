"""Fetch OSM XML for a place name or bounding box from Overpass, cached on disk.

This is the only place geoplan touches the network, and only when the user asks for a place.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from geoplan.errors import InputError
from geoplan.i18n import message

_TIMEOUT_S = 180


def _cache_dir(cache_dir: str | Path | None) -> Path:
    base = Path(cache_dir) if cache_dir else Path(os.environ.get("GEOPLAN_CACHE", Path.home() / ".cache" / "geoplan"))
    base.mkdir(parents=True, exist_ok=True)
    return base


def fetch_place(*, place: str | None = None, bbox=None, cache_dir: str | Path | None = None) -> Path:
    """Download raw OSM XML for a place (geocoded by osmnx/Nominatim) or a bbox; return its cached path.

    Parameters
    ----------
    place
        Place name, e.g. ``"海淀区, 北京市"`` or ``"Kamppi, Helsinki"``.
    bbox
        ``(west, south, east, north)`` in degrees (WGS-84).
    cache_dir
        Cache folder; the same request is never downloaded twice.
    """
    import requests

    key = hashlib.sha256(repr((place, tuple(bbox) if bbox else None)).encode("utf-8")).hexdigest()[:16]
    target = _cache_dir(cache_dir) / f"overpass_{key}.osm"
    if target.exists() and target.stat().st_size > 0:
        return target
    try:
        if place:
            import osmnx as ox

            west, south, east, north = ox.geocode_to_gdf(place).total_bounds
        else:
            west, south, east, north = (float(v) for v in bbox)
        import osmnx as ox

        query = (
            f"[out:xml][timeout:{_TIMEOUT_S}];"
            f"(nwr({south},{west},{north},{east}););(._;>;);out body;"
        )
        response = requests.post(ox.settings.overpass_url.rstrip("/") + "/interpreter",
                                 data={"data": query}, timeout=_TIMEOUT_S)
        response.raise_for_status()
    except (requests.RequestException, OSError) as exc:
        raise InputError(message("could not download OpenStreetMap data for {area!r} ({detail})", area=place or bbox,
                                 detail=type(exc).__name__),
                         fix=message("check the internet connection, or pass a downloaded extract with --osm FILE")) from exc
    except Exception as exc:  # geocoder found nothing, or another osmnx error
        raise InputError(message("could not find the place {place!r}: {detail}", place=place, detail=str(exc)),
                         fix=message("spell the place as OpenStreetMap/Nominatim knows it, or use --osm FILE")) from exc
    # atomic: a half-written cache file must never be mistaken for a download
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(response.content)
        os.replace(tmp, target)
    finally:  # Ctrl-C or SIGTERM while writing: no .part left in the cache
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
