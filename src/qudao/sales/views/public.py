"""The link a customer gets for an order a rep entered on its behalf (代客下单).

The link's key is the credential: it names the organization and 32 random characters, shows
only that order (no prices of other customers, no costs) and offers one act, confirming it.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from qudao.core.errors import BusinessRuleViolation
from qudao.sales.models import SalesOrder
from qudao.sales.services import confirm_by_customer
from qudao.tenancy.models import Organization
from qudao.tenancy.scoping import org_scope


@require_http_methods(["GET", "POST"])
def customer_confirm(request: HttpRequest, token: str) -> HttpResponse:
    org_id, _sep, _secret = token.partition("-")
    organization = Organization.objects.filter(pk=int(org_id) if org_id.isdigit() else 0).first()
    if organization is None:
        raise Http404
    with org_scope(organization):
        order = SalesOrder.objects.filter(customer_token=token).select_related("customer").first()
        if order is None:
            raise Http404
        error = ""
        if request.method == "POST":
            try:
                order = confirm_by_customer(org=organization, order=order)
            except BusinessRuleViolation as refusal:
                error = refusal.message
        return render(
            request,
            "sales/customer_confirm.html",
            {
                "order": order,
                "organization": organization,
                "lines": list(order.lines.order_by("position")),
                "error": error,
            },
        )
