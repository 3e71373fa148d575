"""`manage.py run_suite <suite> [--fail-under 0.9] [--user NAME] [--timeout 600]`: run a suite
on the graph's current revision in the workers, wait, print each case, and exit non-zero
below the pass rate (1), or when the run did not finish in time (2). For CI."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from evaluations import services
from evaluations.models import Suite, SuiteRun


class Command(BaseCommand):
    help = "Run a routing regression suite and fail below a pass rate."

    def add_arguments(self, parser):
        parser.add_argument("suite", help="the suite's id, or its name if unique")
        parser.add_argument("--fail-under", type=float, default=1.0, help="0..1 (default 1)")
        parser.add_argument("--user", help="who runs it (default: the suite's creator)")
        parser.add_argument("--timeout", type=float, default=600, help="seconds to wait")

    def _suite(self, ref: str) -> Suite:
        found = list(Suite.objects.filter(pk=ref)) if _is_uuid(ref) else []
        found = found or list(Suite.objects.filter(name=ref))
        if len(found) != 1:
            raise CommandError(f"No single suite {ref!r} ({len(found)} found).")
        return found[0]

    def handle(self, *args, **options):
        if not 0 <= options["fail_under"] <= 1:
            raise CommandError("--fail-under is a rate between 0 and 1.")
        suite = self._suite(options["suite"])
        actor = suite.created_by
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['user']!r}.")
        run = services.suite_run_start(actor=actor, suite=suite)
        self.stdout.write(f"Running {suite.name} ({run.total} cases) on revision {run.revision}…")
        deadline = time.monotonic() + options["timeout"]
        while True:
            run.refresh_from_db()
            if run.status == SuiteRun.Status.COMPLETED or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        for result in run.results.order_by("position"):
            line = f"  {result.status:7} {result.name}: {' → '.join(result.path) or '-'}"
            self.stdout.write(line)
            for failure in result.failures:
                self.stdout.write(f"          {failure}")
        if run.status != SuiteRun.Status.COMPLETED:
            self.stderr.write(f"The run {run.pk} did not finish within {options['timeout']} s.")
            raise SystemExit(2)
        rate = run.pass_rate
        self.stdout.write(f"Pass rate {rate:.2f} ({run.passed}/{run.total}); run {run.pk}")
        if rate < options["fail_under"]:
            self.stderr.write(f"Below --fail-under {options['fail_under']:.2f}.")
            raise SystemExit(1)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
