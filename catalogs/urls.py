from django.urls import path

from catalogs import views

app_name = "catalogs"
urlpatterns = [
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<str:code>/", views.institution_detail, name="institution_detail"),
]
