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
    covered_population, snap_m, source, open_ground, name_zh, name_en, note``, then
    ``reason_code`` (the same code as ``reason``) and ``note_code`` (the notes' codes, ``;``-separated).
    ``reason_text`` and ``note`` are sentences in the language given to ``to_file`` (English by
    default); the codes beside them are the same in every language.
``coverage_curve.csv``
    ``k, covered_population, covered_share, marginal_population`` then ``n_sites, status,
    optimality_gap, selected``: the best k = 1 … K new sites (MCLP, capacities as in the run) on
    top of the existing ones; never decreasing.
``residents.csv``
    One row per resident feature: ``resident_id, lon, lat, population, community, site_id``
    (assigned site, empty if none), ``walk_m`` (network walk to it), ``covered,
    within_elderly_m, reason`` (``covered``, ``too_far``, ``site_not_chosen``,
    ``capacity_exhausted``, ``off_network``, ``no_candidates``, ``no_population``),
    ``nearest_candidate_m, candidates_in_reach, snap_m`` (``elderly_population`` where the layer
    has an ``elderly_share``), then ``reason_code`` and ``reason_text`` (the reason as a sentence).
``summary.csv``
    One row: model, radius, status, optimality gap, objective, solve time, model size,
    population covered (all, elderly profile), unreachable and shortfall population, counts,
    ``message`` (the solver's notes as sentences) and ``message_code`` (their codes).
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

from geoplan.i18n import Message
from geoplan.report import atomic_path, write_gpkg
from geoplan.shelters import messages as say


def write_table(frame: pd.DataFrame, target: str | Path) -> Path:
    """CSV (UTF-8 with BOM, for Excel on Chinese Windows), values as rounded in the frame."""
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig")
    return Path(target)


def rendered(frame: pd.DataFrame, lang: str | None) -> pd.DataFrame:
    """``frame`` with its sentence columns in ``lang`` and the untranslated ``_`` columns dropped.

    ``_reason_text`` (messages) fills ``reason_text`` and ``_notes`` (tuples of messages) fills ``note``.
    """
    out = frame.copy()
    if "_reason_text" in out:
        out["reason_text"] = [say.render(m, lang) for m in out["_reason_text"]]
    if "_notes" in out:
        out["note"] = [say.render_notes(n, lang) for n in out["_notes"]]
    return out.drop(columns=[c for c in out.columns if str(c).startswith("_")])


def _plain(frame, lang: str | None = "en") -> pd.DataFrame:
    frame = rendered(frame, lang)
    if isinstance(frame, gpd.GeoDataFrame):
        return pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return pd.DataFrame(frame)


@dataclass(frozen=True)
class SitesResult:
    """Proposed shelter sites, who they serve, and what was possible (follows :class:`geoplan.result.AnalysisResult`).

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
    figures : dict
        The headline figures by name (one row of ``summary.csv``; ``summary`` is the table).
    solution : geoplan.shelters.SiteSolution or None
        The model's own result (None when no model could run: no candidates, no people).
    parameters : dict
        The options of the run (JSON-serialisable).
    warnings : tuple of geoplan.i18n.Message
        What a reader must see beside the figures (``str()`` is English, ``.render("zh")`` Chinese).
    notes : tuple of geoplan.i18n.Message
        The solver's notes (``summary.csv``'s ``message``).
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
    figures: Mapping[str, Any]
    boundaries: gpd.GeoDataFrame
    solution: Any = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[Message, ...] = ()
    notes: tuple[Message, ...] = ()
    cost: Any = None
    weights: np.ndarray | None = None
    capacities: np.ndarray | None = None
    columns: np.ndarray | None = None
    preselected: np.ndarray | None = None

    @property
    def status(self) -> str:
        return str(self.figures.get("status", ""))

    @property
    def covered_share(self) -> float:
        return float(self.figures.get("covered_share", float("nan")))

    @property
    def summary(self) -> pd.DataFrame:
        """The headline figures as a one-row table (``summary.csv``, English sentences)."""
        return self.summary_table()

    def summary_table(self, lang: str | None = "en") -> pd.DataFrame:
        """``summary.csv``: one row; ``message`` in ``lang`` beside ``message_code``."""
        row = dict(self.figures)
        row["message"] = " ".join(say.render(n, lang) for n in self.notes)
        row["message_code"] = ";".join(n.code or "note" for n in self.notes)
        return pd.DataFrame([row])

    def proposed_table(self, lang: str | None = "en") -> pd.DataFrame:
        """``proposed.csv`` as a plain table, notes in ``lang``."""
        return _plain(self.proposed, lang)

    def candidates_table(self, lang: str | None = "en") -> pd.DataFrame:
        """``candidates.csv`` as a plain table, reasons and notes in ``lang``."""
        return _plain(self.candidates, lang)

    def residents_table(self, lang: str | None = "en") -> pd.DataFrame:
        """``residents.csv`` as a plain table, reasons in ``lang``."""
        return _plain(self.residents_in(lang))

    def residents_in(self, lang: str | None) -> gpd.GeoDataFrame:
        """The residents with ``reason_text`` in ``lang``."""
        from geoplan.shelters.outcome import reason_text

        max_snap = float(self.parameters.get("max_snap_m", float("nan")))
        return self.residents.assign(reason_text=reason_text(self.residents["reason"].to_numpy(), max_snap=max_snap,
                                                             lang=lang))

    def uncovered(self, lang: str | None = "en") -> gpd.GeoDataFrame:
        """Residents with people and no site, with the reason (its sentence in ``lang``)."""
        r = self.residents_in(lang)
        return r[(~r["covered"].astype(bool)) & (r["population"] > 0)]

    def warning_lines(self, lang: str | None = "en") -> list[str]:
        """The warnings as sentences in ``lang``."""
        return [say.render(w, lang) for w in self.warnings]

    def to_file(self, out: str | Path, *, lang: str | None = None) -> list[Path]:
        """Write the tables and the GeoPackage under ``out/sites/``; return the paths.

        Sentence columns (``reason_text``, ``note``, ``message``) are in ``lang`` (default
        English); the ``reason``/``*_code`` columns beside them are the same in every language.
        """
        folder = Path(out) / "sites"
        written = [
            write_table(self.proposed_table(lang), folder / "proposed.csv"),
            write_table(self.candidates_table(lang), folder / "candidates.csv"),
            write_table(self.coverage_curve, folder / "coverage_curve.csv"),
            write_table(self.residents_table(lang), folder / "residents.csv"),
            write_table(self.summary_table(lang), folder / "summary.csv"),
        ]
        layers = {"sites": rendered(self.candidates, lang), "proposed": rendered(self.proposed, lang),
                  "assignment": self.assignment, "uncovered": self.uncovered(lang),
                  "service_areas": self.service_areas[self.service_areas.geometry.notna()]}
        written.append(write_gpkg(layers, folder / "sites.gpkg"))
        return written

    def to_map(self, *, lang: str | None = None, basemap: str = "osm", offline: bool = True,
               date: str | None = None, detail_limit: int | None = None, window=None, community_maps=None):
        """The interactive sites map (a :class:`geoplan.maps.PlanMap`; call ``.to_html(path)``).

        Past ``detail_limit`` building features (default
        :data:`geoplan.maps.overview.DETAIL_MAX_RESIDENCES`) the map draws aggregates (hexagon
        cells, communities); ``window`` (a one-box GeoSeries) draws that box in full detail;
        ``community_maps`` (:class:`geoplan.maps.overview.CommunityMaps`) links the detailed maps.
        """
        from geoplan.shelters._map import sites_map

        return sites_map(self, lang=lang or self.lang, basemap=basemap, offline=offline, date=date,
                         detail_limit=detail_limit, window=window, community_maps=community_maps)
