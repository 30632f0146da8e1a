"""geoplan — emergency-space planning for urban communities from OpenStreetMap.

Load a study once, then ask it the three planning questions::

    import geoplan
    study = geoplan.load_study("district.osm", layers=["my_layers/"])
    cov = geoplan.coverage(study)          # 15-minute life circle
    acc = geoplan.access(study)            # emergency-vehicle access audit
    sit = geoplan.sites(study)             # emergency shelter proposal

``geoplan.coverage``, ``geoplan.access``, ``geoplan.sites`` and ``geoplan.batch`` are plain functions;
the packages that hold them have names of their own (:mod:`geoplan.life_circle`,
:mod:`geoplan.emergency_access`, :mod:`geoplan.shelters`, :mod:`geoplan.districts`), so importing one
never replaces a function.
"""

from __future__ import annotations

from geoplan.districts import batch
from geoplan.emergency_access.audit import access
from geoplan.errors import InputError
from geoplan.life_circle.analysis import coverage
from geoplan.shelters.analysis import sites
from geoplan.study import Study, load_study

__version__ = "0.2.0"

__all__ = ["InputError", "Study", "access", "batch", "coverage", "load_study", "sites"]
