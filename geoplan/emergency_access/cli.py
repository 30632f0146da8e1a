"""``geoplan access``: the emergency access audit from the command line.

Writes ``access/buildings.csv``, ``access/obstructions.csv``, ``access/critical_links.csv``,
``access/dead_ends.csv``, ``access/access.gpkg`` and ``maps/access.html`` under ``--out``.
Project YAML ``access:`` options: ``vehicle``, ``scenario``, ``obstructions`` (bool),
``routes``, ``assume_parked`` and any vehicle-profile field (``min_width_m``, ``turnout_s``…).
Tables and the printed summary are in the map's language (``--lang``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from geoplan._memory import release_free_memory
from geoplan.emergency_access.passability import VEHICLES, VehicleProfile
from geoplan.i18n import message
from geoplan.standards.parking import ASSUMED_ROWS

if TYPE_CHECKING:
    import geopandas as gpd

HELP = "emergency access audit: fire-truck / ambulance response, blockages, what to clear first"

_PROFILE_FIELDS = {f for f in VehicleProfile.__dataclass_fields__ if f not in ("vehicle", "station_kinds")}
_CONFIG_KEYS = {"vehicle", "scenario", "obstructions", "routes", "assume_parked", "compounds", "seal",
                "weight"} | _PROFILE_FIELDS
#: Options the command line may override.
_ARG_KEYS = ("vehicle", "scenario", "assume_parked", "compounds", "seal", "weight")
_EXAMPLE = "e.g. access: {vehicle: fire, routes: affected}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The access options (the common ones are added by :mod:`geoplan.cli`)."""
    g = parser.add_argument_group("access")
    g.add_argument("--vehicle", choices=VEHICLES, default=None, help="vehicle profile (default: fire)")
    g.add_argument("--scenario", metavar="FILE", default=None,
                   help="extra obstructions for a what-if run (GeoJSON, GeoPackage, Shapefile or CSV)")
    g.add_argument("--no-obstructions", dest="no_obstructions", action="store_true", default=False,
                   help="ignore the obstructions layer (the baseline)")
    g.add_argument("--assume-parked", dest="assume_parked", choices=tuple(ASSUMED_ROWS), default=None,
                   help="put parked cars on streets whose parking OSM does not describe, to see which buildings "
                        "depend on lanes kept clear (default: none)")
    g.add_argument("--compounds", metavar="FILE", default=None,
                   help="residential compounds: named polygons (GeoJSON, GeoPackage, Shapefile); writes compounds.csv")
    g.add_argument("--weight", choices=("residents", "vulnerable"), default=None,
                   help="rank obstructions and gates by the residents (default) or the elderly and disabled "
                        "residents their clearing restores")
    g.add_argument("--seal", metavar="NAME[,NAME…]|all", default=None,
                   help="seal these compounds: close every vehicle entrance except gates marked keep_open")


def run(study, args, out: Path, *, config: dict, progress) -> list[Path]:
    """Run the audit, write tables and the map, print a summary; return the files written."""
    from geoplan.emergency_access._text import N_, render
    from geoplan.emergency_access.audit import access
    from geoplan.config import map_options, section_options

    options = section_options(config, "access", _CONFIG_KEYS, args, _ARG_KEYS, example=_EXAMPLE)
    vehicle = options.pop("vehicle", "fire")
    scenario = options.pop("scenario", None)
    if scenario and config.get("_path") and not Path(scenario).is_absolute() and not getattr(args, "scenario", None):
        scenario = str(Path(config["_path"]).parent / scenario)
    obstructions = options.pop("obstructions", True)
    use_obstructions = not getattr(args, "no_obstructions", False) and obstructions
    routes = options.pop("routes", "affected")
    assume_parked = options.pop("assume_parked", None) or "none"
    compounds = read_compounds(options.pop("compounds", None), config, given=getattr(args, "compounds", None))
    result = access(study, vehicle=vehicle, scenario=scenario, obstructions=use_obstructions, routes=routes,
                    assume_parked=assume_parked, compounds=compounds, seal=options.pop("seal", None),
                    weight=options.pop("weight", None) or "residents",
                    progress=progress, **options)
    release_free_memory()  # the audit's searches are gone: the tables should not grow on top of them
    look = map_options(args, config, study)
    written = result.to_file(out, lang=look["lang"])

    progress(render(N_("drawing the access map"), look["lang"]))
    from geoplan.maps.overview import write_maps

    written += write_maps(result.to_map, out / "maps", "access", features=result.buildings,
                          communities=study.communities, options=look)
    print(result.summary_text(look["lang"]))
    return written


def check(args, config: dict, preset) -> None:
    """Reject unknown access options, a missing scenario file and an unreadable compounds file before any
    data is loaded (``--seal`` names are checked once the compounds are known: they may come from OSM)."""
    from geoplan.config import section_options
    from geoplan.errors import InputError

    options = section_options(config, "access", _CONFIG_KEYS, args, _ARG_KEYS, example=_EXAMPLE)
    scenario = options.get("scenario")
    if scenario and config.get("_path") and not Path(scenario).is_absolute() and not getattr(args, "scenario", None):
        scenario = str(Path(config["_path"]).parent / scenario)
    if scenario and not Path(scenario).is_file():
        raise InputError(message("scenario file not found"), source=scenario,
                         fix=message("check the path given to --scenario (or access: scenario: in the project file)"))
    # a compounds file is small: read it now so its errors come before the OSM extract is loaded
    read_compounds(options.get("compounds"), config, given=getattr(args, "compounds", None))


def read_compounds(path, config: dict, *, given) -> "gpd.GeoDataFrame | None":
    """The compounds file (a path on the command line, or relative to the project file); ``None`` without one."""
    if not path:
        return None
    import geopandas as gpd

    from geoplan.errors import InputError

    if config.get("_path") and not Path(path).is_absolute() and not given:
        path = str(Path(config["_path"]).parent / path)
    if not Path(path).exists():
        raise InputError(message("compounds file not found"), source=path,
                         fix=message("give --compounds a GeoJSON, GeoPackage or Shapefile of named compound polygons"))
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # any reader failure is the file's fault, said in one line
        raise InputError(message("cannot read the compounds file ({detail})", detail=type(exc).__name__), source=path,
                         fix=message("save it as GeoJSON or GeoPackage with polygons and a name column")) from None
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    return frame
