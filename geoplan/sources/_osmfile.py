"""Read an OSM file (XML, bzip2-compressed XML or PBF) into raw tables, in one pass.

pyosmium (libosmium, the OSM community's reference reader) parses every format and
assembles multipolygon areas, so buildings, parks and sites that are relations come out
as proper polygons. We keep only the tags later analyses read (``geoplan.standards``).
"""

from __future__ import annotations

import itertools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan._checksum import sha256_of
from geoplan._tags import tag_column
from geoplan.errors import InputError
from geoplan.i18n import message
from geoplan.standards import FEATURE_TAGS, NODE_TAGS, WAY_TAGS
from geoplan.standards.facilities import ENTRANCE_BARRIERS

SUPPORTED_SUFFIXES = (".osm", ".osm.xml", ".xml", ".osm.bz2", ".osm.pbf", ".pbf")

#: A node or area becomes a feature when it carries one of these keys.
_FEATURE_KEYS = ("building", "amenity", "leisure", "landuse", "shop", "healthcare", "social_facility",
                 "emergency", "place", "natural", "water", "office", "entrance", "boundary")


@dataclass(frozen=True)
class OsmData:
    """Raw OpenStreetMap tables of one study, in WGS-84 (EPSG:4326).

    Attributes
    ----------
    label
        Human-readable name of the source (file name or place).
    path
        File the data came from.
    sha256
        Checksum of that file, for the run manifest.
    ways
        Highway ways: ``osm_id``, ``nodes`` (list of node ids, in order) and the tags in
        :data:`geoplan.standards.WAY_TAGS`, categorical (missing tags are ``NaN``).
    nodes
        Every node used by a highway way, indexed by node id: ``lon``, ``lat`` (degrees) and the
        tags in :data:`geoplan.standards.NODE_TAGS` (barriers and the like), categorical.
    features
        Tagged points and polygons (buildings, amenities, land use, …): ``osm_type``, ``osm_id``,
        the tags in :data:`geoplan.standards.FEATURE_TAGS`, and geometry.
    bounds
        ``(west, south, east, north)`` in degrees of the street network's nodes: the extent of the
        data, never the file's ``<bounds>`` header (which may cover the world or another city).
    dropped
        What could not be read, as ``{"what", "count", "reason"}`` records.
    header_bounds
        The ``<bounds>`` the file declares, or ``None``.
    warnings
        Sentences a reader should see (e.g. a ``<bounds>`` header that disagrees with the data).
    """

    label: str
    path: Path
    sha256: str
    ways: pd.DataFrame
    nodes: pd.DataFrame
    features: gpd.GeoDataFrame
    bounds: tuple[float, float, float, float]
    dropped: tuple[dict, ...] = field(default_factory=tuple)
    header_bounds: tuple[float, float, float, float] | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _suffix_ok(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for s in SUPPORTED_SUFFIXES)


def _tags(taglist, keys: dict, strings: dict) -> dict:
    """The object's tags whose keys are in ``keys`` (absent ones are filled in when the tables are
    built). Keys and values are shared through ``keys`` and ``strings``: a city has millions of
    ``yes`` and ``residential``, and one copy of each keeps reading within memory."""
    found = {}
    for tag in taglist:
        key = keys.get(tag.k)
        if key is not None:
            value = tag.v
            found[key] = strings.setdefault(value, value)
    return found


_NODE_KEYS, _WAY_KEYS, _FEATURE_TAG_KEYS = ({k: k for k in keys} for keys in (NODE_TAGS, WAY_TAGS, FEATURE_TAGS))


#: libosmium's value of a coordinate the file does not give (deleted nodes, ways cut by the extract).
_UNDEFINED_COORDINATE = 2147483647
#: Less than this share of a ``<bounds>`` header lies within the extent of the streets: the header
#: describes another (or a far larger) area, and we say so. A header *inside* the streets' extent
#: is what every openstreetmap.org export has (complete ways reach past the box asked for): no note.
_HEADER_AGREEMENT = 0.5


class _NeedsSorting(Exception):
    """Valid OSM that libosmium's one-pass reader cannot take as it is: objects not sorted by type
    then id (Overpass ``out qt``, JOSM saves that mix new objects) or negative ids (JOSM's new
    objects, which its location index does not store)."""


@dataclass
class _Collected:
    """What one pass over a file keeps (ids as in the file read).

    Street geometry is kept as flat node references plus, per piece of way, either one WKB line
    string with a point per reference (built by libosmium, the common case) or explicit
    coordinates (a way the extract clipped): arrays at the end, no Python object per node.
    """

    way_rows: list[dict] = field(default_factory=list)
    way_refs: list[list[int]] = field(default_factory=list)  # per way read: its nodes that have a location
    way_wkb: list[bytes | None] = field(default_factory=list)  # their line, or None: see clipped_lonlat
    clipped_lonlat: list[tuple[float, float]] = field(default_factory=list)
    missing_refs: list[int] = field(default_factory=list)
    node_tags: dict[int, dict] = field(default_factory=dict)
    feat_rows: list[dict] = field(default_factory=list)
    feat_wkb: list[bytes] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    strings: dict[str, str] = field(default_factory=dict)  # one copy of each tag value


@dataclass(frozen=True)
class _Renumbering:
    """Negative ids moved above the largest positive id of their type, and back again.

    ``top`` maps ``"n"``, ``"w"``, ``"r"`` to the largest positive id of that type in the file.
    """

    top: dict[str, int]

    def new(self, kind: str, ident: int) -> int:
        return ident if ident > 0 else self.top[kind] + 1 - ident

    def old(self, kind: str, values) -> np.ndarray:
        values = np.asarray(values, dtype=np.int64)
        top = self.top[kind]
        return np.where(values > top, top + 1 - values, values)


def check_osm_file(path: str | Path) -> None:
    """Raise :class:`InputError` unless ``path`` is a non-empty file with an OSM suffix (no parsing)."""
    _check_file(Path(path))


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(message("OSM file not found"), source=path,
                         fix=message("check the path given to {option}", option="--osm"))
    if path.is_dir():
        raise InputError(message("expected an OSM file but got a folder"), source=path,
                         fix=message("give the .osm or .osm.pbf file itself"))
    if not _suffix_ok(path):
        raise InputError(message("unsupported OSM file type {suffix}", suffix="".join(path.suffixes)) if path.suffixes
                         else message("unsupported OSM file type (none)"), source=path,
                         fix=message("use .osm, .osm.xml, .osm.bz2 or .osm.pbf (convert others with osmium-tool)"))
    if path.stat().st_size == 0:
        raise InputError(message("the OSM file is empty"), source=path, fix=message("download or export the extract again"))


def _bad_location(loc, ident: int, path: Path) -> None:
    """Raise when a node gives coordinates outside the longitude/latitude range (not merely none)."""
    if loc.x != _UNDEFINED_COORDINATE or loc.y != _UNDEFINED_COORDINATE:
        raise InputError(message("node {node} has coordinates outside the longitude/latitude range (lon {lon:g}, lat {lat:g})",
                                 node=ident, lon=loc.x / 1e7, lat=loc.y / 1e7), source=path,
                         fix=message("correct or delete that node in JOSM, or export the extract again"))


def _parse_error(exc: Exception, path: Path) -> Exception:
    """The planner's version of an exception libosmium raised while reading ``path``."""
    import osmium

    text = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    if isinstance(exc, osmium.InvalidLocationError) or "coordinate" in text:
        return InputError(message("a node has coordinates that are not longitude/latitude ({detail})", detail=text),
                          source=path, fix=message("correct the node's lat/lon in the file or export the extract again"))
    if "too long" in text:
        return InputError(message("a tag is longer than OpenStreetMap allows ({detail})", detail=text), source=path,
                          fix=message("shorten that tag (OSM allows 255 characters) in JOSM, or remove it"))
    if "out of order" in text:
        return _NeedsSorting(text)
    return InputError(message("cannot parse the OSM file ({detail})", detail=text), source=path,
                      fix=message("the file is corrupt or not OSM data; export or download it again"))


def _header_bounds(path: Path) -> tuple[float, float, float, float] | None:
    import osmium

    try:
        box = osmium.FileProcessor(str(path)).header.box()
    except Exception:  # a header we cannot read is no header; the data pass reports real damage
        return None
    if not box.valid():
        return None
    return (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)


def _add_node(obj, out: _Collected, path: Path, wkb) -> None:
    tags = obj.tags
    if len(tags) == 0:
        return
    if any(k in tags for k in NODE_TAGS):
        out.node_tags[obj.id] = _tags(tags, _NODE_KEYS, out.strings)
    if any(k in tags for k in _FEATURE_KEYS) or tags.get("barrier") in ENTRANCE_BARRIERS:
        if obj.location.valid():
            row = {"osm_type": "node", "osm_id": obj.id, **_tags(tags, _FEATURE_TAG_KEYS, out.strings)}
            out.feat_rows.append(row)
            out.feat_wkb.append(wkb.create_point(obj.location))
        else:
            _bad_location(obj.location, obj.id, path)


def _add_way(obj, out: _Collected, path: Path, wkb, all_nodes, check_order: bool) -> None:
    """A highway way as a table row, its node references and its line (``all_nodes``: libosmium's
    option for a point per reference, repeated positions too)."""
    tags = obj.tags
    if "highway" not in tags or tags.get("area") == "yes":
        return
    row = {"osm_id": obj.id, **_tags(tags, _WAY_KEYS, out.strings)}
    refs = [nref.ref for nref in obj.nodes]
    if check_order and refs and min(refs) <= 0:
        raise _NeedsSorting(f"w{obj.id} uses a node with a negative id")
    try:  # every location known: libosmium writes the line in one call, a point per node
        line = wkb.create_linestring(obj.nodes, use_nodes=all_nodes)
    except Exception:  # some node has no location (a way the extract clipped) or too few nodes
        _add_clipped_way(obj, row, out, path)
        return
    out.way_rows.append({**row, "nodes": refs})
    out.way_refs.append(refs)
    out.way_wkb.append(line)


def _add_clipped_way(obj, row: dict, out: _Collected, path: Path) -> None:
    """A way with nodes outside the extract keeps each run of nodes inside it, never a shortcut across the gap."""
    runs: list[list[int]] = [[]]
    located: list[int] = []
    for nref in obj.nodes:
        loc = nref.location
        if loc.valid():
            runs[-1].append(nref.ref)
            located.append(nref.ref)
            out.clipped_lonlat.append((loc.lon, loc.lat))
        else:
            _bad_location(loc, nref.ref, path)
            out.missing_refs.append(nref.ref)
            key = "street nodes outside the extract"
            out.dropped[key] = out.dropped.get(key, 0) + 1
            if runs[-1]:
                runs.append([])
    out.way_refs.append(located)
    out.way_wkb.append(None)
    out.way_rows.extend({**row, "nodes": refs} for refs in runs if len(refs) >= 2)


def _add_area(obj, out: _Collected, wkb) -> None:
    tags = obj.tags
    if not (any(k in tags for k in _FEATURE_KEYS) or tags.get("highway") in ("pedestrian", "footway")):
        return
    try:
        geom = wkb.create_multipolygon(obj)
    except Exception:  # broken rings or missing members in a clipped extract
        out.dropped["areas with broken outlines"] = out.dropped.get("areas with broken outlines", 0) + 1
        return
    row = {"osm_type": "way" if obj.from_way() else "relation", "osm_id": obj.orig_id(),
           **_tags(tags, _FEATURE_TAG_KEYS, out.strings)}
    row["highway"] = tags.get("highway")
    out.feat_rows.append(row)
    out.feat_wkb.append(geom)


def _needed_only():
    """libosmium filters that keep from Python every object no table needs (they run after the
    location and area handlers, which still see everything): untagged nodes, ways without
    ``highway`` (buildings and land use arrive as areas), relations (likewise), and nodes and
    areas without any key a table reads."""
    import osmium
    from osmium.filter import EntityFilter, KeyFilter
    from osmium.osm import AREA, NODE, WAY

    nodes = KeyFilter(*sorted(set(NODE_TAGS) | set(_FEATURE_KEYS)))
    nodes.enable_for(NODE)
    ways = KeyFilter("highway")
    ways.enable_for(WAY)
    areas = KeyFilter(*_FEATURE_KEYS, "highway")
    areas.enable_for(AREA)
    return [EntityFilter(NODE | WAY | AREA), nodes, ways, areas]


def _collect(read: Path, *, source: Path, check_order: bool) -> _Collected:
    """One pass with locations and areas; raise :class:`_NeedsSorting` when the file needs it.

    A PBF is read through :func:`_needed_only`'s filters, so the order check sees the objects
    the tables need (a sorted file's subsequence is sorted) and, for the objects it does not see,
    checks what their order could break: a street node whose location arrives only after its way
    (the location table has it at the end) or a negative id in a street. An XML file (JOSM saves,
    Overpass ``out qt``) is checked object by object, every node included, as it may mix new
    untagged nodes with negative ids into buildings.
    """
    import osmium

    out = _Collected()
    wkb = osmium.geom.WKBFactory()
    order = {"n": 0, "w": 1, "r": 2}
    last = (-1, 0)
    processor = osmium.FileProcessor(str(read)).with_locations().with_areas()
    if read.name.lower().endswith(".pbf"):
        for f in _needed_only():
            processor.with_filter(f)
    try:
        for obj in processor:
            if obj.is_area():
                _add_area(obj, out, wkb)
                continue
            key = (order[obj.type_str()], obj.id)
            if check_order and (obj.id <= 0 or key <= last):
                raise _NeedsSorting(f"{obj.type_str()}{obj.id}")
            last = key
            if obj.is_node():
                _add_node(obj, out, source, wkb)
            elif obj.is_way():
                _add_way(obj, out, source, wkb, osmium.geom.use_nodes.ALL, check_order)
        if check_order and _arrived_late(processor.node_location_storage, out.missing_refs):
            raise _NeedsSorting("street nodes after their ways")
    except (RuntimeError, ValueError, OverflowError, osmium.InvalidLocationError) as exc:
        raise _parse_error(exc, source) from exc
    return out


def _arrived_late(store, refs: list[int]) -> bool:
    """Whether a street node that had no location when its way was read is in the file after all."""
    for ref in refs:
        try:
            if store.get(ref).valid():
                return True
        except KeyError:
            continue
    return False


def _mentions(fh, needle: bytes, chunk: int = 1 << 24) -> bool:
    """Whether a binary stream contains ``needle``, read in chunks (extracts can be large)."""
    tail = b""
    while block := fh.read(chunk):
        if needle in tail + block:
            return True
        tail = block[-len(needle):]
    return False


def _deleted_objects(path: Path) -> set[tuple[str, int]]:
    """``(type, id)`` of the objects a JOSM file marks ``action="delete"`` (libosmium reads them as
    ordinary objects); empty for PBF and for files without the attribute."""
    import bz2
    import xml.etree.ElementTree as ET

    name = path.name.lower()
    if name.endswith(".pbf"):
        return set()
    opener = bz2.open if name.endswith(".bz2") else open
    try:
        with opener(path, "rb") as fh:
            if not _mentions(fh, b"action="):
                return set()
        deleted = set()
        with opener(path, "rb") as fh:
            for _, elem in ET.iterparse(fh, events=("end",)):
                if elem.tag in ("node", "way", "relation") and elem.get("action") == "delete":
                    deleted.add((elem.tag[0], int(elem.get("id", "0"))))
                if elem.tag in ("node", "way", "relation"):
                    elem.clear()
        return deleted
    except (OSError, EOFError, ValueError, ET.ParseError):
        return set()  # damaged files are reported by the osmium pass, in its words


def _read_objects(path: Path, skip: set[tuple[str, int]]) -> dict[str, dict[int, tuple]]:
    """Every node, way and relation of ``path`` as plain values, by type and id (the last copy
    wins), leaving out ``skip`` (objects deleted in JOSM)."""
    import osmium

    objects: dict[str, dict[int, tuple]] = {"n": {}, "w": {}, "r": {}}
    try:
        for obj in osmium.FileProcessor(str(path)):
            if (obj.type_str(), obj.id) in skip:
                continue
            tags = {t.k: t.v for t in obj.tags}
            if obj.is_node():
                loc = obj.location
                if not loc.valid():
                    _bad_location(loc, obj.id, path)  # else a node without coordinates (deleted)
                    continue
                objects["n"][obj.id] = ((loc.lon, loc.lat), tags)
            elif obj.is_way():
                objects["w"][obj.id] = ([n.ref for n in obj.nodes], tags)
            elif obj.is_relation():
                objects["r"][obj.id] = ([(m.type, m.ref, m.role) for m in obj.members], tags)
    except (RuntimeError, ValueError, OverflowError, osmium.InvalidLocationError) as exc:
        error = _parse_error(exc, path)
        raise (error if isinstance(error, InputError) else InputError(str(exc), source=path)) from exc
    return objects


def _sorted_copy(path: Path, folder: Path, skip: set[tuple[str, int]]) -> tuple[Path, _Renumbering]:
    """Write ``path`` sorted by type and id, negative ids moved above the positive ones and the
    objects in ``skip`` left out, into ``folder`` (a temporary folder: the user's file is only read)."""
    import osmium
    from osmium.osm import mutable

    objects = _read_objects(path, skip)
    ids = _Renumbering({k: max((i for i in v if i > 0), default=0) for k, v in objects.items()})
    member_kind = {"n": "n", "w": "w", "r": "r"}
    target = folder / "sorted.osm.pbf"
    writer = osmium.SimpleWriter(str(target))
    try:
        for ident in sorted(objects["n"], key=lambda i: ids.new("n", i)):
            loc, tags = objects["n"][ident]
            writer.add_node(mutable.Node(id=ids.new("n", ident), location=loc, tags=tags, version=1))
        for ident in sorted(objects["w"], key=lambda i: ids.new("w", i)):
            refs, tags = objects["w"][ident]
            writer.add_way(mutable.Way(id=ids.new("w", ident), nodes=[ids.new("n", r) for r in refs], tags=tags,
                                       version=1))
        for ident in sorted(objects["r"], key=lambda i: ids.new("r", i)):
            members, tags = objects["r"][ident]
            moved = [(t, ids.new(member_kind[t], ref), role) for t, ref, role in members]
            writer.add_relation(mutable.Relation(id=ids.new("r", ident), members=moved, tags=tags, version=1))
    finally:
        writer.close()
    return target, ids


def _frame(rows: list[dict], columns: Sequence[str]) -> pd.DataFrame:
    """Rows holding only the tags present, as a table with every column (a missing tag is ``None``
    in a column no row has, else missing as pandas infers it, as a frame of full rows would be)."""
    frame = pd.DataFrame.from_records(rows, columns=list(columns)) if rows else pd.DataFrame(columns=list(columns))
    for col in frame.columns:
        values = frame[col]
        if values.dtype == object:
            frame[col] = values.where(values.notna(), None)
        elif values.dtype.kind == "f" and values.isna().all():  # a tag no row has
            frame[col] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return frame


def _street_nodes(raw: _Collected) -> pd.DataFrame:
    """Every located street node once, in the order the ways first use it: ``lon``, ``lat``."""
    lens = np.fromiter((len(r) for r in raw.way_refs), dtype=np.int64, count=len(raw.way_refs))
    refs = np.fromiter(itertools.chain.from_iterable(raw.way_refs), dtype=np.int64, count=int(lens.sum()))
    lined = np.fromiter((w is not None for w in raw.way_wkb), dtype=bool, count=len(raw.way_wkb))
    lonlat = np.empty((len(refs), 2), dtype=float)
    by_line = np.repeat(lined, lens)
    lines = shapely.from_wkb([w for w in raw.way_wkb if w is not None])
    lonlat[by_line] = shapely.get_coordinates(lines) if len(lines) else np.empty((0, 2))
    lonlat[~by_line] = np.asarray(raw.clipped_lonlat, dtype=float).reshape(-1, 2)
    ids, first = np.unique(refs, return_index=True)
    order = np.argsort(first, kind="stable")
    at = first[order]
    return pd.DataFrame({"lon": lonlat[at, 0], "lat": lonlat[at, 1]}, index=pd.Index(ids[order], name="osmid"))


def _tables(raw: _Collected) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    ways = _frame(raw.way_rows, ["osm_id", "nodes", *WAY_TAGS])
    for key in WAY_TAGS:
        ways[key] = tag_column(ways[key])
    nodes = _street_nodes(raw)
    if raw.node_tags:
        tag_frame = _frame(list(raw.node_tags.values()), NODE_TAGS)
        tag_frame.index = pd.Index(np.fromiter(raw.node_tags, dtype=np.int64, count=len(raw.node_tags)))
        tag_frame = tag_frame.loc[tag_frame.index.intersection(nodes.index)]
        nodes = nodes.join(tag_frame)
    for key in NODE_TAGS:
        nodes[key] = tag_column(nodes[key] if key in nodes.columns else pd.Series(None, index=nodes.index))
    columns = ["osm_type", "osm_id", *FEATURE_TAGS, "highway"]
    features = gpd.GeoDataFrame(_frame(raw.feat_rows, columns),
                                geometry=shapely.from_wkb(raw.feat_wkb) if raw.feat_wkb else gpd.GeoSeries([]),
                                crs="EPSG:4326")
    # relations and the ways they were built from may both carry the tags: keep one
    features = features.drop_duplicates(subset=["osm_type", "osm_id"]).reset_index(drop=True)
    return ways, nodes, features


def _restore_ids(ids: _Renumbering, ways: pd.DataFrame, nodes: pd.DataFrame,
                 features: gpd.GeoDataFrame) -> None:
    """Give every table back the ids of the user's file (in place)."""
    ways["osm_id"] = ids.old("w", ways["osm_id"])
    ways["nodes"] = [ids.old("n", refs).tolist() for refs in ways["nodes"]]
    nodes.index = pd.Index(ids.old("n", nodes.index), name="osmid")
    if len(features):
        kinds = features["osm_type"].map({"node": "n", "way": "w", "relation": "r"}).to_numpy()
        restored = features["osm_id"].to_numpy(dtype=np.int64).copy()
        for kind in ("n", "w", "r"):
            mask = kinds == kind
            restored[mask] = ids.old(kind, restored[mask])
        features["osm_id"] = restored


def _header_warnings(header, bounds, path: Path) -> tuple:
    """A note when the ``<bounds>`` header describes another area than the streets in the file."""
    from geoplan.i18n import message

    if header is None:
        return ()
    hw, hs, he, hn = header
    w, s, e, n = bounds
    overlap = max(0.0, min(he, e) - max(hw, w)) * max(0.0, min(hn, n) - max(hs, s))
    header_area = max((he - hw) * (hn - hs), 1e-12)
    if overlap >= _HEADER_AGREEMENT * header_area:
        return ()
    fmt = lambda box: ", ".join(f"{v:.4f}" for v in box)  # noqa: E731 — local formatting helper
    return (message("{file}: the file's <bounds> header ({header}) does not match the extent of its streets "
                    "({data}); the study area and its coordinate system come from the streets",
                    code="osm_header_disagrees", file=path.name, header=fmt(header), data=fmt(bounds)),)


def read_osm_file(path: str | Path, *, label: str | None = None) -> OsmData:
    """Read an OSM file into :class:`OsmData`.

    Files saved by JOSM (negative ids for new objects, ``action="delete"`` on deleted ones) and
    files not sorted by type and id (Overpass ``out qt``, JOSM saves mixing new and downloaded
    objects) load exactly like sorted ones: they are first copied, sorted and without the deleted
    objects, into a temporary folder (the user's file is only read), and the tables keep the ids of
    the user's file.

    Parameters
    ----------
    path
        ``.osm``/``.osm.xml``/``.osm.bz2`` (OSM XML) or ``.osm.pbf``.
    label
        Name for reports; defaults to the file name.

    Raises
    ------
    InputError
        Missing file, unsupported extension, a file osmium cannot parse, coordinates outside the
        longitude/latitude range, a tag longer than OSM allows, or a file with no streets in it.
    """
    path = Path(path)
    _check_file(path)
    ids = None
    deleted = _deleted_objects(path)
    try:
        if deleted:
            raise _NeedsSorting("objects marked action=delete")
        raw = _collect(path, source=path, check_order=True)
    except _NeedsSorting:
        with tempfile.TemporaryDirectory(prefix="geoplan-osm-") as folder:
            copy, ids = _sorted_copy(path, Path(folder), deleted)
            try:
                raw = _collect(copy, source=path, check_order=False)
            except _NeedsSorting as exc:  # cannot happen for a sorted copy; never loop
                raise InputError(message("cannot parse the OSM file ({detail})", detail=str(exc)), source=path,
                                 fix=message("the file is corrupt; export or download it again")) from None
    if not raw.way_rows:
        raise InputError(message("the OSM file has no streets (no highway=* ways)"), source=path,
                         fix=message("export a larger area that includes the street network"))
    ways, nodes, features = _tables(raw)
    if ids is not None:
        _restore_ids(ids, ways, nodes, features)
    bounds = (float(nodes["lon"].min()), float(nodes["lat"].min()),
              float(nodes["lon"].max()), float(nodes["lat"].max()))
    header = _header_bounds(path)
    return OsmData(
        label=label or path.name,
        path=path,
        sha256=sha256_of(path),
        ways=ways,
        nodes=nodes,
        features=features,
        bounds=bounds,
        dropped=tuple({"what": k, "count": v, "reason": "outside the extract or broken"} for k, v in raw.dropped.items()),
        header_bounds=header,
        warnings=_header_warnings(header, bounds, path),
    )
