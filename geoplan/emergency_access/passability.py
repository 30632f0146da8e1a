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


def _clean(v) -> str | None:
    """One tag value as lower-case stripped text, ``None`` when absent or empty."""
    if _blank(v):
        return None
    text = str(v).strip().lower()
    return text or None


def _distinct(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """A tag column as codes into its distinct cleaned values (the last value, ``None``, is "absent").

    Tags take few distinct values, so every judgement below works per distinct value and is
    spread back to the edges by the codes (no Python work per edge at city scale).
    """
    if column not in frame:
        return np.full(len(frame), -1, dtype=np.int64), np.array([None], dtype=object)
    raw = frame[column].astype(object)
    try:
        codes, uniq = pd.factorize(raw, use_na_sentinel=True)
    except TypeError:  # unhashable values (lists from a simplified graph): read as their text
        codes, uniq = pd.factorize(raw.map(lambda v: v if _blank(v) else str(v)), use_na_sentinel=True)
    values = np.array([_clean(v) for v in uniq] + [None], dtype=object)
    return codes.astype(np.int64), values


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A tag column as lower-case stripped strings, ``None`` where absent."""
    codes, values = _distinct(frame, column)
    return pd.Series(values[codes], index=frame.index, dtype=object)


def _parsed(frame: pd.DataFrame, column: str, parse) -> tuple[np.ndarray, np.ndarray]:
    """A tag read by ``parse`` (NaN where absent or unreadable) and the ``unparsed:<tag>=<value>`` notes."""
    codes, values = _distinct(frame, column)
    read = [parse(v) if v is not None else None for v in values]
    number = np.array([np.nan if p is None else p for p in read], dtype=float)
    note = np.array(["" if v is None or p is not None else f"unparsed:{column}={v}" for v, p in zip(values, read)],
                    dtype=object)
    return number[codes], note[codes]


def _parsed_tags(edges: pd.DataFrame) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``width``, ``maxwidth``, ``est_width`` and ``lanes`` read as numbers, and the unreadable ones.

    The notes come as one ``"; "``-joined text per edge (``""`` where every tag was readable).
    """
    parsed, notes = {}, []
    for tag in ("width", "maxwidth", "est_width", "lanes"):
        parsed[tag], note = _parsed(edges, tag, parse_lanes if tag == "lanes" else parse_length)
        notes.append(note)
    joined = np.full(len(edges), "", dtype=object)
    for i in np.flatnonzero(np.any([n != "" for n in notes], axis=0)).tolist() if len(edges) else []:
        joined[i] = "; ".join(n[i] for n in notes if n[i])  # rare: only edges with an unreadable tag
    return parsed, joined


def _widths(edges: pd.DataFrame, rules: Passability) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(width m, width source with any unparsed notes, the source actually used) of every edge."""
    parsed, notes = _parsed_tags(edges)
    w, mw, est, lanes = parsed["width"], parsed["maxwidth"], parsed["est_width"], parsed["lanes"]
    tagged = ~np.isnan(w) | ~np.isnan(mw)
    use_w = ~np.isnan(w) & (np.isnan(mw) | (w <= mw))
    use_est = ~tagged & ~np.isnan(est)
    use_lanes = ~tagged & ~use_est & ~np.isnan(lanes)
    hw_codes, hw = _distinct(edges, "highway")
    cls = np.array(["unknown" if c is None else c for c in hw], dtype=object)
    cls_width = np.array([rules.default_width_m.get(c, rules.fallback_width_m) for c in cls], dtype=float)
    width = np.select([use_w, tagged, use_est, use_lanes], [w, mw, est, lanes * rules.lane_width_m],
                      cls_width[hw_codes])
    used = np.select([use_w, tagged, use_est, use_lanes],
                     [np.array(s, dtype=object) for s in ("width", "maxwidth", "est_width", "lanes")],
                     np.array([f"default:{c}" for c in cls], dtype=object)[hw_codes]).astype(object)
    noted = notes != ""
    source = used.copy()
    source[noted] = notes[noted] + "; " + used[noted]
    return width, source, used


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
    width, source, _ = _widths(edges, passability or Passability())
    return pd.DataFrame({"width_m": width, "width_source": source}, index=edges.index)


_NO_HEIGHT = ("none", "default", "no_sign", "no_indications")


def _heights(edges: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    codes, values = _distinct(edges, "maxheight")
    values = np.array([None if v in _NO_HEIGHT else v for v in values], dtype=object)
    read = [parse_length(v) if v is not None else None for v in values]
    height = np.array([np.nan if p is None else p for p in read], dtype=float)
    note = np.array(["" if v is None or p is not None else f"unparsed:maxheight={v}" for v, p in zip(values, read)],
                    dtype=object)
    return height[codes], note[codes]



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


def _access_barred(edges: pd.DataFrame, rules: Passability) -> tuple[np.ndarray, list[Message | None]]:
    """Per edge the index of its access verdict, and the verdicts' reasons (``None``: let through).

    The verdict depends only on the four access tags, so it is worked out once per combination.
    """
    columns = [_distinct(edges, tag) for tag in ("access", "vehicle", "motor_vehicle", "emergency")]
    key = np.zeros(len(edges), dtype=np.int64)
    for codes, values in columns:  # renumbered after each tag, so the key never overflows
        key = pd.factorize(key * len(values) + (codes + 1))[0].astype(np.int64)  # absent (-1) → 0
    first = np.unique(key, return_index=True)[1]  # key k first seen at first[k] (factorize numbers by appearance)
    verdict = [access_verdict(rules, *(values[codes[i]] for codes, values in columns)) for i in first.tolist()]
    return key, [None if ok else why for ok, why in verdict]


def _edge_reasons(edges: pd.DataFrame, out: pd.DataFrame, used_source: np.ndarray, profile: VehicleProfile,
                  rules: Passability) -> tuple[np.ndarray, list[list[Message]]]:
    """Width, height and access reasons of the edges: a reason-list index per edge (``-1``: none) and the lists.

    Edges with the same figures share one list, built once (a city has few distinct ones).
    """
    clear, width = out["clear_width_m"].to_numpy(), out["width_m"].to_numpy()
    parked, sides = out["parked_m"].to_numpy(), out["parked_sides"].to_numpy()
    psrc, height = out["parking_source"].to_numpy(), out["height_m"].to_numpy()
    narrow = clear < profile.min_width_m - 1e-9
    low = ~np.isnan(height) & (height < profile.min_height_m - 1e-9)
    combo, access_why = _access_barred(edges, rules)
    barred = np.array([w is not None for w in access_why], dtype=bool)[combo] if len(edges) else np.zeros(0, bool)
    bad = np.flatnonzero(narrow | low | barred)
    group = np.full(len(edges), -1, dtype=np.int64)
    if not len(bad):
        return group, []
    keys = pd.DataFrame({"narrow": narrow[bad], "clear": np.where(narrow[bad], clear[bad], 0.0),
                         "width": np.where(narrow[bad], width[bad], 0.0),
                         "parked": np.where(narrow[bad], parked[bad], 0.0),
                         "sides": np.where(narrow[bad], sides[bad], 0), "source": np.where(narrow[bad], used_source[bad], ""),
                         "psrc": np.where(narrow[bad], psrc[bad], ""), "low": low[bad],
                         "height": np.where(low[bad], height[bad], 0.0),
                         "access": np.where(barred[bad], combo[bad], -1)})
    ids = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
    group[bad] = ids
    _, first = np.unique(ids, return_index=True)
    lists = []
    for i in bad[first].tolist():
        reasons = []
        if narrow[i]:
            reasons.append(_width_reason(clear[i], width[i], parked[i], int(sides[i]), used_source[i], psrc[i],
                                         profile))
        if low[i]:
            reasons.append(message("low {height:.1f} m < {need:.1f} m (maxheight)", code="low", height=height[i],
                                   need=profile.min_height_m))
        if barred[i]:
            reasons.append(access_why[combo[i]])
        lists.append(reasons)
    return group, lists


def _barrier_reasons(edges: pd.DataFrame, nodes: pd.DataFrame, profile: VehicleProfile,
                     rules: Passability) -> dict[int, list[Message]]:
    """``… at node …`` for the edges that start or end at a closed barrier (edge position → reasons)."""
    bar = barrier_nodes(nodes, profile, rules)
    closed = bar.loc[~bar["passable"]] if len(bar) else bar
    if not len(closed):
        return {}
    why_node = {int(k): v for k, v in closed["reason_msg"].to_dict().items()}
    u_ids, v_ids = edges["u"].to_numpy(np.int64), edges["v"].to_numpy(np.int64)
    ids = np.fromiter(why_node, dtype=np.int64, count=len(why_node))
    extra: dict[int, list[Message]] = {}
    for i in np.flatnonzero(np.isin(u_ids, ids) | np.isin(v_ids, ids)).tolist():
        for node in (int(u_ids[i]), int(v_ids[i])):
            if node in why_node:
                extra.setdefault(i, []).append(message("{barrier} at node {node}", code=why_node[node].code,
                                                       barrier=why_node[node], node=node))
    return extra


def _reason_columns(n: int, group: np.ndarray, lists: list[list[Message]],
                    extra: dict[int, list[Message]]) -> tuple[np.ndarray, np.ndarray]:
    """The ``reason_msg`` (Items) and ``reason`` (English) columns: one Items and one text per distinct list."""
    msg = np.full(n, None, dtype=object)
    text = np.full(n, "", dtype=object)
    shared = np.empty(len(lists), dtype=object)
    said = np.empty(len(lists), dtype=object)
    for k, reasons in enumerate(lists):
        shared[k] = Items(tuple(reasons))
        said[k] = render(shared[k])
    has = group >= 0
    msg[has], text[has] = shared[group[has]], said[group[has]]
    for i, more in extra.items():  # edges at closed barriers: few
        msg[i] = Items(tuple((lists[group[i]] if group[i] >= 0 else []) + more))
        text[i] = render(msg[i])
    return msg, text


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
        Edges with the same reasons share one (immutable) ``Items``.
    """
    rules = passability or Passability()
    width, source, used = _widths(edges, rules)
    out = pd.DataFrame({"width_m": width, "width_source": source}, index=edges.index)
    measured = pd.Series(used, dtype=object).isin(MEASURED_SOURCES).to_numpy()
    out = out.join(parked_rows(edges, assume_parked=assume_parked, measured=measured))
    out["clear_width_m"] = out["width_m"].to_numpy() - out["parked_m"].to_numpy()
    height, height_note = _heights(edges)
    out["height_m"] = height
    group, lists = _edge_reasons(edges, out, used, profile, rules)
    msg, text = _reason_columns(len(edges), group, lists, _barrier_reasons(edges, nodes, profile, rules))
    out["reason"] = text
    out["reason_msg"] = msg
    out["passable"] = out["reason"].eq("").to_numpy()
    out["height_note"] = height_note
    return out
