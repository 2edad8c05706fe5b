"""Writes of the dictionary versions: load a version (draft, with its codes), publish it (it comes into
force: the previous version of its kind is retired and ``Diagnosis`` / ``Procedure`` take its codes), and
load the shipped national lists (idempotent). Each writes its audit event in its own transaction."""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audit.services import audit_record
from catalogs.choices import DictionaryKind, DictionaryStatus
from catalogs.dictionaries import files, selectors
from catalogs.dictionaries.domain import CHANGE_LABELS, CODE_COLUMNS
from catalogs.dictionaries.models import DictionaryCode, DictionaryVersion
from config.lazy import pandas as pd

ERR_NOT_DRAFT = "只有待发布的编码字典版本可以发布。"
ERR_SELF_PUBLISH = "编码字典版本须由导入人以外的人员发布（双人复核）。"
ERR_EFFECTIVE_BEFORE = "生效日期不能早于现行版本“{name}”的生效日期（{date}）。"
NATIONAL_EFFECTIVE_FROM = dt.date(2020, 1, 1)  # 医保版 2.0 lists are in use nationally from 2020


def _codes_create(version: DictionaryVersion, table: pd.DataFrame) -> int:
    """The version's codes in one statement stream, no model objects: ``COPY`` on PostgreSQL, else one
    ``executemany`` (a national list in about a second either way; ``bulk_create`` took 4–8 s)."""
    rows = [(version.pk, *row) for row in table[CODE_COLUMNS].itertuples(index=False, name=None)]
    columns = ", ".join(["version_id", *CODE_COLUMNS])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(
                f"COPY {DictionaryCode._meta.db_table} ({columns}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(rows[0])) if rows else ""
            cursor.executemany(
                f"INSERT INTO {DictionaryCode._meta.db_table} ({columns}) VALUES ({marks})", rows
            )
    return len(rows)


@transaction.atomic
def dictionary_version_create(
    *, actor, kind: str, name: str, effective_from: dt.date, source: str = "", table: pd.DataFrame
) -> DictionaryVersion:
    """A draft version holding the checked rows of ``table`` (files.version_table)."""
    version = DictionaryVersion(
        kind=kind,
        name=name,
        effective_from=effective_from,
        source=source,
        code_count=len(table),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    version.full_clean()
    version.save()
    _codes_create(version, table)
    audit_record(
        actor=actor,
        action="dictionary_version_create",
        instance=version,
        after={
            "kind": kind,
            "name": name,
            "effective_from": effective_from.isoformat(),
            "codes": len(table),
            "source": source,
        },
        message=f"导入编码字典版本：{version}，{len(table)}条编码",
    )
    return version


def dictionary_version_load(
    *,
    actor,
    kind: str,
    file: BinaryIO,
    filename: str,
    name: str,
    effective_from: dt.date,
    source: str = "",
) -> DictionaryVersion:
    """Check a version file and, when every row is valid, create the draft version; else ValidationError
    with every bad row, nothing written."""
    table, errors = files.version_table(kind, file, filename)
    if errors:
        raise ValidationError(list(errors))
    return dictionary_version_create(
        actor=actor,
        kind=kind,
        name=name,
        effective_from=effective_from,
        source=source or filename,
        table=table,
    )


def _in_force_replace(version: DictionaryVersion) -> None:
    """``Diagnosis`` / ``Procedure`` become the codes of ``version`` (nothing references their rows by key).
    One ``INSERT … SELECT`` in the database: tens of thousands of rows never travel through Python."""
    model = selectors.IN_FORCE_MODELS[version.kind]
    fields = CODE_COLUMNS if version.kind == DictionaryKind.PROCEDURE else CODE_COLUMNS[:4]
    model.objects.all().delete()
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in fields
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
            f"SELECT {columns} FROM {connection.ops.quote_name(DictionaryCode._meta.db_table)} WHERE version_id = %s",
            [version.pk],
        )


@transaction.atomic
def dictionary_version_publish(*, actor, version: DictionaryVersion) -> DictionaryVersion:
    """Bring a draft version into force from its effective date; the version in force until then is retired
    the day before. The audit event keeps the difference counts."""
    version = DictionaryVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != DictionaryStatus.DRAFT:
        raise ValidationError(ERR_NOT_DRAFT)
    if version.created_by_id and version.created_by_id == getattr(actor, "pk", None):
        raise ValidationError(ERR_SELF_PUBLISH)
    previous = selectors.dictionary_version_in_force(version.kind)
    if previous and previous.effective_from > version.effective_from:
        raise ValidationError(
            ERR_EFFECTIVE_BEFORE.format(name=previous.name, date=previous.effective_from)
        )
    counts = selectors.version_diff(version).counts()
    if previous:
        previous.status = DictionaryStatus.RETIRED
        previous.effective_to = max(
            previous.effective_from, version.effective_from - dt.timedelta(days=1)
        )
        previous.save(update_fields=["status", "effective_to"])
    version.status, version.published_at, version.changes = (
        DictionaryStatus.PUBLISHED,
        timezone.now(),
        counts,
    )
    version.published_by = actor if getattr(actor, "pk", None) else None
    version.save(update_fields=["status", "published_at", "published_by", "changes"])
    _in_force_replace(version)
    audit_record(
        actor=actor,
        action="dictionary_version_publish",
        instance=version,
        before={"in_force": previous.name if previous else None},
        after={"in_force": version.name, **counts},
        message=f"发布编码字典版本：{version}（"
        + "、".join(f"{CHANGE_LABELS[k]}{v}条" for k, v in counts.items())
        + "）",
    )
    return version


def dictionary_national_load(*, actor) -> dict[str, dict]:
    """Load and publish the shipped national lists; a list already loaded (its version exists) is left alone,
    so the command can run on every deploy. Returns per kind the version, its codes and whether it was loaded."""
    results = {}
    for kind in DictionaryKind:
        name = files.NATIONAL_NAMES[kind]
        existing = DictionaryVersion.objects.filter(kind=kind, name=name).first()
        if existing:
            results[kind.value] = {
                "version": existing,
                "codes": existing.code_count,
                "loaded": False,
            }
            continue
        table, errors = files.national_table(kind)
        if errors:
            raise ValidationError(list(errors))
        with transaction.atomic():
            version = dictionary_version_create(
                actor=actor,
                kind=kind,
                name=name,
                effective_from=NATIONAL_EFFECTIVE_FROM,
                source=files.national_source(kind),
                table=table,
            )
            dictionary_version_publish(actor=actor, version=version)
        results[kind.value] = {"version": version, "codes": len(table), "loaded": True}
    return results
