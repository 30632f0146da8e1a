"""The residents and facilities tables of ``residents.csv`` and ``facilities.csv``.

Column contract: see :mod:`geoplan.life_circle.result`. Pure functions of the searches' output.
"""

from __future__ import annotations

from typing import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.life_circle.capacity import Catchments
from geoplan.life_circle.distances import DECIMALS, CategoryReach
from geoplan.life_circle.redundancy import second_nearest, sole_cover_population, facilities_reached
from geoplan.life_circle.tiers import Tiers


def _lonlat(geometry: gpd.GeoSeries, crs) -> tuple[np.ndarray, np.ndarray, gpd.GeoSeries]:
    pts = gpd.GeoSeries(geometry.representative_point(), crs=crs)
    ll = pts.to_crs("EPSG:4326")
    return np.round(ll.x.to_numpy(), 7), np.round(ll.y.to_numpy(), 7), pts


def _text(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].astype(object).where(frame[column].notna(), None).to_numpy()


def within_matrix(table: pd.DataFrame, tiers: Tiers, *, elderly: bool = False) -> np.ndarray:
    """Residents × categories: distance within the (elderly) tier."""
    limits = tiers.elderly_limit_m if elderly else tiers.limit_m
    if not tiers.categories:
        return np.zeros((len(table), 0), dtype=bool)
    return np.column_stack([table[f"dist_m_{c}"].to_numpy(float) <= limits[c] for c in tiers.categories])


def _circle_columns(table: pd.DataFrame, tiers: Tiers) -> None:
    cats = tiers.categories
    within, within_e = within_matrix(table, tiers), within_matrix(table, tiers, elderly=True)
    ess = np.array([c in tiers.essential for c in cats], dtype=bool)
    table["categories_within_tier"] = within.sum(axis=1).astype(int)
    table["complete_circle"] = within[:, ess].all(axis=1) if cats else False
    table["categories_within_tier_elderly"] = within_e.sum(axis=1).astype(int)
    table["complete_circle_elderly"] = within_e[:, ess].all(axis=1) if cats else False
    table["missing_essential"] = [";".join(c for c, w in zip(cats, row) if c in tiers.essential and not w)
                                  for row in within]


def residents_table(study, population: np.ndarray, community: np.ndarray, reaches: Mapping[str, CategoryReach],
                    sfca: Mapping[str, Catchments], tiers: Tiers, *, profile: str) -> gpd.GeoDataFrame:
    """One row per resident feature, columns in the order of the contract."""
    res, cats = study.residents, tiers.categories
    lon, lat, _ = _lonlat(res.geometry, study.crs)
    table = pd.DataFrame({"resident_id": res["resident_id"].astype(str).to_numpy(), "lon": lon, "lat": lat,
                          "population": population, "community": community})
    for cat in cats:
        table[f"dist_m_{cat}"] = reaches[cat].distance_m
    for cat in cats:
        table[f"walk_min_{cat}"] = np.round(reaches[cat].distance_m / tiers.speed_mps / 60.0, 2)
    _circle_columns(table, tiers)
    fac_ids = study.facilities["facility_id"].astype(str).to_numpy() if len(study.facilities) else np.zeros(0, object)
    for cat in cats:
        near = reaches[cat].nearest
        table[f"nearest_{cat}"] = np.where(near >= 0, fac_ids[np.maximum(near, 0)] if len(fac_ids) else "", "")
    table["name"] = _text(res, "name")
    table["population_source"] = res["population_source"].astype(str).to_numpy()
    table["compound"] = _text(res, "compound") if "compound" in res else None  # the finer reporting unit
    snap = study.snaps["residents.walk"].distance_m
    table["snap_m"] = np.round(np.where(np.isfinite(snap), snap, np.nan), DECIMALS)
    n = len(table)
    for cat in cats:
        pairs = reaches[cat].within_tier
        table[f"dist2_m_{cat}"] = second_nearest(pairs, n)
        table[f"no_backup_{cat}"] = facilities_reached(pairs, n) == 1
    for cat, c in sfca.items():
        table[f"sfca_{cat}"] = np.round(c.sfca, 8)
        table[f"e2sfca_{cat}"] = np.round(c.e2sfca, 8)
    table["profile"] = profile
    return gpd.GeoDataFrame(table, geometry=res.geometry.to_numpy(), crs=study.crs)


def _facility_figures(used: np.ndarray, population: np.ndarray, reaches: Mapping[str, CategoryReach],
                      sfca: Mapping[str, Catchments], capacity: np.ndarray) -> pd.DataFrame:
    """Per facility row: people it is nearest for, catchment figures, people relying on it alone."""
    n = len(used)
    fig = pd.DataFrame({"nearest_population": np.zeros(n), "capacity": capacity,
                        "catchment_population": np.full(n, np.nan), "catchment_weighted_population": np.full(n, np.nan),
                        "supply_ratio": np.full(n, np.nan), "sole_cover_population": np.zeros(n)})
    for cat, r in reaches.items():
        hit = r.nearest >= 0
        if hit.any():
            s = pd.Series(population[hit]).groupby(r.nearest[hit]).sum()
            fig.loc[s.index, "nearest_population"] += s.to_numpy()
        if len(r.facilities):
            fig.loc[r.facilities, "sole_cover_population"] = sole_cover_population(r.within_tier, population,
                                                                                   r.facilities)
        if cat in sfca:
            c = sfca[cat]
            fig.loc[r.facilities, "catchment_population"] = c.catchment_population
            fig.loc[r.facilities, "catchment_weighted_population"] = c.catchment_weighted_population
            fig.loc[r.facilities, "supply_ratio"] = c.supply_ratio
    return fig.loc[used]


def facilities_table(study, used: np.ndarray, population: np.ndarray, reaches: Mapping[str, CategoryReach],
                     sfca: Mapping[str, Catchments], capacity: np.ndarray, tiers: Tiers, *,
                     profile: str) -> gpd.GeoDataFrame:
    """Every facility used (snapped, of an analysed category), as points, in category order."""
    mask = np.zeros(len(study.facilities), dtype=bool)
    mask[used] = True
    fac = study.facilities.loc[mask]
    for col in ("facility_id", "category", "name", "source"):
        if col not in fac:
            fac = fac.assign(**{col: pd.Series([None] * len(fac), index=fac.index, dtype=object)})
    lon, lat, pts = _lonlat(fac.geometry, study.crs)
    fig = _facility_figures(mask, population, reaches, sfca, capacity)
    frame = gpd.GeoDataFrame({
        "facility_id": fac["facility_id"].astype(str).to_numpy(), "category": fac["category"].astype(str).to_numpy(),
        "name": _text(fac, "name"), "lon": lon, "lat": lat, "source": _text(fac, "source"),
        "rule": _text(fac, "rule") if "rule" in fac else None,  # which tag or name rule classified it
        **{f"label_{lg}": _text(fac, f"label_{lg}") if f"label_{lg}" in fac else _text(fac, "name")
           for lg in ("zh", "en")},
        "entries": study.snaps["facilities.walk"].n_entries[mask],
        "snap_m": np.round(study.snaps["facilities.walk"].distance_m[mask], DECIMALS),
        "nearest_population": np.round(fig["nearest_population"].to_numpy(), 1),
        "capacity": fig["capacity"].to_numpy(),
        "catchment_population": np.round(fig["catchment_population"].to_numpy(), 3),
        "catchment_weighted_population": np.round(fig["catchment_weighted_population"].to_numpy(), 3),
        "supply_ratio": np.round(fig["supply_ratio"].to_numpy(), 8),
        "sole_cover_population": np.round(fig["sole_cover_population"].to_numpy(), 3),
        "profile": profile,
    }, geometry=pts.to_numpy(), crs=study.crs)
    order = {c: i for i, c in enumerate(tiers.categories)}
    keys = np.lexsort((frame["facility_id"].to_numpy(), frame["category"].map(order).to_numpy()))
    return frame.iloc[keys].reset_index(drop=True)
