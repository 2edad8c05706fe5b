from django import forms


class EventFilterForm(forms.Form):
    actor = forms.CharField(label="操作人", required=False)
    object_type = forms.ChoiceField(label="对象类型", required=False)
    object_id = forms.CharField(label="对象ID", required=False)
    action = forms.ChoiceField(label="操作", required=False)
    date_from = forms.DateField(label="开始日期", required=False)
    date_to = forms.DateField(label="结束日期", required=False)

    def __init__(self, *args, actions: list[str], object_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部")] + [(a, a) for a in actions]
        self.fields["object_type"].choices = [("", "全部")] + [(t, t) for t in object_types]
