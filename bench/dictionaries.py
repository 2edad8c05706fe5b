"""``bench/run.py dictionaries`` — load the shipped national coding dictionaries into the fresh database
through the real services, timing each list's steps: ``read`` (gunzip, parse and check every cell,
catalogs/dictionaries/files.py), ``create`` (the draft version and its codes), ``publish`` (the
difference from the codes in force, retiring, replacing ``Diagnosis`` / ``Procedure``, audit, commit).
Target (issue 16): each full list ≤ 10 s with 0 errors."""

from __future__ import annotations

import argparse
import time


def bench_dictionaries(args: argparse.Namespace) -> dict:
    from django.db import transaction

    from catalogs.choices import DictionaryKind
    from catalogs.dictionaries import files, services

    figures, rows = {}, 0
    for kind in DictionaryKind:
        started = time.perf_counter()
        table, errors = files.national_table(kind)
        read = time.perf_counter()
        if errors:
            raise SystemExit(f"{kind}: {len(errors)} errors, first: {errors[0]}")
        with transaction.atomic():
            version = services.dictionary_version_create(
                actor="bench",
                kind=kind,
                name=files.NATIONAL_NAMES[kind],
                effective_from=services.NATIONAL_EFFECTIVE_FROM,
                table=table,
            )
            created = time.perf_counter()
            services.dictionary_version_publish(actor="bench", version=version)
        done = time.perf_counter()
        rows += len(table)
        figures |= {
            f"{kind.value} read": read - started,
            f"{kind.value} create": created - read,
            f"{kind.value} publish": done - created,
            f"{kind.value} total": done - started,
        }
        print(f"  {kind.value}: {len(table):,} codes, 0 errors, {done - started:.2f} s", flush=True)
    return {
        "rows": rows,
        **figures,
        "total": sum(value for key, value in figures.items() if key.endswith(" total")),
    }


DICTIONARIES_SUBCOMMAND = (
    bench_dictionaries,
    "load the national ICD-10 / ICD-9-CM-3 医保版 lists (issue 16: each ≤ 10 s)",
    [],
)
