"""The retailer's prepayment and rebate accounts in the portal: both balances, its top-up
requests with finance's answer (and the reason when one is rejected), the rebate account's
movements, and a mobile-first form to send the voucher of a transfer. Scoped to the member's
own party."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import show_refusal
from qudao.core.money import quantize
from qudao.finance import balances, services
from qudao.finance.account_forms import TopUpForm
from qudao.finance.account_views import serve_voucher
from qudao.finance.models import PrepaymentTopUp, TopUpSource
from qudao.parties.models import Party, PartyKind
from qudao.tenancy.decorators import member_required
from qudao.tenancy.models import Membership
from qudao.tenancy.roles import Perm


def _yuan(amount: Decimal) -> str:
    """¥2,000.00: an amount in a message as the `money` filter shows it on the pages."""
    return f"¥{quantize(amount):,.2f}"


def _member(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _party(request: HttpRequest) -> Party:
    party = Party.objects.filter(pk=_member(request).party_id, kind=PartyKind.CUSTOMER).first()
    if party is None:
        raise Http404
    return party


def _top_up(request: HttpRequest, pk: int) -> PrepaymentTopUp:
    return get_object_or_404(PrepaymentTopUp.objects.filter(customer=_party(request)), pk=pk)


@member_required(Perm.USE_RETAILER_PORTAL)
def account(request: HttpRequest) -> HttpResponse:
    party = _party(request)
    return render(
        request,
        "portal/account/home.html",
        {
            "party": party,
            "accounts": balances.balances_of(party),
            "top_ups": balances.top_ups_of(party),
            "rebate_entries": balances.rebate_entries_of(party, limit=50),
        },
    )


@member_required(Perm.USE_RETAILER_PORTAL)
def top_up_create(request: HttpRequest) -> HttpResponse:
    """Tell us about a transfer, with its voucher: finance credits it once the money is in."""
    party = _party(request)
    form = TopUpForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            top_up, created = services.request_top_up(
                org=request.org,  # type: ignore[attr-defined]
                actor=_member(request),
                data=form.to_data(party.pk),
                voucher=form.cleaned_data["voucher"],
                source=TopUpSource.PORTAL,
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            if created:
                messages.success(
                    request,
                    _(
                        "Thank you: top-up %(number)s of %(amount)s is sent. Our finance team "
                        "credits it once the money has arrived."
                    )
                    % {"number": top_up.number, "amount": _yuan(top_up.amount)},
                )
            return redirect("portal-account")
    return render(
        request,
        "portal/account/top_up.html",
        {"form": form, "accounts": balances.balances_of(party)},
    )


@require_POST
@member_required(Perm.USE_RETAILER_PORTAL)
def top_up_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    top_up = _top_up(request, pk)
    try:
        services.withdraw_top_up(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            top_up=top_up,
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(number)s is withdrawn.") % {"number": top_up.number})
    return redirect("portal-account")


@member_required(Perm.USE_RETAILER_PORTAL)
def top_up_voucher(request: HttpRequest, pk: int) -> FileResponse:
    return serve_voucher(_top_up(request, pk))


urlpatterns = [
    path("account/", account, name="portal-account"),
    path("account/top-up/", top_up_create, name="portal-topup-create"),
    path("account/top-ups/<int:pk>/withdraw/", top_up_withdraw, name="portal-topup-withdraw"),
    path("account/top-ups/<int:pk>/voucher/", top_up_voucher, name="portal-topup-voucher"),
]
