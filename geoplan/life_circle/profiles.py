"""Walking profiles: whose pace sets the thresholds, and which streets they can use.

* ``adult`` — 1.2 m/s, every walkable way (HCM / FHWA-RD-98-107 design speed).
* ``elderly`` — 0.9 m/s (FHWA-RD-98-107, older pedestrians), every walkable way.
* ``wheelchair`` — the elderly speed, on the walking network with these ways closed (the engine's
  :meth:`~geoplan.network.engine.CompiledNetwork.closing`, so buildings keep their own street):

  - ``highway=steps`` — a wheelchair cannot climb steps (OSM wiki *Key:wheelchair*: steps are
    ``wheelchair=no`` unless a ramp is mapped; a ramp tagged ``wheelchair=yes|designated`` on
    the steps way keeps it open);
  - ``wheelchair=no`` ways (OSM wiki *Key:wheelchair*: "not accessible by wheelchair");
  - ways tagged ``kerb=raised`` (a crossing with a raised kerb, OSM wiki *Key:kerb*: raised
    kerbs of ≈ 10 cm or more are an obstacle for wheelchair users; a lowered or flush kerb is
    fine), and — where the network keeps node tags ``kerb`` — the ways meeting a ``kerb=raised``
    node. Raised kerbs are avoided where they are tagged; an untagged crossing is assumed
    passable, which the outputs say.

  A resident whose every way out needs steps or a raised kerb has no distance: not covered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoplan.network.engine import CompiledNetwork

#: Way tags that close a way to the wheelchair profile: (key, values).
WHEELCHAIR_CLOSED = (("highway", ("steps",)), ("wheelchair", ("no",)), ("kerb", ("raised",)))
#: ``wheelchair=*`` values that keep a way open whatever else it is (a ramp beside the steps).
WHEELCHAIR_OPEN = ("yes", "designated", "limited")


def _edge_tags(edges: pd.DataFrame, net: CompiledNetwork) -> pd.DataFrame:
    """Edge tags in the order of the compiled network's directed edges."""
    frame = edges.set_index(["u", "v", "key"]) if "u" in edges.columns else edges
    return frame.reindex(net.edge_keys)


def wheelchair_closed(edges: pd.DataFrame, nodes: pd.DataFrame, net: CompiledNetwork) -> np.ndarray:
    """Boolean mask over the compiled directed edges that a wheelchair cannot use."""
    tags = _edge_tags(edges, net)
    closed = np.zeros(len(tags), dtype=bool)
    for key, values in WHEELCHAIR_CLOSED:
        if key in tags.columns:
            closed |= tags[key].astype(object).isin(values).to_numpy()
    if "wheelchair" in tags.columns:
        closed &= ~tags["wheelchair"].astype(object).isin(WHEELCHAIR_OPEN).to_numpy()
    if "kerb" in nodes.columns:
        raised = np.flatnonzero(np.isin(net.node_ids, nodes.index[nodes["kerb"].astype(object).eq("raised")]))
        closed |= np.isin(net.edge_u, raised) | np.isin(net.edge_v, raised)
    return closed


def walking_network(study, profile: str) -> tuple[CompiledNetwork, int]:
    """The compiled walking network of ``profile`` and how many directed edges it closes."""
    net = study.walk.compiled
    if profile != "wheelchair":
        return net, 0
    closed = wheelchair_closed(study.walk.edges, study.walk.nodes, net)
    return net.closing(closed, weights=["length"]), int(closed.sum())
