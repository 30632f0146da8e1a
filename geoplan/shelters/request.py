"""What the planner asked for, checked once before any data is touched.

:func:`check_request` validates every option of :func:`geoplan.sites` (model and ``k`` through
the same functions the cost-matrix models use, so a bad value reads the same everywhere) and
resolves the preset's figures for the shelter kind: m² per person, radius, minimum site, minimum
width, and the elderly walking distance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from geoplan.errors import InputError
from geoplan.i18n import Message, message
from geoplan.shelters.capacity import shelter_standard
from geoplan.shelters.models.options import check_k, check_model

#: Default solver budget per model solve, seconds.
DEFAULT_TIME_LIMIT_S = 60.0
#: Relative MIP gap at which HiGHS stops (see :func:`geoplan.sites`).
DEFAULT_MIP_REL_GAP = 1e-7


@dataclass(frozen=True)
class SiteRequest:
    """The options of one sites run, checked, with the preset's figures resolved (metres, m², seconds)."""

    kind: str
    model: str
    k: int | None
    capacitated: bool
    radius_m: float
    time_limit: float | None
    curve_k: int | None
    split: bool
    with_areas: bool
    service_area_buffer_m: float
    mip_rel_gap: float
    m2_per_person: float
    min_site_m2: float
    min_width_m: float
    elderly_radius_m: float
    walk_speed_mps: float
    walk_speed_elderly_mps: float
    preset_name: str
    usable_share: Mapping[str, float] = field(default_factory=dict)

    def parameters(self) -> dict[str, Any]:
        """The run's options, JSON-serialisable (``SitesResult.parameters``)."""
        return {"kind": self.kind, "model": self.model, "k": self.k, "capacitated": self.capacitated,
                "radius_m": self.radius_m, "mip_rel_gap": self.mip_rel_gap, "elderly_radius_m": self.elderly_radius_m,
                "time_limit_s": self.time_limit, "split": self.split, "m2_per_person": self.m2_per_person,
                "min_site_m2": self.min_site_m2, "min_width_m": self.min_width_m,
                "usable_share": dict(self.usable_share), "walk_speed_mps": self.walk_speed_mps,
                "walk_speed_elderly_mps": self.walk_speed_elderly_mps, "preset": self.preset_name}


def check_request(preset, *, kind: str, model: str, k: int | None, capacitated: bool, radius_m: float | None,
                  time_limit: float | None, curve_k: int | None, usable_share: Mapping[str, float] | None,
                  min_width_m: float | None, split: bool, service_area_buffer_m: float, with_areas: bool,
                  mip_rel_gap: float) -> SiteRequest:
    """The options of :func:`geoplan.sites`, checked (see there for their meaning).

    Raises
    ------
    geoplan.errors.InputError
        An unknown kind or model, a bad ``k``, radius, time limit, curve size or minimum width.
    """
    std = shelter_standard(preset, kind)
    model = check_model(model)
    k = check_k(k, model)
    value = std.radius_m if radius_m is None else radius_m
    radius = _positive(value, message("the service radius must be a positive number of metres, not {value!r}",
                                      value=value), message("e.g. 500 (emergency) or 2000 (fixed)"))
    if time_limit is not None:
        time_limit = _positive(time_limit, message("the time limit must be a positive number of seconds, not {value!r}",
                                                   value=time_limit), message("e.g. {example}", example="--time-limit 60"))
    if curve_k is not None and not (isinstance(curve_k, (int, np.integer)) and not isinstance(curve_k, bool)
                                    and curve_k >= 0):
        raise InputError(message("curve_k must be a whole number >= 0, not {value!r}", value=curve_k),
                         fix=message("e.g. curve_k=10 (0: no curve)"))
    width = float(preset.shelters.min_width_m if min_width_m is None else min_width_m)
    if not (np.isfinite(width) and width >= 0):
        raise InputError(message("min_width_m must be a number of metres >= 0, not {value!r}", value=min_width_m),
                         fix=message("e.g. {example}", example="10"))
    speeds = preset.life_circle
    return SiteRequest(
        kind=kind, model=model, k=k, capacitated=bool(capacitated), radius_m=radius, time_limit=time_limit,
        curve_k=None if curve_k is None else int(curve_k), split=bool(split), with_areas=bool(with_areas),
        service_area_buffer_m=float(service_area_buffer_m), mip_rel_gap=float(mip_rel_gap),
        m2_per_person=std.m2_per_person, min_site_m2=std.min_site_m2, min_width_m=width,
        elderly_radius_m=radius * min(1.0, float(speeds.walk_speed_elderly_mps) / float(speeds.walk_speed_mps)),
        walk_speed_mps=float(speeds.walk_speed_mps), walk_speed_elderly_mps=float(speeds.walk_speed_elderly_mps),
        preset_name=preset.name, usable_share=dict(usable_share or {}))


def _positive(value, what: Message, fix: Message) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not (np.isfinite(number) and number > 0):
        raise InputError(what, fix=fix)
    return number
