"""Forms for the stock pages; choices are built per request, inside the organization's scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qudao.catalog.models import PackagingUnit, Product
from qudao.inventory import selectors
from qudao.inventory.models import LocationKind, MoveKind
from qudao.parties.models import Party, PartyKind

QUANTITY = {"max_digits": 14, "decimal_places": 3, "min_value": Decimal("0.001")}


class ProductCodeField(forms.CharField):
    """A product typed by its code or barcode; cleans to the product."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Product code or barcode"))
        super().__init__(max_length=40, **kwargs)

    def clean(self, value: Any) -> Product:  # type: ignore[override]
        text = super().clean(value).strip()
        product = (
            Product.objects.filter(code=text).first()
            or Product.objects.filter(barcode=text).exclude(barcode="").first()
        )
        if product is None:
            raise forms.ValidationError(_("No product has this code or barcode."))
        return product


class WarehouseForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)


class LocationForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=LocationKind.choices)
    customer = forms.TypedChoiceField(
        label=_("Customer (consignment only)"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customers = Party.objects.filter(
            kind=PartyKind.CUSTOMER, archived_at__isnull=True
        ).order_by("code")[:500]
        self.fields["customer"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((str(p.pk), f"{p.code} {p.name}") for p in customers),
        ]


class AdjustmentForm(forms.Form):
    product = ProductCodeField()
    quantity = forms.DecimalField(label=_("Quantity (base unit)"), **QUANTITY)  # type: ignore[arg-type]
    from_location = forms.TypedChoiceField(
        label=_("From"), coerce=int, required=False, empty_value=None
    )
    to_location = forms.TypedChoiceField(
        label=_("To"), coerce=int, required=False, empty_value=None
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (MoveKind.ADJUSTMENT, MoveKind.ADJUSTMENT.label),
            (MoveKind.SCRAP, MoveKind.SCRAP.label),
            (MoveKind.TRANSFER, MoveKind.TRANSFER.label),
        ],
    )
    unit_cost = forms.DecimalField(
        label=_("Unit cost (goods coming in; empty: the current average)"),
        max_digits=18,
        decimal_places=4,
        min_value=Decimal(0),
        required=False,
    )
    note = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, show_costs: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outside = [("", _("Outside (adjustment)"))]
        choices = outside + selectors.location_choices()
        self.fields["from_location"].choices = choices  # type: ignore[attr-defined]
        self.fields["to_location"].choices = choices  # type: ignore[attr-defined]
        if not show_costs:
            del self.fields["unit_cost"]


class TransferForm(forms.Form):
    from_location = forms.TypedChoiceField(label=_("From"), coerce=int)
    to_location = forms.TypedChoiceField(label=_("To"), coerce=int)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = selectors.location_choices(stock_only=True)
        self.fields["from_location"].choices = choices  # type: ignore[attr-defined]
        self.fields["to_location"].choices = choices  # type: ignore[attr-defined]


class LineForm(forms.Form):
    product = ProductCodeField()
    quantity = forms.DecimalField(
        label=_("Quantity (base unit, 0 removes the line)"),
        max_digits=14,
        decimal_places=3,
        min_value=Decimal(0),
    )


class CountForm(forms.Form):
    location = forms.TypedChoiceField(label=_("Location"), coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = selectors.location_choices(stock_only=True)  # type: ignore[attr-defined]


class CountLineForm(forms.Form):
    product = ProductCodeField()
    counted = forms.DecimalField(
        label=_("Counted (base unit)"), max_digits=14, decimal_places=3, min_value=Decimal(0)
    )


class ReorderRuleForm(forms.Form):
    """A reorder rule; the packaging unit is typed by name (箱) and found on the product."""

    product = ProductCodeField()
    warehouse = forms.TypedChoiceField(
        label=_("Warehouse"), coerce=int, required=False, empty_value=None
    )
    lead_time_days = forms.IntegerField(
        label=_("Lead time (days)"),
        min_value=0,
        max_value=365,
        help_text=_("Days from placing the order to the goods arriving."),
    )
    review_period_days = forms.IntegerField(
        label=_("Review period (days)"),
        min_value=0,
        max_value=365,
        initial=7,
        help_text=_("How often you check and order this product."),
    )
    safety_days = forms.IntegerField(
        label=_("Safety days"),
        min_value=0,
        max_value=365,
        initial="0",
        help_text=_("Extra days of sales kept in reserve."),
    )
    safety_quantity = forms.DecimalField(
        label=_("Minimum stock (base unit)"),
        max_digits=14,
        decimal_places=3,
        min_value=Decimal(0),
        initial="0",
        help_text=_("Never plan below this many base units, however slow the sales."),
    )
    packaging_unit = forms.CharField(
        label=_("Order in (packaging unit)"),
        max_length=10,
        required=False,
        help_text=_("For example 箱: the suggestion is rounded up to whole cartons."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [  # type: ignore[attr-defined]
            ("", _("All warehouses together")),
            *selectors.warehouse_choices(),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = data.get("packaging_unit", "").strip()
        product = data.get("product")
        data["packaging_unit_id"] = None
        if name and product is not None:
            unit = PackagingUnit.objects.filter(product=product, name=name).first()
            if unit is None:
                units = "、".join(product.packaging_units.values_list("name", flat=True))
                self.add_error(
                    "packaging_unit",
                    _("This product has no packaging unit named “%(name)s” (it has: %(units)s).")
                    % {"name": name, "units": units or "—"},
                )
            else:
                data["packaging_unit_id"] = unit.pk
        return data
