"""What runs cost: the price table per model, the usage each turn reported, and the budgets that
pause a run once they are spent.

Registered with the conversations app through `conversations.models` (which imports this
module); foreign keys are by name so nothing here imports the models module back.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

MILLION = Decimal(1_000_000)


class ModelPrice(models.Model):
    """The price of one model, in USD per million tokens. Admins edit it in the Django admin;
    each usage row keeps the cost as priced when it was recorded."""

    model = models.CharField(max_length=100, unique=True)
    input_per_million = models.DecimalField(max_digits=10, decimal_places=4)
    output_per_million = models.DecimalField(max_digits=10, decimal_places=4)
    taken_on = models.DateField(help_text="When these prices were read from the source.")
    source = models.CharField(max_length=300, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model"]

    def __str__(self) -> str:
        return f"{self.model}: ${self.input_per_million}/${self.output_per_million} per 1M"

    def cost(self, prompt_tokens: int, completion_tokens: int) -> Decimal:
        return (
            Decimal(prompt_tokens) * self.input_per_million
            + Decimal(completion_tokens) * self.output_per_million
        ) / MILLION


class UsageRecord(models.Model):
    """One turn's usage as the backend reported it, attributed to the agent that ended the turn
    (the backend reports one usage per response, not one per agent of a handoff chain)."""

    id = models.BigAutoField(primary_key=True)
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="usage_records"
    )
    turn = models.OneToOneField(
        "conversations.Turn", null=True, on_delete=models.SET_NULL, related_name="usage_record"
    )
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    graph = models.ForeignKey("agents.Graph", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent_name = models.CharField(max_length=128, blank=True, default="")
    model = models.CharField(max_length=100, blank=True, default="")
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    total_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=14, decimal_places=8, default=Decimal(0))
    priced = models.BooleanField(default=False)  # False: no price for the model at the time
    day = models.DateField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "day"])]

    def __str__(self) -> str:
        return f"{self.model} {self.total_tokens} tokens ${self.cost_usd}"


class WorkspaceBudget(models.Model):
    """A workspace's spending limit per calendar month (UTC), in USD."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="budget"
    )
    monthly_usd = models.DecimalField(max_digits=14, decimal_places=6)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"${self.monthly_usd} a month"
