"""The order benchmark: confirming 5-line orders with the full credit and stock check, by one
client and by 16 at once, against a hand-written SQL transaction doing the same locking.

What is timed is the confirmation (`submit_order` of a draft with no review step: lock, credit
check and reservation, stock check and reservation, numbering, events; on PostgreSQL the one
call of `qudao_confirm_sales_order`, since these orders need no judgement); the drafts are
entered beforehand. The 16 clients are processes, each with its own connection, like web workers.

The data is the `large` demo's scale where it matters here: 50,000 customers with credit
policies, 3,000 products with wholesale prices and stock in one warehouse. After the run the
invariants are checked: every stock level's reserved quantity equals its open reservations and
on hand equals its moves, nothing is over-reserved, and every confirmed order's credit
commitment equals its total while no customer's commitments exceed its limit.
"""

from __future__ import annotations

import copy
import multiprocessing
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Sum
from django.db.models.base import ModelState

from qudao.catalog.models import Brand, PriceKind, PriceList, PriceListItem, Product
from qudao.core.errors import BusinessRuleViolation
from qudao.finance.models import CreditCommitment, CustomerTerms
from qudao.inventory.models import Location, Reservation, StockLevel, StockMove, Warehouse
from qudao.inventory.services import MoveLine, move_stock
from qudao.parties.models import Party, PartyKind
from qudao.sales.models import OrderStatus, SalesOrder, SalesOrderLine, SalesSettings
from qudao.sales.services import LineInput, OrderData, place_order, submit_order
from qudao.tenancy.models import Membership, Organization, User
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope

CUSTOMERS = 50_000
PRODUCTS = 3_000
LINES = 5
CLIENTS = 16
TEMPLATES = 200
CREDIT_LIMIT = Decimal("5000000.00")


def _setup(org: Organization, out: Callable[[str], None]) -> tuple[Membership, int, list[int]]:
    stamp = org.code
    boss = Membership.objects.create(
        org=org, user=User.objects.create(username=f"{stamp}-boss"), role=Role.BOSS
    )
    supplier = Party.objects.create(org=org, kind=PartyKind.SUPPLIER, code="SUP", name="厂家")
    brand = Brand.objects.create(org=org, supplier=supplier, code="BR", name="品牌")
    out(f"loading {CUSTOMERS:,} customers and {PRODUCTS:,} products…")
    Party.objects.bulk_create(
        [
            Party(org=org, kind=PartyKind.CUSTOMER, code=f"C{n:06d}", name=f"客户{n}")
            for n in range(CUSTOMERS)
        ],
        batch_size=5000,
    )
    customer_ids = list(Party.objects.filter(kind=PartyKind.CUSTOMER).values_list("pk", flat=True))
    CustomerTerms.objects.bulk_create(
        [CustomerTerms(org=org, party_id=pk, credit_limit=CREDIT_LIMIT) for pk in customer_ids],
        batch_size=5000,
    )
    Product.objects.bulk_create(
        [
            Product(org=org, code=f"P{n:05d}", name=f"商品{n}", base_unit="瓶", brand=brand)
            for n in range(PRODUCTS)
        ],
        batch_size=5000,
    )
    product_ids = list(Product.objects.values_list("pk", flat=True))
    prices = PriceList.objects.create(
        org=org, kind=PriceKind.WHOLESALE, name="批发价", valid_from=date(2026, 1, 1)
    )
    PriceListItem.objects.bulk_create(
        [
            PriceListItem(
                org=org,
                price_list=prices,
                product_id=pk,
                unit_price=Decimal(5 + pk % 50),
                valid_from=date(2026, 1, 1),
            )
            for pk in product_ids
        ],
        batch_size=5000,
    )
    warehouse = Warehouse.objects.create(org=org, code="WH", name="总仓")
    shelf = Location.objects.create(org=org, warehouse=warehouse, code="A", name="A")
    move_stock(
        org=org,
        actor=boss,
        moves=[
            MoveLine(pk, Decimal(1_000_000), to_location_id=shelf.pk, unit_cost=Decimal(3))
            for pk in product_ids
        ],
        reason="receipt",
    )
    SalesSettings.objects.create(
        org=org, order_review=False, finance_review=False, warehouse_release=False
    )
    return boss, warehouse.pk, product_ids


def _lines(rng: random.Random, product_ids: list[int]) -> list[LineInput]:
    return [LineInput(pk, Decimal(rng.randint(1, 24))) for pk in rng.sample(product_ids, LINES)]


def _drafts(
    org: Organization,
    boss: Membership,
    warehouse_id: int,
    customer_ids: list[int],
    product_ids: list[int],
    *,
    count: int,
    seed: int,
) -> list[int]:
    """`count` draft orders of 5 lines to confirm: TEMPLATES entered through the order service
    (prices from the price list), then copied in bulk to other customers (untimed set-up)."""
    rng = random.Random(seed)
    templates = []
    for _ in range(min(TEMPLATES, count)):
        data = OrderData(customer_id=rng.choice(customer_ids), warehouse_id=warehouse_id)
        order = place_order(
            org=org, actor=boss, data=data, lines=_lines(rng, product_ids), submit=False
        )
        order.refresh_from_db()  # the totals the lines gave it
        templates.append((order, list(order.lines.all())))
    customers = dict(Party.objects.filter(pk__in=customer_ids).values_list("pk", "name"))
    copies = []
    for n in range(count - len(templates)):
        order = copy.copy(templates[n % len(templates)][0])
        order.pk, order._state = None, ModelState()
        order.customer_id = rng.choice(customer_ids)
        order.customer_name = customers[order.customer_id]
        copies.append(order)
    SalesOrder.objects.bulk_create(copies, batch_size=2000)
    lines = []
    for n, order in enumerate(copies):
        for template_line in templates[n % len(templates)][1]:
            line = copy.copy(template_line)
            line.pk, line._state, line.order_id = None, ModelState(), order.pk
            lines.append(line)
    SalesOrderLine.objects.bulk_create(lines, batch_size=5000)
    ids = [order.pk for order, _lines in templates] + [order.pk for order in copies]
    rng.shuffle(ids)
    return ids


def _client(org: Organization, boss: Membership, ids: list[int], results: Queue) -> None:
    """One client process: confirm each draft in turn (the timed part), report latencies."""
    mine: list[float] = []
    refused = 0
    try:
        with org_scope(org):
            for pk in ids:
                order = SalesOrder(pk=pk, org=org)
                started = time.perf_counter()
                try:
                    order = submit_order(org=org, actor=boss, order=order)
                except BusinessRuleViolation:
                    refused += 1
                else:
                    assert order.status == OrderStatus.CONFIRMED
                mine.append(time.perf_counter() - started)
    finally:
        connections.close_all()
        results.put((mine, refused))


def _run(
    org: Organization, boss: Membership, ids: list[int], *, clients: int
) -> tuple[float, list[float], int]:
    """Confirm the drafts `ids` with `clients` processes at once (not threads: each has its
    own interpreter and connection, as gunicorn workers would); (seconds, latencies, refused)."""
    connections.close_all()  # a forked child must not share the parent's connection
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(target=_client, args=(org, boss, ids[n::clients], results))
        for n in range(clients)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    gathered = [results.get() for _ in processes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    latencies = [latency for mine, _refused in gathered for latency in mine]
    return elapsed, latencies, sum(refused for _mine, refused in gathered)


FLOOR_SQL = (
    "SELECT id FROM parties_party WHERE org_id = %(org)s AND id = %(customer)s FOR UPDATE",
    "SELECT COALESCE(SUM(amount), 0) FROM finance_creditcommitment"
    " WHERE org_id = %(org)s AND customer_id = %(customer)s",
    "SELECT id, on_hand - reserved FROM inventory_stocklevel WHERE org_id = %(org)s"
    " AND product_id = ANY(%(products)s) ORDER BY product_id, location_id FOR UPDATE",
    "UPDATE inventory_stocklevel SET reserved = reserved + 1"
    " WHERE org_id = %(org)s AND product_id = ANY(%(products)s)",
)


def _floor(org: Organization, customer_ids: list[int], product_ids: list[int], n: int) -> float:
    """The same locks and updates in hand-written SQL, one transaction per order, one client;
    the reservations are undone afterwards."""
    rng = random.Random(7)
    started = time.perf_counter()
    for _ in range(n):
        products = sorted(rng.sample(product_ids, LINES))
        params = {"org": org.pk, "customer": rng.choice(customer_ids), "products": products}
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in FLOOR_SQL:
                cursor.execute(statement, params)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_stocklevel SET reserved = COALESCE((SELECT SUM(quantity)"
            " FROM inventory_reservation r WHERE r.org_id = inventory_stocklevel.org_id"
            " AND r.product_id = inventory_stocklevel.product_id"
            " AND r.location_id = inventory_stocklevel.location_id"
            " AND r.released_at IS NULL), 0) WHERE org_id = %s",
            [org.pk],
        )
    return elapsed


def _invariants(org: Organization) -> dict[str, bool]:
    reserved = {
        (row["product_id"], row["location_id"]): row["total"]
        for row in Reservation.objects.filter(released_at__isnull=True)
        .values("product_id", "location_id")
        .annotate(total=Sum("quantity"))
    }
    moved: dict[tuple[int, int], Decimal] = {}
    for field, sign in (("to_location_id", 1), ("from_location_id", -1)):
        rows = (
            StockMove.objects.filter(**{f"{field}__isnull": False})
            .values_list("product_id", field)
            .annotate(total=Sum("quantity"))
        )
        for product_id, location_id, total in rows:
            key = (product_id, location_id)
            moved[key] = moved.get(key, Decimal(0)) + sign * total
    levels = list(StockLevel.objects.all())
    stock_ok = all(
        level.reserved == reserved.get((level.product_id, level.location_id), 0)
        and level.on_hand >= level.reserved
        and level.on_hand == moved.get((level.product_id, level.location_id), 0)
        for level in levels
    )
    confirmed = dict(
        SalesOrder.objects.filter(status=OrderStatus.CONFIRMED).values_list("pk", "total")
    )
    committed = {
        int(reference.split(":")[1]): amount
        for reference, amount in CreditCommitment.objects.values_list("reference", "amount")
    }
    over = (
        CreditCommitment.objects.values("customer_id")
        .annotate(total=Sum("amount"))
        .filter(total__gt=CREDIT_LIMIT)
        .exists()
    )
    credit_ok = committed == confirmed and not over
    return {"stock_ok": stock_ok, "credit_ok": credit_ok}


def bench_orders(*, rows: int, out: Callable[[str], None], workdir: Path) -> dict[str, Any]:
    """`rows` orders with 16 clients (and a tenth of them with one client)."""
    del workdir
    if connection.vendor != "postgresql":
        raise SystemExit("the order benchmark measures concurrency: it needs PostgreSQL")
    org = Organization.objects.create(name="订单基准测试", code=f"bench-orders-{int(time.time())}")
    with org_scope(org):
        boss, warehouse_id, product_ids = _setup(org, out)
        customer_ids = list(
            Party.objects.filter(kind=PartyKind.CUSTOMER).values_list("pk", flat=True)
        )
    single_n = max(CLIENTS, rows // 10)
    out(f"entering {single_n + rows:,} draft orders of {LINES} lines to confirm…")
    with org_scope(org):
        drafts = _drafts(
            org, boss, warehouse_id, customer_ids, product_ids, count=single_n + rows, seed=1
        )
    out(f"1 client: confirming {single_n} orders…")
    single_s, single_lat, single_refused = _run(org, boss, drafts[:single_n], clients=1)
    out(f"{CLIENTS} clients: confirming {rows} orders…")
    many_s, many_lat, many_refused = _run(org, boss, drafts[single_n:], clients=CLIENTS)
    with org_scope(org):
        invariants = _invariants(org)
        floor_s = _floor(org, customer_ids, product_ids, single_n)
    lat = sorted(many_lat)
    figures = {
        "orders_per_s_1": round(len(single_lat) / single_s, 1),
        "orders_per_s_16": round(len(many_lat) / many_s, 1),
        "p50_ms": round(statistics.median(lat) * 1000, 1),
        "p99_ms": round(lat[int(len(lat) * 0.99) - 1] * 1000, 1),
        "single_p50_ms": round(statistics.median(single_lat) * 1000, 1),
        "refused": single_refused + many_refused,
        "floor_orders_per_s_1": round(single_n / floor_s, 1),
        "ratio_1": round((single_n / floor_s) / (len(single_lat) / single_s), 2),
        "invariants_ok": all(invariants.values()),
        **invariants,
    }
    out(
        f"1 client {figures['orders_per_s_1']}/s (floor {figures['floor_orders_per_s_1']}/s,"
        f" ratio {figures['ratio_1']}), {CLIENTS} clients {figures['orders_per_s_16']}/s,"
        f" p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms,"
        f" invariants {'ok' if figures['invariants_ok'] else 'BROKEN'}"
    )
    return figures
