"""Freed memory handed back to the system between phases (``geoplan._memory``)."""

from __future__ import annotations

import gc

import pytest

from geoplan import _memory
from geoplan._memory import release_free_memory


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024


@pytest.mark.skipif(_memory._TRIM is None, reason="no glibc malloc_trim here: the call does nothing")
def test_memory_freed_below_live_objects_goes_back_to_the_system():
    blocks = [bytearray(4000) for _ in range(20_000)]  # ≈ 80 MB on the C heap, below the mmap threshold
    keep = bytearray(4000)  # allocated above them: the heap's top stays in use, nothing is trimmed by itself
    del blocks
    gc.collect()
    before = _rss_mb()
    assert release_free_memory()
    assert before - _rss_mb() > 40
    assert len(keep) == 4000
