"""``geoplan batch``: every district of a city as one Dask task, then the city's merged outputs."""

from __future__ import annotations

import argparse
import sys

from geoplan.standards import PRESETS

HELP = "many districts at once on Dask (a LocalCluster of this machine's cores, or any cluster)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The batch command's options (it has its own --osm: one per district, or one city with --districts)."""
    data = parser.add_argument_group("data")
    data.add_argument("--osm", metavar="FILE", action="append", required=True,
                      help="OSM extract; repeat for one district per file, or give one city with --districts")
    data.add_argument("--districts", metavar="FILE", help="district polygons (GeoPackage, GeoJSON, Shapefile)")
    data.add_argument("--name-field", metavar="COLUMN", help="column of district names (default: first text column)")
    data.add_argument("--buffer-m", type=float, metavar="M",
                      help="margin around each district, metres (default: largest threshold in use + snap distance)")
    data.add_argument("--layers", metavar="DIR", action="append", default=None, help="community layers (repeatable)")
    data.add_argument("--config", metavar="FILE", help="project YAML")
    data.add_argument("--preset", choices=list(PRESETS), default=None, help="planning-standard preset (default gb)")
    data.add_argument("--encoding", help="text encoding of layer files without a .cpg (e.g. gbk)")
    run = parser.add_argument_group("run")
    run.add_argument("--analyses", default="coverage,access,sites", help="comma-separated (default: all three)")
    run.add_argument("--out", metavar="DIR", default="outputs", help="output folder (default: ./outputs)")
    run.add_argument("--lang", choices=["zh", "en"], default=None, help="map and table labels")
    run.add_argument("--workers", type=int, metavar="N", help="worker processes of the local cluster (default: cores)")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: DASK_SCHEDULER_ADDRESS)")
    run.add_argument("--retries", type=int, default=1, metavar="N",
                     help="times a district may lose its worker before it is reported failed (default 1)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")


def run(args) -> int:
    """Run the batch; exit status 0 when every district finished, 1 when any failed."""
    from geoplan.districts import batch

    from geoplan.i18n import lang_from_environment, message, translator

    tr = translator(args.lang or lang_from_environment())
    if args.workers is not None and args.workers < 1:
        from geoplan.errors import InputError

        raise InputError(message("--workers {workers} is not a positive number", workers=args.workers),
                         fix=message("give --workers 1 or more"))
    result = batch(osm=args.osm, out=args.out, districts=args.districts, name_field=args.name_field,
                   buffer_m=args.buffer_m, analyses=args.analyses, layers=args.layers or (), config=args.config,
                   preset=args.preset, lang=args.lang, encoding=args.encoding, workers=args.workers,
                   scheduler=args.scheduler, retries=args.retries,
                   progress=lambda line: print(tr.render(line), file=sys.stderr, flush=True))
    s = result.summary
    print(s.drop(columns=["worker", "reason"]).to_string(index=False))
    print(tr.gettext("wrote:"))
    for path in result.outputs:
        print(f"  {path}")
    if len(result.failed):
        for _, row in result.failed.iterrows():
            print(tr.render(message("geoplan: district {district} failed: {reason}", district=row["district"],
                                    reason=row["reason"])), file=sys.stderr)
        names = ", ".join(result.failed["district"].astype(str))
        print(tr.render(message("geoplan: error: {failed} of {total} districts failed: {names}",
                                failed=len(result.failed), total=len(s), names=names)), file=sys.stderr)
        return 1
    return 0
