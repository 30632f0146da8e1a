"""Each building's status, in order of precedence.

``unreachable`` (no passable route in the baseline), ``far_from_road`` (the nearest passable road
is farther than the hose / stretcher distance), ``blocked`` (reachable in the baseline but not
now, or now late only because of obstructions), ``slow`` (over the target), ``ok``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geoplan.emergency_access.clearing import blocked
from geoplan.emergency_access.passability import VehicleProfile
from geoplan.emergency_access.scenario import Searches

STATUSES: tuple[str, ...] = ("ok", "slow", "far_from_road", "blocked", "unreachable")


@dataclass(frozen=True)
class Statuses:
    """Status of every building and the masks it comes from.

    Attributes
    ----------
    status
        One of :data:`STATUSES` per building.
    eligible
        Buildings that obstructions can block (reachable in the baseline, near a road).
    blocked
        Buildings blocked by obstructions.
    last_leg_m
        Distance from the nearest passable road to the building, metres.
    budget_s
        The lead-time target the searches' ``lead_s`` is compared with, seconds.
    """

    status: np.ndarray
    eligible: np.ndarray
    blocked: np.ndarray
    last_leg_m: np.ndarray
    budget_s: float


def lead_budget(profile: VehicleProfile, turnout_s: np.ndarray) -> float:
    """The target for ``lead_s`` (driving plus turnout beyond the quickest station's), seconds."""
    quickest = float(np.min(turnout_s)) if len(turnout_s) else profile.turnout_s
    return profile.target_s - quickest


def classify(searches: Searches, profile: VehicleProfile, turnout_s: np.ndarray) -> Statuses:
    """The status of every building from the three searches."""
    snaps = searches.scen.buildings
    last_leg = snaps.distance_m
    budget = lead_budget(profile, turnout_s)
    base_s, now_s = searches.base.lead_s, searches.now.lead_s
    # farther than the snap limit from every passable road: far from road, not "unreachable"
    unsnapped = ~snaps.ok & np.isfinite(last_leg)
    unreachable = ~np.isfinite(base_s) & ~unsnapped
    far = ~unreachable & (last_leg > profile.last_leg_m)
    eligible = ~unreachable & ~far
    is_blocked = blocked(now_s, base_s, budget, eligible)
    slow = eligible & ~is_blocked & (now_s > budget)
    status = np.full(len(last_leg), "ok", dtype=object)
    status[slow] = "slow"
    status[is_blocked] = "blocked"
    status[far] = "far_from_road"
    status[unreachable] = "unreachable"
    return Statuses(status, eligible, is_blocked, last_leg, budget)
