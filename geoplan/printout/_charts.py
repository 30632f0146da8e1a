"""Charts where people would rather look than read: coverage by category, the shelter coverage
curve and the distribution of emergency response times."""

from __future__ import annotations

import numpy as np

from geoplan.printout._figures import _in
from geoplan.printout._tables import RunTables
from geoplan.printout._text import category_label, text

#: Width of one response-time histogram bin, minutes.
RESPONSE_BIN_MIN = 0.5


def coverage_by_category(ax, run: RunTables, community: str, lang: str) -> None:
    """Horizontal bars: share of residents with each service within its tier."""
    s = run.coverage_summary
    ax.set_title(text("Residents covered by category", lang), fontsize=10)
    if s is None:
        ax.axis("off")
        return
    s = s.loc[s["community"].astype(str) == community].iloc[::-1]
    shares = s["covered_share"].fillna(0).to_numpy() * 100
    labels = [category_label(c, lang) for c in s["category"]]
    ax.barh(labels, shares, color="#3182bd")
    ax.set_xlim(0, 100)
    ax.set_xlabel("%", fontsize=8)
    ax.tick_params(labelsize=7)


def coverage_curve(ax, run: RunTables, lang: str) -> None:
    """Share of residents covered against the number of shelters opened (study-wide)."""
    c = run.sites_curve
    ax.set_title(text("Shelter coverage curve (whole study)", lang), fontsize=10)
    if c is None or not len(c):
        ax.axis("off")
        return
    ax.plot(c["k"], c["covered_share"] * 100, marker="o", color="#1b7837")
    ax.set_xlabel(text("Shelters opened", lang), fontsize=8)
    ax.set_ylabel("%", fontsize=8)
    ax.set_ylim(0, 100)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)


def response_times(ax, run: RunTables, community: str, lang: str) -> None:
    """Histogram of buildings by response time (minutes) with the target as a line."""
    b = _in(run.access_buildings, community)
    ax.set_title(text("Emergency response time", lang), fontsize=10)
    if b is None or not len(b):
        ax.axis("off")
        return
    minutes = b["response_s"].to_numpy(dtype=float) / 60
    finite = minutes[np.isfinite(minutes)]
    top = max(float(finite.max()) if finite.size else 1.0, float(b["target_s"].max()) / 60) + RESPONSE_BIN_MIN
    bins = np.arange(0, top + RESPONSE_BIN_MIN, RESPONSE_BIN_MIN)
    ax.hist(finite, bins=bins, color="#fc8d59", edgecolor="white")
    target = float(b["target_s"].iloc[0]) / 60
    ax.axvline(target, color="#b2182b", linestyle="--")
    ax.text(target, ax.get_ylim()[1] * 0.95, text("target {minutes} min", lang, minutes=f"{target:g}"),
            color="#b2182b", fontsize=7, ha="right", va="top", rotation=90)
    ax.set_xlabel(text("minutes", lang), fontsize=8)
    ax.set_ylabel(text("Buildings", lang), fontsize=8)
    ax.tick_params(labelsize=7)
    unreached = int((~np.isfinite(minutes)).sum())
    if unreached:
        ax.text(0.02, 0.97, text("{n} not reachable", lang, n=unreached), transform=ax.transAxes, ha="left", va="top",
                fontsize=7, color="#404040")
