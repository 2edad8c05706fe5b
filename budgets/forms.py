"""Forms of the budget pages. Field-level checks here; the derivation's checks (overdraw, unbalanced
categories) come from ``budgets.domain`` through the service and are shown on the row they name."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from budgets import domain
from budgets.choices import LineMethod, PhasingMethod
from catalogs.choices import Scheme
from catalogs.models import Region

ERR_REQUIRED_FOR_METHOD = "该测算方法需要填写此项。"
ERR_WEIGHTS_REQUIRED = "按上年分月结构分月时，请填写12个月的上年实际支出。"

_TEXT = {"class": "form-control form-control-sm"}
_NUM = {"class": "form-control form-control-sm text-end"}
_SELECT = {"class": "form-select form-select-sm"}

#: Which inputs each method needs (测算方法 → 必填项).
METHOD_FIELDS = {
    LineMethod.AMOUNT: ["amount"],
    LineMethod.GROWTH: ["base", "rate"],
    LineMethod.PER_CAPITA: ["per_capita", "count"],
    LineMethod.SHARE: ["rate"],
    LineMethod.REMAINDER: [],
}


def _money(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=18,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs={**_NUM, "step": "0.01"}),
    )


def _rate(
    label: str, *, required: bool = True, decimal_places: int = 4, **bounds
) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=decimal_places + 3,
        decimal_places=decimal_places,
        widget=forms.NumberInput(attrs={**_NUM, "step": "0.0001"}),
        **bounds,
    )


class BudgetCreateForm(forms.Form):
    region = forms.ModelChoiceField(
        label="统筹区", queryset=Region.objects.all(), widget=forms.Select(attrs=_SELECT)
    )
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_NUM)
    )
    scheme = forms.ChoiceField(
        label="险种", choices=Scheme.choices, widget=forms.Select(attrs=_SELECT)
    )


class BudgetSettingsForm(forms.Form):
    """The budget-wide parameters of the compile page (编制参数)."""

    risk_reserve_rate = _rate("风险备用金比例（0–1）", min_value=0, max_value=1)
    settlement_share = _rate("备用金结余纳入DIP结算比例（0–1）", min_value=0, max_value=1)
    phasing_method = forms.ChoiceField(
        label="分月方法",
        choices=[(m.value, m.label) for m in (PhasingMethod.EQUAL, PhasingMethod.PATTERN)],
        widget=forms.Select(attrs=_SELECT),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for month in range(1, domain.MONTHS + 1):
            self.fields[f"weight_{month}"] = _money(f"{month}月")

    def main_fields(self) -> list:
        return [self["risk_reserve_rate"], self["settlement_share"], self["phasing_method"]]

    def weight_fields(self) -> list:
        return [self[f"weight_{month}"] for month in range(1, domain.MONTHS + 1)]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("phasing_method") == PhasingMethod.PATTERN:
            weights = [cleaned.get(f"weight_{m}") for m in range(1, domain.MONTHS + 1)]
            if any(w is None for w in weights) or not any(weights):
                raise forms.ValidationError(ERR_WEIGHTS_REQUIRED)
        return cleaned

    def weights(self) -> list[Decimal]:
        if self.cleaned_data["phasing_method"] != PhasingMethod.PATTERN:
            return []
        return [self.cleaned_data[f"weight_{m}"] for m in range(1, domain.MONTHS + 1)]


class BudgetLineForm(forms.Form):
    """One income, carve-out or category line and the inputs of its method."""

    code = forms.CharField(label="编码", max_length=20, widget=forms.TextInput(attrs=_TEXT))
    name = forms.CharField(label="项目名称", max_length=60, widget=forms.TextInput(attrs=_TEXT))
    method = forms.ChoiceField(label="测算方法", widget=forms.Select(attrs=_SELECT))
    amount = _money("金额（元）")
    base = _money("上年实际（元）")
    rate = _rate("增长率/比例", required=False, decimal_places=6)
    per_capita = _money("人均标准（元）")
    count = forms.IntegerField(
        label="人数", required=False, min_value=0, widget=forms.NumberInput(attrs=_NUM)
    )

    def __init__(self, *args, methods: list[tuple[str, str]], fixed_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = methods
        # A blank extra row posts the select's first option; as the initial value it leaves the row "unchanged".
        self.fields["method"].initial = methods[0][0]
        self.fixed_code = fixed_code
        if fixed_code:
            del self.fields["code"]

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in METHOD_FIELDS.get(cleaned.get("method"), []):
            if cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, ERR_REQUIRED_FOR_METHOD)
        return cleaned

    def line_code(self) -> str:
        return self.fixed_code or self.cleaned_data.get("code", "")

    def to_input(self) -> domain.LineInput:
        data = self.cleaned_data
        return domain.LineInput(
            code=self.line_code(),
            name=data["name"],
            method=data["method"],
            amount=data.get("amount"),
            base=data.get("base"),
            rate=data.get("rate"),
            per_capita=data.get("per_capita"),
            count=data.get("count"),
        )


LineFormSet = forms.formset_factory(BudgetLineForm, extra=2, can_delete=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="原因", max_length=500, widget=forms.Textarea(attrs={**_TEXT, "rows": 2})
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={**_TEXT, "accept": ".xlsx"}),
    )


class YearEndForm(forms.Form):
    """年终实际支出: one amount per carve-out line of the budget."""

    def __init__(self, *args, lines, actuals: dict[str, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        for line in lines:
            self.fields[line.code] = _money(f"{line.name}（{line.code}）")
            self.fields[line.code].required = True
            self.fields[line.code].initial = actuals.get(line.code)

    def actuals(self) -> dict[str, Decimal]:
        return dict(self.cleaned_data)
