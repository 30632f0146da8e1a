"""Location models for shelter sites, usable on their own from a cost matrix.

Everything here works on a plain *demand × candidate* distance table, so a planner
can feed network distances computed by any other tool. The OSM-side analysis builds
the table from the walking network and then calls :func:`solve_from_cost_matrix`.

Models
------
``"lscp"``
    Location set covering: the fewest sites so that every resident who has a
    candidate within ``radius`` is covered. ``k`` is ignored.
``"mclp"``
    Maximal covering: the ``k`` new sites (on top of ``preselected``) that cover
    the most residents within ``radius``.
``"pmedian"``
    p-median: the ``k`` new sites (on top of ``preselected``) with the least total
    weighted walking distance, each resident going to an open site **within**
    ``radius`` (pass ``radius=np.inf`` for the classic unrestricted p-median).
    Residents with no candidate within the radius cannot be served and are
    reported in ``unreachable_weight``. If ``k`` sites cannot reach everyone who is
    reachable, the model first serves as many residents as possible (the MCLP
    optimum) and then, among those solutions, minimises the distance; the
    residents left out are reported in ``shortfall_weight`` and in the message.

Any model becomes *capacitated* when ``capacities`` is given: each resident point
is assigned to at most one open site within the radius and a site's assigned
population never exceeds its capacity. By default an (aggregated) resident point
is assigned whole to one site (``split=False``); ``split=True`` lets a point's
population be divided between sites (a continuous assignment, easier to solve on
very large instances). A capacitated LSCP that cannot serve everyone even with all
candidates open returns status ``"infeasible"`` with the shortfall and, as the
proposal, the fewest sites that serve the most residents possible.

Assignment lines: a capacitated MCLP's or LSCP's assignment is then improved at fixed coverage — the same
open sites and the same persons covered, the least total walk (``walk_less=True``, see
:mod:`~geoplan.shelters.models.reassign`) — so no building is sent past a nearer open site
that has room for it.

Large instances: a capacitated MCLP with whole-point assignment and more than
20,000 resident–site pairs is solved in two stages (sites chosen with split
assignment, whose optimum bounds the whole-point one; then whole points assigned
to those sites); the gap is reported against that bound. Above 200,000 pairs the
first stage starts each site with its nearest demand and adds pairs by pricing
(:mod:`~geoplan.shelters.models.pricing`); its bound comes from LP duality and
stays valid whatever the rounds found. Capacitated models start
from a greedy solution, and integral assignment models with more than 100,000
pairs run without HiGHS presolve (which can overrun the time limit there). With
a 2–3 km radius on city-sized data (millions of pairs) a 60 s limit may leave a
large gap: read ``optimality_gap`` before trusting the proposal, or raise
``time_limit``.

Conventions
-----------
* ``cost`` is in metres (any consistent length unit works), ``weights`` and
  ``capacities`` in persons.
* Dense ``cost``: ``np.inf`` or ``NaN`` marks an unreachable pair. Sparse ``cost``
  (any SciPy sparse matrix/array): the **stored entries** are the reachable pairs
  (an explicitly stored 0 is a pair at distance 0); non-stored pairs are
  unreachable. Only pairs with ``cost <= radius`` are ever used.
* ``k`` counts **new** sites, on top of the ``preselected`` ones (existing
  shelters), which are always open. ``k`` is an upper bound: a site that would add
  nothing is not proposed. A ``k`` above the number of candidates left is clamped
  (with a warning and a note in ``message``).
* Residents with weight 0 are ignored. Residents with identical reachable
  candidates (and, where distances matter, identical distances) are aggregated
  into one point before solving; results are expanded back to the input rows.
* Solving uses HiGHS (``highspy``). ``time_limit`` is the wall-clock budget in
  seconds for the solver (shared by the phases of two-phase models); the best
  solution found is returned with the relative ``optimality_gap``.
"""

from __future__ import annotations

import numpy as np

from geoplan.i18n import Message, message
from geoplan.shelters.models import capacitated, lscp, mclp, pmedian
from geoplan.shelters.models.curve import coverage_curve
from geoplan.shelters.models.formulation import Budget
from geoplan.shelters.models.instance import Agg, Instance, aggregate, clamp_k, prepare
from geoplan.shelters.models.options import MODELS, check_k, check_model
from geoplan.shelters.models.solution import Run, SiteSolution, build_solution

__all__ = ["MODELS", "SiteSolution", "coverage_curve", "solve_from_cost_matrix", "solve_checked"]


def solve_from_cost_matrix(
    cost,
    weights,
    *,
    model: str,
    radius: float,
    k: int | None = None,
    capacities=None,
    preselected=None,
    time_limit: float | None = None,
    split: bool = False,
    mip_rel_gap: float = 1e-4,
    walk_less: bool = True,
) -> SiteSolution:
    """Choose sites from a demand × candidate distance table.

    Parameters
    ----------
    cost : array_like or scipy.sparse matrix, shape (n_demand, n_candidates)
        Walking distance in metres from each demand point (row) to each candidate
        site (column). Dense: ``np.inf``/``NaN`` = unreachable. Sparse: stored
        entries (explicit zeros included) are the reachable pairs.
    weights : array_like, shape (n_demand,)
        Persons at each demand point (>= 0). ``None`` means 1 per row.
    model : {"lscp", "mclp", "pmedian"}
        Location model (see module docstring).
    radius : float
        Service radius in metres (``np.inf`` allowed); pairs farther away are
        never used.
    k : int, optional
        New sites to place on top of ``preselected`` (required for ``"mclp"`` and
        ``"pmedian"``; ignored by ``"lscp"``). Clamped, with a warning, to the
        number of candidates left.
    capacities : array_like, shape (n_candidates,), optional
        Persons each candidate can hold (``np.inf`` = unlimited). Makes the model
        capacitated, with an explicit assignment.
    preselected : array_like of int or bool mask, optional
        Candidates that are open anyway (e.g. existing shelters).
    time_limit : float, optional
        Solver wall-clock budget in seconds; the best solution found is returned
        with ``status="time_limit"`` and its optimality gap.
    split : bool, default False
        Capacitated models only: allow a demand point's population to be split
        between sites (continuous assignment).
    mip_rel_gap : float, default 1e-4
        Relative gap at which HiGHS stops (as its ``mip_rel_gap`` option).
    walk_less : bool, default True
        Capacitated MCLP and LSCP: with the chosen sites and the persons they cover fixed, assign
        the residents again with the least total walk (a second stage; the walk never increases
        and the covered persons never change).

    Returns
    -------
    SiteSolution
        Open sites, coverage, assignment, objective, gap and model size.

    Raises
    ------
    geoplan.errors.InputError
        Malformed input: wrong shapes, negative distances/weights/capacities,
        unknown model, missing ``k``, no candidate columns, bad preselection.
    """
    model = check_model(model)
    k_new = check_k(k, model)
    inst = prepare(cost, weights, radius, capacities, preselected)
    if model == "lscp" and k is not None:
        inst.notes.append(message("k is ignored by LSCP (it finds the fewest sites itself).", code="k_ignored"))
    return solve_checked(inst, model=model, k=k_new, split=split, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                         walk_less=walk_less)


def solve_checked(inst: Instance, *, model: str, k: int | None, split: bool, time_limit: float | None,
                  mip_rel_gap: float, walk_less: bool = True) -> SiteSolution:
    """Dispatch a checked instance to its model family (``model`` and ``k`` already checked)."""
    k_new = clamp_k(k, inst)
    capacitated_run = inst.capacities is not None
    if split and not capacitated_run:
        inst.notes.append(message("split only applies to capacitated models; ignored.", code="split_ignored"))
        split = False
    run, notes = Run(), []
    budget = Budget.start(time_limit, mip_rel_gap)
    if float(inst.weights.sum()) <= 0:
        return _nobody(inst, aggregate(inst, use_costs=False), model, k_new, split, run, "no_demand", message(
            "There is no demand: all weights are 0 (or there are no demand rows); only preselected sites are open.",
            code="no_demand"))
    agg = aggregate(inst, use_costs=capacitated_run or model == "pmedian", whole_rows=capacitated_run and not split)
    if agg.n_groups == 0:
        return _nobody(inst, agg, model, k_new, split, run, "optimal", message(
            "No resident has a candidate within {radius:g} m; no site can serve anyone.", code="nobody_in_reach",
            radius=inst.radius))
    if not capacitated_run and model == "mclp":
        return mclp.solve(inst, agg, k_new=k_new, budget=budget, run=run, notes=notes)
    if not capacitated_run and model == "lscp":
        return lscp.solve(inst, agg, budget=budget, run=run, notes=notes)
    if capacitated_run:
        note = capacitated.capacity_note(inst, agg)
        notes += [note] if note is not None else []
    if model == "mclp":
        return capacitated.mclp(inst, agg, k_new=k_new, split=split, budget=budget, run=run, notes=notes,
                                walk_less=walk_less)
    if model == "lscp":
        return capacitated.lscp(inst, agg, split=split, budget=budget, run=run, notes=notes, walk_less=walk_less)
    return pmedian.solve(inst, agg, k_new=k_new, split=split, budget=budget, run=run, notes=notes)


def _nobody(inst: Instance, agg: Agg, model: str, k_new: int | None, split: bool, run: Run, status: str,
            note: Message) -> SiteSolution:
    """Nothing to solve: only the preselected sites are open."""
    return build_solution(inst, agg, model=model, k_new=k_new, open_mask=np.zeros(inst.n_cand, dtype=bool),
                          x_pairs=None, split=split, run=run, status=status, notes=[note])
