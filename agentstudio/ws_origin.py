from channels.security.websocket import OriginValidator
from django.conf import settings


class BrowserOriginValidator(OriginValidator):
    """Origin must be one of ALLOWED_HOSTS when present.

    Browsers always send Origin on a WebSocket handshake, so cross-site hijacking of a session
    cookie is refused. A handshake without Origin comes from a non-browser client (which must then
    authenticate with its own token), so it is let through to the consumers' access checks.
    """

    def valid_origin(self, parsed_origin):
        if parsed_origin is None:
            return True
        return super().valid_origin(parsed_origin)


def browser_origin_validator(application):
    return BrowserOriginValidator(application, settings.ALLOWED_HOSTS)
