"""The :class:`Preset`: every default of every analysis, composed of sections, overridable.

A project file overrides any value, by section (``vehicles: {fire: {turnout_s: 90}}``) or by the
flat names of geoplan 0.1 (``fire_turnout_s: 90``; :data:`FLAT_NAMES` lists them). A list of rules
(``facility_tags``, ``facility_names``) is replaced by a list, or extended with ``{add: [...]}``,
whose rules are tried before the preset's own. Overrides are
checked leaf by leaf against the type of the default they replace, so a string where a number
belongs, or a zero floor area, is refused with the dotted path of the value.
"""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass, field
from typing import Any, Mapping

from geoplan.i18n import message
from geoplan.standards import facilities
from geoplan.standards.sections import (AMBULANCE, FIRE, LifeCircle, Passability, Residents, Shelter, Shelters,
                                        Vehicle)


class PresetError(ValueError):
    """An override that does not fit the preset; ``path`` is its dotted name.

    ``problem`` is the whole sentence, naming ``path`` (a :class:`~geoplan.i18n.Message`, so the
    project-file error reads in the run's language).
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(str(problem))


def _shown(value: Any) -> str:
    """A value as the user wrote it, cut short (a pasted table must not flood the error line)."""
    return repr(value)[:160]


@dataclass(frozen=True)
class Preset:
    """Every default of an analysis, with the standard it comes from (see each section)."""

    name: str = "gb"
    citation: str = "GB 50180-2018; GB 50016-2014; GB 55037-2022; GB 51080-2015; GB 21734-2008; GB 50413-2007"
    life_circle: LifeCircle = field(default_factory=LifeCircle)
    residents: Residents = field(default_factory=Residents)
    vehicles: Mapping[str, Vehicle] = field(default_factory=lambda: {"fire": FIRE, "ambulance": AMBULANCE})
    passability: Passability = field(default_factory=Passability)
    shelters: Shelters = field(default_factory=Shelters)
    #: Facility classification, tags first then names (:mod:`geoplan.standards.facilities`).
    facility_tags: tuple[tuple[str, str, tuple[str, ...]], ...] = facilities.FACILITY_TAG_RULES
    facility_names: tuple[tuple[str, str, str], ...] = facilities.FACILITY_NAME_RULES
    #: Farthest a building, facility or site may stand from its street and still be analysed (m).
    max_snap_m: float = 500.0
    #: A polygon facility or site is entered from every walkable segment inside it or within this
    #: distance of its outline (m): a footway along a park's fence, a street past a campus wall.
    #: 20 m spans a pavement, a verge and a fence line (a mapping tolerance, not a planning standard).
    entry_distance_m: float = 20.0

    # -- reading ------------------------------------------------------------------------
    @property
    def categories(self) -> tuple[str, ...]:
        """Known facility categories, in the order of the circle table."""
        return tuple(self.life_circle.circle_of_category)

    def tier_min(self, category: str) -> int:
        """The life-circle tier (minutes) a category belongs to."""
        return int(self.life_circle.circle_of_category[category][0])

    def tier_m(self, category: str) -> float:
        """Walking network distance (m) of the life circle a category belongs to."""
        return float(self.life_circle.circle_distance_m[self.tier_min(category)])

    def vehicle(self, name: str) -> Vehicle:
        """The :class:`Vehicle` section of ``"fire"`` or ``"ambulance"``."""
        return self.vehicles[name]

    def as_dict(self) -> dict[str, Any]:
        """Plain-dict form for manifests (JSON-serialisable)."""
        return _plain(self)

    # -- changing -----------------------------------------------------------------------
    def with_overrides(self, overrides: Mapping[str, Any]) -> "Preset":
        """Return a copy with values replaced, by section or by flat 0.1 names.

        Raises
        ------
        PresetError
            An unknown name, or a value of the wrong type or range; ``path`` names it.
        """
        if not isinstance(overrides, Mapping):
            raise PresetError("overrides", message("{path}: must be a mapping of names to values", path="overrides"))
        nested: dict[str, Any] = {}
        for key, value in overrides.items():
            path = FLAT_NAMES.get(key, (key,))
            _set_path(nested, path, value)
        return _merge(self, nested, "overrides")


#: Flat override names of geoplan 0.1 → their place in the sections (kept so old project files work).
FLAT_NAMES: Mapping[str, tuple[str, ...]] = {
    "circle_distance_m": ("life_circle", "circle_distance_m"),
    "circle_of_category": ("life_circle", "circle_of_category"),
    "walk_speed_mps": ("life_circle", "walk_speed_mps"),
    "walk_speed_elderly_mps": ("life_circle", "walk_speed_elderly_mps"),
    "floor_area_per_person_m2": ("residents", "floor_area_per_person_m2"),
    "default_levels": ("residents", "default_levels"),
    "min_residential_footprint_m2": ("residents", "min_residential_footprint_m2"),
    **{f"{v}_{name}": ("vehicles", v, name) for v in ("fire", "ambulance")
       for name in ("min_width_m", "min_height_m", "turnout_s", "target_drive_s")},
    "hose_length_m": ("vehicles", "fire", "last_leg_m"),
    "stretcher_length_m": ("vehicles", "ambulance", "last_leg_m"),
    "dead_end_max_m": ("passability", "dead_end_max_m"),
    "obstruction_snap_m": ("passability", "obstruction_snap_m"),
    "drive_speed_kph": ("passability", "drive_speed_kph"),
    **{f"shelter_{kind}_{name}": ("shelters", kind, name) for kind in ("emergency", "fixed")
       for name in ("m2_per_person", "radius_m", "min_site_m2")},
}

#: Leaves that may be zero (shares, counts); every other number must be positive.
_MAY_BE_ZERO = frozenset({"turnout_s", "usable_share", "part_share", "min_width_m", "min_residential_footprint_m2"})
#: Leaves that are fractions (0–1).
_SHARES = frozenset({"usable_share", "part_share"})


def _set_path(tree: dict, path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        tree = tree.setdefault(part, {})
    if isinstance(tree.get(path[-1]), dict) and isinstance(value, Mapping):
        tree[path[-1]].update(value)
    else:
        tree[path[-1]] = value


def _merge(current: Any, value: Any, path: str) -> Any:
    """``current`` with ``value`` laid over it, checked against ``current``'s types."""
    if dataclasses.is_dataclass(current):
        if not isinstance(value, Mapping):
            raise PresetError(path, message("{path}: must be a mapping of {names}", path=path,
                                            names=", ".join(f.name for f in dataclasses.fields(current))))
        known = {f.name for f in dataclasses.fields(current)}
        unknown = sorted(str(k) for k in value if k not in known)
        if unknown:
            where = f"{path}.{unknown[0]}"
            raise PresetError(where, message("{path}: unknown name; known here: {names}", path=where,
                                             names=", ".join(sorted(known))))
        return dataclasses.replace(current, **{k: _merge(getattr(current, k), v, f"{path}.{k}")
                                               for k, v in value.items()})
    leaf = path.rsplit(".", 1)[-1]
    if isinstance(current, Mapping):
        return _merge_mapping(current, value, path, leaf)
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise PresetError(path, message("{path}: must be true or false, not {value}", path=path, value=_shown(value)))
        return value
    if isinstance(current, numbers.Real):
        return _number(value, path, leaf, integer=isinstance(current, int))
    if isinstance(current, str):
        if not isinstance(value, str) or not value.strip():
            raise PresetError(path, message("{path}: must be a text, not {value}", path=path, value=_shown(value)))
        return value
    if isinstance(current, tuple):
        if isinstance(value, Mapping) and set(value) == {"add"}:  # rules tried before the preset's own
            value = [*value["add"], *current] if isinstance(value["add"], (list, tuple)) else value["add"]
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise PresetError(path, message("{path}: must be a list (or {example} to put rules before the "
                                            "preset's), not {value}", path=path, example="{add: [...]}",
                                            value=_shown(value)))
        return _tuple_like(value)
    raise PresetError(path, message("{path}: cannot be overridden", path=path))


def _merge_mapping(current: Mapping, value: Any, path: str, leaf: str) -> dict:
    if not isinstance(value, Mapping):
        raise PresetError(path, message("{path}: must be a mapping, not {value}", path=path, value=_shown(value)))
    merged = dict(current)
    sample = next(iter(current.values()), None)
    for k, v in value.items():
        key = k
        if current and isinstance(next(iter(current)), int):
            key = _number(k, f"{path}.{k}", "key", integer=True)
        old = current.get(key, sample)
        if dataclasses.is_dataclass(old):
            merged[key] = _merge(old, v, f"{path}.{k}")
        elif old is None:
            merged[key] = v
        else:
            merged[key] = _merge(old, v, f"{path}.{k}")
            if leaf in _SHARES and not 0 <= merged[key] <= 1:
                where = f"{path}.{k}"
                raise PresetError(where, message("{path}: must be a share between 0 and 1, not {value}", path=where,
                                                 value=_shown(v)))
    return merged


def _number(value: Any, path: str, leaf: str, *, integer: bool) -> float | int:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise PresetError(path, message("{path}: must be a number, not {value}", path=path, value=_shown(value)))
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise PresetError(path, message("{path}: must be a finite number, not {value}", path=path,
                                        value=_shown(value)))
    parent = path.split(".")
    zero_ok = leaf in _MAY_BE_ZERO or any(p in _MAY_BE_ZERO for p in parent)
    if value < 0 or (value == 0 and not zero_ok):
        raise PresetError(path, message("{path}: must be zero or more, not {value:g}", path=path, value=value)
                          if zero_ok else
                          message("{path}: must be greater than zero, not {value:g}", path=path, value=value))
    if integer:
        if value != int(value):
            raise PresetError(path, message("{path}: must be a whole number, not {value:g}", path=path, value=value))
        return int(value)
    return value


def _tuple_like(value) -> tuple:
    return tuple(_tuple_like(v) if isinstance(v, (list, tuple)) else v for v in value)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list, frozenset, set)):
        return [_plain(v) for v in value]
    return value


__all__ = ["FLAT_NAMES", "Preset", "PresetError", "Shelter"]
