"""Walking profiles: whose pace sets the thresholds, and which streets they can use.

* ``adult`` — 1.2 m/s, every walkable way (HCM / FHWA-RD-98-107 design speed).
* ``elderly`` — 0.9 m/s (FHWA-RD-98-107, older pedestrians), every walkable way.
* ``wheelchair`` — the elderly speed, on the walking network with these ways closed (the engine's
  :meth:`~geoplan.network.engine.CompiledNetwork.closing`, so buildings keep their own street).
  Each rule is counted by name in the outputs (:func:`closed_by_rule`):

  - ``steps`` — ``highway=steps``: a wheelchair cannot climb steps (OSM wiki *Key:wheelchair*:
    ways are ``wheelchair=no`` "if there are stairs and there is no ramp"; a ramp tagged
    ``wheelchair=yes|designated|limited`` on the steps way keeps it open);
  - ``wheelchair_no`` — ``wheelchair=no`` ways (OSM wiki *Key:wheelchair*: "Wheelchairs have no
    unrestricted access");
  - ``raised_kerb_way`` — ways tagged ``kerb=raised`` themselves;
  - ``raised_kerb_node`` — the footway, cycleway and path links meeting a node tagged
    ``kerb=raised`` (a ``barrier=kerb`` node, or a ``highway=crossing`` node carrying the kerb
    of both sides). The OSM wiki *Key:kerb* (table "Tagging", read at
    https://wiki.openstreetmap.org/wiki/RU:Key:kerb, English text) gives ``raised`` a typical
    height above 3 cm, "raised above the norm, sufficiently to prevent traversal by
    wheelchairs", and says the key "is used on the node of a highway=footway,
    highway=cycleway, or highway=path at the location of the kerb". So a raised kerb is made
    **impassable**, not penalised: a penalty would still route a wheelchair over it where no
    way round is short enough, which the tag says cannot be done. Carriageway links through
    such a node (the road a crossing node sits on) stay open: travelling along the road does
    not climb the kerb. The links are closed whole (the engine closes directed links, not
    points), as steps are: a building whose nearest street is such a link can leave it only
    where the link allows. Ways are split at every ``kerb=raised`` node
    (``geoplan.network._build``), so the closed links end at the kerb. ``kerb=lowered``, ``flush``, ``rolled``, ``no`` and untagged kerbs are
    passable; the outputs say untagged crossings are assumed passable. ``kerb:left`` /
    ``kerb:right`` are not read.

  A resident whose every way out needs steps or a raised kerb has no distance: not covered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoplan.network.engine import CompiledNetwork

#: Way tags that close a way to the wheelchair profile: rule name → (key, values).
WHEELCHAIR_CLOSED_WAYS = {"steps": ("highway", ("steps",)), "wheelchair_no": ("wheelchair", ("no",)),
                          "raised_kerb_way": ("kerb", ("raised",))}
#: ``wheelchair=*`` values that keep a way open whatever else it is (a ramp beside the steps).
WHEELCHAIR_OPEN = ("yes", "designated", "limited")
#: Node ``kerb=*`` values a wheelchair cannot cross (OSM wiki Key:kerb, see the module docstring).
IMPASSABLE_KERBS = ("raised",)
#: Ways a kerb node closes: those the OSM wiki Key:kerb puts kerb nodes on.
KERB_WAYS = ("footway", "cycleway", "path")


def _edge_tags(edges: pd.DataFrame, net: CompiledNetwork) -> pd.DataFrame:
    """Edge tags in the order of the compiled network's directed edges."""
    frame = edges.set_index(["u", "v", "key"]) if "u" in edges.columns else edges
    return frame.reindex(net.edge_keys)


def _tag_is(tags: pd.DataFrame, key: str, values) -> np.ndarray:
    if key not in tags.columns:
        return np.zeros(len(tags), dtype=bool)
    return tags[key].astype(object).isin(values).to_numpy()


def _raised_kerb_links(tags: pd.DataFrame, nodes: pd.DataFrame, net: CompiledNetwork) -> np.ndarray:
    """Directed footway/cycleway/path edges that start or end at a ``kerb=raised`` node."""
    if "kerb" not in nodes.columns:
        return np.zeros(len(tags), dtype=bool)
    kerb_ids = nodes.index[nodes["kerb"].astype(object).isin(IMPASSABLE_KERBS).to_numpy()]
    at = np.flatnonzero(np.isin(net.node_ids, kerb_ids))
    meets = np.isin(net.edge_u, at) | np.isin(net.edge_v, at)
    return meets & _tag_is(tags, "highway", KERB_WAYS)


def closed_by_rule(edges: pd.DataFrame, nodes: pd.DataFrame, net: CompiledNetwork) -> dict[str, np.ndarray]:
    """Per wheelchair rule (names as in the module docstring), the directed edges it closes.

    A ramp (``wheelchair=yes|designated|limited`` on the way) keeps a way open under the way
    rules; a raised kerb node closes its links whatever the way says (the node is the more
    specific statement: a step-free footway can still end at a raised kerb).
    """
    tags = _edge_tags(edges, net)
    ramp = _tag_is(tags, "wheelchair", WHEELCHAIR_OPEN)
    rules = {name: _tag_is(tags, key, values) & ~ramp for name, (key, values) in WHEELCHAIR_CLOSED_WAYS.items()}
    rules["raised_kerb_node"] = _raised_kerb_links(tags, nodes, net)
    return rules


def wheelchair_closed(edges: pd.DataFrame, nodes: pd.DataFrame, net: CompiledNetwork) -> np.ndarray:
    """Boolean mask over the compiled directed edges that a wheelchair cannot use."""
    closed = np.zeros(len(net.edge_u), dtype=bool)
    for mask in closed_by_rule(edges, nodes, net).values():
        closed |= mask
    return closed


def walking_network_by_rule(study, profile: str) -> tuple[CompiledNetwork, dict[str, int]]:
    """The compiled walking network of ``profile`` and how many directed edges each rule closes
    (an edge closed by two rules counts under both; empty for the adult and elderly profiles)."""
    net = study.walk.compiled
    if profile != "wheelchair":
        return net, {}
    rules = closed_by_rule(study.walk.edge_attributes, study.walk.nodes, net)  # tags only: no lines made
    closed = np.zeros(len(net.edge_u), dtype=bool)
    for mask in rules.values():
        closed |= mask
    counts = {name: int(mask.sum()) for name, mask in rules.items()}
    return net.closing(closed, weights=["length"]), {"all": int(closed.sum()), **counts}


def walking_network(study, profile: str) -> tuple[CompiledNetwork, int]:
    """The compiled walking network of ``profile`` and how many directed edges it closes."""
    net, counts = walking_network_by_rule(study, profile)
    return net, counts.get("all", 0)
