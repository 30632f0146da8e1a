"""The one translation table for every fixed text drawn on a map.

Titles, layer names, legend titles, field labels, category and status names all come from
:data:`TEXT`; nothing else in :mod:`geoplan.maps` spells a user-facing word. Keys are the
values the analyses use (``"health"``, ``"unreachable"``) with a dotted prefix, so a result
column can be translated by ``t(f"status.{value}", lang)``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Iterable, Mapping

LANGS: tuple[str, ...] = ("zh", "en")

_ZH: dict[str, str] = {
    # title block
    "title.date": "日期",
    "title.preset": "标准预设",
    "title.sources": "数据来源",
    "title.osm": "数据 © OpenStreetMap 贡献者（ODbL）",
    "title.study_area": "研究区概况",
    "title.illustrative": "示例数据，仅供演示",
    "title.offline": "离线地图（无底图）",
    "title.basemap": "底图",
    # legend and controls
    "legend.title": "图例",
    "legend.other": "其他",
    "legend.no_data": "无数据",
    "control.fullscreen": "全屏",
    "control.exit_fullscreen": "退出全屏",
    "basemap.osm": "OpenStreetMap",
    "basemap.light": "浅灰底图",
    "basemap.gaode": "高德地图",
    "basemap.none": "无底图",
    # layer groups
    "group.base": "基础数据",
    "group.services": "生活圈设施",
    "group.emergency": "应急",
    "group.coverage": "覆盖分析",
    "group.access": "应急通达",
    "group.sites": "避难场所",
    # layer names
    "layer.study_area": "研究范围",
    "layer.communities": "社区边界",
    "layer.walk_network": "步行路网",
    "layer.drive_network": "车行道路",
    "layer.streets": "街道",
    "layer.buildings": "建筑",
    "layer.residential": "居住建筑",
    "layer.facilities": "公共服务设施",
    "layer.stations": "应急站点",
    "layer.obstructions": "通道障碍",
    "layer.sites": "候选避难场所",
    "layer.coverage": "设施覆盖",
    "layer.service_area": "服务范围",
    "layer.gaps": "覆盖缺口",
    "layer.response": "应急响应时间",
    "layer.critical_links": "关键路段",
    "layer.selected_sites": "推荐避难场所",
    "layer.assignment": "居民分配",
    # field labels
    "field.name": "名称",
    "field.category": "类别",
    "field.kind": "类型",
    "field.source": "来源",
    "field.community": "社区",
    "field.population": "人口",
    "field.levels": "层数",
    "field.building": "建筑类型",
    "field.residential": "居住",
    "field.footprint": "占地面积",
    "field.area": "面积",
    "field.capacity": "容纳人数",
    "field.distance": "距离",
    "field.walk_distance": "步行距离",
    "field.walk_time": "步行时间",
    "field.drive_time": "车程",
    "field.response_time": "响应时间",
    "field.length": "长度",
    "field.highway": "道路等级",
    "field.status": "状态",
    "field.keep_open": "需保持畅通",
    "field.existing": "现有",
    "field.coverage": "覆盖率",
    "field.nearest": "最近设施",
    "field.site": "避难场所",
    "field.id": "编号",
    # values
    "value.yes": "是",
    "value.no": "否",
    "unit.m": "米",
    "unit.km": "公里",
    "unit.min": "分钟",
    "unit.m2": "平方米",
    "unit.ha": "公顷",
    "unit.people": "人",
    "unassigned": "未分配",
    # facility categories (geoplan.standards)
    "cat.market": "菜场/超市",
    "cat.park": "公园绿地",
    "cat.elderly_care": "养老服务",
    "cat.pharmacy": "药店",
    "cat.kindergarten": "幼儿园",
    "cat.primary_school": "小学",
    "cat.health": "卫生服务",
    "cat.secondary_school": "中学",
    "cat.community_centre": "社区服务中心",
    "cat.sports": "体育设施",
    # building use
    "building.residential": "居住",
    "building.other": "非居住",
    # stations
    "station.fire": "消防站",
    "station.ambulance": "急救站",
    "station.hospital": "急诊医院",
    # obstructions
    "obstruction.occupied_lane": "通道占用",
    "obstruction.parking": "违章停车",
    "obstruction.gate": "大门",
    "obstruction.locked_gate": "上锁的门",
    "obstruction.barrier": "路障",
    "obstruction.bollard": "隔离桩",
    "obstruction.sealed_compound": "封闭小区",
    "obstruction.construction": "施工占道",
    "obstruction.narrow": "狭窄通道",
    "obstruction.other": "其他障碍",
    # access statuses
    "status.ok": "通达",
    "status.slow": "超时",
    "status.unreachable": "不可达",
    "status.blocked": "受阻",
    "status.far_from_road": "远离道路",
    "status.covered": "已覆盖",
    "status.not_covered": "未覆盖",
    # shelter sites
    "site.existing": "现有避难场所",
    "site.candidate": "候选场地",
    "site.selected": "推荐设置",
    "site.rejected": "不符合条件",
    "site.too_small": "面积不足",
    "site.park": "公园",
    "site.square": "广场",
    "site.green": "公共绿地",
    "site.sports": "运动场",
    "site.school": "学校操场",
    "site.community_centre": "社区中心",
    "site.gymnasium": "体育馆",
    "site.other": "其他场地",
    # coverage map
    "title.coverage": "15分钟生活圈覆盖",
    "layer.residents_reach": "居民（生活圈内可达设施类别数）",
    "coverage.of": "/",
    "field.categories_within_tier": "生活圈内可达类别数",
    "field.complete_circle": "完整生活圈",
    "field.complete_share": "完整生活圈人口比例",
    "field.elderly_complete_share": "老年人完整生活圈比例",
    "field.missing": "生活圈内缺少",
    "field.tier": "生活圈步行距离",
    "field.rank": "排名",
    "field.residences": "居住建筑数",
    "field.nearest_population": "就近服务人口",
    # access map
    "subtitle.fire": "消防车通达性",
    "subtitle.ambulance": "救护车通达性",
    "layer.roads_passable": "可通行道路（按响应时间）",
    "layer.roads_impassable": "不可通行道路",
    "layer.roads_obstructed": "被障碍阻断的道路",
    "layer.dead_ends": "无回车场的尽端路",
    "layer.routes": "救援路线",
    "layer.access_buildings": "居住建筑（通达状态）",
    "layer.clearing_rank": "清除优先级",
    "access.passable": "可通行",
    "access.impassable": "不可通行",
    "access.rank": "清除优先级",
    "access.restores": "单独清除可恢复",
    "access.not_applied": "未生效（常开或不在道路上）",
    "access.cuts_off": "中断后受影响",
    "access.buildings": "栋",
    "access.people": "人",
    "access.width": "宽度",
    "access.narrowest": "最窄处",
    "access.route_from": "出发站点",
    "access.dead_end": "尽端路长度",
    "access.obstructed": "被阻断",
    "access.applied": "生效的障碍",
    # shelter-sites map
    "title.sites": "应急避难场所选址",
    "site.school_building": "学校（室内）",
    "site.assembly_point": "应急集合点",
    "layer.uncovered": "未覆盖居民",
    "chart.coverage_curve": "覆盖曲线",
    "chart.new_sites": "新增场所数 k",
    "chart.people_covered": "覆盖人数",
    "reason.too_far": "步行范围内无候选场地",
    "reason.site_not_chosen": "附近场地未被选中（可增加 k）",
    "reason.capacity_exhausted": "附近场所容量已满",
    "reason.off_network": "远离步行路网",
    "reason.no_candidates": "区内无可用候选场地",
    "reason.too_small": "面积不足",
    "reason.sliver": "过于狭长",
    "reason.invalid_geometry": "几何无效",
    "reason.inside_other": "位于其他场地内",
    "reason.no_area": "缺少面积",
    "reason.no_one_in_reach": "服务半径内无居民",
    "sites.assigned": "分配",
    "sites.within": "服务半径内",
    "sites.mean": "平均",
    "sites.max": "最远",
    "sites.rank": "建设顺序",
    "sites.radius": "服务半径",
    "sites.model": "模型",
    "sites.capacitated": "考虑容量",
    "sites.uncapacitated": "不考虑容量",
    "sites.covered": "覆盖",
    "sites.elderly": "老年人步速",
    "sites.used": "已用",
}

_EN: dict[str, str] = {
    "title.date": "Date",
    "title.preset": "Standards preset",
    "title.sources": "Data sources",
    "title.osm": "Data © OpenStreetMap contributors (ODbL)",
    "title.study_area": "Study area",
    "title.illustrative": "Illustrative sample data",
    "title.offline": "Offline map (no basemap)",
    "title.basemap": "Basemap",
    "legend.title": "Legend",
    "legend.other": "Other",
    "legend.no_data": "No data",
    "control.fullscreen": "Full screen",
    "control.exit_fullscreen": "Exit full screen",
    "basemap.osm": "OpenStreetMap",
    "basemap.light": "Light grey",
    "basemap.gaode": "AutoNavi (Gaode)",
    "basemap.none": "No basemap",
    "group.base": "Base data",
    "group.services": "Life-circle services",
    "group.emergency": "Emergency",
    "group.coverage": "Coverage",
    "group.access": "Emergency access",
    "group.sites": "Shelter sites",
    "layer.study_area": "Study area",
    "layer.communities": "Communities",
    "layer.walk_network": "Walking network",
    "layer.drive_network": "Roads for vehicles",
    "layer.streets": "Streets",
    "layer.buildings": "Buildings",
    "layer.residential": "Residential buildings",
    "layer.facilities": "Services",
    "layer.stations": "Emergency stations",
    "layer.obstructions": "Obstructions",
    "layer.sites": "Candidate shelter sites",
    "layer.coverage": "Service coverage",
    "layer.service_area": "Service area",
    "layer.gaps": "Coverage gaps",
    "layer.response": "Emergency response time",
    "layer.critical_links": "Critical links",
    "layer.selected_sites": "Proposed shelters",
    "layer.assignment": "Residents' assignment",
    "field.name": "Name",
    "field.category": "Category",
    "field.kind": "Type",
    "field.source": "Source",
    "field.community": "Community",
    "field.population": "Population",
    "field.levels": "Levels",
    "field.building": "Building type",
    "field.residential": "Residential",
    "field.footprint": "Footprint",
    "field.area": "Area",
    "field.capacity": "Capacity",
    "field.distance": "Distance",
    "field.walk_distance": "Walking distance",
    "field.walk_time": "Walking time",
    "field.drive_time": "Driving time",
    "field.response_time": "Response time",
    "field.length": "Length",
    "field.highway": "Road class",
    "field.status": "Status",
    "field.keep_open": "Must stay open",
    "field.existing": "Existing",
    "field.coverage": "Coverage",
    "field.nearest": "Nearest",
    "field.site": "Shelter site",
    "field.id": "ID",
    "value.yes": "yes",
    "value.no": "no",
    "unit.m": "m",
    "unit.km": "km",
    "unit.min": "min",
    "unit.m2": "m²",
    "unit.ha": "ha",
    "unit.people": "people",
    "unassigned": "Unassigned",
    "cat.market": "Market / grocery",
    "cat.park": "Park",
    "cat.elderly_care": "Elderly care",
    "cat.pharmacy": "Pharmacy",
    "cat.kindergarten": "Kindergarten",
    "cat.primary_school": "Primary school",
    "cat.health": "Health care",
    "cat.secondary_school": "Secondary school",
    "cat.community_centre": "Community centre",
    "cat.sports": "Sports",
    "building.residential": "Residential",
    "building.other": "Other buildings",
    "station.fire": "Fire station",
    "station.ambulance": "Ambulance post",
    "station.hospital": "Emergency hospital",
    "obstruction.occupied_lane": "Occupied lane",
    "obstruction.parking": "Illegal parking",
    "obstruction.gate": "Gate",
    "obstruction.locked_gate": "Locked gate",
    "obstruction.barrier": "Barrier",
    "obstruction.bollard": "Bollard",
    "obstruction.sealed_compound": "Sealed compound",
    "obstruction.construction": "Construction",
    "obstruction.narrow": "Narrow passage",
    "obstruction.other": "Other obstruction",
    "status.ok": "Reachable",
    "status.slow": "Too slow",
    "status.unreachable": "Unreachable",
    "status.blocked": "Blocked",
    "status.far_from_road": "Far from road",
    "status.covered": "Covered",
    "status.not_covered": "Not covered",
    "site.existing": "Existing shelter",
    "site.candidate": "Candidate",
    "site.selected": "Proposed",
    "site.rejected": "Not eligible",
    "site.too_small": "Too small",
    "site.park": "Park",
    "site.square": "Square",
    "site.green": "Public green",
    "site.sports": "Sports ground",
    "site.school": "School grounds",
    "site.community_centre": "Community centre",
    "site.gymnasium": "Gymnasium",
    "site.other": "Other site",
    # coverage map
    "title.coverage": "15-minute life circle coverage",
    "layer.residents_reach": "Residents (categories within their tier)",
    "coverage.of": "of",
    "field.categories_within_tier": "Categories within tier",
    "field.complete_circle": "Complete life circle",
    "field.complete_share": "Complete life circle (share of people)",
    "field.elderly_complete_share": "Complete life circle, elderly (share)",
    "field.missing": "Missing within tier",
    "field.tier": "Tier (walking distance)",
    "field.rank": "Rank",
    "field.residences": "Residential buildings",
    "field.nearest_population": "People for whom it is nearest",
    # access map
    "subtitle.fire": "Fire-truck access",
    "subtitle.ambulance": "Ambulance access",
    "layer.roads_passable": "Passable roads (response time)",
    "layer.roads_impassable": "Impassable roads",
    "layer.roads_obstructed": "Roads closed by obstructions",
    "layer.dead_ends": "Dead ends without turnaround",
    "layer.routes": "Response routes",
    "layer.access_buildings": "Residential buildings (access status)",
    "layer.clearing_rank": "Clearing rank",
    "access.passable": "passable",
    "access.impassable": "impassable",
    "access.rank": "clearing rank",
    "access.restores": "clearing it alone restores",
    "access.not_applied": "not applied (kept open or off the road)",
    "access.cuts_off": "its loss cuts off",
    "access.buildings": "buildings",
    "access.people": "residents",
    "access.width": "width",
    "access.narrowest": "narrowest",
    "access.route_from": "from station",
    "access.dead_end": "dead end",
    "access.obstructed": "closed by",
    "access.applied": "applied",
    # shelter-sites map
    "title.sites": "Emergency shelter sites",
    "site.school_building": "School (indoor)",
    "site.assembly_point": "Assembly point",
    "layer.uncovered": "Uncovered residents",
    "chart.coverage_curve": "Coverage curve",
    "chart.new_sites": "new sites k",
    "chart.people_covered": "people covered",
    "reason.too_far": "no candidate within walking radius",
    "reason.site_not_chosen": "a nearby candidate was not chosen (raise k)",
    "reason.capacity_exhausted": "nearby sites are full",
    "reason.off_network": "far from the walking network",
    "reason.no_candidates": "no usable candidate in the area",
    "reason.too_small": "too small",
    "reason.sliver": "too narrow",
    "reason.invalid_geometry": "invalid geometry",
    "reason.inside_other": "inside another candidate",
    "reason.no_area": "area unknown",
    "reason.no_one_in_reach": "nobody within the radius",
    "sites.assigned": "assigned",
    "sites.within": "within radius",
    "sites.mean": "mean",
    "sites.max": "max",
    "sites.rank": "build order",
    "sites.radius": "radius",
    "sites.model": "model",
    "sites.capacitated": "capacitated",
    "sites.uncapacitated": "uncapacitated",
    "sites.covered": "covered",
    "sites.elderly": "elderly walking speed",
    "sites.used": "used",
}

#: Language → key → text. Read-only: a map never changes the table at run time.
TEXT: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"zh": MappingProxyType(_ZH), "en": MappingProxyType(_EN)}
)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is supported, else raise ``ValueError`` naming the choices."""
    if lang not in TEXT:
        raise ValueError(f"unknown map language {lang!r}; choose one of {', '.join(LANGS)}")
    return lang


def t(key: str, lang: str) -> str:
    """Translate a fixed map text.

    Parameters
    ----------
    key : str
        Key of :data:`TEXT`, e.g. ``"layer.buildings"``.
    lang : {"zh", "en"}
        Output language.

    Returns
    -------
    str
        Plain text (not yet HTML-escaped).

    Raises
    ------
    KeyError
        If the key is missing, so a forgotten translation fails a test rather than a meeting.
    """
    return TEXT[check_lang(lang)][key]


def label(key_or_text: str, lang: str, *, prefix: str = "") -> str:
    """Translate ``prefix + key_or_text`` when the table has it, else return the text itself.

    For values that may be a known code (``"health"``) or free text from a layer
    (``"Block 7 gate"``); the caller still escapes the result.
    """
    table = TEXT[check_lang(lang)]
    return table.get(prefix + str(key_or_text), table.get(str(key_or_text), str(key_or_text)))


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0xF900 <= code <= 0xFAFF or 0x3000 <= code <= 0x303F)


def guess_lang(names: Iterable[object], *, threshold: float = 0.2) -> str:
    """Guess the readers' language from the names in the data.

    Parameters
    ----------
    names : iterable
        Feature names (anything; non-strings and blanks are skipped).
    threshold : float, default 0.2
        Share of CJK characters among letters above which the map is drawn in Chinese.
        Low on purpose: Chinese names are short and often mixed with Latin codes ("3号楼 B").

    Returns
    -------
    {"zh", "en"}
    """
    cjk = letters = 0
    for name in names:
        if not isinstance(name, str):
            continue
        for ch in name:
            if _is_cjk(ch):
                cjk += 1
                letters += 1
            elif ch.isalpha():
                letters += 1
    if letters == 0:
        return "en"
    return "zh" if cjk / letters >= threshold else "en"
