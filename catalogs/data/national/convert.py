"""Convert OpenDRG/DRG_Python's national code lists into the portal's shipped dictionary files.

    .venv/bin/python catalogs/data/national/convert.py --repo /work/.mirror/OpenDRG+DRG_Python/repo [--commit HEAD]

Reads, at one commit of the source repository (Apache-2.0, see LICENSE and NOTICE beside this file):

- ``drg_group/chs_drg_11/ICD/ZD_INFO.dat`` — ICD-10 医保版 2.0 diagnoses, ``<code> <name>`` per line (UTF-8);
- ``drg_group/chs_drg_11/ICD/SS_INFO.dat`` — ICD-9-CM-3 医保版 procedures, same layout;
- ``drg_group/chs_drg_11/DATA/SS_VALID.dat`` — the procedures the CHS-DRG 1.1 grouper counts as operating-room
  procedures (有效手术操作, used for the surgical ADRGs and the ungroupable check).

Writes ``icd10_yb20.csv.gz``, ``icd9cm3_yb.csv.gz`` (UTF-8 CSV with the Chinese headers of the dictionary
upload, gzip without a timestamp so a rerun gives identical bytes) and ``manifest.json`` (source, commit,
row counts, SHA-256). Derived columns, documented in docs/reference-data.md: 类目/亚目 from the code;
手术室手术 = listed in SS_VALID; 操作类型 = 手术 for an operating-room procedure, else 诊断性 by the rule below,
else 治疗性. Standard library only, so it runs without the portal installed.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
import subprocess
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE_REPO = "https://github.com/OpenDRG/DRG_Python"
BASE = "drg_group/chs_drg_11"
FILES = {
    "diagnoses": f"{BASE}/ICD/ZD_INFO.dat",
    "procedures": f"{BASE}/ICD/SS_INFO.dat",
    "operating_room": f"{BASE}/DATA/SS_VALID.dat",
}
OUTPUT = {"diagnoses": "icd10_yb20.csv.gz", "procedures": "icd9cm3_yb.csv.gz"}
HEADERS = {
    "diagnoses": ["诊断编码", "诊断名称", "类目", "亚目"],
    "procedures": ["手术操作编码", "手术操作名称", "类目", "亚目", "手术室手术", "操作类型"],
}
# Not an operating-room procedure and diagnostic by ICD-9-CM-3 chapter 16's diagnostic categories (87-91:
# imaging, interviews and evaluations, function tests, laboratory examinations) or by its name.
DIAGNOSTIC_CATEGORIES = {"87", "88", "89", "90", "91"}
DIAGNOSTIC_NAME = re.compile(
    "活组织检查|活检|诊断性|造影|检查|测定|监测|描记|试验|扫描|成像|评估|评定|检测|显像|测量|镜检"
)


def source_text(repo: Path, commit: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{path}"], check=True, capture_output=True
    ).stdout.decode("utf-8")


def entries(text: str) -> list[tuple[str, str]]:
    """``(code, name)`` of each non-empty line; the name is everything after the first space."""
    pairs = []
    for line in text.splitlines():
        code, _, name = line.strip().partition(" ")
        if code:
            pairs.append((code, name.strip()))
    return pairs


def diagnosis_row(code: str, name: str) -> list[str]:
    """类目 = the three characters before the dot; 亚目 = one digit more (blank for ``I10.x00``: no 亚目)."""
    subcategory = code[:5] if code[4:5].isdigit() else ""
    return [code, name, code[:3], subcategory]


def procedure_row(code: str, name: str, operating_room: bool) -> list[str]:
    """类目 = the two digits before the dot, 亚目 = one digit more (``36.0``)."""
    if operating_room:
        kind = "手术"
    elif code[:2] in DIAGNOSTIC_CATEGORIES or DIAGNOSTIC_NAME.search(name):
        kind = "诊断性"
    else:
        kind = "治疗性"
    return [code, name, code[:2], code[:4], "是" if operating_room else "否", kind]


def csv_gz(header: list[str], rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return gzip.compress(text.getvalue().encode("utf-8"), compresslevel=9, mtime=0)


def convert(repo: Path, commit: str) -> dict:
    resolved = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", commit], check=True, capture_output=True, text=True
    ).stdout.strip()
    texts = {key: source_text(repo, resolved, path) for key, path in FILES.items()}
    operating_room = {code for code, _ in entries(texts["operating_room"])}
    tables = {
        "diagnoses": [diagnosis_row(code, name) for code, name in entries(texts["diagnoses"])],
        "procedures": [
            procedure_row(code, name, code in operating_room)
            for code, name in entries(texts["procedures"])
        ],
    }
    manifest = {
        "source": SOURCE_REPO,
        "commit": resolved,
        "licence": "Apache-2.0",
        "converted": date.today().isoformat(),
        "files": {},
    }
    for table, rows in tables.items():
        data = csv_gz(HEADERS[table], rows)
        (HERE / OUTPUT[table]).write_bytes(data)
        manifest["files"][table] = {
            "file": OUTPUT[table],
            "source_path": FILES[table],
            "rows": len(rows),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    manifest["files"]["procedures"]["operating_room_source_path"] = FILES["operating_room"]
    manifest["files"]["procedures"]["operating_room_rows"] = sum(
        row[4] == "是" for row in tables["procedures"]
    )
    (HERE / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repo",
        type=Path,
        required=True,
        help="a clone (or bare git directory) of OpenDRG/DRG_Python",
    )
    parser.add_argument("--commit", default="HEAD")
    print(
        json.dumps(
            convert(parser.parse_args().repo, parser.parse_args().commit),
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
