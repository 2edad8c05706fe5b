"""Supervision pages (监管考核), mounted at /supervision/ by config/urls.py."""

from django.urls import path

from supervision import views
from supervision.assessment import views as assessment
from supervision.dashboards import views as dashboards

app_name = "supervision"
urlpatterns = [
    path("", views.FindingListView.as_view(), name="finding_list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/confirm/", views.finding_confirm, name="finding_confirm"),
    path("findings/<int:pk>/dismiss/", views.finding_dismiss, name="finding_dismiss"),
    path("findings/<int:pk>/charge/", views.finding_charge, name="finding_charge"),
    path("detect/", views.findings_detect, name="findings_detect"),
    path("indicators/", views.indicator_table, name="indicator_table"),
    path("indicators/compute/", views.indicators_compute, name="indicators_compute"),
    path("quality/", views.quality_table, name="quality_table"),
    path("rules/", views.rule_set_list, name="rule_set_list"),
    path("rules/new/", views.rule_set_create, name="rule_set_create"),
    path("rules/<int:pk>/submit/", views.rule_set_submit, name="rule_set_submit"),
    path("rules/<int:pk>/approve/", views.rule_set_approve, name="rule_set_approve"),
    path("mine/", views.my_results, name="my_results"),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path("assessment/", assessment.assessment_list, name="assessment_list"),
    path("assessment/schemes/new/", assessment.scheme_edit, name="scheme_create"),
    path("assessment/schemes/<int:pk>/", assessment.scheme_edit, name="scheme_edit"),
    path("assessment/compute/", assessment.assessment_compute, name="assessment_compute"),
    path("assessment/<int:pk>/", assessment.assessment_detail, name="assessment_detail"),
    path(
        "assessment/<int:pk>/institutions/<int:institution>/",
        assessment.assessment_institution,
        name="assessment_institution",
    ),
    path("assessment/<int:pk>/manual/", assessment.assessment_manual, name="assessment_manual"),
    path("assessment/<int:pk>/submit/", assessment.assessment_submit, name="assessment_submit"),
    path("assessment/<int:pk>/approve/", assessment.assessment_approve, name="assessment_approve"),
    path("assessment/<int:pk>/return/", assessment.assessment_return, name="assessment_return"),
]
