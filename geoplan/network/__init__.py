"""Walking and emergency-vehicle networks, and the one shortest-path engine over them."""

from geoplan.network._build import build_graph, select_ways
from geoplan.network.engine import CompiledNetwork, Reach, Snapped

__all__ = ["build_graph", "select_ways", "CompiledNetwork", "Reach", "Snapped"]
