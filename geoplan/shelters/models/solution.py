"""What a site model returns: :class:`SiteSolution`, and how a solver outcome becomes one.

:func:`build_solution` turns the open sites (and, for assignment models, the pair values) into
the per-row assignment, the persons each site serves, the walking distance and the notes a
planner should read. It is shared by every model family.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geoplan.i18n import Message, N_, message, translator
from geoplan.shelters.models._milp import Milp, MilpResult
from geoplan.shelters.models.instance import Agg, Instance, gather


@dataclass
class SiteSolution:
    """Result of a site-selection model.

    Attributes
    ----------
    selected : numpy.ndarray of int
        Candidate column indices of the open sites (preselected included), sorted.
    covered_weight : float
        Persons assigned to an open site within the radius.
    total_weight : float
        Persons in the input (all rows).
    reachable_weight : float
        Persons with at least one candidate within the radius.
    unreachable_weight : float
        Persons with no candidate within the radius (no model can serve them).
    shortfall_weight : float
        Reachable persons left unassigned (``reachable_weight - covered_weight``):
        too few sites for MCLP / p-median, or capacity exhausted.
    objective : float
        LSCP: number of open sites (preselected included). MCLP: covered persons.
        p-median: total weighted distance (person-metres) of the assigned persons.
    optimality_gap : float
        Relative MIP gap reported by HiGHS for the (final) solve; 0 when proven
        optimal, ``inf`` when no solution was found.
    status : str
        ``"optimal"``, ``"time_limit"`` (best solution found is returned),
        ``"infeasible"`` (capacitated LSCP cannot serve everyone; the best partial
        proposal is returned), ``"feasible"`` (large capacitated MCLP solved in
        stages: a solution within ``optimality_gap`` but not proven optimal), ``"no_demand"`` (nothing to serve) or another
        HiGHS status in lower case.
    message : str
        Planner-readable explanation of the outcome and any adjustments (English; the
        sentences themselves are ``notes``, to be shown in any language).
    assignment : numpy.ndarray of int
        For every input row, the candidate column serving it, or -1. With
        ``split=True`` this is the site taking the largest share (see ``flows``).
    assigned_weight : numpy.ndarray of float
        Persons assigned to each site in ``selected`` (same order).
    total_distance : float
        Sum of assigned persons × distance (person-metres).
    solve_time_s : float
        Wall-clock seconds spent in HiGHS (all phases).
    n_variables, n_constraints, n_nonzeros : int
        Size of the (final) MILP handed to HiGHS.
    n_demand_points : int
        Demand points after dropping zero weights and aggregating identical rows.
    model : str
        ``"lscp"``, ``"mclp"`` or ``"pmedian"``.
    radius : float
        Service radius in metres.
    k : int or None
        Number of new sites allowed (after clamping); None for LSCP.
    capacitated, split : bool
        Whether capacities were used and whether assignment could be split.
    preselected : numpy.ndarray of int
        Preselected candidate columns (always in ``selected``).
    flows : pandas.DataFrame or None
        ``split=True`` only: columns ``demand`` (input row), ``site`` and
        ``weight`` (persons of that row sent to that site).
    notes : tuple of geoplan.i18n.Message
        The sentences of ``message``, untranslated (``note.render("zh")`` shows one in Chinese).
    """

    selected: np.ndarray
    covered_weight: float
    total_weight: float
    reachable_weight: float
    unreachable_weight: float
    shortfall_weight: float
    objective: float
    optimality_gap: float
    status: str
    message: str
    assignment: np.ndarray
    assigned_weight: np.ndarray
    total_distance: float
    solve_time_s: float
    n_variables: int
    n_constraints: int
    n_nonzeros: int
    n_demand_points: int
    model: str
    radius: float
    k: int | None
    capacitated: bool = False
    split: bool = False
    preselected: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    flows: pd.DataFrame | None = None
    notes: tuple[Message, ...] = ()

    @property
    def covered_share(self) -> float:
        """Covered persons as a share of all persons (0 when there are none)."""
        return self.covered_weight / self.total_weight if self.total_weight > 0 else 0.0

    @property
    def mean_distance(self) -> float:
        """Mean walking distance (metres) of the assigned persons (NaN if none)."""
        return self.total_distance / self.covered_weight if self.covered_weight > 0 else float("nan")

    def site_table(self, capacities=None) -> pd.DataFrame:
        """One row per open site: ``site``, ``preselected``, ``assigned_weight``
        (persons) and, when ``capacities`` (the array given to the solver) is
        passed, ``capacity`` and ``utilisation``."""
        table = pd.DataFrame(
            {
                "site": self.selected,
                "preselected": np.isin(self.selected, self.preselected),
                "assigned_weight": self.assigned_weight,
            }
        )
        if capacities is not None:
            cap = np.asarray(capacities, dtype=float)[self.selected]
            table["capacity"] = cap
            with np.errstate(divide="ignore", invalid="ignore"):
                table["utilisation"] = np.where(cap > 0, self.assigned_weight / cap, np.nan)
        return table

    def message_in(self, lang: str | None = "en") -> str:
        """``message`` in ``lang`` (``"zh"`` or ``"en"``)."""
        tr = translator(lang)
        return " ".join(tr.render(n) for n in self.notes)

    def summary(self, lang: str | None = "en") -> str:
        """A short multi-line description for logs and reports, in ``lang``."""
        tr = translator(lang)
        lines = [
            tr.render(N_("{model} (capacitated), radius {radius:g} m") if self.capacitated
                      else N_("{model} (uncapacitated), radius {radius:g} m"),
                      model=self.model.upper(), radius=self.radius),
            tr.render(N_("status: {status}, optimality gap {gap:.4%}, {seconds:.2f} s, {variables} variables × "
                         "{constraints} constraints"), status=self.status, gap=self.optimality_gap, seconds=self.solve_time_s,
                      variables=self.n_variables, constraints=self.n_constraints),
            tr.render(N_("sites: {n} ({pre} preselected); new sites allowed: {k}"), n=len(self.selected),
                      pre=len(self.preselected), k="–" if self.k is None else self.k),
            tr.render(N_("covered: {covered:,.0f} of {total:,.0f} persons ({share:.1%}); unreachable "
                         "{unreachable:,.0f}, shortfall {shortfall:,.0f}"), covered=self.covered_weight,
                      total=self.total_weight, share=self.covered_share, unreachable=self.unreachable_weight,
                      shortfall=self.shortfall_weight),
            tr.render(N_("objective: {objective:,.6g}"), objective=self.objective),
        ]
        if self.notes:
            lines.append(self.message_in(lang))
        return "\n".join(lines)


@dataclass
class Run:
    """Solver information accumulated over the phases of one model."""

    time_s: float = 0.0
    status: str = "optimal"
    gap: float = 0.0
    n_variables: int = 0
    n_constraints: int = 0
    n_nonzeros: int = 0

    def add(self, milp: Milp, res: MilpResult) -> None:
        self.time_s += res.solve_time_s
        # a phase stopped by the time limit makes the whole result "time_limit"
        self.status = "time_limit" if self.status == "time_limit" and res.status == "optimal" else res.status
        self.gap = res.gap
        self.n_variables, self.n_constraints, self.n_nonzeros = milp.n_cols, milp.n_rows, milp.n_nonzeros


def no_result(res: MilpResult, *, during: str = "model") -> Message:
    """The note for a solve that found no solution at all."""
    status = res.status.replace("_", " ")
    if during == "coverage":
        return message("No solution found ({status}) while finding how many persons can be served.",
                       code="no_solution", status=status)
    if during == "assignment":
        return message("No solution found ({status}) for the whole-point assignment; only preselected sites "
                       "are shown.", code="no_solution", status=status)
    return message("No solution found ({status}); only preselected sites are shown.", code="no_solution",
                   status=status)


@dataclass
class Flows:
    """Where the persons go: per input row its site, per candidate its load, and the walk."""

    assignment: np.ndarray
    site_weight: np.ndarray
    total_distance: float
    flows: pd.DataFrame | None = None


def nearest_open(inst: Instance, agg: Agg, open_mask: np.ndarray) -> Flows:
    """Uncapacitated: every active input row goes to its nearest open site."""
    assignment = np.full(inst.n_demand, -1, dtype=np.int64)
    pos, counts = gather(inst.indptr, agg.rows)
    pr = np.repeat(agg.rows, counts)
    pc, pd_ = inst.indices[pos], inst.data[pos]
    ok = open_mask[pc]
    pr, pc, pd_ = pr[ok], pc[ok], pd_[ok]
    order = np.lexsort((pc, pd_, pr))
    pr, pc, pd_ = pr[order], pc[order], pd_[order]
    first = np.ones(pr.size, dtype=bool)
    first[1:] = pr[1:] != pr[:-1]
    assignment[pr[first]] = pc[first]
    w = inst.weights
    site_weight = np.bincount(pc[first], weights=w[pr[first]], minlength=inst.n_cand)
    return Flows(assignment, site_weight, float(np.sum(w[pr[first]] * pd_[first])))


def from_pairs(inst: Instance, agg: Agg, open_mask: np.ndarray, x_pairs: np.ndarray, split: bool) -> Flows:
    """Assignment models: the pair values (shares of each demand point) as flows."""
    x = np.clip(x_pairs, 0.0, 1.0)
    if not split:
        x = (x > 0.5).astype(float)
    x[~open_mask[agg.pair_j]] = 0.0
    if split:
        x[x < 1e-9] = 0.0
    best = np.full(agg.n_groups, -1, dtype=np.int64)  # per group: the pair with the largest share
    nz = np.flatnonzero(x > 0)
    if nz.size:
        order = nz[np.lexsort((-x[nz], agg.pair_g[nz]))]
        g = agg.pair_g[order]
        first = np.ones(order.size, dtype=bool)
        first[1:] = g[1:] != g[:-1]
        best[g[first]] = agg.pair_j[order[first]]
    assignment = np.full(inst.n_demand, -1, dtype=np.int64)
    assignment[agg.rows] = best[agg.gid]
    w = inst.weights
    if split:  # row r of group g sends w_r * x_gj to j
        grp_rows = pd.DataFrame({"g": agg.gid, "demand": agg.rows, "w": w[agg.rows]})
        pf = pd.DataFrame({"g": agg.pair_g[nz], "site": agg.pair_j[nz], "share": x[nz], "d": agg.pair_d[nz]})
        fl = grp_rows.merge(pf, on="g", how="inner")
        fl["weight"] = fl["w"] * fl["share"]
        site_weight = np.bincount(fl["site"].to_numpy(), weights=fl["weight"].to_numpy(), minlength=inst.n_cand)
        flows = fl[["demand", "site", "weight"]].sort_values(["demand", "site"]).reset_index(drop=True)
        return Flows(assignment, site_weight, float(np.sum(fl["weight"].to_numpy() * fl["d"].to_numpy())), flows)
    a = assignment >= 0
    site_weight = np.bincount(assignment[a], weights=w[a], minlength=inst.n_cand)
    gd = np.zeros(agg.n_groups)
    chosen = np.flatnonzero(x > 0.5)
    gd[agg.pair_g[chosen]] = agg.pair_d[chosen]
    gsel = best >= 0
    return Flows(assignment, site_weight, float(np.sum(agg.weight[gsel] * gd[gsel])))


def outcome_notes(inst: Instance, *, model: str, k_new: int | None, n_new: int, dropped: int, shortfall: float,
                  unreachable: float, status: str, gap: float) -> list[Message]:
    """What a planner should read about the outcome (in addition to the model's own notes)."""
    notes = []
    if dropped:
        notes.append(message("{n} open site(s) that would serve nobody were left out.", code="idle_sites_dropped",
                             n=dropped))
    if (model in ("mclp", "pmedian") and k_new is not None and n_new < k_new and n_new < inst.n_free
            and shortfall == 0):
        notes.append(message("{n} new site(s) already serve everyone reachable; more would add nothing.",
                             code="k_not_needed", n=n_new))
    if status == "time_limit":
        notes.append(message("Time limit reached: the best solution found is shown (optimality gap {gap:.2%}).",
                             code="time_limit", gap=gap) if np.isfinite(gap) else
                     message("Time limit reached: the best solution found is shown.", code="time_limit"))
    if unreachable > 0:
        notes.append(message("{persons:,.0f} person(s) have no candidate within {radius:g} m and cannot be served "
                             "by any site.", code="unreachable", persons=unreachable, radius=inst.radius))
    return notes


def build_solution(inst: Instance, agg: Agg, *, model: str, k_new: int | None, open_mask: np.ndarray,
                   x_pairs: np.ndarray | None, split: bool, run: Run, status: str,
                   notes: list[Message]) -> SiteSolution:
    """Turn an open-site mask (and, for assignment models, pair values) into a :class:`SiteSolution`."""
    open_mask = open_mask | inst.pre
    fl = nearest_open(inst, agg, open_mask) if x_pairs is None else from_pairs(inst, agg, open_mask, x_pairs, split)
    keep = inst.pre | (open_mask & (fl.site_weight > 0))  # open sites serving nobody are not proposed
    selected = np.flatnonzero(keep)
    covered = float(fl.site_weight.sum())
    total = float(inst.weights.sum())
    reachable = float(inst.weights[inst.active].sum())
    shortfall = max(reachable - covered, 0.0)
    if shortfall < 1e-9 * max(reachable, 1.0):
        shortfall = 0.0
    notes = inst.notes + notes + outcome_notes(
        inst, model=model, k_new=k_new, n_new=int(np.sum(keep & ~inst.pre)), dropped=int(np.sum(open_mask & ~keep)),
        shortfall=shortfall, unreachable=total - reachable, status=status, gap=run.gap)
    objective = {"lscp": float(selected.size), "mclp": covered}.get(model, fl.total_distance)
    return SiteSolution(
        selected=selected.astype(np.int64), covered_weight=covered, total_weight=total, reachable_weight=reachable,
        unreachable_weight=total - reachable, shortfall_weight=shortfall, objective=objective,
        optimality_gap=run.gap, status=status, message=" ".join(n.render("en") for n in notes),
        assignment=fl.assignment, assigned_weight=fl.site_weight[selected], total_distance=fl.total_distance,
        solve_time_s=run.time_s, n_variables=run.n_variables, n_constraints=run.n_constraints,
        n_nonzeros=run.n_nonzeros, n_demand_points=agg.n_groups, model=model, radius=inst.radius, k=k_new,
        capacitated=inst.capacities is not None, split=split,
        preselected=np.flatnonzero(inst.pre).astype(np.int64), flows=fl.flows, notes=tuple(notes))
