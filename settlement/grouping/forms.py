"""The pre-grouping page's form (预分组): pasted CSV/TSV rows or a small .xlsx/.csv file, read as the intake reads."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings

from config.lazy import pandas as pd
from settlement.intake import files

PAGE_MAX_CASES = 1_000
PAGE_MAX_UPLOAD_MB = 5
ERR_ONE_SOURCE = "请粘贴病例或上传文件（二选一）。"
ERR_PAGE_TOO_MANY = "本页每次最多预分组{limit}条病例，本次{count}条；更多病例请使用接口 POST /api/v1/grouping/preview/。"
ERR_UPLOAD_TOO_LARGE = "文件大小超过上限 {limit} MB。"
ERR_PAGE_FILE_TYPE = "本页仅支持平铺模板的 .xlsx 或 .csv 文件；国家接口（4101）分表文件请通过接口 POST /api/v1/grouping/preview/ 或清单导入提交。"
ERR_NO_ROWS = "没有读到病例：第一行应为表头（字段代码或中文名称），其后每行一条病例。"


def pasted_frame(text: str) -> pd.DataFrame:
    """Pasted rows as text cells: tab-separated when the header line has a tab (copied from Excel), else CSV."""
    header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    separator = "\t" if "\t" in header else ","
    return pd.read_csv(io.StringIO(text.lstrip("\ufeff")), sep=separator, dtype=str, keep_default_na=False, skip_blank_lines=True)


def uploaded_frame(upload) -> pd.DataFrame:
    """An uploaded flat .xlsx/.csv through the intake's safe readers (``files.frame_read``)."""
    source = Path(upload.name).suffix.lower().lstrip(".")
    if source not in ("xlsx", "csv"):
        raise files.FileRefused(ERR_PAGE_FILE_TYPE)
    with tempfile.NamedTemporaryFile(suffix=f".{source}") as stored:
        for chunk in upload.chunks():
            stored.write(chunk)
        stored.flush()
        frame = files.frame_read(Path(stored.name), source=source, max_uncompressed_mb=settings.INTAKE_MAX_XLSX_UNCOMPRESSED_MB)
    if not isinstance(frame, pd.DataFrame):  # a workbook with a sheet per national table
        raise files.FileRefused(ERR_PAGE_FILE_TYPE)
    return frame


class PreviewForm(forms.Form):
    text = forms.CharField(label="粘贴病例", required=False, strip=False,
                           help_text="从 Excel 复制（含表头行）或 CSV 文本；表头可用字段代码、中文名称或“中文名称 字段代码”。",
                           widget=forms.Textarea(attrs={"rows": 6, "class": "form-control font-monospace"}))
    file = forms.FileField(label="或上传文件", required=False, help_text=f"支持 .xlsx 或 .csv，不超过 {PAGE_MAX_UPLOAD_MB} MB。",
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}))

    def clean(self) -> dict:
        cleaned = super().clean()
        text, upload = (cleaned.get("text") or "").strip(), cleaned.get("file")
        if bool(text) == bool(upload):
            raise forms.ValidationError(ERR_ONE_SOURCE)
        if upload and upload.size > PAGE_MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(ERR_UPLOAD_TOO_LARGE.format(limit=PAGE_MAX_UPLOAD_MB))
        try:
            frame = uploaded_frame(upload) if upload else pasted_frame(cleaned["text"])
        except files.FileRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
            raise forms.ValidationError(ERR_NO_ROWS) from None
        if frame.empty:
            raise forms.ValidationError(ERR_NO_ROWS)
        if len(frame) > PAGE_MAX_CASES:
            raise forms.ValidationError(ERR_PAGE_TOO_MANY.format(limit=PAGE_MAX_CASES, count=len(frame)))
        cleaned["records"] = frame.astype(object).to_dict("records")
        return cleaned
