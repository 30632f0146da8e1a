"""Read an OSM file (XML, bzip2-compressed XML or PBF) into raw tables, in one pass.

pyosmium (libosmium, the OSM community's reference reader) parses every format and
assembles multipolygon areas, so buildings, parks and sites that are relations come out
as proper polygons. We keep only the tags later analyses read (``geoplan.standards``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan._checksum import sha256_of
from geoplan.errors import InputError
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
        :data:`geoplan.standards.WAY_TAGS` (missing tags are ``None``).
    nodes
        Every node used by a highway way, indexed by node id: ``lon``, ``lat`` (degrees) and the
        tags in :data:`geoplan.standards.NODE_TAGS` (barriers and the like).
    features
        Tagged points and polygons (buildings, amenities, land use, …): ``osm_type``, ``osm_id``,
        the tags in :data:`geoplan.standards.FEATURE_TAGS`, and geometry.
    bounds
        ``(west, south, east, north)`` in degrees: the file's declared bounds, else the data's.
    dropped
        What could not be read, as ``{"what", "count", "reason"}`` records.
    """

    label: str
    path: Path
    sha256: str
    ways: pd.DataFrame
    nodes: pd.DataFrame
    features: gpd.GeoDataFrame
    bounds: tuple[float, float, float, float]
    dropped: tuple[dict, ...] = field(default_factory=tuple)


def _suffix_ok(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for s in SUPPORTED_SUFFIXES)


def _tags(taglist, keys) -> dict:
    return {k: taglist.get(k) for k in keys}


def read_osm_file(path: str | Path, *, label: str | None = None) -> OsmData:
    """Read an OSM file into :class:`OsmData`.

    Parameters
    ----------
    path
        ``.osm``/``.osm.xml``/``.osm.bz2`` (OSM XML) or ``.osm.pbf``.
    label
        Name for reports; defaults to the file name.

    Raises
    ------
    InputError
        Missing file, unsupported extension, a file osmium cannot parse, or one with no
        streets in it.
    """
    import osmium

    path = Path(path)
    if not path.exists():
        raise InputError("OSM file not found", source=path, fix="check the path given to --osm")
    if path.is_dir():
        raise InputError("expected an OSM file but got a folder", source=path, fix="give the .osm or .osm.pbf file itself")
    if not _suffix_ok(path):
        raise InputError(f"unsupported OSM file type {''.join(path.suffixes) or '(none)'}", source=path,
                         fix="use .osm, .osm.xml, .osm.bz2 or .osm.pbf (convert others with osmium-tool)")
    if path.stat().st_size == 0:
        raise InputError("the OSM file is empty", source=path, fix="download or export the extract again")

    way_rows: list[dict] = []
    node_tags: dict[int, dict] = {}
    coords: dict[int, tuple[float, float]] = {}
    feat_rows: list[dict] = []
    feat_wkb: list[bytes] = []
    dropped: dict[str, int] = {}
    wkb = osmium.geom.WKBFactory()
    try:
        processor = osmium.FileProcessor(str(path)).with_areas().with_locations()
        header_box = processor.header.box() if hasattr(processor, "header") else None
        for obj in processor:
            if obj.is_node():
                tags = obj.tags
                if len(tags) == 0:
                    continue
                if any(k in tags for k in NODE_TAGS):
                    node_tags[obj.id] = _tags(tags, NODE_TAGS)
                if (any(k in tags for k in _FEATURE_KEYS) or tags.get("barrier") in ENTRANCE_BARRIERS) \
                        and obj.location.valid():
                    feat_rows.append({"osm_type": "node", "osm_id": obj.id, **_tags(tags, FEATURE_TAGS)})
                    feat_wkb.append(wkb.create_point(obj.location))
            elif obj.is_way():
                tags = obj.tags
                if "highway" not in tags or tags.get("area") == "yes":
                    continue
                # a way clipped by the extract keeps each run of nodes inside it, never a
                # shortcut across the gap
                runs: list[list[int]] = [[]]
                for nref in obj.nodes:
                    if nref.location.valid():
                        runs[-1].append(nref.ref)
                        coords[nref.ref] = (nref.location.lon, nref.location.lat)
                    else:
                        dropped["street nodes outside the extract"] = dropped.get("street nodes outside the extract", 0) + 1
                        if runs[-1]:
                            runs.append([])
                way_tags = _tags(tags, WAY_TAGS)
                for refs in runs:
                    if len(refs) >= 2:
                        way_rows.append({"osm_id": obj.id, "nodes": refs, **way_tags})
            elif obj.is_area():
                tags = obj.tags
                if not (any(k in tags for k in _FEATURE_KEYS) or tags.get("highway") in ("pedestrian", "footway")):
                    continue
                try:
                    geom = wkb.create_multipolygon(obj)
                except Exception:  # broken rings or missing members in a clipped extract
                    dropped["areas with broken outlines"] = dropped.get("areas with broken outlines", 0) + 1
                    continue
                row = {"osm_type": "way" if obj.from_way() else "relation", "osm_id": obj.orig_id(),
                       **_tags(tags, FEATURE_TAGS)}
                row["highway"] = tags.get("highway")
                feat_rows.append(row)
                feat_wkb.append(geom)
    except RuntimeError as exc:
        raise InputError(f"cannot parse the OSM file ({str(exc).splitlines()[0][:120]})", source=path,
                         fix="the file is corrupt or not OSM data; export or download it again") from exc

    if not way_rows:
        raise InputError("the OSM file has no streets (no highway=* ways)", source=path,
                         fix="export a larger area that includes the street network")

    ways = pd.DataFrame(way_rows)
    ids = np.fromiter(coords.keys(), dtype=np.int64, count=len(coords))
    lonlat = np.array(list(coords.values()), dtype=float)
    nodes = pd.DataFrame({"lon": lonlat[:, 0], "lat": lonlat[:, 1]}, index=pd.Index(ids, name="osmid"))
    if node_tags:
        tag_frame = pd.DataFrame.from_dict(node_tags, orient="index")
        tag_frame = tag_frame.loc[tag_frame.index.intersection(nodes.index)]
        nodes = nodes.join(tag_frame)
    for key in NODE_TAGS:
        if key not in nodes.columns:
            nodes[key] = None

    columns = ["osm_type", "osm_id", *FEATURE_TAGS, "highway"]
    features = gpd.GeoDataFrame(pd.DataFrame(feat_rows, columns=columns),
                                geometry=shapely.from_wkb(feat_wkb) if feat_wkb else gpd.GeoSeries([]),
                                crs="EPSG:4326")
    # relations and the ways they were built from may both carry the tags: keep one
    features = features.drop_duplicates(subset=["osm_type", "osm_id"]).reset_index(drop=True)

    if header_box is not None and header_box.valid():
        bounds = (header_box.bottom_left.lon, header_box.bottom_left.lat,
                  header_box.top_right.lon, header_box.top_right.lat)
    else:
        bounds = (float(nodes["lon"].min()), float(nodes["lat"].min()),
                  float(nodes["lon"].max()), float(nodes["lat"].max()))
    return OsmData(
        label=label or path.name,
        path=path,
        sha256=sha256_of(path),
        ways=ways,
        nodes=nodes,
        features=features,
        bounds=bounds,
        dropped=tuple({"what": k, "count": v, "reason": "outside the extract or broken"} for k, v in dropped.items()),
    )
