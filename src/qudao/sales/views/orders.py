"""Sales order pages: the list, entry with a fast product search, the chain's actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import show_refusal
from qudao.core.listing import Column, Filter, Listing
from qudao.finance.credit import can_confirm
from qudao.sales import selectors, services
from qudao.sales.forms import DeliveryForm, LineForm, OrderForm, ReasonForm
from qudao.sales.models import OrderStatus
from qudao.sales.services.common import settings_of
from qudao.sales.services.rebates import cancel_rest_of_order, fit_order_rebate
from qudao.sales.views.common import actor, org
from qudao.sales.views.rebates import order_accounts
from qudao.tenancy.decorators import member_required
from qudao.tenancy.events import verb_label
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm


def _flags(request: HttpRequest) -> dict[str, bool]:
    member = actor(request)
    return {
        "can_sell": can(member, Perm.SELL),
        "can_review": can(member, Perm.REVIEW_ORDERS),
        "can_credit": can(member, Perm.MANAGE_CREDIT),
        "can_ship": can(member, Perm.MOVE_STOCK),
        "can_invoice": can(member, Perm.POST_FINANCE),
    }


@member_required(Perm.VIEW_ORDERS)
def order_list(request: HttpRequest) -> HttpResponse:
    orders = selectors.visible_orders(actor(request))
    if request.GET.get("waiting") == "me":
        orders = orders.filter(selectors.waiting_for(actor(request)))
    listing = Listing(
        request=request,
        queryset=orders,
        columns=(
            Column("number", gettext_lazy("Number"), "number"),
            Column("customer", gettext_lazy("Customer"), "customer_name"),
            Column("status", gettext_lazy("Status"), "status"),
            Column("rep", gettext_lazy("Sales rep"), phone=False),
            Column("total", gettext_lazy("Total"), "total", numeric=True),
            Column("created_at", gettext_lazy("Created"), "created_at", phone=False),
        ),
        search_fields=("number", "customer__name", "customer__code", "customer__pinyin"),
        filters=[Filter("status", gettext_lazy("Status"), "status", OrderStatus.choices)],
    )
    context = (
        listing.context()
        | _flags(request)
        | {
            "list_url": request.path,
            "row_template": "sales/_order_row.html",
            "search_placeholder": _("Search by number or customer"),
            "waiting_count": selectors.visible_orders(actor(request))
            .filter(selectors.waiting_for(actor(request)))
            .count(),
        }
    )
    template = "shell/_list.html" if request.htmx else "sales/order_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _order_data(form: OrderForm) -> services.OrderData:
    data = form.cleaned_data
    return services.OrderData(
        customer_id=data["customer"],
        warehouse_id=data["warehouse"],
        requested_on=data["requested_on"],
        ship_to=data["ship_to"],
        note=data["note"],
    )


@member_required(Perm.SELL)
def order_create(request: HttpRequest) -> HttpResponse:
    initial = {"customer": request.GET.get("customer", "")}
    form = OrderForm(request.POST or None, initial=initial, membership=actor(request))
    if request.method == "POST" and form.is_valid():
        try:
            order = services.create_order(
                org=org(request), actor=actor(request), data=_order_data(form)
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            return redirect("sales-order-detail", pk=order.pk)
    return render(
        request,
        "sales/form.html",
        {
            "form": form,
            "title": _("New sales order"),
            "back_url": reverse("sales-order-list"),
            "submit_label": _("Create and add products"),
        },
    )


@member_required(Perm.SELL)
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(selectors.visible_orders(actor(request)), pk=pk)
    initial = {
        "customer": order.customer_id,
        "warehouse": order.warehouse_id,
        "requested_on": order.requested_on,
        "ship_to": order.ship_to,
        "note": order.note,
    }
    form = OrderForm(request.POST or None, initial=initial, membership=actor(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_order(
                org=org(request), actor=actor(request), order=order, data=_order_data(form)
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            fit_order_rebate(org=org(request), order=order)  # maybe another customer's rebate
            return redirect("sales-order-detail", pk=order.pk)
    return render(
        request,
        "sales/form.html",
        {
            "form": form,
            "title": _("Edit %(order)s") % {"order": order},
            "back_url": reverse("sales-order-detail", args=[order.pk]),
            "submit_label": _("Save"),
        },
    )


def _timeline(events: list) -> list[dict[str, object]]:
    return [
        {
            "at": event.at,
            "who": str(event.actor.user) if event.actor else _("The customer"),
            "what": verb_label(event.verb),
            "reason": event.reason,
            "subject": "delivery" if event.subject_type == "sales.deliverynote" else "order",
        }
        for event in reversed(events)
    ]


@member_required(Perm.VIEW_ORDERS)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(selectors.visible_orders(actor(request)), pk=pk)
    flags = _flags(request)
    form = LineForm(request.POST or None)
    if request.method == "POST":
        if not flags["can_sell"]:
            raise PermissionDenied
        if form.is_valid():
            hit = selectors.unit_for_barcode(form.cleaned_data["product"])
            if hit is None:
                form.add_error("product", _("No product has this code or barcode."))
            else:
                product, scanned_unit = hit
                try:
                    services.set_order_lines(
                        org=org(request),
                        actor=actor(request),
                        order=order,
                        lines=[
                            services.LineInput(
                                product_id=product.pk,
                                quantity=form.cleaned_data["quantity"],
                                unit=form.cleaned_data["unit"].strip() or scanned_unit,
                                unit_price=form.cleaned_data["unit_price"],
                            )
                        ],
                    )
                except BusinessRuleViolation as refusal:
                    show_refusal(form, refusal)
                else:
                    fit_order_rebate(org=org(request), order=order)  # within the new total
                    return redirect(reverse("sales-order-detail", args=[order.pk]) + "#entry")
    settings = settings_of(org(request))
    events = selectors.order_events(order)
    decision = None
    if (
        order.status
        in (
            OrderStatus.DRAFT,
            OrderStatus.AWAITING_CUSTOMER,
            OrderStatus.ORDER_REVIEW,
            OrderStatus.FINANCE_REVIEW,
        )
        and order.total > 0
    ):
        decision = can_confirm(
            customer=order.customer, amount=order.total, reference=order.reference
        )
    lines = selectors.order_lines(order)
    return render(
        request,
        "sales/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "short": [view for view in lines if view.available < view.line.open_quantity],
            "form": form,
            "reason_form": ReasonForm(),
            "decision": decision,
            "steps": selectors.chain(order, settings, events),
            "timeline": _timeline(events),
            "deliveries": order.deliveries.order_by("pk"),
            "confirm_link": request.build_absolute_uri(
                reverse("sales-customer-confirm", args=[order.customer_token])
            )
            if order.customer_token
            else "",
            **order_accounts(actor(request), order),
            "step_perm": services.who_may_act(order),
            "may_act": bool(services.who_may_act(order))
            and can(actor(request), services.who_may_act(order)),  # type: ignore[arg-type]
            **flags,
        },
    )


@member_required(Perm.SELL)
def product_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The order entry's live search (htmx): code, name, pinyin initials or barcode."""
    order = get_object_or_404(selectors.visible_orders(actor(request)), pk=pk)
    text = request.GET.get("product", "").strip()
    hits = selectors.search_products(
        org=org(request),
        text=text,
        customer_id=order.customer_id,
        warehouse_id=order.warehouse_id,
    )
    return render(request, "sales/_product_hits.html", {"hits": hits, "text": text})


def _act(request: HttpRequest, pk: int, act: object, done: str, **kwargs: object) -> HttpResponse:
    order = get_object_or_404(selectors.visible_orders(actor(request)), pk=pk)
    try:
        act(org=org(request), actor=actor(request), order=order, **kwargs)  # type: ignore[operator]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect("sales-order-detail", pk=order.pk)


def _reason(request: HttpRequest) -> str:
    return request.POST.get("reason", "").strip()[:300]


@require_POST
@member_required(Perm.SELL)
def order_submit(request: HttpRequest, pk: int) -> HttpResponse:
    for_customer = request.POST.get("for_customer") == "1"
    done = (
        _("The order was sent to the customer to confirm.")
        if for_customer
        else _("The order was submitted.")
    )
    return _act(request, pk, services.submit_order, done, for_customer=for_customer)


@require_POST
@member_required(Perm.VIEW_ORDERS)
def order_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        services.approve_order,
        _("The step was approved."),
        override=request.POST.get("override") == "1",
        reason=_reason(request),
    )


@require_POST
@member_required(Perm.VIEW_ORDERS)
def order_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        services.reject_order,
        _("The order was sent back to its author."),
        reason=_reason(request),
    )


@require_POST
@member_required(Perm.VIEW_ORDERS)
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, services.cancel_order, _("The order was cancelled."), reason=_reason(request)
    )


@require_POST
@member_required(Perm.MANAGE_CREDIT)
def order_cancel_rest(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        cancel_rest_of_order,
        _("The rest of the order was cancelled."),
        reason=_reason(request),
    )


@member_required(Perm.MOVE_STOCK)
def order_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    """Put (part of) a confirmed order on a delivery note; the rest stays as a backorder."""
    order = get_object_or_404(selectors.visible_orders(actor(request)), pk=pk)
    pending = services.pending_quantities(order)
    lines = [
        (line, line.open_quantity - pending.get(line.pk, 0))
        for line in order.lines.order_by("position")
        if line.open_quantity - pending.get(line.pk, 0) > 0
    ]
    form = DeliveryForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            delivery = services.create_delivery(
                org=org(request),
                actor=actor(request),
                order=order,
                quantities=form.quantities(),
                carrier=form.cleaned_data["carrier"],
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            return redirect("sales-delivery-detail", pk=delivery.pk)
    return render(
        request,
        "sales/form.html",
        {
            "form": form,
            "title": _("Deliver %(order)s") % {"order": order},
            "intro": _(
                "Quantities in base units; what you leave out stays on the order as a backorder."
            ),
            "back_url": reverse("sales-order-detail", args=[order.pk]),
            "submit_label": _("Create the delivery note"),
        },
    )
