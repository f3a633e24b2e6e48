"""The retailer's consignment pages: our goods at its store and its sell-through reports,
entered in a form or uploaded as a spreadsheet. Everything is scoped to the member's own party
and shows quantities only, never costs."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import show_refusal
from qudao.parties.models import Party
from qudao.sales.forms_returns import SellThroughForm, UploadForm
from qudao.sales.models_returns import ReportSource, SellThroughReport
from qudao.sales.selectors_consignment import consignment_stock
from qudao.sales.sellthrough_file import read_sell_through
from qudao.sales.services.consignment import ReportData, report_sell_through
from qudao.tenancy.decorators import member_required
from qudao.tenancy.models import Membership
from qudao.tenancy.roles import Perm


def _member(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _party(request: HttpRequest) -> Party:
    party = Party.objects.filter(pk=_member(request).party_id).first()
    if party is None:
        raise Http404
    return party


@member_required(Perm.USE_RETAILER_PORTAL)
def consignment_home(request: HttpRequest) -> HttpResponse:
    party = _party(request)
    reports = (
        SellThroughReport.objects.filter(customer=party)
        .select_related("settlement")
        .prefetch_related("lines__product")
        .order_by("-pk")[:20]
    )
    return render(
        request,
        "portal/consignment/home.html",
        {"party": party, "rows": consignment_stock(party), "reports": reports},
    )


def _save(request: HttpRequest, form: forms.Form, data: ReportData, party: Party) -> bool:
    try:
        report_sell_through(org=request.org, actor=_member(request), customer=party, data=data)  # type: ignore[attr-defined]
    except BusinessRuleViolation as refusal:
        show_refusal(form, refusal)
        return False
    messages.success(request, _("Thank you: your sales report is saved."))
    return True


def _page(request: HttpRequest, form: forms.Form, title: str) -> HttpResponse:
    return render(
        request,
        "portal/consignment/form.html",
        {"form": form, "title": title, "back_url": reverse("portal-consignment")},
    )


@member_required(Perm.USE_RETAILER_PORTAL)
def consignment_report(request: HttpRequest) -> HttpResponse:
    party = _party(request)
    today = timezone.localdate()
    form = SellThroughForm(
        request.POST or None,
        rows=consignment_stock(party),
        initial={"period_start": today.replace(day=1), "period_end": today},
    )
    if request.method == "POST" and form.is_valid():
        data = ReportData(
            period_start=form.cleaned_data["period_start"],
            period_end=form.cleaned_data["period_end"],
            quantities=form.quantities(),
            source=ReportSource.PORTAL,
            note=form.cleaned_data["note"],
        )
        if _save(request, form, data, party):
            return redirect("portal-consignment")
    if not form.rows:  # nothing on consignment left to report: say so, no empty form
        return render(
            request,
            "portal/consignment/form.html",
            {
                "title": _("Report what you sold"),
                "back_url": reverse("portal-consignment"),
                "nothing_to_report": True,
            },
        )
    return _page(request, form, _("Report what you sold"))


@member_required(Perm.USE_RETAILER_PORTAL)
def consignment_upload(request: HttpRequest) -> HttpResponse:
    party = _party(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            quantities = read_sell_through(upload, name=upload.name or "")
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            data = ReportData(
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                quantities=quantities,
                source=ReportSource.UPLOAD,
                note=(upload.name or "")[:300],
            )
            if _save(request, form, data, party):
                return redirect("portal-consignment")
    return _page(request, form, _("Upload your sales"))


urlpatterns = [
    path("consignment/", consignment_home, name="portal-consignment"),
    path("consignment/report/", consignment_report, name="portal-consignment-report"),
    path("consignment/upload/", consignment_upload, name="portal-consignment-upload"),
]
