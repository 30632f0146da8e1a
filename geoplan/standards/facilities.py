"""What a facility *is*: life-circle categories from GB 50180-2018 and the rules that classify OSM features.

Two tables, both data, both overridable from the project file:

* :data:`GB_ITEMS` — each category of the ``gb`` preset with the GB 50180-2018 item(s) it stands
  for, the table the item sits in and its life-circle tier. Where this module could not check a
  figure against the standard's own text, the row says so (``verified`` is ``False`` and ``note``
  names what is unverified): the tiers below follow the standard's appendix tables as they are
  commonly cited (and as issue 11 quotes them); the walking distance used for every item is the
  tier's distance (``LifeCircle.circle_distance_m``: 300 / 500 / 1000 m), not an item-specific
  service radius. Verify against the standard before relying on an item-level figure.
* The classification rules (:data:`FACILITY_TAG_RULES`, :data:`FACILITY_NAME_RULES`): **tags
  first, then names**. A tag rule ``(outcome, key, values)`` either settles the category
  (``outcome`` is a category, or several joined by ``;`` for a school that serves two), excludes
  the feature (``"-"``: not a life-circle facility, e.g. a university), or only says what *kind*
  of thing it is (``"?school"``, ``"?health"``, ``"?market"`` (a supermarket), ``"?shop"`` (a
  convenience shop), ``"?community"``, ``"?elderly"``), which the name rules of that kind then settle. A name rule
  ``(outcome, kind, pattern)`` applies to features of that kind; ``pattern`` is a Python regular
  expression searched in ``name``, ``name:zh`` and ``name:en``; the first match wins. A kind whose
  table ends in a catch-all rule (pattern ``""``) falls back to it; a school that no rule settles
  is listed as ``unclassified`` with a note, never guessed.

The rule that classified each facility is kept in ``facilities.rule`` (``tag:amenity=school``,
``name:小学``…) so a planner can see why a row is what it is.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

#: Outcome of a rule that excludes a feature from the life circle.
EXCLUDE = "-"
#: Category given to school-like features no rule settles (listed, never analysed).
UNCLASSIFIED = "unclassified"

# --------------------------------------------------------------------------------------
# Categories of the gb preset, item by item.
# Each row: category -> (GB 50180-2018 item(s), table, tier minutes, verified, note).
# --------------------------------------------------------------------------------------
_UNVERIFIED = ("item and tier as commonly cited from GB 50180-2018; the standard's text could not be "
               "retrieved to check it here; the tier's walking distance is used, not an item radius")
GB_ITEMS: Mapping[str, tuple[str, str, int, bool, str]] = MappingProxyType({
    "park": ("社区游园 (公共绿地)", "GB 50180-2018 4.0.4, Table 4.0.4", 5, False,
             _UNVERIFIED + "; minimum park sizes of Table 4.0.4 are not applied"),
    "kindergarten": ("幼儿园", "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.2", 5, False, _UNVERIFIED),
    "childcare": ("托儿所", "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.2", 5, False, _UNVERIFIED),
    "health_station": ("社区卫生服务站", "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.2", 5, False,
                       _UNVERIFIED),
    "elderly_day_care": ("老年人日间照料中心（托老所）", "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.2",
                         5, False, _UNVERIFIED),
    "community_service": ("社区服务站（含居委会）", "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.2",
                          5, False, _UNVERIFIED),
    "fitness": ("小型多功能运动（球类）场地 / 室外综合健身场地",
                "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.2", 5, False, _UNVERIFIED),
    "pharmacy": ("社区商业网点（含药店）", "GB 50180-2018 Appendix B Table B.0.1", 5, False,
                 _UNVERIFIED + "; the standard names no pharmacy item of its own"),
    "convenience": ("便利店（菜店、日杂等）", "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.3 (居住街坊)",
                    5, False, "a block-level (居住街坊) item: the standard gives it no life-circle tier; the 5-minute "
                    "distance is used (an assumption). " + _UNVERIFIED),
    "primary_school": ("小学", "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.1", 10, False, _UNVERIFIED),
    "market": ("菜市场或生鲜超市", "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.1", 10, False,
               _UNVERIFIED),
    "secondary_school": ("初中", "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.1", 15, False,
                         _UNVERIFIED + "; senior secondary schools (高中) are counted with it"),
    "health": ("卫生服务中心（社区医院）", "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.1", 15, False,
               _UNVERIFIED + "; hospitals are counted with it"),
    "elderly_care": ("养老院", "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.1", 15, False, _UNVERIFIED),
    "culture_centre": ("文化活动中心（含青少年、老年活动中心）",
                       "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.1", 15, False, _UNVERIFIED),
    "sports": ("体育馆（场）或全民健身中心 / 大型多功能运动场地",
               "GB 50180-2018 Appendix B Table B.0.1 / Appendix C Table C.0.1", 15, False, _UNVERIFIED),
})

#: gb categories counted in a "complete" life circle (the items the standard requires, ▲, as
#: commonly cited; unverified like the tiers above).
GB_ESSENTIAL: frozenset[str] = frozenset({
    "park", "kindergarten", "health_station", "community_service", "primary_school", "market",
    "secondary_school", "health",
})

# --------------------------------------------------------------------------------------
# Tag rules, tried in order; the first matching (key, values) gives the outcome.
# "*" matches any value. Values of ``isced:level`` are compared after normalising
# separators ("1-2", "1,2" → "1;2"). Sources: OSM wiki (Key:isced:level, Key:school,
# Tag:amenity=school, Key:healthcare, Key:social_facility, Tag:shop=convenience).
# --------------------------------------------------------------------------------------
FACILITY_TAG_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # not a place anyone may walk into
    ("-", "access", ("private", "no")),
    # education: the level, when tagged, settles it
    ("kindergarten", "isced:level", ("0",)),
    ("primary_school", "isced:level", ("1",)),
    ("primary_school;secondary_school", "isced:level", ("1;2", "1;2;3", "0;1;2", "0;1;2;3")),
    ("secondary_school", "isced:level", ("2", "3", "2;3")),
    ("-", "isced:level", ("4", "5", "6", "7", "8", "5;6", "6;7", "6;7;8")),
    ("primary_school", "school", ("primary", "elementary")),
    ("primary_school;secondary_school", "school", ("primary;secondary", "primary;middle")),
    ("secondary_school", "school", ("secondary", "middle", "high", "secondary;high", "middle;high")),
    ("-", "amenity", ("university", "college", "driving_school", "language_school", "music_school", "training",
                      "prep_school")),
    ("?school", "amenity", ("school", "kindergarten", "childcare")),
    # health: hospitals are 15-minute items; clinics and doctors are settled by their names
    ("health", "amenity", ("hospital",)),
    ("health", "healthcare", ("hospital",)),
    ("-", "amenity", ("dentist", "veterinary")),
    ("?health", "amenity", ("clinic", "doctors", "health_post")),
    ("?health", "healthcare", ("clinic", "doctor", "centre", "health_post")),
    ("pharmacy", "amenity", ("pharmacy",)),
    ("pharmacy", "shop", ("chemist",)),
    ("pharmacy", "healthcare", ("pharmacy",)),
    # elderly care
    ("?elderly", "social_facility", ("nursing_home", "assisted_living", "group_home", "day_care")),
    ("?elderly", "amenity", ("nursing_home", "social_facility")),
    ("?elderly", "social_facility:for", ("senior", "elderly")),
    # daily shopping: bakeries, cafés and the like are not a market
    ("market", "shop", ("greengrocer", "butcher", "seafood", "marketplace", "farm")),
    ("?market", "shop", ("supermarket",)),
    ("?shop", "shop", ("convenience", "general", "grocery")),
    ("market", "amenity", ("marketplace",)),
    # community services and culture
    ("culture_centre", "amenity", ("library", "arts_centre")),
    ("?community", "amenity", ("community_centre", "social_centre", "townhall")),
    ("?community", "office", ("government", "association")),
    # sport and open space
    ("sports", "leisure", ("sports_centre", "stadium", "sports_hall")),
    ("fitness", "leisure", ("fitness_station", "fitness_centre", "pitch", "track")),
    ("park", "leisure", ("park", "garden", "playground", "common", "recreation_ground")),
    ("park", "place", ("square",)),
    ("park", "landuse", ("recreation_ground", "village_green")),
)

# Chinese numerals and digits before 中 ("五中", "南京三中", "101中学" is caught by 中学).
_NUM = "[一二三四五六七八九十百零〇0-9０-９]"

# --------------------------------------------------------------------------------------
# Name rules: (outcome, kind, pattern). Order matters within a kind: combined schools, 附属
# schools of universities and kindergartens before the exclusions, exclusions before the
# primary and secondary levels (so 幼儿师范学校 and 职业高中 are not schools of the life circle).
# --------------------------------------------------------------------------------------
FACILITY_NAME_RULES: tuple[tuple[str, str, str], ...] = (
    # schools
    ("primary_school;secondary_school", "?school", "九年一贯制|十二年一贯制|一贯制"),
    ("primary_school", "?school", "附属小学|附小|附属实验小学"),
    ("secondary_school", "?school", "附属中学|附中"),
    # a kindergarten on a university campus is still a kindergarten
    ("childcare", "?school", "托儿所|托育|早教|(?i:nursery|daycare|day care|childcare)"),
    ("kindergarten", "?school", "幼儿园|幼稚园|(?i:kindergarten|preschool|pre-school)"),
    ("-", "?school", "大学|学院|职业|职校|职高|中专|技工|技师|党校|进修|培训|驾校|驾驶|师范|电大|夜校|研修|老年大学"
                      "|(?i:university|college|institute|vocational|training|driving|party school)"),
    ("primary_school", "?school", "小学|(?i:primary school|elementary)"),
    ("secondary_school", "?school",
     "中学|初中|初级中学|高中|高级中学|完全中学|初[一二三]年级|" + _NUM + "+中(?:$|[（(\\s]|校区|分校|本部|初中部|高中部)"
     "|(?i:middle school|high school|secondary)"),
    # health: stations vs centres
    ("-", "?health", "宠物|动物|口腔|牙科|美容|整形|(?i:dental|veterinar|cosmetic)"),
    ("health", "?health", "卫生服务中心|社区医院|医院|(?i:hospital|health cent(?:er|re))"),
    ("health_station", "?health", "卫生服务站|卫生站|卫生室|诊所|门诊|医务室|(?i:clinic|doctor)"),
    ("health_station", "?health", ""),
    # elderly care: day care vs residential homes
    ("elderly_day_care", "?elderly", "日间照料|托老|养老驿站|老年驿站|助老|(?i:day care|daycare)"),
    ("elderly_care", "?elderly", "养老院|敬老院|老年公寓|福利院|护理院|养老|(?i:nursing|care home|retirement)"),
    ("elderly_care", "?elderly", ""),
    # daily shopping: fresh markets and supermarkets vs convenience stores
    ("market", "?market", "菜市场|农贸市场|菜场|生鲜|市场|(?i:market)"),
    ("convenience", "?market", "便利|小卖部|7-?(?i:eleven)|全家|罗森|好邻居|(?i:convenience|lawson|familymart)"),
    ("market", "?market", ""),
    ("market", "?shop", "菜市场|农贸市场|菜场|生鲜|超市|(?i:supermarket|market)"),
    ("convenience", "?shop", ""),
    # community services and culture
    ("culture_centre", "?community", "文化活动中心|文化中心|文化馆|文化宫|图书馆|少年宫|(?i:library|cultur)"),
    ("community_service", "?community", "社区服务|党群服务|居委会|居民委员会|社区居委|社区中心|(?i:community)"),
    ("-", "?community", ""),
)

# --------------------------------------------------------------------------------------
# The plain (international) category set of the nfpa preset: each gb outcome mapped to one
# of the plain categories geoplan 0.1 used, or dropped (None).
# --------------------------------------------------------------------------------------
PLAIN_OF_GB: Mapping[str, str | None] = MappingProxyType({
    "park": "park", "kindergarten": "kindergarten", "childcare": "kindergarten", "health_station": "health",
    "health": "health", "elderly_day_care": "elderly_care", "elderly_care": "elderly_care",
    "community_service": "community_centre", "culture_centre": "community_centre", "fitness": "sports",
    "sports": "sports", "pharmacy": "pharmacy", "convenience": None, "market": "market",
    "primary_school": "primary_school", "secondary_school": "secondary_school",
})


def _plain_outcome(outcome: str) -> str:
    if outcome.startswith("?") or outcome == EXCLUDE:
        return outcome
    mapped = [PLAIN_OF_GB.get(c, c) for c in outcome.split(";")]
    kept = list(dict.fromkeys(c for c in mapped if c))
    return ";".join(kept) if kept else EXCLUDE


PLAIN_TAG_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (_plain_outcome(o), k, v) for o, k, v in FACILITY_TAG_RULES)
PLAIN_NAME_RULES: tuple[tuple[str, str, str], ...] = tuple(
    (_plain_outcome(o), kind, p) for o, kind, p in FACILITY_NAME_RULES)

#: Nodes that mark a way into a polygon facility or site (OSM wiki Key:entrance, Tag:barrier=gate).
ENTRANCE_BARRIERS: frozenset[str] = frozenset({"gate", "entrance", "lift_gate", "swing_gate", "sliding_gate",
                                               "wicket_gate", "turnstile", "kissing_gate"})
