"""Reorder suggestions (勤进快销) and the rules behind them.

Everyone inside the organization reads the suggestions (VIEW_STOCK); boss and warehouse keep
the rules (MOVE_STOCK), as they keep the rest of the stock.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.catalog.exports import Cell, xlsx_response
from qudao.catalog.selectors import live_brands
from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import show_refusal
from qudao.core.listing import Column, Filter
from qudao.inventory import selectors, services
from qudao.inventory.forms import ReorderRuleForm
from qudao.inventory.models import ReorderRule
from qudao.inventory.reports import reorder
from qudao.inventory.views.common import actor_of, flags
from qudao.inventory.views.reporting import ReportListing, list_url, whole_number
from qudao.tenancy.decorators import member_required
from qudao.tenancy.roles import Perm

COLUMNS = (
    Column("product", gettext_lazy("Product"), "product__code"),
    Column("warehouse", gettext_lazy("Warehouse"), phone=False),
    Column("available", gettext_lazy("Available"), "available", numeric=True, phone=False),
    Column("on_order", gettext_lazy("On order"), "on_order", numeric=True, phone=False),
    Column("velocity", gettext_lazy("Sold per day"), "velocity", numeric=True, phone=False),
    Column("cover", gettext_lazy("Days of cover"), "cover", numeric=True),
    Column("lead_time", gettext_lazy("Lead time"), "lead_time_days", numeric=True, phone=False),
    Column("suggested", gettext_lazy("Order now"), numeric=True),
    Column("actions", ""),
)


def _window(request: HttpRequest) -> int:
    return whole_number(request, "window", reorder.WINDOWS, reorder.DEFAULT_WINDOW)


def _listing(request: HttpRequest, window: int) -> ReportListing:
    return ReportListing(
        request=request,
        queryset=reorder.reorder_suggestions(window=window),
        columns=COLUMNS,
        search_fields=("product__code", "product__name", "product__pinyin", "product__barcode"),
        filters=[
            Filter(
                "warehouse",
                gettext_lazy("Warehouse"),
                "warehouse_id",
                selectors.warehouse_choices(),
            ),
            Filter(
                "brand",
                gettext_lazy("Brand"),
                "product__brand_id",
                [(str(b.pk), b.name) for b in live_brands()],
            ),
            Filter(
                "need",
                gettext_lazy("Show"),
                "shortfall__gt",
                [("0", gettext_lazy("Only what needs ordering"))],
            ),
        ],
        default_sort="cover",
        nulls_large=("cover", "velocity"),
    )


def _with_figures(rules: Any, window: int) -> list[ReorderRule]:
    rows = list(rules)
    for rule in rows:
        rule.figures = reorder.suggestion(rule, window=window)  # type: ignore[attr-defined]
    return rows


@member_required(Perm.VIEW_STOCK)
def reorder_list(request: HttpRequest) -> HttpResponse:
    window = _window(request)
    context = _listing(request, window).context()
    context["rows"] = _with_figures(context["rows"], window)
    context |= flags(request) | {
        "list_url": list_url(request, ("window",)),
        "row_template": "inventory/_reorder_row.html",
        "search_placeholder": _("Search by code, name, pinyin or barcode"),
        "empty_message": _("No reorder rules yet. Add one for each product you restock."),
        "export_url": reverse("inventory-reorder-export"),
        "window": window,
        "windows": reorder.WINDOWS,
    }
    template = "shell/_list.html" if request.htmx else "inventory/reorder_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@member_required(Perm.VIEW_STOCK)
def reorder_export(request: HttpRequest) -> HttpResponse:
    window = _window(request)
    rules: QuerySet[ReorderRule] = _listing(request, window).rows()

    def lines() -> object:
        for rule in rules.iterator(chunk_size=500):
            figures = reorder.suggestion(rule, window=window)
            unit = rule.packaging_unit
            line: list[Cell] = [
                rule.product.code,
                rule.product.name,
                rule.warehouse.name if rule.warehouse else _("All warehouses"),
                rule.product.base_unit,
                rule.available.quantize(reorder.QUANTITY_STEP),  # type: ignore[attr-defined]
                figures.on_order,
                figures.velocity,
                figures.cover,
                rule.lead_time_days,
                rule.review_period_days,
                rule.safety_days,
                rule.safety_quantity,
                figures.target,
                figures.suggested,
                figures.packs,
                unit.name if unit else "",
            ]
            yield line

    return xlsx_response(
        filename="reorder-suggestions",
        title=_("Reorder suggestions"),
        headers=[
            _("Code"),
            _("Product"),
            _("Warehouse"),
            _("Base unit"),
            _("Available"),
            _("On order"),
            _("Sold per day"),
            _("Days of cover"),
            _("Lead time (days)"),
            _("Review period (days)"),
            _("Safety days"),
            _("Minimum stock"),
            _("Target stock"),
            _("Order now (base unit)"),
            _("Order now (packs)"),
            _("Packaging unit"),
        ],
        rows=lines(),  # type: ignore[arg-type]
    )


def _rule_data(form: ReorderRuleForm) -> services.RuleData:
    data = form.cleaned_data
    return services.RuleData(
        product_id=data["product"].pk,
        warehouse_id=data["warehouse"],
        lead_time_days=data["lead_time_days"],
        review_period_days=data["review_period_days"],
        safety_days=data["safety_days"],
        safety_quantity=data["safety_quantity"],
        packaging_unit_id=data["packaging_unit_id"],
        note=data["note"],
    )


def _rule_page(
    request: HttpRequest, form: ReorderRuleForm, *, title: str, rule: ReorderRule | None = None
) -> HttpResponse:
    return render(
        request,
        "inventory/reorder_rule_form.html",
        {"form": form, "title": title, "rule": rule, "back_url": reverse("inventory-reorder")},
    )


@member_required(Perm.MOVE_STOCK)
def reorder_rule_create(request: HttpRequest) -> HttpResponse:
    initial = {"product": request.GET.get("product", "")[:40]}
    form = ReorderRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_reorder_rule(
                org=request.org,  # type: ignore[attr-defined]
                actor=actor_of(request),
                data=_rule_data(form),
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("The reorder rule was added."))
            return redirect("inventory-reorder")
    return _rule_page(request, form, title=_("Add a reorder rule"))


@member_required(Perm.MOVE_STOCK)
def reorder_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(ReorderRule.objects.select_related("product", "packaging_unit"), pk=pk)
    initial = {
        "product": rule.product.code,
        "warehouse": rule.warehouse_id or "",
        # as text: the form template shows a bare 0 as an empty field
        "lead_time_days": str(rule.lead_time_days),
        "review_period_days": str(rule.review_period_days),
        "safety_days": str(rule.safety_days),
        "safety_quantity": f"{rule.safety_quantity.normalize():f}",
        "packaging_unit": rule.packaging_unit.name if rule.packaging_unit else "",
        "note": rule.note,
    }
    form = ReorderRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_reorder_rule(
                org=request.org,  # type: ignore[attr-defined]
                actor=actor_of(request),
                rule=rule,
                data=_rule_data(form),
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Saved."))
            return redirect("inventory-reorder")
    title = _("Reorder rule for %(product)s") % {"product": rule.product}
    return _rule_page(request, form, title=title, rule=rule)


@require_POST
@member_required(Perm.MOVE_STOCK)
def reorder_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(ReorderRule, pk=pk)
    services.delete_reorder_rule(
        org=request.org,  # type: ignore[attr-defined]
        actor=actor_of(request),
        rule=rule,
    )
    messages.success(request, _("The reorder rule was removed."))
    return redirect("inventory-reorder")
