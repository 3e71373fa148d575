"""Routing regression suites: per graph, cases of an input and what should happen (the agent
path, function calls, output text), and runs of a suite with one result per case."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Suite(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    graph = models.ForeignKey("agents.Graph", on_delete=models.CASCADE, related_name="suites")
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["graph", "name"]
        constraints = [
            models.UniqueConstraint(fields=["graph", "name"], name="suite_unique_name_in_graph")
        ]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """`expect`: {"path": [agent names], "path_match": "exact" | "ordered",
    "function_calls": [{"name", "arguments": {key: value}}], "output_contains": [text],
    "output_regex": [pattern]}; `answers`: {function name: result to supply}."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    suite = models.ForeignKey(Suite, on_delete=models.CASCADE, related_name="cases")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    inputs = models.TextField()
    answers = models.JSONField(default=dict, blank=True)
    expect = models.JSONField(default=dict, blank=True)
    source_conversation = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["suite", "position"]
        constraints = [
            models.UniqueConstraint(fields=["suite", "name"], name="case_unique_name_in_suite")
        ]

    def __str__(self) -> str:
        return self.name


class SuiteRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running"
        COMPLETED = "completed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    suite = models.ForeignKey(Suite, on_delete=models.CASCADE, related_name="runs")
    revision = models.PositiveIntegerField()  # the graph's revision it ran on
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.suite} @ r{self.revision} ({self.passed}/{self.total})"

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


class CaseResult(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running"
        PASSED = "passed"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(SuiteRun, on_delete=models.CASCADE, related_name="results")
    case = models.ForeignKey(Case, null=True, on_delete=models.SET_NULL, related_name="results")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    conversation = models.OneToOneField(
        "conversations.Conversation",
        null=True,
        on_delete=models.SET_NULL,
        related_name="suite_result",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    path = models.JSONField(default=list, blank=True)
    function_calls = models.JSONField(default=list, blank=True)
    failures = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]

    def __str__(self) -> str:
        return f"{self.name}: {self.status}"
