from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("generate/", views.report_generate, name="report_generate"),
    path("<int:pk>/download/", views.report_download, name="report_download"),
]
