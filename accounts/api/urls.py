from django.urls import path

from accounts.api.views import MeView, TokenObtainView

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="token"),
    path("me/", MeView.as_view(), name="me"),
]
