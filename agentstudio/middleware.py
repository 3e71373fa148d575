from django.contrib.auth.middleware import LoginRequiredMiddleware as _LoginRequiredMiddleware

# These answer for themselves: the API and the sandbox with 401/403 bodies, /healthz to anyone.
OPEN_PREFIXES = ("/api/", "/sandbox/", "/healthz", "/static/")


class LoginRequiredMiddleware(_LoginRequiredMiddleware):
    """Pages need a signed-in user, except OPEN_PREFIXES and `login_not_required` views."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(OPEN_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
