"""What a map with the extract's basemap weighs as the area grows (page size, not speed).

    python benchmarks/bench_maps.py               # the bundled samples and 2×2, 3×3 tiles
    python benchmarks/bench_maps.py --tiles 2 4
    python benchmarks/bench_maps.py --city 3 6     # city scale: every map, its size and Chromium's load time

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


CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--hide-scrollbars", "--window-size=1600,1000")


def chromium_seconds(page: Path, png: Path) -> float:
    """Wall seconds of headless Chromium opening ``page`` and taking a screenshot (start-up included).

    ``--screenshot`` returns after the load event and the first paint of the page (the
    scripts that draw every layer run before ``load``), so this is the time until the map
    is drawn and interactive.
    """
    import shutil
    import subprocess
    import tempfile
    import time

    browser = shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as profile:
        t0 = time.perf_counter()
        subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}",
                        page.resolve().as_uri()], capture_output=True, timeout=900, check=False)
        return time.perf_counter() - t0


def city(n: int, folder: Path) -> None:
    """Every map of an n × n tiled study: page size and Chromium time, aggregate and detailed."""
    import geoplan
    from bignet import tiled_study
    from geoplan.maps import study_area_map
    from geoplan.maps.basemap import extract_basemap
    from geoplan.maps.overview import CommunityMaps, community_file, window_of

    study = tiled_study(n, n)
    blank = folder / "blank.html"
    blank.write_text("<html><body>start-up</body></html>")
    start = chromium_seconds(blank, folder / "blank.png")
    print(f"tiled {n}×{n}: {len(study.walk.nodes):,} walk nodes, {len(study.buildings):,} buildings, "
          f"{len(study.residents):,} residents, {len(study.communities)} communities, "
          f"{study.area.area / 1e6:.0f} km²; Chromium start-up alone {start:.1f} s", flush=True)
    bm = extract_basemap(study)
    results = {"coverage": geoplan.coverage(study), "access": geoplan.access(study), "sites": geoplan.sites(study)}
    ids = [str(c) for c in study.communities["community"]]
    links = CommunityMaps(study.communities, {c: f"d/{community_file(i, c)}" for i, c in enumerate(ids)})
    draws = {name: r.to_map for name, r in results.items()}
    draws["study_area"] = lambda **k: study_area_map(study, **{x: v for x, v in k.items() if x != "community_maps"})
    for name, draw in draws.items():
        for label, opts in (("aggregate", {"community_maps": links, "detail_limit": 0}),
                            ("detailed", {"detail_limit": 10**9}),
                            ("one community", {"window": window_of(study.communities, ids[0])})):
            (pm, build_s) = timed(lambda: draw(basemap=bm, date="2026-01-01", **opts))
            path = folder / f"{n}-{name}-{label.replace(' ', '_')}.html"
            (_, write_s) = timed(lambda: pm.to_html(path))
            load = chromium_seconds(path, path.with_suffix(".png"))
            print(f"  {name:<11s} {label:<14s} {path.stat().st_size / 1e6:6.2f} MB  built {build_s + write_s:5.1f} s  "
                  f"Chromium {load:5.1f} s (≈ {max(load - start, 0):4.1f} s over start-up)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, nargs="*", default=[2, 3])
    parser.add_argument("--city", type=int, nargs="*", default=None,
                        help="tiled studies (n × n) whose every map is weighed and opened in Chromium")
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the city pages and screenshots in")
    args = parser.parse_args()
    if args.city:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            folder = args.keep or Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            for n in args.city:
                city(n, folder)
        return
    from bignet import tiled_study
    from geoplan.sources._bundled import haidian_sample_path
    from geoplan.study import load_study

    weigh("Beijing Haidian (bundled)", load_study(haidian_sample_path()))
    weigh("Helsinki centre (bundled)", load_study(None))
    for n in args.tiles:
        weigh(f"Helsinki tiled {n}×{n}", tiled_study(n, n))


if __name__ == "__main__":
    main()
