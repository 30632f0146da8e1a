"""The shelter-sites map, drawn through :class:`geoplan.maps.PlanMap` (escaping is the map's job).

Layers: every candidate's outline coloured by status (proposed, existing, not chosen,
rejected — the last hidden at first), each open site's service area (the streets within the
radius, owned by the nearest open site), resident → site assignment lines, uncovered residents
coloured by why, and the open sites as circles sized by capacity. The coverage curve (people
covered against the number of new sites) is a small chart in a panel.

Every text this module writes is a whole sentence or label of the ``shelters`` gettext domain,
rendered in the map's language; layer names and field labels are the map module's keys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoplan.i18n import N_, translator
from geoplan.maps import Field, Graduated, PlanMap, svg_line_chart
from geoplan.maps.overview import (CELL_LAYER_SITES, COVERED_SHARE, DETAIL_FIELD, OVERVIEW_LOOK, SHELTER_CAPACITY,
                                   SHELTER_DEMAND, UNCOVERED_RESIDENTS, CommunityMaps, cell_width, community_sums,
                                   detail_hrefs, draws_detail, hex_cells, labelled, overview_basemap, overview_line,
                                   share, sum_within)
from geoplan.maps._html import esc

#: Site kind → its label.
KIND_LABELS = {"park": N_("Park"), "square": N_("Square"), "green_space": N_("Public green"),
               "sports_ground": N_("Sports ground"), "school_ground": N_("School grounds"),
               "gymnasium": N_("Gymnasium"), "community_centre": N_("Community centre"), "other": N_("Other site"),
               "school": N_("School (indoor)"), "assembly_point": N_("Assembly point")}
#: Candidate status → its label.
STATUS_LABELS = {"proposed": N_("Proposed"), "existing": N_("Existing shelter"), "not_chosen": N_("Candidate"),
                 "rejected": N_("Not eligible")}
#: Why a resident is uncovered → the legend's short label.
REASON_LABELS = {"too_far": N_("No candidate within walking radius"),
                 "site_not_chosen": N_("A nearby candidate was not chosen (raise k)"),
                 "capacity_exhausted": N_("Nearby sites are full"), "off_network": N_("Far from the walking network"),
                 "no_candidates": N_("No usable candidate in the area")}
STATUS_COLORS = {"proposed": "#1b7837", "existing": "#2166ac", "not_chosen": "#9e9e9e", "rejected": "#d6604d"}
REASON_COLORS = {"too_far": "#b2182b", "site_not_chosen": "#f4a582", "capacity_exhausted": "#762a83",
                 "off_network": "#4d4d4d", "no_candidates": "#b2182b"}


def _num(v) -> str:
    if v is None or v != v:
        return "–"
    return f"{float(v):,.0f}"


def _sites_text(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Ready-made text columns of a sites table: kind, status (with rank), people, walk, capacity, name."""
    tr = translator(lang)
    out = frame.copy()
    out["_kind"] = [tr.gettext(KIND_LABELS.get(str(v), KIND_LABELS["other"])) for v in out["kind"]]
    ranks = out["rank"] if "rank" in out else [np.nan] * len(out)
    out["_status"] = [tr.render(N_("Proposed · build order {rank}"), rank=int(r)) if str(s) == "proposed" and r == r
                      else tr.gettext(STATUS_LABELS.get(str(s), STATUS_LABELS["not_chosen"]))
                      for s, r in zip(out["status"], ranks)]
    if "assigned_population" in out:
        out["_people"] = [tr.render(N_("{assigned} people assigned / {within} within the radius"),
                                    assigned=_num(a), within=_num(c))
                          for a, c in zip(out["assigned_population"], out["covered_population"])]
        out["_walk"] = [tr.render(N_("mean {mean} m · longest {longest} m"), mean=_num(m), longest=_num(x))
                        for m, x in zip(out["mean_walk_m"], out["max_walk_m"])]
        out["_cap"] = [tr.render(N_("{capacity} people ({used:.0%} used)"), capacity=_num(c), used=u) if u == u
                       else tr.render(N_("{capacity} people"), capacity=_num(c))
                       for c, u in zip(out["capacity"], out["utilisation"])]
    out["_name"] = out["name"].astype(object).where(out["name"].notna(), out["site_id"])
    return out


def _headline_lines(result, lang: str) -> list[str]:
    tr = translator(lang)
    p, s = result.parameters, result.figures
    values = dict(model=str(p["model"]).upper(), radius=p["radius_m"], covered=_num(s["covered_population"]),
                  population=_num(s["population"]))
    line = tr.render(N_("Model {model} (capacitated) · radius {radius:,.0f} m · covered {covered} of {population} "
                        "people") if p["capacitated"] else
                     N_("Model {model} (uncapacitated) · radius {radius:,.0f} m · covered {covered} of {population} "
                        "people"), **values)
    elderly = tr.render(N_("At the elderly walking speed (≤ {radius:,.0f} m): {covered} people"),
                        radius=p["elderly_radius_m"], covered=_num(s["elderly_covered_population"]))
    return [line, elderly]


def sites_map(result, *, lang: str = "en", basemap: str = "osm", offline: bool = True,
              date: str | None = None, detail_limit: int | None = None, window=None,
              community_maps: CommunityMaps | None = None) -> PlanMap:
    """Draw a :class:`~geoplan.shelters.SitesResult` (never recomputes it).

    Parameters
    ----------
    result : SitesResult
    lang : {"zh", "en"}
    basemap : {"osm", "light", "gaode", "none"}
    offline : bool
        No tiles, no network (see :class:`geoplan.maps.PlanMap`).
    date : str, optional
        Date in the title block (default today).
    detail_limit : int, optional
        Past this many resident features (default
        :data:`geoplan.maps.overview.DETAIL_MAX_RESIDENCES`) the map draws hexagon cells and
        communities with shelter demand, capacity and residents without a shelter instead of
        every resident, candidate and assignment line.
    window : geopandas.GeoSeries, optional
        Draw only this box, in full detail (a community's detailed map).
    community_maps : CommunityMaps, optional
        Detailed maps per community, linked from the community popups.
    """
    tr = translator(lang)
    detail = window is not None or draws_detail(len(result.residents), detail_limit)
    extra = [] if detail else [overview_line(len(result.residents), lang, linked=community_maps is not None)]
    pm = PlanMap(result.study_name, lang=lang, basemap=basemap if detail else overview_basemap(basemap),
                 offline=offline, preset_name=result.preset_name,
                 sources=list(result.sources), subtitle=tr.gettext(N_("Emergency shelter sites")), date=date,
                 walk_speed_mps=float(result.parameters.get("walk_speed_mps", 1.2)),
                 extra_lines=_headline_lines(result, lang) + extra, window=window,
                 **({} if detail else OVERVIEW_LOOK))
    _add_context(pm, result, lang, aggregate=not detail, maps=community_maps)
    if detail:
        _add_candidates(pm, result, lang)
        _add_residents(pm, result, lang)
    else:
        _add_cells(pm, result, lang)
    _add_open_sites(pm, result, lang)
    _add_curve(pm, result, lang)
    return pm


def cell_sums(result) -> dict[str, np.ndarray]:
    """Per resident feature: shelter demand (residents) and residents without a shelter within reach."""
    res = result.residents
    pop = res["population"].to_numpy(dtype=float)
    return {"population": pop, "uncovered": pop * ~res["covered"].to_numpy(dtype=bool)}


def _with_shares(frame):
    return frame.assign(covered_share=share(frame["population"] - frame["uncovered"], frame["population"]))


_CELL_FIELDS = [Field("population", SHELTER_DEMAND, "people"), Field("capacity", SHELTER_CAPACITY, "people"),
                Field("uncovered", UNCOVERED_RESIDENTS, "people"), Field("covered_share", COVERED_SHARE, "pct")]
_SHARE_CLASSES = Graduated("covered_share", [0, 0.5, 0.8, 0.95, 0.999, 1.0],
                           ["#b2182b", "#ef8a62", "#fddbc7", "#a6dba0", "#1b7837"], fmt="pct")


def _add_cells(pm: PlanMap, result, lang: str) -> None:
    """Hexagon cells: shelter demand, the capacity of open shelters in the cell, residents not covered."""
    res = result.residents
    if not len(res):
        return
    width = cell_width(res)  # the shelters are summed on the residents' grid
    cells = _with_shares(hex_cells(res, cell_sums(result), cell_m=width))
    prop = result.proposed
    cap = (hex_cells(prop, {"capacity": prop["capacity"].to_numpy(dtype=float)}, cell_m=width)
           .set_index("cell")["capacity"]
           if len(prop) else pd.Series(dtype=float))
    cells["capacity"] = cells["cell"].map(cap).fillna(0.0).to_numpy()
    tr = translator(lang)
    pm.add_layer(cells, name_key="layer.cells", name=tr.render(CELL_LAYER_SITES, width_m=width), group="group.sites",
                 kind="polygons", graduated=_SHARE_CLASSES,
                 style={"weight": 0.5, "color": "#555555", "fillOpacity": 0.55},
                 tooltip=[*_CELL_FIELDS, Field("buildings", "field.residences", "int")])


def _add_context(pm: PlanMap, result, lang: str = "en", *, aggregate: bool = False,
                 maps: CommunityMaps | None = None) -> None:
    """Community outlines (with their figures and detailed maps in an aggregate map) and service areas."""
    b = result.boundaries
    if b is not None and len(b) and not aggregate:
        pm.add_layer(b[["community", "geometry"]], name_key="layer.communities", kind="polygons", fit=False,
                     style={"color": "#6a51a3", "weight": 1.2, "dashArray": "4 3", "fillOpacity": 0.0,
                            "fill": False},
                     tooltip=[Field("community", "field.community")])
    elif b is not None and len(b):
        units = _with_shares(community_sums(result.residents, b, cell_sums(result)))
        units = units.assign(capacity=sum_within(result.proposed, "capacity", units),
                             _label=labelled(units, lang), _detail=detail_hrefs(maps, units["community"]))
        pm.add_layer(units, name_key="layer.communities", kind="polygons", fit=False,
                     style={"color": "#6a51a3", "weight": 1.5, "dashArray": "4 3", "fillOpacity": 0.02,
                            "fillColor": "#6a51a3"},
                     tooltip=[Field("_label", "field.community"), *_CELL_FIELDS],
                     popup=[Field("_detail", DETAIL_FIELD, "link")] if maps is not None else [])
    areas = result.service_areas
    if len(areas):
        pm.add_layer(areas, name_key="layer.service_area", group="group.sites", kind="polygons", fit=False,
                     style={"color": "#1b7837", "fillColor": "#5aae61", "weight": 0.8, "fillOpacity": 0.15},
                     tooltip=[Field("site_id", "field.site"), Field("area_ha", "field.area", "ha")])


def _add_candidates(pm: PlanMap, result, lang: str) -> None:
    """Every candidate's outline by status; the rejected ones (with why) hidden at first."""
    from geoplan.shelters.result import rendered

    cand = result.candidates
    if not len(cand):
        return
    tr = translator(lang)
    c = _sites_text(rendered(cand, lang).assign(rank=np.nan), lang)
    c["_reason"] = [r if isinstance(r, str) and r else "–" for r in c["reason_text"]]
    cats = {k: (STATUS_COLORS[k], tr.gettext(STATUS_LABELS[k])) for k in ("proposed", "existing", "not_chosen")}
    shown = c[c["status"] != "rejected"]
    if len(shown):
        pm.add_layer(shown, name_key="layer.sites", group="group.sites", kind="polygons", color_by="status",
                     categories=cats, style={"weight": 1.5, "fillOpacity": 0.25},
                     tooltip=[Field("_name", "field.name"), Field("_kind", "field.kind"),
                              Field("_status", "field.status"), Field("capacity", "field.capacity", "people"),
                              Field("effective_area_m2", "field.area", "m2")])
    rejected = c[c["status"] == "rejected"]
    if len(rejected):
        pm.add_layer(rejected, name_key="layer.sites", name=tr.gettext(N_("Candidate sites that are not eligible")),
                     group="group.sites", kind="polygons", show=False, fit=False,
                     style={"color": STATUS_COLORS["rejected"], "weight": 1, "fillOpacity": 0.1, "dashArray": "3 3"},
                     legend_label=tr.gettext(STATUS_LABELS["rejected"]),
                     tooltip=[Field("_name", "field.name"), Field("_kind", "field.kind"),
                              Field("_reason", "field.status"), Field("net_area_m2", "field.area", "m2")])


def _add_residents(pm: PlanMap, result, lang: str) -> None:
    """Assignment lines, covered residents (hidden at first) and the uncovered coloured by why."""
    tr = translator(lang)
    lines = result.assignment
    if len(lines):
        pm.add_layer(lines, name_key="layer.assignment", group="group.sites", kind="lines", fit=False,
                     style={"color": "#4d4d4d", "weight": 1, "opacity": 0.6, "dashArray": "2 3"},
                     tooltip=[Field("resident_id", "field.id"), Field("site_id", "field.site"),
                              Field("population", "field.population", "people"),
                              Field("walk_m", "field.walk_distance", "m+min")])
    res = result.residents
    cov = res[res["covered"].astype(bool)]
    if len(cov):
        kind = "points" if cov.geom_type.isin(["Point", "MultiPoint"]).all() else "polygons"
        pm.add_layer(cov.drop(columns=["reason_text"], errors="ignore"), name_key="layer.residential",
                     group="group.sites", kind=kind, show=False, fit=False,
                     style={"color": "#4393c3", "fillColor": "#92c5de", "weight": 0.6, "fillOpacity": 0.7}
                     if kind == "polygons" else {"fillColor": "#4393c3", "radius": 4},
                     legend_label=tr.gettext(N_("Covered")),
                     tooltip=[Field("resident_id", "field.id"), Field("population", "field.population", "people"),
                              Field("site_id", "field.site"), Field("walk_m", "field.walk_distance", "m+min")])
    unc = result.uncovered(lang)
    if len(unc):
        unc = unc.assign(_reason=unc["reason_text"])
        kind = "points" if unc.geom_type.isin(["Point", "MultiPoint"]).all() else "polygons"
        present = [r for r in REASON_COLORS if (unc["reason"] == r).any()]
        pm.add_layer(unc, name_key="layer.uncovered", group="group.sites", kind=kind, color_by="reason",
                     categories={r: (REASON_COLORS[r], tr.gettext(REASON_LABELS[r])) for r in present},
                     style={"weight": 0.8, "fillOpacity": 0.8, "color": "#67001f"} if kind == "polygons"
                     else {"radius": 5, "weight": 1},
                     tooltip=[Field("resident_id", "field.id"), Field("population", "field.population", "people"),
                              Field("community", "field.community"), Field("_reason", "field.status"),
                              Field("nearest_candidate_m", "field.nearest", "m")])


def _add_open_sites(pm: PlanMap, result, lang: str) -> None:
    """The open sites as circles sized by capacity."""
    from geoplan.shelters.result import rendered

    prop = result.proposed
    if not len(prop):
        return
    tr = translator(lang)
    ptxt = _sites_text(rendered(prop, lang), lang)
    pm.add_layer(ptxt, name_key="layer.selected_sites", group="group.sites", kind="points", color_by="status",
                 categories={k: (STATUS_COLORS[k], tr.gettext(STATUS_LABELS[k])) for k in ("existing", "proposed")},
                 radius_by="capacity", radius_range=(6, 18), style={"weight": 2, "color": "#ffffff"},
                 tooltip=[Field("_name", "field.name"), Field("_kind", "field.kind"),
                          Field("_status", "field.status"), Field("_cap", "field.capacity")],
                 popup=[Field("_people", "field.population"), Field("_walk", "field.walk_distance"),
                        Field("effective_area_m2", "field.area", "m2")])


def _add_curve(pm: PlanMap, result, lang: str) -> None:
    """The coverage curve as a small chart with its table."""
    curve = result.coverage_curve
    if not len(curve):
        return
    tr = translator(lang)
    k = [0] + curve["k"].astype(int).tolist()
    first = float(curve["covered_population"].iloc[0] - curve["marginal_population"].iloc[0])
    y = [first] + curve["covered_population"].astype(float).tolist()
    people = tr.gettext(N_("people covered"))
    chart = svg_line_chart(k, y, title=tr.gettext(N_("Coverage curve")), x_label=tr.gettext(N_("new sites k")),
                           y_label=people, y_max=max(float(result.figures["population"]), max(y), 1.0))
    rows = "".join(f"<tr><td>{int(a)}</td><td style='text-align:right'>{esc(_num(b))}</td>"
                   f"<td style='text-align:right'>{esc(f'{100 * c:.1f}%')}</td></tr>"
                   for a, b, c in zip(curve["k"], curve["covered_population"], curve["covered_share"]))
    summary = tr.render(N_("k · {people}"), people=people)
    table = (f"<details><summary>{esc(summary)}</summary>"
             f"<table style='font-size:11px'>{rows}</table></details>")
    # map.css pins .gp-chart to the left while add_html_panel("bottomright") sets right: the
    # panel would stretch across the page; keep it at the bottom right.
    fix = "<style>.gp-panel.gp-chart{left:auto;max-width:300px}</style>"
    pm.add_html_panel(f"{fix}<div class='geoplan-sites-curve'>{chart}{table}</div>")
