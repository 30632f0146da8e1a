"""One district as one task: what it needs (:class:`DistrictTask`) and what a worker does with it.

A task carries paths, not data: every worker reads the inputs itself from storage it can see
(a shared or network file system on a real cluster) and writes the district's outputs itself,
exactly as ``geoplan run`` writes them. Only a small summary dict travels back.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from geoplan._checksum import sha256_of
from geoplan.errors import InputError

#: What a district's status can be in the batch manifest.
STATUSES = ("done", "skipped", "failed")


@dataclass(frozen=True)
class DistrictTask:
    """Everything a worker needs to analyse one district.

    Attributes
    ----------
    name : str
        The district's name (its output folder is ``<out>/districts/<name>/``).
    osm : str
        Path of the OSM extract, as the workers see it.
    out : str
        The batch's output folder.
    analyses : tuple of str
        ``coverage``, ``access``, ``sites`` in any subset.
    district_wkt : str, optional
        The district outline in WGS-84; ``None`` when the whole file is the district.
    clip_wkt : str, optional
        The outline plus the buffer (WGS-84) the extract is cut to; ``None`` for the whole file.
    layers, config, preset, lang, encoding
        As for ``geoplan run``.
    """

    name: str
    osm: str
    out: str
    analyses: tuple[str, ...] = ("coverage", "access", "sites")
    district_wkt: str | None = None
    clip_wkt: str | None = None
    layers: tuple[str, ...] = ()
    config: str | None = None
    preset: str | None = None
    lang: str | None = None
    encoding: str | None = None
    options: dict = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return Path(self.out) / "districts" / self.name

    def key(self) -> str:
        """Fingerprint of the task: its inputs' checksums and every parameter (for resuming)."""
        files = [self.osm, *(self.config and [self.config] or [])]
        files += sorted(str(p) for layer in self.layers for p in Path(layer).rglob("*") if p.is_file())
        sums = {str(p): sha256_of(p) for p in files if Path(p).is_file()}
        body = json.dumps({"task": {k: v for k, v in asdict(self).items() if k != "out"}, "inputs": sums},
                          sort_keys=True, default=str)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


def is_complete(task: DistrictTask, key: str) -> bool:
    """Whether the district's folder holds a finished run of exactly this task."""
    manifest = task.folder / "manifest.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if data.get("parameters", {}).get("task_key") != key:
        return False
    return all((task.folder / rel).is_file() for rel in data.get("outputs", []))


def run_district(task: DistrictTask) -> dict[str, Any]:
    """Analyse one district and write its outputs; return a small summary (never raises for bad input).

    Bad input and analysis failures come back as ``status="failed"`` with a one-line
    ``reason``; a worker process that dies is the scheduler's to retry.
    """
    started = time.perf_counter()
    row: dict[str, Any] = {"district": task.name, "osm": task.osm, "worker": _worker_address()}
    try:
        key = task.key()
        if is_complete(task, key):
            row.update(status="skipped", **_headlines(task.folder))
        else:
            with contextlib.redirect_stdout(io.StringIO()):  # the district's printout stays in the worker
                study = _analyse(task, key)
            row.update(status="done", outline_wkt=_outline_wkt(study, task), **_headlines(task.folder))
        row.setdefault("outline_wkt", task.district_wkt or _outline_from_manifest(task.folder))
    except InputError as exc:
        row.update(status="failed", reason=exc.as_message())  # English in the table, any language on screen
    except Exception as exc:  # a bug in one district must not stop the others
        detail = str(exc).splitlines()[0] if str(exc) else ""
        row.update(status="failed", reason=f"internal error: {type(exc).__name__}: {detail}",
                   traceback=traceback.format_exc(limit=8))
    row["seconds"] = round(time.perf_counter() - started, 2)
    return row


def _analyse(task: DistrictTask, key: str):
    """Load the (clipped) district, run the analyses, write the manifest; return the study."""
    import shapely

    from geoplan import cli
    from geoplan.districts.clip import clip_osm, restrict_residents
    from geoplan.config import load_config, preset_from_config
    from geoplan.report import write_manifest
    from geoplan.sources import open_osm
    from geoplan.study import load_study

    config = load_config(task.config)
    preset = preset_from_config(config, task.preset)
    data = open_osm(task.osm)
    if task.clip_wkt:
        data = clip_osm(data, shapely.from_wkt(task.clip_wkt))
    layers = list(config.get("layers") or []) + list(task.layers)
    study = load_study(data, layers=layers, preset=preset, encoding=task.encoding or config.get("encoding"),
                       name=task.name)
    if task.district_wkt:
        study = restrict_residents(study, shapely.from_wkt(task.district_wkt))
    out = task.folder
    out.mkdir(parents=True, exist_ok=True)
    args = argparse.Namespace(lang=task.lang, basemap=None, offline=None, **task.options)
    written = cli.run_analyses(study, task.analyses, args, config, out, progress=lambda message: None)
    parameters = {"task_key": key, "district": task.name, "analyses": list(task.analyses),
                  "clip_wkt": task.clip_wkt, "district_wkt": task.district_wkt, **task.options}
    write_manifest(out, command="batch", inputs=study.inputs, parameters=parameters,
                   preset=study.preset.as_dict(), outputs=written)
    return study


def _headlines(folder: Path) -> dict[str, float]:
    """The district's headline figures, read back from the tables it wrote."""
    out: dict[str, float] = {}
    coverage = folder / "coverage" / "residents.csv"
    if coverage.is_file():
        r = pd.read_csv(coverage, encoding="utf-8-sig")
        pop = r["population"].sum()
        out["population"] = round(float(pop), 1)
        out["complete_circle_share"] = round(float((r["population"] * r["complete_circle"]).sum() / pop), 4) \
            if pop else 0.0
    access = folder / "access" / "buildings.csv"
    if access.is_file():
        b = pd.read_csv(access, encoding="utf-8-sig")
        out["buildings"] = int(len(b))
        out["buildings_without_access"] = int((~b["status"].isin(["ok", "slow"])).sum())
    sites = folder / "sites" / "residents.csv"
    if sites.is_file():
        s = pd.read_csv(sites, encoding="utf-8-sig")
        out["residents_without_shelter"] = round(float(s.loc[~s["covered"].astype(bool), "population"].sum()), 1)
    return out


def _outline_wkt(study, task: DistrictTask) -> str:
    """The district outline in WGS-84: the given one, else the study area."""
    if task.district_wkt:
        return task.district_wkt
    import geopandas as gpd

    return gpd.GeoSeries([study.area], crs=study.crs).to_crs("EPSG:4326").iloc[0].wkt


def _outline_from_manifest(folder: Path) -> str | None:
    """A skipped whole-file district's outline, from the extent of its residents table."""
    table = folder / "coverage" / "residents.csv"
    if not table.is_file():
        return None
    import shapely

    r = pd.read_csv(table, encoding="utf-8-sig", usecols=["lon", "lat"])
    if r.empty:
        return None
    return shapely.box(r["lon"].min(), r["lat"].min(), r["lon"].max(), r["lat"].max()).wkt


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"local:{os.getpid()}"
