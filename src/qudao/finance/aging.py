"""The receivables aging report (账龄): open invoice amounts as of a date, bucketed by days
overdue, grouped by customer, sales rep, territory or brand, in one set-based SQL query.

What is open on an invoice as of a date D is its total, less the credit notes dated on or before
D, less the allocations of payments dated on or before D. An allocation has no date of its own
(only `created_at`); it settles the invoice as of its payment's date, as the ledger does (the
payment credits the receivable on that date). Invoices dated after D are not yet receivable; an
invoice fully credited later (now cancelled) is still open as of a date before the credit note.

It is computed as what is open now (total - amount_paid - amount_credited, the counters the
services keep and `finance.integrity` checks) plus what was allocated or credited after D, so
the big scan of open invoices needs no join and only the movements after D are read.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import pairwise
from typing import Final

from django.db import connection, transaction
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qudao.catalog.models import Brand, Product
from qudao.core.money import ZERO, quantize
from qudao.finance.models import Allocation, Invoice, InvoiceKind, InvoiceLine, Payment
from qudao.parties.models import Party, Territory
from qudao.parties.selectors import visible_customers
from qudao.tenancy.models import Membership, User

DEFAULT_EDGES: Final = (30, 60, 90)
MAX_EDGES: Final = 8
MAX_DAYS: Final = 3650


class AgingGroup(TextChoices):
    CUSTOMER = "customer", gettext_lazy("Customer")
    OWNER = "owner", gettext_lazy("Sales rep")
    TERRITORY = "territory", gettext_lazy("Territory")
    BRAND = "brand", gettext_lazy("Brand")


@dataclass(frozen=True)
class AgingRow:
    """One group: its key (customer, membership, territory or brand id; None: unassigned)."""

    key: int | None
    code: str
    name: str
    buckets: tuple[Decimal, ...]
    total: Decimal


@dataclass(frozen=True)
class AgingReport:
    as_of: datetime.date
    group_by: str
    edges: tuple[int, ...]
    labels: tuple[str, ...]
    rows: list[AgingRow]
    totals: tuple[Decimal, ...]
    total: Decimal


def parse_edges(text: str | None) -> tuple[int, ...]:
    """`"30,60,90"` → (30, 60, 90): strictly increasing whole days; ValueError otherwise."""
    if not text or not text.strip():
        return DEFAULT_EDGES
    try:
        edges = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(_("Bucket edges are whole numbers of days, like 30,60,90.")) from None
    if not edges or len(edges) > MAX_EDGES:
        raise ValueError(_("Give between 1 and %(count)s bucket edges.") % {"count": MAX_EDGES})
    if edges[0] < 1 or edges[-1] > MAX_DAYS or any(a >= b for a, b in pairwise(edges)):
        raise ValueError(
            _("Bucket edges must increase, from 1 to %(days)s days.") % {"days": MAX_DAYS}
        )
    return edges


def bucket_labels(edges: Sequence[int]) -> tuple[str, ...]:
    """Column headers: current, then 1–30, 31–60 … and the last open-ended bucket."""
    labels = [_("Current")]
    low = 0
    for high in edges:
        labels.append(_("%(low)s–%(high)s days") % {"low": low + 1, "high": high})
        low = high
    labels.append(_("Over %(days)s days") % {"days": low})
    return tuple(labels)


def bucket_of(days_overdue: int, edges: Sequence[int]) -> int:
    """The bucket index of an item `days_overdue` days past due (0: not yet due)."""
    if days_overdue <= 0:
        return 0
    for index, high in enumerate(edges, start=1):
        if days_overdue <= high:
            return index
    return len(edges) + 1


_INVOICE: Final = Invoice._meta.db_table
_ALLOCATION: Final = Allocation._meta.db_table
_PAYMENT: Final = Payment._meta.db_table
_LINE: Final = InvoiceLine._meta.db_table
_PARTY: Final = Party._meta.db_table
_TERRITORY: Final = Territory._meta.db_table
_PRODUCT: Final = Product._meta.db_table
_BRAND: Final = Brand._meta.db_table
_MEMBERSHIP: Final = Membership._meta.db_table
_USER: Final = User._meta.db_table

# The group key of an item, what is joined to find it, and the group's label columns.
_GROUPS: Final[dict[str, tuple[str, str, str]]] = {
    AgingGroup.CUSTOMER: (
        "it.customer_id",
        "",
        f"LEFT JOIN {_PARTY} lab ON lab.id = g.gkey",
    ),
    AgingGroup.OWNER: (
        "p.owner_id",
        f"JOIN {_PARTY} p ON p.id = it.customer_id",
        f"LEFT JOIN {_MEMBERSHIP} m ON m.id = g.gkey LEFT JOIN {_USER} lab ON lab.id = m.user_id",
    ),
    AgingGroup.TERRITORY: (
        "p.territory_id",
        f"JOIN {_PARTY} p ON p.id = it.customer_id",
        f"LEFT JOIN {_TERRITORY} lab ON lab.id = g.gkey",
    ),
    AgingGroup.BRAND: ("it.brand_id", "", f"LEFT JOIN {_BRAND} lab ON lab.id = g.gkey"),
}
_LABELS: Final[dict[str, str]] = {
    AgingGroup.CUSTOMER: "lab.code, lab.name",
    AgingGroup.OWNER: "lab.username, COALESCE(NULLIF(lab.display_name, ''), lab.username)",
    AgingGroup.TERRITORY: "lab.code, lab.name",
    AgingGroup.BRAND: "lab.code, lab.name",
}


def _due_limits(as_of: datetime.date, edges: Sequence[int]) -> list[datetime.date]:
    """Bucket k holds items due on or after limit k (and before limit k-1): day arithmetic done
    here, so the SQL compares dates only (portable, and an index on due_date could serve)."""
    return [as_of, *(as_of - datetime.timedelta(days=days) for days in edges)]


def aging_sql(
    *,
    org_id: int,
    as_of: datetime.date,
    edges: Sequence[int],
    group_by: str,
    customers_sql: str,
    customers_params: Sequence[object],
) -> tuple[str, list[object]]:
    """The report as one statement: open amounts as of `as_of` per item, bucketed and summed
    per group, with the group's code and name."""
    key, key_join, label_join = _GROUPS[group_by]
    limits = _due_limits(as_of, edges)
    # bucket k: due on or after limit k and before limit k-1 (FILTER: PostgreSQL, SQLite 3.30+)
    conditions = ["b.due >= %s"]
    conditions += ["b.due < %s AND b.due >= %s"] * (len(limits) - 1)
    conditions += ["b.due < %s"]
    sums = ", ".join(
        f"COALESCE(SUM(b.amount) FILTER (WHERE {condition}), 0) AS b{index}"
        for index, condition in enumerate(conditions)
    )
    bucket_params: list[object] = [limits[0]]
    for newer, older in pairwise(limits):
        bucket_params += [newer, older]
    bucket_params.append(limits[-1])
    # What was open on `as_of` is what is open now (the counters the payment and credit
    # services keep on the invoice) plus what was paid or credited after it: two streams, the
    # open invoices and the few touched since, so the big scan needs no join.
    if group_by == AgingGroup.BRAND:
        # a line's brand carries its share of what is open on the invoice
        share = (
            f"JOIN {_LINE} l ON l.invoice_id = i.id LEFT JOIN {_PRODUCT} pr ON pr.id = l.product_id"
        )
        portion, brand = " * (l.amount + l.tax) / i.total", "pr.brand_id"
    else:
        share, portion, brand = "", "", "NULL"
    invoices = (
        "i.org_id = %s AND i.kind = %s AND i.posted_at IS NOT NULL AND i.date <= %s"
        f" AND i.total > 0 AND i.customer_id IN ({customers_sql})"
    )
    sql = f"""
        WITH back AS (
            SELECT later.invoice_id, SUM(later.amount) AS amount FROM (
                SELECT a.invoice_id, a.amount
                FROM {_PAYMENT} pay JOIN {_ALLOCATION} a ON a.payment_id = pay.id
                WHERE pay.org_id = %s AND pay.date > %s
                UNION ALL
                SELECT c.credited_invoice_id, c.total
                FROM {_INVOICE} c
                WHERE c.org_id = %s AND c.date > %s AND c.kind = %s AND c.posted_at IS NOT NULL
            ) later
            GROUP BY later.invoice_id
        ), it AS (
            SELECT i.customer_id, {brand} AS brand_id, COALESCE(i.due_date, i.date) AS due,
                   (i.total - i.amount_paid - i.amount_credited){portion} AS amount
            FROM {_INVOICE} i {share}
            WHERE {invoices} AND i.total > i.amount_paid + i.amount_credited
            UNION ALL
            SELECT i.customer_id, {brand}, COALESCE(i.due_date, i.date), back.amount{portion}
            FROM back JOIN {_INVOICE} i ON i.id = back.invoice_id {share}
            WHERE {invoices}
        ), b AS (
            SELECT {key} AS gkey, it.due, it.amount
            FROM it {key_join}
        ), g AS (
            SELECT b.gkey, {sums}, SUM(b.amount) AS total FROM b GROUP BY b.gkey
        )
        SELECT g.*, {_LABELS[group_by]} FROM g {label_join}
        ORDER BY g.total DESC, g.gkey
    """  # noqa: S608 - table names and numbers only; every value is a parameter
    where = [org_id, InvoiceKind.INVOICE, as_of, *customers_params]
    params: list[object] = [
        org_id,
        as_of,
        org_id,
        as_of,
        InvoiceKind.CREDIT_NOTE,
        *where,
        *where,
        *bucket_params,
    ]
    return sql, params


def _decimal(value: object) -> Decimal:
    """A sum from the database (Decimal on PostgreSQL, float or int on SQLite), via str: never
    `Decimal(float)`, which would carry the binary error into the quantized amount's digits."""
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def aging_report(
    membership: Membership,
    *,
    as_of: datetime.date,
    group_by: str = AgingGroup.CUSTOMER,
    edges: Sequence[int] = DEFAULT_EDGES,
) -> AgingReport:
    """The aging of the receivables this member may see (a rep: their own customers)."""
    if group_by not in _GROUPS:
        raise ValueError(_("Unknown grouping."))
    customers_sql, customers_params = (
        visible_customers(membership).values("pk").query.sql_with_params()
    )
    sql, params = aging_sql(
        org_id=membership.org_id,
        as_of=as_of,
        edges=edges,
        group_by=group_by,
        customers_sql=customers_sql,
        customers_params=customers_params,
    )
    width = len(edges) + 2
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # one big aggregate: compiling it costs more than it saves, and sorting in memory
            # beats spilling to disk; SET LOCAL ends with the transaction
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows = [
        AgingRow(
            key=row[0],
            code=row[width + 2] or "",
            name=row[width + 3] or "",
            buckets=tuple(quantize(_decimal(value)) for value in row[1 : width + 1]),
            total=ZERO,
        )
        for row in fetched
    ]
    # an item settled to the fen can still come back as a row of zeros: nothing is open there
    rows = [replace(row, total=sum(row.buckets, ZERO)) for row in rows if any(row.buckets)]
    totals = tuple(sum((row.buckets[i] for row in rows), ZERO) for i in range(width))
    return AgingReport(
        as_of=as_of,
        group_by=group_by,
        edges=tuple(edges),
        labels=bucket_labels(edges),
        rows=rows,
        totals=totals,
        total=sum((row.total for row in rows), ZERO),
    )
