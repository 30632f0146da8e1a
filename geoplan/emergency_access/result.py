"""The result of an access audit: tables, files and the map."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import pandas as pd

from geoplan.emergency_access._text import N_, Term, message, render, render_all
from geoplan.emergency_access.passability import VehicleProfile
from geoplan.emergency_access.status import STATUSES

#: Output contract: these columns come first, in this order (more may follow, none renamed).
BUILDING_COLUMNS = ("building_id", "lon", "lat", "population", "community", "station_id", "response_s",
                    "baseline_response_s", "last_leg_m", "status", "cause")
OBSTRUCTION_COLUMNS = ("obstruction_id", "kind", "residents_restored_if_cleared", "rank")
CRITICAL_COLUMNS = ("link_id", "osm_way_id", "residents_cut_off", "lon", "lat")


@dataclass(frozen=True)
class AccessResult:
    """Everything the access audit found, in the study CRS (metres, seconds).

    Attributes
    ----------
    buildings
        One row per residential building: contract columns :data:`BUILDING_COLUMNS`, then
        ``cause_code, name, vehicle, drive_s, baseline_drive_s, target_s, cause_obstructions``.
        ``cause`` is English here; :meth:`to_file` and :meth:`to_map` render it in their language.
        ``response_s`` includes turnout; blank when unreachable.
    obstructions
        One row per obstruction: :data:`OBSTRUCTION_COLUMNS`, then ``name, keep_open, applied,
        road_distance_m, edges_closed, buildings_inside, note, buildings_restored_if_cleared,
        clear_order, residents_restored_in_order, cumulative_residents_restored, width_taken_m,
        clear_width_m, cause, cause_code`` (``cause``: what it does, or why it does not apply).
    critical_links
        Bridges of the passable network that cut residents off: :data:`CRITICAL_COLUMNS`, then
        ``buildings_cut_off, length_m, highway, name``.
    dead_ends
        Dead ends longer than the preset limit without a turnaround.
    roads
        Every road segment: ``width_m, width_source, height_m, passable, reason, obstructed_by,
        passable_now, response_s`` (time band at the segment, turnout included).
    routes
        Route lines from the station to affected buildings with ``narrowest_m``.
    stations
        Stations of the vehicle's kind, their turnout and how many buildings each serves first.
    compounds
        One row per residential compound (``access/compounds.csv``): buildings, residents, vehicle
        entrances (gated, locked), narrow internal lanes, long dead ends, the entrance check, and
        when sealed the buildings losing access and the entrance to keep open.
    summary
        Headline figures, one row per community and ``ALL``
        (:func:`~geoplan.emergency_access.figures.summary_table`).
    figures
        The run's counts (stations used, obstructions applied, searches…), JSON-serialisable.
    parameters
        The options the audit ran with.
    messages
        The sentence columns as :class:`geoplan.i18n.Message` (``"buildings.cause"``,
        ``"obstructions.cause"``, ``"obstructions.note"``, ``"roads.reason"``), rendered per language on
        output.
    warnings
        Sentences a reader must see, in English (``messages["warnings"]`` keeps them as Messages).
    """

    study_name: str
    crs: object
    preset_name: str
    sources: tuple[str, ...]
    vehicle: str
    profile: VehicleProfile
    buildings: gpd.GeoDataFrame
    obstructions: gpd.GeoDataFrame
    critical_links: gpd.GeoDataFrame
    dead_ends: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    summary: pd.DataFrame
    compounds: gpd.GeoDataFrame | None = None
    figures: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    messages: Mapping[str, tuple] = field(default_factory=dict)
    warnings: tuple[Any, ...] = field(default_factory=tuple)
    lang: str = "en"

    # ------------------------------------------------------------------ language
    def in_language(self, lang: str | None) -> "AccessResult":
        """The same result with its sentence columns rendered in ``lang`` (default English)."""
        lang = lang or "en"
        b, o, roads = self.buildings.copy(), self.obstructions.copy(), self.roads.copy()
        if len(b) and "buildings.cause" in self.messages:
            b["cause"] = render_all(self.messages["buildings.cause"], lang)
        if len(roads) and "roads.reason" in self.messages:
            roads["reason"] = render_all(self.messages["roads.reason"], lang)
        if len(o):
            for column in ("cause", "note"):
                if f"obstructions.{column}" in self.messages:
                    o[column] = render_all(self.messages[f"obstructions.{column}"], lang)
        return replace(self, buildings=b, obstructions=o, roads=roads)

    # ------------------------------------------------------------------ text
    def summary_text(self, lang: str | None = None) -> str:
        """A few lines for the console, in ``lang`` (default English)."""
        lang = lang or "en"
        f, p = self.figures, self.profile
        by, ppl = f["buildings_by_status"], f["residents_by_status"]
        head = _HEADLINE[self.vehicle]
        lines = [render(message(head, buildings=f["buildings"], residents=f["population"], stations=f["stations"],
                                target_min=p.target_s / 60, turnout_min=p.turnout_s / 60, width=p.min_width_m,
                                height=p.min_height_m), lang)]
        lines.append("  " + render(message(N_("{ok} reached in time ({ok_people:,.0f} people), {slow} too slow "
                                              "({slow_people:,.0f}), {far} far from a usable road ({far_people:,.0f}), "
                                              "{blocked} blocked ({blocked_people:,.0f}), {unreachable} unreachable "
                                              "({unreachable_people:,.0f})"),
                                           **{k if k != "far_from_road" else "far": by[k] for k in STATUSES},
                                           **{(k if k != "far_from_road" else "far") + "_people": ppl[k]
                                              for k in STATUSES}), lang))
        top = self.obstructions.loc[self.obstructions["residents_restored_if_cleared"] > 0].sort_values("rank")
        for _, row in top.head(5).iterrows():
            lines.append("  " + render(message(N_("clear #{rank}: {id} ({kind}) restores {residents:,.0f} residents"),
                                               rank=row["rank"], id=row["obstruction_id"], kind=Term(str(row["kind"])),
                                               residents=row["residents_restored_if_cleared"]), lang))
        if len(self.critical_links):
            c = self.critical_links.iloc[0]
            lines.append("  " + render(message(N_("{n} critical links; worst {link} (way {way}) cuts off {residents:,.0f} "
                                                  "residents"), n=len(self.critical_links), link=c["link_id"],
                                               way=c["osm_way_id"], residents=c["residents_cut_off"]), lang))
        if len(self.dead_ends):
            lines.append("  " + render(message(N_("{n} dead ends longer than the limit without a turnaround"),
                                               n=len(self.dead_ends)), lang))
        for w in self.messages.get("warnings", self.warnings):
            lines.append("  " + render(message(N_("note: {text}"), text=w), lang))
        return "\n".join(lines)

    # ------------------------------------------------------------------ files
    def tables(self, lang: str | None = None) -> dict[str, pd.DataFrame]:
        """The CSV tables (no geometry), contract columns first, sentences in ``lang``."""
        r = self.in_language(lang)
        b = pd.DataFrame(r.buildings.drop(columns="geometry"))
        o = pd.DataFrame(r.obstructions.drop(columns="geometry"))
        c = pd.DataFrame(r.critical_links.drop(columns="geometry"))
        d = pd.DataFrame(r.dead_ends.drop(columns="geometry"))
        out = {"buildings": b, "obstructions": o, "critical_links": c, "dead_ends": d, "summary": self.summary.copy()}
        if self.compounds is not None:
            out["compounds"] = pd.DataFrame(self.compounds.drop(columns="geometry"))
        for frame in out.values():
            for col in ("lon", "lat"):  # 7 decimals ≈ 1 cm
                if col in frame:
                    frame[col] = frame[col].astype(float).round(7)
        return out

    def to_file(self, out: str | Path, *, lang: str | None = None) -> list[Path]:
        """Write ``access/*.csv`` (with ``summary.csv``) and ``access/access.gpkg`` under ``out``.

        Atomic, WGS-84; sentence columns (``cause``, ``note``) in ``lang`` (default English),
        their ``cause_code`` beside them the same in every language.

        Returns
        -------
        list of pathlib.Path
            The files written.
        """
        from geoplan.report import write_csv, write_gpkg

        folder = Path(out) / "access"
        written = [write_csv(frame, folder / f"{name}.csv") for name, frame in self.tables(lang).items()]
        r = self.in_language(lang)
        layers = {"roads": r.roads, "routes": r.routes, "buildings": r.buildings,
                  "obstructions": r.obstructions, "critical_links": r.critical_links,
                  "dead_ends": r.dead_ends, "stations": r.stations, "compounds": r.compounds}
        layers = {k: v for k, v in layers.items() if v is not None}
        layers = {k: v for k, v in layers.items() if len(v)}
        written.append(write_gpkg(layers, folder / "access.gpkg"))
        return written

    # ------------------------------------------------------------------ map
    def to_map(self, *, lang: str | None = None, basemap: str = "osm", offline: bool = True,
               date: str | None = None, detail_limit: int | None = None, window=None, community_maps=None):
        """The interactive access map (a :class:`geoplan.maps.PlanMap`); ``.to_html(path)`` writes it.

        Past ``detail_limit`` building features (default
        :data:`geoplan.maps.overview.DETAIL_MAX_RESIDENCES`) the map draws aggregates (hexagon
        cells, communities); ``window`` (a one-box GeoSeries) draws that box in full detail;
        ``community_maps`` (:class:`geoplan.maps.overview.CommunityMaps`) links the detailed maps.
        """
        from geoplan.emergency_access._map import access_map

        return access_map(self, lang=lang or self.lang, basemap=basemap, offline=offline, date=date,
                          detail_limit=detail_limit, window=window, community_maps=community_maps)


_HEADLINE = {
    "fire": N_("fire access: {buildings} residential buildings, {residents:,.0f} residents, {stations} stations "
               "(target {target_min:.0f} min incl. {turnout_min:.0f} min turnout; needs {width:g} m wide, "
               "{height:g} m high)"),
    "ambulance": N_("ambulance access: {buildings} residential buildings, {residents:,.0f} residents, {stations} "
                    "stations (target {target_min:.0f} min incl. {turnout_min:.0f} min turnout; needs {width:g} m "
                    "wide, {height:g} m high)"),
}
