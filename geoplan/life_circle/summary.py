"""Population-weighted figures per community: coverage per category, the complete life circle,
redundancy and supply against demand (2SFCA).

Shares are empty where a community has no people.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from geoplan.life_circle.population import groups
from geoplan.life_circle.tiers import Tiers
from geoplan.standards.provision import PER_RESIDENT_PROVISION


def _share(covered: float, total: float) -> float:
    return covered / total if total > 0 else np.nan


def _mean(values: np.ndarray, weights: np.ndarray) -> float:
    return float(np.average(values, weights=weights)) if weights.sum() > 0 else np.nan


def _sfca_figures(table: pd.DataFrame, cat: str, mask: np.ndarray, pop: np.ndarray,
                  provision: Mapping[str, float]) -> dict:
    if f"sfca_{cat}" not in table:
        return {"sfca_mean": np.nan, "e2sfca_mean": np.nan, "sfca_standard": np.nan, "below_standard_share": np.nan}
    a = table[f"sfca_{cat}"].to_numpy(float)
    standard = provision.get(cat, np.nan)
    below = _share(float(pop[mask & (a < standard)].sum()), float(pop[mask].sum())) if standard == standard else np.nan
    return {"sfca_mean": _mean(a[mask], pop[mask]), "e2sfca_mean": _mean(table[f"e2sfca_{cat}"].to_numpy(float)[mask],
                                                                        pop[mask]),
            "sfca_standard": standard, "below_standard_share": below}


def coverage_summary(table: pd.DataFrame, tiers: Tiers, boundaries, facility_counts: Mapping[str, int], *,
                     profile: str, provision: Mapping[str, float] = PER_RESIDENT_PROVISION,
                     items: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per community × category plus ``ALL`` (columns of ``summary.csv``); ``items`` names
    each category's GB 50180-2018 item."""
    items = items or {}
    rows = []
    pop = table["population"].to_numpy()
    parts = groups(table["community"].to_numpy(), boundaries)
    for cat in tiers.categories:
        d = table[f"dist_m_{cat}"].to_numpy()
        cov, cov_e = d <= tiers.limit_m[cat], d <= tiers.elderly_limit_m[cat]
        alone = table[f"no_backup_{cat}"].to_numpy(bool)
        for name, mask in parts:
            total = float(pop[mask].sum())
            c, ce = float(pop[mask & cov].sum()), float(pop[mask & cov_e].sum())
            rows.append({"community": name, "category": cat, "tier_m": round(tiers.limit_m[cat], 3),
                         "population": round(total, 3), "covered_population": round(c, 3),
                         "covered_share": _share(c, total), "tier_min": tiers.minutes[cat],
                         "essential": cat in tiers.essential, "item": items.get(cat, ""),
                         "facilities": int(facility_counts.get(cat, 0)),
                         "residents": int(mask.sum()), "elderly_tier_m": round(tiers.elderly_limit_m[cat], 3),
                         "elderly_covered_population": round(ce, 3), "elderly_covered_share": _share(ce, total),
                         "no_backup_population": round(float(pop[mask & alone].sum()), 3),
                         **_sfca_figures(table, cat, mask, pop, provision), "profile": profile})
    return pd.DataFrame(rows)


def community_summary(table: pd.DataFrame, boundaries, *, profile: str) -> pd.DataFrame:
    """One row per community (and ``ALL``): population, complete-circle shares, mean categories reached."""
    rows = []
    pop = table["population"].to_numpy()
    complete = table["complete_circle"].to_numpy(dtype=bool)
    complete_e = table["complete_circle_elderly"].to_numpy(dtype=bool)
    reached = table["categories_within_tier"].to_numpy()
    for name, mask in groups(table["community"].to_numpy(), boundaries):
        total = float(pop[mask].sum())
        done, done_e = float(pop[mask & complete].sum()), float(pop[mask & complete_e].sum())
        rows.append({"community": name, "residents": int(mask.sum()), "population": round(total, 3),
                     "complete_population": round(done, 3), "complete_share": _share(done, total),
                     "elderly_complete_population": round(done_e, 3), "elderly_complete_share": _share(done_e, total),
                     "mean_categories_within_tier": _mean(reached[mask], pop[mask]) if mask.any() else np.nan,
                     "profile": profile})
    return pd.DataFrame(rows)


def compound_summary(table: pd.DataFrame, *, profile: str) -> pd.DataFrame:
    """:func:`community_summary` per residential compound (residents outside any are left out)."""
    inside = table.loc[table["compound"].notna()] if "compound" in table else table.iloc[:0]
    if len(inside) == 0:
        return pd.DataFrame({"compound": pd.Series([], dtype=object)})
    per = community_summary(inside.assign(community=inside["compound"].astype(str)), None, profile=profile)
    return per.loc[per["community"] != "ALL"].rename(columns={"community": "compound"}).reset_index(drop=True)
