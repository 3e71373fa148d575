"""Turning untrusted model output into safe HTML, and small display helpers for the pages.

Model replies are Markdown written by a model (or by whoever steered it): markdown-it renders them
with raw HTML disabled, then nh3 (ammonia) keeps only a small set of tags and attributes and only
http(s)/mailto links. Arguments and results are never rendered as HTML; templates escape them.
"""

from __future__ import annotations

import hashlib
from typing import Any

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "b", "i", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}


def markdown_to_html(text: str) -> str:
    """Sanitized HTML for a model's Markdown: no script, no event handlers, no javascript: links."""
    html = _md.render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def agent_color(agent_id: Any) -> str:
    """A stable colour per agent: the hue comes from a hash of the agent's id."""
    if not agent_id:
        return "hsl(220 8% 45%)"
    digest = hashlib.sha256(str(agent_id).encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    return f"hsl({hue} 62% 38%)"


def function_description(agent, name: str) -> str:
    """The description of function `name` among the agent's tools, if it declares one."""
    if agent is None or not isinstance(agent.tools, list):
        return ""
    for tool in agent.tools:
        if not isinstance(tool, dict) or tool.get("type") != "function":
            continue
        function = tool.get("function") or {}
        if function.get("name") == name:
            return str(function.get("description") or "")
    return ""
