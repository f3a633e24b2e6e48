"""Consignment pages (代销): customers holding our goods, one customer's stock there, and
sell-through reports (form or spreadsheet), settlement into an invoice, and recalls."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import show_refusal
from qudao.inventory.models import Location
from qudao.parties.models import Party
from qudao.parties.selectors import visible_customers
from qudao.sales.forms_returns import RecallForm, SellThroughForm, UploadForm
from qudao.sales.models_returns import (
    ConsignmentRecall,
    ConsignmentSettlement,
    ReportSource,
    SellThroughReport,
)
from qudao.sales.selectors_consignment import consignment_customers, consignment_stock
from qudao.sales.sellthrough_file import read_sell_through
from qudao.sales.services.consignment import (
    ReportData,
    may_report,
    recall_consignment,
    report_sell_through,
    settle_consignment,
)
from qudao.sales.views.common import actor, org
from qudao.tenancy.decorators import member_required
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm


@member_required(Perm.VIEW_ORDERS)
def consignment_list(request: HttpRequest) -> HttpResponse:
    rows = consignment_customers(visible_customers(actor(request)))
    return render(request, "sales/consignment_list.html", {"rows": rows})


def _customer(request: HttpRequest, pk: int) -> Party:
    return get_object_or_404(visible_customers(actor(request)), pk=pk)


@member_required(Perm.VIEW_ORDERS)
def consignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    member = actor(request)
    rows = consignment_stock(customer)
    return render(
        request,
        "sales/consignment_detail.html",
        {
            "customer": customer,
            "rows": rows,
            "reports": SellThroughReport.objects.filter(customer=customer)
            .select_related("created_by__user", "settlement")
            .prefetch_related("lines__product")
            .order_by("-pk")[:20],
            "settlements": ConsignmentSettlement.objects.filter(customer=customer).order_by("-pk")[
                :20
            ],
            "recalls": ConsignmentRecall.objects.filter(customer=customer)
            .select_related("location__warehouse")
            .order_by("-pk")[:20],
            "awaiting": any(row.awaiting_settlement for row in rows),
            "can_report": may_report(member, customer),
            "can_settle": can(member, Perm.POST_FINANCE),
            "can_recall": can(member, Perm.MOVE_STOCK),
        },
    )


def _report_form_page(
    request: HttpRequest, customer: Party, form: forms.Form, title: str
) -> HttpResponse:
    return render(
        request,
        "sales/form.html",
        {
            "form": form,
            "multipart": True,
            "title": title,
            "back_url": reverse("sales-consignment-detail", args=[customer.pk]),
            "submit_label": _("Save the report"),
        },
    )


@member_required(Perm.VIEW_ORDERS)
def consignment_report(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    if not may_report(actor(request), customer):
        raise PermissionDenied
    today = timezone.localdate()
    form = SellThroughForm(
        request.POST or None,
        rows=consignment_stock(customer),
        initial={"period_start": today.replace(day=1), "period_end": today},
    )
    if request.method == "POST" and form.is_valid():
        try:
            report_sell_through(
                org=org(request),
                actor=actor(request),
                customer=customer,
                data=ReportData(
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                    quantities=form.quantities(),
                    note=form.cleaned_data["note"],
                ),
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Sell-through report saved."))
            return redirect("sales-consignment-detail", pk=customer.pk)
    title = _("Sales reported by %(customer)s") % {"customer": customer.name}
    return _report_form_page(request, customer, form, title)


@member_required(Perm.VIEW_ORDERS)
def consignment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    if not may_report(actor(request), customer):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report_sell_through(
                org=org(request),
                actor=actor(request),
                customer=customer,
                data=ReportData(
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                    quantities=read_sell_through(upload, name=upload.name or ""),
                    source=ReportSource.UPLOAD,
                    note=(upload.name or "")[:300],
                ),
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Sell-through report saved."))
            return redirect("sales-consignment-detail", pk=customer.pk)
    title = _("Upload the sales of %(customer)s") % {"customer": customer.name}
    return _report_form_page(request, customer, form, title)


@require_POST
@member_required(Perm.POST_FINANCE)
def consignment_settle(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    try:
        settlement = settle_consignment(org=org(request), actor=actor(request), customer=customer)
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, _("Settled as %(number)s and invoiced.") % {"number": settlement.number}
        )
    return redirect("sales-consignment-detail", pk=customer.pk)


@member_required(Perm.MOVE_STOCK)
def consignment_recall(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    form = RecallForm(request.POST or None, rows=consignment_stock(customer))
    if request.method == "POST" and form.is_valid():
        try:
            recall = recall_consignment(
                org=org(request),
                actor=actor(request),
                customer=customer,
                location=Location.objects.get(pk=form.cleaned_data["location"]),
                quantities=form.quantities(),
                reason=form.cleaned_data["reason"],
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Recalled as %(number)s.") % {"number": recall.number})
            return redirect("sales-consignment-detail", pk=customer.pk)
    return render(
        request,
        "sales/form.html",
        {
            "form": form,
            "title": _("Recall unsold goods from %(customer)s") % {"customer": customer.name},
            "intro": _("Only goods not reported sold can come back."),
            "back_url": reverse("sales-consignment-detail", args=[customer.pk]),
            "submit_label": _("Recall"),
        },
    )
