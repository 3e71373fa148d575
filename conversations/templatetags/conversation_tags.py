from django import template
from django.utils.safestring import mark_safe

from conversations import rendering

register = template.Library()

STATUS_LABELS = {
    "queued": "Queued",
    "running": "Running",
    "awaiting_input": "Waiting for input",
    "completed": "Completed",
    "failed": "Failed",
    "cancelled": "Cancelled",
}


@register.filter
def markdown(text: str) -> str:
    return mark_safe(rendering.markdown_to_html(text))  # noqa: S308 - sanitized by nh3


@register.filter
def agent_color(agent_id) -> str:
    return rendering.agent_color(agent_id)


@register.filter
def pretty_json(value) -> str:
    return rendering.pretty_json(value)


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@register.inclusion_tag("conversations/_status.html")
def status_badge(status: str, conversation_id=None):
    return {
        "status": status,
        "label": STATUS_LABELS.get(status, status),
        "conversation_id": conversation_id,
    }
