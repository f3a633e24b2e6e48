"""The rebate an order uses (返利抵扣) and the customer's accounts beside the order."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.finance import balances
from qudao.finance.account_forms import OrderRebateForm
from qudao.sales import selectors
from qudao.sales.models import SalesOrder
from qudao.sales.services import rebates
from qudao.sales.views.common import actor, org
from qudao.tenancy.decorators import member_required
from qudao.tenancy.models import Membership
from qudao.tenancy.roles import Perm


def order_accounts(member: Membership, order: SalesOrder) -> dict[str, object]:
    """What the order page shows of the customer's prepayment and rebate accounts."""
    may_set = rebates.may_set_rebate(member, order)
    return {
        "accounts": balances.balances_of(order.customer),
        "rebate_cap": rebates.rebate_cap(order.org, order),
        "rebate_available": rebates.rebate_available(order) if may_set else None,
        "may_set_rebate": may_set,
        "rebate_form": OrderRebateForm(initial={"amount": order.rebate_amount}),
    }


@require_POST
@member_required(Perm.VIEW_ORDERS)
def order_rebate(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(selectors.visible_orders(actor(request)), pk=pk)
    form = OrderRebateForm(request.POST)
    try:
        if not form.is_valid():
            raise BusinessRuleViolation(
                _("Enter an amount in fen, zero or more."), code="invalid_amount"
            )
        order = rebates.set_order_rebate(
            org=org(request), actor=actor(request), order=order, amount=form.cleaned_data["amount"]
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("The customer pays %(rebate)s of this order from its rebate account.")
            % {"rebate": order.rebate_amount}
            if order.rebate_amount
            else _("This order uses no rebate."),
        )
    return redirect("sales-order-detail", pk=order.pk)
