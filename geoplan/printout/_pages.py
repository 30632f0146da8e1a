"""One A3 landscape page: title band, map on the left, figures, tables and charts on the right."""

from __future__ import annotations

import matplotlib.pyplot as plt

from geoplan.printout import _charts
from geoplan.printout._figures import Table, access_table, coverage_table, headline, shelters_table
from geoplan.printout._map import draw_map
from geoplan.printout._text import text

#: A3 landscape in inches (420 × 297 mm).
A3_LANDSCAPE_IN = (16.54, 11.69)
#: Longest cell text before it is shortened with an ellipsis (keeps the columns on the page).
MAX_CELL_CHARS = 26


def page(run, study, basemap, community: str, *, lang: str, date: str):
    """The figure of one page (``community="ALL"``: the whole study)."""
    fig = plt.figure(figsize=A3_LANDSCAPE_IN)
    _title(fig, study, community, lang, date)
    draw_map(fig.add_axes((0.02, 0.05, 0.50, 0.82)), run, basemap, study.communities, study.crs, community, lang)
    _headline(fig, headline(run, community, lang))
    tables = [coverage_table(run, community, lang), access_table(run, community, lang),
              shelters_table(run, community, lang)]
    boxes = ((0.55, 0.50, 0.20, 0.22), (0.77, 0.50, 0.21, 0.22), (0.55, 0.29, 0.43, 0.15))
    for table, box in zip(tables, boxes):
        if table is not None:
            draw_table(fig.add_axes(box), table)
    _charts.coverage_by_category(fig.add_axes((0.615, 0.06, 0.10, 0.20)), run, community, lang)
    _charts.coverage_curve(fig.add_axes((0.75, 0.06, 0.10, 0.20)), run, lang)
    _charts.response_times(fig.add_axes((0.88, 0.06, 0.10, 0.20)), run, community, lang)
    return fig


def _title(fig, study, community: str, lang: str, date: str) -> None:
    title = study.name if community == "ALL" else community
    subtitle = text("Emergency-space planning report", lang) if community == "ALL" else \
        text("Community page of {study}", lang, study=study.name)
    fig.text(0.02, 0.955, title, fontsize=26, va="center")
    fig.text(0.02, 0.915, subtitle, fontsize=13, color="#444444", va="center")
    fig.text(0.98, 0.955, text("Date: {date}", lang, date=date), fontsize=11, ha="right", va="center")
    fig.text(0.98, 0.925, text("Standards preset: {preset}", lang, preset=study.preset.name), fontsize=11,
             ha="right", va="center")
    fig.text(0.98, 0.895, text("Illustrative community layers are marked as such in the data.", lang)
             if _illustrative(study) else "", fontsize=8, ha="right", va="center", color="#777777")


def _illustrative(study) -> bool:
    return any("samples" in str(i.get("path", "")) for i in study.inputs)


def _headline(fig, figures: list[tuple[str, str]]) -> None:
    for i, (label, value) in enumerate(figures):
        x = 0.55 + (i % 3) * 0.145
        y = 0.845 - (i // 3) * 0.065
        fig.text(x, y, value, fontsize=22, color="#08519c", va="bottom")
        fig.text(x, y - 0.005, label, fontsize=9, color="#333333", va="top")


def _cell(value: str) -> str:
    return value if len(value) <= MAX_CELL_CHARS else value[: MAX_CELL_CHARS - 1] + "…"


def draw_table(ax, table: Table) -> None:
    """Set a :class:`Table` in ``ax`` (title above, header shaded)."""
    ax.axis("off")
    ax.set_title(table.title, loc="left", fontsize=12, color="#08306b")
    if not table.rows:
        ax.text(0, 0.9, "–", fontsize=9)
        return
    cells = [[_cell(c) for c in row] for row in table.rows]
    t = ax.table(cellText=cells, colLabels=list(table.header), loc="upper left", cellLoc="left",
                 colLoc="left")
    t.auto_set_font_size(False)
    t.set_fontsize(8)
    t.auto_set_column_width(list(range(len(table.header))))
    for (r, _), cell in t.get_celld().items():
        cell.set_edgecolor("#cccccc")
        if r == 0:
            cell.set_facecolor("#eef2f7")
