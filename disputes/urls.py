from django.urls import path

from disputes import views

app_name = "disputes"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("new/", views.item_create, name="item_create"),
    path("reviews/", views.review_list, name="review_list"),
    path("inbox/", views.inbox, name="inbox"),
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
]
