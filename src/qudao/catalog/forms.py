"""Catalog forms: they parse input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qudao.catalog.models import Brand, Category, LaunchStatus, PriceKind
from qudao.core.forms import DateInput
from qudao.parties.models import Party, PartyKind, Tier


def _blank(label: str | Any) -> list[tuple[str, Any]]:
    return [("", label)]


class BrandForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=None)
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Party.objects.filter(  # type: ignore[attr-defined]
            kind=PartyKind.SUPPLIER, archived_at__isnull=True
        ).order_by("name")


class CategoryForm(forms.Form):
    parent = forms.ModelChoiceField(label=_("Parent category"), queryset=None, required=False)
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)

    def __init__(self, *args: Any, category: Category | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Category.objects.filter(archived_at__isnull=True).order_by("path")
        if category is not None:
            parents = parents.exclude(path__startswith=category.path)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["parent"].label_from_instance = (  # type: ignore[attr-defined]
            lambda c: "\u2003" * c.depth + c.name
        )


class ProductForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    specification = forms.CharField(
        label=_("Specification"),
        max_length=200,
        required=False,
        help_text=_("For example 500ml×12 or 53%vol."),
    )
    barcode = forms.CharField(
        label=_("Barcode"),
        max_length=32,
        required=False,
        help_text=_("13-digit codes are checked as EAN-13."),
    )
    base_unit = forms.CharField(
        label=_("Base unit"),
        max_length=10,
        help_text=_("The smallest unit sold and counted, such as 瓶, 台, 个 or 袋."),
    )
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=None, required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False)
    launch_status = forms.ChoiceField(label=_("Launch status"), choices=LaunchStatus.choices)
    launch_date = forms.DateField(label=_("Launch date"), required=False, widget=DateInput())
    is_serialized = forms.BooleanField(label=_("Track serial numbers"), required=False)
    warranty_policy_code = forms.CharField(
        label=_("Warranty policy code"), max_length=40, required=False
    )
    image_url = forms.URLField(
        label=_("Image URL"), max_length=500, required=False, assume_scheme="https"
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = Brand.objects.filter(  # type: ignore[attr-defined]
            archived_at__isnull=True
        ).order_by("name")
        self.fields["category"].queryset = Category.objects.filter(  # type: ignore[attr-defined]
            archived_at__isnull=True
        ).order_by("path")
        self.fields["category"].label_from_instance = (  # type: ignore[attr-defined]
            lambda c: "\u2003" * c.depth + c.name
        )


class PackagingForm(forms.Form):
    name = forms.CharField(label=_("Unit"), max_length=10, required=False)
    factor = forms.DecimalField(
        label=_("Base units per unit"), max_digits=14, decimal_places=3, required=False
    )
    barcode = forms.CharField(label=_("Barcode"), max_length=32, required=False)


PackagingFormSet = forms.formset_factory(PackagingForm, extra=2, max_num=20)


class PriceListForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PriceKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    supplier = forms.ModelChoiceField(
        label=_("Supplier"),
        queryset=None,
        required=False,
        help_text=_("Purchase price lists only."),
    )
    tier = forms.ChoiceField(
        label=_("Customer tier"),
        choices=_blank(_("All tiers")) + list(Tier.choices),
        required=False,
        help_text=_("Wholesale price lists only: leave empty for the default list."),
    )
    customer_code = forms.CharField(
        label=_("Customer code"),
        max_length=40,
        required=False,
        help_text=_("Wholesale price lists for one customer only."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_to = forms.DateField(
        label=_("Valid to"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty while the list has no end date."),
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Party.objects.filter(  # type: ignore[attr-defined]
            kind=PartyKind.SUPPLIER, archived_at__isnull=True
        ).order_by("name")

    def clean_customer_code(self) -> Party | None:
        code = self.cleaned_data["customer_code"].strip()
        if not code:
            return None
        customer = Party.objects.filter(kind=PartyKind.CUSTOMER, code=code).first()
        if customer is None:
            raise forms.ValidationError(
                _("No customer has the code %(code)s."), params={"code": code}
            )
        return customer


class RenamePriceListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)


def _product_by_code(code: str) -> Any:
    from qudao.catalog.models import Product

    product = Product.objects.filter(code=code.strip()).first()
    if product is None:
        raise forms.ValidationError(_("No product has the code %(code)s."), params={"code": code})
    return product


class PriceItemForm(forms.Form):
    """Add a price to a list, or change one from a date."""

    product_code = forms.CharField(label=_("Product code"), max_length=40)
    unit_price = forms.DecimalField(
        label=_("Unit price (per base unit)"), max_digits=18, decimal_places=4, min_value=0
    )
    min_quantity = forms.DecimalField(
        label=_("Minimum quantity"),
        max_digits=14,
        decimal_places=3,
        min_value=0,
        required=False,
        help_text=_("For quantity breaks; leave empty for any quantity."),
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to use the list's start."),
    )

    def clean_product_code(self) -> Any:
        return _product_by_code(self.cleaned_data["product_code"])


class ChangePriceForm(PriceItemForm):
    """Change a price from a day: the old price ends the day before."""

    valid_from = forms.DateField(
        label=_("New price from"),
        widget=DateInput(),
        help_text=_("Today at the earliest: past prices are never rewritten."),
    )


class PriceCheckForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=PriceKind.choices, initial=PriceKind.WHOLESALE
    )
    customer_code = forms.CharField(label=_("Customer code"), max_length=40, required=False)
    product_code = forms.CharField(label=_("Product code"), max_length=40)
    on = forms.DateField(label=_("Date"), widget=DateInput())
    quantity = forms.DecimalField(
        label=_("Quantity (base units)"), max_digits=14, decimal_places=3, min_value=0
    )

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in PriceKind.choices if value in kinds
            ]

    def clean_product_code(self) -> Any:
        return _product_by_code(self.cleaned_data["product_code"])

    def clean_customer_code(self) -> Party | None:
        code = self.cleaned_data["customer_code"].strip()
        if not code:
            return None
        customer = Party.objects.filter(kind=PartyKind.CUSTOMER, code=code).first()
        if customer is None:
            raise forms.ValidationError(
                _("No customer has the code %(code)s."), params={"code": code}
            )
        return customer
