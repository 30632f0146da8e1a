"""Interactive planning maps: one builder every analysis draws through.

See :class:`PlanMap` for the page layout and :func:`study_area_map` for the overview map
written by ``geoplan demo``. Texts: :func:`text` (a msgid, in a language) and the 0.1 shim
:func:`t` / :func:`label` over the ``maps`` catalogue (see :mod:`geoplan.maps._i18n`).
"""

from geoplan.maps._geo import Field
from geoplan.maps._html import svg_line_chart
from geoplan.i18n import guess_lang
from geoplan.maps._i18n import TEXT, label, t, text
from geoplan.maps.builder import Graduated, PlanMap
from geoplan.maps.study_area import study_area_map

__all__ = ["Field", "Graduated", "PlanMap", "TEXT", "guess_lang", "label", "study_area_map", "svg_line_chart", "t",
           "text"]
