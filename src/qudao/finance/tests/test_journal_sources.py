"""The journal's source column (来源单据) links every posted entry to its document. The set of
source types is found by reading the code: every `post_entry` call (and every call that hands
a source type on to it) is walked, so a new kind of document without a page fails here."""

from __future__ import annotations

import ast
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

import qudao
from qudao.catalog.tests.factories import SupplierFactory
from qudao.finance.models import JournalEntry
from qudao.finance.services import PaymentData, clear_bill, receive_payment
from qudao.finance.services.accounts import RefundData, refund_prepayment
from qudao.finance.tests.factories import posted_invoice
from qudao.finance.views import JOURNAL_SOURCES, source_link
from qudao.parties.tests.factories import CustomerFactory
from qudao.purchasing.tests.payables_factories import hand_invoice, supplier_payment

SRC = Path(qudao.__file__).parent
# calls that take a source type and pass it on to `post_entry` (or write an entry with it)
CARRIERS = {"post_entry", "endorse_bill", "ClaimReceivable", "create"}
# the calls whose source type is not a constant: each passes on one that a carrier named above
# gives it as a constant elsewhere (a parameter, or the claim's own `source_type`)
PASSED_ON = {
    ("finance/services/ledger.py", "create", "source_type"),  # post_entry's own parameter
    ("finance/services/bills.py", "post_entry", "source_type"),  # endorse_bill's parameter
    ("finance/services/claims.py", "post_entry", "claim.source_type"),
    ("finance/services/claims.py", "create", "claim.source_type"),  # the red-ink copy
}


def _modules() -> list[Path]:
    return [
        path
        for path in sorted(SRC.rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level `NAME = "text"` and `NAME: Final = "text"`."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and isinstance(value, ast.Constant):
            if isinstance(value.value, str):
                found[target.id] = value.value
    return found


def _imported(tree: ast.Module) -> dict[str, tuple[str, str]]:
    """Local name → (module, name) for `from qudao... import name as local`."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("qudao."):
            for alias in node.names:
                found[alias.asname or alias.name] = (node.module or "", alias.name)
    return found


def _module_path(module: str) -> Path:
    parts = module.split(".")[1:]
    as_file = SRC.joinpath(*parts).with_suffix(".py")
    return as_file if as_file.exists() else SRC.joinpath(*parts, "__init__.py")


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _source_types() -> tuple[set[str], set[tuple[str, str, str]]]:
    """Every constant source type the code posts entries with, and the calls that pass one on."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in _modules()}
    constants = {path: _constants(tree) for path, tree in trees.items()}
    found: set[str] = set()
    passed_on: set[tuple[str, str, str]] = set()
    for path, tree in trees.items():
        imported = _imported(tree)
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            name = _call_name(call)
            if name not in CARRIERS:
                continue
            for keyword in call.keywords:
                if keyword.arg != "source_type":
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.add(value.value)
                elif isinstance(value, ast.Name) and value.id in constants[path]:
                    found.add(constants[path][value.id])
                elif isinstance(value, ast.Name) and value.id in imported:
                    module, original = imported[value.id]
                    found.add(constants[_module_path(module)][original])
                else:
                    where = str(path.relative_to(SRC))
                    passed_on.add((where, name, ast.unparse(value)))
    return found, passed_on


def test_every_source_type_posted_anywhere_has_a_page():
    # given
    found, passed_on = _source_types()

    # then: the walk saw the documents of every context, and only known pass-throughs
    assert {
        "finance.invoice",
        "finance.payment",
        "purchasing.supplier_invoice",
        "purchasing.supplier_payment",
        "purchasing.goods_receipt",
        "purchasing.receipt_claim",
        "sales.damage_claim",
        "finance.bill_clearing",
    } <= found
    assert passed_on == PASSED_ON
    assert sorted(found - JOURNAL_SOURCES.keys()) == []


@pytest.mark.parametrize("source_type", sorted(JOURNAL_SOURCES))
def test_each_source_type_resolves_to_a_link(source_type):
    try:
        link = source_link(source_type, 7, customer_id=9)
    except NoReverseMatch as missing:  # pragma: no cover - the failure message
        pytest.fail(f"{source_type}: {missing}")

    page = JOURNAL_SOURCES[source_type]
    assert link is not None
    assert link.url == reverse(page.url_name, args=[9 if page.by_customer else 7])
    assert link.label == str(page.label)


def test_a_manual_entry_has_no_source_link():
    assert source_link("", None) is None


def test_the_journal_links_customer_and_supplier_documents(org, boss, login):
    # given: a customer invoice, a bill received and discounted, a prepayment partly refunded,
    # a supplier invoice and payment
    today = timezone.localdate()
    customer = CustomerFactory(org=org)
    supplier = SupplierFactory(code="S-1")
    invoice = posted_invoice(org=org, actor=boss, customer=customer, amount=Decimal("500.00"))
    bill, _created = receive_payment(
        org=org,
        actor=boss,
        data=PaymentData(
            customer_id=customer.pk,
            date=today,
            amount=Decimal("300.00"),
            method="acceptance_bill",
            bill_number="BA-1",
            bill_maturity=today + datetime.timedelta(days=30),
        ),
    )
    clear_bill(
        org=org,
        actor=boss,
        payment=bill,
        kind="discounted",
        date=today,
        proceeds=Decimal("295.00"),
    )
    ahead = CustomerFactory(org=org)
    receive_payment(
        org=org,
        actor=boss,
        data=PaymentData(ahead.pk, today, Decimal("200.00"), "bank_transfer"),
    )
    refund_prepayment(
        org=org,
        actor=boss,
        data=RefundData(ahead.pk, Decimal("50.00"), today, "bank_transfer", reason="多付"),
    )
    bought = hand_invoice(org=org, actor=boss, supplier=supplier, date=today)
    paid = supplier_payment(
        org=org, actor=boss, supplier=supplier, amount=Decimal("100.00"), date=today
    )

    # when
    response = login(boss).get(reverse("finance-journal") + "?size=100")

    # then: one link per entry, each to its document's page
    page = response.content.decode()
    assert response.status_code == 200
    for url in (
        reverse("finance-invoice-detail", args=[invoice.pk]),
        reverse("finance-payment-detail", args=[bill.pk]),
        reverse("finance-bill-detail", args=[bill.pk]),
        reverse("purchasing-invoice-detail", args=[bought.pk]),
        reverse("purchasing-payment-detail", args=[paid.pk]),
        reverse("finance-account-detail", args=[ahead.pk]),  # the refund's customer
    ):
        assert f'href="{url}"' in page
    rows = response.context["rows"]
    assert len(rows) == JournalEntry.objects.count() == 7
    assert all(row.source_link is not None for row in rows)
