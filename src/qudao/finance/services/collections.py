"""The collection workbench's one act: log a call with a customer, maybe with a promise to pay.
The call lands on the customer's timeline; the promise is tracked against payments."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import quantize
from qudao.finance.models import PromiseToPay
from qudao.parties.models import Party, PartyKind
from qudao.parties.selectors import visible_customers
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event

MAX_PROMISE_DAYS = 180


@dataclass(frozen=True)
class PromiseData:
    promised_on: datetime.date
    amount: Decimal
    promised_by: str


def _refuse(message: str, code: str, field: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields={field: message})


@transaction.atomic
def log_call(
    *,
    org: Organization,
    actor: Membership,
    customer: Party,
    note: str,
    promise: PromiseData | None = None,
) -> PromiseToPay | None:
    """Record a collection call on the customer's timeline, and the promise if one was made."""
    require_perm(actor, Perm.WORK_COLLECTIONS)
    if customer.org_id != org.pk or customer.kind != PartyKind.CUSTOMER:
        raise _refuse(
            _("Choose one of this organization's customers."), "not_a_customer", "customer"
        )
    if not visible_customers(actor).filter(pk=customer.pk).exists():
        raise _refuse(
            _("You can log calls only with your own customers."), "not_your_customer", "customer"
        )
    note = note.strip()
    if not note:
        raise _refuse(_("Write a short note about the call."), "note_required", "note")
    today = timezone.localdate()
    created = None
    if promise is not None:
        if promise.amount <= 0 or promise.amount != quantize(promise.amount):
            raise _refuse(_("Enter a positive amount in fen."), "invalid_amount", "amount")
        if not today <= promise.promised_on <= today + datetime.timedelta(days=MAX_PROMISE_DAYS):
            raise _refuse(
                _("A promised date is between today and %(days)s days from now.")
                % {"days": MAX_PROMISE_DAYS},
                "invalid_promise_date",
                "promised_on",
            )
        if not promise.promised_by.strip():
            raise _refuse(_("Say who promised."), "promised_by_required", "promised_by")
        created = PromiseToPay.objects.create(
            org=org,
            customer=customer,
            promised_on=promise.promised_on,
            amount=promise.amount,
            promised_by=promise.promised_by.strip()[:60],
            note=note[:300],
            recorded_on=today,
            recorded_by=actor,
        )
    record_event(
        org=org,
        actor=actor,
        subject=customer,
        verb="collection_call",
        reason=note[:300],
        data={
            "promise": {
                "id": created.pk,
                "date": str(created.promised_on),
                "amount": str(created.amount),
                "by": created.promised_by,
            }
        }
        if created
        else {},
    )
    return created
