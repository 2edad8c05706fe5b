"""Reads of import batches and their issues, always through ``for_user``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from settlement.intake.models import ImportBatch, ImportIssue


def batch_list_for_user(user):
    return ImportBatch.objects.for_user(user).select_related("institution", "uploaded_by", "job")


def batch_get_for_user(user, pk: int) -> ImportBatch:
    return get_object_or_404(batch_list_for_user(user), pk=pk)


def issue_list(batch: ImportBatch, *, severity: str = ""):
    """The issues of a batch already fetched through ``batch_get_for_user``."""
    issues = ImportIssue.objects.filter(batch=batch).order_by("row", "id")
    return issues.filter(severity=severity) if severity else issues


def issue_rows(batch: ImportBatch):
    """(severity label, row, column, value, message) for the error report, errors first."""
    labels = {"error": "错误", "warning": "警告"}
    for severity, row, column, value, message in (
        issue_list(batch)
        .order_by("severity", "row", "id")
        .values_list("severity", "row", "column", "value", "message")
        .iterator(chunk_size=5000)
    ):
        yield labels.get(severity, severity), row, column, value, message
