"""``geoplan coverage``: the 15-minute life-circle coverage from the command line.

Options may also come from the project YAML (``coverage:`` section: ``mode``, ``speed``,
``profile``, ``categories``, ``per_facility``, ``horizon_m``, ``service_area_buffer_m``,
``gap_join_m``); the command line wins.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geoplan._memory import release_free_memory
from geoplan.config import map_options, section_options
from geoplan.errors import InputError
from geoplan.i18n import message, translator
from geoplan.maps._i18n import label

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
    g.add_argument("--profile", choices=["adult", "elderly", "wheelchair"], default=None,
                   help="whose walking speed and thresholds the main figures use (default adult; "
                        "elderly figures are always added; wheelchair: elderly speed, no steps, "
                        "no wheelchair=no ways, tagged raised kerbs avoided)")
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
        raise InputError(message("walking speed {value!r} is not a number", value=value),
                         fix=message("e.g. {example}", example="--speed 1.2")) from None


def run(study, args, out: Path, *, config: dict, progress) -> list[Path]:
    """Run the coverage analysis, write its tables, GeoPackage and map; return the paths."""
    from geoplan.life_circle.analysis import coverage, parse_categories

    opts = _options(args, config)
    source = "--categories" if getattr(args, "categories", None) is not None else config.get("_path")
    opts["categories"] = parse_categories(opts.get("categories"), study.preset.categories, source=source)
    if opts.get("speed") is not None:
        opts["speed"] = _speed(opts["speed"])
    result = coverage(study, progress=progress, **opts)
    release_free_memory()  # the searches and rasters are gone: the tables should not grow on top of them

    options = map_options(args, config, study)
    written = result.to_file(out, lang=options.get("lang"))
    progress(message("drawing the coverage map"))
    from geoplan.maps.overview import write_maps

    written += write_maps(result.to_map, out / "maps", "coverage", features=result.residents,
                          communities=study.communities, options=options)
    print_summary(result, lang=options.get("lang"))
    return written


def _pct(v: float) -> str:
    return "–" if v != v else f"{v * 100:.1f}%"


def summary_lines(result, *, lang: str | None = "en") -> list[str]:
    """The command-line summary, each line a whole sentence in ``lang``."""
    from geoplan.life_circle.map import PROFILE_NAMES, render_note

    tr = translator(lang)
    p = result.parameters
    profile = tr.gettext(PROFILE_NAMES.get(p["profile"], p["profile"]))
    if p["mode"] == "time":
        head = message("coverage: walking time, {profile} profile at {speed:g} m/s, preset {preset}",
                       profile=profile, speed=float(p["speed_mps"]), preset=p["preset"])
    else:
        head = message("coverage: walking network distance, {profile} profile, preset {preset}",
                       profile=profile, preset=p["preset"])
    lines = [tr.render(head)]
    for row in result.summary[result.summary["community"] == "ALL"].itertuples(index=False):
        lines.append("  " + tr.render(message(
            "{category}: {share} of people within {tier_m:.0f} m (elderly within {elderly_tier_m:.0f} m: "
            "{elderly_share}), {facilities} facilities", category=label(row.category, tr.lang, prefix="cat."),
            share=_pct(row.covered_share), tier_m=row.tier_m, elderly_tier_m=row.elderly_tier_m,
            elderly_share=_pct(row.elderly_covered_share), facilities=row.facilities)))
        if getattr(row, "item", ""):
            lines.append("    " + tr.render(message("standard item: {item}", item=row.item)))
    lines.append("  " + tr.render(message("complete life circle (every essential category): {share} (elderly {elderly})",
                                          share=_pct(result.complete_share()),
                                          elderly=_pct(result.complete_share(elderly=True)))))
    for g in result.gaps.head(5).itertuples(index=False):
        lines.append("  " + tr.render(message("gap {gap_id}: {category}, {people:,.0f} people in {residences} "
                                              "residences ({community})", gap_id=g.gap_id,
                                              category=label(g.category, tr.lang, prefix="cat."),
                                              people=g.population, residences=g.residents, community=g.community)))
    lines += [tr.render(message("reporting units: {source}", source=tr.gettext(source)))
              for source in p.get("units_source", [])]
    lines += [tr.render(message("note: {text}", text=render_note(w, tr.lang))) for w in result.warnings]
    return lines


def print_summary(result, *, lang: str | None = "en") -> None:
    """Print :func:`summary_lines`."""
    for line in summary_lines(result, lang=lang):
        print(line)
