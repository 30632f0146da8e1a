"""Every sentence the shelter analysis says, whole, with named placeholders (gettext domain ``shelters``).

Analyses keep :class:`~geoplan.i18n.Message` objects (a stable ``code`` plus the msgid and its
values); tables, maps and the command line render them in the reader's language. The Chinese
translations are in ``geoplan/locale/zh_CN/LC_MESSAGES/shelters.po``.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from geoplan.i18n import Message, N_, message, translator

#: Why a candidate is rejected (``reason`` code → sentence; placeholders from the row and preset).
REJECTIONS: Mapping[str, str] = {
    "invalid_geometry": N_("the polygon is invalid and has no area after repair"),
    "no_area": N_("a point without an area_m2 (its size is unknown)"),
    "inside_other": N_("mostly inside another candidate ({part_of}), whose ground already counts it"),
    "sliver": N_("nowhere at least {min_width:g} m wide"),
    "too_small": N_("usable ground {area:,.0f} m² is below the {min_site:,.0f} m² minimum"),
    "off_network": N_("farther than {max_snap:g} m from the walking network"),
    "no_one_in_reach": N_("nobody lives within the walking radius of this site"),
}

#: Why a resident is not covered (``reason`` code of residents.csv → sentence).
UNCOVERED: Mapping[str, str] = {
    "covered": N_("assigned to an open site within the radius"),
    "no_population": N_("no people recorded in this building"),
    "off_network": N_("farther than {max_snap:g} m from the walking network"),
    "no_candidates": N_("there is no usable candidate site in the area"),
    "too_far": N_("no candidate site within the walking radius"),
    "site_not_chosen": N_("a candidate within the radius exists but was not chosen (raise k)"),
    "capacity_exhausted": N_("the open sites within the radius are full"),
}

#: A designated shelter is never rejected; what a rule would have said instead (``note`` of candidates.csv).
KEPT_DESPITE: Mapping[str, str] = {
    "invalid_geometry": N_("kept as a designated shelter although its polygon is invalid and has no area after "
                           "repair"),
    "inside_other": N_("kept as a designated shelter although it lies mostly inside {part_of}"),
    "no_area": N_("kept as a designated shelter although its size is unknown"),
    "too_small": N_("kept as a designated shelter although its usable ground is below the minimum"),
    "sliver": N_("kept as a designated shelter although it is nowhere wide enough"),
    "off_network": N_("kept as a designated shelter although it is far from the walking network"),
}


#: A model run's status (``summary.csv`` ``status``, the curve's ``status``) → how a planner reads it.
STATUS_LABELS: Mapping[str, str] = {
    "optimal": N_("optimal"),
    "time_limit": N_("stopped at the time limit"),
    "feasible": N_("feasible, within the reported gap"),
    "infeasible": N_("infeasible within capacity"),
    "no_demand": N_("nobody to serve"),
    "no_candidates": N_("no usable candidate"),
    "carried_forward": N_("carried forward from k-1"),
}


def status_label(status: str, lang: str | None = "en") -> str:
    """A run's status as words in ``lang`` (an unknown HiGHS status as it is)."""
    text = STATUS_LABELS.get(str(status))
    return translator(lang).gettext(text) if text else str(status).replace("_", " ")


def rejection(code: str, **values) -> Message:
    """The sentence for a candidate's rejection ``code`` (values: ``part_of, min_width, area, min_site, max_snap``)."""
    return Message(REJECTIONS[code], values, code)


def uncovered(code: str, *, max_snap: float) -> Message:
    """The sentence for a resident's ``reason`` code."""
    return Message(UNCOVERED[code], {"max_snap": max_snap}, code)


def kept_despite(code: str, *, part_of: str | None) -> Message:
    """The note on a designated shelter that a rule (``code``) would have rejected."""
    return Message(KEPT_DESPITE[code], {"part_of": part_of or ""}, f"kept_{code}")


def render(value: Message | str | None, lang: str | None = "en") -> str | None:
    """A :class:`Message` in ``lang``; a plain text (a layer's own note) as it is; ``None`` stays ``None``."""
    if value is None:
        return None
    return translator(lang).render(value) if isinstance(value, Message) else str(value)


def render_notes(notes: Iterable[Message | str] | None, lang: str | None = "en") -> str | None:
    """Several notes as one cell, each a whole sentence, separated as the language separates them."""
    notes = list(notes or ())
    if not notes:
        return None
    return translator(lang).gettext(N_("; ")).join(render(n, lang) for n in notes)


def note_codes(notes: Iterable[Message | str] | None) -> str | None:
    """The codes of the notes of one cell (``layer_note`` for a layer's own text), ``;``-separated."""
    codes = [n.code or "note" if isinstance(n, Message) else "layer_note" for n in (notes or ())]
    return ";".join(codes) if codes else None


# ------------------------------------------------------------------ notes on candidates
def repaired(before: float, after: float) -> Message:
    return message("invalid polygon repaired (area {before:,.0f} → {after:,.0f} m²)", code="polygon_repaired",
                   before=before, after=after)


def assembly_point_inside(point: str) -> Message:
    return message("designated assembly point {point} inside", code="assembly_point_inside", point=point)


def unknown_size() -> Message:
    return message("designated shelter of unknown size: capacity 0 until the sites layer gives area_m2",
                   code="unknown_size")


def kept_small(area: float, min_site: float) -> Message:
    return message("usable ground {area:,.0f} m² below the {min_site:,.0f} m² minimum (kept: designated shelter)",
                   code="kept_too_small", area=area, min_site=min_site)


def kept_sliver(min_width: float) -> Message:
    return message("nowhere {min_width:g} m wide (kept: designated shelter)", code="kept_sliver", min_width=min_width)


def kept_off_network(max_snap: float) -> Message:
    return message("farther than {max_snap:g} m from the walking network: serves no one", code="kept_off_network",
                   max_snap=max_snap)


# ------------------------------------------------------------------ warnings of the analysis
def no_candidate_at_all() -> Message:
    return message("No candidate site in the area: the OSM data has no park, square, green space, sports ground, "
                   "school, gymnasium or community centre, and no sites layer was given (add candidates or existing "
                   "shelters in a sites layer).", code="no_candidates")


def all_rejected(n: int) -> Message:
    return message("No usable candidate site in the area: all {n} candidates were rejected; see candidates.csv for "
                   "why (add sites in the sites layer, or lower the minimum size).", code="all_rejected", n=n)


def no_demand() -> Message:
    return message("There are no residents with a population: nothing to cover.", code="no_demand")


# ------------------------------------------------------------------ progress
def step_candidates() -> Message:
    return message("sites: candidate sites and their capacity", code="progress")


def step_distances(radius: float, sites: int, residents: int) -> Message:
    return message("sites: walking distances within {radius:g} m from {sites} sites to {residents} residents",
                   code="progress", radius=radius, sites=sites, residents=residents)


def step_model(model: str, capacitated: bool, pairs: int) -> Message:
    if capacitated:
        return message("sites: {model} (capacitated) on {pairs:,} resident–site pairs", code="progress",
                       model=model.upper(), pairs=pairs)
    return message("sites: {model} on {pairs:,} resident–site pairs", code="progress", model=model.upper(),
                   pairs=pairs)


def step_curve(k: int) -> Message:
    return message("sites: coverage curve k = 1 … {k}", code="progress", k=k)


def step_tables() -> Message:
    return message("sites: tables", code="progress")


def step_areas() -> Message:
    return message("sites: service areas of the open sites", code="progress")
