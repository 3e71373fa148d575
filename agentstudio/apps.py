from django.apps import AppConfig


class AgentstudioConfig(AppConfig):
    name = "agentstudio"
    verbose_name = "Agent Studio"
