"""Reads of revolving funds for the bureau's page."""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from settlement.runs.models import RevolvingFund


def revolving_fund_list(
    *, region=None, year: int | None = None, scheme: str = "", category: str = ""
) -> QuerySet[RevolvingFund]:
    funds = RevolvingFund.objects.select_related("region", "institution", "created_by")
    filters = {"region": region, "year": year, "scheme": scheme, "category": category}
    return funds.filter(**{name: value for name, value in filters.items() if value}).order_by(
        "-year", "institution__code"
    )


def revolving_fund_total(funds: QuerySet[RevolvingFund]):
    return funds.aggregate(total=Sum("amount"))["total"]
