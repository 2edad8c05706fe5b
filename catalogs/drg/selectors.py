"""Reads of the DRG rule sets: like catalogs, a published rule set is public to every signed-in user,
anything else is the bureau's; the rule set a DRG version groups with, and its compiled ``DrgRules``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.regions import in_user_regions
from catalogs.choices import CatalogKind, CatalogStatus
from catalogs.drg import grouper as drg_grouper
from catalogs.drg import rules as drg_rules
from catalogs.drg.models import (
    DrgAdrg,
    DrgCc,
    DrgExclusion,
    DrgMdc,
    DrgOrProcedure,
    DrgRuleSet,
    DrgTraumaRegion,
)
from catalogs.models import Region
from catalogs.selectors import user_is_bureau
from catalogs.versions.models import CatalogVersion
from config.lazy import pandas as pd

DRG_RULE_MODELS = {
    "mdc": DrgMdc,
    "adrg": DrgAdrg,
    "cc": DrgCc,
    "exclusions": DrgExclusion,
    "or_procedures": DrgOrProcedure,
    "trauma": DrgTraumaRegion,
}


def drg_rule_set_list_for_user(user, *, year: int | None = None, status: str = ""):
    rule_sets = in_user_regions(
        DrgRuleSet.objects.select_related("region", "created_by", "submitted_by", "approved_by"),
        user,
    )
    if not user_is_bureau(user):
        rule_sets = rule_sets.filter(status=CatalogStatus.PUBLISHED)
    if year:
        rule_sets = rule_sets.filter(year=year)
    return rule_sets.filter(status=status) if status else rule_sets


def drg_rule_set_get_for_user(user, pk: int) -> DrgRuleSet:
    return get_object_or_404(drg_rule_set_list_for_user(user), pk=pk)


def drg_rule_tables(rule_set: DrgRuleSet) -> dict[str, pd.DataFrame]:
    """The four tables of a rule set in file order, with the columns catalogs.drg.grouper.drg_rules reads."""
    tables = {}
    for table, model in DRG_RULE_MODELS.items():
        columns = drg_rules.SHEET_OF[table].fields
        tables[table] = pd.DataFrame(
            list(model.objects.filter(rule_set=rule_set).order_by("pk").values_list(*columns)),
            columns=columns,
        )
    return tables


def drg_rule_sets_in_force(*, region, year: int) -> QuerySet:
    return DrgRuleSet.objects.filter(region=region, year=year, status=CatalogStatus.PUBLISHED)


def drg_rule_set_in_force(*, region: Region, year: int) -> DrgRuleSet | None:
    return drg_rule_sets_in_force(region=region, year=year).first()


def drg_rule_set_for_version(version: CatalogVersion) -> DrgRuleSet | None:
    """The rule set a DRG version groups with: the one its build used, else the one in force for its region and year."""
    if version.kind != CatalogKind.DRG:
        return None
    return version.drg_rule_set or drg_rule_set_in_force(region=version.region, year=version.year)


_COMPILED: dict[tuple, drg_grouper.DrgRules] = {}


def drg_rules_of(rule_set: DrgRuleSet) -> drg_grouper.DrgRules:
    """The compiled rules of a rule set. A published or retired set never changes, so it is compiled once per
    process and kept (``_COMPILED``, by id and publishing time); a draft is read afresh each time."""
    if (
        rule_set.status not in (CatalogStatus.PUBLISHED, CatalogStatus.RETIRED)
        or rule_set.approved_at is None
    ):
        return drg_grouper.drg_rules(**drg_rule_tables(rule_set))
    key = (rule_set.pk, rule_set.approved_at)
    if key not in _COMPILED:
        _COMPILED[key] = drg_grouper.drg_rules(**drg_rule_tables(rule_set))
    return _COMPILED[key]
