from django import forms


class BatchUploadForm(forms.Form):
    file = forms.FileField(
        label="结算清单文件",
        help_text="支持平铺模板的 .xlsx 或 .csv；也可按国家医保结算清单（4101）分表上传：含“结算清单”“诊断”“手术操作”“重症监护”"
        "工作表的 .xlsx，或内含 setlinfo.csv、diseinfo.csv、oprninfo.csv、icuinfo.csv 的 .zip。"
        "表头可用字段代码、中文名称或“中文名称 字段代码”。",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.csv,.zip", "class": "form-control"}
        ),
    )
