"""Reads about archived years: which settlement years' case detail left the database."""

from __future__ import annotations

from settlement.partitions.models import CaseYearArchive


def archived_years() -> set[int]:
    return set(CaseYearArchive.objects.values_list("year", flat=True))


def case_year_archived(year: int) -> bool:
    """Whether the year's case detail was archived (its runs and statements remain)."""
    return CaseYearArchive.objects.filter(year=year).exists()
