from django.urls import path

from settlement.publication.api.views import (
    RunPublishView,
    RunResponsesView,
    StatementConfirmView,
    StatementObjectView,
)

urlpatterns = [
    path("runs/<int:pk>/publish/", RunPublishView.as_view(), name="run-publish"),
    path("runs/<int:pk>/responses/", RunResponsesView.as_view(), name="run-responses"),
    path("statements/<int:pk>/confirm/", StatementConfirmView.as_view(), name="statement-confirm"),
    path("statements/<int:pk>/object/", StatementObjectView.as_view(), name="statement-object"),
]
