"""Queue entry points for tenancy: the nightly data-integrity check."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from qudao.tenancy.integrity import run_integrity_check
from qudao.tenancy.models import Organization


@db_task()
def check_integrity(org_id: int) -> int:
    """Check one organization; returns the number of problems found."""
    org = Organization.objects.get(pk=org_id)
    return len(run_integrity_check(org=org).problems)


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_integrity_check() -> int:
    """Every night at 02:30: enqueue the check for every organization."""
    org_ids = list(Organization.objects.values_list("pk", flat=True))
    for org_id in org_ids:
        check_integrity(org_id)
    return len(org_ids)
