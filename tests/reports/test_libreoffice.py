"""A generated workbook opens in a real spreadsheet program: LibreOffice (headless) converts every
sheet of the bureau's workbook to CSV, showing the values as formatted (thousands separators, two
decimals), the totals row, and the quoted formula as plain text. Skipped on a machine without
LibreOffice; required in CI (.ci/run installs libreoffice-calc-nogui)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db.models import Sum

from reports import services
from reports.models import ReportFile
from settlement.models import CaseRecord
from tests.conftest import require_service

pytestmark = pytest.mark.django_db
# Every sheet, UTF-8, values as shown (LibreOffice's CSV filter options; token 12 = -1: all sheets).
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def soffice_convert(source: Path, out: Path) -> subprocess.CompletedProcess:
    profile = out / "profile"
    command = [
        shutil.which("soffice"),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        CSV_ALL_SHEETS,
        "--outdir",
        str(out),
        str(source),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)


def test_libreoffice_opens_the_bureau_workbook_and_shows_its_figures(world, month, tmp_path):
    require_service(
        "LibreOffice (soffice, Debian package libreoffice-calc-nogui)",
        shutil.which("soffice") is not None,
    )
    services.report_pack_generate(actor=world.officer, region=world.region, year=2024, month=3)
    source = tmp_path / "pack.xlsx"
    shutil.copy(ReportFile.objects.get(institution=None).file.path, source)
    result = soffice_convert(source, tmp_path)
    assert result.returncode == 0, result.stderr
    with (tmp_path / "pack-病例明细.csv").open(encoding="utf-8") as sheet:
        rows = list(csv.reader(sheet))
    assert rows[0][:3] == ["机构编码", "机构名称", "结算ID"] and len(rows) == 1 + 7 + 1
    total = CaseRecord.objects.filter(period=world.period).aggregate(total=Sum("medfee_sumamt"))[
        "total"
    ]
    assert rows[-1][0] == "合计" and rows[-1][13] == f"{total:,.2f}"
    with (tmp_path / "pack-监管发现.csv").open(encoding="utf-8") as sheet:
        descriptions = [row[8] for row in csv.reader(sheet)]
    assert '\'=HYPERLINK("http://x","点击")' in descriptions  # shown as text, never evaluated
