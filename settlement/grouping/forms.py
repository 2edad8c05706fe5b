"""The pre-grouping page's form (预分组): pasted CSV/TSV rows or JSON (flat rows or 4101 records), or a small
file in either shape (.xlsx/.csv flat, a workbook with a sheet per 4101 table, a zip of their CSVs, .json),
read as the intake and the API read them."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings

from config.lazy import pandas as pd
from settlement.intake import columns as cols
from settlement.intake import files

PAGE_MAX_CASES = 1_000
PAGE_MAX_UPLOAD_MB = 5
ERR_ONE_SOURCE = "请粘贴病例或上传文件（二选一）。"
ERR_PAGE_TOO_MANY = "本页每次最多预分组{limit}条病例，本次{count}条；更多病例请使用接口 POST /api/v1/grouping/preview/。"
ERR_UPLOAD_TOO_LARGE = "文件大小超过上限 {limit} MB。"
ERR_PAGE_FILE_TYPE = "本页支持 .xlsx、.csv（平铺模板，或国家接口4101分表：每表一个工作表）、.zip（4101各表的CSV）和 .json 文件。"
ERR_NO_ROWS = "没有读到病例：第一行应为表头（字段代码或中文名称），其后每行一条病例。"
ERR_JSON = "JSON 格式有误（第{line}行第{column}列附近），请检查括号、引号和逗号。"
ERR_JSON_SHAPE = 'JSON 应为一条4101记录（含 setlinfo 的对象）、记录或平铺行的列表，或 {"records": [...]} / {"rows": [...]}。'
ERR_JSON_ENCODING = "JSON 文件应为 UTF-8 编码。"


def pasted_frame(text: str) -> pd.DataFrame:
    """Pasted rows as text cells: tab-separated when the header line has a tab (copied from Excel), else CSV."""
    header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    separator = "\t" if "\t" in header else ","
    return pd.read_csv(
        io.StringIO(text.lstrip("\ufeff")),
        sep=separator,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=True,
    )


def pasted_json(text: str) -> dict:
    """Pasted or uploaded JSON as the preview API's body (``{"rows": [...]}`` or ``{"records": [...]}``), checked by
    the API's own serializer: a bare 4101 record, a list of records or of flat rows, or the API's body itself."""
    from settlement.api.intake import one_record_wrapped
    from settlement.api.preview import PreviewRequestSerializer

    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as error:
        raise forms.ValidationError(
            ERR_JSON.format(line=error.lineno, column=error.colno)
        ) from None
    if isinstance(data, list):
        national = bool(data) and all(
            isinstance(item, dict) and cols.SETLINFO in item for item in data
        )
        data = {"records" if national else "rows": data}
    data = one_record_wrapped(data)
    if not isinstance(data, dict):
        raise forms.ValidationError(ERR_JSON_SHAPE)
    payload = PreviewRequestSerializer(data=data)
    if not payload.is_valid():
        raise forms.ValidationError(_messages(payload.errors) or [ERR_JSON_SHAPE])
    return payload.validated_data


def _messages(errors) -> list[str]:
    """A DRF error tree as its messages, in order."""
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in _messages(value)]
    if isinstance(errors, list):
        return [message for value in errors for message in _messages(value)]
    return [str(errors)]


def uploaded_cases(upload) -> pd.DataFrame | files.Tables | dict:
    """An uploaded file: a flat frame (.xlsx/.csv), the 4101 tables (a workbook with a sheet per table, a zip of
    their CSVs) through the intake's safe readers (``files.frame_read``), or a JSON body (``pasted_json``)."""
    source = Path(upload.name).suffix.lower().lstrip(".")
    if source not in ("xlsx", "csv", "zip", "json"):
        raise files.FileRefused(ERR_PAGE_FILE_TYPE)
    if source == "json":
        try:
            return pasted_json(b"".join(upload.chunks()).decode("utf-8"))
        except UnicodeDecodeError:
            raise forms.ValidationError(ERR_JSON_ENCODING) from None
    with tempfile.NamedTemporaryFile(suffix=f".{source}") as stored:
        for chunk in upload.chunks():
            stored.write(chunk)
        stored.flush()
        return files.frame_read(
            Path(stored.name),
            source=source,
            max_uncompressed_mb=settings.INTAKE_MAX_XLSX_UNCOMPRESSED_MB,
        )


class PreviewForm(forms.Form):
    text = forms.CharField(
        label="粘贴病例",
        required=False,
        strip=False,
        help_text="从 Excel 复制（含表头行）或 CSV 文本，表头可用字段代码、中文名称或“中文名称 字段代码”；"
        "或 JSON：一条国家接口（4101）记录（含 setlinfo、diseinfo、oprninfo、icuinfo）、记录的列表，或平铺行的列表。",
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control font-monospace"}),
    )
    file = forms.FileField(
        label="或上传文件",
        required=False,
        help_text=f"平铺模板的 .xlsx 或 .csv；国家接口（4101）分表的 .xlsx（每表一个工作表）或 .zip（各表CSV）；或 .json。不超过 {PAGE_MAX_UPLOAD_MB} MB。",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.csv,.zip,.json", "class": "form-control"}
        ),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        text, upload = (cleaned.get("text") or "").strip(), cleaned.get("file")
        if bool(text) == bool(upload):
            raise forms.ValidationError(ERR_ONE_SOURCE)
        if upload and upload.size > PAGE_MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(ERR_UPLOAD_TOO_LARGE.format(limit=PAGE_MAX_UPLOAD_MB))
        try:
            if upload:
                read = uploaded_cases(upload)
            else:
                read = (
                    pasted_json(text)
                    if text.startswith(("{", "["))
                    else pasted_frame(cleaned["text"])
                )
        except files.FileRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
            raise forms.ValidationError(ERR_NO_ROWS) from None
        cleaned["records"], cleaned["tables"], cleaned["national_shape"] = None, None, False
        if isinstance(read, pd.DataFrame):  # flat rows
            count = len(read)
            cleaned["records"] = read.astype(object).to_dict("records")
        elif cols.SETLINFO in read:  # the 4101 tables of a file
            count = len(read[cols.SETLINFO])
            cleaned["tables"] = read
        else:  # a JSON body: rows or records
            cleaned["national_shape"] = "records" in read
            cleaned["records"] = read["records" if cleaned["national_shape"] else "rows"]
            count = len(cleaned["records"])
        if not count:
            raise forms.ValidationError(ERR_NO_ROWS)
        if count > PAGE_MAX_CASES:
            raise forms.ValidationError(ERR_PAGE_TOO_MANY.format(limit=PAGE_MAX_CASES, count=count))
        return cleaned
