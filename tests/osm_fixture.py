"""Write small, fully known OSM XML files for tests (a street grid with Chinese names).

Coordinates are in Beijing (≈116.35°E, 40.00°N). ``step_m`` is the block size in metres.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from xml.sax.saxutils import quoteattr

LON0, LAT0 = 116.35, 40.0
M_PER_DEG_LAT = 111_320.0


def lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    """Degrees of a point ``x_m`` east and ``y_m`` north of the origin (local approximation)."""
    return LON0 + x_m / (M_PER_DEG_LAT * math.cos(math.radians(LAT0))), LAT0 + y_m / M_PER_DEG_LAT


class OsmWriter:
    """Collect nodes, ways and tags, then write OSM XML."""

    def __init__(self) -> None:
        self.nodes: list[tuple[int, float, float, dict]] = []
        self.ways: list[tuple[int, list[int], dict]] = []
        self._next = 1

    def node(self, x_m: float, y_m: float, **tags) -> int:
        nid = self._next
        self._next += 1
        lon, lat = lonlat(x_m, y_m)
        self.nodes.append((nid, lon, lat, {k.replace("__", ":"): v for k, v in tags.items()}))
        return nid

    def way(self, refs: list[int], **tags) -> int:
        wid = self._next
        self._next += 1
        self.ways.append((wid, refs, {k.replace("__", ":"): v for k, v in tags.items()}))
        return wid

    def box(self, x0: float, y0: float, x1: float, y1: float, **tags) -> int:
        refs = [self.node(x0, y0), self.node(x1, y0), self.node(x1, y1), self.node(x0, y1)]
        return self.way(refs + [refs[0]], **tags)

    def write(self, path: Path, *, negative_ids: bool = False, shuffle_seed: int | None = None,
              bounds: tuple[float, float, float, float] | None = None) -> Path:
        """Write OSM XML.

        ``negative_ids`` writes every id negated (as JOSM saves new objects); ``shuffle_seed``
        writes the objects in a seeded random order (as Overpass ``out qt`` or a JOSM save mixing
        new and downloaded objects); ``bounds`` adds a ``<bounds>`` header (W, S, E, N degrees).
        """
        sign = -1 if negative_ids else 1
        objects = []
        for nid, lon, lat, tags in self.nodes:
            body = "".join(f"<tag k={quoteattr(k)} v={quoteattr(str(v))}/>" for k, v in tags.items())
            objects.append(f'<node id="{sign * nid}" version="1" lat="{lat:.8f}" lon="{lon:.8f}">{body}</node>')
        for wid, refs, tags in self.ways:
            body = "".join(f'<nd ref="{sign * r}"/>' for r in refs)
            body += "".join(f"<tag k={quoteattr(k)} v={quoteattr(str(v))}/>" for k, v in tags.items())
            objects.append(f'<way id="{sign * wid}" version="1">{body}</way>')
        if shuffle_seed is not None:
            random.Random(shuffle_seed).shuffle(objects)
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="geoplan-tests">']
        if bounds is not None:
            w, s, e, n = bounds
            lines.append(f'<bounds minlat="{s}" minlon="{w}" maxlat="{n}" maxlon="{e}"/>')
        lines += objects
        lines.append("</osm>")
        path.write_text("\n".join(lines), encoding="utf-8")
        return path


def grid_writer(*, n: int = 4, step_m: float = 100.0) -> OsmWriter:
    """The :func:`grid_district` content, not yet written (to write it in several ways)."""
    w = OsmWriter()
    ids = [[w.node(i * step_m, j * step_m) for i in range(n)] for j in range(n)]
    for j in range(n):
        w.way(ids[j], highway="residential", name=f"测试路{j}")
    for i in range(n):
        w.way([ids[j][i] for j in range(n)], highway="residential", name=f"测试街{i}")
    w.box(20, 20, 40, 40, building="apartments", building__levels="6", name="一号楼")
    w.box(120, 20, 140, 40, building="residential", name="二号楼")
    w.box(20, 120, 40, 140, building="office", name="办公楼")
    w.node(60, 110, amenity="clinic", name="社区卫生服务站")
    w.node(160, 110, shop="supermarket", name="超市")
    w.node(210, 10, amenity="school", school="primary", name="实验小学")
    w.box(210, 210, 290, 290, leisure="park", name="街心公园")
    return w


def grid_district(path: Path, *, n: int = 4, step_m: float = 100.0) -> Path:
    """An ``n × n`` grid of two-way residential streets with a few buildings and services.

    Known content: 2 residential buildings (20 × 20 m, 6 and unknown levels), one office,
    a clinic, a supermarket, a park polygon and a primary school, names in Chinese.
    """
    return grid_writer(n=n, step_m=step_m).write(path)


def run_cli(*args: str) -> tuple[int, str, str]:
    """Call ``geoplan.cli.main`` in this process (no subprocess start-up); return code, stdout, stderr."""
    import contextlib
    import io

    from geoplan.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name → bytes); empty when the folder does not exist."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
