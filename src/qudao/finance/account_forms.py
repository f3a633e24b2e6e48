"""Input forms of the prepayment and rebate account pages (staff and portal): parsing only;
the rules (positive amounts, no future dates, duplicates, balances) live in the services."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qudao.core.forms import DateInput
from qudao.finance.models import ACCOUNT_METHOD_CHOICES, RebateSource
from qudao.finance.services import RebateGrantData, RefundData, TopUpData

VOUCHER_TYPES = "image/jpeg,image/png,image/webp,application/pdf"


class VoucherInput(forms.ClearableFileInput):
    """A file input that offers the phone's photos, camera and files (images and PDFs)."""

    input_type = "file"

    def __init__(self) -> None:
        super().__init__(attrs={"accept": VOUCHER_TYPES})


def _money_field(label: str | Promise, minimum: str = "0.01") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(minimum),
        widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
    )


def _key() -> str:
    return uuid.uuid4().hex


class TopUpForm(forms.Form):
    """A top-up: the retailer's request (voucher required) or staff's record (optional)."""

    amount = _money_field(_("Amount"))
    date = forms.DateField(label=_("Transfer date"), widget=DateInput, initial=timezone.localdate)
    method = forms.ChoiceField(label=_("Paid by"), choices=ACCOUNT_METHOD_CHOICES)
    reference = forms.CharField(
        label=_("Transfer reference"),
        max_length=100,
        required=False,
        help_text=_("The bank's serial number or the WeChat / Alipay transaction number."),
    )
    voucher = forms.FileField(
        label=_("Voucher (photo or PDF of the transfer)"),
        widget=VoucherInput(),
        required=True,
        help_text=_(
            "A screenshot of the transfer in your banking, WeChat or Alipay app, a photo of "
            "the bank slip, or the bank's PDF receipt; at most 5 MB."
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=100, initial=_key
    )

    def __init__(self, *args: Any, voucher_required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["voucher"].required = voucher_required
        if not voucher_required:
            self.fields["voucher"].label = _("Voucher (optional)")

    def to_data(self, customer_id: int) -> TopUpData:
        data = self.cleaned_data
        return TopUpData(
            customer_id=customer_id,
            amount=data["amount"],
            date=data["date"],
            method=data["method"],
            reference=data["reference"],
            note=data["note"],
            idempotency_key=data["idempotency_key"],
        )


class StaffTopUpForm(TopUpForm):
    allocate = forms.BooleanField(
        label=_("Settle open invoices with it, oldest first"), required=False, initial=False
    )

    field_order = ["amount", "date", "method", "reference", "voucher", "note", "allocate"]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is rejected (the customer reads this)"), max_length=300
    )


class RefundForm(forms.Form):
    amount = _money_field(_("Amount"))
    date = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    method = forms.ChoiceField(label=_("Paid by"), choices=ACCOUNT_METHOD_CHOICES)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=100, initial=_key
    )

    def to_data(self, customer_id: int) -> RefundData:
        data = self.cleaned_data
        return RefundData(
            customer_id=customer_id,
            amount=data["amount"],
            date=data["date"],
            method=data["method"],
            reason=data["reason"],
            reference=data["reference"],
            idempotency_key=data["idempotency_key"],
        )


class RebateGrantForm(forms.Form):
    amount = _money_field(_("Amount"))
    date = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    source = forms.ChoiceField(label=_("Rebate source"), choices=RebateSource.choices)
    reference = forms.CharField(
        label=_("Program or document"),
        max_length=100,
        required=False,
        help_text=_("E.g. the manufacturer's program and quarter."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def to_data(self, customer_id: int) -> RebateGrantData:
        data = self.cleaned_data
        return RebateGrantData(
            customer_id=customer_id,
            amount=data["amount"],
            date=data["date"],
            source=data["source"],
            reason=data["reason"],
            reference=data["reference"],
        )


class AccountSettingsForm(forms.Form):
    rebate_max_share = forms.DecimalField(
        label=_("Rebate may pay at most (% of an order)"),
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
    )
    settle_from_prepayments = forms.BooleanField(
        label=_("Settle new invoices from the customer's prepayment balance"), required=False
    )


class OrderRebateForm(forms.Form):
    amount = _money_field(_("Pay from the rebate account"), minimum="0")
