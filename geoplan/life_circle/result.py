"""The result of a coverage analysis and how it is written out.

Output contract (``coverage/`` under the output folder; columns may be added, never renamed):

``residents.csv``
    ``resident_id, lon, lat, population, community, dist_m_<category>…, walk_min_<category>…,
    categories_within_tier, complete_circle`` then ``categories_within_tier_elderly,
    complete_circle_elderly, missing_essential, nearest_<category>…, name, population_source,
    snap_m`` then ``dist2_m_<category>…`` (second-nearest facility within the tier, empty
    otherwise), ``no_backup_<category>…`` (covered by exactly one facility), and for categories
    with capacities ``sfca_<category>``, ``e2sfca_<category>`` (capacity units per resident,
    2SFCA and E2SFCA). ``lon, lat`` (WGS-84) is the resident's representative point. A distance is empty
    when no facility of that category can be reached. ``dist_m`` is rounded to the centimetre
    and the covered flags are computed from the rounded value (``dist_m <= tier_m``).
``summary.csv``
    ``community, category, tier_m, population, covered_population, covered_share`` then
    ``tier_min, essential, facilities, residents, elderly_tier_m, elderly_covered_population,
    elderly_covered_share``; one row per community × category plus ``ALL``. A share is empty
    where the community has no people.
``communities.csv``
    Per community (and ``ALL``): population, complete-life-circle population and share (adult and
    elderly), mean number of categories within their tier.
``facilities.csv``
    ``facility_id, category, name, lon, lat, source`` then ``snap_m, nearest_population``: every
    facility used (snapped to the walking network, of an analysed category); then ``capacity``
    (stated places or beds, empty where none), ``catchment_population`` (people within the tier,
    2SFCA step 1), ``catchment_weighted_population`` (E2SFCA), ``supply_ratio`` (capacity ÷
    catchment population) and ``sole_cover_population`` (people whose only facility of the
    category within the tier it is).
``provision.csv``
    ``area, tier, population, item, category, required, present_within_tier, covered_share,
    status, citation`` — see :mod:`geoplan.life_circle.provision`.
``notes.csv``
    ``code, note``: the run's warnings and notes, rendered in the language asked for.
``coverage.gpkg``
    Layers ``residents``, ``facilities``, ``service_areas``, ``gaps`` (+ ``facility_areas``
    when requested), WGS-84.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import pandas as pd

from geoplan.report import write_csv, write_gpkg


@dataclass(frozen=True)
class CoverageResult:
    """Walking access of residents to each life-circle service.

    Attributes
    ----------
    residents : geopandas.GeoDataFrame
        One row per resident feature (see ``residents.csv`` in the module docstring), with footprints.
    summary : pandas.DataFrame
        Population-weighted coverage per community × category and ``ALL``.
    communities : pandas.DataFrame
        Complete-life-circle share per community and ``ALL``.
    facilities : geopandas.GeoDataFrame
        Every facility used, as points.
    service_areas : geopandas.GeoDataFrame
        ``category, tier_m, facilities, street_m, area_ha`` + the area reachable within the tier.
    facility_areas : geopandas.GeoDataFrame or None
        Per-facility catchments within the tier (``per_facility=True``).
    gaps : geopandas.GeoDataFrame
        Uncovered residents grouped into areas, ranked by population affected.
    parameters : dict
        Mode, profile, speeds, thresholds… as used.
    provision : pandas.DataFrame
        Items required for each community's size, present or missing within their tier.
    warnings : tuple of geoplan.i18n.Message
        What a planner should know before trusting the figures (each reads as its English
        sentence and renders in another language with ``note.render(lang)``).
    """

    study_name: str
    crs: Any
    lang: str
    preset_name: str
    sources: tuple[str, ...]
    residents: gpd.GeoDataFrame
    summary: pd.DataFrame
    communities: pd.DataFrame
    facilities: gpd.GeoDataFrame
    service_areas: gpd.GeoDataFrame
    facility_areas: gpd.GeoDataFrame | None
    gaps: gpd.GeoDataFrame
    boundaries: gpd.GeoDataFrame
    provision: pd.DataFrame = field(default_factory=pd.DataFrame)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    #: Complete-life-circle share per residential compound (the finer reporting unit), or ``None``.
    compounds: pd.DataFrame | None = None
    #: The compounds' outlines (``compound, name_zh, name_en`` + polygon), for the map.
    compound_areas: gpd.GeoDataFrame | None = None

    @property
    def categories(self) -> list[str]:
        return list(self.parameters.get("categories", []))

    def share(self, category: str, community: str = "ALL", *, elderly: bool = False) -> float:
        """Population share covered for one category (and community)."""
        row = self.summary[(self.summary["community"] == community) & (self.summary["category"] == category)]
        if row.empty:
            raise KeyError(f"no summary row for {community!r}, {category!r}")
        return float(row["elderly_covered_share" if elderly else "covered_share"].iloc[0])

    def complete_share(self, community: str = "ALL", *, elderly: bool = False) -> float:
        """Population share with every essential category within its tier."""
        row = self.communities[self.communities["community"] == community]
        return float(row["elderly_complete_share" if elderly else "complete_share"].iloc[0])

    def residents_table(self) -> pd.DataFrame:
        """``residents.csv`` as a plain table (no geometry)."""
        return pd.DataFrame(self.residents.drop(columns=self.residents.geometry.name))

    def facilities_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.facilities.drop(columns=self.facilities.geometry.name))

    def notes_table(self, lang: str | None = None) -> pd.DataFrame:
        """The warnings as ``code, note`` rows, the sentences in ``lang`` (default ``en``)."""
        return pd.DataFrame({"code": [getattr(w, "code", None) for w in self.warnings],
                             "note": [w.render(lang) if hasattr(w, "render") else str(w) for w in self.warnings]},
                            columns=["code", "note"])

    def to_file(self, out: str | Path, *, lang: str | None = None) -> list[Path]:
        """Write the tables and the GeoPackage under ``out/coverage/``; return the paths.

        ``lang`` is the language of the sentences in ``notes.csv`` (default ``en``); every other
        column holds codes and numbers, the same in every language.
        """
        folder = Path(out) / "coverage"
        written = [
            write_csv(self.residents_table(), folder / "residents.csv"),
            write_csv(self.summary, folder / "summary.csv"),
            write_csv(self.communities, folder / "communities.csv"),
            write_csv(self.facilities_table(), folder / "facilities.csv"),
            write_csv(self.provision, folder / "provision.csv"),
            write_csv(self.notes_table(lang), folder / "notes.csv"),
        ]
        if self.compounds is not None and len(self.compounds):
            written.append(write_csv(self.compounds, folder / "compounds.csv"))
        layers = {"residents": self.residents, "facilities": self.facilities,
                  "service_areas": self.service_areas[self.service_areas.geometry.notna()],
                  "gaps": self.gaps}
        if self.facility_areas is not None:
            layers["facility_areas"] = self.facility_areas
        written.append(write_gpkg(layers, folder / "coverage.gpkg"))
        return written

    def to_map(self, *, lang: str | None = None, basemap: str = "osm", offline: bool = True,
               date: str | None = None, detail_limit: int | None = None, window=None, community_maps=None):
        """The interactive coverage map (a :class:`geoplan.maps.PlanMap`; call ``.to_html(path)``).

        Past ``detail_limit`` building features (default
        :data:`geoplan.maps.overview.DETAIL_MAX_RESIDENCES`) the map draws aggregates (hexagon
        cells, communities); ``window`` (a one-box GeoSeries) draws that box in full detail;
        ``community_maps`` (:class:`geoplan.maps.overview.CommunityMaps`) links the detailed maps.
        """
        from geoplan.life_circle.map import coverage_map

        return coverage_map(self, lang=lang or self.lang, basemap=basemap, offline=offline, date=date,
                            detail_limit=detail_limit, window=window, community_maps=community_maps)
