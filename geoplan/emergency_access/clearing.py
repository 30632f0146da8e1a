"""Which obstruction to clear first.

Two answers, both in residents (population) whose access is restored:

1. **Alone** — for each obstruction, the residents no longer ``blocked`` if it alone is cleared
   and every other one stays: one engine search per obstruction (per obstruction, never per
   building or station), bounded by the response target when every blocked building was on
   time in the baseline.
2. **Greedy order** — clear, step by step, the obstruction that restores the most residents
   given those already cleared. Evaluated *lazily*: the gain an obstruction showed last is
   kept as its estimate, and only the obstruction with the best estimate is re-searched each
   step; it is taken when its fresh gain still beats every other estimate. When every
   estimate has dropped to zero but residents are still blocked (obstructions that only
   matter together, e.g. two gates on parallel entries), all remaining obstructions are
   re-searched once; if none helps alone, the order stops and says so.

Cost: ``k`` searches for the alone answer (``k`` = obstructions that close a passable road or
seal buildings), plus typically one to three searches per greedy step; ``O(k²)`` searches only
in the worst case of strongly interacting obstructions. Each search is one scenario network
(``CompiledNetwork.without_edges``) and one multi-source Dijkstra.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from geoplan.emergency_access._text import message
from geoplan.emergency_access.response import Scenarios


def blocked(now_s: np.ndarray, base_s: np.ndarray, target_s: float, eligible: np.ndarray) -> np.ndarray:
    """Buildings blocked by obstructions: reachable in the baseline but not now, or slow only now.

    ``now_s``/``base_s`` are driving seconds; ``eligible`` excludes buildings that are
    unreachable or too far from a road in the baseline anyway.
    """
    base_ok = np.isfinite(base_s)
    lost = base_ok & ~np.isfinite(now_s)
    late = (now_s > target_s) & (base_s <= target_s)
    return eligible & (lost | late)


@dataclass(frozen=True)
class Clearing:
    """Results of the clearing analysis (arrays over the obstructions of the placement).

    Attributes
    ----------
    restored_alone
        Residents restored if that obstruction alone is cleared.
    buildings_alone
        Buildings restored if it alone is cleared.
    restores
        Per obstruction, indices of the buildings it alone restores.
    order
        Obstruction positions in greedy clearing order.
    gain
        Residents restored by each step of ``order``.
    cumulative
        Residents restored after each step of ``order``.
    searches
        Engine searches run.
    note
        Why the order stopped early, if it did.
    """

    restored_alone: np.ndarray
    buildings_alone: np.ndarray
    restores: dict[int, np.ndarray]
    order: list[int]
    gain: list[float]
    cumulative: list[float]
    searches: int
    note: object = ""  # a Message, or "" when the order ran to the end


def clearing_analysis(scen: Scenarios, active: np.ndarray, candidates: np.ndarray, *, base_s: np.ndarray,
                      target_s: float, eligible: np.ndarray, population: np.ndarray,
                      progress: Callable[[str], None] | None = None) -> Clearing:
    """Residents restored by clearing each obstruction alone, and the greedy clearing order.

    Parameters
    ----------
    scen
        Scenario runner of the vehicle.
    active
        Obstructions applied now (mask over placement rows).
    candidates
        Obstructions worth testing (applied and closing a passable road or sealing buildings).
    base_s
        Baseline lead seconds per building (driving plus any turnout beyond the quickest
        station's, :attr:`~geoplan.emergency_access.response.Costs.lead_s`).
    target_s
        Target for the lead time, seconds (the driving target when turnouts are equal).
    eligible
        Buildings that can be blocked (reachable in the baseline, close enough to a road).
    population
        Residents per building.
    """
    n = len(active)
    say = progress or (lambda message: None)
    restored_alone = np.zeros(n)
    buildings_alone = np.zeros(n, dtype=np.int64)
    restores: dict[int, np.ndarray] = {}
    runs0 = scen.runs
    now = scen.run(active)
    blocked_now = blocked(now.lead_s, base_s, target_s, eligible)
    if not blocked_now.any():
        return Clearing(restored_alone, buildings_alone, restores, [], [], [], scen.runs - runs0)
    # every blocked building on time in the baseline: restoring means arriving within target
    limit = target_s * (1 + 1e-9) + 1e-6 if np.all(base_s[blocked_now] <= target_s) else np.inf
    cand = [int(o) for o in np.flatnonzero(candidates & active)]

    def blocked_with(act: np.ndarray) -> np.ndarray:
        c = scen.run(act, limit=limit, exact=False)
        return blocked(c.lead_s, base_s, target_s, eligible)

    say(message("testing {n} obstructions one by one", code="progress", n=len(cand)))
    after_of: dict[int, np.ndarray] = {}  # blocked mask if o is cleared next (fresh estimates only)
    for o in cand:
        act = active.copy()
        act[o] = False
        still = blocked_with(act)
        after_of[o] = still
        gained = blocked_now & ~still
        restores[o] = np.flatnonzero(gained)
        restored_alone[o] = float(population[gained].sum())
        buildings_alone[o] = int(gained.sum())

    # greedy, lazily re-evaluated
    order: list[int] = []
    gain: list[float] = []
    cumulative: list[float] = []
    estimate = {o: restored_alone[o] for o in cand}
    current = active.copy()
    still_blocked = blocked_now.copy()
    rescanned = False
    note = ""

    def evaluate(o: int) -> None:
        act = current.copy()
        act[o] = False
        after_of[o] = blocked_with(act)
        estimate[o] = float(population[still_blocked & ~after_of[o]].sum())

    while estimate and still_blocked.any():
        best = max(estimate, key=lambda o: (estimate[o], restored_alone[o], -o))
        if estimate[best] <= 0:
            if rescanned:
                note = message("{n} buildings stay blocked unless several obstructions are cleared together; "
                               "no single further clearing restores anyone", code="clearing_stuck",
                               n=int(still_blocked.sum()))
                break
            rescanned = True
            for o in list(estimate):
                evaluate(o)
            continue
        if best not in after_of:
            evaluate(best)
            continue
        # fresh and at least as good as every other estimate: clear it
        after = after_of[best]
        g = float(population[still_blocked & ~after].sum())
        current[best] = False
        still_blocked = after
        order.append(best)
        gain.append(g)
        cumulative.append((cumulative[-1] if cumulative else 0.0) + g)
        del estimate[best]
        after_of.clear()
        rescanned = False
    return Clearing(restored_alone, buildings_alone, restores, order, gain, cumulative, scen.runs - runs0, note)
