from __future__ import annotations

from django import forms

from catalogs.choices import Scheme
from catalogs.models import Region
from reconciliation.choices import DiffKind, FileKind


class MonthForm(forms.Form):
    region = forms.ModelChoiceField(Region.objects.all(), label="统筹区")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    month = forms.IntegerField(label="月份", min_value=1, max_value=12)


class UploadForm(MonthForm):
    kind = forms.ChoiceField(label="文件类别", choices=FileKind.choices)
    file = forms.FileField(label="文件（CSV 或 .xlsx）")


class StartForm(MonthForm):
    scheme = forms.ChoiceField(label="险种", choices=Scheme.choices)


class DiffFilterForm(forms.Form):
    institution = forms.CharField(label="机构编号", required=False)
    kind = forms.ChoiceField(
        label="差异类型", choices=[("", "全部"), *DiffKind.choices], required=False
    )
    group = forms.CharField(label="病组编码", required=False)
