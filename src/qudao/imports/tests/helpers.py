"""Building upload files for tests: CSV in any encoding, .xlsx from rows."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from qudao.imports import services
from qudao.imports.models import ImportJob
from qudao.tenancy.models import Membership, Organization

CUSTOMER_HEADERS = [
    "客户编码",
    "客户名称",
    "客户类型",
    "客户等级",
    "区域编码",
    "负责业务员",
    "电话",
]


def csv_file(
    headers: list[str], rows: list[list[str]], *, encoding: str = "utf-8", name: str = "data.csv"
) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), "text/csv")


def xlsx_file(
    headers: list[str], rows: list[list[object]], *, name: str = "data.xlsx"
) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def customer_rows(count: int, *, start: int = 1) -> list[list[str]]:
    return [
        [f"C{n:05d}", f"客户{n}", "零售商", "A", "", "", f"138{n:08d}"]
        for n in range(start, start + count)
    ]


def upload(
    org: Organization,
    actor: Membership,
    file: SimpleUploadedFile,
    kind: str = "customers",
) -> ImportJob:
    return services.upload_import(org=org, actor=actor, kind=kind, file=file, language="en")


def problems(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["code"]) for e in job.errors]
