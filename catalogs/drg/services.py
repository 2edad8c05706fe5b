"""Writes of DRG rule sets (DRG分组规则): open a draft (empty or copied), fill it from a workbook or from
the demo CSVs, import its golden cases (金标准病例), submit, return, publish (four eyes; every golden case
must group as expected). A DRG catalog version groups with the rule set in force
(catalogs.drg.selectors.drg_rule_set_for_version).

Filling a draft replaces all its rows, in one transaction, and only when the whole file is free of
errors: a workbook with any bad cell writes nothing and every error is reported at once.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record, snapshot
from catalogs.drg import grouper as drg_grouper
from catalogs.drg import rule_files, selectors
from catalogs.drg import rules as drg_rules
from catalogs.drg.models import DrgGoldenCase, DrgRuleSet
from catalogs.models import Region
from catalogs.versions.services import published_flow, series_draft
from config.lazy import pandas as pd
from workflow import services as workflow

ERR_RULES_LOCKED = "该DRG分组规则已提交或已发布，不能修改；如需变更请复制为新版本。"
ERR_RULES_EMPTY = "DRG分组规则还没有规则表，不能提交。"
SERIES_LABEL = "DRG分组规则"
ERR_GOLDEN = "金标准病例 {case} 分组为 {got}，应为 {expected}。"
ERR_GOLDEN_REFUSED = "金标准病例校验未通过（{count}条不符），不能发布："
ERR_GOLDEN_UNREADABLE = "金标准病例文件无法读取：应为UTF-8编码、带表头的CSV文件。"
ERR_GOLDEN_COLUMNS = "金标准病例文件缺少列：{columns}。"
ERR_GOLDEN_EMPTY = "金标准病例文件没有任何病例。"
ERR_GOLDEN_CASE_ID = "金标准病例文件第{row}行：病例编号(case_id)为空。"
ERR_GOLDEN_DUPLICATE = "金标准病例文件第{row}行：病例编号(case_id)“{case}”与前面的行重复。"
ERR_GOLDEN_TOO_LONG = "金标准病例文件第{row}行：{column}超过{limit}个字符。"
# The case fields a golden case may carry (the grouper's inputs, catalogs.drg.grouper.drg_group), in the file's column order.
GOLDEN_CASE_FIELDS = drg_rules.GOLDEN_CASE_FIELDS
GOLDEN_COLUMNS = drg_rules.GOLDEN_COLUMNS
GOLDEN_REQUIRED = ("case_id", "maindiag_code", "expected_drg")
GOLDEN_FILE = "golden.csv"
FLOW = published_flow("drg_rule_set")


def _draft(rule_set: DrgRuleSet) -> DrgRuleSet:
    rule_set = workflow.locked(rule_set, "region")
    if not rule_set.is_editable:
        raise ValidationError(ERR_RULES_LOCKED)
    return rule_set


def _counts(rule_set: DrgRuleSet) -> dict[str, int]:
    return {
        table: model.objects.filter(rule_set=rule_set).count()
        for table, model in selectors.DRG_RULE_MODELS.items()
    }


def _rows_replace(rule_set: DrgRuleSet, tables: Mapping[str, pd.DataFrame]) -> dict[str, int]:
    """All rows of the draft replaced by ``tables`` (already checked), in their order."""
    tables = drg_rules.tables_complete(tables)
    for table, model in selectors.DRG_RULE_MODELS.items():
        model.objects.filter(rule_set=rule_set).delete()
        fields = drg_rules.SHEET_OF[table].fields
        model.objects.bulk_create(
            model(rule_set=rule_set, **dict(zip(fields, record, strict=True)))
            for record in tables[table][fields].itertuples(index=False)
        )
    return _counts(rule_set)


@transaction.atomic
def drg_rule_set_create(
    *, actor, region: Region, year: int, name: str = "", based_on: DrgRuleSet | None = None
) -> DrgRuleSet:
    """The next draft of a region's rule set for a year: empty, or a copy of ``based_on``'s tables."""
    rule_set = series_draft(
        DrgRuleSet,
        actor=actor,
        label=SERIES_LABEL,
        series={"region": region, "year": year},
        name=name,
        based_on=based_on,
        source=f"复制自{based_on}" if based_on else "",
    )
    counts = (
        _rows_replace(rule_set, selectors.drg_rule_tables(based_on))
        if based_on
        else _counts(rule_set)
    )
    if based_on:
        counts["golden_cases"] = _golden_replace(rule_set, golden_frame(based_on))
    audit_record(
        actor=actor,
        action="drg_rule_set_create",
        instance=rule_set,
        after=snapshot(rule_set) | {"rows": counts},
        message=f"复制自{based_on}" if based_on else "",
    )
    return rule_set


def _tables_store(
    *, actor, rule_set: DrgRuleSet, tables: Mapping[str, pd.DataFrame], source: str, action: str
) -> dict[str, int]:
    before = _counts(rule_set)
    counts = _rows_replace(rule_set, tables)
    rule_set.source = source[:200]
    rule_set.save(update_fields=["source"])
    audit_record(
        actor=actor,
        action=action,
        instance=rule_set,
        before={"rows": before},
        after={"rows": counts, "source": rule_set.source},
        message="规则表已整体替换："
        + "、".join(f"{drg_rules.SHEET_OF[t].title} {n} 行" for t, n in counts.items()),
    )
    return counts


def golden_file_read(content: bytes) -> tuple[pd.DataFrame, list[str]]:
    """A golden-case CSV (columns ``GOLDEN_COLUMNS``; ``case_id``, ``maindiag_code``, ``expected_drg`` required,
    ``expected_drg`` blank = 不能入组) as text cells, or every error naming its row (the header is row 1)."""
    try:
        frame = pd.read_csv(
            io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return pd.DataFrame(), [ERR_GOLDEN_UNREADABLE]
    frame.columns = [str(column).strip() for column in frame.columns]
    missing = [column for column in GOLDEN_REQUIRED if column not in frame.columns]
    if missing:
        return pd.DataFrame(), [ERR_GOLDEN_COLUMNS.format(columns="、".join(missing))]
    frame = frame.reindex(columns=list(GOLDEN_COLUMNS), fill_value="").apply(
        lambda column: column.str.strip()
    )
    if frame.empty:
        return frame, [ERR_GOLDEN_EMPTY]
    errors = []
    limits = {
        field.name: field.max_length
        for field in DrgGoldenCase._meta.fields
        if getattr(field, "max_length", None)
    }
    for number, record in enumerate(frame.to_dict("records"), start=2):
        if not record["case_id"]:
            errors.append(ERR_GOLDEN_CASE_ID.format(row=number))
        errors += [
            ERR_GOLDEN_TOO_LONG.format(row=number, column=column, limit=limit)
            for column, limit in limits.items()
            if len(record[column]) > limit
        ]
    repeated = frame["case_id"].ne("") & frame["case_id"].duplicated()
    errors += [
        ERR_GOLDEN_DUPLICATE.format(row=int(position) + 2, case=frame["case_id"].iat[position])
        for position in repeated.to_numpy().nonzero()[0]
    ]
    return frame, errors


def _golden_replace(rule_set: DrgRuleSet, frame: pd.DataFrame) -> int:
    """All golden cases of the set replaced by ``frame``'s rows (already checked), in their order."""
    rule_set.golden_cases.all().delete()
    DrgGoldenCase.objects.bulk_create(
        DrgGoldenCase(
            rule_set=rule_set,
            case_id=record["case_id"],
            kind=record["kind"],
            expected_drg=record["expected_drg"],
            source=record["source"],
            case={field: record[field] for field in GOLDEN_CASE_FIELDS if record[field]},
        )
        for record in frame.to_dict("records")
    )
    return len(frame)


def golden_frame(rule_set: DrgRuleSet) -> pd.DataFrame:
    """The set's golden cases as the grouper reads them: ``case_id``, ``kind``, the case fields ("" where absent), ``expected_drg``."""
    rows = [
        {
            "case_id": golden.case_id,
            "kind": golden.kind,
            **{field: str(golden.case.get(field, "")) for field in GOLDEN_CASE_FIELDS},
            "expected_drg": golden.expected_drg,
            "source": golden.source,
        }
        for golden in rule_set.golden_cases.all()
    ]
    return pd.DataFrame(rows, columns=list(GOLDEN_COLUMNS))


def drg_rule_set_content(rule_set: DrgRuleSet) -> dict[str, pd.DataFrame]:
    """The set's whole content as the carriers hold it (catalogs.drg.rules): its tables and, under
    ``drg_rules.GOLDEN``, its golden cases. ``drg_rules.tables_hash`` of it is the set's content hash."""
    return selectors.drg_rule_tables(rule_set) | {drg_rules.GOLDEN: golden_frame(rule_set)}


@transaction.atomic
def drg_rule_set_golden_import(
    *, actor, rule_set: DrgRuleSet, file: BinaryIO, filename: str = ""
) -> int:
    """Replace a draft's golden cases with a CSV's (``golden_file_read``); any error → nothing written, all errors raised."""
    rule_set = _draft(rule_set)
    frame, errors = golden_file_read(file.read())
    if errors:
        raise ValidationError(errors)
    return _golden_store(actor=actor, rule_set=rule_set, frame=frame, source=filename)


def _golden_store(*, actor, rule_set: DrgRuleSet, frame: pd.DataFrame, source: str) -> int:
    before = rule_set.golden_cases.count()
    count = _golden_replace(rule_set, frame)
    audit_record(
        actor=actor,
        action="drg_rule_set_golden_import",
        instance=rule_set,
        before={"golden_cases": before},
        after={"golden_cases": count, "file": source},
        message=f"金标准病例已整体替换：{count} 例（{source}）",
    )
    return count


@transaction.atomic
def drg_rule_set_import(
    *, actor, rule_set: DrgRuleSet, file: BinaryIO, filename: str = ""
) -> dict[str, int]:
    """Replace a draft's tables with a workbook's (long format) or a CSV zip's (``filename`` ending .zip); any
    error → nothing written, all errors raised."""
    rule_set = _draft(rule_set)
    is_zip = filename.lower().endswith(".zip")
    tables, errors = (rule_files.zip_read if is_zip else rule_files.workbook_read)(file)
    if errors:
        raise ValidationError(errors)
    source = f"{'CSV压缩包' if is_zip else 'Excel'}导入 {filename}".strip()
    counts = _tables_store(
        actor=actor, rule_set=rule_set, tables=tables, source=source, action="drg_rule_set_import"
    )
    if (
        drg_rules.GOLDEN in tables
    ):  # the file's golden cases replace the draft's (a file without them keeps them)
        counts["golden_cases"] = _golden_store(
            actor=actor, rule_set=rule_set, frame=tables[drg_rules.GOLDEN], source=filename
        )
    return counts


@transaction.atomic
def drg_rule_set_load_csv(
    *, actor, rule_set: DrgRuleSet, directory=drg_grouper.DATA_DIR
) -> dict[str, int]:
    """Replace a draft's tables with the rule files of ``directory`` (default: the demo rule set, catalogs/data/drg),
    and its golden cases with the directory's golden.csv when it has one."""
    rule_set = _draft(rule_set)
    tables = rule_files.csv_tables(directory)
    errors = drg_rules.tables_checked(tables)
    if errors:
        raise ValidationError(errors)
    counts = _tables_store(
        actor=actor,
        rule_set=rule_set,
        tables=tables,
        source=f"CSV规则文件 {directory.name}",
        action="drg_rule_set_load_csv",
    )
    golden_path = directory / GOLDEN_FILE
    if (
        golden_path.exists()
    ):  # the rule files' own golden cases (the national set's reference results)
        golden, errors = golden_file_read(golden_path.read_bytes())
        if errors:
            raise ValidationError(errors)
        counts["golden_cases"] = _golden_store(
            actor=actor, rule_set=rule_set, frame=golden, source=f"{directory.name}/{GOLDEN_FILE}"
        )
    return counts


@transaction.atomic
def drg_rule_set_submit(*, actor, rule_set: DrgRuleSet) -> DrgRuleSet:
    rule_set = workflow.locked(rule_set, "region")
    empty = "" if rule_set.drgadrg_rows.exists() else ERR_RULES_EMPTY
    return workflow.submit(FLOW, actor=actor, record=rule_set, empty=empty)


@transaction.atomic
def drg_rule_set_return(*, actor, rule_set: DrgRuleSet, reason: str) -> DrgRuleSet:
    return workflow.send_back(
        FLOW, actor=actor, record=workflow.locked(rule_set, "region"), reason=reason
    )


@transaction.atomic
def drg_rule_set_publish(*, actor, rule_set: DrgRuleSet) -> DrgRuleSet:
    """Publish (by someone other than the submitter) after the tables pass the grouper's own check and every
    golden case of the set groups to its expected DRG; the set published before it for the region and year is
    retired. Catalog versions built on it keep it."""
    rule_set = workflow.locked(rule_set, "region")
    approver = workflow.approver(FLOW, actor=actor, record=rule_set)
    tables = selectors.drg_rule_tables(rule_set)
    errors = drg_rules.tables_checked(tables)
    if errors:
        raise ValidationError(errors)
    golden = golden_frame(rule_set)
    mismatches = (
        drg_golden_mismatches(drg_grouper.drg_rules(**tables), golden) if len(golden) else []
    )
    if mismatches:
        raise ValidationError(
            [ERR_GOLDEN_REFUSED.format(count=len(mismatches)), *mismatches], code="golden"
        )
    return workflow.approve(FLOW, actor=actor, record=rule_set, approver=approver)


def drg_rule_set_seed(*, officer, admin, region: Region, year: int, name: str = "") -> DrgRuleSet:
    """The demo rule set (catalogs/data/drg) for a region and year, published: loaded and submitted by
    ``officer``, published by ``admin``."""
    rule_set = drg_rule_set_create(
        actor=officer,
        region=region,
        year=year,
        name=name or f"{region.name}{year}年DRG分组规则（演示）",
    )
    drg_rule_set_load_csv(actor=officer, rule_set=rule_set)
    drg_rule_set_submit(actor=officer, rule_set=rule_set)
    return drg_rule_set_publish(actor=admin, rule_set=rule_set)


NATIONAL_DIR = drg_grouper.DATA_DIR.parent / "chs_drg_11"


def drg_golden_mismatches(rules: drg_grouper.DrgRules, golden: pd.DataFrame) -> list[str]:
    """One Chinese line per golden case (``case_id``, the case fields, ``expected_drg``; "" = 不能入组) the rules group differently."""
    got = drg_grouper.drg_group(golden.astype(str), rules)["drg_code"].astype(str).to_numpy()
    return [
        ERR_GOLDEN.format(case=case, got=g or "不能入组", expected=e or "不能入组")
        for case, g, e in zip(golden["case_id"], got, golden["expected_drg"])
        if g != e
    ]


def drg_rule_set_load_national(
    *, officer, admin, region: Region, year: int, directory=NATIONAL_DIR
) -> DrgRuleSet:
    """The national CHS-DRG 1.1 rule set (catalogs/data/chs_drg_11) as a published rule set: loaded (with its
    golden cases, golden.csv) and submitted by ``officer``, published by ``admin`` — publishing runs the golden
    cases (any mismatch: nothing is kept)."""
    with transaction.atomic():
        rule_set = drg_rule_set_create(
            actor=officer,
            region=region,
            year=year,
            name=f"{region.name}{year}年CHS-DRG 1.1分组规则",
        )
        drg_rule_set_load_csv(actor=officer, rule_set=rule_set, directory=directory)
        drg_rule_set_submit(actor=officer, rule_set=rule_set)
        return drg_rule_set_publish(actor=admin, rule_set=rule_set)
