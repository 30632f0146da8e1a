"""Provision check: does each community have the items the standard requires for its size?

For every community (and requirement row of :data:`geoplan.standards.provision.GB50180_REQUIREMENTS`,
or a table given by the caller): the row applies when the community's population reaches the
row's ``min_population``; the item is *present within the tier* when any of the community's
residents reaches a facility of the row's category within the walking distance of the row's
tier (the share of people who do is reported beside it). Status:

* ``present`` — required (应配建) and present;
* ``missing`` — required and not present;
* ``advised_present`` / ``advised_absent`` — a 宜配建 (should) row, present or not;
* ``not_applicable`` — the community is smaller than the row's population.

Rows whose category the preset does not know (or that is not analysed) are left out with a
note, so a renamed category never silently reads as "missing".
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from geoplan.i18n import message
from geoplan.i18n import Message
from geoplan.life_circle.population import PerCommunity
from geoplan.standards.provision import Requirement

COLUMNS = ["area", "tier", "population", "item", "category", "required", "present_within_tier", "covered_share",
           "status", "citation", "profile"]


def _status(applies: bool, required: bool, present: bool) -> str:
    if not applies:
        return "not_applicable"
    if required:
        return "present" if present else "missing"
    return "advised_present" if present else "advised_absent"


def provision_check(table: pd.DataFrame, boundaries, requirements: Sequence[Requirement], *,
                    tier_distance_m: dict[int, float], profile: str = "adult") -> tuple[pd.DataFrame, list[Message]]:
    """``provision.csv``: one row per community × requirement row (columns :data:`COLUMNS`).

    Parameters
    ----------
    table : pandas.DataFrame
        The coverage residents table (``population``, ``community``, ``dist_m_<category>``).
    boundaries : geopandas.GeoDataFrame or None
        Communities, for their order.
    requirements : sequence of Requirement
    tier_distance_m : dict
        Tier (min) → walking distance (m) of the residential-area level.
    profile : str
        The walking profile the distances were computed for (named in the table).
    """
    usable = [r for r in requirements if f"dist_m_{r.category}" in table]
    notes = [message("provision row {citation} ({item}) is left out: category {category} is not analysed",
                          code="provision_row_skipped", citation=r.citation, item=r.item, category=r.category)
             for r in requirements if r not in usable]
    per = PerCommunity(table, boundaries)
    names, total = per.names[:-1], per.population[:-1]  # communities, not ALL
    rows = []
    for r in usable:
        d = table[f"dist_m_{r.category}"].to_numpy(float)
        within = d <= tier_distance_m[r.tier_min]
        present, covered = per.count(within)[:-1] > 0, per.share(per.sum(within))[:-1]
        rows.append(pd.DataFrame({
            "area": names, "tier": r.tier_min, "population": np.round(total, 3), "item": r.item,
            "category": r.category, "required": r.required, "present_within_tier": present, "covered_share": covered,
            "status": [_status(t >= r.min_population, r.required, bool(p)) for t, p in zip(total, present)],
            "citation": r.citation, "profile": profile, "_order": np.arange(len(names))}))
    if not rows:
        return pd.DataFrame(columns=COLUMNS), notes
    # one row per community × requirement, community by community as the table has always been
    frame = pd.concat(rows, ignore_index=True).sort_values("_order", kind="stable")
    return frame[COLUMNS].reset_index(drop=True), notes


def missing_items(provision: pd.DataFrame) -> pd.Series:
    """Number of required items missing per community (for the map)."""
    if provision.empty:
        return pd.Series(dtype=int)
    return (provision["status"] == "missing").groupby(provision["area"]).sum().astype(int)
