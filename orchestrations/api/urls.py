"""The orchestrations REST API; ids are plain strings so a malformed one is a 404 from the
selectors like any foreign object."""

from django.urls import path

from orchestrations.api import views

urlpatterns = [
    path(
        "graphs/<str:graph_id>/orchestrations/",
        views.GraphOrchestrationsView.as_view(),
        name="api-graph-orchestrations",
    ),
    path(
        "graphs/<str:graph_id>/orchestrations/validate/",
        views.GraphOrchestrationValidateView.as_view(),
        name="api-graph-orchestrations-validate",
    ),
    path(
        "orchestrations/<str:pk>/",
        views.OrchestrationDetailView.as_view(),
        name="api-orchestration",
    ),
    path(
        "orchestrations/<str:pk>/runs/",
        views.OrchestrationRunsView.as_view(),
        name="api-orchestration-runs",
    ),
    path("orchestration-runs/", views.RunListView.as_view(), name="api-orchestration-run-list"),
    path(
        "orchestration-runs/<str:pk>/", views.RunDetailView.as_view(), name="api-orchestration-run"
    ),
    path("orchestration-runs/<str:pk>/cancel/", views.RunCancelView.as_view()),
    path("orchestration-runs/<str:pk>/events/", views.RunEventsView.as_view()),
]
