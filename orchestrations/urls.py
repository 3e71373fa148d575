from django.urls import path

from orchestrations import views

urlpatterns = [
    path(
        "graphs/<str:graph_id>/orchestrations/",
        views.builder,
        name="orchestration-builder",
    ),
    path("orchestration-runs/<str:pk>/", views.run_detail, name="orchestration-run"),
]
