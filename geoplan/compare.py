"""What changed between two runs of the same study (before/after clearing an obstruction, with or
without proposed shelters, two presets): difference tables per community and a swipe map.

Two runs are of the same study when their manifests name the same OpenStreetMap input and the
same reporting units (``osm`` and ``boundary`` inputs, by SHA-256); every other layer may differ,
since that is what a scenario changes. Runs of different studies are refused with one line.

Outputs under ``out``: ``compare/access_changes.csv``, ``compare/coverage_changes.csv``,
``compare/shelter_changes.csv``, ``compare/summary.csv`` and ``maps/compare.html``.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.errors import InputError
from geoplan.i18n import message
from geoplan.printout._tables import RunTables, read_run
from geoplan.printout._text import STATUS, code_label, text

#: Inputs that make two runs the same study (other layers are what a scenario changes).
IDENTITY_ROLES = ("osm", "boundary")
#: Access statuses from best to worst (a lower rank is better).
STATUS_RANK = {"ok": 0, "slow": 1, "far_from_road": 2, "blocked": 3, "unreachable": 4}


@dataclass(frozen=True)
class Comparison:
    """The differences between run A (before) and run B (after); tables keep only changed rows."""

    run_a: Path
    run_b: Path
    access: pd.DataFrame
    coverage: pd.DataFrame
    shelters: pd.DataFrame
    summary: pd.DataFrame
    buildings_b: gpd.GeoDataFrame | None
    roads: gpd.GeoDataFrame | None

    def to_file(self, out: str | Path) -> list[Path]:
        """Write the difference tables under ``out/compare/``; return the paths."""
        from geoplan.report import write_csv

        folder = Path(out) / "compare"
        return [write_csv(frame, folder / name) for name, frame in (
            ("access_changes.csv", self.access), ("coverage_changes.csv", self.coverage),
            ("shelter_changes.csv", self.shelters), ("summary.csv", self.summary))]

    def to_map(self, *, lang: str = "en", date: str | None = None):
        """The swipe map (A left, B right) of buildings by access status, changed ones outlined."""
        from geoplan.maps.compare_map import compare_map

        return compare_map(self, lang=lang, date=date or _dt.date.today().isoformat())


def check_same_study(a: RunTables, b: RunTables) -> None:
    """Raise :class:`InputError` unless both runs read the same OSM data and reporting units."""
    def sums(run: RunTables, role: str) -> list[str]:
        return sorted(str(i.get("sha256")) for i in run.manifest.get("inputs", []) if i.get("role") == role)

    for role in IDENTITY_ROLES:
        sa, sb = sums(a, role), sums(b, role)
        if sa != sb:
            raise InputError(message("the two runs are of different studies: their input {role} differs ({a} vs {b})",
                                     role=role, a=",".join(s[:12] for s in sa) or "none",
                                     b=",".join(s[:12] for s in sb) or "none"),
                             source=f"{a.folder}/manifest.json, {b.folder}/manifest.json",
                             fix=message("compare two runs of the same study, e.g. before and after clearing an "
                                         "obstruction"))


def access_changes(a: RunTables, b: RunTables) -> pd.DataFrame:
    """Buildings whose access status changed: ``building_id, community, population, status_a,
    status_b, response_s_a, response_s_b, change`` (``better``/``worse``)."""
    cols = ["building_id", "community", "population", "status", "response_s"]
    if a.access_buildings is None or b.access_buildings is None:
        return pd.DataFrame(columns=cols[:3] + ["status_a", "status_b", "response_s_a", "response_s_b", "change"])
    m = pd.DataFrame(a.access_buildings[cols]).merge(pd.DataFrame(b.access_buildings[cols]),
                                                     on=["building_id", "community", "population"],
                                                     suffixes=("_a", "_b"), how="outer")
    m = m.loc[m["status_a"].astype(str) != m["status_b"].astype(str)].copy()
    rank_a = m["status_a"].map(STATUS_RANK).fillna(9)
    rank_b = m["status_b"].map(STATUS_RANK).fillna(9)
    m["change"] = np.where(rank_b < rank_a, "better", "worse")
    return m.sort_values(["community", "building_id"], kind="stable").reset_index(drop=True)


def coverage_changes(a: RunTables, b: RunTables) -> pd.DataFrame:
    """Residents whose number of services within tier or complete-circle flag changed."""
    cols = ["resident_id", "community", "population", "categories_within_tier", "complete_circle"]
    if a.coverage_residents is None or b.coverage_residents is None:
        return pd.DataFrame(columns=cols[:3])
    m = a.coverage_residents[cols].merge(b.coverage_residents[cols], on=cols[:3], suffixes=("_a", "_b"), how="outer")
    changed = (m["categories_within_tier_a"] != m["categories_within_tier_b"]) | \
              (m["complete_circle_a"] != m["complete_circle_b"])
    m = m.loc[changed].copy()
    m["change"] = np.where(m["categories_within_tier_b"] > m["categories_within_tier_a"], "better", "worse")
    return m.sort_values(["community", "resident_id"], kind="stable").reset_index(drop=True)


def shelter_changes(a: RunTables, b: RunTables) -> pd.DataFrame:
    """Residents whose assigned shelter or shelter cover changed."""
    cols = ["resident_id", "community", "population", "site_id", "covered"]
    if a.sites_residents is None or b.sites_residents is None:
        return pd.DataFrame(columns=cols[:3])
    m = a.sites_residents[cols].merge(b.sites_residents[cols], on=cols[:3], suffixes=("_a", "_b"), how="outer")
    same_site = m["site_id_a"].fillna("") == m["site_id_b"].fillna("")
    m = m.loc[~same_site | (m["covered_a"] != m["covered_b"])].copy()
    m["change"] = np.where(m["covered_b"].astype(bool) & ~m["covered_a"].astype(bool), "better",
                           np.where(m["covered_a"].astype(bool) & ~m["covered_b"].astype(bool), "worse", "changed"))
    return m.sort_values(["community", "resident_id"], kind="stable").reset_index(drop=True)


def per_community(access: pd.DataFrame, coverage: pd.DataFrame, shelters: pd.DataFrame) -> pd.DataFrame:
    """Counts of changes per community and ``ALL``: buildings better/worse, residents' coverage and
    shelter changes, and the people in them."""
    parts = []
    for name, frame in (("access", access), ("coverage", coverage), ("shelter", shelters)):
        if not len(frame):
            continue
        g = frame.assign(_b=frame["change"] == "better", _w=frame["change"] == "worse")
        agg = g.groupby("community").agg(**{f"{name}_better": ("_b", "sum"), f"{name}_worse": ("_w", "sum"),
                                            f"{name}_changed": ("change", "size"),
                                            f"{name}_population": ("population", "sum")})
        parts.append(agg)
    if not parts:
        return pd.DataFrame({"community": ["ALL"]})
    table = pd.concat(parts, axis=1).fillna(0)
    table.loc["ALL"] = table.sum()
    return table.reset_index(names="community")


def compare_runs(run_a: str | Path, run_b: str | Path) -> Comparison:
    """Compare two run folders (A: before, B: after).

    Raises
    ------
    InputError
        A folder is not a finished run, or the runs are of different studies.
    """
    a, b = read_run(run_a), read_run(run_b)
    check_same_study(a, b)
    access, coverage, shelters = access_changes(a, b), coverage_changes(a, b), shelter_changes(a, b)
    roads = None
    gpkg = Path(run_b) / "access" / "access.gpkg"
    if gpkg.exists():
        roads = gpd.read_file(gpkg, layer="roads")
    return Comparison(Path(run_a), Path(run_b), access, coverage, shelters, per_community(access, coverage, shelters),
                      _with_a_status(a, b), roads)


def _with_a_status(a: RunTables, b: RunTables) -> gpd.GeoDataFrame | None:
    if b.access_buildings is None:
        return None
    out = b.access_buildings[["building_id", "community", "population", "status", "geometry"]].rename(
        columns={"status": "status_b"})
    before = {} if a.access_buildings is None else dict(zip(a.access_buildings["building_id"],
                                                            a.access_buildings["status"]))
    out["status_a"] = [before.get(i, "unreachable") for i in out["building_id"]]
    return out


def status_label(code, lang: str) -> str:
    """An access status in ``lang``."""
    return code_label(STATUS, code, lang)
