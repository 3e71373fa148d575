"""Every write to workspaces, memberships, invitations and API tokens. One service per user
action, each atomic, each recording one audit row (`audit.services.audit_record`) in its own
transaction after its checks pass.

One module per job; this package re-exports the public services so callers use
`from workspaces import services`.
"""

from workspaces.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_decline,
    invitation_revoke,
)
from workspaces.services.tokens import NoToken, token_create, token_revoke
from workspaces.services.workspaces import (
    membership_add,
    membership_change,
    membership_remove,
    workspace_create,
    workspace_delete,
    workspace_update,
)

__all__ = [
    "NoToken",
    "invitation_accept",
    "invitation_create",
    "invitation_decline",
    "invitation_revoke",
    "membership_add",
    "membership_change",
    "membership_remove",
    "token_create",
    "token_revoke",
    "workspace_create",
    "workspace_delete",
    "workspace_update",
]
