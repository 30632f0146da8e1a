"""The sites' side of the proposal: the open sites with their figures, every candidate's final
status, and the resident → site assignment lines (column contracts in :mod:`geoplan.shelters.result`)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan.shelters import messages as say
from geoplan.shelters.cost import DECIMALS, SiteColumns
from geoplan.shelters.outcome import Outcome

PROPOSED_COLUMNS = ["site_id", "name", "kind", "lon", "lat", "effective_area_m2", "capacity", "assigned_population",
                    "covered_population", "mean_walk_m", "max_walk_m", "rank", "status", "assigned_residents",
                    "elderly_covered_population", "utilisation", "net_area_m2", "usable_share", "source", "snap_m",
                    "note", "note_code"]
CANDIDATE_ORDER = ["site_id", "name", "kind", "status", "reason", "reason_text", "part_of", "existing", "lon", "lat",
                   "gross_area_m2", "net_area_m2", "usable_share", "effective_area_m2", "capacity",
                   "covered_population", "snap_m", "source", "open_ground", "name_zh", "name_en", "note",
                   "reason_code", "note_code"]


def with_lonlat(cand: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The candidates with ``lon, lat`` (WGS-84) of a point inside each site."""
    ll = gpd.GeoSeries(cand.geometry.representative_point(), crs=cand.crs).to_crs("EPSG:4326")
    return cand.assign(lon=np.round(ll.x.to_numpy(), 7), lat=np.round(ll.y.to_numpy(), 7))


def site_figures(out: Outcome, pop: np.ndarray) -> pd.DataFrame:
    """Per open column: persons assigned, features, longest and mean walk (m), elderly persons within reach."""
    c = out.covered
    per = pd.DataFrame({"col": out.assign[c], "pop": pop[c], "walk": out.walk[c],
                        "eld": out.within_elderly[c] * pop[c]})
    agg = per.groupby("col").agg(assigned=("pop", "sum"), features=("pop", "size"), max_walk=("walk", "max"),
                                 eld=("eld", "sum"))
    per["pw"] = per["pop"] * per["walk"]
    agg["mean_walk"] = per.groupby("col")["pw"].sum() / agg["assigned"].where(agg["assigned"] > 0)
    return agg


def _proposed_row(c: pd.Series, sid: str, a: pd.Series | None, covered: float, rank: int, existing: bool) -> dict:
    cap = int(c["capacity"])
    if a is not None and cap > 0:
        utilisation = round(float(a["assigned"]) / cap, 4)
    else:
        utilisation = 0.0 if cap > 0 else np.nan
    return {
        "site_id": sid, "name": c["name"], "kind": c["kind"], "lon": c["lon"], "lat": c["lat"],
        "effective_area_m2": c["effective_area_m2"], "capacity": cap,
        "assigned_population": round(float(a["assigned"]), 3) if a is not None else 0.0,
        "covered_population": round(float(covered), 3),
        "mean_walk_m": round(float(a["mean_walk"]), DECIMALS) if a is not None else np.nan,
        "max_walk_m": round(float(a["max_walk"]), DECIMALS) if a is not None else np.nan,
        "rank": 0 if existing else rank, "status": "existing" if existing else "proposed",
        "assigned_residents": int(a["features"]) if a is not None else 0,
        "elderly_covered_population": round(float(a["eld"]), 3) if a is not None else 0.0,
        "utilisation": utilisation, "net_area_m2": c["net_area_m2"], "usable_share": c["usable_share"],
        "source": c["source"], "snap_m": c["snap_m"], "note": c["note"], "note_code": say.note_codes(c["_notes"]),
        "_notes": c["_notes"],
    }


def proposed_table(cand: gpd.GeoDataFrame, cols: SiteColumns, out: Outcome, figures: pd.DataFrame,
                   covered_by: np.ndarray, rank: dict[int, int]) -> gpd.GeoDataFrame:
    """``proposed.csv``: the open sites (existing first, then by build order) as points."""
    rows = [_proposed_row(cand.iloc[cols.index[j]], cols.ids[j], figures.loc[j] if j in figures.index else None,
                          covered_by[j], rank.get(j, 0), bool(cols.preselected[j])) for j in out.open_cols.tolist()]
    proposed = pd.DataFrame(rows, columns=PROPOSED_COLUMNS + ["_notes"])
    if len(proposed):
        proposed = proposed.sort_values(["rank", "site_id"], kind="stable").reset_index(drop=True)
    pts = gpd.GeoSeries.from_xy(proposed["lon"], proposed["lat"], crs="EPSG:4326").to_crs(cand.crs)
    return gpd.GeoDataFrame(proposed, geometry=pts.to_numpy(), crs=cand.crs)


def candidates_table(cand: gpd.GeoDataFrame, cols: SiteColumns, out: Outcome,
                     covered_by: np.ndarray) -> gpd.GeoDataFrame:
    """``candidates.csv``: eligible candidates become ``proposed`` or ``not_chosen`` (``no_one_in_reach``
    when nobody lives within the radius)."""
    status = cand["status"].to_numpy(dtype=object).copy()
    reason = cand["reason"].to_numpy(dtype=object).copy()
    text = cand["_reason_text"].to_numpy(dtype=object).copy()
    cov_all = np.full(len(cand), np.nan)
    cov_all[cols.index] = covered_by
    eligible = status[cols.index] == "eligible"
    status[cols.index[eligible]] = np.where(out.is_open[eligible], "proposed", "not_chosen")
    for i in cols.index[eligible & ~out.is_open & (covered_by <= 0)]:
        reason[i] = "no_one_in_reach"
        text[i] = say.rejection("no_one_in_reach")
    table = cand.assign(status=status, reason=reason, reason_code=reason, _reason_text=text,
                        reason_text=[say.render(t) for t in text], covered_population=np.round(cov_all, 3),
                        note_code=[say.note_codes(n) for n in cand["_notes"]])
    return table[CANDIDATE_ORDER + ["_reason_text", "_notes", "geometry"]]


def assignment_lines(res_points: np.ndarray, cand: gpd.GeoDataFrame, cols: SiteColumns, out: Outcome,
                     resident_ids: np.ndarray, pop: np.ndarray) -> gpd.GeoDataFrame:
    """Resident → site lines of the assignment: ``resident_id, site_id, population, walk_m``."""
    crs = cand.crs
    if not out.covered.any():
        return gpd.GeoDataFrame({"resident_id": [], "site_id": [], "population": [], "walk_m": []},
                                geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    site_xy = cand.geometry.representative_point().to_numpy()[cols.index]
    a = np.flatnonzero(out.covered)
    to = site_xy[out.assign[a]]
    lines = shapely.linestrings(np.stack([
        np.column_stack([shapely.get_x(res_points[a]), shapely.get_y(res_points[a])]),
        np.column_stack([shapely.get_x(to), shapely.get_y(to)]),
    ], axis=1))
    return gpd.GeoDataFrame({"resident_id": resident_ids[a], "site_id": cols.ids[out.assign[a]],
                             "population": pop[a], "walk_m": out.walk[a]}, geometry=lines, crs=crs)
