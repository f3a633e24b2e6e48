"""The stock-move ledger: every change of on hand, reservations and average costs.

`move_stock` is the one writer of moves. It locks the stock rows it touches in one order
(product id, location id), then the average-cost rows (product id, warehouse id), so two
transactions touching the same stock always queue instead of deadlocking or overselling.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_
from typing import Final

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.catalog.models import Product
from qudao.core.errors import BusinessRuleViolation
from qudao.core.rows import Statement, atomic_step, execute_hot, insert_statement, run_together
from qudao.inventory.models import (
    ZERO_QUANTITY,
    Location,
    LocationKind,
    MoveKind,
    Reservation,
    StockLevel,
    StockMove,
    Warehouse,
    WarehouseCost,
)
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm

QUANTITY_STEP: Final = Decimal("0.001")
COST_STEP: Final = Decimal("0.0001")


@dataclass(frozen=True)
class Reference:
    """The source document of a move or reservation, as plain data: ("sales_order", 12)."""

    type: str
    id: int

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"


@dataclass(frozen=True)
class MoveLine:
    """One movement to post. A null location is outside (supplier, customer, adjustment).

    `unit_cost` matters only for goods coming in from outside; left empty they come in at the
    warehouse's current average. Outgoing and internal moves always take the average.
    """

    product_id: int
    quantity: Decimal
    from_location_id: int | None = None
    to_location_id: int | None = None
    unit_cost: Decimal | None = None
    lot: str = ""
    serial: str = ""
    reverses_id: int | None = None


def quantize_cost(amount: Decimal) -> Decimal:
    """Round a unit cost to its 4 stored places, half away from zero (the named point)."""
    return amount.quantize(COST_STEP, rounding=ROUND_HALF_UP)


def weighted_average(
    *, quantity: Decimal, average: Decimal, incoming: Decimal, incoming_cost: Decimal
) -> Decimal:
    """The moving weighted average after `incoming` units at `incoming_cost` arrive."""
    if quantity <= 0:
        return quantize_cost(incoming_cost)
    total = quantity + incoming
    return quantize_cost((quantity * average + incoming * incoming_cost) / total)


def _refuse(message: str, code: str, **fields: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields=fields or None)


def checked_quantity(quantity: Decimal) -> Decimal:
    if not isinstance(quantity, Decimal) or not quantity.is_finite() or quantity <= 0:
        raise _refuse(_("A quantity must be more than zero."), "invalid_quantity")
    if quantity != quantity.quantize(QUANTITY_STEP):
        raise _refuse(_("A quantity has at most 3 decimal places."), "invalid_quantity")
    return quantity.quantize(QUANTITY_STEP)


def locations_by_id(ids: Iterable[int]) -> dict[int, Location]:
    wanted = set(ids)
    found = {
        loc.pk: loc for loc in Location.objects.select_related("warehouse").filter(pk__in=wanted)
    }
    if len(found) != len(wanted):
        raise _refuse(_("A location does not exist."), "unknown_location")
    return found


def products_by_id(ids: Iterable[int]) -> dict[int, Product]:
    wanted = set(ids)
    found = {p.pk: p for p in Product.objects.filter(pk__in=wanted)}
    if len(found) != len(wanted):
        raise _refuse(_("A product does not exist."), "unknown_product")
    return found


def lock_levels(
    *, org: Organization, keys: Iterable[tuple[int, int]], locations: dict[int, Location]
) -> dict[tuple[int, int], StockLevel]:
    """Lock (creating when missing) the stock rows for (product id, location id), in key order."""
    ordered = sorted(set(keys))
    if not ordered:
        return {}
    wanted = reduce(or_, (Q(product_id=p, location_id=loc) for p, loc in ordered))
    existing = set(StockLevel.objects.filter(wanted).values_list("product_id", "location_id"))
    if len(existing) < len(ordered):  # the first move of a product to a location
        StockLevel.objects.bulk_create(
            [
                StockLevel(
                    org=org,
                    product_id=product_id,
                    location_id=location_id,
                    warehouse_id=locations[location_id].warehouse_id,
                )
                for product_id, location_id in ordered
                if (product_id, location_id) not in existing
            ],
            ignore_conflicts=True,
        )
    rows = (
        StockLevel.objects.select_for_update(of=("self",))
        .filter(wanted)
        .order_by("product_id", "location_id")
    )
    return {(row.product_id, row.location_id): row for row in rows}


def _lock_costs(
    *, org: Organization, keys: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], WarehouseCost]:
    ordered = sorted(set(keys))
    if not ordered:
        return {}
    WarehouseCost.objects.bulk_create(
        [WarehouseCost(org=org, product_id=p, warehouse_id=w) for p, w in ordered],
        ignore_conflicts=True,
    )
    wanted = reduce(or_, (Q(product_id=p, warehouse_id=w) for p, w in ordered))
    rows = (
        WarehouseCost.objects.select_for_update(of=("self",))
        .filter(wanted)
        .order_by("product_id", "warehouse_id")
    )
    return {(row.product_id, row.warehouse_id): row for row in rows}


def _validate(lines: Sequence[MoveLine]) -> list[MoveLine]:
    if not lines:
        raise _refuse(_("Nothing to move."), "no_moves")
    checked = []
    for line in lines:
        quantity = checked_quantity(line.quantity)
        if line.from_location_id is None and line.to_location_id is None:
            raise _refuse(_("A move needs a location to come from or go to."), "no_location")
        if line.from_location_id == line.to_location_id:
            raise _refuse(_("A move cannot go to the location it comes from."), "same_location")
        if line.unit_cost is not None and (not line.unit_cost.is_finite() or line.unit_cost < 0):
            raise _refuse(_("A unit cost cannot be negative."), "invalid_cost")
        checked.append(
            MoveLine(
                product_id=line.product_id,
                quantity=quantity,
                from_location_id=line.from_location_id,
                to_location_id=line.to_location_id,
                unit_cost=None if line.unit_cost is None else quantize_cost(line.unit_cost),
                lot=line.lot[:60],
                serial=line.serial[:80],
                reverses_id=line.reverses_id,
            )
        )
    return checked


@transaction.atomic
def move_stock(
    *,
    org: Organization,
    actor: Membership | None,
    moves: Sequence[MoveLine],
    reason: str,
    reference: Reference | None = None,
    note: str = "",
) -> list[StockMove]:
    """Post `moves` all-or-nothing: on hand never goes below zero at any of our locations.

    Callers check their own permission (sales ships, purchasing receives, stock adjusts);
    `reason` is the move kind (receipt, shipment, transfer, adjustment, count, return, scrap).
    """
    if reason not in MoveKind.values:
        raise _refuse(_("Unknown kind of stock move."), "unknown_move_kind")
    lines = _validate(moves)
    location_ids = {
        loc for line in lines for loc in (line.from_location_id, line.to_location_id) if loc
    }
    locations = locations_by_id(location_ids)
    products = products_by_id(line.product_id for line in lines)
    for line in lines:
        target = locations.get(line.to_location_id or 0)
        if target is not None and (target.archived_at or target.warehouse.archived_at):
            raise _refuse(
                _("%(location)s is archived and takes no goods.") % {"location": target},
                "archived_location",
            )

    deltas: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO_QUANTITY)
    for line in lines:
        if line.from_location_id:
            deltas[(line.product_id, line.from_location_id)] -= line.quantity
        if line.to_location_id:
            deltas[(line.product_id, line.to_location_id)] += line.quantity
    levels = lock_levels(org=org, keys=deltas, locations=locations)
    for key in sorted(deltas):
        if levels[key].on_hand + deltas[key] < 0:
            product, location = products[key[0]], locations[key[1]]
            raise _refuse(
                _("Not enough %(product)s at %(location)s: %(on_hand)s on hand, %(needed)s needed.")
                % {
                    "product": product,
                    "location": location,
                    "on_hand": f"{levels[key].on_hand.normalize():f}",
                    "needed": f"{(-deltas[key]).normalize():f}",
                },
                "insufficient_stock",
            )

    def warehouse_of(location_id: int | None) -> int | None:
        return locations[location_id].warehouse_id if location_id else None

    cost_keys = {
        (line.product_id, w)
        for line in lines
        for w in (warehouse_of(line.from_location_id), warehouse_of(line.to_location_id))
        if w is not None
    }
    costs = _lock_costs(org=org, keys=cost_keys)

    now = timezone.now()
    posted = []
    for line in lines:
        source, target = warehouse_of(line.from_location_id), warehouse_of(line.to_location_id)
        if source is not None:
            unit_cost = costs[(line.product_id, source)].average_cost
        else:
            unit_cost = (
                line.unit_cost
                if line.unit_cost is not None
                else costs[(line.product_id, target)].average_cost  # type: ignore[index]
            )
        if source != target:
            if source is not None:
                costs[(line.product_id, source)].quantity -= line.quantity
            if target is not None:
                cost = costs[(line.product_id, target)]
                cost.average_cost = weighted_average(
                    quantity=cost.quantity,
                    average=cost.average_cost,
                    incoming=line.quantity,
                    incoming_cost=unit_cost,
                )
                cost.quantity += line.quantity
        posted.append(
            StockMove(
                org=org,
                product_id=line.product_id,
                quantity=line.quantity,
                from_location_id=line.from_location_id,
                to_location_id=line.to_location_id,
                unit_cost=unit_cost,
                kind=reason,
                reason=note[:300],
                reference_type=reference.type[:40] if reference else "",
                reference_id=reference.id if reference else None,
                lot=line.lot,
                serial=line.serial,
                reverses_id=line.reverses_id,
                moved_at=now,
                actor=actor,
            )
        )

    for key in sorted(deltas):
        if deltas[key]:
            StockLevel.objects.filter(pk=levels[key].pk).update(on_hand=F("on_hand") + deltas[key])
    for key in sorted(costs):
        costs[key].save(update_fields=["quantity", "average_cost", "updated_at"])
    return StockMove.objects.bulk_create(posted)


@transaction.atomic
def adjust_stock(
    *,
    org: Organization,
    actor: Membership,
    moves: Sequence[MoveLine],
    reason: str = MoveKind.ADJUSTMENT,
    note: str,
    reference: Reference | None = None,
) -> list[StockMove]:
    """A stock keeper's own moves (adjustment, scrap, internal move); a note says why."""
    require_perm(actor, Perm.MOVE_STOCK)
    if not note.strip():
        raise _refuse(
            _("Say why the stock is adjusted."),
            "reason_required",
            note=_("This field is required."),
        )
    return move_stock(
        org=org, actor=actor, moves=moves, reason=reason, reference=reference, note=note.strip()
    )


@transaction.atomic
def reverse_move(*, org: Organization, actor: Membership, move: StockMove, note: str) -> StockMove:
    """Cancel `move` with a move the other way that points back at it; `move` is untouched."""
    require_perm(actor, Perm.MOVE_STOCK)
    move = StockMove.objects.select_for_update(of=("self",)).get(pk=move.pk)
    if move.reverses_id is not None or StockMove.objects.filter(reverses=move).exists():
        raise _refuse(_("This move is already part of a reversal."), "not_reversible")
    (reversal,) = move_stock(
        org=org,
        actor=actor,
        moves=[
            MoveLine(
                product_id=move.product_id,
                quantity=move.quantity,
                from_location_id=move.to_location_id,
                to_location_id=move.from_location_id,
                unit_cost=move.unit_cost,
                lot=move.lot,
                serial=move.serial,
                reverses_id=move.pk,
            )
        ],
        reason=move.kind,
        reference=Reference("stock_move", move.pk),
        note=note or _("Reversal"),
    )
    return reversal


# ---------------------------------------------------------------------------------------------
# Reservations


_LEVELS: Final = StockLevel._meta.db_table
_LOCATIONS: Final = Location._meta.db_table


@dataclass(frozen=True)
class LockedLevel:
    """A stock row as locked for a reservation: what `_take` needs of it, nothing more."""

    pk: int
    product_id: int
    location_id: int
    on_hand: Decimal
    reserved: Decimal


def _lock_warehouse_levels(
    org: Organization, warehouse_id: int, product_ids: Sequence[int]
) -> list[LockedLevel]:
    """Lock the products' stock rows in the warehouse's live internal locations, in (product,
    location) order: one hand-written statement (it runs on every order confirmation)."""
    lock = " FOR UPDATE OF s" if connection.features.has_select_for_update_of else ""
    products = ", ".join("%s" for _pid in product_ids)
    sql = (
        f"SELECT s.id, s.product_id, s.location_id, s.on_hand, s.reserved"  # noqa: S608 - names
        f" FROM {_LEVELS} s JOIN {_LOCATIONS} l ON l.id = s.location_id"
        f" WHERE s.org_id = %s AND s.warehouse_id = %s AND s.product_id IN ({products})"
        f" AND l.kind = %s AND l.archived_at IS NULL"
        f" ORDER BY s.product_id, s.location_id{lock}"
    )
    params = [org.pk, warehouse_id, *product_ids, LocationKind.INTERNAL.value]
    with connection.cursor() as cursor:
        execute_hot(cursor, sql, params)
        rows = cursor.fetchall()
    return [
        LockedLevel(pk, product_id, location_id, _decimal(on_hand), _decimal(reserved))
        for pk, product_id, location_id, on_hand, reserved in rows
    ]


def _decimal(value: object) -> Decimal:
    """A quantity as the database returns it (SQLite: maybe a float) as a Decimal."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _short_message(
    short: Sequence[int],
    available: Mapping[int, Decimal],
    wanted: Mapping[int, Decimal],
    location: str,
) -> str:
    """One sentence per short product, so a refusal names every short line, not the first;
    the names are read only here, when refusing."""
    products = products_by_id(short)
    return " ".join(
        _("Only %(available)s of %(product)s available at %(location)s, %(needed)s asked.")
        % {
            "available": f"{max(available[pid], ZERO_QUANTITY).normalize():f}",
            "product": products[pid],
            "location": location,
            "needed": f"{wanted[pid].normalize():f}",
        }
        for pid in short
    )


def _take(
    org: Organization,
    levels: Sequence[StockLevel | LockedLevel],
    wanted: Mapping[int, Decimal],
    *,
    reference: Reference | str,
    actor: Membership | None,
    where: Callable[[], str],
) -> list[Reservation]:
    """Set `wanted` (per product) aside from the locked `levels`, in their order, all-or-nothing:
    one UPDATE for every row touched and one INSERT of the reservations."""
    by_product: dict[int, list[StockLevel]] = defaultdict(list)
    for level in levels:
        by_product[level.product_id].append(level)
    available = {
        product_id: sum(
            (level.on_hand - level.reserved for level in by_product[product_id]), ZERO_QUANTITY
        )
        for product_id in wanted
    }
    short = [pid for pid in sorted(wanted) if available[pid] < wanted[pid]]
    if short:
        raise _refuse(_short_message(short, available, wanted, where()), "insufficient_stock")
    takes: dict[int, Decimal] = {}
    reservations = []
    for product_id in sorted(wanted):
        left = wanted[product_id]
        for level in by_product[product_id]:
            take = min(left, level.on_hand - level.reserved)
            if take <= 0:
                continue
            takes[level.pk] = take
            reservations.append(
                Reservation(
                    org=org,
                    product_id=product_id,
                    location_id=level.location_id,
                    quantity=take,
                    reference=str(reference)[:80],
                    actor=actor,
                )
            )
            left -= take
            if left == 0:
                break
    if not takes:
        return []
    # the rows' new reservations and the reservations themselves in one go, written by hand:
    # this runs on every order confirmation
    adapt = connection.ops.adapt_decimalfield_value
    cases = " ".join("WHEN %s THEN CAST(%s AS NUMERIC)" for _pk in takes)
    ids = ", ".join("%s" for _pk in takes)
    update = Statement(
        f"UPDATE {_LEVELS} SET reserved = reserved + CASE id {cases} END"  # noqa: S608
        f" WHERE id IN ({ids})",
        [*(value for pk, take in takes.items() for value in (pk, adapt(take))), *takes],
    )
    now = timezone.now()
    rows = [
        {
            "org": org.pk,
            "product": r.product_id,
            "location": r.location_id,
            "quantity": r.quantity,
            "reference": r.reference,
            "actor": r.actor_id,
            "created_at": now,
        }
        for r in reservations
    ]
    inserted = run_together([update, insert_statement(Reservation, rows, returning="id")])
    for reservation, (pk,) in zip(reservations, inserted, strict=True):
        reservation.pk, reservation.created_at = pk, now
        reservation._state.adding, reservation._state.db = False, connection.alias
    return reservations


@transaction.atomic
def reserve_stock(
    *,
    org: Organization,
    product_id: int,
    quantity: Decimal,
    reference: Reference | str,
    location_id: int | None = None,
    warehouse_id: int | None = None,
    actor: Membership | None = None,
) -> list[Reservation]:
    """Set `quantity` aside for `reference`, never more than is available.

    At one location, or across a warehouse's internal locations (in location order). The
    stock rows are locked first, so two reservations that only fit one at a time never both
    pass.
    """
    quantity = checked_quantity(quantity)
    if (location_id is None) == (warehouse_id is None):
        raise _refuse(_("Reserve at a location or in a warehouse."), "location_required")
    if warehouse_id is not None:
        return reserve_stock_many(
            org=org,
            quantities={product_id: quantity},
            warehouse_id=warehouse_id,
            reference=reference,
            actor=actor,
        )
    products_by_id([product_id])
    locations = locations_by_id([location_id])
    levels = lock_levels(org=org, keys=[(product_id, location_id)], locations=locations)
    return _take(
        org,
        list(levels.values()),
        {product_id: quantity},
        reference=reference,
        actor=actor,
        where=lambda: str(locations[location_id]),
    )


@atomic_step
def reserve_stock_many(
    *,
    org: Organization,
    quantities: Mapping[int, Decimal],
    warehouse_id: int,
    reference: Reference | str,
    actor: Membership | None = None,
) -> list[Reservation]:
    """`reserve_stock` for several products of one warehouse at once (an order's lines): one
    lock of all their stock rows in (product, location) order, all-or-nothing."""
    wanted = {pid: checked_quantity(quantity) for pid, quantity in quantities.items()}
    if not wanted:
        return []
    levels = _lock_warehouse_levels(org, warehouse_id, sorted(wanted))

    def where() -> str:
        warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
        return warehouse.name if warehouse else "—"

    return _take(org, levels, wanted, reference=reference, actor=actor, where=where)


@transaction.atomic
def release_reservation(
    *,
    org: Organization,
    reference: Reference | str,
    product_id: int | None = None,
    actor: Membership | None = None,
) -> Decimal:
    """Give back what is still reserved for `reference` (one product, or all); returns how much.

    Idempotent: releasing twice releases nothing more.
    """
    open_rows = Reservation.objects.select_for_update(of=("self",)).filter(
        reference=str(reference)[:80], released_at__isnull=True
    )
    if product_id is not None:
        open_rows = open_rows.filter(product_id=product_id)
    reservations = list(open_rows.order_by("product_id", "location_id", "pk"))
    if not reservations:
        return ZERO_QUANTITY
    by_key: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO_QUANTITY)
    for reservation in reservations:
        by_key[(reservation.product_id, reservation.location_id)] += reservation.quantity
    wanted = reduce(or_, (Q(product_id=p, location_id=loc) for p, loc in sorted(by_key)))
    levels = {
        (row.product_id, row.location_id): row
        for row in StockLevel.objects.select_for_update(of=("self",))
        .filter(wanted)
        .order_by("product_id", "location_id")
    }
    for key in sorted(by_key):
        StockLevel.objects.filter(pk=levels[key].pk).update(reserved=F("reserved") - by_key[key])
    Reservation.objects.filter(pk__in=[r.pk for r in reservations]).update(
        released_at=timezone.now()
    )
    return sum(by_key.values(), ZERO_QUANTITY)


__all__ = [
    "MoveLine",
    "Reference",
    "adjust_stock",
    "lock_levels",
    "move_stock",
    "quantize_cost",
    "release_reservation",
    "reserve_stock",
    "reserve_stock_many",
    "reverse_move",
    "weighted_average",
]
