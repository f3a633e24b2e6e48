"""Purchasing pages: purchase orders, prepayments, goods receipts and push stock (压货).

Everyone inside the organization reads (VIEW_STOCK); boss and finance order (POST_FINANCE);
boss and warehouse receive (MOVE_STOCK); prices and costs show only with VIEW_COSTS.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.catalog.models import Product
from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import show_refusal
from qudao.core.listing import Column, Filter, Listing
from qudao.purchasing import access, claim_selectors, selectors, services
from qudao.purchasing.forms import (
    OrderForm,
    OrderLineForm,
    PrepaymentForm,
    PrepaymentRequestForm,
    PushReceiptForm,
    ReceiptHeaderForm,
    ReverseForm,
)
from qudao.purchasing.models import (
    RECEIVABLE_STATUSES,
    GoodsReceipt,
    OrderStatus,
    PurchaseOrder,
)
from qudao.tenancy.decorators import member_required
from qudao.tenancy.models import Membership, Organization

T = TypeVar("T")


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _org(request: HttpRequest) -> Organization:
    return request.org  # type: ignore[attr-defined,no-any-return]


def _flags(request: HttpRequest) -> dict[str, bool]:
    actor = _actor(request)
    return {
        "can_manage": access.can_manage_orders(actor),
        "can_receive": access.can_receive(actor),
        "show_costs": access.can_see_costs(actor),
    }


def _list_page(
    request: HttpRequest,
    listing: Listing[Any],
    template: str,
    *,
    row_template: str,
    search_placeholder: str,
) -> HttpResponse:
    """A list page, or only its table when htmx asks for it (search, filters, sorting, paging)."""
    context = (
        listing.context()
        | _flags(request)
        | {
            "list_url": request.path,
            "row_template": row_template,
            "search_placeholder": search_placeholder,
        }
    )
    chosen = "shell/_list.html" if request.htmx else template  # type: ignore[attr-defined]
    return render(request, chosen, context)


def _act(request: HttpRequest, done: str, act: Callable[..., T], **kwargs: object) -> T | None:
    """Call one service for a button; its refusal, or `done`, is the next page's message."""
    try:
        result = act(org=_org(request), actor=_actor(request), **kwargs)
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
        return None
    messages.success(request, done)
    return result


def _form_page(
    request: HttpRequest, form: forms.Form, *, title: str, back: str, submit: str
) -> HttpResponse:
    return render(
        request,
        "purchasing/form.html",
        {"form": form, "title": title, "back_url": back, "submit_label": submit},
    )


def _order_data(form: forms.Form) -> services.OrderData:
    data = form.cleaned_data
    return services.OrderData(
        supplier_id=data["supplier"],
        payment_condition=data["payment_condition"],
        term_days=data["term_days"],
        expected_on=data["expected_on"],
        note=data["note"],
        warehouse_id=data["warehouse"],
    )


# ---------------------------------------------------------------------------------------------
# Purchase orders


@member_required(access.READ)
def order_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=selectors.orders(),
        columns=(
            Column("number", gettext_lazy("Number"), "number"),
            Column("supplier", gettext_lazy("Supplier"), "supplier__name"),
            Column("status", gettext_lazy("Status"), "status"),
            Column("expected_on", gettext_lazy("Expected on"), "expected_on", phone=False),
            Column("total", gettext_lazy("Total"), numeric=True),
            Column("created_at", gettext_lazy("Created"), "created_at", phone=False),
        ),
        search_fields=("number", "supplier__name", "supplier__code"),
        filters=[
            Filter(
                "supplier", gettext_lazy("Supplier"), "supplier_id", selectors.supplier_choices()
            ),
            Filter("status", gettext_lazy("Status"), "status", OrderStatus.choices),
        ],
    )
    return _list_page(
        request,
        listing,
        "purchasing/order_list.html",
        row_template="purchasing/_order_row.html",
        search_placeholder=_("Search by number or supplier"),
    )


@member_required(access.MANAGE_ORDERS)
def order_create(request: HttpRequest) -> HttpResponse:
    form = OrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.create_order(
                org=_org(request), actor=_actor(request), data=_order_data(form)
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            return redirect("purchasing-order-detail", pk=order.pk)
    return _form_page(
        request,
        form,
        title=_("New purchase order"),
        back=reverse("purchasing-order-list"),
        submit=_("Create draft"),
    )


@member_required(access.MANAGE_ORDERS)
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(PurchaseOrder, pk=pk)
    initial = {
        "supplier": order.supplier_id,
        "payment_condition": order.payment_condition,
        "term_days": order.term_days,
        "expected_on": order.expected_on,
        "warehouse": order.warehouse_id,
        "note": order.note,
    }
    form = OrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_order(
                org=_org(request), actor=_actor(request), order=order, data=_order_data(form)
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            return redirect("purchasing-order-detail", pk=order.pk)
    return _form_page(
        request,
        form,
        title=_("Edit %(order)s") % {"order": order},
        back=reverse("purchasing-order-detail", args=[order.pk]),
        submit=_("Save"),
    )


@member_required(access.READ)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(selectors.orders(), pk=pk)
    flags = _flags(request)
    form = OrderLineForm(request.POST or None)
    if request.method == "POST":
        if not flags["can_manage"]:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.set_order_line(
                    org=_org(request),
                    actor=_actor(request),
                    order=order,
                    product_id=form.cleaned_data["product"].pk,
                    quantity=form.cleaned_data["quantity"],
                    unit=form.cleaned_data["unit"].strip(),
                    unit_price=form.cleaned_data["unit_price"],
                )
            except BusinessRuleViolation as refusal:
                show_refusal(form, refusal)
            else:
                return redirect("purchasing-order-detail", pk=order.pk)
    return render(
        request,
        "purchasing/order_detail.html",
        {
            "order": order,
            "lines": selectors.order_lines(order),
            "receipts": order.receipts.select_related("location__warehouse").order_by("pk"),
            "prepayments": selectors.prepayments(order) if flags["show_costs"] else [],
            "form": form,
            "products": selectors.product_choices() if order.is_draft else [],
            "request_form": PrepaymentRequestForm(initial={"amount": order.total}),
            "payment_form": PrepaymentForm(initial={"paid_on": timezone.localdate()}),
            "is_receivable": order.status in RECEIVABLE_STATUSES,
            **flags,
        },
    )


def _order_action(
    request: HttpRequest, pk: int, act: Callable[..., object], done: str
) -> HttpResponse:
    order = get_object_or_404(PurchaseOrder, pk=pk)
    _act(request, done, act, order=order)
    return redirect("purchasing-order-detail", pk=order.pk)


@require_POST
@member_required(access.MANAGE_ORDERS)
def order_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(request, pk, services.confirm_order, _("The order was confirmed."))


@require_POST
@member_required(access.MANAGE_ORDERS)
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(request, pk, services.cancel_order, _("The order was cancelled."))


@require_POST
@member_required(access.MANAGE_ORDERS)
def order_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(request, pk, services.close_order, _("The order was closed."))


@require_POST
@member_required(access.MANAGE_ORDERS)
def order_ready(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(
        request, pk, services.mark_ready_to_ship, _("The order was released for shipment.")
    )


@require_POST
@member_required(access.MANAGE_ORDERS)
def order_prepayment_request(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(PurchaseOrder, pk=pk)
    form = PrepaymentRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the amount requested."))
    else:
        _act(
            request,
            _("The prepayment request was recorded."),
            services.request_prepayment,
            order=order,
            amount=form.cleaned_data["amount"],
            due_on=form.cleaned_data["due_on"],
        )
    return redirect("purchasing-order-detail", pk=order.pk)


@require_POST
@member_required(access.MANAGE_ORDERS)
def order_prepayment_record(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(PurchaseOrder, pk=pk)
    form = PrepaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the amount and the day it was paid."))
    else:
        _act(
            request,
            _("The prepayment was recorded."),
            services.record_prepayment,
            order=order,
            amount=form.cleaned_data["amount"],
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["reference"],
            method=form.cleaned_data["method"],
            bill_number=form.cleaned_data["bill_number"],
            bill_maturity=form.cleaned_data["bill_maturity"],
            bill_id=form.cleaned_data["bill"],
        )
    return redirect("purchasing-order-detail", pk=order.pk)


# ---------------------------------------------------------------------------------------------
# Goods receipts


@member_required(access.READ)
def receipt_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=selectors.receipts(),
        columns=(
            Column("number", gettext_lazy("Number"), "number"),
            Column("supplier", gettext_lazy("Supplier"), "supplier__name"),
            Column("order", gettext_lazy("Purchase order")),
            Column("location", gettext_lazy("Into"), phone=False),
            Column("received_on", gettext_lazy("Received on"), "received_on"),
            Column("push", gettext_lazy("Push stock")),
        ),
        search_fields=("number", "supplier__name", "order__number", "delivery_reference"),
        filters=[
            Filter(
                "push",
                gettext_lazy("Push stock"),
                "is_push_stock",
                (("1", gettext_lazy("Push stock only")), ("0", gettext_lazy("Ordered only"))),
            ),
            Filter(
                "supplier", gettext_lazy("Supplier"), "supplier_id", selectors.supplier_choices()
            ),
        ],
    )
    return _list_page(
        request,
        listing,
        "purchasing/receipt_list.html",
        row_template="purchasing/_receipt_row.html",
        search_placeholder=_("Search by number, supplier or delivery note"),
    )


@member_required(access.READ)
def receipt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = get_object_or_404(selectors.receipts(), pk=pk)
    return render(
        request,
        "purchasing/receipt_detail.html",
        {
            "receipt": receipt,
            "lines": selectors.receipt_lines(receipt),
            "serials": receipt.serials.select_related("product").order_by("pk"),
            "reversal": receipt.reversals.first(),
            "reverse_form": ReverseForm(),
            **claim_selectors.receipt_claims(receipt, _actor(request)),
            **_flags(request),
        },
    )


def _post_receipt(
    request: HttpRequest,
    form: ReceiptHeaderForm | PushReceiptForm,
    *,
    lines: list[services.ReceiptLineData],
    order: PurchaseOrder | None = None,
    supplier_id: int | None = None,
) -> GoodsReceipt:
    """Post the receipt both receipt forms describe; raises the service's refusal."""
    header = form.cleaned_data
    return services.post_receipt(
        org=_org(request),
        actor=_actor(request),
        order=order,
        supplier_id=supplier_id,
        lines=lines,
        location_id=header["location"],
        damaged_location_id=header["damaged_location"],
        received_on=header["received_on"],
        delivery_reference=header["delivery_reference"],
        note=header["note"],
    )


def _decimal(raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip() or "0")
    except InvalidOperation:
        raise BusinessRuleViolation(
            _("“%(value)s” is not a number.") % {"value": raw}, code="invalid_quantity"
        ) from None
    return value


@member_required(access.RECEIVE_GOODS)
def receipt_create_for_order(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_object_or_404(selectors.orders(), pk=order_id)
    lines = list(selectors.order_lines(order))
    form = ReceiptHeaderForm(request.POST or None, initial={"received_on": timezone.localdate()})
    entered = {
        line.pk: {
            "quantity": request.POST.get(
                f"quantity-{line.pk}", f"{line.open_quantity.normalize():f}"
            ),
            "damaged": request.POST.get(f"damaged-{line.pk}", "0"),
            "serials": request.POST.get(f"serials-{line.pk}", ""),
        }
        for line in lines
    }
    if request.method == "POST" and form.is_valid():
        try:
            data = [
                services.ReceiptLineData(
                    product_id=line.product_id,
                    quantity=_decimal(entered[line.pk]["quantity"]),
                    damaged_quantity=_decimal(entered[line.pk]["damaged"]),
                    serials=services.parse_serials(entered[line.pk]["serials"]),
                )
                for line in lines
            ]
            receipt = _post_receipt(request, form, order=order, lines=data)
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Receipt %(number)s was posted.") % {"number": receipt})
            return redirect("purchasing-receipt-detail", pk=receipt.pk)
    return render(
        request,
        "purchasing/receipt_form.html",
        {
            "order": order,
            "form": form,
            "rows": [(line, entered[line.pk]) for line in lines],
            "is_receivable": order.status in RECEIVABLE_STATUSES,
            **_flags(request),
        },
    )


def _push_lines(form: PushReceiptForm) -> list[services.ReceiptLineData]:
    """'CODE, quantity[, damaged]' lines and 'CODE, SN, date[, damaged]' serials → line data."""
    codes: dict[str, tuple[Decimal, Decimal]] = {}
    for number, raw in enumerate(form.cleaned_data["lines"].splitlines(), start=1):
        parts = [p.strip() for p in raw.replace("，", ",").split(",")]
        if not parts[0]:
            continue
        if len(parts) not in (2, 3):
            raise BusinessRuleViolation(
                _("Line %(line)s: write “product code, quantity[, damaged]”.") % {"line": number},
                code="invalid_line",
                fields={"lines": _("Line %(line)s is not valid.") % {"line": number}},
            )
        codes[parts[0]] = (_decimal(parts[1]), _decimal(parts[2] if len(parts) == 3 else "0"))
    serial_text: dict[str, list[str]] = {}
    for raw in form.cleaned_data["serials"].splitlines():
        code, _sep, rest = raw.strip().partition(",")
        if code.strip():
            serial_text.setdefault(code.strip(), []).append(rest)
    products = {p.code: p for p in Product.objects.filter(code__in=set(codes) | set(serial_text))}
    unknown = sorted((set(codes) | set(serial_text)) - set(products))
    if unknown:
        message = _("Unknown product codes: %(codes)s.") % {"codes": ", ".join(unknown[:5])}
        raise BusinessRuleViolation(message, code="unknown_product", fields={"lines": message})
    return [
        services.ReceiptLineData(
            product_id=products[code].pk,
            quantity=quantity,
            damaged_quantity=damaged,
            serials=services.parse_serials("\n".join(serial_text.get(code, []))),
        )
        for code, (quantity, damaged) in codes.items()
    ]


@member_required(access.RECEIVE_GOODS)
def receipt_create(request: HttpRequest) -> HttpResponse:
    """A receipt without a purchase order: the manufacturer pushed the goods (压货)."""
    form = PushReceiptForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            receipt = _post_receipt(
                request, form, supplier_id=form.cleaned_data["supplier"], lines=_push_lines(form)
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Receipt %(number)s was posted.") % {"number": receipt})
            return redirect("purchasing-receipt-detail", pk=receipt.pk)
    return _form_page(
        request,
        form,
        title=_("Receive goods without a purchase order (push stock)"),
        back=reverse("purchasing-receipt-list"),
        submit=_("Post receipt"),
    )


@require_POST
@member_required(access.RECEIVE_GOODS)
def receipt_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = get_object_or_404(GoodsReceipt, pk=pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the goods are sent back."))
        return redirect("purchasing-receipt-detail", pk=receipt.pk)
    reversal = _act(
        request,
        _("Receipt %(number)s was reversed.") % {"number": receipt},
        services.reverse_receipt,
        receipt=receipt,
        note=form.cleaned_data["note"],
    )
    return redirect("purchasing-receipt-detail", pk=(reversal or receipt).pk)
