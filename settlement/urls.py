from django.urls import path

from settlement import views

app_name = "settlement"
urlpatterns = [
    path("periods/", views.period_list, name="period_list"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
]
