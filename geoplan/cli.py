"""The ``geoplan`` command: one subcommand per planning question, plus ``info``, ``demo`` and ``run``.

Every subcommand takes the same common options. A problem with the user's input prints one
line (file, row, what is wrong, the fix) and exits with status 2; ``--debug`` shows the
traceback. Each analysis registers its own options and runner in ``<its package>/cli.py``
(``HELP``, ``add_arguments(parser)``, ``run(study, args, out, *, config, progress) -> list[Path]``
and optionally ``check(args, config, preset)``, called before any data is loaded), so this
file stays the same as analyses are added.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from importlib import import_module
from pathlib import Path
from typing import Sequence

from geoplan.errors import InputError

#: Analyses (the command and output folder → the package), in the order ``demo`` and ``run`` execute them.
ANALYSIS_PACKAGES = {"coverage": "geoplan.life_circle", "access": "geoplan.emergency_access",
                     "sites": "geoplan.shelters"}
ANALYSES = tuple(ANALYSIS_PACKAGES)


def _analysis_cli(name: str):
    """The CLI module of an analysis, or ``None`` when this installation does not have it."""
    try:
        return import_module(f"{ANALYSIS_PACKAGES[name]}.cli")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(ANALYSIS_PACKAGES[name]):
            return None
        raise


def _common(parser: argparse.ArgumentParser) -> None:
    src = parser.add_argument_group("data")
    src.add_argument("--osm", metavar="FILE", help="OSM extract (.osm, .osm.bz2, .osm.pbf); default: the bundled sample")
    src.add_argument("--place", metavar="NAME", help="download a place from OpenStreetMap instead (needs internet)")
    src.add_argument("--bbox", metavar="W,S,E,N", help="download a bounding box (degrees) instead (needs internet)")
    src.add_argument("--layers", metavar="DIR", action="append", default=None,
                     help="folder of community layers (repeatable; for demo: added to the sample layers)")
    src.add_argument("--encoding", help="text encoding of layer files without a .cpg (e.g. gbk)")
    src.add_argument("--config", metavar="FILE", help="project YAML with preset, overrides and options")
    src.add_argument("--preset", choices=["gb", "nfpa"], default=None, help="planning-standard preset (default gb)")
    src.add_argument("--no-cache", dest="cache", action="store_false",
                     help="load from the files, bypassing the study cache ($GEOPLAN_CACHE_DIR, default ~/.cache/geoplan/studies)")
    src.add_argument("--clear-cache", action="store_true", help="delete every cached study before loading")
    out = parser.add_argument_group("output")
    out.add_argument("--out", metavar="DIR", default="outputs", help="output folder (default: ./outputs)")
    out.add_argument("--lang", choices=["zh", "en"], default=None, help="map and table labels (default: from the data's names)")
    out.add_argument("--basemap", choices=["osm", "light", "gaode", "none"], default=None,
                     help="map background (gaode: overlays converted to GCJ-02)")
    mode = out.add_mutually_exclusive_group()
    mode.add_argument("--offline", dest="offline", action="store_true", default=None,
                      help="maps with every script inlined and no tiles (default)")
    mode.add_argument("--online", dest="offline", action="store_false", help="maps that load basemap tiles")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="geoplan", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("info", help="load the data and print what is in it")
    _common(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p = sub.add_parser("demo", help="run everything on the bundled real OSM sample and write maps")
    _common(p)
    p = sub.add_parser("run", help="run every analysis on your data")
    _common(p)
    for name in ANALYSES:
        module = _analysis_cli(name)
        if module is None:
            continue
        p = sub.add_parser(name, help=module.HELP)
        _common(p)
        module.add_arguments(p)
    return parser


class _Progress:
    """Prints each long step with the time since start, on stderr so stdout stays clean."""

    def __init__(self, quiet: bool = False) -> None:
        self.start = time.perf_counter()
        self.quiet = quiet

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.start:6.1f}s] {message} …", file=sys.stderr, flush=True)


def _load(args, config: dict, preset, *, demo: bool, progress):
    from geoplan.study import load_study

    layers = list(config.get("layers") or []) + list(args.layers or [])
    if demo:
        layers = [str(sample_layers_path())] + layers
    bbox = None
    if args.bbox:
        try:
            bbox = tuple(float(v) for v in args.bbox.split(","))
            assert len(bbox) == 4
        except (ValueError, AssertionError):
            raise InputError(f"--bbox {args.bbox!r} is not four numbers", fix="write it as W,S,E,N in degrees, e.g. 116.34,39.99,116.36,40.01") from None
    osm = args.osm or (None if demo else config.get("osm"))
    if args.clear_cache:
        from geoplan.cache import clear

        progress(f"cleared {clear()} cached studies")
    return load_study(osm, place=args.place or config.get("place"), bbox=bbox, layers=layers,
                      preset=preset, encoding=args.encoding or config.get("encoding"),
                      name=config.get("name"), progress=progress, cache=args.cache)


def sample_layers_path() -> Path:
    """The illustrative sample community layers shipped with geoplan."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "sample_layers", here.parent / "layers"):
        if candidate.is_dir():
            return candidate
    raise InputError("the sample layers are missing from this installation", fix="reinstall geoplan")


def _print_info(info: dict) -> None:
    print(f"study        {info['study']}")
    print(f"CRS          {info['crs']}    preset: {info['preset']}")
    print(f"walk network {info['walk_nodes']:,} nodes, {info['walk_edges']:,} edges")
    print(f"drive network {info['drive_nodes']:,} nodes, {info['drive_edges']:,} edges (emergency vehicles)")
    print(f"buildings    {info['buildings']:,} ({info['residential_buildings']:,} residential)")
    print(f"residents    {info['residents']:,} features, population {info['population']:,.0f} "
          f"({', '.join(info['population_source'])})")
    print("facilities   " + (", ".join(f"{k} {v}" for k, v in info["facilities"].items()) or "none"))
    print("stations     " + (", ".join(f"{k} {v}" for k, v in info["stations"].items()) or "none"))
    print(f"obstructions {info['obstructions']}    candidate sites {info['candidate_sites']}")
    print("communities  " + (", ".join(info["communities"]) or "none (no boundary layer)"))
    for d in info["dropped"]:
        print(f"dropped      {d['count']} {d['what']}: {d['reason']}")
    for w in info["warnings"]:
        print(f"note         {w}")


def _write_study_maps(study, args, config, out: Path) -> list[Path]:
    from geoplan.config import map_options
    from geoplan.maps import study_area_map

    options = map_options(args, config, study)
    written = [study_area_map(study, **options).to_html(out / "maps" / "study_area.html")]
    for other in ("zh", "en"):  # the meeting map in the other language too
        if other != options["lang"]:
            m = study_area_map(study, **{**options, "lang": other})
            written.append(m.to_html(out / "maps" / f"study_area.{other}.html"))
    return written


def _main(argv: Sequence[str] | None) -> int:
    from geoplan.config import load_config, preset_from_config
    from geoplan.report import check_output_folder, write_manifest

    args = build_parser().parse_args(argv)
    config = load_config(args.config)
    preset = preset_from_config(config, args.preset)
    if args.command in ANALYSES and hasattr(_analysis_cli(args.command), "check"):
        _analysis_cli(args.command).check(args, config, preset)  # fail before the slow load
    quiet = args.command == "info" and args.json
    progress = _Progress(quiet=quiet)
    study = _load(args, config, preset, demo=args.command == "demo", progress=progress)
    if args.command == "info":
        info = study.info()
        if args.json:
            print(json.dumps(info, ensure_ascii=False, indent=None, default=str))
        else:
            _print_info(info)
        return 0
    out = check_output_folder(args.out, study.inputs)
    written: list[Path] = []
    if args.command in ("demo", "run"):
        _print_info(study.info())
        progress("drawing the study-area map")
        written += _write_study_maps(study, args, config, out)
        names = [n for n in ANALYSES if _analysis_cli(n) is not None]
        for name in names:
            module = _analysis_cli(name)
            sub = argparse.ArgumentParser()
            module.add_arguments(sub)
            sub_args = sub.parse_args([])
            for key, value in vars(args).items():
                setattr(sub_args, key, value)
            progress(f"running {name}")
            written += module.run(study, sub_args, out, config=config, progress=progress)
    else:
        written += _analysis_cli(args.command).run(study, args, out, config=config, progress=progress)
    params = {k: v for k, v in vars(args).items() if k not in ("debug",)}
    written.append(write_manifest(out, command=args.command, inputs=study.inputs, parameters=params,
                                  preset=study.preset.as_dict(), outputs=written))
    print("wrote:")
    for path in written:
        print(f"  {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``geoplan`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        return _main(argv)
    except InputError as exc:
        if debug:
            traceback.print_exc()
        print(f"geoplan: error: {exc.line()}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `geoplan info | head`: the reader left, nothing is wrong
        return 0
    except KeyboardInterrupt:
        print("geoplan: interrupted; no output was half-written", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: say so plainly
        if debug:
            traceback.print_exc()
        print(f"geoplan: internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
              f"(rerun with --debug and report it)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
