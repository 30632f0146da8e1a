"""Parked cars on the roads: the width OSM parking tags (or an assumption) take from each road.

Two tagging schemes are read (OSM wiki Key:parking:lane, and Key:parking of 2022):

* ``parking:lane:<side>=parallel|diagonal|perpendicular|no|…`` with the position in
  ``parking:lane:<side>:<orientation>=on_street|half_on_kerb|on_kerb|street_side|…``;
* ``parking:<side>=lane|street_side|on_kerb|half_on_kerb|shoulder|no|separate|yes`` with
  ``parking:<side>:orientation=parallel|diagonal|perpendicular``.

``<side>`` is ``left``, ``right`` or ``both``. Tagged parking is subtracted only from a road whose
width is *measured* (``width``, ``maxwidth``, ``est_width``): a width from the lane count or the
class default describes the moving lanes, beside which the cars are parked. A side with no tag is
*unknown*; with
``--assume-parked one-side|both-sides`` one parallel row is put on one or both unknown sides of
streets of the classes in :data:`geoplan.standards.parking.ASSUME_PARKED_HIGHWAYS`. The widths
taken are in :mod:`geoplan.standards.parking`, with their sources.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from geoplan.standards import parking as std

SIDES = ("left", "right")


def _value(row: dict, *keys: str) -> str | None:
    for k in keys:
        v = row.get(k)
        if v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v).strip():
            return str(v).strip().lower()
    return None


def side_width(row: dict, side: str) -> float | None:
    """Width (m) parked cars take on one side of a way from its tags; ``None`` if the tags say nothing."""
    new = _value(row, f"parking:{side}", "parking:both")
    if new is not None:
        if new in std.NO_PARKING:
            return 0.0
        orientation = _value(row, f"parking:{side}:orientation", "parking:both:orientation") or "parallel"
        return std.ROW_WIDTH_M.get(orientation, std.ROW_WIDTH_M["parallel"]) * std.POSITION_SHARE.get(new, 1.0)
    old = _value(row, f"parking:lane:{side}", "parking:lane:both")
    if old is None:
        return None
    if old not in std.ORIENTATIONS:
        return 0.0 if old in std.NO_PARKING else None  # "marked", "yes"… without an orientation: unknown
    position = _value(row, f"parking:lane:{side}:{old}", f"parking:lane:both:{old}") or "on_street"
    return std.ROW_WIDTH_M[old] * std.POSITION_SHARE.get(position, 1.0)


def _combo_width(combo: tuple, tags: tuple[str, ...]) -> tuple[float, int, int]:
    """(width taken by tags, sides with parked cars, sides unknown) for one combination of tag values."""
    row = dict(zip(tags, combo))
    widths = [side_width(row, s) for s in SIDES]
    known = [w for w in widths if w is not None]
    return float(sum(known)), sum(1 for w in known if w > 0), sum(1 for w in widths if w is None)


def _combinations(edges: pd.DataFrame, tags: tuple[str, ...]) -> tuple[np.ndarray, list[tuple]]:
    """Per edge the index of its combination of ``tags`` values, and the combinations (``None``: absent).

    Worked out from each column's codes (no tuple per edge): a city has few distinct combinations.
    """
    key = np.zeros(len(edges), dtype=np.int64)
    columns = []
    for tag in tags:
        raw = edges[tag].astype(object)
        try:
            codes, values = pd.factorize(raw, use_na_sentinel=True)
        except TypeError:  # unhashable values (lists): by their text
            codes, values = pd.factorize(raw.map(lambda v: v if v is None or v is pd.NA else str(v)))
        columns.append((codes, np.append(np.asarray(values, dtype=object), None)))
        # renumbered after each tag, so the key never overflows; absent (-1) → 0
        key = pd.factorize(key * (len(values) + 1) + (codes + 1))[0].astype(np.int64)
    combo = key
    first = np.unique(key, return_index=True)[1]
    uniq = [tuple(values[codes[i]] for codes, values in columns) for i in first.tolist()]
    return combo.reshape(-1), uniq


def parked_rows(edges: pd.DataFrame, *, assume_parked: str = "none", measured: np.ndarray | None = None) -> pd.DataFrame:
    """Width taken by parked cars on every edge.

    Parameters
    ----------
    edges
        Road edges with ``highway`` and any of :data:`geoplan.standards.parking.PARKING_TAGS`.
    assume_parked
        ``"none"``, ``"one-side"`` or ``"both-sides"`` (rows on unknown sides, whatever the width's source).
    measured
        Edges whose width was measured (tagged); tagged parking is subtracted only there.
        ``None``: every edge.

    Returns
    -------
    pandas.DataFrame
        Aligned with ``edges``: ``parked_m`` (m), ``parked_sides`` (0–2) and ``parking_source``
        (``"osm"``, ``"assumed"``, ``"osm+assumed"`` or ``""``).
    """
    if assume_parked not in std.ASSUMED_ROWS:
        raise ValueError(f"assume_parked must be one of {', '.join(std.ASSUMED_ROWS)}, not {assume_parked!r}")
    n = len(edges)
    tags = tuple(t for t in std.PARKING_TAGS if t in edges)
    taken, sides, unknown = np.zeros(n), np.zeros(n, dtype=np.int64), np.full(n, 2, dtype=np.int64)
    if tags and n:
        codes, uniq = _combinations(edges, tags)
        per = np.array([_combo_width(c, tags) for c in uniq], dtype=float).reshape(-1, 3)
        taken, sides, unknown = per[codes, 0], per[codes, 1].astype(np.int64), per[codes, 2].astype(np.int64)
    if measured is not None:
        keep = np.asarray(measured, dtype=bool)
        taken, sides = np.where(keep, taken, 0.0), np.where(keep, sides, 0)
    source = np.where(taken > 0, "osm", "").astype(object)
    rows = std.ASSUMED_ROWS[assume_parked]
    if rows:
        hw = edges["highway"].astype(object).to_numpy() if "highway" in edges else np.full(n, None, dtype=object)
        eligible = np.isin(hw.astype(str), list(std.ASSUME_PARKED_HIGHWAYS))
        extra = np.where(eligible, np.minimum(rows, unknown), 0)
        taken = taken + extra * std.ROW_WIDTH_M["parallel"]
        sides = sides + extra
        source = np.where(extra > 0, np.where(source == "osm", "osm+assumed", "assumed"), source).astype(object)
    return pd.DataFrame({"parked_m": taken, "parked_sides": sides, "parking_source": source}, index=edges.index)
