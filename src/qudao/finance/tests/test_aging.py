"""The aging report (账龄): buckets on their edges, as-of dates, scoping, the page, the export
and the API; and on random data it equals a naive computation in Python."""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from qudao.catalog.tests.factories import BrandFactory, ProductFactory
from qudao.core.money import ZERO, quantize
from qudao.finance import services
from qudao.finance.aging import AgingGroup, aging_report, bucket_of, parse_edges
from qudao.finance.models import Invoice
from qudao.finance.tests.factories import posted_invoice
from qudao.finance.tests.test_api import client_for
from qudao.parties.tests.factories import CustomerFactory, TerritoryFactory
from qudao.tenancy.models import Organization
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory

AS_OF = datetime.date(2026, 6, 30)


def days_ago(days: int) -> datetime.date:
    return AS_OF - datetime.timedelta(days=days)


def due(org, boss, customer, days_overdue: int, amount: str = "100.00") -> Invoice:
    """A posted invoice due `days_overdue` days before AS_OF (no payment term: due on its date)."""
    return posted_invoice(
        org=org, actor=boss, customer=customer, amount=Decimal(amount), date=days_ago(days_overdue)
    )


def pay(org, boss, invoice: Invoice, amount: str, on: datetime.date) -> None:
    services.receive_payment(
        org=org,
        actor=boss,
        data=services.PaymentData(
            customer_id=invoice.customer_id, date=on, amount=Decimal(amount), method="cash"
        ),
        allocations=[services.AllocationPart(invoice.pk, Decimal(amount))],
    )


def credit(org, boss, invoice: Invoice, amount: str, on: datetime.date) -> None:
    services.credit_invoice(
        org=org,
        actor=boss,
        invoice=invoice,
        reason="退货",
        lines=[services.LineData("退货", Decimal("1"), Decimal(amount), Decimal("0"))],
        date=on,
    )


def amounts(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


# ---------------------------------------------------------------------------------------------
# Buckets


def test_items_on_the_bucket_edges_fall_in_the_right_bucket(org, boss):
    # given: one invoice of a distinct amount on each side of each edge
    customer = CustomerFactory(org=org)
    for days, amount in [
        (0, "2.00"),  # due today: current
        (1, "4.00"),
        (30, "8.00"),
        (31, "16.00"),
        (60, "32.00"),
        (61, "64.00"),
        (90, "128.00"),
        (91, "256.00"),
    ]:
        due(org, boss, customer, days, amount)
    services.set_terms(
        org=org, actor=boss, customer=customer, payment_term_days=10, credit_limit=ZERO
    )
    due(org, boss, customer, 5, "1.00")  # dated 5 days ago, due in 5 days: current

    # when
    report = aging_report(boss, as_of=AS_OF)

    # then
    assert [row.buckets for row in report.rows] == [
        amounts("3.00", "12.00", "48.00", "192.00", "256.00")
    ]
    assert report.rows[0].total == Decimal("511.00")
    assert report.totals == amounts("3.00", "12.00", "48.00", "192.00", "256.00")
    assert report.total == Decimal("511.00")
    assert [str(label) for label in report.labels] == [
        "Current",
        "1–30 days",
        "31–60 days",
        "61–90 days",
        "Over 90 days",
    ]


def test_a_future_invoice_is_not_yet_a_receivable(org, boss):
    due(org, boss, CustomerFactory(org=org), -1)

    assert aging_report(boss, as_of=days_ago(2)).rows == []


def test_partial_payments_and_credit_notes_reduce_what_is_open(org, boss):
    # given
    customer = CustomerFactory(org=org)
    invoice = due(org, boss, customer, 45, "100.00")
    pay(org, boss, invoice, "30.00", days_ago(10))
    credit(org, boss, invoice, "25.50", days_ago(5))
    settled = due(org, boss, customer, 10, "40.00")
    pay(org, boss, settled, "40.00", days_ago(1))

    # when
    report = aging_report(boss, as_of=AS_OF)

    # then: the settled invoice is gone; 100 - 30 - 25.50 is left 45 days overdue
    assert [row.buckets for row in report.rows] == [amounts("0", "0", "44.50", "0", "0")]


def test_a_past_as_of_date_ignores_later_payments_and_credit_notes(org, boss):
    # given: fully credited later (so cancelled now), and paid later
    customer = CustomerFactory(org=org)
    credited = due(org, boss, customer, 45, "100.00")
    credit(org, boss, credited, "100.00", days_ago(5))
    paid = due(org, boss, customer, 20, "50.00")
    pay(org, boss, paid, "50.00", days_ago(3))

    # when
    today = aging_report(boss, as_of=AS_OF)
    ten_days_ago = aging_report(boss, as_of=days_ago(10))

    # then: ten days ago both were open, each ten days less overdue
    assert today.rows == []
    assert [row.buckets for row in ten_days_ago.rows] == [amounts("0", "50.00", "100.00", "0", "0")]
    assert ten_days_ago.as_of == days_ago(10)


def test_custom_buckets(org, boss):
    customer = CustomerFactory(org=org)
    for days in (0, 7, 8, 14, 15, 400):
        due(org, boss, customer, days, "10.00")

    report = aging_report(boss, as_of=AS_OF, edges=parse_edges("7,14"))

    assert report.rows[0].buckets == amounts("10.00", "10.00", "20.00", "20.00")
    assert [str(label) for label in report.labels] == [
        "Current",
        "1–7 days",
        "8–14 days",
        "Over 14 days",
    ]


@pytest.mark.parametrize("text", ["0,30", "30,30", "60,30", "a,b", "1,2,3,4,5,6,7,8,9", "4000"])
def test_invalid_bucket_edges_are_refused(text):
    with pytest.raises(ValueError):
        parse_edges(text)


def test_no_edges_means_the_usual_ones():
    assert parse_edges("") == (30, 60, 90)
    assert parse_edges(" 15, 45 ") == (15, 45)


# ---------------------------------------------------------------------------------------------
# Groupings


def test_grouped_by_rep_territory_and_brand(org, boss, member):
    # given
    rep = member(Role.SALES_REP)
    north, south = TerritoryFactory(org=org, name="华北"), TerritoryFactory(org=org, name="华南")
    mine = CustomerFactory(org=org, owner=rep, territory=north)
    nobodys = CustomerFactory(org=org, territory=south)
    due(org, boss, mine, 5, "100.00")
    due(org, boss, nobodys, 40, "60.00")
    wine, beer = BrandFactory(org=org, name="茅台"), BrandFactory(org=org, name="青岛")
    mixed = services.post_invoice(
        org=org,
        actor=boss,
        invoice=services.create_invoice(
            org=org,
            actor=boss,
            customer=nobodys,
            date=days_ago(100),
            lines=[
                services.LineData(
                    "酒",
                    Decimal("1"),
                    Decimal("75"),
                    Decimal("0"),
                    ProductFactory(org=org, brand=wine).pk,
                ),
                services.LineData(
                    "啤酒",
                    Decimal("1"),
                    Decimal("25"),
                    Decimal("0"),
                    ProductFactory(org=org, brand=beer).pk,
                ),
            ],
        ),
    )
    pay(org, boss, mixed, "20.00", days_ago(50))

    # when
    by = {
        group: {
            row.name: row.buckets for row in aging_report(boss, as_of=AS_OF, group_by=group).rows
        }
        for group in AgingGroup.values
    }

    # then
    assert by["owner"] == {
        "": amounts("0", "0", "60.00", "0", "80.00"),
        str(rep.user): amounts("0", "100.00", "0", "0", "0"),
    }
    assert by["territory"] == {
        "华南": amounts("0", "0", "60.00", "0", "80.00"),
        "华北": amounts("0", "100.00", "0", "0", "0"),
    }
    assert by["brand"] == {  # 80 open on `mixed`, shared 75:25
        "茅台": amounts("0", "0", "0", "0", "60.00"),
        "青岛": amounts("0", "0", "0", "0", "20.00"),
        "": amounts("0", "100.00", "60.00", "0", "0"),
    }


def mixed_invoice(org, boss, customer, parts: list[tuple[str, object]], days_overdue: int):
    """A posted invoice with one line of `amount` (no tax) per (amount, brand)."""
    return services.post_invoice(
        org=org,
        actor=boss,
        invoice=services.create_invoice(
            org=org,
            actor=boss,
            customer=customer,
            date=days_ago(days_overdue),
            lines=[
                services.LineData(
                    "货品",
                    Decimal("1"),
                    Decimal(amount),
                    Decimal("0"),
                    ProductFactory(org=org, brand=brand).pk,
                )
                for amount, brand in parts
            ],
        ),
    )


def test_brand_shares_add_up_to_what_is_open_to_the_fen(org, boss):
    # given: one fen left open on an invoice shared equally by three brands
    customer = CustomerFactory(org=org)
    brands = [BrandFactory(org=org, name=name) for name in ("甲", "乙", "丙")]
    invoice = mixed_invoice(org, boss, customer, [("1.00", brand) for brand in brands], 40)
    pay(org, boss, invoice, "2.99", days_ago(1))

    # when
    by_brand = aging_report(boss, as_of=AS_OF, group_by=AgingGroup.BRAND)

    # then: the fen goes to one brand whole; the others, with nothing open, show no row
    assert [row.buckets for row in by_brand.rows] == [amounts("0", "0", "0.01", "0", "0")]
    assert by_brand.total == aging_report(boss, as_of=AS_OF).total == Decimal("0.01")


def test_an_invoice_settled_to_the_fen_shows_no_row_of_zeros(org, boss):
    # given: 0.80 settled as 0.10 + 0.70, which binary floating point adds to a hair under 0.80
    customer = CustomerFactory(org=org)
    invoice = due(org, boss, customer, 20, "0.80")
    pay(org, boss, invoice, "0.10", days_ago(2))
    credit(org, boss, invoice, "0.70", days_ago(1))

    # when / then: nothing is open, in any grouping; three days ago 0.80 was
    for group in AgingGroup.values:
        assert aging_report(boss, as_of=AS_OF, group_by=group).rows == []
    earlier = aging_report(boss, as_of=days_ago(3))
    assert [row.buckets for row in earlier.rows] == [amounts("0", "0.80", "0", "0", "0")]


# ---------------------------------------------------------------------------------------------
# Scoping


def test_a_rep_sees_only_their_own_customers(org, boss, rep):
    due(org, boss, CustomerFactory(org=org, owner=rep, name="我的客户"), 5)
    due(org, boss, CustomerFactory(org=org, name="别人的客户"), 5)

    assert [row.name for row in aging_report(rep, as_of=AS_OF).rows] == ["我的客户"]
    assert len(aging_report(boss, as_of=AS_OF).rows) == 2


def test_another_organizations_receivables_never_show(org, boss, other_org):
    due(org, boss, CustomerFactory(org=org, name="本公司客户"), 5)
    with org_scope(other_org):
        other_boss = MembershipFactory(org=other_org, role=Role.BOSS)
        due(other_org, other_boss, CustomerFactory(org=other_org, name="别家客户"), 5)
        assert [row.name for row in aging_report(other_boss, as_of=AS_OF).rows] == ["别家客户"]

    assert [row.name for row in aging_report(boss, as_of=AS_OF).rows] == ["本公司客户"]


# ---------------------------------------------------------------------------------------------
# Queries


def test_the_query_count_does_not_grow_with_customers(org, boss):
    def statements() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            aging_report(boss, as_of=AS_OF)
        return [q["sql"].split()[0].upper() for q in queries.captured_queries]

    due(org, boss, CustomerFactory(org=org), 5)
    few = statements()
    for days in range(10):
        customer = CustomerFactory(org=org)
        due(org, boss, customer, days * 13)
        pay(org, boss, due(org, boss, customer, days * 7, "9.99"), "3.33", days_ago(1))

    many = statements()
    assert many == few
    assert many.count("WITH") == 1  # the report itself; the rest are savepoints


def naive_report(org: Organization, as_of: datetime.date, edges: tuple[int, ...]) -> dict:
    """What is open per customer and bucket, one invoice at a time, in Python."""
    result: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO] * (len(edges) + 2))
    for invoice in Invoice.objects.filter(kind="invoice", posted_at__isnull=False, date__lte=as_of):
        credited = sum(
            (
                n.total
                for n in invoice.credit_notes.all()
                if n.status == "posted" and n.date <= as_of
            ),
            ZERO,
        )
        paid = sum(
            (
                a.amount
                for a in invoice.allocations.select_related("payment")
                if a.payment.date <= as_of
            ),
            ZERO,
        )
        left = invoice.total - credited - paid
        if left > 0:
            result[invoice.customer_id][bucket_of((as_of - invoice.due_date).days, edges)] += left
    return {key: tuple(quantize(v) for v in values) for key, values in result.items()}


scenario = st.fixed_dictionaries(
    {
        "invoices": st.lists(
            st.tuples(
                st.integers(0, 2),  # customer
                st.integers(1, 99_999),  # fen
                st.integers(0, 200),  # days before AS_OF
                st.sampled_from(["0", "0.13"]),
            ),
            min_size=1,
            max_size=8,
        ),
        "settlements": st.lists(
            st.tuples(
                st.integers(0, 7),  # which invoice
                st.booleans(),  # payment, or credit note
                st.integers(1, 100),  # percent of what is open
                st.integers(0, 200),  # days before AS_OF
            ),
            max_size=8,
        ),
        "as_of_back": st.integers(0, 120),
        "edges": st.sampled_from([(30, 60, 90), (7, 14), (1,), (15, 45, 90, 180)]),
    }
)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=scenario)
def test_the_report_equals_a_naive_computation(org, boss, data):
    with transaction.atomic():
        customers = [CustomerFactory(org=org) for _ in range(3)]
        invoices = [
            posted_invoice(
                org=org,
                actor=boss,
                customer=customers[who],
                amount=Decimal(fen) / 100,
                tax_rate=Decimal(rate),
                date=days_ago(back),
            )
            for who, fen, back, rate in data["invoices"]
        ]
        for which, is_payment, percent, back in data["settlements"]:
            invoice = invoices[which % len(invoices)]
            invoice.refresh_from_db()
            part = quantize(invoice.open_amount * percent / 100)
            if part <= 0:
                continue
            on = max(days_ago(back), invoice.date)
            if is_payment:
                pay(org, boss, invoice, str(part), on)
            else:
                credit(org, boss, invoice, str(part), on)
        as_of = days_ago(data["as_of_back"])

        report = aging_report(boss, as_of=as_of, edges=data["edges"])

        assert {row.key: row.buckets for row in report.rows} == naive_report(
            org, as_of, data["edges"]
        )
        for group in (AgingGroup.OWNER, AgingGroup.TERRITORY, AgingGroup.BRAND):
            grouped = aging_report(boss, as_of=as_of, edges=data["edges"], group_by=group)
            assert (grouped.totals, grouped.total) == (report.totals, report.total)
        transaction.set_rollback(True)


# ---------------------------------------------------------------------------------------------
# The page, the export and the API


def test_the_page_shows_buckets_totals_and_drills_down(org, boss, login):
    customer = CustomerFactory(org=org, name="欠款客户")
    due(org, boss, customer, 45, "123.45")

    page = login(boss).get(
        reverse("finance-aging"), {"as_of": AS_OF.isoformat(), "buckets": "30,60,90"}
    )

    body = page.content.decode()
    assert page.status_code == 200
    assert "31–60 days" in body and "123.45" in body
    assert reverse("finance-account-detail", args=[customer.pk]) in body
    assert 'data-testid="aging-totals"' in body


def test_the_page_shows_the_largest_balances_a_page_at_a_time_with_totals_of_all(
    org, boss, login, monkeypatch
):
    # given: three customers, two rows a page
    monkeypatch.setattr("qudao.finance.views.AGING_PAGE_SIZE", 2)
    for name, amount in (("甲客户", "300.00"), ("乙客户", "200.00"), ("丙客户", "100.00")):
        due(org, boss, CustomerFactory(org=org, name=name), 10, amount)
    client = login(boss)

    # when
    first = client.get(reverse("finance-aging"), {"as_of": AS_OF.isoformat()}).content.decode()
    second = client.get(
        reverse("finance-aging"), {"as_of": AS_OF.isoformat(), "page": 2}
    ).content.decode()

    # then: largest first, split over two pages; the totals are the whole report's
    assert "甲客户" in first and "乙客户" in first and "丙客户" not in first
    assert "丙客户" in second and "甲客户" not in second
    assert "Showing 1–2 of 3 rows" in first
    assert "600.00" in first and "600.00" in second


@pytest.mark.parametrize("role", [Role.BOSS, Role.FINANCE, Role.SALES_REP, Role.READONLY])
def test_finance_viewers_open_the_page_in_every_grouping(org, member, login, role):
    client = login(member(role))

    statuses = [
        client.get(reverse("finance-aging"), {"group_by": group}).status_code
        for group in AgingGroup.values
    ]

    assert statuses == [200] * len(AgingGroup.values)


def test_a_bad_bucket_list_is_answered_on_the_page(org, boss, login):
    page = login(boss).get(reverse("finance-aging"), {"buckets": "60,30"})

    assert page.status_code == 400
    assert "Bucket edges must increase" in page.content.decode()


def test_the_export_is_a_workbook_with_translated_headers(org, boss, login):
    customer = CustomerFactory(org=org, name="欠款客户", code="C-1")
    due(org, boss, customer, 95, "10.00")
    due(org, boss, customer, 0, "5.00")

    response = login(boss).get(reverse("finance-aging-export"), {"as_of": AS_OF.isoformat()})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[1] == [
        "Code",
        "Customer",
        "Current",
        "1–30 days",
        "31–60 days",
        "61–90 days",
        "Over 90 days",
        "Total",
    ]
    assert rows[2] == ["C-1", "欠款客户", 5, 0, 0, 0, 10, 15]
    assert rows[3] == [None, "Total", 5, 0, 0, 0, 10, 15]


def test_the_export_headers_follow_the_language(org, boss, login):
    client = login(boss)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = client.get(reverse("finance-aging-export"))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    headers = list(sheet.iter_rows(min_row=2, max_row=2, values_only=True))[0]
    assert headers[:2] == ("编码", "客户")  # the new labels follow once the catalog has them


def test_the_api_answers_the_report(org, boss):
    customer = CustomerFactory(org=org, name="欠款客户")
    due(org, boss, customer, 61, "10.10")

    response = client_for(boss).get(
        "/api/v1/aging", {"as_of": AS_OF.isoformat(), "group_by": "customer", "buckets": "30,60"}
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "as_of": "2026-06-30",
        "group_by": "customer",
        "edges": [30, 60],
        "labels": ["Current", "1–30 days", "31–60 days", "Over 60 days"],
        "rows": [
            {
                "key": customer.pk,
                "code": customer.code,
                "name": "欠款客户",
                "buckets": ["0.00", "0.00", "0.00", "10.10"],
                "total": "10.10",
            }
        ],
        "totals": ["0.00", "0.00", "0.00", "10.10"],
        "total": "10.10",
    }


def test_the_api_refuses_bad_input_and_scopes_a_rep(org, boss, rep):
    due(org, boss, CustomerFactory(org=org), 5)

    bad = client_for(boss).get("/api/v1/aging", {"buckets": "x"})
    wrong_group = client_for(boss).get("/api/v1/aging", {"group_by": "planet"})
    scoped = client_for(rep).get("/api/v1/aging")

    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_buckets")
    assert wrong_group.status_code == 422
    assert scoped.json()["rows"] == []
