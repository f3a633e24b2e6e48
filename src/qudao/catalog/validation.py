"""Checks on catalog input that need no database: barcodes, units, pinyin initials.

Pure functions, so a spreadsheet import can run them over thousands of rows before it
touches the database; the services run the same checks again before they write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin


def ean13_check_digit(first_twelve: str) -> int:
    """The check digit of an EAN-13 code from its first 12 digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return (10 - total % 10) % 10


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == int(code[12])


def barcode_problem(barcode: str) -> str | None:
    """Why `barcode` is refused, or None; 13-digit codes must carry a valid EAN-13 check digit."""
    if not barcode:
        return None
    if len(barcode) > 32 or not barcode.isascii() or not barcode.isalnum():
        return _("A barcode has up to 32 letters and digits, without spaces.")
    if len(barcode) == 13 and barcode.isdigit() and not is_valid_ean13(barcode):
        return _(
            "“%(barcode)s” is not a valid EAN-13 barcode: its check digit should be %(digit)s."
        ) % {
            "barcode": barcode,
            "digit": ean13_check_digit(barcode[:12]),
        }
    return None


def pinyin_initials(text: str) -> str:
    """The lower-case initials of the Chinese in `text`, with Latin letters and digits kept.

    "飞天茅台53度" → "ftmt53d": lets staff find a product by typing a few letters.
    """
    parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for part in parts for ch in part.lower() if ch.isascii() and ch.isalnum())


@dataclass(frozen=True)
class PackagingDraft:
    """A packaging unit as entered: 1 `name` = `factor` base units."""

    name: str
    factor: Decimal
    barcode: str = ""


@dataclass(frozen=True)
class ProductDraft:
    """A product's fields as entered on the page, in the API or in a spreadsheet row."""

    code: str
    name: str
    base_unit: str
    barcode: str = ""
    specification: str = ""
    brand_id: int | None = None
    category_id: int | None = None
    is_serialized: bool = False
    launch_status: str = "new"
    launch_date: date | None = None
    warranty_policy_code: str = ""
    image_url: str = ""
    notes: str = ""
    packaging_units: tuple[PackagingDraft, ...] = field(default_factory=tuple)


def product_problems(draft: ProductDraft) -> dict[str, str]:
    """Field → message for everything wrong with `draft` that can be seen without the database."""
    from qudao.catalog.models import LaunchStatus

    problems: dict[str, str] = {}
    if not draft.code.strip():
        problems["code"] = _("Enter the product code.")
    if not draft.name.strip():
        problems["name"] = _("Enter the product name.")
    if not draft.base_unit.strip():
        problems["base_unit"] = _("Enter the base unit, such as 瓶 or 个.")
    if message := barcode_problem(draft.barcode):
        problems["barcode"] = message
    if draft.launch_status not in LaunchStatus.values:
        problems["launch_status"] = _("Choose a launch status.")
    if message := packaging_problem(draft.base_unit, draft.packaging_units, draft.barcode):
        problems["packaging_units"] = message
    return problems


def packaging_problem(
    base_unit: str, units: Iterable[PackagingDraft], product_barcode: str = ""
) -> str | None:
    """Why the packaging units are refused, or None."""
    seen_names: set[str] = set()
    seen_barcodes: set[str] = {product_barcode} if product_barcode else set()
    for unit in units:
        name = unit.name.strip()
        if not name:
            return _("Each packaging unit needs a name, such as 箱.")
        if name == base_unit.strip():
            return _("The packaging unit “%(name)s” has the same name as the base unit.") % {
                "name": name
            }
        if name in seen_names:
            return _("The packaging unit “%(name)s” appears twice.") % {"name": name}
        seen_names.add(name)
        if unit.factor <= 0:
            return _("The packaging unit “%(name)s” must hold more than zero base units.") % {
                "name": name
            }
        if unit.factor != unit.factor.quantize(Decimal("0.001")):
            return _("The packaging unit “%(name)s” may have at most 3 decimals.") % {"name": name}
        if message := barcode_problem(unit.barcode):
            return message
        if unit.barcode and unit.barcode in seen_barcodes:
            return _("The barcode %(barcode)s is used twice on this product.") % {
                "barcode": unit.barcode
            }
        if unit.barcode:
            seen_barcodes.add(unit.barcode)
    return None
