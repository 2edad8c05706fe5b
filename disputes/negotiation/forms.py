"""Forms of the negotiation pages; they only parse input — the rules are in the services."""

from __future__ import annotations

from django import forms

from catalogs.models import Region
from disputes.choices import AgendaStatus, AgendaTopic, MeetingStatus, ParticipantRole, Stance
from disputes.forms import SMALL, TEXT
from disputes.negotiation import selectors

DATE = {**TEXT, "type": "date"}


class MeetingForm(forms.Form):
    region = forms.ModelChoiceField(
        label="统筹区", queryset=Region.objects.order_by("code"), widget=forms.Select(attrs=SMALL)
    )
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=TEXT)
    )
    title = forms.CharField(label="会议名称", max_length=200, widget=forms.TextInput(attrs=TEXT))
    held_on = forms.DateField(
        label="会议日期", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    status = forms.ChoiceField(
        label="状态", choices=MeetingStatus.choices, widget=forms.Select(attrs=SMALL)
    )
    minutes = forms.CharField(
        label="会议纪要", required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 8})
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Region and year are fixed once the meeting exists; the status is set when editing only.
        for name in ("region", "year") if editing else ("status",):
            del self.fields[name]


class _ForMeeting(forms.Form):
    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting


class ParticipantForm(_ForMeeting):
    name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(attrs=TEXT))
    role = forms.ChoiceField(
        label="参会身份", choices=ParticipantRole.choices, widget=forms.Select(attrs=SMALL)
    )
    institution = forms.ModelChoiceField(
        label="代表机构",
        queryset=None,
        required=False,
        empty_label="—（非机构代表）",
        widget=forms.Select(attrs=SMALL),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, meeting=meeting, **kwargs)
        self.fields["institution"].queryset = selectors.institutions_of(meeting)


class AgendaForm(_ForMeeting):
    topic = forms.ChoiceField(
        label="议题类别", choices=AgendaTopic.choices, widget=forms.Select(attrs=SMALL)
    )
    proposal = forms.CharField(label="方案内容", widget=forms.Textarea(attrs={**TEXT, "rows": 2}))


class PositionForm(_ForMeeting):
    participant = forms.ModelChoiceField(
        label="代表", queryset=None, empty_label="请选择代表", widget=forms.Select(attrs=SMALL)
    )
    stance = forms.ChoiceField(
        label="意见", choices=Stance.choices, widget=forms.Select(attrs=SMALL)
    )
    statement = forms.CharField(
        label="发言要点",
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "发言要点"}),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, meeting=meeting, **kwargs)
        self.fields["participant"].queryset = selectors.participant_list(meeting)


class ConcludeForm(_ForMeeting):
    status = forms.ChoiceField(
        label="结论", choices=AgendaStatus.choices, widget=forms.Select(attrs=SMALL)
    )
    outcome = forms.CharField(
        label="协商结果",
        required=False,
        widget=forms.Textarea(
            attrs={**TEXT, "rows": 2, "placeholder": "协商结果（达成一致时必填）"}
        ),
    )


class LinkForm(_ForMeeting):
    parameter_set = forms.ModelChoiceField(
        label="形成的结算参数版本",
        queryset=None,
        required=False,
        empty_label="形成的结算参数版本（无）",
        widget=forms.Select(attrs=SMALL),
    )
    catalog_version = forms.ModelChoiceField(
        label="形成的目录版本",
        queryset=None,
        required=False,
        empty_label="形成的目录版本（无）",
        widget=forms.Select(attrs=SMALL),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, meeting=meeting, **kwargs)
        self.fields["parameter_set"].queryset = selectors.parameter_sets_of(meeting)
        self.fields["catalog_version"].queryset = selectors.catalog_versions_of(meeting)
