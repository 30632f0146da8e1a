"""Project YAML: the preset, its overrides, inputs and per-analysis options in one file.

Example ``project.yml``::

    name: 海淀区某街道 应急空间评估    # map titles (default: the OSM file name)
    preset: gb                    # or nfpa
    overrides:                    # any value of a preset section (see geoplan.standards)
      residents: {floor_area_per_person_m2: 30}
      vehicles: {fire: {turnout_s: 90}}
      fire_min_width_m: 4.0       # the flat names of geoplan 0.1 still work
    osm: data/haidian.osm.pbf
    layers: [layers/]
    lang: zh
    coverage: {categories: [health, market, park]}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import yaml

from geoplan.errors import InputError
from geoplan.standards import Preset, PresetError, get_preset

_TOP_KEYS = {"preset", "overrides", "osm", "place", "layers", "lang", "basemap", "offline", "encoding", "name",
             "coverage", "access", "sites"}


def load_config(path: str | Path | None) -> dict[str, Any]:
    """Read a project YAML into a dict (empty without a file); paths are made relative to it."""
    if path is None:
        return {}
    path = Path(path)
    if not path.exists():
        raise InputError("config file not found", source=path, fix="check the path given to --config")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"config is not valid UTF-8 YAML ({str(exc).splitlines()[0]})", source=path,
                         fix="fix the YAML syntax (indentation, colons) and save it as UTF-8") from exc
    if not isinstance(data, dict):
        raise InputError("config must be a mapping of keys to values", source=path, fix="see the example in the README")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise InputError(f"unknown config keys: {', '.join(unknown)}", source=path,
                         fix=f"use only: {', '.join(sorted(_TOP_KEYS))}")
    base = path.parent
    if data.get("osm"):
        data["osm"] = str((base / data["osm"]).resolve())
    if data.get("layers"):
        layers = data["layers"] if isinstance(data["layers"], list) else [data["layers"]]
        data["layers"] = [str((base / p).resolve()) for p in layers]
    data["_path"] = str(path)
    return data


def preset_from_config(config: dict[str, Any], name: str | None = None) -> Preset:
    """The preset named in the config (or ``name``), with the config's overrides applied."""
    try:
        preset = get_preset(name or config.get("preset", "gb"))
    except KeyError as exc:
        raise InputError(str(exc.args[0]), source=config.get("_path"), fix="use preset: gb or preset: nfpa") from None
    overrides = config.get("overrides") or {}
    try:
        return preset.with_overrides(overrides)
    except PresetError as exc:
        raise InputError(f"{exc.path}: {exc.problem}", source=config.get("_path"),
                         fix="see the sections of geoplan.standards.Preset (README: Defaults) for names and units") from None


def map_options(args, config: dict[str, Any], study) -> dict[str, Any]:
    """How to draw maps: command line first, then the project file, then the defaults.

    Returns ``lang`` (default: guessed from the study's names), ``basemap`` (default ``osm``)
    and ``offline`` (default ``True``: meeting maps must open with no network).
    """
    from geoplan.maps.basemap import extract_basemap

    offline = getattr(args, "offline", None)
    return {
        "lang": getattr(args, "lang", None) or config.get("lang") or study.lang,
        # every map draws the extract's own streets, water, green and buildings (tiles optional on top)
        "basemap": extract_basemap(study, tiles=getattr(args, "basemap", None) or config.get("basemap") or "osm"),
        "offline": offline if offline is not None else bool(config.get("offline", True)),
    }


def section_options(config: dict[str, Any], name: str, allowed_keys: Iterable[str], args,
                    arg_keys: Iterable[str], *, example: str | None = None) -> dict[str, Any]:
    """An analysis's options: its section of the project file, overlaid by the command line.

    Parameters
    ----------
    config : dict
        The project file as read by :func:`load_config` (``{}`` without one).
    name : str
        The section (``"coverage"``, ``"access"``, ``"sites"``).
    allowed_keys : iterable of str
        Keys the section may have; any other is an :class:`~geoplan.errors.InputError`.
    args : argparse.Namespace
        The command line; attributes missing or ``None`` leave the file's value.
    arg_keys : iterable of str
        The attributes of ``args`` that override the section's key of the same name.
    example : str, optional
        An example section shown in the error when the section is not a mapping.

    Returns
    -------
    dict
        A new dict (the config is not changed).
    """
    section = config.get(name) or {}
    if not isinstance(section, dict):
        raise InputError(f"the {name} section of the config must be a mapping", source=config.get("_path"),
                         fix=example or f"e.g. {name}: {{key: value}}")
    allowed = set(allowed_keys)
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise InputError(f"unknown {name} options in the config: {', '.join(unknown)}",
                         source=config.get("_path"), fix=f"use only: {', '.join(sorted(allowed))}")
    opts = dict(section)
    for key in arg_keys:
        value = getattr(args, key, None)
        if value is not None:
            opts[key] = value
    return opts
