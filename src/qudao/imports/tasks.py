"""Queue entry points for imports: validating and applying large files."""

from __future__ import annotations

from django.db import DatabaseError
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from qudao.imports import services
from qudao.imports.models import ImportJob, ImportStatus
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.scoping import org_scope


@db_task()
def validate_import_task(org_id: int, job_id: int) -> str:
    """Validate an uploaded job; returns its new status. Running it twice changes nothing."""
    org = Organization.objects.get(pk=org_id)
    with org_scope(org):
        job = ImportJob.objects.select_related("created_by").get(pk=job_id)
        if job.status != ImportStatus.UPLOADED:
            return job.status
        try:
            job = services.validate_import(org=org, job=job)
        except DatabaseError:
            services.mark_crashed(job=job, message=_("The file could not be checked; try again."))
            raise
        return job.status


@db_task()
def apply_import_task(org_id: int, job_id: int, actor_id: int) -> str:
    """Apply a job whose Apply was pressed; returns its new status."""
    org = Organization.objects.get(pk=org_id)
    actor = Membership.objects.get(pk=actor_id, org=org)
    with org_scope(org):
        job = ImportJob.objects.get(pk=job_id)
        try:
            job = services.run_apply(org=org, actor=actor, job=job)
        except DatabaseError:
            job.refresh_from_db()
            services.mark_crashed(
                job=job, message=_("The database refused the import; nothing was written.")
            )
            raise
        return job.status
