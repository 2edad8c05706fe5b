"""Coding dictionaries from Excel (编码字典导入): ICD-10 医保版 diagnoses and ICD-9-CM-3 医保版 procedures
with their treatment type (诊断性 / 治疗性 / 手术). One workbook, a sheet per dictionary (either or both);
a code already in the dictionary is updated, a new one added, none is deleted. The whole file is checked
first and written in one transaction, or not at all, with every bad cell reported in Chinese. The export
writes the full layout (``FULL_SHEETS``, with 亚目 and 手术室手术) that dictionary versions are loaded from.
"""

from __future__ import annotations

from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record
from catalogs.choices import TreatmentType
from catalogs.codes import CATEGORY, CODE_LENGTH, DIAGNOSIS, PROCEDURE
from catalogs.dictionaries.models import Diagnosis, Procedure
from catalogs.workbooks import Column, Sheet, code_column, workbook_bytes, workbook_tables
from config.lazy import pandas as pd

PROCEDURE_TYPES = (
    (TreatmentType.DIAGNOSTIC.value, "诊断性"),
    (TreatmentType.THERAPEUTIC.value, "治疗性"),
    (TreatmentType.SURGICAL.value, "手术"),
)
SHEETS = (
    Sheet(
        "diagnoses",
        "诊断编码",
        "code",
        (
            code_column(
                "code",
                "诊断编码",
                DIAGNOSIS,
                "I21.000、J18.900x001、A17.000+G01*",
                length=CODE_LENGTH,
                clinical=True,
            ),
            Column("name", "诊断名称", length=200),
            code_column("category", "类目", CATEGORY, "I21", required=False, clinical=True),
        ),
    ),
    Sheet(
        "procedures",
        "手术操作编码",
        "code",
        (
            code_column(
                "code",
                "手术操作编码",
                PROCEDURE,
                "36.0601、17.91100",
                length=CODE_LENGTH,
                clinical=True,
            ),
            Column("name", "手术操作名称", length=200),
            Column("category", "类目", required=False, length=10),
            Column(
                "treatment_type",
                "操作类型",
                kind="choice",
                choices=PROCEDURE_TYPES,
                aliases=(
                    ("诊断性操作", "diagnostic"),
                    ("治疗性操作", "therapeutic"),
                    ("相关手术", "surgical"),
                ),
            ),
        ),
    ),
)
YES_NO = (("1", "是"), ("0", "否"))


def _subcategory(length: int) -> Column:
    return Column("subcategory", "亚目", required=False, optional=True, length=length)


# The full layout, a superset of SHEETS: what the export writes and a dictionary version is loaded from
# (catalogs/dictionaries/files.py). The columns beyond SHEETS may be absent from a file; the import
# above reads only its own columns, so an export still imports back.
FULL_SHEETS = (
    Sheet(
        "diagnoses",
        "诊断编码",
        "code",
        (
            *SHEETS[0].columns[:2],
            Column(
                "category",
                "类目",
                kind="code",
                pattern=CATEGORY,
                example="I21",
                required=False,
                optional=True,
                length=3,
                clinical=True,
            ),
            _subcategory(5),
        ),
    ),
    Sheet(
        "procedures",
        "手术操作编码",
        "code",
        (
            *SHEETS[1].columns[:2],
            Column("category", "类目", required=False, optional=True, length=10),
            _subcategory(10),
            Column(
                "operating_room",
                "手术室手术",
                kind="choice",
                choices=YES_NO,
                required=False,
                optional=True,
            ),
            SHEETS[1].columns[3],
        ),
    ),
)
MODELS = {"diagnoses": Diagnosis, "procedures": Procedure}
ERR_NO_SHEET = "工作簿中没有“诊断编码”或“手术操作编码”工作表，请使用模板。"
SHEET_TITLES = {sheet.table: sheet.title for sheet in SHEETS}


def dictionary_tables(*, empty: bool = False) -> dict[str, pd.DataFrame]:
    """Both dictionaries in force as the full layout's tables (only the headers when ``empty``: the template)."""
    tables = {}
    for sheet in FULL_SHEETS:
        rows = (
            []
            if empty
            else list(MODELS[sheet.table].objects.order_by("code").values_list(*sheet.fields))
        )
        tables[sheet.table] = pd.DataFrame(rows, columns=sheet.fields)
    procedures = tables["procedures"]
    procedures["operating_room"] = procedures["operating_room"].map({True: "1", False: "0"})
    return tables


def dictionary_workbook(*, empty: bool = False) -> bytes:
    return workbook_bytes(FULL_SHEETS, dictionary_tables(empty=empty))


def _rows(table: str, frame: pd.DataFrame) -> list:
    model = MODELS[table]
    records = frame.to_dict("records")
    if table == "diagnoses":
        for record in records:
            record["category"] = record["category"] or record["code"][:3]
    return [model(**record) for record in records]


@transaction.atomic
def dictionary_import(*, actor, file: BinaryIO, filename: str = "") -> dict[str, dict[str, int]]:
    """Add or update the codes of a workbook's dictionary sheets; returns new/updated counts per dictionary."""
    tables, errors = workbook_tables(file, SHEETS, required=False)
    if not errors and not tables:
        errors.append(ERR_NO_SHEET)
    if errors:
        raise ValidationError(list(errors))
    counts = {}
    for table, frame in tables.items():
        model, fields = MODELS[table], [name for name in frame.columns if name != "code"]
        known = set(
            model.objects.filter(code__in=list(frame["code"])).values_list("code", flat=True)
        )
        model.objects.bulk_create(
            _rows(table, frame),
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=fields,
        )
        counts[table] = {"new": len(frame) - len(known), "updated": len(known)}
    audit_record(
        actor=actor,
        action="dictionary_import",
        object_type="catalogs.dictionary",
        object_id="ICD",
        after=counts,
        message=f"从Excel导入编码字典 {filename}："
        + "；".join(
            f"{SHEET_TITLES[t]}新增{c['new']}条、更新{c['updated']}条" for t, c in counts.items()
        ),
    )
    return counts
