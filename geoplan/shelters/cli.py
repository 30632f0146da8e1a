"""``geoplan sites``: propose emergency-shelter sites from the command line.

Options may also come from the project YAML (``sites:`` section: ``kind``, ``model``, ``k``,
``capacitated``, ``time_limit``, ``radius_m``, ``curve_k``, ``usable_share`` (mapping kind →
share), ``min_width_m``, ``split``); the command line wins. Heavy modules are imported inside
:func:`run` so that ``geoplan --help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geoplan.config import map_options, section_options
from geoplan.errors import InputError

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
            raise InputError("sites.usable_share must map site kinds to shares between 0 and 1",
                             source=config.get("_path"), fix="e.g. usable_share: {park: 0.5, square: 0.8}")
    return opts


def run(study, args, out: Path, *, config: dict, progress) -> list[Path]:
    """Run the sites analysis, write its tables, GeoPackage and map; return the paths."""
    from geoplan.shelters.analysis import sites

    opts = _options(args, config)
    result = sites(study, progress=progress, **opts)
    written = result.to_file(out)
    progress("drawing the sites map")
    written.append(result.to_map(**map_options(args, config, study)).to_html(out / "maps" / "sites.html"))
    _print_summary(result)
    return written


def _print_summary(result) -> None:
    s = result.summary
    share = s["covered_share"]
    pct = "–" if share != share else f"{share * 100:.1f}%"
    cap = "capacitated" if s["capacitated"] else "uncapacitated"
    k = "" if s["k"] is None else f", k={s['k']}"
    print(f"sites        {s['kind']} shelters, {s['model'].upper()} ({cap}{k}), radius {s['radius_m']:g} m, "
          f"preset {s['preset']}")
    print(f"  candidates {s['candidates']}: {s['existing_sites']} existing, {s['eligible']} eligible, "
          f"{s['rejected']} rejected (see sites/candidates.csv)")
    gap = s["optimality_gap"]
    gap_text = "–" if gap != gap else f"{gap:.2%}"
    print(f"  solver     {s['status']}, gap {gap_text}, {s['solve_time_s']:.2f} s, "
          f"{s['n_variables']:,} variables × {s['n_constraints']:,} constraints")
    print(f"  covered    {s['covered_population']:,.0f} of {s['population']:,.0f} people ({pct}); "
          f"elderly walking speed (≤{s['elderly_radius_m']:.0f} m): {s['elderly_covered_population']:,.0f}")
    left = {r: s.get(f"uncovered_{r}", 0.0) for r in ("too_far", "site_not_chosen", "capacity_exhausted",
                                                      "off_network", "no_candidates")}
    left = {r: v for r, v in left.items() if v > 0}
    if left:
        print("  uncovered  " + ", ".join(f"{v:,.0f} {r.replace('_', ' ')}" for r, v in left.items()))
    for row in result.proposed_table().itertuples(index=False):
        name = row.name if isinstance(row.name, str) else row.site_id
        tag = "existing" if row.status == "existing" else f"#{row.rank}"
        print(f"  {tag:<9} {name[:34]:<34} {row.kind:<14} capacity {row.capacity:7,d}  assigned "
              f"{row.assigned_population:7,.0f}")
    for w in result.warnings:
        print(f"note         {w}")


def check(args, config: dict, preset) -> None:
    """Reject unknown or ill-typed sites options before any data is loaded."""
    _options(args, config)
