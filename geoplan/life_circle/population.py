"""Who is counted: each resident feature's people and community, with what a reader must know.

Population is the weight everywhere: a resident feature with population 0 (or missing,
treated as 0 with a note) stays in the tables but does not move any share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoplan.i18n import Message, message
from geoplan.population import resident_population  # noqa: F401  (re-exported for the package)

#: Community of residents outside every boundary polygon (and of all of them without a boundary layer).
UNASSIGNED = "unassigned"


def off_network_note(snapped_ok: np.ndarray, population: np.ndarray, max_snap_m: float) -> list[Message]:
    """A note on the residents too far from the walking network to be given a distance."""
    off = ~snapped_ok
    if not off.any():
        return []
    return [message("{n} resident features ({people:,.0f} people) are farther than {snap_m:g} m from the "
                         "walking network: no distance, not covered", code="residents_off_network",
                         n=int(off.sum()), people=float(population[off].sum()), snap_m=float(max_snap_m))]


def community_names(residents: pd.DataFrame) -> np.ndarray:
    """Each resident's community; :data:`UNASSIGNED` where none is given."""
    community = residents["community"].astype(object).where(residents["community"].notna(), UNASSIGNED)
    return community.map(lambda c: UNASSIGNED if str(c).strip() in ("", "nan", "None") else str(c)).to_numpy()


def community_order(names: np.ndarray, boundaries) -> list[str]:
    """Communities in boundary-layer order, then others alphabetically, :data:`UNASSIGNED` last."""
    listed = [str(c) for c in boundaries["community"]] if boundaries is not None and len(boundaries) else []
    extra = sorted(set(names) - set(listed) - {UNASSIGNED})
    order = listed + extra
    if (np.asarray(names) == UNASSIGNED).any():
        order.append(UNASSIGNED)
    return order


def group_codes(names: np.ndarray, boundaries) -> tuple[list[str], np.ndarray]:
    """The communities in :func:`community_order` and each resident's position in that list."""
    names = np.asarray(names)
    order = community_order(names, boundaries)
    position = {c: i for i, c in enumerate(order)}
    distinct, inverse = np.unique(names.astype(str), return_inverse=True)
    return order, np.array([position[c] for c in distinct], dtype=np.int64)[inverse].reshape(-1)


class PerCommunity:
    """Population-weighted sums per community and for ``ALL`` in one ``bincount`` each (a
    mask per community was quadratic in a city's thousands of communities and compounds)."""

    def __init__(self, table: pd.DataFrame, boundaries) -> None:
        self.names, code = group_codes(table["community"].to_numpy(), boundaries)
        self.names = [*self.names, "ALL"]
        k = len(self.names) - 1
        self.code = np.r_[code, np.full(len(code), k)]  # everyone a second time, as ALL
        self.pop = table["population"].to_numpy(dtype=float)
        self.residents = self.count(np.ones(len(code), bool)).astype(int)
        self.population = self.sum(None)

    def count(self, where: np.ndarray) -> np.ndarray:
        return np.bincount(self.code, weights=np.r_[where, where].astype(float), minlength=len(self.names))

    def sum(self, where: np.ndarray | None, values: np.ndarray | None = None) -> np.ndarray:
        """Population (times ``values``) of the residents ``where`` holds, per community."""
        w = self.pop if where is None else np.where(where, self.pop, 0.0)
        if values is not None:
            w = w * values
        return np.bincount(self.code, weights=np.r_[w, w], minlength=len(self.names))

    def share(self, part: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.population > 0, part / self.population, np.nan)
