"""Population-weighted figures per community: coverage per category, the complete life circle,
redundancy and supply against demand (2SFCA).

Shares are empty where a community has no people.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from geoplan.life_circle.population import PerCommunity
from geoplan.life_circle.tiers import Tiers
from geoplan.standards.provision import PER_RESIDENT_PROVISION


def _sfca_figures(table: pd.DataFrame, cat: str, per: PerCommunity, provision: Mapping[str, float]) -> dict:
    n = len(per.names)
    if f"sfca_{cat}" not in table:
        return dict.fromkeys(("sfca_mean", "e2sfca_mean", "sfca_standard", "below_standard_share"), np.full(n, np.nan))
    a = table[f"sfca_{cat}"].to_numpy(float)
    standard = provision.get(cat, np.nan)
    below = per.share(per.sum(a < standard)) if standard == standard else np.full(n, np.nan)
    return {"sfca_mean": per.share(per.sum(None, a)),
            "e2sfca_mean": per.share(per.sum(None, table[f"e2sfca_{cat}"].to_numpy(float))),
            "sfca_standard": np.full(n, standard), "below_standard_share": below}


def coverage_summary(table: pd.DataFrame, tiers: Tiers, boundaries, facility_counts: Mapping[str, int], *,
                     profile: str, provision: Mapping[str, float] = PER_RESIDENT_PROVISION,
                     items: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per community × category plus ``ALL`` (columns of ``summary.csv``); ``items`` names
    each category's GB 50180-2018 item."""
    items = items or {}
    per = PerCommunity(table, boundaries)
    frames = []
    for cat in tiers.categories:
        d = table[f"dist_m_{cat}"].to_numpy()
        c, ce = per.sum(d <= tiers.limit_m[cat]), per.sum(d <= tiers.elderly_limit_m[cat])
        frames.append(pd.DataFrame({
            "community": per.names, "category": cat, "tier_m": round(tiers.limit_m[cat], 3),
            "population": np.round(per.population, 3), "covered_population": np.round(c, 3),
            "covered_share": per.share(c), "tier_min": tiers.minutes[cat], "essential": cat in tiers.essential,
            "item": items.get(cat, ""), "facilities": int(facility_counts.get(cat, 0)), "residents": per.residents,
            "elderly_tier_m": round(tiers.elderly_limit_m[cat], 3), "elderly_covered_population": np.round(ce, 3),
            "elderly_covered_share": per.share(ce),
            "no_backup_population": np.round(per.sum(table[f"no_backup_{cat}"].to_numpy(bool)), 3),
            **_sfca_figures(table, cat, per, provision), "profile": profile}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def community_summary(table: pd.DataFrame, boundaries, *, profile: str) -> pd.DataFrame:
    """One row per community (and ``ALL``): population, complete-circle shares, mean categories reached."""
    per = PerCommunity(table, boundaries)
    done = per.sum(table["complete_circle"].to_numpy(dtype=bool))
    done_e = per.sum(table["complete_circle_elderly"].to_numpy(dtype=bool))
    reached = table["categories_within_tier"].to_numpy(dtype=float)
    return pd.DataFrame({"community": per.names, "residents": per.residents, "population": np.round(per.population, 3),
                         "complete_population": np.round(done, 3), "complete_share": per.share(done),
                         "elderly_complete_population": np.round(done_e, 3),
                         "elderly_complete_share": per.share(done_e),
                         "mean_categories_within_tier": per.share(per.sum(None, reached)), "profile": profile})


def compound_summary(table: pd.DataFrame, *, profile: str) -> pd.DataFrame:
    """:func:`community_summary` per residential compound (residents outside any are left out)."""
    inside = table.loc[table["compound"].notna()] if "compound" in table else table.iloc[:0]
    if len(inside) == 0:
        return pd.DataFrame({"compound": pd.Series([], dtype=object)})
    per = community_summary(inside.assign(community=inside["compound"].astype(str)), None, profile=profile)
    return per.loc[per["community"] != "ALL"].rename(columns={"community": "compound"}).reset_index(drop=True)
