from django.urls import path

from evaluations import views

urlpatterns = [
    path("graphs/<uuid:graph_pk>/suites/", views.graph_suites, name="graph-suites"),
    path("suites/<uuid:pk>/", views.suite_detail, name="suite-detail"),
]
