from django.urls import path

from catalogs import coefficient_views, views

app_name = "catalogs"
urlpatterns = [
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<str:code>/", views.institution_detail, name="institution_detail"),
    path("versions/", views.version_list, name="version_list"),
    path("versions/new/", views.version_create, name="version_create"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/build/", views.version_build, name="version_build"),
    path("versions/<int:pk>/submit/", views.version_submit, name="version_submit"),
    path("versions/<int:pk>/return/", views.version_return, name="version_return"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("versions/<int:pk>/copy/", views.version_copy, name="version_copy"),
    path("versions/<int:pk>/diff/", views.version_diff, name="version_diff"),
    path("versions/<int:pk>/export/", views.version_export, name="version_export"),
    path("versions/<int:pk>/import/", views.version_import, name="version_import"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/score/", views.group_score_edit, name="group_score_edit"),
    path("coefficients/", coefficient_views.coefficient_list, name="coefficient_list"),
    path("coefficients/new/", coefficient_views.coefficient_create, name="coefficient_create"),
    path("coefficients/<int:pk>/", coefficient_views.coefficient_detail, name="coefficient_detail"),
    path("coefficients/<int:pk>/rows/<str:code>/", coefficient_views.coefficient_row_edit, name="coefficient_row_edit"),
    path("coefficients/<int:pk>/submit/", coefficient_views.coefficient_submit, name="coefficient_submit"),
    path("coefficients/<int:pk>/return/", coefficient_views.coefficient_return, name="coefficient_return"),
    path("coefficients/<int:pk>/approve/", coefficient_views.coefficient_approve, name="coefficient_approve"),
    path("coefficients/<int:pk>/revise/", coefficient_views.coefficient_revise, name="coefficient_revise"),
    path("coefficients/<int:pk>/export/", coefficient_views.coefficient_export, name="coefficient_export"),
    path("coefficients/<int:pk>/import/", coefficient_views.coefficient_import, name="coefficient_import"),
]
