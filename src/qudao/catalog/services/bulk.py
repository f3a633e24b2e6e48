"""Adding many products or prices at once (spreadsheet import): set-based checks, bulk inserts.

Every check loads what it needs with one query per table, never one per row, and reports
problems by row index; the inserts skip the ORM's per-object work and history rows, so the
caller records one event for the whole batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.catalog.models import Brand, Category, PackagingUnit, PriceList, PriceListItem, Product
from qudao.catalog.services.prices import (
    PRICE_PLACES,
    QUANTITY_PLACES,
    PriceDraft,
    format_period,
)
from qudao.catalog.validation import ProductDraft, pinyin_initials, product_problems
from qudao.core.bulk import load_rows
from qudao.core.errors import BusinessRuleViolation
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm

LOCK_CHUNK: Final = 10_000
PRODUCT_COLUMNS: Final = (
    "org_id",
    "code",
    "name",
    "pinyin",
    "barcode",
    "specification",
    "brand_id",
    "category_id",
    "base_unit",
    "is_serialized",
    "launch_status",
    "launch_date",
    "warranty_policy_code",
    "image_url",
    "notes",
    "created_at",
)


@dataclass(frozen=True)
class NewPrice:
    """A price to add to an existing list (a spreadsheet row names the list)."""

    price_list_id: int
    price: PriceDraft


def _refused(problems: dict[int, dict[str, str]], code: str) -> BusinessRuleViolation:
    index, fields = min(problems.items())
    field, message = next(iter(fields.items()))
    return BusinessRuleViolation(
        _("Row %(row)s: %(message)s") % {"row": index + 1, "message": message},
        code=code,
        fields={field: message},
    )


# --- products -------------------------------------------------------------------------------


def check_new_products(drafts: Sequence[ProductDraft]) -> dict[int, dict[str, str]]:
    """Index → field problems for a batch of new products; one query per table at any size.

    Like `check_products`, but the codes and barcodes in use are loaded whole rather than
    asked for by value, so a batch of 100,000 rows needs no 100,000-item IN list.
    """
    problems: dict[int, dict[str, str]] = {}
    for index, draft in enumerate(drafts):
        if found := product_problems(draft):
            problems[index] = found
    existing_codes = set(Product.objects.values_list("code", flat=True))
    taken = set(Product.objects.exclude(barcode="").values_list("barcode", flat=True))
    taken.update(PackagingUnit.objects.exclude(barcode="").values_list("barcode", flat=True))
    live_brands = set(Brand.objects.filter(archived_at__isnull=True).values_list("pk", flat=True))
    live_categories = set(
        Category.objects.filter(archived_at__isnull=True).values_list("pk", flat=True)
    )
    seen_codes: set[str] = set()
    seen_barcodes: set[str] = set()
    for index, draft in enumerate(drafts):
        row = problems.setdefault(index, {})
        code = draft.code.strip()
        if code in existing_codes:
            row.setdefault("code", _("The code “%(code)s” is already used.") % {"code": code})
        elif code in seen_codes:
            row.setdefault("code", _("The code “%(code)s” appears twice.") % {"code": code})
        seen_codes.add(code)
        for barcode in (draft.barcode, *(u.barcode for u in draft.packaging_units)):
            if barcode and (barcode in taken or barcode in seen_barcodes):
                row.setdefault(
                    "barcode",
                    _("The barcode %(barcode)s is already used by another product.")
                    % {"barcode": barcode},
                )
            seen_barcodes.add(barcode)
        if draft.brand_id is not None and draft.brand_id not in live_brands:
            row.setdefault("brand", _("Choose one of this organization's brands."))
        if draft.category_id is not None and draft.category_id not in live_categories:
            row.setdefault("category", _("Choose one of this organization's categories."))
    return {index: row for index, row in problems.items() if row}


@transaction.atomic
def insert_products(
    *, org: Organization, actor: Membership | None, drafts: Sequence[ProductDraft]
) -> int:
    """Add many products with their packaging units, all or none; no history rows per product."""
    require_perm(actor, Perm.EDIT_CATALOG)
    if problems := check_new_products(drafts):
        raise _refused(problems, "invalid_product")
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    written = load_rows(
        Product,
        PRODUCT_COLUMNS,
        (
            (
                org.pk,
                d.code.strip(),
                d.name.strip(),
                pinyin_initials(d.name.strip()),
                d.barcode,
                d.specification.strip(),
                d.brand_id,
                d.category_id,
                d.base_unit.strip(),
                d.is_serialized,
                d.launch_status,
                d.launch_date,
                d.warranty_policy_code.strip(),
                d.image_url,
                d.notes,
                created_at,
            )
            for d in drafts
        ),
    )
    if any(d.packaging_units for d in drafts):
        ids = dict(Product.objects.values_list("code", "pk"))
        load_rows(
            PackagingUnit,
            ("org_id", "product_id", "name", "factor", "barcode"),
            (
                (org.pk, ids[d.code.strip()], unit.name.strip(), unit.factor, unit.barcode)
                for d in drafts
                for unit in d.packaging_units
            ),
        )
    return written


# --- prices ---------------------------------------------------------------------------------


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


def _scope(price_list: PriceList) -> tuple[str, int | None, int | None, str]:
    return (price_list.kind, price_list.supplier_id, price_list.customer_id, price_list.tier)


def check_new_prices(rows: Sequence[NewPrice]) -> dict[int, dict[str, str]]:
    """Index → field problems for prices to add to existing lists, in a handful of queries.

    A price is zero or more with at most 4 decimals, within its list's period, and never valid
    on a day another price of the same product and scope is (quantity breaks of one list may
    share a period); the rows are checked against the database and against each other.
    """
    lists = {p.pk: p for p in PriceList.objects.filter(pk__in={row.price_list_id for row in rows})}
    products = dict(Product.objects.values_list("pk", "code"))
    problems: dict[int, dict[str, str]] = defaultdict(dict)
    periods: list[tuple[date, date | None] | None] = []
    for index, row in enumerate(rows):
        price, price_list = row.price, lists.get(row.price_list_id)
        periods.append(None)
        if price_list is None or price_list.archived_at is not None or price_list.is_void:
            problems[index]["price_list"] = _("Choose a price list that is not archived.")
            continue
        if price.product_id not in products:
            problems[index]["product"] = _("Choose one of this organization's products.")
        if price.unit_price < 0 or price.unit_price != price.unit_price.quantize(PRICE_PLACES):
            problems[index]["unit_price"] = _(
                "A unit price is zero or more, with at most 4 decimals."
            )
        if price.min_quantity < 0 or price.min_quantity != price.min_quantity.quantize(
            QUANTITY_PLACES
        ):
            problems[index]["min_quantity"] = _(
                "A minimum quantity is zero or more, with at most 3 decimals."
            )
        start = price.valid_from or price_list.valid_from
        end = price.valid_to or price_list.valid_to
        list_end = price_list.valid_to
        if (
            start < price_list.valid_from
            or (end is not None and end < start)
            or (list_end is not None and (start > list_end or end is None or end > list_end))
        ):
            problems[index]["valid_from"] = _(
                "A price must be valid within its list's period, %(period)s."
            ) % {"period": format_period(price_list.valid_from, list_end)}
            continue
        periods[index] = (start, end)
    scopes = {_scope(p) for p in lists.values()}
    if scopes:
        same_scope = Q()
        for kind, supplier_id, customer_id, tier in scopes:
            same_scope |= Q(
                price_list__kind=kind,
                price_list__supplier_id=supplier_id,
                price_list__customer_id=customer_id,
                price_list__tier=tier,
            )
        starts = [period[0] for period in periods if period is not None]
        existing = PriceListItem.objects.filter(same_scope, price_list__is_void=False)
        if starts:
            existing = existing.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=min(starts)))
        taken: dict[tuple[object, ...], list[tuple[int, object, date, date | None, str]]]
        taken = defaultdict(list)
        for values in existing.values_list(
            "product_id",
            "price_list_id",
            "min_quantity",
            "valid_from",
            "valid_to",
            "price_list__name",
            "price_list__kind",
            "price_list__supplier_id",
            "price_list__customer_id",
            "price_list__tier",
        ):
            product_id, list_id, minimum, start, end, name = values[:6]
            taken[(product_id, *values[6:])].append((list_id, minimum, start, end, name))
        for index, row in enumerate(rows):
            period = periods[index]
            if period is None or index in problems:
                continue
            price_list = lists[row.price_list_id]
            key = (row.price.product_id, *_scope(price_list))
            for list_id, minimum, start, end, name in taken[key]:
                clash = list_id != price_list.pk or minimum == row.price.min_quantity
                if clash and _overlaps(start, end, *period):
                    problems[index]["valid_from"] = _(
                        "“%(product)s” already has a price in “%(list)s” valid %(period)s, which "
                        "overlaps the new price valid %(new_period)s."
                    ) % {
                        "product": products[row.price.product_id],
                        "list": name,
                        "period": format_period(start, end),
                        "new_period": format_period(*period),
                    }
                    break
            else:
                taken[key].append((price_list.pk, row.price.min_quantity, *period, price_list.name))
    return dict(problems)


@transaction.atomic
def insert_prices(*, org: Organization, actor: Membership | None, rows: Sequence[NewPrice]) -> int:
    """Add many prices to existing lists, all or none; no price may overlap another of its scope."""
    require_perm(actor, Perm.EDIT_PRICES)
    if not rows:
        return 0
    # The lists, then the products, by pk: the same order as add_prices and set_price.
    list(
        PriceList.objects.select_for_update()
        .filter(pk__in={row.price_list_id for row in rows})
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    product_ids = sorted({row.price.product_id for row in rows})
    for start in range(0, len(product_ids), LOCK_CHUNK):
        chunk = product_ids[start : start + LOCK_CHUNK]
        list(
            Product.objects.select_for_update()
            .filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    if problems := check_new_prices(rows):
        raise _refused(problems, "invalid_price")
    lists = {p.pk: p for p in PriceList.objects.filter(pk__in={row.price_list_id for row in rows})}
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    return load_rows(
        PriceListItem,
        (
            "org_id",
            "price_list_id",
            "product_id",
            "unit_price",
            "min_quantity",
            "valid_from",
            "valid_to",
            "created_at",
        ),
        (
            (
                org.pk,
                row.price_list_id,
                row.price.product_id,
                row.price.unit_price,
                row.price.min_quantity,
                row.price.valid_from or lists[row.price_list_id].valid_from,
                row.price.valid_to or lists[row.price_list_id].valid_to,
                created_at,
            )
            for row in rows
        ),
    )
