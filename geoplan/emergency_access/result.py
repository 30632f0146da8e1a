"""The result of an access audit: tables, files and the map."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geoplan.emergency_access.passability import VehicleProfile

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
        ``name, vehicle, drive_s, baseline_drive_s, target_s, cause_obstructions``.
        ``response_s`` includes turnout; blank when unreachable.
    obstructions
        One row per obstruction: :data:`OBSTRUCTION_COLUMNS`, then ``name, keep_open, applied,
        road_distance_m, edges_closed, buildings_inside, note, buildings_restored_if_cleared,
        clear_order, residents_restored_in_order, cumulative_residents_restored``.
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
        Stations of the vehicle's kind and how many buildings each serves.
    summary
        Counts for reports.
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
    summary: dict
    warnings: tuple[str, ...] = field(default_factory=tuple)
    lang: str = "en"

    # ------------------------------------------------------------------ text
    def summary_text(self) -> str:
        """A few lines for the console."""
        s = self.summary
        by = s["buildings_by_status"]
        ppl = s["residents_by_status"]
        lines = [f"{self.vehicle} access: {s['buildings']} residential buildings, {s['population']:,.0f} residents, "
                 f"{s['stations']} stations (target {self.profile.target_s / 60:.0f} min incl. "
                 f"{self.profile.turnout_s / 60:.0f} min turnout; needs {self.profile.min_width_m:g} m wide, "
                 f"{self.profile.min_height_m:g} m high)"]
        lines.append("  " + ", ".join(f"{k} {by[k]} ({ppl[k]:,.0f} people)" for k in by))
        top = self.obstructions.loc[self.obstructions["residents_restored_if_cleared"] > 0].sort_values("rank")
        for _, row in top.head(5).iterrows():
            lines.append(f"  clear #{row['rank']}: {row['obstruction_id']} ({row['kind']}) restores "
                         f"{row['residents_restored_if_cleared']:,.0f} residents")
        if len(self.critical_links):
            c = self.critical_links.iloc[0]
            lines.append(f"  {len(self.critical_links)} critical links; worst {c['link_id']} (way {c['osm_way_id']}) "
                         f"cuts off {c['residents_cut_off']:,.0f} residents")
        if len(self.dead_ends):
            lines.append(f"  {len(self.dead_ends)} dead ends longer than the limit without a turnaround")
        for w in self.warnings:
            lines.append(f"  note: {w}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ files
    def tables(self) -> dict[str, pd.DataFrame]:
        """The CSV tables (no geometry), contract columns first."""
        b = pd.DataFrame(self.buildings.drop(columns="geometry"))
        o = pd.DataFrame(self.obstructions.drop(columns="geometry"))
        c = pd.DataFrame(self.critical_links.drop(columns="geometry"))
        d = pd.DataFrame(self.dead_ends.drop(columns="geometry"))
        out = {"buildings": b, "obstructions": o, "critical_links": c, "dead_ends": d}
        for frame in out.values():
            for col in ("lon", "lat"):  # 7 decimals ≈ 1 cm
                if col in frame:
                    frame[col] = frame[col].astype(float).round(7)
        return out

    def to_file(self, out: str | Path) -> list[Path]:
        """Write ``access/*.csv`` and ``access/access.gpkg`` under ``out`` (atomic, WGS-84).

        Returns
        -------
        list of pathlib.Path
            The files written.
        """
        from geoplan.report import write_csv, write_gpkg

        folder = Path(out) / "access"
        written = [write_csv(frame, folder / f"{name}.csv") for name, frame in self.tables().items()]
        layers = {"roads": self.roads, "routes": self.routes, "buildings": self.buildings,
                  "obstructions": self.obstructions, "critical_links": self.critical_links,
                  "dead_ends": self.dead_ends, "stations": self.stations}
        layers = {k: v for k, v in layers.items() if len(v)}
        written.append(write_gpkg(layers, folder / "access.gpkg"))
        return written

    # ------------------------------------------------------------------ map
    def to_map(self, *, lang: str | None = None, basemap: str = "osm", offline: bool = True):
        """The interactive access map (a :class:`geoplan.maps.PlanMap`); ``.to_html(path)`` writes it."""
        from geoplan.emergency_access._map import access_map

        return access_map(self, lang=lang or self.lang, basemap=basemap, offline=offline)
