"""Emergency-shelter sites: which parks, squares and school grounds to designate, for whom.

The question a planner asks: *which open spaces should become shelters so that every resident
has one within walking distance, with enough room?*

Method (lengths metres, areas square metres, capacities persons):

1. **Candidates and capacity** — :mod:`geoplan.shelters.candidates` and :mod:`~geoplan.shelters.capacity`: OpenStreetMap parks, gardens,
   squares, green spaces, pitches, school grounds (open) and school buildings, gymnasiums,
   community centres (indoor), plus the ``sites`` layer; overlaps counted once; usable ground ×
   usable share ÷ m² per person (1.5 emergency, 2 fixed); too small, sliver, invalid and
   off-network sites rejected with the reason. Designated shelters (layer ``existing``,
   ``emergency=assembly_point``) are pre-selected: always open, never proposed again.
2. **Walking distances** — :mod:`geoplan.shelters.cost`: one bounded search batch on the compiled walking network from all
   usable sites to all residents (:meth:`CompiledNetwork.cost_matrix`): a pair's walk is
   ``site connector + streets + resident connector``, kept only within the service radius
   (500 m emergency, 2000 m fixed, preset). A site polygon is reached at the street nearest
   its edge (an entrance proxy); a resident at the street nearest its building. Walks are
   rounded to the centimetre before solving, so the radius can be re-checked exactly from the
   written tables.
3. **Models** — :func:`geoplan.shelters.models.solve_from_cost_matrix` (HiGHS, sparse: only pairs
   within the radius; residents at the same network location aggregated): ``mclp`` (the k
   new sites covering the most residents), ``lscp`` (fewest sites covering everyone
   reachable), ``pmedian`` (k sites, least total walk within the radius). Capacitated by
   default: each resident building goes whole to one open site and no site takes more than
   its capacity. Where demand exceeds capacity the model says so and reports the shortfall.
4. **Decision aids** — :mod:`~geoplan.shelters.proposal`, :mod:`~geoplan.shelters.outcome`,
   :mod:`~geoplan.shelters.tables`, :mod:`~geoplan.shelters.rank`: the coverage curve k = 1 … K (MCLP, same capacities); per site its
   capacity, assigned and covered residents, mean and longest walk and a build-order rank;
   uncovered residents and why; vulnerable residents covered (see *Elderly* below).

Elderly
-------
The residents table has no age split, so the *elderly profile* is a walking-time one: the
same walking time at the elderly speed (0.9 m/s, preset ``walk_speed_elderly_mps``) instead
of 1.2 m/s reaches ``radius × 0.9 / 1.2`` (375 m of 500 m). A resident counts as a vulnerable
resident covered when the site it is assigned to is within that distance. Where the residents
carry an ``elderly_share`` (0–1, residents layer), the elderly persons (population × share) and
those of them assigned within the elderly walking distance are reported as well
(``elderly_population``, ``elderly_persons_covered``).

Rank
----
New sites are ranked in build order: greedily, the site adding the most residents within the
radius not already covered by the existing and higher-ranked sites first (ties: more assigned
residents, then site id). Existing shelters have rank 0.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from geoplan.i18n import Message
from geoplan.network.service_areas import SERVICE_AREA_BUFFER_M
from geoplan.shelters import messages as say
from geoplan.shelters.areas import no_areas, site_service_areas
from geoplan.shelters.candidates import candidate_sites
from geoplan.shelters.cost import SiteColumns, reach_of, site_columns, walking_cost_matrix
from geoplan.shelters.figures import headline
from geoplan.population import resident_population
from geoplan.shelters.outcome import elderly_population, outcome, residents_table
from geoplan.shelters.proposal import curve_size, curve_table, propose
from geoplan.shelters.rank import build_order
from geoplan.shelters.models import SiteSolution
from geoplan.shelters.request import DEFAULT_MIP_REL_GAP, DEFAULT_TIME_LIMIT_S, SiteRequest, check_request
from geoplan.shelters.result import SitesResult
from geoplan.shelters.tables import assignment_lines, candidates_table, proposed_table, site_figures, with_lonlat

Progress = Callable[[Message], None]


def sites(study, *, kind: str = "emergency", model: str = "mclp", k: int | None = 5, capacitated: bool = True,
          radius_m: float | None = None, time_limit: float | None = DEFAULT_TIME_LIMIT_S,
          curve_k: int | None = None, usable_share: Mapping[str, float] | None = None,
          min_width_m: float | None = None, split: bool = False,
          service_area_buffer_m: float = SERVICE_AREA_BUFFER_M, with_areas: bool = True,
          mip_rel_gap: float = DEFAULT_MIP_REL_GAP, progress: Progress | None = None) -> SitesResult:
    """Propose emergency (or fixed) shelter sites for the residents of a study.

    Parameters
    ----------
    study : geoplan.study.Study
        A loaded study (residents, candidate sites, buildings, water, walking network, preset).
    kind : {"emergency", "fixed"}
        Shelter kind: m² per person, service radius and minimum site from the preset
        (emergency 1.5 m², 500 m, 0.1 ha; fixed 2 m², 2000 m, 1 ha).
    model : {"mclp", "lscp", "pmedian"}
        Location model (see :mod:`geoplan.shelters.models`).
    k : int, optional
        New sites to propose on top of the existing shelters (MCLP, p-median; LSCP finds the
        number itself). Larger than the candidates left: clamped, with a warning.
    capacitated : bool
        Respect site capacities (each resident building assigned whole to one site).
    radius_m : float, optional
        Service radius, metres (default: the preset's for ``kind``).
    time_limit : float, optional
        Solver budget per solve, seconds (each k of the coverage curve is one solve); the best
        solution found and its gap are reported.
    curve_k : int, optional
        Largest k of the coverage curve (default ``max(k, 10)``; for LSCP up to its own number
        of new sites, at most 50; 0 skips the curve).
    usable_share : mapping, optional
        Overrides of the usable share per site kind (0–1).
    min_width_m : float, optional
        Narrowest open space that counts as a site, metres (default: the preset's
        ``shelters.min_width_m``, 10 m).
    split : bool
        Capacitated only: allow a building's residents to be split between sites.
    service_area_buffer_m : float
        Walk-shed half-width around the reachable streets drawn as service areas, metres.
    with_areas : bool
        Build the service-area polygons (``False`` on very large networks).
    mip_rel_gap : float
        Relative MIP gap at which HiGHS may stop and call a solution optimal (default 1e-7:
        for populations in persons this is exact; HiGHS's own 1e-4 could leave a few persons
        on a district of 300,000). The time limit still bounds the search; the gap reached is
        reported.
    progress : callable, optional
        Called before each long step with a :class:`geoplan.i18n.Message` (``str()`` of it is
        English; ``.render("zh")`` Chinese).

    Returns
    -------
    SitesResult
    """
    step = progress or (lambda note: None)
    req = check_request(study.preset, kind=kind, model=model, k=k, capacitated=capacitated, radius_m=radius_m,
                        time_limit=time_limit, curve_k=curve_k, usable_share=usable_share, min_width_m=min_width_m,
                        split=split, service_area_buffer_m=service_area_buffer_m, with_areas=with_areas,
                        mip_rel_gap=mip_rel_gap)
    step(say.step_candidates())
    cand, warnings = candidate_sites(study, kind=req.kind, usable_share=req.usable_share, min_width_m=req.min_width_m)
    cols = site_columns(cand)
    residents = study.residents.reset_index(drop=True)
    pop, notes = resident_population(residents, note_zero=False)
    warnings += notes
    step(say.step_distances(req.radius_m, len(cols), len(residents)))
    cost = walking_cost_matrix(study, cols.rows, radius=req.radius_m)
    step(say.step_model(req.model, req.capacitated, cost.nnz))
    solution, status, notes = propose(cost, pop, cols, len(cand), req)
    warnings += notes
    k_curve = curve_size(req, solution, cols)
    if k_curve >= 1:
        step(say.step_curve(k_curve))
    curve = curve_table(cost, pop, cols, req, k_curve)

    step(say.step_tables())
    t = _tables(study, req, cand, cols, residents, pop, cost, solution, step)
    summary = headline(req, solution, status, t["outcome"], pop, cols, t["candidates"], t["proposed"], cost.nnz,
                       " ".join(n.render("en") for n in notes), elderly_population(residents, pop))
    return SitesResult(
        study_name=study.name, crs=study.crs, lang=study.lang, preset_name=req.preset_name,
        sources=tuple(study.sources), candidates=t["candidates"], proposed=t["proposed"], residents=t["residents"],
        assignment=t["assignment"], service_areas=t["areas"], coverage_curve=curve, figures=summary,
        boundaries=study.communities, solution=solution,
        parameters={**req.parameters(), "max_snap_m": float(study.preset.max_snap_m)},
        warnings=_unique(warnings), notes=tuple(notes), cost=cost, weights=pop,
        capacities=cols.capacities, columns=cols.ids, preselected=cols.preselected)


def _tables(study, req: SiteRequest, cand, cols: SiteColumns, residents, pop: np.ndarray, cost,
            solution: SiteSolution | None, step: Progress) -> dict:
    """The result's tables: residents (who goes where, why not), open sites, candidates, lines, areas."""
    reach = reach_of(cost)
    snap_r = study.snaps["residents.walk"]
    out = outcome(solution, cost, reach, cols, pop, snap_r.ok, req.elderly_radius_m)
    res_table = residents_table(residents, pop, cost, out, cols, snap_r.distance_m, study.crs,
                                max_snap=study.preset.max_snap_m)
    cand = with_lonlat(cand)
    covered_by = reach.T @ pop if len(cols) else np.zeros(0)
    figures = site_figures(out, pop)
    rank = build_order(reach, pop, out.open_cols, cols.preselected, figures["assigned"].to_dict(),
                       cols.ids) if len(cols) else {}
    areas = no_areas(study.crs)
    if req.with_areas and len(out.open_cols):
        step(say.step_areas())
        areas = site_service_areas(study, cols.rows[out.open_cols], cols.ids[out.open_cols], req.radius_m,
                                   req.service_area_buffer_m)
    return {"outcome": out, "residents": res_table, "areas": areas,
            "proposed": proposed_table(cand, cols, out, figures, covered_by, rank),
            "candidates": candidates_table(cand, cols, out, covered_by),
            "assignment": assignment_lines(residents.geometry.representative_point().to_numpy(), cand, cols, out,
                                           res_table["resident_id"].to_numpy(), pop)}


def _unique(notes: list[Message]) -> tuple[Message, ...]:
    """The notes in order, each sentence once."""
    seen: dict[str, Message] = {}
    for note in notes:
        seen.setdefault(say.render(note), note)
    return tuple(seen.values())
