"""The shelter-sites map, drawn through :class:`geoplan.maps.PlanMap` (escaping is the map's job).

Layers: every candidate's outline coloured by status (proposed, existing, not chosen,
rejected — the last hidden at first), each open site's service area (the streets within the
radius, owned by the nearest open site), resident → site assignment lines, uncovered residents
coloured by why, and the open sites as circles sized by capacity. The coverage curve (people
covered against the number of new sites) is a small chart in a panel.

Labels come from the map translation table, :mod:`geoplan.maps._i18n`; values are put into
ready-made text columns labelled with the nearest field key.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoplan.maps import Field, PlanMap, svg_line_chart, t
from geoplan.maps._html import esc

#: Site kind → translation key of the map table.
KIND_KEYS = {"park": "site.park", "square": "site.square", "green_space": "site.green",
             "sports_ground": "site.sports", "school_ground": "site.school", "gymnasium": "site.gymnasium",
             "community_centre": "site.community_centre", "other": "site.other",
             "school": "site.school_building", "assembly_point": "site.assembly_point"}
#: Candidate status → translation key.
STATUS_KEYS = {"proposed": "site.selected", "existing": "site.existing", "not_chosen": "site.candidate",
               "rejected": "site.rejected"}
STATUS_COLORS = {"proposed": "#1b7837", "existing": "#2166ac", "not_chosen": "#9e9e9e", "rejected": "#d6604d"}
REASON_COLORS = {"too_far": "#b2182b", "site_not_chosen": "#f4a582", "capacity_exhausted": "#762a83",
                 "off_network": "#4d4d4d", "no_candidates": "#b2182b"}

def _kind(value, lang: str) -> str:
    return t(KIND_KEYS.get(str(value), "site.other"), lang)


def _num(v, unit: str = "") -> str:
    if v is None or v != v:
        return "–"
    return f"{float(v):,.0f}{unit}"


def _sites_text(frame: pd.DataFrame, lang: str, unit_m: str, people: str) -> pd.DataFrame:
    out = frame.copy()
    out["_kind"] = [_kind(v, lang) for v in out["kind"]]
    out["_status"] = [t(STATUS_KEYS.get(str(s), "site.candidate"), lang)
                      + (f" · {t('sites.rank', lang)} {int(r)}" if str(s) == "proposed" and r == r else "")
                      for s, r in zip(out["status"], out["rank"] if "rank" in out else [np.nan] * len(out))]
    if "assigned_population" in out:
        out["_people"] = [f"{t('sites.assigned', lang)} {_num(a)} / {t('sites.within', lang)} {_num(c)} {people}"
                          for a, c in zip(out["assigned_population"], out["covered_population"])]
        out["_walk"] = [f"{t('sites.mean', lang)} {_num(m, ' ' + unit_m)} · {t('sites.max', lang)} {_num(x, ' ' + unit_m)}"
                        for m, x in zip(out["mean_walk_m"], out["max_walk_m"])]
        out["_cap"] = [f"{_num(c)} {people}" + (f" ({t('sites.used', lang)} {100 * u:.0f}%)" if u == u else "")
                       for c, u in zip(out["capacity"], out["utilisation"])]
    out["_name"] = out["name"].astype(object).where(out["name"].notna(), out["site_id"])
    return out


def sites_map(result, *, lang: str = "en", basemap: str = "osm", offline: bool = True,
              date: str | None = None) -> PlanMap:
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
    """
    p = result.parameters
    s = result.summary
    unit_m = t("unit.m", lang)
    people = t("unit.people", lang)
    cap = t("sites.capacitated" if p["capacitated"] else "sites.uncapacitated", lang)
    line = (f"{t('sites.model', lang)} {str(p['model']).upper()} ({cap}) · {t('sites.radius', lang)} "
            f"{p['radius_m']:,.0f} {unit_m} · {t('sites.covered', lang)} {_num(s['covered_population'])} / "
            f"{_num(s['population'])} {people}")
    elderly = (f"{t('sites.elderly', lang)} ≤ {p['elderly_radius_m']:,.0f} {unit_m}: "
               f"{_num(s['elderly_covered_population'])} {people}")
    pm = PlanMap(result.study_name, lang=lang, basemap=basemap, offline=offline, preset_name=result.preset_name,
                 sources=list(result.sources), subtitle=t("title.sites", lang), date=date,
                 walk_speed_mps=float(p.get("walk_speed_mps", 1.2)), extra_lines=[line, elderly])

    b = result.boundaries
    if b is not None and len(b):
        pm.add_layer(b[["community", "geometry"]], name_key="layer.communities", kind="polygons", fit=False,
                     style={"color": "#6a51a3", "weight": 1.2, "dashArray": "4 3", "fillOpacity": 0.0,
                            "fill": False},
                     tooltip=[Field("community", "field.community")])

    areas = result.service_areas
    if len(areas):
        pm.add_layer(areas, name_key="layer.service_area", group="group.sites", kind="polygons", fit=False,
                     style={"color": "#1b7837", "fillColor": "#5aae61", "weight": 0.8, "fillOpacity": 0.15},
                     tooltip=[Field("site_id", "field.site"), Field("area_ha", "field.area", "ha")])

    cand = result.candidates
    if len(cand):
        c = _sites_text(cand.assign(rank=np.nan), lang, unit_m, people)
        c["_reason"] = [t(f"reason.{r}", lang) if isinstance(r, str) and r else "–" for r in c["reason"]]
        cats = {k: (STATUS_COLORS[k], t(STATUS_KEYS[k], lang)) for k in ("proposed", "existing", "not_chosen")}
        shown = c[c["status"] != "rejected"]
        if len(shown):
            pm.add_layer(shown, name_key="layer.sites", group="group.sites", kind="polygons", color_by="status",
                         categories=cats, style={"weight": 1.5, "fillOpacity": 0.25},
                         tooltip=[Field("_name", "field.name"), Field("_kind", "field.kind"),
                                  Field("_status", "field.status"), Field("capacity", "field.capacity", "people"),
                                  Field("effective_area_m2", "field.area", "m2")])
        rejected = c[c["status"] == "rejected"]
        if len(rejected):
            pm.add_layer(rejected, name_key="layer.sites", name=f"{t('layer.sites', lang)} – "
                         f"{t('site.rejected', lang)}", group="group.sites", kind="polygons", show=False, fit=False,
                         style={"color": STATUS_COLORS["rejected"], "weight": 1, "fillOpacity": 0.1,
                                "dashArray": "3 3"},
                         legend_label=t("site.rejected", lang),
                         tooltip=[Field("_name", "field.name"), Field("_kind", "field.kind"),
                                  Field("_reason", "field.status"), Field("net_area_m2", "field.area", "m2")])

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
        pm.add_layer(cov, name_key="layer.residential", group="group.sites", kind=kind, show=False, fit=False,
                     style={"color": "#4393c3", "fillColor": "#92c5de", "weight": 0.6, "fillOpacity": 0.7}
                     if kind == "polygons" else {"fillColor": "#4393c3", "radius": 4},
                     legend_label=t("status.covered", lang),
                     tooltip=[Field("resident_id", "field.id"), Field("population", "field.population", "people"),
                              Field("site_id", "field.site"), Field("walk_m", "field.walk_distance", "m+min")])

    unc = result.uncovered()
    if len(unc):
        unc = unc.assign(_reason=[t(f"reason.{r}", lang) for r in unc["reason"]])
        kind = "points" if unc.geom_type.isin(["Point", "MultiPoint"]).all() else "polygons"
        present = [r for r in REASON_COLORS if (unc["reason"] == r).any()]
        pm.add_layer(unc, name_key="layer.uncovered", group="group.sites",
                     kind=kind, color_by="reason",
                     categories={r: (REASON_COLORS[r], t(f"reason.{r}", lang)) for r in present},
                     style={"weight": 0.8, "fillOpacity": 0.8, "color": "#67001f"} if kind == "polygons"
                     else {"radius": 5, "weight": 1},
                     tooltip=[Field("resident_id", "field.id"), Field("population", "field.population", "people"),
                              Field("community", "field.community"), Field("_reason", "field.status"),
                              Field("nearest_candidate_m", "field.nearest", "m")])

    prop = result.proposed
    if len(prop):
        ptxt = _sites_text(prop, lang, unit_m, people)
        pm.add_layer(ptxt, name_key="layer.selected_sites", group="group.sites", kind="points", color_by="status",
                     categories={k: (STATUS_COLORS[k], t(STATUS_KEYS[k], lang)) for k in ("existing", "proposed")},
                     radius_by="capacity", radius_range=(6, 18), style={"weight": 2, "color": "#ffffff"},
                     tooltip=[Field("_name", "field.name"), Field("_kind", "field.kind"),
                              Field("_status", "field.status"), Field("_cap", "field.capacity")],
                     popup=[Field("_people", "field.population"), Field("_walk", "field.walk_distance"),
                            Field("effective_area_m2", "field.area", "m2")])

    curve = result.coverage_curve
    if len(curve):
        k = [0] + curve["k"].astype(int).tolist()
        first = float(curve["covered_population"].iloc[0] - curve["marginal_population"].iloc[0])
        y = [first] + curve["covered_population"].astype(float).tolist()
        chart = svg_line_chart(k, y, title=t("chart.coverage_curve", lang), x_label=t("chart.new_sites", lang),
                               y_label=t("chart.people_covered", lang),
                               y_max=max(float(s["population"]), max(y), 1.0))
        rows = "".join(f"<tr><td>{int(a)}</td><td style='text-align:right'>{esc(_num(b))}</td>"
                       f"<td style='text-align:right'>{esc(f'{100 * c:.1f}%')}</td></tr>"
                       for a, b, c in zip(curve["k"], curve["covered_population"], curve["covered_share"]))
        table = (f"<details><summary>k · {esc(t('chart.people_covered', lang))}</summary>"
                 f"<table style='font-size:11px'>{rows}</table></details>")
        # map.css pins .gp-chart to the left while add_html_panel("bottomright") sets right: the
        # panel would stretch across the page; keep it at the bottom right.
        fix = "<style>.gp-panel.gp-chart{left:auto;max-width:300px}</style>"
        pm.add_html_panel(f"{fix}<div class='geoplan-sites-curve'>{chart}{table}</div>")
    return pm
