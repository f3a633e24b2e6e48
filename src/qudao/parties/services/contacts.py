"""The people at a party: add, change, remove, one primary."""

from __future__ import annotations

from dataclasses import asdict, fields, replace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.parties.models import (
    Contact,
    Party,
)
from qudao.parties.services.data import ContactData
from qudao.parties.services.parties import _locked_visible_party, _too_long
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event

# ---------------------------------------------------------------------------------------------
# Contacts


@transaction.atomic
def add_contact(
    *, org: Organization, actor: Membership, party: Party, data: ContactData
) -> Contact:
    """Add a person at `party`; the first contact, or one marked primary, becomes the primary."""
    require_perm(actor, Perm.MANAGE_PARTIES)
    party = _locked_visible_party(actor, party)  # the party lock serialises primary changes
    _ensure_current(party)
    data = _validated_contact(data)
    has_primary = Contact.objects.filter(
        party=party, is_primary=True, archived_at__isnull=True
    ).exists()
    if data.is_primary:
        _clear_primary(party)
    elif not has_primary:
        data = replace(data, is_primary=True)
    contact = Contact.objects.create(org=org, party=party, **asdict(data))
    record_event(
        org=org,
        actor=actor,
        subject=party,
        verb="contact_added",
        data={"contact_id": contact.pk, "name": contact.name},
    )
    return contact


@transaction.atomic
def update_contact(
    *, org: Organization, actor: Membership, contact: Contact, data: ContactData
) -> Contact:
    """Change a contact's details; marking it primary unmarks the party's other primary."""
    require_perm(actor, Perm.MANAGE_PARTIES)
    party = _locked_visible_party(actor, contact.party)
    contact = Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk, party=party)
    _ensure_current(party)
    if contact.archived_at is not None:
        raise BusinessRuleViolation(_("This contact was removed."), code="archived")
    data = _validated_contact(data)
    before = ContactData.of(contact)
    changed = [
        f.name for f in fields(ContactData) if getattr(data, f.name) != getattr(before, f.name)
    ]
    if not changed:
        return contact
    if data.is_primary and not contact.is_primary:
        _clear_primary(party)
    for name in changed:
        setattr(contact, name, getattr(data, name))
    contact.save(update_fields=changed)
    record_event(
        org=org,
        actor=actor,
        subject=party,
        verb="contact_changed",
        data={"contact_id": contact.pk, "name": contact.name, "fields": changed},
    )
    return contact


@transaction.atomic
def archive_contact(*, org: Organization, actor: Membership, contact: Contact) -> Contact:
    """Remove a contact from the party's card; its history stays."""
    require_perm(actor, Perm.MANAGE_PARTIES)
    party = _locked_visible_party(actor, contact.party)
    contact = Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk, party=party)
    if contact.archived_at is not None:
        raise BusinessRuleViolation(_("This contact was already removed."), code="already_archived")
    contact.archived_at = timezone.now()
    contact.save(update_fields=["archived_at"])
    record_event(
        org=org,
        actor=actor,
        subject=party,
        verb="contact_removed",
        data={"contact_id": contact.pk, "name": contact.name},
    )
    return contact


def _ensure_current(party: Party) -> None:
    if party.archived_at is not None:
        raise BusinessRuleViolation(
            _("%(name)s is archived. Restore it before changing it.") % {"name": party.name},
            code="archived",
        )


def _clear_primary(party: Party) -> None:
    for other in Contact.objects.filter(party=party, is_primary=True, archived_at__isnull=True):
        other.is_primary = False
        other.save(update_fields=["is_primary"])  # at most one: saved for its history row


def _validated_contact(data: ContactData) -> ContactData:
    data = replace(
        data,
        **{
            f.name: getattr(data, f.name).strip()
            for f in fields(ContactData)
            if isinstance(getattr(data, f.name), str)
        },
    )
    problems = _too_long(data)
    if not data.name:
        problems["name"] = _("Enter the name.")
    if data.email:
        try:
            validate_email(data.email)
        except ValidationError:
            problems["email"] = _("Enter a valid email address.")
    if data.birthday is not None and data.birthday > timezone.localdate():
        problems["birthday"] = _("A birthday cannot be in the future.")
    if problems:
        raise BusinessRuleViolation(
            _("Some fields are not valid."), code="invalid", fields=problems
        )
    return data
