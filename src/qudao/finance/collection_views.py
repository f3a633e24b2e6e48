"""The collection workbench (回款工作台): what is due and overdue, promises to pay, and one
click to log a call."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.finance import services
from qudao.finance.collection_forms import LogCallForm
from qudao.finance.views import _member
from qudao.finance.workbench import workbench
from qudao.parties.selectors import visible_customers
from qudao.tenancy.decorators import member_required
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm, Role


def _rep_choice(request: HttpRequest, member: Membership) -> tuple[list[Membership], int | None]:
    """The reps to filter by (for those who see every customer) and the one chosen."""
    if not can(member, Perm.VIEW_ALL_CUSTOMERS):
        return [], None
    reps = list(
        Membership.objects.filter(org=member.org, role=Role.SALES_REP, is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    raw = request.GET.get("rep", "")
    chosen = int(raw) if raw.isdigit() and int(raw) in {rep.pk for rep in reps} else None
    return reps, chosen


@member_required(Perm.VIEW_FINANCE)
def collection_workbench(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    reps, rep_id = _rep_choice(request, member)
    return render(
        request,
        "finance/collection_workbench.html",
        {
            "bench": workbench(member, today=timezone.localdate(), rep_id=rep_id),
            "reps": reps,
            "rep_id": rep_id,
            "can_log": can(member, Perm.WORK_COLLECTIONS),
            "call_form": LogCallForm(),
            "here": request.get_full_path(),
        },
    )


@require_POST
@member_required(Perm.WORK_COLLECTIONS)
def log_call(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = LogCallForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("finance-collection-workbench")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(back or "finance-collection-workbench")
    customer = get_object_or_404(visible_customers(member), pk=form.cleaned_data["customer"])
    promise = None
    if form.cleaned_data["promised_on"] is not None:
        promise = services.PromiseData(
            promised_on=form.cleaned_data["promised_on"],
            amount=form.cleaned_data["amount"],
            promised_by=form.cleaned_data["promised_by"],
        )
    try:
        services.log_call(
            org=request.org,  # type: ignore[attr-defined]
            actor=member,
            customer=customer,
            note=form.cleaned_data["note"],
            promise=promise,
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, _("The call with %(customer)s was logged.") % {"customer": customer.name}
        )
    return redirect(back or "finance-collection-workbench")


urlpatterns = [
    path("collections/", collection_workbench, name="finance-collection-workbench"),
    path("collections/calls/", log_call, name="finance-collection-log-call"),
]
