"""Every fixed text drawn on a map, through the gettext catalogue ``maps.po``.

Map chrome is written as whole English labels and sentences with named placeholders
(:data:`CHROME`, e.g. ``"Date: {date}"``, ``"{value} m"``), translated with
:func:`geoplan.i18n.translator` and escaped by the caller. :func:`text` shows any of them.

Compatibility shim (until the analysis packages have moved to their own catalogues):
``t(key, lang)`` and ``label(value, lang, prefix=...)`` keep working with the 0.1 keys
(``"layer.buildings"``, ``"cat.health"``…): :data:`KEYS` maps each key to its msgid, and the
translation comes from the catalogue, not from a table in code. :data:`TEXT` is the same shim
read as ``TEXT[lang][key]``. Keys under ``access.``, ``sites.``, ``coverage.``, ``unit.`` are
sentence fragments (msgctxt ``legacy fragment``); new code writes whole sentences instead.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Iterator, Mapping

from geoplan.i18n import LANGS, N_, NC_, normalize_lang, translator


#: The 0.1 translation keys → their msgids (translations in ``maps.po``).
KEYS: Mapping[str, str | tuple[str, str]] = MappingProxyType({
    # title
    'title.date': N_('Date'),
    'title.preset': N_('Standards preset'),
    'title.sources': N_('Data sources'),
    'title.osm': N_('Data © OpenStreetMap contributors (ODbL)'),
    'title.study_area': NC_('map theme', 'Study area'),
    'title.illustrative': N_('Illustrative sample data'),
    'title.offline': N_('Offline map (no basemap)'),
    'title.basemap': N_('Basemap'),
    # legend
    'legend.title': N_('Legend'),
    'legend.other': N_('Other'),
    'legend.no_data': N_('No data'),
    # control
    'control.fullscreen': N_('Full screen'),
    'control.exit_fullscreen': N_('Exit full screen'),
    # basemap
    'basemap.osm': N_('OpenStreetMap'),
    'basemap.light': N_('Light grey'),
    'basemap.gaode': N_('AutoNavi (Gaode)'),
    'basemap.none': N_('No basemap'),
    # group
    'group.base': N_('Base data'),
    'group.services': N_('Life-circle services'),
    'group.emergency': N_('Emergency'),
    'group.coverage': NC_('layer group', 'Coverage'),
    'group.access': N_('Emergency access'),
    'group.sites': N_('Shelter sites'),
    # layer
    'layer.study_area': NC_('map layer', 'Study area'),
    'layer.communities': N_('Communities'),
    'layer.compounds': N_('Residential compounds'),
    'layer.walk_network': N_('Walking network'),
    'layer.drive_network': N_('Roads for vehicles'),
    'layer.streets': N_('Streets'),
    'layer.buildings': N_('Buildings'),
    'layer.residential': N_('Residential buildings'),
    'layer.facilities': N_('Services'),
    'layer.stations': N_('Emergency stations'),
    'layer.obstructions': N_('Obstructions'),
    'layer.sites': N_('Candidate shelter sites'),
    'layer.coverage': N_('Service coverage'),
    'layer.service_area': N_('Service area'),
    'layer.gaps': N_('Coverage gaps'),
    'layer.response': N_('Emergency response time'),
    'layer.critical_links': N_('Critical links'),
    'layer.selected_sites': N_('Proposed shelters'),
    'layer.assignment': N_("Residents' assignment"),
    # field
    'field.name': N_('Name'),
    'field.category': N_('Category'),
    'field.kind': N_('Type'),
    'field.source': N_('Source'),
    'field.community': N_('Community'),
    'field.compound': N_('Compound'),
    'field.population': N_('Population'),
    'field.levels': N_('Levels'),
    'field.building': N_('Building type'),
    'field.residential': N_('Residential'),
    'field.footprint': N_('Footprint'),
    'field.area': N_('Area'),
    'field.capacity': N_('Capacity'),
    'field.distance': N_('Distance'),
    'field.walk_distance': N_('Walking distance'),
    'field.walk_time': N_('Walking time'),
    'field.drive_time': N_('Driving time'),
    'field.response_time': N_('Response time'),
    'field.length': N_('Length'),
    'field.highway': N_('Road class'),
    'field.status': N_('Status'),
    'field.keep_open': N_('Must stay open'),
    'field.existing': N_('Existing'),
    'field.coverage': NC_('field label', 'Coverage'),
    'field.nearest': N_('Nearest'),
    'field.site': N_('Shelter site'),
    'field.id': N_('ID'),
    # value
    'value.yes': N_('yes'),
    'value.no': N_('no'),
    # unit
    'unit.m': NC_('legacy fragment', 'm'),
    'unit.km': NC_('legacy fragment', 'km'),
    'unit.min': NC_('legacy fragment', 'min'),
    'unit.m2': NC_('legacy fragment', 'm²'),
    'unit.ha': NC_('legacy fragment', 'ha'),
    'unit.people': NC_('legacy fragment', 'people'),
    # unassigned
    'unassigned': N_('Unassigned'),
    # cat
    'cat.market': N_('Market / grocery'),
    'cat.park': NC_('facility category', 'Park'),
    'cat.elderly_care': N_('Elderly care'),
    'cat.pharmacy': N_('Pharmacy'),
    'cat.kindergarten': N_('Kindergarten'),
    'cat.primary_school': N_('Primary school'),
    'cat.health': N_('Health care'),
    'cat.secondary_school': N_('Secondary school'),
    'cat.community_centre': NC_('facility category', 'Community centre'),
    'cat.sports': N_('Sports'),
    'cat.childcare': N_('Nursery'),
    'cat.health_station': N_('Community health station'),
    'cat.elderly_day_care': N_('Elderly day care'),
    'cat.community_service': N_('Community service station'),
    'cat.fitness': N_('Sports ground / fitness'),
    'cat.convenience': N_('Convenience store'),
    'cat.culture_centre': N_('Culture centre'),
    'cat.unclassified': N_('Unclassified school'),
    # source (where a feature came from: the ``source`` column)
    'source.osm': N_('OpenStreetMap'),
    'source.layer': N_('Community layer'),
    # building
    'building.residential': N_('Residential'),
    'building.other': N_('Other buildings'),
    # OSM building=* values (OSM wiki Key:building), for tooltips
    'building.apartments': NC_('building type', 'Apartments'),
    'building.house': NC_('building type', 'House'),
    'building.detached': NC_('building type', 'Detached house'),
    'building.semidetached_house': NC_('building type', 'Semi-detached house'),
    'building.terrace': NC_('building type', 'Terraced houses'),
    'building.dormitory': NC_('building type', 'Dormitory'),
    'building.bungalow': NC_('building type', 'Bungalow'),
    'building.farm': NC_('building type', 'Farmhouse'),
    'building.static_caravan': NC_('building type', 'Static caravan'),
    'building.houseboat': NC_('building type', 'Houseboat'),
    'building.yes': NC_('building type', 'Building'),
    'building.office': NC_('building type', 'Office'),
    'building.commercial': NC_('building type', 'Commercial'),
    'building.retail': NC_('building type', 'Retail'),
    'building.industrial': NC_('building type', 'Industrial'),
    'building.warehouse': NC_('building type', 'Warehouse'),
    'building.school': NC_('building type', 'School'),
    'building.kindergarten': NC_('building type', 'Kindergarten'),
    'building.university': NC_('building type', 'University'),
    'building.college': NC_('building type', 'College'),
    'building.hospital': NC_('building type', 'Hospital'),
    'building.public': NC_('building type', 'Public building'),
    'building.civic': NC_('building type', 'Civic building'),
    'building.government': NC_('building type', 'Government'),
    'building.hotel': NC_('building type', 'Hotel'),
    'building.church': NC_('building type', 'Church'),
    'building.temple': NC_('building type', 'Temple'),
    'building.garage': NC_('building type', 'Garage'),
    'building.garages': NC_('building type', 'Garages'),
    'building.parking': NC_('building type', 'Parking garage'),
    'building.service': NC_('building type', 'Service building'),
    'building.shed': NC_('building type', 'Shed'),
    'building.roof': NC_('building type', 'Roof'),
    'building.construction': NC_('building type', 'Under construction'),
    'building.train_station': NC_('building type', 'Train station'),
    'building.transportation': NC_('building type', 'Transport building'),
    'building.sports_hall': NC_('building type', 'Sports hall'),
    'building.stadium': NC_('building type', 'Stadium'),
    'building.supermarket': NC_('building type', 'Supermarket'),
    # community values
    'community.unassigned': N_('Unassigned'),
    # station
    'station.fire': N_('Fire station'),
    'station.ambulance': N_('Ambulance post'),
    'station.hospital': N_('Emergency hospital'),
    # obstruction
    'obstruction.occupied_lane': N_('Occupied lane'),
    'obstruction.parking': N_('Illegal parking'),
    'obstruction.gate': N_('Gate'),
    'obstruction.locked_gate': N_('Locked gate'),
    'obstruction.barrier': N_('Barrier'),
    'obstruction.bollard': N_('Bollard'),
    'obstruction.sealed_compound': N_('Sealed compound'),
    'obstruction.construction': N_('Construction'),
    'obstruction.narrow': N_('Narrow passage'),
    'obstruction.other': N_('Other obstruction'),
    # status
    'status.ok': N_('Reachable'),
    'status.slow': N_('Too slow'),
    'status.unreachable': N_('Unreachable'),
    'status.blocked': N_('Blocked'),
    'status.far_from_road': N_('Far from road'),
    'status.covered': N_('Covered'),
    'status.not_covered': N_('Not covered'),
    # site
    'site.existing': N_('Existing shelter'),
    'site.candidate': N_('Candidate'),
    'site.selected': N_('Proposed'),
    'site.rejected': N_('Not eligible'),
    'site.too_small': N_('Too small'),
    'site.park': NC_('shelter site kind', 'Park'),
    'site.square': N_('Square'),
    'site.green': N_('Public green'),
    'site.sports': N_('Sports ground'),
    'site.school': N_('School grounds'),
    'site.community_centre': NC_('shelter site kind', 'Community centre'),
    'site.gymnasium': N_('Gymnasium'),
    'site.other': N_('Other site'),
    # title
    'title.coverage': N_('15-minute life circle coverage'),
    # layer
    'layer.residents_reach': N_('Residents (categories within their tier)'),
    # coverage
    'coverage.of': NC_('legacy fragment', 'of'),
    # field
    'field.categories_within_tier': N_('Categories within tier'),
    'field.complete_circle': N_('Complete life circle'),
    'field.complete_share': N_('Complete life circle (share of people)'),
    'field.elderly_complete_share': N_('Complete life circle, elderly (share)'),
    'field.missing': N_('Missing within tier'),
    'field.tier': N_('Tier (walking distance)'),
    'field.rank': N_('Rank'),
    'field.residences': NC_('count of buildings', 'Residential buildings'),
    'field.nearest_population': N_('People for whom it is nearest'),
    # subtitle
    'subtitle.fire': N_('Fire-truck access'),
    'subtitle.ambulance': N_('Ambulance access'),
    # layer
    'layer.roads_passable': N_('Passable roads (response time)'),
    'layer.roads_impassable': N_('Impassable roads'),
    'layer.roads_obstructed': N_('Roads closed by obstructions'),
    'layer.dead_ends': N_('Dead ends without turnaround'),
    'layer.routes': N_('Response routes'),
    'layer.access_buildings': N_('Residential buildings (access status)'),
    'layer.clearing_rank': N_('Clearing rank'),
    # access
    'access.passable': NC_('legacy fragment', 'passable'),
    'access.impassable': NC_('legacy fragment', 'impassable'),
    'access.rank': NC_('legacy fragment', 'clearing rank'),
    'access.restores': NC_('legacy fragment', 'clearing it alone restores'),
    'access.not_applied': NC_('legacy fragment', 'not applied (kept open or off the road)'),
    'access.cuts_off': NC_('legacy fragment', 'its loss cuts off'),
    'access.buildings': NC_('legacy fragment', 'buildings'),
    'access.people': NC_('legacy fragment', 'residents'),
    'access.width': NC_('legacy fragment', 'width'),
    'access.narrowest': NC_('legacy fragment', 'narrowest'),
    'access.route_from': NC_('legacy fragment', 'from station'),
    'access.dead_end': NC_('legacy fragment', 'dead end'),
    'access.obstructed': NC_('legacy fragment', 'closed by'),
    'access.applied': NC_('legacy fragment', 'applied'),
    # title
    'title.sites': N_('Emergency shelter sites'),
    # site
    'site.school_building': N_('School (indoor)'),
    'site.assembly_point': N_('Assembly point'),
    # layer
    'layer.uncovered': N_('Uncovered residents'),
    # chart
    'chart.coverage_curve': N_('Coverage curve'),
    'chart.new_sites': NC_('legacy fragment', 'new sites k'),
    'chart.people_covered': NC_('legacy fragment', 'people covered'),
    # reason
    'reason.too_far': N_('no candidate within walking radius'),
    'reason.site_not_chosen': N_('a nearby candidate was not chosen (raise k)'),
    'reason.capacity_exhausted': N_('nearby sites are full'),
    'reason.off_network': N_('far from the walking network'),
    'reason.no_candidates': N_('no usable candidate in the area'),
    'reason.too_small': N_('too small'),
    'reason.sliver': N_('too narrow'),
    'reason.invalid_geometry': N_('invalid geometry'),
    'reason.inside_other': N_('inside another candidate'),
    'reason.no_area': N_('area unknown'),
    'reason.no_one_in_reach': N_('nobody within the radius'),
    # sites
    'sites.assigned': NC_('legacy fragment', 'assigned'),
    'sites.within': NC_('legacy fragment', 'within radius'),
    'sites.mean': NC_('legacy fragment', 'mean'),
    'sites.max': NC_('legacy fragment', 'max'),
    'sites.rank': NC_('legacy fragment', 'build order'),
    'sites.radius': NC_('legacy fragment', 'radius'),
    'sites.model': NC_('legacy fragment', 'model'),
    'sites.capacitated': NC_('legacy fragment', 'capacitated'),
    'sites.uncapacitated': NC_('legacy fragment', 'uncapacitated'),
    'sites.covered': NC_('legacy fragment', 'covered'),
    'sites.elderly': NC_('legacy fragment', 'elderly walking speed'),
    'sites.used': NC_('legacy fragment', 'used'),
})

#: Whole labels and sentences of the page itself (title block, units, controls).
CHROME: Mapping[str, str] = MappingProxyType({
    "date": N_("Date: {date}"),
    "preset": N_("Standards preset: {preset}"),
    "sources": N_("Data sources:"),
    "basemap": N_("Basemap: {basemap}"),
    "basemap_gcj02": N_("Basemap: {basemap} (GCJ-02 coordinates)"),
    "m": N_("{value} m"),
    "km": N_("{value} km"),
    "min": N_("{value} min"),
    "m2": N_("{value} m²"),
    "ha": N_("{value} ha"),
    "people": N_("{value} people"),
    "m+min": N_("{metres} m · {minutes} min"),
    "zoom_in": N_("Zoom in"),
    "zoom_out": N_("Zoom out"),
    "layers": N_("Layers"),
    "detail_link": N_("Open the detailed map"),
})


def check_lang(lang: str | None) -> str:
    """``"zh"`` or ``"en"`` (also from ``zh_CN``…); ``ValueError`` naming the choices otherwise."""
    if lang is None:
        raise ValueError(f"no map language given; choose one of {', '.join(LANGS)}")
    try:
        return normalize_lang(lang)
    except ValueError:
        raise ValueError(f"unknown map language {lang!r}; choose one of {', '.join(LANGS)}") from None


def msgid_of(key_or_msgid: "str | tuple[str, str]") -> "str | tuple[str, str]":
    """The msgid of a 0.1 key, or the argument itself when it is already a msgid."""
    if isinstance(key_or_msgid, str):
        return KEYS.get(key_or_msgid, key_or_msgid)
    return key_or_msgid


def text(key_or_msgid: "str | tuple[str, str]", lang: str, **params: Any) -> str:
    """A 0.1 key, a msgid or an ``NC_`` pair in ``lang``, placeholders filled (not yet escaped)."""
    return translator(check_lang(lang)).text(msgid_of(key_or_msgid), **params)


def t(key: str, lang: str) -> str:
    """Translate a 0.1 map key (compatibility shim over the ``maps`` catalogue).

    Parameters
    ----------
    key : str
        Key of :data:`KEYS`, e.g. ``"layer.buildings"``.
    lang : {"zh", "en"}
        Output language.

    Returns
    -------
    str
        Plain text (not yet HTML-escaped).

    Raises
    ------
    KeyError
        If the key is unknown, so a forgotten text fails a test rather than a meeting.
    """
    lang = check_lang(lang)
    return text(KEYS[key], lang)


def label(key_or_text: object, lang: str, *, prefix: str = "") -> str:
    """Translate ``prefix + key_or_text`` when it is a known key, else the text as a msgid.

    For values that may be a known code (``"health"``), a msgid, or free text from a layer
    (``"Block 7 gate"``, returned as it is); the caller still escapes the result.
    """
    value = str(key_or_text)
    for key in (prefix + value, value):
        if key in KEYS:
            return text(KEYS[key], lang)
    return translator(check_lang(lang)).gettext(value)


class _Table(Mapping[str, str]):
    """``TEXT[lang]``: the 0.1 keys of one language, read from the catalogue when asked."""

    def __init__(self, lang: str) -> None:
        self._lang = lang

    def __getitem__(self, key: str) -> str:
        return t(key, self._lang)

    def __iter__(self) -> Iterator[str]:
        return iter(KEYS)

    def __len__(self) -> int:
        return len(KEYS)


#: Language → 0.1 key → text (compatibility view over the catalogue; read-only).
TEXT: Mapping[str, Mapping[str, str]] = MappingProxyType({lang: _Table(lang) for lang in LANGS})
