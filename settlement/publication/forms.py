"""Forms of the publication pages; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from disputes.choices import Subject
from settlement.runs.forms import StyledForm


class PublishForm(StyledForm):
    note = forms.CharField(label="公示说明", required=False, max_length=500)
    notify = forms.BooleanField(label="同时向相关机构发布公告", required=False, initial=True)


class ConfirmForm(StyledForm):
    note = forms.CharField(label="说明", required=False, max_length=500)


class ObjectionForm(StyledForm):
    subject = forms.ChoiceField(label="争议事项", choices=Subject.choices, initial=Subject.AMOUNT)
    reason = forms.CharField(
        label="异议理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class HolidayForm(StyledForm):
    day = forms.DateField(label="日期")
    name = forms.CharField(label="名称", max_length=50)
    workday = forms.BooleanField(label="调休上班日", required=False)
