"""Sync runs against the conversations tests' finance graph and team."""

from conversations.tests.conftest import api_for, finance_graph, team  # noqa: F401 - fixtures
