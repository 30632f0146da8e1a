"""Writing results: atomic files under the output folder, and a manifest beside them.

Nothing is ever written in place: each file goes to a temporary name in the same folder and
is renamed over the target only when complete, so an interrupted run never leaves a
half-written table, and a user's own file is never touched (outputs only use our names).
"""

from __future__ import annotations

import json
import os
import platform
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
    return s.map(lambda v: v if v is None or isinstance(v, (str, int, float, bool)) else str(v))


def write_gpkg(layers: Mapping[str, gpd.GeoDataFrame], target: str | Path) -> Path:
    """Write several layers into one GeoPackage (WGS-84), atomically; column types made plain."""
    with atomic_path(target) as tmp:
        for name, frame in layers.items():
            out = frame.to_crs("EPSG:4326") if frame.crs is not None else frame.set_crs("EPSG:4326")
            for col in out.columns:
                if col != out.geometry.name:
                    out[col] = _gpkg_column(out[col])
            out.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
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


def check_output_folder(out: str | Path, inputs: list[dict] | tuple[dict, ...]) -> Path:
    """Refuse an output folder that is an input file or would hold our files over the user's inputs."""
    out = Path(out).resolve()
    if out.exists() and not out.is_dir():
        raise InputError("the output path exists and is not a folder", source=out, fix="give --out a folder name")
    for item in inputs:
        path = Path(item["path"]).resolve()
        if path == out:
            raise InputError("the output folder is one of the inputs", source=out, fix="choose another --out folder")
    return out
