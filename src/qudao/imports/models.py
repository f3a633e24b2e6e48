"""Import jobs: one uploaded spreadsheet, its validation result, and whether it was applied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _

from qudao.tenancy.models import Membership
from qudao.tenancy.scoping import OrgScopedModel

MAX_STORED_ERRORS: Final = 1000


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    SUPPLIERS = "suppliers", _("Suppliers")
    CONTACTS = "contacts", _("Contacts")
    PRODUCTS = "products", _("Products")
    PRICES = "prices", _("Prices")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    VALIDATED = "validated", _("Ready to apply")
    INVALID = "invalid", _("Has errors")
    APPLYING = "applying", _("Applying")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")


IMPORT_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    ImportStatus.UPLOADED: frozenset({ImportStatus.VALIDATED, ImportStatus.INVALID}),
    ImportStatus.VALIDATED: frozenset({ImportStatus.APPLYING}),
    ImportStatus.APPLYING: frozenset({ImportStatus.APPLIED, ImportStatus.FAILED}),
}


class ImportJob(OrgScopedModel):
    """An uploaded file of one kind, validated row by row, then applied all-or-nothing."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("first errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    apply_started_at = models.DateTimeField(_("apply started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["org", "-created_at"], name="importjob_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"

    @property
    def is_running(self) -> bool:
        """Work is queued or under way: the page keeps polling."""
        return self.status in (ImportStatus.UPLOADED, ImportStatus.APPLYING)

    @property
    def errors_not_shown(self) -> int:
        return max(self.error_count - len(self.errors), 0)
