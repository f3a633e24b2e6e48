"""The receivables aging report (账龄): open invoice amounts as of a date, bucketed by days
overdue, grouped by customer, sales rep, territory or brand, in one set-based SQL query.

What is open on an invoice as of a date D is its total, less the credit notes dated on or before
D, less the allocations in effect on D. An allocation has no date of its own (only
`created_at`); it settles the invoice as of its payment's date, as the ledger does (the payment
credits the receivable on that date). A released allocation (negative: a credit note on a paid
invoice gave the money back to the prepayment balance) takes effect on the date of the credit
note that released it, or on its payment's date when that is later (a backdated credit note
cannot undo a payment before it was made), so the report as of any past date equals what it
showed on that date. Invoices dated after D are not yet receivable; an invoice fully credited
later (now cancelled) is still open as of a date before the credit note.

It is computed as what is open now (`Invoice.open_fen`: total - amount_paid - amount_credited
in whole fen, a column the database derives from the counters the services keep and
`finance.integrity` checks) plus what was allocated or credited after D, so the big scan of open
invoices needs no join and only the movements after D are read. The open invoices are read in
customer order from a partial covering index (`invoice_open_aging`) and summed as integers.
Amounts are whole fen throughout (a brand's share of a line is rounded so an invoice's shares
add up to what is open on it), so a group with nothing open is left out by the query itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Final

from django.db import connection, transaction
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qudao.catalog.models import Brand, Product
from qudao.core.money import ZERO
from qudao.finance.models import Allocation, Invoice, InvoiceKind, InvoiceLine, Payment
from qudao.parties.models import Party, Territory
from qudao.parties.selectors import visible_customers
from qudao.tenancy.models import Membership, User
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

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

# Per grouping: the key each stream aggregates on (the customer, or a line's brand), what the
# per-key sums are joined to for the group's key, and what the group's labels are joined from.
_GROUPS: Final[dict[str, tuple[str, str, str]]] = {
    AgingGroup.CUSTOMER: ("c.k", "", f"LEFT JOIN {_PARTY} lab ON lab.id = g.gkey"),
    AgingGroup.OWNER: (
        "p.owner_id",
        f"JOIN {_PARTY} p ON p.id = c.k",
        f"LEFT JOIN {_MEMBERSHIP} m ON m.id = g.gkey LEFT JOIN {_USER} lab ON lab.id = m.user_id",
    ),
    AgingGroup.TERRITORY: (
        "p.territory_id",
        f"JOIN {_PARTY} p ON p.id = c.k",
        f"LEFT JOIN {_TERRITORY} lab ON lab.id = g.gkey",
    ),
    AgingGroup.BRAND: ("c.k", "", f"LEFT JOIN {_BRAND} lab ON lab.id = g.gkey"),
}
_LABELS: Final[dict[str, str]] = {
    AgingGroup.CUSTOMER: "lab.code, lab.name",
    AgingGroup.OWNER: "lab.username, COALESCE(NULLIF(lab.display_name, ''), lab.username)",
    AgingGroup.TERRITORY: "lab.code, lab.name",
    AgingGroup.BRAND: "lab.code, lab.name",
}
# Trusted constants, written into the statement: the open invoices' stream must name the
# partial index's own condition (kind, posted, open_fen > 0) for the planner to use it.
_KIND_INVOICE: Final = f"'{InvoiceKind.INVOICE.value}'"
_KIND_CREDIT_NOTE: Final = f"'{InvoiceKind.CREDIT_NOTE.value}'"


# For the report's one statement on PostgreSQL (SET LOCAL: they end with its transaction).
# One big aggregate: compiling it (jit) costs more than it saves; sorting and hashing in memory
# beat spilling to disk; and the open invoices are best read in customer order from the index,
# summed as they come, not hashed by parallel workers (that only pays on idle cores); a page
# of index costs about what a page read in order does (the data is cached or on SSD), else the
# planner flips to a full scan and a hash of every invoice for a hair of estimated cost.
STATEMENT_SETTINGS: Final = (
    "jit = off",
    "work_mem = '64MB'",
    "max_parallel_workers_per_gather = 0",
    "random_page_cost = 1.1",
)


def _due_limits(as_of: datetime.date, edges: Sequence[int]) -> list[datetime.date]:
    """Bucket k holds items due on or after limit k (and before limit k-1): day arithmetic done
    here, so the SQL compares dates only (portable, and an index on due_date could serve)."""
    return [as_of, *(as_of - datetime.timedelta(days=days) for days in edges)]


def _bucket_sums(amount: str, due: str, limits: Sequence[datetime.date]) -> tuple[str, list]:
    """`SUM(amount) FILTER (…) AS b0, …`: one sum per bucket, with its parameters."""
    conditions = [f"{due} >= %s"]
    conditions += [f"{due} < %s AND {due} >= %s"] * (len(limits) - 1)
    conditions += [f"{due} < %s"]
    params: list[object] = [limits[0]]
    for newer, older in pairwise(limits):
        params += [newer, older]
    params.append(limits[-1])
    sql = ", ".join(
        f"SUM({amount}) FILTER (WHERE {condition}) AS b{index}"
        for index, condition in enumerate(conditions)
    )
    return sql, params


def aging_sql(
    *,
    org_id: int,
    as_of: datetime.date,
    edges: Sequence[int],
    group_by: str,
    customers_sql: str | None = None,
    customers_params: Sequence[object] = (),
) -> tuple[str, list[object]]:
    """The report as one statement: what was open on `as_of`, in whole fen, bucketed and summed
    per group, with the group's code and name; groups with nothing open are left out.

    `customers_sql` selects the customers' ids to report on; None: every customer of the org
    (invoices are only ever made out to the org's customers)."""
    key, key_join, label_join = _GROUPS[group_by]
    limits = _due_limits(as_of, edges)
    width = len(limits) + 1
    scope = f" AND i.customer_id IN ({customers_sql})" if customers_sql else ""
    scope_params = list(customers_params) if customers_sql else []
    due = "COALESCE(i.due_date, i.date)"
    invoices = (
        f"i.org_id = %s AND i.kind = {_KIND_INVOICE} AND i.posted_at IS NOT NULL"
        f" AND i.date <= %s{scope}"
    )
    invoices_params = [org_id, as_of, *scope_params]
    # What was open on `as_of` is what is open now (open_fen: the counters the payment and
    # credit services keep on the invoice, in fen) plus what was paid or credited after it. Two
    # streams, each summed per key: the open invoices, read in customer order from the partial
    # covering index alone, and the few invoices touched since.
    if group_by == AgingGroup.BRAND:
        # A line's brand carries its share of what is open on the invoice, in whole fen: the
        # running share up to and including the line, rounded, less the one before it, so the
        # shares of an invoice add up to what is open on it exactly.
        sums, sum_params = _bucket_sums("x.fen", "x.due", limits)
        lines = f"""
            JOIN (
                SELECT l.invoice_id, pr.brand_id,
                       SUM(l.amount + l.tax) OVER (PARTITION BY l.invoice_id ORDER BY l.id)
                           AS cum_to,
                       SUM(l.amount + l.tax) OVER (PARTITION BY l.invoice_id ORDER BY l.id)
                           - (l.amount + l.tax) AS cum_from,
                       NULLIF(SUM(l.amount + l.tax) OVER (PARTITION BY l.invoice_id), 0)
                           AS whole
                FROM {_LINE} l LEFT JOIN {_PRODUCT} pr ON pr.id = l.product_id
                WHERE l.org_id = %s
            ) s ON s.invoice_id = i.id"""

        def stream(source: str, amount: str, where: str) -> str:
            return f"""
                SELECT x.brand_id AS k, {sums} FROM (
                    SELECT s.brand_id, {due} AS due,
                           CAST(ROUND({amount} * 1.0 * s.cum_to / s.whole) AS BIGINT)
                           - CAST(ROUND({amount} * 1.0 * s.cum_from / s.whole) AS BIGINT)
                           AS fen
                    FROM {source} {lines}
                    WHERE {where}
                ) x
                GROUP BY x.brand_id"""

        stream_params = [org_id]
    else:
        sums, sum_params = _bucket_sums("x.fen", "x.due", limits)
        open_sums, _same = _bucket_sums("i.open_fen", due, limits)

        def stream(source: str, amount: str, where: str) -> str:
            if amount == "i.open_fen":  # straight from the index, in customer order
                return f"""
                    SELECT i.customer_id AS k, {open_sums} FROM {source}
                    WHERE {where} GROUP BY i.customer_id"""
            return f"""
                SELECT x.customer_id AS k, {sums} FROM (
                    SELECT i.customer_id, {due} AS due, {amount} AS fen FROM {source}
                    WHERE {where}
                ) x
                GROUP BY x.customer_id"""

        stream_params = []
    open_now = stream(f"{_INVOICE} i", "i.open_fen", f"{invoices} AND i.open_fen > 0")
    touched = stream(
        f"back JOIN {_INVOICE} i ON i.id = back.invoice_id",
        "back.fen",
        f"{invoices} AND i.total > 0",
    )
    columns = [f"b{index}" for index in range(width)]
    totals = ", ".join(f"CAST(COALESCE(SUM(c.{b}), 0) AS BIGINT) AS {b}" for b in columns)
    anything = " OR ".join(f"SUM(c.{b}) <> 0" for b in columns)
    # `back`: per invoice, what moved after `as_of` (added back to what is open now): the
    # allocations of payments dated after it (a released one too: it took effect no earlier),
    # the allocations released by a credit note dated after it whose payment was not, and the
    # credit notes dated after it.
    sql = f"""
        WITH back AS (
            SELECT later.invoice_id, CAST(ROUND(SUM(later.amount) * 100) AS BIGINT) AS fen
            FROM (
                SELECT a.invoice_id, a.amount
                FROM {_PAYMENT} pay JOIN {_ALLOCATION} a ON a.payment_id = pay.id
                WHERE pay.org_id = %s AND pay.date > %s
                UNION ALL
                SELECT a.invoice_id, a.amount
                FROM {_INVOICE} rel
                JOIN {_ALLOCATION} a ON a.credit_note_id = rel.id
                JOIN {_PAYMENT} pay ON pay.id = a.payment_id
                WHERE rel.org_id = %s AND rel.date > %s AND rel.kind = {_KIND_CREDIT_NOTE}
                  AND pay.date <= %s
                UNION ALL
                SELECT c.credited_invoice_id, c.total
                FROM {_INVOICE} c
                WHERE c.org_id = %s AND c.date > %s AND c.kind = {_KIND_CREDIT_NOTE}
                  AND c.posted_at IS NOT NULL
            ) later
            GROUP BY later.invoice_id
        ), c AS ({open_now}
            UNION ALL{touched}
        ), g AS (
            SELECT {key} AS gkey, {totals} FROM c {key_join}
            GROUP BY {key}
            HAVING {anything}
        )
        SELECT g.gkey, {", ".join(f"g.{b}" for b in columns)}, {_LABELS[group_by]}
        FROM g {label_join}
        ORDER BY {" + ".join(f"g.{b}" for b in columns)} DESC, g.gkey
    """  # noqa: S608 - table names and constants only; every value is a parameter
    params: list[object] = [org_id, as_of, org_id, as_of, as_of, org_id, as_of]
    params += [*sum_params, *stream_params, *invoices_params]  # open now
    params += [*sum_params, *stream_params, *invoices_params]  # touched since
    return sql, params


def _yuan(fen: object) -> Decimal:
    """Whole fen from the database (int; Decimal on PostgreSQL for a cast sum) as an amount."""
    return Decimal(int(fen or 0)).scaleb(-2)


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
    customers_sql: str | None = None
    customers_params: Sequence[object] = ()
    if not can(membership, Perm.VIEW_ALL_CUSTOMERS):
        # a rep's own customers; whoever sees them all reads every open invoice of the org
        # (the open invoices are then read from the index without a join)
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
            for setting in STATEMENT_SETTINGS:
                cursor.execute(f"SET LOCAL {setting}")
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows = []
    for row in fetched:
        buckets = tuple(_yuan(value) for value in row[1 : width + 1])
        rows.append(
            AgingRow(
                key=row[0],
                code=row[width + 1] or "",
                name=row[width + 2] or "",
                buckets=buckets,
                total=_yuan(sum(int(value) for value in row[1 : width + 1])),
            )
        )
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
