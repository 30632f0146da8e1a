"""Provision standards: which items a residential area of a given size must have, and how much.

Three tables, each with its source; a row that cannot be verified from the standard's text is
left out, never guessed.

* :data:`GB50180_REQUIREMENTS` — items a 5/10/15-minute residential area must provide
  (GB 50180-2018 城市居住区规划设计标准, Appendix B, 表 B.0.1–B.0.3 "配套设施设置规定",
  and the population bands of §3.0.4 / 表 3.0.4). **Empty on purpose**: the tables' text could
  not be consulted while this module was written (only commentary on the standard, which
  confirms the principle that each level must provide its own items *and* those of every lower
  level, but not the rows themselves). Fill it row by row from the standard, each
  :class:`Requirement` with its table and row; the provision check
  (:func:`geoplan.life_circle.provision.provision_check`) works on any such table and is tested
  on a toy one.
* :data:`PER_RESIDENT_PROVISION` — 千人指标 (capacity per resident) per category, for the share of
  residents below the standard in the 2SFCA summaries. **Empty** for the same reason.
* :data:`E2SFCA_STEP_WEIGHTS` — the distance decay of the enhanced two-step floating catchment
  (Luo W., Qi Y. 2009, "An enhanced two-step floating catchment area (E2SFCA) method for
  measuring spatial accessibility to primary care physicians", *Health & Place* 15(4):
  1100–1107): three travel-time zones of a catchment (0–10, 10–20, 20–30 min there) weighted
  1.00, 0.68 and 0.22 (slow-drop Gaussian). geoplan applies the same weights to the inner,
  middle and outer third of each category's life-circle tier — an adaptation of the method's
  zones to walking tiers, stated as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class Requirement:
    """One item a residential area of at least ``min_population`` people must (or should) have.

    Attributes
    ----------
    tier_min : int
        The residential-area level (5, 10 or 15-minute life circle) the row belongs to; the item
        counts as present when residents reach it within that tier's walking distance.
    category : str
        The preset's facility category that provides the item.
    item : str
        The item's name as the standard writes it (e.g. "幼儿园").
    min_population : float
        Population from which the area is of this level and the item is required (people).
    required : bool
        ``True`` for 应配建 (must), ``False`` for 宜配建 (should; reported, never "missing").
    citation : str
        Table and row of the standard, e.g. "GB 50180-2018 表 B.0.2 第 3 行".
    """

    tier_min: int
    category: str
    item: str
    min_population: float
    required: bool
    citation: str


#: GB 50180-2018 Appendix B requirement rows — empty until verified from the standard's text (see above).
GB50180_REQUIREMENTS: tuple[Requirement, ...] = ()

#: Category → capacity units per resident the standard asks for (千人指标 ÷ 1000) — empty until verified.
PER_RESIDENT_PROVISION: Mapping[str, float] = MappingProxyType({})

#: Luo & Qi (2009) E2SFCA zone weights, applied to the inner, middle and outer third of a tier.
E2SFCA_STEP_WEIGHTS: tuple[float, float, float] = (1.00, 0.68, 0.22)
