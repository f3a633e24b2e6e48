"""Pages for imports: past jobs, a new upload, the preview with row errors, apply, template."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.core.listing import Column, Filter, Listing
from qudao.imports import services
from qudao.imports.forms import ImportForm
from qudao.imports.models import ImportJob, ImportKind, ImportStatus
from qudao.imports.specs import SPECS
from qudao.imports.workbooks import template_workbook
from qudao.tenancy.decorators import member_required
from qudao.tenancy.roles import Perm

JOB_COLUMNS = (
    Column("created", gettext_lazy("Uploaded"), "created_at"),
    Column("kind", gettext_lazy("Kind"), "kind"),
    Column("file", gettext_lazy("File")),
    Column("status", gettext_lazy("Status"), "status"),
    Column("rows", gettext_lazy("Rows"), "rows_total", numeric=True),
    Column("errors", gettext_lazy("Errors"), "error_count", numeric=True),
    Column("by", gettext_lazy("Uploaded by")),
)


@member_required(Perm.MANAGE_PARTIES)
def job_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=ImportJob.objects.select_related("created_by__user"),
        columns=JOB_COLUMNS,
        search_fields=("original_name",),
        filters=(
            Filter("kind", gettext_lazy("Kind"), "kind", ImportKind.choices),
            Filter("status", gettext_lazy("Status"), "status", ImportStatus.choices),
        ),
        default_sort="-created_at",
    )
    context = listing.context() | {
        "list_url": request.path,
        "row_template": "imports/_job_row.html",
        "search_placeholder": _("Search by file name"),
        "empty_message": _("No imports yet."),
    }
    template = "shell/_list.html" if request.htmx else "imports/job_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@member_required(Perm.MANAGE_PARTIES)
def job_create(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.upload_import(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"],
                language=get_language() or "zh-hans",
            )
        except BusinessRuleViolation as refusal:
            form.add_error("file" if "file" in refusal.fields else None, refusal.message)
        else:
            return redirect("imports-job-detail", pk=job.pk)
    templates = [(kind, spec, ImportKind(kind).label) for kind, spec in SPECS.items()]
    return render(request, "imports/job_form.html", {"form": form, "templates": templates})


@member_required(Perm.MANAGE_PARTIES)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("created_by__user"), pk=pk)
    template = "imports/_job_status.html" if request.htmx else "imports/job_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@require_POST
@member_required(Perm.MANAGE_PARTIES)
def job_apply(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    try:
        job = services.request_apply(
            org=request.org,  # type: ignore[attr-defined]
            actor=request.membership,  # type: ignore[attr-defined]
            job=job,
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        if job.status == ImportStatus.APPLIED:
            messages.success(
                request, _("%(count)s rows were imported.") % {"count": job.rows_written}
            )
        elif job.status == ImportStatus.FAILED:
            messages.error(request, _("Nothing was imported: the rows no longer pass the checks."))
    return redirect("imports-job-detail", pk=pk)


@require_GET
@member_required(Perm.MANAGE_PARTIES)
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    spec = SPECS.get(kind)
    if spec is None:
        raise Http404
    content = template_workbook(spec, language=get_language() or "zh-hans")
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="qudao-{kind}-template.xlsx"'
    return response
