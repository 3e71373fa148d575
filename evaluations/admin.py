from django.contrib import admin

from audit.admin_tools import ReadOnlyModelAdmin
from evaluations.models import CaseResult, Suite, SuiteRun


@admin.register(Suite)
class SuiteAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "graph", "created_by", "created_at"]


@admin.register(SuiteRun)
class SuiteRunAdmin(ReadOnlyModelAdmin):
    list_display = ["suite", "revision", "status", "passed", "failed", "total", "created_at"]


@admin.register(CaseResult)
class CaseResultAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "run", "status", "conversation"]
