from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as _LoginRequiredMiddleware
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse

# These answer for themselves: the API and the sandbox with 401/403 bodies, /healthz to anyone.
OPEN_PREFIXES = ("/api/", "/sandbox/", "/healthz", "/static/")
# Clients of these read JSON errors (the SDK, scripts), not HTML pages.
JSON_PREFIXES = ("/api/", "/sandbox/")

# Nothing here uses these; a page that is compromised or framed should not get them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class LoginRequiredMiddleware(_LoginRequiredMiddleware):
    """Pages need a signed-in user, except OPEN_PREFIXES and `login_not_required` views."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(OPEN_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


def too_large(request) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = f"Request body too large: the limit is {limit} bytes (DATA_UPLOAD_MAX_MEMORY_SIZE)."
    if request.path.startswith(JSON_PREFIXES):
        return JsonResponse({"detail": message, "limit": limit}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class BodySizeLimitMiddleware:
    """413 naming the limit, before anything reads the body. Django itself only notices when
    `request.body` or `request.POST` is read, and answers with its HTML 400 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return too_large(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Raised while a view parses the body: multipart fields adding up past the limit.
        if isinstance(exception, RequestDataTooBig):
            return too_large(request)
        return None


class SecurityHeadersMiddleware:
    """Permissions-Policy everywhere; no caching of anything behind a sign-in or of the API.
    Static files never get here (WhiteNoise answers them earlier in the chain)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or getattr(user, "is_authenticated", False):
            response["Cache-Control"] = "private, no-store"
        return response
