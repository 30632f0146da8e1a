"""The protocol every analysis result follows, so the CLI, maps and reports treat them alike.

A result is immutable and holds tables in the study's metric CRS. It writes itself
(:meth:`~AnalysisResult.to_file`), draws itself (:meth:`~AnalysisResult.to_map`) and says what it
found (``summary``), what a reader should know (``warnings``) and how it was asked
(``parameters``, JSON-serialisable, written into the manifest).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Protocol, runtime_checkable

import pandas as pd


@runtime_checkable
class AnalysisResult(Protocol):
    """What :class:`~geoplan.life_circle.CoverageResult`, :class:`~geoplan.emergency_access.AccessResult` and
    :class:`~geoplan.shelters.SitesResult` have in common."""

    #: Headline figures: a table (one row per community or model) the CLI prints and reports use.
    summary: pd.DataFrame
    #: Sentences a reader must see beside the figures (estimated population, solver limits…).
    warnings: tuple[Any, ...]
    #: The options the analysis ran with, JSON-serialisable.
    parameters: Mapping[str, Any]

    def to_file(self, out: str | Path, *, lang: str | None = None) -> list[Path]:
        """Write the tables under ``out/<analysis>/``; return the paths written.

        Sentence columns (causes, reasons, notes) are rendered in ``lang`` (default ``en``);
        their ``*_code`` columns beside them stay the same in every language.
        """
        ...

    def to_map(self, *, lang: str | None = None, basemap: str = "osm", offline: bool = True,
               date: str | None = None, detail_limit: int | None = None, window: Any = None,
               community_maps: Any = None) -> Any:
        """The interactive map (a :class:`geoplan.maps.PlanMap`) in ``lang``.

        Past ``detail_limit`` building features it draws aggregates (see :mod:`geoplan.maps.overview`).
        """
        ...
