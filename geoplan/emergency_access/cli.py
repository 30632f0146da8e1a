"""``geoplan access``: the emergency access audit from the command line.

Writes ``access/buildings.csv``, ``access/obstructions.csv``, ``access/critical_links.csv``,
``access/dead_ends.csv``, ``access/access.gpkg`` and ``maps/access.html`` under ``--out``.
Project YAML ``access:`` options: ``vehicle``, ``scenario``, ``obstructions`` (bool),
``routes`` and any vehicle-profile field (``min_width_m``, ``turnout_s``…).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geoplan.emergency_access.passability import VEHICLES, VehicleProfile

HELP = "emergency access audit: fire-truck / ambulance response, blockages, what to clear first"

_PROFILE_FIELDS = {f for f in VehicleProfile.__dataclass_fields__ if f not in ("vehicle", "station_kinds")}
_CONFIG_KEYS = {"vehicle", "scenario", "obstructions", "routes"} | _PROFILE_FIELDS
_EXAMPLE = "e.g. access: {vehicle: fire, routes: affected}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The access options (the common ones are added by :mod:`geoplan.cli`)."""
    g = parser.add_argument_group("access")
    g.add_argument("--vehicle", choices=VEHICLES, default=None, help="vehicle profile (default: fire)")
    g.add_argument("--scenario", metavar="FILE", default=None,
                   help="extra obstructions for a what-if run (GeoJSON, GeoPackage, Shapefile or CSV)")
    g.add_argument("--no-obstructions", dest="no_obstructions", action="store_true", default=False,
                   help="ignore the obstructions layer (the baseline)")


def run(study, args, out: Path, *, config: dict, progress) -> list[Path]:
    """Run the audit, write tables and the map, print a summary; return the files written."""
    from geoplan.emergency_access.audit import access
    from geoplan.config import map_options, section_options

    options = section_options(config, "access", _CONFIG_KEYS, args, ("vehicle", "scenario"), example=_EXAMPLE)
    vehicle = options.pop("vehicle", "fire")
    scenario = options.pop("scenario", None)
    if scenario and config.get("_path") and not Path(scenario).is_absolute() and not getattr(args, "scenario", None):
        scenario = str(Path(config["_path"]).parent / scenario)
    obstructions = options.pop("obstructions", True)
    use_obstructions = not getattr(args, "no_obstructions", False) and obstructions
    routes = options.pop("routes", "affected")
    result = access(study, vehicle=vehicle, scenario=scenario, obstructions=use_obstructions, routes=routes,
                    progress=progress, **options)
    written = result.to_file(out)

    progress("drawing the access map")
    written.append(result.to_map(**map_options(args, config, study)).to_html(out / "maps" / "access.html"))
    print(result.summary_text())
    return written


def check(args, config: dict, preset) -> None:
    """Reject unknown access options and a missing scenario file before any data is loaded."""
    from geoplan.config import section_options
    from geoplan.errors import InputError

    options = section_options(config, "access", _CONFIG_KEYS, args, ("vehicle", "scenario"), example=_EXAMPLE)
    scenario = options.get("scenario")
    if scenario and config.get("_path") and not Path(scenario).is_absolute() and not getattr(args, "scenario", None):
        scenario = str(Path(config["_path"]).parent / scenario)
    if scenario and not Path(scenario).is_file():
        raise InputError("scenario file not found", source=scenario,
                         fix="check the path given to --scenario (or access: scenario: in the project file)")
