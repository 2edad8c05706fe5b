from __future__ import annotations

from django import forms

from supervision import indicators
from supervision.assessment import domain
from supervision.assessment.choices import ItemKind
from supervision.choices import Rule

_TEXT = {"class": "form-control form-control-sm"}
_SELECT = {"class": "form-select form-select-sm"}
_NUMBER = {"class": "form-control form-control-sm", "step": "0.01"}


class SchemeForm(forms.Form):
    name = forms.CharField(label="方案名称", max_length=60, widget=forms.TextInput(attrs=_TEXT))
    description = forms.CharField(label="说明", required=False, widget=forms.TextInput(attrs=_TEXT))


class ItemForm(forms.Form):
    """One row of the scheme's item table (考核项目)."""

    code = forms.CharField(
        label="编码",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**_TEXT, "size": 8}),
    )
    name = forms.CharField(
        label="项目名称", max_length=60, required=False, widget=forms.TextInput(attrs=_TEXT)
    )
    kind = forms.ChoiceField(
        label="评分方式", choices=ItemKind.choices, widget=forms.Select(attrs=_SELECT)
    )
    weight = forms.DecimalField(
        label="分值",
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs=_NUMBER),
    )
    indicator = forms.ChoiceField(
        label="监管指标（指标项）",
        required=False,
        widget=forms.Select(attrs=_SELECT),
        choices=[("", "—"), *((i.code, i.label) for i in indicators.INDICATORS)],
    )
    per_finding = forms.DecimalField(
        label="每条扣分（扣分项）",
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs=_NUMBER),
    )
    rule = forms.ChoiceField(
        label="违规规则（扣分项）",
        required=False,
        choices=[("", "全部规则"), *Rule.choices],
        widget=forms.Select(attrs=_SELECT),
    )

    def to_item(self) -> domain.Item:
        data = self.cleaned_data
        return domain.Item(
            code=data["code"].strip().upper(),
            name=data["name"].strip(),
            kind=data["kind"],
            weight=data["weight"] or 0,
            indicator=data["indicator"] if data["kind"] == domain.METRIC else "",
            per_finding=(data["per_finding"] or 0) if data["kind"] == domain.DEDUCTION else 0,
            rule=data["rule"] if data["kind"] == domain.DEDUCTION else "",
        )


ItemFormSet = forms.formset_factory(ItemForm, extra=2, can_delete=True)


def formset_items(formset) -> list[domain.Item]:
    """The filled-in rows, in order, without those marked for deletion."""
    return [
        form.to_item()
        for form in formset.forms
        if form.cleaned_data.get("code") and not form.cleaned_data.get("DELETE")
    ]


class ComputeForm(forms.Form):
    year = forms.IntegerField(
        label="考核年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_TEXT)
    )
    scheme = forms.ModelChoiceField(
        label="考核方案", queryset=None, widget=forms.Select(attrs=_SELECT)
    )

    def __init__(self, *args, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes


class ManualScoreForm(forms.Form):
    institution = forms.IntegerField(widget=forms.HiddenInput)
    item_code = forms.CharField(max_length=20, widget=forms.HiddenInput)
    points = forms.DecimalField(
        label="得分",
        min_value=0,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs=_NUMBER),
    )
    note = forms.CharField(label="评分说明", required=False, widget=forms.TextInput(attrs=_TEXT))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="退回原因", widget=forms.TextInput(attrs=_TEXT))
