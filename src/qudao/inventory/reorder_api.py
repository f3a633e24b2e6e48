"""API endpoints for reorder suggestions (勤进快销) and the reorder rules behind them.

Reading needs VIEW_STOCK, keeping rules needs MOVE_STOCK. Quantities travel as decimal strings
in the product's base unit. Open purchase orders are not counted as on order (see the page).
"""

from decimal import Decimal
from typing import Any

from django.db.models import Value
from django.db.models.fields import IntegerField
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from qudao.core.api import Error, PageNumber
from qudao.inventory import services
from qudao.inventory.models import ReorderRule
from qudao.inventory.reports import reorder
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm

router = Router(tags=["inventory"])

QUANTITY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}


def _reader(request: HttpRequest) -> Membership:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.VIEW_STOCK)
    return actor


def _keeper(request: HttpRequest) -> Membership:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.MOVE_STOCK)
    return actor


class RuleOut(Schema):
    id: int
    product_id: int
    warehouse_id: int | None = Field(description="Null: the product across all warehouses.")
    lead_time_days: int
    review_period_days: int
    safety_days: int
    safety_quantity: Decimal
    packaging_unit_id: int | None
    note: str


class RuleIn(Schema):
    product_id: int
    warehouse_id: int | None = None
    lead_time_days: int = Field(ge=0, le=365)
    review_period_days: int = Field(7, ge=0, le=365)
    safety_days: int = Field(0, ge=0, le=365)
    safety_quantity: Decimal = Field(Decimal("0"), ge=0, **QUANTITY)
    packaging_unit_id: int | None = None
    note: str = Field("", max_length=300)


def _figures(rule: ReorderRule) -> reorder.Suggestion:
    """The rule's exact figures, worked out once per row."""
    cached: reorder.Suggestion | None = getattr(rule, "_figures", None)
    if cached is None:
        cached = reorder.suggestion(rule, window=rule.window)  # type: ignore[attr-defined]
        rule._figures = cached  # type: ignore[attr-defined]
    return cached


class SuggestionOut(Schema):
    rule_id: int = Field(alias="id")
    product_id: int
    product_code: str = Field(alias="product.code")
    warehouse_id: int | None
    available: Decimal
    on_order: Decimal = Field(description="Ordered from suppliers and not yet received.")
    sold_per_day: Decimal
    days_of_cover: Decimal | None = Field(description="Null when nothing sold in the window.")
    target: Decimal
    suggested_quantity: Decimal = Field(description="In base units, rounded up to whole packs.")
    suggested_packs: Decimal | None
    packaging_unit_id: int | None
    is_urgent: bool

    @staticmethod
    def resolve_available(obj: ReorderRule) -> Decimal:
        return Decimal(obj.available).quantize(reorder.QUANTITY_STEP)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_on_order(obj: ReorderRule) -> Decimal:
        return _figures(obj).on_order

    @staticmethod
    def resolve_sold_per_day(obj: ReorderRule) -> Decimal:
        return _figures(obj).velocity

    @staticmethod
    def resolve_days_of_cover(obj: ReorderRule) -> Decimal | None:
        return _figures(obj).cover

    @staticmethod
    def resolve_target(obj: ReorderRule) -> Decimal:
        return _figures(obj).target

    @staticmethod
    def resolve_suggested_quantity(obj: ReorderRule) -> Decimal:
        return _figures(obj).suggested

    @staticmethod
    def resolve_suggested_packs(obj: ReorderRule) -> Decimal | None:
        return _figures(obj).packs

    @staticmethod
    def resolve_is_urgent(obj: ReorderRule) -> bool:
        return _figures(obj).is_urgent


def _data(payload: RuleIn) -> services.RuleData:
    return services.RuleData(**payload.model_dump())


@router.get("/reorder-suggestions", response={200: list[SuggestionOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_suggestions(
    request: HttpRequest,
    window: int = reorder.DEFAULT_WINDOW,
    warehouse_id: int | None = None,
    product_id: int | None = None,
    needs_order: bool = False,
) -> object:
    """Every rule's suggestion, most urgent (fewest days of cover) first; `window` is the
    number of days sales velocity is measured over (7, 14, 28, 56 or 91)."""
    _reader(request)
    days = window if window in reorder.WINDOWS else reorder.DEFAULT_WINDOW
    rows = reorder.reorder_suggestions(window=days).annotate(
        window=Value(days, output_field=IntegerField())
    )
    if warehouse_id is not None:
        rows = rows.filter(warehouse_id=warehouse_id)
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    if needs_order:
        rows = rows.filter(shortfall__gt=0)
    return rows


@router.get("/reorder-rules", response={200: list[RuleOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_rules(request: HttpRequest, product_id: int | None = None) -> object:
    _reader(request)
    rows = ReorderRule.objects.order_by("product_id", "warehouse_id", "pk")
    return rows if product_id is None else rows.filter(product_id=product_id)


@router.get("/reorder-rules/{rule_id}", response={200: RuleOut, 403: Error, 404: Error})
def get_rule(request: HttpRequest, rule_id: int) -> ReorderRule:
    _reader(request)
    return get_object_or_404(ReorderRule, pk=rule_id)


@router.post("/reorder-rules", response={201: RuleOut, 403: Error, 409: Error, 422: Error})
def create_rule(request: HttpRequest, payload: RuleIn) -> Status[ReorderRule]:
    actor = _keeper(request)
    rule = services.create_reorder_rule(org=actor.org, actor=actor, data=_data(payload))
    return Status(201, rule)


@router.put(
    "/reorder-rules/{rule_id}",
    response={200: RuleOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def update_rule(request: HttpRequest, rule_id: int, payload: RuleIn) -> ReorderRule:
    actor = _keeper(request)
    rule = get_object_or_404(ReorderRule, pk=rule_id)
    return services.update_reorder_rule(org=actor.org, actor=actor, rule=rule, data=_data(payload))


@router.delete("/reorder-rules/{rule_id}", response={204: None, 403: Error, 404: Error})
def delete_rule(request: HttpRequest, rule_id: int) -> Status[None]:
    actor = _keeper(request)
    rule = get_object_or_404(ReorderRule, pk=rule_id)
    services.delete_reorder_rule(org=actor.org, actor=actor, rule=rule)
    return Status(204, None)
