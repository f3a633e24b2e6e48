"""Input forms of the money pages: parsing only; the rules live in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qudao.core.forms import DateInput
from qudao.finance.models import PaymentMethod
from qudao.finance.services import LineData, PaymentData
from qudao.parties.models import Party

INVOICE_LINE_ROWS = 6


def _customer_choices(customers: Any) -> list[tuple[str, str]]:
    return [("", "—")] + [
        (str(pk), f"{code} {name}")
        for pk, code, name in customers.filter(archived_at__isnull=True)
        .order_by("code")
        .values_list("pk", "code", "name")[:2000]
    ]


class InvoiceForm(forms.Form):
    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    memo = forms.CharField(label=_("Memo"), max_length=300, required=False)

    def __init__(self, *args: Any, customers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = _customer_choices(customers)  # type: ignore[attr-defined]


class InvoiceLineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=14, decimal_places=3, required=False
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"), max_digits=18, decimal_places=4, required=False
    )
    tax_rate = forms.DecimalField(
        label=_("Tax rate"), max_digits=5, decimal_places=4, required=False, initial=Decimal("0.13")
    )

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("description") and data.get("quantity") is None

    def to_line(self) -> LineData:
        data = self.cleaned_data
        return LineData(
            description=data.get("description") or "",
            quantity=data.get("quantity") or Decimal("0"),
            unit_price=data.get("unit_price") or Decimal("0"),
            tax_rate=data["tax_rate"] if data.get("tax_rate") is not None else Decimal("0.13"),
        )


class FapiaoForm(forms.Form):
    number = forms.CharField(label=_("Fapiao number"), max_length=40)
    date = forms.DateField(label=_("Fapiao date"), widget=DateInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PaymentForm(forms.Form):
    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2)
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    bill_number = forms.CharField(label=_("Bill number"), max_length=40, required=False)
    bill_maturity = forms.DateField(label=_("Bill maturity date"), widget=DateInput, required=False)
    memo = forms.CharField(label=_("Memo"), max_length=300, required=False)
    allocate = forms.BooleanField(
        label=_("Allocate to open invoices, oldest first"), required=False, initial=True
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: Any, customers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = _customer_choices(customers)  # type: ignore[attr-defined]

    def to_data(self) -> PaymentData:
        data = self.cleaned_data
        return PaymentData(
            customer_id=data["customer"],
            date=data["date"],
            amount=data["amount"],
            method=data["method"],
            reference=data["reference"],
            bill_number=data["bill_number"],
            bill_maturity=data["bill_maturity"],
            memo=data["memo"],
            idempotency_key=data["idempotency_key"],
        )


class TermsForm(forms.Form):
    payment_term_days = forms.IntegerField(
        label=_("Payment term (days)"), min_value=0, max_value=365
    )
    credit_limit = forms.DecimalField(
        label=_("Credit limit"), max_digits=18, decimal_places=2, min_value=Decimal("0")
    )


def party_label(party: Party) -> str:
    return f"{party.code} {party.name}"
