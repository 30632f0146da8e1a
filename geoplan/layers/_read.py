"""Read the user's community layers: :func:`read_layers` and :class:`CommunityLayers`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import geopandas as gpd
import pandas as pd
import pyproj
import shapely

from geoplan._checksum import sha256_of
from geoplan.errors import InputError
from geoplan.i18n import message, nmessage
from geoplan.layers._columns import empty_layer, to_schema
from geoplan.layers._discover import LayerFile, discover
from geoplan.layers._files import read_file
from geoplan.layers._geometry import Removed, check_types, drop_missing, keep_in_area, repair
from geoplan.layers._schema import ROLES, SHAPEFILE_PARTS
from geoplan.standards import CIRCLE_OF_CATEGORY

__all__ = ["CommunityLayers", "ROLES", "read_layers"]


@dataclass(frozen=True, eq=False)
class CommunityLayers:
    """The community layers of a study, validated and in the study's metric CRS.

    Every layer is a GeoDataFrame, possibly empty but always with its columns, plus ``source``
    (``"layer:<file name>"``) and ``layer_row`` (1-based row or feature number in that file).

    Attributes
    ----------
    boundary
        ``community`` (display name), ``name_zh``, ``name_en``, ``note``; Polygon/MultiPolygon.
    residents
        ``population`` (people, ≥0), ``name``, ``elderly_share`` (0–1, NaN if not given), ``note``;
        Point or Polygon.
    facilities
        ``category`` (a life-circle category), ``name``, ``note``; Point or Polygon.
    stations
        ``kind`` (fire, ambulance, hospital), ``name``, ``note``; Point.
    obstructions
        ``kind`` (occupied_lane, locked_gate, sealed_compound, flooded, other), ``name``,
        ``keep_open`` (bool), ``note``; points, lines or polygons.
    sites
        ``kind``, ``name``, ``existing`` (bool: already a designated shelter), ``usable_share``
        (0–1 or NaN), ``area_m2`` (m², NaN unless given), ``note``; Polygon, or Point with area_m2.
    warnings
        Repairs, guessed encodings, ignored files… each naming the file (and row).
    dropped
        ``{"what", "count", "reason", "source", "rows"}`` for each group of features left out.
    files
        ``{"path", "role", "sha256"}`` for each file read, for the run manifest.
    """

    boundary: gpd.GeoDataFrame
    residents: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    obstructions: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    warnings: tuple[str, ...] = ()
    dropped: tuple[dict, ...] = ()
    files: tuple[dict, ...] = ()

    def layer(self, role: str) -> gpd.GeoDataFrame:
        """Return the layer of ``role`` (one of :data:`ROLES`)."""
        if role not in ROLES:
            raise KeyError(role)
        return getattr(self, role)


def file_sha256(path: Path) -> str:
    """SHA-256 of a layer file; for a shapefile, of its .shp .shx .dbf .prj .cpg parts in that order."""
    parts = [path]
    if path.suffix.lower() == ".shp":
        siblings = {p.suffix.lower(): p for p in path.parent.glob(path.stem + ".*") if p.stem == path.stem}
        parts = [siblings[s] for s in SHAPEFILE_PARTS if s in siblings]
    return sha256_of(*parts)


def _rows_text(rows: tuple[int, ...], limit: int = 5) -> str:
    """The first row numbers, for a sentence that says "row"/"rows" itself (``3, 5, 8 …``)."""
    return ", ".join(map(str, rows[:limit])) + (" …" if len(rows) > limit else "")


def _read_one(spec: LayerFile, *, crs: pyproj.CRS, area: shapely.Geometry | None, encoding: str | None,
              categories: Sequence[str]) -> tuple[gpd.GeoDataFrame | None, list[str], list[dict]]:
    """Read, check and reproject one file; return its features (or None if empty), warnings, drops."""
    source = str(spec.path)
    raw = read_file(spec, encoding=encoding)
    notes = list(raw.warnings)
    drops: list[dict] = []
    frame = raw.frame
    if len(frame) == 0:
        notes.append(f"{source}: has no features; the {spec.role} layer gets nothing from it")
        return None, notes, drops

    def record(removed: Removed) -> None:
        if removed.rows:
            drops.append({"what": spec.role, "count": len(removed.rows), "reason": removed.reason,
                          "source": source, "rows": removed.rows})
            notes.append(nmessage("{source}: row {rows} left out — {reason}", "{source}: rows {rows} left out — {reason}",
                                  len(removed.rows), source=source, rows=_rows_text(removed.rows),
                                  reason=removed.reason))

    frame = to_schema(frame, spec.role, source, categories)
    frame, removed = drop_missing(frame)
    if len(frame) == 0:  # every feature without a geometry: nothing to read, whatever the CRS
        raise InputError(message("none of its {count} features has a geometry", count=len(removed.rows)), source=source,
                         fix=message("export the layer again with its geometries (for a CSV: fill in the lon/lat or "
                                     "wkt column)"))
    record(removed)
    check_types(frame, spec.role, source)
    frame, repaired, removed = repair(frame)
    if repaired:
        notes.append(nmessage("{source}: row {rows} had invalid geometry (e.g. self-intersecting) and was repaired "
                              "— fix: check it in your GIS",
                              "{source}: rows {rows} had invalid geometry (e.g. self-intersecting) and were repaired "
                              "— fix: check them in your GIS", len(repaired), source=source, rows=_rows_text(repaired)))
    record(removed)
    frame = frame.to_crs(crs)
    frame, removed = keep_in_area(frame, area)
    record(removed)
    frame["source"] = pd.Series(f"layer:{spec.path.name}", index=frame.index, dtype="str")
    return frame, notes, drops


def read_layer_file(path: str | Path, role: str, *, crs: pyproj.CRS, area: shapely.Geometry | None = None,
                    encoding: str | None = None, categories: Sequence[str] = ()) -> tuple[gpd.GeoDataFrame | None, list[str]]:
    """Read one file as a layer of ``role`` (e.g. a what-if obstructions file), checked like a
    folder's files; returns its features in ``crs`` (``None`` when it has none) and the warnings."""
    if role not in ROLES:
        raise ValueError(f"unknown layer role {role!r}; known: {', '.join(ROLES)}")
    frame, notes, _ = _read_one(LayerFile(Path(path), role), crs=crs, area=area, encoding=encoding,
                                categories=categories)
    return frame, notes


def check_layer_folders(folders: Sequence[str | Path]) -> None:
    """Check, before any data is read, that each folder exists and its ``layers.yml`` (if any) is
    valid and names files that exist; raises :class:`~geoplan.errors.InputError` otherwise."""
    discover([Path(f) for f in folders])


def read_layers(folder: str | Path | Sequence[str | Path], *, crs: pyproj.CRS,
                area: shapely.Polygon | shapely.MultiPolygon | None = None, encoding: str | None = None,
                categories: Sequence[str] = tuple(CIRCLE_OF_CATEGORY)) -> CommunityLayers:
    """Read the community layers in one or several folders.

    Parameters
    ----------
    folder
        A folder of layer files, or several (read in order; the same role in two folders is
        concatenated). Roles come from ``layers.yml`` or file names (see ``layers/README.md``).
    crs
        The study's projected metric CRS (a UTM zone); every layer is returned in it.
    area
        The study area in ``crs``; features that do not touch it are left out and reported in
        ``dropped``. ``None`` keeps everything.
    encoding
        Text encoding of shapefiles and CSVs when their own (``.cpg``, ``layers.yml``) is not given.
    categories
        Known facility categories (default: the life-circle categories of the standards).

    Returns
    -------
    CommunityLayers
        Validated layers, warnings, dropped features and the file manifest.

    Raises
    ------
    geoplan.errors.InputError
        For any problem in the user's files, with the file, row and fix in one line.
    """
    folders = [Path(folder)] if isinstance(folder, (str, Path)) else [Path(f) for f in folder]
    crs = pyproj.CRS.from_user_input(crs)
    files, warnings = discover(folders)
    if not files and folders:
        warnings.append(f"{', '.join(map(str, folders))}: no community layer files found; only OpenStreetMap "
                        "data will be used")
    parts: dict[str, list[gpd.GeoDataFrame]] = {role: [] for role in ROLES}
    dropped: list[dict] = []
    manifest: list[dict] = []
    for spec in files:
        frame, notes, drops = _read_one(spec, crs=crs, area=area, encoding=encoding, categories=categories)
        warnings += notes
        dropped += drops
        manifest.append({"path": str(spec.path), "role": spec.role, "sha256": file_sha256(spec.path)})
        if frame is not None and len(frame):
            parts[spec.role].append(frame)
    layers: dict[str, gpd.GeoDataFrame] = {}
    for role in ROLES:
        template = empty_layer(role, crs)
        frames = [f[list(template.columns)] for f in parts[role]]
        layers[role] = (gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=crs)
                        if frames else template)
    names = layers["boundary"]["community"]
    duplicated = sorted(set(names[names.duplicated()]))
    if duplicated:
        warnings.append(nmessage("boundary: a community name is used more than once: {names} — its results are "
                                 "reported together; fix: give each community its own name",
                                 "boundary: community names used more than once: {names} — their results are "
                                 "reported together; fix: give each community its own name", len(duplicated),
                                 names=", ".join(duplicated)))
    return CommunityLayers(**layers, warnings=tuple(warnings), dropped=tuple(dropped), files=tuple(manifest))
