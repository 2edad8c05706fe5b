"""Supervision pages (监管考核), mounted at /supervision/ by config/urls.py."""

from django.urls import path

from audit import views

app_name = "supervision"
urlpatterns = [
    path("", views.finding_list, name="finding_list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/confirm/", views.finding_confirm, name="finding_confirm"),
    path("findings/<int:pk>/dismiss/", views.finding_dismiss, name="finding_dismiss"),
    path("detect/", views.findings_detect, name="findings_detect"),
    path("indicators/", views.indicator_table, name="indicator_table"),
    path("indicators/compute/", views.indicators_compute, name="indicators_compute"),
    path("quality/", views.quality_table, name="quality_table"),
    path("rules/", views.rule_set_list, name="rule_set_list"),
    path("rules/new/", views.rule_set_create, name="rule_set_create"),
    path("rules/<int:pk>/submit/", views.rule_set_submit, name="rule_set_submit"),
    path("rules/<int:pk>/approve/", views.rule_set_approve, name="rule_set_approve"),
    path("mine/", views.my_results, name="my_results"),
]
