"""Organizations (tenants), users, memberships with a role, API tokens, business events."""

from __future__ import annotations

import hashlib
from typing import Final

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qudao.tenancy.roles import EXTERNAL_ROLES, Role
from qudao.tenancy.scoping import OrgScopedModel


class HistoryIPAddress(models.Model):
    """Adds 'from where' to every history row (filled from the request by a signal)."""

    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        abstract = True


def history(**kwargs: object) -> HistoricalRecords:
    """Field-level audit trail: who changed what, when and from where."""
    return HistoricalRecords(bases=[HistoryIPAddress], **kwargs)  # type: ignore[arg-type]


class Organization(models.Model):
    """The tenant: the company using Qudao. Every business row belongs to one."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = history()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in; what they may do comes from their memberships."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    history = history(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Membership(models.Model):
    """A user's place in one organization: one role, and for external users their party."""

    org = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party"),
        help_text=_("The supplier of a manufacturer user, or the customer of a retailer user."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = history()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["org", "user"], name="membership_one_per_user_and_org"),
            models.CheckConstraint(
                condition=Q(role__in=sorted(EXTERNAL_ROLES), party__isnull=False)
                | (~Q(role__in=sorted(EXTERNAL_ROLES)) & Q(party__isnull=True)),
                name="membership_party_iff_external",
            ),
        ]
        indexes = [models.Index(fields=["org", "role"], name="membership_org_role")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.org} ({self.get_role_display()})"

    @property
    def is_external(self) -> bool:
        return self.role in EXTERNAL_ROLES


TOKEN_PREFIX: Final = "qd_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(OrgScopedModel):
    """A bearer token for integrations: acts as one membership; only its hash is stored."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("membership")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["org", "membership"], name="apitoken_org_membership")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Event(OrgScopedModel):
    """A business event on a record: who did what, when, why and from where."""

    actor = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    subject_type = models.CharField(_("subject type"), max_length=60)
    subject_id = models.BigIntegerField(_("subject id"))
    verb = models.CharField(_("verb"), max_length=40)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["org", "subject_type", "subject_id"], name="event_subject"),
            models.Index(fields=["org", "-at"], name="event_recent"),
        ]


class IntegrityRun(OrgScopedModel):
    """One run of the data-integrity check for an organization, with what it found."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    checks = models.PositiveIntegerField(_("checks run"))
    problems = models.JSONField(_("problems"), default=list, blank=True)

    class Meta:
        verbose_name = _("integrity run")
        verbose_name_plural = _("integrity runs")
        indexes = [models.Index(fields=["org", "-started_at"], name="integrityrun_recent")]

    @property
    def is_clean(self) -> bool:
        return not self.problems


class Sequence(OrgScopedModel):
    """A gapless per-organization counter for document numbers (SO2026-000123)."""

    key = models.CharField(_("key"), max_length=40)
    last = models.PositiveBigIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [models.UniqueConstraint(fields=["org", "key"], name="sequence_org_key")]
