"""Forms for returns, damage claims and consignment; choices are built per request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qudao.finance.claims import RECOVERY_CHOICES
from qudao.finance.models import BANK
from qudao.inventory.models import Location, LocationKind
from qudao.parties.models import Party, PartyKind
from qudao.sales.forms import DATE, QUANTITY
from qudao.sales.models import DeliveryLine
from qudao.sales.models_returns import Bearer, Disposition
from qudao.sales.selectors_consignment import StockRow


def _locations(*kinds: str) -> list[tuple[str, str]]:
    rows = (
        Location.objects.filter(kind__in=kinds, archived_at__isnull=True)
        .select_related("warehouse")
        .order_by("warehouse__code", "kind", "code")
    )
    return [
        (str(loc.pk), f"{loc.warehouse.name} / {loc.name} ({loc.get_kind_display()})")
        for loc in rows
    ]


def _line_label(line: DeliveryLine) -> str:
    order_line = line.order_line
    return f"{order_line.product_code} {order_line.product_name} ({order_line.base_unit})"


class ReturnForm(forms.Form):
    """Per delivery line: how much comes back, restock or scrap, where, and which serials."""

    reason = forms.CharField(label=_("Reason for the return"), max_length=300)

    def __init__(self, *args: Any, lines: list[tuple[DeliveryLine, Decimal]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.delivery_lines = lines
        places = _locations(LocationKind.INTERNAL, LocationKind.DAMAGED)
        for line, left in lines:
            label = _line_label(line)
            self.fields[f"qty_{line.pk}"] = forms.DecimalField(
                label=label, initial=Decimal(0), max_value=left, required=False, **QUANTITY
            )
            self.fields[f"disposition_{line.pk}"] = forms.ChoiceField(
                label=_("Restock or scrap"), choices=Disposition.choices
            )
            self.fields[f"location_{line.pk}"] = forms.TypedChoiceField(
                label=_("Into"), choices=places, coerce=int
            )
            if line.order_line.product.is_serialized:
                self.fields[f"serials_{line.pk}"] = forms.CharField(
                    label=_("Serial numbers coming back, one per line"),
                    widget=forms.Textarea(attrs={"rows": 3}),
                    required=False,
                )

    def entries(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "delivery_line_id": line.pk,
                "quantity": data[f"qty_{line.pk}"],
                "disposition": data[f"disposition_{line.pk}"],
                "location_id": data[f"location_{line.pk}"],
                "serials": (data.get(f"serials_{line.pk}") or "").split(),
            }
            for line, _left in self.delivery_lines
            if data.get(f"qty_{line.pk}")
        ]


class DamageForm(forms.Form):
    bearer = forms.ChoiceField(label=_("Who bears the loss"), choices=Bearer.choices)
    description = forms.CharField(label=_("What is broken and how"), max_length=300)
    claim_amount = forms.DecimalField(
        label=_("Amount claimed from the carrier or manufacturer"),
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
    )
    carrier = forms.CharField(label=_("Carrier"), max_length=100, required=False)
    carrier_party = forms.TypedChoiceField(
        label=_("The carrier as a party (when it is set up as a supplier)"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    supplier = forms.TypedChoiceField(
        label=_("Manufacturer"), coerce=int, required=False, empty_value=None
    )
    photo = forms.FileField(label=_("Photo"), required=False)

    def __init__(self, *args: Any, lines: list[tuple[DeliveryLine, Decimal]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.delivery_lines = lines
        suppliers = Party.objects.filter(
            kind=PartyKind.SUPPLIER, archived_at__isnull=True
        ).order_by("code")
        choices = [("", "—")] + [
            (str(p.pk), f"{p.code} {p.name}") for p in suppliers.only("pk", "code", "name")
        ]
        self.fields["supplier"].choices = choices  # type: ignore[attr-defined]
        self.fields["carrier_party"].choices = choices  # type: ignore[attr-defined]
        for line, shipped in lines:
            self.fields[f"qty_{line.pk}"] = forms.DecimalField(
                label=_line_label(line),
                initial=Decimal(0),
                max_value=shipped,
                required=False,
                **QUANTITY,
            )

    def quantities(self) -> dict[int, Decimal]:
        return {
            line.pk: self.cleaned_data[f"qty_{line.pk}"]
            for line, _left in self.delivery_lines
            if self.cleaned_data.get(f"qty_{line.pk}")
        }


class SettleClaimForm(forms.Form):
    """What the carrier or the manufacturer paid and where it came in; the rest is written off."""

    amount = forms.DecimalField(
        label=_("Amount received or agreed"), max_digits=18, decimal_places=2, min_value=Decimal(0)
    )
    received_into = forms.ChoiceField(
        label=_("Received into"), choices=RECOVERY_CHOICES, initial=BANK, required=False
    )
    date = forms.DateField(label=_("Date"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SellThroughForm(forms.Form):
    """Units sold per product in a period; one field per product held on consignment."""

    period_start = forms.DateField(label=_("Sold from"), widget=DATE)
    period_end = forms.DateField(label=_("Sold until"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, rows: list[StockRow], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows = [row for row in rows if row.unreported > 0]
        for row in self.rows:
            self.fields[f"product_{row.product.pk}"] = forms.DecimalField(
                label=f"{row.product.code} {row.product.name} ({row.product.base_unit})",
                help_text=_("%(left)s at the store, not reported yet")
                % {"left": f"{row.unreported.normalize():f}"},
                initial=Decimal(0),
                required=False,
                **QUANTITY,
            )

    def quantities(self) -> dict[int, Decimal]:
        return {
            row.product.pk: self.cleaned_data[f"product_{row.product.pk}"]
            for row in self.rows
            if self.cleaned_data.get(f"product_{row.product.pk}")
        }


class UploadForm(forms.Form):
    period_start = forms.DateField(label=_("Sold from"), widget=DATE)
    period_end = forms.DateField(label=_("Sold until"), widget=DATE)
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv): product code in column A, units sold in column B")
    )


class RecallForm(forms.Form):
    location = forms.TypedChoiceField(label=_("Bring back into"), coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, rows: list[StockRow], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = _locations(LocationKind.INTERNAL)  # type: ignore[attr-defined]
        self.rows = [row for row in rows if row.unreported > 0]
        for row in self.rows:
            self.fields[f"product_{row.product.pk}"] = forms.DecimalField(
                label=f"{row.product.code} {row.product.name} ({row.product.base_unit})",
                max_value=row.unreported,
                initial=Decimal(0),
                required=False,
                **QUANTITY,
            )

    def quantities(self) -> dict[int, Decimal]:
        return {
            row.product.pk: self.cleaned_data[f"product_{row.product.pk}"]
            for row in self.rows
            if self.cleaned_data.get(f"product_{row.product.pk}")
        }
