"""The shapes of a network's street segments: flat coordinates, shapely lines on first use.

At a million walking nodes the 1.4 M segment lines are 0.75 GB as shapely (GEOS) objects but
66 MB as one coordinate array with offsets, and the analyses of a cached study mostly need only
the coordinates (service areas sample them, lengths come from them). So a network read from the
study cache keeps the coordinates and makes the shapely lines the first time something asks for
them (snapping, routes, the access audit); a network built from its edges keeps the lines it was
given. Copies of a compiled network (:meth:`~geoplan.network.engine.CompiledNetwork.closing`)
share one :class:`SegmentLines`, so the lines are made at most once.
"""

from __future__ import annotations

import threading

import numpy as np
import shapely


class SegmentLines:
    """Line shapes of many segments, held as shapely lines, as flat coordinates, or both.

    Parameters
    ----------
    geometry : numpy.ndarray, optional
        Shapely lines (object array), one per segment.
    coords, offsets : numpy.ndarray, optional
        ``(n, 2)`` vertex coordinates (m) and ``len + 1`` offsets: segment ``i`` owns
        ``coords[offsets[i]:offsets[i + 1]]`` (the layout of :func:`shapely.to_ragged_array`).
    """

    def __init__(self, geometry: np.ndarray | None = None, *, coords: np.ndarray | None = None,
                 offsets: np.ndarray | None = None) -> None:
        if geometry is None and (coords is None or offsets is None):
            raise ValueError("SegmentLines needs the lines or their coordinates and offsets")
        self._geometry = geometry
        self._ragged = None if coords is None else (coords, offsets)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._geometry) if self._geometry is not None else len(self._ragged[1]) - 1

    @property
    def is_made(self) -> bool:
        """Whether the shapely lines exist (made, or given)."""
        return self._geometry is not None

    @property
    def geometry(self) -> np.ndarray:
        """The shapely lines, made from the coordinates the first time they are asked for."""
        if self._geometry is None:
            with self._lock:  # analyses run on threads: make them once
                if self._geometry is None:
                    self._geometry = _lines(*self._ragged)
        return self._geometry

    def take(self, index: np.ndarray) -> np.ndarray:
        """The lines of some segments, without making the others."""
        if self._geometry is not None:
            return self._geometry[index]
        coords, offsets = self._ragged
        index = np.asarray(index, dtype=np.int64)
        start, count = offsets[index], np.diff(offsets)[index]
        which = np.repeat(np.arange(len(index)), count)
        pos = np.arange(len(which)) - np.repeat(np.cumsum(count) - count, count) + np.repeat(start, count)
        return _lines(coords[pos], np.r_[0, np.cumsum(count)])

    def coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        """Every vertex ``(n, 2)`` and the segment it belongs to (as :func:`shapely.get_coordinates`)."""
        if self._ragged is None:
            return shapely.get_coordinates(self._geometry, return_index=True)
        coords, offsets = self._ragged
        return coords, np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))

    def lengths(self) -> np.ndarray:
        """Length of every segment, metres."""
        if self._ragged is None:
            return shapely.length(self._geometry)
        coords, which = self.coordinates()
        return np.bincount(which, weights=vertex_steps(coords, which), minlength=len(self))

    def as_coordinates(self) -> "SegmentLines":
        """The same shapes held as coordinates only (the shapely lines, if made, are not kept)."""
        state = self.__getstate__()
        if state["_ragged"] is None:
            return self
        coords, offsets = state["_ragged"]
        return SegmentLines(coords=coords, offsets=offsets)

    def __getstate__(self) -> dict:
        # stored as coordinates when every shape is a plain line (exact, and the fastest to read);
        # anything else (a hand-built network's odd shape) keeps its lines
        ragged = self._ragged
        if ragged is None and len(self._geometry) and _plain_lines(self._geometry):
            _, coords, (offsets,) = shapely.to_ragged_array(self._geometry)
            ragged = (coords, offsets)
        return {"_geometry": self._geometry if ragged is None else None, "_ragged": ragged}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()


def vertex_steps(coords: np.ndarray, which: np.ndarray) -> np.ndarray:
    """Per vertex, its distance (m) from the previous vertex of the same line (0 at a line's first).

    ``coords`` and ``which`` as :func:`shapely.get_coordinates` with ``return_index=True`` gives them.
    """
    step = np.zeros(len(coords))
    same = which[1:] == which[:-1]
    step[1:] = np.where(same, np.hypot(*(coords[1:] - coords[:-1]).T), 0.0)
    return step


def _plain_lines(geoms: np.ndarray) -> bool:
    """Every shape a non-empty 2-D LineString (what the coordinate layout can hold exactly)."""
    return bool((shapely.get_type_id(geoms) == 1).all() and not shapely.has_z(geoms).any()
                and not shapely.is_empty(geoms).any())


def _lines(coords: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    return shapely.from_ragged_array(shapely.GeometryType.LINESTRING, coords, (offsets,))
