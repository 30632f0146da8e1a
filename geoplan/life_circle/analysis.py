"""15-minute life-circle coverage: how far every resident walks to each daily service.

The question a planner asks: *which residents have a clinic, a school, a market… within the
walking distance of its life circle, and where are the gaps?*

Method (all lengths metres, all speeds metres per second):

1. **Distances.** For each facility category, one multi-source search on the compiled walking
   network starts from every facility of that category at once (each facility's straight
   connector to the street is its start cost). A resident's distance is
   ``connector(resident → street) + along the streets + connector(street → facility)`` to the
   nearest facility; ``NaN`` when there is no path (a resident or facility farther than the
   preset's ``max_snap_m`` from the network, or on a piece of network cut off from every
   facility). The search is bounded by ``horizon_m`` (default 20 km): distances beyond it are
   reported empty, like "unreachable". One search serves every profile: a profile only changes
   the threshold a distance is compared with.
2. **Tiers.** Which circle a category belongs to comes from the preset's one table
   (:data:`geoplan.standards.CIRCLE_OF_CATEGORY`, GB 50180-2018). ``mode="distance"`` uses the
   circle's walking distance (5/10/15 min → 300/500/1000 m); ``mode="time"`` uses the circle's
   minutes at a walking speed (1.2 m/s adults, 0.9 m/s ``profile="elderly"``; ``speed``
   overrides the chosen profile's speed). A resident is covered when distance ≤ threshold.
3. **Elderly profile.** Always reported beside the chosen profile (``*_elderly`` columns): the
   same minutes at the elderly speed. In distance mode the tier distances are taken to be what
   an adult walks in the circle's time, so the elderly threshold is the tier distance scaled by
   ``elderly speed / adult speed`` (300 m → 225 m at 0.9/1.2). Elderly coverage is therefore
   never above adult coverage.
4. **Complete life circle.** A resident whose every *essential* category (preset table) among
   the analysed ones is within its tier.
5. **Gaps and service areas** — see :mod:`geoplan.life_circle.gaps` and
   :mod:`geoplan.life_circle.service_areas`.

Population is the weight everywhere: a resident feature with population 0 (or missing,
treated as 0 with a warning) stays in the tables but does not move any share.
"""

from __future__ import annotations

from typing import Callable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.life_circle.gaps import gap_areas
from geoplan.life_circle.result import CoverageResult
from geoplan.errors import InputError
from geoplan.network.service_areas import SERVICE_AREA_BUFFER_M
from geoplan.network.service_areas import service_areas as _service_areas

MODES = ("distance", "time")
PROFILES = ("adult", "elderly")
#: Search bound (m): distances beyond are reported empty. A 4.6-hour walk at 1.2 m/s — no
#: daily service is that far in a city; it only keeps searches on very large networks finite.
DEFAULT_HORIZON_M = 20_000.0
#: Residents of the same category gap whose footprints are closer than this (m) form one gap area.
GAP_JOIN_M = 100.0
#: Community of residents outside every boundary polygon (and of all of them without a boundary layer).
UNASSIGNED = "unassigned"
#: Distances are rounded to this many decimals (cm) before comparing with a tier, so the
#: covered flags can be recomputed exactly from the written table.
_DECIMALS = 2

Progress = Callable[[str], None]


def parse_categories(categories: str | Sequence[str] | None, known: Sequence[str], *,
                     source: str | None = None) -> tuple[str, ...]:
    """Validate a category selection (comma-separated text or a list) against the preset table.

    ``None`` or empty means every category of the preset. Unknown names raise
    :class:`~geoplan.errors.InputError` listing the known ones.
    """
    if categories is None:
        return tuple(known)
    if isinstance(categories, str):
        categories = [c for c in categories.split(",")]
    chosen = [str(c).strip() for c in categories if str(c).strip()]
    if not chosen:
        return tuple(known)
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise InputError(f"unknown facility categor{'y' if len(unknown) == 1 else 'ies'}: {', '.join(unknown)}",
                         source=source, fix=f"choose from: {', '.join(known)}")
    return tuple(dict.fromkeys(c for c in known if c in chosen))  # preset order, no duplicates


def tier_limits(preset, categories: Sequence[str], *, mode: str, profile: str,
                speed: float | None = None) -> tuple[dict[str, float], dict[str, float], float, float]:
    """Coverage thresholds (m) per category for the chosen profile and for the elderly profile.

    Returns
    -------
    limits, elderly_limits, speed_mps, elderly_speed_mps
        Thresholds in metres and the walking speeds (m/s) used for minutes.
    """
    adult_v = float(preset.life_circle.walk_speed_mps)
    elderly_v = float(preset.life_circle.walk_speed_elderly_mps)
    if speed is not None:
        if profile == "elderly":
            elderly_v = float(speed)
        else:
            adult_v = float(speed)
    elderly_v = min(elderly_v, adult_v)  # the elderly profile is never the faster one
    speed_v = elderly_v if profile == "elderly" else adult_v
    limits, elderly = {}, {}
    for cat in categories:
        minutes = preset.life_circle.circle_of_category[cat][0]
        if mode == "distance":
            adult_m = float(preset.life_circle.circle_distance_m[minutes])
            elderly_m = adult_m * elderly_v / adult_v
        else:
            adult_m = adult_v * minutes * 60.0
            elderly_m = elderly_v * minutes * 60.0
        limits[cat] = elderly_m if profile == "elderly" else adult_m
        elderly[cat] = elderly_m
    return limits, elderly, speed_v, elderly_v


def coverage(study, *, mode: str = "distance", speed: float | None = None, profile: str = "adult",
             categories: str | Sequence[str] | None = None, horizon_m: float = DEFAULT_HORIZON_M,
             service_area_buffer_m: float = SERVICE_AREA_BUFFER_M, gap_join_m: float = GAP_JOIN_M,
             per_facility: bool = False, with_areas: bool = True,
             progress: Progress | None = None) -> CoverageResult:
    """Walking access of every resident to each life-circle service category.

    Parameters
    ----------
    study : geoplan.study.Study
        A loaded study (residents, facilities, communities, walking network, preset).
    mode : {"distance", "time"}
        ``"distance"``: GB 50180-2018 tier distances (300/500/1000 m). ``"time"``: the tier's
        minutes at the walking speed.
    speed : float, optional
        Walking speed of the chosen profile, m/s (default: preset, 1.2 adults / 0.9 elderly).
        Converts distances to minutes in both modes; sets the thresholds in time mode.
    profile : {"adult", "elderly"}
        Whose thresholds the main columns use; the elderly figures are always added too.
    categories : str or sequence of str, optional
        Categories to analyse (default: every category of the preset's circle table).
    horizon_m : float
        Search bound, metres; distances beyond are reported empty.
    service_area_buffer_m : float
        Half-width of the walk-shed drawn around reachable streets, metres.
    gap_join_m : float
        Uncovered residents closer than this (m) belong to the same gap area.
    per_facility : bool
        Also build one service area per facility (its share of the category's area: the
        streets for which it is the nearest facility within the tier).
    with_areas : bool
        Build the service-area polygons (``False`` leaves ``service_areas`` without geometry;
        for quick what-ifs on very large networks).
    progress : callable, optional
        Called with a short message before each long step.

    Returns
    -------
    CoverageResult
    """
    say = progress or (lambda message: None)
    if mode not in MODES:
        raise InputError(f"unknown coverage mode {mode!r}", fix=f"use one of: {', '.join(MODES)}")
    if profile not in PROFILES:
        raise InputError(f"unknown walking profile {profile!r}", fix=f"use one of: {', '.join(PROFILES)}")
    if speed is not None and not (np.isfinite(speed) and speed > 0):
        raise InputError(f"walking speed must be a positive number of metres per second, not {speed!r}",
                         fix="e.g. --speed 1.2 (adults) or --speed 0.9 (older people)")
    if not horizon_m > 0:
        raise InputError(f"horizon_m must be positive, not {horizon_m!r}")
    preset = study.preset
    cats = parse_categories(categories, preset.categories)
    limits, elderly_limits, speed_v, elderly_v = tier_limits(preset, cats, mode=mode, profile=profile, speed=speed)
    warnings: list[str] = []

    # ---------------------------------------------------------------- residents
    residents = study.residents
    snap_r = study.snaps["residents.walk"]
    population = pd.to_numeric(residents["population"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(population) | (population < 0)
    zero = int((population == 0).sum())
    if bad.any():
        warnings.append(f"{int(bad.sum())} resident features have a missing or negative population; "
                        f"counted as 0 people")
        population = np.where(bad, 0.0, population)
    if zero:
        warnings.append(f"{zero} resident features have population 0: listed, but they do not weigh in any share")
    off = ~snap_r.ok
    if off.any():
        warnings.append(f"{int(off.sum())} resident features ({population[off].sum():,.0f} people) are farther "
                        f"than {preset.max_snap_m:g} m from the walking network: no distance, not covered")
    community = residents["community"].astype(object).where(residents["community"].notna(), UNASSIGNED)
    community = community.map(lambda c: UNASSIGNED if str(c).strip() in ("", "nan", "None") else str(c))

    # ---------------------------------------------------------------- facilities
    fac_all = study.facilities
    missing_cols = [c for c in ("facility_id", "category", "name", "source") if c not in fac_all.columns]
    if missing_cols:  # a study without any facility has a bare, geometry-only table
        fac_all = fac_all.assign(**{c: pd.Series([None] * len(fac_all), index=fac_all.index, dtype=object)
                                    for c in missing_cols})
    snap_f = study.snaps["facilities.walk"]
    fac_cat = fac_all["category"].astype(object).to_numpy() if len(fac_all) else np.zeros(0, dtype=object)
    net = study.walk.compiled
    dist = {}
    nearest = {}
    reaches = {}
    used = np.zeros(len(fac_all), dtype=bool)
    for cat in cats:
        say(f"coverage: walking distances to {cat}")
        idx = np.flatnonzero(fac_cat == cat)
        ok = idx[snap_f.ok[idx]]
        if len(idx) > len(ok):
            warnings.append(f"{len(idx) - len(ok)} {cat} facilities are farther than {preset.max_snap_m:g} m from "
                            f"the walking network and were left out")
        if len(ok) == 0:
            warnings.append(f"no {cat} facilities on the walking network of the study area: {cat} coverage is 0 %")
        used[ok] = True
        sources = snap_f.subset(ok)
        limit = max(horizon_m, max(limits[cat], elderly_limits[cat]))
        reach = net.search(sources, weight="length", limit=limit, source_cost=sources.distance_m)
        cost, which = reach.to(snap_r)
        d = cost + snap_r.distance_m
        d = np.where(np.isfinite(d) & (d <= limit), np.round(d, _DECIMALS), np.nan)
        dist[cat] = d
        hit = np.isfinite(d) & (which >= 0)
        nearest[cat] = np.full(len(d), -1, dtype=np.int64)
        nearest[cat][hit] = ok[which[hit]]
        reaches[cat] = (reach, ok)

    # ---------------------------------------------------------------- residents table
    pts = residents.geometry.representative_point()
    ll = gpd.GeoSeries(pts, crs=study.crs).to_crs("EPSG:4326")
    table = pd.DataFrame({
        "resident_id": residents["resident_id"].astype(str).to_numpy(),
        "lon": np.round(ll.x.to_numpy(), 7),
        "lat": np.round(ll.y.to_numpy(), 7),
        "population": population,
        "community": community.to_numpy(),
    })
    fac_ids = fac_all["facility_id"].astype(str).to_numpy() if len(fac_all) else np.zeros(0, dtype=object)
    for cat in cats:
        table[f"dist_m_{cat}"] = dist[cat]
    for cat in cats:
        table[f"walk_min_{cat}"] = np.round(dist[cat] / speed_v / 60.0, 2)
    within = np.column_stack([dist[c] <= limits[c] for c in cats]) if cats else np.zeros((len(table), 0), bool)
    within_e = (np.column_stack([dist[c] <= elderly_limits[c] for c in cats]) if cats
                else np.zeros((len(table), 0), bool))
    essential = [c for c in cats if preset.life_circle.circle_of_category[c][1]] or list(cats)
    ess = np.array([c in essential for c in cats], dtype=bool)
    table["categories_within_tier"] = within.sum(axis=1).astype(int)
    table["complete_circle"] = within[:, ess].all(axis=1) if cats else False
    table["categories_within_tier_elderly"] = within_e.sum(axis=1).astype(int)
    table["complete_circle_elderly"] = within_e[:, ess].all(axis=1) if cats else False
    table["missing_essential"] = [";".join(c for c, w in zip(cats, row) if c in essential and not w)
                                  for row in within]
    for cat in cats:
        table[f"nearest_{cat}"] = np.where(nearest[cat] >= 0, fac_ids[np.maximum(nearest[cat], 0)]
                                           if len(fac_ids) else "", "")
    table["name"] = residents["name"].astype(object).where(residents["name"].notna(), None).to_numpy()
    table["population_source"] = residents["population_source"].astype(str).to_numpy()
    # the finer reporting unit, after the contract's leading columns
    table["compound"] = (residents["compound"].astype(object).where(residents["compound"].notna(), None).to_numpy()
                         if "compound" in residents else None)
    table["snap_m"] = np.round(np.where(np.isfinite(snap_r.distance_m), snap_r.distance_m, np.nan), _DECIMALS)
    res_gdf = gpd.GeoDataFrame(table, geometry=residents.geometry.to_numpy(), crs=study.crs)
    compounds = _compounds(table, cats)

    # ---------------------------------------------------------------- summary
    summary = _summary(table, cats, limits, elderly_limits, preset, study.communities, fac_cat, used)
    communities = _communities(table, cats, study.communities)

    # ---------------------------------------------------------------- facilities table
    fac = fac_all.loc[used].copy()
    fac_pts = fac.geometry.representative_point()
    fac_ll = gpd.GeoSeries(fac_pts, crs=study.crs).to_crs("EPSG:4326")
    served = pd.Series(0.0, index=fac.index)
    for cat in cats:
        hit = nearest[cat] >= 0
        if hit.any():
            s = pd.Series(population[hit]).groupby(nearest[cat][hit]).sum()
            served.loc[s.index] += s.to_numpy()
    facilities = gpd.GeoDataFrame({
        "facility_id": fac["facility_id"].astype(str).to_numpy(),
        "category": fac["category"].astype(str).to_numpy(),
        "name": fac["name"].astype(object).where(fac["name"].notna(), None).to_numpy(),
        "lon": np.round(fac_ll.x.to_numpy(), 7),
        "lat": np.round(fac_ll.y.to_numpy(), 7),
        "source": fac["source"].astype(object).where(fac["source"].notna(), None).to_numpy(),
        "rule": (fac["rule"].astype(object).where(fac["rule"].notna(), None).to_numpy() if "rule" in fac else None),
        **{f"label_{lg}": (fac[f"label_{lg}"].to_numpy() if f"label_{lg}" in fac else
                           fac["name"].astype(object).where(fac["name"].notna(), None).to_numpy()) for lg in ("zh", "en")},
        "entries": snap_f.n_entries[used],
        "snap_m": np.round(snap_f.distance_m[used], _DECIMALS),
        "nearest_population": np.round(served.to_numpy(), 1),
    }, geometry=fac_pts.to_numpy(), crs=study.crs)
    order = {c: i for i, c in enumerate(cats)}
    facilities = facilities.iloc[np.lexsort((facilities["facility_id"].to_numpy(),
                                             facilities["category"].map(order).to_numpy()))].reset_index(drop=True)

    # ---------------------------------------------------------------- areas
    say("coverage: service areas from the reachable network")
    areas, per_fac = _service_areas(net, reaches, limits, fac_ids=fac_ids, buffer_m=service_area_buffer_m,
                                    per_facility=per_facility, crs=study.crs, geometry=with_areas)
    say("coverage: gap areas")
    gaps = gap_areas(res_gdf, cats, limits, join_m=gap_join_m)

    parameters = {
        "mode": mode, "profile": profile, "speed_mps": speed_v, "elderly_speed_mps": elderly_v,
        "categories": list(cats), "essential": essential, "tier_m": {c: round(limits[c], 3) for c in cats},
        "tier_min": {c: preset.life_circle.circle_of_category[c][0] for c in cats},
        "elderly_tier_m": {c: round(elderly_limits[c], 3) for c in cats}, "horizon_m": horizon_m,
        "service_area_buffer_m": service_area_buffer_m, "gap_join_m": gap_join_m, "per_facility": per_facility,
        "with_areas": with_areas, "max_snap_m": preset.max_snap_m, "preset": preset.name,
        "entry_distance_m": preset.entry_distance_m, "units_source": list(getattr(study, "units_source", ())),
    }
    return CoverageResult(study_name=study.name, crs=study.crs, lang=study.lang, preset_name=preset.name,
                          sources=tuple(study.sources), residents=res_gdf, summary=summary,
                          communities=communities, facilities=facilities, service_areas=areas,
                          facility_areas=per_fac, gaps=gaps, boundaries=study.communities, compounds=compounds,
                          compound_areas=getattr(study, "compounds", None),
                          parameters=parameters, warnings=tuple(warnings))


def _community_order(table: pd.DataFrame, boundaries) -> list[str]:
    names = [str(c) for c in boundaries["community"]] if boundaries is not None and len(boundaries) else []
    extra = sorted(set(table["community"]) - set(names) - {UNASSIGNED})
    order = names + extra
    if (table["community"] == UNASSIGNED).any():
        order.append(UNASSIGNED)
    return order


def _share(covered: float, total: float) -> float:
    return covered / total if total > 0 else np.nan


def _summary(table, cats, limits, elderly_limits, preset, boundaries, fac_cat, used) -> pd.DataFrame:
    """Population-weighted coverage per community and category, plus ``ALL`` rows."""
    rows = []
    pop = table["population"].to_numpy()
    groups = [(c, (table["community"] == c).to_numpy()) for c in _community_order(table, boundaries)]
    groups.append(("ALL", np.ones(len(table), dtype=bool)))
    for cat in cats:
        d = table[f"dist_m_{cat}"].to_numpy()
        cov = d <= limits[cat]
        cov_e = d <= elderly_limits[cat]
        n_fac = int(((fac_cat == cat) & used).sum())
        for name, mask in groups:
            total = float(pop[mask].sum())
            c = float(pop[mask & cov].sum())
            ce = float(pop[mask & cov_e].sum())
            rows.append({"community": name, "category": cat, "tier_m": round(limits[cat], 3),
                         "population": round(total, 3), "covered_population": round(c, 3),
                         "covered_share": _share(c, total),
                         "tier_min": preset.life_circle.circle_of_category[cat][0], "essential": preset.life_circle.circle_of_category[cat][1],
                         "item": preset.life_circle.item_of_category.get(cat, ""),
                         "facilities": n_fac, "residents": int(mask.sum()),
                         "elderly_tier_m": round(elderly_limits[cat], 3),
                         "elderly_covered_population": round(ce, 3), "elderly_covered_share": _share(ce, total)})
    return pd.DataFrame(rows)


def _compounds(table, cats) -> pd.DataFrame:
    """The :func:`_communities` table per residential compound (residents outside any are left out)."""
    inside = table.loc[table["compound"].notna()] if "compound" in table else table.iloc[:0]
    if len(inside) == 0:
        return pd.DataFrame({"compound": pd.Series([], dtype=object)})
    per = _communities(inside.assign(community=inside["compound"].astype(str)), cats, None)
    return per.loc[per["community"] != "ALL"].rename(columns={"community": "compound"}).reset_index(drop=True)


def _communities(table, cats, boundaries) -> pd.DataFrame:
    """One row per community (and ``ALL``): population, complete-circle shares, per-category shares."""
    rows = []
    pop = table["population"].to_numpy()
    groups = [(c, (table["community"] == c).to_numpy()) for c in _community_order(table, boundaries)]
    groups.append(("ALL", np.ones(len(table), dtype=bool)))
    complete = table["complete_circle"].to_numpy(dtype=bool)
    complete_e = table["complete_circle_elderly"].to_numpy(dtype=bool)
    for name, mask in groups:
        total = float(pop[mask].sum())
        row = {"community": name, "residents": int(mask.sum()), "population": round(total, 3),
               "complete_population": round(float(pop[mask & complete].sum()), 3),
               "complete_share": _share(float(pop[mask & complete].sum()), total),
               "elderly_complete_population": round(float(pop[mask & complete_e].sum()), 3),
               "elderly_complete_share": _share(float(pop[mask & complete_e].sum()), total),
               "mean_categories_within_tier": (float(np.average(table["categories_within_tier"].to_numpy()[mask],
                                                                weights=pop[mask])) if total > 0 else np.nan)}
        rows.append(row)
    return pd.DataFrame(rows)
