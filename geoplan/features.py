"""What OSM features mean to a planner: residents, facilities, stations and candidate sites.

Pure functions from raw OSM features (projected) to the planner's tables. Every rule is a
table in :mod:`geoplan.standards`, so a project can override it.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.errors import InputError
from geoplan.i18n import N_, message
from geoplan.standards import RESIDENTIAL_BUILDINGS, SITE_TAGS, STATION_TAGS, Preset
from geoplan.standards.facilities import EXCLUDE, UNCLASSIFIED

#: Why a school is listed without a category (kept in ``facilities.note``).
UNCLASSIFIED_NOTE = N_("a school whose tags and name do not say its level: add isced:level or school=* in "
                       "OpenStreetMap, or give its category in a facilities layer")

_NOT_BUILDINGS = {"no", "entrance", "roof", "carport", "construction", "ruins"}


def _osm_key(frame: pd.DataFrame) -> pd.Series:
    return frame["osm_type"].astype(str) + "/" + frame["osm_id"].astype(str)


def _first_number(values: pd.Series) -> pd.Series:
    """Parse numbers like ``"6"``, ``"5;6"``, ``"12.5"`` (the first one wins)."""
    text = values.astype(object).where(values.notna(), None).astype(str)
    return pd.to_numeric(text.str.extract(r"(\d+(?:\.\d+)?)")[0], errors="coerce")


def _names(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    out["name"] = frame["name"].astype(object).where(frame["name"].notna(), None)
    out["name_zh"] = frame["name:zh"].astype(object) if "name:zh" in frame else None
    out["name_en"] = frame["name:en"].astype(object) if "name:en" in frame else None
    return out


def buildings_from_osm(features: gpd.GeoDataFrame, preset: Preset) -> gpd.GeoDataFrame:
    """Building footprints with a residential flag and an estimated population.

    A building is residential when its ``building`` tag is a housing type, or it is a plain
    ``building=yes`` inside ``landuse=residential``. Population = footprint (m²) × levels ÷
    floor area per person (``preset.residents.floor_area_per_person_m2``), levels from
    ``building:levels`` else ``preset.residents.default_levels`` (``levels_source`` says which).

    Parameters
    ----------
    features
        Raw OSM features in a projected CRS (metres).
    """
    polys = features.loc[features["building"].notna() & features.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()]
    polys = polys.loc[~polys["building"].astype(str).isin(_NOT_BUILDINGS).to_numpy()]
    residential_land = features.loc[(features["landuse"].astype(object) == "residential").to_numpy()
                                    & features.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()]
    kind = polys["building"].astype(str)
    inside = pd.Series(False, index=polys.index)
    if len(residential_land) and len(polys):
        pts = gpd.GeoDataFrame(geometry=polys.representative_point(), crs=polys.crs)
        hit = gpd.sjoin(pts, residential_land[["geometry"]], predicate="within", how="inner")
        inside.loc[hit.index.unique()] = True
    footprint = polys.area.to_numpy()
    levels_tag = _first_number(polys["building:levels"])
    levels = levels_tag.fillna(preset.residents.default_levels).clip(lower=1).to_numpy()
    residential = (kind.isin(RESIDENTIAL_BUILDINGS) | ((kind == "yes") & inside)).to_numpy() \
        & (footprint >= preset.residents.min_residential_footprint_m2)
    population = np.where(residential, footprint * levels / preset.residents.floor_area_per_person_m2, 0.0)
    out = gpd.GeoDataFrame({
        "building_id": _osm_key(polys).to_numpy(),
        **{c: v.to_numpy() for c, v in _names(polys).items()},
        "building": kind.to_numpy(),
        "levels": levels,
        "levels_source": np.where(levels_tag.notna().to_numpy(), "osm", "default"),
        "footprint_m2": footprint,
        "residential": residential,
        "population": np.round(population, 1),
        "population_source": np.where(residential, "estimated", "none"),
    }, geometry=polys.geometry.to_numpy(), crs=polys.crs)
    return out.sort_values("building_id", kind="stable").reset_index(drop=True)


def _text_of(frame: pd.DataFrame, key: str) -> pd.Series:
    if key not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[key].astype(object).where(frame[key].notna(), "").astype(str)


def _tag_outcomes(features: pd.DataFrame, rules) -> tuple[pd.Series, pd.Series]:
    """First matching tag rule per feature: its outcome and ``tag:key=value``."""
    outcome = pd.Series(None, index=features.index, dtype=object)
    rule = pd.Series(None, index=features.index, dtype=object)
    for result, key, values in rules:
        if key not in features.columns:
            continue
        col = _text_of(features, key)
        if key == "isced:level":  # "1-2", "1,2", "1; 2" all mean levels 1 and 2
            col = col.str.replace(r"\s*[,\-–/;]\s*", ";", regex=True)
        match = (col != "") if "*" in values else col.isin(values)
        match &= outcome.isna()
        if match.any():  # strings built for the matched rows only (large extracts)
            outcome.loc[match] = result
            rule.loc[match] = "tag:" + key + "=" + col[match]
    return outcome, rule


def _check_name_rules(rules) -> None:
    """A project's name rule with a broken pattern is refused in one line before anything is read."""
    for i, rule in enumerate(rules):
        if len(rule) != 3 or not all(isinstance(part, str) for part in rule):
            raise InputError(message("facility_names rule {rule} must be [outcome, kind, pattern], not {value!r}",
                                     rule=i + 1, value=list(rule)),
                             fix=message("e.g. {example}", example='["primary_school", "?school", "实验小学"]'))
        try:
            re.compile(rule[2])
        except re.error as exc:
            raise InputError(message("facility_names rule {rule}: the pattern {pattern!r} is not a regular expression "
                                     "({detail})", rule=i + 1, pattern=rule[2], detail=str(exc)),
                             fix=message("escape special characters such as ( ) [ ] with a backslash")) from None


def _name_outcomes(features: pd.DataFrame, kind: pd.Series, rules) -> tuple[pd.Series, pd.Series]:
    """First matching name rule of each feature's kind; ``None`` where no rule of the kind matches."""
    _check_name_rules(rules)
    names = _text_of(features, "name") + " | " + _text_of(features, "name:zh") + " | " + _text_of(features, "name:en")
    outcome = pd.Series(None, index=features.index, dtype=object)
    rule = pd.Series(None, index=features.index, dtype=object)
    for result, of_kind, pattern in rules:
        todo = (kind == of_kind) & outcome.isna()
        if not todo.any():
            continue
        if pattern == "":
            hit = todo
            found = pd.Series("", index=features.index)
        else:
            found = names[todo].str.extract(f"({pattern})", expand=False).reindex(features.index)
            hit = todo & found.notna()
        outcome = outcome.where(~hit, result)
        rule = rule.where(~hit, ("name:" + found.astype(str).str.strip(" |（(")) if pattern else f"default:{of_kind[1:]}")
    return outcome, rule


def classify(features: gpd.GeoDataFrame, preset: Preset) -> pd.DataFrame:
    """Every feature's classification outcome by the preset's rules, tags first, then names.

    Returns ``outcome`` (a category, several joined by ``;``, ``"-"`` for excluded,
    ``"unclassified"`` for a school no rule settles, or ``None`` when no rule concerns the
    feature) and ``rule`` (``tag:amenity=hospital``, ``name:小学``, ``default:health``).
    """
    outcome, rule = _tag_outcomes(features, preset.facility_tags)
    kind = outcome.where(outcome.astype(str).str.startswith("?"), None)
    by_name, name_rule = _name_outcomes(features, kind, preset.facility_names)
    settled = kind.notna() & by_name.notna()
    outcome = outcome.where(~settled, by_name)
    rule = rule.where(~settled, rule + " " + name_rule)
    school_left = kind.eq("?school") & by_name.isna()
    outcome = outcome.where(~school_left, UNCLASSIFIED)
    outcome = outcome.where(~(kind.notna() & by_name.isna() & ~school_left), None)
    return pd.DataFrame({"outcome": outcome, "rule": rule}, index=features.index)


def classify_facilities(features: gpd.GeoDataFrame, preset: Preset, *,
                        classified: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Facilities by life-circle category, by the preset's rules (tags first, then names).

    Returns ``facility_id, category, name, name_zh, name_en, source, rule, note`` and the
    feature's own geometry (point or polygon; polygons are entered from every side). A school
    that serves two categories (九年一贯制) gives one row per category with the same
    ``facility_id``; a school that no rule settles is listed as ``unclassified`` with a note.
    Excluded features (universities, party schools, private grounds) are not listed.
    ``classified``: the result of :func:`classify` when already computed.
    """
    result = classify(features, preset) if classified is None else classified
    known = set(preset.categories) | {UNCLASSIFIED}
    cats = result["outcome"].astype(object).where(result["outcome"].notna(), "").astype(str).str.split(";")
    rows = cats.explode()
    rows = rows[rows.isin(known)]
    picked = features.loc[rows.index]
    note = np.where(rows.to_numpy() == UNCLASSIFIED, UNCLASSIFIED_NOTE, None)
    out = gpd.GeoDataFrame({
        "facility_id": _osm_key(picked).to_numpy(),
        "category": rows.to_numpy(),
        **{c: v.to_numpy() for c, v in _names(picked).items()},
        "source": "osm",
        "capacity": _capacity(picked).to_numpy(),
        "rule": result.loc[rows.index, "rule"].to_numpy(),
        "note": note,
    }, geometry=picked.geometry.to_numpy(), crs=features.crs)
    return out.sort_values(["category", "facility_id"], kind="stable").reset_index(drop=True)


#: OSM tags that state how many people a facility serves, in order of preference
#: (``capacity:persons`` is explicit about people; ``beds`` for care homes and clinics).
CAPACITY_TAGS: tuple[str, ...] = ("capacity:persons", "capacity", "beds")


def _capacity(frame: pd.DataFrame) -> pd.Series:
    """The first capacity tag present, as a number (NaN when none is tagged)."""
    out = pd.Series(np.nan, index=frame.index, dtype=float)
    for key in CAPACITY_TAGS:
        if key in frame.columns:
            out = out.fillna(_first_number(frame[key]))
    return out
def excluded_count(features: gpd.GeoDataFrame, preset: Preset, *, classified: pd.DataFrame | None = None) -> int:
    """How many features a rule excluded from the life circle (reported in ``study.dropped``)."""
    result = classify(features, preset) if classified is None else classified
    return int(result["outcome"].eq(EXCLUDE).sum())


def stations_from_osm(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Fire stations, ambulance posts and hospitals with emergency care (``emergency`` ≠ ``no``)."""
    kind = pd.Series(None, index=features.index, dtype=object)
    for k, key, values in STATION_TAGS:
        match = features[key].astype(object).isin(values)
        if k == "hospital":
            match &= features["emergency"].astype(object).ne("no")
        kind = kind.where(kind.notna() | ~match, k)
    picked = features.loc[kind.notna().to_numpy()]
    return gpd.GeoDataFrame({
        "station_id": _osm_key(picked).to_numpy(),
        "kind": kind[kind.notna()].to_numpy(),
        **{c: v.to_numpy() for c, v in _names(picked).items()},
        "source": "osm",
    }, geometry=picked.representative_point().to_numpy(), crs=features.crs).reset_index(drop=True)


def sites_from_osm(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Candidate shelter sites: open ground and indoor halls (polygons), plus designated
    assembly points (``emergency=assembly_point``, marked ``existing``)."""
    polys = features.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    kind = pd.Series(None, index=features.index, dtype=object)
    is_open = pd.Series(True, index=features.index)
    for k, key, values, open_ground in SITE_TAGS:
        if key not in features.columns:
            continue
        match = features[key].astype(object).isin(values) & kind.isna() & polys
        kind = kind.where(~match, k)
        is_open = is_open.where(~match, open_ground)
    assembly = features["emergency"].astype(object).eq("assembly_point")
    kind = kind.where(~assembly, "assembly_point")
    picked = kind.notna()
    frame = features.loc[picked.to_numpy()]
    return gpd.GeoDataFrame({
        "site_id": _osm_key(frame).to_numpy(),
        "kind": kind[picked].to_numpy(),
        "open_ground": is_open[picked].to_numpy(),
        **{c: v.to_numpy() for c, v in _names(frame).items()},
        "existing": assembly[picked].to_numpy(),
        "source": "osm",
    }, geometry=frame.geometry.to_numpy(), crs=features.crs).reset_index(drop=True)


def assign_communities(points: gpd.GeoSeries, communities: gpd.GeoDataFrame) -> np.ndarray:
    """Community name of each point (``"unassigned"`` outside every community polygon)."""
    out = np.full(len(points), "unassigned", dtype=object)
    if len(communities) == 0 or len(points) == 0:
        return out
    pts = gpd.GeoDataFrame(geometry=points.to_numpy(), crs=points.crs).reset_index(drop=True)
    hit = gpd.sjoin(pts, communities[["community", "geometry"]], predicate="within", how="inner")
    hit = hit[~hit.index.duplicated(keep="first")]
    out[hit.index.to_numpy()] = hit["community"].astype(object).to_numpy()
    return out
