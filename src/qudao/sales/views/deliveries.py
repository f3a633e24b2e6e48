"""Delivery note pages: list, detail with release / ship / receipt / invoice, and printing
on A4 or on 241 mm continuous multi-part stationery (存根/客户/记账/仓库)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import show_refusal
from qudao.core.listing import Column, Filter, Listing
from qudao.sales import selectors, services
from qudao.sales.forms import ReceiptForm, ShipForm
from qudao.sales.models import DeliveryNote, DeliveryStatus
from qudao.sales.services.common import settings_of
from qudao.sales.views.common import actor, org
from qudao.tenancy.decorators import member_required
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

# The printed note is in Chinese whatever the screen's language: it is the paper the
# customer, the driver and the bookkeeper sign and file.
COPIES = ("第一联 存根", "第二联 客户", "第三联 记账", "第四联 仓库")


@member_required(Perm.VIEW_ORDERS)
def delivery_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=selectors.visible_deliveries(actor(request)),
        columns=(
            Column("number", gettext_lazy("Number"), "number"),
            Column("order", gettext_lazy("Order"), "order__number", phone=False),
            Column("customer", gettext_lazy("Customer"), "customer__name"),
            Column("status", gettext_lazy("Status"), "status"),
            Column("total", gettext_lazy("Total"), "total", numeric=True),
            Column("created_at", gettext_lazy("Created"), "created_at", phone=False),
        ),
        search_fields=("number", "order__number", "customer__name", "customer__code"),
        filters=[Filter("status", gettext_lazy("Status"), "status", DeliveryStatus.choices)],
    )
    context = listing.context() | {
        "list_url": request.path,
        "row_template": "sales/_delivery_row.html",
        "search_placeholder": _("Search by number, order or customer"),
    }
    template = "shell/_list.html" if request.htmx else "sales/delivery_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _delivery(request: HttpRequest, pk: int) -> DeliveryNote:
    return get_object_or_404(selectors.visible_deliveries(actor(request)), pk=pk)


def _lines(delivery: DeliveryNote) -> list:
    return list(
        delivery.lines.select_related("order_line__product").order_by("order_line__position")
    )


@member_required(Perm.VIEW_ORDERS)
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    lines = _lines(delivery)
    member = actor(request)
    serialized = [line for line in lines if line.order_line.product.is_serialized]
    in_stock = (
        selectors.serials_in_stock(
            delivery.order.warehouse_id, [line.product_id for line in serialized]
        )
        if serialized and delivery.status in (DeliveryStatus.PICKING, DeliveryStatus.RELEASED)
        else None
    )
    return render(
        request,
        "sales/delivery_detail.html",
        {
            "delivery": delivery,
            "lines": lines,
            "settings": settings_of(org(request)),
            "ship_form": ShipForm(lines=serialized, in_stock=in_stock),
            "receipt_form": ReceiptForm(),
            "can_ship": can(member, Perm.MOVE_STOCK),
            "can_confirm": can(member, Perm.MOVE_STOCK) or can(member, Perm.SELL),
            "can_invoice": can(member, Perm.POST_FINANCE),
            "can_take_back": can(member, Perm.SELL) or can(member, Perm.MOVE_STOCK),
            "is_consignment": delivery.order.payment_mode == "consignment",
        },
    )


def _done(request: HttpRequest, delivery: DeliveryNote, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("sales-delivery-detail", pk=delivery.pk)


def _refused(request: HttpRequest, delivery: DeliveryNote, refusal: BusinessRuleViolation):
    messages.error(request, refusal.message)
    return redirect("sales-delivery-detail", pk=delivery.pk)


@require_POST
@member_required(Perm.MOVE_STOCK)
def delivery_release(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    try:
        services.release_delivery(org=org(request), actor=actor(request), delivery=delivery)
    except BusinessRuleViolation as refusal:
        return _refused(request, delivery, refusal)
    return _done(request, delivery, _("Released: the goods may leave."))


@require_POST
@member_required(Perm.MOVE_STOCK)
def delivery_ship(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    serialized = [line for line in _lines(delivery) if line.order_line.product.is_serialized]
    form = ShipForm(request.POST, lines=serialized)
    if not form.is_valid():
        messages.error(request, _("Check the serial numbers."))
        return redirect("sales-delivery-detail", pk=delivery.pk)
    try:
        services.ship_delivery(
            org=org(request), actor=actor(request), delivery=delivery, serials=form.serials()
        )
    except BusinessRuleViolation as refusal:
        return _refused(request, delivery, refusal)
    return _done(request, delivery, _("Shipped: the goods have left the warehouse."))


@member_required(Perm.VIEW_ORDERS)
def delivery_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    member = actor(request)
    if not (can(member, Perm.MOVE_STOCK) or can(member, Perm.SELL)):
        raise Http404
    form = ReceiptForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_receipt(
                org=org(request),
                actor=member,
                delivery=delivery,
                signed_by=form.cleaned_data["signed_by"],
                note=form.cleaned_data["note"],
                signed_copy=form.cleaned_data["signed_copy"],
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            return _done(request, delivery, _("The signed receipt was recorded."))
    return render(
        request,
        "sales/form.html",
        {
            "form": form,
            "title": _("Receipt of %(delivery)s") % {"delivery": delivery},
            "back_url": reverse("sales-delivery-detail", args=[delivery.pk]),
            "submit_label": _("Record the receipt"),
            "multipart": True,
        },
    )


@require_POST
@member_required(Perm.MOVE_STOCK)
def delivery_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    try:
        services.cancel_delivery(
            org=org(request),
            actor=actor(request),
            delivery=delivery,
            reason=request.POST.get("reason", "")[:300],
        )
    except BusinessRuleViolation as refusal:
        return _refused(request, delivery, refusal)
    return _done(request, delivery, _("The delivery note was cancelled."))


@require_POST
@member_required(Perm.POST_FINANCE)
def delivery_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    try:
        services.invoice_delivery(org=org(request), actor=actor(request), delivery=delivery)
    except BusinessRuleViolation as refusal:
        return _refused(request, delivery, refusal)
    return _done(request, delivery, _("Invoiced and posted."))


@member_required(Perm.VIEW_ORDERS)
def delivery_print(request: HttpRequest, pk: int) -> HttpResponse:
    """送货单 to print: `?paper=a4` (one copy per page) or `?paper=241` (continuous
    241 mm × 140 mm multi-part forms, one part per copy)."""
    delivery = _delivery(request, pk)
    paper = "241" if request.GET.get("paper") == "241" else "a4"
    lines = _lines(delivery)
    return render(
        request,
        "sales/delivery_print.html",
        {
            "delivery": delivery,
            "order": delivery.order,
            "lines": lines,
            "paper": paper,
            "copies": COPIES if paper == "241" else COPIES[1:2],
            "tax_rates": "、".join(
                sorted({f"{(line.order_line.tax_rate * 100).normalize():f}%" for line in lines})
            ),
            "filler": range(max(0, 6 - len(lines))) if paper == "241" else (),
        },
    )
