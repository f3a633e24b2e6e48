"""The import benchmark: a 100k-row customer file through the real import service.

It generates the file as CSV and as .xlsx, imports each into its own organization (validate,
then apply), and bulk-loads the same rows into a third one (COPY on PostgreSQL, executemany
on SQLite) as the floor nothing can beat.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from openpyxl import Workbook

from qudao.core.bulk import load_rows
from qudao.imports import services
from qudao.imports.models import ImportKind, ImportStatus
from qudao.imports.specs import SPECS
from qudao.parties.models import Party, PartyKind, PartyStatus, Territory
from qudao.parties.services import PARTY_COLUMNS
from qudao.tenancy.models import Membership, Organization, User
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope

TERRITORIES = 40
REPS = 20
TYPES = ("零售商", "批发商", "二级分销商", "连锁店")
TIERS = ("A", "B", "C", "D")
KEYS = ("code", "name", "customer_type", "tier", "territory", "owner", "phone", "address")


@dataclass
class Stand:
    """An organization ready to receive customers: a boss, reps and territories."""

    org: Organization
    boss: Membership
    territory_ids: dict[str, int]
    rep_ids: dict[str, int]


def _stand(tag: str, stamp: str) -> Stand:
    org = Organization.objects.create(name=f"基准测试 {tag}", code=f"bench-{tag}-{stamp}")
    boss_user = User.objects.create(username=f"bench-boss-{tag}-{stamp}")
    boss = Membership.objects.create(org=org, user=boss_user, role=Role.BOSS)
    reps: dict[str, int] = {}
    for n in range(REPS):
        user = User.objects.create(username=f"rep{n:02d}-{tag}-{stamp}")
        reps[user.username] = Membership.objects.create(org=org, user=user, role=Role.SALES_REP).pk
    with org_scope(org):
        Territory.objects.bulk_create(
            Territory(org=org, code=f"T{n:03d}", name=f"区域{n}") for n in range(TERRITORIES)
        )
        territories = dict(Territory.objects.values_list("code", "pk"))
    return Stand(org=org, boss=boss, territory_ids=territories, rep_ids=reps)


def customer_rows(count: int, rep_names: list[str]) -> list[list[str]]:
    return [
        [
            f"C{n:07d}",
            f"测试客户{n}号商贸有限公司",
            TYPES[n % len(TYPES)],
            TIERS[n % len(TIERS)],
            f"T{n % TERRITORIES:03d}",
            rep_names[n % len(rep_names)],
            f"138{n:08d}",
            f"浙江省杭州市西湖区文三路{n % 500}号",
        ]
        for n in range(count)
    ]


def _headers() -> list[str]:
    columns = {column.key: column for column in SPECS[ImportKind.CUSTOMERS].columns}
    return [columns[key].chinese for key in KEYS]


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headers())
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_bytes(rows: list[list[str]]) -> bytes:
    book = Workbook()  # not write-only: that mode leaves out the <dimension> Excel always writes
    sheet = book.active
    sheet.title = "客户"
    sheet.append(_headers())
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(stand: Stand, name: str, content: bytes) -> dict[str, float]:
    with org_scope(stand.org), override_settings(QUDAO_IMPORT_INLINE_MAX_BYTES=1 << 40):
        started, cpu_started = time.perf_counter(), time.process_time()
        job = services.upload_import(
            org=stand.org,
            actor=stand.boss,
            kind=ImportKind.CUSTOMERS,
            file=SimpleUploadedFile(name, content),
            language="zh-hans",
        )
        validated = time.perf_counter()
        if job.status != ImportStatus.VALIDATED:
            raise SystemExit(f"the benchmark file did not validate: {job.errors[:3]}")
        job = services.request_apply(org=stand.org, actor=stand.boss, job=job)
        finished, cpu_finished = time.perf_counter(), time.process_time()
        if job.status != ImportStatus.APPLIED:
            raise SystemExit(f"the benchmark file was not applied: {job.errors[:3]}")
    return {
        "validate": validated - started,
        "apply": finished - validated,
        "total": finished - started,
        "cpu": cpu_finished - cpu_started,  # this process only: not the database server's
    }


def _floor(stand: Stand, rows: list[list[str]], rep_names: list[str]) -> float:
    """The same rows, already parsed, bulk-loaded as fast as the database takes them (COPY on
    PostgreSQL, one prepared INSERT with executemany on SQLite): the floor for any import."""
    rep_ids = [stand.rep_ids[name] for name in rep_names]
    started = time.perf_counter()
    with org_scope(stand.org), transaction.atomic():
        created_at = connection.ops.adapt_datetimefield_value(timezone.now())
        load_rows(
            Party,
            FLOOR_COLUMNS,
            (
                (
                    stand.org.pk,
                    PartyKind.CUSTOMER,
                    created_at,
                    row[1],  # the columns of PartyData, in order
                    row[0],
                    "",
                    "retailer",
                    row[3],
                    PartyStatus.ACTIVE,
                    stand.territory_ids[row[4]],
                    rep_ids[n % len(rep_ids)],
                    row[6],
                    "",
                    "",
                    "",
                    "",
                    row[7],
                    "",
                )
                for n, row in enumerate(rows)
            ),
        )
    return time.perf_counter() - started


FLOOR_COLUMNS = ("org_id", "kind", "created_at", *PARTY_COLUMNS)


def bench_import(*, rows: int, out: Callable[[str], None], workdir: Path) -> dict[str, Any]:
    stamp = str(int(time.time()))
    stands = {tag: _stand(tag, stamp) for tag in ("csv", "xlsx", "floor")}
    results: dict[str, Any] = {
        "rows": rows,
        "database": connection.vendor,
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }
    files: dict[str, bytes] = {}
    for tag in ("csv", "xlsx"):
        rep_names = sorted(stands[tag].rep_ids)
        data = customer_rows(rows, rep_names)
        files[tag] = _csv_bytes(data) if tag == "csv" else _xlsx_bytes(data)
        (workdir / f"customers.{tag}").write_bytes(files[tag])
        out(f"generated customers.{tag}: {len(files[tag]) / 2**20:.1f} MB")
    for tag in ("csv", "xlsx"):
        timing = _import(stands[tag], f"customers.{tag}", files[tag])
        out(
            f"{tag:5} import: validate {timing['validate']:.2f}s + apply {timing['apply']:.2f}s "
            f"= {timing['total']:.2f}s → {rows / timing['total']:,.0f} rows/s"
        )
        results[f"{tag}_seconds"] = round(timing["total"], 3)
        results[f"{tag}_validate_seconds"] = round(timing["validate"], 3)
        results[f"{tag}_apply_seconds"] = round(timing["apply"], 3)
        results[f"{tag}_rows_per_s"] = round(rows / timing["total"])
        results[f"{tag}_cpu_seconds"] = round(timing["cpu"], 3)
    floor_names = sorted(stands["floor"].rep_ids)
    floor = _floor(stands["floor"], customer_rows(rows, floor_names), floor_names)
    out(f"floor (bulk load of parsed rows): {floor:.2f}s → {rows / floor:,.0f} rows/s")
    slowest = max(results["csv_seconds"], results["xlsx_seconds"])
    results |= {
        "seconds": slowest,
        "rows_per_s": round(rows / slowest),
        "floor_seconds": round(floor, 3),
        "ratio": round(slowest / floor, 2),
    }
    return results
