from django.urls import path

from workspaces import views

urlpatterns = [
    path("invitations/", views.invitation_list, name="invitation-list"),
    path(
        "invitations/<uuid:invitation_id>/respond/",
        views.invitation_respond,
        name="invitation-respond",
    ),
]
