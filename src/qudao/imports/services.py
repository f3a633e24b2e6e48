"""Every change to import jobs: upload and validate a file, then apply it all-or-nothing.

Validation reads the file once, checks each row in Python against lookups loaded with one query
per referenced table, and stores the first errors. Applying reads and checks the file again
inside one transaction (the database may have changed since) and inserts with bulk_create in
batches; any error writes nothing. Large files run on the task queue; the page polls progress.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from itertools import islice
from typing import Final

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.states import ensure_transition
from qudao.imports.models import (
    IMPORT_TRANSITIONS,
    MAX_STORED_ERRORS,
    ImportJob,
    ImportStatus,
)
from qudao.imports.reading import Table, UnreadableFile, open_table
from qudao.imports.specs import SPECS, Report, Spec, normalize_header
from qudao.imports.specs.base import Checker
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.services import record_event

BATCH_SIZE: Final = 5000
PROGRESS_EVERY: Final = 5000
MAX_UPLOAD_BYTES: Final = 50 * 1024 * 1024
FILE_ROW: Final = 0  # problems about the whole file, not one row


class ImportRefused(BusinessRuleViolation):
    """Some rows are not valid; `problems` holds the first of them, `count` all of them."""

    def __init__(self, report: Report) -> None:
        super().__init__(
            _("%(count)s problems were found in the file; nothing was imported.")
            % {"count": report.count},
            code="invalid_rows",
        )
        self.report = report


def inline_limit() -> int:
    """Files up to this size are checked and applied during the request; larger ones queue."""
    return int(getattr(settings, "QUDAO_IMPORT_INLINE_MAX_BYTES", 256 * 1024))


def spec_for(kind: str) -> Spec:
    spec = SPECS.get(kind)
    if spec is None:
        raise BusinessRuleViolation(
            _("Importing this kind of data is not available."),
            code="unknown_kind",
            fields={"kind": _("Choose what to import.")},
        )
    return spec


@transaction.atomic
def upload_import(
    *, org: Organization, actor: Membership, kind: str, file: UploadedFile, language: str
) -> ImportJob:
    """Store an uploaded file as a new job; small files are validated at once, large ones queued."""
    spec = spec_for(kind)
    require_perm(actor, spec.perm)
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise BusinessRuleViolation(
            _("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // 2**20},
            code="file_too_large",
            fields={"file": _("Split the file into smaller ones.")},
        )
    job = ImportJob.objects.create(
        org=org,
        kind=kind,
        file=file,
        original_name=(file.name or "")[:255],
        language=language[:10],
        created_by=actor,
    )
    if job.file.size <= inline_limit():
        return validate_import(org=org, job=job)
    from qudao.imports.tasks import validate_import_task

    transaction.on_commit(lambda: validate_import_task(org.pk, job.pk))
    return job


def validate_import(*, org: Organization, job: ImportJob) -> ImportJob:
    """Check every row of an uploaded job; it becomes ready to apply, or invalid with its errors."""
    ensure_transition(job.status, ImportStatus.VALIDATED, IMPORT_TRANSITIONS)
    spec = spec_for(job.kind)
    with translation.override(job.language):
        checker = spec.prepare(org=org, actor=job.created_by)
        report, rows_total, _cleaned = _check_file(
            job, spec, checker, keep_rows=False, progress=_progress_writer(job)
        )
    job.status = ImportStatus.INVALID if report.count else ImportStatus.VALIDATED
    job.rows_total = rows_total
    job.rows_done = rows_total
    job.progress = 100
    job.error_count = report.count
    job.errors = [problem.as_dict() for problem in report.problems]
    job.validated_at = timezone.now()
    fields = ["status", "rows_total", "rows_done", "progress", "error_count", "errors"]
    job.save(update_fields=[*fields, "validated_at"])
    return job


def request_apply(*, org: Organization, actor: Membership, job: ImportJob) -> ImportJob:
    """Start writing a validated job: at once for a small file, on the queue for a large one."""
    require_perm(actor, spec_for(job.kind).perm)
    if job.status != ImportStatus.VALIDATED:
        raise BusinessRuleViolation(
            _("Only a file that passed validation can be applied."), code="not_validated"
        )
    ensure_transition(job.status, ImportStatus.APPLYING, IMPORT_TRANSITIONS)
    moved = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATED).update(
        status=ImportStatus.APPLYING, progress=0, rows_done=0
    )
    if not moved:  # someone else pressed Apply first
        raise BusinessRuleViolation(
            _("This file is already being applied."), code="already_applying"
        )
    job.refresh_from_db()
    if job.file.size <= inline_limit():
        return run_apply(org=org, actor=actor, job=job)
    from qudao.imports.tasks import apply_import_task

    transaction.on_commit(lambda: apply_import_task(org.pk, job.pk, actor.pk))
    return job


def run_apply(*, org: Organization, actor: Membership, job: ImportJob) -> ImportJob:
    """Claim an applying job once, apply it, and record failure if the rows no longer pass."""
    claimed = ImportJob.objects.filter(
        pk=job.pk, status=ImportStatus.APPLYING, apply_started_at__isnull=True
    ).update(apply_started_at=timezone.now())
    job.refresh_from_db()
    if not claimed:  # applied already, or another worker has it: running twice changes nothing
        return job
    try:
        return apply_import(org=org, actor=actor, job=job)
    except ImportRefused as refusal:
        return _mark_failed(job, refusal.report)


@transaction.atomic
def apply_import(*, org: Organization, actor: Membership, job: ImportJob) -> ImportJob:
    """Write every row of the job or none: rows are checked again against today's data first."""
    spec = spec_for(job.kind)
    require_perm(actor, spec.perm)
    ensure_transition(job.status, ImportStatus.APPLIED, IMPORT_TRANSITIONS)
    publish = _progress_writer(job)
    with translation.override(job.language):
        checker = spec.prepare(org=org, actor=job.created_by)
        report, rows_total, cleaned = _check_file(
            job,
            spec,
            checker,
            keep_rows=True,
            progress=lambda done, total: publish(done // 2, total),
        )
        if report.count:
            raise ImportRefused(report)
    written = 0
    model = checker.model
    instances = checker.build(cleaned)
    while batch := list(islice(instances, BATCH_SIZE)):
        model._default_manager.bulk_create(batch)
        written += len(batch)
        publish((rows_total + written) // 2, rows_total)
    job.status = ImportStatus.APPLIED
    job.rows_total = rows_total
    job.rows_done = rows_total
    job.rows_written = written
    job.progress = 100
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "rows_total",
            "rows_done",
            "rows_written",
            "progress",
            "finished_at",
        ]
    )
    # One event per job instead of a history row per imported record.
    record_event(
        org=org,
        actor=actor,
        subject=job,
        verb="import_applied",
        data={"kind": job.kind, "rows": written, "file": job.original_name},
    )
    return job


def _mark_failed(job: ImportJob, report: Report) -> ImportJob:
    job.status = ImportStatus.FAILED
    job.error_count = report.count
    job.errors = [problem.as_dict() for problem in report.problems]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error_count", "errors", "finished_at"])
    return job


def mark_crashed(*, job: ImportJob, message: str) -> ImportJob:
    """A queued run stopped on an error of the system, not of the file; nothing was written."""
    report = Report(keep=1)
    report.add(FILE_ROW, "", message, "crashed")
    if job.status == ImportStatus.UPLOADED:
        job.status = ImportStatus.INVALID
        job.error_count = 1
        job.errors = [problem.as_dict() for problem in report.problems]
        job.save(update_fields=["status", "error_count", "errors"])
        return job
    return _mark_failed(job, report)


Progress = Callable[[int, int], None]


def _check_file(
    job: ImportJob, spec: Spec, checker: Checker, *, keep_rows: bool, progress: Progress
) -> tuple[Report, int, list[dict[str, object]]]:
    """Read the job's file and check every row; cleaned rows are kept only when asked."""
    report = Report(keep=MAX_STORED_ERRORS)
    cleaned_rows: list[dict[str, object]] = []
    rows_total = 0
    with job.file.open("rb") as stream:
        try:
            table = open_table(stream, name=job.original_name)
            positions = _match_headers(table, spec, report, job.language)
            if positions is None:
                return report, 0, cleaned_rows
            keys = list(positions.items())
            check = checker.check
            estimate = max(table.estimated_rows, 1)
            for number, cells in table.rows:
                width = len(cells)
                values = {key: cells[index] if index < width else "" for key, index in keys}
                cleaned = check(number, values, report)
                rows_total += 1
                if keep_rows and cleaned:
                    cleaned_rows.append(cleaned)
                if rows_total % PROGRESS_EVERY == 0:
                    progress(rows_total, max(estimate, rows_total + 1))
        except UnreadableFile as unreadable:
            report.add(FILE_ROW, "", unreadable.message, unreadable.code)
            return report, rows_total, []
    if rows_total == 0:
        report.add(2, "", _("The file has a header row but no rows to import."), "no_rows")
    checker.finish(report)
    return report, rows_total, cleaned_rows


def _match_headers(
    table: Table, spec: Spec, report: Report, language: str
) -> dict[str, int] | None:
    """Find each column by its English or Chinese header; refuse missing or repeated ones."""
    by_name = {name: column for column in spec.columns for name in column.names()}
    positions: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        column = by_name.get(normalize_header(header)) if header else None
        if column is None:
            continue  # extra columns are ignored
        if column.key in positions:
            report.add(
                1,
                column.key,
                _("Row 1, column “%(column)s”: this column appears twice.") % {"column": header},
                "duplicate_column",
            )
            continue
        positions[column.key] = index
        report.headers[column.key] = header
    for column in spec.columns:
        if column.key in positions:
            continue
        report.headers[column.key] = column.header(language)
        if column.required:
            report.add(
                1,
                column.key,
                _("Row 1: the required column “%(column)s” is missing.")
                % {"column": column.header(language)},
                "missing_column",
            )
    return None if report.count else positions


def _progress_writer(job: ImportJob) -> Progress:
    """Store progress on the job where the page can see it, even from inside the transaction."""

    def publish(done: int, total: int) -> None:
        percent = min(99, done * 100 // max(total, 1))
        update = {"rows_done": done, "progress": percent}
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=job.pk).update(**update)
        elif connection.vendor != "sqlite":
            # Written on another connection so the polling page sees it before the commit;
            # on SQLite the one writer holds the lock, and the page shows "writing" instead.
            context = contextvars.copy_context()
            writer = threading.Thread(target=context.run, args=(_write_apart, job.pk, update))
            writer.start()
            writer.join()

    return publish


def _write_apart(pk: int, update: dict[str, int]) -> None:
    try:
        ImportJob.objects.filter(pk=pk).update(**update)
    finally:
        connection.close()
