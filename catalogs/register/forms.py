"""Forms of the register pages: a change with its effective date, the export's region and day, the import file."""

from __future__ import annotations

from django import forms

from catalogs.choices import InstitutionLevel, InstitutionType
from catalogs.models import Institution, Region

_TEXT = {"class": "form-control form-control-sm"}
_SELECT = {"class": "form-select form-select-sm"}
_DATE = {"class": "form-control form-control-sm", "type": "date"}


class ChangeForm(forms.Form):
    """机构信息变更: the new values (prefilled with the state in force on the effective date) from that date."""

    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs=_DATE))
    level = forms.ChoiceField(
        label="医院等级", choices=InstitutionLevel.choices, widget=forms.Select(attrs=_SELECT)
    )
    type = forms.ChoiceField(
        label="机构类别", choices=InstitutionType.choices, widget=forms.Select(attrs=_SELECT)
    )
    is_grassroots = forms.BooleanField(label="基层医疗机构", required=False)
    consortium_lead = forms.ModelChoiceField(
        label="医共体牵头机构",
        queryset=Institution.objects.none(),
        required=False,
        empty_label="（无）",
        widget=forms.Select(attrs=_SELECT),
    )
    agreement_from = forms.DateField(
        label="协议期起", required=False, widget=forms.DateInput(attrs=_DATE)
    )
    agreement_to = forms.DateField(
        label="协议期止", required=False, widget=forms.DateInput(attrs=_DATE)
    )
    reason = forms.CharField(label="变更原因", max_length=200, widget=forms.TextInput(attrs=_TEXT))

    def __init__(self, *args, institution: Institution, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        leads = Institution.objects.filter(region_id=institution.region_id).exclude(
            pk=institution.pk
        )
        self.fields["consortium_lead"].queryset = leads

    def changes(self) -> dict:
        data = self.cleaned_data
        lead = data["consortium_lead"]
        return {
            "level": data["level"],
            "type": data["type"],
            "is_grassroots": data["is_grassroots"],
            "consortium_lead_id": lead.pk if lead else None,
            "agreement_from": data["agreement_from"],
            "agreement_to": data["agreement_to"],
        }


class ExportForm(forms.Form):
    region = forms.ModelChoiceField(
        label="统筹区", queryset=Region.objects.all(), widget=forms.Select(attrs=_SELECT)
    )
    day = forms.DateField(label="状态日期", widget=forms.DateInput(attrs=_DATE))


class RegisterImportForm(forms.Form):
    file = forms.FileField(
        label="机构名录（.xlsx）",
        widget=forms.ClearableFileInput(attrs={**_TEXT, "accept": ".xlsx"}),
    )
