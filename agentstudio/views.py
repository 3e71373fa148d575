from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from agentstudio.health import all_ok, run_checks


@login_not_required
@never_cache
@require_GET
def healthz(request):
    report = run_checks()
    return JsonResponse(report, status=200 if all_ok(report) else 503)


def home(request):
    return render(request, "home.html", {})
