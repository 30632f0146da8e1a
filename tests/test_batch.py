"""Many districts on a real Dask LocalCluster (2 worker processes), cut from the bundled sample."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

distributed = pytest.importorskip("distributed")

import geoplan  # noqa: E402
from geoplan.districts import default_buffer_m, plan_tasks  # noqa: E402
from geoplan.districts.clip import clip_osm  # noqa: E402
from geoplan.sources import bundled_sample_path, open_osm  # noqa: E402
from geoplan.standards import get_preset  # noqa: E402


@pytest.fixture(scope="module")
def cluster_client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  memory_limit="4GiB") as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def halves(tmp_path_factory) -> Path:
    """Two districts: the west and east halves of the bundled sample's streets, named in Chinese."""
    data = open_osm(None)
    west, south, east, north = data.nodes["lon"].min(), data.nodes["lat"].min(), data.nodes["lon"].max(), \
        data.nodes["lat"].max()
    mid = (west + east) / 2
    frame = gpd.GeoDataFrame({"名称": ["西区", "东区"]},
                             geometry=[shapely.box(west, south, mid, north), shapely.box(mid, south, east, north)],
                             crs="EPSG:4326")
    path = tmp_path_factory.mktemp("districts") / "街道.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path


def test_districts_with_a_margin_equal_a_single_run_on_the_buffered_extract(tmp_path, halves, cluster_client):
    out = tmp_path / "city"
    result = geoplan.batch(osm=[bundled_sample_path()], districts=halves, name_field="名称", analyses="coverage",
                           out=out, client=cluster_client)
    assert set(result.summary["status"]) == {"done"}, result.summary
    assert {r["worker"] for r in result.rows} <= {w for w in cluster_client.scheduler_info()["workers"]}

    task = next(t for t in plan_tasks(osm=[bundled_sample_path()], out=out, districts=halves, name_field="名称",
                                      analyses=("coverage",)) if t.name == "西区")
    batch_rows = pd.read_csv(out / "districts" / "西区" / "coverage" / "residents.csv", encoding="utf-8-sig")
    # every resident counted lies inside its district
    inside = shapely.contains_xy(shapely.from_wkt(task.district_wkt), batch_rows["lon"], batch_rows["lat"])
    assert inside.mean() > 0.95  # representative points of footprints; lon/lat is the footprint's own point
    # a single run on the same buffered extract gives the same distances to the same residents
    study = geoplan.load_study(clip_osm(open_osm(None), shapely.from_wkt(task.clip_wkt)))
    single = geoplan.coverage(study).residents.set_index("resident_id")
    mine = batch_rows.set_index("resident_id")
    cols = [c for c in mine.columns if c.startswith("dist_m_")]
    assert len(mine) > 10 and len(mine) < len(single)
    np.testing.assert_allclose(mine[cols].to_numpy(float), single.loc[mine.index, cols].to_numpy(float),
                               rtol=1e-6, atol=0.02, equal_nan=True)
    # merged city outputs
    city = gpd.read_file(out / "city.gpkg", layer="coverage_residents")
    assert set(city["district"]) == {"西区", "东区"}
    summary = pd.read_csv(out / "summary.csv", encoding="utf-8-sig")
    assert summary["population"].sum() == pytest.approx(city["population"].sum(), rel=1e-6)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "districts/西区/maps/coverage.html" in page and "cdn." not in page.lower()
    manifest = json.loads((out / "batch_manifest.json").read_text(encoding="utf-8"))
    assert [d["district"] for d in manifest["districts"]] == sorted(["西区", "东区"])
    assert all(d["inputs"][0]["sha256"] for d in manifest["districts"])


def test_a_broken_district_is_reported_and_the_others_finish(tmp_path, cluster_client):
    broken = tmp_path / "坏的.osm"
    broken.write_text("<osm><node id='1' lat='x'", encoding="utf-8")
    result = geoplan.batch(osm=[bundled_sample_path(), broken], analyses=("coverage",), out=tmp_path / "city",
                           client=cluster_client)
    by_name = result.summary.set_index("district")
    assert by_name.loc["Helsinki", "status"] == "done"
    assert by_name.loc["坏的", "status"] == "failed"
    assert "坏的.osm" in by_name.loc["坏的", "reason"] and "\n" not in by_name.loc["坏的", "reason"]
    assert (tmp_path / "city" / "districts" / "Helsinki" / "manifest.json").is_file()
    assert not (tmp_path / "city" / "districts" / "坏的").exists()


def test_a_rerun_skips_finished_districts(tmp_path, cluster_client):
    out = tmp_path / "city"
    first = geoplan.batch(osm=[bundled_sample_path()], analyses=("coverage",), out=out, client=cluster_client)
    assert list(first.summary["status"]) == ["done"]
    manifest = out / "districts" / "Helsinki" / "manifest.json"
    stamp = manifest.stat().st_mtime_ns
    again = geoplan.batch(osm=[bundled_sample_path()], analyses=("coverage",), out=out, client=cluster_client)
    assert list(again.summary["status"]) == ["skipped"]
    assert manifest.stat().st_mtime_ns == stamp
    assert again.summary.loc[0, "population"] == first.summary.loc[0, "population"]
    # another analysis set is another task: it runs again
    third = geoplan.batch(osm=[bundled_sample_path()], analyses=("coverage", "sites"), out=out, client=cluster_client)
    assert list(third.summary["status"]) == ["done"]


def test_a_worker_killed_mid_task_is_replaced_and_the_task_retried(tmp_path):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  memory_limit="4GiB") as cluster, distributed.Client(cluster) as client:
        result: dict = {}
        runner = threading.Thread(target=lambda: result.update(r=geoplan.batch(
            osm=[bundled_sample_path()], analyses=("coverage",), out=tmp_path / "city", client=client)))
        runner.start()
        killed = None
        deadline = time.monotonic() + 120
        while killed is None and time.monotonic() < deadline:
            busy = [w for w, keys in client.processing().items() if keys]
            if busy:
                pids = client.run(os.getpid, workers=busy)
                killed = pids[busy[0]]
                time.sleep(0.5)  # let the task start its work
                os.kill(killed, signal.SIGKILL)
            time.sleep(0.05)
        runner.join(timeout=300)
        assert killed is not None, "the task never started"
        assert list(result["r"].summary["status"]) == ["done"]
        assert (tmp_path / "city" / "districts" / "Helsinki" / "manifest.json").is_file()


def test_default_margin_is_the_largest_threshold_plus_the_snap_distance():
    preset = get_preset("gb")
    assert default_buffer_m(preset, ["coverage"]) == 1000 + preset.max_snap_m
    assert default_buffer_m(preset, ["coverage", "access"]) == pytest.approx(240 * 40 / 3.6 + preset.max_snap_m)


def test_batch_rejects_bad_options_with_one_line(tmp_path, halves):
    from geoplan.errors import InputError

    with pytest.raises(InputError, match="unknown analyses: maps"):
        plan_tasks(osm=[bundled_sample_path()], out=tmp_path, analyses="coverage,maps")
    with pytest.raises(InputError, match="no column 'name'"):
        plan_tasks(osm=[bundled_sample_path()], out=tmp_path, districts=halves, name_field="name")
    with pytest.raises(InputError, match="several --osm"):
        plan_tasks(osm=[bundled_sample_path(), bundled_sample_path()], out=tmp_path, districts=halves)
    with pytest.raises(InputError, match="names repeat"):
        plan_tasks(osm=[bundled_sample_path(), bundled_sample_path()], out=tmp_path)


def test_the_same_tasks_run_on_a_cluster_given_by_its_scheduler_address(tmp_path, cluster_client, monkeypatch):
    address = cluster_client.scheduler.address
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", address)  # the standard variable, as a deployment sets it
    result = geoplan.batch(osm=[bundled_sample_path()], analyses=("coverage",), out=tmp_path / "env")
    assert list(result.summary["status"]) == ["done"]
    assert result.rows[0]["worker"] in cluster_client.scheduler_info()["workers"]
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS")
    again = geoplan.batch(osm=[bundled_sample_path()], analyses=("coverage",), out=tmp_path / "flag",
                          scheduler=address)
    assert again.rows[0]["worker"] in cluster_client.scheduler_info()["workers"]
