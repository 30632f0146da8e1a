"""``geoplan residents-per-community``: the smallest analysis that follows the plug-in contract."""

from __future__ import annotations

import argparse
from pathlib import Path

from geoplan.report import write_csv

HELP = "count residents per community (a toy analysis for the extension test)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--min-population", type=float, default=None, help="leave out smaller residents")


def check(args, config: dict, preset) -> None:
    from geoplan.errors import InputError

    if args.min_population is not None and args.min_population < 0:
        raise InputError("--min-population must be zero or more", fix="give a number of people, e.g. 10")


def run(study, args, out: Path, *, config: dict, progress) -> list[Path]:
    residents = study.residents
    if args.min_population:
        residents = residents[residents["population"] >= args.min_population]
    table = residents.groupby("community", as_index=False)["population"].sum()
    return [write_csv(table, out / "toy" / "communities.csv")]
