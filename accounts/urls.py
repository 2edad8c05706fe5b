from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/region/", views.region_switch, name="region_switch"),
    path("account/tokens/", views.token_list, name="token_list"),
    path("account/tokens/revoke/", views.token_revoke, name="token_revoke"),
    path("account/tokens/revoke-all/", views.token_revoke_all, name="token_revoke_all"),
]
