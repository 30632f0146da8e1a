"""Shelter-site selection: which open spaces to designate as shelters, for whom (``geoplan.sites``).

:func:`solve_from_cost_matrix` and :func:`coverage_curve` work on any demand × candidate
distance table (the location models LSCP, MCLP, p-median, capacitated or not, live in
:mod:`geoplan.shelters.models`); :func:`sites` builds that table from the walking network of a
study and orchestrates the steps, each in a module named for what it means:

* :mod:`~geoplan.shelters.request` — the options, checked once;
* :mod:`~geoplan.shelters.candidates` and :mod:`~geoplan.shelters.capacity` — which sites can be
  shelters and how many people each holds (every figure from the preset's ``shelters`` section);
* :mod:`~geoplan.shelters.cost` — walking distances within the radius;
* :mod:`~geoplan.shelters.proposal` — the model and the coverage curve;
* :mod:`~geoplan.shelters.outcome`, :mod:`~geoplan.shelters.tables`, :mod:`~geoplan.shelters.rank`,
  :mod:`~geoplan.shelters.figures`, :mod:`~geoplan.shelters.areas` — who goes where and why not,
  the open sites in build order, the headline figures, the service areas;
* :mod:`~geoplan.shelters.messages` — every sentence, for the ``shelters`` gettext catalogue;
* :mod:`~geoplan.shelters.result` — :class:`SitesResult` (the common result protocol).
"""

from geoplan.shelters.analysis import sites
from geoplan.shelters.candidates import candidate_sites
from geoplan.shelters.models import MODELS, SiteSolution, coverage_curve, solve_from_cost_matrix
from geoplan.shelters.result import SitesResult

__all__ = ["MODELS", "SiteSolution", "SitesResult", "candidate_sites", "coverage_curve", "sites",
           "solve_from_cost_matrix"]
