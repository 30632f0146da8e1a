"""15-minute life-circle coverage (GB 50180-2018): who reaches which daily services on foot.

>>> import geoplan
>>> study = geoplan.load_study()                       # bundled sample
>>> cov = geoplan.coverage(study)                      # 300/500/1000 m tiers
>>> cov.summary.head()                                 # shares per community and category
>>> cov.to_file("outputs"); cov.to_map().to_html("outputs/maps/coverage.html")
"""

from geoplan.life_circle.analysis import DEFAULT_HORIZON_M, GAP_JOIN_M, SERVICE_AREA_BUFFER_M, coverage
from geoplan.life_circle.result import CoverageResult
from geoplan.life_circle.tiers import MODES, PROFILES, parse_categories

__all__ = ["CoverageResult", "MODES", "PROFILES", "coverage", "parse_categories", "DEFAULT_HORIZON_M",
           "GAP_JOIN_M", "SERVICE_AREA_BUFFER_M"]
