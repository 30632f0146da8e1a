"""Handing freed memory back to the operating system between the phases of a command."""

from __future__ import annotations

import ctypes


def _malloc_trim():
    """glibc's ``malloc_trim``, or ``None`` where the C library has none (macOS, Windows, musl)."""
    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except (OSError, TypeError):  # Windows: no handle for the process's own symbols
        return None


_TRIM = _malloc_trim()


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system; ``True`` when some were returned.

    glibc keeps the memory of freed arrays and geometries mapped for reuse, and what a phase
    frees (a city's searches, the dense rasters of its service areas) is mostly not reused by the
    next one (tables, GeoPackage), whose allocations then grow the resident set on top of it.
    Measured on a cached ``geoplan coverage`` at a million walking nodes: peak 5,275 → 4,950 MB,
    the call itself 0.1 s (``benchmarks/README.md``). Elsewhere (no ``malloc_trim``) it does nothing.
    """
    return bool(_TRIM(0)) if _TRIM is not None else False
