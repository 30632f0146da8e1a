"""The result of a shelter-site analysis and how it is written out.

Output contract (``sites/`` under the output folder; columns may be added, never renamed):

``proposed.csv``
    One row per open site — the existing shelters (``status = existing``, ``rank = 0``) and the
    proposed ones (``status = proposed``, ``rank`` 1, 2, … in build order):
    ``site_id, name, kind, lon, lat, effective_area_m2, capacity, assigned_population,
    covered_population, mean_walk_m, max_walk_m, rank`` then ``status, assigned_residents,
    elderly_covered_population, utilisation, net_area_m2, usable_share, source, snap_m, note``.
    ``assigned_population`` is who the model sends there (never above ``capacity`` in a
    capacitated run); ``covered_population`` everyone within the radius of the site;
    ``mean_walk_m`` (population-weighted) and ``max_walk_m`` are over the assigned residents.
    ``lon, lat`` (WGS-84) is a point inside the site.
``candidates.csv``
    Every candidate: ``site_id, name, kind, status`` (``proposed`` | ``existing`` |
    ``not_chosen`` | ``rejected``), ``reason`` (``too_small``, ``sliver``,
    ``invalid_geometry``, ``inside_other``, ``no_area``, ``off_network``; for not chosen sites
    ``no_one_in_reach`` when nobody lives within the radius), ``reason_text, part_of, existing,
    lon, lat, gross_area_m2, net_area_m2, usable_share, effective_area_m2, capacity,
    covered_population, snap_m, source, open_ground, name_zh, name_en, note``.
``coverage_curve.csv``
    ``k, covered_population, covered_share, marginal_population`` then ``n_sites, status,
    optimality_gap, selected``: the best k = 1 … K new sites (MCLP, capacities as in the run) on
    top of the existing ones; never decreasing.
``residents.csv``
    One row per resident feature: ``resident_id, lon, lat, population, community, site_id``
    (assigned site, empty if none), ``walk_m`` (network walk to it), ``covered,
    within_elderly_m, reason`` (``covered``, ``too_far``, ``site_not_chosen``,
    ``capacity_exhausted``, ``off_network``, ``no_candidates``, ``no_population``),
    ``nearest_candidate_m, candidates_in_reach, snap_m``.
``summary.csv``
    One row: model, radius, status, optimality gap, objective, solve time, model size,
    population covered (all, elderly profile), unreachable and shortfall population, counts.
``sites.gpkg``
    Layers ``sites`` (every candidate with its status, polygons; layer points where given),
    ``proposed`` (open sites as points), ``assignment`` (resident → site lines),
    ``uncovered`` (residents with people and no site), ``service_areas`` (per open site), WGS-84.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.report import atomic_path, write_gpkg


def write_table(frame: pd.DataFrame, target: str | Path) -> Path:
    """CSV (UTF-8 with BOM, for Excel on Chinese Windows), values as rounded in the frame."""
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig")
    return Path(target)


def _plain(frame) -> pd.DataFrame:
    if isinstance(frame, gpd.GeoDataFrame):
        return pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return pd.DataFrame(frame)


@dataclass(frozen=True)
class SitesResult:
    """Proposed shelter sites, who they serve, and what was possible.

    Attributes
    ----------
    candidates : geopandas.GeoDataFrame
        Every candidate with status and reason (see ``candidates.csv``), site geometry.
    proposed : geopandas.GeoDataFrame
        Open sites (existing and proposed) with capacity, assignment figures and rank; points.
    residents : geopandas.GeoDataFrame
        Every resident feature with its assigned site, walk and why it is uncovered.
    assignment : geopandas.GeoDataFrame
        Resident → site lines of the assignment.
    service_areas : geopandas.GeoDataFrame
        Per open site: the streets within the radius (nearest site owns them), buffered.
    coverage_curve : pandas.DataFrame
        Residents covered by the best k = 1 … K new sites.
    summary : dict
        The headline figures (see ``summary.csv``).
    solution : geoplan.shelters.models.SiteSolution or None
        The model's own result (None when no model could run: no candidates, no people).
    cost : scipy.sparse.csr_matrix
        Residents × usable sites walking distances within the radius (m), as solved.
    weights, capacities, columns, preselected : numpy.ndarray
        Population per resident row; capacity, site id and pre-selection per cost column.
    """

    study_name: str
    crs: Any
    lang: str
    preset_name: str
    sources: tuple[str, ...]
    candidates: gpd.GeoDataFrame
    proposed: gpd.GeoDataFrame
    residents: gpd.GeoDataFrame
    assignment: gpd.GeoDataFrame
    service_areas: gpd.GeoDataFrame
    coverage_curve: pd.DataFrame
    summary: Mapping[str, Any]
    boundaries: gpd.GeoDataFrame
    solution: Any = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    cost: Any = None
    weights: np.ndarray | None = None
    capacities: np.ndarray | None = None
    columns: np.ndarray | None = None
    preselected: np.ndarray | None = None

    @property
    def status(self) -> str:
        return str(self.summary.get("status", ""))

    @property
    def covered_share(self) -> float:
        return float(self.summary.get("covered_share", float("nan")))

    def proposed_table(self) -> pd.DataFrame:
        """``proposed.csv`` as a plain table."""
        return _plain(self.proposed)

    def candidates_table(self) -> pd.DataFrame:
        """``candidates.csv`` as a plain table."""
        return _plain(self.candidates)

    def residents_table(self) -> pd.DataFrame:
        """``residents.csv`` as a plain table."""
        return _plain(self.residents)

    def summary_table(self) -> pd.DataFrame:
        """``summary.csv``: one row."""
        return pd.DataFrame([dict(self.summary)])

    def uncovered(self) -> gpd.GeoDataFrame:
        """Residents with people and no site, with the reason."""
        r = self.residents
        return r[(~r["covered"].astype(bool)) & (r["population"] > 0)]

    def to_file(self, out_dir: str | Path) -> list[Path]:
        """Write the tables and the GeoPackage under ``out_dir/sites/``; returns the paths."""
        folder = Path(out_dir) / "sites"
        curve = self.coverage_curve
        written = [
            write_table(self.proposed_table(), folder / "proposed.csv"),
            write_table(self.candidates_table(), folder / "candidates.csv"),
            write_table(curve, folder / "coverage_curve.csv"),
            write_table(self.residents_table(), folder / "residents.csv"),
            write_table(self.summary_table(), folder / "summary.csv"),
        ]
        layers = {"sites": self.candidates, "proposed": self.proposed, "assignment": self.assignment,
                  "uncovered": self.uncovered(),
                  "service_areas": self.service_areas[self.service_areas.geometry.notna()]}
        written.append(write_gpkg(layers, folder / "sites.gpkg"))
        return written

    def to_map(self, *, lang: str | None = None, basemap: str = "osm", offline: bool = True,
               date: str | None = None):
        """The interactive sites map (a :class:`geoplan.maps.PlanMap`; call ``.to_html(path)``)."""
        from geoplan.shelters._map import sites_map

        return sites_map(self, lang=lang or self.lang, basemap=basemap, offline=offline, date=date)
