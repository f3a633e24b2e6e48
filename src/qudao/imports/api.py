"""API endpoints for imports: upload a file (validated at once or queued), apply it, follow it."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from qudao.core.api import Error, PageNumber
from qudao.imports import services
from qudao.imports.models import ImportJob, ImportKind, ImportStatus
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm

router = Router(tags=["imports"])


class RowErrorOut(Schema):
    row: int
    column: str
    message: str
    code: str


class ImportJobOut(Schema):
    id: int
    kind: ImportKind
    status: ImportStatus
    file_name: str
    rows_total: int
    rows_done: int
    rows_written: int
    progress: int
    error_count: int
    errors: list[RowErrorOut]
    created_at: datetime
    validated_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_file_name(job: ImportJob) -> str:
        return job.original_name


@router.get("/imports", response={200: list[ImportJobOut], 403: Error}, summary="Past import jobs")
@paginate(PageNumber)
def list_imports(request: HttpRequest) -> object:
    require_perm(request.auth, Perm.MANAGE_PARTIES)  # type: ignore[attr-defined]
    return ImportJob.objects.order_by("-created_at", "-id")


@router.post(
    "/imports",
    response={201: ImportJobOut, 403: Error, 409: Error, 422: Error},
    summary="Upload a file to import; small files come back validated, large ones queued",
)
def create_import(request: HttpRequest, kind: Form[ImportKind], file: File[UploadedFile]) -> Status:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    job = services.upload_import(
        org=actor.org,
        actor=actor,
        kind=kind,
        file=file,
        language=get_language() or "zh-hans",
    )
    return Status(201, job)


@router.get(
    "/imports/{job_id}",
    response={200: ImportJobOut, 403: Error, 404: Error},
    summary="An import job: status, progress and row errors",
)
def get_import(request: HttpRequest, job_id: int) -> ImportJob:
    require_perm(request.auth, Perm.MANAGE_PARTIES)  # type: ignore[attr-defined]
    return get_object_or_404(ImportJob, pk=job_id)


@router.post(
    "/imports/{job_id}/apply",
    response={200: ImportJobOut, 403: Error, 404: Error, 409: Error},
    summary="Apply a validated job: every row is written, or none",
)
def apply_import(request: HttpRequest, job_id: int) -> ImportJob:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=job_id)
    return services.request_apply(org=actor.org, actor=actor, job=job)
