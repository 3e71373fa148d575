from django.utils.functional import SimpleLazyObject


def audit_nav(request):
    """Whether to show the "Audit" nav link: the user administers at least one workspace.
    Lazy, so pages that never render the nav never run the query."""

    def administers_any() -> bool:
        from workspaces.roles import Role
        from workspaces.selectors import workspaces_for_user

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        return workspaces_for_user(user).filter(user_role=Role.ADMIN).exists()

    return {"audit_nav": SimpleLazyObject(lambda: {"visible": administers_any()})}
