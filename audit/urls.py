from django.urls import path

from audit import views

urlpatterns = [
    path("audit/", views.audit_index, name="audit-index"),
    path("workspaces/<str:workspace_id>/audit/", views.audit_page, name="audit-page"),
    path(
        "workspaces/<str:workspace_id>/audit/export.csv",
        views.audit_export_csv,
        name="audit-export-csv",
    ),
    path(
        "workspaces/<str:workspace_id>/audit/export.jsonl",
        views.audit_export_jsonl,
        name="audit-export-jsonl",
    ),
]
