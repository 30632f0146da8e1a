"""Vulnerable residents: the elderly and the disabled, who cannot walk to a vehicle that stops short.

Per building, from the residents layer: ``elderly`` = ``elderly`` (a count) or ``population ×
elderly_share``; ``disabled`` = ``disabled`` (a count) or ``population × disabled_share``;
``vulnerable`` = their sum, capped at the population (a person may be both). Missing figures
count as zero and the tables say ``vulnerable_source``. ``weight="vulnerable"`` ranks
obstructions by the vulnerable residents their clearing restores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEIGHTS: tuple[str, ...] = ("residents", "vulnerable")


def _count(residents: pd.DataFrame, count: str, share: str, population: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(residents)
    given = pd.to_numeric(residents[count], errors="coerce").to_numpy(float) if count in residents else np.full(n, np.nan)
    frac = pd.to_numeric(residents[share], errors="coerce").to_numpy(float) if share in residents else np.full(n, np.nan)
    value = np.where(np.isfinite(given), given, population * frac)
    return np.where(np.isfinite(value), np.clip(value, 0, population), 0.0), np.isfinite(value)


def vulnerable_residents(residents: pd.DataFrame) -> pd.DataFrame:
    """``elderly``, ``disabled``, ``vulnerable`` (people) and ``vulnerable_source`` per building."""
    population = residents["population"].to_numpy(float)
    elderly, has_e = _count(residents, "elderly", "elderly_share", population)
    disabled, has_d = _count(residents, "disabled", "disabled_share", population)
    source = np.where(has_e | has_d, "layer", "")
    return pd.DataFrame({"elderly": np.round(elderly, 1), "disabled": np.round(disabled, 1),
                         "vulnerable": np.round(np.minimum(elderly + disabled, population), 1),
                         "vulnerable_source": source}, index=residents.index)


def restored_vulnerable(restores: dict, vulnerable: np.ndarray, n_obstructions: int) -> np.ndarray:
    """Vulnerable residents each obstruction alone restores (from the clearing analysis' buildings)."""
    out = np.zeros(n_obstructions)
    for o, idx in restores.items():
        out[o] = float(vulnerable[np.asarray(idx, dtype=np.int64)].sum())
    return np.round(out, 1)
