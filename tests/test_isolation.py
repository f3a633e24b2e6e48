"""No page and no API endpoint shows another organization's rows.

Organization B gets one row of every kind, each named with a marker. A boss of organization A
then opens every page and every GET endpoint — lists, and every detail URL tried with each of
B's ids — and the marker must never appear; B's ids are 404 (or refused), never 200.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from qudao.api.urls import api
from qudao.catalog.models import Brand, Category, PriceList, PriceListItem, Product
from qudao.inventory.models import Location, ReorderRule, StockCount, Transfer, Warehouse
from qudao.parties.models import Contact, Party, Territory
from qudao.purchasing.models import SupplierInvoice, SupplierPayment
from qudao.sales.models import DeliveryNote, SalesOrder, SalesOrderLine
from qudao.sales.models_returns import (
    ConsignmentRecall,
    ConsignmentSettlement,
    DamageClaim,
    SalesReturn,
    SellThroughReport,
)
from qudao.tenancy.models import ApiToken
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.services import issue_api_token, record_event
from qudao.tenancy.tests.factories import MembershipFactory

from .test_architecture import walk

MARK = "泄露标记LEAK"


@pytest.fixture
def foreign_ids(other_org):
    """One row of each kind in organization B, all carrying the marker; returns their ids."""
    with org_scope(other_org):
        # ids far above anything organization A has, so a 200 can only mean a leak
        boss = MembershipFactory(id=900001, org=other_org, role=Role.BOSS, user__display_name=MARK)
        territory = Territory.objects.create(
            id=900002, org=other_org, code="LEAK", name=MARK, path="LEAK"
        )
        supplier = Party.objects.create(
            id=900003, org=other_org, kind="supplier", code="LEAKS", name=MARK, phone="13900000000"
        )
        customer = Party.objects.create(
            id=900004,
            org=other_org,
            kind="customer",
            customer_type="retailer",
            code="LEAKC",
            name=MARK,
            territory=territory,
        )
        contact = Contact.objects.create(id=900005, org=other_org, party=customer, name=MARK)
        brand = Brand.objects.create(
            id=900006, org=other_org, supplier=supplier, code="LEAKB", name=MARK
        )
        category = Category.objects.create(
            id=900007, org=other_org, code="LEAKK", name=MARK, path="LEAKK/"
        )
        product = Product.objects.create(
            id=900008,
            org=other_org,
            code="LEAKP",
            name=MARK,
            brand=brand,
            category=category,
            base_unit="瓶",
            pinyin="XL",
        )
        price_list = PriceList.objects.create(
            id=900009, org=other_org, kind="wholesale", name=MARK, valid_from=date(2026, 1, 1)
        )
        item = PriceListItem.objects.create(
            id=900010,
            org=other_org,
            price_list=price_list,
            product=product,
            unit_price=Decimal("9.9900"),
            valid_from=date(2026, 1, 1),
        )
        token = ApiToken.objects.create(
            id=900011, org=other_org, membership=boss, name=MARK, prefix="qd_leak", key_hash="leak"
        )
        warehouse = Warehouse.objects.create(id=900012, org=other_org, code="LEAKW", name=MARK)
        location = Location.objects.create(
            id=900013, org=other_org, warehouse=warehouse, code="LEAKL", name=MARK, kind="internal"
        )
        other = Location.objects.create(
            id=900014, org=other_org, warehouse=warehouse, code="LEAKL2", name=MARK, kind="internal"
        )
        transfer = Transfer.objects.create(
            id=900015,
            org=other_org,
            from_location=location,
            to_location=other,
            note=MARK,
            created_by=boss,
        )
        count = StockCount.objects.create(
            id=900016, org=other_org, location=location, reason=MARK, created_by=boss
        )
        rule = ReorderRule.objects.create(
            id=900017, org=other_org, product=product, lead_time_days=7, note=MARK
        )
        sales_order = SalesOrder.objects.create(
            id=900101,
            org=other_org,
            number="LEAK-SO",
            status="confirmed",
            customer=customer,
            customer_name=MARK,
            warehouse=warehouse,
            note=MARK,
            created_by=boss,
        )
        SalesOrderLine.objects.create(
            id=900102,
            org=other_org,
            order=sales_order,
            product=product,
            product_name=MARK,
            unit="瓶",
            unit_quantity=Decimal(1),
            quantity=Decimal(1),
            unit_price=Decimal(1),
        )
        delivery = DeliveryNote.objects.create(
            id=900103,
            org=other_org,
            number="LEAK-DN",
            order=sales_order,
            customer=customer,
            ship_to=MARK,
            created_by=boss,
        )
        supplier_invoice = SupplierInvoice.objects.create(
            id=900201,
            org=other_org,
            supplier=supplier,
            supplier_reference=MARK,
            memo=MARK,
            date=date(2026, 1, 1),
            total=Decimal("9.99"),
            created_by=boss,
        )
        supplier_payment = SupplierPayment.objects.create(
            id=900202,
            org=other_org,
            number="SP-LEAK",
            supplier=supplier,
            date=date(2026, 1, 1),
            amount=Decimal("9.99"),
            method="cash",
            memo=MARK,
            posted_at=timezone.now(),
            posted_by=boss,
        )
        sales_return = SalesReturn.objects.create(
            id=900211,
            org=other_org,
            number="LEAK-RT",
            delivery=delivery,
            customer=customer,
            reason=MARK,
            created_by=boss,
        )
        claim = DamageClaim.objects.create(
            id=900212,
            org=other_org,
            number="LEAK-DC",
            delivery=delivery,
            customer=customer,
            bearer="carrier",
            status="open",
            description=MARK,
            carrier=MARK,
            created_by=boss,
        )
        report = SellThroughReport.objects.create(
            id=900213,
            org=other_org,
            customer=customer,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 1, 31),
            source="staff",
            note=MARK,
            created_by=boss,
        )
        settlement = ConsignmentSettlement.objects.create(
            id=900214,
            org=other_org,
            number="LEAK-CS",
            customer=customer,
            invoice_id=900214,
            created_by=boss,
        )
        recall = ConsignmentRecall.objects.create(
            id=900215,
            org=other_org,
            number="LEAK-CR",
            customer=customer,
            location=location,
            reason=MARK,
            created_by=boss,
        )
        record_event(org=other_org, actor=boss, subject=customer, verb="created", reason=MARK)
    ids = [
        boss.pk,
        supplier_invoice.pk,
        supplier_payment.pk,
        territory.pk,
        supplier.pk,
        customer.pk,
        contact.pk,
        brand.pk,
        category.pk,
        product.pk,
        price_list.pk,
        item.pk,
        token.pk,
        warehouse.pk,
        location.pk,
        transfer.pk,
        count.pk,
        rule.pk,
        sales_order.pk,
        delivery.pk,
        sales_return.pk,
        claim.pk,
        report.pk,
        settlement.pk,
        recall.pk,
    ]
    return ids


def body_text(response) -> str:
    """The text a response shows: HTML or JSON as is, an .xlsx export unzipped."""
    if not getattr(response, "streaming", False):
        return response.content.decode(errors="replace")
    payload = b"".join(response.streaming_content)
    if payload[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(payload)) as workbook:
            return "".join(workbook.read(n).decode(errors="replace") for n in workbook.namelist())
    return payload.decode(errors="replace")


def pages_with_one_int_argument():
    for pattern in walk(get_resolver().url_patterns):
        converters = getattr(pattern.pattern, "converters", {})
        if (
            len(converters) == 1
            and type(next(iter(converters.values()))).__name__ == "IntConverter"
        ):
            yield pattern.name, next(iter(converters))


def pages_without_arguments():
    for pattern in walk(get_resolver().url_patterns):
        if not getattr(pattern.pattern, "converters", {}) and pattern.name not in {
            "logout",
            "set_language",
            "javascript-catalog",
        }:
            yield pattern.name


def test_no_page_shows_another_organizations_rows(org, boss, login, foreign_ids):
    client = login(boss)
    leaks = []
    for name in pages_without_arguments():
        response = client.get(reverse(name))
        if MARK in body_text(response):
            leaks.append(name)
    for name, argument in pages_with_one_int_argument():
        for foreign_id in foreign_ids:
            response = client.get(reverse(name, kwargs={argument: foreign_id}))
            if MARK in body_text(response) or response.status_code == 200:
                leaks.append(f"{name}({foreign_id}) → {response.status_code}")
    assert leaks == []


def test_no_api_endpoint_shows_another_organizations_rows(client, org, boss, foreign_ids):
    _token, raw = issue_api_token(org=org, actor=boss, name="isolation")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    leaks = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        if "get" not in methods:
            continue
        placeholders = [part for part in path.split("/") if part.startswith("{")]
        candidates = (
            [path]
            if not placeholders
            else [path.replace(placeholders[0], str(foreign_id)) for foreign_id in foreign_ids]
            if len(placeholders) == 1
            else []
        )
        for concrete in candidates:
            response = client.get(concrete, **headers)
            if MARK in body_text(response) or (placeholders and response.status_code == 200):
                leaks.append(f"{concrete} → {response.status_code}")
    assert leaks == []
