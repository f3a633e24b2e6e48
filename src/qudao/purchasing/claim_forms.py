"""Forms for receipt damage claims; choices and lines are built per request, in the org's scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qudao.core.forms import DateInput
from qudao.finance.claims import RECOVERY_CHOICES
from qudao.finance.models import BANK
from qudao.purchasing import claim_selectors, selectors
from qudao.purchasing.claim_models import ClaimBearer, ClaimDisposition, ReceiptClaim
from qudao.purchasing.models import GoodsReceiptLine
from qudao.purchasing.services.claims import ClaimLineData

QUANTITY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3, "min_value": Decimal(0)}
MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2, "min_value": Decimal(0)}


def _line_label(line: GoodsReceiptLine) -> str:
    return f"{line.product.code} {line.product.name} ({line.product.base_unit})"


class ReceiptClaimForm(forms.Form):
    """Per receipt line: how many damaged units the claim is for, and (with costs) the amount."""

    bearer = forms.ChoiceField(label=_("Who bears the loss"), choices=ClaimBearer.choices)
    disposition = forms.ChoiceField(
        label=_("What happens to the damaged goods"), choices=ClaimDisposition.choices
    )
    description = forms.CharField(label=_("What is damaged and how"), max_length=300)
    carrier = forms.CharField(
        label=_("Carrier"),
        max_length=100,
        required=False,
        help_text=_("When the carrier bears the loss."),
    )
    carrier_party = forms.TypedChoiceField(
        label=_("The carrier as a party (when it is set up as a supplier)"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(
        self,
        *args: Any,
        lines: list[tuple[GoodsReceiptLine, Decimal]],
        show_costs: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.receipt_lines = lines
        self.show_costs = show_costs
        self.fields["carrier_party"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *selectors.supplier_choices(),
        ]
        for line, left in lines:
            self.fields[f"qty_{line.pk}"] = forms.DecimalField(
                label=_("%(product)s: damaged units to claim (at most %(left)s)")
                % {"product": _line_label(line), "left": f"{left.normalize():f}"},
                initial=left,
                max_value=left,
                required=False,
                **QUANTITY,
            )
            if show_costs:
                price = line.order_line.unit_price if line.order_line_id else line.unit_cost
                self.fields[f"amount_{line.pk}"] = forms.DecimalField(
                    label=_("%(product)s: amount claimed before tax")
                    % {"product": _line_label(line)},
                    help_text=_("Empty: the quantity × the purchase price %(price)s.")
                    % {"price": price},
                    required=False,
                    **MONEY,
                )

    def line_data(self) -> list[ClaimLineData]:
        data = self.cleaned_data
        return [
            ClaimLineData(
                receipt_line_id=line.pk,
                quantity=data[f"qty_{line.pk}"],
                amount=data.get(f"amount_{line.pk}"),
            )
            for line, _left in self.receipt_lines
            if data.get(f"qty_{line.pk}")
        ]


class SettleClaimForm(forms.Form):
    """Finance settles: the carrier's payment and where it came in, or the supplier's credit."""

    amount = forms.DecimalField(label=_("Amount received or agreed"), **MONEY)
    received_into = forms.ChoiceField(
        label=_("Received into"), choices=RECOVERY_CHOICES, initial=BANK
    )
    invoice = forms.TypedChoiceField(
        label=_("Deduct from the supplier's invoice"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    tax_rate = forms.DecimalField(
        label=_("VAT rate of the credit note"),
        max_digits=5,
        decimal_places=4,
        min_value=Decimal(0),
        max_value=Decimal("0.5"),
        required=False,
        help_text=_("Empty: the rate the receipt was billed at."),
    )
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, claim: ReceiptClaim, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"amount": claim.claim_amount})
        super().__init__(*args, **kwargs)
        if claim.bearer == ClaimBearer.SUPPLIER:
            del self.fields["received_into"]
            self.fields["amount"].label = _("Amount the supplier accepts, before tax")
            self.fields["invoice"].choices = [  # type: ignore[attr-defined]
                ("", _("The invoice billing this receipt, else the oldest with enough open")),
                *(
                    (str(invoice.pk), f"{invoice.number} · {invoice.open_amount}")
                    for invoice in claim_selectors.deductible_invoices(claim)
                ),
            ]
        else:
            del self.fields["invoice"]
            del self.fields["tax_rate"]


class CancelClaimForm(forms.Form):
    reason = forms.CharField(label=_("Why is the claim cancelled?"), max_length=300)
