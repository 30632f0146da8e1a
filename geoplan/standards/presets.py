"""The named presets: ``gb`` (Chinese national standards) and ``nfpa`` (international)."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Mapping

from geoplan.standards.preset import Preset
from geoplan.standards.facilities import PLAIN_NAME_RULES, PLAIN_TAG_RULES
from geoplan.standards.sections import AMBULANCE, FIRE, PLAIN_CIRCLE_OF_CATEGORY, LifeCircle

GB = Preset()

#: NFPA 1710 (2020) 4.1.2.1: turnout 80 s for fire, 60 s for EMS; first engine ≤ 240 s travel;
#: ALS within 480 s travel; here EMS 8 min 59 s in all, i.e. 479 s driving after a 60 s turnout.
NFPA = Preset(
    name="nfpa",
    citation="NFPA 1710 (2020) 4.1.2.1",
    vehicles={"fire": dataclasses.replace(FIRE, turnout_s=80.0, target_drive_s=240.0),
              "ambulance": dataclasses.replace(AMBULANCE, turnout_s=60.0, target_drive_s=479.0)},
    # a plain category set (no GB 50180 items), classified by the same rules mapped onto it
    life_circle=LifeCircle(circle_of_category=dict(PLAIN_CIRCLE_OF_CATEGORY), item_of_category={}),
    facility_tags=PLAIN_TAG_RULES,
    facility_names=PLAIN_NAME_RULES,
)

PRESETS: Mapping[str, Preset] = MappingProxyType({"gb": GB, "nfpa": NFPA})


def get_preset(name: str = "gb") -> Preset:
    """Return the named preset (``gb`` — Chinese national standards — or ``nfpa``)."""
    try:
        return PRESETS[name]
    except (KeyError, TypeError):
        raise KeyError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None
