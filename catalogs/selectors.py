"""Reads shared by the catalog sub-packages: whether a user is the bureau, and a region's case history as
the catalog builds and the coefficient suggestions read it (the case table is settlement's, reached through
the app registry)."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

from django.apps import apps
from django.conf import settings

from catalogs.models import Region
from catalogs.register.selectors import institution_states_on_days
from config.lazy import pandas as pd


def user_is_bureau(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_bureau))


# National med_type codes 2x are the inpatient ones (住院), 14 the outpatient chronic/special ones (门诊慢特病):
# DIP and DRG catalogs are built from the first, APG catalogs from the second.
INPATIENT_MED_TYPE_PREFIX = "2"
CHRONIC_MED_TYPE = "14"
_COMMON_FIELDS = {
    "period__year": "year",
    "period__month": "month",
    "institution_id": "institution_id",
    "maindiag_code": "maindiag_code",
    "main_oprn_oprt_code": "main_oprn_oprt_code",
    "medfee_sumamt": "medfee_sumamt",
}
# The DRG build groups history as a run groups a month (settlement.grouping.domain.CASE_COLUMNS).
CASE_HISTORY_FIELDS = {
    **_COMMON_FIELDS,
    "age": "age",
    "nwb_age": "nwb_age",
    "dscg_way": "dscg_way",
    "otherdiag_codes": "otherdiag_codes",
    "other_oprn_oprt_codes": "other_oprn_oprt_codes",
    "gend": "gend",
    "nwb_bir_wt": "nwb_bir_wt",
    "nwb_adm_wt": "nwb_adm_wt",
}
CHRONIC_HISTORY_FIELDS = {
    **_COMMON_FIELDS,
    "opsp_dise_code": "opsp_dise_code",
    "psn_no": "psn_no",
    "setl_time": "setl_time",
}


def _history_frame(
    *, region: Region, years: Sequence[int], fields: dict[str, str], **med_type
) -> pd.DataFrame:
    """The case table belongs to ``settlement``, which imports ``catalogs``; it is looked up through the
    app registry so that ``catalogs`` keeps importing nothing of ``settlement``."""
    case_model = apps.get_model("settlement", "CaseRecord")
    rows = (
        case_model.objects.filter(
            institution__region=region, period__year__in=list(years), **med_type
        )
        .values_list(*fields)
        .iterator(chunk_size=20_000)
    )
    frame = pd.DataFrame.from_records(rows, columns=list(fields.values()))
    return _with_institution_states(frame, region)


def _with_institution_states(frame: pd.DataFrame, region: Region) -> pd.DataFrame:
    """Each case's institution level and grassroots flag as they were at the end of the case's month
    (the register's history, 机构状态), not as they are today."""
    columns = ["year", "month", "institution_id"]
    ends = {
        (y, m): date(y, m, calendar.monthrange(y, m)[1])
        for y, m in frame[["year", "month"]].drop_duplicates().itertuples(index=False)
    }
    states = institution_states_on_days(region=region, days=ends.values())
    table = pd.DataFrame(
        [
            (y, m, i, s.level, s.is_grassroots)
            for (y, m), day in ends.items()
            for i, s in states[day].items()
        ],
        columns=[*columns, "level", "is_grassroots"],
    ).astype({name: frame[name].dtype for name in columns})
    return frame.merge(table, on=columns, how="left").drop(columns=["month", "institution_id"])


def case_history_frame(*, region: Region, years: Sequence[int]) -> pd.DataFrame:
    """The inpatient cases of a region's settlement years, as the catalog builds (catalogs/dip/, catalogs/drg/, catalogs/apg/) read them."""
    return _history_frame(
        region=region,
        years=years,
        fields=CASE_HISTORY_FIELDS,
        med_type__startswith=INPATIENT_MED_TYPE_PREFIX,
    )


def chronic_history_frame(*, region: Region, years: Sequence[int]) -> pd.DataFrame:
    """The outpatient chronic/special settlements of a region's years, settlement times in local time (the
    patient-month unit of APG counts local months)."""
    frame = _history_frame(
        region=region, years=years, fields=CHRONIC_HISTORY_FIELDS, med_type=CHRONIC_MED_TYPE
    )
    frame["setl_time"] = pd.to_datetime(frame["setl_time"], utc=True).dt.tz_convert(
        settings.TIME_ZONE
    )
    return frame
