"""MCP test servers written with the `mcp` SDK (2.x API): `python -m ... stdio` serves over
stdio; `python -m ... http <port> <token>` serves streamable HTTP at /mcp and refuses requests
without `Authorization: Bearer <token>`."""

from __future__ import annotations

import os
import sys
import time
from typing import Literal

from mcp.server.mcpserver import MCPServer

server = MCPServer("agentstudio-test-tools")


def _note_call() -> None:
    """Tests learn which process ran a tool, and how often: the server's parent (the process
    that started it over stdio) is appended to TOOLS_CALL_LOG; while TOOLS_HOLD_FILE exists the
    call waits (up to 20 s), so a test can kill the worker mid-call."""
    if log := os.environ.get("TOOLS_CALL_LOG"):
        with open(log, "a") as f:
            f.write(f"{os.getppid()}\n")
    hold = os.environ.get("TOOLS_HOLD_FILE")
    deadline = time.monotonic() + 20
    while hold and os.path.exists(hold) and time.monotonic() < deadline:
        time.sleep(0.1)


@server.tool()
def convert_currency(amount: float, currency: Literal["USD", "GBP", "XYZ"]) -> str:
    """Convert an amount of euros into another currency."""
    rates = {"USD": 1.1, "GBP": 0.85}
    rate = rates.get(currency.upper())
    if rate is None:
        raise ValueError(f"unknown currency {currency}")
    return f"{amount:g} EUR = {amount * rate:.2f} {currency.upper()}"


@server.tool()
def lookup_inflation(year: int) -> str:
    """Look up the euro area inflation of a year."""
    _note_call()
    return f"Euro area inflation in {year}: 2.4% ({os.environ.get('TOOLS_SOURCE', 'test')})"


@server.tool()
def slow_report(topic: str) -> str:
    """Write a slow report about a topic."""
    time.sleep(30)
    return f"report on {topic}"


def _http(port: int, token: str) -> None:
    import uvicorn

    app = server.streamable_http_app()

    async def guarded(scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            if headers.get(b"authorization") != f"Bearer {token}".encode():
                await send({"type": "http.response.start", "status": 401, "headers": []})
                await send({"type": "http.response.body", "body": b"unauthorized"})
                return
        await app(scope, receive, send)

    uvicorn.run(guarded, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    if sys.argv[1] == "http":
        _http(int(sys.argv[2]), sys.argv[3])
    else:
        server.run("stdio")
