"""Payables pages: who may open them, the invoice and payment flows, the supplier's account,
the aging by supplier, what falls due, and the exports."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qudao.purchasing import services
from qudao.purchasing.payables.models import SupplierInvoice, SupplierPayment
from qudao.purchasing.tests.payables_factories import hand_invoice, supplier_payment
from qudao.tenancy.roles import Role

PAGES = (
    "purchasing-invoice-list",
    "purchasing-payment-list",
    "purchasing-payables",
    "purchasing-payables-export",
    "purchasing-invoice-export",
)


@pytest.mark.parametrize(
    ("role", "read_status", "post_status"),
    [
        (Role.BOSS, 200, 200),
        (Role.FINANCE, 200, 200),
        (Role.WAREHOUSE, 403, 403),
        (Role.SALES_REP, 403, 403),
        (Role.READONLY, 403, 403),
        (Role.RETAILER, 403, 403),
        (Role.MANUFACTURER, 403, 403),
    ],
)
def test_only_boss_and_finance_see_payables(
    member, login, supplier, role, read_status, post_status
):
    client = login(member(role))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == read_status, name
    account = reverse("purchasing-supplier-account", args=[supplier.pk])
    assert client.get(account).status_code == read_status
    assert client.get(reverse("purchasing-invoice-create")).status_code == post_status
    assert client.get(reverse("purchasing-payment-create")).status_code == post_status


def test_the_buying_menu_shows_payables_to_finance_but_not_to_the_warehouse(login, finance, keeper):
    url = reverse("purchasing-payables")
    assert url in login(finance).get(reverse("purchasing-order-list")).content.decode()
    assert url not in login(keeper).get(reverse("purchasing-order-list")).content.decode()


def test_an_invoice_is_entered_from_a_receipt_with_freight_and_posted(
    login, finance, supplier, received
):
    client = login(finance)
    create = reverse("purchasing-invoice-create")

    # the supplier is chosen first, then its unbilled receipts are offered
    page = client.get(create, {"supplier": supplier.pk}).content.decode()
    assert received.number in page

    response = client.post(
        f"{create}?supplier={supplier.pk}",
        {
            "date": timezone.localdate().isoformat(),
            "supplier_reference": "XH-88",
            "fapiao_number": "04400012",
            "tax_rate": "0.13",
            "receipts": [received.pk],
            "extra_lines": "运费, 20",
        },
    )
    invoice = SupplierInvoice.objects.get()
    assert response.url == reverse("purchasing-invoice-detail", args=[invoice.pk])
    assert invoice.total == Decimal("361.60")  # (300 + 20) × 1.13

    detail = client.get(response.url).content.decode()
    assert "the invoice agrees with the receipts and the orders" in detail

    client.post(reverse("purchasing-invoice-post", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.fapiao_number) == ("posted", "04400012")
    page = client.get(reverse("purchasing-invoice-detail", args=[invoice.pk])).content.decode()
    assert "¥361.60" in page and "1405" in page


def test_a_changed_line_shows_the_three_way_match_warning(login, boss, draft_invoice):
    client = login(boss)
    url = reverse("purchasing-invoice-detail", args=[draft_invoice.pk])
    line = draft_invoice.lines.get()

    client.post(url, {"line": line.pk, "quantity": "100", "unit_price": "2.5"})

    page = client.get(url).content.decode()
    assert "100 invoiced, but 120 received on" in page


def test_bad_freight_lines_show_a_message_and_write_nothing(login, boss, supplier):
    response = login(boss).post(
        f"{reverse('purchasing-invoice-create')}?supplier={supplier.pk}",
        {"date": timezone.localdate().isoformat(), "tax_rate": "0", "extra_lines": "运费"},
    )
    assert response.status_code == 200
    assert "write “description, amount before tax”" in response.content.decode()
    assert SupplierInvoice.objects.count() == 0


def test_a_payment_is_posted_once_even_if_the_form_is_sent_twice(
    login, finance, org, boss, supplier
):
    hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("50.00"))
    client = login(finance)
    form = {
        "supplier": supplier.pk,
        "date": timezone.localdate().isoformat(),
        "amount": "80.00",
        "method": "bank_transfer",
        "allocate": "on",
        "idempotency_key": "form-123",
    }

    first = client.post(reverse("purchasing-payment-create"), form)
    second = client.post(reverse("purchasing-payment-create"), form)

    payment = SupplierPayment.objects.get()
    assert first.url == second.url == reverse("purchasing-payment-detail", args=[payment.pk])
    assert payment.unallocated == Decimal("30.00")
    page = client.get(first.url).content.decode()
    assert "¥30.00" in page


def test_a_bill_without_maturity_is_refused_on_the_form(login, boss, supplier):
    response = login(boss).post(
        reverse("purchasing-payment-create"),
        {
            "supplier": supplier.pk,
            "date": timezone.localdate().isoformat(),
            "amount": "80.00",
            "method": "acceptance_bill",
            "bill_number": "BA-1",
        },
    )
    assert "A bank acceptance bill needs its maturity date." in response.content.decode()
    assert SupplierPayment.objects.count() == 0


def test_the_rest_of_a_payment_is_allocated_by_hand_on_its_page(login, boss, org, supplier):
    invoice = hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("50.00"))
    payment = supplier_payment(org=org, actor=boss, supplier=supplier, amount=Decimal("80.00"))
    client = login(boss)

    client.post(
        reverse("purchasing-payment-allocate", args=[payment.pk]),
        {"invoice": invoice.pk, "amount": "60.00"},
    )
    payment.refresh_from_db()
    assert payment.amount_allocated == Decimal("0.00")  # more than the invoice's 50 open

    client.post(
        reverse("purchasing-payment-allocate", args=[payment.pk]),
        {"invoice": invoice.pk, "amount": "50.00"},
    )
    payment.refresh_from_db()
    assert payment.amount_allocated == Decimal("50.00")


def test_the_supplier_account_shows_the_ledger_balance(login, boss, org, supplier):
    hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("500.00"))
    supplier_payment(org=org, actor=boss, supplier=supplier, amount=Decimal("120.00"))

    page = login(boss).get(reverse("purchasing-supplier-account", args=[supplier.pk]))

    text = page.content.decode()
    assert '<dd class="col-5" data-testid="balance">¥380.00</dd>' in text
    assert '<dd class="col-5" data-testid="unallocated">¥120.00</dd>' in text


def test_the_aging_buckets_open_invoices_by_days_overdue(login, boss, org, supplier):
    today = timezone.localdate()
    services.set_supplier_terms(
        org=org, actor=boss, supplier=supplier, payment_condition="terms", term_days=0
    )
    for days_ago, amount in (
        (0, "10.00"),
        (15, "20.00"),
        (45, "30.00"),
        (75, "40.00"),
        (200, "50.00"),
    ):
        hand_invoice(
            org=org,
            actor=boss,
            supplier=supplier,
            amount=Decimal(amount),
            date=today - datetime.timedelta(days=days_ago),
        )

    page = login(boss).get(reverse("purchasing-payables")).content.decode()

    totals = page[page.index('data-testid="aging-totals"') :]
    expected = ["¥10.00", "¥20.00", "¥30.00", "¥40.00", "¥50.00", "¥150.00"]
    positions = [totals.index(amount) for amount in expected]
    assert positions == sorted(positions)


def test_what_falls_due_in_the_next_30_days_is_listed_for_the_cash_plan(login, boss, org, supplier):
    today = timezone.localdate()
    services.set_supplier_terms(
        org=org, actor=boss, supplier=supplier, payment_condition="terms", term_days=20
    )
    soon = hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("70.00"), date=today)
    services.set_supplier_terms(
        org=org, actor=boss, supplier=supplier, payment_condition="terms", term_days=90
    )
    later = hand_invoice(
        org=org, actor=boss, supplier=supplier, amount=Decimal("900.00"), date=today
    )

    page = login(boss).get(reverse("purchasing-payables")).content.decode()

    due = page[page.index('data-testid="due-total"') :]
    assert due.startswith('data-testid="due-total">¥70.00')
    assert soon.number in page and later.number not in page


def test_the_aging_exports_to_xlsx(login, boss, org, supplier):
    hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("10.00"))

    response = login(boss).get(reverse("purchasing-payables-export"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Code", "Supplier")
    assert rows[1][:2] == ("S-SNOW", "华润雪花")
    assert rows[1][-1] == 10


def test_the_invoice_list_exports_with_its_filters(login, boss, org, supplier, draft_invoice):
    hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("10.00"))

    response = login(boss).get(reverse("purchasing-invoice-export"), {"status": "posted"})

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0].startswith("SI")


def test_the_warehouse_never_sees_prepayment_amounts_on_an_order(
    login, keeper, boss, org, confirmed
):
    services.record_prepayment(
        org=org, actor=boss, order=confirmed, amount=Decimal("123.45"), paid_on=timezone.localdate()
    )
    page = login(keeper).get(reverse("purchasing-order-detail", args=[confirmed.pk]))
    assert "123.45" not in page.content.decode()


def test_a_bill_leaves_the_maturing_list_once_the_bank_paid_it(login, boss, org, supplier):
    today = timezone.localdate()
    bill, _created = services.pay_supplier(
        org=org,
        actor=boss,
        data=services.SupplierPaymentData(
            supplier_id=supplier.pk,
            date=today,
            amount=Decimal("500.00"),
            method="acceptance_bill",
            bill_number="BA-MATURE",
            bill_maturity=today + datetime.timedelta(days=10),
        ),
    )
    client = login(boss)
    assert "BA-MATURE" in client.get(reverse("purchasing-payables")).content.decode()

    client.post(
        reverse("purchasing-payment-bill-paid", args=[bill.pk]), {"paid_on": today.isoformat()}
    )

    bill.refresh_from_db()
    assert bill.bill_paid_on == today
    assert "BA-MATURE" not in client.get(reverse("purchasing-payables")).content.decode()
    page = client.get(reverse("purchasing-payment-detail", args=[bill.pk])).content.decode()
    assert 'data-testid="bill-paid"' in page
