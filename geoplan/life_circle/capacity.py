"""Supply against demand: two-step floating catchment (2SFCA) and its enhanced variant (E2SFCA).

For a category whose facilities state a capacity (places, beds — a ``capacity`` column in the
facilities layer, or the OSM tags ``capacity:persons``, ``capacity``, ``beds``):

1. **Step 1** — each facility's supply ratio ``R_j = S_j / Σ_i w(d_ij) P_i``: its capacity over
   the population whose walking distance to it is within the category's tier (its floating
   catchment).
2. **Step 2** — each resident's accessibility ``A_i = Σ_j w(d_ij) R_j``: the ratios of every
   facility within the tier, summed (capacity units per resident).

2SFCA (Luo & Wang 2003, *Environment and Planning B* 30(6): 865–884) uses ``w = 1`` within the
tier. E2SFCA (Luo & Qi 2009) weights the inner, middle and outer third of the tier by
:data:`geoplan.standards.provision.E2SFCA_STEP_WEIGHTS` (1.00 / 0.68 / 0.22), the same
weights in both steps. Either way ``Σ_i P_i A_i = Σ_j S_j`` over the facilities that have any
demand in their catchment (a facility nobody reaches keeps its capacity out of every ``A_i``):
the tests check this invariant.

A category where some facility on the network has no capacity is skipped with a note: no
capacity is ever invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from geoplan.i18n import message
from geoplan.life_circle.distances import Pairs
from geoplan.i18n import Message
from geoplan.standards.provision import E2SFCA_STEP_WEIGHTS


@dataclass(frozen=True)
class Catchments:
    """2SFCA and E2SFCA of one category.

    Attributes
    ----------
    sfca, e2sfca : numpy.ndarray
        Per resident: capacity units per resident within reach (0 where none is reachable).
    catchment_population, catchment_weighted_population : numpy.ndarray
        Per facility row of the category: people within the tier (unweighted; E2SFCA-weighted).
    supply_ratio : numpy.ndarray
        Per facility row: capacity ÷ catchment population (NaN where nobody is within reach).
    """

    sfca: np.ndarray
    e2sfca: np.ndarray
    catchment_population: np.ndarray
    catchment_weighted_population: np.ndarray
    supply_ratio: np.ndarray


def facility_capacity(facilities: pd.DataFrame) -> np.ndarray:
    """Capacity of every facility row (NaN where none is stated)."""
    if "capacity" not in facilities.columns:
        return np.full(len(facilities), np.nan)
    return pd.to_numeric(facilities["capacity"], errors="coerce").to_numpy(dtype=float)


def step_weights(distance_m: np.ndarray, tier_m: float, weights: Sequence[float] = E2SFCA_STEP_WEIGHTS) -> np.ndarray:
    """E2SFCA weight of each distance: the weight of the tier's inner, middle or outer third."""
    zone = np.minimum((np.asarray(distance_m, float) / tier_m * len(weights)).astype(int), len(weights) - 1)
    return np.asarray(weights, float)[zone]


def two_step(pairs: Pairs, population: np.ndarray, capacity: np.ndarray, weight: np.ndarray,
             facility_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One 2SFCA pass with pair weights ``weight``.

    Returns
    -------
    access, demand, ratio
        Per resident ``A_i``; per facility row (of ``facility_rows``) the weighted demand
        ``Σ w P`` and ``R_j`` (NaN without demand).
    """
    local = pd.Index(facility_rows).get_indexer(pairs.facility)
    demand = np.bincount(local, weights=weight * population[pairs.resident], minlength=len(facility_rows))
    supply = capacity[facility_rows]
    ratio = np.where(demand > 0, supply / np.where(demand > 0, demand, 1.0), np.nan)
    gain = np.where(demand[local] > 0, weight * np.nan_to_num(ratio[local]), 0.0)
    access = np.bincount(pairs.resident, weights=gain, minlength=len(population))
    return access, demand, ratio


def catchments(category: str, pairs: Pairs, population: np.ndarray, capacity: np.ndarray,
               facility_rows: np.ndarray, tier_m: float) -> tuple[Catchments | None, list[Message]]:
    """2SFCA and E2SFCA of one category, or ``None`` (with a note) when capacities are missing."""
    if len(facility_rows) == 0:
        return None, []
    missing = int(np.isnan(capacity[facility_rows]).sum())
    if missing == len(facility_rows):
        return None, [message("{category}: no facility states a capacity, so supply against demand (2SFCA) is "
                                   "not computed for this category", code="sfca_skipped", category=category)]
    if missing:
        return None, [message("{category}: {missing} of {n} facilities state no capacity, so supply against "
                                   "demand (2SFCA) is not computed for this category", code="sfca_skipped",
                                   category=category, missing=missing, n=int(len(facility_rows)))]
    flat = np.ones(len(pairs))
    sfca, demand, ratio = two_step(pairs, population, capacity, flat, facility_rows)
    e2, weighted, _ = two_step(pairs, population, capacity, step_weights(pairs.distance_m, tier_m), facility_rows)
    return Catchments(sfca, e2, demand, weighted, ratio), []
