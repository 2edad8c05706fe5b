"""The dashboard page (/supervision/dashboard/): the bureau's, or a hospital's own."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.regions import region_current
from catalogs.choices import Scheme
from config.routers import replica_view
from supervision import indicators
from supervision.dashboards import selectors
from supervision.selectors import indicator_periods, supervision_years
from supervision.views import ERR_SUPERVISION_BUREAU

DEFAULT_INDICATOR = "cost_per_stay"
DEFAULT_CATEGORY = "DIP"
_SELECT = {
    "class": "form-select form-select-sm",
    "data-autosubmit": True,
}  # static/js/forms.js submits on change


class DashboardForm(forms.Form):
    """The dashboard's choices; an invalid or missing value falls back to its default."""

    year = forms.TypedChoiceField(
        label="年度", coerce=int, required=False, widget=forms.Select(attrs=_SELECT)
    )
    scheme = forms.ChoiceField(
        label="险种", choices=Scheme.choices, required=False, widget=forms.Select(attrs=_SELECT)
    )
    indicator = forms.ChoiceField(
        label="指标",
        required=False,
        choices=[(i.code, i.label) for i in indicators.INDICATORS],
        widget=forms.Select(attrs=_SELECT),
    )
    month = forms.TypedChoiceField(
        label="月份", coerce=int, required=False, widget=forms.Select(attrs=_SELECT)
    )

    def __init__(
        self, data=None, *, years: list[int], year: int | None, months: list[int], **kwargs
    ):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = [(y, f"{y}年") for y in years]
        self.fields["month"].choices = [(m, f"{m}月") for m in months]
        self.defaults = {
            "year": year,
            "scheme": Scheme.EMPLOYEE,
            "indicator": DEFAULT_INDICATOR,
            "month": months[-1] if months else None,
        }

    def choices(self) -> dict:
        self.is_valid()  # the fields that fail are left out of cleaned_data and take their default
        return {
            name: self.cleaned_data.get(name) or default for name, default in self.defaults.items()
        }


def _choices(request: HttpRequest) -> tuple[dict, DashboardForm]:
    """The chosen values, and a form showing them; the months offered are the chosen year's with stored indicators."""
    years = supervision_years(region_current(request))
    wanted = request.GET.get("year", "")
    year = (
        int(wanted) if wanted.isdigit() and int(wanted) in years else (years[0] if years else None)
    )
    months = sorted(m for y, m in indicator_periods(region_current(request)) if y == year)
    choices = DashboardForm(request.GET, years=years, year=year, months=months).choices()
    return choices, DashboardForm(years=years, year=year, months=months, initial=choices)


@login_required
@replica_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """Bureau: fund use against budget, indicator ranking, findings, data quality, point values.
    Hospital: its own indicator, quality and confirmed findings against the region's medians."""
    user = request.user
    if not (user.is_bureau or user.is_hospital):
        raise PermissionDenied(ERR_SUPERVISION_BUREAU)
    choices, form = _choices(request)
    context = {
        "form": form,
        **choices,
        "indicator_label": indicators.BY_CODE[choices["indicator"]].label,
    }
    region = region_current(request)
    if choices["year"] is None or region is None:
        return render(request, "supervision/dashboards/empty.html", context)
    if user.is_hospital:
        data = selectors.hospital_dashboard(
            user, year=choices["year"], indicator=choices["indicator"]
        )
        return render(request, "supervision/dashboards/hospital.html", {**context, **data})
    data = selectors.bureau_dashboard(user, region=region, category=DEFAULT_CATEGORY, **choices)
    return render(request, "supervision/dashboards/bureau.html", {**context, **data})
