from django.urls import path

from accounts.api.views import MeView, TokenSetView, TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/tokens/", TokenSetView.as_view(), name="tokens"),
    path("me/", MeView.as_view(), name="me"),
]
