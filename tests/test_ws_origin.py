"""The handshake's Origin rule, in process: what Django's CSRF Origin check would accept."""

import asyncio

from agentstudio.ws_origin import browser_origin_validator


async def _accepting(scope, receive, send):
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    await receive()


def _connects(*headers: tuple[str, str], scheme: str = "ws") -> bool:
    """Drive one handshake through the validator: did the inner application accept it?"""

    async def attempt() -> bool:
        scope = {
            "type": "websocket",
            "scheme": scheme,
            "path": "/ws/feed/",
            "query_string": b"",
            "headers": [(k.encode(), v.encode()) for k, v in headers],
            "subprotocols": [],
        }
        incoming: asyncio.Queue = asyncio.Queue()
        sent: asyncio.Queue = asyncio.Queue()
        await incoming.put({"type": "websocket.connect"})
        app = asyncio.create_task(
            browser_origin_validator(_accepting)(scope, incoming.get, sent.put)
        )
        first = await asyncio.wait_for(sent.get(), 10)
        await incoming.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(app, 10)
        return first["type"] == "websocket.accept"

    return asyncio.run(attempt())


HOST = ("host", "studio.example.com:8000")


CASES = [
    # (Origin or None, socket scheme, accepted?)
    ("http://studio.example.com:8000", "ws", True),
    ("https://studio.example.com:8000", "wss", True),
    (None, "ws", True),  # no browser: the consumer's token or session check decides
    ("https://studio.example.com:8000", "ws", False),  # the page is https, the socket not
    ("http://studio.example.com:8000", "wss", False),
    ("http://studio.example.com:8001", "ws", False),  # another port of the same host
    ("http://studio.example.com", "ws", False),
    ("http://other.example.com:8000", "ws", False),
    ("null", "ws", False),
    ("", "ws", False),
]


def test_origin_is_compared_whole(settings):
    settings.ALLOWED_HOSTS = ["studio.example.com"]
    outcome = {
        (origin, scheme): _connects(
            HOST, *([("origin", origin)] if origin is not None else []), scheme=scheme
        )
        for origin, scheme, _ in CASES
    }
    assert outcome == {(origin, scheme): expected for origin, scheme, expected in CASES}
    # A Host outside ALLOWED_HOSTS gives the request no origin of its own to match.
    assert _connects(("host", "evil.example:8000"), ("origin", "http://evil.example:8000")) is False


def test_two_origin_headers_are_refused(settings):
    settings.ALLOWED_HOSTS = ["studio.example.com"]
    good = ("origin", "http://studio.example.com:8000")
    assert _connects(HOST, good, good) is False


def test_trusted_origins_exact_and_subdomain(settings):
    settings.ALLOWED_HOSTS = ["studio.example.com"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://admin.example.org", "https://*.trusted.example"]
    assert _connects(HOST, ("origin", "https://admin.example.org")) is True
    assert _connects(HOST, ("origin", "https://a.b.trusted.example")) is True
    assert _connects(HOST, ("origin", "https://trusted.example")) is True
    assert _connects(HOST, ("origin", "http://admin.example.org")) is False
    assert _connects(HOST, ("origin", "http://a.trusted.example")) is False
    assert _connects(HOST, ("origin", "https://admin.example.org:444")) is False


def test_the_proxy_header_makes_the_request_secure(settings):
    settings.ALLOWED_HOSTS = ["studio.example.com"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    origin = ("origin", "https://studio.example.com:8000")
    assert _connects(HOST, origin, ("x-forwarded-proto", "https")) is True
    assert _connects(HOST, origin) is False
