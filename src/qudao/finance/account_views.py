"""Staff pages of the customers' prepayment and rebate accounts: finance's queue of top-ups
waiting for a decision (the voucher beside approve / reject), top-ups recorded for a customer,
refunds, rebate grants and their reversal, settling open invoices from the balance, and the
organization's account settings. Reads need VIEW_FINANCE (a sales rep: own customers);
changes need POST_FINANCE (settings: MANAGE_CREDIT)."""

from __future__ import annotations

import mimetypes
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.core.listing import Column, Filter, Listing
from qudao.core.money import quantize
from qudao.finance import balances, services
from qudao.finance.account_forms import (
    AccountSettingsForm,
    RebateGrantForm,
    RefundForm,
    RejectForm,
    StaffTopUpForm,
)
from qudao.finance.models import PrepaymentTopUp, RebateEntry, TopUpStatus
from qudao.finance.views import _member, _render_list
from qudao.parties.models import Party
from qudao.parties.selectors import visible_customers
from qudao.tenancy.decorators import member_required
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

HUNDRED = Decimal(100)


def _customer(request: HttpRequest, pk: int) -> Party:
    return get_object_or_404(visible_customers(_member(request)), pk=pk)


def _show(form: forms.Form, refusal: BusinessRuleViolation) -> None:
    for field, message in (refusal.fields or {}).items():
        if field in form.fields and message:
            form.add_error(field, message)
    form.add_error(None, refusal.message)


def account_context(request: HttpRequest, customer: Party) -> dict[str, object]:
    """What the customer's finance account page shows of its two accounts."""
    member = _member(request)
    return {
        "accounts": balances.balances_of(customer),
        "top_ups": balances.top_ups_of(customer, limit=20),
        "refunds": balances.refunds_of(customer, limit=20),
        "rebate_entries": balances.rebate_entries_of(customer, limit=50),
        "can_post": can(member, Perm.POST_FINANCE),
    }


# ---------------------------------------------------------------------------------------------
# Top-ups: finance's queue and decisions

TOPUP_COLUMNS = (
    Column("number", gettext_lazy("Number"), "number"),
    Column("customer", gettext_lazy("Customer"), "customer__name"),
    Column("date", gettext_lazy("Transfer date"), "date", phone=False),
    Column("method", gettext_lazy("Method"), "method", phone=False),
    Column("amount", gettext_lazy("Amount"), "amount", numeric=True),
    Column("status", gettext_lazy("Status"), "status"),
    Column("submitted", gettext_lazy("Submitted"), "submitted_at", phone=False),
)


@member_required(Perm.VIEW_FINANCE)
def top_up_list(request: HttpRequest) -> HttpResponse:
    """Top-ups; those waiting for finance unless another status (or all) is chosen."""
    listing = Listing(
        request=request,
        queryset=balances.visible_top_ups(_member(request)),
        columns=TOPUP_COLUMNS,
        search_fields=("number", "customer__name", "customer__code", "reference"),
        filters=(Filter("status", gettext_lazy("Status"), "status", TopUpStatus.choices),),
        default_sort="submitted_at",
    )
    if "status" not in request.GET:
        listing.active_filters["status"] = TopUpStatus.PENDING
    return _render_list(
        request,
        listing,
        "finance/topup_list.html",
        row_template="finance/_topup_row.html",
        search_placeholder=_("Search by number, customer or reference"),
        pending=balances.pending_top_ups(_member(request)).count(),
        can_manage=can(_member(request), Perm.MANAGE_CREDIT),
    )


def _top_up(request: HttpRequest, pk: int) -> PrepaymentTopUp:
    return get_object_or_404(balances.visible_top_ups(_member(request)), pk=pk)


@member_required(Perm.VIEW_FINANCE)
def top_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    top_up = _top_up(request, pk)
    return render(
        request,
        "finance/topup_detail.html",
        {
            "top_up": top_up,
            "accounts": balances.balances_of(top_up.customer),
            "is_image": top_up.voucher.name.rsplit(".", 1)[-1] in ("jpg", "png", "webp"),
            "can_post": can(_member(request), Perm.POST_FINANCE),
            "reject_form": RejectForm(),
            "open_invoices": list(services.open_invoices(top_up.customer_id)[:10]),
        },
    )


def serve_voucher(top_up: PrepaymentTopUp) -> FileResponse:
    """The voucher file, shown in the browser (never a public media URL)."""
    if not top_up.voucher:
        raise Http404
    content_type = mimetypes.guess_type(top_up.voucher.name)[0] or "application/octet-stream"
    return FileResponse(
        top_up.voucher.open("rb"),
        content_type=content_type,
        filename=f"{top_up.number}{top_up.voucher.name[top_up.voucher.name.rfind('.') :]}",
    )


@member_required(Perm.VIEW_FINANCE)
def top_up_voucher(request: HttpRequest, pk: int) -> FileResponse:
    return serve_voucher(_top_up(request, pk))


@require_POST
@member_required(Perm.POST_FINANCE)
def top_up_approve(request: HttpRequest, pk: int) -> HttpResponse:
    top_up = _top_up(request, pk)
    try:
        top_up = services.approve_top_up(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            top_up=top_up,
            allocate=request.POST.get("allocate") == "on",
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
        return redirect("finance-topup-detail", pk=top_up.pk)
    messages.success(
        request,
        _("%(number)s is credited: payment %(payment)s was recorded.")
        % {"number": top_up.number, "payment": top_up.payment.number if top_up.payment else ""},
    )
    return redirect(reverse("finance-topup-list"))


@require_POST
@member_required(Perm.POST_FINANCE)
def top_up_reject(request: HttpRequest, pk: int) -> HttpResponse:
    top_up = _top_up(request, pk)
    form = RejectForm(request.POST)
    try:
        if not form.is_valid():
            raise BusinessRuleViolation(
                _("Say why the top-up is rejected: the customer will read it."),
                code="reason_required",
            )
        services.reject_top_up(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            top_up=top_up,
            reason=form.cleaned_data["reason"],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
        return redirect("finance-topup-detail", pk=top_up.pk)
    messages.success(request, _("%(number)s was rejected.") % {"number": top_up.number})
    return redirect(reverse("finance-topup-list"))


# ---------------------------------------------------------------------------------------------
# A customer's accounts: top up for it, refund, grant rebate, settle invoices


def _page(request: HttpRequest, customer: Party, form: forms.Form, **extra: object) -> HttpResponse:
    return render(
        request,
        "finance/account_form.html",
        {"customer": customer, "form": form, "accounts": balances.balances_of(customer)} | extra,
    )


@member_required(Perm.POST_FINANCE)
def account_top_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Record money the customer paid into its prepayment account (voucher optional)."""
    customer = _customer(request, pk)
    form = StaffTopUpForm(request.POST or None, request.FILES or None, voucher_required=False)
    if request.method == "POST" and form.is_valid():
        try:
            top_up, _created = services.record_top_up(
                org=request.org,  # type: ignore[attr-defined]
                actor=_member(request),
                data=form.to_data(customer.pk),
                voucher=form.cleaned_data["voucher"],
                allocate=form.cleaned_data["allocate"],
            )
        except BusinessRuleViolation as refusal:
            _show(form, refusal)
        else:
            messages.success(
                request,
                _("%(amount)s was added to the prepayment balance (%(number)s).")
                % {"amount": f"¥{quantize(top_up.amount):,.2f}", "number": top_up.number},
            )
            return redirect("finance-account-detail", pk=customer.pk)
    return _page(request, customer, form, title=_("Top up the prepayment account"), multipart=True)


@member_required(Perm.POST_FINANCE)
def account_refund(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay money back to the customer out of its prepayment balance."""
    customer = _customer(request, pk)
    form = RefundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            refund, _created = services.refund_prepayment(
                org=request.org,  # type: ignore[attr-defined]
                actor=_member(request),
                data=form.to_data(customer.pk),
            )
        except BusinessRuleViolation as refusal:
            _show(form, refusal)
        else:
            messages.success(
                request,
                _("Refund %(number)s of %(amount)s was posted.")
                % {"number": refund.number, "amount": refund.amount},
            )
            return redirect("finance-account-detail", pk=customer.pk)
    return _page(request, customer, form, title=_("Refund from the prepayment balance"))


@member_required(Perm.POST_FINANCE)
def account_rebate(request: HttpRequest, pk: int) -> HttpResponse:
    """Credit the customer's rebate account."""
    customer = _customer(request, pk)
    form = RebateGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.grant_rebate(
                org=request.org,  # type: ignore[attr-defined]
                actor=_member(request),
                data=form.to_data(customer.pk),
            )
        except BusinessRuleViolation as refusal:
            _show(form, refusal)
        else:
            messages.success(
                request,
                _("Rebate %(number)s of %(amount)s was granted.")
                % {"number": grant.number, "amount": grant.amount},
            )
            return redirect("finance-account-detail", pk=customer.pk)
    return _page(request, customer, form, title=_("Grant a rebate"))


@require_POST
@member_required(Perm.POST_FINANCE)
def rebate_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(
        RebateEntry.objects.filter(customer__in=visible_customers(_member(request))), pk=pk
    )
    try:
        services.reverse_rebate_grant(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            grant=grant,
            reason=request.POST.get("reason", "")[:300],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Rebate %(number)s was reversed.") % {"number": grant.number})
    return redirect("finance-account-detail", pk=grant.customer_id)


@require_POST
@member_required(Perm.POST_FINANCE)
def account_settle(request: HttpRequest, pk: int) -> HttpResponse:
    """Use the prepayment balance on the customer's open invoices, oldest due first."""
    customer = _customer(request, pk)
    try:
        settled = services.settle_open_invoices(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            customer=customer,
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        if settled:
            messages.success(
                request,
                _("%(amount)s of open invoices were settled from the prepayment balance.")
                % {"amount": settled},
            )
        else:
            messages.info(request, _("Nothing to settle."))
    return redirect("finance-account-detail", pk=customer.pk)


@member_required(Perm.MANAGE_CREDIT)
def account_settings(request: HttpRequest) -> HttpResponse:
    current = balances.account_settings(request.org)  # type: ignore[attr-defined]
    form = AccountSettingsForm(
        request.POST or None,
        initial={
            "rebate_max_share": (current.rebate_max_share * HUNDRED).normalize(),
            "settle_from_prepayments": current.settle_from_prepayments,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_account_settings(
                org=request.org,  # type: ignore[attr-defined]
                actor=_member(request),
                rebate_max_share=form.cleaned_data["rebate_max_share"] / HUNDRED,
                settle_from_prepayments=form.cleaned_data["settle_from_prepayments"],
            )
        except BusinessRuleViolation as refusal:
            _show(form, refusal)
        else:
            messages.success(request, _("Saved."))
            return redirect("finance-account-settings")
    return render(request, "finance/account_settings.html", {"form": form})


urlpatterns = [
    path("top-ups/", top_up_list, name="finance-topup-list"),
    path("top-ups/<int:pk>/", top_up_detail, name="finance-topup-detail"),
    path("top-ups/<int:pk>/voucher/", top_up_voucher, name="finance-topup-voucher"),
    path("top-ups/<int:pk>/approve/", top_up_approve, name="finance-topup-approve"),
    path("top-ups/<int:pk>/reject/", top_up_reject, name="finance-topup-reject"),
    path("accounts/<int:pk>/top-up/", account_top_up, name="finance-account-topup"),
    path("accounts/<int:pk>/refund/", account_refund, name="finance-account-refund"),
    path("accounts/<int:pk>/rebate/", account_rebate, name="finance-account-rebate"),
    path("accounts/<int:pk>/settle/", account_settle, name="finance-account-settle"),
    path("rebates/<int:pk>/reverse/", rebate_reverse, name="finance-rebate-reverse"),
    path("account-settings/", account_settings, name="finance-account-settings"),
]
