"""Test data for the prepayment and rebate accounts, through the real services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qudao.finance import services
from qudao.finance.models import PrepaymentTopUp, RebateEntry
from qudao.parties.models import Party
from qudao.tenancy.models import Membership, Organization

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def voucher(content: bytes = PNG, name: str = "转账截图.png") -> SimpleUploadedFile:
    """A small file that passes for a PNG screenshot of a transfer; vary `content` to make
    another one."""
    return SimpleUploadedFile(name, content, content_type="image/png")


def top_up_data(customer: Party, amount: str = "500.00", **fields: object) -> services.TopUpData:
    values: dict[str, object] = {
        "customer_id": customer.pk,
        "amount": Decimal(amount),
        "date": timezone.localdate(),
        "method": "bank_transfer",
    }
    values.update(fields)
    return services.TopUpData(**values)  # type: ignore[arg-type]


def requested(
    *, org: Organization, shop: Membership, amount: str = "500.00", **fields: object
) -> PrepaymentTopUp:
    """A pending top-up the retailer `shop` sent with a voucher."""
    content = fields.pop("content", PNG + amount.encode())
    top_up, _created = services.request_top_up(
        org=org,
        actor=shop,
        data=top_up_data(shop.party, amount, **fields),  # type: ignore[arg-type]
        voucher=voucher(content),  # type: ignore[arg-type]
    )
    return top_up


def topped_up(
    *,
    org: Organization,
    actor: Membership,
    customer: Party,
    amount: str = "500.00",
    **fields: object,
) -> PrepaymentTopUp:
    """A top-up staff recorded for the customer (its payment is posted)."""
    top_up, _created = services.record_top_up(
        org=org, actor=actor, data=top_up_data(customer, amount, **fields)
    )
    return top_up


def granted(
    *,
    org: Organization,
    actor: Membership,
    customer: Party,
    amount: str = "100.00",
    date: datetime.date | None = None,
) -> RebateEntry:
    return services.grant_rebate(
        org=org,
        actor=actor,
        data=services.RebateGrantData(
            customer_id=customer.pk,
            amount=Decimal(amount),
            date=date or timezone.localdate(),
            source="manufacturer",
            reason="厂家季度返利",
            reference="华岚 2026Q1",
        ),
    )
