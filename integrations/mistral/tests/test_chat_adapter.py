"""The local runtime's chat adapter against the sandbox's chat completions (the real SDK over
HTTP): LOCAL_COMPLETIONS_URL, the model-name mapping, joined tool calls, usage and errors."""

from __future__ import annotations

import pytest
from django.conf import settings

from integrations.mistral import chat
from integrations.mistral.backend import BackendError

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather forecast of a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


@pytest.fixture
def local_server(asgi_server, settings):
    settings.LOCAL_COMPLETIONS_URL = f"{asgi_server.url}/sandbox"
    settings.LOCAL_COMPLETIONS_API_KEY = settings.SANDBOX_API_KEY
    return settings


def test_model_names_are_mapped(local_server):
    local_server.LOCAL_MODEL_MAP = "mistral-large-latest=mistral-small3.2, *=fallback ,bad"
    assert chat.model_map() == {"mistral-large-latest": "mistral-small3.2", "*": "fallback"}
    deltas = list(chat.chat_stream(
        model="mistral-large-latest", messages=[{"role": "user", "content": "Hi"}], tools=[]
    ))  # fmt: skip
    text = "".join(d.content for d in deltas)
    assert text.startswith("Sandbox reply from mistral-small3.2")
    assert chat.served_model("other") == "fallback"
    assert deltas[-1].finish_reason == "stop" and deltas[-1].usage["total_tokens"] > 0


def test_tool_calls_are_joined_and_completion_args_passed(local_server):
    deltas = list(chat.chat_stream(
        model="m", messages=[{"role": "user", "content": "Weather in Paris?"}], tools=[WEATHER],
        completion_args={"temperature": 0.2, "tool_choice": "any", "unknown_arg": 1},
    ))  # fmt: skip
    [call] = deltas[-1].tool_calls
    assert call["function"] == {"name": "get_weather", "arguments": '{"city": "Paris"}'}
    assert len(call["id"]) == 9 and deltas[-1].finish_reason == "tool_calls"


def test_a_wrong_key_is_a_backend_error(local_server):
    local_server.LOCAL_COMPLETIONS_API_KEY = "wrong"
    with pytest.raises(BackendError) as caught:
        list(chat.chat_stream(model="m", messages=[{"role": "user", "content": "x"}], tools=[]))
    assert "401" in str(caught.value)
    assert settings.LOCAL_COMPLETIONS_URL.endswith("/sandbox")
