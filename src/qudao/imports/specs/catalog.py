"""Import kinds for the catalog: products (with up to two packaging units) and prices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from decimal import Decimal
from operator import attrgetter
from typing import ClassVar, Final, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qudao.catalog.models import Brand, Category, LaunchStatus, PriceList, Product
from qudao.catalog.services import (
    NewPrice,
    PackagingDraft,
    PriceDraft,
    ProductDraft,
    check_new_prices,
    check_new_products,
    insert_prices,
    insert_products,
)
from qudao.catalog.validation import product_problems
from qudao.imports.reading import Cell
from qudao.imports.specs.base import (
    Checker,
    Column,
    Report,
    Spec,
    choice,
    choice_lookup,
    date,
    decimal,
    optional_date,
    required,
    text,
    yes_no,
)
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.roles import Perm

CHINESE_LAUNCH_STATUSES: Final = {
    LaunchStatus.NEW: ("新品", "新"),
    LaunchStatus.ACTIVE: ("在售", "正常", "上市"),
    LaunchStatus.PHASING_OUT: ("逐步下市", "下市中", "清货"),
    LaunchStatus.DISCONTINUED: ("停产", "已停产", "停售"),
}
DRAFT_FIELDS: Final = tuple(f.name for f in fields(ProductDraft) if f.name != "packaging_units")
DRAFT_VALUES: Final = attrgetter(*DRAFT_FIELDS)
PACKAGING: Final = (("pack1_unit", "pack1_factor"), ("pack2_unit", "pack2_factor"))
# A problem the catalog reports about a draft's field → the column it came from.
PRODUCT_FIELD_COLUMNS: Final = {
    "code": "code",
    "name": "name",
    "base_unit": "base_unit",
    "barcode": "barcode",
    "launch_status": "launch_status",
    "packaging_units": "pack1_unit",
    "brand": "brand",
    "category": "category",
}
PRICE_FIELD_COLUMNS: Final = {
    "price_list": "price_list",
    "product": "product",
    "unit_price": "unit_price",
    "min_quantity": "min_quantity",
    "valid_from": "valid_from",
}
PRICE_FIELD_CODES: Final = {
    "price_list": "unknown_price_list",
    "product": "unknown_product",
    "unit_price": "invalid_price",
    "min_quantity": "invalid_quantity",
    "valid_from": "overlapping_price",
}


def _add(report: Report, row: int, key: str, message: str, code: str) -> None:
    report.add(
        row,
        key,
        _("Row %(row)s, column “%(column)s”: %(message)s")
        % {"row": row, "column": report.headers.get(key, key), "message": message},
        code,
    )


def _unknown(report: Report, row: int, key: str, value: Cell, code: str) -> None:
    _add(report, row, key, _("there is no “%(value)s”.") % {"value": value}, code)


class ProductChecker(Checker):
    def __init__(self, *, org: Organization) -> None:
        self.org = org
        # One query per referenced table; nothing is read per row.
        self.brands = dict(Brand.objects.filter(archived_at__isnull=True).values_list("code", "pk"))
        self.categories = dict(
            Category.objects.filter(archived_at__isnull=True).values_list("code", "pk")
        )
        self.statuses = choice_lookup(LaunchStatus.choices, CHINESE_LAUNCH_STATUSES)
        self.statuses_allowed = " / ".join(str(label) for _v, label in LaunchStatus.choices)

    def check(self, row: int, values: Mapping[str, Cell], report: Report) -> ProductDraft | None:
        before = report.count
        fields: dict[str, object] = {}
        for key, limit, needed in (
            ("code", 40, True),
            ("name", 200, True),
            ("base_unit", 10, True),
            ("barcode", 32, False),
            ("specification", 200, False),
            ("notes", 5000, False),
        ):
            value = values.get(key, "")
            if needed and not required(value, row, key, report):
                continue
            if value != "":
                fields[key] = text(value, row, key, report, max_length=limit)
        for key, lookup, code in (
            ("brand", self.brands, "unknown_brand"),
            ("category", self.categories, "unknown_category"),
        ):
            value = values.get(key, "")
            if value != "":
                found = lookup.get(str(value))
                if found is None:
                    _unknown(report, row, key, value, code)
                fields[f"{key}_id"] = found
        value = values.get("is_serialized", "")
        fields["is_serialized"] = yes_no(value, row, "is_serialized", report)
        value = values.get("launch_status", "")
        if value != "":
            fields["launch_status"] = choice(
                value,
                row,
                "launch_status",
                report,
                lookup=self.statuses,
                allowed=self.statuses_allowed,
            )
        value = values.get("launch_date", "")
        if value != "":
            fields["launch_date"] = date(value, row, "launch_date", report)
        units = []
        for unit_key, factor_key in PACKAGING:
            unit, factor = values.get(unit_key, ""), values.get(factor_key, "")
            if unit == "" and factor == "":
                continue
            if not (
                required(unit, row, unit_key, report) & required(factor, row, factor_key, report)
            ):
                continue
            amount = decimal(factor, row, factor_key, report, places=3, minimum=Decimal("0"))
            name = text(unit, row, unit_key, report, max_length=10)
            if amount is not None and name is not None:
                units.append(PackagingDraft(name=name, factor=amount))
        if report.count != before:
            return None
        draft = ProductDraft(packaging_units=tuple(units), **fields)  # type: ignore[arg-type]
        for field, message in product_problems(draft).items():
            _add(report, row, PRODUCT_FIELD_COLUMNS.get(field, "code"), message, f"invalid_{field}")
        return draft if report.count == before else None

    def finish(self, report: Report, rows: Sequence[tuple[int, object]]) -> None:
        drafts = [cast("ProductDraft", draft) for _number, draft in rows]
        for index, problems in sorted(check_new_products(drafts).items()):
            for field, message in problems.items():
                code = "duplicate_code" if field == "code" else f"invalid_{field}"
                _add(
                    report, rows[index][0], PRODUCT_FIELD_COLUMNS.get(field, "code"), message, code
                )

    def insert(self, *, actor: Membership, rows: Sequence[object]) -> int:
        drafts = cast("Sequence[ProductDraft]", rows)
        return insert_products(org=self.org, actor=actor, drafts=drafts)

    def encode(self, row: object) -> list[object]:
        draft = cast("ProductDraft", row)
        units = [[unit.name, unit.factor, unit.barcode] for unit in draft.packaging_units]
        return [*DRAFT_VALUES(draft), units]

    def decode(self, values: list[object]) -> ProductDraft:
        *plain, units = values
        fields = dict(zip(DRAFT_FIELDS, plain, strict=True))
        fields["launch_date"] = optional_date(fields["launch_date"])
        packaging = tuple(
            PackagingDraft(name=name, factor=Decimal(factor), barcode=barcode)
            for name, factor, barcode in cast("list[list[str]]", units)
        )
        return ProductDraft(packaging_units=packaging, **fields)  # type: ignore[arg-type]


class ProductSpec(Spec):
    kind: ClassVar[str] = "products"
    perm: ClassVar[Perm] = Perm.EDIT_CATALOG
    notes: ClassVar = (
        gettext_noop(
            "Packaging: write each larger unit in its own pair of columns, the unit's name in "
            "“包装单位1” and how many base units it holds in “包装数量1”; for example 箱 and 12 "
            "when a case holds 12 bottles. Use “包装单位2”/“包装数量2” for a second unit such "
            "as 盒, or leave them empty."
        ),
        gettext_noop("Brands and categories must exist already; write their codes."),
    )
    columns: ClassVar = (
        Column("code", gettext_noop("Product code"), "商品编码", required=True, example="P00001"),
        Column(
            "name",
            gettext_noop("Product name"),
            "商品名称",
            required=True,
            example="飞天茅台53度500ml",
        ),
        Column("barcode", gettext_noop("Barcode"), "条码", example="6901234567892"),
        Column("specification", gettext_noop("Specification"), "规格", example="500ml"),
        Column(
            "brand",
            gettext_noop("Brand code"),
            "品牌编码",
            example="B001",
            hint=gettext_noop("The code of a brand"),
        ),
        Column(
            "category",
            gettext_noop("Category code"),
            "类别编码",
            example="CAT01",
            hint=gettext_noop("The code of a category"),
        ),
        Column(
            "base_unit",
            gettext_noop("Base unit"),
            "基本单位",
            required=True,
            example="瓶",
            hint=gettext_noop("The smallest unit sold; quantities and prices are per base unit"),
        ),
        Column(
            "pack1_unit",
            gettext_noop("Package unit 1"),
            "包装单位1",
            example="箱",
            hint=gettext_noop("A larger unit, such as 箱; fill in its quantity too"),
        ),
        Column(
            "pack1_factor",
            gettext_noop("Base units per package 1"),
            "包装数量1",
            example="12",
            hint=gettext_noop("How many base units one package holds: 箱 and 12 mean 1 箱 = 12 瓶"),
        ),
        Column(
            "pack2_unit",
            gettext_noop("Package unit 2"),
            "包装单位2",
            example="盒",
            hint=gettext_noop("A second package unit, such as 盒 (optional)"),
        ),
        Column(
            "pack2_factor",
            gettext_noop("Base units per package 2"),
            "包装数量2",
            example="6",
            hint=gettext_noop("How many base units the second package holds"),
        ),
        Column(
            "is_serialized",
            gettext_noop("Serial numbers"),
            "序列号管理",
            example="否",
            hint=gettext_noop("是 or 否: whether each item carries its own serial number"),
        ),
        Column(
            "launch_status",
            gettext_noop("Launch status"),
            "上市状态",
            example="在售",
            hint=gettext_noop("New, active, phasing out or discontinued; empty means new"),
        ),
        Column(
            "launch_date",
            gettext_noop("Launch date"),
            "上市日期",
            example="2026-03-01",
            hint=gettext_noop("A date such as 2026-03-01"),
        ),
        Column("notes", gettext_noop("Notes"), "备注"),
    )

    def prepare(self, *, org: Organization, actor: Membership) -> Checker:
        return ProductChecker(org=org)


class PriceChecker(Checker):
    def __init__(self, *, org: Organization) -> None:
        self.org = org
        self.lists: dict[str, list[PriceList]] = {}
        for price_list in PriceList.objects.filter(archived_at__isnull=True, is_void=False):
            self.lists.setdefault(price_list.name, []).append(price_list)
        self.products = dict(Product.objects.values_list("code", "pk"))

    def check(self, row: int, values: Mapping[str, Cell], report: Report) -> NewPrice | None:
        before = report.count
        price_list = None
        name = values.get("price_list", "")
        if required(name, row, "price_list", report):
            found = self.lists.get(str(name), [])
            if not found:
                _unknown(report, row, "price_list", name, "unknown_price_list")
            elif len(found) > 1:
                _add(
                    report,
                    row,
                    "price_list",
                    _("several price lists are called “%(value)s”; rename one.") % {"value": name},
                    "ambiguous_price_list",
                )
            else:
                price_list = found[0]
        product_id = None
        code = values.get("product", "")
        if required(code, row, "product", report):
            product_id = self.products.get(str(code))
            if product_id is None:
                _unknown(report, row, "product", code, "unknown_product")
        unit_price = None
        value = values.get("unit_price", "")
        if required(value, row, "unit_price", report):
            unit_price = decimal(value, row, "unit_price", report, places=4, minimum=Decimal(0))
        minimum = Decimal(0)
        value = values.get("min_quantity", "")
        if value != "":
            minimum = decimal(value, row, "min_quantity", report, places=3, minimum=Decimal(0))
        starts = ends = None
        value = values.get("valid_from", "")
        if value != "":
            starts = date(value, row, "valid_from", report)
        value = values.get("valid_to", "")
        if value != "":
            ends = date(value, row, "valid_to", report)
        if report.count != before or price_list is None or product_id is None:
            return None
        return NewPrice(
            price_list_id=price_list.pk,
            price=PriceDraft(
                product_id=product_id,
                unit_price=cast("Decimal", unit_price),
                min_quantity=cast("Decimal", minimum),
                valid_from=starts,
                valid_to=ends,
            ),
        )

    def finish(self, report: Report, rows: Sequence[tuple[int, object]]) -> None:
        prices = [cast("NewPrice", price) for _number, price in rows]
        problems = check_new_prices(prices)
        for index, found in sorted(problems.items()):
            number = rows[index][0]
            for field, message in found.items():
                key = PRICE_FIELD_COLUMNS.get(field, "valid_from")
                _add(report, number, key, message, PRICE_FIELD_CODES.get(field, "invalid_price"))

    def insert(self, *, actor: Membership, rows: Sequence[object]) -> int:
        prices = cast("Sequence[NewPrice]", rows)
        return insert_prices(org=self.org, actor=actor, rows=prices)

    def encode(self, row: object) -> list[object]:
        new = cast("NewPrice", row)
        price = new.price
        return [
            new.price_list_id,
            price.product_id,
            price.unit_price,
            price.min_quantity,
            price.valid_from,
            price.valid_to,
        ]

    def decode(self, values: list[object]) -> NewPrice:
        list_id, product_id, unit_price, minimum, starts, ends = values
        price = PriceDraft(
            product_id=cast("int", product_id),
            unit_price=Decimal(str(unit_price)),
            min_quantity=Decimal(str(minimum)),
            valid_from=optional_date(starts),
            valid_to=optional_date(ends),
        )
        return NewPrice(price_list_id=cast("int", list_id), price=price)


class PriceSpec(Spec):
    kind: ClassVar[str] = "prices"
    perm: ClassVar[Perm] = Perm.EDIT_PRICES
    notes: ClassVar = (
        gettext_noop(
            "Each row adds one price to an existing price list, named in the first column. "
            "A price may not be valid on a day another price of the same product and scope "
            "is; quantity breaks of one list (different minimum quantities) may share dates."
        ),
    )
    columns: ClassVar = (
        Column(
            "price_list",
            gettext_noop("Price list"),
            "价格表",
            required=True,
            example="2026年批发价",
            hint=gettext_noop("The name of an existing price list; the rows add prices to it"),
        ),
        Column(
            "product", gettext_noop("Product code"), "商品编码", required=True, example="P00001"
        ),
        Column(
            "unit_price",
            gettext_noop("Unit price"),
            "单价",
            required=True,
            example="12.50",
            hint=gettext_noop("Per base unit, zero or more, at most 4 decimals"),
        ),
        Column(
            "min_quantity",
            gettext_noop("Minimum quantity"),
            "起订数量",
            example="0",
            hint=gettext_noop(
                "In base units; the price applies from this quantity (empty means 0)"
            ),
        ),
        Column(
            "valid_from",
            gettext_noop("Valid from"),
            "生效日期",
            example="2026-01-01",
            hint=gettext_noop("Empty means the price list's first day"),
        ),
        Column(
            "valid_to",
            gettext_noop("Valid to"),
            "失效日期",
            example="2026-12-31",
            hint=gettext_noop("Empty means until the price list ends"),
        ),
    )

    def prepare(self, *, org: Organization, actor: Membership) -> Checker:
        return PriceChecker(org=org)
