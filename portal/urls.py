from django.urls import include, path

from portal import views as shell
from portal.users import views

app_name = "portal"
manage = [
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/import/", views.user_import, name="user_import"),
    path("users/import/template.xlsx", views.user_import_template, name="user_import_template"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/disable/", views.user_disable, name="user_disable"),
    path("users/<int:pk>/enable/", views.user_enable, name="user_enable"),
    path("users/<int:pk>/regions/", views.user_regions, name="user_regions"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/password-reset/", views.user_password_reset, name="user_password_reset"),
]
urlpatterns = [
    path("", shell.home, name="home"),
    path("manage/", include(manage)),  # account administration (portal/users/)
]
