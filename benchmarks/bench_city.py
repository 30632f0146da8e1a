"""End to end through the command line on a city-sized PBF: ``geoplan coverage`` against the bare read.

    python benchmarks/citypbf.py --grid 15 14                   # writes /work/citydata/haidian_15x14.osm.pbf
    python benchmarks/bench_city.py /work/citydata/haidian_15x14.osm.pbf --verbose

The issue's check, in one run on one file:

1. the floor: a bare pyosmium pass over the file (:func:`bignet.bare_pyosmium_pass`: every node
   location, way refs and tags, nothing kept), in this process;
2. ``geoplan coverage --osm PBF --out TMP`` as a child process with an empty cache folder
   (``GEOPLAN_CACHE_DIR`` set to a temporary one): the first run, which builds and stores the study;
3. the same command again with that cache: the cached run.

Each run's wall time and peak resident memory (``os.wait4``'s ``ru_maxrss`` of that child alone)
are printed with the ratios the issue sets (first ≤ 3× the bare pass, cached ≤ 1×, peak ≤ 4 GB).
``--verbose`` prints the command's progress and the time of each of its phases (from its
progress lines). ``--stop-at-map`` ends a run (SIGTERM, which the command handles by removing
its staging files) when it starts drawing the map, so a city whose map takes too long is still
measured up to its tables; ``--stop-at STEP`` ends it at any other step (``"coverage: service
areas"``: the load, the cache and the searches only). The figures then say where it stopped.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bignet import bare_pyosmium_pass  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
_STAMP = re.compile(r"^\[\s*([0-9.]+)s\] (.*?)(?: …)?$")
_MAP_PHASE = "drawing the coverage map"
#: The issue's targets (section "How it will be checked").
FIRST_MAX, CACHED_MAX, PEAK_MAX_MB = 3.0, 1.0, 4096.0


def _run_cli(pbf: Path, out: Path, cache: Path, *, verbose: bool, stop_at: str | None, extra: list[str]) -> dict:
    """Run ``geoplan coverage`` once; wall seconds, peak RSS (MB), exit status and its phases."""
    # --lang en: the progress lines are parsed (a Chinese extract would otherwise report in Chinese)
    cmd = [sys.executable, "-m", "geoplan.cli", "coverage", "--osm", str(pbf), "--out", str(out), "--verbose",
           "--lang", "en", *extra]
    env = {**os.environ, "GEOPLAN_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    phases: list[tuple[float, str]] = []
    stopped = threading.Event()
    stdout: list[str] = []

    def follow_stderr():
        for line in proc.stderr:
            line = line.rstrip("\n")
            if verbose:
                print(f"    | {line}", flush=True)
            if m := _STAMP.match(line):
                phases.append((float(m.group(1)), m.group(2)))
                if stop_at and m.group(2).startswith(stop_at) and not stopped.is_set():
                    stopped.set()
                    proc.send_signal(signal.SIGTERM)
                    # a long C call (a GEOS union) handles the signal only when it returns
                    threading.Timer(60.0, lambda: proc.poll() is None and proc.kill()).start()

    readers = [threading.Thread(target=follow_stderr), threading.Thread(target=lambda: stdout.extend(proc.stdout))]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join()
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024.0, "status": proc.returncode, "phases": phases,
            "stopped_at": stop_at if stopped.is_set() else None, "stdout": "".join(stdout)}


def _print_phases(run: dict, wall: float) -> None:
    """Each progress step with the seconds until the next one (the last until the process ended)."""
    stamps = run["phases"]
    for k, (t, what) in enumerate(stamps):
        end = stamps[k + 1][0] if k + 1 < len(stamps) else None
        took = f"{end - t:8.1f} s" if end is not None else "   (last)"
        print(f"      {t:7.1f}s  {took}  {what[:90]}")
    if stamps:
        print(f"      (first step logged at {stamps[0][0]:.1f} s: imports and start-up; process wall {wall:.1f} s)")


def _report(label: str, run: dict, bare: float, bare_cpu: float, target: float | None) -> None:
    ratio = run["wall"] / bare
    note = ""
    if target is not None:
        note = f"  (target ≤ {target:g}×: {'met' if ratio <= target else f'missed by {ratio / target:.1f}×'})"
    state = f"stopped at: {run['stopped_at']}" if run["stopped_at"] else f"exit {run['status']}"
    print(f"  {label:<34s} {run['wall']:8.1f} s  {ratio:5.2f}× bare  peak {run['peak_mb']:8.0f} MB  [{state}]{note}",
          flush=True)
    # on a shared machine the wall clock mostly measures the other jobs: CPU seconds beside it
    print(f"  {'':<34s} cpu {run['cpu']:6.1f} s  {run['cpu'] / bare_cpu:5.2f}× the bare pass's cpu", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pbf", type=Path, help="a city-sized .osm.pbf (see citypbf.py)")
    ap.add_argument("--verbose", action="store_true", help="show the command's progress and each phase's time")
    ap.add_argument("--stop-at-map", action="store_true",
                    help="end each run when it starts drawing the map (measure up to the tables)")
    ap.add_argument("--stop-at", metavar="STEP", default=None,
                    help="end each run when a progress step starting with STEP begins, e.g. "
                         "'coverage: service areas' (measure the load and the searches only)")
    ap.add_argument("cli_args", nargs="*", help="extra options for geoplan coverage (after --)")
    args = ap.parse_args(argv)
    pbf = args.pbf.resolve()
    print(f"{pbf.name}: {pbf.stat().st_size / 2**20:.1f} MiB; load average {os.getloadavg()[0]:.2f} "
          f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", flush=True)
    t, c = time.perf_counter(), time.process_time()
    counts = bare_pyosmium_pass(pbf)
    bare, bare_cpu = time.perf_counter() - t, time.process_time() - c
    print(f"  bare pyosmium pass (floor)         {bare:8.1f} s   {counts['nodes']:,} nodes, {counts['ways']:,} ways, "
          f"{counts['refs']:,} refs; cpu {bare_cpu:.1f} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-city-") as tmp:
        tmp = Path(tmp)
        runs = {}
        for label, target in (("first run (empty cache)", FIRST_MAX), ("second run (cached)", CACHED_MAX)):
            run = _run_cli(pbf, tmp / f"out{len(runs)}", tmp / "cache", verbose=args.verbose,
                           stop_at=args.stop_at or (_MAP_PHASE if args.stop_at_map else None), extra=args.cli_args)
            runs[label] = run
            _report(label, run, bare, bare_cpu, target)
            if args.verbose:
                _print_phases(run, run["wall"])
            if run["status"] not in (0, 143, -9) or (run["status"] and not run["stopped_at"]):
                print(run["stdout"][-2000:])
                return 1
        peak = max(r["peak_mb"] for r in runs.values())
        print(f"  peak resident memory {peak:,.0f} MB (target ≤ {PEAK_MAX_MB:,.0f} MB: "
              f"{'met' if peak <= PEAK_MAX_MB else f'missed by {peak / PEAK_MAX_MB:.1f}×'}); "
              f"load average now {os.getloadavg()[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
