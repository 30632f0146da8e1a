"""Where capacities come from: the facilities layer's ``capacity`` column and OSM tags."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geoplan
from geoplan.errors import InputError
from geoplan.features import classify_facilities
from geoplan.standards import get_preset


def _layer(tmp_path, capacities, sample_layers):
    boundary = gpd.read_file(sample_layers / "boundary.geojson")
    centre = boundary.to_crs(boundary.estimate_utm_crs()).union_all().centroid
    pts = gpd.GeoSeries([shapely.Point(centre.x + 20 * i, centre.y) for i in range(len(capacities))],
                        crs=boundary.estimate_utm_crs()).to_crs("EPSG:4326")
    cat = get_preset().categories[0]
    folder = tmp_path / "layers"
    folder.mkdir()
    gpd.GeoDataFrame({"category": [cat] * len(capacities), "name": [f"S{i}" for i in range(len(capacities))],
                      "capacity": capacities}, geometry=pts, crs="EPSG:4326").to_file(folder / "facilities.geojson",
                                                                                       driver="GeoJSON")
    return folder, cat


def test_layer_capacity_reaches_the_2sfca(tmp_path, sample_layers):
    folder, cat = _layer(tmp_path, [120.0, 80.0], sample_layers)
    study = geoplan.load_study(None, layers=[folder])
    mine = study.facilities[study.facilities["source"].astype(str) != "osm"]
    assert sorted(mine["capacity"].tolist()) == [80.0, 120.0]
    osm = study.facilities[(study.facilities["source"].astype(str) == "osm") & (study.facilities["category"] == cat)]
    r = geoplan.coverage(study, categories=[cat], with_areas=False)
    if osm["capacity"].isna().any():  # the extract's own facilities of that category state none: skipped
        assert f"sfca_{cat}" not in r.residents_table()
        assert any(w.code == "sfca_skipped" for w in r.warnings)
    else:
        assert f"sfca_{cat}" in r.residents_table()


def test_bad_capacity_is_one_line_naming_the_row(tmp_path, sample_layers):
    folder, _ = _layer(tmp_path, ["many", "10"], sample_layers)
    with pytest.raises(InputError) as err:
        geoplan.load_study(None, layers=[folder])
    assert "capacity" in str(err.value) and "row 1" in str(err.value)


def test_osm_capacity_tags_in_order_of_preference():
    preset = get_preset()
    # a tag rule that settles a category by itself (not an exclusion or a kind the names settle)
    key, value = next((k, v[0]) for out, k, v in preset.facility_tags
                      if out in preset.categories and v and v[0] != "*")
    frame = gpd.GeoDataFrame({
        "osm_type": ["node"] * 4, "osm_id": [1, 2, 3, 4], "name": ["a", "b", "c", "d"],
        key: [value] * 4,
        "capacity:persons": ["30", None, None, None], "capacity": ["99", "45", None, None],
        "beds": [None, "7", "12", None]}, geometry=[shapely.Point(i, 0) for i in range(4)], crs="EPSG:32650")
    out = classify_facilities(frame, preset).set_index("facility_id")["capacity"]
    assert out["node/1"] == 30 and out["node/2"] == 45 and out["node/3"] == 12 and np.isnan(out["node/4"])
