"""The sandbox serves the Mistral API under `/sandbox/v1/`, so the SDK's `server_url` is
`http://<host>:<port>/sandbox`."""

from django.urls import path, re_path

from sandbox.views import agents, chat, conversations, files, libraries
from sandbox.views.common import api_view
from sandbox.wire import json_response

app_name = "sandbox"


async def _unknown_route(request, **kwargs):
    return json_response({"detail": "Not Found"}, status=404)


urlpatterns = [
    path("v1/chat/completions", chat.chat_completions, name="chat-completions"),
    path("v1/agents/completions", chat.agents_completions, name="agents-completions"),
    path("v1/agents", agents.agents, name="agents"),
    path("v1/agents/pages", agents.agent_pages, name="agent-pages"),
    path("v1/agents/<str:agent_id>", agents.agent, name="agent"),
    path("v1/agents/<str:agent_id>/version", agents.agent_version_switch, name="agent-switch"),
    path("v1/agents/<str:agent_id>/versions", agents.agent_versions, name="agent-versions"),
    path(
        "v1/agents/<str:agent_id>/versions/<str:version>",
        agents.agent_version,
        name="agent-version",
    ),
    path("v1/agents/<str:agent_id>/aliases", agents.agent_aliases, name="agent-aliases"),
    path("v1/conversations", conversations.conversations, name="conversations"),
    path("v1/conversations/<str:conversation_id>", conversations.conversation, name="conversation"),
    path(
        "v1/conversations/<str:conversation_id>/restart",
        conversations.conversation_restart,
        name="conversation-restart",
    ),
    path(
        "v1/conversations/<str:conversation_id>/history",
        conversations.conversation_history,
        name="conversation-history",
    ),
    path(
        "v1/conversations/<str:conversation_id>/messages",
        conversations.conversation_messages,
        name="conversation-messages",
    ),
    path("v1/files", files.files, name="files"),
    path("v1/files/<str:file_id>", files.file, name="file"),
    path("v1/files/<str:file_id>/content", files.file_content, name="file-content"),
    path("v1/files/<str:file_id>/url", files.file_url, name="file-url"),
    path("v1/files/<str:file_id>/signed", files.signed_content, name="file-signed"),
    path("v1/documents/<str:document_id>/signed", files.signed_document, name="document-signed"),
    path("v1/libraries", libraries.libraries_view, name="libraries"),
    path("v1/libraries/<str:library_id>", libraries.library_view, name="library"),
    path("v1/libraries/<str:library_id>/documents", libraries.documents_view, name="documents"),
    path(
        "v1/libraries/<str:library_id>/documents/<str:document_id>",
        libraries.document_view,
        name="document",
    ),
    path(
        "v1/libraries/<str:library_id>/documents/<str:document_id>/text_content",
        libraries.document_text,
    ),
    path(
        "v1/libraries/<str:library_id>/documents/<str:document_id>/status",
        libraries.document_status,
    ),
    path(
        "v1/libraries/<str:library_id>/documents/<str:document_id>/signed-url",
        libraries.document_signed_url,
    ),
    re_path(
        r"^.*$", api_view({m: _unknown_route for m in ("GET", "POST", "PATCH", "PUT", "DELETE")})
    ),
]
