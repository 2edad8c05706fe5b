from django.urls import path

from portal import views as shell
from portal.users import views

app_name = "portal"
urlpatterns = [
    path("", shell.home, name="home"),
    path("manage/users/", views.user_list, name="user_list"),
    path("manage/users/new/", views.user_create, name="user_create"),
    path("manage/users/import/", views.user_import, name="user_import"),
    path("manage/users/import/template.xlsx", views.user_import_template, name="user_import_template"),
    path("manage/users/<int:pk>/", views.user_detail, name="user_detail"),
    path("manage/users/<int:pk>/disable/", views.user_disable, name="user_disable"),
    path("manage/users/<int:pk>/enable/", views.user_enable, name="user_enable"),
    path("manage/users/<int:pk>/regions/", views.user_regions, name="user_regions"),
    path("manage/users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("manage/users/<int:pk>/password-reset/", views.user_password_reset, name="user_password_reset"),
]
