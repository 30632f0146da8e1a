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


def groups(names: np.ndarray, boundaries) -> list[tuple[str, np.ndarray]]:
    """``(community, mask)`` for every community, then ``("ALL", everyone)``."""
    names = np.asarray(names)
    out = [(c, names == c) for c in community_order(names, boundaries)]
    out.append(("ALL", np.ones(len(names), dtype=bool)))
    return out
