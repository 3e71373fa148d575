"""The engine tests' workspace and finance graph, for the traces of example B."""

from conversations.tests.conftest import finance_graph, team  # noqa: F401
