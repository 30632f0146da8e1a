"""``geoplan coverage``: the 15-minute life-circle coverage from the command line.

Options may also come from the project YAML (``coverage:`` section: ``mode``, ``speed``,
``profile``, ``categories``, ``per_facility``, ``horizon_m``, ``service_area_buffer_m``,
``gap_join_m``); the command line wins.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geoplan.config import map_options, section_options
from geoplan.errors import InputError

HELP = "15-minute life circle: who reaches which daily services on foot, and where the gaps are"

_CONFIG_KEYS = {"mode", "speed", "profile", "categories", "per_facility", "horizon_m", "service_area_buffer_m",
                "gap_join_m"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the coverage options (defaults ``None``: the config or the preset decides)."""
    g = parser.add_argument_group("coverage")
    g.add_argument("--mode", choices=["distance", "time"], default=None,
                   help="distance: GB 50180 tiers 300/500/1000 m (default); time: the tier's minutes at --speed")
    g.add_argument("--speed", type=float, default=None, metavar="M_PER_S",
                   help="walking speed in m/s (default 1.2 adults, 0.9 with --profile elderly)")
    g.add_argument("--profile", choices=["adult", "elderly"], default=None,
                   help="whose walking speed and thresholds the main figures use (default adult; "
                        "elderly figures are always added)")
    g.add_argument("--categories", default=None, metavar="LIST",
                   help="comma-separated facility categories (default: all of the preset's life-circle table)")
    g.add_argument("--per-facility", dest="per_facility", action="store_true", default=None,
                   help="also write one service area per facility")


def _options(args, config: dict) -> dict:
    return section_options(config, "coverage", _CONFIG_KEYS, args,
                           ("mode", "speed", "profile", "categories", "per_facility"),
                           example="e.g. coverage: {categories: [health, market]}")


def check(args, config: dict, preset) -> None:
    """Reject bad coverage options before any data is loaded (unknown categories, bad speed)."""
    from geoplan.life_circle.analysis import parse_categories

    opts = _options(args, config)
    source = "--categories" if getattr(args, "categories", None) is not None else config.get("_path")
    parse_categories(opts.get("categories"), preset.categories, source=source)
    if opts.get("speed") is not None:
        _speed(opts["speed"])


def _speed(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"walking speed {value!r} is not a number", fix="e.g. --speed 1.2") from None


def run(study, args, out: Path, *, config: dict, progress) -> list[Path]:
    """Run the coverage analysis, write its tables, GeoPackage and map; return the paths."""
    from geoplan.life_circle.analysis import coverage, parse_categories

    opts = _options(args, config)
    source = "--categories" if getattr(args, "categories", None) is not None else config.get("_path")
    opts["categories"] = parse_categories(opts.get("categories"), study.preset.categories, source=source)
    if opts.get("speed") is not None:
        opts["speed"] = _speed(opts["speed"])
    result = coverage(study, progress=progress, **opts)

    written = result.to_file(out)
    progress("drawing the coverage map")
    written.append(result.to_map(**map_options(args, config, study)).to_html(out / "maps" / "coverage.html"))
    _print_summary(result)
    return written


def _pct(v: float) -> str:
    return "  –  " if v != v else f"{v * 100:5.1f}%"


def _print_summary(result) -> None:
    p = result.parameters
    speed = f", {p['speed_mps']:g} m/s" if p["mode"] == "time" else ""
    print(f"coverage     {p['mode']} mode, {p['profile']} profile{speed}, preset {p['preset']}")
    rows = result.summary[result.summary["community"] == "ALL"]
    for row in rows.itertuples(index=False):
        print(f"  {row.category:<17} ≤{row.tier_m:6.0f} m  {_pct(row.covered_share)} of people "
              f"(elderly ≤{row.elderly_tier_m:.0f} m: {_pct(row.elderly_covered_share).strip()})"
              f"  {row.facilities} facilities" + (f"  [{row.item}]" if getattr(row, "item", "") else ""))
    print(f"  complete life circle (every essential category): {_pct(result.complete_share()).strip()} "
          f"(elderly {_pct(result.complete_share(elderly=True)).strip()})")
    for g in result.gaps.head(5).itertuples(index=False):
        print(f"  gap {g.gap_id:<4} {g.category:<17} {g.population:8,.0f} people in {g.residents} residences "
              f"({g.community})")
    for source in p.get("units_source", []):  # where the communities and compounds came from
        print(f"units        {source}")
    for w in result.warnings:
        print(f"note         {w}")
