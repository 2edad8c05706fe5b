"""Validation of settlement lists (结算清单校验) — pure and vectorised.

In: a frame of text cells as the user sent them (any header spelling the contract accepts).
Out: the typed cases (money as int64 fen, datetimes tz-aware, durations in minutes), the errors and
the warnings, each issue a row ``(row, column, value, message)`` with the row number as the user
sees it in the file. Every rule works on whole columns, so a regional file of a million rows is
checked in seconds; Python loops run only over columns and rules, never over rows.

Rules that need the database (institutions that exist, closed months, corrections) take plain data
as arguments (``known_institutions``) or live in the services, which report through ``issues_from``.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from catalogs import codes
from config.lazy import numpy as np
from config.lazy import pandas as pd
from settlement.intake import columns as cols
from settlement.intake.columns import BY_CODE, COLUMNS, FEE_BREAKDOWN

TZ = "Asia/Shanghai"
ISSUE_FIELDS = ["row", "column", "value", "message"]
HEADER_ROW = 1

ERR_REQUIRED = "必填项为空。"
ERR_REQUIRED_INPATIENT = "住院类病例（医疗类别21–24、28）必须填写此项。"
ERR_TOO_LONG = "长度不能超过{n}个字符。"
ERR_CHOICE = "不在字典取值范围内，可用值：{values}。"
ERR_INT = "应为{lo}到{hi}之间的整数。"
ERR_DATETIME = "日期时间无效，可用格式：2024-03-01 08:30、2024/3/1、2024年3月1日。"
ERR_MONEY = "金额格式无效，应为不超过12位整数、最多两位小数的数字。"
ERR_MONEY_NEGATIVE = "金额不能为负数。"
ERR_MONEY_DECIMALS = "金额最多保留两位小数。"
ERR_DURATION = "时长格式无效，应为 天/时/分，如 2/5/30（时<24，分<60）。"
ERR_ICD10 = (
    "不是有效的ICD-10医保版诊断编码（如 I21.000、J18.900x001、剑号星号合并编码 A17.000+G01*）。"
)
ERR_ICD9 = "不是有效的ICD-9-CM-3医保版手术操作编码（如 36.0601、17.91100、17.912A0）。"
ERR_ICD10_LIST = "含无效的ICD-10医保版诊断编码；多个编码以 ; 或 , 分隔。"
ERR_ICD9_LIST = "含无效的ICD-9-CM-3医保版手术操作编码；多个编码以 ; 或 , 分隔。"
ERR_CHRONIC_DISEASE_CODE = (
    "不是有效的门诊慢特病病种代码（国家医保门诊慢特病病种代码为 M 加 5 位数字，如 M03900）。"
)
ERR_INSTITUTION_FORMAT = "机构编号格式无效（如 H37080200001）。"
ERR_INSTITUTION_UNKNOWN = "机构编号不存在，请核对定点医药机构编号。"
ERR_INSTITUTION_NOT_OWN = "只能上传本机构的结算清单，此行属于其他机构。"
ERR_DISCHARGE_BEFORE_ADMISSION = "出院时间早于入院时间。"
ERR_DAYS_MISMATCH = "实际住院天数与出入院日期不符（按日期应为{days}天）。"
ERR_DAYS_MISMATCH_SAME_DAY = "实际住院天数与出入院日期不符（当日出院应为0或1天）。"
ERR_NEWBORN_AGE = "住院病例年龄为0岁时必须填写新生儿年龄(天)。"
ERR_AGE_OR_NEWBORN_AGE = "年龄为空：满1周岁须填写年龄(岁)，不足1周岁须填写新生儿年龄(天)。"
ERR_GRAMS = "应为{lo}到{hi}之间的整数克数（如 3250，国家接口精确到10克）。"
ERR_CHRONIC_DISEASE = "医疗类别为14（门诊慢特病）时必须填写门诊慢特病病种代码。"
ERR_FUND_OVER_TOTAL = "基金支付总额不能大于医疗费总额。"
ERR_HIFP_OVER_FUND = "统筹基金支出不能大于基金支付总额。"
ERR_TOTAL_MISMATCH = (
    "医疗费总额应等于基金支付总额与个人负担总金额之和（允许误差0.01），差额{diff}元。"
)
ERR_FEE_BREAKDOWN_SUM = "五项费用（药品、卫生材料、检查化验、治疗手术、其他）合计应等于医疗费总额（允许误差0.01），差额{diff}元。"
ERR_DUPLICATE = "文件内重复：与第{first}行的机构编号和结算ID相同。"
ERR_HEADER_MISSING = "缺少必需的列：{label}。"
ERR_HEADER_DUPLICATE = "列重复：{label} 出现了不止一次。"
ERR_NO_ROWS = "文件中没有数据行。"

WARN_HEADER_UNKNOWN = "未识别的列“{header}”，已忽略。"
WARN_FEMALE_DIAGNOSIS = "男性病例使用了女性特有诊断编码，请核实性别与诊断。"
WARN_MALE_DIAGNOSIS = "女性病例使用了男性特有诊断编码，请核实性别与诊断。"
WARN_NEWBORN_ON_ADULT = "18岁及以上病例使用了新生儿/围产期诊断编码（P00–P96、Z38），请核实。"
WARN_NEWBORN_WEIGHT_MISSING = "新生儿病例（出生28天内，主要诊断为新生儿/围产期编码）未填写此项，新生儿DRG分组需要出生体重和入院体重。"
WARN_NEWBORN_FIELDS_OVER_ONE = (
    "年龄满1周岁的病例填写了新生儿年龄或体重，请核实（国家接口仅不足1周岁时填写）。"
)
WARN_LIVE_BORN_LATE = "主要诊断为Z38（活产婴儿）但病例已超过出生28天，请核实主要诊断或新生儿年龄。"
WARN_LOS_OUTLIER = "实际住院天数超过{days}天，属异常长住院，请核实。"
WARN_FEE_BREAKDOWN_MISSING = "住院病例未完整填写五项费用明细，影响数据质量评分。"

LOS_OUTLIER_DAYS = 60
ADULT_AGE = 18
NEWBORN_DAYS = 28  # 新生儿: the first 28 days of life
TOLERANCE_FEN = 1

_LIST_SEPARATOR = r"\s*[;,；，]\s*"
_PATTERNS = {
    cols.ICD10: (codes.DIAGNOSIS_PATTERN, ERR_ICD10),
    cols.ICD9: (codes.PROCEDURE_PATTERN, ERR_ICD9),
    cols.ICD10_LIST: (codes.list_pattern(codes.DIAGNOSIS_PATTERN), ERR_ICD10_LIST),
    cols.ICD9_LIST: (codes.list_pattern(codes.PROCEDURE_PATTERN), ERR_ICD9_LIST),
    cols.CHRONIC_DISEASE: (r"M[0-9]{5}", ERR_CHRONIC_DISEASE_CODE),
}
_CLINICAL = frozenset({cols.ICD10, cols.ICD9, cols.ICD10_LIST, cols.ICD9_LIST})
_INSTITUTION_CODE = r"[A-Z][0-9]{11}"
# 12 integer digits and 2 decimals: below 2**53 fen, so rint(float * 100) is the exact fen amount.
_MONEY = r"[0-9]{1,12}(?:\.[0-9]{1,2})?"
_DATETIME = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
_FEMALE_ONLY = r"(?:O[0-9]|N7[0-9]|N8[0-9]|N9[0-8]|C5[1-8]|D2[5-8])"
_MALE_ONLY = r"(?:N4[0-9]|N5[0-3]|C6[0-3]|D29)"
_NEWBORN = (
    r"(?:P[0-9]|Z38)"  # matched at the start: a combined code is newborn by its aetiology part
)
_LIVE_BORN = r"Z38"


@dataclass
class IntakeResult:
    """校验结果: typed cases (one row per data row, ``row`` = the user's row number) and issues."""

    cases: pd.DataFrame
    errors: pd.DataFrame
    warnings: pd.DataFrame

    @property
    def ok(self) -> bool:
        return self.errors.empty


@dataclass
class _Issues:
    """Collects issues column-wise; ``frame()`` turns them into one sorted issue table."""

    rows: pd.Series
    parts: list[pd.DataFrame] = field(default_factory=list)

    def add(
        self, mask: pd.Series, column: str, values: pd.Series | str, message: pd.Series | str
    ) -> None:
        flags = mask.to_numpy(dtype=bool, na_value=False)
        if not flags.any():  # the usual case, decided without building a Series
            return
        mask = pd.Series(flags, index=mask.index)
        part = pd.DataFrame({"row": self.rows[mask].to_numpy(), "column": column})
        part["value"] = (
            values[mask].astype(str).to_numpy() if isinstance(values, pd.Series) else values
        )
        part["message"] = (
            message[mask].astype(str).to_numpy() if isinstance(message, pd.Series) else message
        )
        self.parts.append(part)

    def add_file(self, message: str, column: str = "", value: str = "") -> None:
        self.parts.append(
            pd.DataFrame(
                {"row": [HEADER_ROW], "column": [column], "value": [value], "message": [message]}
            )
        )

    def frame(self) -> pd.DataFrame:
        return (
            issues_sorted(pd.concat(self.parts, ignore_index=True))
            if self.parts
            else empty_issues()
        )


def empty_issues() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": pd.Series(dtype="int64"),
            **{name: pd.Series(dtype=object) for name in ISSUE_FIELDS[1:]},
        }
    )


def issues_from(
    rows: pd.Series, mask: pd.Series, column: str, values: pd.Series | str, message: str
) -> pd.DataFrame:
    """An issue table for the rows in ``mask`` — used by services for the rules that need the database."""
    issues = _Issues(rows)
    issues.add(mask, column, values, message)
    return issues.frame()


def issues_sorted(issues: pd.DataFrame) -> pd.DataFrame:
    order = {code: position for position, code in enumerate(cols.CODES)}
    key = issues["column"].map(order).fillna(-1)
    return (
        issues.assign(_key=key)
        .sort_values(["row", "_key"], kind="stable")
        .drop(columns="_key")
        .reset_index(drop=True)
    )


# --- headers ---------------------------------------------------------------------------------------


def header_code(header: str, by_code: Mapping[str, cols.Column] = BY_CODE) -> str | None:
    """The column code a header names: 'dscg_time', '出院时间' or '出院时间 dscg_time' (flat columns by
    default; a 4101 list passes its own columns)."""
    text = re.sub(r"\s+", " ", str(header).replace("\u3000", " ")).strip()
    lowered = text.lower()
    if lowered in by_code:
        return lowered
    if by_code is BY_CODE and lowered in cols.BY_ALIAS:
        return cols.BY_ALIAS[lowered]
    for column in by_code.values():
        if (
            text == column.name
            or lowered.endswith(" " + column.code)
            or lowered.startswith(column.code + " ")
        ):
            return column.code
    return None


def headers_resolve(headers: Iterable[str], issues: _Issues, warnings: _Issues) -> dict[str, str]:
    """Map the file's headers to codes; missing required or duplicated columns are file errors,
    unknown columns a warning (hospital exports often carry extra columns)."""
    mapping: dict[str, str] = {}
    for header in headers:
        code = header_code(header)
        if code is None:
            if str(header).strip():
                warnings.add_file(WARN_HEADER_UNKNOWN.format(header=header), value=str(header))
            continue
        if code in mapping.values():
            issues.add_file(
                ERR_HEADER_DUPLICATE.format(label=cols.column_label(code)),
                column=code,
                value=str(header),
            )
        mapping[header] = code
    for column in COLUMNS:
        if column.required == cols.ALWAYS and column.code not in mapping.values():
            issues.add_file(ERR_HEADER_MISSING.format(label=column.label), column=column.code)
    return mapping


# --- cells -----------------------------------------------------------------------------------------


def cell_text(value) -> str:
    """One cell of a spreadsheet or JSON value as the text a CSV would carry."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        # A spreadsheet stores 0.1 + 0.2 as 0.30000000000000004; nine decimals keep every real digit.
        value = round(value, 9)
        return (
            str(int(value)) if value.is_integer() else format(value, ".9f").rstrip("0").rstrip(".")
        )
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def distinct_text(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes of each row's cell and the distinct cells as stripped text.

    Most columns repeat a few values (codes, dates, ages), so parsing the distinct values only
    turns million-row string work into thousand-row string work; hashing the column is done in C.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    distinct = pd.Series(uniques, dtype=object)
    # Cells that are all text already (CSV, inline strings) skip the per-value conversion; the check runs in C.
    if values.dtype == object and pd.api.types.infer_dtype(uniques, skipna=False) != "string":
        distinct = distinct.map(cell_text)
    return codes, distinct.astype(str).str.strip()


@dataclass
class _Found:
    """Issues found on the distinct values of one column: (mask over the distinct values, message)."""

    found: list[tuple[pd.Series, str]] = field(default_factory=list)

    def add(self, mask: pd.Series, column: str, values: pd.Series, message: str) -> None:
        self.found.append((mask, message))


# --- the checks, one per kind ----------------------------------------------------------------------


def _parse_text(values: pd.Series, column: cols.Column, issues: _Found) -> pd.Series:
    if column.max_length:
        issues.add(
            values.str.len() > column.max_length,
            column.code,
            values,
            ERR_TOO_LONG.format(n=column.max_length),
        )
    return values


def _parse_choice(values: pd.Series, column: cols.Column, issues: _Found) -> pd.Series:
    allowed = "、".join(f"{code} {label}" for code, label in column.choices.items())
    issues.add(
        (values != "") & ~values.isin(list(column.choices)),
        column.code,
        values,
        ERR_CHOICE.format(values=allowed),
    )
    return values


def _parse_int(
    values: pd.Series, column: cols.Column, issues: _Found, *, message: str = ERR_INT
) -> pd.Series:
    present = values != ""
    numbers = pd.to_numeric(
        values.where(values.str.fullmatch(r"[0-9]{1,9}"), None), errors="coerce"
    ).astype("Int64")
    bad = present & (numbers.isna() | (numbers < column.minimum) | (numbers > column.maximum))
    issues.add(bad, column.code, values, message.format(lo=column.minimum, hi=column.maximum))
    return numbers.where(~bad.fillna(False), pd.NA)


def _parse_grams(values: pd.Series, column: cols.Column, issues: _Found) -> pd.Series:
    """Whole grams; 4101 sends 数值型(6,2), so ``3250.00`` is 3250 g. A fraction of a gram is refused."""
    whole = values.str.replace(r"\.0{1,2}$", "", regex=True)
    return _parse_int(whole, column, issues, message=ERR_GRAMS)


def _parse_datetime(values: pd.Series, column: cols.Column, issues: _Found, tz: str) -> pd.Series:
    normal = values.str.replace("/", "-", regex=False).str.replace("年", "-", regex=False)
    normal = normal.str.replace("月", "-", regex=False).str.replace("日", "", regex=False)
    shaped = normal.where(normal.str.fullmatch(_DATETIME), None)
    stamps = pd.to_datetime(shaped, format="ISO8601", errors="coerce")
    issues.add((values != "") & stamps.isna(), column.code, values, ERR_DATETIME)
    return stamps.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")


def _money_shape(values: pd.Series) -> pd.Series:
    """True where a cell is 1-12 digits, optionally '.' and 1-2 digits (the _MONEY pattern).

    Money columns are mostly distinct values, so this runs on a byte matrix in numpy rather than a
    regular expression per cell; non-ASCII or over-long cells take the regular expression.
    """
    cells = values.to_numpy(dtype=object)
    try:
        matrix = np.array(cells, dtype="S")  # drops trailing NUL bytes, hence the NUL test below
    except UnicodeEncodeError:
        matrix = None
    if matrix is None or matrix.dtype.itemsize > 16 or "\x00" in "".join(cells):
        return values.str.fullmatch(_MONEY).astype(bool)
    codes = (
        matrix.view(np.uint8).reshape(len(matrix), -1)
        if len(matrix)
        else np.zeros((0, 1), np.uint8)
    )
    digit, dot, pad = (codes >= 48) & (codes <= 57), codes == 46, codes == 0
    length = (~pad).sum(axis=1)
    dots = dot.sum(axis=1)
    point = np.where(dots == 1, dot.argmax(axis=1), length)
    shaped = (digit | dot | pad).all(axis=1) & (dots <= 1) & (point >= 1) & (point <= 12)
    shaped &= (dots == 0) | ((length - point - 1 >= 1) & (length - point - 1 <= 2))
    return pd.Series(shaped, index=values.index)


def _parse_money(values: pd.Series, column: cols.Column, issues: _Found) -> pd.Series:
    valid = _money_shape(values)
    wrong = (values != "") & ~valid
    if wrong.any():
        bad = values[wrong]
        negative = bad.str.startswith("-")
        decimals = ~negative & bad.str.fullmatch(r"[0-9]+\.[0-9]{3,}")
        issues.add(
            wrong & negative.reindex(values.index, fill_value=False),
            column.code,
            values,
            ERR_MONEY_NEGATIVE,
        )
        issues.add(
            wrong & decimals.reindex(values.index, fill_value=False),
            column.code,
            values,
            ERR_MONEY_DECIMALS,
        )
        issues.add(
            wrong & ~(negative | decimals).reindex(values.index, fill_value=False),
            column.code,
            values,
            ERR_MONEY,
        )
    # Valid cells are below 2**53 fen, so rint(float * 100) is the exact amount in fen.
    yuan = pd.to_numeric(values.where(valid, None), errors="coerce")
    return pd.Series(np.rint(yuan.to_numpy(dtype="float64") * 100), index=values.index).astype(
        "Int64"
    )


def _parse_duration(values: pd.Series, column: cols.Column, issues: _Found) -> pd.Series:
    present = values != ""
    minutes = pd.Series(pd.NA, index=values.index, dtype="Int64")
    if present.any():
        parts = (
            values[present].str.extract(r"^([0-9]{1,4})/([0-9]{1,2})/([0-9]{1,2})$").astype("Int64")
        )
        fine = parts.notna().all(axis=1) & (parts[1] < 24) & (parts[2] < 60)
        minutes[present] = (parts[0] * 1440 + parts[1] * 60 + parts[2]).where(
            fine.fillna(False), pd.NA
        )
        issues.add(present & minutes.isna(), column.code, values, ERR_DURATION)
    return minutes


def _parse_code(values: pd.Series, column: cols.Column, issues: _Found) -> pd.Series:
    pattern, message = _PATTERNS[column.kind]
    if column.kind in (cols.ICD10_LIST, cols.ICD9_LIST):
        values = values.str.replace(_LIST_SEPARATOR, ";", regex=True).str.strip(";")
    shaped = values.str.fullmatch(pattern)
    odd = (values != "") & ~shaped
    if (
        column.kind in _CLINICAL and odd.any()
    ):  # written otherwise (a17.000†G01＊): normalise those few, then check again
        values = values.where(~odd, codes.codes_normalised(values[odd]).str.strip(";"))
        shaped = values.str.fullmatch(pattern)
    issues.add((values != "") & ~shaped, column.code, values, message)
    return values


def _parse_institution(
    values: pd.Series,
    column: cols.Column,
    issues: _Found,
    known: Mapping[str, object],
    own: str | None,
) -> pd.Series:
    present = values != ""
    shaped = values.str.fullmatch(_INSTITUTION_CODE)
    issues.add(present & ~shaped, column.code, values, ERR_INSTITUTION_FORMAT)
    unknown = present & shaped & ~values.isin(list(known))
    issues.add(unknown, column.code, values, ERR_INSTITUTION_UNKNOWN)
    if own is not None:
        issues.add(
            present & shaped & ~unknown & (values != own),
            column.code,
            values,
            ERR_INSTITUTION_NOT_OWN,
        )
    return values


def _parse_column(
    values: pd.Series,
    column: cols.Column,
    issues: _Issues,
    *,
    tz: str,
    known: Mapping[str, object],
    own: str | None,
    object_text: bool = False,
) -> tuple[pd.Series, pd.Series]:
    """(text, parsed) of one column, parsed on its distinct values; issues reported against rows. ``object_text``:
    the text as plain Python strings (object dtype) instead of pandas' Arrow-backed ``str``."""
    key = _memo_key(values, column)
    key = key + ("object",) if key is not None and object_text else key
    codes, distinct, parsed, found = _parse_distinct(
        values, column, key=key, tz=tz, known=known, own=own, object_text=object_text
    )
    # A memoised column of a plain 0..n-1 index spreads back to the same rows every time: keep that too.
    spread_key = (
        ("rows", key)
        if key is not None
        and isinstance(values.index, pd.RangeIndex)
        and values.index.start == 0
        and values.index.step == 1
        else None
    )
    spread = _memo_get(spread_key, column)
    if spread is None:
        spread = (
            column,
            distinct.take(codes).set_axis(values.index),
            parsed.take(codes).set_axis(values.index),
        )
        _memo_put(spread_key, spread)
    text = spread[1]
    for mask, message in found.found:
        rows_mask = mask.fillna(False).to_numpy(dtype=bool)[codes]
        issues.add(pd.Series(rows_mask, index=values.index), column.code, text, message)
    return text, spread[2]


# Parsing a column costs some pandas calls whatever its length, and a single case (the pre-grouping preview,
# a small API batch) pays that for every column. Most of its cells repeat from case to case (codes, choices,
# blanks), so a column of a few plain cells (text, numbers, booleans, None) is parsed once per distinct
# sequence of cells and kept: (codes, distinct text, parsed, issues found) as ``distinct_text`` and
# ``_parse_values`` give them; the caller changes none of them. Institution codes depend on the
# institutions known, so they are always parsed.
_MEMO_CELLS = 4
_MEMO_SIZE = 4096
_MEMO_TYPES = frozenset({str, int, float, bool, type(None)})
_memo: OrderedDict[tuple, tuple] = OrderedDict()
_memo_lock = threading.Lock()


def _memo_key(values: pd.Series, column: cols.Column) -> tuple | None:
    if len(values) > _MEMO_CELLS or column.kind == cols.INSTITUTION:
        return None
    cells = values.tolist()
    if not all(type(cell) in _MEMO_TYPES for cell in cells):
        return None
    return (
        id(column),
        column.code,
        len(values),
        tuple((type(cell), cell) for cell in cells),
    )  # 1, 1.0 and True apart


def _memo_get(key: tuple | None, column: cols.Column) -> tuple | None:
    """The memoised entry (its column first), or None; the entry keeps its column, so the id in the key is not
    reused while it is kept."""
    if key is None:
        return None
    with _memo_lock:
        hit = _memo.get(key)
        if hit is None or hit[0] is not column:
            return None
        _memo.move_to_end(key)
        return hit


def _memo_put(key: tuple | None, entry: tuple) -> None:
    if key is None:
        return
    with _memo_lock:
        _memo[key] = entry
        while len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)


def _parse_distinct(
    values: pd.Series,
    column: cols.Column,
    *,
    key: tuple | None,
    tz: str,
    known: Mapping[str, object],
    own: str | None,
    object_text: bool = False,
) -> tuple[np.ndarray, pd.Series, pd.Series, _Found]:
    hit = _memo_get(key + (tz,) if key is not None else None, column)
    if hit is not None:
        return hit[1:]
    codes, distinct = distinct_text(values)
    if object_text:
        distinct = distinct.astype(object)
    found = _Found()
    parsed = _parse_values(distinct, column, found, tz=tz, known=known, own=own)
    _memo_put(key + (tz,) if key is not None else None, (column, codes, distinct, parsed, found))
    return codes, distinct, parsed, found


def _parse_values(
    values: pd.Series,
    column: cols.Column,
    issues: _Found,
    *,
    tz: str,
    known: Mapping[str, object],
    own: str | None,
) -> pd.Series:
    kind = column.kind
    if kind == cols.CHOICE:
        return _parse_choice(values, column, issues)
    if kind == cols.INT:
        return _parse_int(values, column, issues)
    if kind == cols.GRAMS:
        return _parse_grams(values, column, issues)
    if kind == cols.DATETIME:
        return _parse_datetime(values, column, issues, tz)
    if kind == cols.MONEY:
        return _parse_money(values, column, issues)
    if kind == cols.DURATION:
        return _parse_duration(values, column, issues)
    if kind in _PATTERNS:
        return _parse_code(_parse_text(values, column, issues), column, issues)
    if kind == cols.INSTITUTION:
        return _parse_institution(_parse_text(values, column, issues), column, issues, known, own)
    return _parse_text(values, column, issues)


def table_parse(
    cells: pd.DataFrame, columns: Iterable[cols.Column], rows: pd.Series, *, tz: str = TZ
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(text, parsed, errors) of a table keyed by column code, with the parsers of the flat contract.

    The 4101 lists (diagnoses, procedures, ICU stays) are checked with it, so a code, a date or a
    duration is judged by one rule wherever it arrives. ``rows`` numbers the table's rows for the user.
    """
    issues = _Issues(rows.set_axis(cells.index))
    empty = pd.Series("", index=cells.index, dtype=str)
    parsed = {
        column.code: _parse_column(
            cells.get(column.code, empty),
            column,
            issues,
            tz=tz,
            known={},
            own=None,
        )
        for column in columns
    }
    text = pd.DataFrame({code: pair[0] for code, pair in parsed.items()}, index=cells.index)
    for column in columns:
        if column.required == cols.ALWAYS:
            issues.add(text[column.code] == "", column.code, "", ERR_REQUIRED)
    return (
        text,
        pd.DataFrame({code: pair[1] for code, pair in parsed.items()}, index=cells.index),
        issues.frame(),
    )


# --- rules across columns --------------------------------------------------------------------------


def _check_required(text: pd.DataFrame, inpatient: pd.Series, issues: _Issues) -> None:
    # One comparison of the whole table (an object matrix), then a column of it per rule: a few rows cost
    # microseconds per column rather than a pandas call.
    blank = pd.DataFrame(
        text[list(cols.CODES)].to_numpy(dtype=object) == "", index=text.index, columns=cols.CODES
    )
    inpatient_rows = inpatient.to_numpy(dtype=bool)
    for column in COLUMNS:
        empty = blank[column.code].to_numpy()
        if column.required == cols.ALWAYS and empty.any():
            issues.add(blank[column.code], column.code, "", ERR_REQUIRED)
        elif column.required == cols.INPATIENT and (empty & inpatient_rows).any():
            issues.add(blank[column.code] & inpatient, column.code, "", ERR_REQUIRED_INPATIENT)
    issues.add((text["age"] == "") & (text["nwb_age"] == ""), "age", "", ERR_AGE_OR_NEWBORN_AGE)
    issues.add(
        inpatient & (text["age"] == "0") & (text["nwb_age"] == ""), "nwb_age", "", ERR_NEWBORN_AGE
    )
    chronic = text["med_type"] == cols.CHRONIC_MED_TYPE
    issues.add(chronic & (text["opsp_dise_code"] == ""), "opsp_dise_code", "", ERR_CHRONIC_DISEASE)


def _check_stay(cases: pd.DataFrame, text: pd.DataFrame, issues: _Issues) -> None:
    adm, dscg, days = cases["adm_time"], cases["dscg_time"], cases["act_ipt_days"]
    issues.add(dscg < adm, "dscg_time", text["dscg_time"], ERR_DISCHARGE_BEFORE_ADMISSION)
    by_dates = (dscg.dt.normalize() - adm.dt.normalize()).dt.days.astype("Int64")
    same_day = by_dates == 0
    comparable = days.notna() & by_dates.notna() & (by_dates >= 0)
    issues.add(
        comparable & same_day & (days > 1),
        "act_ipt_days",
        text["act_ipt_days"],
        ERR_DAYS_MISMATCH_SAME_DAY,
    )
    wrong = comparable & ~same_day & (days != by_dates)
    if wrong.fillna(False).any():
        issues.add(
            wrong,
            "act_ipt_days",
            text["act_ipt_days"],
            _per_row(ERR_DAYS_MISMATCH, "{days}", by_dates.astype(str)),
        )


def _yuan(fen: pd.Series, mask: pd.Series) -> pd.Series:
    """|fen| as yuan text ('1.00') on the masked rows (the few in error), '' elsewhere."""
    shown = pd.Series("", index=fen.index, dtype=object)
    mask = mask.fillna(False).astype(bool)
    shown[mask] = fen[mask].abs().map(lambda value: f"{value // 100}.{value % 100:02d}")
    return shown


def _check_money(cases: pd.DataFrame, text: pd.DataFrame, issues: _Issues) -> None:
    total, fund, hifp, personal = (
        cases[code] for code in ("medfee_sumamt", "fund_pay_sumamt", "hifp_pay", "psn_part_amt")
    )
    issues.add(fund > total, "fund_pay_sumamt", text["fund_pay_sumamt"], ERR_FUND_OVER_TOTAL)
    issues.add(hifp > fund, "hifp_pay", text["hifp_pay"], ERR_HIFP_OVER_FUND)
    gap = total - fund - personal
    off = gap.abs() > TOLERANCE_FEN
    if off.fillna(False).any():
        issues.add(
            off,
            "medfee_sumamt",
            text["medfee_sumamt"],
            _per_row(ERR_TOTAL_MISMATCH, "{diff}", _yuan(gap, off)),
        )
    fees = cases[list(FEE_BREAKDOWN)]
    complete = fees.notna().all(axis=1)
    fee_gap = fees.sum(axis=1, skipna=True).astype("Int64") - total
    fee_off = complete & (fee_gap.abs() > TOLERANCE_FEN)
    if fee_off.fillna(False).any():
        issues.add(
            fee_off,
            "fee_other",
            text["fee_other"],
            _per_row(ERR_FEE_BREAKDOWN_SUM, "{diff}", _yuan(fee_gap, fee_off)),
        )


def _per_row(template: str, placeholder: str, values: pd.Series) -> pd.Series:
    """A message constant filled in per row, column-wise."""
    head, tail = template.split(placeholder)
    return head + values.astype(str) + tail


def _check_duplicates(text: pd.DataFrame, rows: pd.Series, issues: _Issues) -> None:
    if len(text) < 2:  # a single case (the preview) repeats nothing
        return
    keyed = (text["fixmedins_code"] != "") & (text["setl_id"] != "")
    key = text["fixmedins_code"] + "\x1f" + text["setl_id"]
    duplicate = keyed & key.duplicated(keep="first")
    if duplicate.any():
        first = rows.groupby(key).transform("first")
        issues.add(duplicate, "setl_id", text["setl_id"], _per_row(ERR_DUPLICATE, "{first}", first))


def _newborn_plausibility(cases: pd.DataFrame, inpatient: pd.Series, warnings: _Issues) -> None:
    """Newborn codes (P00–P96, Z38) against age and weights: a newborn stay without its weights, infant fields
    on a case of a year or more, a live-born code (Z38) after the first 28 days."""
    diagnosis, age, days = cases["maindiag_code"], cases["age"], cases["nwb_age"]
    newborn_code = diagnosis.str.match(_NEWBORN)
    # Without a newborn code only the infant-fields rule can hold: the others are not computed (a single adult case).
    newborn = bool(newborn_code.fillna(False).any())
    if newborn:
        warnings.add(
            (age >= ADULT_AGE) & newborn_code, "maindiag_code", diagnosis, WARN_NEWBORN_ON_ADULT
        )
        first_days = (age == 0) & ~(days > NEWBORN_DAYS).fillna(False).astype(bool)
        for weight in ("nwb_bir_wt", "nwb_adm_wt"):
            warnings.add(
                inpatient & newborn_code & first_days & cases[weight].isna(),
                weight,
                "",
                WARN_NEWBORN_WEIGHT_MISSING,
            )
    infant_fields = cases[["nwb_age", "nwb_bir_wt", "nwb_adm_wt"]].notna().any(axis=1)
    warnings.add((age >= 1) & infant_fields, "nwb_age", "", WARN_NEWBORN_FIELDS_OVER_ONE)
    if not newborn:
        return
    late = newborn_code & ((age >= 1) | (days > NEWBORN_DAYS)).fillna(False).astype(bool)
    live_born = (
        diagnosis[late].str.match(_LIVE_BORN).reindex(diagnosis.index, fill_value=False)
    )  # the few late ones only
    warnings.add(live_born, "maindiag_code", diagnosis, WARN_LIVE_BORN_LATE)


def _plausibility(cases: pd.DataFrame, inpatient: pd.Series, warnings: _Issues) -> None:
    diagnosis, gend = cases["maindiag_code"], cases["gend"]
    warnings.add(
        (gend == "1") & diagnosis.str.match(_FEMALE_ONLY),
        "maindiag_code",
        diagnosis,
        WARN_FEMALE_DIAGNOSIS,
    )
    warnings.add(
        (gend == "2") & diagnosis.str.match(_MALE_ONLY),
        "maindiag_code",
        diagnosis,
        WARN_MALE_DIAGNOSIS,
    )
    _newborn_plausibility(cases, inpatient, warnings)
    days = cases["act_ipt_days"]
    warnings.add(
        inpatient & (days > LOS_OUTLIER_DAYS),
        "act_ipt_days",
        days.astype(str),
        WARN_LOS_OUTLIER.format(days=LOS_OUTLIER_DAYS),
    )
    incomplete = cases[list(FEE_BREAKDOWN)].isna().any(axis=1)
    warnings.add(inpatient & incomplete, "fee_drug", "", WARN_FEE_BREAKDOWN_MISSING)


# --- entry point -----------------------------------------------------------------------------------


def cases_validate(
    raw: pd.DataFrame,
    *,
    known_institutions: Mapping[str, object],
    own_institution: str | None = None,
    first_row: int = 2,
    tz: str = TZ,
    object_text: bool = False,
) -> IntakeResult:
    """Validate a frame of cells; ``first_row`` is the user's number of the first data row.

    ``known_institutions``: the institution codes that exist (keys); ``own_institution``: the only
    code a hospital user may send (None for bureau users and regional files). ``object_text``: text columns as
    plain Python strings (object dtype), not Arrow-backed ``str`` — the same rules and results, and on a few
    rows (the pre-grouping preview) each of the rules' many small pandas operations costs less.
    """
    issues, warnings = _Issues(pd.Series(dtype="int64")), _Issues(pd.Series(dtype="int64"))
    mapping = headers_resolve([str(header) for header in raw.columns], issues, warnings)
    if issues.parts:
        return IntakeResult(cases=pd.DataFrame(), errors=issues.frame(), warnings=warnings.frame())
    raw = raw.reset_index(drop=True)
    issues.rows = pd.Series(
        np.arange(first_row, first_row + len(raw), dtype="int64"), index=raw.index
    )
    header_of = {code: header for header, code in mapping.items()}
    empty = pd.Series("", index=raw.index, dtype=str)
    parsed = {
        column.code: _parse_column(
            raw[header_of[column.code]] if column.code in header_of else empty,
            column,
            issues,
            tz=tz,
            known=known_institutions,
            own=own_institution,
            object_text=object_text,
        )
        for column in COLUMNS
    }
    text = pd.DataFrame({code: pair[0] for code, pair in parsed.items()})
    cases = pd.DataFrame({code: pair[1] for code, pair in parsed.items()})
    filled = (text != "").any(
        axis=1
    )  # blank rows (spreadsheet leftovers) are skipped; they raise no parse issue
    if not filled.any():
        issues.add_file(ERR_NO_ROWS)
        return IntakeResult(cases=pd.DataFrame(), errors=issues.frame(), warnings=warnings.frame())
    if filled.all():
        rows = issues.rows
    else:
        text, cases, rows = text[filled], cases[filled], issues.rows[filled]
    issues.rows = warnings.rows = rows
    inpatient = text["med_type"].isin(cols.INPATIENT_MED_TYPES)
    # An infant may leave age blank (4101: required from one year); with nwb_age given, it counts as 0 years.
    cases["age"] = cases["age"].mask(cases["age"].isna() & cases["nwb_age"].notna(), 0)
    _check_required(text, inpatient, issues)
    _check_stay(cases, text, issues)
    _check_money(cases, text, issues)
    _check_duplicates(text, rows, issues)
    _plausibility(cases, inpatient, warnings)
    cases.insert(0, "row", rows)
    return IntakeResult(
        cases=cases.reset_index(drop=True), errors=issues.frame(), warnings=warnings.frame()
    )


def quality_warnings(cases: pd.DataFrame, rows: pd.Series) -> pd.DataFrame:
    """The quality warnings intake gives a case (the plausibility rules of ``cases_validate``), on typed
    cases as ``cases_validate`` returns them or as read back from the case table (codes as text; ages,
    weights and days as ``Int64``; money in fen, missing as NA): an issue table, ``row`` taken from ``rows``.
    The national reconciliation compares these, per stored case, with the national quality control."""
    warnings = _Issues(rows.set_axis(cases.index))
    _plausibility(cases, cases["med_type"].isin(cols.INPATIENT_MED_TYPES), warnings)
    return warnings.frame()
