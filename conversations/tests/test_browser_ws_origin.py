"""In real Chromium: a page on another port of the same host carries the user's session cookie
to the WebSocket, and only the Origin check keeps it from reading the conversation."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conversations.services import conversation_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Resolves with the first event the socket delivers, or with its close code.
PROBE = """(url) => new Promise(resolve => {
  const ws = new WebSocket(url);
  ws.onmessage = event => {
    resolve({outcome: "message", event: JSON.parse(event.data)});
    ws.close();
  };
  ws.onclose = event => resolve({outcome: "closed", code: event.code});
})"""


@pytest.fixture
def other_origin():
    """A tiny http server on another port of 127.0.0.1, serving whatever page the test sets."""
    page = {"html": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            body = page["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", page
    server.shutdown()
    server.server_close()


def test_a_page_on_another_port_cannot_read_the_users_conversation(
    signed_in_page, asgi_server, team, finance_graph, other_origin
):
    _, members = team
    conversation = conversation_start(
        actor=members["admin"], agent=finance_graph.entry_agent, inputs="Secret figures"
    )
    page = signed_in_page(members["viewer"])
    socket = f"{asgi_server.ws_url}/ws/conversations/{conversation.pk}/?after=0"

    # The app's own page: the same socket, the same cookie, accepted.
    page.goto(f"{asgi_server.url}/")
    own = page.evaluate(f"({PROBE})({socket!r})")
    assert own["outcome"] == "message", own
    assert own["event"]["seq"] == 1

    # Another port of the same host: Chromium sends the session cookie along, the server refuses.
    evil_url, evil_page = other_origin
    evil_page["html"] = f"<!doctype html><script>window.probe = ({PROBE})({socket!r});</script>"
    page.goto(f"{evil_url}/")
    stolen = page.evaluate("() => window.probe")
    assert stolen["outcome"] == "closed", stolen
    assert stolen["code"] == 1006  # the handshake itself failed: no connection, no events
