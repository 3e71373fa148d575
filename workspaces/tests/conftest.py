"""The invitation and membership tests run in the same world as the agents tests: a workspace
with one member per role, an outsider, and a graph (so deleting a workspace has graphs to take)."""

from agents.tests.conftest import fast_password_hashing, world  # noqa: F401 - pytest fixtures
