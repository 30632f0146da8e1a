"""Can an emergency vehicle use a road? Widths, heights, access tags and barriers, per vehicle.

Every directed edge of the drive network is judged once per vehicle profile. The judgement
keeps *why*: ``width_source`` says where the road's width came from (a tag, the lane count,
or the class default a planner should replace with survey data) and ``reason`` says why an
edge is impassable, so the report can name the bottleneck.

Sources and assumptions
-----------------------
* Fire lanes: clear width ≥ 4.0 m and clear height ≥ 4.0 m — GB 50016-2014 (2018 ed.) 7.1.8.
* Lane width: 3.0 m per lane when only ``lanes`` is known — the lower end of the 3.0–3.75 m
  urban lane widths of CJJ 37-2012 (城市道路工程设计规范) 5.3.2; a lower bound is the safe side
  for a passability check.
* Class defaults (:data:`DEFAULT_WIDTH_M`) are **assumptions**: typical carriageway widths of
  urban Chinese and European streets of that class. Internal compound roads (``service``) are
  assumed built to the fire-lane minimum (4.0 m) that the design code requires of them; a
  planner should replace every default with surveyed widths (add ``width=*`` in OSM or an
  occupied-lane obstruction).
* Access tags and barriers: :data:`ACCESS_RULES` and :data:`BARRIER_RULES` (documented there).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd

from geoplan.standards import Passability, Preset, Vehicle
from geoplan.standards.sections import DEFAULT_WIDTH_M
from geoplan.standards.tags import ACCESS_RULES, BARRIER_RULES, EMERGENCY_YES

#: The tables live in the preset's passability section and in :mod:`geoplan.standards.tags`;
#: the names are kept here for readers of geoplan 0.1.
LANE_WIDTH_M = Passability().lane_width_m
FALLBACK_WIDTH_M = Passability().fallback_width_m
_EMERGENCY_YES = EMERGENCY_YES

_FEET_M = 0.3048
_INCH_M = 0.0254
_NUMBER = r"(\d+(?:[.,]\d+)?)"


def parse_length(value) -> float | None:
    """Parse an OSM width or height value into metres; ``None`` if it cannot be read.

    Accepts ``4``, ``3.5``, ``3,5 m``, ``3.5m``, ``350 cm``, ``12'``, ``12 ft``, ``12'6"``,
    ``12 ft 6 in``; a list ``3;4`` gives the smallest (the binding clearance). Words such as
    ``narrow`` or ``default`` are not read (the caller reports them).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        return v if v > 0 else None
    text = str(value).strip().lower()
    if not text:
        return None
    if ";" in text:
        parts = [parse_length(p) for p in text.split(";")]
        parts = [p for p in parts if p is not None]
        return min(parts) if parts else None
    text = text.replace("″", '"').replace("′", "'").replace("’", "'").replace("''", '"')
    text = text.replace("米", "m").replace("公尺", "m").replace("厘米", "cm").replace("英尺", "ft")
    m = re.fullmatch(_NUMBER + r"\s*(?:'|ft|feet|foot)\s*(?:" + _NUMBER + r"\s*(?:\"|in|inch|inches))?", text)
    if m:
        feet = float(m.group(1).replace(",", "."))
        inches = float(m.group(2).replace(",", ".")) if m.group(2) else 0.0
        v = feet * _FEET_M + inches * _INCH_M
        return v if v > 0 else None
    m = re.fullmatch(_NUMBER + r"\s*(\"|in|inch|inches)", text)
    if m:
        v = float(m.group(1).replace(",", ".")) * _INCH_M
        return v if v > 0 else None
    m = re.fullmatch(r"(?:~|ca\.?\s*|approx\.?\s*)?" + _NUMBER + r"\s*(m|metres|meters|meter|metre|cm|mm)?", text)
    if m:
        v = float(m.group(1).replace(",", "."))
        unit = m.group(2) or "m"
        v = v / 100.0 if unit == "cm" else v / 1000.0 if unit == "mm" else v
        return v if v > 0 else None
    return None


def parse_lanes(value) -> float | None:
    """Number of lanes from an OSM ``lanes`` value (``2``, ``2;3`` → smallest); ``None`` if unreadable."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    parts = []
    for p in str(value).split(";"):
        try:
            n = float(p.strip().replace(",", "."))
        except ValueError:
            continue
        if n > 0:
            parts.append(n)
    return min(parts) if parts else None


#: A vehicle's needs (the preset's :class:`~geoplan.standards.Vehicle` section).
VehicleProfile = Vehicle


VEHICLES: tuple[str, ...] = ("fire", "ambulance")


def vehicle_profile(preset: Preset, vehicle: str = "fire", **overrides) -> VehicleProfile:
    """The preset values for ``vehicle``, with keyword overrides (any :class:`VehicleProfile` field).

    Fire: GB 50016 7.1.8 (4 m × 4 m), GB 51080 4.1.3 (1 min turnout + 4 min driving), hose reach
    from the preset. Ambulance: preset width/height, turnout, target, stretcher distance;
    dispatched from ambulance posts and hospitals.
    """
    if vehicle not in preset.vehicles:
        raise ValueError(f"vehicle must be one of {', '.join(preset.vehicles)}, not {vehicle!r}")
    p = preset.vehicle(vehicle)
    return replace(p, **overrides) if overrides else p


def _blank(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A tag column as lower-case stripped strings, ``None`` where absent."""
    if column not in frame:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    values = [None if _blank(v) or str(v).strip() == "" else str(v).strip().lower()
              for v in frame[column].astype(object).tolist()]
    return pd.Series(values, index=frame.index, dtype=object)


def road_widths(edges: pd.DataFrame) -> pd.DataFrame:
    """Width of every road edge and where it came from.

    Order: the smaller of ``width`` and ``maxwidth`` when either reads as a length, else
    ``est_width``, else ``lanes × LANE_WIDTH_M``, else the class default. A tag that cannot be
    read is reported as ``unparsed:<tag>=<value>`` before the source actually used.

    Returns
    -------
    pandas.DataFrame
        ``width_m`` (m) and ``width_source`` (``width``, ``maxwidth``, ``est_width``, ``lanes``,
        ``default:<highway>``, possibly prefixed by ``unparsed:…; ``), aligned with ``edges``.
    """
    n = len(edges)
    width = np.full(n, np.nan)
    source = np.array([""] * n, dtype=object)
    notes = [[] for _ in range(n)]
    raw = {tag: _text(edges, tag).to_numpy() for tag in ("width", "maxwidth", "est_width", "lanes")}
    parsed = {}
    for tag in ("width", "maxwidth", "est_width", "lanes"):
        parse = parse_lanes if tag == "lanes" else parse_length
        vals = np.full(n, np.nan)
        for i, v in enumerate(raw[tag]):
            if v is None:
                continue
            p = parse(v)
            if p is None:
                notes[i].append(f"unparsed:{tag}={v}")
            else:
                vals[i] = p
        parsed[tag] = vals
    lanes = parsed["lanes"]
    hw = _text(edges, "highway").to_numpy()
    for i in range(n):
        w, mw = parsed["width"][i], parsed["maxwidth"][i]
        if not (np.isnan(w) and np.isnan(mw)):
            if np.isnan(mw) or (not np.isnan(w) and w <= mw):
                width[i], source[i] = w, "width"
            else:
                width[i], source[i] = mw, "maxwidth"
        elif not np.isnan(parsed["est_width"][i]):
            width[i], source[i] = parsed["est_width"][i], "est_width"
        elif not np.isnan(lanes[i]):
            width[i], source[i] = lanes[i] * LANE_WIDTH_M, "lanes"
        else:
            cls = hw[i] if hw[i] is not None else "unknown"
            width[i], source[i] = DEFAULT_WIDTH_M.get(cls, FALLBACK_WIDTH_M), f"default:{cls}"
        if notes[i]:
            source[i] = "; ".join(notes[i] + [source[i]])
    return pd.DataFrame({"width_m": width, "width_source": source}, index=edges.index)


def _heights(edges: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    raw = _text(edges, "maxheight").to_numpy()
    height = np.full(len(edges), np.nan)
    note = np.array([""] * len(edges), dtype=object)
    for i, v in enumerate(raw):
        if v is None or v in ("none", "default", "no_sign", "no_indications"):
            continue
        p = parse_length(v)
        if p is None:
            note[i] = f"unparsed:maxheight={v}"
        else:
            height[i] = p
    return height, note


@functools.lru_cache(maxsize=4096)
def _access_ok(access, vehicle, motor_vehicle, emergency) -> tuple[bool, str]:
    if emergency == "no":
        return False, "emergency=no"
    if emergency in _EMERGENCY_YES:
        return True, ""
    # the most specific tag present decides (OSM access hierarchy)
    for tag, value in (("motor_vehicle", motor_vehicle), ("vehicle", vehicle), ("access", access)):
        if value is not None:
            ok = ACCESS_RULES.get(value.split(";")[0].strip(), True)
            return (True, "") if ok else (False, f"{tag}={value}")
    return True, ""


def barrier_nodes(nodes: pd.DataFrame, profile: VehicleProfile) -> pd.DataFrame:
    """Barrier nodes and whether the vehicle gets through each (see :data:`BARRIER_RULES`).

    Parameters
    ----------
    nodes
        Network nodes indexed by OSM node id with ``barrier`` and optional ``access``,
        ``motor_vehicle``, ``emergency``, ``maxwidth``, ``width`` columns.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id: ``barrier``, ``passable`` (bool), ``reason`` (text, empty if passable).
    """
    if "barrier" not in nodes or not nodes["barrier"].notna().any():
        return pd.DataFrame({"barrier": pd.Series(dtype=object), "passable": pd.Series(dtype=bool),
                             "reason": pd.Series(dtype=object)})
    b = nodes.loc[nodes["barrier"].notna()]
    kind = _text(b, "barrier")
    access, motor, emergency = _text(b, "access"), _text(b, "motor_vehicle"), _text(b, "emergency")
    vehicle = _text(b, "vehicle")
    gap = [min([x for x in (parse_length(w), parse_length(mw)) if x is not None], default=None)
           for w, mw in zip(_text(b, "width"), _text(b, "maxwidth"))]
    passable, reason = [], []
    for k, a, v, mv, e, g in zip(kind, access, vehicle, motor, emergency, gap):
        ok, why = True, ""
        rule = BARRIER_RULES.get(k)
        if e in _EMERGENCY_YES or (not rule and (mv in ("yes", "designated") or a in ("yes",))):
            rule = True
        if rule is None:
            ok, why = False, f"barrier={k} (unknown kind: assumed closed)"
        elif not rule:
            ok, why = False, f"barrier={k}"
        else:
            a_ok, a_why = _access_ok(a, v, mv, e)
            if not a_ok:
                ok, why = False, f"barrier={k} {a_why}"
        if ok and g is not None and g < profile.min_width_m:
            ok, why = False, f"barrier={k} gap {g:.1f} m < {profile.min_width_m:.1f} m"
        passable.append(ok)
        reason.append(why)
    return pd.DataFrame({"barrier": kind.to_numpy(), "passable": passable, "reason": reason}, index=b.index)


def judge_edges(edges: pd.DataFrame, nodes: pd.DataFrame, profile: VehicleProfile) -> pd.DataFrame:
    """Judge every directed road edge for one vehicle.

    Parameters
    ----------
    edges
        Road edges with ``u``, ``v`` (OSM node ids), ``osmid`` and the OSM tags of the network
        (missing tag columns are treated as absent).
    nodes
        Network nodes indexed by OSM node id (barrier tags).
    profile
        The vehicle.

    Returns
    -------
    pandas.DataFrame
        Aligned with ``edges``: ``width_m``, ``width_source``, ``height_m``, ``passable`` (bool) and
        ``reason`` (why impassable: ``narrow …``, ``low …``, ``access=no``, ``barrier=bollard at
        node …``; empty when passable).
    """
    out = road_widths(edges)
    height, height_note = _heights(edges)
    out["height_m"] = height
    access, vehicle = _text(edges, "access").to_numpy(), _text(edges, "vehicle").to_numpy()
    motor, emergency = _text(edges, "motor_vehicle").to_numpy(), _text(edges, "emergency").to_numpy()
    n = len(edges)
    width = out["width_m"].to_numpy()
    src = out["width_source"].to_numpy()
    narrow = width < profile.min_width_m - 1e-9
    low = ~np.isnan(height) & (height < profile.min_height_m - 1e-9)
    codes, uniq = pd.factorize(pd.Series(list(zip(access, vehicle, motor, emergency)), dtype=object))
    verdict = [_access_ok(*key) for key in uniq]
    barred = np.array([not ok for ok, _ in verdict], dtype=bool)[codes] if n else np.zeros(0, dtype=bool)
    reasons: dict[int, list[str]] = {}  # only impassable edges get a list (no 100,000s of empty ones)
    for i in np.flatnonzero(narrow | low | barred).tolist():
        reasons[i] = []
        if narrow[i]:
            reasons[i].append(f"narrow {width[i]:.1f} m < {profile.min_width_m:.1f} m ({src[i].split('; ')[-1]})")
        if low[i]:
            reasons[i].append(f"low {height[i]:.1f} m < {profile.min_height_m:.1f} m (maxheight)")
        if barred[i]:
            reasons[i].append(verdict[codes[i]][1])
    bar = barrier_nodes(nodes, profile)
    closed_nodes = bar.loc[~bar["passable"]] if len(bar) else bar
    if len(closed_nodes):
        why_node = {int(k): v for k, v in closed_nodes["reason"].to_dict().items()}
        u_ids, v_ids = edges["u"].to_numpy(np.int64), edges["v"].to_numpy(np.int64)
        ids = np.fromiter(why_node, dtype=np.int64, count=len(why_node))
        for i in np.flatnonzero(np.isin(u_ids, ids) | np.isin(v_ids, ids)).tolist():
            for node in (int(u_ids[i]), int(v_ids[i])):
                if node in why_node:
                    reasons.setdefault(i, []).append(f"{why_node[node]} at node {node}")
    reason = np.full(n, "", dtype=object)
    for i, r in reasons.items():
        reason[i] = "; ".join(r)
    out["reason"] = reason
    out["passable"] = out["reason"].eq("").to_numpy()
    out["height_note"] = height_note
    return out
