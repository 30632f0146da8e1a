"""The figures and tables of one report page (the study, ``ALL``, or one community): pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from geoplan.printout._tables import RunTables
from geoplan.printout._text import SITE_KIND, STATUS, VEHICLE, category_label, code_label, percent, text

#: Most causes listed per page (a meeting discusses the few that matter most).
TOP_CAUSES = 3
#: Statuses in reading order (good first).
STATUS_ORDER = ("ok", "slow", "far_from_road", "blocked", "unreachable")


@dataclass(frozen=True)
class Table:
    """A titled table: header cells and rows of text, ready to set."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _in(frame: pd.DataFrame | None, community: str) -> pd.DataFrame | None:
    if frame is None or community == "ALL" or "community" not in frame:
        return frame
    return frame.loc[frame["community"].astype(str) == community]


def _num(value: float) -> str:
    return "–" if value != value else f"{value:,.0f}"


def headline(run: RunTables, community: str, lang: str) -> list[tuple[str, str]]:
    """``(label, value)`` pairs: population, complete life circle, emergency access, shelter cover."""
    out: list[tuple[str, str]] = []
    comm = run.coverage_communities
    if comm is not None:
        row = comm.loc[comm["community"].astype(str) == community]
        if len(row):
            out.append((text("Residents", lang), _num(float(row["population"].iloc[0]))))
            out.append((text("Complete 15-minute life circle", lang), percent(float(row["complete_share"].iloc[0]))))
    b = _in(run.access_buildings, community)
    if b is not None and len(b):
        ok = float(b.loc[b["status"] == "ok", "population"].sum())
        total = float(b["population"].sum())
        vehicle = str(b["vehicle"].iloc[0]) if "vehicle" in b else "fire"
        out.append((text("Residents reached in time ({vehicle})", lang, vehicle=code_label(VEHICLE, vehicle, lang)), percent(ok / total if total else float("nan"))))
        out.append((text("Buildings without access in time", lang), _num(float((b["status"] != "ok").sum()))))
    r = _in(run.sites_residents, community)
    if r is not None and len(r):
        total = float(r["population"].sum())
        covered = float(r.loc[r["covered"].astype(bool), "population"].sum())
        out.append((text("Residents with a shelter within reach", lang), percent(covered / total if total else float("nan"))))
    return out


def coverage_table(run: RunTables, community: str, lang: str) -> Table | None:
    """Coverage by category with its tier (metres and minutes) and the share covered."""
    s = run.coverage_summary
    if s is None:
        return None
    s = s.loc[s["community"].astype(str) == community]
    rows = tuple((category_label(r.category, lang),
                  text("≤ {metres} m ({minutes} min)", lang, metres=f"{r.tier_m:.0f}", minutes=f"{r.tier_min:g}"),
                  percent(r.covered_share), f"{int(r.facilities)}")
                 for r in s.itertuples(index=False))
    return Table(text("Life-circle coverage by category", lang),
                 (text("Category", lang), text("Tier", lang), text("Residents covered", lang), text("Facilities", lang)),
                 rows)


def _obstruction_names(run: RunTables) -> dict[str, str]:
    o = run.access_obstructions
    if o is None:
        return {}
    return {str(i): (str(n) if isinstance(n, str) and n else str(i)) for i, n in zip(o["obstruction_id"], o["name"])}


def access_table(run: RunTables, community: str, lang: str) -> Table | None:
    """Buildings and residents by access status, then the obstructions that cause most losses."""
    b = _in(run.access_buildings, community)
    if b is None:
        return None
    rows = []
    for status in STATUS_ORDER:
        part = b.loc[b["status"] == status]
        if len(part):
            rows.append((code_label(STATUS, status, lang), f"{len(part)}", _num(float(part["population"].sum()))))
    for name, n, people in top_causes(b, _obstruction_names(run)):
        rows.append((text("Cause: {name}", lang, name=name), f"{n}", _num(people)))
    return Table(text("Emergency access by building", lang),
                 (text("Status", lang), text("Buildings", lang), text("Residents", lang)), tuple(rows))


def top_causes(buildings: pd.DataFrame, names: dict[str, str]) -> list[tuple[str, int, float]]:
    """The obstructions named as a cause of most buildings not reached: ``(name, buildings, residents)``."""
    if "cause_obstructions" not in buildings:
        return []
    bad = buildings.loc[(buildings["status"] != "ok") & buildings["cause_obstructions"].notna()]
    counts: dict[str, list[float]] = {}
    for ids, people in zip(bad["cause_obstructions"].astype(str), bad["population"]):
        for oid in filter(None, re.split(r"[;,\s]+", ids)):
            entry = counts.setdefault(oid, [0, 0.0])
            entry[0] += 1
            entry[1] += float(people)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:TOP_CAUSES]
    return [(names.get(oid, oid), int(n), people) for oid, (n, people) in ranked]


def shelters_table(run: RunTables, community: str, lang: str) -> Table | None:
    """Proposed shelters with capacity and the residents assigned (of this community on its page)."""
    p = run.sites_proposed
    if p is None:
        return None
    assigned = p.set_index("site_id")["assigned_population"]
    r = _in(run.sites_residents, community)
    if community != "ALL" and r is not None:
        mine = r.loc[r["covered"].astype(bool)].groupby("site_id")["population"].sum()
        p = p.loc[p["site_id"].isin(mine.index)]
        assigned = mine
    rows = tuple((f"{int(x.rank)}", _site_name(x, lang), code_label(SITE_KIND, x.kind, lang),
                  _num(float(x.capacity)), _num(float(assigned.get(x.site_id, 0.0))))
                 for x in p.sort_values("rank").itertuples(index=False))
    return Table(text("Proposed emergency shelters", lang),
                 ("#", text("Site", lang), text("Kind", lang), text("Capacity (people)", lang),
                  text("Residents assigned", lang)), rows)


def _site_name(row, lang: str) -> str:
    name = row.name if isinstance(row.name, str) and row.name else ""
    return name or text("unnamed site ({id})", lang, id=row.site_id)
