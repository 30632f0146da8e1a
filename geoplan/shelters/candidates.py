"""Candidate shelter sites: which open spaces and buildings can be shelters, and why others cannot.

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
   not yet claimed. A site left with less than the preset's ``shelters.part_share`` (50 %) of its own area is
   rejected as ``inside_other`` with ``part_of`` naming the site that counts its ground;
   otherwise it keeps the unclaimed remainder. So a pitch inside a park is counted once, as
   part of the park (at the park's usable share).
3. **Usable ground.** Open sites: the (remaining) polygon minus building footprints and water
   inside it. Indoor sites (school buildings, gymnasiums, community centres): the building
   footprint(s) inside the polygon (the polygon itself when no building is mapped), ground
   floor only. A layer ``area_m2`` replaces the measured area.
4. **Size.** Usable ground below the preset minimum site (0.1 ha emergency, 1 ha fixed:
   GB 50413-2007 8.2.8–8.2.10, GB 21734-2008) is rejected (``too_small``).
5. **Slivers.** A polygon large enough but with no spot at least ``min_width_m`` (preset
   ``shelters.min_width_m``, 10 m) wide — nothing left after an inward buffer of half that width — cannot hold a crowd
   away from the facades along it and is rejected (``sliver``). Existing shelters are never
   rejected; a failed rule is only noted.
6. **Capacity** = ⌊usable ground × usable share ÷ m² per person⌋ (1.5 m² emergency,
   2 m² fixed: GB 21734-2008 5.4, GB 50413-2007). The usable share per kind
   (preset ``shelters.usable_share``; see :mod:`geoplan.shelters.capacity`) stands for what GB 51143-2015 (防灾避难场所设计规范) asks to leave
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

from dataclasses import dataclass
from typing import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan.i18n import Message
from geoplan.shelters import messages as say
from geoplan.shelters.capacity import (is_indoor, shelter_standard, site_capacity, usable_ground,
                                       usable_shares)

#: Columns of the candidates table, in order (``_notes`` holds the untranslated notes).
CANDIDATE_COLUMNS = ["site_id", "name", "name_zh", "name_en", "kind", "source", "existing", "open_ground",
                     "gross_area_m2", "net_area_m2", "usable_share", "effective_area_m2", "capacity", "snap_m",
                     "status", "reason", "reason_text", "part_of", "note"]


@dataclass
class Rows:
    """The sites of the study as arrays, one entry per row of ``study.sites``, filled step by step."""

    raw: pd.DataFrame
    ids: np.ndarray
    kinds: np.ndarray
    existing: np.ndarray
    source: np.ndarray
    layer_area: np.ndarray
    layer_share: np.ndarray
    indoor: np.ndarray
    geom: np.ndarray
    reason: np.ndarray
    notes: list[list[Message | str]]
    #: Polygon area (m²) before overlaps are carved; NaN for points and rejected geometry.
    gross: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.ids)

    def reject(self, mask: np.ndarray, code: str) -> None:
        """Give ``code`` to the rows of ``mask`` that have no reason yet."""
        self.reason[mask & (self.reason == None)] = code  # noqa: E711


def candidate_sites(study, *, kind: str = "emergency", usable_share: Mapping[str, float] | None = None,
                    min_width_m: float | None = None) -> tuple[gpd.GeoDataFrame, list[Message]]:
    """Every candidate with its usable ground, capacity and status (before any model runs).

    Parameters
    ----------
    study : geoplan.study.Study
    kind : {"emergency", "fixed"}
        Shelter kind: sets m² per person and the minimum site from the preset.
    usable_share : mapping, optional
        Overrides of the preset's usable share per kind (0–1).
    min_width_m : float, optional
        Narrowest open space that counts as a site, metres (default: the preset's).

    Returns
    -------
    candidates : geopandas.GeoDataFrame
        ``site_id, name, name_zh, name_en, kind, source, existing, open_ground, gross_area_m2,
        net_area_m2`` (usable ground), ``usable_share, effective_area_m2, capacity, snap_m, status``
        (``existing`` | ``eligible`` | ``rejected``), ``reason`` (a code), ``reason_text`` (English),
        ``part_of``, ``note`` (English), ``_notes`` (the notes as messages), ``_row`` (row of
        ``study.sites``) + the site geometry (repaired), in the study CRS; ordered like
        ``study.sites``, merged assembly points left out.
    warnings : list of geoplan.i18n.Message
    """
    preset = study.preset
    shelters = preset.shelters
    std = shelter_standard(preset, kind)
    min_width = float(shelters.min_width_m if min_width_m is None else min_width_m)
    rows = read_rows(study.sites, shelters.indoor_kinds)
    ground = repair_geometry(rows)
    merged = merge_assembly_points(rows, ground)
    ground, part_of = claim_overlaps(rows, ground, shelters.part_share)
    water = study.areas.geometry.to_numpy() if len(study.areas) else np.zeros(0, dtype=object)
    usable = usable_ground(ground, rows.indoor, rows.layer_area, study.buildings.geometry.to_numpy(), water)
    usable = np.where(merged, np.nan, usable)
    share, effective, capacity = site_capacity(usable, rows.kinds, rows.layer_area, rows.layer_share,
                                               usable_shares(preset, usable_share), std.m2_per_person)
    reject_small(rows, usable, std.min_site_m2)
    reject_slivers(rows, ground, min_width)
    snap = study.snaps["sites.walk"]
    snap_ok = snap.ok if len(snap) == rows.n else np.zeros(rows.n, dtype=bool)
    snap_m = (np.where(np.isfinite(snap.distance_m), snap.distance_m, np.nan) if len(snap) == rows.n
              else np.full(rows.n, np.nan))
    reject_off_network(rows, snap_ok, preset.max_snap_m)
    keep_existing(rows, merged, part_of)
    capacity = np.where(rows.existing & ~np.isfinite(usable), 0.0, capacity)
    texts = reason_texts(rows.reason, part_of, usable, min_width=min_width, min_site=std.min_site_m2,
                         max_snap=preset.max_snap_m)
    out = gpd.GeoDataFrame({
        "site_id": rows.ids, "name": _text_column(rows.raw, "name"), "name_zh": _text_column(rows.raw, "name_zh"),
        "name_en": _text_column(rows.raw, "name_en"), "kind": rows.kinds, "source": rows.source,
        "existing": rows.existing, "open_ground": ~rows.indoor,
        "gross_area_m2": np.round(np.where(rows.layer_area > 0, rows.layer_area, rows.gross), 1),
        "net_area_m2": np.round(usable, 1), "usable_share": share, "effective_area_m2": np.round(effective, 1),
        "capacity": capacity.astype(np.int64), "snap_m": np.round(snap_m, 2),
        "status": np.where(rows.existing, "existing", np.where(rows.reason == None, "eligible", "rejected")),  # noqa: E711
        "reason": rows.reason, "reason_text": [say.render(t) for t in texts], "part_of": part_of,
        "note": [say.render_notes(v) for v in rows.notes],
    }, geometry=gpd.GeoSeries(rows.geom, crs=study.crs), crs=study.crs)
    out["_reason_text"] = texts
    out["_notes"] = [tuple(v) for v in rows.notes]
    out["_row"] = np.arange(rows.n)
    return out.loc[~merged].reset_index(drop=True), []


def _text(series: pd.Series) -> np.ndarray:
    s = series.astype(object)
    return s.where(s.notna() & (s.astype(str).str.strip() != "") & (s.astype(str) != "nan"), None).to_numpy()


def _text_column(raw: pd.DataFrame, name: str) -> np.ndarray:
    return _text(raw[name]) if name in raw else np.full(len(raw), None, dtype=object)


def _numbers(raw: pd.DataFrame, name: str) -> np.ndarray:
    if name not in raw:
        return np.full(len(raw), np.nan)
    return pd.to_numeric(raw[name], errors="coerce").to_numpy(dtype=float)


def read_rows(sites: gpd.GeoDataFrame, indoor_kinds) -> Rows:
    """The sites as arrays: ids, kinds, existing, source, the layer's own area and share, notes."""
    raw = sites.reset_index(drop=True)
    n = len(raw)
    kinds = raw["kind"].astype(object).where(raw["kind"].notna(), "other").astype(str).to_numpy()
    existing = (np.array(raw["existing"].astype(object).fillna(False).astype(bool).to_numpy(), dtype=bool)
                if n else np.zeros(0, bool))
    notes: list[list[Message | str]] = [[] for _ in range(n)]
    if "note" in raw:
        for i, v in enumerate(_text(raw["note"])):
            if v is not None:
                notes[i].append(str(v))  # the layer's own words, shown as given
    return Rows(raw=raw,
                ids=raw["site_id"].astype(str).to_numpy() if n else np.zeros(0, object),
                kinds=kinds, existing=existing,
                source=raw["source"].astype(object).fillna("").astype(str).to_numpy() if n else np.zeros(0, object),
                layer_area=_numbers(raw, "area_m2"), layer_share=_numbers(raw, "usable_share"),
                indoor=is_indoor(kinds, raw["open_ground"] if "open_ground" in raw else None, indoor_kinds),
                geom=raw.geometry.to_numpy().copy(), reason=np.full(n, None, dtype=object), notes=notes)


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


def _geom_types(geom: np.ndarray) -> np.ndarray:
    missing = (shapely.is_missing(geom) | shapely.is_empty(geom)) if len(geom) else np.zeros(0, dtype=bool)
    return np.array([g.geom_type if not m else "" for g, m in zip(geom, missing)], dtype=object)


def repair_geometry(rows: Rows) -> np.ndarray:
    """Step 1: repair invalid polygons (noted), reject what has no area; return each site's ground polygon."""
    types = _geom_types(rows.geom)
    polygonal = np.isin(types, ["Polygon", "MultiPolygon"])
    rows.reject(~(np.isin(types, ["Point", "MultiPoint"]) | polygonal), "invalid_geometry")  # missing, empty, lines
    valid = np.zeros(rows.n, dtype=bool)
    valid[polygonal] = shapely.is_valid(rows.geom[polygonal].astype(object))
    for i in np.flatnonzero(polygonal & ~valid).tolist():
        g = rows.geom[i]
        fixed = _polygonal(shapely.make_valid(g))
        if fixed is None or fixed.area <= 0:
            rows.reason[i] = "invalid_geometry"
            continue
        rows.notes[i].append(say.repaired(g.area, fixed.area))
        rows.geom[i] = fixed
        valid[i] = True
    ok = polygonal & valid
    ok[ok] = shapely.area(rows.geom[ok].astype(object)) > 0
    rows.reject(polygonal & valid & ~ok, "invalid_geometry")
    ground = np.full(rows.n, None, dtype=object)
    ground[ok] = rows.geom[ok]
    rows.gross = np.array([g.area if g is not None else np.nan for g in ground], dtype=float)
    return ground


def merge_assembly_points(rows: Rows, ground: np.ndarray) -> np.ndarray:
    """Step 1b: an assembly point inside a candidate polygon marks it as existing and is merged into it.

    Returns the mask of merged points; a point outside every polygon needs a layer ``area_m2``.
    """
    is_point = np.isin(_geom_types(rows.geom), ["Point", "MultiPoint"])
    merged = np.zeros(rows.n, dtype=bool)
    pts = np.flatnonzero(is_point & (rows.reason == None) & ~(rows.layer_area > 0))  # noqa: E711
    polys = np.flatnonzero(ground != None)  # noqa: E711
    if len(pts) and len(polys):
        p, q = shapely.STRtree(ground[polys]).query(rows.geom[pts], predicate="within")
        for i, j in zip(pts[p].tolist(), polys[q].tolist()):
            if merged[i]:
                continue
            merged[i] = True
            if rows.existing[i]:
                rows.existing[j] = True
                rows.notes[j].append(say.assembly_point_inside(str(rows.ids[i])))
                if rows.raw["name"].iloc[j] is None or pd.isna(rows.raw["name"].iloc[j]):
                    rows.raw.loc[j, "name"] = rows.raw["name"].iloc[i]
    for i in np.flatnonzero(is_point & ~merged & (rows.reason == None) & ~(rows.layer_area > 0)):  # noqa: E711
        if rows.existing[i]:
            rows.notes[i].append(say.unknown_size())
        else:
            rows.reason[i] = "no_area"
    return merged


def _carve(ground: np.ndarray, order: np.ndarray, ids: np.ndarray, part_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Claim ground in ``order``; return each site's unclaimed polygon and the site it is part of.

    ``ground[i]`` is None for sites that take no part. A site keeping < ``part_share`` of its own
    area gets ``part_of`` = the claimed site it overlaps most (its own ground is then None).
    """
    out = ground.copy()
    part_of = np.full(len(ground), None, dtype=object)
    idx = np.flatnonzero([g is not None for g in ground])
    if len(idx) < 2:
        return out, part_of
    a, b = shapely.STRtree(ground[idx]).query(ground[idx], predicate="intersects")
    a, b = idx[a[a != b]], idx[b[a != b]]
    rank = np.empty(len(ground), dtype=np.int64)
    rank[order] = np.arange(len(order))
    earlier = rank[b] < rank[a]  # b claims before a
    a, b = a[earlier], b[earlier]
    if len(a) == 0:
        return out, part_of
    nbrs = pd.Series(b).groupby(a).agg(list)
    for i in sorted(nbrs.index.tolist(), key=lambda i: rank[i]):
        claimed = [out[j] for j in nbrs[i] if out[j] is not None]
        if not claimed:
            continue
        own = ground[i]
        rest = _polygonal(shapely.difference(own, shapely.union_all(claimed)))
        if (0.0 if rest is None else rest.area) < part_share * own.area:
            overlap = [(shapely.intersection(own, out[j]).area, str(ids[j])) for j in nbrs[i] if out[j] is not None]
            part_of[i], out[i] = max(overlap)[1], None
        else:
            out[i] = rest
    return out, part_of


def claim_overlaps(rows: Rows, ground: np.ndarray, part_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Step 2: within open ground and within indoor sites, claim ground once (existing, layer, larger first)."""
    gross = np.nan_to_num(rows.gross, nan=0.0)
    order = np.lexsort((np.arange(rows.n), -gross, rows.source == "osm", ~rows.existing))
    part_of = np.full(rows.n, None, dtype=object)
    for group in (~rows.indoor, rows.indoor):
        carved, part = _carve(np.where(group, ground, None), order, rows.ids, part_share)
        ground = np.where(group, carved, ground)
        hit = np.array([p is not None for p in part], dtype=bool)
        part_of[hit] = part[hit]
        rows.reject(hit, "inside_other")
    return ground, part_of


def reject_small(rows: Rows, usable: np.ndarray, min_site: float) -> None:
    """Step 4: usable ground below the preset's minimum site (designated shelters only noted)."""
    for i in np.flatnonzero(np.isfinite(usable) & (usable < min_site)):
        if rows.existing[i]:
            rows.notes[i].append(say.kept_small(usable[i], min_site))
        elif rows.reason[i] is None:
            rows.reason[i] = "too_small"


def reject_slivers(rows: Rows, ground: np.ndarray, min_width: float) -> None:
    """Step 5: nowhere ``min_width`` metres wide (nothing left after an inward buffer of half of it)."""
    check = np.flatnonzero((ground != None) & ~(rows.layer_area > 0)  # noqa: E711
                           & ((rows.reason == None) | rows.existing))  # noqa: E711
    if min_width <= 0 or len(check) == 0:
        return
    thin = shapely.is_empty(shapely.buffer(ground[check].astype(object), -min_width / 2.0, quad_segs=2))
    for i in check[thin].tolist():
        if rows.existing[i]:
            rows.notes[i].append(say.kept_sliver(min_width))
        else:
            rows.reason[i] = "sliver"


def reject_off_network(rows: Rows, snap_ok: np.ndarray, max_snap: float) -> None:
    """Step 7: farther than the preset's ``max_snap_m`` from the walking network."""
    for i in np.flatnonzero(~snap_ok):
        if rows.existing[i]:
            rows.notes[i].append(say.kept_off_network(max_snap))
        elif rows.reason[i] is None:
            rows.reason[i] = "off_network"


def keep_existing(rows: Rows, merged: np.ndarray, part_of: np.ndarray) -> None:
    """Designated shelters are never rejected: the rule that would have is noted instead."""
    for i in np.flatnonzero(rows.existing & (rows.reason != None) & ~merged):  # noqa: E711
        rows.notes[i].append(say.kept_despite(rows.reason[i], part_of=part_of[i]))
        rows.reason[i] = None


def reason_texts(reason: np.ndarray, part_of: np.ndarray, usable: np.ndarray, *, min_width: float,
                 min_site: float, max_snap: float) -> list[Message | None]:
    """The sentence of each rejection (``None`` where there is none)."""
    return [None if r is None else say.rejection(
        r, part_of=part_of[i] or "", min_width=min_width, area=usable[i] if np.isfinite(usable[i]) else 0.0,
        min_site=min_site, max_snap=max_snap) for i, r in enumerate(reason)]
