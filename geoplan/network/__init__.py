"""Walking and emergency-vehicle networks, and the one shortest-path engine over them."""

from geoplan.network._build import build_frames, build_graph, graph_from_frames, select_ways
from geoplan.network.engine import CompiledNetwork, Reach, Snapped

__all__ = ["build_frames", "build_graph", "graph_from_frames", "select_ways", "CompiledNetwork", "Reach", "Snapped"]
