"""Pages for products, brands, categories, price lists and the price check."""

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
    BrandForm,
    CategoryForm,
    ChangePriceForm,
    PackagingFormSet,
    PriceCheckForm,
    PriceItemForm,
    PriceListForm,
    ProductForm,
    RenamePriceListForm,
)
from qudao.catalog.models import Brand, Category, LaunchStatus, PriceKind, PriceList, Product
from qudao.core.errors import BusinessRuleViolation
from qudao.core.listing import Column, Filter, Listing
from qudao.tenancy.decorators import member_required
from qudao.tenancy.roles import Perm

# --- shared -----------------------------------------------------------------------------


def _show_refusal(form: Any, refusal: BusinessRuleViolation, aliases: dict[str, str]) -> None:
    """Put a service's refusal on the form: per field where it can, else on top."""
    placed = False
    for field, message in refusal.fields.items():
        name = aliases.get(field, field)
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, refusal.message)


def _listing_page(
    request: HttpRequest, listing: Listing[Any], template: str, extra: dict[str, object]
) -> HttpResponse:
    context = listing.context() | {"list_url": request.path} | extra
    chosen = "shell/_list.html" if request.htmx else template  # type: ignore[attr-defined]
    return render(request, chosen, context)


# --- products ---------------------------------------------------------------------------

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


# --- brands -----------------------------------------------------------------------------

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


# --- categories -------------------------------------------------------------------------


@member_required(Perm.VIEW_CATALOG)
def category_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/category_list.html",
        {
            "categories": selectors.category_tree(),
            "can_edit": services.can_edit_catalog(request.membership),  # type: ignore[attr-defined]
        },
    )


def _category_form(request: HttpRequest, category: Category | None) -> HttpResponse:
    initial = (
        {"parent": category.parent_id, "code": category.code, "name": category.name}
        if category
        else {"parent": request.GET.get("parent")}
    )
    form = CategoryForm(request.POST or None, initial=initial, category=category)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "code": data["code"],
            "name": data["name"],
            "parent_id": data["parent"].pk if data["parent"] else None,
        }
        try:
            if category is None:
                category = services.create_category(
                    org=request.org,
                    actor=request.membership,
                    **values,  # type: ignore[attr-defined]
                )
            else:
                category = services.update_category(
                    org=request.org,
                    actor=request.membership,
                    category=category,
                    **values,  # type: ignore[attr-defined]
                )
        except BusinessRuleViolation as refusal:
            _show_refusal(form, refusal, {})
        else:
            messages.success(request, _("%(category)s was saved.") % {"category": category})
            return redirect("catalog-category-list")
    return render(request, "catalog/category_form.html", {"form": form, "category": category})


@member_required(Perm.EDIT_CATALOG)
def category_create(request: HttpRequest) -> HttpResponse:
    return _category_form(request, None)


@member_required(Perm.EDIT_CATALOG)
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _category_form(request, get_object_or_404(Category, pk=pk))


@require_POST
@member_required(Perm.EDIT_CATALOG)
def category_archive(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=pk)
    try:
        services.archive_category(org=request.org, actor=request.membership, category=category)  # type: ignore[attr-defined]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(category)s was archived.") % {"category": category})
    return redirect("catalog-category-list")


# --- price lists ------------------------------------------------------------------------

PRICELIST_COLUMNS = (
    Column("name", gettext_lazy("Name"), "name"),
    Column("kind", gettext_lazy("Kind"), "kind"),
    Column("scope", gettext_lazy("For"), phone=False),
    Column("valid_from", gettext_lazy("Valid from"), "valid_from"),
    Column("valid_to", gettext_lazy("Valid to"), "valid_to", phone=False),
    Column("items", gettext_lazy("Prices"), numeric=True, phone=False),
    Column("status", gettext_lazy("Status")),
)


def _pricelist_listing(request: HttpRequest) -> Listing[PriceList]:
    kinds = selectors.visible_price_kinds(request.membership)  # type: ignore[attr-defined]
    return Listing(
        request=request,
        queryset=selectors.price_lists(request.membership),  # type: ignore[attr-defined]
        columns=PRICELIST_COLUMNS,
        search_fields=("name", "customer__name", "customer__code", "supplier__name"),
        filters=(
            Filter(
                "kind",
                gettext_lazy("Kind"),
                "kind",
                [(v, label) for v, label in PriceKind.choices if v in kinds],
            ),
        ),
        default_sort="-valid_from",
    )


def _visible_price_list(request: HttpRequest, pk: int) -> PriceList:
    """A price list the member may see; a hidden purchase list is a 404, like a missing one."""
    return get_object_or_404(
        selectors.price_lists(request.membership).select_related("customer", "supplier"),  # type: ignore[attr-defined]
        pk=pk,
    )


@member_required(Perm.VIEW_CATALOG)
def pricelist_list(request: HttpRequest) -> HttpResponse:
    return _listing_page(
        request,
        _pricelist_listing(request),
        "catalog/pricelist_list.html",
        {
            "row_template": "catalog/_pricelist_row.html",
            "search_placeholder": _("Search by name, customer or supplier"),
            "export_url": reverse("catalog-pricelist-export"),
            "can_edit": services.can_edit_prices(request.membership),  # type: ignore[attr-defined]
            "check_form": PriceCheckForm(
                initial={"on": timezone.localdate().isoformat(), "quantity": 1},
                kinds=selectors.visible_price_kinds(request.membership),  # type: ignore[attr-defined]
            ),
        },
    )


@member_required(Perm.VIEW_CATALOG)
def pricelist_export(request: HttpRequest) -> HttpResponse:
    rows = _pricelist_listing(request).rows()
    return xlsx_response(
        filename="price-lists",
        title=_("Price lists"),
        headers=[_("Name"), _("Kind"), _("For"), _("Valid from"), _("Valid to"), _("Prices")],
        rows=(
            (
                p.name,
                p.get_kind_display(),
                _scope_label(p),
                p.valid_from,
                p.valid_to,
                p.item_count,  # type: ignore[attr-defined]
            )
            for p in rows
        ),
    )


def _scope_label(price_list: PriceList) -> str:
    scope = price_list.scope
    if scope == "supplier":
        return str(price_list.supplier)
    if scope == "customer":
        return str(price_list.customer)
    if scope == "tier":
        return _("Tier %(tier)s") % {"tier": price_list.tier}
    if scope == "default":
        return _("All customers")
    return _("Everyone")


@member_required(Perm.EDIT_PRICES)
def pricelist_create(request: HttpRequest) -> HttpResponse:
    form = PriceListForm(
        request.POST or None,
        initial={"kind": PriceKind.WHOLESALE, "valid_from": timezone.localdate().isoformat()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            price_list = services.create_price_list(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                draft=services.PriceListDraft(
                    kind=data["kind"],
                    name=data["name"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                    supplier_id=data["supplier"].pk if data["supplier"] else None,
                    customer_id=data["customer_code"].pk if data["customer_code"] else None,
                    tier=data["tier"],
                    notes=data["notes"],
                ),
            )
        except BusinessRuleViolation as refusal:
            _show_refusal(form, refusal, {"customer": "customer_code"})
        else:
            messages.success(request, _("%(list)s was created.") % {"list": price_list})
            return redirect("catalog-pricelist-detail", pk=price_list.pk)
    return render(request, "catalog/pricelist_form.html", {"form": form})


def _pricelist_page(request: HttpRequest, price_list: PriceList, **forms: Any) -> HttpResponse:
    items = selectors.items_of(price_list)
    today = timezone.localdate()
    return render(
        request,
        "catalog/pricelist_detail.html",
        {
            "price_list": price_list,
            "scope_label": _scope_label(price_list),
            "items": items[:500],
            "item_count": items.count(),
            "today": today,
            "can_edit": services.can_edit_prices(request.membership)  # type: ignore[attr-defined]
            and price_list.archived_at is None,
            "add_form": forms.get("add_form") or PriceItemForm(prefix="add"),
            "change_form": forms.get("change_form")
            or ChangePriceForm(prefix="change", initial={"valid_from": today.isoformat()}),
            "rename_form": forms.get("rename_form")
            or RenamePriceListForm(initial={"name": price_list.name, "notes": price_list.notes}),
            "check_form": PriceCheckForm(
                initial={
                    "on": today.isoformat(),
                    "quantity": 1,
                    "kind": price_list.kind,
                    "customer_code": price_list.customer.code if price_list.customer else "",
                },
                kinds=selectors.visible_price_kinds(request.membership),  # type: ignore[attr-defined]
            ),
        },
    )


@member_required(Perm.VIEW_CATALOG)
def pricelist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _pricelist_page(request, _visible_price_list(request, pk))


@member_required(Perm.VIEW_CATALOG)
def pricelist_items_export(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = _visible_price_list(request, pk)
    return xlsx_response(
        filename=f"price-list-{price_list.pk}",
        title=price_list.name,
        headers=[
            _("Product code"),
            _("Product"),
            _("Base unit"),
            _("Minimum quantity"),
            _("Unit price"),
            _("Valid from"),
            _("Valid to"),
        ],
        rows=(
            (
                i.product.code,
                i.product.name,
                i.product.base_unit,
                i.min_quantity,
                i.unit_price,
                i.valid_from,
                i.valid_to,
            )
            for i in selectors.items_of(price_list).iterator(chunk_size=2000)
        ),
    )


@require_POST
@member_required(Perm.EDIT_PRICES)
def pricelist_add_item(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = _visible_price_list(request, pk)
    form = PriceItemForm(request.POST, prefix="add")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_price(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                price_list=price_list,
                price=services.PriceDraft(
                    product_id=data["product_code"].pk,
                    unit_price=data["unit_price"],
                    min_quantity=data["min_quantity"] or Decimal(0),
                    valid_from=data["valid_from"],
                ),
            )
        except BusinessRuleViolation as refusal:
            _show_refusal(form, refusal, {"product": "product_code"})
        else:
            messages.success(request, _("The price was added."))
            return redirect("catalog-pricelist-detail", pk=pk)
    return _pricelist_page(request, price_list, add_form=form)


@require_POST
@member_required(Perm.EDIT_PRICES)
def pricelist_set_price(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = _visible_price_list(request, pk)
    form = ChangePriceForm(request.POST, prefix="change")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_price(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                price_list=price_list,
                product_id=data["product_code"].pk,
                unit_price=data["unit_price"],
                valid_from=data["valid_from"],
                min_quantity=data["min_quantity"] or Decimal(0),
            )
        except BusinessRuleViolation as refusal:
            _show_refusal(form, refusal, {"product": "product_code"})
        else:
            messages.success(
                request, _("The new price was saved; the old one stays in the history.")
            )
            return redirect("catalog-pricelist-detail", pk=pk)
    return _pricelist_page(request, price_list, change_form=form)


@require_POST
@member_required(Perm.EDIT_PRICES)
def pricelist_rename(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = _visible_price_list(request, pk)
    form = RenamePriceListForm(request.POST)
    if form.is_valid():
        try:
            services.rename_price_list(
                org=request.org,  # type: ignore[attr-defined]
                actor=request.membership,  # type: ignore[attr-defined]
                price_list=price_list,
                name=form.cleaned_data["name"],
                notes=form.cleaned_data["notes"],
            )
        except BusinessRuleViolation as refusal:
            _show_refusal(form, refusal, {})
        else:
            messages.success(request, _("Saved."))
            return redirect("catalog-pricelist-detail", pk=pk)
    return _pricelist_page(request, price_list, rename_form=form)


@require_POST
@member_required(Perm.EDIT_PRICES)
def pricelist_archive(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = _visible_price_list(request, pk)
    try:
        services.archive_price_list(
            org=request.org, actor=request.membership, price_list=price_list
        )  # type: ignore[attr-defined]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(list)s was archived.") % {"list": price_list})
    return redirect("catalog-pricelist-detail", pk=pk)


@member_required(Perm.VIEW_CATALOG)
def price_check(request: HttpRequest) -> HttpResponse:
    """Which price applies, and why: the same lookup every document uses."""
    kinds = selectors.visible_price_kinds(request.membership)  # type: ignore[attr-defined]
    form = PriceCheckForm(request.GET or None, kinds=kinds)
    quote = None
    problem = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            quote = selectors.price_for(
                org=request.org,  # type: ignore[attr-defined]
                customer_id=data["customer_code"].pk if data["customer_code"] else None,
                product_id=data["product_code"].pk,
                on=data["on"],
                quantity=data["quantity"],
                kind=data["kind"],
            )
        except BusinessRuleViolation as refusal:
            problem = refusal.message
    context = {"check_form": form, "quote": quote, "problem": problem}
    template = "catalog/_price_check.html" if request.htmx else "catalog/price_check.html"  # type: ignore[attr-defined]
    return render(request, template, context)
