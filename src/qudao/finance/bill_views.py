"""Bills receivable (应收票据): the bank acceptance bills customers paid us with, their maturity
and status, and recording how each was cleared. Everyone with VIEW_FINANCE reads (a sales rep:
their own customers' bills); only POST_FINANCE records a clearing.

A bill endorsed to a supplier (背书转让) shows the supplier and its supplier payment; it is
recorded from the supplier payment form (purchasing), which a bill's row links to. Until its
maturity a discounted or endorsed bill still counts in the customer's credit exposure
(recourse, 有追索权)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import DateInput
from qudao.core.money import quantize
from qudao.finance import services
from qudao.finance.bills import DUE_SOON_DAYS, BillStatus, bills_received, filter_bills
from qudao.finance.models import BillClearing, ClearingKind, JournalLine, Payment
from qudao.finance.targets import SUPPLIER_PAYMENT_SOURCE
from qudao.tenancy.decorators import member_required
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

LIST_LIMIT = 500
ENDORSED = ClearingKind.ENDORSED.value
STATUSES = (
    (BillStatus.OPEN, gettext_lazy("Not yet mature")),
    (BillStatus.OVERDUE, gettext_lazy("Past maturity, not cleared")),
    (BillStatus.CLEARED, gettext_lazy("Cleared")),
    (ENDORSED, gettext_lazy("Endorsed to a supplier")),
)
# endorsing pays a supplier: it is recorded from the supplier payment form, not here
BANK_CLEARINGS = [(k, label) for k, label in ClearingKind.choices if k != ClearingKind.ENDORSED]


class ClearingForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Cleared by"), choices=BANK_CLEARINGS)
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)
    proceeds = forms.DecimalField(
        label=gettext_lazy("Received in the bank"),
        max_digits=18,
        decimal_places=2,
        required=False,
        help_text=gettext_lazy("For a discount: what the bank paid out after its interest."),
    )
    bank_reference = forms.CharField(
        label=gettext_lazy("Bank reference"), max_length=100, required=False
    )


def _member(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _due_within(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 366 else None


def _with_endorsement(bills: QuerySet[Payment]) -> QuerySet[Payment]:
    """Add who an endorsed bill went to and the supplier payment that endorsed it."""
    clearing = BillClearing.objects.filter(payment=OuterRef("pk"), kind=ClearingKind.ENDORSED)
    return bills.annotate(
        endorsed_to=Subquery(clearing.values("endorsee__name")[:1]),
        endorsement_number=Subquery(clearing.values("endorsement_reference")[:1]),
        endorsement_payment_id=Subquery(
            clearing.filter(journal_entry__source_type=SUPPLIER_PAYMENT_SOURCE).values(
                "journal_entry__source_id"
            )[:1]
        ),
    )


@member_required(Perm.VIEW_FINANCE)
def bill_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    status = request.GET.get("status", "")
    status = status if status in dict(STATUSES) else ""
    due_within = _due_within(request.GET.get("due", ""))
    bills = filter_bills(
        _with_endorsement(bills_received(_member(request))),
        status="" if status == ENDORSED else status,
        due_within=due_within,
        today=today,
    )
    if status == ENDORSED:
        bills = bills.filter(cleared_kind=ENDORSED)
    total = quantize(Decimal(str(bills.aggregate(t=Sum("amount"))["t"] or 0)))
    rows = list(bills.order_by("bill_maturity", "pk")[:LIST_LIMIT])
    context: dict[str, Any] = {
        "rows": rows,
        "total": total,
        "today": today,
        "statuses": STATUSES,
        "status": status,
        "due_within": due_within,
        "due_soon_days": DUE_SOON_DAYS,
        "limited": len(rows) == LIST_LIMIT,
        "can_endorse": can(_member(request), Perm.POST_FINANCE),
        "can_see_supplier_payments": can(_member(request), Perm.VIEW_COSTS),
    }
    return render(request, "finance/bill_list.html", context)


@member_required(Perm.VIEW_FINANCE)
def bill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bill = get_object_or_404(bills_received(_member(request)).select_related("customer"), pk=pk)
    clearing = (
        BillClearing.objects.filter(payment=bill)
        .select_related("created_by__user", "endorsee", "journal_entry")
        .first()
    )
    postings = (
        JournalLine.objects.filter(entry=clearing.journal_entry_id)
        .select_related("account")
        .order_by("pk")
        if clearing
        else []
    )
    can_post = can(_member(request), Perm.POST_FINANCE)
    today = timezone.localdate()
    initial = {
        "kind": ClearingKind.MATURED if bill.bill_maturity <= today else ClearingKind.DISCOUNTED,
        "date": today.isoformat(),  # an <input type=date> reads ISO only
    }
    return render(
        request,
        "finance/bill_detail.html",
        {
            "bill": bill,
            "clearing": clearing,
            "postings": postings,
            "today": today,
            "form": ClearingForm(initial=initial) if can_post and clearing is None else None,
            "can_endorse": can_post and clearing is None and bill.bill_maturity >= today,
            "supplier_payment_id": clearing.journal_entry.source_id
            if clearing
            and clearing.kind == ClearingKind.ENDORSED
            and clearing.journal_entry.source_type == SUPPLIER_PAYMENT_SOURCE
            and can(_member(request), Perm.VIEW_COSTS)
            else None,
        },
    )


@require_POST
@member_required(Perm.POST_FINANCE)
def bill_clear(request: HttpRequest, pk: int) -> HttpResponse:
    bill = get_object_or_404(bills_received(_member(request)), pk=pk)
    form = ClearingForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("finance-bill-detail", pk=bill.pk)
    data = form.cleaned_data
    try:
        services.clear_bill(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            payment=bill,
            kind=data["kind"],
            date=data["date"],
            proceeds=data["proceeds"],
            bank_reference=data["bank_reference"],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The bill was cleared."))
    return redirect("finance-bill-detail", pk=bill.pk)


urlpatterns = [
    path("bills/", bill_list, name="finance-bill-list"),
    path("bills/<int:pk>/", bill_detail, name="finance-bill-detail"),
    path("bills/<int:pk>/clear/", bill_clear, name="finance-bill-clear"),
]
