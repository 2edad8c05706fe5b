from django.urls import path

from disputes import views
from disputes.negotiation import views as meetings

app_name = "disputes"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("new/", views.item_create, name="item_create"),
    path("reviews/", views.ReviewListView.as_view(), name="review_list"),
    path("inbox/", views.inbox, name="inbox"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/", views.item_detail, name="item_detail"),
    path("<int:pk>/submit/", views.item_submit, name="item_submit"),
    path("<int:pk>/withdraw/", views.item_withdraw, name="item_withdraw"),
    path("<int:pk>/accept/", views.item_accept, name="item_accept"),
    path("<int:pk>/screen/", views.item_screen, name="item_screen"),
    path("<int:pk>/panel/", views.panel_draw, name="panel_draw"),
    path("<int:pk>/vote/", views.expert_vote, name="expert_vote"),
    path("<int:pk>/decide/", views.item_decide, name="item_decide"),
    path("<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/letter.xlsx", views.item_letter, name="item_letter"),
    path("batch/", views.item_batch, name="item_batch"),
    path("batch/template.xlsx", views.item_batch_template, name="item_batch_template"),
    path("meetings/", meetings.MeetingListView.as_view(), name="meeting_list"),
    path("meetings/new/", meetings.meeting_edit, name="meeting_create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/minutes.xlsx", meetings.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/participants/", meetings.participant_add, name="participant_add"),
    path(
        "meetings/<int:pk>/participants/<int:participant_pk>/remove/",
        meetings.participant_remove,
        name="participant_remove",
    ),
    path("meetings/<int:pk>/agenda/", meetings.agenda_add, name="agenda_add"),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/position/",
        meetings.position_record,
        name="position_record",
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/conclude/",
        meetings.agenda_conclude,
        name="agenda_conclude",
    ),
    path("meetings/<int:pk>/agenda/<int:item_pk>/link/", meetings.agenda_link, name="agenda_link"),
]
