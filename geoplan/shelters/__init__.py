"""Shelter-site selection: location models (LSCP, MCLP, p-median, capacitated).

:func:`solve_from_cost_matrix` and :func:`coverage_curve` work on any demand ×
candidate distance table; the OSM-side analysis builds that table from the walking
network.
"""

from geoplan.shelters.analysis import sites
from geoplan.shelters.models import MODELS, SiteSolution, coverage_curve, solve_from_cost_matrix
from geoplan.shelters.result import SitesResult

__all__ = ["MODELS", "SiteSolution", "SitesResult", "coverage_curve", "sites", "solve_from_cost_matrix"]
