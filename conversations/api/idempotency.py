"""The `Idempotency-Key` header on the POSTs that start work: one decorator for their handlers."""

from __future__ import annotations

import functools
import json

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response
from rest_framework.status import is_success
from rest_framework.utils.encoders import JSONEncoder

from conversations import idempotency
from conversations.idempotency import HEADER, REPLAYED_HEADER

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description=(
        "Optional. A retry with the same key and body gets the first answer again (with "
        f"`{REPLAYED_HEADER}: true`) and does nothing twice; another body with it is a 422."
    ),
)


def idempotent(handler):
    """Wrap a view's `post`: with the header, the handler and the key's claim share one
    transaction, so the work and its remembered answer commit together or not at all."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None:
            return handler(view, request, *args, **kwargs)
        key = idempotency.parse_key(raw)
        claim_args = {
            "user": request.user,
            "key": key,
            "method": request.method,
            "path": request.path,
            "fingerprint": idempotency.fingerprint(request.method, request.path, request.data),
        }
        with transaction.atomic():
            claim = idempotency.idempotency_begin(**claim_args)
            if isinstance(claim, idempotency.Replay):
                return Response(claim.body, status=claim.status, headers={REPLAYED_HEADER: "true"})
            response = handler(view, request, *args, **kwargs)
            if not is_success(response.status_code):
                transaction.set_rollback(True)  # nothing was done, so the key stays unused
                return response
            body = json.dumps(response.data, cls=JSONEncoder, ensure_ascii=False)
            idempotency.idempotency_finish(record=claim, status=response.status_code, body=body)
        return response

    return wrapper
