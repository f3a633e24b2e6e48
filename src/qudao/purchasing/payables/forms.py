"""Forms for the payables pages; choices are built per request, inside the org's scope."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from qudao.core.forms import DateInput
from qudao.finance.bills import uncleared_bills
from qudao.purchasing import selectors as purchasing_selectors
from qudao.purchasing.payables import selectors
from qudao.purchasing.payables.models import SupplierPaymentMethod

MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2, "min_value": Decimal("0.01")}
DATE = DateInput()


class SupplierChoiceForm(forms.Form):
    supplier = forms.TypedChoiceField(label=_("Supplier"), coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = purchasing_selectors.supplier_choices()  # type: ignore[attr-defined]


class SupplierInvoiceForm(forms.Form):
    """The supplier's paper: its numbers and date, the VAT rate, freight typed by hand."""

    date = forms.DateField(label=_("Invoice date"), widget=DATE)
    supplier_reference = forms.CharField(
        label=_("Supplier's invoice number"), max_length=60, required=False
    )
    fapiao_number = forms.CharField(label=_("Fapiao number"), max_length=40, required=False)
    fapiao_date = forms.DateField(label=_("Fapiao date"), required=False, widget=DATE)
    tax_rate = forms.DecimalField(
        label=_("VAT rate (0.13 = 13%)"),
        max_digits=5,
        decimal_places=4,
        min_value=Decimal(0),
        max_value=Decimal("0.5"),
        initial=Decimal("0.13"),
    )
    extra_lines = forms.CharField(
        label=_("Freight and services: “description, amount before tax” per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    memo = forms.CharField(label=_("Memo"), max_length=300, required=False)


class ReceiptsForm(forms.Form):
    """The supplier's goods receipts no invoice bills yet, to tick."""

    receipts = forms.TypedMultipleChoiceField(
        label=_("Goods receipts billed (received quantities at the order's price)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, supplier: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.receipts_offered = list(selectors.uninvoiced_receipts(supplier))
        self.fields["receipts"].choices = [  # type: ignore[attr-defined]
            (receipt.pk, receipt.number) for receipt in self.receipts_offered
        ]

    @property
    def ticked(self) -> set[int]:
        """The receipts ticked on a re-shown form."""
        raw = self.data.getlist("receipts") if hasattr(self.data, "getlist") else []
        return {int(value) for value in raw if str(value).isdigit()}


class InvoiceLineEditForm(forms.Form):
    line = forms.IntegerField(min_value=1)
    quantity = forms.DecimalField(
        label=_("Quantity billed (0 removes the line)"),
        max_digits=14,
        decimal_places=3,
        min_value=Decimal(0),
    )
    unit_price = forms.DecimalField(
        label=_("Unit price billed"), max_digits=18, decimal_places=4, min_value=Decimal(0)
    )


class CreditForm(forms.Form):
    reason = forms.CharField(label=_("Why does the supplier credit it?"), max_length=300)


def endorsable_bill_choices() -> list[tuple[int | str, str]]:
    """The customers' bills still in bills receivable and not past maturity, soonest first."""
    bills = (
        uncleared_bills()
        .filter(bill_maturity__gte=timezone.localdate())
        .select_related("customer")
        .order_by("bill_maturity", "pk")[:500]
    )
    return [("", "—")] + [
        (
            bill.pk,
            gettext("%(number)s · %(customer)s · %(amount)s · matures %(date)s")
            % {
                "number": bill.bill_number,
                "customer": bill.customer.name,
                "amount": bill.amount,
                "date": f"{bill.bill_maturity:%Y-%m-%d}",
            },
        )
        for bill in bills
    ]


class SupplierPaymentForm(forms.Form):
    supplier = forms.TypedChoiceField(label=_("Supplier"), coerce=int)
    date = forms.DateField(label=_("Paid on"), widget=DATE)
    method = forms.ChoiceField(
        label=pgettext_lazy("payable", "Method"), choices=SupplierPaymentMethod.choices
    )
    bill = forms.TypedChoiceField(
        label=_("Customer's bill to endorse"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_(
            "Only when paying with an endorsed customer's bill: the bill is endorsed whole, so "
            "the amount is its face value (the amount may stay empty)."
        ),
    )
    amount = forms.DecimalField(label=_("Amount"), required=False, **MONEY)
    reference = forms.CharField(label=_("Bank reference"), max_length=100, required=False)
    bill_number = forms.CharField(
        label=_("Bill number (bank acceptance bill)"), max_length=40, required=False
    )
    bill_maturity = forms.DateField(label=_("Bill maturity date"), required=False, widget=DATE)
    memo = forms.CharField(label=_("Memo"), max_length=300, required=False)
    allocate = forms.BooleanField(
        label=_("Settle the oldest open invoices with it"), required=False, initial=True
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = purchasing_selectors.supplier_choices()  # type: ignore[attr-defined]
        self.fields["bill"].choices = endorsable_bill_choices()  # type: ignore[attr-defined]

    @property
    def endorses_bill(self) -> bool:
        return bool(self.cleaned_data.get("method") == SupplierPaymentMethod.ENDORSED_BILL)

    def clean(self) -> dict[str, Any]:
        """Which fields are required depends on the method: a bill to endorse, or an amount."""
        cleaned = super().clean() or {}
        if self.endorses_bill:
            if cleaned.get("bill") is None and "bill" not in self.errors:
                self.add_error("bill", gettext("Choose the customer's bill to endorse."))
        elif cleaned.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", forms.Field.default_error_messages["required"])
        return cleaned


class BillPaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid by the bank on"), widget=DATE)


class AllocationForm(forms.Form):
    invoice = forms.TypedChoiceField(label=_("Invoice"), coerce=int)
    amount = forms.DecimalField(label=_("Amount"), **MONEY)

    def __init__(self, *args: Any, supplier_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invoice"].choices = [  # type: ignore[attr-defined]
            (invoice.pk, f"{invoice.number} · {invoice.due_date:%Y-%m-%d} · {invoice.open_amount}")
            for invoice in selectors.open_invoices().filter(supplier_id=supplier_id)[:500]
        ]
