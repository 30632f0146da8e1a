"""Project YAML: the preset, its overrides, inputs and per-analysis options in one file.

Example ``project.yml``::

    name: 海淀区某街道 应急空间评估    # map titles (default: the OSM file name)
    preset: gb                    # or nfpa
    overrides:                    # any Preset field (see geoplan.standards.Preset)
      floor_area_per_person_m2: 30
      fire_min_width_m: 4.0
    osm: data/haidian.osm.pbf
    layers: [layers/]
    lang: zh
    coverage: {categories: [health, market, park]}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from geoplan.errors import InputError
from geoplan.standards import Preset, get_preset

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
    except KeyError as exc:
        raise InputError(f"unknown preset fields: {exc.args[0]}", source=config.get("_path"),
                         fix="see geoplan.standards.Preset for the field names") from None


def map_options(args, config: dict[str, Any], study) -> dict[str, Any]:
    """How to draw maps: command line first, then the project file, then the defaults.

    Returns ``lang`` (default: guessed from the study's names), ``basemap`` (default ``osm``)
    and ``offline`` (default ``True``: meeting maps must open with no network).
    """
    offline = getattr(args, "offline", None)
    return {
        "lang": getattr(args, "lang", None) or config.get("lang") or study.lang,
        "basemap": getattr(args, "basemap", None) or config.get("basemap") or "osm",
        "offline": offline if offline is not None else bool(config.get("offline", True)),
    }
