"""Redundancy: is there a second facility within the tier, and who relies on one alone?

From the pairs within the tier (:func:`geoplan.life_circle.distances.within_tier`, the same
single bounded search per category that serves the catchments):

* ``dist2_m`` — walking distance to the second-nearest facility of the category, when it is
  within the tier (empty otherwise: beyond the tier a second facility does not change coverage);
* ``no_backup`` — residents covered by exactly one facility: they lose coverage if it closed;
* per facility, the people who rely on it alone.
"""

from __future__ import annotations

import numpy as np

from geoplan.life_circle.distances import Pairs


def second_nearest(pairs: Pairs, n_residents: int) -> np.ndarray:
    """Distance (m) to the second-nearest facility within the tier, NaN where there is none."""
    out = np.full(n_residents, np.nan)
    if len(pairs) == 0:
        return out
    # pairs are sorted by resident then distance: the second row of each resident is its second facility
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs.resident[1:] != pairs.resident[:-1]
    rank = np.arange(len(pairs)) - np.maximum.accumulate(np.where(first, np.arange(len(pairs)), 0))
    second = rank == 1
    out[pairs.resident[second]] = pairs.distance_m[second]
    return out


def facilities_reached(pairs: Pairs, n_residents: int) -> np.ndarray:
    """How many facilities of the category each resident reaches within the tier."""
    return np.bincount(pairs.resident, minlength=n_residents).astype(int)


def sole_cover_population(pairs: Pairs, population: np.ndarray, facility_rows: np.ndarray) -> np.ndarray:
    """Per facility row: the people whose only facility within the tier it is."""
    count = facilities_reached(pairs, len(population))
    alone = count[pairs.resident] == 1
    out = np.zeros(len(facility_rows))
    if alone.any():
        local = np.searchsorted(facility_rows, pairs.facility[alone])
        np.add.at(out, local, population[pairs.resident[alone]])
    return out
