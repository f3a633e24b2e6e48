"""Return pages (退货): list, create from a delivery, detail with review / receive / credit."""

from __future__ import annotations

from collections.abc import Callable

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
from qudao.sales import selectors
from qudao.sales.forms import ReasonForm
from qudao.sales.forms_returns import ReturnForm
from qudao.sales.models import DeliveryNote
from qudao.sales.models_returns import ReturnStatus, SalesReturn
from qudao.sales.selectors_returns import (
    RETURN_STEP_LABELS,
    events_of,
    return_chain,
    visible_returns,
)
from qudao.sales.services import returns as services
from qudao.sales.services.common import settings_of
from qudao.sales.services.takebacks import issue_pending_credit
from qudao.sales.views.common import actor, org
from qudao.tenancy.decorators import member_required
from qudao.tenancy.events import verb_label
from qudao.tenancy.models import Event
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm


def _what(event: Event) -> str:
    step = (event.data or {}).get("step") if event.verb == "approved" else None
    if step in RETURN_STEP_LABELS:
        return f"{verb_label(event.verb)} · {RETURN_STEP_LABELS[step]}"
    return verb_label(event.verb)


def timeline(
    subject_type: str, pk: int, events: list[Event] | None = None
) -> list[dict[str, object]]:
    """Newest first: what happened, who did it and when."""
    return [
        {
            "at": event.at,
            "who": str(event.actor.user) if event.actor else "—",
            "what": _what(event),
            "reason": event.reason,
        }
        for event in (events if events is not None else events_of(subject_type, pk))
    ]


@member_required(Perm.VIEW_ORDERS)
def return_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=visible_returns(actor(request)),
        columns=(
            Column("number", gettext_lazy("Number"), "number"),
            Column("delivery", gettext_lazy("Delivery"), "delivery__number", phone=False),
            Column("customer", gettext_lazy("Customer"), "customer__name"),
            Column("status", gettext_lazy("Status"), "status"),
            Column("total", gettext_lazy("Total"), "total", numeric=True),
            Column("created_at", gettext_lazy("Created"), "created_at", phone=False),
        ),
        search_fields=("number", "delivery__number", "customer__name", "customer__code"),
        filters=[Filter("status", gettext_lazy("Status"), "status", ReturnStatus.choices)],
    )
    context = listing.context() | {
        "list_url": request.path,
        "row_template": "sales/_return_row.html",
        "search_placeholder": _("Search by number, delivery or customer"),
    }
    template = "shell/_list.html" if request.htmx else "sales/return_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@member_required(Perm.VIEW_ORDERS)
def return_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = actor(request)
    delivery: DeliveryNote = get_object_or_404(selectors.visible_deliveries(member), pk=pk)
    if not (can(member, Perm.SELL) or can(member, Perm.MOVE_STOCK)):
        raise PermissionDenied
    left = services.left_to_claim(delivery)
    lines = [
        (line, left[line.pk])
        for line in delivery.lines.select_related("order_line__product").order_by(
            "order_line__position"
        )
        if left.get(line.pk, 0) > 0
    ]
    form = ReturnForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            sales_return = services.create_return(
                org=org(request),
                actor=member,
                delivery=delivery,
                reason=form.cleaned_data["reason"],
                lines=[services.ReturnLineInput(**entry) for entry in form.entries()],
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Return %(number)s recorded.") % {"number": sales_return})
            return redirect("sales-return-detail", pk=sales_return.pk)
    return render(
        request,
        "sales/form.html",
        {
            "form": form,
            "title": _("Return from %(delivery)s") % {"delivery": delivery},
            "intro": _(
                "Enter what comes back per line. Restocked goods go back into an internal "
                "location at the cost they left with; scrapped goods go to a damaged location."
            ),
            "back_url": reverse("sales-delivery-detail", args=[delivery.pk]),
            "submit_label": _("Record the return"),
        },
    )


def _return(request: HttpRequest, pk: int) -> SalesReturn:
    return get_object_or_404(visible_returns(actor(request)), pk=pk)


@member_required(Perm.VIEW_ORDERS)
def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sales_return = _return(request, pk)
    member = actor(request)
    settings = settings_of(org(request))
    events = events_of("sales.salesreturn", sales_return.pk)
    may_act = services.may_act(member, sales_return)
    return render(
        request,
        "sales/return_detail.html",
        {
            "sales_return": sales_return,
            "lines": sales_return.lines.select_related(
                "delivery_line__order_line", "location__warehouse"
            ),
            "steps": return_chain(sales_return, settings, events),
            "timeline": timeline("sales.salesreturn", sales_return.pk, events),
            "reason_form": ReasonForm(),
            "may_review": sales_return.in_review and may_act,
            "may_ship": sales_return.status == ReturnStatus.APPROVED
            and settings.return_shipment
            and may_act,
            "may_receive": may_act
            and (
                sales_return.status == ReturnStatus.IN_TRANSIT
                or sales_return.status == ReturnStatus.APPROVED
                and not settings.return_shipment
            ),
            "may_reject": sales_return.status == ReturnStatus.APPROVED
            and (can(member, Perm.REVIEW_ORDERS) or can(member, Perm.MANAGE_CREDIT))
            or sales_return.in_review
            and (may_act or can(member, Perm.REVIEW_ORDERS) or can(member, Perm.MANAGE_CREDIT)),
            "can_review": can(member, Perm.REVIEW_ORDERS) or can(member, Perm.MANAGE_CREDIT),
            "can_receive": can(member, Perm.MOVE_STOCK),
            "can_credit": can(member, Perm.POST_FINANCE),
        },
    )


def _act(
    request: HttpRequest, pk: int, act: Callable[..., object], done: str, **kwargs: object
) -> HttpResponse:
    sales_return = _return(request, pk)
    subject = "document" if act is issue_pending_credit else "sales_return"
    try:
        act(org=org(request), actor=actor(request), **{subject: sales_return}, **kwargs)
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect("sales-return-detail", pk=sales_return.pk)


@require_POST
@member_required(Perm.VIEW_ORDERS)
def return_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.approve_return, _("Approved: the goods may come back."))


@require_POST
@member_required(Perm.VIEW_ORDERS)
def return_reject(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(request, pk, services.reject_return, _("Return rejected."), reason=reason)


@require_POST
@member_required(Perm.VIEW_ORDERS)
def return_ship(request: HttpRequest, pk: int) -> HttpResponse:
    carrier = request.POST.get("carrier", "").strip()[:100]
    return _act(
        request,
        pk,
        services.ship_return,
        _("Recorded: the goods are on their way back."),
        carrier=carrier,
    )


@require_POST
@member_required(Perm.MOVE_STOCK)
def return_receive(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.receive_return, _("Goods received and booked."))


@require_POST
@member_required(Perm.POST_FINANCE)
def return_credit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, issue_pending_credit, _("Credit note issued."))
