"""Workspaces, members and invitations in the admin; importing the modules registers them."""

from workspaces.admin import invitations, workspaces  # noqa: F401 - registers the admins
