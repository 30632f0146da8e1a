"""Capture at the meeting: the access map's drawing tool for what residents know.

Residents mark an occupied lane (a line), a locked gate (a point) or a sealed compound (a
polygon), pick its kind and a name, and export ``scenario.geojson`` — an obstructions layer in
WGS-84 that ``geoplan access --scenario FILE`` reads as it is (``kind``, ``name``, ``keep_open``,
``note``; see ``layers/README.md``). folium's Draw plugin (Leaflet.draw) is inlined like the
rest of the page; the file is made in the browser, nothing is sent anywhere.
"""

from __future__ import annotations

import folium
from branca.element import MacroElement
from folium.plugins import Draw

from geoplan.i18n import N_
from geoplan.maps._assets import Raw, ScriptAfterMap
from geoplan.maps._html import esc
from geoplan.maps.basemap import page_json

#: Kinds a resident may mark, in the order of the list (the layer schema's obstruction kinds).
CAPTURE_KINDS = ("occupied_lane", "locked_gate", "sealed_compound")
#: The exported file's name.
SCENARIO_FILE = "scenario.geojson"


#: Leaflet.draw's own texts for the tools the capture uses (its ``L.drawLocal`` keys), so the
#: drawing tooltips read in the map's language too.
DRAW_TEXTS = {
    "draw": {
        "toolbar": {
            "actions": {"title": N_("Cancel drawing"), "text": N_("Cancel")},
            "finish": {"title": N_("Finish drawing"), "text": N_("Finish")},
            "undo": {"title": N_("Delete last point drawn"), "text": N_("Delete last point")},
            "buttons": {"polyline": N_("Draw a line (an occupied lane)"),
                        "polygon": N_("Draw an outline (a sealed compound)"),
                        "circlemarker": N_("Place a point (a locked gate)")},
        },
        "handlers": {
            "circlemarker": {"tooltip": {"start": N_("Click the map to place the point.")}},
            "polygon": {"tooltip": {"start": N_("Click to start the outline."),
                                    "cont": N_("Click to continue the outline."),
                                    "end": N_("Click the first point to close the outline.")}},
            "polyline": {"error": N_("Error: the line cannot cross itself."),
                         "tooltip": {"start": N_("Click to start the line."),
                                     "cont": N_("Click to continue the line."),
                                     "end": N_("Click the last point to finish the line.")}},
        },
    },
    "edit": {
        "toolbar": {
            "actions": {"save": {"title": N_("Save changes"), "text": N_("Save")},
                        "cancel": {"title": N_("Cancel editing, discard all changes"), "text": N_("Cancel")},
                        "clearAll": {"title": N_("Delete every mark"), "text": N_("Delete all")}},
            "buttons": {"edit": N_("Edit marks"), "editDisabled": N_("No marks to edit"),
                        "remove": N_("Delete marks"), "removeDisabled": N_("No marks to delete")},
        },
        "handlers": {
            "edit": {"tooltip": {"text": N_("Drag the handles to edit a mark."),
                                 "subtext": N_("Click Cancel to undo the changes.")}},
            "remove": {"tooltip": {"text": N_("Click a mark to delete it.")}},
        },
    },
}


def _draw_texts(lang: str, texts=DRAW_TEXTS):
    """:data:`DRAW_TEXTS` in ``lang`` (HTML-escaped: Leaflet.draw inserts them as markup)."""
    from geoplan.printout._text import text

    return {k: _draw_texts(lang, v) if isinstance(v, dict) else esc(text(v, lang)) for k, v in texts.items()}


def _draw_locale(lang: str) -> str:
    """Script setting Leaflet.draw's texts; added before its control is made (it reads them then)."""
    return ("(function merge(into, from) { for (var k in from) { if (typeof from[k] === 'object') "
            "{ into[k] = into[k] || {}; merge(into[k], from[k]); } else { into[k] = from[k]; } } })"
            f"(L.drawLocal, {page_json(_draw_texts(lang))});")


def _texts(lang: str) -> dict[str, str]:
    from geoplan.printout._text import OBSTRUCTION, code_label, text

    return {
        "title": text("Mark what blocks emergency access", lang),
        "hint": text("Draw a line for an occupied lane, a point for a locked gate or an outline for a sealed "
                     "compound, then export the file and run: geoplan access --scenario {file}", lang,
                     file=SCENARIO_FILE),
        "kind": text("Kind", lang), "name": text("Name or place", lang),
        "export": text("Export scenario file", lang), "marked": text("Marked: {n}", lang, n="{n}"),
        "kinds": {k: code_label(OBSTRUCTION, k, lang) for k in CAPTURE_KINDS},
        "note": text("marked on the access map", lang),
    }


def _panel(texts: dict) -> str:
    options = "".join(f'<option value="{esc(k)}">{esc(v)}</option>' for k, v in texts["kinds"].items())
    return (f'<div class="gp-panel gp-capture" id="gp-capture" style="top:10px;left:50%;transform:translateX(-50%);'
            f'max-width:420px;font-size:12px">'
            f'<b>{esc(texts["title"])}</b><div style="margin:3px 0;color:#555">{esc(texts["hint"])}</div>'
            f'<label>{esc(texts["kind"])} <select id="gp-capture-kind">{options}</select></label> '
            f'<label>{esc(texts["name"])} <input id="gp-capture-name" size="14"></label> '
            f'<button id="gp-capture-export" type="button">{esc(texts["export"])}</button> '
            f'<span id="gp-capture-count"></span></div>'
            '<style>@media print { #gp-capture, .leaflet-draw { display: none !important; } }</style>')


_JS = """
(function() {
  var map = %(map)s, group = %(group)s, T = %(texts)s;
  var kindBox = document.getElementById('gp-capture-kind'), nameBox = document.getElementById('gp-capture-name');
  var byType = {polyline: 'occupied_lane', circlemarker: 'locked_gate', polygon: 'sealed_compound'};
  kindBox.addEventListener('change', function () { kindBox.dataset.chosen = '1'; });
  function count() {
    document.getElementById('gp-capture-count').textContent = T.marked.replace('{n}', group.getLayers().length);
  }
  map.on('draw:created', function (e) {
    // the kind chosen in the list, else the usual kind of what was drawn
    var kind = kindBox.dataset.chosen ? kindBox.value : (byType[e.layerType] || kindBox.value);
    e.layer.feature = {type: 'Feature', properties: {kind: kind, name: nameBox.value || T.kinds[kind],
      keep_open: false, note: T.note}};
    e.layer.bindTooltip(document.createTextNode(T.kinds[kind] + (nameBox.value ? ': ' + nameBox.value : '')));
    setTimeout(count, 0);
  });
  map.on('draw:deleted', count);
  function geojson() {
    var fc = group.toGeoJSON();
    fc.name = 'obstructions';
    return JSON.stringify(fc, null, 1);
  }
  document.getElementById('gp-capture-export').addEventListener('click', function () {
    var blob = new Blob([geojson()], {type: 'application/geo+json'});
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = %(file)s;
    document.body.appendChild(a); a.click(); a.remove();
  });
  count();
  window.geoplanCapture = {group: group, geojson: geojson};  // read by tests
})();
"""


class _CaptureScript(MacroElement):
    def __init__(self, group: folium.FeatureGroup, texts: dict) -> None:
        super().__init__()
        self._name = "CaptureTool"
        self.group = group
        self.texts = texts

    def render(self, **kwargs) -> None:
        m = self._parent
        code = _JS % {"map": m.get_name(), "group": self.group.get_name(), "texts": page_json(self.texts),
                      "file": page_json(SCENARIO_FILE)}
        root = self.get_root()
        root.html.add_child(Raw(_panel(self.texts)), name="geoplan_capture_panel")
        root.script.add_child(Raw(code), name=self.get_name())
        super().render(**kwargs)


def add_capture_tool(m: folium.Map, *, lang: str) -> None:
    """Add the drawing tool, the kind list and the export button to an access map."""
    group = folium.FeatureGroup(name="capture", control=False).add_to(m)
    ScriptAfterMap(_draw_locale(lang)).add_to(m)
    Draw(feature_group=group, show_geometry_on_click=False, position="topright",
         draw_options={"polyline": {"shapeOptions": {"color": "#a50026", "weight": 5}},
                       "polygon": {"shapeOptions": {"color": "#a50026"}},
                       "circlemarker": {"color": "#a50026", "radius": 8},
                       "marker": False, "circle": False, "rectangle": False},
         edit_options={"edit": True, "remove": True}).add_to(m)
    _CaptureScript(group, _texts(lang)).add_to(m)
