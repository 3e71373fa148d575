"""`manage.py load_demo --owner <username> [--if-empty]`: the Demo workspace and its graphs."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agents import services
from agents.demo import DEMO_GRAPHS
from agents.models import Graph
from workspaces.exceptions import DomainValidationError
from workspaces.services import workspace_create


class Command(BaseCommand):
    help = 'Create the "Demo" workspace, owned (admin) by --owner, with the demo graphs.'

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="Username of the workspace's admin.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any graph exists (so `make run` can call this every time).",
        )

    def handle(self, *args, owner: str, if_empty: bool, **options):
        if if_empty and Graph.objects.exists():
            self.stdout.write("Graphs exist already; demo data not loaded.")
            return
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"No user named {owner!r}.")
        try:
            with transaction.atomic():
                workspace = workspace_create(actor=user, name="Demo")
                graphs = [
                    services.graph_import(actor=user, workspace=workspace, document=document)
                    for document in DEMO_GRAPHS
                ]
        except DomainValidationError as exc:  # a demo that fails validation is a bug here
            raise CommandError(f"Demo data is invalid: {exc.errors}") from exc
        names = ", ".join(g.name for g in graphs)
        self.stdout.write(self.style.SUCCESS(f'Loaded workspace "Demo" ({names}) for {owner}.'))
