"""Every change to price lists and their items; a price that has applied is never rewritten.

Changing a price adds a new item from a date and closes the old one the day before. Two
prices for the same product in the same scope (supplier, customer, tier, default, retail)
may never be valid on the same day, so a lookup always has one answer per list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.catalog.models import PriceKind, PriceList, PriceListItem, Product
from qudao.core.errors import BusinessRuleViolation
from qudao.parties.models import Party, PartyKind, Tier
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event

PRICE_PLACES = Decimal("0.0001")
QUANTITY_PLACES = Decimal("0.001")


@dataclass(frozen=True)
class PriceListDraft:
    kind: str
    name: str
    valid_from: date
    valid_to: date | None = None
    supplier_id: int | None = None
    customer_id: int | None = None
    tier: str = ""
    notes: str = ""


@dataclass(frozen=True)
class PriceDraft:
    """One price to add to a list; the period defaults to the list's."""

    product_id: int
    unit_price: Decimal
    min_quantity: Decimal = Decimal("0")
    valid_from: date | None = None
    valid_to: date | None = None


def format_period(start: date, end: date | None) -> str:
    if end is None:
        return _("from %(start)s") % {"start": start.isoformat()}
    return _("%(start)s–%(end)s") % {"start": start.isoformat(), "end": end.isoformat()}


def _refuse(message: str, code: str, field: str | None = None) -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields={field: message} if field else None)


def _check_scope(draft: PriceListDraft) -> None:
    if draft.kind not in PriceKind.values:
        raise _refuse(_("Choose the kind of price list."), "invalid_kind", "kind")
    if not draft.name.strip():
        raise _refuse(_("Give the price list a name."), "name_required", "name")
    if draft.valid_to is not None and draft.valid_to < draft.valid_from:
        raise _refuse(
            _("The price list must end on or after the day it starts."),
            "invalid_period",
            "valid_to",
        )
    if draft.kind == PriceKind.PURCHASE:
        if draft.customer_id or draft.tier:
            raise _refuse(
                _("A purchase price list is for one supplier only."), "invalid_scope", "supplier"
            )
        if not Party.objects.filter(pk=draft.supplier_id, kind=PartyKind.SUPPLIER).exists():
            raise _refuse(
                _("A purchase price list needs one of this organization's suppliers."),
                "supplier_required",
                "supplier",
            )
    elif draft.kind == PriceKind.WHOLESALE:
        if draft.supplier_id:
            raise _refuse(
                _("A wholesale price list is for customers, not suppliers."),
                "invalid_scope",
                "supplier",
            )
        if draft.customer_id and draft.tier:
            raise _refuse(
                _("A wholesale price list is for one customer or for one tier, not both."),
                "invalid_scope",
                "tier",
            )
        if draft.tier and draft.tier not in Tier.values:
            raise _refuse(_("Choose a customer tier."), "invalid_scope", "tier")
        if (
            draft.customer_id
            and not Party.objects.filter(pk=draft.customer_id, kind=PartyKind.CUSTOMER).exists()
        ):
            raise _refuse(
                _("Choose one of this organization's customers."), "customer_required", "customer"
            )
    elif draft.supplier_id or draft.customer_id or draft.tier:
        raise _refuse(
            _("A suggested retail price list applies to everyone."), "invalid_scope", "kind"
        )


@transaction.atomic
def create_price_list(
    *, org: Organization, actor: Membership | None, draft: PriceListDraft
) -> PriceList:
    """Open a price list for a scope and a period; prices are added to it afterwards."""
    require_perm(actor, Perm.EDIT_PRICES)
    _check_scope(draft)
    price_list = PriceList.objects.create(
        org=org,
        kind=draft.kind,
        name=draft.name.strip(),
        supplier_id=draft.supplier_id if draft.kind == PriceKind.PURCHASE else None,
        customer_id=draft.customer_id if draft.kind == PriceKind.WHOLESALE else None,
        tier=draft.tier if draft.kind == PriceKind.WHOLESALE else "",
        valid_from=draft.valid_from,
        valid_to=draft.valid_to,
        notes=draft.notes,
    )
    record_event(org=org, actor=actor, subject=price_list, verb="created")
    return price_list


@transaction.atomic
def rename_price_list(
    *, org: Organization, actor: Membership | None, price_list: PriceList, name: str, notes: str
) -> PriceList:
    """Change what a list is called; its scope, period and prices stay."""
    require_perm(actor, Perm.EDIT_PRICES)
    if not name.strip():
        raise _refuse(_("Give the price list a name."), "name_required", "name")
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    price_list.name, price_list.notes = name.strip(), notes
    price_list.save(update_fields=["name", "notes"])
    record_event(org=org, actor=actor, subject=price_list, verb="updated")
    return price_list


def _end_list(price_list: PriceList, last_day: date) -> int:
    """Let the list and its items stop after `last_day`; drop items that would never apply."""
    never_applied = price_list.items.filter(valid_from__gt=last_day)
    dropped = never_applied.count()
    never_applied.delete()
    price_list.items.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=last_day)).update(
        valid_to=last_day
    )
    price_list.valid_to = last_day
    price_list.save(update_fields=["valid_to"])
    return dropped


@transaction.atomic
def close_price_list(
    *, org: Organization, actor: Membership | None, price_list: PriceList, last_day: date
) -> PriceList:
    """End a list early; the last day cannot be in the past, since that would rewrite prices."""
    require_perm(actor, Perm.EDIT_PRICES)
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    today = timezone.localdate()
    if last_day < today or last_day < price_list.valid_from:
        raise _refuse(
            _("A price list can end today at the earliest, and not before it starts."),
            "price_history_locked",
            "valid_to",
        )
    if price_list.valid_to is not None and last_day > price_list.valid_to:
        raise _refuse(
            _("A price list can only be shortened; create a new list to extend it."),
            "invalid_period",
            "valid_to",
        )
    dropped = _end_list(price_list, last_day)
    record_event(
        org=org,
        actor=actor,
        subject=price_list,
        verb="closed",
        data={"last_day": last_day.isoformat(), "dropped_items": dropped},
    )
    return price_list


@transaction.atomic
def archive_price_list(
    *, org: Organization, actor: Membership | None, price_list: PriceList
) -> PriceList:
    """Stop a list after today; one that never applied becomes void. Past prices stay."""
    require_perm(actor, Perm.EDIT_PRICES)
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    if price_list.archived_at is not None:
        return price_list
    today = timezone.localdate()
    if price_list.valid_from > today:
        price_list.is_void = True
    elif price_list.valid_to is None or price_list.valid_to > today:
        _end_list(price_list, today)
    price_list.archived_at = timezone.now()
    price_list.save(update_fields=["is_void", "archived_at"])
    record_event(org=org, actor=actor, subject=price_list, verb="archived")
    return price_list


def same_scope(price_list: PriceList) -> Q:
    """Items of live lists with the same kind and scope as `price_list`."""
    return Q(
        price_list__kind=price_list.kind,
        price_list__supplier_id=price_list.supplier_id,
        price_list__customer_id=price_list.customer_id,
        price_list__tier=price_list.tier,
        price_list__is_void=False,
    )


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


@dataclass(frozen=True)
class _Candidate:
    product_id: int
    min_quantity: Decimal
    valid_from: date
    valid_to: date | None


def _check_no_overlap(
    price_list: PriceList, candidates: Sequence[_Candidate], ignore: Sequence[int] = ()
) -> None:
    """Refuse when a new price would be valid on a day another price of the scope is.

    Quantity breaks of one list may share their period; across lists of one scope, a product
    has one list per day.
    """
    product_ids = {c.product_id for c in candidates}
    start = min(c.valid_from for c in candidates)
    existing = (
        PriceListItem.objects.filter(same_scope(price_list), product_id__in=product_ids)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .exclude(pk__in=ignore)
        .select_related("price_list", "product")
    )
    by_product: dict[int, list[PriceListItem]] = defaultdict(list)
    for item in existing:
        by_product[item.product_id].append(item)
    batch: dict[int, list[_Candidate]] = defaultdict(list)
    for new in candidates:
        for old in by_product[new.product_id]:
            clash_list = old.price_list_id != price_list.pk or old.min_quantity == new.min_quantity
            if clash_list and _overlaps(old.valid_from, old.valid_to, new.valid_from, new.valid_to):
                message = _(
                    "“%(product)s” already has a price in “%(list)s” valid %(period)s, which "
                    "overlaps the new price valid %(new_period)s."
                ) % {
                    "product": old.product,
                    "list": old.price_list.name,
                    "period": format_period(old.valid_from, old.valid_to),
                    "new_period": format_period(new.valid_from, new.valid_to),
                }
                raise BusinessRuleViolation(
                    message,
                    code="overlapping_price",
                    fields={"valid_from": message},
                )
        for other in batch[new.product_id]:
            if other.min_quantity == new.min_quantity and _overlaps(
                other.valid_from, other.valid_to, new.valid_from, new.valid_to
            ):
                raise BusinessRuleViolation(
                    _("The same product and minimum quantity appear twice for one period."),
                    code="overlapping_price",
                )
        batch[new.product_id].append(new)


def _check_price(draft: PriceDraft) -> None:
    if draft.unit_price < 0 or draft.unit_price != draft.unit_price.quantize(PRICE_PLACES):
        raise _refuse(
            _("A unit price is zero or more, with at most 4 decimals."),
            "invalid_price",
            "unit_price",
        )
    if draft.min_quantity < 0 or draft.min_quantity != draft.min_quantity.quantize(QUANTITY_PLACES):
        raise _refuse(
            _("A minimum quantity is zero or more, with at most 3 decimals."),
            "invalid_quantity",
            "min_quantity",
        )


def _period_within(price_list: PriceList, start: date, end: date | None) -> None:
    list_end = price_list.valid_to
    if (
        start < price_list.valid_from
        or (end is not None and end < start)
        or (list_end is not None and (start > list_end or end is None or end > list_end))
    ):
        raise _refuse(
            _("A price must be valid within its list's period, %(period)s.")
            % {"period": format_period(price_list.valid_from, list_end)},
            "outside_list_period",
            "valid_from",
        )


def _lock_products(product_ids: set[int]) -> dict[int, Product]:
    """Lock the products whose prices change, by pk: they guard 'one price per day'."""
    products = {
        p.pk: p
        for p in Product.objects.select_for_update().filter(pk__in=product_ids).order_by("pk")
    }
    if len(products) != len(product_ids):
        raise _refuse(
            _("Choose one of this organization's products."), "product_not_found", "product"
        )
    return products


def _usable_list(price_list: PriceList) -> PriceList:
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    if price_list.archived_at is not None:
        raise _refuse(_("This price list is archived."), "price_list_archived")
    return price_list


@transaction.atomic
def add_prices(
    *,
    org: Organization,
    actor: Membership | None,
    price_list: PriceList,
    prices: Sequence[PriceDraft],
) -> list[PriceListItem]:
    """Add prices to a list, all or none; refused if one overlaps a price of the same scope."""
    require_perm(actor, Perm.EDIT_PRICES)
    if not prices:
        return []
    price_list = _usable_list(price_list)
    _lock_products({p.product_id for p in prices})
    candidates = []
    for draft in prices:
        _check_price(draft)
        start = draft.valid_from or price_list.valid_from
        end = draft.valid_to or price_list.valid_to
        _period_within(price_list, start, end)
        candidates.append(_Candidate(draft.product_id, draft.min_quantity, start, end))
    _check_no_overlap(price_list, candidates)
    items = PriceListItem.objects.bulk_create(
        PriceListItem(
            org=org,
            price_list=price_list,
            product_id=c.product_id,
            unit_price=draft.unit_price,
            min_quantity=c.min_quantity,
            valid_from=c.valid_from,
            valid_to=c.valid_to,
        )
        for c, draft in zip(candidates, prices, strict=True)
    )
    record_event(
        org=org, actor=actor, subject=price_list, verb="prices_added", data={"count": len(items)}
    )
    return items


def add_price(
    *, org: Organization, actor: Membership | None, price_list: PriceList, price: PriceDraft
) -> PriceListItem:
    """Add one price to a list (see `add_prices`)."""
    return add_prices(org=org, actor=actor, price_list=price_list, prices=[price])[0]


@transaction.atomic
def set_price(
    *,
    org: Organization,
    actor: Membership | None,
    price_list: PriceList,
    product_id: int,
    unit_price: Decimal,
    valid_from: date,
    min_quantity: Decimal = Decimal("0"),
) -> PriceListItem:
    """Change a product's price in a list from `valid_from` (today or later).

    The price valid until then is closed the day before; it is never overwritten. Only a price
    that has not started yet may be corrected in place.
    """
    require_perm(actor, Perm.EDIT_PRICES)
    price_list = _usable_list(price_list)
    _lock_products({product_id})
    _check_price(PriceDraft(product_id, unit_price, min_quantity))
    today = timezone.localdate()
    if valid_from < today:
        raise _refuse(
            _("A new price can start today at the earliest: past prices are never rewritten."),
            "price_history_locked",
            "valid_from",
        )
    mine = PriceListItem.objects.filter(
        price_list=price_list, product_id=product_id, min_quantity=min_quantity
    )
    current = (
        mine.filter(valid_from__lte=valid_from)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        .first()
    )
    if current is not None and current.valid_from == valid_from:
        if current.valid_from <= today:
            raise _refuse(
                _("This price already applies; set the new price from tomorrow or later."),
                "price_in_use",
                "valid_from",
            )
        _check_no_overlap(
            price_list,
            [_Candidate(product_id, min_quantity, current.valid_from, current.valid_to)],
            ignore=[current.pk],
        )
        current.unit_price = unit_price
        current.save(update_fields=["unit_price"])
        record_event(
            org=org,
            actor=actor,
            subject=price_list,
            verb="price_corrected",
            data={"item": current.pk},
        )
        return current
    following = mine.filter(valid_from__gt=valid_from).order_by("valid_from").first()
    if current is not None:
        end = current.valid_to
    elif following is not None:
        end = following.valid_from - timedelta(days=1)
    else:
        end = price_list.valid_to
    _period_within(price_list, valid_from, end)
    _check_no_overlap(
        price_list,
        [_Candidate(product_id, min_quantity, valid_from, end)],
        ignore=[current.pk] if current is not None else [],
    )
    if current is not None:
        current.valid_to = valid_from - timedelta(days=1)
        current.save(update_fields=["valid_to"])
    item = PriceListItem.objects.create(
        org=org,
        price_list=price_list,
        product_id=product_id,
        unit_price=unit_price,
        min_quantity=min_quantity,
        valid_from=valid_from,
        valid_to=end,
    )
    record_event(
        org=org,
        actor=actor,
        subject=price_list,
        verb="price_changed",
        data={"item": item.pk, "replaces": current.pk if current else None},
    )
    return item
