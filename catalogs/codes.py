"""Code forms of the national coding dictionaries (编码形式): the one definition of what an ICD-10 医保版 2.0
diagnosis code and an ICD-9-CM-3 医保版 procedure code look like. Pure; every place that takes a code
(intake, dictionaries, catalogs, DRG rule tables, groupers, supervision rules) uses these patterns.

Diagnoses (诊断), as the national list writes them (33,304 codes, shapes counted in docs/intake.md):

- ``A00.000``, ``I10.x00`` — category (类目, letter + 2 digits), a dot, the subcategory (亚目/细目);
- ``J18.900x001`` — with an extension (扩展码) ``x`` + 3 digits;
- ``A17.000+G01*`` — a dagger/asterisk combination (剑号/星号): the aetiology code (病因, dagger †) ``+`` the
  manifestation (临床表现, asterisk) ``G01*`` or ``M49.0*``.

A combined code is stored and shown whole; the aetiology part decides (``diagnosis_deciding``): it is the
key of the groupers and of the catalogs, and its first three characters are the category.

Procedures (手术操作): ``36.0601``, ``01.6x00``, ``00.0200x001`` and the five-character extensions of
the TCM procedures ``17.91100`` / ``17.912A0``.

Text as hospital systems send it is normalised first (``codes_normalised``): blanks removed, full-width
``＋＊．`` made half-width, letters upper-case except the ``x`` of subcategories and extensions, and the
dagger ``†`` written ``+`` (a lone trailing ``†`` only marks an aetiology code, and is dropped).
"""

from __future__ import annotations

import re

from config.lazy import numpy as np
from config.lazy import pandas as pd

_CATEGORY = r"[A-Z][0-9]{2}"
_SUBCATEGORY = r"(?:[0-9]{1,3}|x[0-9]{2})"
_DIAGNOSIS_SIMPLE = rf"{_CATEGORY}\.{_SUBCATEGORY}(?:x[0-9]{{3}})?"
_MANIFESTATION = rf"{_CATEGORY}(?:\.{_SUBCATEGORY}(?:x[0-9]{{3}})?)?\*"

# Regular-expression texts, for composing (the intake's lists) and for ``Series.str.fullmatch``.
DIAGNOSIS_PATTERN = rf"{_DIAGNOSIS_SIMPLE}(?:\+{_MANIFESTATION})?"
CATEGORY_PATTERN = _CATEGORY
DIAGNOSIS_ENTRY_PATTERN = rf"(?:{DIAGNOSIS_PATTERN}|{_CATEGORY})"
PROCEDURE_PATTERN = r"[0-9]{2}\.[0-9](?:[0-9]{0,3}|x[0-9]{2}|[0-9]{2}[0-9A-Z][0-9])(?:x[0-9]{3,4})?"

DIAGNOSIS = re.compile(DIAGNOSIS_PATTERN)
CATEGORY = re.compile(CATEGORY_PATTERN)
DIAGNOSIS_ENTRY = re.compile(
    DIAGNOSIS_ENTRY_PATTERN
)  # rule-table lists: a full code or its category
PROCEDURE = re.compile(PROCEDURE_PATTERN)
_COMBINED = re.compile(rf"^({_DIAGNOSIS_SIMPLE})\+({_MANIFESTATION})$")

# The longest national code is 18 characters (``A01.000x005+J17.0*``); columns that hold a code take 30.
CODE_LENGTH = 30

_WIDE = str.maketrans({"＋": "+", "＊": "*", "．": "."})
# After translating and upper-casing: (pattern, replacement), in order.
_STEPS = (
    (re.compile(r"\s+"), ""),
    (
        re.compile(r"(?<=[0-9.])X"),
        "x",
    ),  # the x of I10.x00 and J18.900x001; X59 (chapter XX) keeps its letter
    (re.compile(r"†$"), ""),
    (re.compile(r"†\+?"), "+"),
)


def list_pattern(pattern: str) -> str:
    """A ``;``-separated list of codes of one form."""
    return f"{pattern}(?:;{pattern})*"


def codes_normalised(values: pd.Series) -> pd.Series:
    """The codes of a text column as the national dictionaries write them (see the module docstring)."""
    text = values.astype(str).str.translate(_WIDE).str.upper()
    for pattern, replacement in _STEPS:
        text = text.str.replace(pattern, replacement, regex=True)
    return text


def code_normalised(text: str) -> str:
    """``codes_normalised`` of one code (workbook cells, form fields)."""
    text = str(text).translate(_WIDE).upper()
    for pattern, replacement in _STEPS:
        text = pattern.sub(replacement, text)
    return text


def diagnosis_deciding(values: pd.Series | pd.Index) -> pd.Series | pd.Index:
    """The part of each diagnosis that decides (the aetiology code of a combination, else the code itself).

    Runs on the distinct values, so a million cases cost a few thousand regular-expression calls."""
    positions, distinct = pd.factorize(
        pd.Series(values, dtype=object).fillna("").astype(str), use_na_sentinel=False
    )
    deciding = (
        pd.Series(distinct, dtype=object)
        .str.replace(_COMBINED, r"\1", regex=True)
        .to_numpy(dtype=object)
    )
    taken = deciding[positions] if len(distinct) else np.array([], dtype=object)
    if isinstance(values, pd.Index):
        return pd.Index(taken, dtype=object)
    return pd.Series(taken, index=values.index, dtype=object)


def diagnosis_parts(code: str) -> tuple[str, str]:
    """(deciding part, manifestation) of one diagnosis; the manifestation is "" for a simple code."""
    found = _COMBINED.match(code)
    return (found.group(1), found.group(2)) if found else (code, "")


def is_diagnosis(values: pd.Series | pd.Index) -> np.ndarray:
    """Which values are diagnosis codes (simple or combined)."""
    return np.asarray(
        pd.Index(values, dtype=object).astype(str).str.fullmatch(DIAGNOSIS_PATTERN), dtype=bool
    )
