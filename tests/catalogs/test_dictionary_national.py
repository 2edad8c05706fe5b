"""The shipped national dictionaries load whole, with 0 errors, through the one command, once (the command
is idempotent). One test: the full load takes seconds, so it runs once for every assertion below."""

from __future__ import annotations

import csv
import gzip

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from catalogs.choices import DictionaryStatus, TreatmentType
from catalogs.dictionaries.files import NATIONAL_DIR, NATIONAL_FILES
from catalogs.dictionaries.models import Diagnosis, DictionaryVersion, Procedure

pytestmark = pytest.mark.django_db


def shipped_rows(kind: str) -> int:
    with gzip.open(NATIONAL_DIR / NATIONAL_FILES[kind], "rt", encoding="utf-8") as file:
        return sum(1 for _ in csv.reader(file)) - 1  # the header row


def test_the_national_lists_load_whole_with_every_code_form_and_a_second_run_changes_nothing(
    capsys,
):
    call_command("dictionary_load_national")
    assert (shipped_rows("diagnosis"), shipped_rows("procedure")) == (33_304, 13_686)
    assert Diagnosis.objects.count() == 33_304 and Procedure.objects.count() == 13_686
    versions = DictionaryVersion.objects.order_by("kind")
    assert [(v.kind, v.status, v.code_count) for v in versions] == [
        ("diagnosis", DictionaryStatus.PUBLISHED, 33_304),
        ("procedure", DictionaryStatus.PUBLISHED, 13_686),
    ]
    assert "OpenDRG/DRG_Python@5d523a26b110" in versions[0].source
    combined = Diagnosis.objects.get(code="A17.000+G01*")
    assert (combined.name, combined.category, combined.subcategory) == (
        "结核性脑膜炎",
        "A17",
        "A17.0",
    )
    assert Diagnosis.objects.get(code="J18.000x001").name == "喘息性支气管肺炎"
    tcm = Procedure.objects.get(code="17.912A0")
    assert (tcm.name, tcm.operating_room, tcm.treatment_type) == (
        "电针治疗",
        False,
        TreatmentType.THERAPEUTIC,
    )
    assert Procedure.objects.get(code="17.91100").name == "毫针治疗"
    stent = Procedure.objects.get(code="36.0601")
    assert (stent.operating_room, stent.treatment_type, stent.category, stent.subcategory) == (
        True,
        TreatmentType.SURGICAL,
        "36",
        "36.0",
    )
    assert Procedure.objects.filter(operating_room=True).count() == 10_251
    events = AuditEvent.objects.filter(action__startswith="dictionary_version_").count()
    assert events == 4  # create and publish, for each list
    call_command("dictionary_load_national")
    assert "已存在，未重复载入" in capsys.readouterr().out
    assert DictionaryVersion.objects.count() == 2 and Diagnosis.objects.count() == 33_304
    assert AuditEvent.objects.filter(action__startswith="dictionary_version_").count() == events
