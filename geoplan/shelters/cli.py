"""``geoplan sites``: propose emergency-shelter sites from the command line.

Options may also come from the project YAML (``sites:`` section: ``kind``, ``model``, ``k``,
``capacitated``, ``time_limit``, ``radius_m``, ``curve_k``, ``usable_share`` (mapping kind →
share), ``min_width_m``, ``split``); the command line wins. Heavy modules are imported inside
:func:`run` so that ``geoplan --help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geoplan._memory import release_free_memory
from geoplan.config import map_options, section_options
from geoplan.errors import InputError
from geoplan.i18n import N_, message, translator
from geoplan.shelters.messages import status_label

HELP = "emergency shelters: which parks, squares and school grounds to designate, for whom"

_CONFIG_KEYS = {"kind", "model", "k", "capacitated", "time_limit", "radius_m", "curve_k", "usable_share",
                "min_width_m", "split"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the sites options (defaults ``None``: the config or the built-in default decides)."""
    g = parser.add_argument_group("sites")
    g.add_argument("--kind", choices=["emergency", "fixed"], default=None,
                   help="shelter kind: emergency (1.5 m²/person, 500 m, ≥0.1 ha; default) or fixed "
                        "(2 m²/person, 2000 m, ≥1 ha)")
    g.add_argument("--model", choices=["mclp", "lscp", "pmedian"], default=None,
                   help="mclp: k sites covering the most residents (default); lscp: fewest sites covering "
                        "everyone reachable; pmedian: k sites with the least total walk")
    g.add_argument("--k", type=int, default=None, metavar="N",
                   help="new sites to propose on top of existing shelters (default 5; ignored by lscp)")
    cap = g.add_mutually_exclusive_group()
    cap.add_argument("--capacitated", dest="capacitated", action="store_true", default=None,
                     help="respect site capacities (default)")
    cap.add_argument("--uncapacitated", dest="capacitated", action="store_false",
                     help="ignore capacities (coverage by distance only)")
    g.add_argument("--time-limit", dest="time_limit", type=float, default=None, metavar="SECONDS",
                   help="solver time budget per solve, each k of the coverage curve included (default 60); "
                        "the best solution found and its gap are reported")
    g.add_argument("--radius", dest="radius_m", type=float, default=None, metavar="M",
                   help="walking service radius in metres (default: preset, 500 emergency / 2000 fixed)")


def _options(args, config: dict) -> dict:
    opts = section_options(config, "sites", _CONFIG_KEYS, args,
                           ("kind", "model", "k", "capacitated", "time_limit", "radius_m"),
                           example="e.g. sites: {model: mclp, k: 5}")
    opts.setdefault("model", "mclp")
    opts.setdefault("k", 5)
    if opts.get("usable_share") is not None:
        shares = opts["usable_share"]
        if not isinstance(shares, dict) or not all(isinstance(v, (int, float)) and 0 <= v <= 1
                                                   for v in shares.values()):
            raise InputError(message("sites.usable_share must map site kinds to shares between 0 and 1"),
                             source=config.get("_path"),
                             fix=message("e.g. {example}", example="usable_share: {park: 0.5, square: 0.8}"))
    return opts


def check(args, config: dict, preset) -> None:
    """Check the sites options before any data is loaded (the same checks :func:`geoplan.sites` makes)."""
    from geoplan.shelters.request import check_request

    opts = _options(args, config)
    check_request(preset, kind=opts.get("kind", "emergency"), model=opts["model"], k=opts["k"],
                  capacitated=opts.get("capacitated", True), radius_m=opts.get("radius_m"),
                  time_limit=opts.get("time_limit", 60.0), curve_k=opts.get("curve_k"),
                  usable_share=opts.get("usable_share"), min_width_m=opts.get("min_width_m"),
                  split=bool(opts.get("split", False)), service_area_buffer_m=0.0, with_areas=True, mip_rel_gap=1e-7)


def run(study, args, out: Path, *, config: dict, progress) -> list[Path]:
    """Run the sites analysis, write its tables, GeoPackage and map; return the paths."""
    from geoplan.shelters.analysis import sites

    opts = _options(args, config)
    maps = map_options(args, config, study)
    tr = translator(maps["lang"])
    result = sites(study, progress=lambda note: progress(tr.render(note) if not isinstance(note, str) else note),
                   **opts)
    release_free_memory()  # the cost matrix and models are gone: the tables should not grow on top of them
    written = result.to_file(out, lang=maps["lang"])
    progress(tr.gettext(N_("drawing the sites map")))
    from geoplan.maps.overview import write_maps

    written += write_maps(result.to_map, out / "maps", "sites", features=result.residents,
                          communities=study.communities, options=maps)
    for line in summary_lines(result, maps["lang"]):
        print(line)
    return written


def summary_lines(result, lang: str | None = "en") -> list[str]:
    """What the command prints after a run, in ``lang``: model, candidates, solver, coverage, sites, notes."""
    tr = translator(lang)
    s = result.figures
    share = s["covered_share"]
    gap = s["optimality_gap"]
    kind = (N_("sites        emergency shelters, radius {radius:g} m, preset {preset}") if s["kind"] == "emergency"
            else N_("sites        fixed shelters, radius {radius:g} m, preset {preset}"))
    if s["k"] is None:
        model = N_("  model      {model} (capacitated)") if s["capacitated"] else N_("  model      {model} (uncapacitated)")
    else:
        model = (N_("  model      {model} (capacitated, k={k})") if s["capacitated"]
                 else N_("  model      {model} (uncapacitated, k={k})"))
    lines = [
        tr.render(kind, radius=s["radius_m"], preset=s["preset"]),
        tr.render(model, model=s["model"].upper(), k=s["k"]),
        tr.render(N_("  candidates {n}: {existing} existing, {eligible} eligible, {rejected} rejected (see "
                     "sites/candidates.csv)"), n=s["candidates"], existing=s["existing_sites"],
                  eligible=s["eligible"], rejected=s["rejected"]),
        tr.render(N_("  solver     {status}, gap {gap}, {seconds:.2f} s, {variables:,} variables × {constraints:,} "
                     "constraints"), status=status_label(s["status"], lang), gap="–" if gap != gap else f"{gap:.2%}",
                  seconds=s["solve_time_s"], variables=s["n_variables"], constraints=s["n_constraints"]),
        tr.render(N_("  covered    {covered:,.0f} of {population:,.0f} people ({share}); elderly walking speed "
                     "(≤{radius:.0f} m): {elderly:,.0f}"), covered=s["covered_population"],
                  population=s["population"], share="–" if share != share else f"{share * 100:.1f}%",
                  radius=s["elderly_radius_m"], elderly=s["elderly_covered_population"]),
    ]
    lines += _uncovered_lines(s, tr) + _site_lines(result, tr)
    lines += [tr.render(N_("note         {note}"), note=w) for w in result.warning_lines(lang)]
    return lines


#: Uncovered residents by reason, as the command prints them.
UNCOVERED_LINES = {"too_far": N_("  uncovered  {n:,.0f} people have no candidate within the radius"),
                   "site_not_chosen": N_("  uncovered  {n:,.0f} people have a candidate within the radius that "
                                         "was not chosen"),
                   "capacity_exhausted": N_("  uncovered  {n:,.0f} people find the open sites within the radius "
                                            "full"),
                   "off_network": N_("  uncovered  {n:,.0f} people live too far from the walking network"),
                   "no_candidates": N_("  uncovered  {n:,.0f} people: there is no usable candidate in the area")}


def _uncovered_lines(s, tr) -> list[str]:
    return [tr.render(text, n=s.get(f"uncovered_{r}", 0.0)) for r, text in UNCOVERED_LINES.items()
            if s.get(f"uncovered_{r}", 0.0) > 0]


def _site_lines(result, tr) -> list[str]:
    from geoplan.shelters._map import KIND_LABELS

    lines = []
    for row in result.proposed_table().itertuples(index=False):
        name = row.name if isinstance(row.name, str) else row.site_id
        kind = tr.gettext(KIND_LABELS.get(str(row.kind), KIND_LABELS["other"]))
        if row.status == "existing":
            text = N_("  existing  {name:<34} {kind:<14} capacity {capacity:7,d}  assigned {assigned:7,.0f}")
        else:
            text = N_("  #{rank:<8} {name:<34} {kind:<14} capacity {capacity:7,d}  assigned {assigned:7,.0f}")
        lines.append(tr.render(text, name=name[:34], kind=kind, rank=row.rank, capacity=row.capacity,
                               assigned=row.assigned_population))
    return lines
