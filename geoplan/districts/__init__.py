"""Many districts at once (``geoplan batch``): one Dask task per district, from a laptop's cores to a cluster.

    import geoplan
    result = geoplan.batch(osm=["a.osm", "b.osm.pbf"], out="city/", workers=2)
    result.summary          # one row per district: status, headline figures, seconds, worker

Each task loads its district (cut from the city extract with a margin, see
:func:`default_buffer_m`), runs the analyses and writes ``<out>/districts/<name>/`` exactly as
``geoplan run`` would; the client then merges ``summary.csv``, ``city.gpkg``, ``index.html``
and ``batch_manifest.json``. What does not cross a district border: shelter capacity is
reconciled only within a district, and a resident is counted in the district they live in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from geoplan.districts.tasks import DistrictTask, run_district
from geoplan.errors import InputError
from geoplan.i18n import message

#: Analyses a batch can run, in the order they run in each district.
ANALYSES = ("coverage", "access", "sites")


@dataclass(frozen=True)
class BatchResult:
    """What a batch did: one summary row per district and the files written."""

    summary: pd.DataFrame
    rows: tuple[dict[str, Any], ...]
    outputs: tuple[Path, ...]
    dashboard: str | None = None

    @property
    def failed(self) -> pd.DataFrame:
        """The districts that failed, with their reasons."""
        return self.summary.loc[self.summary["status"] == "failed", ["district", "reason"]]


def default_buffer_m(preset, analyses: Sequence[str]) -> float:
    """Margin around a district (m): the largest threshold in use plus the snap distance.

    Walking: the largest life-circle tier (coverage) and the emergency shelter radius (sites);
    driving: the fire target drive time at 40 km/h (≈ 2.7 km for 240 s) — a station that far
    across the border can still be first due. Plus ``preset.max_snap_m``.
    """
    reach = [0.0]
    if "coverage" in analyses:
        reach.append(max(preset.life_circle.circle_distance_m.values()))
    if "sites" in analyses:
        reach.append(preset.shelters.emergency.radius_m)
    if "access" in analyses:
        reach.append(preset.vehicle("fire").target_drive_s * 40 / 3.6)
    return float(max(reach) + preset.max_snap_m)


def plan_tasks(*, osm: Sequence[str | Path], out: str | Path, districts: str | Path | None = None,
               name_field: str | None = None, buffer_m: float | None = None,
               analyses: Sequence[str] = ANALYSES, layers: Sequence[str | Path] = (), config: str | Path | None = None,
               preset: str | None = None, lang: str | None = None, encoding: str | None = None) -> list[DistrictTask]:
    """The tasks of a batch, checked before any district is read (one :class:`InputError` line)."""
    from geoplan.config import load_config, preset_from_config

    analyses = _check_analyses(analyses)
    osm = [str(Path(p).resolve()) for p in osm]
    for path in osm:
        if not Path(path).is_file():
            raise InputError(message("OSM file not found"), source=path,
                             fix=message("check the path given to {option}", option="--osm"))
    common = dict(out=str(Path(out).resolve()), analyses=analyses, layers=tuple(str(Path(p).resolve()) for p in layers),
                  config=str(Path(config).resolve()) if config else None, preset=preset, lang=lang, encoding=encoding)
    if districts is None:
        names = _unique_names([Path(p).name.split(".")[0] for p in osm], source="--osm")
        return [DistrictTask(name=n, osm=p, **common) for n, p in zip(names, osm)]
    if len(osm) != 1:
        raise InputError(message("--districts cuts one city extract into districts, but several --osm files were given"),
                         fix=message("give one --osm with --districts, or several --osm files without it"))
    margin = buffer_m if buffer_m is not None else default_buffer_m(
        preset_from_config(load_config(config), preset), analyses)
    outlines = _district_outlines(districts, name_field)
    return [DistrictTask(name=name, osm=osm[0], district_wkt=outline.wkt, clip_wkt=clip.wkt, **common)
            for name, outline, clip in _buffered(outlines, margin)]


def batch(*, osm: Sequence[str | Path], out: str | Path, districts: str | Path | None = None,
          name_field: str | None = None, buffer_m: float | None = None, analyses: Sequence[str] = ANALYSES,
          layers: Sequence[str | Path] = (), config: str | Path | None = None, preset: str | None = None,
          lang: str | None = None, encoding: str | None = None, workers: int | None = None,
          scheduler: str | None = None, client=None, retries: int = 1,
          progress: Callable[[str], None] | None = None) -> BatchResult:
    """Run the analyses for every district on Dask and merge the city outputs.

    Parameters
    ----------
    osm : sequence of path
        One city extract (with ``districts``) or one extract per district.
    out : path
        Output folder: ``districts/<name>/…`` per district, city files at the top.
    districts, name_field : path, str
        A polygon layer of districts and its name column (the first text column by default).
    buffer_m : float, optional
        Margin around each district, metres (default :func:`default_buffer_m`).
    workers, scheduler, client, retries
        Where tasks run (see :func:`geoplan.districts.cluster.dask_client`).
    progress : callable, optional
        Called with "districts done / total" lines.

    Returns
    -------
    BatchResult
        The summary; districts that failed carry their one-line reason (nothing is raised for them).
    """
    from geoplan.districts.cluster import dask_client
    from geoplan.districts.merge import index_map, merge_gpkg, summary_table, write_batch_manifest, write_summary

    say = progress or (lambda message: None)
    tasks = plan_tasks(osm=osm, out=out, districts=districts, name_field=name_field, buffer_m=buffer_m,
                       analyses=analyses, layers=layers, config=config, preset=preset, lang=lang, encoding=encoding)
    with dask_client(client=client, scheduler=scheduler, workers=workers, retries=retries) as dask:
        dashboard = getattr(dask, "dashboard_link", None)
        say(message("Dask dashboard: {link}", link=dashboard) if dashboard else message("Dask cluster ready"))
        rows = _run_all(dask, tasks, say)
    out = Path(out).resolve()
    summary = summary_table(rows)
    outputs = [write_summary(out, summary)]
    done = [r["district"] for r in rows if r["status"] != "failed"]
    gpkg = merge_gpkg(out, done)
    outputs += [gpkg] if gpkg else []
    outlines = {r["district"]: r.get("outline_wkt") for r in rows}
    outputs.append(index_map(out, summary, outlines, title=Path(out).name, lang=lang or "en"))
    params = {"analyses": list(tasks[0].analyses) if tasks else [], "districts": str(districts) if districts else None,
              "buffer_m": buffer_m, "retries": retries, "workers": workers, "scheduler": scheduler}
    outputs.append(write_batch_manifest(out, rows, params, outputs))
    return BatchResult(summary=summary, rows=tuple(rows), outputs=tuple(outputs), dashboard=dashboard)


def _run_all(dask, tasks: Sequence[DistrictTask], say) -> list[dict[str, Any]]:
    """Submit one task per district and collect their rows as they finish."""
    from distributed import as_completed

    futures = {dask.submit(run_district, t, key=f"district-{i}-{t.name}", pure=False): t
               for i, t in enumerate(tasks)}
    rows = []
    for n, future in enumerate(as_completed(futures), start=1):
        task = futures[future]
        try:
            row = future.result()
        except Exception as exc:  # the task lost its worker more often than --retries allows
            row = {"district": task.name, "osm": task.osm, "status": "failed",
                   "reason": message("worker lost ({kind}); raise --retries or give workers more memory",
                                     kind=type(exc).__name__)}
        rows.append(row)
        say(message("districts {done}/{total}: {district} {status}", done=n, total=len(tasks), district=task.name,
                    status=row["status"]))
    return rows


def _check_analyses(analyses: Sequence[str]) -> tuple[str, ...]:
    names = tuple(a.strip() for a in (analyses.split(",") if isinstance(analyses, str) else analyses) if a.strip())
    unknown = [a for a in names if a not in ANALYSES]
    if unknown or not names:
        raise InputError(message("unknown analyses: {names}", names=", ".join(unknown)) if unknown else
                         message("unknown analyses: (none given)"),
                         fix=message("use a comma-separated subset of {choices}", choices=",".join(ANALYSES)))
    return tuple(a for a in ANALYSES if a in names)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _unique_names(names: Sequence[str], *, source: str) -> list[str]:
    """Folder-safe district names; duplicates are an input error (their folders would collide)."""
    safe = [_UNSAFE.sub("_", str(n)).strip(" .") for n in names]
    if any(not n for n in safe):
        raise InputError(message("a district has an empty name"), source=source, fix=message("give every district a name"))
    dupes = sorted({n for n in safe if safe.count(n) > 1})
    if dupes:
        raise InputError(message("district names repeat: {names}", names=", ".join(dupes)), source=source,
                         fix=message("give each district (or OSM file) a distinct name"))
    return safe


def _district_outlines(path: str | Path, name_field: str | None):
    """District polygons in WGS-84 with their names, from any vector file."""
    import geopandas as gpd

    path = Path(path)
    if not path.is_file():
        raise InputError(message("districts file not found"), source=path,
                         fix=message("check the path given to {option}", option="--districts"))
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(message("cannot read the districts file ({detail})", detail=str(exc).splitlines()[0]),
                         source=path, fix=message("give a GeoPackage, GeoJSON or Shapefile of district polygons")) from None
    if frame.crs is None:
        raise InputError(message("the districts file has no CRS"), source=path,
                         fix=message("save it with its coordinate system"))
    frame = frame[frame.geometry.notna() & frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    if frame.empty:
        raise InputError(message("the districts file has no polygons"), source=path, fix=message("give district polygons"))
    if name_field is None:
        text = [c for c in frame.columns if c != "geometry" and frame[c].dtype == object]
        if not text:
            raise InputError(message("the districts file has no name column"), source=path,
                             fix=message("add one, or give --name-field"))
        name_field = text[0]
    if name_field not in frame.columns:
        raise InputError(message("no column {column!r} in the districts file", column=name_field), source=path,
                         fix=message("use one of: {choices}", choices=", ".join(c for c in frame.columns if c != "geometry")))
    names = _unique_names(frame[name_field].astype(str).tolist(), source=f"{path} column {name_field}")
    return list(zip(names, frame.to_crs("EPSG:4326").geometry))


def _buffered(outlines, margin_m: float):
    """(name, outline, outline + margin) in WGS-84; the margin is taken in a local metric CRS."""
    import geopandas as gpd

    shapes = gpd.GeoSeries([g for _, g in outlines], crs="EPSG:4326")
    metric = shapes.estimate_utm_crs()
    clips = shapes.to_crs(metric).buffer(margin_m).to_crs("EPSG:4326")
    return [(name, outline, clip) for (name, outline), clip in zip(outlines, clips)]


__all__ = ["ANALYSES", "BatchResult", "DistrictTask", "batch", "default_buffer_m", "plan_tasks", "run_district"]
