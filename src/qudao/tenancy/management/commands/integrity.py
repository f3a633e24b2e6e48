from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qudao.tenancy.integrity import run_integrity_check
from qudao.tenancy.models import Organization


class Command(BaseCommand):
    help = "Run the data-integrity check for every organization now and print what it finds."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = 0
        for org in Organization.objects.order_by("pk"):
            run = run_integrity_check(org=org)
            problems += len(run.problems)
            state = "clean" if run.is_clean else f"{len(run.problems)} problem(s): {run.problems}"
            self.stdout.write(f"{org.code}: {run.checks} checks, {state}")
        if problems:
            raise SystemExit(1)
