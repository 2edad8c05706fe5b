from django.urls import path

from settlement import views
from settlement.intake import views as intake_views

app_name = "settlement"
urlpatterns = [
    path("periods/", views.period_list, name="period_list"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("intake/", intake_views.batch_list, name="batch_list"),
    path("intake/upload/", intake_views.batch_upload, name="batch_upload"),
    path("intake/<int:pk>/", intake_views.batch_detail, name="batch_detail"),
    path("intake/<int:pk>/report.xlsx", intake_views.batch_report, name="batch_report"),
    path("intake/template/", intake_views.template_download, name="template_download"),
]
