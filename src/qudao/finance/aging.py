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
`finance.integrity` checks) plus what took effect after D: the allocations whose
`effective_date` is after it (each carries the facts needed — its date of effect, customer and
invoice date and due date — so it is read from its own index without a join) and the credit
notes dated after it. The open invoices are read in customer order from a partial covering index
(`invoice_open_aging`). Each bucket is a difference of running sums ("due on or after this
limit"), one date comparison per limit. Amounts are whole fen throughout (a brand's share of a
line is rounded so an invoice's shares add up to what is open on it), so a group with nothing
open is left out by the query itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Final, overload

from django.db import connection, transaction
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qudao.catalog.models import Brand, Product
from qudao.finance.models import Allocation, Invoice, InvoiceKind, InvoiceLine
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


@dataclass(frozen=True, slots=True)
class AgingRow:
    """One group: its key (customer, membership, territory or brand id; None: unassigned) and
    its amounts in whole fen, read as yuan when shown (a report of 50,000 customers makes
    300,000 amounts, and a page shows a hundred rows of them)."""

    key: int | None
    code: str
    name: str
    fen: tuple[int, ...]
    total_fen: int

    @property
    def buckets(self) -> tuple[Decimal, ...]:
        return tuple(_yuan(fen) for fen in self.fen)

    @property
    def total(self) -> Decimal:
        return _yuan(self.total_fen)


class AgingRows(Sequence[AgingRow]):
    """The report's rows as the database gave them (key, total, buckets …, code, name), each
    made an `AgingRow` only when read: a page reads a hundred of 50,000."""

    def __init__(self, fetched: list[tuple], width: int) -> None:
        self._fetched = fetched
        self._width = width

    def __len__(self) -> int:
        return len(self._fetched)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # equal to a list of the same rows

    def _row(self, row: tuple) -> AgingRow:
        width = self._width
        return AgingRow(
            row[0], row[width + 2] or "", row[width + 3] or "", row[2 : width + 2], row[1]
        )

    @overload
    def __getitem__(self, index: int) -> AgingRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[AgingRow]: ...

    def __getitem__(self, index: int | slice) -> AgingRow | list[AgingRow]:
        if isinstance(index, slice):
            return [self._row(row) for row in self._fetched[index]]
        return self._row(self._fetched[index])


@dataclass(frozen=True)
class AgingReport:
    as_of: datetime.date
    group_by: str
    edges: tuple[int, ...]
    labels: tuple[str, ...]
    rows: Sequence[AgingRow]
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
    AgingGroup.CUSTOMER: ("c.k", "", f"LEFT JOIN {_PARTY} lab ON lab.id = g.k"),
    AgingGroup.OWNER: (
        "p.owner_id",
        f"JOIN {_PARTY} p ON p.id = c.k",
        f"LEFT JOIN {_MEMBERSHIP} m ON m.id = g.k LEFT JOIN {_USER} lab ON lab.id = m.user_id",
    ),
    AgingGroup.TERRITORY: (
        "p.territory_id",
        f"JOIN {_PARTY} p ON p.id = c.k",
        f"LEFT JOIN {_TERRITORY} lab ON lab.id = g.k",
    ),
    AgingGroup.BRAND: ("c.k", "", f"LEFT JOIN {_BRAND} lab ON lab.id = g.k"),
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
# planner flips to a full scan and a hash of every invoice for a hair of estimated cost. The
# index alone answers only for the pages the visibility map marks all-visible (VACUUM marks
# them, once the rows' commit is flushed to the WAL): with most pages unmarked the planner
# prices a heap visit per open invoice and reads the whole table instead, at twice the time.
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


def _at_least(amount: str, due: str, limits: Sequence[datetime.date]) -> tuple[str, list]:
    """`t` (the whole amount) and `c0`, `c1` …: the amount due on or after each limit, summed as
    whole fen. Bucket 0 is c0, bucket k is c(k) - c(k-1), the last is t - c(last): one date
    comparison per limit, not two per bucket."""
    sums = [f"CAST(SUM({amount}) AS BIGINT) AS t"]
    sums += [
        f"CAST(SUM({amount}) FILTER (WHERE {due} >= %s) AS BIGINT) AS c{index}"
        for index in range(len(limits))
    ]
    return ", ".join(sums), list(limits)


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
    columns = ["t", *(f"c{index}" for index in range(len(limits)))]
    due = "COALESCE(i.due_date, i.date)"
    invoices = (
        f"i.org_id = %s AND i.kind = {_KIND_INVOICE} AND i.posted_at IS NOT NULL AND i.date <= %s"
    )
    invoices_params: list[object] = [org_id, as_of]
    if customers_sql:
        invoices += f" AND i.customer_id IN ({customers_sql})"
        invoices_params += list(customers_params)
    # What was open on `as_of` is what is open now (open_fen: the counters the payment and
    # credit services keep on the invoice, in fen) plus what was paid or credited after it:
    # the allocations that took effect after it (each carries its date of effect, customer and
    # invoice dates) and the credit notes dated after it. The open invoices are read in
    # customer order from their partial covering index, the allocations from theirs.
    allocations = "a.org_id = %s AND a.effective_date > %s AND a.invoice_date <= %s" + (
        f" AND a.customer_id IN ({customers_sql})" if customers_sql else ""
    )
    allocations_params = [org_id, as_of, as_of, *(customers_params if customers_sql else ())]
    credit_notes = (
        f"c.org_id = %s AND c.kind = {_KIND_CREDIT_NOTE} AND c.posted_at IS NOT NULL"
        " AND c.date > %s"
    )
    credit_notes_params = [org_id, as_of]
    if group_by == AgingGroup.BRAND:
        # A line's brand carries its share of what is open on the invoice, in whole fen: the
        # running share up to and including the line, rounded, less the one before it, so the
        # shares of an invoice add up to what is open on it exactly.
        sums, sum_params = _at_least("x.fen", "x.due", limits)
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

        def by_brand(source: str, amount: str, where: str) -> str:
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

        # per invoice, what moved after `as_of`, added back to what is open on it now
        streams = f"""
            WITH back AS (
                SELECT later.invoice_id, SUM(later.fen) AS fen FROM (
                    SELECT a.invoice_id, CAST(ROUND(a.amount * 100) AS BIGINT) AS fen
                    FROM {_ALLOCATION} a WHERE {allocations}
                    UNION ALL
                    SELECT c.credited_invoice_id, CAST(ROUND(c.total * 100) AS BIGINT)
                    FROM {_INVOICE} c WHERE {credit_notes}
                ) later
                GROUP BY later.invoice_id
            ), c AS ({by_brand(f"{_INVOICE} i", "i.open_fen", f"{invoices} AND i.open_fen > 0")}
                UNION ALL{
            by_brand(f"back JOIN {_INVOICE} i ON i.id = back.invoice_id", "back.fen", invoices)
        }
            )"""
        params: list[object] = [*allocations_params, *credit_notes_params]
        params += [*sum_params, org_id, *invoices_params]
        params += [*sum_params, org_id, *invoices_params]
    else:
        open_sums, open_params = _at_least("i.open_fen", due, limits)
        later_sums, later_params = _at_least("x.fen", "x.due", limits)
        # per customer: what is open now, and what took effect after `as_of`, side by side
        # (one row per customer: a customer's report needs no second aggregation)
        either = ", ".join(
            f"COALESCE(o.{col}, 0) + COALESCE(b.{col}, 0) AS {col}" for col in columns
        )
        streams = f"""
            WITH o AS (
                SELECT i.customer_id AS k, {open_sums} FROM {_INVOICE} i
                WHERE {invoices} AND i.open_fen > 0
                GROUP BY i.customer_id
            ), b AS (
                SELECT x.k, {later_sums} FROM (
                    SELECT a.customer_id AS k, a.invoice_due_date AS due,
                           CAST(ROUND(a.amount * 100) AS BIGINT) AS fen
                    FROM {_ALLOCATION} a WHERE {allocations}
                    UNION ALL
                    SELECT i.customer_id, {due}, CAST(ROUND(c.total * 100) AS BIGINT)
                    FROM {_INVOICE} c JOIN {_INVOICE} i ON i.id = c.credited_invoice_id
                    WHERE {credit_notes} AND {invoices}
                ) x
                GROUP BY x.k
            ), c AS (
                SELECT COALESCE(o.k, b.k) AS k, {either} FROM o FULL JOIN b ON b.k = o.k
            )"""
        params = [*open_params, *invoices_params]
        params += [*later_params, *allocations_params, *credit_notes_params, *invoices_params]
    if group_by == AgingGroup.CUSTOMER:  # already one row per customer
        per_group = f"""
            SELECT c.* FROM c WHERE {" OR ".join(f"c.{col} <> 0" for col in columns)}"""
    else:
        totals = ", ".join(f"CAST(COALESCE(SUM(c.{col}), 0) AS BIGINT) AS {col}" for col in columns)
        per_group = f"""
            SELECT {key} AS k, {totals} FROM c {key_join}
            GROUP BY {key}
            HAVING {" OR ".join(f"SUM(c.{col}) <> 0" for col in columns)}"""
    cums = [f"g.c{index}" for index in range(len(limits))]
    buckets = ", ".join([cums[0], *(f"{b} - {a}" for a, b in pairwise(cums)), f"g.t - {cums[-1]}"])
    sql = f"""{streams}, g AS ({per_group}
        )
        SELECT g.k, g.t, {buckets}, {_LABELS[group_by]}
        FROM g {label_join}
        ORDER BY g.t DESC, g.k
    """  # noqa: S608 - table names and constants only; every value is a parameter
    return sql, params


def _yuan(fen: int) -> Decimal:
    """Whole fen (an int from the database) as an amount."""
    return Decimal(fen).scaleb(-2)


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
    rows = AgingRows(fetched, width)
    columns = list(zip(*fetched, strict=True)) or [()] * (width + 4)  # column by column, in C
    totals = tuple(_yuan(sum(column)) for column in columns[2 : width + 2])
    return AgingReport(
        as_of=as_of,
        group_by=group_by,
        edges=tuple(edges),
        labels=bucket_labels(edges),
        rows=rows,
        totals=totals,
        total=_yuan(sum(row[1] for row in fetched)),
    )
