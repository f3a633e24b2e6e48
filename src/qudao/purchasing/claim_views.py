"""Receipt damage claim pages (进货破损索赔): record from a goods receipt, the list, the detail
with finance's settlement and the warehouse's cancellation.

Everyone inside the organization reads (VIEW_STOCK); boss and warehouse record and cancel
(MOVE_STOCK); boss and finance settle (POST_FINANCE); amounts show only with VIEW_COSTS.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import show_refusal
from qudao.core.listing import Column, Filter, Listing
from qudao.finance.claims import ClaimStatus
from qudao.finance.models import BANK
from qudao.purchasing import access, claim_selectors, selectors
from qudao.purchasing.claim_forms import CancelClaimForm, ReceiptClaimForm, SettleClaimForm
from qudao.purchasing.claim_models import ClaimBearer, ReceiptClaim
from qudao.purchasing.services import claim_settlement
from qudao.purchasing.services import claims as services
from qudao.tenancy.decorators import member_required
from qudao.tenancy.events import verb_label
from qudao.tenancy.models import Membership, Organization

RULE = gettext_lazy(
    "Who bears the loss decides the document. The supplier: finance deducts the claim from "
    "what we owe with a supplier credit note (plus VAT), from the invoice that billed the "
    "receipt or another open invoice of the supplier; until there is one, the claim waits. "
    "The carrier: it owes us the claimed amount (other receivables) until finance records "
    "what it paid. Us: the loss is written off and nothing is owed. The damaged goods go back "
    "to the supplier, are scrapped, or stay in the damaged-goods location."
)


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _org(request: HttpRequest) -> Organization:
    return request.org  # type: ignore[attr-defined,no-any-return]


@member_required(access.READ)
def claim_list(request: HttpRequest) -> HttpResponse:
    show_costs = access.can_see_costs(_actor(request))
    columns = [
        Column("number", gettext_lazy("Number"), "number"),
        Column("receipt", gettext_lazy("Goods receipt"), "receipt__number", phone=False),
        Column("supplier", gettext_lazy("Supplier"), "supplier__name"),
        Column("bearer", gettext_lazy("Who bears the loss"), "bearer"),
        Column("disposition", pgettext_lazy("claim", "Damaged goods"), phone=False),
        Column("status", gettext_lazy("Status"), "status"),
    ]
    if show_costs:
        columns.append(
            Column("claim_amount", gettext_lazy("Claimed"), "claim_amount", numeric=True)
        )
    columns.append(Column("created_at", gettext_lazy("Recorded"), "created_at", phone=False))
    listing = Listing(
        request=request,
        queryset=claim_selectors.claims(),
        columns=columns,
        search_fields=("number", "receipt__number", "supplier__name", "carrier"),
        filters=[
            Filter("status", gettext_lazy("Status"), "status", ClaimStatus.choices),
            Filter("bearer", gettext_lazy("Who bears the loss"), "bearer", ClaimBearer.choices),
        ],
    )
    context = listing.context() | {
        "list_url": request.path,
        "row_template": "purchasing/_claim_row.html",
        "search_placeholder": _("Search by number, receipt, supplier or carrier"),
        "show_costs": show_costs,
        "rule": RULE,
    }
    template = "shell/_list.html" if request.htmx else "purchasing/claim_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@member_required(access.RECEIVE_GOODS)
def claim_create(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = get_object_or_404(selectors.receipts(), pk=pk)
    lines = (
        claim_selectors.unclaimed_damage(receipt) if claim_selectors.is_claimable(receipt) else []
    )
    if not lines:
        messages.info(request, _("Nothing damaged is left to claim on this receipt."))
        return redirect("purchasing-receipt-detail", pk=receipt.pk)
    form = ReceiptClaimForm(
        request.POST or None, lines=lines, show_costs=access.can_see_costs(_actor(request))
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.record_receipt_claim(
                org=_org(request),
                actor=_actor(request),
                receipt=receipt,
                data=services.ReceiptClaimData(
                    bearer=data["bearer"],
                    disposition=data["disposition"],
                    description=data["description"],
                    lines=form.line_data(),
                    carrier=data["carrier"],
                    carrier_party_id=data["carrier_party"],
                ),
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Damage claim %(number)s recorded.") % {"number": claim})
            return redirect("purchasing-claim-detail", pk=claim.pk)
    return render(
        request,
        "purchasing/claim_form.html",
        {
            "form": form,
            "receipt": receipt,
            "rule": RULE,
            "back_url": reverse("purchasing-receipt-detail", args=[receipt.pk]),
        },
    )


def _claim(pk: int) -> ReceiptClaim:
    return get_object_or_404(claim_selectors.claims(), pk=pk)


@member_required(access.READ)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(
        claim_selectors.claims().select_related(
            "created_by__user",
            "settled_by__user",
            "cancelled_by__user",
            "credit_note",
            "journal_entry",
            "settlement_entry",
            "reversal_entry",
        ),
        pk=pk,
    )
    actor = _actor(request)
    can_settle = access.can_manage_orders(actor) and claim.is_open
    return render(
        request,
        "purchasing/claim_detail.html",
        {
            "claim": claim,
            "lines": claim_selectors.claim_lines(claim),
            "timeline": [
                {
                    "at": event.at,
                    "who": str(event.actor.user) if event.actor else "—",
                    "what": verb_label(event.verb),
                    "reason": event.reason,
                }
                for event in claim_selectors.claim_events(claim)
            ],
            "settle_form": SettleClaimForm(claim=claim) if can_settle else None,
            "cancel_form": CancelClaimForm()
            if access.can_receive(actor) and claim.can_cancel
            else None,
            "show_costs": access.can_see_costs(actor),
            "rule": RULE,
        },
    )


@require_POST
@member_required(access.MANAGE_ORDERS)
def claim_settle(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(pk)
    form = SettleClaimForm(request.POST, claim=claim)
    if not form.is_valid():
        messages.error(request, _("Enter the amount received or agreed."))
        return redirect("purchasing-claim-detail", pk=claim.pk)
    data = form.cleaned_data
    try:
        claim_settlement.settle_receipt_claim(
            org=_org(request),
            actor=_actor(request),
            claim=claim,
            data=claim_settlement.SettlementData(
                amount=data["amount"],
                received_into=data.get("received_into") or BANK,
                invoice_id=data.get("invoice"),
                tax_rate=data.get("tax_rate"),
                date=data["date"],
                note=data["note"],
            ),
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Claim settled."))
    return redirect("purchasing-claim-detail", pk=claim.pk)


@require_POST
@member_required(access.RECEIVE_GOODS)
def claim_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(pk)
    form = CancelClaimForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the claim is cancelled."))
        return redirect("purchasing-claim-detail", pk=claim.pk)
    try:
        services.cancel_receipt_claim(
            org=_org(request),
            actor=_actor(request),
            claim=claim,
            reason=form.cleaned_data["reason"],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The claim was cancelled."))
    return redirect("purchasing-claim-detail", pk=claim.pk)
