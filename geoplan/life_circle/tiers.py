"""Which walking distance counts as "within the life circle" for each category and profile.

The tier of a category comes from the preset (GB 50180-2018: 5/10/15-minute circles of
300/500/1000 m walking network distance). ``mode="distance"`` uses those distances;
``mode="time"`` the circle's minutes at a walking speed. The elderly figures are always
computed beside the chosen profile: in distance mode the tier distances are what an adult walks
in the circle's time, so the elderly threshold is the tier scaled by ``elderly / adult speed``
(300 m → 225 m at 0.9/1.2). The wheelchair profile walks at the elderly speed on a network
without steps (see :mod:`geoplan.life_circle.profiles`), so its thresholds are the elderly ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from geoplan.errors import InputError
from geoplan.i18n import message, nmessage

MODES = ("distance", "time")
PROFILES = ("adult", "elderly", "wheelchair")
#: Profiles that walk at the elderly speed.
SLOW_PROFILES = frozenset({"elderly", "wheelchair"})


@dataclass(frozen=True)
class Tiers:
    """Coverage thresholds of the analysed categories.

    Attributes
    ----------
    categories : tuple of str
        Analysed categories, in preset order.
    limit_m, elderly_limit_m : mapping
        Threshold (m) per category for the chosen profile and for the elderly profile.
    minutes : mapping
        Life-circle tier (min) per category.
    essential : list of str
        Categories a "complete" life circle needs (all analysed ones if none is essential).
    speed_mps, elderly_speed_mps : float
        Walking speeds used for minutes, m/s.
    """

    categories: tuple[str, ...]
    limit_m: Mapping[str, float]
    elderly_limit_m: Mapping[str, float]
    minutes: Mapping[str, int]
    essential: list[str]
    speed_mps: float
    elderly_speed_mps: float

    def search_bound_m(self, category: str, horizon_m: float) -> float:
        """How far the nearest-facility search of ``category`` runs (m)."""
        return max(horizon_m, self.limit_m[category], self.elderly_limit_m[category])


def parse_categories(categories: str | Sequence[str] | None, known: Sequence[str], *,
                     source: str | None = None) -> tuple[str, ...]:
    """Validate a category selection (comma-separated text or a list) against the preset table.

    ``None`` or empty means every category of the preset. Unknown names raise
    :class:`~geoplan.errors.InputError` listing the known ones.
    """
    if categories is None:
        return tuple(known)
    if isinstance(categories, str):
        categories = [c for c in categories.split(",")]
    chosen = [str(c).strip() for c in categories if str(c).strip()]
    if not chosen:
        return tuple(known)
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise InputError(nmessage("unknown facility category: {names}", "unknown facility categories: {names}",
                                  len(unknown), names=", ".join(unknown)),
                         source=source, fix=message("choose from: {choices}", choices=", ".join(known)))
    return tuple(dict.fromkeys(c for c in known if c in chosen))  # preset order, no duplicates


def check_options(*, mode: str, profile: str, speed: float | None, horizon_m: float) -> None:
    """Refuse a bad mode, profile, speed or search bound with one line saying what to write."""
    if mode not in MODES:
        raise InputError(message("unknown coverage mode {mode!r}", mode=mode),
                         fix=message("use one of: {choices}", choices=", ".join(MODES)))
    if profile not in PROFILES:
        raise InputError(message("unknown walking profile {profile!r}", profile=profile),
                         fix=message("use one of: {choices}", choices=", ".join(PROFILES)))
    if speed is not None and not (np.isfinite(speed) and speed > 0):
        raise InputError(message("walking speed must be a positive number of metres per second, not {value!r}",
                                 value=speed), fix=message("e.g. --speed 1.2 (adults) or --speed 0.9 (older people)"))
    if not horizon_m > 0:
        raise InputError(message("horizon_m must be positive, not {value!r}", value=horizon_m))


def _speeds(preset, profile: str, speed: float | None) -> tuple[float, float]:
    adult_v = float(preset.life_circle.walk_speed_mps)
    elderly_v = float(preset.life_circle.walk_speed_elderly_mps)
    if speed is not None:
        if profile in SLOW_PROFILES:
            elderly_v = float(speed)
        else:
            adult_v = float(speed)
    return adult_v, min(elderly_v, adult_v)  # the elderly profile is never the faster one


def tier_limits(preset, categories: Sequence[str], *, mode: str, profile: str,
                speed: float | None = None) -> Tiers:
    """Coverage thresholds (m) per category for the chosen profile and for the elderly profile.

    Parameters
    ----------
    preset : geoplan.standards.Preset
    categories : sequence of str
        Categories to analyse (already validated).
    mode : {"distance", "time"}
    profile : {"adult", "elderly", "wheelchair"}
    speed : float, optional
        Walking speed of the chosen profile, m/s.
    """
    adult_v, elderly_v = _speeds(preset, profile, speed)
    limits, elderly, minutes = {}, {}, {}
    for cat in categories:
        minutes[cat] = preset.tier_min(cat)
        if mode == "distance":
            adult_m = preset.tier_m(cat)
            elderly_m = adult_m * elderly_v / adult_v
        else:
            adult_m = adult_v * minutes[cat] * 60.0
            elderly_m = elderly_v * minutes[cat] * 60.0
        limits[cat] = elderly_m if profile in SLOW_PROFILES else adult_m
        elderly[cat] = elderly_m
    circle = preset.life_circle.circle_of_category
    essential = [c for c in categories if circle[c][1]] or list(categories)
    return Tiers(tuple(categories), limits, elderly, minutes, essential,
                 elderly_v if profile in SLOW_PROFILES else adult_v, elderly_v)
