from django.conf import settings


def active_backend() -> str:
    """`mistral` when an API key is configured, else `sandbox` when it is enabled, else `none`."""
    if settings.MISTRAL_API_KEY:
        return "mistral"
    return "sandbox" if settings.SANDBOX_ENABLED else "none"
