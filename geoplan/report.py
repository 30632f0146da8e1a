"""Writing results: atomic files under the output folder, and a manifest beside them.

Nothing is ever written in place: each file goes to a temporary name in the same folder and
is renamed over the target only when complete, so an interrupted run never leaves a
half-written table, and a user's own file is never touched (outputs only use our names).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator, Mapping

import geopandas as gpd
import pandas as pd

from geoplan.errors import InputError
from geoplan.i18n import message

_PACKAGES = ("geoplan", "geopandas", "shapely", "osmnx", "networkx", "folium", "scipy", "numpy", "pandas",
             "pyproj", "osmium", "pyrosm", "highspy")


@contextmanager
def atomic_path(target: str | Path, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=suffix or target.suffix)
    os.close(fd)
    os.unlink(tmp)  # some writers (GPKG) refuse an existing empty file
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(target: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_csv(frame: pd.DataFrame, target: str | Path) -> Path:
    """Write a table as UTF-8 CSV with a BOM, so Excel on Chinese Windows shows names right.

    Floats are written as the shortest text that reads back to the same value; round them
    first to the precision that means something (7 decimals for lon/lat ≈ 1 cm, 2 for metres).
    A fixed count of significant digits would move a Beijing longitude by up to 100 m.
    """
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig")
    return Path(target)


def _gpkg_column(s: pd.Series) -> pd.Series:
    """A column as a plain type the GeoPackage writer takes.

    Bools (numpy or pandas) as numpy bool, numbers and datetimes as they are; everything else
    (object, pandas string, categorical) as Python objects with missing values as ``None`` and
    lists or other objects as text.
    """
    if pd.api.types.is_bool_dtype(s) and not s.isna().any():
        return s.astype(bool)
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
        return s
    s = s.astype(object).where(s.notna(), None)
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        return s  # text only (most columns): no per-value pass (≈ 2.6 s at a million walking nodes)
    return s.map(lambda v: v if v is None or isinstance(v, (str, int, float, bool)) else str(v))


#: Rows of a layer reprojected and written at a time (tuning: a city's gap areas in one piece
#: held a reprojected copy and its WKB beside the layer, ≈ 0.6 GB at a million walking nodes).
GPKG_CHUNK_ROWS = 20_000
#: A layer's single and multi parts are written as the multi type (as pyogrio does for GPKG).
_MULTI = {frozenset({"Polygon", "MultiPolygon"}): "MultiPolygon",
          frozenset({"LineString", "MultiLineString"}): "MultiLineString",
          frozenset({"Point", "MultiPoint"}): "MultiPoint"}


def _geometry_type(geometry: gpd.GeoSeries) -> tuple[str, bool]:
    """The layer's geometry type and whether single parts become multi, decided on the whole layer."""
    kinds = frozenset(geometry.geom_type.dropna().unique())
    if len(kinds) == 1:
        kind, multi = next(iter(kinds)), False
    elif kinds in _MULTI:
        kind, multi = _MULTI[kinds], True
    else:
        kind, multi = "Unknown", False
    drawn = geometry[geometry.notna() & ~geometry.is_empty]
    return (f"{kind} Z" if kind != "Unknown" and drawn.has_z.any() else kind), multi


def write_gpkg(layers: Mapping[str, gpd.GeoDataFrame], target: str | Path, *,
               chunk_rows: int = GPKG_CHUNK_ROWS) -> Path:
    """Write several layers into one GeoPackage (WGS-84), atomically; column types made plain.

    Each layer is reprojected and written ``chunk_rows`` rows at a time (appended), its geometry
    type decided on the whole layer, so memory stays near one chunk's copy whatever its size.
    """
    with atomic_path(target) as tmp:
        for name, frame in layers.items():
            plain = frame.copy(deep=False)
            for col in plain.columns:
                if col != plain.geometry.name:
                    plain[col] = _gpkg_column(plain[col])
            kind, multi = _geometry_type(plain.geometry)
            for start in range(0, max(len(plain), 1), chunk_rows):
                part = plain.iloc[start:start + chunk_rows]
                part = part.to_crs("EPSG:4326") if part.crs is not None else part.set_crs("EPSG:4326")
                part.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio", mode="a" if start else "w",
                             geometry_type=kind, promote_to_multi=multi)
    return Path(target)


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_manifest(folder: str | Path, *, command: str, inputs: list[dict] | tuple[dict, ...], parameters: Mapping[str, Any],
                   preset: Mapping[str, Any], outputs: list[str | Path]) -> Path:
    """Write ``manifest.json``: inputs with checksums, parameters, preset, versions, outputs."""
    folder = Path(folder)
    manifest = {
        "tool": "geoplan",
        "command": command,
        "argv": sys.argv[1:],
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "inputs": list(inputs),
        "parameters": dict(parameters),
        "preset": dict(preset),
        "outputs": sorted(str(Path(p).relative_to(folder)) if Path(p).is_relative_to(folder) else str(p) for p in outputs),
        "versions": package_versions(),
    }
    return write_text(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n")


#: Name of the manifest beside a run's outputs.
MANIFEST = "manifest.json"
#: Prefix of the staging folder a run writes into before its files replace the earlier run's.
STAGING_PREFIX = ".geoplan-run-"


def _nearest_existing(path: Path) -> Path:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def _probe_writable(folder: Path, out: Path) -> None:
    """Raise unless a file can be created in ``folder`` (the check ``os.access`` cannot make for root)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".geoplan-probe-")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise InputError(message("cannot write in {folder} ({detail})", folder=folder,
                                 detail=exc.strerror or type(exc).__name__), source=out,
                         fix=message("choose a folder you can write to with --out")) from None


def earlier_outputs(out: Path) -> list[Path]:
    """The files an earlier geoplan run listed in ``out/manifest.json`` (inside ``out`` only).

    Raises
    ------
    InputError
        ``manifest.json`` exists but was not written by geoplan (it is never overwritten then).
    """
    manifest = out / MANIFEST
    if not manifest.is_file():
        return []
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        listed = data["outputs"] if data.get("tool") == "geoplan" else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        listed = None
    if not isinstance(listed, list):
        raise InputError(message("the output folder holds a manifest.json that geoplan did not write"), source=manifest,
                         fix=message("choose another --out folder (geoplan never overwrites files it did not write)"))
    files = []
    for name in listed:
        path = (out / str(name)).resolve()
        if path.is_relative_to(out) and path != manifest.resolve() and path.is_file():
            files.append(path)
    return files


def check_output_folder(out: str | Path, inputs: list[dict] | tuple[dict, ...]) -> Path:
    """Check ``--out`` before any data is read: a folder (or one we can create) we can write in,
    not an input, not inside a file, and not holding someone else's ``manifest.json``."""
    out = Path(out).expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise InputError(message("the output path exists and is not a folder"), source=out,
                         fix=message("give --out a folder name"))
    parent = _nearest_existing(out)
    if not parent.is_dir():
        raise InputError(message("the output folder would be inside the file {file}", file=parent), source=out,
                         fix=message("give --out a folder that is not inside a file"))
    _probe_writable(parent, out)
    for item in inputs:
        path = Path(item["path"]).expanduser().resolve()
        if path == out:
            raise InputError(message("the output folder is one of the inputs"), source=out,
                             fix=message("choose another --out folder"))
    earlier_outputs(out)
    return out


@contextmanager
def staged_run(out: Path) -> Iterator[Path]:
    """Yield a hidden staging folder inside ``out``; it is always removed afterwards.

    A run writes every file there; :func:`publish` then swaps the set in, so an interrupted run
    (Ctrl-C, SIGTERM, an error) leaves the earlier run's files and manifest as they were.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=out, prefix=STAGING_PREFIX))
    except OSError as exc:
        raise InputError(message("cannot create the output folder ({detail})", detail=exc.strerror or type(exc).__name__),
                         source=out, fix=message("choose a folder you can write to with --out")) from None
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def publish(stage: Path, out: Path, *, inputs, **manifest: Any) -> tuple[list[Path], int]:
    """Replace the earlier run's files in ``out`` by the files staged in ``stage``.

    The earlier manifest goes first, then the earlier run's files (only those its manifest
    lists), then the new files move in and the new manifest is written last: at every moment the
    manifest present lists exactly the files beside it. Returns the new files (manifest last)
    and how many earlier files were removed.
    """
    protected = {Path(i["path"]).expanduser().resolve() for i in inputs}
    earlier = earlier_outputs(out)
    staged = sorted(p for p in stage.rglob("*") if p.is_file())
    targets = [out / p.relative_to(stage) for p in staged]
    clash = [t for t in targets if t.resolve() in protected]
    if clash:
        raise InputError(message("an output would replace one of the inputs"), source=clash[0],
                         fix=message("choose another --out folder"))
    ours = set(earlier)
    foreign = [t for t in targets if t.exists() and t.resolve() not in ours]
    if foreign:
        raise InputError(message("an output would replace a file that no earlier geoplan run here lists in its manifest"),
                         source=foreign[0], fix=message("move that file away, or choose another --out folder"))
    (out / MANIFEST).unlink(missing_ok=True)
    keep = {t.resolve() for t in targets}
    removed = [p for p in earlier if p not in keep and p not in protected]
    for path in removed:
        path.unlink(missing_ok=True)
    for source, target in zip(staged, targets):
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
    manifest_path = write_manifest(out, inputs=inputs, outputs=targets, **manifest)
    return [*targets, manifest_path], len(removed)
