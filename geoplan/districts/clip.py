"""Cutting one district (plus its margin) out of a city extract, inside the task that analyses it.

Services, stations and shelters just across a district's border serve its residents, so a
district is analysed on its extract *plus a buffer*; residents are then counted only inside
the district itself, so no resident is counted twice across districts.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import shapely

from geoplan.sources import OsmData


def clip_osm(data: OsmData, polygon: shapely.Geometry) -> OsmData:
    """The part of ``data`` within ``polygon`` (WGS-84): whole ways with a node inside it.

    Ways are kept whole (a street leaving the area keeps its far end), with every node they use;
    features are kept when they intersect the polygon. Vectorised: one point-in-polygon test
    per node, no loop over ways.
    """
    shapely.prepare(polygon)
    nodes = data.nodes
    inside = shapely.contains_xy(polygon, nodes["lon"].to_numpy(), nodes["lat"].to_numpy())
    inside_ids = nodes.index[inside]
    exploded = data.ways[["nodes"]].explode("nodes")
    hit = exploded["nodes"].isin(inside_ids)
    keep_way = hit.groupby(level=0).any().reindex(data.ways.index, fill_value=False).to_numpy()
    ways = data.ways.loc[keep_way]
    used = exploded.loc[exploded.index.isin(ways.index), "nodes"].unique()
    feats = data.features
    keep_feat = feats.intersects(polygon) if len(feats) else np.zeros(0, dtype=bool)
    west, south, east, north = polygon.bounds
    return dataclasses.replace(data, ways=ways, nodes=nodes.loc[nodes.index.isin(used)],
                               features=feats.loc[keep_feat], bounds=(west, south, east, north))


def restrict_residents(study, district: shapely.Geometry):
    """The study with only the residents whose representative point lies in ``district`` (WGS-84).

    Buildings, facilities, stations and sites are kept everywhere in the buffered extract: they
    serve the district's residents from across the border.
    """
    outline = gpd.GeoSeries([district], crs="EPSG:4326").to_crs(study.crs).iloc[0]
    inside = study.residents.representative_point().within(outline).to_numpy()
    residents = study.residents.loc[inside].reset_index(drop=True)
    snaps = dict(study.snaps)
    for key in [k for k in snaps if k.startswith("residents.")]:
        snaps[key] = snaps[key].subset(np.flatnonzero(inside))
    return dataclasses.replace(study, residents=residents, snaps=snaps)
