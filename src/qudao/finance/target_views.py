"""Collection targets (回款目标): actual against target for a month, quarter or year, the
collection rate of each rep, and setting targets."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.finance import services
from qudao.finance.collection_forms import TargetForm
from qudao.finance.models import PeriodKind
from qudao.finance.targets import target_report
from qudao.finance.views import _member
from qudao.parties.models import Party, PartyKind
from qudao.tenancy.decorators import member_required
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm, Role


def _reps(member: Membership) -> list[Membership]:
    return list(
        Membership.objects.filter(org=member.org, role=Role.SALES_REP, is_active=True)
        .select_related("user")
        .order_by("user__username")
    )


def _form(member: Membership, data: object = None, **kwargs: object) -> TargetForm:
    return TargetForm(
        data,
        suppliers=Party.objects.filter(kind=PartyKind.SUPPLIER, archived_at__isnull=True).order_by(
            "name"
        ),
        reps=_reps(member),
        **kwargs,
    )


@member_required(Perm.VIEW_FINANCE)
def target_page(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    today = timezone.localdate()
    period_kind = request.GET.get("period") or PeriodKind.MONTH
    error = ""
    if period_kind not in PeriodKind.values:
        period_kind, error = PeriodKind.MONTH, _("Choose a month, quarter or year.")
    try:
        raw = request.GET.get("day", "").strip()
        day = datetime.date.fromisoformat(raw) if raw else today
    except ValueError:
        day, error = today, _("Invalid date.")
    report = target_report(member, period_kind=period_kind, day=day, today=today)
    return render(
        request,
        "finance/collection_targets.html",
        {
            "report": report,
            "periods": PeriodKind.choices,
            "error": error,
            "can_manage": can(member, Perm.MANAGE_CREDIT),
            "form": _form(member, initial={"period_kind": period_kind, "day": report.start}),
        },
        status=400 if error else 200,
    )


@require_POST
@member_required(Perm.MANAGE_CREDIT)
def target_set(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = _form(member, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("finance-collection-targets")
    data = form.cleaned_data
    supplier = (
        Party.objects.filter(pk=data["supplier"], kind=PartyKind.SUPPLIER).first()
        if data["supplier"]
        else None
    )
    rep = next((r for r in _reps(member) if r.pk == data["rep"]), None)
    try:
        services.set_collection_target(
            org=request.org,  # type: ignore[attr-defined]
            actor=member,
            period_kind=data["period_kind"],
            day=data["day"],
            amount=data["amount"],
            supplier=supplier,
            rep=rep,
            note=data["note"],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The target was saved."))
    query = f"?period={data['period_kind']}&day={data['day']:%Y-%m-%d}"
    return redirect(reverse("finance-collection-targets") + query)


urlpatterns = [
    path("collections/targets/", target_page, name="finance-collection-targets"),
    path("collections/targets/set/", target_set, name="finance-collection-target-set"),
]
