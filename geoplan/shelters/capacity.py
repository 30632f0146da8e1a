"""Candidate shelter sites and how many people each can hold.

Every row of ``study.sites`` (OpenStreetMap features and the ``sites`` layer) becomes one
candidate with a status: ``eligible``, ``existing`` (a designated shelter, always open) or
``rejected`` with a reason. The steps, in order:

1. **Geometry.** An invalid polygon is repaired (``shapely.make_valid``, polygonal parts
   kept); one with no area left is rejected (``invalid_geometry``). A layer point needs
   ``area_m2``; an OpenStreetMap ``emergency=assembly_point`` point lying inside a candidate
   polygon marks that polygon as existing and is merged into it (it is not listed on its own);
   one outside every polygon stays an existing site of unknown capacity (0 persons in
   capacitated models; give its ``area_m2`` in the sites layer).
   ``amenity=shelter`` is *not* read as a designated shelter: in OpenStreetMap it is a weather
   shelter (bus stop, picnic roof), not an emergency shelter.
2. **Overlaps (no double counting).** OpenStreetMap maps a park *and* the playground and
   pitch inside it, a school plot *and* its sports ground. Within each group (open ground,
   indoor) sites claim ground in priority order — existing shelters first, then layer rows
   (the user's own word), then larger sites first — and each later site keeps only the ground
   not yet claimed. A site left with less than :data:`PART_SHARE` (50 %) of its own area is
   rejected as ``inside_other`` with ``part_of`` naming the site that counts its ground;
   otherwise it keeps the unclaimed remainder. So a pitch inside a park is counted once, as
   part of the park (at the park's usable share).
3. **Usable ground.** Open sites: the (remaining) polygon minus building footprints and water
   inside it. Indoor sites (school buildings, gymnasiums, community centres): the building
   footprint(s) inside the polygon (the polygon itself when no building is mapped), ground
   floor only. A layer ``area_m2`` replaces the measured area.
4. **Size.** Usable ground below the preset minimum site (0.1 ha emergency, 1 ha fixed:
   GB 50413-2007 8.2.8–8.2.10, GB 21734-2008) is rejected (``too_small``).
5. **Slivers.** A polygon large enough but with no spot at least ``min_width_m`` (default
   10 m) wide — nothing left after an inward buffer of half that width — cannot hold a crowd
   away from the facades along it and is rejected (``sliver``). Existing shelters are never
   rejected; a failed rule is only noted.
6. **Capacity** = ⌊usable ground × usable share ÷ m² per person⌋ (1.5 m² emergency,
   2 m² fixed: GB 21734-2008 5.4, GB 50413-2007). The usable share per kind
   (:data:`USABLE_SHARE`) stands for what GB 51143-2015 (防灾避难场所设计规范) asks to leave
   out of the effective area — planted beds and dense trees, steep or paved-over ground
   reserved for access, furniture, service strips. The figures are planning assumptions, not
   values printed in the standard; a layer's ``usable_share`` overrides them per site (when a
   layer gives ``area_m2`` without ``usable_share``, that area is taken as already usable,
   share 1).
7. **Network.** A site must snap to the walking network (within ``preset.max_snap_m``); a
   polygon snaps from its nearest edge, a proxy for its entrance. Others are rejected
   (``off_network``).

All areas are square metres, capacities persons.
"""

from __future__ import annotations

from typing import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan.standards import Shelters

#: The shelter figures live in the preset's shelters section (:class:`geoplan.standards.Shelters`);
#: the names are kept here for readers of geoplan 0.1.
USABLE_SHARE: Mapping[str, float] = Shelters().usable_share
INDOOR_KINDS: frozenset[str] = frozenset(Shelters().indoor_kinds)
PART_SHARE = Shelters().part_share
MIN_WIDTH_M = Shelters().min_width_m
SHELTER_KINDS = ("emergency", "fixed")

#: Reasons a candidate is rejected (``reason`` column) and what they mean.
REASONS: Mapping[str, str] = {
    "invalid_geometry": "the polygon is invalid and has no area after repair",
    "no_area": "a point without an area_m2 (its size is unknown)",
    "inside_other": "mostly inside another candidate, whose ground already counts it",
    "sliver": "nowhere at least {min_width:g} m wide",
    "too_small": "usable ground {area:,.0f} m² is below the {min_site:,.0f} m² minimum",
    "off_network": "farther than {max_snap:g} m from the walking network",
}


def shelter_standard(preset, kind: str) -> tuple[float, float, float]:
    """``(m² per person, service radius m, minimum site m²)`` of a shelter kind."""
    if kind not in SHELTER_KINDS:
        from geoplan.errors import InputError

        raise InputError(f"unknown shelter kind {kind!r}", fix=f"use one of: {', '.join(SHELTER_KINDS)}")
    std = preset.shelters.of(kind)
    return float(std.m2_per_person), float(std.radius_m), float(std.min_site_m2)


def _text(series: pd.Series) -> np.ndarray:
    s = series.astype(object)
    return s.where(s.notna() & (s.astype(str).str.strip() != "") & (s.astype(str) != "nan"), None).to_numpy()


def _polygonal(geom):
    """The polygonal part of a geometry (after make_valid), or None."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        if parts:
            return shapely.union_all(parts)
    return None


def _carve(ground: np.ndarray, order: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Claim ground in ``order``; return each site's unclaimed polygon and the site it is part of.

    ``ground[i]`` is None for sites that take no part. A site keeping < PART_SHARE of its own
    area gets ``part_of`` = the claimed site it overlaps most (its own ground is then None).
    """
    n = len(ground)
    out = ground.copy()
    part_of = np.full(n, None, dtype=object)
    idx = np.flatnonzero([g is not None for g in ground])
    if len(idx) < 2:
        return out, part_of
    geoms = ground[idx]
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = a != b
    a, b = idx[a[keep]], idx[b[keep]]
    if len(a) == 0:
        return out, part_of
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(len(order))
    earlier = rank[b] < rank[a]  # b claims before a
    a, b = a[earlier], b[earlier]
    nbrs = pd.Series(b).groupby(a).agg(list)
    for i in sorted(nbrs.index.tolist(), key=lambda i: rank[i]):
        own = ground[i]
        claimed = [out[j] for j in nbrs[i] if out[j] is not None]
        if not claimed:
            continue
        rest = _polygonal(shapely.difference(own, shapely.union_all(claimed)))
        rest_area = 0.0 if rest is None else rest.area
        if rest_area < PART_SHARE * own.area:
            overlap = [(shapely.intersection(own, out[j]).area, str(ids[j])) for j in nbrs[i] if out[j] is not None]
            part_of[i] = max(overlap)[1]
            out[i] = None
        else:
            out[i] = rest
    return out, part_of


def _covered_area(ground: np.ndarray, obstacles: np.ndarray) -> np.ndarray:
    """Area (m²) of each ground polygon covered by the union of the obstacles (buildings, water)."""
    n = len(ground)
    area = np.zeros(n)
    idx = np.flatnonzero([g is not None for g in ground])
    obstacles = obstacles[~(shapely.is_missing(obstacles) | shapely.is_empty(obstacles))] if len(obstacles) else obstacles
    if len(idx) == 0 or len(obstacles) == 0:
        return area
    obstacles = shapely.make_valid(obstacles)
    tree = shapely.STRtree(obstacles)
    s, o = tree.query(ground[idx], predicate="intersects")
    if len(s) == 0:
        return area
    site = idx[s]
    pieces = shapely.intersection(ground[site], obstacles[o])
    frame = pd.DataFrame({"site": site, "piece": pieces})
    single = frame.groupby("site")["piece"].transform("size").to_numpy() == 1
    if single.any():
        one = frame.loc[single]
        np.add.at(area, one["site"].to_numpy(), shapely.area(one["piece"].to_numpy()))
    for i, grp in frame.loc[~single].groupby("site")["piece"]:
        area[i] += shapely.union_all(grp.to_numpy()).area
    return area


def candidate_sites(study, *, kind: str = "emergency", usable_share: Mapping[str, float] | None = None,
                    min_width_m: float = MIN_WIDTH_M) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Every candidate with its usable ground, capacity and status (before any model runs).

    Parameters
    ----------
    study : geoplan.study.Study
    kind : {"emergency", "fixed"}
        Shelter kind: sets m² per person and the minimum site from the preset.
    usable_share : mapping, optional
        Overrides of :data:`USABLE_SHARE` per kind (0–1).
    min_width_m : float
        Narrowest open space that counts as a site, metres.

    Returns
    -------
    candidates : geopandas.GeoDataFrame
        ``site_id, name, name_zh, name_en, kind, source, existing, open_ground, gross_area_m2,
        net_area_m2`` (usable ground: remaining polygon minus buildings and water, or the
        indoor footprint, or the layer's ``area_m2``), ``usable_share, effective_area_m2,
        capacity, snap_m, status`` (``existing`` | ``eligible`` | ``rejected``), ``reason``,
        ``reason_text``, ``part_of``, ``note``, ``_row`` (row of ``study.sites``) + the site
        geometry (repaired), in the study CRS; ordered like ``study.sites``, merged assembly
        points left out.
    warnings : list of str
    """
    preset = study.preset
    m2pp, _, min_site = shelter_standard(preset, kind)
    shares = dict(preset.shelters.usable_share)
    shares.update(usable_share or {})
    warnings: list[str] = []
    raw = study.sites.reset_index(drop=True)
    n = len(raw)
    snap = study.snaps["sites.walk"]
    geom = raw.geometry.to_numpy().copy()
    kinds = raw["kind"].astype(object).where(raw["kind"].notna(), "other").astype(str).to_numpy()
    existing = (np.array(raw["existing"].astype(object).fillna(False).astype(bool).to_numpy(), dtype=bool)
                if n else np.zeros(0, bool))
    source = raw["source"].astype(object).fillna("").astype(str).to_numpy() if n else np.zeros(0, object)
    layer_area = (pd.to_numeric(raw["area_m2"], errors="coerce").to_numpy(dtype=float) if "area_m2" in raw
                  else np.full(n, np.nan))
    layer_share = (pd.to_numeric(raw["usable_share"], errors="coerce").to_numpy(dtype=float) if "usable_share" in raw
                   else np.full(n, np.nan))
    indoor = np.array([k in preset.shelters.indoor_kinds for k in kinds], dtype=bool)
    if "open_ground" in raw:
        og = raw["open_ground"].astype(object)
        indoor = np.where(og.isna().to_numpy(), indoor, ~og.fillna(True).astype(bool).to_numpy())
    ids = raw["site_id"].astype(str).to_numpy() if n else np.zeros(0, object)
    reason = np.full(n, None, dtype=object)
    note = [[] for _ in range(n)]
    if "note" in raw:
        for i, v in enumerate(_text(raw["note"])):
            if v is not None:
                note[i].append(str(v))

    # 1. geometry ----------------------------------------------------------------
    missing = (shapely.is_missing(geom) | shapely.is_empty(geom)) if n else np.zeros(0, dtype=bool)
    types = np.array([g.geom_type if not m else "" for g, m in zip(geom, missing)], dtype=object)
    is_point = np.isin(types, ["Point", "MultiPoint"])
    polygonal = np.isin(types, ["Polygon", "MultiPolygon"])
    valid = np.zeros(n, dtype=bool)
    valid[polygonal] = shapely.is_valid(geom[polygonal].astype(object))
    reason[~(is_point | polygonal)] = "invalid_geometry"  # missing, empty, lines
    ground = np.full(n, None, dtype=object)
    for i in np.flatnonzero(polygonal & ~valid).tolist():
        g = geom[i]
        fixed = _polygonal(shapely.make_valid(g))
        if fixed is None or fixed.area <= 0:
            reason[i] = "invalid_geometry"
            continue
        note[i].append(f"invalid polygon repaired (area {g.area:,.0f} → {fixed.area:,.0f} m²)")
        geom[i] = fixed
        valid[i] = True
    ok = polygonal & valid
    ok[ok] = shapely.area(geom[ok].astype(object)) > 0
    reason[polygonal & valid & ~ok] = "invalid_geometry"
    ground[ok] = geom[ok]
    gross = np.array([g.area if g is not None else np.nan for g in ground])
    # assembly points inside a candidate polygon mark it as existing
    merged = np.zeros(n, dtype=bool)
    pts = np.flatnonzero(is_point & (reason == None) & ~(layer_area > 0))  # noqa: E711
    polys = np.flatnonzero(ground != None)  # noqa: E711
    if len(pts) and len(polys):
        tree = shapely.STRtree(ground[polys])
        p, q = tree.query(geom[pts], predicate="within")
        for pi, qi in zip(p.tolist(), q.tolist()):
            i, j = pts[pi], polys[qi]
            if merged[i]:
                continue
            merged[i] = True
            if existing[i]:
                existing[j] = True
                note[j].append(f"designated assembly point {ids[i]} inside")
                if raw["name"].iloc[j] is None or pd.isna(raw["name"].iloc[j]):
                    raw.loc[j, "name"] = raw["name"].iloc[i]
    for i in np.flatnonzero(is_point & ~merged & (reason == None)):  # noqa: E711
        if not layer_area[i] > 0:
            if existing[i]:
                note[i].append("designated shelter of unknown size: capacity 0 until the sites layer gives area_m2")
            else:
                reason[i] = "no_area"

    # 2. overlaps ------------------------------------------------------------------
    part_of = np.full(n, None, dtype=object)
    area_rank = np.nan_to_num(gross, nan=0.0)
    order = np.lexsort((np.arange(n), -area_rank, source == "osm", ~existing))  # existing, layer, larger first
    for group in (~indoor, indoor):
        sub = np.where(group, ground, None)
        carved, part = _carve(sub, order, ids)
        ground = np.where(group, carved, ground)
        hit = np.array([p is not None for p in part], dtype=bool)
        part_of[hit] = part[hit]
        reason[hit & (reason == None)] = "inside_other"  # noqa: E711

    # 3. usable ground ---------------------------------------------------------------
    buildings = study.buildings.geometry.to_numpy()
    water = study.areas.geometry.to_numpy() if len(study.areas) else np.zeros(0, dtype=object)
    open_ground = np.where(~indoor, ground, None)
    covered = _covered_area(open_ground, np.concatenate([buildings, water]))
    footprint = _covered_area(np.where(indoor, ground, None), buildings)
    ground_area = np.array([g.area if g is not None else np.nan for g in ground])
    usable = np.where(indoor, np.where(footprint > 0, footprint, ground_area), ground_area - covered)
    usable = np.where(layer_area > 0, layer_area, usable)
    usable = np.where(merged, np.nan, usable)
    share = np.array([shares.get(k, shares["other"]) for k in kinds], dtype=float)
    share = np.where((layer_area > 0) & np.isnan(layer_share), 1.0, share)
    share = np.where(np.isfinite(layer_share), layer_share, share)
    effective = np.where(np.isfinite(usable), np.maximum(usable, 0.0) * share, np.nan)
    capacity = np.where(np.isfinite(effective), np.floor(effective / m2pp + 1e-9), 0.0)

    # 4–5. size, then slivers -------------------------------------------------------
    small = np.isfinite(usable) & (usable < min_site)
    for i in np.flatnonzero(small):
        if existing[i]:
            note[i].append(f"usable ground {usable[i]:,.0f} m² below the {min_site:,.0f} m² minimum "
                           f"(kept: designated shelter)")
        elif reason[i] is None:
            reason[i] = "too_small"
    half = float(min_width_m) / 2.0
    check = np.flatnonzero((ground != None) & ~(layer_area > 0) & ((reason == None) | existing))  # noqa: E711
    if min_width_m > 0 and len(check):
        thin = shapely.is_empty(shapely.buffer(ground[check].astype(object), -half, quad_segs=2))
        for i in check[thin].tolist():
            if existing[i]:
                note[i].append(f"nowhere {min_width_m:g} m wide (kept: designated shelter)")
            else:
                reason[i] = "sliver"

    # 7. network ---------------------------------------------------------------------
    snap_ok = snap.ok if len(snap) == n else np.zeros(n, dtype=bool)
    snap_m = np.where(np.isfinite(snap.distance_m), snap.distance_m, np.nan) if len(snap) == n else np.full(n, np.nan)
    for i in np.flatnonzero(~snap_ok):
        if existing[i]:
            note[i].append(f"farther than {preset.max_snap_m:g} m from the walking network: serves no one")
        elif reason[i] is None:
            reason[i] = "off_network"

    # existing sites are never rejected
    for i in np.flatnonzero(existing & (reason != None) & ~merged):  # noqa: E711
        note[i].append(f"kept as designated shelter despite: {reason[i]}")
        reason[i] = None
    status = np.where(existing, "existing", np.where(reason == None, "eligible", "rejected"))  # noqa: E711
    detail = []
    for i in range(n):
        r = reason[i]
        if r is None:
            detail.append(None)
            continue
        text = REASONS[r].format(min_width=min_width_m, area=usable[i] if np.isfinite(usable[i]) else 0.0,
                                 min_site=min_site, max_snap=preset.max_snap_m)
        if r == "inside_other":
            text += f" ({part_of[i]})"
        detail.append(text)
    for i in np.flatnonzero(existing & ~np.isfinite(usable)):
        capacity[i] = 0.0

    names = _text(raw["name"]) if "name" in raw else np.full(n, None, dtype=object)
    out = gpd.GeoDataFrame({
        "site_id": ids,
        "name": names,
        "name_zh": _text(raw["name_zh"]) if "name_zh" in raw else None,
        "name_en": _text(raw["name_en"]) if "name_en" in raw else None,
        "kind": kinds,
        "source": source,
        "existing": existing,
        "open_ground": ~indoor,
        "gross_area_m2": np.round(np.where(layer_area > 0, layer_area, gross), 1),
        "net_area_m2": np.round(usable, 1),
        "usable_share": share,
        "effective_area_m2": np.round(effective, 1),
        "capacity": capacity.astype(np.int64),
        "snap_m": np.round(snap_m, 2),
        "status": status,
        "reason": reason,
        "reason_text": detail,
        "part_of": part_of,
        "note": ["; ".join(v) if v else None for v in note],
    }, geometry=gpd.GeoSeries(geom, crs=study.crs), crs=study.crs)
    out["_row"] = np.arange(n)
    out = out.loc[~merged].reset_index(drop=True)
    return out, warnings
