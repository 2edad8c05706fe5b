"""The one way a download is answered: content type by the file's extension, and a Content-Disposition
that every browser reads (RFC 6266): an ASCII ``filename`` fallback and the exact name as RFC 5987
``filename*=UTF-8''…`` (so Chinese names and ids with quotes or ``=`` survive)."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import IO
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
CONTENT_TYPES = {".xlsx": XLSX, ".csv": CSV}
_UNQUOTABLE = re.compile(r'[^\x20-\x7e]|["\\]')


def content_disposition(filename: str) -> str:
    fallback = _UNQUOTABLE.sub("_", filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_response(
    content: bytes | IO[bytes], filename: str, *, content_type: str = ""
) -> HttpResponse:
    """``content`` (bytes, or an open file that is streamed) as an attachment named ``filename``; the content
    type follows the extension (.xlsx, .csv) unless given."""
    content_type = content_type or CONTENT_TYPES[PurePath(filename).suffix.lower()]
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = FileResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response
