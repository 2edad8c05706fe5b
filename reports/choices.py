from django.db import models


class PackKind(models.TextChoices):
    """报表类别: the bureau's workbook of the whole region, or one institution's own workbook."""

    BUREAU = "bureau", "统筹区月度报表（经办机构）"
    INSTITUTION = "institution", "机构月度报表"


#: The case-detail sheet's title; the download centre shows its row count.
CASE_SHEET = "病例明细"
