from django import template
from django.utils.html import json_script
from django.utils.safestring import mark_safe

from audit.display import pretty_json as _pretty_json
from conversations import rendering, selectors
from conversations.models import FINAL_STATUSES, Status

register = template.Library()

STATUS_ELEMENT_ID = "conversation-statuses"


@register.filter
def status_label(status: str) -> str:
    """The model's label: the one name of a status on every page, in Python and in the browser."""
    try:
        return Status(status).label
    except ValueError:
        return status


def status_vocabulary() -> list[dict]:
    return [
        {"value": status.value, "label": status.label, "final": status in FINAL_STATUSES}
        for status in Status
    ]


@register.filter
def markdown(text: str) -> str:
    return mark_safe(rendering.markdown_to_html(text))  # noqa: S308 - sanitized by nh3


@register.filter
def agent_color(agent_id) -> str:
    return rendering.agent_color(agent_id)


@register.filter
def pretty_json(value) -> str:
    return _pretty_json(value, sort_keys=False)  # a model's arguments, in the model's order


@register.simple_tag
def status_vocabulary_script() -> str:
    """The statuses, their labels and which are final, for static/conversations/util.js and the
    editor (which read it instead of keeping their own copies)."""
    return json_script(status_vocabulary(), STATUS_ELEMENT_ID)


@register.inclusion_tag("conversations/_status.html")
def status_badge(status: str, conversation_id=None):
    return {"status": status, "label": status_label(status), "conversation_id": conversation_id}


@register.simple_tag
def inbox_count(user) -> int:
    return selectors.pending_waiting_count_for_user(user)
