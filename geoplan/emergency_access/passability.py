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
* Class defaults (``preset.passability.default_width_m``) are **assumptions**: typical carriageway widths of
  urban Chinese and European streets of that class. Internal compound roads (``service``) are
  assumed built to the fire-lane minimum (4.0 m) that the design code requires of them; a
  planner should replace every default with surveyed widths (add ``width=*`` in OSM or an
  occupied-lane obstruction).
* Access tags and barriers: ``preset.passability.access_rules`` and ``barrier_rules`` (documented
  in :mod:`geoplan.standards.tags`).
* Parked cars: :mod:`geoplan.standards.parking` (width a row takes, by orientation and position);
  the clear width is the road's width minus the parked rows, and the road closes for a vehicle
  only when the clear width is below the vehicle's minimum.

Every width, rule and table is read from the preset's :class:`~geoplan.standards.Passability`
section, so a project-file override (``overrides: {passability: {lane_width_m: 3.5}}``) changes
the judgement. Reasons are kept as :class:`geoplan.i18n.Message` (``reason_msg``) and rendered in
English in ``reason``.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd

from geoplan.emergency_access._text import Items, Message, message, render
from geoplan.emergency_access.parking import parked_rows
from geoplan.standards import Passability, Preset, Vehicle
from geoplan.standards.tags import EMERGENCY_YES

#: Width sources that measure the carriageway (parked cars stand on it); ``lanes`` and class
#: defaults describe the moving lanes only.
MEASURED_SOURCES: tuple[str, ...] = ("width", "maxwidth", "est_width")

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


def _parsed_tags(edges: pd.DataFrame) -> tuple[dict[str, np.ndarray], list[list[str]]]:
    """``width``, ``maxwidth``, ``est_width`` and ``lanes`` read as numbers, and the unreadable ones."""
    n = len(edges)
    notes: list[list[str]] = [[] for _ in range(n)]
    parsed = {}
    for tag in ("width", "maxwidth", "est_width", "lanes"):
        parse = parse_lanes if tag == "lanes" else parse_length
        vals = np.full(n, np.nan)
        for i, v in enumerate(_text(edges, tag).to_numpy()):
            if v is None:
                continue
            p = parse(v)
            if p is None:
                notes[i].append(f"unparsed:{tag}={v}")
            else:
                vals[i] = p
        parsed[tag] = vals
    return parsed, notes


def road_widths(edges: pd.DataFrame, passability: Passability | None = None) -> pd.DataFrame:
    """Width of every road edge and where it came from.

    Order: the smaller of ``width`` and ``maxwidth`` when either reads as a length, else
    ``est_width``, else ``lanes × passability.lane_width_m``, else the class default
    (``passability.default_width_m``, ``fallback_width_m`` for other classes). A tag that cannot
    be read is reported as ``unparsed:<tag>=<value>`` before the source actually used.

    Returns
    -------
    pandas.DataFrame
        ``width_m`` (m) and ``width_source`` (``width``, ``maxwidth``, ``est_width``, ``lanes``,
        ``default:<highway>``, possibly prefixed by ``unparsed:…; ``), aligned with ``edges``.
    """
    rules = passability or Passability()
    n = len(edges)
    width = np.full(n, np.nan)
    source = np.array([""] * n, dtype=object)
    parsed, notes = _parsed_tags(edges)
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
        elif not np.isnan(parsed["lanes"][i]):
            width[i], source[i] = parsed["lanes"][i] * rules.lane_width_m, "lanes"
        else:
            cls = hw[i] if hw[i] is not None else "unknown"
            width[i], source[i] = rules.default_width_m.get(cls, rules.fallback_width_m), f"default:{cls}"
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


def access_verdict(rules: Passability, access, vehicle, motor_vehicle, emergency) -> tuple[bool, Message | None]:
    """Whether access tags let an emergency vehicle through, and if not the reason (a Message)."""
    if emergency == "no":
        return False, message("{tag}={value}", code="access", tag="emergency", value="no")
    if emergency in EMERGENCY_YES:
        return True, None
    # the most specific tag present decides (OSM access hierarchy)
    for tag, value in (("motor_vehicle", motor_vehicle), ("vehicle", vehicle), ("access", access)):
        if value is not None:
            ok = rules.access_rules.get(value.split(";")[0].strip(), True)
            return (True, None) if ok else (False, message("{tag}={value}", code="access", tag=tag, value=value))
    return True, None


def _barrier_verdict(rules: Passability, profile: VehicleProfile, k, a, v, mv, e, gap) -> Message | None:
    """Why a barrier node stops the vehicle (``None``: it gets through)."""
    rule = rules.barrier_rules.get(k)
    if e in EMERGENCY_YES or (not rule and (mv in ("yes", "designated") or a in ("yes",))):
        rule = True
    if rule is None:
        return message("barrier={kind} (unknown kind: assumed closed)", code="barrier_unknown", kind=k)
    if not rule:
        return message("barrier={kind}", code="barrier", kind=k)
    a_ok, a_why = access_verdict(rules, a, v, mv, e)
    if not a_ok:
        return message("barrier={kind} {access}", code="barrier_access", kind=k, access=a_why)
    if gap is not None and gap < profile.min_width_m:
        return message("barrier={kind} gap {gap:.1f} m < {min_width:.1f} m", code="barrier_gap", kind=k, gap=gap,
                       min_width=profile.min_width_m)
    return None


def barrier_nodes(nodes: pd.DataFrame, profile: VehicleProfile, passability: Passability | None = None) -> pd.DataFrame:
    """Barrier nodes and whether the vehicle gets through each (``passability.barrier_rules``).

    Parameters
    ----------
    nodes
        Network nodes indexed by OSM node id with ``barrier`` and optional ``access``,
        ``motor_vehicle``, ``emergency``, ``maxwidth``, ``width`` columns.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id: ``barrier``, ``passable`` (bool), ``reason`` (English text, empty if
        passable) and ``reason_msg`` (the Message, ``None`` if passable).
    """
    rules = passability or Passability()
    if "barrier" not in nodes or not nodes["barrier"].notna().any():
        return pd.DataFrame({"barrier": pd.Series(dtype=object), "passable": pd.Series(dtype=bool),
                             "reason": pd.Series(dtype=object), "reason_msg": pd.Series(dtype=object)})
    b = nodes.loc[nodes["barrier"].notna()]
    kind = _text(b, "barrier")
    gap = [min([x for x in (parse_length(w), parse_length(mw)) if x is not None], default=None)
           for w, mw in zip(_text(b, "width"), _text(b, "maxwidth"))]
    why = [_barrier_verdict(rules, profile, *row) for row in
           zip(kind, _text(b, "access"), _text(b, "vehicle"), _text(b, "motor_vehicle"), _text(b, "emergency"), gap)]
    return pd.DataFrame({"barrier": kind.to_numpy(), "passable": [w is None for w in why],
                         "reason": [render(w) for w in why], "reason_msg": why}, index=b.index)


def _width_reason(clear: float, width: float, parked: float, sides: int, source: str, taken_by: str,
                  profile: VehicleProfile) -> Message:
    """Why a road is too narrow: its own width, or the width parked cars leave."""
    need = profile.min_width_m
    if parked > 0 and width >= need - 1e-9:
        if sides >= 2:
            return message("clear width {clear:.1f} m with cars parked on both sides ({need:.1f} m needed)",
                           code="narrow_parked_both", clear=clear, need=need, width=width, source=taken_by)
        return message("clear width {clear:.1f} m with cars parked on one side ({need:.1f} m needed)",
                       code="narrow_parked_one", clear=clear, need=need, width=width, source=taken_by)
    return message("narrow {width:.1f} m < {need:.1f} m ({source})", code="narrow", width=min(width, clear), need=need,
                   source=source)


def _edge_reasons(edges: pd.DataFrame, out: pd.DataFrame, profile: VehicleProfile,
                  rules: Passability) -> dict[int, list[Message]]:
    """Width, height and access reasons of every impassable edge (only those get a list)."""
    access, vehicle = _text(edges, "access").to_numpy(), _text(edges, "vehicle").to_numpy()
    motor, emergency = _text(edges, "motor_vehicle").to_numpy(), _text(edges, "emergency").to_numpy()
    clear, width = out["clear_width_m"].to_numpy(), out["width_m"].to_numpy()
    parked, sides = out["parked_m"].to_numpy(), out["parked_sides"].to_numpy()
    src, psrc, height = out["width_source"].to_numpy(), out["parking_source"].to_numpy(), out["height_m"].to_numpy()
    narrow = clear < profile.min_width_m - 1e-9
    low = ~np.isnan(height) & (height < profile.min_height_m - 1e-9)
    codes, uniq = pd.factorize(pd.Series(list(zip(access, vehicle, motor, emergency)), dtype=object))
    verdict = [access_verdict(rules, *key) for key in uniq]
    barred = np.array([not ok for ok, _ in verdict], dtype=bool)[codes] if len(edges) else np.zeros(0, dtype=bool)
    reasons: dict[int, list[Message]] = {}
    for i in np.flatnonzero(narrow | low | barred).tolist():
        reasons[i] = []
        if narrow[i]:
            reasons[i].append(_width_reason(clear[i], width[i], parked[i], int(sides[i]), src[i].split("; ")[-1],
                                            psrc[i], profile))
        if low[i]:
            reasons[i].append(message("low {height:.1f} m < {need:.1f} m (maxheight)", code="low", height=height[i],
                                      need=profile.min_height_m))
        if barred[i]:
            reasons[i].append(verdict[codes[i]][1])
    return reasons


def _add_barrier_reasons(reasons: dict[int, list[Message]], edges: pd.DataFrame, nodes: pd.DataFrame,
                         profile: VehicleProfile, rules: Passability) -> None:
    """Append ``… at node …`` to the edges that start or end at a closed barrier."""
    bar = barrier_nodes(nodes, profile, rules)
    closed = bar.loc[~bar["passable"]] if len(bar) else bar
    if not len(closed):
        return
    why_node = {int(k): v for k, v in closed["reason_msg"].to_dict().items()}
    u_ids, v_ids = edges["u"].to_numpy(np.int64), edges["v"].to_numpy(np.int64)
    ids = np.fromiter(why_node, dtype=np.int64, count=len(why_node))
    for i in np.flatnonzero(np.isin(u_ids, ids) | np.isin(v_ids, ids)).tolist():
        for node in (int(u_ids[i]), int(v_ids[i])):
            if node in why_node:
                reasons.setdefault(i, []).append(message("{barrier} at node {node}", code=why_node[node].code,
                                                         barrier=why_node[node], node=node))


def judge_edges(edges: pd.DataFrame, nodes: pd.DataFrame, profile: VehicleProfile,
                passability: Passability | None = None, *, assume_parked: str = "none") -> pd.DataFrame:
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
    passability
        The preset's passability section (widths, access and barrier rules); default ``gb``.
    assume_parked
        ``"none"``, ``"one-side"`` or ``"both-sides"``: parked rows put on streets whose parking
        OSM does not describe (:mod:`geoplan.standards.parking`).

    Returns
    -------
    pandas.DataFrame
        Aligned with ``edges``: ``width_m`` (carriageway), ``width_source``, ``parked_m`` (taken by
        parked rows), ``parked_sides``, ``parking_source``, ``clear_width_m``, ``height_m``,
        ``passable`` (bool), ``reason`` (English, empty when passable) and ``reason_msg``
        (:class:`~geoplan.emergency_access._text.Items` of Messages, ``None`` when passable).
    """
    rules = passability or Passability()
    out = road_widths(edges, rules)
    measured = np.isin([src.split("; ")[-1] for src in out["width_source"]], MEASURED_SOURCES)
    out = out.join(parked_rows(edges, assume_parked=assume_parked, measured=measured))
    out["clear_width_m"] = out["width_m"].to_numpy() - out["parked_m"].to_numpy()
    height, height_note = _heights(edges)
    out["height_m"] = height
    reasons = _edge_reasons(edges, out, profile, rules)
    _add_barrier_reasons(reasons, edges, nodes, profile, rules)
    msg = np.full(len(edges), None, dtype=object)
    text = np.full(len(edges), "", dtype=object)
    for i, r in reasons.items():
        msg[i] = Items(tuple(r))
        text[i] = render(msg[i])
    out["reason"] = text
    out["reason_msg"] = msg
    out["passable"] = out["reason"].eq("").to_numpy()
    out["height_note"] = height_note
    return out
