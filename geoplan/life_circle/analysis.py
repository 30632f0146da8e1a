"""15-minute life-circle coverage: how far every resident walks to each daily service.

The question a planner asks: *which residents have a clinic, a school, a market… within the
walking distance of its life circle, with enough capacity, and where are the gaps?*

:func:`coverage` runs these steps, each a pure function in a module named for what it means
(all lengths metres, all speeds metres per second):

1. :mod:`~geoplan.life_circle.tiers` — the threshold of each category for the profile
   (GB 50180-2018 tiers 300/500/1000 m, or the tier's minutes at a walking speed);
2. :mod:`~geoplan.life_circle.profiles` — the walking network of the profile (the wheelchair
   profile closes steps, ``wheelchair=no`` ways and raised kerbs);
3. :mod:`~geoplan.life_circle.population` — people and community of every resident feature;
4. :mod:`~geoplan.life_circle.distances` — per category, the nearest facility (one bounded
   multi-source search) and every facility within the tier (one bounded search returning
   per-facility distances);
5. :mod:`~geoplan.life_circle.capacity` — 2SFCA and E2SFCA where capacities are stated;
6. :mod:`~geoplan.life_circle.tables` and :mod:`~geoplan.life_circle.redundancy` — the
   residents and facilities tables (second-nearest facility, residents without a backup);
7. :mod:`~geoplan.life_circle.summary` — shares per community and category, complete circle;
8. :mod:`~geoplan.life_circle.provision` — items required for each community's size;
9. service areas (:mod:`geoplan.network.service_areas`) and gap areas
   (:mod:`~geoplan.life_circle.gaps`).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from geoplan.i18n import Message, message
from geoplan.life_circle.capacity import catchments, facility_capacity
from geoplan.life_circle.distances import category_reaches
from geoplan.life_circle.gaps import gap_areas
from geoplan.life_circle.population import UNASSIGNED, community_names, off_network_note, resident_population
from geoplan.life_circle.profiles import walking_network_by_rule
from geoplan.life_circle.provision import provision_check
from geoplan.life_circle.result import CoverageResult
from geoplan.life_circle.summary import community_summary, compound_summary, coverage_summary
from geoplan.life_circle.tables import facilities_table, residents_table
from geoplan.life_circle.tiers import MODES, PROFILES, check_options, parse_categories, tier_limits
from geoplan.network.service_areas import SERVICE_AREA_BUFFER_M, service_areas
from geoplan.standards.provision import GB50180_REQUIREMENTS, Requirement

#: Search bound (m): distances beyond are reported empty. A 4.6-hour walk at 1.2 m/s — no
#: daily service is that far in a city; it only keeps searches on very large networks finite.
DEFAULT_HORIZON_M = 20_000.0
#: Residents of the same category gap whose footprints are closer than this (m) form one gap area.
GAP_JOIN_M = 100.0

Progress = Callable[[str], None]

__all__ = ["DEFAULT_HORIZON_M", "GAP_JOIN_M", "MODES", "PROFILES", "SERVICE_AREA_BUFFER_M", "UNASSIGNED",
           "coverage", "parse_categories", "tier_limits"]


def coverage(study, *, mode: str = "distance", speed: float | None = None, profile: str = "adult",
             categories: str | Sequence[str] | None = None, horizon_m: float = DEFAULT_HORIZON_M,
             service_area_buffer_m: float = SERVICE_AREA_BUFFER_M, gap_join_m: float = GAP_JOIN_M,
             per_facility: bool = False, with_areas: bool = True,
             requirements: Sequence[Requirement] = GB50180_REQUIREMENTS,
             progress: Progress | None = None) -> CoverageResult:
    """Walking access of every resident to each life-circle service category.

    Parameters
    ----------
    study : geoplan.study.Study
        A loaded study (residents, facilities, communities, walking network, preset).
    mode : {"distance", "time"}
        ``"distance"``: the preset's tier distances (GB 50180-2018: 300/500/1000 m).
        ``"time"``: the tier's minutes at the walking speed.
    speed : float, optional
        Walking speed of the chosen profile, m/s (default: preset, 1.2 adults / 0.9 elderly).
    profile : {"adult", "elderly", "wheelchair"}
        Whose thresholds the main columns use (the elderly figures are always added); the
        wheelchair profile walks at the elderly speed without steps or raised kerbs.
    categories : str or sequence of str, optional
        Categories to analyse (default: every category of the preset).
    horizon_m : float
        Bound of the nearest-facility search, metres; distances beyond are reported empty.
    service_area_buffer_m : float
        Half-width of the walk-shed drawn around reachable streets, metres.
    gap_join_m : float
        Uncovered residents closer than this (m) belong to the same gap area.
    per_facility : bool
        Also build one service area per facility.
    with_areas : bool
        Build the service-area polygons (``False`` for quick what-ifs on very large networks).
    requirements : sequence of Requirement
        Provision rows to check each community against (default: the verified GB 50180-2018 rows).
    progress : callable, optional
        Called with a short message before each long step.

    Returns
    -------
    CoverageResult
    """
    say = progress or (lambda text: None)
    check_options(mode=mode, profile=profile, speed=speed, horizon_m=horizon_m)
    preset = study.preset
    tiers = tier_limits(preset, parse_categories(categories, preset.categories), mode=mode, profile=profile,
                        speed=speed)
    net, closed = walking_network_by_rule(study, profile)
    population, notes = resident_population(study.residents)
    notes += off_network_note(study.snaps["residents.walk"].ok, population, preset.max_snap_m)
    notes += _profile_notes(profile, closed)
    reaches, more = category_reaches(study, net, tiers, horizon_m=horizon_m, say=say)
    capacity = facility_capacity(study.facilities)
    sfca = {}
    for cat, r in reaches.items():
        found, more_notes = catchments(cat, r.within_tier, population, capacity, r.facilities, tiers.limit_m[cat])
        more += more_notes
        if found is not None:
            sfca[cat] = found
    residents = residents_table(study, population, community_names(study.residents), reaches, sfca, tiers,
                                profile=profile)
    used = np.sort(np.concatenate([r.facilities for r in reaches.values()] or [np.zeros(0, np.int64)]))
    facilities = facilities_table(study, used, population, reaches, sfca, capacity, tiers, profile=profile)
    counts = {c: len(r.facilities) for c, r in reaches.items()}
    summary = coverage_summary(residents, tiers, study.communities, counts, profile=profile,
                               items=preset.life_circle.item_of_category)
    provision, provision_notes = provision_check(residents, study.communities, requirements,
                                                 tier_distance_m=dict(preset.life_circle.circle_distance_m),
                                                 profile=profile)
    say(message("coverage: service areas from the reachable network"))
    fac_ids = study.facilities["facility_id"].astype(str).to_numpy() if len(study.facilities) else np.zeros(0, object)
    areas, per_fac = service_areas(net, {c: (r.reach, r.facilities) for c, r in reaches.items()}, tiers.limit_m,
                                   fac_ids=fac_ids, buffer_m=service_area_buffer_m, per_facility=per_facility,
                                   crs=study.crs, geometry=with_areas)
    say(message("coverage: gap areas"))
    parameters = _parameters(preset, tiers, mode=mode, profile=profile, horizon_m=horizon_m, sfca=sfca,
                             service_area_buffer_m=service_area_buffer_m, gap_join_m=gap_join_m,
                             per_facility=per_facility, with_areas=with_areas, closed=closed,
                             requirements=len(requirements), entry_distance_m=preset.entry_distance_m,
                             units_source=list(getattr(study, "units_source", ())))
    return CoverageResult(study_name=study.name, crs=study.crs, lang=study.lang, preset_name=preset.name,
                          sources=tuple(study.sources), residents=residents, summary=summary,
                          communities=community_summary(residents, study.communities, profile=profile),
                          facilities=facilities, service_areas=areas, facility_areas=per_fac,
                          gaps=gap_areas(residents, tiers.categories, tiers.limit_m, join_m=gap_join_m),
                          boundaries=study.communities, provision=provision, parameters=parameters,
                          compounds=compound_summary(residents, profile=profile),
                          compound_areas=getattr(study, "compounds", None),
                          warnings=tuple(notes + more + provision_notes))


def _profile_notes(profile: str, closed: dict[str, int]) -> list[Message]:
    if profile != "wheelchair":
        return []
    return [message("wheelchair profile: {closed} directed walking links are closed ({steps} steps, {no} "
                    "wheelchair=no, {kerb_ways} ways tagged kerb=raised, {kerb_nodes} links at a kerb=raised "
                    "node); untagged crossings are assumed passable", code="wheelchair_profile",
                    closed=closed["all"], steps=closed["steps"], no=closed["wheelchair_no"],
                    kerb_ways=closed["raised_kerb_way"], kerb_nodes=closed["raised_kerb_node"])]


def _parameters(preset, tiers, *, mode, profile, horizon_m, sfca, closed, requirements, **options) -> dict:
    """The options as used (JSON-serialisable, written to the manifest)."""
    cats = tiers.categories
    return {"mode": mode, "profile": profile, "speed_mps": tiers.speed_mps, "elderly_speed_mps": tiers.elderly_speed_mps,
            "categories": list(cats), "essential": tiers.essential,
            "tier_m": {c: round(tiers.limit_m[c], 3) for c in cats}, "tier_min": dict(tiers.minutes),
            "elderly_tier_m": {c: round(tiers.elderly_limit_m[c], 3) for c in cats}, "horizon_m": horizon_m,
            **options, "max_snap_m": preset.max_snap_m, "preset": preset.name,
            "sfca_categories": sorted(sfca, key=list(cats).index), "closed_walk_edges": closed.get("all", 0),
            "closed_walk_edges_by_rule": {k: v for k, v in closed.items() if k != "all"},
            "provision_rows": requirements}
