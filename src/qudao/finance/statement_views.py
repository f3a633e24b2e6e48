"""Pages for statements of account (对账单) and their disputes, for finance and the reps."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.core.listing import Column, Filter, Listing
from qudao.finance import services
from qudao.finance.collection_forms import ResolutionForm, StatementForm
from qudao.finance.models import (
    DisputeStatus,
    Statement,
    StatementDispute,
    StatementLineKind,
    StatementStatus,
)
from qudao.finance.statements import statement_for, visible_statements
from qudao.finance.views import _member, _render_list
from qudao.parties.selectors import visible_customers
from qudao.tenancy.decorators import member_required
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

STATEMENT_COLUMNS = (
    Column("number", gettext_lazy("Number"), "number"),
    Column("customer", gettext_lazy("Customer"), "customer__name"),
    Column("period", gettext_lazy("Period"), "period_end", phone=False),
    Column("closing", gettext_lazy("Closing balance"), "closing_balance", numeric=True),
    Column("status", gettext_lazy("Status"), "status"),
    Column("issued", gettext_lazy("Issued at"), "issued_at", phone=False),
)


@member_required(Perm.VIEW_FINANCE)
def statement_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=visible_statements(_member(request)),
        columns=STATEMENT_COLUMNS,
        search_fields=("number", "customer__name", "customer__code"),
        filters=(Filter("status", gettext_lazy("Status"), "status", StatementStatus.choices),),
        default_sort="-issued_at",
    )
    return _render_list(
        request,
        listing,
        "finance/statement_list.html",
        row_template="finance/_statement_row.html",
        search_placeholder=_("Search by number or customer"),
        can_post=can(_member(request), Perm.POST_FINANCE),
        open_disputes=StatementDispute.objects.filter(
            status=DisputeStatus.OPEN, statement__in=visible_statements(_member(request))
        ).count(),
    )


@member_required(Perm.POST_FINANCE)
def statement_create(request: HttpRequest) -> HttpResponse:
    """Choose a customer and period, see the statement as the ledger tells it, then issue it."""
    customers = visible_customers(_member(request))
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = StatementForm(data, customers=customers)
    draft = None
    if form.is_bound and form.is_valid():
        customer = customers.filter(pk=form.cleaned_data["customer"]).first()
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        if customer is None:
            form.add_error("customer", _("Choose a customer."))
        elif request.method == "POST":
            try:
                statement = services.issue_statement(
                    org=request.org,  # type: ignore[attr-defined]
                    actor=_member(request),
                    customer=customer,
                    start=start,
                    end=end,
                    note=form.cleaned_data["note"],
                )
            except BusinessRuleViolation as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(
                    request,
                    _("Statement %(number)s was issued; the customer sees it in the portal.")
                    % {"number": statement.number},
                )
                return redirect("finance-statement-detail", pk=statement.pk)
        elif start <= end:
            draft = statement_for(customer, start, end)
        else:
            form.add_error("start", _("The period must start on or before its end."))
    return render(
        request,
        "finance/statement_form.html",
        {"form": form, "draft": draft, "kind_labels": dict(StatementLineKind.choices)},
        status=400 if form.is_bound and form.errors else 200,
    )


def _statement(request: HttpRequest, pk: int) -> Statement:
    return get_object_or_404(visible_statements(_member(request)), pk=pk)


@member_required(Perm.VIEW_FINANCE)
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement(request, pk)
    disputes = list(
        statement.disputes.select_related("line", "raised_by__user", "resolved_by__user").order_by(
            "raised_at", "pk"
        )
    )
    return render(
        request,
        "finance/statement_detail.html",
        {
            "statement": statement,
            "lines": list(statement.lines.all()),
            "disputes": disputes,
            "disputed_lines": {d.line_id for d in disputes if d.status == DisputeStatus.OPEN},
            "can_post": can(_member(request), Perm.POST_FINANCE),
            "resolution_form": ResolutionForm(),
        },
    )


@member_required(Perm.VIEW_FINANCE)
def statement_print(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement(request, pk)
    return render(
        request,
        "finance/statement_print.html",
        {
            "statement": statement,
            "lines": list(statement.lines.all()),
            "organization": request.org,  # type: ignore[attr-defined]
        },
    )


DISPUTE_COLUMNS = (
    Column("raised", gettext_lazy("Raised at"), "raised_at"),
    Column("customer", gettext_lazy("Customer"), "statement__customer__name"),
    Column("statement", gettext_lazy("Statement"), "statement__number", phone=False),
    Column("line", gettext_lazy("Line"), phone=False),
    Column("comment", gettext_lazy("Comment")),
    Column("status", gettext_lazy("Status"), "status"),
)


@member_required(Perm.VIEW_FINANCE)
def dispute_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=StatementDispute.objects.filter(
            statement__in=visible_statements(_member(request))
        ).select_related("statement__customer", "line", "raised_by__user", "resolved_by__user"),
        columns=DISPUTE_COLUMNS,
        search_fields=("comment", "statement__number", "statement__customer__name"),
        filters=(Filter("status", gettext_lazy("Status"), "status", DisputeStatus.choices),),
        default_sort="status",  # "open" sorts before "resolved": what needs work comes first
    )
    return _render_list(
        request,
        listing,
        "finance/dispute_list.html",
        row_template="finance/_dispute_row.html",
        search_placeholder=_("Search by comment, statement or customer"),
        can_post=can(_member(request), Perm.POST_FINANCE),
        resolution_form=ResolutionForm(),
    )


@require_POST
@member_required(Perm.POST_FINANCE)
def dispute_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_object_or_404(
        StatementDispute.objects.filter(statement__in=visible_statements(_member(request))), pk=pk
    )
    form = ResolutionForm(request.POST)
    target = request.POST.get("next") == "list"
    try:
        if not form.is_valid():
            raise BusinessRuleViolation(
                _("Say how the dispute was resolved."), code="resolution_required"
            )
        services.resolve_dispute(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            dispute=dispute,
            resolution=form.cleaned_data["resolution"],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The dispute was resolved."))
    if target:
        return redirect("finance-dispute-list")
    return redirect("finance-statement-detail", pk=dispute.statement_id)


urlpatterns = [
    path("statements/", statement_list, name="finance-statement-list"),
    path("statements/new/", statement_create, name="finance-statement-create"),
    path("statements/<int:pk>/", statement_detail, name="finance-statement-detail"),
    path("statements/<int:pk>/print/", statement_print, name="finance-statement-print"),
    path("statements/disputes/", dispute_list, name="finance-dispute-list"),
    path("statements/disputes/<int:pk>/resolve/", dispute_resolve, name="finance-dispute-resolve"),
]
