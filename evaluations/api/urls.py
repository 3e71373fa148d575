from django.urls import path

from evaluations.api import views

urlpatterns = [
    path("graphs/<str:pk>/suites/", views.GraphSuites.as_view(), name="api-graph-suites"),
    path("suites/<str:pk>/", views.SuiteDetail.as_view(), name="api-suite"),
    path("suites/<str:pk>/cases/", views.SuiteCases.as_view()),
    path("suites/<str:pk>/runs/", views.SuiteRuns.as_view(), name="api-suite-runs"),
    path("suite-runs/<str:pk>/", views.SuiteRunDetail.as_view(), name="api-suite-run"),
]
