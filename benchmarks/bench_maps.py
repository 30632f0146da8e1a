"""What a map with the extract's basemap weighs as the area grows (page size, not speed).

    python benchmarks/bench_maps.py               # the bundled samples and 2×2, 3×3 tiles
    python benchmarks/bench_maps.py --tiles 2 4

A 1–3 km² district should stay under 5 MB (issue 14); the tiled cases (the Helsinki extract
copied onto a grid, see ``bignet.py``) show how the basemap's weight grows with the area.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import timed  # noqa: E402


def weigh(label: str, study) -> None:
    """Print the study-area page size with and without the extract basemap."""
    from geoplan.maps import study_area_map
    from geoplan.maps.basemap import extract_basemap

    area_km2 = study.area.area / 1e6
    (page, seconds) = timed(lambda: study_area_map(study, basemap=extract_basemap(study), date="2026-01-01").html())
    bare = study_area_map(study, date="2026-01-01").html()
    mb = len(page.encode()) / 1e6
    print(f"{label:<28s} {area_km2:6.1f} km²  with basemap {mb:6.2f} MB "
          f"(gzipped {len(gzip.compress(page.encode())) / 1e6:5.2f} MB)  without {len(bare.encode()) / 1e6:6.2f} MB"
          f"  built in {seconds:5.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, nargs="*", default=[2, 3])
    args = parser.parse_args()
    from bignet import tiled_study
    from geoplan.sources._bundled import haidian_sample_path
    from geoplan.study import load_study

    weigh("Beijing Haidian (bundled)", load_study(haidian_sample_path()))
    weigh("Helsinki centre (bundled)", load_study(None))
    for n in args.tiles:
        weigh(f"Helsinki tiled {n}×{n}", tiled_study(n, n))


if __name__ == "__main__":
    main()
