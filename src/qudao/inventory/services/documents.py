"""Warehouses and locations, transfers between warehouses, and stock counts (盘点)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.states import ensure_transition
from qudao.inventory.models import (
    COUNT_TRANSITIONS,
    TRANSFER_TRANSITIONS,
    CountStatus,
    Location,
    LocationKind,
    MoveKind,
    StockCount,
    StockCountLine,
    Transfer,
    TransferLine,
    TransferStatus,
    Warehouse,
)
from qudao.inventory.services.ledger import (
    MoveLine,
    Reference,
    checked_quantity,
    locations_by_id,
    lock_levels,
    move_stock,
    products_by_id,
)
from qudao.parties.models import Party, PartyKind
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import next_number, record_event

CODE_PATTERN: Final = re.compile(r"^[\w.\-]+$")
TRANSIT_CODE: Final = "TRANSIT"


def _check_code(code: str) -> str:
    code = code.strip()
    if not code or not CODE_PATTERN.match(code) or len(code) > 40:
        message = _("Use letters, digits, dots, dashes or underscores.")
        raise BusinessRuleViolation(message, code="invalid_code", fields={"code": message})
    return code


def _check_name(name: str, limit: int = 100) -> str:
    name = name.strip()
    if not name or len(name) > limit:
        message = _("This field is required.") if not name else _("This name is too long.")
        raise BusinessRuleViolation(message, code="invalid_name", fields={"name": message})
    return name


# ---------------------------------------------------------------------------------------------
# Warehouses and locations


@transaction.atomic
def create_warehouse(
    *, org: Organization, actor: Membership, code: str, name: str, address: str = ""
) -> Warehouse:
    """Add a warehouse with one internal location (its main stock) ready to take goods."""
    require_perm(actor, Perm.MOVE_STOCK)
    code, name = _check_code(code), _check_name(name)
    if Warehouse.objects.filter(code=code).exists():
        message = _("The code “%(code)s” is taken.") % {"code": code}
        raise BusinessRuleViolation(message, code="duplicate_code", fields={"code": message})
    warehouse = Warehouse.objects.create(org=org, code=code, name=name, address=address[:300])
    Location.objects.create(
        org=org, warehouse=warehouse, code="MAIN", name=_("Main stock"), kind=LocationKind.INTERNAL
    )
    record_event(org=org, actor=actor, subject=warehouse, verb="created")
    return warehouse


@transaction.atomic
def update_warehouse(
    *,
    org: Organization,
    actor: Membership,
    warehouse: Warehouse,
    code: str,
    name: str,
    address: str,
) -> Warehouse:
    require_perm(actor, Perm.MOVE_STOCK)
    warehouse = Warehouse.objects.select_for_update().get(pk=warehouse.pk)
    code, name = _check_code(code), _check_name(name)
    if Warehouse.objects.filter(code=code).exclude(pk=warehouse.pk).exists():
        message = _("The code “%(code)s” is taken.") % {"code": code}
        raise BusinessRuleViolation(message, code="duplicate_code", fields={"code": message})
    warehouse.code, warehouse.name, warehouse.address = code, name, address[:300]
    warehouse.save(update_fields=["code", "name", "address"])
    record_event(org=org, actor=actor, subject=warehouse, verb="updated")
    return warehouse


@dataclass(frozen=True)
class LocationData:
    code: str
    name: str
    kind: str = LocationKind.INTERNAL
    customer_id: int | None = None


def _checked_location(data: LocationData) -> LocationData:
    code, name = _check_code(data.code), _check_name(data.name)
    if data.kind not in LocationKind.values:
        raise BusinessRuleViolation(_("Unknown kind of location."), code="unknown_kind")
    customer_id = data.customer_id
    if data.kind == LocationKind.CONSIGNMENT:
        if (
            customer_id is None
            or not Party.objects.filter(pk=customer_id, kind=PartyKind.CUSTOMER).exists()
        ):
            message = _("A consignment location belongs to one of our customers.")
            raise BusinessRuleViolation(
                message, code="customer_required", fields={"customer": message}
            )
    else:
        customer_id = None
    return LocationData(code=code, name=name, kind=data.kind, customer_id=customer_id)


@transaction.atomic
def create_location(
    *, org: Organization, actor: Membership, warehouse: Warehouse, data: LocationData
) -> Location:
    require_perm(actor, Perm.MOVE_STOCK)
    data = _checked_location(data)
    if Location.objects.filter(warehouse=warehouse, code=data.code).exists():
        message = _("The code “%(code)s” is taken.") % {"code": data.code}
        raise BusinessRuleViolation(message, code="duplicate_code", fields={"code": message})
    location = Location.objects.create(
        org=org,
        warehouse=warehouse,
        code=data.code,
        name=data.name,
        kind=data.kind,
        customer_id=data.customer_id,
    )
    record_event(org=org, actor=actor, subject=location, verb="created")
    return location


@transaction.atomic
def update_location(
    *, org: Organization, actor: Membership, location: Location, data: LocationData
) -> Location:
    """Rename a location; its kind changes only while it holds nothing."""
    require_perm(actor, Perm.MOVE_STOCK)
    location = Location.objects.select_for_update().get(pk=location.pk)
    data = _checked_location(data)
    if (
        Location.objects.filter(warehouse_id=location.warehouse_id, code=data.code)
        .exclude(pk=location.pk)
        .exists()
    ):
        message = _("The code “%(code)s” is taken.") % {"code": data.code}
        raise BusinessRuleViolation(message, code="duplicate_code", fields={"code": message})
    if (data.kind, data.customer_id) != (location.kind, location.customer_id) and _holds_stock(
        location
    ):
        raise BusinessRuleViolation(
            _("A location holding stock keeps its kind and customer."), code="location_in_use"
        )
    location.code, location.name = data.code, data.name
    location.kind, location.customer_id = data.kind, data.customer_id
    location.save(update_fields=["code", "name", "kind", "customer"])
    record_event(org=org, actor=actor, subject=location, verb="updated")
    return location


def _holds_stock(location: Location) -> bool:
    return location.levels.exclude(on_hand=0, reserved=0).exists()


@transaction.atomic
def archive_location(*, org: Organization, actor: Membership, location: Location) -> Location:
    """Retire an empty location; it keeps its history and takes no more goods."""
    require_perm(actor, Perm.MOVE_STOCK)
    location = Location.objects.select_for_update().get(pk=location.pk)
    if _holds_stock(location):
        raise BusinessRuleViolation(
            _("Move the stock out of %(location)s before archiving it.") % {"location": location},
            code="location_in_use",
        )
    if location.archived_at is None:
        location.archived_at = timezone.now()
        location.save(update_fields=["archived_at"])
        record_event(org=org, actor=actor, subject=location, verb="archived")
    return location


# ---------------------------------------------------------------------------------------------
# Transfers


@dataclass(frozen=True)
class QuantityLine:
    product_id: int
    quantity: Decimal


@transaction.atomic
def create_transfer(
    *,
    org: Organization,
    actor: Membership,
    from_location_id: int,
    to_location_id: int,
    lines: Sequence[QuantityLine] = (),
    note: str = "",
) -> Transfer:
    """A draft transfer between two warehouses' locations."""
    require_perm(actor, Perm.MOVE_STOCK)
    locations = locations_by_id([from_location_id, to_location_id])
    source, target = locations[from_location_id], locations[to_location_id]
    if source.warehouse_id == target.warehouse_id:
        raise BusinessRuleViolation(
            _("A transfer goes to another warehouse; move stock inside one with an adjustment."),
            code="same_warehouse",
        )
    if LocationKind.TRANSIT in (source.kind, target.kind) or target.archived_at:
        raise BusinessRuleViolation(
            _("Choose a stock location at each end, not a transit or archived one."),
            code="invalid_location",
        )
    transfer = Transfer.objects.create(
        org=org,
        from_location=source,
        to_location=target,
        note=note[:2000],
        created_by=actor,
    )
    for line in lines:
        set_transfer_line(org=org, actor=actor, transfer=transfer, line=line)
    record_event(org=org, actor=actor, subject=transfer, verb="created")
    return transfer


def _locked_draft(transfer: Transfer) -> Transfer:
    transfer = Transfer.objects.select_for_update(of=("self",)).get(pk=transfer.pk)
    if transfer.status != TransferStatus.DRAFT:
        raise BusinessRuleViolation(_("Only a draft transfer can be changed."), code="not_draft")
    return transfer


@transaction.atomic
def set_transfer_line(
    *, org: Organization, actor: Membership, transfer: Transfer, line: QuantityLine
) -> Transfer:
    """Set a product's quantity on a draft transfer (zero removes the line)."""
    require_perm(actor, Perm.MOVE_STOCK)
    transfer = _locked_draft(transfer)
    products_by_id([line.product_id])
    if line.quantity == 0:
        TransferLine.objects.filter(transfer=transfer, product_id=line.product_id).delete()
        return transfer
    quantity = checked_quantity(line.quantity)
    TransferLine.objects.update_or_create(
        org=org,
        transfer=transfer,
        product_id=line.product_id,
        defaults={"quantity": quantity},
    )
    return transfer


def _transit_location(*, org: Organization, warehouse_id: int) -> Location:
    location = (
        Location.objects.filter(warehouse_id=warehouse_id, kind=LocationKind.TRANSIT)
        .order_by("pk")
        .first()
    )
    if location is None:
        location = Location.objects.create(
            org=org,
            warehouse_id=warehouse_id,
            code=TRANSIT_CODE,
            name=_("In transit"),
            kind=LocationKind.TRANSIT,
        )
    return location


@transaction.atomic
def ship_transfer(*, org: Organization, actor: Membership, transfer: Transfer) -> Transfer:
    """Move the goods out of the source location into transit, and number the transfer."""
    require_perm(actor, Perm.MOVE_STOCK)
    transfer = Transfer.objects.select_for_update(of=("self",)).get(pk=transfer.pk)
    ensure_transition(transfer.status, TransferStatus.SHIPPED, TRANSFER_TRANSITIONS)
    lines = list(transfer.lines.order_by("product_id"))
    if not lines:
        raise BusinessRuleViolation(_("A transfer needs at least one line."), code="empty_transfer")
    source = Location.objects.get(pk=transfer.from_location_id)
    transit = _transit_location(org=org, warehouse_id=source.warehouse_id)
    move_stock(
        org=org,
        actor=actor,
        moves=[
            MoveLine(
                product_id=line.product_id,
                quantity=line.quantity,
                from_location_id=source.pk,
                to_location_id=transit.pk,
            )
            for line in lines
        ],
        reason=MoveKind.TRANSFER,
        reference=Reference("transfer", transfer.pk),
    )
    transfer.status = TransferStatus.SHIPPED
    transfer.transit_location = transit
    transfer.shipped_at = timezone.now()
    transfer.number = next_number(org=org, key=f"TR{timezone.localdate().year}")  # last
    transfer.save(update_fields=["status", "transit_location", "shipped_at", "number"])
    record_event(org=org, actor=actor, subject=transfer, verb="shipped")
    return transfer


@transaction.atomic
def receive_transfer(*, org: Organization, actor: Membership, transfer: Transfer) -> Transfer:
    """Take the goods out of transit into the destination (at the source's average cost)."""
    require_perm(actor, Perm.MOVE_STOCK)
    transfer = Transfer.objects.select_for_update(of=("self",)).get(pk=transfer.pk)
    ensure_transition(transfer.status, TransferStatus.RECEIVED, TRANSFER_TRANSITIONS)
    move_stock(
        org=org,
        actor=actor,
        moves=[
            MoveLine(
                product_id=line.product_id,
                quantity=line.quantity,
                from_location_id=transfer.transit_location_id,
                to_location_id=transfer.to_location_id,
            )
            for line in transfer.lines.order_by("product_id")
        ],
        reason=MoveKind.TRANSFER,
        reference=Reference("transfer", transfer.pk),
    )
    transfer.status = TransferStatus.RECEIVED
    transfer.received_at = timezone.now()
    transfer.save(update_fields=["status", "received_at"])
    record_event(org=org, actor=actor, subject=transfer, verb="received")
    return transfer


@transaction.atomic
def cancel_transfer(
    *, org: Organization, actor: Membership, transfer: Transfer, reason: str = ""
) -> Transfer:
    require_perm(actor, Perm.MOVE_STOCK)
    transfer = Transfer.objects.select_for_update(of=("self",)).get(pk=transfer.pk)
    ensure_transition(transfer.status, TransferStatus.CANCELLED, TRANSFER_TRANSITIONS)
    transfer.status = TransferStatus.CANCELLED
    transfer.save(update_fields=["status"])
    record_event(org=org, actor=actor, subject=transfer, verb="cancelled", reason=reason)
    return transfer


# ---------------------------------------------------------------------------------------------
# Stock counts


@transaction.atomic
def create_count(
    *, org: Organization, actor: Membership, location_id: int, reason: str = ""
) -> StockCount:
    """A draft count sheet for one location."""
    require_perm(actor, Perm.MOVE_STOCK)
    location = locations_by_id([location_id])[location_id]
    if location.archived_at:
        raise BusinessRuleViolation(
            _("%(location)s is archived and takes no goods.") % {"location": location},
            code="archived_location",
        )
    count = StockCount.objects.create(
        org=org, location=location, reason=reason.strip()[:300], created_by=actor
    )
    record_event(org=org, actor=actor, subject=count, verb="created")
    return count


@transaction.atomic
def set_count_line(
    *, org: Organization, actor: Membership, count: StockCount, product_id: int, counted: Decimal
) -> StockCountLine:
    """Record what was counted of a product on a draft sheet (counting again replaces it)."""
    require_perm(actor, Perm.MOVE_STOCK)
    count = StockCount.objects.select_for_update(of=("self",)).get(pk=count.pk)
    if count.status != CountStatus.DRAFT:
        raise BusinessRuleViolation(_("This count is already posted."), code="already_posted")
    products_by_id([product_id])
    if counted != 0:
        counted = checked_quantity(counted)
    line, _created = StockCountLine.objects.update_or_create(
        org=org, count=count, product_id=product_id, defaults={"counted": counted}
    )
    return line


@transaction.atomic
def post_count(
    *, org: Organization, actor: Membership, count: StockCount, reason: str = ""
) -> StockCount:
    """Turn every difference between counted and on hand into a count move; once only."""
    require_perm(actor, Perm.MOVE_STOCK)
    count = StockCount.objects.select_for_update(of=("self",)).get(pk=count.pk)
    if count.status == CountStatus.POSTED:
        raise BusinessRuleViolation(_("This count is already posted."), code="already_posted")
    ensure_transition(count.status, CountStatus.POSTED, COUNT_TRANSITIONS)
    lines = list(count.lines.order_by("product_id"))
    if not lines:
        raise BusinessRuleViolation(_("Nothing was counted yet."), code="empty_count")
    reason = (reason or count.reason).strip()[:300]
    locations = locations_by_id([count.location_id])
    levels = lock_levels(
        org=org, keys=[(line.product_id, count.location_id) for line in lines], locations=locations
    )
    moves = []
    for line in lines:
        line.expected = levels[(line.product_id, count.location_id)].on_hand
        difference = line.counted - line.expected
        if difference > 0:
            moves.append(
                MoveLine(
                    product_id=line.product_id,
                    quantity=difference,
                    to_location_id=count.location_id,
                )
            )
        elif difference < 0:
            moves.append(
                MoveLine(
                    product_id=line.product_id,
                    quantity=-difference,
                    from_location_id=count.location_id,
                )
            )
    if moves and not reason:
        message = _("Say why the counted stock differs.")
        raise BusinessRuleViolation(message, code="reason_required", fields={"reason": message})
    StockCountLine.objects.bulk_update(lines, ["expected"])
    count.status = CountStatus.POSTED
    count.reason = reason
    count.posted_at = timezone.now()
    count.number = next_number(org=org, key=f"SC{timezone.localdate().year}")
    if moves:
        move_stock(
            org=org,
            actor=actor,
            moves=moves,
            reason=MoveKind.COUNT,
            reference=Reference("stock_count", count.pk),
            note=reason,
        )
    count.save(update_fields=["status", "reason", "posted_at", "number"])
    record_event(org=org, actor=actor, subject=count, verb="posted", reason=reason)
    return count


@transaction.atomic
def cancel_count(*, org: Organization, actor: Membership, count: StockCount) -> StockCount:
    require_perm(actor, Perm.MOVE_STOCK)
    count = StockCount.objects.select_for_update(of=("self",)).get(pk=count.pk)
    ensure_transition(count.status, CountStatus.CANCELLED, COUNT_TRANSITIONS)
    count.status = CountStatus.CANCELLED
    count.save(update_fields=["status"])
    record_event(org=org, actor=actor, subject=count, verb="cancelled")
    return count
