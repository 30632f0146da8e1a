"""People per resident feature, the weight of every analysis, cleaned once the same way for all.

A resident feature with a missing or negative population is counted as 0 people, with a
note saying how many; one with population 0 stays in the tables but moves no share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoplan.i18n import Message, message


def resident_population(residents: pd.DataFrame, *, note_zero: bool = True) -> tuple[np.ndarray, list[Message]]:
    """People per resident feature (missing or negative → 0) and the notes saying so.

    Parameters
    ----------
    residents : pandas.DataFrame
        With a ``population`` column (persons).
    note_zero : bool
        Also note the features whose population is 0.

    Returns
    -------
    numpy.ndarray, list of Message
        Persons per row, and the notes (codes ``population_missing``, ``population_zero``).
    """
    population = pd.to_numeric(residents["population"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(population) | (population < 0)
    notes = []
    if bad.any():
        notes.append(message("{n} resident features have a missing or negative population; counted as 0 people",
                             code="population_missing", n=int(bad.sum())))
        population = np.where(bad, 0.0, population)
    zero = int((population == 0).sum() - bad.sum())
    if note_zero and zero:
        notes.append(message("{n} resident features have population 0: listed, but they do not weigh in any share",
                             code="population_zero", n=zero))
    return population, notes
