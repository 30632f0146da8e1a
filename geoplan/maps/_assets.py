"""Page assets (Leaflet and plugin JavaScript/CSS) and basemap tile definitions.

Every asset is inlined into the page from the ``folium-offline`` package, which ships
the exact files folium links to, keyed by their CDN address. Inlining is unconditional:
the public CDNs folium uses are slow or unreachable in mainland China, and a page without
Leaflet is a blank page, whereas a page without tiles still shows every overlay. No
third-party code is copied into this repository.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from importlib import resources
from typing import Mapping

import folium
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin

from geoplan.i18n import N_
from geoplan.maps._i18n import text

#: The only assets of ``folium.Map`` a geoplan page needs. jQuery, Bootstrap and Font
#: Awesome (about 1.1 MB) serve folium features geoplan does not use (string popups,
#: icon markers); leaving them out keeps the page light.
_MAP_ASSETS = {"leaflet", "leaflet_css"}


def _embedded() -> dict[str, str]:
    """folium-offline's table of embedded resources, address → text."""
    try:
        from offlinefolium.elements import _res  # the package's only resource store
    except ImportError as exc:  # pragma: no cover - dependency is declared in pyproject
        raise RuntimeError("geoplan maps need the 'folium-offline' package "
                           "(pip install folium-offline)") from exc
    return _res


def _walk(element):
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _safe_inline(text: str, closing: str) -> str:
    # An inlined file must not close its own <script>/<style> element early.
    return text.replace(closing, closing.replace("</", "<\\/"))


def inline_assets(m: folium.Map) -> None:
    """Replace every CDN link folium would write with the inlined file.

    Must be called once, after all elements are added and before rendering. Raises
    ``RuntimeError`` naming the address if folium-offline lacks a needed file, rather
    than writing a page that silently needs the network.
    """
    figure: Figure = m.get_root()
    store = _embedded()
    seen: set[str] = set()
    for element in _walk(m):
        if not isinstance(element, JSCSSMixin):
            continue
        js, css = list(element.default_js), list(element.default_css)
        if element is m:
            js = [p for p in js if p[0] in _MAP_ASSETS]
            css = [p for p in css if p[0] in _MAP_ASSETS]
        # Instance attributes shadow folium's class lists, which must stay untouched.
        element.default_js = []
        element.default_css = []
        for kind, items in (("script", js), ("style", css)):
            for name, url in items:
                if name in seen:
                    continue
                if url not in store:
                    raise RuntimeError(f"folium-offline has no embedded copy of {url}")
                seen.add(name)
                body = _safe_inline(store[url], f"</{kind}")
                figure.header.add_child(Raw(f"<{kind}>{body}</{kind}>"), name=name)


def map_css() -> str:
    """geoplan's own stylesheet (title block, legend, panels, print layout)."""
    return resources.files("geoplan.maps").joinpath("map.css").read_text(encoding="utf-8")


_OSM_LINK = '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'


@dataclass(frozen=True)
class Basemap:
    """A tile source: URL template, attribution, subdomains, datum.

    ``attribution`` is a msgid (translated in the map's language, then escaped) whose
    placeholders are filled with the trusted HTML links of ``links``.
    """

    key: str
    url: str | None
    attribution: str = ""
    subdomains: str = "abc"
    max_zoom: int = 19
    gcj02: bool = False
    links: Mapping[str, str] = field(default_factory=dict)

    def attribution_html(self, lang: str) -> str:
        """The attribution in ``lang``: translated text escaped, links inserted."""
        if not self.attribution:
            return ""
        return html.escape(text(self.attribution, lang), quote=True).format(**self.links)


BASEMAPS: dict[str, Basemap] = {
    "osm": Basemap(
        "osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", N_("© {osm} contributors"),
        subdomains="abc", links={"osm": _OSM_LINK}),
    "light": Basemap(
        "light", "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        N_("© {osm} contributors © {carto}"), subdomains="abcd", max_zoom=20,
        links={"osm": _OSM_LINK, "carto": '<a href="https://carto.com/attributions">CARTO</a>'}),
    # AutoNavi road map tiles; style=8 is the plain street map. Coordinates are GCJ-02.
    "gaode": Basemap(
        "gaode",
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        N_("© {autonavi}"), subdomains="1234", max_zoom=18, gcj02=True, links={"autonavi": "AutoNavi 高德地图"}),
    "none": Basemap("none", None),
}


class Raw(Element):
    """Text added to a page exactly as it is: never compiled as a Jinja template.

    branca's ``Element(text)`` compiles ``text`` as a template, so ``{{ … }}`` in a study or
    street name would be evaluated (``{{ 7*7 }}`` showed 49) and megabytes of inlined data
    were lexed on every page. Everything geoplan writes into a page goes through this.
    """

    def __init__(self, html: str) -> None:
        super().__init__("")
        self.html = html

    def render(self, **kwargs) -> str:
        return self.html


class RawParts(MacroElement):
    """branca's last rendering step, adding the rendered header, html and script as :class:`Raw`.

    branca adds each part as ``Element(text)``, compiling the rendered text as a template once
    more: a layer's whole GeoJSON was lexed by Jinja again (rendering the 100 k-node city's
    coverage map took 1.2–1.6 s with it, 0.4–0.65 s without), and a name holding ``{#`` stopped
    the page while ``{{ 7*7 }}`` showed 49.
    Listed after a folium class (``class _GeoJson(folium.GeoJson, RawParts)``) it comes right
    before :class:`branca.element.MacroElement` in the method order, so folium's own rendering
    (style maps, includes, add-to-map) runs unchanged and only that step is replaced.
    """

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        for part in ("header", "html", "script"):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                getattr(figure, part).add_child(Raw(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class ScriptAfterMap(MacroElement):
    """Raw JavaScript added to the page's script in the element's place among the map's
    children: added last, after every layer is defined (trusted text only, never a template)."""

    def __init__(self, code: str):
        super().__init__()
        self._name = "ScriptAfterMap"
        self.code = code

    def render(self, **kwargs):
        self.get_root().script.add_child(Raw(self.code), name=self.get_name())
        super().render(**kwargs)
