from django.urls import path

from agents import views

urlpatterns = [
    path("graphs/", views.graph_list, name="graph-list"),
    path("graphs/<uuid:graph_id>/edit/", views.graph_edit, name="graph-edit"),
]
