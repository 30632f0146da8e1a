"""Checksums of input files, for run manifests."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_of(*paths: str | Path) -> str:
    """SHA-256 hex digest of the files' bytes, read in 1 MiB blocks, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
