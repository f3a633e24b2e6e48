"""The downloadable template: an .xlsx with the kind's headers and a sheet of notes."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from qudao.imports.specs import Spec

REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")


def template_workbook(spec: Spec, *, language: str) -> bytes:
    """Headers in the user's language (Chinese by default), required ones bold on yellow."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Data"))
    headers = []
    for column in spec.columns:
        cell = WriteOnlyCell(sheet, value=column.header(language))
        if column.required:
            cell.font = Font(bold=True)
            cell.fill = REQUIRED_FILL
        headers.append(cell)
    for index, column in enumerate(spec.columns):
        width = max(12, len(column.header(language)) * 2 + 4)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.append(headers)
    notes = book.create_sheet(_("Notes"))
    notes.append([_("Column"), _("Required"), _("What to write"), _("Example")])
    for column in spec.columns:
        notes.append(
            [
                column.header(language),
                _("yes") if column.required else "",
                _(column.hint) if column.hint else "",
                column.example,
            ]
        )
    notes.append([])
    notes.append([_("Fill in the first sheet from row 2. Extra columns are ignored.")])
    for line in spec.notes:
        notes.append([_(line)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
