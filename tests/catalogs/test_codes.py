"""catalogs.codes: the one definition of the national code forms, table-driven on every form."""

from __future__ import annotations

import pandas as pd
import pytest

from catalogs import codes

DIAGNOSES = [
    # (code, is a diagnosis, deciding part, manifestation)
    ("A00.000", True, "A00.000", ""),
    ("I10.x00", True, "I10.x00", ""),
    ("J18.900x001", True, "J18.900x001", ""),
    ("A35.x00x001", True, "A35.x00x001", ""),
    ("A17.000+G01*", True, "A17.000", "G01*"),
    ("A01.001+K77.0*", True, "A01.001", "K77.0*"),
    ("A01.000x005+J17.0*", True, "A01.000x005", "J17.0*"),
    ("B49.x01+G02.1*", True, "B49.x01", "G02.1*"),
    ("A17.000+G01.x00*", True, "A17.000", "G01.x00*"),
    ("A17.000+", False, "A17.000+", ""),
    ("A17.000+G01", False, "A17.000+G01", ""),
    ("+G01*", False, "+G01*", ""),
    ("A17.000+G01*+H32.0*", False, "A17.000+G01*+H32.0*", ""),
    ("I21", False, "I21", ""),
    ("I21.0000", False, "I21.0000", ""),
    ("J18.900x01", False, "J18.900x01", ""),
    ("36.0601", False, "36.0601", ""),
    ("i21.000", False, "i21.000", ""),
    ("", False, "", ""),
]

PROCEDURES = [
    ("36.0601", True),
    ("01.6x00", True),
    ("00.0200x001", True),
    ("03.1x00x001", True),
    ("86.700x0013", True),
    ("17.91100", True),
    ("17.912A0", True),
    ("36.06", True),
    ("17.9110000", False),
    ("17.91", True),
    ("17.912AA", False),
    ("17.9A100", False),
    ("36", False),
    ("A36.06", False),
    ("36.0601x01", False),
    ("", False),
]


@pytest.mark.parametrize(("code", "valid", "deciding", "manifestation"), DIAGNOSES)
def test_diagnosis_forms(code, valid, deciding, manifestation):
    assert bool(codes.DIAGNOSIS.fullmatch(code)) is valid
    assert codes.is_diagnosis(pd.Index([code])).tolist() == [valid]
    assert codes.diagnosis_parts(code) == (deciding, manifestation)
    assert codes.diagnosis_deciding(pd.Series([code])).tolist() == [deciding]


@pytest.mark.parametrize(("code", "valid"), PROCEDURES)
def test_procedure_forms(code, valid):
    assert bool(codes.PROCEDURE.fullmatch(code)) is valid


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("a17.000+g01*", "A17.000+G01*"),
        ("A17.000†G01*", "A17.000+G01*"),
        ("A17.000†+G01*", "A17.000+G01*"),
        ("A17.000†", "A17.000"),
        (" A17.000 ＋ G01＊ ", "A17.000+G01*"),
        ("j18.900X001", "J18.900x001"),
        ("i10.X00", "I10.x00"),
        ("x59.900", "X59.900"),
        ("17.912a0", "17.912A0"),
        ("01.6X00", "01.6x00"),
        ("A17.000+", "A17.000+"),
    ],
)
def test_codes_are_normalised_as_the_national_dictionaries_write_them(text, normal):
    assert codes.code_normalised(text) == normal
    assert codes.codes_normalised(pd.Series([text])).tolist() == [normal]


def test_the_deciding_part_keeps_the_index_and_repeats():
    values = pd.Series(["A17.000+G01*", "I21.000", "A17.000+G01*", None], index=[5, 6, 7, 8])
    deciding = codes.diagnosis_deciding(values)
    assert deciding.index.tolist() == [5, 6, 7, 8]
    assert deciding.tolist() == ["A17.000", "I21.000", "A17.000", ""]


def test_a_list_pattern_takes_every_form_and_refuses_a_bad_entry():
    pattern = codes.list_pattern(codes.DIAGNOSIS_PATTERN)
    lists = pd.Series(["A17.000+G01*;J18.900x001;I10.x00", "I10.x00;A17.000+"])
    assert lists.str.fullmatch(pattern).tolist() == [True, False]


def test_the_longest_national_code_fits_the_column_length():
    assert len("A01.000x005+J17.0*") <= codes.CODE_LENGTH
