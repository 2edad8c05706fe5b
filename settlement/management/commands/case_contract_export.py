"""Print the column contract as Markdown: ``manage.py case_contract_export`` (the table of docs/intake-contract.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from settlement.intake import contract


class Command(BaseCommand):
    help = (
        "输出结算清单字段对照（国家接口4101/2207）。Print the intake column contract as Markdown."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(
            contract.DOCS_BEGIN + "\n\n" + contract.contract_markdown() + "\n" + contract.DOCS_END
        )
