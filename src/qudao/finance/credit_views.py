"""Credit pages: each customer's policy and the credit check explained, group defaults,
temporary raises and overrides. Everyone with VIEW_FINANCE reads (a sales rep: their own
customers); only MANAGE_CREDIT changes anything."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import show_refusal
from qudao.core.listing import Column, Filter, Listing
from qudao.finance import balances, credit, services
from qudao.finance.credit_forms import (
    NUMBERS,
    CheckForm,
    GroupPolicyForm,
    OverrideForm,
    PolicyForm,
    RaiseForm,
)
from qudao.finance.models import CreditGroupPolicy, TemporaryCreditRaise
from qudao.finance.services.rebates import rebate_share_of
from qudao.parties.models import CustomerType, Party, Tier
from qudao.parties.selectors import PartyFilters, filter_parties, visible_customers
from qudao.tenancy.decorators import member_required
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

# a new group default starts from "net 0 days, no tolerance" shown as numbers, not blanks
GROUP_INITIAL: Final = {name: "0" for name in NUMBERS}


def _member(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _visible(request: HttpRequest, pk: int) -> Party:
    return get_object_or_404(visible_customers(_member(request)), pk=pk)


def _percent(share: Decimal) -> str:
    """A share as a person reads it in percent: 0.1250 → "12.5"."""
    return f"{(share * 100).normalize():f}"


def _refused(request: HttpRequest, refusal: BusinessRuleViolation) -> None:
    messages.error(request, refusal.message)


CREDIT_COLUMNS = (
    Column("customer", gettext_lazy("Customer"), "code"),
    Column("mode", gettext_lazy("Mode")),
    Column("limit", gettext_lazy("Credit limit"), numeric=True),
    Column("term", gettext_lazy("Payment term"), phone=False),
    Column("grade", gettext_lazy("Grade"), phone=False),
    Column("source", gettext_lazy("Policy from"), phone=False),
)


@dataclass
class CreditListing(Listing[Party]):
    """Customers searched as the customer list searches them (code, names, phone, contacts)."""

    def rows(self) -> QuerySet[Party]:
        active = self.active_filters
        filters = PartyFilters(
            search=self.search, customer_type=active.get("type", ""), tier=active.get("tier", "")
        )
        return filter_parties(self.queryset, filters).order_by(*self.ordering)


@member_required(Perm.VIEW_FINANCE)
def credit_list(request: HttpRequest) -> HttpResponse:
    """The customers a page at a time, each with the policy in force (read for the page only)."""
    listing = CreditListing(
        request=request,
        queryset=visible_customers(_member(request)),
        columns=CREDIT_COLUMNS,
        filters=(
            Filter("type", gettext_lazy("Type"), "customer_type", CustomerType.choices),
            Filter("tier", gettext_lazy("Tier"), "tier", Tier.choices),
        ),
        default_sort="code",
    )
    context = listing.context()
    customers = list(context["page"].object_list)  # type: ignore[attr-defined]
    policies = credit.policies_of(customers)
    context["rows"] = [(customer, policies[customer.pk]) for customer in customers]
    template = "shell/_list.html" if request.htmx else "finance/credit_list.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        context
        | {
            "list_url": request.path,
            "row_template": "finance/_credit_row.html",
            "search_placeholder": _("Search by code, name, phone or contact"),
        },
    )


@member_required(Perm.VIEW_FINANCE)
def credit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's policy, exposure part by part, the suggested limit and, for an amount
    typed in, whether such an order would pass and why."""
    return _detail_page(request, _visible(request, pk))


def _detail_page(
    request: HttpRequest, customer: Party, policy_form: PolicyForm | None = None
) -> HttpResponse:
    """The credit page; `policy_form`: a policy entered and refused, shown with its errors
    on its fields and the input kept."""
    org = request.org  # type: ignore[attr-defined]
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
            "policy_form": policy_form
            or PolicyForm(initial=PolicyForm.initial_from(status.policy)),
            "rebate_share": _percent(rebate_share_of(org, customer)),
            "rebate_share_from_policy": status.policy.rebate_max_share is not None,
            "raise_form": RaiseForm(),
            "override_form": OverrideForm(),
        },
        status=200 if policy_form is None else 422,
    )


@require_POST
@member_required(Perm.MANAGE_CREDIT)
def credit_policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _visible(request, pk)
    form = PolicyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the credit policy and try again."))
        return _detail_page(request, customer, policy_form=form)
    try:
        services.set_credit_policy(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            customer=customer,
            data=form.policy(),
        )
    except BusinessRuleViolation as refusal:
        show_refusal(form, refusal)
        return _detail_page(request, customer, policy_form=form)
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
    return _groups_page(request)


def _groups_page(request: HttpRequest, form: GroupPolicyForm | None = None) -> HttpResponse:
    """The group defaults; `form`: a group policy entered and refused, shown with its errors."""
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
            "form": form or GroupPolicyForm(initial=GROUP_INITIAL),
            "can_manage_credit": can(_member(request), Perm.MANAGE_CREDIT),
        },
        status=200 if form is None else 422,
    )


@require_POST
@member_required(Perm.MANAGE_CREDIT)
def credit_group_save(request: HttpRequest) -> HttpResponse:
    form = GroupPolicyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the credit policy and try again."))
        return _groups_page(request, form)
    try:
        services.set_group_policy(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            tier=form.cleaned_data["tier"],
            customer_type=form.cleaned_data["customer_type"],
            data=form.policy(),
        )
    except BusinessRuleViolation as refusal:
        show_refusal(form, refusal)
        return _groups_page(request, form)
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
