"""The 暂估入库 page: goods received and not (fully) invoiced, for finance to chase the invoices.

Amounts are costs: reading needs VIEW_COSTS (boss, finance).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qudao.core.money import ZERO
from qudao.purchasing import access
from qudao.purchasing.payables.accruals import GRNI, open_value, received_not_invoiced
from qudao.tenancy.decorators import member_required


@member_required(access.SEE_COSTS)
def received_not_invoiced_list(request: HttpRequest) -> HttpResponse:
    receipts = list(received_not_invoiced()[:1000])
    for receipt in receipts:
        receipt.open = open_value(receipt)  # type: ignore[attr-defined]
    total = sum((r.open for r in receipts), ZERO)  # type: ignore[attr-defined]
    return render(
        request,
        "purchasing/payables/received_not_invoiced.html",
        {
            "receipts": receipts,
            "total": total,
            "account_code": GRNI,
        },
    )
