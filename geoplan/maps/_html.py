"""HTML fragments of the page: title block, legend and a small inline SVG chart.

Every argument that can come from data is escaped here; fixed words come from the
``maps`` catalogue through :mod:`geoplan.maps._i18n`. The fragments are plain strings so tests can read them directly.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Sequence

from geoplan.maps._i18n import CHROME, t, text


def esc(text: object) -> str:
    """HTML-escape any value (quotes too, for attributes)."""
    return html.escape(str(text), quote=True)


def title_block(*, lang: str, title: str, subtitle: str | None, date: str, preset_name: str | None,
                sources: Sequence[str], extra_lines: Sequence[str] = ()) -> str:
    """The title panel: study name, map theme, date, preset, sources and OSM attribution.

    ``subtitle``, ``extra_lines`` and ``sources`` may be :class:`geoplan.i18n.Message` objects
    or msgids: they are rendered in ``lang`` here; other text is shown as it is.
    """
    osm = t("title.osm", lang)
    src = [s for s in sources if s and s.strip()]
    if not any("openstreetmap" in s.lower() for s in src):
        src.append(osm)
    parts = ['<div class="gp-panel gp-title" id="gp-title">', f"<h1>{esc(title)}</h1>"]
    if subtitle:
        parts.append(f"<h2>{esc(text(subtitle, lang))}</h2>")
    parts.append('<div class="gp-meta">')
    parts.append(f"<div>{esc(text(CHROME['date'], lang, date=date))}</div>")
    if preset_name:
        parts.append(f"<div>{esc(text(CHROME['preset'], lang, preset=preset_name))}</div>")
    for line in extra_lines:
        parts.append(f"<div>{esc(text(line, lang))}</div>")
    parts.append(f"<div>{esc(text(CHROME['sources'], lang))}</div><ul class=\"gp-sources\">")
    parts.extend(f"<li>{esc(text(s, lang))}</li>" for s in src)
    parts.append("</ul></div></div>")
    return "".join(parts)


@dataclass
class LegendSection:
    """One layer's legend: a title and (colour, label) rows drawn as ``kind`` swatches."""

    layer_var: str
    title: str
    kind: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    visible: bool = True
    outline: str | None = None
    hollow: bool = False
    dashed: bool = False


def legend_block(sections: Sequence[LegendSection], *, lang: str) -> str:
    """The legend panel, one ``<section data-layer=…>`` per layer (hidden with the layer)."""
    out = ['<div class="gp-panel gp-legend" id="gp-legend">', f"<h3>{esc(t('legend.title', lang))}</h3>"]
    for s in sections:
        hidden = "" if s.visible else " gp-hidden"
        out.append(f'<section class="gp-leg{hidden}" data-layer="{esc(s.layer_var)}">')
        single = len(s.rows) == 1 and s.rows[0][1] == s.title
        if not single:  # a one-colour layer is one row: its swatch beside its name
            out.append(f"<h4>{esc(s.title)}</h4>")
        out.append('<ul class="gp-cols">' if len(s.rows) > 5 else "<ul>")
        for color, row_label in s.rows:
            border = esc(s.outline or color)
            if s.kind == "polygons" and s.hollow:  # outline-only areas: draw the outline
                style = f"background:transparent;border:2px {'dashed' if s.dashed else 'solid'} {border}"
            elif s.kind == "polygons":
                style = f"background:{esc(color)};border-color:{border}"
            elif s.kind == "lines" and s.dashed:
                style = f"background:repeating-linear-gradient(90deg,{esc(color)} 0 5px,transparent 5px 8px)"
            else:
                style = f"background:{esc(color)}"
            strong = ' class="gp-one"' if single else ""
            out.append(f'<li{strong}><span class="gp-sw {esc(s.kind)}" style="{style}"></span>{esc(row_label)}</li>')
        out.append("</ul></section>")
    out.append("</div>")
    return "".join(out)


def svg_line_chart(xs: Sequence[float], ys: Sequence[float], *, title: str = "", x_label: str = "",
                   y_label: str = "", width: int = 260, height: int = 150, color: str = "#1f6f8b",
                   y_max: float | None = None) -> str:
    """A small inline SVG line chart (e.g. population covered vs number of shelter sites).

    Parameters
    ----------
    xs, ys : sequence of float
        Points, drawn in the given order.
    title, x_label, y_label : str
        Text, escaped here.
    width, height : int
        Pixels.
    y_max : float, optional
        Top of the y axis; defaults to the data maximum.

    Returns
    -------
    str
        An ``<svg>`` element, safe to pass to :meth:`PlanMap.add_html_panel`.
    """
    if len(xs) != len(ys):
        raise ValueError("svg_line_chart needs as many x values as y values")
    x0, x1 = (min(xs), max(xs)) if xs else (0.0, 1.0)
    y1 = y_max if y_max is not None else (max(ys) if ys else 1.0)
    x1 = x1 if x1 > x0 else x0 + 1.0
    y1 = y1 if y1 > 0 else 1.0
    ticks = [(frac, f"{y1 * frac:,.0f}") for frac in (0.0, 0.5, 1.0)]
    # room for the longest tick beside the rotated axis label (a city's 16,821,380 was clipped)
    left = max(40, 18 + 6 * max(len(text) for _, text in ticks))
    right, top, bottom = 10, 22 if title else 8, 30
    pw, ph = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + (float(x) - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return top + ph - float(y) / y1 * ph

    pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-size="10" font-family="sans-serif">']
    if title:
        out.append(f'<text x="{left}" y="13" font-size="12" font-weight="600">{esc(title)}</text>')
    out.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#888"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#888"/>')
    for frac, text in ticks:
        out.append(f'<text x="{left - 4}" y="{py(y1 * frac) + 3:.1f}" text-anchor="end">{esc(text)}</text>')
    for xv in (x0, x1):
        out.append(f'<text x="{px(xv):.1f}" y="{top + ph + 12}" text-anchor="middle">{esc(f"{xv:,.0f}")}</text>')
    if pts:
        out.append(f'<polyline points="{pts}" fill="none" stroke="{esc(color)}" stroke-width="2"/>')
        out.extend(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.5" fill="{esc(color)}"/>'
                   for x, y in zip(xs, ys))
    if x_label:
        out.append(f'<text x="{left + pw / 2:.1f}" y="{height - 4}" text-anchor="middle">{esc(x_label)}</text>')
    if y_label:
        out.append(f'<text x="10" y="{top + ph / 2:.1f}" text-anchor="middle" '
                   f'transform="rotate(-90 10 {top + ph / 2:.1f})">{esc(y_label)}</text>')
    out.append("</svg>")
    return "".join(out)
