"""The navigation bar, by role. Sections whose issue has not landed yet are shown disabled."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from accounts.regions import region_current, region_list_for_user


@dataclass(frozen=True)
class NavItem:
    label: str
    icon: str
    url_name: str | None
    bureau: bool = True
    hospital: bool = False
    expert: bool = False
    admin_only: bool = False


NAV = [
    NavItem("首页", "house", "portal:home", hospital=True, expert=True),
    NavItem("通知公告", "megaphone", "notices:notice_list", hospital=True),
    NavItem("总额预算", "piggy-bank", "budgets:budget_list"),
    NavItem("目录与机构", "journal-medical", "catalogs:version_list", hospital=True, expert=True),
    NavItem("结算清单", "file-earmark-medical", "settlement:case_list", hospital=True),
    NavItem("清单导入", "cloud-upload", "settlement:batch_list", hospital=True),
    NavItem("预分组", "diagram-3", "settlement:grouping_preview", hospital=True),
    NavItem("统筹区", "geo-alt", "settlement:region_list"),
    NavItem("结算期间", "calendar3", "settlement:period_list"),
    NavItem("结算参数", "sliders", "settlement:parameter_list"),
    NavItem("结算运行", "calculator", "settlement:run_list"),
    NavItem("全省结算", "diagram-3-fill", "settlement:province_run_list"),
    NavItem("结算关账", "lock", "settlement:period_closing"),
    NavItem("周转金", "cash-coin", "settlement:fund_list"),
    NavItem("节假日", "calendar-x", "settlement:holiday_list"),
    NavItem(
        "国家平台对账", "arrow-left-right", "reconciliation:reconciliation_list", hospital=True
    ),
    NavItem("我的结算单", "receipt", "settlement:statement_list", bureau=False, hospital=True),
    NavItem("特病单议与争议", "chat-square-text", "disputes:item_list", hospital=True, expert=True),
    NavItem("监管考核", "shield-check", "supervision:finding_list", hospital=True),
    NavItem("监管看板", "bar-chart-line", "supervision:dashboard", hospital=True),
    NavItem("年度考核", "award", "supervision:assessment_list", hospital=True),
    NavItem("报表中心", "file-earmark-spreadsheet", "reports:report_list", hospital=True),
    NavItem("后台任务", "hourglass-split", "jobs:job_list", hospital=True),
    NavItem("账号管理", "people", "portal:user_list", admin_only=True),
    NavItem("审计日志", "clipboard-data", "audit:event_list", admin_only=True),
    NavItem("接口文档", "braces", "api-docs", hospital=True),
    NavItem("接口令牌", "key", "accounts:token_list", hospital=True, expert=True),
]


def _visible(item: NavItem, user) -> bool:
    if item.admin_only:
        return user.is_bureau_admin
    if user.is_bureau:
        return item.bureau
    if user.is_hospital:
        return item.hospital
    if user.is_expert:
        return item.expert
    return False


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {
            "label": item.label,
            "icon": item.icon,
            "url": reverse(item.url_name) if item.url_name else None,
        }
        for item in NAV
        if _visible(item, user)
    ]
    return {"nav_items": items}


def region_scope(request) -> dict:
    """The current region for every page, and the header's selector when the user has more than one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    choices = region_list_for_user(user)
    return {
        "current_region": region_current(request),
        "region_choices": choices if len(choices) > 1 else [],
    }
