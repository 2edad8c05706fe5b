"""The notice form of the bureau's pages; ``services.notice_create`` decides what is allowed."""

from __future__ import annotations

from django import forms

from catalogs.models import Institution, Region
from notices.choices import NoticeKind
from settlement.runs.forms import StyledForm


class NoticeForm(StyledForm):
    region = forms.ModelChoiceField(label="统筹区", queryset=Region.objects.order_by("code"))
    kind = forms.ChoiceField(label="类别", choices=NoticeKind.choices)
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 6}))
    to_all = forms.BooleanField(label="发送给统筹区全部机构", required=False, initial=True)
    institutions = forms.ModelMultipleChoiceField(
        label="指定机构",
        required=False,
        queryset=Institution.objects.order_by("code"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    publish = forms.BooleanField(label="立即发布", required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("to_all", "publish"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
