"""Every change to brands, categories, products and their packaging units."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import ProtectedError, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.catalog.models import Brand, Category, PackagingUnit, Product
from qudao.catalog.validation import ProductDraft, pinyin_initials, product_problems
from qudao.core.errors import BusinessRuleViolation
from qudao.parties.models import Party, PartyKind
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event

# --- brands -----------------------------------------------------------------------------


def _supplier(supplier_id: int | None) -> Party:
    supplier = Party.objects.filter(
        pk=supplier_id, kind=PartyKind.SUPPLIER, archived_at__isnull=True
    ).first()
    if supplier is None:
        message = _("Choose one of this organization's suppliers.")
        raise BusinessRuleViolation(message, code="supplier_required", fields={"supplier": message})
    return supplier


def _ensure_code_free(model: type[Brand | Category | Product], code: str, pk: int | None) -> None:
    if not code:
        message = _("Enter a code.")
        raise BusinessRuleViolation(message, code="code_required", fields={"code": message})
    if model.objects.filter(code=code).exclude(pk=pk).exists():
        message = _("The code “%(code)s” is already used.") % {"code": code}
        raise BusinessRuleViolation(message, code="duplicate_code", fields={"code": message})


@transaction.atomic
def create_brand(
    *,
    org: Organization,
    actor: Membership | None,
    supplier_id: int,
    code: str,
    name: str,
    notes: str = "",
) -> Brand:
    """Add a brand owned by one of our suppliers."""
    require_perm(actor, Perm.EDIT_CATALOG)
    code, name = code.strip(), name.strip()
    supplier = _supplier(supplier_id)
    _ensure_code_free(Brand, code, None)
    brand = Brand.objects.create(
        org=org, supplier=supplier, code=code, name=name, pinyin=pinyin_initials(name), notes=notes
    )
    record_event(org=org, actor=actor, subject=brand, verb="created")
    return brand


@transaction.atomic
def update_brand(
    *,
    org: Organization,
    actor: Membership | None,
    brand: Brand,
    supplier_id: int,
    code: str,
    name: str,
    notes: str = "",
) -> Brand:
    require_perm(actor, Perm.EDIT_CATALOG)
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    code, name = code.strip(), name.strip()
    supplier = _supplier(supplier_id) if supplier_id != brand.supplier_id else brand.supplier
    _ensure_code_free(Brand, code, brand.pk)
    brand.supplier, brand.code, brand.name, brand.notes = supplier, code, name, notes
    brand.pinyin = pinyin_initials(name)
    brand.save(update_fields=["supplier", "code", "name", "notes", "pinyin"])
    record_event(org=org, actor=actor, subject=brand, verb="updated")
    return brand


@transaction.atomic
def archive_brand(*, org: Organization, actor: Membership | None, brand: Brand) -> Brand:
    """Hide a brand from pickers; its products keep it."""
    require_perm(actor, Perm.EDIT_CATALOG)
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    if brand.archived_at is None:
        brand.archived_at = timezone.now()
        brand.save(update_fields=["archived_at"])
        record_event(org=org, actor=actor, subject=brand, verb="archived")
    return brand


# --- categories -------------------------------------------------------------------------


def _segment(pk: int) -> str:
    return f"{pk:08d}/"


def _live_category(category_id: int | None, field: str = "category") -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id, archived_at__isnull=True).first()
    if category is None:
        message = _("Choose one of this organization's categories.")
        raise BusinessRuleViolation(message, code="category_not_found", fields={field: message})
    return category


@transaction.atomic
def create_category(
    *,
    org: Organization,
    actor: Membership | None,
    code: str,
    name: str,
    parent_id: int | None = None,
) -> Category:
    """Add a category under `parent_id` (or at the top)."""
    require_perm(actor, Perm.EDIT_CATALOG)
    code, name = code.strip(), name.strip()
    parent = _live_category(parent_id, "parent")
    _ensure_code_free(Category, code, None)
    category = Category.objects.create(
        org=org, parent=parent, code=code, name=name, depth=parent.depth + 1 if parent else 0
    )
    category.path = (parent.path if parent else "") + _segment(category.pk)
    category.save(update_fields=["path"])
    record_event(org=org, actor=actor, subject=category, verb="created")
    return category


@transaction.atomic
def update_category(
    *,
    org: Organization,
    actor: Membership | None,
    category: Category,
    code: str,
    name: str,
    parent_id: int | None = None,
) -> Category:
    """Rename or move a category; moving it moves its whole subtree."""
    require_perm(actor, Perm.EDIT_CATALOG)
    category = Category.objects.select_for_update().get(pk=category.pk)
    code, name = code.strip(), name.strip()
    _ensure_code_free(Category, code, category.pk)
    category.code, category.name = code, name
    fields = ["code", "name"]
    if parent_id != category.parent_id:
        parent = _live_category(parent_id, "parent")
        if parent is not None and parent.path.startswith(category.path):
            message = _("A category cannot be moved under itself or one of its subcategories.")
            raise BusinessRuleViolation(message, code="category_cycle", fields={"parent": message})
        old_path, old_depth = category.path, category.depth
        new_path = (parent.path if parent else "") + _segment(category.pk)
        new_depth = parent.depth + 1 if parent else 0
        Category.objects.filter(path__startswith=old_path).exclude(pk=category.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        )
        for child in Category.objects.filter(path__startswith=new_path).exclude(pk=category.pk):
            child.depth = child.depth - old_depth + new_depth
            child.save(update_fields=["depth"])
        category.parent, category.path, category.depth = parent, new_path, new_depth
        fields += ["parent", "path", "depth"]
    category.save(update_fields=fields)
    record_event(org=org, actor=actor, subject=category, verb="updated")
    return category


@transaction.atomic
def archive_category(
    *, org: Organization, actor: Membership | None, category: Category
) -> Category:
    """Hide a category from pickers; refused while it has live subcategories."""
    require_perm(actor, Perm.EDIT_CATALOG)
    category = Category.objects.select_for_update().get(pk=category.pk)
    if category.children.filter(archived_at__isnull=True).exists():
        raise BusinessRuleViolation(
            _("Archive the subcategories of “%(name)s” first.") % {"name": category.name},
            code="category_has_children",
        )
    if category.archived_at is None:
        category.archived_at = timezone.now()
        category.save(update_fields=["archived_at"])
        record_event(org=org, actor=actor, subject=category, verb="archived")
    return category


# --- products ---------------------------------------------------------------------------


def _refuse(fields: dict[str, str]) -> BusinessRuleViolation:
    first = next(iter(fields.values()))
    return BusinessRuleViolation(first, code="invalid_product", fields=fields)


def _taken_barcodes(barcodes: Sequence[str], product_pk: int | None) -> set[str]:
    """Which of `barcodes` another product (or its packaging) already carries."""
    wanted = [b for b in barcodes if b]
    if not wanted:
        return set()
    on_products = Product.objects.filter(barcode__in=wanted).exclude(pk=product_pk)
    on_units = PackagingUnit.objects.filter(barcode__in=wanted).exclude(product_id=product_pk)
    return set(on_products.values_list("barcode", flat=True)) | set(
        on_units.values_list("barcode", flat=True)
    )


def _check_product(draft: ProductDraft, product: Product | None) -> None:
    problems = product_problems(draft)
    if problems:
        raise _refuse(problems)
    pk = product.pk if product else None
    if Product.objects.filter(code=draft.code.strip()).exclude(pk=pk).exists():
        raise _refuse({"code": _("The code “%(code)s” is already used.") % {"code": draft.code}})
    taken = _taken_barcodes([draft.barcode, *(u.barcode for u in draft.packaging_units)], pk)
    if taken:
        message = _("The barcode %(barcode)s is already used by another product.") % {
            "barcode": ", ".join(sorted(taken))
        }
        raise _refuse({"barcode" if draft.barcode in taken else "packaging_units": message})
    if draft.brand_id is not None and (product is None or draft.brand_id != product.brand_id):
        if not Brand.objects.filter(pk=draft.brand_id, archived_at__isnull=True).exists():
            raise _refuse({"brand": _("Choose one of this organization's brands.")})
    if draft.category_id is not None and (
        product is None or draft.category_id != product.category_id
    ):
        _live_category(draft.category_id)


def _apply(product: Product, draft: ProductDraft) -> None:
    product.code = draft.code.strip()
    product.name = draft.name.strip()
    product.pinyin = pinyin_initials(product.name)
    product.barcode = draft.barcode
    product.specification = draft.specification.strip()
    product.brand_id = draft.brand_id
    product.category_id = draft.category_id
    product.base_unit = draft.base_unit.strip()
    product.is_serialized = draft.is_serialized
    product.launch_status = draft.launch_status
    product.launch_date = draft.launch_date
    product.warranty_policy_code = draft.warranty_policy_code.strip()
    product.image_url = draft.image_url
    product.notes = draft.notes


def _sync_packaging(org: Organization, product: Product, draft: ProductDraft) -> None:
    """Make the product's packaging units match the draft, keeping rows whose name stays."""
    wanted = {u.name.strip(): u for u in draft.packaging_units}
    existing = {u.name: u for u in product.packaging_units.all()}
    gone = [u.pk for name, u in existing.items() if name not in wanted]
    if gone:
        try:
            PackagingUnit.objects.filter(pk__in=gone).delete()
        except ProtectedError as used:
            raise BusinessRuleViolation(
                _("A packaging unit that documents use cannot be removed."),
                code="packaging_in_use",
            ) from used
    for name, unit in wanted.items():
        row = existing.get(name)
        if row is None:
            PackagingUnit.objects.create(
                org=org, product=product, name=name, factor=unit.factor, barcode=unit.barcode
            )
        elif (row.factor, row.barcode) != (unit.factor, unit.barcode):
            row.factor, row.barcode = unit.factor, unit.barcode
            row.save(update_fields=["factor", "barcode"])


@transaction.atomic
def create_product(*, org: Organization, actor: Membership | None, draft: ProductDraft) -> Product:
    """Add a product with its packaging units; pinyin initials are computed from its name."""
    require_perm(actor, Perm.EDIT_CATALOG)
    _check_product(draft, None)
    product = Product(org=org)
    _apply(product, draft)
    product.save()
    _sync_packaging(org, product, draft)
    record_event(org=org, actor=actor, subject=product, verb="created")
    return product


@transaction.atomic
def update_product(
    *, org: Organization, actor: Membership | None, product: Product, draft: ProductDraft
) -> Product:
    """Change a product and replace its packaging units with the draft's."""
    require_perm(actor, Perm.EDIT_CATALOG)
    product = Product.objects.select_for_update().get(pk=product.pk)
    _check_product(draft, product)
    _apply(product, draft)
    product.save()
    _sync_packaging(org, product, draft)
    record_event(org=org, actor=actor, subject=product, verb="updated")
    return product


@transaction.atomic
def archive_product(*, org: Organization, actor: Membership | None, product: Product) -> Product:
    """Hide a product from lists and pickers; its prices and history stay."""
    require_perm(actor, Perm.EDIT_CATALOG)
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.archived_at is None:
        product.archived_at = timezone.now()
        product.save(update_fields=["archived_at"])
        record_event(org=org, actor=actor, subject=product, verb="archived")
    return product


def check_products(drafts: Sequence[ProductDraft]) -> dict[int, dict[str, str]]:
    """Row index → field problems for a batch of new products, in a handful of queries.

    For imports: run it over every row first, show the problems, and only if there are none
    call `create_product` for each row in one transaction.
    """
    problems: dict[int, dict[str, str]] = {}
    for index, draft in enumerate(drafts):
        if found := product_problems(draft):
            problems[index] = found
    codes = [d.code.strip() for d in drafts]
    existing_codes = set(Product.objects.filter(code__in=codes).values_list("code", flat=True))
    barcodes = [b for d in drafts for b in (d.barcode, *(u.barcode for u in d.packaging_units))]
    taken = _taken_barcodes(barcodes, None)
    brand_ids = {d.brand_id for d in drafts if d.brand_id is not None}
    live_brands = set(
        Brand.objects.filter(pk__in=brand_ids, archived_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    category_ids = {d.category_id for d in drafts if d.category_id is not None}
    live_categories = set(
        Category.objects.filter(pk__in=category_ids, archived_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    seen_codes: set[str] = set()
    seen_barcodes: set[str] = set()
    for index, draft in enumerate(drafts):
        row = problems.setdefault(index, {})
        code = draft.code.strip()
        if code in existing_codes:
            row.setdefault("code", _("The code “%(code)s” is already used.") % {"code": code})
        elif code in seen_codes:
            row.setdefault("code", _("The code “%(code)s” appears twice.") % {"code": code})
        seen_codes.add(code)
        for barcode in (draft.barcode, *(u.barcode for u in draft.packaging_units)):
            if barcode and (barcode in taken or barcode in seen_barcodes):
                row.setdefault(
                    "barcode",
                    _("The barcode %(barcode)s is already used by another product.")
                    % {"barcode": barcode},
                )
            seen_barcodes.add(barcode)
        if draft.brand_id is not None and draft.brand_id not in live_brands:
            row.setdefault("brand", _("Choose one of this organization's brands."))
        if draft.category_id is not None and draft.category_id not in live_categories:
            row.setdefault("category", _("Choose one of this organization's categories."))
    return {index: row for index, row in problems.items() if row}
