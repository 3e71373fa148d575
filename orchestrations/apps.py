from django.apps import AppConfig


class OrchestrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orchestrations"
    verbose_name = "Orchestrations"

    def ready(self) -> None:
        # The graph document (agents.portable) carries the graph's orchestrations: agents sits
        # below this app, so the section is registered from here rather than imported there.
        from agents import portable
        from orchestrations import document
        from orchestrations.api import schema  # noqa: F401 - registers the OpenAPI extension

        portable.register_section(document.SECTION)
