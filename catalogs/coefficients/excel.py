"""Excel export and import of a coefficient table, through ``InstitutionCoefficientResource``: all or
nothing, every row error in Chinese (catalogs/excel.py)."""

from __future__ import annotations

from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from import_export.results import Result

from audit.services import audit_record
from catalogs.choices import CoefficientStatus
from catalogs.coefficients import services as coefficient_services
from catalogs.coefficients.models import ERR_TABLE_LOCKED, CoefficientTable
from catalogs.coefficients.resources import InstitutionCoefficientResource
from catalogs.excel import resource_import, workbook


def coefficients_workbook(*, table: CoefficientTable) -> bytes:
    return workbook(InstitutionCoefficientResource(table=table), "机构系数")


@transaction.atomic
def coefficients_import(*, actor, table: CoefficientTable, file: BinaryIO) -> Result:
    """Update a draft table's rows from a workbook, by institution code; the combined coefficients are recomputed."""
    table = CoefficientTable.objects.select_for_update().get(pk=table.pk)
    if table.status != CoefficientStatus.DRAFT:
        raise ValidationError(ERR_TABLE_LOCKED)
    before = coefficient_services.rows_state(table)
    result = resource_import(InstitutionCoefficientResource(table=table), file)
    coefficient_services.rows_recombined(table)
    after = coefficient_services.rows_state(table)
    changed = {code for code in after if before.get(code) != after[code]}
    audit_record(
        actor=actor,
        action="coefficient_rows_import",
        instance=table,
        before={code: before[code] for code in changed},
        after={code: after[code] for code in changed},
        message=f"从Excel导入{result.total_rows}行，{len(changed)}家机构系数有变化",
    )
    return result
