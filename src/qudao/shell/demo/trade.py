"""The demo's trade: warehouses with opening stock, credit policies, three months of orders
delivered, invoiced and partly paid, and orders waiting at each step of the approval chain.

Everything goes through the real services (so stock, ledger and credit agree by
construction); only document dates are set back afterwards so the aging and the timelines
look like a business that has been running for a quarter.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from qudao.catalog.models import PriceKind, PriceListItem, Product
from qudao.core.errors import BusinessRuleViolation
from qudao.finance.models import CreditMode, ExceededAction, Invoice, InvoiceStatus, TermKind
from qudao.finance.services import PolicyData, set_credit_policy, set_group_policy
from qudao.finance.services.payments import PaymentData, receive_payment
from qudao.inventory.models import LocationKind, MoveKind
from qudao.inventory.services import (
    LocationData,
    MoveLine,
    adjust_stock,
    create_location,
    create_warehouse,
)
from qudao.parties.models import CustomerType, Party, PartyKind, PartyStatus
from qudao.sales.models import DeliveryNote, SalesOrder, SalesSettings
from qudao.sales.services import (
    LineInput,
    OrderData,
    approve_order,
    create_delivery,
    invoice_delivery,
    place_order,
    ship_delivery,
    submit_order,
)
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope

HISTORY_DAYS = 100
SERIALS_PER_PRODUCT = 30
REPS_BUYERS = 8  # the demo rep's own customers among the buyers


def _members(org: Organization) -> dict[str, Membership]:
    rows = Membership.objects.filter(org=org).select_related("user")
    return {m.user.username: m for m in rows}


def _stock(org: Organization, keeper: Membership, rng: random.Random) -> tuple[int, dict]:
    """Two warehouses; opening stock (期初库存) of every product at 80 % of its list price."""
    main = create_warehouse(
        org=org, actor=keeper, code="SH", name="上海总仓", address="上海市闵行区"
    )
    create_warehouse(org=org, actor=keeper, code="HZ", name="杭州仓", address="杭州市余杭区")
    create_location(
        org=org,
        actor=keeper,
        warehouse=main,
        data=LocationData(code="DMG", name="破损区", kind=LocationKind.DAMAGED),
    )
    shelf = main.locations.get(code="MAIN")
    prices = dict(
        PriceListItem.objects.filter(
            price_list__kind=PriceKind.WHOLESALE,
            price_list__customer__isnull=True,
            price_list__tier="",
        ).values_list("product_id", "unit_price")
    )
    moves, serials = [], {}
    for product in Product.objects.filter(archived_at__isnull=True).order_by("pk"):
        cost = (prices.get(product.pk, Decimal("10")) * Decimal("0.8")).quantize(Decimal("0.01"))
        if product.is_serialized:
            pool = [f"{product.code}-{n:05d}" for n in range(1, SERIALS_PER_PRODUCT + 1)]
            serials[product.pk] = pool
            moves += [
                MoveLine(product.pk, Decimal(1), to_location_id=shelf.pk, unit_cost=cost, serial=s)
                for s in pool
            ]
        else:
            quantity = Decimal(rng.choice((240, 480, 600, 960, 1200)))
            moves.append(MoveLine(product.pk, quantity, to_location_id=shelf.pk, unit_cost=cost))
    adjust_stock(org=org, actor=keeper, moves=moves, reason=MoveKind.ADJUSTMENT, note="期初库存")
    return main.pk, serials


def _credit(org: Organization, boss: Membership, shop: Party | None) -> None:
    groups = (
        (
            "A",
            PolicyData(
                credit_limit=Decimal(80000),
                term_kind=TermKind.MONTH_END,
                payment_term_days=30,
                overdue_tolerance_days=7,
                overdue_tolerance_amount=Decimal(2000),
                grade="AA",
            ),
        ),
        (
            "B",
            PolicyData(
                credit_limit=Decimal(30000),
                payment_term_days=30,
                overdue_tolerance_days=5,
                on_exceeded=ExceededAction.APPROVE,
                grade="A",
            ),
        ),
        (
            "C",
            PolicyData(
                credit_limit=Decimal(12000),
                payment_term_days=15,
                on_exceeded=ExceededAction.APPROVE,
                grade="B",
            ),
        ),
        ("D", PolicyData(mode=CreditMode.PREPAY, grade="C")),
    )
    for tier, data in groups:
        set_group_policy(org=org, actor=boss, tier=tier, customer_type="", data=data)
    if shop is not None:
        set_credit_policy(
            org=org,
            actor=boss,
            customer=shop,
            data=PolicyData(
                credit_limit=Decimal(20000),
                payment_term_days=30,
                on_exceeded=ExceededAction.APPROVE,
                grade="A",
            ),
        )


def _lines(rng: random.Random, products: list[Product], serials: dict) -> list[LineInput]:
    lines = []
    for product in rng.sample(products, rng.randint(2, 4)):
        if product.is_serialized:
            if len(serials.get(product.pk, ())) > 5:
                lines.append(LineInput(product.pk, Decimal(rng.randint(1, 2))))
            continue
        units = {u.name for u in product.packaging_units.all()}
        if units and rng.random() < 0.7:
            lines.append(LineInput(product.pk, Decimal(rng.randint(1, 4)), sorted(units)[0]))
        else:
            lines.append(LineInput(product.pk, Decimal(rng.randint(6, 24))))
    if not lines:
        plain = rng.choice([p for p in products if not p.is_serialized])
        lines.append(LineInput(plain.pk, Decimal(rng.randint(6, 24))))
    return lines


def _ship(org, keeper, order, serials, quantities=None) -> DeliveryNote:
    delivery = create_delivery(org=org, actor=keeper, order=order, quantities=quantities)
    picked = {}
    for line in delivery.lines.select_related("order_line__product"):
        if line.order_line.product.is_serialized:
            pool = serials[line.product_id]
            picked[line.order_line_id] = [pool.pop() for _ in range(int(line.quantity))]
    return ship_delivery(org=org, actor=keeper, delivery=delivery, serials=picked)


def _backdate(order: SalesOrder, day: datetime.date) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 30)))
    SalesOrder.objects.filter(pk=order.pk).update(
        created_at=moment, submitted_at=moment, confirmed_at=moment
    )
    DeliveryNote.objects.filter(order=order).update(
        created_at=moment + datetime.timedelta(hours=2),
        shipped_at=moment + datetime.timedelta(hours=5),
    )


def trade_steps(buyers: int) -> int:
    """Progress steps of `build_trade`: opening stock, each buyer, payments."""
    return buyers + 2


def build_trade(
    org: Organization, *, seed: int, buyers: int, progress: Callable[[int, str], None]
) -> None:
    """Stock, credit, `buyers` customers' quarter of trade, and today's waiting orders."""
    rng = random.Random(seed + 7)
    today = timezone.localdate()
    with org_scope(org):
        people = _members(org)
        boss, finance, keeper = (
            people["demo-boss"],
            people["demo-finance"],
            people["demo-warehouse"],
        )
        shop = Membership.objects.filter(org=org, role=Role.RETAILER).first()
        with transaction.atomic():
            warehouse_id, serials = _stock(org, keeper, rng)
            _credit(org, boss, shop.party if shop else None)
            settings, _created = SalesSettings.objects.get_or_create(org=org)
            settings.order_review = settings.finance_review = False
            settings.warehouse_release = False
            settings.save()
        progress(1, "opening stock")
        products = list(
            Product.objects.filter(
                archived_at__isnull=True,
                id__in=PriceListItem.objects.filter(
                    price_list__kind=PriceKind.WHOLESALE,
                    price_list__customer__isnull=True,
                    price_list__tier="",
                ).values("product_id"),
            ).prefetch_related("packaging_units")
        )
        customers = list(
            Party.objects.filter(
                kind=PartyKind.CUSTOMER,
                status=PartyStatus.ACTIVE,
                tier__in=["A", "B", "C"],
                owner__isnull=False,
            )
            .exclude(customer_type=CustomerType.END_CUSTOMER)
            .select_related("owner")
            .order_by("owner_id", "code")
        )
        demo_rep = people["demo-rep"]
        mine = [c for c in customers if c.owner_id == demo_rep.pk][:REPS_BUYERS]
        others = rng.sample(
            [c for c in customers if c.owner_id != demo_rep.pk], max(0, buyers - REPS_BUYERS)
        )
        if shop is not None and shop.party not in mine:
            mine.insert(0, shop.party)
            others.pop()
        for customer in mine + others:
            for _ in range(rng.randint(1, 3)):
                day = today - datetime.timedelta(days=rng.randint(3, HISTORY_DAYS))
                try:
                    with transaction.atomic():
                        order = place_order(
                            org=org,
                            actor=customer.owner or boss,
                            data=OrderData(customer_id=customer.pk, warehouse_id=warehouse_id),
                            lines=_lines(rng, products, serials),
                        )
                        delivery = _ship(org, keeper, order, serials)
                        invoice_delivery(org=org, actor=finance, delivery=delivery, on=day)
                        _backdate(order, day)
                except BusinessRuleViolation:
                    continue  # over its credit by then: the rule held the order back
            progress(1, "orders")
        _payments(org, finance, mine + others, rng, today)
        reps_own = [c for c in mine if c.owner_id == demo_rep.pk]
        _waiting(org, people, reps_own, warehouse_id, rng, products, serials)
        progress(1, "payments")


def _payments(org, finance, customers, rng, today) -> None:
    """Most customers pay most of what is due; a few are late (the aging has something)."""
    for customer in customers:
        invoices = list(
            Invoice.objects.filter(customer=customer, status=InvoiceStatus.POSTED).order_by("date")
        )
        behaviour = rng.random()
        for invoice in invoices:
            if invoice.due_date and invoice.due_date > today and rng.random() < 0.7:
                continue
            if behaviour < 0.2:
                continue  # a slow payer: the reminders and the aging will show it
            share = Decimal(1) if behaviour > 0.45 else Decimal("0.5")
            paid_on = min(
                today,
                (invoice.due_date or invoice.date) + datetime.timedelta(days=rng.randint(-5, 10)),
            )
            paid_on = max(paid_on, invoice.date)
            receive_payment(
                org=org,
                actor=finance,
                data=PaymentData(
                    customer_id=customer.pk,
                    date=paid_on,
                    amount=(invoice.total * share).quantize(Decimal("0.01")),
                    method=rng.choice(("bank_transfer", "wechat", "alipay", "bank_transfer")),
                    reference=f"DEMO-{invoice.pk}",
                ),
                auto_allocate=True,
            )


def _waiting(org, people, mine, warehouse_id, rng, products, serials) -> None:
    """Orders at each step today: the chain as the demo users will find it."""
    settings = SalesSettings.objects.get(org=org)
    settings.finance_review = settings.warehouse_release = True
    settings.receipt_confirmation = True
    settings.save()
    rep, finance, keeper = people["demo-rep"], people["demo-finance"], people["demo-warehouse"]
    data = lambda c: OrderData(customer_id=c.pk, warehouse_id=warehouse_id)  # noqa: E731
    with transaction.atomic():
        place_order(
            org=org,
            actor=rep,
            data=data(mine[0]),
            lines=_lines(rng, products, serials),
            submit=False,
        )
        draft = place_order(
            org=org,
            actor=rep,
            data=data(mine[1]),
            lines=_lines(rng, products, serials),
            submit=False,
        )
        submit_order(org=org, actor=rep, order=draft, for_customer=True)
        for customer in mine[2:5]:
            place_order(
                org=org, actor=rep, data=data(customer), lines=_lines(rng, products, serials)
            )
        plain = [p for p in products if not p.is_serialized]
        big = [LineInput(p.pk, Decimal(60)) for p in plain[:6]]
        place_order(org=org, actor=rep, data=data(mine[5]), lines=big)  # over its limit
    for order in SalesOrder.objects.filter(status="finance_review").order_by("pk")[:3]:
        try:
            with transaction.atomic():
                approve_order(org=org, actor=finance, order=order)
        except BusinessRuleViolation:
            continue  # refused by the credit rule: it waits for finance to decide
        with transaction.atomic():
            create_delivery(org=org, actor=keeper, order=order)
    settings.warehouse_release = False
    settings.save()
    with transaction.atomic():  # a partial delivery: the rest is a backorder
        order = place_order(org=org, actor=rep, data=data(mine[6]), lines=big[:2])
        if order.status == "finance_review":
            order = approve_order(
                org=org, actor=finance, order=order, override=True, reason="老客户，月底前回款"
            )
        first = order.lines.order_by("position").first()
        _ship(org, keeper, order, serials, {first.pk: first.quantity / 2})
    if len(mine) > 7:  # a retailer on consignment (代销): goods at its store, still ours
        with transaction.atomic():
            set_credit_policy(
                org=org,
                actor=people["demo-boss"],
                customer=mine[7],
                data=PolicyData(
                    mode=CreditMode.CONSIGNMENT, credit_limit=Decimal(30000), grade="A"
                ),
            )
            lines = [LineInput(line.product_id, Decimal(24)) for line in big[2:5]]
            order = place_order(org=org, actor=rep, data=data(mine[7]), lines=lines)
            if order.status == "finance_review":
                order = approve_order(
                    org=org,
                    actor=finance,
                    order=order,
                    override=True,
                    reason="代销试点，按售出结算",
                )
            _ship(org, keeper, order, serials)
    settings.warehouse_release = True
    settings.save()
