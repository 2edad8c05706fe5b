"""A data-driven CHS-DRG grouper (spec §9; CHS-DRG 1.1 as the nation writes it).

The grouping logic is fixed; the rule set is data (``DrgRules``, built by ``drg_rules`` from the tables
of catalogs/data/drg/README.md, stored as ``catalogs.DrgRuleSet``). For each case:

1. checks: main diagnosis missing or not ICD-10 医保版, sex given but not 1/2, a newborn (<= 28 days)
   without a weight -> ungroupable with the CHS-DRG reason;
2. the MDCs are tried in their **listed order** (mdc table). An MDC opens when every condition of its
   row holds: main diagnosis on its list (none for a pre-MDC such as MDCA), the patient's sex (MDCM/MDCN),
   age in days (MDCP), the main procedure being an operating-room procedure (手术室手术, pre-MDC), and at
   least ``min_regions`` body regions among all diagnoses (multiple trauma, MDCZ; trauma table);
3. inside an open MDC its ADRGs are tried in their listed order; an ADRG fires when every condition of
   its row holds: main (or any) diagnosis on its list; main procedure on its list, or procedures anywhere
   in the case satisfying a group rule (``1+2|1+3+4``: two procedures, a procedure pair), or the main
   procedure being an OR procedure, or no OR procedure at all; age in days and weight bands (newborns).
   An ``ambiguous`` row is the MDC's 歧义组 ``<letter>QY`` at its place in the list. An MDC none of whose
   ADRGs fires passes the case to the next MDC; no MDC at all -> ungroupable;
4. severity from the other diagnoses: the most severe CC/MCC (1 = MCC, 3 = CC, 5 = none) whose exclusion
   family (排除表) does not list the main diagnosis (a family may list nothing: it excludes nothing); the
   DRG digit is the smallest digit of the ADRG's split (``135``, ``15``, ``35``, ``9``) >= the severity.

A diagnosis is looked up whole first (a dagger/asterisk code ``A17.000+G01*`` matches a list entry
written so), then by its deciding part (``A17.000``, catalogs.codes), then by its 3-character category.
Every case carries ``trace`` (the outcome kind), ``trace_text`` and ``rule_trace``, which names the rule
that fired at each step (MDC and why, ADRG and its conditions, severity, DRG).

Cost: cases are reduced to distinct *units*: the main diagnosis's class (the MDC and ADRG lists it is on),
what the procedures mean to that diagnosis (the ADRG procedure lists and procedure rules they meet, only in
MDCs the diagnosis can open, and OR procedures), the "any" diagnosis lists and trauma regions hit, sex, age
and weight band — 23,680 units for 1,000,000 national cases drawn from 3,000 × 3,000 codes. The rules run
on the units (each stands in by the codes of its first case), the severity on the distinct (exclusion
families, other-diagnosis string) pairs, the result columns once per distinct (outcome, severity), and all
are spread back to the cases by position. Nothing of this shows in a result: a case groups the same alone,
in any batch and in any order (tests/catalogs/test_drg_national.py).

The package: ``tables`` reads and checks the rule tables into ``DrgRules``; ``index`` caches the indexes
derived from a rule set; ``cases`` reduces the cases to their distinct codes and runs the checks; ``units``
finds each unit's diagnosis classes and what its procedures mean (MDC and ADRG lists); ``adrg`` opens the
MDCs and fires the ADRGs in their listed order; ``severity`` finds the CC/MCC level; ``result`` writes the
DRG code, the trace and its texts; ``group`` (``drg_group``) runs them in that order.
Weights from history are in catalogs/drg/weights.py.
"""

from catalogs.drg.grouper.group import drg_group
from catalogs.drg.grouper.tables import (
    AMBIGUOUS_SUFFIX,
    DATA_DIR,
    PROC_MATCHES,
    TRACE_AMBIGUOUS,
    TRACE_INVALID_SEX,
    TRACE_NO_NEWBORN_WEIGHT,
    TRACE_TEXT,
    UNGROUPABLE_TRACES,
    DrgRules,
    drg_rules,
    drg_rules_load,
)

__all__ = [
    "AMBIGUOUS_SUFFIX",
    "DATA_DIR",
    "PROC_MATCHES",
    "TRACE_AMBIGUOUS",
    "TRACE_INVALID_SEX",
    "TRACE_NO_NEWBORN_WEIGHT",
    "TRACE_TEXT",
    "UNGROUPABLE_TRACES",
    "DrgRules",
    "drg_group",
    "drg_rules",
    "drg_rules_load",
]
