"""settlement.grouping.domain: cases keyed for auxiliary typing exactly as catalogs.dip.build keyed the history,
and the stored columns (stored treatment values, coefficient text only where a subtype applies)."""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd

from catalogs.choices import CatalogKind
from settlement.grouping.domain import GroupingCatalog, cases_grouped

GROUPS = pd.DataFrame(
    {
        "code": ["PCI", "I21-S"],
        "diag_code": ["I21.000", "I21"],
        "proc_code": ["36.0601", ""],
        "group_type": ["core", "comprehensive"],
        "treatment_type": ["", "surgical"],
    }
)
SUBTYPES = pd.DataFrame(
    {
        "code": ["PCI", "PCI", "PCI"],
        "dimension": ["comorbidity", "death", "age"],
        "key": ["2+", "death", "18-64"],
        "coefficient": [D("1.1500"), D("1.8000"), D("0.9000")],
    }
)


def test_typing_keys_and_the_highest_coefficient_are_those_of_the_catalog_build():
    cases = pd.DataFrame(
        {
            "maindiag_code": ["I21.000", "I21.000", "I21.000", "I21.900"],
            "main_oprn_oprt_code": ["36.0601", "36.0601", "36.0601", "36.0601"],
            "age": [70, 40, 70, 70],
            "nwb_age": [None] * 4,
            "otherdiag_codes": ["E11.900;I10.x00", "", "E11.900", "E11.900;I10.x00"],
            "dscg_way": ["5", "1", "1", "1"],
        }
    )
    catalog = GroupingCatalog(
        kind=CatalogKind.DIP,
        procedure_types={"36.0601": "surgical"},
        groups=GROUPS,
        subtypes=SUBTYPES,
    )
    result = cases_grouped(cases, catalog)
    assert result["group_code"].tolist() == ["PCI", "PCI", "PCI", "I21-S"]
    assert result["subtype"].tolist() == ["death=death", "age=18-64", "", ""]
    assert result["typing_coefficient"].tolist() == ["1.8000", "0.9000", None, None]
    assert result["treatment_type"].tolist() == ["surgical"] * 4
