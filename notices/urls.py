from django.urls import path

from notices import views

app_name = "notices"
urlpatterns = [
    path("", views.NoticeListView.as_view(), name="notice_list"),
    path("new/", views.notice_create, name="notice_create"),
    path("<int:pk>/", views.notice_detail, name="notice_detail"),
    path("<int:pk>/publish/", views.notice_publish, name="notice_publish"),
]
