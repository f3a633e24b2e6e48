"""Forms for the sales pages; choices are built per request, inside the org's scope."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qudao.core.forms import DateInput
from qudao.inventory.selectors import warehouse_choices
from qudao.sales import selectors
from qudao.sales.models import ControlPoint, SalesOrderLine
from qudao.tenancy.models import Membership

QUANTITY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3, "min_value": Decimal(0)}
DATE = DateInput()


class OrderForm(forms.Form):
    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int)
    warehouse = forms.TypedChoiceField(label=_("Ship from"), coerce=int)
    requested_on = forms.DateField(label=_("Wanted on"), required=False, widget=DATE)
    ship_to = forms.CharField(
        label=_("Ship to (empty: the customer's address)"), max_length=300, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = selectors.customer_choices(membership)  # type: ignore[attr-defined]
        self.fields["warehouse"].choices = warehouse_choices()  # type: ignore[attr-defined]


class LineForm(forms.Form):
    product = forms.CharField(label=_("Product code or barcode"), max_length=40)
    quantity = forms.DecimalField(label=_("Quantity (0 removes the line)"), **QUANTITY)
    unit = forms.CharField(label=_("Unit"), max_length=10, required=False)
    unit_price = forms.DecimalField(
        label=_("Unit price before VAT (empty: the price list)"),
        max_digits=18,
        decimal_places=4,
        min_value=Decimal(0),
        required=False,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class DeliveryForm(forms.Form):
    """One quantity per open order line (in base units), prefilled with what is still open."""

    carrier = forms.CharField(label=_("Carrier / driver"), max_length=100, required=False)

    def __init__(self, *args: Any, lines: list[tuple[SalesOrderLine, Decimal]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.order_lines = lines
        for line, free in lines:
            self.fields[f"line_{line.pk}"] = forms.DecimalField(
                label=f"{line.product_code} {line.product_name} ({line.base_unit})",
                initial=free,
                max_value=free,
                **QUANTITY,
            )

    def quantities(self) -> dict[int, Decimal]:
        return {line.pk: self.cleaned_data[f"line_{line.pk}"] for line, _free in self.order_lines}


class ShipForm(forms.Form):
    """A box of scanned serial numbers per serialized line, one per line of text."""

    def __init__(
        self,
        *args: Any,
        lines: list[Any],
        in_stock: Mapping[int, Sequence[str]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.serial_lines = lines
        for line in lines:
            here = (in_stock or {}).get(line.product_id, ())
            self.fields[f"serials_{line.order_line_id}"] = forms.CharField(
                label=_("Serial numbers of %(product)s (%(quantity)s)")
                % {
                    "product": line.order_line.product_name,
                    "quantity": f"{line.quantity.normalize():f}",
                },
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                help_text=(
                    _("In stock here: %(serials)s") % {"serials": " ".join(here[:30])}
                    if here
                    else _("No serial number of this product is in stock here.")
                )
                if in_stock is not None
                else "",
            )

    def serials(self) -> dict[int, list[str]]:
        return {
            line.order_line_id: self.cleaned_data[f"serials_{line.order_line_id}"].split()
            for line in self.serial_lines
        }


class ReceiptForm(forms.Form):
    signed_by = forms.CharField(label=_("Signed by"), max_length=100)
    note = forms.CharField(label=_("Receipt note"), max_length=300, required=False)
    signed_copy = forms.FileField(label=_("Photo of the signed copy"), required=False)


class SettingsForm(forms.Form):
    order_review = forms.BooleanField(
        label=_("Order review (订单审核) by the boss"), required=False
    )
    finance_review = forms.BooleanField(
        label=_("Finance review (财务审核) by finance or the boss"), required=False
    )
    warehouse_release = forms.BooleanField(
        label=_("Warehouse release (出库审核) before shipping"), required=False
    )
    receipt_confirmation = forms.BooleanField(
        label=_("Receipt confirmation (收货确认) with the customer's signature"), required=False
    )
    return_review = forms.BooleanField(
        label=_("Return review (退货审核) by the boss or finance"), required=False
    )
    return_finance_review = forms.BooleanField(
        label=_("Finance review (财务审核) of the credit the return gives"), required=False
    )
    return_warehouse_acceptance = forms.BooleanField(
        label=_("Warehouse acceptance (入库审核): the warehouse agrees to take the goods back"),
        required=False,
    )
    return_shipment = forms.BooleanField(
        label=_("Goods on their way (发货确认): collected by our driver or sent by the customer"),
        required=False,
    )
    credit_control = forms.ChoiceField(label=_("Check credit"), choices=ControlPoint.choices)

    RETURN_STEPS = (
        "return_review",
        "return_finance_review",
        "return_warehouse_acceptance",
        "return_shipment",
    )

    def order_steps(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in self.fields
            if name != "credit_control" and name not in self.RETURN_STEPS
        ]

    def return_steps(self) -> list[forms.BoundField]:
        return [self[name] for name in self.RETURN_STEPS]
