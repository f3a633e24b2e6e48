"""The demo's customer accounts: rebates granted (a manufacturer program, a year-end rebate),
prepayment top-ups sent from the portal with their vouchers (credited, rejected, and one
waiting for finance), a top-up finance recorded for a prepay customer, a refund, and orders
paying part of their total from the rebate account (one invoiced, one waiting for approval).

Everything goes through the real services, so the ledger, the balances and the integrity run
agree by construction.
"""

from __future__ import annotations

import datetime
import struct
import zlib
from collections.abc import Callable
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from qudao.catalog.models import PriceKind, PriceListItem, Product
from qudao.core.errors import BusinessRuleViolation
from qudao.finance.models import PrepaymentTopUp
from qudao.finance.services import (
    RebateGrantData,
    RefundData,
    TopUpData,
    approve_top_up,
    grant_rebate,
    issue_statement,
    record_top_up,
    refund_prepayment,
    reject_top_up,
    request_top_up,
)
from qudao.inventory.models import Warehouse
from qudao.parties.models import CustomerType, Party, PartyKind, PartyStatus
from qudao.sales.services import (
    LineInput,
    OrderData,
    approve_order,
    create_delivery,
    invoice_delivery,
    place_order,
    release_delivery,
    ship_delivery,
    submit_order,
)
from qudao.sales.services.rebates import rebate_cap, set_order_rebate
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.scoping import org_scope

ACCOUNT_STEPS = 1


def voucher_png(amount: str, seed: int) -> bytes:
    """A small PNG that looks like a phone screenshot of a transfer: a green header, the
    amount's digits as blocks, grey text lines (no imaging library needed)."""
    width, height = 180, 320
    rows = []
    digits = [int(c) for c in amount if c.isdigit()]
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            if y < 48:
                pixel = (7, 193, 96)  # the app's green header
            elif 80 <= y < 104 and 20 <= x < 20 + 14 * len(digits) and (x - 20) % 14 < 10:
                shade = 40 + 20 * digits[(x - 20) // 14] % 120
                pixel = (shade, shade, shade)
            elif y >= 140 and (y - 140) % 22 < 8 and 16 <= x < 164 - ((y // 22 + seed) % 4) * 18:
                pixel = (200, 200, 200)
            else:
                pixel = (255, 255, 255)
            row += bytes(pixel)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def _voucher(amount: str, seed: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("转账截图.png", voucher_png(amount, seed), content_type="image/png")


def _people(org: Organization) -> dict[str, Membership]:
    rows = Membership.objects.filter(org=org).select_related("user", "party")
    return {m.user.username: m for m in rows}


def _top_ups(org: Organization, people: dict[str, Membership], today: datetime.date) -> None:
    """The retailer's vouchers: one credited, one rejected, one waiting for finance."""
    shop, finance = people["demo-shop"], people["demo-finance"]
    customer_id = shop.party_id or 0
    sent = [
        ("5000.00", 9, "bank_transfer", "CMB20260301887201", "三月备货款"),
        ("4800.00", 5, "wechat", "4200002193202603058812", "微信转账"),
        ("3000.00", 1, "alipay", "2026030622001488731", "补货预存"),
    ]
    made: list[PrepaymentTopUp] = []
    for seed, (amount, days, method, reference, note) in enumerate(sent):
        top_up, _created = request_top_up(
            org=org,
            actor=shop,
            data=TopUpData(
                customer_id=customer_id,
                amount=Decimal(amount),
                date=today - datetime.timedelta(days=days),
                method=method,
                reference=reference,
                note=note,
            ),
            voucher=_voucher(amount, seed),
        )
        made.append(top_up)
    approve_top_up(org=org, actor=finance, top_up=made[0])
    reject_top_up(
        org=org,
        actor=finance,
        top_up=made[1],
        reason="到账金额为 4,500.00，与凭证不符，请核对后重新提交",
    )
    # made[2] waits in finance's queue


def _prepay_customer(
    org: Organization, people: dict[str, Membership], today: datetime.date
) -> None:
    """A prepay customer that finance tops up by hand, and pays part back."""
    customer = (
        Party.objects.filter(
            kind=PartyKind.CUSTOMER, status=PartyStatus.ACTIVE, tier="D", archived_at__isnull=True
        )
        .exclude(pk=people["demo-shop"].party_id)
        .order_by("code")
        .first()
    )
    if customer is None:
        return
    finance = people["demo-finance"]
    record_top_up(
        org=org,
        actor=finance,
        data=TopUpData(
            customer_id=customer.pk,
            amount=Decimal("8000.00"),
            date=today - datetime.timedelta(days=12),
            method="cash",
            note="门店现金预存",
        ),
    )
    refund_prepayment(
        org=org,
        actor=finance,
        data=RefundData(
            customer_id=customer.pk,
            amount=Decimal("1200.00"),
            date=today - datetime.timedelta(days=2),
            method="bank_transfer",
            reason="客户调整订货计划，退回部分预存款",
            reference="退款-工行-0317",
        ),
    )


def _rebates(org: Organization, people: dict[str, Membership], today: datetime.date) -> None:
    finance = people["demo-finance"]
    shop = people["demo-shop"].party
    grants = [
        (shop, "1500.00", 20, "manufacturer", "华岚电器 2026 Q1 进货返利", "一季度进货达标"),
    ]
    for customer in Party.objects.filter(
        kind=PartyKind.CUSTOMER,
        status=PartyStatus.ACTIVE,
        tier="A",
        customer_type__in=[CustomerType.CHAIN_STORE, CustomerType.SUB_DISTRIBUTOR],
    ).order_by("code")[:3]:
        grants.append((customer, "2600.00", 30, "year_end", "2025 年度返利", "全年回款率 98%"))
    for customer, amount, days, source, reference, reason in grants:
        if customer is None:
            continue
        grant_rebate(
            org=org,
            actor=finance,
            data=RebateGrantData(
                customer_id=customer.pk,
                amount=Decimal(amount),
                date=today - datetime.timedelta(days=days),
                source=source,
                reason=reason,
                reference=reference,
            ),
        )


def _rebate_orders(org: Organization, people: dict[str, Membership]) -> None:
    """The shop pays part of two orders from its rebate: one invoiced (the invoice shows it,
    and its prepayment balance settled the rest), one waiting for finance review."""
    shop = people["demo-shop"].party
    owner = Membership.objects.filter(pk=shop.owner_id).first()
    actor = owner if owner is not None else people["demo-boss"]
    finance, keeper = people["demo-finance"], people["demo-warehouse"]
    warehouse = Warehouse.objects.get(code="SH")
    # the dearer everyday goods (not serialized): orders of a few thousand yuan
    prices = PriceListItem.objects.filter(
        price_list__kind=PriceKind.WHOLESALE,
        price_list__customer__isnull=True,
        price_list__tier="",
        product__is_serialized=False,
        product__archived_at__isnull=True,
    ).order_by("-unit_price", "product__code")
    plain = list(
        Product.objects.filter(
            pk__in=[pk for pk in prices.values_list("product_id", flat=True)][:5]
        )
    )
    plain.sort(key=lambda p: p.code)
    for lines, ship in ((plain[:3], True), (plain[3:5], False)):
        order = place_order(
            org=org,
            actor=actor,
            data=OrderData(customer_id=shop.pk, warehouse_id=warehouse.pk),
            lines=[LineInput(p.pk, Decimal(12)) for p in lines],
            submit=False,
        )
        order.refresh_from_db()  # its totals, now that it has lines
        set_order_rebate(org=org, actor=actor, order=order, amount=rebate_cap(org, order))
        order = submit_order(org=org, actor=actor, order=order)
        if not ship:
            continue  # waits for finance review, its rebate reserved
        if order.status == "finance_review":
            order = approve_order(org=org, actor=finance, order=order)
        delivery = create_delivery(org=org, actor=keeper, order=order)
        if delivery.status == "picking":
            delivery = release_delivery(org=org, actor=keeper, delivery=delivery)
        ship_delivery(org=org, actor=keeper, delivery=delivery)
        invoice_delivery(org=org, actor=finance, delivery=delivery)


def _statement(org: Organization, people: dict[str, Membership], today: datetime.date) -> None:
    """Finance sends the retailer its statement of the last three months (对账单), which the
    retailer finds waiting to be confirmed or disputed in the portal."""
    shop = people["demo-shop"]
    start = (today.replace(day=1) - datetime.timedelta(days=62)).replace(day=1)
    issue_statement(
        org=org,
        actor=people["demo-finance"],
        customer=shop.party,
        start=start,
        end=today,
        note="请核对近三个月的往来，如有不符请在门户中标出。",
    )


def build_accounts(org: Organization, *, progress: Callable[[int, str], None]) -> None:
    """Rebates, top-ups (one waiting), a refund and orders paid partly by rebate."""
    today = timezone.localdate()
    with org_scope(org), transaction.atomic():
        people = _people(org)
        shop = people.get("demo-shop")
        if shop is not None and shop.party is not None and shop.party.kind == PartyKind.CUSTOMER:
            _rebates(org, people, today)
            _top_ups(org, people, today)
            _prepay_customer(org, people, today)
            _statement(org, people, today)
            try:
                with transaction.atomic():
                    _rebate_orders(org, people)
            except BusinessRuleViolation:
                pass  # stock or credit ran out with this seed: the accounts still show numbers
    progress(ACCOUNT_STEPS, "customer accounts")
