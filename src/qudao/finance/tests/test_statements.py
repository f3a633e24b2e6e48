"""Statements of account: computed from the ledger, frozen when issued, confirmed or disputed
by the customer, disputes resolved by finance."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from qudao.core.errors import BusinessRuleViolation
from qudao.finance import services
from qudao.finance.models import (
    DisputeStatus,
    Statement,
    StatementDispute,
    StatementLineKind,
    StatementStatus,
)
from qudao.finance.statements import statement_for, visible_statements
from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.models import Event
from qudao.tenancy.roles import Role

D = datetime.date


def pay(org, actor, customer, amount, day, allocate=True):
    paid, _created = services.receive_payment(
        org=org,
        actor=actor,
        data=services.PaymentData(
            customer_id=customer.pk, date=day, amount=Decimal(amount), method="bank_transfer"
        ),
        auto_allocate=allocate,
    )
    return paid


@pytest.fixture
def history(org, boss):
    """A customer with an invoice before March, two in March, a payment and a credit note."""
    customer = CustomerFactory(org=org, name="张记副食店")
    before = posted_invoice(
        org=org, actor=boss, customer=customer, amount=Decimal("500.00"), date=D(2026, 2, 20)
    )
    first = posted_invoice(
        org=org, actor=boss, customer=customer, amount=Decimal("300.00"), date=D(2026, 3, 5)
    )
    pay(org, boss, customer, "450.00", D(2026, 3, 10))
    note = services.credit_invoice(
        org=org,
        actor=boss,
        invoice=first,
        reason="破损",
        lines=[services.LineData("破损退款", Decimal("1"), Decimal("50.00"), Decimal("0"))],
        date=D(2026, 3, 12),
    )
    second = posted_invoice(
        org=org, actor=boss, customer=customer, amount=Decimal("200.00"), date=D(2026, 3, 31)
    )
    posted_invoice(
        org=org, actor=boss, customer=customer, amount=Decimal("999.00"), date=D(2026, 4, 1)
    )
    return customer, before, first, note, second


def test_a_statement_has_opening_documents_running_balance_and_closing(history):
    customer, _before, first, note, second = history

    draft = statement_for(customer, D(2026, 3, 1), D(2026, 3, 31))

    assert draft.opening_balance == Decimal("500.00")
    zero, rows = Decimal("0.00"), draft.rows
    assert [(r.kind, r.document_number, r.debit, r.credit, r.balance) for r in rows] == [
        (StatementLineKind.INVOICE, first.number, Decimal("300.00"), zero, Decimal("800.00")),
        (StatementLineKind.PAYMENT, rows[1].document_number, zero, Decimal("450"), Decimal("350")),
        (StatementLineKind.CREDIT_NOTE, note.number, zero, Decimal("50.00"), Decimal("300.00")),
        (StatementLineKind.INVOICE, second.number, Decimal("200.00"), zero, Decimal("500.00")),
    ]
    assert draft.rows[1].document_number.startswith("PAY2026-")
    assert draft.rows[0].due_date == first.due_date
    assert (draft.total_debit, draft.total_credit, draft.closing_balance) == (
        Decimal("500.00"),
        Decimal("500.00"),
        Decimal("500.00"),
    )


def test_issuing_freezes_the_lines_and_later_documents_change_nothing(org, boss, history):
    customer, _before, first, _note, _second = history

    statement = services.issue_statement(
        org=org, actor=boss, customer=customer, start=D(2026, 3, 1), end=D(2026, 3, 31)
    )
    # a payment dated inside the period, recorded after the statement was issued
    pay(org, boss, customer, "100.00", D(2026, 3, 20))

    statement.refresh_from_db()
    assert statement.number.startswith("ST2026-")
    assert statement.status == StatementStatus.ISSUED
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("500.00"),
        Decimal("500.00"),
    )
    assert [line.balance for line in statement.lines.all()] == [
        Decimal("800.00"),
        Decimal("350.00"),
        Decimal("300.00"),
        Decimal("500.00"),
    ]
    assert statement_for(customer, D(2026, 3, 1), D(2026, 3, 31)).closing_balance == Decimal(
        "400.00"
    )
    event = Event.objects.get(verb="statement_issued")
    assert (event.subject_type, event.subject_id, event.data["number"]) == (
        "parties.party",
        customer.pk,
        statement.number,
    )


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(D(2026, 3, 31), D(2026, 3, 1), "start"), (D(2026, 3, 1), D(2099, 1, 1), "end")],
)
def test_a_bad_period_is_refused_and_nothing_is_written(org, boss, history, start, end, field):
    customer = history[0]

    with pytest.raises(BusinessRuleViolation) as refused:
        services.issue_statement(org=org, actor=boss, customer=customer, start=start, end=end)

    assert refused.value.code == "invalid_period"
    assert field in refused.value.fields
    assert Statement.objects.count() == 0


def test_a_rep_cannot_issue_a_statement(org, rep, history):
    with pytest.raises(BusinessRuleViolation):
        services.issue_statement(
            org=org, actor=rep, customer=history[0], start=D(2026, 3, 1), end=D(2026, 3, 31)
        )
    assert Statement.objects.count() == 0


@pytest.fixture
def issued(org, boss, member):
    shop = member(Role.RETAILER)
    invoice = posted_invoice(
        org=org, actor=boss, customer=shop.party, amount=Decimal("120.00"), date=D(2026, 5, 6)
    )
    statement = services.issue_statement(
        org=org, actor=boss, customer=shop.party, start=D(2026, 5, 1), end=D(2026, 5, 31)
    )
    return shop, invoice, statement


def test_the_customer_confirms_its_statement(org, issued):
    shop, _invoice, statement = issued

    services.confirm_statement(org=org, actor=shop, statement=statement)

    statement.refresh_from_db()
    assert (statement.status, statement.confirmed_by) == (StatementStatus.CONFIRMED, shop)
    assert Event.objects.filter(verb="statement_confirmed", subject_id=shop.party_id).count() == 1


def test_another_customer_cannot_confirm_it(org, member, issued):
    _shop, _invoice, statement = issued
    stranger = member(Role.RETAILER)

    with pytest.raises(BusinessRuleViolation) as refused:
        services.confirm_statement(org=org, actor=stranger, statement=statement)

    assert refused.value.code == "not_your_statement"
    statement.refresh_from_db()
    assert statement.status == StatementStatus.ISSUED
    assert visible_statements(stranger).count() == 0


def test_a_dispute_is_tracked_until_finance_resolves_it(org, boss, issued):
    shop, _invoice, statement = issued
    line = statement.lines.get()

    dispute = services.dispute_line(
        org=org, actor=shop, statement=statement, line_id=line.pk, comment="少收到两箱"
    )
    statement.refresh_from_db()
    assert (statement.status, dispute.status) == (StatementStatus.DISPUTED, DisputeStatus.OPEN)

    services.resolve_dispute(org=org, actor=boss, dispute=dispute, resolution="已开红字冲销两箱")

    statement.refresh_from_db()
    dispute.refresh_from_db()
    assert statement.status == StatementStatus.RESOLVED
    assert (dispute.status, dispute.resolution, dispute.resolved_by) == (
        DisputeStatus.RESOLVED,
        "已开红字冲销两箱",
        boss,
    )
    verbs = list(
        Event.objects.filter(subject_id=shop.party_id, subject_type="parties.party")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["statement_issued", "statement_disputed", "statement_dispute_resolved"]


def test_a_line_is_disputed_once_at_a_time_and_a_comment_is_required(org, issued):
    shop, _invoice, statement = issued
    line = statement.lines.get()
    services.dispute_line(org=org, actor=shop, statement=statement, line_id=line.pk, comment="错")

    again = {"org": org, "actor": shop, "statement": statement, "line_id": line.pk}
    with pytest.raises(BusinessRuleViolation) as twice:
        services.dispute_line(**again, comment="再")
    with pytest.raises(BusinessRuleViolation) as empty:
        services.dispute_line(**again, comment=" ")

    assert (twice.value.code, empty.value.code) == ("already_disputed", "comment_required")
    assert StatementDispute.objects.count() == 1


def test_a_disputed_statement_cannot_be_confirmed_until_resolved(org, boss, issued):
    shop, _invoice, statement = issued
    dispute = services.dispute_line(
        org=org, actor=shop, statement=statement, line_id=statement.lines.get().pk, comment="错"
    )

    with pytest.raises(BusinessRuleViolation) as refused:
        services.confirm_statement(org=org, actor=shop, statement=statement)
    services.resolve_dispute(org=org, actor=boss, dispute=dispute, resolution="核对无误")
    services.confirm_statement(org=org, actor=shop, statement=statement)

    assert refused.value.code == "invalid_transition"
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CONFIRMED


def test_resolving_needs_a_note_and_changes_nothing_without_one(org, boss, issued):
    shop, _invoice, statement = issued
    dispute = services.dispute_line(
        org=org, actor=shop, statement=statement, line_id=statement.lines.get().pk, comment="错"
    )

    with pytest.raises(BusinessRuleViolation) as refused:
        services.resolve_dispute(org=org, actor=boss, dispute=dispute, resolution="")

    assert refused.value.code == "resolution_required"
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN
