"""Forms of the dispute pages; they only parse input — the rules are in the services."""

from __future__ import annotations

from django import forms

from disputes import conf
from disputes.choices import Decision, ItemKind, PanelRule, Reason, Specialty, Subject, Vote

SMALL = {"class": "form-select form-select-sm"}
TEXT = {"class": "form-control form-control-sm"}
ERR_GROUP_PAIR = "关联病种/病组时请同时选择目录版本并填写病种/病组编码。"


class ItemCreateForm(forms.Form):
    kind = forms.ChoiceField(
        label="申请类型", choices=ItemKind.choices, widget=forms.Select(attrs=SMALL)
    )
    setl_id = forms.CharField(
        label="结算清单号（特病单议必填）",
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    reasons = forms.MultipleChoiceField(
        label="申请理由",
        choices=Reason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    subject = forms.ChoiceField(
        label="争议事项（争议必填）",
        choices=[("", "—"), *Subject.choices],
        required=False,
        widget=forms.Select(attrs=SMALL),
    )
    subject_ref = forms.CharField(
        label="争议对象",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text="病种编码、结算批次号、扣款单号等。",
    )
    period = forms.ModelChoiceField(
        label="结算期间（争议可选）",
        queryset=None,
        required=False,
        empty_label="—",
        widget=forms.Select(attrs=SMALL),
    )
    run = forms.ModelChoiceField(
        label="结算批次（可选）",
        queryset=None,
        required=False,
        empty_label="—",
        widget=forms.Select(attrs=SMALL),
        help_text="本机构可查看结算单的结算运行。",
    )
    catalog_version = forms.ModelChoiceField(
        label="目录版本（关联病种/病组时必填）",
        queryset=None,
        required=False,
        empty_label="—",
        widget=forms.Select(attrs=SMALL),
    )
    group_code = forms.CharField(
        label="病种/病组编码（可选）",
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text="所选目录版本中的病种/病组编码。",
    )
    statement = forms.CharField(label="申请陈述", widget=forms.Textarea(attrs={**TEXT, "rows": 5}))
    attachment = forms.FileField(
        label="附件（PDF/JPEG/PNG，可在详情页继续上传）",
        required=False,
        widget=forms.ClearableFileInput(attrs={**TEXT, "accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, periods, runs, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods
        self.fields["run"].queryset = runs
        self.fields["catalog_version"].queryset = versions

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("catalog_version")) != bool(data.get("group_code", "").strip()):
            self.add_error("group_code", ERR_GROUP_PAIR)
        return data


class DashboardFilterForm(forms.Form):
    year = forms.IntegerField(
        label="提交年度",
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={**TEXT, "placeholder": "全部年度"}),
    )
    period = forms.ModelChoiceField(
        label="结算期间",
        queryset=None,
        required=False,
        empty_label="全部结算期间",
        widget=forms.Select(attrs=SMALL),
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods
        self.fields["period"].label_from_instance = lambda period: f"{period.region.name} {period}"


class ReasonForm(forms.Form):
    note = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class ScreenForm(forms.Form):
    passed = forms.TypedChoiceField(
        label="初审结论",
        choices=[("1", "通过，进入专家评审"), ("0", "不予受理")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="初审意见",
        required=False,
        widget=forms.Textarea(
            attrs={**TEXT, "rows": 2, "placeholder": "初审意见（不予受理时必填）"}
        ),
    )


class PanelDrawForm(forms.Form):
    specialty = forms.ChoiceField(
        label="专业", choices=Specialty.choices, widget=forms.Select(attrs=SMALL)
    )
    size = forms.IntegerField(
        label="人数", min_value=1, max_value=15, widget=forms.NumberInput(attrs=TEXT)
    )
    rule = forms.ChoiceField(
        label="表决规则", choices=PanelRule.choices, widget=forms.Select(attrs=SMALL)
    )
    seed = forms.IntegerField(
        label="随机种子（留空自动生成）",
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs=TEXT),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"size": conf.panel_size(), "rule": conf.panel_rule()})
        super().__init__(*args, **kwargs)


class VoteForm(forms.Form):
    vote = forms.ChoiceField(label="表决", choices=Vote.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(
        label="评审意见",
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3, "placeholder": "评审意见"}),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="处理决定", choices=Decision.choices, widget=forms.Select(attrs=SMALL)
    )
    value = forms.DecimalField(
        label="调整后分值",
        required=False,
        max_digits=12,
        decimal_places=4,
        widget=forms.NumberInput(attrs={**TEXT, "placeholder": "调整后分值（调整分值时必填）"}),
    )
    reason = forms.CharField(
        label="决定理由",
        widget=forms.Textarea(attrs={**TEXT, "rows": 3, "placeholder": "决定理由（必填）"}),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="意见",
        widget=forms.Textarea(
            attrs={**TEXT, "rows": 2, "placeholder": "发表意见（申请机构、经办机构和评审专家可见）"}
        ),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件（PDF/JPEG/PNG）")


class BatchForm(forms.Form):
    file = forms.FileField(
        label="批量申报文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={**TEXT, "accept": ".xlsx"}),
    )
