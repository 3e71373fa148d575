from django.urls import path

from agents import views

urlpatterns = [
    path("graphs/", views.graph_list, name="graph-list"),
    path("graphs/<uuid:graph_id>/edit/", views.graph_edit, name="graph-edit"),
    path("invitations/", views.invitation_list, name="invitation-list"),
    path(
        "invitations/<uuid:invitation_id>/respond/",
        views.invitation_respond,
        name="invitation-respond",
    ),
]
