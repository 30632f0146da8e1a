"""The city's outputs from the districts': one GeoPackage, one summary table, an index map, a manifest."""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geoplan.i18n import N_, translator
from geoplan.report import package_versions, write_csv, write_gpkg, write_text

#: Headline figures of the summary table and the index map, in the order the map offers them.
HEADLINES = ("complete_circle_share", "buildings_without_access", "residents_without_shelter")
#: Map label of each headline figure (layer name and popup field).
_VALUE_LABEL = {"complete_circle_share": N_("Complete life circle share"),
                "buildings_without_access": N_("Buildings without fire access"),
                "residents_without_shelter": N_("Residents without a shelter")}
_GPKGS = (("coverage", "coverage.gpkg"), ("access", "access.gpkg"), ("sites", "sites.gpkg"))


def summary_table(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per district, sorted by name: status, reason, headline figures, seconds, worker."""
    frame = pd.DataFrame(list(rows))
    for col in ("district", "status", "reason", "population", *HEADLINES, "buildings", "seconds", "worker"):
        if col not in frame:
            frame[col] = None
    cols = ["district", "status", "reason", "population", *HEADLINES, "buildings", "seconds", "worker"]
    return frame[cols].sort_values("district", kind="stable").reset_index(drop=True)


def merge_gpkg(out: Path, names: Sequence[str]) -> Path | None:
    """``city.gpkg``: every district's layers stacked, each row with its ``district``."""
    stacked: dict[str, list[gpd.GeoDataFrame]] = {}
    for name in names:
        for folder, file in _GPKGS:
            path = out / "districts" / name / folder / file
            if not path.is_file():
                continue
            for layer, _ in pyogrio.list_layers(path):
                frame = gpd.read_file(path, layer=layer).to_crs("EPSG:4326")
                frame.insert(0, "district", name)
                stacked.setdefault(f"{folder}_{layer}", []).append(frame)
    if not stacked:
        return None
    layers = {k: gpd.GeoDataFrame(pd.concat(v, ignore_index=True), crs="EPSG:4326") for k, v in stacked.items()}
    return write_gpkg(layers, out / "city.gpkg")


def index_map(out: Path, summary: pd.DataFrame, outlines: dict[str, str | None], *, title: str,
              lang: str = "en") -> Path:
    """``index.html``: district outlines coloured by each headline figure, with links to their maps.

    Drawn with the project's :class:`~geoplan.maps.PlanMap`, so it is offline and escaped like
    every other map; one layer per headline figure (the first shown), a panel of links.
    """
    from geoplan.maps import Field, PlanMap

    rows = summary.assign(outline=summary["district"].map(outlines)).dropna(subset=["outline"])
    frame = gpd.GeoDataFrame(rows.drop(columns=["outline"]),
                             geometry=[shapely.from_wkt(w) for w in rows["outline"]], crs="EPSG:4326")
    m = PlanMap(title, lang=lang, subtitle=N_("Districts"), offline=True)
    for i, figure in enumerate(HEADLINES):
        values = pd.to_numeric(frame[figure], errors="coerce")
        frame[figure] = values
        graduated = _classes(values, good_high=figure == "complete_circle_share",
                             fmt="pct" if figure.endswith("share") else "int")
        m.add_layer(frame, name_key=f"batch.{figure}", name=translator(lang).gettext(_VALUE_LABEL[figure]),
                    kind="polygons", graduated=graduated,
                    tooltip=[Field("district", "field.name")],
                    popup=[Field("status", "field.status"), Field(figure, _VALUE_LABEL[figure], graduated.fmt)],
                    show=i == 0, fit=True, permanent_labels=False)
    m.add_html_panel(_links(summary, out), position="topright")
    return m.to_html(out / "index.html")


def _classes(values: pd.Series, *, good_high: bool, fmt: str):
    from geoplan.maps import Graduated

    top = float(values.max()) if values.notna().any() else 0.0
    top = top if top > 0 else 1.0
    bins = [0.0, top / 4, top / 2, 3 * top / 4, top]
    ramp = ["#d7301f", "#fc8d59", "#91cf60", "#1a9850"]
    return Graduated(values.name, bins, ramp if good_high else ramp[::-1], fmt=fmt)


def _links(summary: pd.DataFrame, out: Path) -> str:
    """An escaped list of each district's maps that exist (or its failure reason)."""
    items = []
    for _, row in summary.iterrows():
        district = str(row["district"])
        name = html.escape(district)
        if row["status"] == "failed":
            items.append(f"<li><b>{name}</b>: {html.escape(str(row['reason']))}</li>")
            continue
        maps = sorted((out / "districts" / district / "maps").glob("*.html"))
        links = " · ".join(f'<a href="{html.escape(p.relative_to(out).as_posix(), quote=True)}">'
                           f"{html.escape(p.stem)}</a>" for p in maps)
        items.append(f"<li><b>{name}</b> {links}</li>")
    return "<ul style='margin:0;padding-left:1.2em'>" + "".join(items) + "</ul>"


def write_batch_manifest(out: Path, rows: Sequence[dict[str, Any]], parameters: dict[str, Any],
                         outputs: Sequence[Path]) -> Path:
    """``batch_manifest.json``: every district with status, reason, inputs' checksums, timing, worker."""
    districts = []
    for row in sorted(rows, key=lambda r: str(r["district"])):
        manifest = out / "districts" / str(row["district"]) / "manifest.json"
        inputs = []
        if manifest.is_file():
            inputs = json.loads(manifest.read_text(encoding="utf-8")).get("inputs", [])
        districts.append({k: row.get(k) for k in ("district", "status", "reason", "seconds", "worker", "osm")}
                         | {"inputs": inputs})
    body = {"tool": "geoplan", "command": "batch", "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "parameters": parameters, "districts": districts,
            "outputs": sorted(str(Path(p).relative_to(out)) for p in outputs), "versions": package_versions()}
    return write_text(out / "batch_manifest.json", json.dumps(body, ensure_ascii=False, indent=2, default=str) + "\n")


def write_summary(out: Path, summary: pd.DataFrame) -> Path:
    return write_csv(summary, out / "summary.csv")
