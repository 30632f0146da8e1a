"""Read one layer file (GeoJSON, GeoPackage, Shapefile, CSV) into a GeoDataFrame with a known CRS.

Only reads: the user's files are opened read-only and never rewritten (a GeoJSON in a
non-UTF-8 encoding is re-encoded in memory, not on disk).
"""

from __future__ import annotations

import io
import warnings as _warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from geoplan.errors import InputError
from geoplan.i18n import message
from geoplan.gcj02 import bd09_to_wgs84, gcj02_to_wgs84, transform_geometries
from geoplan.layers._discover import LayerFile
from geoplan.layers._encoding import decode_text_file, shapefile_encoding
from geoplan.layers._schema import COLUMN_ALIASES, LAT_COLUMNS, LON_COLUMNS, WKT_COLUMNS

WGS84 = pyproj.CRS.from_epsg(4326)
GCJ02_NAMES: frozenset[str] = frozenset({"gcj02", "gcj-02", "gcj_02", "mars"})
#: Baidu Maps lon/lat (BD-09, "bd09ll").
BD09_NAMES: frozenset[str] = frozenset({"bd09", "bd-09", "bd_09", "bd09ll", "baidu"})


@dataclass(frozen=True)
class RawLayer:
    """A file as read: original rows, original CRS resolved, columns normalised.

    Attributes
    ----------
    frame
        The features with lower-cased column names, a ``layer_row`` column (1-based row or
        feature number in the file) and a CRS that is never ``None``.
    warnings
        Messages about the read (guessed encodings, CRS notes), each naming the file.
    """

    frame: gpd.GeoDataFrame
    warnings: tuple[str, ...]


def _normalise_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Lower-case and strip column names and map common aliases (``人口`` → ``population``)."""
    mapping: dict[str, str] = {}
    geometry = df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None
    for col in df.columns:
        if col == geometry:
            continue
        key = str(col).strip().lower()
        key = COLUMN_ALIASES.get(key, key)
        if key not in mapping.values():  # first column wins when two map to one name
            mapping[col] = key
    return df.rename(columns=mapping)


def parse_crs(value: str, *, source: str) -> pyproj.CRS | str:
    """Parse a ``crs`` option: ``"gcj02"`` (returned as the string) or anything pyproj reads.

    Parameters
    ----------
    value
        ``"gcj02"``, ``"4490"``, ``"EPSG:4547"``, a WKT/PROJ string…
    source
        Where the option came from, for the message.
    """
    key = value.strip().lower()
    if key in GCJ02_NAMES:
        return "gcj02"
    if key in BD09_NAMES:
        return "bd09"
    if key in ("wgs84", "wgs-84"):
        return WGS84
    try:
        return pyproj.CRS.from_user_input(int(key) if key.isdigit() else value.strip())
    except pyproj.exceptions.CRSError:
        raise InputError(message("unknown crs {value!r}", value=value), source=source,
                         fix=message("give an EPSG code such as 4326, 4490 or 4547, or gcj02 / bd09 for Gaode / Baidu "
                                     "map points")) from None


def _check_lonlat(frame: gpd.GeoDataFrame, source: str) -> None:
    """Raise if a geographic layer's coordinates are not longitudes/latitudes (likely a wrong CRS)."""
    geoms = frame.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return
    bounds = shapely.bounds(geoms[present])
    bad = (np.abs(bounds[:, [0, 2]]) > 180).any(axis=1) | (np.abs(bounds[:, [1, 3]]) > 90).any(axis=1)
    if bad.any():
        row = int(frame["layer_row"].to_numpy()[present][bad][0])
        raise InputError(message("row {row}: coordinates are outside the longitude/latitude range, so they are "
                                 "probably projected metres", row=row), source=source,
                         fix=message("set the file's real CRS (e.g. `crs: 4547` for a CGCS2000 Gauss-Krüger zone) in "
                                     "layers.yml"))


def _from_gcj02(frame: gpd.GeoDataFrame, datum: str = "gcj02") -> gpd.GeoDataFrame:
    """Convert GCJ-02 or BD-09 lon/lat geometries to WGS-84 (shifted WGS-84s, not pyproj CRSs)."""
    geoms = transform_geometries(frame.geometry.to_numpy(), bd09_to_wgs84 if datum == "bd09" else gcj02_to_wgs84)
    return frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=WGS84))


def _pick_column(columns: list[str], wanted: str | None, candidates: tuple[str, ...], what: str,
                 source: str) -> str | None:
    """Return the CSV column for ``what`` (explicit name or the first known header found)."""
    if wanted is not None:
        key = wanted.strip().lower()
        if key not in columns:
            raise InputError(message("has no column {column!r} for {option}", column=wanted, option=what), source=source,
                             fix=message("columns found: {found}; correct `{option}` in layers.yml",
                                         found=", ".join(columns), option=what))
        return key
    return next((c for c in candidates if c in columns), None)


def _read_csv(spec: LayerFile, encoding: str | None) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read a CSV of points (lon/lat or x/y columns) or of WKT geometries."""
    source = str(spec.path)
    text, warning = decode_text_file(spec.path, spec.encoding or encoding)
    notes = [warning] if warning else []
    try:
        # Everything as text: numbers are parsed later, per column, so a bad cell names its row.
        df = pd.read_csv(io.StringIO(text), dtype=str, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        df = pd.DataFrame()
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(message("cannot be read as CSV ({detail})", detail=str(exc).splitlines()[0]), source=source,
                         fix=message("check the delimiter is a comma and quotes are balanced")) from None
    df = _normalise_columns(df)
    columns = [str(c) for c in df.columns]
    df["layer_row"] = np.arange(1, len(df) + 1, dtype=np.int64)
    crs_opt = parse_crs(spec.crs, source=source) if spec.crs else WGS84
    file_crs = WGS84 if crs_opt in ("gcj02", "bd09") else crs_opt
    lon = _pick_column(columns, spec.lon, LON_COLUMNS, "lon", source)
    lat = _pick_column(columns, spec.lat, LAT_COLUMNS, "lat", source)
    wkt = next((c for c in WKT_COLUMNS if c in columns), None)
    if lon and lat:
        xy = {}
        for col in (lon, lat):
            raw = df[col]
            num = pd.to_numeric(raw.str.strip(), errors="coerce")
            bad = raw.notna() & num.isna()
            if bad.any():
                row = int(df["layer_row"][bad].iloc[0])
                raise InputError(message("row {row}: {column} {value!r} is not a number", row=row, column=col,
                                         value=raw[bad].iloc[0]), source=source,
                                 fix=message("write coordinates as decimal degrees (or metres for a projected crs)"))
            xy[col] = num.to_numpy(dtype=float)
        x, y = xy[lon], xy[lat]
        geoms = np.where(np.isnan(x) | np.isnan(y), None, shapely.points(x, y))
    elif wkt:
        texts = np.array([t if isinstance(t, str) and t.strip() else None for t in df[wkt]], dtype=object)
        geoms = shapely.from_wkt(texts, on_invalid="ignore")
        bad = (texts != None) & shapely.is_missing(geoms)  # noqa: E711 — elementwise test on an object array
        if bad.any():
            row = int(df["layer_row"].to_numpy()[bad][0])
            raise InputError(message("row {row}: {column} {value!r} is not WKT", row=row, column=wkt,
                                     value=str(texts[bad][0])[:40]), source=source,
                             fix=message("write geometries as WKT, e.g. {example}", example="POINT (114.05 22.54)"))
        df = df.drop(columns=[wkt])
    elif len(df) == 0:
        geoms = np.array([], dtype=object)
    else:
        raise InputError(message("has no coordinate columns"), source=source,
                         fix=message("columns found: {found}; name them lon/lat (or set `lon:`/`lat:` for this file in "
                                     "layers.yml)", found=", ".join(columns)))
    frame = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index), crs=file_crs)
    if frame.crs.is_geographic:
        _check_lonlat(frame, source)
    if crs_opt in ("gcj02", "bd09"):
        frame = _from_gcj02(frame, crs_opt)
    return frame, notes


def _read_vector(spec: LayerFile, encoding: str | None) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read a GeoJSON, GeoPackage or Shapefile with pyogrio."""
    source = str(spec.path)
    suffix = spec.path.suffix.lower()
    notes: list[str] = []
    target: str | io.BytesIO = str(spec.path)
    read_encoding: str | None = None
    if suffix == ".shp":
        read_encoding, note = shapefile_encoding(spec.path, spec.encoding or encoding)
        notes += [note] if note else []
    elif suffix in (".geojson", ".json"):
        text, note = decode_text_file(spec.path, spec.encoding or encoding)
        if note or spec.encoding or encoding:
            # GDAL reads GeoJSON as UTF-8 only: hand it the re-encoded text, in memory.
            target = io.BytesIO(text.encode("utf-8"))
            notes += [note] if note else []
    layer = spec.layer
    try:
        if suffix == ".gpkg":
            names = [str(n) for n in pyogrio.list_layers(str(spec.path))[:, 0]]
            if layer is None:
                if len(names) == 1:
                    layer = names[0]
                elif spec.role in names:
                    layer = spec.role
                else:
                    raise InputError(message("holds several layers ({names}) and none is named {role!r}",
                                             names=", ".join(names), role=spec.role),
                                     source=source, fix=message("set `layer:` for this file in layers.yml"))
            elif layer not in names:
                raise InputError(message("has no layer {layer!r}", layer=layer), source=source,
                                 fix=message("layers found: {names}; correct `layer:` in layers.yml", names=", ".join(names)))
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore", RuntimeWarning)  # GDAL chatter; problems are checked below
            frame = pyogrio.read_dataframe(target, layer=layer, encoding=read_encoding)
    except InputError:
        raise
    except Exception as exc:  # pyogrio raises several types for corrupt data; all mean the same here
        # GDAL's first clause says what failed; its advice about drivers would only confuse.
        first = str(exc).splitlines()[0].split("; ")[0].rstrip(".") if str(exc) else type(exc).__name__
        raise InputError(message("cannot be read as a {format} layer ({detail})", format=suffix.lstrip("."), detail=first),
                         source=source, fix=message("check the file opens in QGIS, or export it again")) from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        raise InputError(message("has no geometry"), source=source, fix=message("export the layer with its geometries"))
    frame = frame.rename_geometry("geometry") if frame.geometry.name != "geometry" else frame
    frame = _normalise_columns(frame)
    frame["layer_row"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    crs_opt = parse_crs(spec.crs, source=source) if spec.crs else None
    if crs_opt in ("gcj02", "bd09"):
        # GeoJSON copied from a Chinese web map: lon/lat in GCJ-02 or BD-09, labelled (or defaulted) as WGS-84.
        if frame.crs is not None and not frame.crs.is_geographic:
            raise InputError(message("crs: {crs} given, but the file is in a projected CRS", crs=crs_opt), source=source,
                             fix=message("{crs} applies to longitude/latitude files only; remove it from layers.yml",
                                         crs=crs_opt))
        frame = frame.set_crs(WGS84, allow_override=True)
        _check_lonlat(frame, source)
        return _from_gcj02(frame, crs_opt), notes
    if frame.crs is None:
        if crs_opt is None:
            raise InputError(message("has no coordinate reference system"), source=source,
                             fix=message("add the .prj file next to the .shp (or set `crs:` for this file in layers.yml)"))
        frame = frame.set_crs(crs_opt)
    elif crs_opt is not None and not frame.crs.equals(crs_opt):
        notes.append(message("{source}: the file says its CRS is {crs}; `crs: {given}` in layers.yml was not used — "
                             "fix: remove it, or fix the file's .prj", source=source, crs=frame.crs.name, given=spec.crs))
    if frame.crs.is_geographic:
        _check_lonlat(frame, source)
    return frame, notes


def read_file(spec: LayerFile, *, encoding: str | None = None) -> RawLayer:
    """Read one layer file.

    Parameters
    ----------
    spec
        The file and its ``layers.yml`` options.
    encoding
        Default text encoding from the caller; ``spec.encoding`` overrides it.

    Returns
    -------
    RawLayer
        The features in the file's own CRS (GCJ-02 already converted to WGS-84).
    """
    if not spec.path.is_file():
        raise InputError(message("file not found"), source=spec.path, fix=message("check the file name and folder"))
    if spec.path.stat().st_size == 0:
        # A zero-byte file is an empty layer (e.g. "no obstructions reported yet"), not a corrupt one.
        return RawLayer(frame=gpd.GeoDataFrame({"layer_row": pd.Series([], dtype="int64")},
                                               geometry=gpd.GeoSeries([], crs=WGS84)), warnings=())
    if spec.path.suffix.lower() == ".csv":
        frame, notes = _read_csv(spec, encoding)
    else:
        frame, notes = _read_vector(spec, encoding)
    for col in frame.columns.drop("geometry"):
        values = frame[col]
        if pd.api.types.is_string_dtype(values) or values.dtype == object:
            if values.dropna().astype(str).str.contains("\ufffd", regex=False).any():
                notes.append(message("{file}: column {column!r} has unreadable characters (�) — fix: set `encoding` "
                                     "for this file in layers.yml (e.g. gb18030)", file=spec.path, column=col))
                break
    return RawLayer(frame=frame, warnings=tuple(notes))
