"""Damage claim pages (破损): list, record from a delivery, detail with settle / credit."""

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
from qudao.core.money import ZERO
from qudao.finance.claims import ClaimStatus
from qudao.finance.models import BANK
from qudao.finance.services.claims import Recovery
from qudao.sales import selectors
from qudao.sales.forms_returns import DamageForm, SettleClaimForm
from qudao.sales.models_returns import Bearer, DamageClaim
from qudao.sales.selectors_returns import visible_claims
from qudao.sales.services.damages import ClaimData, record_damage, settle_claim
from qudao.sales.services.takebacks import issue_pending_credit
from qudao.sales.views.common import actor, org
from qudao.sales.views.returns import timeline
from qudao.tenancy.decorators import member_required
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

RULE = gettext_lazy(
    "Who bears the loss decides what happens. Us, the carrier or the manufacturer: the broken "
    "goods are written off at the cost they shipped with and the customer does not pay for "
    "them — a credit note if the delivery is invoiced, otherwise the invoice leaves them out. "
    "The carrier or the manufacturer owes us the claimed amount (other receivables) until "
    "finance records what it paid; the rest is written off. The customer: the damage is "
    "recorded only; no credit."
)


@member_required(Perm.VIEW_ORDERS)
def damage_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=visible_claims(actor(request)),
        columns=(
            Column("number", gettext_lazy("Number"), "number"),
            Column("delivery", gettext_lazy("Delivery"), "delivery__number", phone=False),
            Column("customer", gettext_lazy("Customer"), "customer__name"),
            Column("bearer", gettext_lazy("Who bears the loss"), "bearer"),
            Column("status", gettext_lazy("Status"), "status"),
            Column("claim_amount", gettext_lazy("Claimed"), "claim_amount", numeric=True),
            Column("created_at", gettext_lazy("Recorded"), "created_at", phone=False),
        ),
        search_fields=("number", "delivery__number", "customer__name", "carrier"),
        filters=[
            Filter("status", gettext_lazy("Status"), "status", ClaimStatus.choices),
            Filter("bearer", gettext_lazy("Who bears the loss"), "bearer", Bearer.choices),
        ],
    )
    context = listing.context() | {
        "list_url": request.path,
        "row_template": "sales/_damage_row.html",
        "search_placeholder": _("Search by number, delivery, customer or carrier"),
        "rule": RULE,
    }
    template = "shell/_list.html" if request.htmx else "sales/damage_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@member_required(Perm.VIEW_ORDERS)
def damage_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = actor(request)
    delivery = get_object_or_404(selectors.visible_deliveries(member), pk=pk)
    if not (can(member, Perm.SELL) or can(member, Perm.MOVE_STOCK)):
        raise PermissionDenied
    lines = [
        (line, line.quantity)
        for line in delivery.lines.select_related("order_line").order_by("order_line__position")
    ]
    form = DamageForm(request.POST or None, request.FILES or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = record_damage(
                org=org(request),
                actor=member,
                delivery=delivery,
                data=ClaimData(
                    bearer=data["bearer"],
                    description=data["description"],
                    quantities=form.quantities(),
                    claim_amount=data["claim_amount"] or ZERO,
                    carrier=data["carrier"],
                    supplier_id=data["supplier"],
                    carrier_party_id=data["carrier_party"],
                ),
                photo=data["photo"],
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Damage claim %(number)s recorded.") % {"number": claim})
            return redirect("sales-damage-detail", pk=claim.pk)
    return render(
        request,
        "sales/form.html",
        {
            "form": form,
            "multipart": True,
            "title": _("Damage on %(delivery)s") % {"delivery": delivery},
            "intro": RULE,
            "back_url": reverse("sales-delivery-detail", args=[delivery.pk]),
            "submit_label": _("Record the damage"),
        },
    )


def _claim(request: HttpRequest, pk: int) -> DamageClaim:
    return get_object_or_404(visible_claims(actor(request)), pk=pk)


@member_required(Perm.VIEW_ORDERS)
def damage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(
        visible_claims(actor(request)).select_related(
            "carrier_party", "journal_entry", "settlement_entry", "settled_by__user"
        ),
        pk=pk,
    )
    member = actor(request)
    return render(
        request,
        "sales/damage_detail.html",
        {
            "claim": claim,
            "lines": claim.lines.select_related("delivery_line__order_line"),
            "timeline": timeline("sales.damageclaim", claim.pk),
            "settle_form": SettleClaimForm(initial={"amount": claim.claim_amount}),
            "can_finance": can(member, Perm.POST_FINANCE),
            "show_costs": can(member, Perm.VIEW_COSTS),
            "rule": RULE,
        },
    )


@require_POST
@member_required(Perm.POST_FINANCE)
def damage_settle(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)
    form = SettleClaimForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the amount received or agreed."))
        return redirect("sales-damage-detail", pk=claim.pk)
    try:
        data = form.cleaned_data
        settle_claim(
            org=org(request),
            actor=actor(request),
            claim=claim,
            recovery=Recovery(
                amount=data["amount"],
                received_into=data["received_into"] or BANK,
                date=data["date"],
            ),
            note=data["note"],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Claim settled."))
    return redirect("sales-damage-detail", pk=claim.pk)


@require_POST
@member_required(Perm.POST_FINANCE)
def damage_credit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)
    try:
        issue_pending_credit(org=org(request), actor=actor(request), document=claim)
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Credit note issued."))
    return redirect("sales-damage-detail", pk=claim.pk)
