from django.urls import path

from settlement import views
from settlement.grouping import views as grouping_views
from settlement.intake import views as intake_views
from settlement.parameters import views as parameter_views

app_name = "settlement"
urlpatterns = [
    path("periods/", views.period_list, name="period_list"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("grouping/", grouping_views.grouping_summary, name="grouping_summary"),
    path("grouping/start/", grouping_views.grouping_start, name="grouping_start"),
    path("intake/", intake_views.batch_list, name="batch_list"),
    path("intake/upload/", intake_views.batch_upload, name="batch_upload"),
    path("intake/<int:pk>/", intake_views.batch_detail, name="batch_detail"),
    path("intake/<int:pk>/report.xlsx", intake_views.batch_report, name="batch_report"),
    path("intake/template/", intake_views.template_download, name="template_download"),
    path("parameters/", parameter_views.parameter_list, name="parameter_list"),
    path("parameters/new/", parameter_views.parameter_create, name="parameter_create"),
    path("parameters/<int:pk>/", parameter_views.parameter_detail, name="parameter_detail"),
    path("parameters/<int:pk>/edit/", parameter_views.parameter_edit, name="parameter_edit"),
    path("parameters/<int:pk>/submit/", parameter_views.parameter_submit, name="parameter_submit"),
    path("parameters/<int:pk>/approve/", parameter_views.parameter_approve, name="parameter_approve"),
    path("parameters/<int:pk>/return/", parameter_views.parameter_return, name="parameter_return"),
    path("parameters/<int:pk>/revise/", parameter_views.parameter_revise, name="parameter_revise"),
    path("parameters/<int:pk>/export.xlsx", parameter_views.parameter_export, name="parameter_export"),
    path("parameters/<int:pk>/import/", parameter_views.parameter_import, name="parameter_import"),
]
