"""API endpoints for brands, categories, products, price lists, prices and the price quote."""
# No `from __future__ import annotations`: django-ninja reads query parameter types at runtime.

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.pagination import paginate

from qudao.catalog import selectors, services
from qudao.catalog.models import (
    Brand,
    Category,
    LaunchStatus,
    PriceKind,
    PriceList,
    PriceListItem,
    Product,
)
from qudao.catalog.validation import product_problems
from qudao.core.api import Error, PageNumber
from qudao.core.errors import PermissionDenied
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm

router = Router(tags=["catalog"])

PRICE = {"max_digits": 18, "decimal_places": 4}
QUANTITY = {"max_digits": 14, "decimal_places": 3}


def _reader(request: HttpRequest) -> Membership:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.VIEW_CATALOG)
    return actor


def _invalid(fields: dict[str, str]) -> ValidationError:
    return ValidationError([{"loc": ("body", "payload", f), "msg": m} for f, m in fields.items()])


# --- brands -----------------------------------------------------------------------------


class BrandIn(Schema):
    supplier_id: int
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=100)
    notes: str = ""


class BrandOut(Schema):
    id: int
    supplier_id: int
    code: str
    name: str
    pinyin: str
    notes: str
    archived_at: datetime | None


@router.get("/catalog/brands", response={200: list[BrandOut], 403: Error}, summary="Brands")
@paginate(PageNumber)
def list_brands(request: HttpRequest, q: str = "", archived: bool = False) -> QuerySet[Brand]:
    _reader(request)
    rows = Brand.objects.all() if archived else Brand.objects.filter(archived_at__isnull=True)
    if q:
        rows = rows.filter(name__icontains=q) | rows.filter(code__icontains=q)
    return rows.order_by("code", "pk")


@router.post(
    "/catalog/brands",
    response={201: BrandOut, 403: Error, 409: Error, 422: Error},
    summary="Add a brand",
)
def create_brand(request: HttpRequest, payload: BrandIn) -> Status:
    actor = _reader(request)
    return Status(201, services.create_brand(org=actor.org, actor=actor, **payload.model_dump()))


@router.get("/catalog/brands/{brand_id}", response={200: BrandOut, 403: Error, 404: Error})
def get_brand(request: HttpRequest, brand_id: int) -> Brand:
    _reader(request)
    return get_object_or_404(Brand, pk=brand_id)


@router.put(
    "/catalog/brands/{brand_id}",
    response={200: BrandOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Change a brand",
)
def update_brand(request: HttpRequest, brand_id: int, payload: BrandIn) -> Brand:
    actor = _reader(request)
    brand = get_object_or_404(Brand, pk=brand_id)
    return services.update_brand(org=actor.org, actor=actor, brand=brand, **payload.model_dump())


@router.post(
    "/catalog/brands/{brand_id}/archive",
    response={200: BrandOut, 403: Error, 404: Error, 409: Error},
    summary="Archive a brand",
)
def archive_brand(request: HttpRequest, brand_id: int) -> Brand:
    actor = _reader(request)
    brand = get_object_or_404(Brand, pk=brand_id)
    return services.archive_brand(org=actor.org, actor=actor, brand=brand)


# --- categories -------------------------------------------------------------------------


class CategoryIn(Schema):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=100)
    parent_id: int | None = None


class CategoryOut(Schema):
    id: int
    parent_id: int | None
    code: str
    name: str
    path: str
    depth: int
    archived_at: datetime | None


@router.get(
    "/catalog/categories", response={200: list[CategoryOut], 403: Error}, summary="Categories"
)
@paginate(PageNumber)
def list_categories(request: HttpRequest, archived: bool = False) -> QuerySet[Category]:
    _reader(request)
    rows = Category.objects.all() if archived else Category.objects.filter(archived_at__isnull=True)
    return rows.order_by("path", "pk")


@router.post(
    "/catalog/categories",
    response={201: CategoryOut, 403: Error, 409: Error, 422: Error},
    summary="Add a category",
)
def create_category(request: HttpRequest, payload: CategoryIn) -> Status:
    actor = _reader(request)
    return Status(201, services.create_category(org=actor.org, actor=actor, **payload.model_dump()))


@router.get(
    "/catalog/categories/{category_id}", response={200: CategoryOut, 403: Error, 404: Error}
)
def get_category(request: HttpRequest, category_id: int) -> Category:
    _reader(request)
    return get_object_or_404(Category, pk=category_id)


@router.put(
    "/catalog/categories/{category_id}",
    response={200: CategoryOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Rename or move a category",
)
def update_category(request: HttpRequest, category_id: int, payload: CategoryIn) -> Category:
    actor = _reader(request)
    category = get_object_or_404(Category, pk=category_id)
    return services.update_category(
        org=actor.org, actor=actor, category=category, **payload.model_dump()
    )


@router.post(
    "/catalog/categories/{category_id}/archive",
    response={200: CategoryOut, 403: Error, 404: Error, 409: Error},
    summary="Archive a category",
)
def archive_category(request: HttpRequest, category_id: int) -> Category:
    actor = _reader(request)
    category = get_object_or_404(Category, pk=category_id)
    return services.archive_category(org=actor.org, actor=actor, category=category)


# --- products ---------------------------------------------------------------------------


class PackagingUnitIn(Schema):
    name: str = Field(min_length=1, max_length=10)
    factor: Decimal = Field(gt=0, **QUANTITY)  # type: ignore[call-overload]
    barcode: str = Field("", max_length=32)


class PackagingUnitOut(Schema):
    id: int
    name: str
    factor: Decimal
    barcode: str


class ProductIn(Schema):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    base_unit: str = Field(min_length=1, max_length=10)
    barcode: str = Field("", max_length=32)
    specification: str = Field("", max_length=200)
    brand_id: int | None = None
    category_id: int | None = None
    is_serialized: bool = False
    launch_status: LaunchStatus = LaunchStatus.NEW
    launch_date: date | None = None
    warranty_policy_code: str = Field("", max_length=40)
    image_url: str = Field("", max_length=500)
    notes: str = ""
    packaging_units: list[PackagingUnitIn] = []

    def draft(self) -> services.ProductDraft:
        data = self.model_dump(exclude={"packaging_units"})
        units = tuple(services.PackagingDraft(**u.model_dump()) for u in self.packaging_units)
        return services.ProductDraft(**data, packaging_units=units)


class ProductOut(Schema):
    id: int
    code: str
    name: str
    pinyin: str
    barcode: str
    specification: str
    brand_id: int | None
    category_id: int | None
    base_unit: str
    is_serialized: bool
    launch_status: LaunchStatus
    launch_date: date | None
    warranty_policy_code: str
    image_url: str
    notes: str
    archived_at: datetime | None
    packaging_units: list[PackagingUnitOut]


class ProductFilter(Schema):
    q: str = ""
    brand_id: int | None = None
    category_id: int | None = None
    launch_status: LaunchStatus | None = None
    archived: bool = False


def _checked_draft(payload: ProductIn) -> services.ProductDraft:
    draft = payload.draft()
    if problems := product_problems(draft):
        raise _invalid(problems)
    return draft


@router.get("/catalog/products", response={200: list[ProductOut], 403: Error}, summary="Products")
@paginate(PageNumber)
def list_products(request: HttpRequest, filters: ProductFilter = Query(...)) -> QuerySet[Product]:  # noqa: B008
    _reader(request)
    rows = selectors.products(include_archived=filters.archived).prefetch_related("packaging_units")
    if filters.q:
        rows = (
            rows.filter(code__icontains=filters.q)
            | rows.filter(name__icontains=filters.q)
            | rows.filter(pinyin__icontains=filters.q)
            | rows.filter(barcode__icontains=filters.q)
        )
    if filters.brand_id is not None:
        rows = rows.filter(brand_id=filters.brand_id)
    if filters.category_id is not None:
        rows = rows.filter(category_id=filters.category_id)
    if filters.launch_status is not None:
        rows = rows.filter(launch_status=filters.launch_status)
    return rows.order_by("code", "pk")


@router.post(
    "/catalog/products",
    response={201: ProductOut, 403: Error, 409: Error, 422: Error},
    summary="Add a product with its packaging units",
)
def create_product(request: HttpRequest, payload: ProductIn) -> Status:
    actor = _reader(request)
    product = services.create_product(org=actor.org, actor=actor, draft=_checked_draft(payload))
    return Status(201, product)


@router.get("/catalog/products/{product_id}", response={200: ProductOut, 403: Error, 404: Error})
def get_product(request: HttpRequest, product_id: int) -> Product:
    _reader(request)
    return get_object_or_404(Product.objects.prefetch_related("packaging_units"), pk=product_id)


@router.put(
    "/catalog/products/{product_id}",
    response={200: ProductOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Change a product; its packaging units become the ones sent",
)
def update_product(request: HttpRequest, product_id: int, payload: ProductIn) -> Product:
    actor = _reader(request)
    product = get_object_or_404(Product, pk=product_id)
    return services.update_product(
        org=actor.org, actor=actor, product=product, draft=_checked_draft(payload)
    )


@router.post(
    "/catalog/products/{product_id}/archive",
    response={200: ProductOut, 403: Error, 404: Error, 409: Error},
    summary="Archive a product",
)
def archive_product(request: HttpRequest, product_id: int) -> Product:
    actor = _reader(request)
    product = get_object_or_404(Product, pk=product_id)
    return services.archive_product(org=actor.org, actor=actor, product=product)


# --- price lists ------------------------------------------------------------------------


class PriceListIn(Schema):
    kind: PriceKind
    name: str = Field(min_length=1, max_length=100)
    valid_from: date
    valid_to: date | None = None
    supplier_id: int | None = None
    customer_id: int | None = None
    tier: str = Field("", max_length=2)
    notes: str = ""


class PriceListUpdate(Schema):
    name: str = Field(min_length=1, max_length=100)
    notes: str = ""
    valid_to: date | None = Field(
        None, description="Send to end the list early (today at the earliest)."
    )


class PriceListOut(Schema):
    id: int
    kind: PriceKind
    name: str
    supplier_id: int | None
    customer_id: int | None
    tier: str
    valid_from: date
    valid_to: date | None
    notes: str
    is_void: bool
    archived_at: datetime | None


class PriceItemIn(Schema):
    product_id: int
    unit_price: Decimal = Field(ge=0, **PRICE)  # type: ignore[call-overload]
    min_quantity: Decimal = Field(Decimal("0"), ge=0, **QUANTITY)  # type: ignore[call-overload]
    valid_from: date | None = None
    valid_to: date | None = None


class PriceChangeIn(Schema):
    product_id: int
    unit_price: Decimal = Field(ge=0, **PRICE)  # type: ignore[call-overload]
    valid_from: date
    min_quantity: Decimal = Field(Decimal("0"), ge=0, **QUANTITY)  # type: ignore[call-overload]


class PriceItemOut(Schema):
    id: int
    price_list_id: int
    product_id: int
    unit_price: Decimal
    min_quantity: Decimal
    valid_from: date
    valid_to: date | None


def _visible_list(actor: Membership, price_list_id: int) -> PriceList:
    """A purchase list is a 404 for roles that may not see costs, like a missing one."""
    return get_object_or_404(selectors.price_lists(actor), pk=price_list_id)


@router.get(
    "/catalog/price-lists", response={200: list[PriceListOut], 403: Error}, summary="Price lists"
)
@paginate(PageNumber)
def list_price_lists(
    request: HttpRequest, kind: PriceKind | None = None, customer_id: int | None = None
) -> QuerySet[PriceList]:
    actor = _reader(request)
    rows = selectors.price_lists(actor)
    if kind is not None:
        rows = rows.filter(kind=kind)
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    return rows.order_by("-valid_from", "pk")


@router.post(
    "/catalog/price-lists",
    response={201: PriceListOut, 403: Error, 409: Error, 422: Error},
    summary="Open a price list",
)
def create_price_list(request: HttpRequest, payload: PriceListIn) -> Status:
    actor = _reader(request)
    draft = services.PriceListDraft(**payload.model_dump())
    return Status(201, services.create_price_list(org=actor.org, actor=actor, draft=draft))


@router.get(
    "/catalog/price-lists/{price_list_id}", response={200: PriceListOut, 403: Error, 404: Error}
)
def get_price_list(request: HttpRequest, price_list_id: int) -> PriceList:
    return _visible_list(_reader(request), price_list_id)


@router.put(
    "/catalog/price-lists/{price_list_id}",
    response={200: PriceListOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Rename a price list, or end it early",
)
def update_price_list(
    request: HttpRequest, price_list_id: int, payload: PriceListUpdate
) -> PriceList:
    actor = _reader(request)
    price_list = _visible_list(actor, price_list_id)
    price_list = services.rename_price_list(
        org=actor.org, actor=actor, price_list=price_list, name=payload.name, notes=payload.notes
    )
    if payload.valid_to is not None and payload.valid_to != price_list.valid_to:
        price_list = services.close_price_list(
            org=actor.org, actor=actor, price_list=price_list, last_day=payload.valid_to
        )
    return price_list


@router.post(
    "/catalog/price-lists/{price_list_id}/archive",
    response={200: PriceListOut, 403: Error, 404: Error, 409: Error},
    summary="Archive a price list: it stops after today, past prices stay",
)
def archive_price_list(request: HttpRequest, price_list_id: int) -> PriceList:
    actor = _reader(request)
    price_list = _visible_list(actor, price_list_id)
    return services.archive_price_list(org=actor.org, actor=actor, price_list=price_list)


@router.get(
    "/catalog/price-lists/{price_list_id}/items",
    response={200: list[PriceItemOut], 403: Error, 404: Error},
    summary="The prices of a list",
)
@paginate(PageNumber)
def list_price_items(
    request: HttpRequest, price_list_id: int, product_id: int | None = None
) -> QuerySet[PriceListItem]:
    price_list = _visible_list(_reader(request), price_list_id)
    rows = price_list.items.all()
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    return rows.order_by("product_id", "min_quantity", "valid_from", "pk")


@router.post(
    "/catalog/price-lists/{price_list_id}/items",
    response={201: list[PriceItemOut], 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Add prices to a list, all or none",
)
def add_price_items(request: HttpRequest, price_list_id: int, payload: list[PriceItemIn]) -> Status:
    actor = _reader(request)
    price_list = _visible_list(actor, price_list_id)
    items = services.add_prices(
        org=actor.org,
        actor=actor,
        price_list=price_list,
        prices=[services.PriceDraft(**p.model_dump()) for p in payload],
    )
    return Status(201, items)


@router.post(
    "/catalog/price-lists/{price_list_id}/price-changes",
    response={201: PriceItemOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Change a price from a date; the old price ends the day before",
)
def change_price(request: HttpRequest, price_list_id: int, payload: PriceChangeIn) -> Status:
    actor = _reader(request)
    price_list = _visible_list(actor, price_list_id)
    item = services.set_price(
        org=actor.org, actor=actor, price_list=price_list, **payload.model_dump()
    )
    return Status(201, item)


# --- quotes -----------------------------------------------------------------------------


class QuoteOut(Schema):
    product_id: int
    unit_price: Decimal
    price_list_id: int
    item_id: int
    rule: str
    kind: PriceKind
    scope: str
    price_list_name: str
    min_quantity: Decimal
    valid_from: date
    valid_to: date | None


class QuoteQuery(Schema):
    product_id: int
    customer_id: int | None = None
    supplier_id: int | None = None
    on: date | None = None
    quantity: Decimal = Field(Decimal("1"), ge=0, **QUANTITY)  # type: ignore[call-overload]
    kind: PriceKind = PriceKind.WHOLESALE


class QuoteLineIn(Schema):
    product_id: int
    quantity: Decimal = Field(ge=0, **QUANTITY)  # type: ignore[call-overload]


class QuotesIn(Schema):
    customer_id: int | None = None
    on: date | None = None
    kind: PriceKind = PriceKind.WHOLESALE
    lines: list[QuoteLineIn] = Field(max_length=1000)


class QuotesOut(Schema):
    quotes: list[QuoteOut]
    missing_product_ids: list[int]


def _quoter(request: HttpRequest, kind: str) -> Membership:
    actor = _reader(request)
    if kind == PriceKind.PURCHASE and not services.can_see_purchase_prices(actor):
        raise PermissionDenied(_("Your role does not allow this."))
    return actor


@router.get(
    "/prices/quote",
    response={200: QuoteOut, 403: Error, 409: Error, 422: Error},
    summary="The price that applies, with the rule that chose it",
)
def quote(request: HttpRequest, params: QuoteQuery = Query(...)) -> Any:  # noqa: B008
    actor = _quoter(request, params.kind)
    return selectors.price_for(
        org=actor.org,
        customer_id=params.customer_id,
        supplier_id=params.supplier_id,
        product_id=params.product_id,
        on=params.on or timezone.localdate(),
        quantity=params.quantity,
        kind=params.kind,
    )


@router.post(
    "/prices/quotes",
    response={200: QuotesOut, 403: Error, 409: Error, 422: Error},
    summary="Quote many products for one customer at once (order entry)",
)
def quote_many(request: HttpRequest, payload: QuotesIn) -> QuotesOut:
    actor = _quoter(request, payload.kind)
    quantities = {line.product_id: line.quantity for line in payload.lines}
    quotes = selectors.quote_many(
        org=actor.org,
        customer_id=payload.customer_id,
        quantities=quantities,
        on=payload.on or timezone.localdate(),
        kind=payload.kind,
    )
    return QuotesOut(
        quotes=[QuoteOut.model_validate(q, from_attributes=True) for q in quotes.values()],
        missing_product_ids=[pid for pid in quantities if pid not in quotes],
    )
