from django import forms


class BatchUploadForm(forms.Form):
    file = forms.FileField(label="结算清单文件", help_text="支持 .xlsx 或 .csv；表头可用字段代码、中文名称或“中文名称 字段代码”。",
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}))
