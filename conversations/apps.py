from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conversations"

    def ready(self) -> None:
        # The graph document (agents.portable) carries each agent's tool policy and MCP
        # servers: agents sits below this app, so the keys are registered from here.
        from agents import portable
        from conversations import graph_document
        from conversations.api import schema  # noqa: F401 - registers the OpenAPI extension

        for section in graph_document.SECTIONS:
            portable.register_agent_section(section)
