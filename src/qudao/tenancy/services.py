"""Every change to organizations, memberships, tokens, numbering and the event log."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.rows import Statement, execute_hot, insert_statement
from qudao.tenancy.models import (
    TOKEN_PREFIX,
    ApiToken,
    Event,
    Membership,
    Organization,
    Sequence,
    User,
    hash_token,
)
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import EXTERNAL_ROLES, Perm, Role
from qudao.tenancy.scoping import org_scope


def record_event(
    *,
    org: Organization,
    actor: Membership | None,
    subject: models.Model,
    verb: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> Event:
    """Append who did what to `subject`, when and why, to the organization's event log."""
    return Event.objects.create(
        org=org,
        actor=actor,
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        verb=verb,
        reason=reason,
        data=data or {},
        ip_address=ip_address,
    )


def event_statement(
    *,
    org: Organization,
    actor: Membership | None,
    subject: models.Model,
    verb: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Statement:
    """`record_event` as a statement, to run together with the act's other writes
    (`qudao.core.rows.run_together`) on the hot paths."""
    row = {
        "org": org.pk,
        "actor": getattr(actor, "pk", None),
        "subject_type": subject._meta.label_lower,
        "subject_id": subject.pk,
        "verb": verb,
        "reason": reason,
        "data": data or {},
        "at": timezone.now(),
    }
    return insert_statement(Event, [row])


def record_events(
    *,
    org: Organization,
    actor: Membership | None,
    subjects: Iterable[models.Model],
    verb: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> int:
    """Append one event per subject in one INSERT (bulk acts: reassignment, import)."""
    events = [
        Event(
            org=org,
            actor=actor,
            subject_type=subject._meta.label_lower,
            subject_id=subject.pk,
            verb=verb,
            reason=reason,
            data=data or {},
        )
        for subject in subjects
    ]
    Event.objects.bulk_create(events, batch_size=2000)
    return len(events)


def next_number(*, org: Organization, key: str, width: int = 6) -> str:
    """Take the next gapless number for `key`; call it last in the transaction (shortest lock)."""
    # one statement takes the number and locks the row until the transaction ends (RETURNING:
    # PostgreSQL, SQLite 3.35+); a key's first number creates its row
    table, quote = Sequence._meta.db_table, connection.ops.quote_name
    sql = (
        f"UPDATE {quote(table)} SET {quote('last')} = {quote('last')} + 1"  # noqa: S608 - names
        f" WHERE org_id = %s AND {quote('key')} = %s RETURNING {quote('last')}"
    )
    with connection.cursor() as cursor:
        execute_hot(cursor, sql, [org.pk, key])
        row = cursor.fetchone()
    if row is None:
        Sequence.objects.select_for_update().get_or_create(org=org, key=key)
        return next_number(org=org, key=key, width=width)
    return f"{key}-{row[0]:0{width}d}"


def number_statement(*, org: Organization, key: str, width: int = 6) -> Statement:
    """`next_number` as a statement (PostgreSQL) returning the number as `number`, for the
    statement that writes the numbered document: the sequence row is then locked for that
    one statement and the commit, not from the number until the end of the transaction.

    An upsert, so a key's first number needs no row beforehand."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("number_statement needs PostgreSQL; use next_number")
    table = Sequence._meta.db_table
    return Statement(
        f'INSERT INTO {table} (org_id, "key", "last") VALUES (%s, %s, 1)'  # noqa: S608 - name
        f' ON CONFLICT (org_id, "key") DO UPDATE SET "last" = {table}."last" + 1'
        " RETURNING CAST(%s AS text) || '-'"
        ' || lpad(CAST("last" AS text),'
        """ GREATEST(CAST(%s AS integer), length(CAST("last" AS text))), '0') AS number""",
        [org.pk, key, key, width],
    )


@transaction.atomic
def create_organization(*, name: str, code: str, owner: User) -> Organization:
    """Create a tenant and make `owner` its boss."""
    if Organization.objects.filter(code=code).exists():
        raise BusinessRuleViolation(
            _("The organization code “%(code)s” is taken.") % {"code": code}, code="duplicate_code"
        )
    org = Organization.objects.create(name=name, code=code)
    Membership.objects.create(org=org, user=owner, role=Role.BOSS)
    return org


@dataclass(frozen=True)
class NewMember:
    username: str
    display_name: str
    role: str
    password: str = ""
    email: str = ""
    party_id: int | None = None


@transaction.atomic
def add_member(*, org: Organization, actor: Membership | None, new: NewMember) -> Membership:
    """Give a (new or existing) user a role in `org`; external roles need their party."""
    if actor is not None:
        require_perm(actor, Perm.MANAGE_MEMBERS)
    if new.role not in Role.values:
        raise BusinessRuleViolation(_("Unknown role."), code="unknown_role", fields={"role": ""})
    is_external = new.role in EXTERNAL_ROLES
    if is_external and new.party_id is None:
        raise BusinessRuleViolation(
            _("A manufacturer or retailer user must be linked to its supplier or customer."),
            code="party_required",
            fields={"party": _("Choose the party this user acts for.")},
        )
    if not is_external and new.party_id is not None:
        raise BusinessRuleViolation(
            _("Only manufacturer and retailer users are linked to a party."),
            code="party_not_allowed",
        )
    if is_external:
        _check_party_fits_role(org=org, role=new.role, party_id=new.party_id)

    user = User.objects.filter(username=new.username).first()
    if user is None:
        if new.password:
            try:
                validate_password(new.password)
            except ValidationError as invalid:
                raise BusinessRuleViolation(
                    " ".join(invalid.messages),
                    code="weak_password",
                    fields={"password": " ".join(invalid.messages)},
                ) from invalid
        user = User(username=new.username, display_name=new.display_name, email=new.email)
        if new.password:
            user.set_password(new.password)
        else:
            user.set_unusable_password()
        user.save()
    elif Membership.objects.filter(org=org, user=user).exists():
        raise BusinessRuleViolation(
            _("%(user)s is already a member of this organization.") % {"user": user},
            code="already_member",
        )
    membership = Membership.objects.create(org=org, user=user, role=new.role, party_id=new.party_id)
    with org_scope(org):
        record_event(
            org=org, actor=actor, subject=membership, verb="member_added", data={"role": new.role}
        )
    return membership


def _check_party_fits_role(*, org: Organization, role: str, party_id: int | None) -> None:
    from django.apps import apps

    party_model = apps.get_model("parties", "Party")
    with org_scope(org):
        party = party_model.objects.filter(pk=party_id).first()
    wanted = "supplier" if role == Role.MANUFACTURER else "customer"
    if party is None or getattr(party, "kind", None) != wanted:
        message = (
            _("A manufacturer user must be linked to one of this organization's suppliers.")
            if role == Role.MANUFACTURER
            else _("A retailer user must be linked to one of this organization's customers.")
        )
        raise BusinessRuleViolation(message, code="party_mismatch", fields={"party": message})


@transaction.atomic
def change_role(
    *,
    org: Organization,
    actor: Membership,
    membership: Membership,
    role: str,
    party_id: int | None = None,
) -> Membership:
    """Move a member to another role; the last active boss cannot be demoted."""
    require_perm(actor, Perm.MANAGE_MEMBERS)
    membership = Membership.objects.select_for_update().get(pk=membership.pk, org=org)
    if role not in Role.values:
        raise BusinessRuleViolation(_("Unknown role."), code="unknown_role")
    if membership.role == Role.BOSS and role != Role.BOSS:
        _ensure_another_boss(org=org, membership=membership)
    if role in EXTERNAL_ROLES:
        if party_id is None:
            raise BusinessRuleViolation(
                _("A manufacturer or retailer user must be linked to its supplier or customer."),
                code="party_required",
            )
        _check_party_fits_role(org=org, role=role, party_id=party_id)
    else:
        party_id = None
    before = membership.role
    membership.role = role
    membership.party_id = party_id
    membership.save(update_fields=["role", "party"])
    with org_scope(org):
        record_event(
            org=org,
            actor=actor,
            subject=membership,
            verb="role_changed",
            data={"from": before, "to": role},
        )
    return membership


def _ensure_another_boss(*, org: Organization, membership: Membership) -> None:
    others = Membership.objects.filter(org=org, role=Role.BOSS, is_active=True).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise BusinessRuleViolation(
            _("An organization needs at least one active boss."), code="last_boss"
        )


@transaction.atomic
def set_member_active(
    *, org: Organization, actor: Membership, membership: Membership, active: bool
) -> Membership:
    """Suspend or restore a member's access; history is kept either way."""
    require_perm(actor, Perm.MANAGE_MEMBERS)
    membership = Membership.objects.select_for_update().get(pk=membership.pk, org=org)
    if not active and membership.role == Role.BOSS:
        _ensure_another_boss(org=org, membership=membership)
    membership.is_active = active
    membership.save(update_fields=["is_active"])
    with org_scope(org):
        record_event(
            org=org,
            actor=actor,
            subject=membership,
            verb="member_restored" if active else "member_suspended",
        )
    return membership


@transaction.atomic
def issue_api_token(*, org: Organization, actor: Membership, name: str) -> tuple[ApiToken, str]:
    """Create a bearer token acting as `actor`; the raw key is returned once and never stored."""
    require_perm(actor, Perm.USE_API_TOKENS)
    name = name.strip()
    if not name:
        raise BusinessRuleViolation(
            _("Give the token a name, such as the system that will use it."),
            code="name_required",
            fields={"name": _("This field is required.")},
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        org=org, membership=actor, name=name[:100], prefix=raw[:10], key_hash=hash_token(raw)
    )
    record_event(org=org, actor=actor, subject=token, verb="token_issued")
    return token, raw


@transaction.atomic
def revoke_api_token(*, org: Organization, actor: Membership, token: ApiToken) -> ApiToken:
    """Stop a token from working; only its owner or a boss may."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.membership_id != actor.pk:
        require_perm(actor, Perm.MANAGE_MEMBERS)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(org=org, actor=actor, subject=token, verb="token_revoked")
    return token
