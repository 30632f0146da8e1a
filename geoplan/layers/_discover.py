"""Find the layer files in the user's folder(s) and the role each one plays.

A role comes from ``layers.yml`` in the folder when it names one, else from the file's name
(``stations.csv`` → stations). Files with a layer extension that match no role are ignored
with a warning, so a typo in a name is noticed rather than silently skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml

from geoplan.errors import InputError
from geoplan.i18n import message, nmessage
from geoplan.layers._schema import FILE_OPTIONS, LAYER_EXTENSIONS, ROLES, role_of_stem

CONFIG_NAMES: tuple[str, ...] = ("layers.yml", "layers.yaml")


@dataclass(frozen=True)
class LayerFile:
    """One file to read, its role and the options from ``layers.yml``.

    Attributes
    ----------
    path
        The file.
    role
        One of :data:`~geoplan.layers._schema.ROLES`.
    crs
        ``layers.yml`` ``crs``: an EPSG code / CRS string, or ``"gcj02"``; ``None`` if not given.
    encoding
        ``layers.yml`` ``encoding``; ``None`` if not given.
    lon, lat
        CSV coordinate column names; ``None`` to detect them.
    layer
        GeoPackage layer name; ``None`` to pick the only layer or the one named after the role.
    """

    path: Path
    role: str
    crs: str | None = None
    encoding: str | None = None
    lon: str | None = None
    lat: str | None = None
    layer: str | None = None


def _entries(role: str, value: Any, config: Path) -> list[dict[str, Any]]:
    """Turn one ``layers.yml`` value (a file name, an options mapping, or a list) into option dicts."""
    items = value if isinstance(value, list) else [value]
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, str):
            item = {"file": item}
        if not isinstance(item, dict) or "file" not in item:
            raise InputError(message("entry for {role!r} needs a file name", role=role), source=config,
                             fix=message("write `{role}: name.geojson` or `{role}: {example}`", role=role,
                                         example="{file: name.csv, crs: gcj02}"))
        unknown = sorted(set(map(str, item)) - set(FILE_OPTIONS))
        if unknown:
            raise InputError(nmessage("unknown option {options} for {role!r}", "unknown options {options} for {role!r}",
                                      len(unknown), options=", ".join(unknown), role=role),
                             source=config, fix=message("use only: {names}", names=", ".join(FILE_OPTIONS)))
        out.append({k: (None if v is None else str(v)) for k, v in item.items()})
    return out


def read_config(folder: Path) -> tuple[Path | None, list[LayerFile]]:
    """Read ``layers.yml`` (or ``layers.yaml``) in ``folder``, if there is one.

    Returns
    -------
    tuple
        The config path (or ``None``) and the files it lists, in the order written.
    """
    config = next((folder / n for n in CONFIG_NAMES if (folder / n).is_file()), None)
    if config is None:
        return None, []
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        what = message("cannot be read as YAML (line {line})", line=where.line + 1) if where is not None else \
            message("cannot be read as YAML")
        raise InputError(what, source=config,
                         fix=message("check the indentation and colons; see layers/README.md for an example")) from None
    if data is None:
        return config, []
    if not isinstance(data, dict):
        raise InputError(message("must map roles to files"), source=config,
                         fix=message("write e.g. `stations: fire.csv`, one role per line"))
    files: list[LayerFile] = []
    for role, value in data.items():
        if role not in ROLES:
            raise InputError(message("unknown role {role!r}", role=role), source=config,
                             fix=message("use one of: {choices}", choices=", ".join(ROLES)))
        for opts in _entries(role, value, config):
            path = Path(opts.pop("file"))
            path = path if path.is_absolute() else folder / path
            if not path.is_file():
                raise InputError(message("lists {file!r} for {role}, but there is no such file", file=path.name, role=role),
                                 source=config, fix=message("put {file} in {folder} or correct the name in {config}",
                                                            file=path.name, folder=folder, config=config.name))
            files.append(LayerFile(path=path, role=str(role), **opts))
    return config, files


def discover(folders: Sequence[Path]) -> tuple[list[LayerFile], list[str]]:
    """List the layer files in ``folders`` with their roles.

    Parameters
    ----------
    folders
        The folders, in order; the same role in several folders is read from all of them.

    Returns
    -------
    tuple
        The files (folder order, then ``layers.yml`` order, then role order and file name) and
        warnings about files that were ignored.
    """
    found: list[LayerFile] = []
    warnings: list[str] = []
    for folder in folders:
        if not folder.exists():
            raise InputError(message("layers folder not found"), source=folder,
                             fix=message("check the path, or leave out --layers to use only OpenStreetMap"))
        if not folder.is_dir():
            raise InputError(message("is a file, not a folder of layers"), source=folder,
                             fix=message("give the folder that holds the layer files"))
        config, listed = read_config(folder)
        found.extend(listed)
        configured_roles = {f.role for f in listed}
        configured_paths = {f.path.resolve() for f in listed}
        by_name: list[LayerFile] = []
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or not path.is_file() or path.suffix.lower() not in LAYER_EXTENSIONS:
                continue
            if path.resolve() in configured_paths:
                continue
            role = role_of_stem(path.stem)
            if role is None:
                warnings.append(message("{path}: ignored — the name does not say which layer it is; fix: rename it "
                                        "({names}) or list it in layers.yml", path=path,
                                        names=", ".join(r + path.suffix for r in ROLES)))
            elif role in configured_roles:
                warnings.append(message("{path}: ignored — {config} already names the {role} file; fix: list it there "
                                        "too if it should be read", path=path,
                                        config=config.name if config else "layers.yml", role=role))
            else:
                by_name.append(LayerFile(path=path, role=role))
        found.extend(sorted(by_name, key=lambda f: (ROLES.index(f.role), f.path.name)))
    return found, warnings
