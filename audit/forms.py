"""The filters of the audit trail page."""

from __future__ import annotations

from django import forms

ERR_DATE_RANGE = "开始日期不能晚于结束日期。"

_DATE_WIDGET = forms.DateInput(
    attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
)
_TEXT_ATTRS = {"class": "form-control form-control-sm"}
_SELECT_ATTRS = {"class": "form-select form-select-sm"}


class EventFilterForm(forms.Form):
    """The filters of the audit page (审计日志筛选); every field optional."""

    actor = forms.CharField(
        label="操作人",
        required=False,
        widget=forms.TextInput(attrs={**_TEXT_ATTRS, "placeholder": "用户名或姓名"}),
    )
    action = forms.ChoiceField(
        label="操作", required=False, widget=forms.Select(attrs=_SELECT_ATTRS)
    )
    object_type = forms.ChoiceField(
        label="对象类型", required=False, widget=forms.Select(attrs=_SELECT_ATTRS)
    )
    object_id = forms.CharField(
        label="对象ID", required=False, widget=forms.TextInput(attrs=_TEXT_ATTRS)
    )
    request_id = forms.CharField(
        label="请求ID", required=False, widget=forms.TextInput(attrs=_TEXT_ATTRS)
    )
    date_from = forms.DateField(label="开始日期", required=False, widget=_DATE_WIDGET)
    date_to = forms.DateField(label="结束日期", required=False, widget=_DATE_WIDGET)

    def __init__(self, *args, actions: list[str], object_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部")] + [(a, a) for a in actions]
        self.fields["object_type"].choices = [("", "全部")] + [(t, t) for t in object_types]

    def clean(self) -> dict:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", ERR_DATE_RANGE)
        return cleaned

    def filters(self) -> dict | None:
        """The filled-in filters as keyword arguments for ``selectors.event_list``; None when invalid."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return None
        return {name: value for name, value in self.cleaned_data.items() if value}
