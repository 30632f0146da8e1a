"""Turn a file's attribute columns into the schema of its role.

Each role keeps its schema columns only (plus ``note``), typed: text as ``str`` with ``""``
for missing, numbers as ``float`` with NaN for missing, flags as ``bool``. Every problem names
the file and the first bad row, and says what to write instead.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.errors import InputError
from geoplan.i18n import Message, message
from geoplan.layers._schema import (OBSTRUCTION_ALIASES, OBSTRUCTION_KINDS, SITE_ALIASES, SITE_KINDS,
                                    STATION_ALIASES, STATION_KINDS)

#: Schema columns of each role, in output order (geometry, source and layer_row follow).
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "boundary": ("community", "name_zh", "name_en", "note"),
    "residents": ("population", "name", "elderly_share", "note"),
    "facilities": ("category", "name", "capacity", "note"),
    "stations": ("kind", "name", "turnout_s", "note"),
    "obstructions": ("kind", "name", "keep_open", "width_taken_m", "note"),
    "sites": ("kind", "name", "existing", "usable_share", "area_m2", "note"),
}

#: dtype of each schema column (pandas dtype names).
DTYPES: Mapping[str, str] = {
    "community": "str", "name_zh": "str", "name_en": "str", "name": "str", "note": "str",
    "category": "str", "kind": "str",
    "population": "float64", "elderly_share": "float64", "capacity": "float64", "turnout_s": "float64",
    "width_taken_m": "float64", "usable_share": "float64", "area_m2": "float64",
    "keep_open": "bool", "existing": "bool",
}

_TRUE = frozenset({"true", "yes", "y", "1", "t", "x", "是", "有"})
_FALSE = frozenset({"false", "no", "n", "0", "f", "", "否", "无"})


def _first_row(frame: pd.DataFrame, mask: pd.Series | np.ndarray) -> int:
    return int(frame["layer_row"].to_numpy()[np.asarray(mask, dtype=bool)][0])


def _missing_column(frame: pd.DataFrame, column: str, source: str, fix: Message) -> InputError:
    found = [str(c) for c in frame.columns if c not in ("geometry", "layer_row")]
    what = message("required column {column!r} is missing (columns found: {found})", column=column,
                   found=", ".join(found)) if found else \
        message("required column {column!r} is missing (columns found: none)", column=column)
    return InputError(what, source=source, fix=fix)


def text(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return ``column`` as stripped text, ``""`` where missing or absent."""
    if column not in frame:
        return pd.Series("", index=frame.index, dtype="str")
    values = frame[column]
    out = values.astype("str").str.strip()
    return out.where(values.notna(), "").astype("str")


def number(frame: pd.DataFrame, column: str, source: str, *, required: bool, low: float, high: float,
           unit: str | Message) -> pd.Series:
    """Return ``column`` as float, checking every present value lies in ``[low, high]``.

    Parameters
    ----------
    frame
        The features.
    column
        Column name.
    source
        The file, for messages.
    required
        If True, every row must have a value.
    low, high
        Allowed range (inclusive), in the column's unit.
    unit
        The unit, for messages (e.g. ``"people"``, ``"share 0–1"``).
    """
    if column not in frame:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    raw = frame[column]
    as_text = raw.astype("str").str.strip() if not pd.api.types.is_numeric_dtype(raw) else raw
    values = pd.to_numeric(as_text, errors="coerce").astype("float64")
    blank = raw.isna() | (raw.astype("str").str.strip() == "")
    bad = ~blank & values.isna()
    if bad.any():
        raise InputError(message("row {row}: {column} {value!r} is not a number", row=_first_row(frame, bad),
                                 column=column, value=raw[bad].iloc[0]),
                         source=source, fix=message("write {column} as a plain number ({unit})", column=column, unit=unit))
    if required and blank.any():
        raise InputError(message("row {row}: {column} is empty", row=_first_row(frame, blank), column=column),
                         source=source,
                         fix=message("fill in {column} ({unit}) for every row, 0 if none", column=column, unit=unit))
    out_of_range = values.notna() & ((values < low) | (values > high))
    if out_of_range.any():
        raise InputError(message("row {row}: {column} {value:g} is outside {low:g}–{high:g}",
                                 row=_first_row(frame, out_of_range), column=column,
                                 value=values[out_of_range].iloc[0], low=low, high=high),
                         source=source, fix=message("write {column} in {unit}", column=column, unit=unit))
    return values.where(~blank, np.nan)


def flag(frame: pd.DataFrame, column: str, source: str, *, default: bool) -> pd.Series:
    """Return ``column`` as bool (yes/no, true/false, 1/0, 是/否); ``default`` where absent."""
    if column not in frame:
        return pd.Series(default, index=frame.index, dtype="bool")
    raw = frame[column]
    if pd.api.types.is_bool_dtype(raw) and not raw.isna().any():
        return raw.astype("bool")
    keys = raw.astype("str").str.strip().str.lower().where(raw.notna(), "")
    known = keys.isin(_TRUE | _FALSE)
    if not known.all():
        raise InputError(message("row {row}: {column} {value!r} is not yes/no", row=_first_row(frame, ~known),
                                 column=column, value=raw[~known].iloc[0]),
                         source=source, fix=message("write {column} as yes or no", column=column))
    return keys.isin(_TRUE).where(keys != "", default).astype("bool")


def choice(frame: pd.DataFrame, column: str, source: str, *, known: Sequence[str],
           aliases: Mapping[str, str], default: str | None) -> pd.Series:
    """Return ``column`` normalised to one of ``known`` (case, spaces and aliases forgiven).

    Raises :class:`InputError` listing the known values when a row has another one, or when
    the column is absent (or a row empty) and there is no ``default``.
    """
    if column not in frame:
        if default is None:
            raise _missing_column(frame, column, source, fix=message("add a column {column} ({choices})", column=column,
                                                                     choices=", ".join(known)))
        return pd.Series(default, index=frame.index, dtype="str")
    keys = text(frame, column).str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    keys = keys.map(lambda k: aliases.get(k, k)).astype("str")
    empty = keys == ""
    if empty.any():
        if default is None:
            raise InputError(message("row {row}: {column} is empty", row=_first_row(frame, empty), column=column),
                             source=source,
                             fix=message("fill in {column} ({choices})", column=column, choices=", ".join(known)))
        keys = keys.where(~empty, default)
    unknown = ~keys.isin(list(known))
    if unknown.any():
        raise InputError(message("row {row}: unknown {column} {value!r}", row=_first_row(frame, unknown), column=column,
                                 value=keys[unknown].iloc[0]),
                         source=source, fix=message("use one of: {choices}", choices=", ".join(known)))
    return keys.astype("str")


def _boundary(frame: pd.DataFrame, source: str, categories: Sequence[str]) -> dict[str, pd.Series]:
    names = next((c for c in ("name", "name_en", "name_zh", "id") if c in frame), None)
    if names is None:
        raise _missing_column(frame, "name", source, fix=message("add a name column (name_zh / name_en optional)"))
    community = text(frame, names)
    empty = community == ""
    if empty.any():
        raise InputError(message("row {row}: the community has no {column}", row=_first_row(frame, empty), column=names),
                         source=source, fix=message("give every community a name"))
    return {"community": community, "name_zh": text(frame, "name_zh"), "name_en": text(frame, "name_en")}


def _residents(frame: pd.DataFrame, source: str, categories: Sequence[str]) -> dict[str, pd.Series]:
    if "population" not in frame:
        raise _missing_column(frame, "population", source,
                              fix=message("add a population column (people per building or point), or leave out the "
                                          "residents file to estimate population from buildings"))
    return {"population": number(frame, "population", source, required=True, low=0, high=1e7, unit=message("people")),
            "name": text(frame, "name"),
            "elderly_share": number(frame, "elderly_share", source, required=False, low=0, high=1,
                                    unit=message("share of residents aged 60+, 0–1"))}


def _facilities(frame: pd.DataFrame, source: str, categories: Sequence[str]) -> dict[str, pd.Series]:
    return {"category": choice(frame, "category", source, known=categories, aliases={}, default=None),
            "name": text(frame, "name"),
            "capacity": number(frame, "capacity", source, required=False, low=0, high=1e7,
                               unit=message("people the facility serves (places, beds), 0 or more"))}


def _stations(frame: pd.DataFrame, source: str, categories: Sequence[str]) -> dict[str, pd.Series]:
    return {"kind": choice(frame, "kind", source, known=STATION_KINDS, aliases=STATION_ALIASES, default=None),
            "name": text(frame, "name"),
            "turnout_s": number(frame, "turnout_s", source, required=False, low=0, high=3600, unit=message("seconds"))}


def _obstructions(frame: pd.DataFrame, source: str, categories: Sequence[str]) -> dict[str, pd.Series]:
    return {"kind": choice(frame, "kind", source, known=OBSTRUCTION_KINDS, aliases=OBSTRUCTION_ALIASES,
                           default=None),
            "name": text(frame, "name"),
            "keep_open": flag(frame, "keep_open", source, default=False),
            "width_taken_m": number(frame, "width_taken_m", source, required=False, low=0, high=50, unit=message("metres"))}


def _sites(frame: pd.DataFrame, source: str, categories: Sequence[str]) -> dict[str, pd.Series]:
    return {"kind": choice(frame, "kind", source, known=SITE_KINDS, aliases=SITE_ALIASES, default="other"),
            "name": text(frame, "name"),
            "existing": flag(frame, "existing", source, default=False),
            "usable_share": number(frame, "usable_share", source, required=False, low=0, high=1,
                                   unit=message("share of the site usable as shelter, 0–1")),
            "area_m2": number(frame, "area_m2", source, required=False, low=0, high=1e9, unit=message("square metres"))}


_BUILDERS: Mapping[str, Callable[[pd.DataFrame, str, Sequence[str]], dict[str, pd.Series]]] = {
    "boundary": _boundary, "residents": _residents, "facilities": _facilities,
    "stations": _stations, "obstructions": _obstructions, "sites": _sites,
}


def to_schema(frame: gpd.GeoDataFrame, role: str, source: str, categories: Sequence[str]) -> gpd.GeoDataFrame:
    """Return ``frame`` with exactly the schema columns of ``role`` (plus geometry and ``layer_row``).

    Parameters
    ----------
    frame
        Features read from one file, lower-cased column names, ``layer_row`` set.
    role
        The role the file plays.
    source
        The file, for messages.
    categories
        Known facility categories.
    """
    columns = _BUILDERS[role](frame, source, categories)
    columns["note"] = text(frame, "note")
    data = {name: columns[name] for name in COLUMNS[role]}
    data["layer_row"] = frame["layer_row"].astype("int64")
    return gpd.GeoDataFrame(data, geometry=frame.geometry, crs=frame.crs)


def empty_layer(role: str, crs: object) -> gpd.GeoDataFrame:
    """Return an empty GeoDataFrame with the role's columns, dtypes and ``crs``."""
    data: dict[str, pd.Series] = {c: pd.Series([], dtype=DTYPES[c]) for c in COLUMNS[role]}
    data["source"] = pd.Series([], dtype="str")
    data["layer_row"] = pd.Series([], dtype="int64")
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
