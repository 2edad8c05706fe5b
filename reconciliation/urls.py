from django.urls import path

from reconciliation import views

app_name = "reconciliation"

urlpatterns = [
    path("", views.reconciliation_list, name="reconciliation_list"),
    path("uploads/", views.upload_list, name="upload_list"),
    path("<int:pk>/", views.reconciliation_detail, name="reconciliation_detail"),
    path("<int:pk>/cases/<int:diff>/", views.reconciliation_case, name="reconciliation_case"),
    path("<int:pk>/export/", views.reconciliation_export, name="reconciliation_export"),
    path("<int:pk>/publish/", views.reconciliation_publish, name="reconciliation_publish"),
]
