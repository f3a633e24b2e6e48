"""Price list pages and the price check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.catalog import selectors, services
from qudao.catalog.exports import xlsx_response
from qudao.catalog.forms import (
    ChangePriceForm,
    PriceCheckForm,
    PriceItemForm,
    PriceListForm,
    RenamePriceListForm,
)
from qudao.catalog.models import PriceKind, PriceList
from qudao.catalog.views.shared import _listing_page, _show_refusal
from qudao.core.errors import BusinessRuleViolation
from qudao.core.listing import Column, Filter, Listing
from qudao.tenancy.decorators import member_required
from qudao.tenancy.roles import Perm

PRICELIST_COLUMNS = (
    Column("name", gettext_lazy("Name"), "name"),
    Column("kind", gettext_lazy("Kind"), "kind"),
    Column("scope", gettext_lazy("For"), phone=False),
    Column("valid_from", gettext_lazy("Valid from"), "valid_from"),
    Column("valid_to", gettext_lazy("Valid to"), "valid_to", phone=False),
    Column("items", gettext_lazy("Prices"), numeric=True, phone=False),
    Column("status", gettext_lazy("Status")),
)


def _pricelist_listing(request: HttpRequest) -> Listing[PriceList]:
    kinds = selectors.visible_price_kinds(request.membership)  # type: ignore[attr-defined]
    return Listing(
        request=request,
        queryset=selectors.price_lists(request.membership),  # type: ignore[attr-defined]
        columns=PRICELIST_COLUMNS,
        search_fields=("name", "customer__name", "customer__code", "supplier__name"),
        filters=(
            Filter(
                "kind",
                gettext_lazy("Kind"),
                "kind",
                [(v, label) for v, label in PriceKind.choices if v in kinds],
            ),
        ),
        default_sort="-valid_from",
    )


def _visible_price_list(request: HttpRequest, pk: int) -> PriceList:
    """A price list the member may see; a hidden purchase list is a 404, like a missing one."""
    return get_object_or_404(
        selectors.price_lists(request.membership).select_related("customer", "supplier"),  # type: ignore[attr-defined]
        pk=pk,
    )


@member_required(Perm.VIEW_CATALOG)
def pricelist_list(request: HttpRequest) -> HttpResponse:
    return _listing_page(
        request,
        _pricelist_listing(request),
        "catalog/pricelist_list.html",
        {
            "row_template": "catalog/_pricelist_row.html",
            "search_placeholder": _("Search by name, customer or supplier"),
            "export_url": reverse("catalog-pricelist-export"),
            "can_edit": services.can_edit_prices(request.membership),  # type: ignore[attr-defined]
            "check_form": PriceCheckForm(
                initial={"on": timezone.localdate().isoformat(), "quantity": 1},
                kinds=selectors.visible_price_kinds(request.membership),  # type: ignore[attr-defined]
            ),
        },
    )


@member_required(Perm.VIEW_CATALOG)
def pricelist_export(request: HttpRequest) -> HttpResponse:
    rows = _pricelist_listing(request).rows()
    return xlsx_response(
        filename="price-lists",
        title=_("Price lists"),
        headers=[_("Name"), _("Kind"), _("For"), _("Valid from"), _("Valid to"), _("Prices")],
        rows=(
            (
                p.name,
                p.get_kind_display(),
                _scope_label(p),
                p.valid_from,
                p.valid_to,
                p.item_count,  # type: ignore[attr-defined]
            )
            for p in rows
        ),
    )


def _scope_label(price_list: PriceList) -> str:
    scope = price_list.scope
    if scope == "supplier":
        return str(price_list.supplier)
    if scope == "customer":
        return str(price_list.customer)
    if scope == "tier":
        return _("Tier %(tier)s") % {"tier": price_list.tier}
    if scope == "default":
        return _("All customers")
    return _("Everyone")


@member_required(Perm.EDIT_PRICES)
def pricelist_create(request: HttpRequest) -> HttpResponse:
    form = PriceListForm(
        request.POST or None,
        initial={"kind": PriceKind.WHOLESALE, "valid_from": timezone.localdate().isoformat()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            price_list = services.create_price_list(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                draft=services.PriceListDraft(
                    kind=data["kind"],
                    name=data["name"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                    supplier_id=data["supplier"].pk if data["supplier"] else None,
                    customer_id=data["customer_code"].pk if data["customer_code"] else None,
                    tier=data["tier"],
                    notes=data["notes"],
                ),
            )
        except BusinessRuleViolation as refusal:
            _show_refusal(form, refusal, {"customer": "customer_code"})
        else:
            messages.success(request, _("%(list)s was created.") % {"list": price_list})
            return redirect("catalog-pricelist-detail", pk=price_list.pk)
    return render(request, "catalog/pricelist_form.html", {"form": form})


def _pricelist_page(request: HttpRequest, price_list: PriceList, **forms: Any) -> HttpResponse:
    items = selectors.items_of(price_list)
    today = timezone.localdate()
    return render(
        request,
        "catalog/pricelist_detail.html",
        {
            "price_list": price_list,
            "scope_label": _scope_label(price_list),
            "items": items[:500],
            "item_count": items.count(),
            "today": today,
            "can_edit": services.can_edit_prices(request.membership)  # type: ignore[attr-defined]
            and price_list.archived_at is None,
            "add_form": forms.get("add_form") or PriceItemForm(prefix="add"),
            "change_form": forms.get("change_form")
            or ChangePriceForm(prefix="change", initial={"valid_from": today.isoformat()}),
            "rename_form": forms.get("rename_form")
            or RenamePriceListForm(initial={"name": price_list.name, "notes": price_list.notes}),
            "check_form": PriceCheckForm(
                initial={
                    "on": today.isoformat(),
                    "quantity": 1,
                    "kind": price_list.kind,
                    "customer_code": price_list.customer.code if price_list.customer else "",
                },
                kinds=selectors.visible_price_kinds(request.membership),  # type: ignore[attr-defined]
            ),
        },
    )


@member_required(Perm.VIEW_CATALOG)
def pricelist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _pricelist_page(request, _visible_price_list(request, pk))


@member_required(Perm.VIEW_CATALOG)
def pricelist_items_export(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = _visible_price_list(request, pk)
    return xlsx_response(
        filename=f"price-list-{price_list.pk}",
        title=price_list.name,
        headers=[
            _("Product code"),
            _("Product"),
            _("Base unit"),
            _("Minimum quantity"),
            _("Unit price"),
            _("Valid from"),
            _("Valid to"),
        ],
        rows=(
            (
                i.product.code,
                i.product.name,
                i.product.base_unit,
                i.min_quantity,
                i.unit_price,
                i.valid_from,
                i.valid_to,
            )
            for i in selectors.items_of(price_list).iterator(chunk_size=2000)
        ),
    )


@require_POST
@member_required(Perm.EDIT_PRICES)
def pricelist_add_item(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = _visible_price_list(request, pk)
    form = PriceItemForm(request.POST, prefix="add")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_price(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                price_list=price_list,
                price=services.PriceDraft(
                    product_id=data["product_code"].pk,
                    unit_price=data["unit_price"],
                    min_quantity=data["min_quantity"] or Decimal(0),
                    valid_from=data["valid_from"],
                ),
            )
        except BusinessRuleViolation as refusal:
            _show_refusal(form, refusal, {"product": "product_code"})
        else:
            messages.success(request, _("The price was added."))
            return redirect("catalog-pricelist-detail", pk=pk)
    return _pricelist_page(request, price_list, add_form=form)


@require_POST
@member_required(Perm.EDIT_PRICES)
def pricelist_set_price(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = _visible_price_list(request, pk)
    form = ChangePriceForm(request.POST, prefix="change")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_price(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                price_list=price_list,
                product_id=data["product_code"].pk,
                unit_price=data["unit_price"],
                valid_from=data["valid_from"],
                min_quantity=data["min_quantity"] or Decimal(0),
            )
        except BusinessRuleViolation as refusal:
            _show_refusal(form, refusal, {"product": "product_code"})
        else:
            messages.success(
                request, _("The new price was saved; the old one stays in the history.")
            )
            return redirect("catalog-pricelist-detail", pk=pk)
    return _pricelist_page(request, price_list, change_form=form)


@require_POST
@member_required(Perm.EDIT_PRICES)
def pricelist_rename(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = _visible_price_list(request, pk)
    form = RenamePriceListForm(request.POST)
    if form.is_valid():
        try:
            services.rename_price_list(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                price_list=price_list,
                name=form.cleaned_data["name"],
                notes=form.cleaned_data["notes"],
            )
        except BusinessRuleViolation as refusal:
            _show_refusal(form, refusal, {})
        else:
            messages.success(request, _("Saved."))
            return redirect("catalog-pricelist-detail", pk=pk)
    return _pricelist_page(request, price_list, rename_form=form)


@require_POST
@member_required(Perm.EDIT_PRICES)
def pricelist_archive(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = _visible_price_list(request, pk)
    try:
        services.archive_price_list(
            org=request.org, actor=request.membership, price_list=price_list
        )  # type: ignore[attr-defined]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(list)s was archived.") % {"list": price_list})
    return redirect("catalog-pricelist-detail", pk=pk)


@member_required(Perm.VIEW_CATALOG)
def price_check(request: HttpRequest) -> HttpResponse:
    """Which price applies, and why: the same lookup every document uses."""
    kinds = selectors.visible_price_kinds(request.membership)  # type: ignore[attr-defined]
    form = PriceCheckForm(request.GET or None, kinds=kinds)
    quote = None
    problem = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            quote = selectors.price_for(
                org=request.org,  # type: ignore[attr-defined]
                customer_id=data["customer_code"].pk if data["customer_code"] else None,
                product_id=data["product_code"].pk,
                on=data["on"],
                quantity=data["quantity"],
                kind=data["kind"],
            )
        except BusinessRuleViolation as refusal:
            problem = refusal.message
    context = {"check_form": form, "quote": quote, "problem": problem}
    template = "catalog/_price_check.html" if request.htmx else "catalog/price_check.html"  # type: ignore[attr-defined]
    return render(request, template, context)
