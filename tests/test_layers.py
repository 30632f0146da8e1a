"""Tests of geoplan.layers: reading users' community layers.

Every test builds its files in ``tmp_path``; no network, no shared data.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from geoplan.errors import InputError
from geoplan.layers import ROLES, CommunityLayers, read_layers

REPO = Path(__file__).resolve().parents[1]
HELSINKI_UTM = pyproj.CRS.from_epsg(32635)
UTM50 = pyproj.CRS.from_epsg(32650)  # 114–120°E: Wuhan, Beijing, Shenzhen-ish tests
WGS84 = pyproj.CRS.from_epsg(4326)

# Published WGS-84 → GCJ-02 test vectors (lat, lon pairs) from googollee/eviltransform,
# go/transform_test.go (`var tests = []Test{...}`), also used by its PHP/C# ports:
#   {31.1774276, 121.5272106, 31.17530398364597, 121.531541859215},  // shanghai
#   {22.543847, 113.912316, 22.540796131694766, 113.9171764808363},  // shenzhen
#   {39.911954, 116.377817, 39.91334545536069, 116.38404722455657},  // beijing
GCJ_VECTORS = [  # (name, wgs_lon, wgs_lat, gcj_lon, gcj_lat)
    ("shanghai", 121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    ("shenzhen", 113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    ("beijing", 116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
]


# ----------------------------------------------------------------------------- helpers
def write_geojson(path: Path, features: list[tuple[dict, shapely.Geometry | None]], *, crs: str | None = None,
                  encoding: str = "utf-8") -> Path:
    """Write a GeoJSON by hand (so invalid geometries and odd encodings survive as written)."""
    doc: dict = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props,
         "geometry": None if geom is None else json.loads(shapely.to_geojson(geom))}
        for props, geom in features]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_bytes(json.dumps(doc, ensure_ascii=False).encode(encoding))
    return path


def to_lonlat(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Return the (lon, lat) of a point layer as an (n, 2) array."""
    pts = frame.to_crs(WGS84).geometry
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def digest(folder: Path) -> dict[str, tuple[str, float]]:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime)
            for p in sorted(folder.iterdir())}


def read(folder: Path | list[Path], **kwargs) -> CommunityLayers:
    kwargs.setdefault("crs", UTM50)
    return read_layers(folder, **kwargs)


# ----------------------------------------------------------------------------- shipped sample
def test_sample_layers_read_cleanly_in_helsinki_utm():
    layers = read_layers(REPO / "layers", crs=HELSINKI_UTM)
    assert layers.warnings == ()
    assert layers.dropped == ()
    assert len(layers.boundary) >= 3 and len(layers.stations) == 3 and len(layers.obstructions) >= 3
    assert set(layers.stations["kind"]) == {"fire", "ambulance"}
    assert {"occupied_lane", "locked_gate", "sealed_compound"} <= set(layers.obstructions["kind"])
    assert layers.sites["existing"].any()
    for role in ROLES:
        frame = layers.layer(role)
        assert frame.crs == HELSINKI_UTM
        assert (frame["note"] == "illustrative").all(), role
    assert layers.boundary["name_zh"].str.len().gt(0).all()
    assert "坎皮" in set(layers.boundary["name_zh"])
    # Everything sits in the bundled central-Helsinki extract (lon 24.9352–24.9534, lat 60.1642–60.1791).
    for role in ("stations", "obstructions", "sites"):
        lon, lat = to_lonlat(layers.layer(role).set_geometry(layers.layer(role).centroid)).T
        assert ((lon > 24.934) & (lon < 24.955) & (lat > 60.163) & (lat < 60.180)).all(), role
    # The communities split the area without overlapping.
    union = shapely.union_all(layers.boundary.geometry.to_numpy())
    assert abs(union.area - layers.boundary.area.sum()) < 1.0
    assert {f["role"] for f in layers.files} == {"boundary", "stations", "obstructions", "sites"}
    assert all(len(f["sha256"]) == 64 for f in layers.files)


# ----------------------------------------------------------------------------- roles and files
def test_roles_from_file_names_aliases_and_unknown_files(tmp_path):
    write_geojson(tmp_path / "communities.geojson",
                  [({"name": "A区", "name_en": "A"}, shapely.box(114.0, 30.0, 114.01, 30.01))])
    write_geojson(tmp_path / "Fire-Stations.geojson", [({"kind": "fire", "name": "S1"}, shapely.Point(114.005, 30.005))])
    write_geojson(tmp_path / "misc.geojson", [({"a": 1}, shapely.Point(114, 30))])
    (tmp_path / "notes.txt").write_text("not a layer")
    layers = read(tmp_path)
    assert list(layers.boundary["community"]) == ["A区"]
    assert list(layers.boundary["name_zh"]) == [""]
    assert list(layers.stations["name"]) == ["S1"]
    assert list(layers.stations["source"]) == ["layer:Fire-Stations.geojson"]
    assert list(layers.stations["layer_row"]) == [1]
    assert len(layers.warnings) == 1 and "misc.geojson" in layers.warnings[0] and "ignored" in layers.warnings[0]
    assert layers.residents.empty and list(layers.residents.columns) == [
        "population", "name", "elderly_share", "note", "source", "layer_row", "geometry"]
    assert layers.residents.crs == UTM50


def test_empty_result_has_typed_columns(tmp_path):
    layers = read(tmp_path)
    assert layers.obstructions["keep_open"].dtype == bool
    assert layers.sites["usable_share"].dtype == np.float64
    assert layers.stations["layer_row"].dtype == np.int64
    assert any("no community layer files" in w for w in layers.warnings)


def test_several_folders_concatenate_same_role(tmp_path):
    a, b = tmp_path / "sample", tmp_path / "mine"
    a.mkdir(), b.mkdir()
    write_geojson(a / "stations.geojson", [({"kind": "fire"}, shapely.Point(114.0, 30.0))])
    write_geojson(b / "stations.geojson", [({"kind": "Ambulance", "name": "急救站"}, shapely.Point(114.001, 30.0))])
    layers = read([a, b])
    assert list(layers.stations["kind"]) == ["fire", "ambulance"]
    assert list(layers.stations.index) == [0, 1]
    assert [f["path"] for f in layers.files] == [str(a / "stations.geojson"), str(b / "stations.geojson")]


def test_columns_are_typed_and_defaults_applied(tmp_path):
    write_geojson(tmp_path / "residents.geojson", [
        ({"Population": "120", "name": "楼1", "elderly_share": 0.3}, shapely.box(114, 30, 114.0002, 30.0002)),
        ({"Population": 40}, shapely.Point(114.001, 30.001))])
    write_geojson(tmp_path / "obstructions.geojson", [
        ({"kind": "Locked gate", "keep_open": "yes"}, shapely.Point(114, 30)),
        ({"kind": "occupied_lane"}, shapely.LineString([(114, 30), (114.001, 30)]))])
    write_geojson(tmp_path / "sites.geojson", [
        ({"kind": "school ground", "existing": "是", "area_m2": 2500}, shapely.Point(114.002, 30.002)),
        ({"name": "绿地"}, shapely.box(114, 30, 114.001, 30.001))])
    write_geojson(tmp_path / "facilities.geojson", [({"category": "Primary School"}, shapely.Point(114, 30))])
    layers = read(tmp_path)
    assert layers.residents["population"].tolist() == [120.0, 40.0]
    assert layers.residents["elderly_share"].iloc[0] == 0.3 and np.isnan(layers.residents["elderly_share"].iloc[1])
    assert layers.residents["name"].tolist() == ["楼1", ""]
    assert layers.obstructions["kind"].tolist() == ["locked_gate", "occupied_lane"]
    assert layers.obstructions["keep_open"].tolist() == [True, False]
    assert layers.sites["kind"].tolist() == ["school_ground", "other"]
    assert layers.sites["existing"].tolist() == [True, False]
    assert layers.facilities["category"].tolist() == ["primary_school"]


def test_geopackage_layer_is_chosen_by_role_name(tmp_path):
    gpkg = tmp_path / "stations.gpkg"
    pts = gpd.GeoDataFrame({"kind": ["fire"]}, geometry=[shapely.Point(114, 30)], crs=4326)
    pts.to_file(gpkg, layer="stations", engine="pyogrio")
    pts.assign(kind=["nonsense"]).to_file(gpkg, layer="other", engine="pyogrio")
    assert read(tmp_path).stations["kind"].tolist() == ["fire"]


# ----------------------------------------------------------------------------- CRS
def test_cgcs2000_gauss_kruger_web_mercator_land_at_the_same_place(tmp_path):
    lon, lat = 114.3055, 30.5928  # Wuhan, inside the 3° Gauss-Krüger zone with central meridian 114°E
    for name, epsg in (("a", 4490), ("b", 4547), ("c", 3857), ("d", 4326)):
        folder = tmp_path / name
        folder.mkdir()
        x, y = pyproj.Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
        gpd.GeoDataFrame({"kind": ["fire"]}, geometry=[shapely.Point(x, y)], crs=epsg).to_file(
            folder / "stations.shp", engine="pyogrio")
    got = np.vstack([[read(tmp_path / n).stations.geometry.iloc[0].coords[0]] for n in "abcd"])
    assert np.abs(got - got[-1]).max() < 0.01  # centimetres, in UTM 50N metres


def test_gauss_kruger_central_meridian_anchor(tmp_path):
    # EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E): false easting 500 000 m on the
    # central meridian, so x = 500000 must come back as longitude 114° exactly.
    gpd.GeoDataFrame({"kind": ["fire"]}, geometry=[shapely.Point(500000.0, 3385000.0)], crs=4547).to_file(
        tmp_path / "stations.gpkg", engine="pyogrio")
    lon, lat = to_lonlat(read(tmp_path).stations)[0]
    assert lon == pytest.approx(114.0, abs=1e-9)
    assert 30.5 < lat < 30.6


def test_csv_defaults_to_wgs84_lonlat(tmp_path):
    (tmp_path / "stations.csv").write_text("name,kind,Longitude,Latitude\nA,fire,114.3,30.6\n", encoding="utf-8")
    lon, lat = to_lonlat(read(tmp_path).stations)[0]
    assert (lon, lat) == pytest.approx((114.3, 30.6), abs=1e-9)


def test_csv_with_projected_crs_in_layers_yml(tmp_path):
    (tmp_path / "fire.csv").write_text("x,y,kind\n500000,3385000,fire\n", encoding="utf-8")
    (tmp_path / "layers.yml").write_text("stations: {file: fire.csv, crs: 'EPSG:4547'}\n", encoding="utf-8")
    assert to_lonlat(read(tmp_path).stations)[0][0] == pytest.approx(114.0, abs=1e-9)


@pytest.mark.parametrize("name, wgs_lon, wgs_lat, gcj_lon, gcj_lat", GCJ_VECTORS)
def test_gcj02_csv_is_converted_to_wgs84(tmp_path, name, wgs_lon, wgs_lat, gcj_lon, gcj_lat):
    (tmp_path / "poi.csv").write_text(f"名称,类别,lng,lat\n{name},pharmacy,{gcj_lon!r},{gcj_lat!r}\n",
                                      encoding="utf-8")
    (tmp_path / "layers.yml").write_text("facilities:\n  file: poi.csv\n  crs: gcj02\n", encoding="utf-8")
    layers = read(tmp_path)
    lon, lat = to_lonlat(layers.facilities)[0]
    assert lon == pytest.approx(wgs_lon, abs=1e-5) and lat == pytest.approx(wgs_lat, abs=1e-5)
    assert layers.facilities["name"].tolist() == [name]


def test_gcj02_gbk_csv_from_layers_yml(tmp_path):
    _, wgs_lon, wgs_lat, gcj_lon, gcj_lat = GCJ_VECTORS[0]
    (tmp_path / "fire.csv").write_bytes(
        f"站名,类型,经度,纬度\n浦东消防站,消防站,{gcj_lon!r},{gcj_lat!r}\n".encode("gbk"))
    (tmp_path / "layers.yml").write_text("stations: {file: fire.csv, crs: gcj02, encoding: gbk}\n", encoding="utf-8")
    layers = read(tmp_path, crs=pyproj.CRS.from_epsg(32651))
    assert layers.warnings == ()
    assert layers.stations["kind"].tolist() == ["fire"]
    lon, lat = to_lonlat(layers.stations)[0]
    assert (lon, lat) == pytest.approx((wgs_lon, wgs_lat), abs=1e-5)


def test_gcj02_geojson(tmp_path):
    _, wgs_lon, wgs_lat, gcj_lon, gcj_lat = GCJ_VECTORS[2]
    write_geojson(tmp_path / "st.geojson", [({"kind": "hospital"}, shapely.Point(gcj_lon, gcj_lat))])
    (tmp_path / "layers.yml").write_text("stations: {file: st.geojson, crs: gcj02}\n", encoding="utf-8")
    assert to_lonlat(read(tmp_path).stations)[0] == pytest.approx((wgs_lon, wgs_lat), abs=1e-5)


# ----------------------------------------------------------------------------- encodings
NAMES_ZH = ["坎皮社区", "克卢维社区", "龍鳳里"]  # 龍 and 鳳 are outside GB2312 but inside GBK


def write_gbk_shapefile(folder: Path, *, cpg: str | None) -> Path:
    """A boundary shapefile with GBK attribute text; ``cpg``: None deletes the .cpg, else its content."""
    folder.mkdir(exist_ok=True)
    frame = gpd.GeoDataFrame({"name": NAMES_ZH, "name_zh": NAMES_ZH},
                             geometry=[shapely.box(114 + i * 0.01, 30, 114.01 + i * 0.01, 30.01) for i in range(3)],
                             crs=4490)
    path = folder / "boundary.shp"
    frame.to_file(path, encoding="gbk", engine="pyogrio")
    (folder / "boundary.cpg").unlink(missing_ok=True)
    if cpg is not None:
        (folder / "boundary.cpg").write_text(cpg, encoding="ascii")
    return path


def test_gbk_shapefile_with_cpg(tmp_path):
    write_gbk_shapefile(tmp_path, cpg="GBK")
    layers = read(tmp_path)
    assert layers.boundary["community"].tolist() == NAMES_ZH and layers.warnings == ()


def test_gbk_shapefile_with_code_page_number_cpg(tmp_path):
    write_gbk_shapefile(tmp_path, cpg="936")
    assert read(tmp_path).boundary["name_zh"].tolist() == NAMES_ZH


def test_gbk_shapefile_without_cpg_is_read_as_gb18030_with_warning(tmp_path):
    write_gbk_shapefile(tmp_path, cpg=None)
    layers = read(tmp_path)
    assert layers.boundary["community"].tolist() == NAMES_ZH
    assert len(layers.warnings) == 1 and "GB18030" in layers.warnings[0] and "boundary.shp" in layers.warnings[0]


def test_gbk_shapefile_with_wrong_cpg_warns(tmp_path):
    write_gbk_shapefile(tmp_path, cpg="UTF-8")
    layers = read(tmp_path)
    assert layers.boundary["community"].tolist() == NAMES_ZH
    assert any(".cpg says UTF-8" in w for w in layers.warnings)


def test_encoding_argument_and_layers_yml_override_cpg(tmp_path):
    write_gbk_shapefile(tmp_path / "a", cpg="UTF-8")
    layers = read(tmp_path / "a", encoding="gb18030")
    assert layers.boundary["community"].tolist() == NAMES_ZH and layers.warnings == ()
    write_gbk_shapefile(tmp_path / "b", cpg=None)
    (tmp_path / "b" / "layers.yml").write_text("boundary: {file: boundary.shp, encoding: gbk}\n")
    layers = read(tmp_path / "b")
    assert layers.boundary["community"].tolist() == NAMES_ZH and layers.warnings == ()


def test_wrong_explicit_encoding_is_an_error(tmp_path):
    write_gbk_shapefile(tmp_path, cpg=None)
    with pytest.raises(InputError, match="not valid utf-8"):
        read(tmp_path, encoding="utf-8")


def test_utf8_shapefile_without_cpg(tmp_path):
    frame = gpd.GeoDataFrame({"name": ["Töölö 图罗"]}, geometry=[shapely.box(114, 30, 114.01, 30.01)], crs=4326)
    frame.to_file(tmp_path / "boundary.shp", encoding="utf-8", engine="pyogrio")
    (tmp_path / "boundary.cpg").unlink(missing_ok=True)
    layers = read(tmp_path)
    assert layers.boundary["community"].tolist() == ["Töölö 图罗"] and layers.warnings == ()


def test_gbk_csv_without_declaration_warns(tmp_path):
    (tmp_path / "stations.csv").write_bytes("name,kind,lon,lat\n武昌消防站,fire,114.3,30.55\n".encode("gbk"))
    layers = read(tmp_path)
    assert layers.stations["name"].tolist() == ["武昌消防站"]
    assert any("GB18030" in w for w in layers.warnings)


# ----------------------------------------------------------------------------- geometry checks
def test_invalid_geometry_is_repaired_with_warning(tmp_path):
    bowtie = shapely.Polygon([(114, 30), (114.01, 30.01), (114.01, 30), (114, 30.01), (114, 30)])
    assert not bowtie.is_valid
    write_geojson(tmp_path / "boundary.geojson", [({"name": "ok"}, shapely.box(114, 30, 114.01, 30.01)),
                                                  ({"name": "bow"}, bowtie)])
    layers = read(tmp_path)
    assert layers.boundary.geometry.is_valid.all() and len(layers.boundary) == 2
    assert layers.boundary.geometry.iloc[1].geom_type == "MultiPolygon"
    assert len(layers.warnings) == 1 and "boundary.geojson" in layers.warnings[0] and "row 2" in layers.warnings[0]


def test_collapsed_and_missing_geometries_are_dropped_and_reported(tmp_path):
    flat = shapely.Polygon([(114, 30), (114.01, 30), (114.02, 30), (114, 30)])  # zero area
    write_geojson(tmp_path / "sites.geojson", [({"name": "flat"}, flat), ({"name": "none"}, None),
                                               ({"name": "park"}, shapely.box(114, 30, 114.001, 30.001))])
    layers = read(tmp_path)
    assert layers.sites["name"].tolist() == ["park"]
    reasons = {d["reason"]: d for d in layers.dropped}
    assert len(reasons) == 2 and all(d["what"] == "sites" and d["count"] == 1 for d in layers.dropped)
    assert {d["rows"] for d in layers.dropped} == {(1,), (2,)}


def test_features_outside_the_study_area_are_dropped_and_reported(tmp_path):
    write_geojson(tmp_path / "stations.geojson", [({"kind": "fire", "name": "in"}, shapely.Point(114.3, 30.6)),
                                                  ({"kind": "fire", "name": "far"}, shapely.Point(115.0, 31.0))])
    centre = shapely.Point(pyproj.Transformer.from_crs(4326, UTM50, always_xy=True).transform(114.3, 30.6))
    layers = read(tmp_path, area=centre.buffer(2000))
    assert layers.stations["name"].tolist() == ["in"]
    assert layers.dropped == ({"what": "stations", "count": 1, "reason": "outside the study area",
                               "source": str(tmp_path / "stations.geojson"), "rows": (2,)},)
    assert any("row 2" in w and "outside the study area" in w for w in layers.warnings)


def test_empty_layer_file_is_a_warning(tmp_path):
    write_geojson(tmp_path / "obstructions.geojson", [])
    layers = read(tmp_path)
    assert layers.obstructions.empty and any("has no features" in w for w in layers.warnings)


def test_user_files_are_never_modified(tmp_path):
    write_gbk_shapefile(tmp_path, cpg=None)
    (tmp_path / "stations.csv").write_text("kind,lng,lat\nfire,114.3,30.6\n")
    before = digest(tmp_path)
    read(tmp_path)
    assert digest(tmp_path) == before


# ----------------------------------------------------------------------------- errors: one line, file, row, fix
def assert_one_line(exc: pytest.ExceptionInfo, *needles: str) -> str:
    line = exc.value.line()
    assert "\n" not in line and "fix:" in line, line
    for needle in needles:
        assert needle in line, (needle, line)
    return line


def test_error_missing_folder(tmp_path):
    with pytest.raises(InputError) as exc:
        read(tmp_path / "nope")
    assert_one_line(exc, "nope", "not found")


def test_error_file_in_layers_yml_missing(tmp_path):
    (tmp_path / "layers.yml").write_text("stations: fire.csv\n")
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "layers.yml", "fire.csv")


def test_error_layers_yml_unknown_role_and_bad_yaml(tmp_path):
    (tmp_path / "layers.yml").write_text("hospitals: h.csv\n")
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "unknown role 'hospitals'", "stations")
    (tmp_path / "layers.yml").write_text("stations: {file: [\n")
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "layers.yml", "YAML")


def test_error_corrupt_file(tmp_path):
    (tmp_path / "boundary.geojson").write_text('{"type": "FeatureCollection", "features": [ {oops')
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "boundary.geojson", "cannot be read")


def test_error_shapefile_without_crs(tmp_path):
    gpd.GeoDataFrame({"kind": ["fire"]}, geometry=[shapely.Point(500000, 3385000)], crs=4547).to_file(
        tmp_path / "stations.shp", engine="pyogrio")
    (tmp_path / "stations.prj").unlink()
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "stations.shp", "no coordinate reference system", ".prj")
    (tmp_path / "layers.yml").write_text("stations: {file: stations.shp, crs: 4547}\n")
    assert to_lonlat(read(tmp_path).stations)[0][0] == pytest.approx(114.0)


def test_error_wrong_geometry_type_names_row(tmp_path):
    write_geojson(tmp_path / "stations.geojson", [({"kind": "fire"}, shapely.Point(114, 30)),
                                                  ({"kind": "fire"}, shapely.box(114, 30, 114.001, 30.001))])
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "stations.geojson", "row 2", "Polygon", "points")


def test_error_point_site_without_area(tmp_path):
    write_geojson(tmp_path / "sites.geojson", [({"kind": "park"}, shapely.Point(114, 30))])
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "sites.geojson", "row 1", "area_m2")


def test_error_missing_required_column_lists_columns_found(tmp_path):
    write_geojson(tmp_path / "residents.geojson", [({"name": "楼", "pop_total": 5}, shapely.Point(114, 30))])
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "residents.geojson", "'population'", "name, pop_total")


def test_error_bad_number_names_row(tmp_path):
    (tmp_path / "residents.csv").write_text("lon,lat,population\n114,30,10\n114,30,many\n")
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "residents.csv", "row 2", "'many'")


def test_error_unknown_category_lists_known(tmp_path):
    write_geojson(tmp_path / "facilities.geojson", [({"category": "casino"}, shapely.Point(114, 30))])
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "facilities.geojson", "row 1", "'casino'", "market", "elderly_care")


def test_error_unknown_station_kind_lists_known(tmp_path):
    write_geojson(tmp_path / "stations.geojson", [({"kind": "police"}, shapely.Point(114, 30))])
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "row 1", "'police'", "fire, ambulance, hospital")


def test_error_csv_projected_coordinates_without_crs(tmp_path):
    (tmp_path / "stations.csv").write_text("kind,x,y\nfire,500000,3385000\n")
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "stations.csv", "row 1", "crs")


def test_error_csv_without_coordinate_columns(tmp_path):
    (tmp_path / "stations.csv").write_text("kind,address\nfire,somewhere\n")
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "stations.csv", "kind, address", "lon/lat")


def test_error_unknown_crs_option(tmp_path):
    (tmp_path / "stations.csv").write_text("kind,lon,lat\nfire,114,30\n")
    (tmp_path / "layers.yml").write_text("stations: {file: stations.csv, crs: bd09-ish}\n")
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "stations.csv", "bd09-ish")


# ----------------------------------------------------------------------------- more formats and edge cases
def test_layers_yml_lists_several_files_for_one_role(tmp_path):
    write_geojson(tmp_path / "services.geojson", [({"category": "market"}, shapely.Point(114, 30))])
    (tmp_path / "extra.csv").write_text("类别,X坐标,Y坐标\nhealth,500000,3385000\n", encoding="utf-8")
    (tmp_path / "layers.yml").write_text(
        "facilities:\n  - services.geojson\n  - {file: extra.csv, lon: X坐标, lat: Y坐标, crs: 4547}\n",
        encoding="utf-8")
    layers = read(tmp_path)
    assert layers.facilities["category"].tolist() == ["market", "health"]
    assert layers.facilities["source"].tolist() == ["layer:services.geojson", "layer:extra.csv"]


def test_csv_wkt_geometries_and_blank_coordinates(tmp_path):
    (tmp_path / "obstructions.csv").write_text(
        'kind,wkt\nflooded,"POLYGON ((114 30, 114.001 30, 114.001 30.001, 114 30))"\n'
        'occupied lane,"LINESTRING (114 30, 114.001 30)"\nother,\n', encoding="utf-8")
    layers = read(tmp_path)
    assert layers.obstructions.geom_type.tolist() == ["Polygon", "LineString"]
    assert layers.dropped[0]["rows"] == (3,) and "no geometry" in layers.dropped[0]["reason"]


def test_zero_byte_file_is_an_empty_layer(tmp_path):
    (tmp_path / "stations.geojson").write_bytes(b"")
    layers = read(tmp_path)
    assert layers.stations.empty and any("has no features" in w for w in layers.warnings)


def test_duplicate_community_names_warn(tmp_path):
    write_geojson(tmp_path / "boundary.geojson", [({"name": "A"}, shapely.box(114, 30, 114.01, 30.01)),
                                                  ({"name": "A"}, shapely.box(114.01, 30, 114.02, 30.01))])
    assert any("more than once: A" in w for w in read(tmp_path).warnings)


def test_error_bad_wkt_names_row(tmp_path):
    (tmp_path / "obstructions.csv").write_text('kind,wkt\nflooded,"POINT (114 30)"\nflooded,"POLYGN ((1 2))"\n')
    with pytest.raises(InputError) as exc:
        read(tmp_path)
    assert_one_line(exc, "obstructions.csv", "row 2", "WKT")
