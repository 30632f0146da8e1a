"""Text encodings of users' files: never produce mojibake silently.

Shapefiles from Chinese GIS work often carry GBK/GB18030 attribute text with no ``.cpg``;
GDAL then assumes ISO-8859-1 and returns mojibake without complaint. So before GDAL reads a
shapefile we look at the raw bytes of its ``.dbf`` text fields ourselves and decide.
"""

from __future__ import annotations

import codecs
import struct
from pathlib import Path

from geoplan.errors import InputError
from geoplan.i18n import message

#: Tried after UTF-8 fails: GB18030 is a superset of GB2312 and GBK, so it reads all three.
FALLBACK_ENCODING = "gb18030"

#: Windows code-page numbers as written in ``.cpg`` files → Python codec names.
_CODE_PAGES = {"936": "gbk", "54936": "gb18030", "65001": "utf-8", "1252": "cp1252", "950": "big5",
               "20936": "gb2312", "88591": "latin-1", "8859_1": "latin-1"}


def codec_name(name: str, *, source: str | Path) -> str:
    """Return the canonical Python codec name for ``name`` or raise :class:`InputError`.

    Parameters
    ----------
    name
        An encoding as users write it: ``"GBK"``, ``"936"``, ``"ANSI 936"``, ``"utf8"``…
    source
        The file or option the name came from, for the message.
    """
    key = name.strip().lower()
    if key.startswith("ansi "):  # ArcGIS writes e.g. "ANSI 936"
        key = key[5:].strip()
    key = _CODE_PAGES.get(key, key)
    if key.isdigit():
        key = f"cp{key}"
    try:
        info = codecs.lookup(key)
    except LookupError:
        raise InputError(message("unknown text encoding {name!r}", name=name), source=source,
                         fix=message("use a name such as utf-8, gbk or gb18030")) from None
    # rot13, base64, zlib… are codecs, but they turn bytes into bytes, not text
    if not getattr(info, "_is_text_encoding", True):
        raise InputError(message("{name!r} is not a text encoding", name=name), source=source,
                         fix=message("use a name such as utf-8, gbk or gb18030"))
    return info.name


def cpg_of(shp: Path) -> Path | None:
    """Return the shapefile's ``.cpg`` sidecar (any case of the extension), if present."""
    for candidate in shp.parent.glob(shp.stem + ".*"):
        if candidate.suffix.lower() == ".cpg" and candidate.stem == shp.stem:
            return candidate
    return None


def dbf_of(shp: Path) -> Path | None:
    """Return the shapefile's ``.dbf`` sidecar (any case of the extension), if present."""
    for candidate in shp.parent.glob(shp.stem + ".*"):
        if candidate.suffix.lower() == ".dbf" and candidate.stem == shp.stem:
            return candidate
    return None


def dbf_text_values(dbf: Path) -> tuple[int, list[bytes]]:
    """Read the raw bytes of every non-ASCII text value in a dBASE file.

    Parameters
    ----------
    dbf
        Path of the ``.dbf`` file.

    Returns
    -------
    tuple
        The language-driver byte of the header (0 when the file names no code page) and the
        non-ASCII character-field values, trailing padding removed.
    """
    data = dbf.read_bytes()
    if len(data) < 32:
        raise InputError(message("the .dbf part is truncated"), source=dbf,
                         fix=message("re-export the shapefile from your GIS"))
    n_records, header_len, record_len = struct.unpack("<IHH", data[4:12])
    if header_len < 33 or len(data) < header_len + n_records * record_len:
        raise InputError(message("the .dbf part is truncated ({size} bytes for {records} records)", size=len(data),
                                 records=n_records), source=dbf,
                         fix=message("re-export the shapefile from your GIS, or copy its .dbf again"))
    ldid = data[29]
    fields: list[tuple[int, int]] = []  # (offset in record, width) of character fields
    offset = 1  # byte 0 of each record is the deletion flag
    pos = 32
    while pos + 32 <= header_len and data[pos] != 0x0D:
        ftype, width = chr(data[pos + 11]), data[pos + 16]
        if ftype == "C":
            fields.append((offset, width))
        offset += width
        pos += 32
    values: list[bytes] = []
    for i in range(n_records):
        start = header_len + i * record_len
        record = data[start:start + record_len]
        for off, width in fields:
            raw = record[off:off + width].rstrip(b" \x00")
            if any(b > 0x7F for b in raw):
                values.append(raw)
    return ldid, values


def decodes(values: list[bytes], encoding: str) -> bool:
    """Return True if every value decodes strictly with ``encoding``."""
    try:
        for v in values:
            v.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def shapefile_encoding(shp: Path, explicit: str | None) -> tuple[str | None, str | None]:
    """Decide how a shapefile's attribute text is encoded.

    Parameters
    ----------
    shp
        Path of the ``.shp`` file.
    explicit
        Encoding given by the user (function argument or ``layers.yml``); it wins over ``.cpg``.

    Returns
    -------
    tuple
        The encoding to hand to GDAL (``None``: let GDAL use the ``.dbf`` header's code page,
        or there is no non-ASCII text) and a warning to report, or ``None``.
    """
    dbf = dbf_of(shp)
    if dbf is None:
        raise InputError(message("the shapefile has no .dbf part (its attribute table)"), source=shp,
                         fix=message("copy all parts of the shapefile (.shp .shx .dbf .prj .cpg) into the folder"))
    ldid, values = dbf_text_values(dbf)
    if explicit:
        enc = codec_name(explicit, source=shp)
        if not decodes(values, enc):
            raise InputError(message("attribute text is not valid {encoding}", encoding=enc), source=shp,
                             fix=message("set the encoding the file was written in (Chinese shapefiles are often gb18030)"))
        return enc, None
    cpg = cpg_of(shp)
    if cpg is not None:
        declared = cpg.read_text(encoding="ascii", errors="replace").strip()
        enc = codec_name(declared, source=cpg) if declared else None
        if enc is None or decodes(values, enc):
            return enc, None
        if decodes(values, FALLBACK_ENCODING):
            return FALLBACK_ENCODING, message(
                "{file}: the .cpg says {encoding} but the text is not; read it as GB18030 (Chinese) — "
                "fix: correct the .cpg or set `encoding` for this file in layers.yml", file=shp, encoding=declared)
        raise InputError(message("the .cpg says {encoding} but the attribute text is not {encoding}", encoding=declared),
                         source=shp, fix=message("set `encoding` for this file in layers.yml"))
    if not values or ldid != 0:
        # Pure ASCII needs no decision; a code page in the .dbf header is honoured by GDAL.
        return None, None
    if decodes(values, "utf-8"):
        return "utf-8", None
    if decodes(values, FALLBACK_ENCODING):
        return FALLBACK_ENCODING, message(
            "{file}: no .cpg file and the text is not UTF-8; read it as GB18030 (Chinese) — "
            "fix: if names look wrong, set `encoding` for this file in layers.yml or add a .cpg", file=shp)
    raise InputError(message("cannot tell how the attribute text is encoded (no .cpg, not UTF-8, not GB18030)"),
                     source=shp, fix=message("add a .cpg file or set `encoding` for this file in layers.yml"))


def decode_text_file(path: Path, explicit: str | None) -> tuple[str, str | None]:
    """Read a text file (CSV, GeoJSON) as a string, honouring or guessing its encoding.

    Parameters
    ----------
    path
        The file.
    explicit
        Encoding given by the user, or ``None`` to try UTF-8 (with or without BOM), then GB18030.

    Returns
    -------
    tuple
        The text and a warning (when the encoding had to be guessed), or ``None``.
    """
    data = path.read_bytes()
    if explicit:
        enc = codec_name(explicit, source=path)
        try:
            return data.decode(enc), None
        except UnicodeDecodeError as exc:
            raise InputError(message("text is not valid {encoding} (byte {byte})", encoding=enc, byte=exc.start),
                             source=path,
                             fix=message("set the encoding the file was written in (often utf-8 or gb18030)")) from None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError:
        raise InputError(message("cannot tell how the text is encoded (not UTF-8, not GB18030)"), source=path,
                         fix=message("save the file as UTF-8 or set `encoding` for it in layers.yml")) from None
    return text, message("{file}: the file is not UTF-8; read it as GB18030 (Chinese) — "
                         "fix: if names look wrong, set `encoding` for this file in layers.yml", file=path)
