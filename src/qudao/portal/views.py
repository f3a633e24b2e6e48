"""The portals: what a retailer or a manufacturer user sees of their own account."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.finance import services
from qudao.finance.collection_forms import DisputeForm
from qudao.finance.models import DisputeStatus, Statement, StatementStatus
from qudao.finance.statements import visible_statements
from qudao.portal import selectors
from qudao.tenancy.decorators import member_required
from qudao.tenancy.models import Membership
from qudao.tenancy.roles import Perm


def _member(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


@member_required(Perm.USE_PORTAL)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", selectors.account_overview(_member(request)))


@member_required(Perm.USE_RETAILER_PORTAL)
def statement_list(request: HttpRequest) -> HttpResponse:
    statements = visible_statements(_member(request)).order_by("-period_end", "-pk")[:100]
    return render(request, "portal/statement_list.html", {"statements": list(statements)})


def _statement(request: HttpRequest, pk: int) -> Statement:
    return get_object_or_404(visible_statements(_member(request)), pk=pk)


@member_required(Perm.USE_RETAILER_PORTAL)
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement(request, pk)
    disputes = list(statement.disputes.select_related("line").order_by("raised_at", "pk"))
    can_answer = statement.status != StatementStatus.CONFIRMED
    return render(
        request,
        "portal/statement_detail.html",
        {
            "statement": statement,
            "lines": list(statement.lines.all()),
            "disputes": disputes,
            "disputed_lines": {d.line_id for d in disputes if d.status == DisputeStatus.OPEN},
            "can_confirm": statement.status in (StatementStatus.ISSUED, StatementStatus.RESOLVED),
            "line_actions": "portal/_dispute_button.html" if can_answer else "",
        },
    )


@member_required(Perm.USE_RETAILER_PORTAL)
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


@require_POST
@member_required(Perm.USE_RETAILER_PORTAL)
def statement_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement(request, pk)
    try:
        services.confirm_statement(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            statement=statement,
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Thank you: the statement is confirmed."))
    return redirect("portal-statement-detail", pk=statement.pk)


@require_POST
@member_required(Perm.USE_RETAILER_PORTAL)
def statement_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement(request, pk)
    form = DisputeForm(request.POST)
    try:
        if not form.is_valid():
            raise BusinessRuleViolation(
                _("Say what is wrong with this line."), code="comment_required"
            )
        services.dispute_line(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            statement=statement,
            line_id=form.cleaned_data["line"],
            comment=form.cleaned_data["comment"],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Your objection was sent to our finance team."))
    return redirect("portal-statement-detail", pk=statement.pk)


statement_urlpatterns = [
    path("statements/", statement_list, name="portal-statement-list"),
    path("statements/<int:pk>/", statement_detail, name="portal-statement-detail"),
    path("statements/<int:pk>/print/", statement_print, name="portal-statement-print"),
    path("statements/<int:pk>/confirm/", statement_confirm, name="portal-statement-confirm"),
    path("statements/<int:pk>/dispute/", statement_dispute, name="portal-statement-dispute"),
]
