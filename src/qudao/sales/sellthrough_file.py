"""Reading a sell-through spreadsheet: product code (or barcode) in column A, units sold in
column B; a header row is skipped; .xlsx or CSV (UTF-8 or GBK)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from qudao.catalog.models import Product
from qudao.core.errors import BusinessRuleViolation

MAX_ROWS = 5000


def _refuse(message: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code="invalid_file", fields={"file": message})


def _rows(stream: IO[bytes], name: str) -> list[tuple[int, object, object]]:
    data = stream.read()
    if not data:
        raise _refuse(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as error:  # any unreadable workbook gets the same answer
            raise _refuse(_("This workbook cannot be read.")) from error
        rows = [
            (number, *(list(values) + [None, None])[:2])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    elif name.lower().endswith((".csv", ".txt")):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise _refuse(_("The file is not in UTF-8 or GBK."))
        rows = [
            (number, *(cells + ["", ""])[:2])
            for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1)
        ]
    else:
        raise _refuse(_("Upload an .xlsx workbook or a .csv file."))
    return [row for row in rows if any(str(cell or "").strip() for cell in row[1:])][:MAX_ROWS]


def read_sell_through(stream: IO[bytes], *, name: str) -> dict[int, Decimal]:
    """product id → units sold; refuses the whole file on the first bad row."""
    quantities: dict[int, Decimal] = {}
    for number, code_cell, quantity_cell in _rows(stream, name):
        code = str(code_cell or "").strip()
        try:
            quantity = Decimal(str(quantity_cell).strip())
        except InvalidOperation:
            if number == 1:
                continue  # the header
            raise _refuse(
                _("Row %(row)s: “%(value)s” is not a quantity.")
                % {"row": number, "value": quantity_cell}
            ) from None
        product = (
            Product.objects.filter(Q(code=code) | Q(barcode=code)).only("pk").first()
            if code
            else None
        )
        if product is None:
            raise _refuse(
                _("Row %(row)s: no product has the code “%(code)s”.")
                % {"row": number, "code": code}
            )
        if not quantity.is_finite() or quantity < 0:
            raise _refuse(_("Row %(row)s: the quantity cannot be negative.") % {"row": number})
        quantities[product.pk] = quantities.get(product.pk, Decimal(0)) + quantity
    if not quantities:
        raise _refuse(_("The file lists no products."))
    return quantities
