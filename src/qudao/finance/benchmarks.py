"""The aging benchmark: a million open invoices over 50,000 customers, loaded with COPY, then the
real aging report for every customer as of a date, against the best hand-written query.

Only what the report reads is loaded, and kept consistent: invoices (amount_paid and
amount_credited agree with the allocations and credit notes), credit notes, payments and their
allocations. Every invoice points at one placeholder journal entry (a posted invoice must have
one); the ledger itself is not loaded, the report does not read it.
"""

from __future__ import annotations

import datetime
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from qudao.finance.aging import STATEMENT_SETTINGS, aging_report, aging_sql
from qudao.finance.models import (
    Allocation,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    JournalEntry,
    Payment,
    PaymentMethod,
)
from qudao.parties.models import Party, PartyKind, PartyStatus, Territory
from qudao.tenancy.models import Membership, Organization, User
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope

AS_OF = datetime.date(2026, 6, 30)
INVOICES_PER_CUSTOMER = 20
REPS = 20
TERRITORIES = 40
REPEATS = 3


def _text(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def _copy(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """COPY `rows` (values of `columns`) into `model`'s table; other columns get their default."""
    now = timezone.now()
    rest: dict[str, object] = {}
    for field in model._meta.concrete_fields:
        if field.column in columns or field.primary_key or field.generated:
            continue  # generated columns (open_fen) are the database's own
        value = field.get_default()
        if value is None and not field.null:
            value = now if isinstance(field, models.DateTimeField) else now.date()
        rest[field.column] = value
    tail = "".join("\t" + _text(v) for v in rest.values())
    names = ", ".join([*columns, *rest])
    count = 0
    buffer: list[str] = []
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            for row in rows:
                buffer.append("\t".join(_text(v) for v in row) + tail + "\n")
                count += 1
                if len(buffer) >= 50_000:
                    copy.write("".join(buffer))
                    buffer.clear()
            if buffer:
                copy.write("".join(buffer))
    return count


def _sync_sequence(model: type[models.Model]) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def _money(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _load(org: Organization, boss: Membership, customers: int, out: Callable[[str], None]) -> int:
    """Customers, invoices, credit notes, payments and allocations, by COPY; returns invoices."""
    rng = random.Random(20260630)
    now = timezone.now()
    reps = []
    for n in range(REPS):
        user = User.objects.create(username=f"bench-aging-rep{n:02d}-{org.pk}")
        reps.append(Membership.objects.create(org=org, user=user, role=Role.SALES_REP).pk)
    Territory.objects.bulk_create(
        Territory(org=org, code=f"T{n:03d}", name=f"区域{n}", path=f"T{n:03d}")
        for n in range(TERRITORIES)
    )
    territory_ids = list(Territory.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    _copy(
        Party,
        ("org_id", "kind", "code", "name", "status", "owner_id", "territory_id"),
        (
            (
                org.pk,
                PartyKind.CUSTOMER,
                f"C{n:07d}",
                f"测试客户{n}号商贸有限公司",
                PartyStatus.ACTIVE,
                reps[n % REPS],
                territory_ids[n % TERRITORIES],
            )
            for n in range(customers)
        ),
    )
    customer_ids = list(Party.objects.order_by("pk").values_list("pk", flat=True))
    entry = JournalEntry.objects.create(
        org=org, number="BENCH", date=AS_OF, memo="benchmark placeholder", posted_at=now
    )
    invoices = customers * INVOICES_PER_CUSTOMER
    invoice_rows: list[tuple[object, ...]] = []
    credit_rows: list[tuple[object, ...]] = []
    payment_rows: list[tuple[object, ...]] = []
    allocation_rows: list[tuple[object, ...]] = []
    next_id = invoices + 1
    for n in range(invoices):
        pk = n + 1
        customer = customer_ids[n % customers]
        date = AS_OF - datetime.timedelta(days=rng.randrange(400))
        term = rng.choice((0, 30, 60))
        fen = rng.randrange(100, 1_000_000)
        paid = fen * 3 // 10 if rng.random() < 0.3 else 0
        credited = fen // 10 if rng.random() < 0.05 else 0
        if paid:
            paid_on = date + datetime.timedelta(days=rng.randrange(90))
            payment_rows.append(
                (
                    len(payment_rows) + 1,
                    org.pk,
                    f"RC{len(payment_rows):08d}",
                    customer,
                    paid_on,
                    _money(paid),
                    _money(paid),
                    PaymentMethod.BANK_TRANSFER,
                    now,
                    boss.pk,
                )
            )
            allocation_rows.append(
                (
                    org.pk,
                    len(payment_rows),
                    pk,
                    _money(paid),
                    paid_on,
                    customer,
                    date,
                    date + datetime.timedelta(days=term),
                    boss.pk,
                )
            )
        if credited:
            credit_rows.append(
                (
                    next_id,
                    org.pk,
                    InvoiceKind.CREDIT_NOTE,
                    f"CN{next_id:08d}",
                    InvoiceStatus.POSTED,
                    customer,
                    pk,
                    date + datetime.timedelta(days=rng.randrange(90)),
                    None,
                    0,
                    _money(credited),
                    _money(credited),
                    "0.00",
                    "0.00",
                    entry.pk,
                    boss.pk,
                    now,
                    boss.pk,
                )
            )
            next_id += 1
        invoice_rows.append(
            (
                pk,
                org.pk,
                InvoiceKind.INVOICE,
                f"INV{pk:08d}",
                InvoiceStatus.POSTED,
                customer,
                None,
                date,
                date + datetime.timedelta(days=term),
                term,
                _money(fen),
                _money(fen),
                _money(paid),
                _money(credited),
                entry.pk,
                boss.pk,
                now,
                boss.pk,
            )
        )
    out(f"generated {invoices:,} invoices in {time.perf_counter() - started:.1f}s")
    invoice_columns = (
        "id",
        "org_id",
        "kind",
        "number",
        "status",
        "customer_id",
        "credited_invoice_id",
        "date",
        "due_date",
        "payment_term_days",
        "subtotal",
        "total",
        "amount_paid",
        "amount_credited",
        "journal_entry_id",
        "created_by_id",
        "posted_at",
        "posted_by_id",
    )
    started = time.perf_counter()
    _copy(Invoice, invoice_columns, invoice_rows + credit_rows)
    _copy(
        Payment,
        (
            "id",
            "org_id",
            "number",
            "customer_id",
            "date",
            "amount",
            "amount_allocated",
            "method",
            "posted_at",
            "posted_by_id",
        ),
        payment_rows,
    )
    _copy(
        Allocation,
        (
            "org_id",
            "payment_id",
            "invoice_id",
            "amount",
            "effective_date",
            "customer_id",
            "invoice_date",
            "invoice_due_date",
            "created_by_id",
        ),
        allocation_rows,
    )
    for model in (Invoice, Payment):
        _sync_sequence(model)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out(
        f"loaded by COPY in {time.perf_counter() - started:.1f}s: {invoices:,} invoices, "
        f"{len(credit_rows):,} credit notes, {len(payment_rows):,} payments and allocations"
    )
    return invoices


_INVOICES = (
    "i.org_id = %(org)s AND i.kind = 'invoice' AND i.posted_at IS NOT NULL AND i.date <= %(as_of)s"
)
_DUE = "COALESCE(i.due_date, i.date)"
_AT_LEAST = """
    SUM({fen}), SUM({fen}) FILTER (WHERE {due} >= %(d0)s),
    SUM({fen}) FILTER (WHERE {due} >= %(d1)s), SUM({fen}) FILTER (WHERE {due} >= %(d2)s),
    SUM({fen}) FILTER (WHERE {due} >= %(d3)s)
"""
FLOOR_SQL = f"""
    SELECT COALESCE(o.k, b.k), COALESCE(o.c0, 0) + COALESCE(b.c0, 0),
           COALESCE(o.c1, 0) + COALESCE(b.c1, 0) - COALESCE(o.c0, 0) - COALESCE(b.c0, 0),
           COALESCE(o.c2, 0) + COALESCE(b.c2, 0) - COALESCE(o.c1, 0) - COALESCE(b.c1, 0),
           COALESCE(o.c3, 0) + COALESCE(b.c3, 0) - COALESCE(o.c2, 0) - COALESCE(b.c2, 0),
           COALESCE(o.t, 0) + COALESCE(b.t, 0) - COALESCE(o.c3, 0) - COALESCE(b.c3, 0)
    FROM (
        SELECT i.customer_id, {_AT_LEAST.format(fen="i.open_fen", due=_DUE)}
        FROM finance_invoice i
        WHERE {_INVOICES} AND i.open_fen > 0
        GROUP BY i.customer_id
    ) o (k, t, c0, c1, c2, c3)
    FULL JOIN (
        SELECT k, {_AT_LEAST.format(fen="fen", due="due")} FROM (
            SELECT customer_id, invoice_due_date, (amount * 100)::bigint
            FROM finance_allocation
            WHERE org_id = %(org)s AND effective_date > %(as_of)s AND invoice_date <= %(as_of)s
            UNION ALL
            SELECT i.customer_id, {_DUE}, (c.total * 100)::bigint
            FROM finance_invoice c JOIN finance_invoice i ON i.id = c.credited_invoice_id
            WHERE c.org_id = %(org)s AND c.kind = 'credit_note' AND c.posted_at IS NOT NULL
              AND c.date > %(as_of)s AND {_INVOICES}
        ) later (k, due, fen)
        GROUP BY k
    ) b (k, t, c0, c1, c2, c3) ON b.k = o.k
"""  # noqa: S608 - constants only


def _floor(org: Organization) -> list[tuple]:
    """The same numbers, hand-written for this one case, on the same schema (the open_fen
    column and the allocations' aging facts, with their covering indexes): per customer, open
    now plus paid or credited since, in fen; no scoping, labels, ordering or leaving out
    groups with nothing open."""
    limits = [AS_OF - datetime.timedelta(days=days) for days in (0, 30, 60, 90)]
    params = {"org": org.pk, "as_of": AS_OF} | {f"d{i}": d for i, d in enumerate(limits)}
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in STATEMENT_SETTINGS:  # the same settings as the report: they help both
            cursor.execute(f"SET LOCAL {setting}")
        cursor.execute(FLOOR_SQL, params)
        return cursor.fetchall()


def _as_yuan(fetched: list[tuple]) -> dict[int, tuple[Decimal, ...]]:
    """The floor's rows as the report's numbers (after the timing: the report too keeps whole
    fen until a row is read)."""
    return {row[0]: tuple(Decimal(fen or 0).scaleb(-2) for fen in row[1:]) for row in fetched}


def _best(run: Callable[[], Any]) -> tuple[float, Any]:
    """Best of REPEATS timed runs after one warm-up (the first also warms the cache)."""
    result = run()
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def bench_aging(*, rows: int, out: Callable[[str], None], workdir: Path) -> dict[str, Any]:
    """Load `rows` open invoices, then time the report and the floor; the figures as a dict."""
    del workdir  # nothing to write
    if connection.vendor != "postgresql":
        raise SystemExit("the aging benchmark loads with COPY: it needs PostgreSQL")
    stamp = str(int(time.time()))
    org = Organization.objects.create(name="账龄基准测试", code=f"bench-aging-{stamp}")
    boss = Membership.objects.create(
        org=org, user=User.objects.create(username=f"bench-aging-boss-{stamp}"), role=Role.BOSS
    )
    customers = max(1, rows // INVOICES_PER_CUSTOMER)
    with org_scope(org), transaction.atomic():
        with connection.cursor() as cursor:
            # Committed as a production server commits (synchronous_commit = on; the private
            # server runs with it off): VACUUM marks a page all-visible only once the commit
            # that inserted its rows is flushed to the WAL (PostgreSQL does not hint a row as
            # committed before then). Committed asynchronously, the VACUUM below raced the WAL
            # writer and left from a third to all of the invoices' pages not all-visible, and
            # the planner, pricing a heap visit per open invoice, read the whole table instead
            # of the open invoices' covering index.
            cursor.execute("SET LOCAL synchronous_commit = on")
        invoices = _load(org, boss, customers, out)
    with connection.cursor() as cursor:
        # as autovacuum leaves a table at rest (outside a transaction): the visibility map
        # that lets the open invoices be read from their index alone
        cursor.execute("VACUUM (ANALYZE) finance_invoice, finance_allocation")
        cursor.execute(
            "SELECT relallvisible, relpages FROM pg_class WHERE oid = 'finance_invoice'::regclass"
        )
        visible_pages, pages = cursor.fetchone()
    with org_scope(org):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM finance_invoice WHERE org_id = %s AND kind = 'invoice'"
                " AND posted_at IS NOT NULL AND date <= %s"
                " AND total > amount_paid + amount_credited",
                [org.pk, AS_OF],
            )
            (open_now,) = cursor.fetchone()
        report_s, report = _best(lambda: aging_report(boss, as_of=AS_OF))
        floor_s, floor_rows = _best(lambda: _floor(org))
        floor = _as_yuan(floor_rows)
        with transaction.atomic(), connection.cursor() as cursor:
            sql, params = aging_sql(
                org_id=org.pk, as_of=AS_OF, edges=(30, 60, 90), group_by="customer"
            )
            for setting in STATEMENT_SETTINGS:  # the plan the report runs with
                cursor.execute(f"SET LOCAL {setting}")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(line for (line,) in cursor.fetchall())
    (Path(tempfile.gettempdir()) / "qudao-aging-plan.txt").write_text(plan)
    reported = {row.key: row.buckets for row in report.rows}
    equal = reported == floor
    out(f"open items: {open_now:,} of {invoices:,} invoices, {customers:,} customers")
    out(f"aging report (all customers, as of {AS_OF}): {report_s:.3f}s, {len(report.rows):,} rows")
    out(f"floor (hand-written SQL): {floor_s:.3f}s, {len(floor):,} rows")
    out(f"ratio {report_s / floor_s:.2f}; equal: {equal}; total open {report.total}")
    scans = [  # how the open invoices were read, and whether the heap was visited for them
        line
        for line in plan.splitlines()
        if "on finance_invoice i " in line or "Heap Fetches" in line or "Execution" in line
    ]
    out(f"invoice pages all-visible: {visible_pages:,} of {pages:,}; plan (scans):")
    out("\n".join(scans))
    return {
        "open_items": open_now,
        "customers": customers,
        "as_of": AS_OF.isoformat(),
        "report_s": round(report_s, 3),
        "floor_s": round(floor_s, 3),
        "ratio": round(report_s / floor_s, 2),
        "equal": equal,
        "total_open": str(report.total),
        "database": connection.vendor,
        "all_visible": round(visible_pages / pages, 3) if pages else 1.0,
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }
