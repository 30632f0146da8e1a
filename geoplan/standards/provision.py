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

  Search record (2026-12-01, issue 16; the stored page, document and code corpora, queries in
  Chinese and English, exact-string search for 居住区分级控制规模, 配套设施设置规定, 宜配建,
  五分钟生活圈居住区, 十五分钟生活圈居住区, 15000~25000, 50000~100000, 17000~32000): **neither
  表 3.0.4 nor any row of 附录 B nor a 千人指标 figure of the standard was found.** What was
  seen, none of it a table of the standard:

  - the standard's front matter (announcement 2018 No. 142, mandatory clauses 3.0.2, 4.0.2,
    4.0.3, 4.0.4, 4.0.7, 4.0.9): http://www.jianbiaoku.com/webarbs/book/1095/2935920.shtml;
  - its table of contents, naming 附录B "居住区配套设施设置规定" and 附录C "居住区配套设施规划
    建设控制要求", with clauses 3.0.2, 4.0.2–4.0.9 but the tables only as image placeholders:
    https://www.98tuji.com/3782.html;
  - the explanatory note to 5.0.1 (says control plans usually apply 千人指标, gives none):
    http://m.jianbiaoku.com/webarbs/book/1095/3781410.shtml;
  - secondary descriptions of the tiers, not the standard's text: the CCPR journal glossary
    (http://ccprjournal.com.cn/news/9923.htm: 15-minute area 50,000–100,000 residents,
    about 17,000–32,000 dwellings) and the 中国大百科全书 entry 十分钟生活圈居住区
    (https://zgbk.com/ecph/words?ID=491601&SiteID=1&SubID=217393: about 500 m, 15,000–25,000
    residents, about 5,000–8,000 dwellings). They agree with the tier figures geoplan uses
    but do not verify them: the tier figures stay as they were marked.
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
