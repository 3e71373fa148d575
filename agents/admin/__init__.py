"""The admin is the audit tool: everything is listed and searchable, history is read-only, and
edits made here go through the same validation and services as the API.

One module per page group; importing them registers their model admins."""

from agents.admin import agents, graphs  # noqa: F401 - registers the admins
