"""Cross-context reports. The cash squeeze shows costs and stock values: boss and finance only
(VIEW_COSTS)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.analytics.cash import PERIODS, CashSqueeze, cash_squeeze
from qudao.catalog.exports import Cell, xlsx_response
from qudao.tenancy.decorators import member_required
from qudao.tenancy.roles import Perm

DEFAULT_PERIOD = 90


def _period(request: HttpRequest) -> int:
    raw = request.GET.get("days", "")
    return int(raw) if raw.isdigit() and int(raw) in PERIODS else DEFAULT_PERIOD


def _chart(report: CashSqueeze) -> dict[str, Any]:
    """Plain numbers (as strings of fen-exact decimals) for the ECharts chart."""
    return {
        "weeks": [f"{w.start:%m-%d}" for w in report.weeks],
        "cash_in": [str(w.cash_in) for w in report.weeks],
        "cash_out": [str(-w.cash_out) for w in report.weeks],
        "cumulative": [str(w.cumulative) for w in report.weeks],
        "labels": {
            "cash_in": _("Cash in"),
            "cash_out": _("Cash out"),
            "cumulative": _("Cumulative gap"),
        },
    }


@member_required(Perm.VIEW_COSTS)
def cash_squeeze_page(request: HttpRequest) -> HttpResponse:
    days = _period(request)
    report = cash_squeeze(today=timezone.localdate(), days=days)
    return render(
        request,
        "analytics/cash_squeeze.html",
        {
            "report": report,
            "r": report.ratios,
            "periods": PERIODS,
            "days": days,
            "chart": _chart(report),
        },
    )


@member_required(Perm.VIEW_COSTS)
def cash_squeeze_export(request: HttpRequest) -> HttpResponse:
    """The ratios with their figures, then the 13 weeks, as one .xlsx sheet."""
    days = _period(request)
    report = cash_squeeze(today=timezone.localdate(), days=days)
    r = report.ratios
    blank: list[Cell] = []
    rows: list[list[Cell]] = [
        [_("Period"), r.first, r.end],
        [_("Days sales outstanding (DSO)"), r.dso],
        [_("Days inventory outstanding (DIO)"), r.dio],
        [_("Days payables outstanding (DPO)"), r.dpo],
        [_("Cash conversion cycle (CCC)"), r.ccc],
        [_("Receivables, opening / closing / average"), *_balance(r.receivables)],
        [_("Prepayments held, opening / closing / average"), *_balance(r.prepayments_held)],
        [_("Sales"), r.sales],
        [_("Inventory value, opening / closing / average"), *_balance(r.inventory)],
        [_("Cost of goods sold"), r.cost_of_goods_sold],
        [_("Payables, opening / closing / average"), *_balance(r.payables)],
        [_("Purchases"), r.purchases],
        [_("Prepayments to manufacturers"), report.tied_up.prepayments_to_suppliers],
        [_("Credit extended to customers"), report.tied_up.credit_extended],
        [_("Cash and bank today"), report.cash_on_hand],
        blank,
        [
            _("Week from"),
            _("Week to"),
            _("Customer invoices (expected)"),
            _("Bills receivable maturing"),
            _("Supplier invoices due"),
            _("Prepayments requested"),
            _("Our bills maturing"),
            _("Net"),
            _("Cumulative gap"),
        ],
    ]
    rows += [
        [
            w.start,
            w.end,
            w.from_customers,
            w.from_bills,
            w.to_supplier_invoices,
            w.to_prepayments,
            w.to_bills,
            w.net,
            w.cumulative,
        ]
        for w in report.weeks
    ]
    return xlsx_response(
        filename=f"cash-squeeze-{days}d",
        title=_("Cash squeeze"),
        headers=[_("Figure"), _("Amount or days")],
        rows=rows,
    )


def _balance(balance: Any) -> list[Decimal]:
    return [balance.opening, balance.closing, balance.average]
