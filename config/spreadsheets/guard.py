"""The defences in front of every .xlsx reader: nothing of an upload is parsed before they pass.

- ``zip_check``: an .xlsx is a zip; its central directory alone (no member decompressed) must show at
  most ``ZIP_MAX_MEMBERS`` members, a declared uncompressed total under the caller's limit, and no large
  member compressed more than ``ZIP_MAX_RATIO`` times (a zip bomb);
- ``xml_check``: every XML part is scanned, chunk by chunk, before any parser sees it: no DTD
  (``<!DOCTYPE`` / ``<!ENTITY``: entity expansion, external entities) and UTF-8 only (a UTF-16 part could
  hide a DTD from the byte scan). Reads are bounded by the declared sizes (``zipfile`` stops at
  ``file_size``), which ``zip_check`` has bounded.

Refusals are ``FileRefused`` with the reason in Chinese. The reader (``config.spreadsheets.reader``)
applies both before handing the file to python-calamine.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO

ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_RATIO = 200
CHUNK = 1 << 20
FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
XML_PARTS = (".xml", ".rels", ".vml")
WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)

ERR_NOT_ZIP = "文件不是有效的 .xlsx（Excel 2007 及以上）文件。"
ERR_ZIP_MEMBERS = "Excel 文件结构异常（压缩包成员过多），已拒绝。"
ERR_ZIP_TOTAL = "Excel 文件解压后超过 {limit} MB，已拒绝。"
ERR_ZIP_RATIO = "Excel 文件压缩比异常（疑似压缩炸弹），已拒绝。"
ERR_XML_DTD = "Excel 文件含有不允许的 XML 声明（DTD/实体），已拒绝。"
ERR_XML_ENCODING = "Excel 文件的 XML 编码不是 UTF-8，已拒绝。"
ERR_XML_BROKEN = "Excel 文件内容损坏，无法读取。"


class FileRefused(Exception):
    """The file cannot be read; the message says why, in Chinese."""


def zip_check(path: Path | IO[bytes], *, max_uncompressed_mb: int) -> None:
    """Refuse a zip bomb from the central directory alone — no member is decompressed here. A stream is
    left where it started."""
    start = None if isinstance(path, (str, Path)) else path.tell()
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(ERR_NOT_ZIP) from None
    finally:
        if start is not None:
            path.seek(start)
    if len(members) > ZIP_MAX_MEMBERS:
        raise FileRefused(ERR_ZIP_MEMBERS)
    if sum(member.file_size for member in members) > max_uncompressed_mb * 1024 * 1024:
        raise FileRefused(ERR_ZIP_TOTAL.format(limit=max_uncompressed_mb))
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > ZIP_MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise FileRefused(ERR_ZIP_RATIO)


def xml_check(archive: zipfile.ZipFile, *, sheets: bool = True) -> dict[str, bool]:
    """Scan every XML part for a DTD or a non-UTF-8 encoding, refusing the file at the first one. Returns,
    per part, whether it holds an error cell (``t="e"``: a reader that drops them can put them back).
    ``sheets=False`` leaves out the worksheet parts (``xl/worksheets/*.xml``): a reader that parses one
    sheet on demand checks that one with ``part_check`` first."""
    errors = {}
    for member in archive.infolist():
        xml = member.filename.lower().endswith(XML_PARTS) and not member.is_dir()
        if xml and (sheets or not WORKSHEET.fullmatch(member.filename)):
            errors[member.filename] = part_check(archive, member)
    return errors


def part_check(archive: zipfile.ZipFile, member: zipfile.ZipInfo | str) -> bool:
    """One part scanned as ``xml_check`` does; whether it holds an error cell."""
    tail, error_cells = b"", False
    try:
        with archive.open(member) as stream:
            first = True
            while chunk := stream.read(CHUNK):
                if first and (chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\0" in chunk[:4]):
                    raise FileRefused(ERR_XML_ENCODING)
                first = False
                window = tail + chunk
                if any(marker in window for marker in FORBIDDEN):
                    raise FileRefused(ERR_XML_DTD)
                error_cells = error_cells or b't="e"' in window
                tail = chunk[-16:]
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise FileRefused(ERR_XML_BROKEN) from exc
    return error_cells
