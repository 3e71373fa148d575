from django.apps import AppConfig


class MistralConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations.mistral"
    label = "mistral"
    verbose_name = "Mistral"
