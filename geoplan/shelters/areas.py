"""Service areas of the open sites: the streets within the radius, owned by the nearest open site."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from geoplan.network.service_areas import service_areas


def _empty(crs) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"site_id": [], "radius_m": [], "area_ha": []}, geometry=gpd.GeoSeries([], crs=crs),
                            crs=crs)


def site_service_areas(study, site_rows: np.ndarray, site_ids: np.ndarray, radius: float,
                       buffer_m: float) -> gpd.GeoDataFrame:
    """Per open site (rows of ``study.sites``): ``site_id, radius_m, area_ha`` and the polygon.

    One bounded search from all the open sites; each street within ``radius`` metres belongs to
    the nearest of them and is buffered by ``buffer_m`` metres.
    """
    if len(site_rows) == 0:
        return _empty(study.crs)
    net = study.walk.compiled
    snap = study.snaps["sites.walk"].subset(np.asarray(site_rows, dtype=np.int64))
    start = np.where(snap.ok & np.isfinite(snap.distance_m), snap.distance_m, 0.0)
    reach = net.search(snap, weight="length", limit=radius, source_cost=start)
    _, per = service_areas(net, {"sites": (reach, np.arange(len(site_ids)))}, {"sites": radius},
                           fac_ids=np.asarray(site_ids, dtype=object), buffer_m=buffer_m, per_facility=True,
                           crs=study.crs)
    if per is None or len(per) == 0:
        return _empty(study.crs)
    return gpd.GeoDataFrame({"site_id": per["facility_id"].astype(str).to_numpy(),
                             "radius_m": per["tier_m"].to_numpy(dtype=float),
                             "area_ha": per["area_ha"].to_numpy(dtype=float)},
                            geometry=per.geometry.to_numpy(), crs=study.crs)


def no_areas(crs) -> gpd.GeoDataFrame:
    """The empty service-area table (``with_areas=False``, or no open site)."""
    return _empty(crs)
