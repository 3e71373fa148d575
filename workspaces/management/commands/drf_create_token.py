"""`manage.py drf_create_token` with the audit trail: a created or reset key goes through
`workspaces.services.token_create` (actor: nobody, it comes from the command line). This app is
listed before `rest_framework.authtoken` so this command shadows DRF's."""

from rest_framework.authtoken.management.commands.drf_create_token import (
    Command as DrfCommand,
)
from rest_framework.authtoken.models import Token

from workspaces.services import token_create


class Command(DrfCommand):
    def create_user_token(self, username, reset_token):
        from django.contrib.auth import get_user_model

        user = get_user_model()._default_manager.get_by_natural_key(username)
        if not reset_token:
            existing = Token.objects.filter(user=user).first()
            if existing is not None:
                return existing
        return token_create(actor=None, user=user)
