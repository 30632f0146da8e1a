"""The audit's headline figures: a table per community for reports, and the run's counts.

``summary`` (a DataFrame) has one row per community and one ``ALL`` row: buildings and residents
in total and by status, and the share of residents reached in time (``ok``). ``figures`` (a
dict) keeps the counts of the run (stations used, obstructions applied, searches…) for the
console and the manifest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoplan.emergency_access.status import STATUSES


def summary_table(buildings: pd.DataFrame) -> pd.DataFrame:
    """Buildings and residents by status, per community and for ``ALL``.

    Columns: ``community, buildings, residents, buildings_<status>, residents_<status>`` (for
    each of :data:`STATUSES`), ``share_ok`` (residents reached in time ÷ residents, 0–1).
    """
    community = buildings["community"].fillna("").astype(str).to_numpy()
    status = buildings["status"].to_numpy()
    population = buildings["population"].to_numpy(dtype=float)
    names = np.unique(community[community != ""])
    unit = np.concatenate([np.zeros(len(community), dtype=np.int64),  # every building counts in ALL
                           1 + np.searchsorted(names, community[community != ""])])
    which = np.concatenate([np.arange(len(community)), np.flatnonzero(community != "")])
    n = len(names) + 1
    table = {"community": np.concatenate([["ALL"], names]).astype(object),
             "buildings": np.bincount(unit, minlength=n).astype(int),
             "residents": np.round(np.bincount(unit, weights=population[which], minlength=n).astype(float), 1)}
    for s in STATUSES:
        sel = status[which] == s
        table[f"buildings_{s}"] = np.bincount(unit[sel], minlength=n).astype(int)
        table[f"residents_{s}"] = np.round(np.bincount(unit[sel], weights=population[which][sel], minlength=n)
                                           .astype(float), 1)
    out = pd.DataFrame(table)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.round(out["residents_ok"].to_numpy() / out["residents"].to_numpy(), 4)
    out["share_ok"] = np.where(out["residents"].to_numpy() > 0, share, np.nan)
    return out


def run_figures(*, study, profile, st, searches, placement, judged, crit_table, dead_table, clear) -> dict:
    """The run's counts (the ``summary`` dict of geoplan 0.1)."""
    population = study.residents["population"].to_numpy(dtype=float)
    status = st.status
    full = study.drive.compiled
    return {
        "vehicle": profile.vehicle,
        "preset": study.preset.name,
        "min_width_m": profile.min_width_m,
        "min_height_m": profile.min_height_m,
        "turnout_s": profile.turnout_s,
        "target_drive_s": profile.target_drive_s,
        "last_leg_m": profile.last_leg_m,
        "dead_end_max_m": study.preset.passability.dead_end_max_m,
        "stations": int(searches.base.stations.ok.sum()),
        "buildings": int(len(status)),
        "population": float(round(population.sum(), 1)),
        "buildings_by_status": {s: int((status == s).sum()) for s in STATUSES},
        "residents_by_status": {s: float(round(population[status == s].sum(), 1)) for s in STATUSES},
        "obstructions": int(len(placement.table)),
        "obstructions_applied": int(searches.active.sum()),
        "roads_impassable": int((~judged["passable"]).sum()),
        "critical_links": int(len(crit_table)),
        "dead_ends": int(len(dead_table)),
        "clearing_searches": int(clear.searches),
        "drive_nodes": int(full.n_nodes),
        "drive_edges": int(len(full.edge_u)),
    }
