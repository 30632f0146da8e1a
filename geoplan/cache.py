"""The study cache: a compiled study stored once on disk and reloaded in seconds.

Loading a city-sized extract (reading OSM, building both networks, classifying features,
snapping everything) takes minutes; the result depends only on the input files, the preset
and geoplan itself. So the loaded :class:`geoplan.study.Study` — networks in their compiled
form, snaps, residents, facilities, stations, sites — is written once per *key* and read back
the next time the same inputs are loaded with the same preset.

Where
    ``$GEOPLAN_CACHE_DIR`` if set, else ``~/.cache/geoplan/studies``. One folder per entry,
    named by its key, holding ``study.pkl`` and ``drive.pkl`` (the vehicle network, apart: it is
    read only when an analysis first uses it, see :class:`geoplan.study.DeferredNetwork`), a
    ``.sha256`` beside each, and ``meta.json``. Deleting the folder (or ``geoplan …
    --clear-cache``, or :func:`clear`) is always safe, except while a command that loaded it still runs.
Key
    SHA-256 of: the path and SHA-256 of every input file (the OSM extract; every file of every
    layer folder, with its relative name), the preset (``Preset.as_dict()``), the loading options
    (``encoding``, ``name``), the geoplan version and a checksum of geoplan's own code (a
    development checkout changes code without changing its version). Data already read into
    memory (an :class:`~geoplan.sources.OsmData`) is keyed by its label, source checksum,
    bounds and a checksum of its node coordinates and way ids. Online downloads are not cached
    here.
Trust
    An entry is used only when the bytes of both files match the SHA-256 written beside them
    (the vehicle network's again when it is read) and its
    ``meta.json`` names the same key and version; anything else (a truncated write, a flipped
    byte, a foreign file) is reported in one note, deleted and rebuilt. ``pickle`` is only ever
    read from files geoplan wrote itself and whose checksum matches.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np
import shapely

from geoplan.errors import InputError
from geoplan.i18n import message

ENV_VAR = "GEOPLAN_CACHE_DIR"
_PAYLOAD = "study.pkl"
_DRIVE = "drive.pkl"
_META = "meta.json"
#: Format of an entry; bump when what is stored changes shape (tuning, not planning).
_FORMAT = 5
#: Persistent id of the vehicle network inside ``study.pkl`` (stored in ``drive.pkl``).
_DRIVE_ID = "drive"


def _checksum_file(part: Path) -> Path:
    return part.with_name(part.name + ".sha256")


def cache_dir() -> Path:
    """The folder holding cached studies (``$GEOPLAN_CACHE_DIR`` or ``~/.cache/geoplan/studies``)."""
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "geoplan" / "studies"


def _file_sha(path: Path) -> str:
    from geoplan._checksum import sha256_of

    return sha256_of(path)


def _code_checksum() -> str:
    """Checksum of geoplan's own Python files (what a cached study's pickle depends on)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _layer_fingerprint(path: Path) -> list | None:
    # the resolved path is part of the key: the study records its inputs' paths for manifests
    if path.is_file():
        return [str(path.resolve()), _file_sha(path)]
    if not path.is_dir():
        return None
    return [str(path.resolve()), [[str(p.relative_to(path)), _file_sha(p)] for p in sorted(path.rglob("*")) if p.is_file()]]


def _memory_fingerprint(osm) -> dict:
    """What identifies OSM data already in memory: label, source checksum and a digest of its arrays."""
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(osm.nodes.index.to_numpy(np.int64)).tobytes())
    digest.update(np.ascontiguousarray(osm.nodes[["lon", "lat"]].to_numpy(float)).tobytes())
    digest.update(np.ascontiguousarray(osm.ways["osm_id"].to_numpy(np.int64)).tobytes())
    digest.update(np.ascontiguousarray(osm.ways["nodes"].map(len).to_numpy(np.int64)).tobytes())
    return {"label": osm.label, "sha256": osm.sha256, "bounds": [float(b) for b in osm.bounds],
            "features": int(len(osm.features)), "arrays": digest.hexdigest()}


def study_key(osm, *, layers: Sequence, preset, encoding: str | None, name: str | None) -> str | None:
    """The cache key of a load, or ``None`` when it cannot be cached (online data, missing files).

    Parameters
    ----------
    osm
        Path of the OSM file, ``None`` for the bundled sample, or an ``OsmData`` in memory.
    layers
        Layer folders (or files) as given to ``load_study``.
    preset
        The resolved :class:`~geoplan.standards.Preset`.
    encoding, name
        The loading options that change the study.
    """
    from geoplan import __version__
    from geoplan.sources import OsmData, bundled_sample_path

    if isinstance(osm, OsmData):
        source = _memory_fingerprint(osm)
    else:
        path = Path(bundled_sample_path() if osm is None else osm)
        if not path.is_file():
            return None
        source = {"file": str(path.resolve()), "sha256": _file_sha(path)}
    layer_prints = [_layer_fingerprint(Path(p)) for p in layers]
    if any(p is None for p in layer_prints):
        return None
    recipe = {"format": _FORMAT, "version": __version__, "code": _code_checksum(), "osm": source,
              "layers": layer_prints, "preset": preset.as_dict(), "encoding": encoding, "name": name}
    text = json.dumps(recipe, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------- pickling
def _encode_geoms(geoms: np.ndarray) -> tuple:
    """Geometries as flat coordinate arrays when all are one simple type (fastest to rebuild),
    else as WKB; both exact."""
    types = shapely.get_type_id(geoms)
    if len(geoms) and (types == types[0]).all() and types[0] in (0, 1, 3, 4, 5, 6) \
            and not shapely.is_empty(geoms).any():
        kind, coords, offsets = shapely.to_ragged_array(geoms)
        return "ragged", (int(kind), coords, offsets)
    return "wkb", shapely.to_wkb(geoms)


def _decode_geoms(how: str, data) -> np.ndarray:
    if how == "ragged":
        kind, coords, offsets = data
        return shapely.from_ragged_array(shapely.GeometryType(kind), coords, offsets)
    return shapely.from_wkb(data)


def _geometry_array(how: str, data, crs):
    from geopandas.array import GeometryArray

    return GeometryArray(_decode_geoms(how, data), crs=crs)


def _encode_labels(values: np.ndarray) -> tuple | None:
    """A column of text (tag values, names) as integer codes and its distinct values, or ``None``
    when it holds anything else. Reading it back creates each distinct string once, not once per
    row: at city scale the edge tables hold tens of millions of repeated tag values."""
    import pandas as pd

    try:
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            return None
        none = np.equal(values, None)
        nan = np.not_equal(values, values)  # float NaN; pd.NA raises here and is left to pickle
        codes, uniques = pd.factorize(values)
        if not np.array_equal(codes == -1, none | nan):
            return None
    except (TypeError, ValueError):
        return None
    codes = codes.astype(np.int32)
    codes[none] = -2
    return codes, list(uniques)  # a list: an object array would come back here


def _decode_labels(codes: np.ndarray, distinct: list) -> np.ndarray:
    uniques = np.empty(len(distinct), dtype=object)
    uniques[:] = distinct
    out = uniques.take(np.maximum(codes, 0)) if len(uniques) else np.empty(len(codes), dtype=object)
    out[codes == -1] = np.nan
    out[codes == -2] = None
    return out


class _Pickler(pickle.Pickler):
    """Pickles arrays of shapely geometries (bare or inside GeoDataFrames) as flat arrays in one
    vectorised call, not object by object, and text columns as codes of their distinct values."""

    def reducer_override(self, obj):
        from geopandas.array import GeometryArray

        if isinstance(obj, GeometryArray):
            return _geometry_array, (*_encode_geoms(np.asarray(obj._data, dtype=object)), obj.crs)
        if isinstance(obj, np.ndarray) and obj.dtype == object and obj.ndim == 1 and len(obj) > 16:
            is_geom = shapely.is_geometry(obj)
            if is_geom.all():
                return _decode_geoms, _encode_geoms(obj)
            if is_geom.any() and (is_geom | shapely.is_missing(obj)).all():
                return _decode_geoms, ("wkb", shapely.to_wkb(obj))
            if not is_geom.any() and (labels := _encode_labels(obj)) is not None:
                return _decode_labels, labels
        return NotImplemented


class _StudyPickler(_Pickler):
    """Pickles a study with its vehicle network left out, as a reference to ``drive.pkl``."""

    def __init__(self, fh, drive, **kwargs) -> None:
        super().__init__(fh, **kwargs)
        self._drive = drive

    def persistent_id(self, obj):
        return _DRIVE_ID if obj is self._drive and obj is not None else None


class _StudyUnpickler(pickle.Unpickler):
    """Reads a study, its vehicle network deferred until first used."""

    def __init__(self, fh, entry: Path, drive_digest: str) -> None:
        super().__init__(fh)
        self._entry, self._digest = entry, drive_digest

    def persistent_load(self, pid):
        if pid != _DRIVE_ID:
            raise pickle.UnpicklingError(f"unknown part {pid!r}")
        return _deferred_drive(self._entry, self._digest)


def _recorded_digest(part: Path) -> str:
    """The SHA-256 written beside a part of an entry when it was stored."""
    return _checksum_file(part).read_text(encoding="ascii").strip()


def _deferred_drive(entry: Path, digest: str):
    """The vehicle network of ``entry``, read (and its ``digest`` checked) when first used."""
    from geoplan.study import DeferredNetwork

    return DeferredNetwork("drive", functools.partial(_read_part, entry, _DRIVE, digest))


def _read_part(entry: Path, name: str, expected: str):
    """A part of an entry read after the entry was trusted: checked again, as it is read later."""
    try:
        data = (entry / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != expected:
            raise ValueError("checksum")
        return pickle.loads(data)  # noqa: S301 — written by geoplan, checksum verified above
    except Exception as exc:
        shutil.rmtree(entry, ignore_errors=True)
        raise InputError(message("the study cache entry {entry} changed while this command used it ({kind})",
                                 entry=entry, kind=type(exc).__name__),
                         fix=message("run the command again: the study is rebuilt")) from None


class _HashingWriter:
    """A file that hashes what is written to it, so a study is never held twice in memory."""

    def __init__(self, fh) -> None:
        self.fh = fh
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        view = memoryview(data).cast("B")  # protocol 5 hands out buffers, not only bytes
        self.digest.update(view)
        self.size += view.nbytes
        return self.fh.write(view)


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------------- entries
class _Untrusted(ValueError):
    """A cache entry that was read but must not be used; its one argument is the note (a Message)."""


def load(key: str, *, folder: Path | None = None):
    """The cached study of ``key``, and a note when an entry was found but not trusted.

    Returns
    -------
    study, note
        ``(Study, None)`` on a good entry; ``(None, None)`` when there is none;
        ``(None, note)`` when an entry was corrupt or stale (it is deleted; the caller rebuilds).
    """
    from geoplan import __version__

    entry = (folder or cache_dir()) / key
    if not entry.is_dir():
        return None, None
    try:
        meta = json.loads((entry / _META).read_text(encoding="utf-8"))
        if meta.get("key") != key or meta.get("version") != __version__ or meta.get("format") != _FORMAT:
            raise _Untrusted(message("the study cache entry {entry} was not used because it was written for other "
                                     "inputs or another geoplan version; the study was rebuilt", entry=entry))
        digests = {}
        for part in (_PAYLOAD, _DRIVE):
            digests[part] = _recorded_digest(entry / part)
            if _file_digest(entry / part) != digests[part]:
                raise _Untrusted(message("the study cache entry {entry} was not used because its checksum does not "
                                         "match its contents; the study was rebuilt", entry=entry))
        with open(entry / _PAYLOAD, "rb") as fh:
            study = _StudyUnpickler(fh, entry, digests[_DRIVE]).load()  # checksums verified above
    except Exception as exc:  # any unreadable entry is rebuilt, never trusted
        shutil.rmtree(entry, ignore_errors=True)
        if isinstance(exc, _Untrusted):
            return None, exc.args[0]
        return None, message("the study cache entry {entry} was not used because it could not be read ({kind}); "
                             "the study was rebuilt", entry=entry, kind=type(exc).__name__)
    return study, None


def store(key: str, study, *, folder: Path | None = None) -> Path:
    """Write ``study`` as the entry of ``key`` (atomically: readers see all of it or none)."""
    from geoplan import __version__

    root = folder or cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=root))
    study.streets  # noqa: B018 — worked out now, so a cached study draws maps without its vehicle network
    try:
        size = 0
        for part, pickler, obj in ((_PAYLOAD, functools.partial(_StudyPickler, drive=study.drive), study),
                                   (_DRIVE, _Pickler, study.drive)):
            with open(staging / part, "wb") as fh:
                out = _HashingWriter(fh)
                pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
            _checksum_file(staging / part).write_text(out.digest.hexdigest() + "\n", encoding="ascii")
            size += out.size
        (staging / _META).write_text(json.dumps({"key": key, "version": __version__, "format": _FORMAT,
                                                 "study": study.name, "bytes": size}), encoding="utf-8")
        entry = root / key
        shutil.rmtree(entry, ignore_errors=True)
        os.replace(staging, entry)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return entry


def as_stored(study, entry: Path):
    """``study`` as a cached load of ``entry`` gives it: its vehicle network read from the entry on
    first use, its walking network's lines made on first use (:meth:`geoplan.study.Network.as_stored`).

    A first run then holds no more than a second one while it analyses (the vehicle network is
    most of a gigabyte at a million walking nodes, the walking network's lines more than one, and
    coverage needs neither).
    """
    out = dataclasses.replace(study, walk=study.walk.as_stored(),
                              drive=_deferred_drive(entry, _recorded_digest(entry / _DRIVE)))
    fields = {f.name for f in dataclasses.fields(study)}
    # what the study worked out and kept (its streets, while storing) is kept, not worked out again
    out.__dict__.update({k: v for k, v in study.__dict__.items() if k not in fields})
    return out


def clear(*, folder: Path | None = None) -> int:
    """Delete every cached study; returns how many entries were removed."""
    root = folder or cache_dir()
    if not root.is_dir():
        return 0
    entries = [p for p in root.iterdir() if p.is_dir()]
    for p in entries:
        shutil.rmtree(p, ignore_errors=True)
    return sum(1 for p in entries if not p.name.startswith("."))
