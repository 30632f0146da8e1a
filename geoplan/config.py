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

import codecs
import math
import numbers
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import yaml

from geoplan.errors import InputError
from geoplan.i18n import N_, Message, message
from geoplan.standards import PRESETS, Preset, PresetError, get_preset

_TOP_KEYS = {"preset", "overrides", "osm", "place", "layers", "lang", "basemap", "offline", "encoding", "name",
             "coverage", "access", "sites", "map_detail_limit"}


#: Languages and map backgrounds a project file may name (the CLI offers the same choices).
LANGS: tuple[str, ...] = ("zh", "en")
BASEMAPS: tuple[str, ...] = ("osm", "light", "gaode", "none")


def _read_yaml(path: Path) -> Any:
    if not path.exists():
        raise InputError(message("config file not found"), source=path,
                         fix=message("check the path given to {option}", option="--config"))
    if path.is_dir():
        raise InputError(message("the config is a folder, not a file"), source=path,
                         fix=message("give the project YAML file itself, e.g. {example}", example="--config project.yml"))
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(message("config is not valid UTF-8 YAML ({detail})", detail=str(exc).splitlines()[0][:120]),
                         source=path, fix=message("fix the YAML syntax (indentation, colons) and save it as UTF-8")) from None
    except OSError as exc:
        raise InputError(message("cannot read the config ({detail})", detail=exc.strerror or type(exc).__name__),
                         source=path, fix=message("check the file's permissions")) from None


def load_config(path: str | Path | None) -> dict[str, Any]:
    """Read a project YAML into a dict (empty without a file); paths are made relative to it.

    Every top-level value and every analysis section is checked here, before any data is read
    (:func:`check_project`); a problem is an :class:`InputError` naming the file and the key.
    """
    if path is None:
        return {}
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise InputError(message("config must be a mapping of keys to values"), source=path,
                         fix=message("see the example in the README"))
    unknown = sorted(str(k) for k in data if k not in _TOP_KEYS)
    if unknown:
        raise InputError(message("unknown config keys: {keys}", keys=", ".join(unknown)), source=path,
                         fix=message("use only: {names}", names=", ".join(sorted(_TOP_KEYS))))
    check_project(data, source=path)
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
    chosen = name or config.get("preset", "gb")
    try:
        preset = get_preset(chosen)
    except KeyError:
        raise InputError(message("unknown preset {name!r}; known: {known}", name=chosen, known=", ".join(PRESETS)),
                         source=config.get("_path"), fix=message("use preset: gb or preset: nfpa")) from None
    overrides = config.get("overrides") or {}
    try:
        return preset.with_overrides(overrides)
    except PresetError as exc:
        raise InputError(exc.problem, source=config.get("_path"),
                         fix=message("see the sections of geoplan.standards.Preset (README: Defaults) for names and "
                                     "units")) from None


def map_options(args, config: dict[str, Any], study) -> dict[str, Any]:
    """How to draw maps: command line first, then the project file, then the defaults.

    Returns ``lang`` (default: guessed from the study's names), ``basemap`` (default ``osm``),
    ``offline`` (default ``True``: meeting maps must open with no network) and ``detail_limit``
    (``--map-detail-limit`` / ``map_detail_limit``; ``None``: the drawing default of
    :mod:`geoplan.maps.overview`).
    """
    from geoplan.maps.basemap import extract_basemap

    offline = getattr(args, "offline", None)
    return {
        "lang": getattr(args, "lang", None) or config.get("lang") or study.lang,
        # every map draws the extract's own streets, water, green and buildings (tiles optional on top)
        "basemap": extract_basemap(study, tiles=getattr(args, "basemap", None) or config.get("basemap") or "osm"),
        "offline": offline if offline is not None else bool(config.get("offline", True)),
        "detail_limit": _detail_limit(args, config),
    }


def _detail_limit(args, config: dict[str, Any]) -> int | None:
    """``--map-detail-limit`` or the project file's ``map_detail_limit``: a whole number ≥ 0, or unset."""
    value = getattr(args, "map_detail_limit", None)
    source = "--map-detail-limit"
    if value is None:
        value, source = config.get("map_detail_limit"), config.get("_path")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"map detail limit {value!r} is not a whole number of buildings", source=source,
                         fix="e.g. --map-detail-limit 2000 (0 draws every map as aggregates)")
    return value


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
        raise InputError(message("the {section} section of the config must be a mapping", section=name),
                         source=config.get("_path"),
                         # callers give the example whole ("e.g. sites: {…}"); the "e.g." is translated
                         fix=message("e.g. {example}", example=(example or f"{name}: {{key: value}}").removeprefix("e.g. ")))
    allowed = set(allowed_keys)
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise InputError(message("unknown {section} options in the config: {keys}", section=name, keys=", ".join(unknown)),
                         source=config.get("_path"), fix=message("use only: {names}", names=", ".join(sorted(allowed))))
    opts = dict(section)
    for key in arg_keys:
        value = getattr(args, key, None)
        if value is not None:
            opts[key] = value
    return opts


# -- checking a project file and the command line before any data is read ------------------------

def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value))


def _fail(key: str, problem: str, source, fix: str | Message, **params: Any) -> InputError:
    """The error of one value; ``problem`` is a whole-sentence msgid starting with ``{key}``.

    ``{key}`` is shown as ``sites.radius_m:`` for a key of the file and as ``--radius`` for an
    option of the command line ("sites.radius_m: must be …", "--radius must be …"), so one
    sentence serves both.
    """
    shown = key if key.startswith("--") else f"{key}:"
    return InputError(message(problem, key=shown, **params), source=source, fix=fix)


def _shown(value: Any) -> str:
    """A value as the user wrote it, cut short (a pasted table must not flood the error line)."""
    return repr(value)[:160]


#: What to write instead, for values that must be a text.
_TEXT_HINTS: Mapping[str, str] = {
    "osm": N_("write osm: the path of the .osm or .osm.pbf file (relative to the project file)"),
    "place": N_("write place: a place name, e.g. place: 海淀区, 北京市"),
    "name": N_("write name: the study's title as one text (in quotes if it looks like a number)"),
    "encoding": N_("write encoding: gbk (or another text encoding)"),
    "access.scenario": N_("write scenario: the path of an obstructions file"),
}
_ENCODING_HINT = N_("use a name such as utf-8, gbk or gb18030")


def _text(key: str, value: Any, source, *, choices: Sequence[str] | None = None) -> None:
    if not isinstance(value, str) or not value.strip():
        hint = message("write {key}: {first} (one of {choices})", key=key, first=choices[0], choices=", ".join(choices)) \
            if choices else _TEXT_HINTS.get(key) or message("write {key} as a text", key=key)
        raise _fail(key, N_("{key} must be a text, not {value}"), source, hint, value=_shown(value))
    if choices is not None and value not in choices:
        raise _fail(key, N_("{key} unknown value {value}"), source,
                    message("use one of: {choices}", choices=", ".join(choices)), value=_shown(value))


def _number(key: str, value: Any, source, *, zero_ok: bool = False, integer: bool = False) -> None:
    if not _is_number(value) or (integer and float(value) != int(value)):
        if integer:
            raise _fail(key, N_("{key} must be a whole number, not {value}"), source,
                        message("write {key} as a whole number, e.g. {key}: 5", key=key), value=_shown(value))
        raise _fail(key, N_("{key} must be a number, not {value}"), source,
                    message("write {key} as a number, e.g. {key}: 5", key=key), value=_shown(value))
    if value < 0 and zero_ok:
        raise _fail(key, N_("{key} must be zero or more, not {value:g}"), source,
                    message("give {key} a non-negative value", key=key), value=value)
    if value <= 0 and not zero_ok:
        raise _fail(key, N_("{key} must be greater than zero, not {value:g}"), source,
                    message("give {key} a positive value", key=key), value=value)


def _flag(key: str, value: Any, source) -> None:
    if not isinstance(value, bool):
        raise _fail(key, N_("{key} must be true or false, not {value}"), source,
                    message("write {key}: true or {key}: false", key=key), value=_shown(value))


def _names(key: str, value: Any, source) -> None:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) and v.strip() for v in items):
        example = f"{key}: [health, market]"
        raise _fail(key, N_("{key} must be a list of names, not {value}"), source,
                    message("e.g. {example}", example=example), value=_shown(value))


def _shares(key: str, value: Any, source) -> None:
    if not isinstance(value, dict) or not all(isinstance(k, str) and _is_number(v) and 0 <= v <= 1
                                              for k, v in value.items()):
        example = f"{key}: {{park: 0.5, square: 0.8}}"
        raise _fail(key, N_("{key} must map site kinds to shares between 0 and 1, not {value}"), source,
                    message("e.g. {example}", example=example), value=_shown(value))


def _encoding(key: str, value: Any, source) -> None:
    _text(key, value, source)
    try:
        info = codecs.lookup(value.strip())
    except LookupError:
        raise _fail(key, N_("{key} unknown text encoding {value!r}"), source, _ENCODING_HINT, value=value) from None
    if not getattr(info, "_is_text_encoding", True):
        raise _fail(key, N_("{key} {value!r} is not a text encoding"), source, _ENCODING_HINT, value=value)


def _choice(*choices: str):
    return lambda key, value, source: _text(key, value, source, choices=choices)


def _count(zero_ok: bool = True):
    return lambda key, value, source: _number(key, value, source, zero_ok=zero_ok, integer=True)


_POSITIVE = _number
_NON_NEGATIVE = lambda key, value, source: _number(key, value, source, zero_ok=True)  # noqa: E731

#: How each value of the project file is checked: top-level keys, then each analysis section.
#: Keys a section accepts are listed by its analysis (``section_options``); unknown ones are
#: refused there, so a new option of an analysis needs no change here.
_TOP_RULES: Mapping[str, Callable] = {
    "preset": _choice(*PRESETS), "osm": _text, "place": _text, "lang": _choice(*LANGS),
    "basemap": _choice(*BASEMAPS), "offline": _flag, "encoding": _encoding, "name": _text,
    "map_detail_limit": _count(),
}
_SECTION_RULES: Mapping[str, Mapping[str, Callable]] = {
    "coverage": {"mode": _choice("distance", "time"), "speed": _POSITIVE, "profile": _choice("adult", "elderly"),
                 "categories": _names, "per_facility": _flag, "horizon_m": _POSITIVE,
                 "service_area_buffer_m": _NON_NEGATIVE, "gap_join_m": _NON_NEGATIVE},
    "access": {"vehicle": _choice("fire", "ambulance"), "scenario": _text, "obstructions": _flag,
               "routes": _choice("affected", "all", "none"), "min_width_m": _NON_NEGATIVE,
               "min_height_m": _NON_NEGATIVE, "turnout_s": _NON_NEGATIVE, "target_drive_s": _POSITIVE,
               "last_leg_m": _NON_NEGATIVE},
    "sites": {"kind": _choice("emergency", "fixed"), "model": _choice("mclp", "lscp", "pmedian"), "k": _count(),
              "capacitated": _flag, "time_limit": _POSITIVE, "radius_m": _POSITIVE, "curve_k": _count(),
              "usable_share": _shares, "min_width_m": _NON_NEGATIVE, "split": _flag},
}
#: Command-line options checked the same way (attribute → its name on the command line, rule).
_ARG_RULES: Mapping[str, tuple[str, Callable]] = {
    "speed": ("--speed", _POSITIVE), "k": ("--k", _count()), "time_limit": ("--time-limit", _POSITIVE),
    "radius_m": ("--radius", _POSITIVE), "encoding": ("--encoding", _encoding),
}


def check_project(data: Mapping[str, Any], *, source) -> None:
    """Check every value of a project file against its type and range, before any data is read.

    Raises
    ------
    InputError
        Naming the file and the (dotted) key: ``osm: 123``, ``layers: 5``, ``name: [a, b]``,
        ``lang: fr``, ``sites: {radius_m: -5}``, a section that is not a mapping…
    """
    for key, rule in _TOP_RULES.items():
        if data.get(key) is not None:
            rule(key, data[key], source)
    layers = data.get("layers")
    if layers is not None:
        items = layers if isinstance(layers, list) else [layers]
        if not items or not all(isinstance(v, str) and v.strip() for v in items):
            raise _fail("layers", N_("{key} must be a folder or a list of folders, not {value}"), source,
                        message("e.g. {example} (paths relative to the project file)", example="layers: [layers/]"),
                        value=_shown(layers))
    if data.get("overrides") is not None and not isinstance(data["overrides"], dict):
        raise _fail("overrides", N_("{key} must be a mapping of names to values, not {value}"), source,
                    message("e.g. {example}", example="overrides: {residents: {floor_area_per_person_m2: 30}}"),
                    value=_shown(data["overrides"]))
    for section, rules in _SECTION_RULES.items():
        values = data.get(section)
        if values is None:
            continue
        if not isinstance(values, dict):
            example = f"{section}: {{key: value}}"
            raise _fail(section, N_("{key} the {section} section must be a mapping, not {value}"), source,
                        message("e.g. {example}", example=example), section=section, value=_shown(values))
        for key, value in values.items():
            if key in rules and value is not None:
                rules[key](f"{section}.{key}", value, source)


def check_arguments(args) -> None:
    """Check the command line's numbers and names (argparse checks only their syntax)."""
    for attribute, (flag, rule) in _ARG_RULES.items():
        value = getattr(args, attribute, None)
        if value is not None:
            rule(flag, value, None)
    categories = getattr(args, "categories", None)
    if categories is not None:
        _names("--categories", categories, None)
