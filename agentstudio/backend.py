from django.conf import settings


def active_backend() -> str:
    """`mistral` when an API key is configured, else `sandbox`."""
    return "mistral" if settings.MISTRAL_API_KEY else "sandbox"
