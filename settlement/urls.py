from django.urls import path

from settlement import views
from settlement.funds import views as fund_views
from settlement.grouping import views as grouping_views
from settlement.intake import views as intake_views
from settlement.parameters import views as parameter_views
from settlement.province import views as province_views
from settlement.publication import views as publication_views
from settlement.runs import simulation_views
from settlement.runs import views as run_views

app_name = "settlement"
urlpatterns = [
    path("regions/", views.region_list, name="region_list"),
    path("periods/", views.period_list, name="period_list"),
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("grouping/", grouping_views.grouping_summary, name="grouping_summary"),
    path("grouping/start/", grouping_views.grouping_start, name="grouping_start"),
    path("grouping/preview/", grouping_views.grouping_preview, name="grouping_preview"),
    path("intake/", intake_views.BatchListView.as_view(), name="batch_list"),
    path("intake/upload/", intake_views.batch_upload, name="batch_upload"),
    path("intake/<int:pk>/", intake_views.batch_detail, name="batch_detail"),
    path("intake/<int:pk>/report.xlsx", intake_views.batch_report, name="batch_report"),
    path("intake/template/", intake_views.template_download, name="template_download"),
    path("parameters/", parameter_views.parameter_list, name="parameter_list"),
    path("parameters/new/", parameter_views.parameter_create, name="parameter_create"),
    path("parameters/<int:pk>/", parameter_views.parameter_detail, name="parameter_detail"),
    path("parameters/<int:pk>/edit/", parameter_views.parameter_edit, name="parameter_edit"),
    path("parameters/<int:pk>/submit/", parameter_views.parameter_submit, name="parameter_submit"),
    path(
        "parameters/<int:pk>/approve/", parameter_views.parameter_approve, name="parameter_approve"
    ),
    path("parameters/<int:pk>/return/", parameter_views.parameter_return, name="parameter_return"),
    path("parameters/<int:pk>/revise/", parameter_views.parameter_revise, name="parameter_revise"),
    path(
        "parameters/<int:pk>/export.xlsx", parameter_views.parameter_export, name="parameter_export"
    ),
    path("parameters/<int:pk>/import/", parameter_views.parameter_import, name="parameter_import"),
    path("runs/", run_views.run_list, name="run_list"),
    path("province/", province_views.province_run_list, name="province_run_list"),
    path("province/start/", province_views.province_run_start, name="province_run_start"),
    path("province/<int:pk>/", province_views.province_run_detail, name="province_run_detail"),
    path(
        "province/<int:pk>/parts/<int:part>/rerun/",
        province_views.province_part_rerun,
        name="province_part_rerun",
    ),
    path("funds/revolving/", fund_views.fund_list, name="fund_list"),
    path("funds/revolving/<int:pk>/remove/", fund_views.fund_remove, name="fund_remove"),
    path("runs/start/", run_views.run_start, name="run_start"),
    path("runs/<int:pk>/", run_views.run_detail, name="run_detail"),
    path(
        "runs/<int:pk>/institutions/<str:code>/",
        run_views.statement_detail,
        name="statement_detail",
    ),
    path(
        "runs/<int:pk>/institutions/<str:code>/statement.xlsx",
        run_views.statement_export,
        name="statement_export",
    ),
    path("runs/<int:pk>/member/", run_views.member_statement, name="member_statement"),
    path(
        "runs/<int:pk>/member/member-share.xlsx",
        run_views.member_statement_export,
        name="member_statement_export",
    ),
    path("statements/", run_views.statement_list, name="statement_list"),
    path("runs/<int:pk>/publish/", publication_views.run_publish, name="run_publish"),
    path("runs/<int:pk>/responses/", publication_views.run_responses, name="run_responses"),
    path(
        "runs/<int:pk>/responses.xlsx",
        publication_views.run_responses_export,
        name="run_responses_export",
    ),
    path(
        "runs/<int:pk>/institutions/<str:code>/confirm/",
        publication_views.statement_confirm,
        name="statement_confirm",
    ),
    path(
        "runs/<int:pk>/institutions/<str:code>/object/",
        publication_views.statement_object,
        name="statement_object",
    ),
    path("holidays/", publication_views.holiday_list, name="holiday_list"),
    path("holidays/<int:pk>/remove/", publication_views.holiday_remove, name="holiday_remove"),
    path("cases/<int:pk>/points/", run_views.case_points, name="case_points"),
    path("cases/<int:pk>/points.xlsx", run_views.case_points_export, name="case_points_export"),
    path("closing/", run_views.period_closing, name="period_closing"),
    path("closing/<int:pk>/close/", run_views.period_close, name="period_close"),
    path("closing/year/", run_views.year_close, name="year_close"),
    path("runs/<int:pk>/simulate/", simulation_views.run_simulate, name="run_simulate"),
    path(
        "runs/simulations/<int:job_id>/",
        simulation_views.simulation_detail,
        name="simulation_detail",
    ),
    path("runs/forecast/", simulation_views.forecast, name="forecast"),
]
