"""Convert the CHS-DRG 1.1 rules of OpenDRG/DRG_Python (Apache-2.0) into our rule tables.

    python tools/chs_drg_convert.py <DRG_Python checkout> catalogs/data/chs_drg_11

Reads ``drg_group/chs_drg_11`` of the checkout: the data files (DATA/DRG.dat, CC.dat, MCC.dat, CCE.dat,
SS_VALID.dat) and the per-MDC / per-ADRG Python modules, which are **parsed with ``ast``, never imported
or run**: only their list literals and the shape of their ``if`` conditions are read and translated into
the condition columns of catalogs/data/drg/README.md. Writes mdc, adrg, cc, exclusions, or_procedures and
trauma as gzip-compressed CSV (the files shipped under catalogs/data/chs_drg_11/). Stops with a message
if a condition has a form it does not know, so a new upstream form cannot be converted silently wrong.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pandas as pd

SOURCE = Path("drg_group/chs_drg_11")
MDC_NAMES = {
    "MDCA": "先期分组疾病及相关操作",
    "MDCB": "神经系统疾病及功能障碍",
    "MDCC": "眼疾病及功能障碍",
    "MDCD": "头颈、耳、鼻、口、咽疾病及功能障碍",
    "MDCE": "呼吸系统疾病及功能障碍",
    "MDCF": "循环系统疾病及功能障碍",
    "MDCG": "消化系统疾病及功能障碍",
    "MDCH": "肝、胆、胰疾病及功能障碍",
    "MDCI": "肌肉、骨骼疾病及功能障碍",
    "MDCJ": "皮肤、皮下组织及乳腺疾病及功能障碍",
    "MDCK": "内分泌、营养、代谢疾病及功能障碍",
    "MDCL": "肾脏及泌尿系统疾病及功能障碍",
    "MDCM": "男性生殖系统疾病及功能障碍",
    "MDCN": "女性生殖系统疾病及功能障碍",
    "MDCO": "妊娠、分娩及产褥期",
    "MDCP": "新生儿及其他围产期新生儿疾病",
    "MDCQ": "血液、造血器官及免疫疾病和功能障碍",
    "MDCR": "骨髓增生疾病和功能障碍，低分化肿瘤",
    "MDCS": "感染及寄生虫病（全身性或不明确部位的）",
    "MDCT": "精神疾病及功能障碍",
    "MDCU": "酒精/药物使用及其引起的器质性精神功能障碍",
    "MDCV": "创伤、中毒及药物毒性反应",
    "MDCW": "烧伤",
    "MDCX": "影响健康因素及其他就医情况",
    "MDCY": "HIV感染疾病及相关操作",
    "MDCZ": "多发严重创伤",
}
SEVERITY_SUFFIXES = (
    "，伴严重并发症或合并症",
    "，伴并发症或合并症",
    "，不伴并发症或合并症",
    "，不伴严重并发症或合并症",
)


def fail(message: str) -> None:
    raise SystemExit(f"chs_drg_convert: {message}")


def lines(path: Path) -> list[tuple[str, str]]:
    """(first field, rest) of each non-blank line of a .dat file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            code, _, rest = line.strip().partition(" ")
            rows.append((code, rest.strip()))
    return rows


def module(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def literals(tree: ast.Module) -> dict[str, list]:
    """Every ``name = [literal list]`` assignment of the module."""
    found = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ) and isinstance(node.value, ast.List):
            found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


def calls_in_order(tree: ast.Module, function: str = "group") -> list[str]:
    """The modules whose ``.group(record)`` the function calls, in order (the listed order of the rules)."""
    body = next(
        node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == function
    )
    names = []
    for node in ast.walk(body):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "group"
        ) and isinstance(node.func.value, ast.Name):
            names.append((node.lineno, node.func.value.id))
    return [name for _, name in sorted(names)]


def atoms(test: ast.expr) -> list[ast.expr]:
    """The conjuncts of an ``and`` chain (the leading ``True`` dropped)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return [atom for value in test.values for atom in atoms(value)]
    if isinstance(test, ast.Constant) and test.value is True:
        return []
    return [test]


def dnf(node: ast.expr) -> list[list[str]]:
    """A boolean of ``"g" in ss_matched`` tests as a list of terms (each a list of groups)."""
    if isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In):
        return [[ast.literal_eval(node.left)]]
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return [term for value in node.values for term in dnf(value)]
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        terms = [[]]
        for value in node.values:
            terms = [left + right for left in terms for right in dnf(value)]
        return terms
    fail(f"unknown procedure rule {ast.unparse(node)}")


def condition(text: str, atom: ast.expr, row: dict) -> None:
    """Translate one conjunct of an ADRG or MDC condition into the row's condition columns."""
    known = {
        "record.zdList[0] in adrg_zd": ("diag_match", "main"),
        "intersect(record.zdList, adrg_zd)": ("diag_match", "any"),
        "record.ssList[0] in adrg_ss": ("proc_match", "main"),
        "record.ssList[0] in SS_VALID": ("proc_match", "or_main"),
        "not intersect(record.ssList, SS_VALID)": ("proc_match", "no_or"),
        "record.zdList[0] in mdc_zd": ("diag", "main"),
        "record.gender == 1": ("sex", "M"),
        "record.gender == 2": ("sex", "F"),
        "int(record.age) == 0": ("age_days_max", "364"),
    }
    if text in known:
        key, value = known[text]
        row[key] = value
    elif text in ("record.ssList", "record.weight", "record.ageDay != None"):
        pass  # presence tests: implied by the condition they guard
    elif text == "record.ageDay <= 28":
        row["age_days_max"] = "28"
    elif text.startswith("record.weight >= "):
        row["weight_min"] = text.split()[-1]
    elif text.startswith("record.weight < "):
        row["weight_max"] = text.split()[-1]
    elif text in ("intersect(record.ssList, adrg_ss)", "intersect(record.ssList, adrg_ss1)"):
        row["proc_match"], row["pair"] = "any", True
    elif "ss_matched" in text:
        row["proc_match"], row["proc_rule"] = "any", "|".join("+".join(term) for term in dnf(atom))
    else:
        fail(f"unknown condition {text}")


def adrg_row(path: Path, mdc: str) -> dict:
    tree = module(path)
    lists = literals(tree)
    test = next(node.test for node in ast.walk(tree) if isinstance(node, ast.If))
    row = {
        "adrg": path.stem,
        "mdc": mdc,
        "diag_match": "",
        "proc_match": "",
        "proc_rule": "",
        "age_days_max": "",
        "weight_min": "",
        "weight_max": "",
    }
    for atom in atoms(test):
        condition(ast.unparse(atom), atom, row)
    unique = lambda values: list(dict.fromkeys(values))  # noqa: E731
    row["diag_codes"] = ";".join(unique(lists.get("adrg_zd", []))) if row["diag_match"] else ""
    if row.pop("pair", False):
        row["proc_rule"] = "1+2"
        procedures = [f"1:{c}" for c in lists["adrg_ss"]] + [f"2:{c}" for c in lists["adrg_ss1"]]
    elif row["proc_rule"]:
        procedures = [
            f"{group}:{code}"
            for code, group in zip(lists["adrg_ss"], lists["adrg_ss1"], strict=True)
        ]
    else:
        procedures = lists.get("adrg_ss", []) if row["proc_match"] == "main" else []
    row["proc_codes"] = ";".join(unique(procedures))
    digits = sorted(
        {
            node.value[-1]
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and len(node.value) == 4
            and node.value[:3] == path.stem
        }
    )
    row["split"] = "".join(digits)
    procedure = row["proc_match"] in ("main", "any", "or_main", "or_any")
    row["kind"] = ("surgical" if path.stem[1] <= "J" else "operation") if procedure else "medical"
    return row


def mdc_row(path: Path) -> tuple[dict, list[dict]]:
    """The MDC's row and, for the multiple-trauma MDC, its body regions."""
    tree = module(path)
    codes = literals(tree).get("mdc_zd", [])
    test = next(node.test for node in ast.walk(tree) if isinstance(node, ast.If))
    if isinstance(test, ast.UnaryOp):
        test = test.operand
    row = {
        "mdc": path.stem,
        "name": MDC_NAMES[path.stem],
        "sex": "",
        "age_days_max": "",
        "or_procedure": "",
        "min_regions": "",
    }
    for atom in atoms(test):
        condition(ast.unparse(atom).replace("adrg_ss", "mdc_ss"), atom, row)
    if row.pop("proc_match", "") == "or_main":
        row["or_procedure"] = "yes"
    row.pop("diag", None)
    regions, current = [], None
    for code in codes:
        if code.endswith("创伤"):
            current = {"region": f"R{len(regions) + 1:02d}", "name": code, "codes": []}
            regions.append(current)
        elif current is not None:
            current["codes"].append(code)
    if regions:
        row["min_regions"] = "2"
        codes = [code for code in codes if not code.endswith("创伤")]
    row["diag_codes"] = ";".join(dict.fromkeys(codes))
    trauma = [
        {
            "region": r["region"],
            "name": r["name"],
            "diag_codes": ";".join(dict.fromkeys(r["codes"])),
        }
        for r in regions
    ]
    return row, trauma


def adrg_name(adrg: str, drgs: dict[str, str]) -> str:
    name = next(text for code, text in drgs.items() if code[:3] == adrg)
    for suffix in SEVERITY_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


def convert(root: Path) -> dict[str, pd.DataFrame]:
    base = root / SOURCE
    drgs = dict(lines(base / "DATA" / "DRG.dat"))
    order = calls_in_order(module(base / "Grouper.py"))
    mdcs, adrgs, trauma = [], [], []
    for mdc in order:
        row, regions = mdc_row(base / "MDC" / f"{mdc}.py")
        mdcs.append(row)
        trauma += regions
        for adrg in calls_in_order(module(base / "MDC" / f"{mdc}.py")):
            adrgs.append(
                adrg_row(base / "ADRG" / f"{adrg}.py", mdc) | {"name": adrg_name(adrg, drgs)}
            )
    mcc, cc = lines(base / "DATA" / "MCC.dat"), lines(base / "DATA" / "CC.dat")
    levels = {code: ("CC", family) for code, family in cc} | {
        code: ("MCC", family) for code, family in mcc
    }
    exclusions = pd.DataFrame(lines(base / "DATA" / "CCE.dat"), columns=["diag_code", "family"])
    families = exclusions.groupby("family", sort=False)["diag_code"].agg(
        lambda codes: ";".join(dict.fromkeys(codes))
    )
    cc_families = sorted(
        {family for _, family in levels.values()} - set(families.index), key=lambda f: (len(f), f)
    )
    exclusion_rows = [(family, f"排除表{family}", codes) for family, codes in families.items()]
    exclusion_rows += [
        (family, f"排除表{family}（不排除任何主要诊断）", "") for family in cc_families
    ]
    return {
        "mdc": pd.DataFrame(mdcs)[
            ["mdc", "name", "diag_codes", "sex", "age_days_max", "or_procedure", "min_regions"]
        ],
        "adrg": pd.DataFrame(adrgs)[
            [
                "adrg",
                "mdc",
                "name",
                "kind",
                "split",
                "diag_match",
                "diag_codes",
                "proc_match",
                "proc_codes",
                "proc_rule",
                "age_days_max",
                "weight_min",
                "weight_max",
            ]
        ],
        "cc": pd.DataFrame(
            [(code, level, family) for code, (level, family) in levels.items()],
            columns=["diag_code", "level", "family"],
        ),
        "exclusions": pd.DataFrame(exclusion_rows, columns=["family", "name", "diag_codes"]),
        "or_procedures": pd.DataFrame(
            lines(base / "DATA" / "SS_VALID.dat"), columns=["proc_code", "name"]
        ).drop_duplicates("proc_code"),
        "trauma": pd.DataFrame(trauma, columns=["region", "name", "diag_codes"]),
    }


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        fail("usage: chs_drg_convert.py <DRG_Python checkout> <output directory>")
    target = Path(argv[2])
    target.mkdir(parents=True, exist_ok=True)
    for table, frame in convert(Path(argv[1])).items():
        frame.to_csv(
            target / f"{table}.csv.gz", index=False, compression={"method": "gzip", "mtime": 0}
        )
        print(f"{table}: {len(frame)} rows")


if __name__ == "__main__":
    main(sys.argv)
