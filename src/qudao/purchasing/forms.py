"""Forms for the purchasing pages; choices are built per request, inside the org's scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from qudao.core.forms import DateInput
from qudao.inventory.forms import ProductCodeField
from qudao.inventory.models import LocationKind
from qudao.inventory.selectors import warehouse_choices
from qudao.purchasing import selectors
from qudao.purchasing.models import PaymentCondition
from qudao.purchasing.payables.forms import endorsable_bill_choices
from qudao.purchasing.payables.models import SupplierPaymentMethod

QUANTITY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3, "min_value": Decimal(0)}
MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2, "min_value": Decimal("0.01")}
DATE = DateInput()


class OrderForm(forms.Form):
    supplier = forms.TypedChoiceField(label=_("Supplier"), coerce=int)
    payment_condition = forms.ChoiceField(
        label=_("Payment condition"),
        required=False,
        choices=[("", _("The supplier's usual terms")), *PaymentCondition.choices],
    )
    term_days = forms.IntegerField(
        label=_("Payment term (days)"), min_value=0, max_value=365, required=False
    )
    expected_on = forms.DateField(label=_("Expected on"), required=False, widget=DATE)
    warehouse = forms.TypedChoiceField(
        label=_("Deliver to"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Counts as on order in this warehouse's reorder suggestions."),
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = selectors.supplier_choices()  # type: ignore[attr-defined]
        self.fields["warehouse"].choices = [  # type: ignore[attr-defined]
            ("", _("Not decided yet")),
            *warehouse_choices(),
        ]


class OrderLineForm(forms.Form):
    product = ProductCodeField(
        widget=forms.TextInput(attrs={"list": "purchasing-products", "autocomplete": "off"})
    )
    quantity = forms.DecimalField(label=_("Quantity (0 removes the line)"), **QUANTITY)
    unit = forms.CharField(
        label=_("Unit (empty: the base unit; or a packaging unit such as 箱)"),
        max_length=10,
        required=False,
    )
    unit_price = forms.DecimalField(
        label=_("Unit price per base unit (empty: the supplier's purchase price)"),
        max_digits=18,
        decimal_places=4,
        min_value=Decimal(0),
        required=False,
    )


class PrepaymentRequestForm(forms.Form):
    amount = forms.DecimalField(label=_("Prepayment requested"), **MONEY)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)


class PrepaymentForm(forms.Form):
    """A prepayment paid by transfer, cash, our own bill, or a customer's bill endorsed whole
    (then the amount may stay empty: it is the bill's face value)."""

    amount = forms.DecimalField(label=_("Amount paid"), required=False, **MONEY)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    method = forms.ChoiceField(
        label=pgettext_lazy("payable", "Method"),
        choices=SupplierPaymentMethod.choices,
        initial=SupplierPaymentMethod.BANK_TRANSFER,
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
    reference = forms.CharField(label=_("Bank reference"), max_length=100, required=False)
    bill_number = forms.CharField(
        label=_("Bill number (bank acceptance bill)"), max_length=40, required=False
    )
    bill_maturity = forms.DateField(label=_("Bill maturity date"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bill"].choices = endorsable_bill_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """A customer's bill to endorse, or else an amount."""
        cleaned = super().clean() or {}
        if cleaned.get("method") == SupplierPaymentMethod.ENDORSED_BILL:
            if cleaned.get("bill") is None and "bill" not in self.errors:
                self.add_error("bill", gettext("Choose the customer's bill to endorse."))
        elif cleaned.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", forms.Field.default_error_messages["required"])
        return cleaned


class ReceiptHeaderForm(forms.Form):
    location = forms.TypedChoiceField(label=_("Receive into"), coerce=int)
    damaged_location = forms.TypedChoiceField(
        label=_("Damaged goods into"), coerce=int, required=False, empty_value=None
    )
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    delivery_reference = forms.CharField(
        label=_("Supplier's delivery note number"), max_length=60, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = selectors.location_choices()  # type: ignore[attr-defined]
        self.fields["damaged_location"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *selectors.location_choices(LocationKind.DAMAGED),
        ]


class PushReceiptForm(ReceiptHeaderForm):
    """A receipt not backed by our own order: lines and serials typed as text."""

    supplier = forms.TypedChoiceField(label=_("Supplier"), coerce=int)
    lines = forms.CharField(
        label=_("Lines: “product code, quantity[, damaged]” per line, in base units"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    serials = forms.CharField(
        label=_("Serial numbers: “product code, SN, 2026-10-01[, damaged]” per line"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    field_order = ["supplier", "location", "damaged_location", "received_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = selectors.supplier_choices()  # type: ignore[attr-defined]


class ReverseForm(forms.Form):
    note = forms.CharField(label=_("Why is it sent back?"), max_length=300)
