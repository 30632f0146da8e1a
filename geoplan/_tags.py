"""Tag columns of city-sized tables, kept small."""

from __future__ import annotations

import pandas as pd


def tag_column(values: pd.Series) -> pd.Categorical:
    """An OSM tag column as a categorical: one small code per row, each distinct value stored once.

    A city's way and edge tables repeat a handful of values (``residential``, ``yes``) millions
    of times across some forty tag columns, most of them empty; as object columns they were a
    gigabyte of pointers at a million walking nodes, as one-byte codes an eighth of that. A missing tag is
    missing (``NaN``, as in osmnx's tables); ``astype(object)`` gives the plain values back.
    """
    return pd.Categorical(values)
