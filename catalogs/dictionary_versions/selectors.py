"""Reads of the dictionary versions: the list, the version in force, a version's codes, its difference
from the codes in force and what that difference reaches (catalog groups, DRG rule rows, open-period cases).

The case table belongs to ``settlement``, which imports ``catalogs``: it is looked up through the app
registry, as catalogs.selectors does for case history. The supervision rules (``supervision.RuleSet``,
read through a declared exception to the layers) name diagnoses only by category: their 基层病种
categories."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Count, QuerySet

from catalogs.choices import CatalogStatus, DictionaryKind, DictionaryStatus
from catalogs.dictionary_versions.domain import (
    CODE_COLUMNS,
    REFERENCE_COLUMNS,
    DictionaryDiff,
    change_impact,
    dictionary_diff,
)
from catalogs.models import (
    CatalogGroup,
    Diagnosis,
    DictionaryCode,
    DictionaryVersion,
    DrgAdrg,
    DrgCc,
    DrgExclusion,
    DrgMdc,
    Procedure,
)
from config.lazy import pandas as pd
from supervision.choices import RuleSetStatus
from supervision.models import RuleSet

IN_FORCE_MODELS = {DictionaryKind.DIAGNOSIS: Diagnosis, DictionaryKind.PROCEDURE: Procedure}
SOURCE_GROUPS, SOURCE_RULES, SOURCE_SUPERVISION, SOURCE_CASES = (
    "目录病种",
    "DRG分组规则",
    "监管规则",
    "开放期病例",
)
SEPARATOR = ";"
# DRG rule tables and their code-list columns per dictionary kind: (model, label column, label prefix, columns).
_RULE_LISTS = {
    DictionaryKind.DIAGNOSIS: [
        (DrgMdc, "mdc", "MDC", ["diag_codes"]),
        (DrgAdrg, "adrg", "ADRG", ["diag_codes"]),
        (DrgCc, "diag_code", "CC/MCC", ["diag_code"]),
        (DrgExclusion, "family", "排除组", ["diag_codes"]),
    ],
    DictionaryKind.PROCEDURE: [(DrgAdrg, "adrg", "ADRG", ["proc_codes"])],
}
_CASE_FIELDS = {
    DictionaryKind.DIAGNOSIS: [
        ("maindiag_code", "主要诊断", False),
        ("otherdiag_codes", "其他诊断", True),
    ],
    DictionaryKind.PROCEDURE: [
        ("main_oprn_oprt_code", "主要手术操作", False),
        ("other_oprn_oprt_codes", "其他手术操作", True),
    ],
}


def dictionary_version_list() -> QuerySet[DictionaryVersion]:
    return DictionaryVersion.objects.select_related("created_by", "published_by").order_by(
        "kind", "-effective_from", "-id"
    )


def dictionary_version_get(pk: int) -> DictionaryVersion:
    return DictionaryVersion.objects.get(pk=pk)


def dictionary_version_in_force(kind: str) -> DictionaryVersion | None:
    return DictionaryVersion.objects.filter(kind=kind, status=DictionaryStatus.PUBLISHED).first()


def version_codes_frame(version: DictionaryVersion) -> pd.DataFrame:
    return pd.DataFrame(list(version.codes.values_list(*CODE_COLUMNS)), columns=CODE_COLUMNS)


def in_force_codes_frame(kind: str) -> pd.DataFrame:
    """The codes every lookup reads now (``Diagnosis`` / ``Procedure``), as ``CODE_COLUMNS``."""
    model = IN_FORCE_MODELS[kind]
    if kind == DictionaryKind.DIAGNOSIS:
        frame = pd.DataFrame(
            list(model.objects.values_list("code", "name", "category", "subcategory")),
            columns=CODE_COLUMNS[:4],
        )
        return frame.assign(operating_room=False, treatment_type="")
    return pd.DataFrame(list(model.objects.values_list(*CODE_COLUMNS)), columns=CODE_COLUMNS)


def version_diff(version: DictionaryVersion) -> DictionaryDiff:
    """What publishing ``version`` would change in (or, once published, changed from) the codes in force."""
    return dictionary_diff(in_force_codes_frame(version.kind), version_codes_frame(version))


def _exploded(frame: pd.DataFrame) -> pd.DataFrame:
    entries = frame.assign(entry=frame["entry"].astype(str).str.split(SEPARATOR)).explode("entry")
    return entries[entries["entry"].str.strip() != ""].assign(
        entry=lambda f: f["entry"].str.strip()
    )


def _group_references(kind: str) -> pd.DataFrame:
    """Groups of every catalog version not retired (drafts included: a build in progress is reached too)."""
    field = "diag_code" if kind == DictionaryKind.DIAGNOSIS else "proc_code"
    groups = CatalogGroup.objects.exclude(version__status=CatalogStatus.RETIRED).exclude(
        **{field: ""}
    )
    rows = groups.values_list(
        "version__year", "version__kind", "version__version", "code", "name", field
    )
    frame = pd.DataFrame(list(rows), columns=["year", "kind", "number", "code", "name", "entry"])
    owner = (
        frame["year"].astype(str)
        + "年"
        + frame["kind"]
        + "目录 第"
        + frame["number"].astype(str)
        + "版"
    )
    return pd.DataFrame(
        {
            "source": SOURCE_GROUPS,
            "owner": owner,
            "item": frame["code"] + " " + frame["name"],
            "entry": frame["entry"],
            "cases": 0,
        }
    )


def _rule_references(kind: str) -> pd.DataFrame:
    frames = []
    for model, label, prefix, columns in _RULE_LISTS[kind]:
        live = model.objects.exclude(rule_set__status=CatalogStatus.RETIRED)
        for column in columns:
            rows = live.values_list(
                "rule_set__name", "rule_set__year", "rule_set__version", label, column
            )
            frame = pd.DataFrame(list(rows), columns=["name", "year", "number", "label", "entry"])
            owner = (
                frame["name"].where(frame["name"] != "", frame["year"].astype(str) + "年")
                + " v"
                + frame["number"].astype(str)
            )
            frames.append(
                pd.DataFrame(
                    {
                        "source": SOURCE_RULES,
                        "owner": owner,
                        "item": f"{prefix} " + frame["label"].astype(str),
                        "entry": frame["entry"],
                        "cases": 0,
                    }
                )
            )
    return (
        _exploded(pd.concat(frames, ignore_index=True))
        if frames
        else pd.DataFrame(columns=REFERENCE_COLUMNS)
    )


def _supervision_references(kind: str) -> pd.DataFrame:
    if kind != DictionaryKind.DIAGNOSIS:
        return pd.DataFrame(columns=REFERENCE_COLUMNS)
    rule_sets = RuleSet.objects.exclude(status=RuleSetStatus.SUPERSEDED).values_list(
        "version", "grassroots_categories"
    )
    rows = [
        (SOURCE_SUPERVISION, f"监管规则 第{number}版", "基层病种诊断类目", entry, 0)
        for number, entries in rule_sets
        for entry in entries
    ]
    return pd.DataFrame(rows, columns=REFERENCE_COLUMNS)


def _case_references(kind: str) -> pd.DataFrame:
    """Open-period cases per distinct code text, counted in the database; lists split afterwards."""
    case_model = apps.get_model("settlement", "CaseRecord")
    open_cases = case_model.objects.filter(period__status="open")
    frames = []
    for field, item, is_list in _CASE_FIELDS[kind]:
        rows = (
            open_cases.exclude(**{field: ""})
            .values_list(field)
            .annotate(cases=Count("pk"))
            .order_by()
        )
        frame = pd.DataFrame(list(rows), columns=["entry", "cases"]).assign(
            source=SOURCE_CASES, owner="开放期间", item=item
        )
        frames.append(_exploded(frame) if is_list else frame)
    merged = pd.concat(frames, ignore_index=True)[REFERENCE_COLUMNS]
    return merged.groupby(["source", "owner", "item", "entry"], as_index=False)["cases"].sum()[
        REFERENCE_COLUMNS
    ]


def impact_references(kind: str) -> pd.DataFrame:
    """Every reference to a code of ``kind`` outside the dictionary, one row per (reference, entry)."""
    parts = [
        _group_references(kind),
        _rule_references(kind),
        _supervision_references(kind),
        _case_references(kind),
    ]
    found = [part for part in parts if not part.empty]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=REFERENCE_COLUMNS)


def version_impact(version: DictionaryVersion, diff: DictionaryDiff) -> pd.DataFrame:
    """The references each change of ``diff`` reaches (catalogs.dictionary_versions.domain.change_impact)."""
    if diff.changes.empty:
        return pd.DataFrame(columns=["code", "change", *REFERENCE_COLUMNS])
    return change_impact(
        diff.changes,
        impact_references(version.kind),
        by_category=version.kind == DictionaryKind.DIAGNOSIS,
    )


def version_code_count(version: DictionaryVersion) -> int:
    return DictionaryCode.objects.filter(version=version).count()
