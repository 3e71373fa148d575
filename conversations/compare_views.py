"""The compare page: two conversations of a graph side by side (`/conversations/compare/`)."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET
from rest_framework.exceptions import ValidationError

from conversations import selectors
from conversations.api.compare import pair_for_user
from conversations.comparison import compare

CHOICES = 100


@require_GET
def conversation_compare(request):
    params = request.GET
    context: dict = {"a_id": params.get("a", ""), "b_id": params.get("b", ""), "error": ""}
    anchor = None
    if context["a_id"]:
        try:
            anchor = selectors.conversation_get_for_user(request.user, context["a_id"])
        except (Http404, PermissionDenied, ValueError):
            raise Http404 from None
    if anchor is not None:
        context["choices"] = (
            selectors.conversations_for_user(request.user)
            .filter(graph_id=anchor.graph_id)
            .order_by("-created_at")[:CHOICES]
        )
        context["graph"] = anchor.graph
    if context["a_id"] and context["b_id"]:
        try:
            a, b = pair_for_user(request.user, params)
        except ValidationError as exc:
            context["error"] = " ".join(str(m) for ms in exc.detail.values() for m in ms)
        else:
            result = compare(a, b)
            for row in result["steps"]:
                for side in ("a", "b"):
                    step = row[side]
                    if step and step.get("arguments") is not None:
                        step["arguments_text"] = json.dumps(step["arguments"], indent=1)
            for version in result["agent_versions"]:
                for field in version["fields"]:
                    field["a_text"] = json.dumps(field["a"], indent=1, ensure_ascii=False)
                    field["b_text"] = json.dumps(field["b"], indent=1, ensure_ascii=False)
            context.update(result=result, a=a, b=b)
    return render(request, "conversations/compare.html", context)
