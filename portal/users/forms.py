"""Forms of account administration: the list's filters, a new account, the bulk import upload."""

from __future__ import annotations

from django import forms

from accounts.choices import Role
from accounts.models import User
from catalogs.models import Institution, Region
from disputes.choices import Specialty
from portal.users.excel import USERNAME

ERR_INSTITUTION = "机构编码 {code} 不存在。"
ERR_HOSPITAL_NEEDS = "医疗机构用户须填写所属机构编码。"
ERR_EXPERT_NEEDS = "专家须选择专业。"
ERR_USERNAME_TAKEN = "用户名 {username} 已存在。"
ERR_USERNAME = "用户名只能包含字母、数字和 @ . + - _。"
ERR_BUREAU_REGIONS = "经办人员和管理员须至少绑定一个统筹区，或设为省级用户。"
ERR_HOSPITAL_REGIONS = "医疗机构用户随所属机构的统筹区，不能另选统筹区。"


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        css = (
            "form-select form-select-sm"
            if isinstance(field.widget, forms.Select)
            else "form-control form-control-sm"
        )
        field.widget.attrs.setdefault("class", css)


def _institution(code: str) -> Institution | None:
    code = (code or "").strip()
    if not code:
        return None
    institution = Institution.objects.filter(code=code).first()
    if institution is None:
        raise forms.ValidationError(ERR_INSTITUTION.format(code=code))
    return institution


class RegionsForm(forms.Form):
    """所属统筹区: the regions a bureau user or an expert works in, or the province-level flag (省级用户).
    The view limits the choices to the admin's own regions and offers the flag only to a province-level admin."""

    regions = forms.ModelMultipleChoiceField(
        label="所属统筹区",
        queryset=Region.objects.order_by("code"),
        required=False,
        help_text="经办人员、管理员和专家可读写的统筹区；可多选。新建账号不选时为您当前的统筹区",
    )
    province_wide = forms.BooleanField(label="省级用户（可查看全部统筹区）", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)
        self.fields["province_wide"].widget.attrs["class"] = "form-check-input"

    def regions_checked(self, role: str, *, required: bool = True) -> None:
        data = self.cleaned_data
        if role == Role.HOSPITAL and (data.get("regions") or data.get("province_wide")):
            self.add_error("regions", ERR_HOSPITAL_REGIONS)
        if (
            required
            and role in Role.bureau()
            and not data.get("regions")
            and not data.get("province_wide")
        ):
            self.add_error("regions", ERR_BUREAU_REGIONS)


class AccountCreateForm(RegionsForm):
    field_order = ["username", "display_name", "role", "institution", "regions", "province_wide"]
    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=50)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    institution = forms.CharField(
        label="所属机构编码", required=False, max_length=30, help_text="医疗机构用户必填"
    )
    email = forms.EmailField(label="邮箱", required=False)
    phone = forms.CharField(label="手机", required=False, max_length=20)
    specialty = forms.ChoiceField(
        label="专家专业",
        required=False,
        choices=[("", "—"), *Specialty.choices],
        help_text="专家必填",
    )
    expert_institution = forms.CharField(
        label="专家所在机构编码", required=False, max_length=30, help_text="评审时回避本机构的申请"
    )
    title = forms.CharField(label="职称", required=False, max_length=30)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if not USERNAME.match(username):
            raise forms.ValidationError(ERR_USERNAME)
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(ERR_USERNAME_TAKEN.format(username=username))
        return username

    def clean_institution(self) -> Institution | None:
        return _institution(self.cleaned_data["institution"])

    def clean_expert_institution(self) -> Institution | None:
        return _institution(self.cleaned_data["expert_institution"])

    def clean(self) -> dict:
        data = super().clean()
        if (
            data.get("role") == Role.HOSPITAL
            and not data.get("institution")
            and "institution" not in self.errors
        ):
            self.add_error("institution", ERR_HOSPITAL_NEEDS)
        if data.get("role") == Role.EXPERT and not data.get("specialty"):
            self.add_error("specialty", ERR_EXPERT_NEEDS)
        # A new account without a choice gets the admin's current region (``portal.users.views``).
        self.regions_checked(data.get("role", ""), required=False)
        return data


class AccountImportForm(forms.Form):
    file = forms.FileField(label="账号表（.xlsx）")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)
