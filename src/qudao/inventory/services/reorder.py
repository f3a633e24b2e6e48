"""Reorder rules (勤进快销): how each product is replenished. Boss and warehouse keep them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.db import transaction
from django.utils.translation import gettext as _

from qudao.catalog.models import PackagingUnit, Product
from qudao.core.errors import BusinessRuleViolation
from qudao.inventory.models import ReorderRule, Warehouse
from qudao.inventory.services.ledger import QUANTITY_STEP
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event

MAX_DAYS: Final = 365
MAX_QUANTITY: Final = Decimal("99999999999.999")


@dataclass(frozen=True)
class RuleData:
    product_id: int
    lead_time_days: int
    warehouse_id: int | None = None
    review_period_days: int = 7
    safety_days: int = 0
    safety_quantity: Decimal = Decimal("0")
    packaging_unit_id: int | None = None
    note: str = ""


def _refuse(field: str, message: str, code: str = "invalid_rule") -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields={field: message})


def _checked(data: RuleData, *, rule: ReorderRule | None = None) -> RuleData:
    """The rule's data as it will be stored; refuses anything out of range or unknown."""
    if not Product.objects.filter(pk=data.product_id).exists():
        raise _refuse("product", _("This product does not exist."), "unknown_product")
    if (
        data.warehouse_id is not None
        and not Warehouse.objects.filter(pk=data.warehouse_id, archived_at__isnull=True).exists()
    ):
        raise _refuse("warehouse", _("Choose one of the warehouses in use."), "unknown_warehouse")
    for field, days in (
        ("lead_time_days", data.lead_time_days),
        ("review_period_days", data.review_period_days),
        ("safety_days", data.safety_days),
    ):
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
            raise _refuse(
                field, _("Give a whole number of days from 0 to %(max)s.") % {"max": MAX_DAYS}
            )
    if data.lead_time_days + data.review_period_days == 0:
        raise _refuse("lead_time_days", _("Lead time and review period cannot both be zero days."))
    quantity = data.safety_quantity
    if (
        not isinstance(quantity, Decimal)
        or not quantity.is_finite()
        or quantity < 0
        or quantity > MAX_QUANTITY
        or quantity != quantity.quantize(QUANTITY_STEP)
    ):
        raise _refuse(
            "safety_quantity",
            _("The minimum stock is zero or more, with at most 3 decimal places."),
        )
    if (
        data.packaging_unit_id is not None
        and not PackagingUnit.objects.filter(
            pk=data.packaging_unit_id, product_id=data.product_id
        ).exists()
    ):
        raise _refuse(
            "packaging_unit", _("Choose one of this product's packaging units."), "unknown_unit"
        )
    clash = ReorderRule.objects.filter(product_id=data.product_id, warehouse_id=data.warehouse_id)
    if rule is not None:
        clash = clash.exclude(pk=rule.pk)
    if clash.exists():
        raise _refuse(
            "product",
            _("This product already has a reorder rule for this warehouse."),
            "duplicate_rule",
        )
    note = data.note.strip()
    if len(note) > 300:
        raise _refuse("note", _("The note is too long (300 characters at most)."))
    return RuleData(
        product_id=data.product_id,
        warehouse_id=data.warehouse_id,
        lead_time_days=data.lead_time_days,
        review_period_days=data.review_period_days,
        safety_days=data.safety_days,
        safety_quantity=quantity.quantize(QUANTITY_STEP),
        packaging_unit_id=data.packaging_unit_id,
        note=note,
    )


def _apply(rule: ReorderRule, data: RuleData) -> None:
    rule.product_id = data.product_id
    rule.warehouse_id = data.warehouse_id
    rule.lead_time_days = data.lead_time_days
    rule.review_period_days = data.review_period_days
    rule.safety_days = data.safety_days
    rule.safety_quantity = data.safety_quantity
    rule.packaging_unit_id = data.packaging_unit_id
    rule.note = data.note


@transaction.atomic
def create_reorder_rule(*, org: Organization, actor: Membership, data: RuleData) -> ReorderRule:
    """Start planning a product's replenishment (one rule per product and warehouse)."""
    require_perm(actor, Perm.MOVE_STOCK)
    data = _checked(data)
    rule = ReorderRule(org=org)
    _apply(rule, data)
    rule.save()
    record_event(org=org, actor=actor, subject=rule, verb="created")
    return rule


@transaction.atomic
def update_reorder_rule(
    *, org: Organization, actor: Membership, rule: ReorderRule, data: RuleData
) -> ReorderRule:
    require_perm(actor, Perm.MOVE_STOCK)
    rule = ReorderRule.objects.select_for_update(of=("self",)).get(pk=rule.pk)
    data = _checked(data, rule=rule)
    _apply(rule, data)
    rule.save()
    record_event(org=org, actor=actor, subject=rule, verb="updated")
    return rule


@transaction.atomic
def delete_reorder_rule(*, org: Organization, actor: Membership, rule: ReorderRule) -> None:
    """Stop planning the product here; the rule's history stays in the audit trail."""
    require_perm(actor, Perm.MOVE_STOCK)
    rule = ReorderRule.objects.select_for_update(of=("self",)).get(pk=rule.pk)
    record_event(
        org=org,
        actor=actor,
        subject=rule,
        verb="reorder_rule_removed",
        data={"product_id": rule.product_id, "warehouse_id": rule.warehouse_id},
    )
    rule.delete()
