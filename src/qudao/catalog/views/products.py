"""Product pages: list, export, detail, create, edit, archive."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.catalog import selectors, services
from qudao.catalog.exports import xlsx_response
from qudao.catalog.forms import (
    PackagingFormSet,
    ProductForm,
)
from qudao.catalog.models import LaunchStatus, Product
from qudao.catalog.views.shared import _listing_page, _show_refusal
from qudao.core.errors import BusinessRuleViolation
from qudao.core.listing import Column, Filter, Listing
from qudao.tenancy.decorators import member_required
from qudao.tenancy.roles import Perm

PRODUCT_COLUMNS = (
    Column("code", gettext_lazy("Code"), "code"),
    Column("name", gettext_lazy("Name"), "name"),
    Column("specification", gettext_lazy("Specification"), phone=False),
    Column("brand", gettext_lazy("Brand")),
    Column("category", gettext_lazy("Category"), phone=False),
    Column("unit", gettext_lazy("Base unit"), phone=False),
    Column("status", gettext_lazy("Launch status"), "launch_status"),
    Column("launch_date", gettext_lazy("Launch date"), "launch_date", phone=False),
)


def _product_listing(request: HttpRequest) -> Listing[Product]:
    return Listing(
        request=request,
        queryset=selectors.products(),
        columns=PRODUCT_COLUMNS,
        search_fields=("code", "name", "pinyin", "barcode", "packaging_units__barcode"),
        filters=(
            Filter(
                "brand",
                gettext_lazy("Brand"),
                "brand_id",
                [(str(b.pk), b.name) for b in selectors.live_brands()],
            ),
            Filter(
                "category",
                gettext_lazy("Category"),
                "category__path__startswith",
                selectors.category_choices(),
            ),
            Filter("status", gettext_lazy("Launch status"), "launch_status", LaunchStatus.choices),
        ),
        default_sort="code",
    )


@member_required(Perm.VIEW_CATALOG)
def product_list(request: HttpRequest) -> HttpResponse:
    listing = _product_listing(request)
    listing.queryset = listing.queryset.distinct() if listing.search else listing.queryset
    return _listing_page(
        request,
        listing,
        "catalog/product_list.html",
        {
            "row_template": "catalog/_product_row.html",
            "search_placeholder": _("Search by code, name, pinyin initials or barcode"),
            "export_url": reverse("catalog-product-export"),
            "can_edit": services.can_edit_catalog(request.membership),  # type: ignore[attr-defined]
        },
    )


@member_required(Perm.VIEW_CATALOG)
def product_export(request: HttpRequest) -> HttpResponse:
    listing = _product_listing(request)
    rows = listing.rows().distinct() if listing.search else listing.rows()
    return xlsx_response(
        filename="products",
        title=_("Products"),
        headers=[
            _("Code"),
            _("Name"),
            _("Specification"),
            _("Barcode"),
            _("Brand"),
            _("Category"),
            _("Base unit"),
            _("Serialized"),
            _("Launch status"),
            _("Launch date"),
            _("Warranty policy code"),
        ],
        rows=(
            (
                p.code,
                p.name,
                p.specification,
                p.barcode,
                p.brand.name if p.brand else "",
                p.category.name if p.category else "",
                p.base_unit,
                p.is_serialized,
                p.get_launch_status_display(),
                p.launch_date,
                p.warranty_policy_code,
            )
            for p in rows.iterator(chunk_size=2000)
        ),
    )


def _product_draft(form: ProductForm, formset: Any) -> services.ProductDraft:
    data = form.cleaned_data
    units = tuple(
        services.PackagingDraft(
            name=row["name"].strip(),
            factor=row["factor"] or Decimal(0),
            barcode=row["barcode"].strip(),
        )
        for row in formset.cleaned_data
        if row and row.get("name", "").strip()
    )
    return services.ProductDraft(
        code=data["code"],
        name=data["name"],
        base_unit=data["base_unit"],
        barcode=data["barcode"].strip(),
        specification=data["specification"],
        brand_id=data["brand"].pk if data["brand"] else None,
        category_id=data["category"].pk if data["category"] else None,
        is_serialized=data["is_serialized"],
        launch_status=data["launch_status"],
        launch_date=data["launch_date"],
        warranty_policy_code=data["warranty_policy_code"],
        image_url=data["image_url"],
        notes=data["notes"],
        packaging_units=units,
    )


def _product_form(request: HttpRequest, product: Product | None) -> HttpResponse:
    initial: dict[str, Any] = {"launch_status": LaunchStatus.NEW}
    units: list[dict[str, Any]] = []
    if product is not None:
        initial = {
            "code": product.code,
            "name": product.name,
            "specification": product.specification,
            "barcode": product.barcode,
            "base_unit": product.base_unit,
            "brand": product.brand_id,
            "category": product.category_id,
            "launch_status": product.launch_status,
            "launch_date": product.launch_date.isoformat() if product.launch_date else None,
            "is_serialized": product.is_serialized,
            "warranty_policy_code": product.warranty_policy_code,
            "image_url": product.image_url,
            "notes": product.notes,
        }
        units = [
            {"name": u.name, "factor": f"{u.factor.normalize():f}", "barcode": u.barcode}
            for u in product.packaging_units.all()
        ]
    form = ProductForm(request.POST or None, initial=initial)
    formset = PackagingFormSet(request.POST or None, initial=units, prefix="units")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        draft = _product_draft(form, formset)
        try:
            if product is None:
                product = services.create_product(
                    org=request.org,
                    actor=request.membership,
                    draft=draft,  # type: ignore[attr-defined]
                )
            else:
                product = services.update_product(
                    org=request.org,
                    actor=request.membership,
                    product=product,
                    draft=draft,  # type: ignore[attr-defined]
                )
        except BusinessRuleViolation as refusal:
            _show_refusal(form, refusal, {})
        else:
            messages.success(request, _("%(product)s was saved.") % {"product": product})
            return redirect("catalog-product-detail", pk=product.pk)
    return render(
        request,
        "catalog/product_form.html",
        {"form": form, "formset": formset, "product": product},
    )


@member_required(Perm.EDIT_CATALOG)
def product_create(request: HttpRequest) -> HttpResponse:
    return _product_form(request, None)


@member_required(Perm.EDIT_CATALOG)
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _product_form(request, get_object_or_404(Product, pk=pk))


@member_required(Perm.VIEW_CATALOG)
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(
        Product.objects.select_related("brand__supplier", "category").prefetch_related(
            "packaging_units"
        ),
        pk=pk,
    )
    actor = request.membership  # type: ignore[attr-defined]
    today = timezone.localdate()
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "current_prices": selectors.current_prices(actor=actor, product=product, on=today),
            "price_history": selectors.price_history(actor=actor, product=product)[:100],
            "history": product.history.select_related("history_user").order_by("-history_date")[
                :20
            ],
            "can_edit": services.can_edit_catalog(actor),
            "today": today,
        },
    )


@require_POST
@member_required(Perm.EDIT_CATALOG)
def product_archive(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    try:
        services.archive_product(org=request.org, actor=request.membership, product=product)  # type: ignore[attr-defined]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(product)s was archived.") % {"product": product})
    return redirect("catalog-product-detail", pk=pk)
