from django.urls import path

from budgets import views

app_name = "budgets"
urlpatterns = [
    path("", views.budget_list, name="budget_list"),
    path("new/", views.budget_create, name="budget_create"),
    path("<int:pk>/", views.budget_detail, name="budget_detail"),
    path("<int:pk>/edit/", views.budget_edit, name="budget_edit"),
    path("<int:pk>/submit/", views.budget_submit, name="budget_submit"),
    path("<int:pk>/approve/", views.budget_approve, name="budget_approve"),
    path("<int:pk>/return/", views.budget_return, name="budget_return"),
    path("<int:pk>/adjust/", views.budget_adjust, name="budget_adjust"),
    path("<int:pk>/compare/", views.budget_compare, name="budget_compare"),
    path("<int:pk>/yearend/", views.budget_yearend, name="budget_yearend"),
    path("<int:pk>/export/", views.budget_export, name="budget_export"),
    path("<int:pk>/import/", views.budget_import, name="budget_import"),
]
