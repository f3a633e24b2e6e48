"""Brand pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qudao.catalog import selectors, services
from qudao.catalog.exports import xlsx_response
from qudao.catalog.forms import (
    BrandForm,
)
from qudao.catalog.models import Brand
from qudao.catalog.views.shared import _listing_page, _show_refusal
from qudao.core.errors import BusinessRuleViolation
from qudao.core.listing import Column, Listing
from qudao.tenancy.decorators import member_required
from qudao.tenancy.roles import Perm

BRAND_COLUMNS = (
    Column("code", gettext_lazy("Code"), "code"),
    Column("name", gettext_lazy("Name"), "name"),
    Column("supplier", gettext_lazy("Supplier"), "supplier__name"),
    Column("products", gettext_lazy("Products"), numeric=True),
    Column("actions", ""),
)


def _brand_listing(request: HttpRequest) -> Listing[Brand]:
    return Listing(
        request=request,
        queryset=selectors.brands(),
        columns=BRAND_COLUMNS,
        search_fields=("code", "name", "pinyin", "supplier__name"),
        default_sort="name",
    )


@member_required(Perm.VIEW_CATALOG)
def brand_list(request: HttpRequest) -> HttpResponse:
    return _listing_page(
        request,
        _brand_listing(request),
        "catalog/brand_list.html",
        {
            "row_template": "catalog/_brand_row.html",
            "search_placeholder": _("Search by code, name, pinyin initials or supplier"),
            "export_url": reverse("catalog-brand-export"),
            "can_edit": services.can_edit_catalog(request.membership),  # type: ignore[attr-defined]
        },
    )


@member_required(Perm.VIEW_CATALOG)
def brand_export(request: HttpRequest) -> HttpResponse:
    rows = _brand_listing(request).rows()
    return xlsx_response(
        filename="brands",
        title=_("Brands"),
        headers=[_("Code"), _("Name"), _("Supplier"), _("Products")],
        rows=((b.code, b.name, b.supplier.name, b.product_count) for b in rows),  # type: ignore[attr-defined]
    )


def _brand_form(request: HttpRequest, brand: Brand | None) -> HttpResponse:
    initial = (
        {
            "supplier": brand.supplier_id,
            "code": brand.code,
            "name": brand.name,
            "notes": brand.notes,
        }
        if brand
        else {}
    )
    form = BrandForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "supplier_id": data["supplier"].pk,
            "code": data["code"],
            "name": data["name"],
            "notes": data["notes"],
        }
        try:
            if brand is None:
                brand = services.create_brand(org=request.org, actor=request.membership, **values)  # type: ignore[attr-defined]
            else:
                brand = services.update_brand(
                    org=request.org,
                    actor=request.membership,
                    brand=brand,
                    **values,  # type: ignore[attr-defined]
                )
        except BusinessRuleViolation as refusal:
            _show_refusal(form, refusal, {})
        else:
            messages.success(request, _("%(brand)s was saved.") % {"brand": brand})
            return redirect("catalog-brand-list")
    return render(request, "catalog/brand_form.html", {"form": form, "brand": brand})


@member_required(Perm.EDIT_CATALOG)
def brand_create(request: HttpRequest) -> HttpResponse:
    return _brand_form(request, None)


@member_required(Perm.EDIT_CATALOG)
def brand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _brand_form(request, get_object_or_404(Brand, pk=pk))


@require_POST
@member_required(Perm.EDIT_CATALOG)
def brand_archive(request: HttpRequest, pk: int) -> HttpResponse:
    brand = get_object_or_404(Brand, pk=pk)
    try:
        services.archive_brand(org=request.org, actor=request.membership, brand=brand)  # type: ignore[attr-defined]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(brand)s was archived.") % {"brand": brand})
    return redirect("catalog-brand-list")
