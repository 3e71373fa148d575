import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentstudio.settings.dev")

app = Celery("agentstudio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="agentstudio.ping")
def ping() -> str:
    """Answered by any live worker: /healthz uses it to prove one is consuming the queue."""
    return "pong"
