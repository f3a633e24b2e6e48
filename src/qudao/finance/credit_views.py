"""Credit pages: each customer's policy and the credit check explained, group defaults,
temporary raises and overrides. Everyone with VIEW_FINANCE reads (a sales rep: their own
customers); only MANAGE_CREDIT changes anything."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.finance import balances, credit, services
from qudao.finance.credit_forms import (
    CheckForm,
    GroupPolicyForm,
    OverrideForm,
    PolicyForm,
    RaiseForm,
)
from qudao.finance.models import CreditGroupPolicy, TemporaryCreditRaise
from qudao.finance.services.rebates import rebate_share_of
from qudao.parties.models import Party
from qudao.parties.selectors import visible_customers
from qudao.tenancy.decorators import member_required
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

LIST_LIMIT = 500


def _member(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _visible(request: HttpRequest, pk: int) -> Party:
    return get_object_or_404(visible_customers(_member(request)), pk=pk)


def _percent(share: Decimal) -> str:
    """A share as a person reads it in percent: 0.1250 → "12.5"."""
    return f"{(share * 100).normalize():f}"


def _refused(request: HttpRequest, refusal: BusinessRuleViolation) -> None:
    messages.error(request, refusal.message)


@member_required(Perm.VIEW_FINANCE)
def credit_list(request: HttpRequest) -> HttpResponse:
    customers = list(visible_customers(_member(request)).order_by("code")[:LIST_LIMIT])
    policies = credit.policies_of(customers)
    rows = [(customer, policies[customer.pk]) for customer in customers]
    return render(request, "finance/credit_list.html", {"rows": rows})


@member_required(Perm.VIEW_FINANCE)
def credit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's policy, exposure part by part, the suggested limit and, for an amount
    typed in, whether such an order would pass and why."""
    org = request.org  # type: ignore[attr-defined]
    customer = _visible(request, pk)
    status = credit.credit_status(customer)
    check_form = CheckForm(request.GET or None)
    check = (
        credit.can_confirm(customer=customer, amount=check_form.cleaned_data["amount"])
        if request.GET and check_form.is_valid()
        else None
    )
    return render(
        request,
        "finance/credit_detail.html",
        {
            "customer": customer,
            "status": status,
            "decision": status.decision,
            "check_form": check_form,
            "check": check,
            "can_manage_credit": can(_member(request), Perm.MANAGE_CREDIT),
            "policy_form": PolicyForm(initial=PolicyForm.initial_from(status.policy)),
            "rebate_share": _percent(rebate_share_of(org, customer)),
            "rebate_share_from_policy": status.policy.rebate_max_share is not None,
            "raise_form": RaiseForm(),
            "override_form": OverrideForm(),
        },
    )


@require_POST
@member_required(Perm.MANAGE_CREDIT)
def credit_policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _visible(request, pk)
    form = PolicyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the credit policy and try again."))
        return redirect("finance-credit-detail", pk=customer.pk)
    try:
        services.set_credit_policy(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            customer=customer,
            data=form.policy(),
        )
    except BusinessRuleViolation as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, _("Saved."))
    return redirect("finance-credit-detail", pk=customer.pk)


@require_POST
@member_required(Perm.MANAGE_CREDIT)
def credit_follow_group(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _visible(request, pk)
    services.follow_group_policy(
        org=request.org,  # type: ignore[attr-defined]
        actor=_member(request),
        customer=customer,
    )
    messages.success(request, _("The customer now follows its group's default policy."))
    return redirect("finance-credit-detail", pk=customer.pk)


@require_POST
@member_required(Perm.MANAGE_CREDIT)
def credit_raise_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _visible(request, pk)
    form = RaiseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter an amount, the start and expiry dates and a reason."))
        return redirect("finance-credit-detail", pk=customer.pk)
    try:
        services.grant_temporary_raise(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            customer=customer,
            **form.cleaned_data,
        )
    except BusinessRuleViolation as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, _("Temporary raise granted."))
    return redirect("finance-credit-detail", pk=customer.pk)


@require_POST
@member_required(Perm.MANAGE_CREDIT)
def credit_raise_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    granted = get_object_or_404(
        TemporaryCreditRaise.objects.filter(customer__in=visible_customers(_member(request))),
        pk=pk,
    )
    services.revoke_temporary_raise(
        org=request.org,  # type: ignore[attr-defined]
        actor=_member(request),
        credit_raise=granted,
    )
    messages.success(request, _("Temporary raise revoked."))
    return redirect("finance-credit-detail", pk=granted.customer_id)


@require_POST
@member_required(Perm.MANAGE_CREDIT)
def credit_override(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _visible(request, pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the order amount, its reference and a reason."))
        return redirect("finance-credit-detail", pk=customer.pk)
    try:
        services.override_credit(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            customer=customer,
            **form.cleaned_data,
        )
    except BusinessRuleViolation as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, _("Credit reserved by override."))
    return redirect("finance-credit-detail", pk=customer.pk)


@member_required(Perm.VIEW_FINANCE)
def credit_groups(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    groups = [
        (
            group,
            credit.group_label(group.tier, group.customer_type),
            None if group.rebate_max_share is None else _percent(group.rebate_max_share),
        )
        for group in CreditGroupPolicy.objects.all()
    ]
    return render(
        request,
        "finance/credit_groups.html",
        {
            "groups": groups,
            "organization_share": _percent(balances.account_settings(org).rebate_max_share),
            "form": GroupPolicyForm(),
            "can_manage_credit": can(_member(request), Perm.MANAGE_CREDIT),
        },
    )


@require_POST
@member_required(Perm.MANAGE_CREDIT)
def credit_group_save(request: HttpRequest) -> HttpResponse:
    form = GroupPolicyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the credit policy and try again."))
        return redirect("finance-credit-groups")
    try:
        services.set_group_policy(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            tier=form.cleaned_data["tier"],
            customer_type=form.cleaned_data["customer_type"],
            data=form.policy(),
        )
    except BusinessRuleViolation as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, _("Saved."))
    return redirect("finance-credit-groups")


urlpatterns = [
    path("credit/", credit_list, name="finance-credit-list"),
    path("credit/groups/", credit_groups, name="finance-credit-groups"),
    path("credit/groups/save/", credit_group_save, name="finance-credit-group-save"),
    path("credit/<int:pk>/", credit_detail, name="finance-credit-detail"),
    path("credit/<int:pk>/policy/", credit_policy_edit, name="finance-credit-policy"),
    path("credit/<int:pk>/follow-group/", credit_follow_group, name="finance-credit-follow-group"),
    path("credit/<int:pk>/raises/", credit_raise_create, name="finance-credit-raise"),
    path("credit/<int:pk>/override/", credit_override, name="finance-credit-override"),
    path("credit/raises/<int:pk>/revoke/", credit_raise_revoke, name="finance-credit-raise-revoke"),
]
