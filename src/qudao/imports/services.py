"""Every change to import jobs: upload and validate a file, then apply it all-or-nothing.

Validation reads the file once, checks each row in Python against lookups loaded with one query
per referenced table, stores the first errors, and keeps a valid file's checked rows. Applying
hands those rows, in one transaction, to the bulk service of the app that owns the table, which
re-checks with set-based queries what may have changed since; if it refuses, the file is read
and checked again to name the rows at fault. Any error writes nothing. Large files run on the
task queue; the page polls progress.
"""

from __future__ import annotations

import contextvars
import datetime
import gc
import io
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Final

from django.conf import settings
from django.core.files.base import ContentFile
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
from qudao.imports.reading import Cell, Table, UnreadableFile, open_table
from qudao.imports.specs import SPECS, Report, Spec, normalize_header
from qudao.imports.specs.base import Checker
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.services import record_event

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
    """Check every row of an uploaded job; it becomes ready to apply, or invalid with its errors.

    A valid file's checked rows are kept as a compact JSON file beside the upload, so applying
    neither parses the spreadsheet nor checks each row again: the bulk service re-checks what
    the database may have changed since (codes, references, overlaps) with set-based queries.
    """
    ensure_transition(job.status, ImportStatus.VALIDATED, IMPORT_TRANSITIONS)
    spec = spec_for(job.kind)
    with translation.override(job.language):
        checker = spec.prepare(org=org, actor=job.created_by)
        source = _file_source(job, spec)
        report, rows_total, checked = _check_rows(source, checker, progress=_progress_writer(job))
    if not report.count:
        with _paused_collector():
            _store_checked(job, checker, checked)
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
    with translation.override(job.language):
        written, rows_total = _insert_checked(
            job, spec.prepare(org=org, actor=job.created_by), actor
        )
        if written is None:  # no kept rows, or the database refused them: check every row
            written, rows_total = _check_and_insert(org=org, actor=actor, job=job, spec=spec)
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
    transaction.on_commit(lambda: _drop_checked(job))
    return job


def _mark_failed(job: ImportJob, report: Report) -> ImportJob:
    _drop_checked(job)
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
Numbered = tuple[int, tuple[Cell, ...]]


@dataclass
class Source:
    """Rows to check: each row's cells in the order of `keys`."""

    keys: list[str]
    rows: Iterable[Numbered]
    report: Report
    estimate: int


def _file_source(job: ImportJob, spec: Spec) -> Source:
    """Open the uploaded file and match its headers; problems go in the source's report."""
    report = Report(keep=MAX_STORED_ERRORS)
    try:
        with job.file.open("rb") as stream:
            table = open_table(io.BytesIO(stream.read()), name=job.original_name)
        positions = _match_headers(table, spec, report, job.language)
    except UnreadableFile as unreadable:
        report.add(FILE_ROW, "", unreadable.message, unreadable.code)
        return Source(keys=[], rows=(), report=report, estimate=0)
    if positions is None:
        return Source(keys=[], rows=(), report=report, estimate=0)
    keys, indexes = list(positions), list(positions.values())
    source = Source(keys=keys, rows=(), report=report, estimate=table.estimated_rows)
    source.rows = _picked(table, indexes, source)
    return source


def _picked(table: Table, indexes: list[int], source: Source) -> Iterator[Numbered]:
    """The matched columns of each row; an unreadable file stops with a file-level problem."""
    picker = itemgetter(*indexes) if len(indexes) > 1 else None
    needed = max(indexes) + 1
    try:
        for number, cells in table.rows:
            if len(cells) < needed:
                cells = cells + [""] * (needed - len(cells))
            yield number, picker(cells) if picker else (cells[indexes[0]],)
    except UnreadableFile as unreadable:
        source.report.add(FILE_ROW, "", unreadable.message, unreadable.code)


def _check_rows(
    source: Source, checker: Checker, *, progress: Progress
) -> tuple[Report, int, list[tuple[int, object]]]:
    """Check every row in plain Python, then across rows; returns the rows that passed."""
    report = source.report
    checked: list[tuple[int, object]] = []
    if report.count:
        return report, 0, checked
    with _paused_collector():
        return _checked_rows(source, checker, progress, checked)


@contextmanager
def _paused_collector() -> Iterator[None]:
    """Hold the cyclic garbage collector while rows are read and checked.

    Reading builds millions of small, acyclic objects; each allocation burst would trigger a
    collection that walks the whole (large, growing) heap again. Reference counting still
    frees everything; the collector runs once at the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _checked_rows(
    source: Source, checker: Checker, progress: Progress, checked: list[tuple[int, object]]
) -> tuple[Report, int, list[tuple[int, object]]]:
    report = source.report
    check = checker.row_check(source.keys)
    estimate = max(source.estimate, 1)
    rows_total = 0
    for number, cells in source.rows:
        row = check(number, cells, report)
        rows_total += 1
        if row is not None:
            checked.append((number, row))
        if rows_total % PROGRESS_EVERY == 0:
            progress(rows_total, max(estimate, rows_total + 1))
    if any(problem.row == FILE_ROW for problem in report.problems):
        return report, rows_total, []
    if rows_total == 0:
        report.add(2, "", _("The file has a header row but no rows to import."), "no_rows")
    checker.finish(report, checked)
    return report, rows_total, checked


def _check_and_insert(
    *, org: Organization, actor: Membership, job: ImportJob, spec: Spec
) -> tuple[int, int]:
    """Read and check the file again, then insert; any problem refuses the whole job."""
    publish = _progress_writer(job)
    checker = spec.prepare(org=org, actor=job.created_by)
    report, rows_total, checked = _check_rows(
        _file_source(job, spec),
        checker,
        progress=lambda done, total: publish(done // 2, total),
    )
    if report.count:
        raise ImportRefused(report)
    publish(rows_total // 2, rows_total)
    try:
        written = checker.insert(actor=actor, rows=[row for _number, row in checked])
    except BusinessRuleViolation as refusal:
        report.add(FILE_ROW, "", refusal.message, refusal.code)
        raise ImportRefused(report) from refusal
    return written, rows_total


# --- the checked rows, kept between validation and apply ------------------------------------

CHECKED_VERSION: Final = 1


def _checked_name(job: ImportJob) -> str:
    return f"{job.file.name}.checked.json"


def _store_checked(job: ImportJob, checker: Checker, checked: list[tuple[int, object]]) -> None:
    """Keep the checked rows of a valid file, so apply need not read and check it again."""
    encode = checker.encode
    content = json.dumps(
        {
            "version": CHECKED_VERSION,
            "kind": job.kind,
            "rows": [encode(row) for _number, row in checked],
        },
        ensure_ascii=False,
        separators=(",", ":"),
        default=_plain,
    ).encode()
    storage, name = job.file.storage, _checked_name(job)
    storage.delete(name)
    if storage.save(name, ContentFile(content)) != name:  # the storage chose another name
        storage.delete(name)


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _insert_checked(job: ImportJob, checker: Checker, actor: Membership) -> tuple[int | None, int]:
    """Insert the rows kept at validation; (None, 0) when there are none or they were refused.

    The insert runs in a savepoint: a refusal (a code taken since, a price list archived…)
    rolls it back, and the caller checks every row again to name the rows at fault.
    """
    storage, name = job.file.storage, _checked_name(job)
    try:
        with storage.open(name, "rb") as stream, _paused_collector():
            stored = json.loads(stream.read())
    except (OSError, ValueError):
        return None, 0
    if (
        not isinstance(stored, dict)
        or stored.get("version") != CHECKED_VERSION
        or stored.get("kind") != job.kind
    ):
        return None, 0
    decode = checker.decode
    try:
        with _paused_collector(), transaction.atomic():
            rows = [decode(values) for values in stored["rows"]]
            return checker.insert(actor=actor, rows=rows), len(rows)
    except BusinessRuleViolation:
        return None, 0


def _drop_checked(job: ImportJob) -> None:
    job.file.storage.delete(_checked_name(job))


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
