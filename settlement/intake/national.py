"""The national settlement-list shape (医保结算清单, interface 4101) — pure, vectorised.

A 4101 record is a settlement (``setlinfo``) with lists: diagnoses (``diseinfo``), procedures
(``oprninfo``) and ICU stays (``icuinfo``). It arrives as JSON records, as a workbook with one sheet
per table, or as a zip of one CSV per table. ``records_validate`` checks the lists with the flat
contract's parsers (``domain.table_parse``), joins them to their records, applies the rules only the
shape has (exactly one main diagnosis, at most one main procedure), flattens each record into the
flat row (``maindiag_code``, ``otherdiag_codes``, ``main_oprn_oprt_code``, ``other_oprn_oprt_codes``,
``scs_cutd_sum_dura``) and validates those rows with ``domain.cases_validate``: every rule of the flat
path applies once, in one place. Every issue names the record (setl_id), the table, the row within
it and the field.

Tables come in as frames of cells with headers as sent. JSON records arrive joined already: their
list rows carry ``_record`` (position of the record) and ``_row`` (position within the list, from 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config.lazy import numpy as np
from config.lazy import pandas as pd
from settlement.intake import columns as cols
from settlement.intake import domain
from settlement.intake.columns import DISEINFO, ICUINFO, OPRNINFO, SETLINFO, TABLE_NAMES

RECORD, ROW = "_record", "_row"

ERR_MAIN_DIAG_NONE = "没有主要诊断：西医诊断中须有且仅有一条主诊断标志(maindiag_flag)为1。"
ERR_MAIN_DIAG_MANY = (
    "主要诊断不止一条：西医诊断中须有且仅有一条主诊断标志(maindiag_flag)为1，本结算清单有{n}条。"
)
ERR_MAIN_OPRN_MANY = (
    "主要手术及操作不止一条：主手术操作标志(main_oprn_flag)为1的至多一条，本结算清单有{n}条。"
)
ERR_NO_RECORD = "找不到对应的结算清单（按{keys}关联）。"
ERR_AMBIGUOUS_RECORD = (
    "对应多条结算清单（不同机构的结算ID相同），请在本表加上定点医药机构编号(fixmedins_code)列。"
)
ERR_KEY_MISSING = "缺少关联列：须有结算ID(setl_id)或就诊ID(mdtrt_id)。"
ERR_ICU_EXIT_BEFORE_ENTRY = "重症监护退出时间早于进入时间。"
WARN_MAIN_OPRN_NONE = "未标记主手术操作(main_oprn_flag)，已按第一行作为主要手术及操作。"
WARN_LIST_HEADER_UNKNOWN = "未识别的列“{header}”，已忽略。"

# Flat columns made from a list: the list decides them when the record has rows in it.
DERIVED = {
    "maindiag_code": DISEINFO,
    "otherdiag_codes": DISEINFO,
    "main_oprn_oprt_code": OPRNINFO,
    "other_oprn_oprt_codes": OPRNINFO,
    "scs_cutd_sum_dura": ICUINFO,
}
_FILE_LEVEL = tuple(
    template.split("{")[0]
    for template in (
        domain.ERR_HEADER_MISSING,
        domain.ERR_HEADER_DUPLICATE,
        domain.WARN_HEADER_UNKNOWN,
        domain.ERR_NO_ROWS,
    )
)
_UNUSED_NAMES = frozenset(
    field.name
    for field in cols.NATIONAL_FIELDS.values()
    if field.code in cols.NATIONAL_SETLINFO_UNUSED
)


@dataclass
class _List:
    """One list after parsing (blank rows dropped): cells, the record of each row (-1: none), its numbers."""

    text: pd.DataFrame
    parsed: pd.DataFrame
    record: pd.Series
    row: pd.Series  # the row as the user counts it within the table
    issue_row: (
        pd.Series
    )  # the row an issue is filed under: the sheet's row, or the record's number in JSON
    setl_id: pd.Series  # the record's setl_id, or the row's own key when it joins no record

    def issues(self, mask: pd.Series, table: str, field: str, values, message) -> pd.DataFrame:
        """Issues of one field on the masked rows: filed as ``table.field``, the message prefixed with the location."""
        mask = mask.reindex(self.row.index, fill_value=False).fillna(False).astype(bool)
        if not mask.any():
            return domain.empty_issues()
        where = _where(table, field, self.setl_id[mask], self.row[mask].astype(str))
        values = values[mask].astype(str).to_numpy() if isinstance(values, pd.Series) else values
        message = (
            message[mask].astype(str).to_numpy() if isinstance(message, pd.Series) else message
        )
        return pd.DataFrame(
            {
                "row": self.issue_row[mask].to_numpy(dtype="int64"),
                "column": f"{table}.{field}",
                "value": values,
                "message": where.to_numpy() + message,
            }
        )


def _where(table: str, field: str, setl_ids: pd.Series, rows: pd.Series | str) -> pd.Series:
    """'【结算ID S1｜诊断(diseinfo)第3行｜诊断代码 diag_code】' for each issue, vectorised; rows '' = the record."""
    column = cols.column_of(field if table == SETLINFO else f"{table}.{field}")
    name = f"{column.name} {field}" if column else field
    at = ("第" + rows + "行") if isinstance(rows, pd.Series) else rows
    return (
        "【结算ID "
        + setl_ids.replace("", "（空）")
        + f"｜{TABLE_NAMES[table]}({table})"
        + at
        + f"｜{name}】"
    )


def _keys(setl: pd.DataFrame) -> pd.DataFrame:
    """setl_id, mdtrt_id and fixmedins_code of each record as text ('' where absent)."""
    mapping = {domain.header_code(str(header)): header for header in setl.columns}
    return pd.DataFrame(
        {
            code: _text(setl[mapping[code]]) if code in mapping else ""
            for code in ("setl_id", "mdtrt_id", "fixmedins_code")
        },
        index=setl.index,
    )


def _text(values: pd.Series) -> pd.Series:
    """A column's cells as stripped text, converted on its distinct values."""
    codes, distinct = domain.distinct_text(values)
    return distinct.take(codes).set_axis(values.index)


def _file_issue(table: str, message: str, value: str = "") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": [domain.HEADER_ROW],
            "column": [table],
            "value": [value],
            "message": [f"{TABLE_NAMES[table]}({table})：{message}"],
        }
    )


def _list_cells(table: str, frame: pd.DataFrame, warnings: list[pd.DataFrame]) -> pd.DataFrame:
    """The list's cells keyed by column code; an unknown header is a warning, as in the flat path."""
    by_code = cols.SUBTABLE_BY_CODE[table]
    renamed = {}
    for header in frame.columns:
        code = domain.header_code(str(header), by_code) if header not in (RECORD, ROW) else None
        if code is not None:
            renamed[header] = code
        elif (
            header not in (RECORD, ROW)
            and str(header).strip()
            and not str(header).startswith("__blank_")
        ):
            warnings.append(
                _file_issue(table, WARN_LIST_HEADER_UNKNOWN.format(header=header), str(header))
            )
    return frame[list(renamed)].rename(columns=renamed)


def _list_parse(
    table: str, cells: pd.DataFrame, tz: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Parse a list with the flat parsers; issues are filed by position. Chinese-medicine diagnoses
    (diag_type 2/3) carry TCM codes, not ICD-10: their diag_code is checked as text of the national length."""
    columns = (*cols.JOIN_KEYS, *cols.SUBTABLE_COLUMNS[table])
    positions = pd.Series(np.arange(len(cells)), index=cells.index)
    if table != DISEINFO or "diag_type" not in cells:
        return domain.table_parse(cells, columns, positions, tz=tz)
    tcm = _text(cells["diag_type"]).isin(set(cols.DIAG_TYPES) - {cols.WESTERN_DIAGNOSIS})
    as_text = tuple(
        cols.Column(c.code, c.name, cols.TEXT, c.required, max_length=20)
        if c.code == "diag_code"
        else c
        for c in columns
    )
    parts = [
        domain.table_parse(cells[mask], chosen, positions[mask], tz=tz)
        for mask, chosen in ((~tcm, columns), (tcm, as_text))
    ]
    text, parsed = (pd.concat([part[i] for part in parts]).sort_index() for i in (0, 1))
    return text, parsed, pd.concat([part[2] for part in parts], ignore_index=True)


def _join(
    text: pd.DataFrame, present: set[str], keys: pd.DataFrame
) -> tuple[pd.Series, pd.Series, str]:
    """Record position of each list row (-1: none), the rows whose key names several records, the keys used."""
    on = ["setl_id" if "setl_id" in present else "mdtrt_id"]
    if "fixmedins_code" in present:
        on.insert(0, "fixmedins_code")
    right = keys[on].assign(_position=np.arange(len(keys)))
    shared = right[right.duplicated(on, keep=False)][on].drop_duplicates().assign(_shared=True)
    merged = text[on].merge(right.drop_duplicates(on), how="left", on=on)
    record = pd.Series(merged["_position"].fillna(-1).astype("int64").to_numpy(), index=text.index)
    ambiguous = pd.Series(False, index=text.index)
    if not shared.empty:
        ambiguous[:] = text[on].merge(shared, how="left", on=on)["_shared"].notna().to_numpy()
    return record.where(~ambiguous, -1), ambiguous, "、".join(on)


def _list_read(
    table: str,
    frame: pd.DataFrame,
    keys: pd.DataFrame,
    record_rows: pd.Series,
    *,
    first_row: int,
    tz: str,
    errors: list[pd.DataFrame],
    warnings: list[pd.DataFrame],
) -> _List:
    frame = frame.reset_index(drop=True)
    cells = _list_cells(table, frame, warnings)
    text, parsed, found = _list_parse(table, cells, tz)
    rows = (
        frame[ROW].astype("int64")
        if ROW in frame
        else pd.Series(np.arange(first_row, first_row + len(frame)))
    )
    filled = (text != "").any(axis=1)  # blank sheet rows are skipped, as in the flat path
    own = text["setl_id"].where(text["setl_id"] != "", text["mdtrt_id"])
    ambiguous = pd.Series(False, index=frame.index)
    if RECORD in frame:
        record = frame[RECORD].astype("int64")
    elif not {"setl_id", "mdtrt_id"} & set(cells.columns):
        errors.append(_file_issue(table, ERR_KEY_MISSING))
        record = pd.Series(-1, index=frame.index)
    else:
        record, ambiguous, on = _join(text, set(cells.columns), keys)
    joined = record >= 0
    setl_id = pd.Series(
        keys["setl_id"].to_numpy()[record.clip(lower=0).to_numpy()] if len(keys) else "",
        index=frame.index,
    )
    issue_row = (
        rows
        if RECORD not in frame
        else pd.Series(record_rows.to_numpy()[record.to_numpy()], index=frame.index)
    )
    listed = _List(text, parsed, record, rows, issue_row, setl_id.where(joined, own))
    key_field = "setl_id" if "setl_id" in cells else "mdtrt_id"
    errors.append(listed.issues(filled & ambiguous, table, key_field, own, ERR_AMBIGUOUS_RECORD))
    if RECORD not in frame and key_field in cells:
        errors.append(
            listed.issues(
                filled & ~ambiguous & ~joined, table, key_field, own, ERR_NO_RECORD.format(keys=on)
            )
        )
    errors.extend(_parse_issues(listed, table, found, filled))
    return _List(
        text[filled],
        parsed[filled],
        record[filled],
        rows[filled],
        issue_row[filled],
        listed.setl_id[filled],
    )


def _parse_issues(
    listed: _List, table: str, found: pd.DataFrame, filled: pd.Series
) -> list[pd.DataFrame]:
    """The parsers' issues (filed by position) with their location, field by field."""
    found = (
        found[filled.to_numpy()[found["row"].to_numpy(dtype="int64")]] if not found.empty else found
    )
    parts = []
    for (field, message), group in found.groupby(["column", "message"], sort=False):
        mask = pd.Series(False, index=listed.row.index)
        mask.iloc[group["row"].to_numpy(dtype="int64")] = True
        values = pd.Series("", index=listed.row.index, dtype=object)
        values.iloc[group["row"].to_numpy(dtype="int64")] = group["value"].to_numpy()
        parts.append(listed.issues(mask, table, field, values, message))
    return parts


# --- the rules of the shape, and the flat row of each record ---------------------------------------


def _per_record(mask: pd.Series, record: pd.Series, records: int) -> pd.Series:
    """How many masked rows each record has, by record position."""
    hits = record[mask & (record >= 0)].to_numpy(dtype="int64")
    return pd.Series(np.bincount(hits, minlength=records)[:records])


def _joined_list(values: pd.Series, record: pd.Series, records: int) -> pd.Series:
    """';'-joined non-blank values of each record, in row order ('' for none), by record position.

    Vectorised by rank within the record (first values, then second ones, …): a groupby joining per
    group costs a Python call per record, some 30 s for a million records.
    """
    joined = np.full(records, "", dtype=object)
    keep = ((record >= 0) & (values != "")).to_numpy()
    owners = record.to_numpy()[keep]
    order = np.argsort(owners, kind="stable")
    owners, texts = owners[order], values.to_numpy(dtype=object)[keep][order]
    rank = np.arange(len(owners)) - np.searchsorted(owners, owners, side="left")
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(rank))] if len(rank) else [0]
    for position in range(len(bounds) - 1):
        at = by_rank[bounds[position] : bounds[position + 1]]
        joined[owners[at]] = texts[at] if position == 0 else joined[owners[at]] + ";" + texts[at]
    return pd.Series(joined)


def _counted_many(
    listed: _List, flag: pd.Series, count: pd.Series, table: str, field: str, message: str
) -> pd.DataFrame:
    """An issue on every flagged row of a record that has more than one."""
    per_row = pd.Series(
        count.to_numpy()[listed.record.clip(lower=0).to_numpy()], index=listed.record.index
    )
    many = flag & (listed.record >= 0) & (per_row > 1)
    return listed.issues(
        many,
        table,
        field,
        listed.text[field],
        message.split("{n}")[0] + per_row.astype(str) + message.split("{n}")[1],
    )


def _diagnoses(
    listed: _List, records: int, errors: list[pd.DataFrame]
) -> tuple[dict[str, pd.Series], pd.Series]:
    """maindiag_code and otherdiag_codes from the western diagnoses, and each record's count of main ones."""
    text, record = listed.text, listed.record
    western = text["diag_type"].isin(["", cols.WESTERN_DIAGNOSIS])
    main = western & (text["maindiag_flag"] == "1")
    count = _per_record(main, record, records)
    errors.append(_counted_many(listed, main, count, DISEINFO, "maindiag_flag", ERR_MAIN_DIAG_MANY))
    first_main = main & ~pd.Series(
        record.where(main, -1).duplicated().to_numpy(), index=record.index
    )
    return {
        "maindiag_code": _joined_list(text["diag_code"].where(first_main, ""), record, records),
        "otherdiag_codes": _joined_list(
            text["diag_code"].where(western & ~main, ""), record, records
        ),
    }, count


def _procedures(
    listed: _List, records: int, errors: list[pd.DataFrame], warnings: list[pd.DataFrame]
) -> dict[str, pd.Series]:
    """main_oprn_oprt_code (the flagged row; the first row when none is flagged) and the others."""
    text, record = listed.text, listed.record
    flagged = text["main_oprn_flag"] == "1"
    count = _per_record(flagged, record, records)
    errors.append(
        _counted_many(listed, flagged, count, OPRNINFO, "main_oprn_flag", ERR_MAIN_OPRN_MANY)
    )
    first = (record >= 0) & ~record.duplicated()
    unflagged = first & pd.Series(
        count.to_numpy()[record.clip(lower=0).to_numpy()] == 0, index=record.index
    )
    warnings.append(
        listed.issues(
            unflagged, OPRNINFO, "main_oprn_flag", text["main_oprn_flag"], WARN_MAIN_OPRN_NONE
        )
    )
    main = (
        flagged & ~pd.Series(record.where(flagged, -1).duplicated().to_numpy(), index=record.index)
    ) | unflagged
    return {
        "main_oprn_oprt_code": _joined_list(
            text["oprn_oprt_code"].where(main, ""), record, records
        ),
        "other_oprn_oprt_codes": _joined_list(
            text["oprn_oprt_code"].where(~main, ""), record, records
        ),
    }


def _icu_stays(listed: _List, records: int, errors: list[pd.DataFrame]) -> dict[str, pd.Series]:
    """scs_cutd_sum_dura of each record: the sum of its stays (a stay without a duration counts exit − entry)."""
    parsed = listed.parsed
    entry, exit_ = parsed["scs_cutd_inpool_time"], parsed["scs_cutd_exit_time"]
    errors.append(
        listed.issues(
            exit_ < entry,
            ICUINFO,
            "scs_cutd_exit_time",
            listed.text["scs_cutd_exit_time"],
            ERR_ICU_EXIT_BEFORE_ENTRY,
        )
    )
    by_times = ((exit_ - entry).dt.total_seconds() // 60).astype("Int64")
    minutes = parsed["scs_cutd_sum_dura"].astype("Int64").fillna(by_times.where(by_times >= 0))
    known = minutes.notna() & (listed.record >= 0)
    total = (
        minutes[known]
        .groupby(listed.record[known].to_numpy())
        .sum()
        .reindex(np.arange(records))
        .astype("Int64")
    )
    text = (
        (total // 1440).astype(str)
        + "/"
        + (total % 1440 // 60).astype(str)
        + "/"
        + (total % 60).astype(str)
    )
    return {"scs_cutd_sum_dura": text.where(total.notna(), "").astype(object)}


def _flat_frame(
    setl: pd.DataFrame, derived: dict[str, pd.Series], has_rows: dict[str, pd.Series]
) -> pd.DataFrame:
    """The record's flat row: its setlinfo cells (national fields the portal does not keep dropped), and
    the columns its lists decide — a record without rows in a list keeps the flat alias it carries."""
    keep, alias = [], {}
    for header in setl.columns:
        code = domain.header_code(str(header))
        text = str(header).strip()
        if code in DERIVED:
            alias[code] = header
        elif header not in (RECORD, ROW) and not (
            code is None
            and (text.lower() in cols.NATIONAL_SETLINFO_UNUSED or text in _UNUSED_NAMES)
        ):
            keep.append(header)
    flat = setl[keep].copy()
    for code, table in DERIVED.items():
        base = _text(setl[alias[code]]) if code in alias else pd.Series("", index=setl.index)
        values = derived.get(code, pd.Series("", index=np.arange(len(setl)))).set_axis(setl.index)
        flat[code] = values.where(has_rows[table].set_axis(setl.index), base)
    return flat


def _record_issues(issues: pd.DataFrame, keys: pd.DataFrame, first_row: int) -> pd.DataFrame:
    """Flat issues with the record's location: a list's column names its list, the rest setlinfo."""
    if issues.empty:
        return issues
    position = issues["row"].to_numpy(dtype="int64") - first_row
    file_level = (
        (position < 0)
        | (position >= len(keys))
        | issues["message"].str.startswith(_FILE_LEVEL).to_numpy()
    )
    at = np.clip(position, 0, max(len(keys) - 1, 0))
    setl_ids = pd.Series(keys["setl_id"].to_numpy()[at] if len(keys) else "", index=issues.index)
    located = issues.copy()
    for column, group in issues[~file_level].groupby("column", sort=False):
        table = DERIVED.get(column, SETLINFO)
        ids = setl_ids[group.index]
        where = (
            _where(table, column, ids, group["row"].astype(str))
            if table == SETLINFO
            else _derived_where(table, column, ids)
        )
        located.loc[group.index, "message"] = where + group["message"]
    located.loc[file_level, "message"] = (
        f"{TABLE_NAMES[SETLINFO]}({SETLINFO})：" + issues.loc[file_level, "message"]
    )
    return located


def _derived_where(table: str, column: str, setl_ids: pd.Series) -> pd.Series:
    return (
        "【结算ID "
        + setl_ids.replace("", "（空）")
        + f"｜{TABLE_NAMES[table]}({table})｜{cols.column_label(column)}】"
    )


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Gaps (a JSON row without a field) as None in object columns, which the parsers read as blank."""
    return frame.astype(object) if frame.isna().to_numpy().any() else frame


def _issue_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [part for part in parts if not part.empty]
    return (
        pd.concat(parts, ignore_index=True)[domain.ISSUE_FIELDS] if parts else domain.empty_issues()
    )


@dataclass
class _Lists:
    """What the lists give the flat rows: the columns made from them, which records have rows in each
    list, which records had an error in each list, and each record's count of main diagnoses."""

    derived: dict[str, pd.Series]
    has_rows: dict[str, pd.Series]
    failed: dict[str, pd.Series]
    main_count: pd.Series


def _lists_read(
    tables: Mapping[str, pd.DataFrame],
    keys: pd.DataFrame,
    record_rows: pd.Series,
    *,
    first_row: int,
    tz: str,
    errors: list[pd.DataFrame],
    warnings: list[pd.DataFrame],
) -> _Lists:
    records = len(keys)
    none = pd.Series(False, index=np.arange(records))
    lists = _Lists({}, {}, {}, pd.Series(0, index=np.arange(records)))
    for table in cols.SUBTABLES:
        frame = tables.get(table)
        lists.has_rows[table] = lists.failed[table] = none
        if frame is None or frame.empty:
            continue
        before = len(errors)
        listed = _list_read(
            table,
            frame,
            keys,
            record_rows,
            first_row=first_row,
            tz=tz,
            errors=errors,
            warnings=warnings,
        )
        lists.has_rows[table] = (
            _per_record(pd.Series(True, index=listed.record.index), listed.record, records) > 0
        )
        if table == DISEINFO:
            found, lists.main_count = _diagnoses(listed, records, errors)
        elif table == OPRNINFO:
            found = _procedures(listed, records, errors, warnings)
        else:
            found = _icu_stays(listed, records, errors)
        lists.derived.update(found)
        bad_rows = _issue_frame(errors[before:])["row"]
        bad = listed.issue_row.isin(bad_rows) if RECORD in frame else listed.row.isin(bad_rows)
        lists.failed[table] = _per_record(bad, listed.record, records) > 0
    return lists


def _no_main_diagnosis(
    lists: _Lists, flat: pd.DataFrame, keys: pd.DataFrame, record_rows: pd.Series
) -> pd.DataFrame:
    """Records without a main diagnosis: none flagged in their diagnoses, or no diagnoses and no alias."""
    none = (lists.main_count == 0) & (
        lists.has_rows[DISEINFO] | (flat["maindiag_code"].reset_index(drop=True) == "")
    )
    none &= (
        (keys != "").any(axis=1).reset_index(drop=True)
    )  # a blank sheet row is skipped, not a record
    lists.failed[DISEINFO] = lists.failed[DISEINFO] | none
    if not none.any():
        return domain.empty_issues()
    where = _derived_where(DISEINFO, f"{DISEINFO}.maindiag_flag", keys["setl_id"][none]).to_numpy()
    return pd.DataFrame(
        {
            "row": record_rows[none].to_numpy(),
            "column": f"{DISEINFO}.maindiag_flag",
            "value": "",
            "message": where + ERR_MAIN_DIAG_NONE,
        }
    )


def _not_repeated(flat_errors: pd.DataFrame, lists: _Lists, first_row: int) -> pd.DataFrame:
    """Flat errors without those on a column made from a list whose rows already failed for that record."""
    records = len(lists.main_count)
    if flat_errors.empty or not records:
        return flat_errors
    position = np.clip(flat_errors["row"].to_numpy(dtype="int64") - first_row, 0, records - 1)
    repeated = np.zeros(len(flat_errors), dtype=bool)
    for column, table in DERIVED.items():
        repeated |= (flat_errors["column"] == column).to_numpy() & lists.failed[table].to_numpy()[
            position
        ]
    return flat_errors[~repeated]


def records_validate(
    tables: Mapping[str, pd.DataFrame],
    *,
    known_institutions: Mapping[str, object],
    own_institution: str | None = None,
    first_row: int = 2,
    tz: str = domain.TZ,
) -> domain.IntakeResult:
    """Validate 4101 records: ``tables`` maps setlinfo / diseinfo / oprninfo / icuinfo to frames of cells.

    ``first_row``: the user's number of the first row of every table (2 in a sheet or CSV, 1 for JSON
    records). Any error anywhere rejects the whole batch, as in the flat path.
    """
    tables = {table: _cells(frame) for table, frame in tables.items() if frame is not None}
    setl = tables[SETLINFO].reset_index(drop=True)
    keys = _keys(setl)
    record_rows = pd.Series(np.arange(first_row, first_row + len(setl), dtype="int64"))
    errors: list[pd.DataFrame] = []
    warnings: list[pd.DataFrame] = []
    lists = _lists_read(
        tables, keys, record_rows, first_row=first_row, tz=tz, errors=errors, warnings=warnings
    )
    flat = _flat_frame(setl, lists.derived, lists.has_rows)
    errors.append(_no_main_diagnosis(lists, flat, keys, record_rows))
    result = domain.cases_validate(
        flat,
        known_institutions=known_institutions,
        own_institution=own_institution,
        first_row=first_row,
        tz=tz,
    )
    return domain.IntakeResult(
        cases=result.cases,
        errors=_issue_frame(
            [
                _record_issues(_not_repeated(result.errors, lists, first_row), keys, first_row),
                *errors,
            ]
        ),
        warnings=_issue_frame([_record_issues(result.warnings, keys, first_row), *warnings]),
    )
