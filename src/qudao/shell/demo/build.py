"""The demo inserts: `build` turns the planned rows into database rows, set-based."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import transaction

from qudao.catalog.models import (
    Brand,
    Category,
    PackagingUnit,
    PriceList,
    PriceListItem,
    Product,
)
from qudao.catalog.validation import pinyin_initials
from qudao.parties.models import (
    Contact,
    CustomerType,
    Party,
    PartyKind,
    PartyStatus,
    Territory,
    Tier,
)
from qudao.shell.demo.accounts import ACCOUNT_STEPS, build_accounts
from qudao.shell.demo.cashflow import build_cashflow
from qudao.shell.demo.catalog import BRANDS, CATEGORIES, ProductRow, catalog_rows
from qudao.shell.demo.people import (
    BATCH,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    REGIONS,
    SIZES,
    STAFF,
    branch_customer_rows,
    customer_batches,
    rep_rows,
    supplier_rows,
)
from qudao.shell.demo.prices import KEY_CUSTOMERS, PriceListRow, price_rows
from qudao.shell.demo.trade import build_trade, trade_steps
from qudao.tenancy.models import Membership, Organization, User
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope

_T = TypeVar("_T")


def _batched(items: Sequence[_T], size: int = BATCH) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@cache
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose


def _user(username: str, name: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": name, "password": _demo_password_hash()}
    )
    return user


def _territories(org: Organization) -> list[Territory]:
    districts: list[Territory] = []
    region = Territory.objects.create(org=org, code="HD", name="华东大区", path="HD", depth=0)
    for p_index, (province, cities) in enumerate(REGIONS.items(), start=1):
        p_code = f"HD{p_index:02d}"
        p = Territory.objects.create(
            org=org, parent=region, code=p_code, name=province, path=f"HD/{p_code}", depth=1
        )
        for c_index, (city, names) in enumerate(cities.items(), start=1):
            c_code = f"{p_code}{c_index:02d}"
            c = Territory.objects.create(
                org=org, parent=p, code=c_code, name=city, path=f"{p.path}/{c_code}", depth=2
            )
            for d_index, district in enumerate(names, start=1):
                d_code = f"{c_code}{d_index:02d}"
                districts.append(
                    Territory.objects.create(
                        org=org,
                        parent=c,
                        code=d_code,
                        name=f"{city[:-1]}{district}",
                        path=f"{c.path}/{d_code}",
                        depth=3,
                    )
                )
    return districts


def _insert_catalog(
    org: Organization, rows: Sequence[ProductRow], progress: Callable[[int, str], None]
) -> dict[str, int]:
    """Brands, the category tree, products and packaging units; product code → id."""
    with transaction.atomic(), org_scope(org):
        suppliers = dict(Party.objects.filter(kind=PartyKind.SUPPLIER).values_list("code", "pk"))
        brands = Brand.objects.bulk_create(
            [
                Brand(
                    org=org,
                    supplier_id=suppliers[supplier],
                    code=code,
                    name=name,
                    pinyin=pinyin_initials(name),
                )
                for code, name, supplier in BRANDS
            ]
        )
        brand_ids = {brand.code: brand.pk for brand in brands}
        categories: dict[str, Category] = {}
        for code, name, parent_code in CATEGORIES:
            parent = categories[parent_code] if parent_code else None
            category = Category.objects.create(
                org=org,
                parent=parent,
                code=code,
                name=name,
                depth=parent.depth + 1 if parent else 0,
            )
            category.path = f"{parent.path if parent else ''}{category.pk:08d}/"
            category.save(update_fields=["path"])
            categories[code] = category
    progress(1, "brands and categories")
    product_ids: dict[str, int] = {}
    for batch in _batched(rows):
        with transaction.atomic(), org_scope(org):
            products = Product.objects.bulk_create(
                [
                    Product(
                        org=org,
                        code=row.code,
                        name=row.name,
                        pinyin=pinyin_initials(row.name),
                        barcode=row.barcode,
                        specification=row.specification,
                        brand_id=brand_ids[row.brand],
                        category=categories[row.category],
                        base_unit=row.base_unit,
                        is_serialized=row.is_serialized,
                        launch_status=row.launch_status,
                        launch_date=row.launch_date,
                        warranty_policy_code=row.warranty_policy_code,
                    )
                    for row in batch
                ]
            )
            PackagingUnit.objects.bulk_create(
                [
                    PackagingUnit(
                        org=org,
                        product=product,
                        name=pack.name,
                        factor=pack.factor,
                        barcode=pack.barcode,
                    )
                    for row, product in zip(batch, products, strict=True)
                    for pack in row.packs
                ]
            )
            product_ids.update((product.code, product.pk) for product in products)
        progress(len(batch), "products")
    return product_ids


def _insert_prices(
    org: Organization,
    lists: Sequence[PriceListRow],
    product_ids: dict[str, int],
    steps: int,
    progress: Callable[[int, str], None],
) -> None:
    """The price lists and their items; reports `steps` in all, spread over the lists."""
    with org_scope(org):
        parties = dict(
            Party.objects.filter(
                code__in={row.supplier or row.customer for row in lists} - {""}
            ).values_list("code", "pk")
        )
    done = 0
    for number, row in enumerate(lists, start=1):
        with transaction.atomic(), org_scope(org):
            price_list = PriceList.objects.create(
                org=org,
                kind=row.kind,
                name=row.name,
                supplier_id=parties[row.supplier] if row.supplier else None,
                customer_id=parties[row.customer] if row.customer else None,
                tier=row.tier,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                notes=row.notes,
            )
            for batch in _batched(row.items):
                PriceListItem.objects.bulk_create(
                    [
                        PriceListItem(
                            org=org,
                            price_list=price_list,
                            product_id=product_ids[item.product],
                            unit_price=item.unit_price,
                            min_quantity=item.min_quantity,
                            valid_from=item.valid_from,
                            valid_to=item.valid_to,
                        )
                        for item in batch
                    ]
                )
        target = steps * number // len(lists)
        progress(target - done, "price lists")
        done = target


def key_customers(org: Organization) -> list[tuple[str, str]]:
    """(code, short name) of the customers with their own price list (key accounts).

    The first active chain stores and sub-distributors, then wholesalers if there are too few.
    """
    with org_scope(org):
        found = list(
            Party.objects.filter(
                kind=PartyKind.CUSTOMER,
                status=PartyStatus.ACTIVE,
                customer_type__in=[CustomerType.CHAIN_STORE, CustomerType.SUB_DISTRIBUTOR],
            )
            .order_by("code")
            .values_list("code", "short_name")[:KEY_CUSTOMERS]
        )
        if len(found) < KEY_CUSTOMERS:
            found += (
                Party.objects.filter(
                    kind=PartyKind.CUSTOMER,
                    status=PartyStatus.ACTIVE,
                    customer_type=CustomerType.WHOLESALER,
                )
                .order_by("code")
                .values_list("code", "short_name")[: KEY_CUSTOMERS - len(found)]
            )
    return found


def build(
    *,
    size: str = "small",
    seed: int = DEFAULT_SEED,
    progress: Callable[[int, str], None] = lambda _n, _label: None,
) -> Organization:
    """Create the demo organizations, users for every role, territories, suppliers, customers,
    the catalog (brands, categories, products, packaging) and the price lists."""
    spec = SIZES[size]
    rng = random.Random(seed)
    with transaction.atomic():
        org = Organization.objects.create(name="江南渠道商贸有限公司", code="jiangnan")
        branch = Organization.objects.create(name="江南渠道·合肥分公司", code="jiangnan-hefei")
        with org_scope(org):
            staff = {}
            for username, name, role in STAFF:
                staff[username] = Membership.objects.create(
                    org=org, user=_user(username, name), role=role
                )
            Membership.objects.create(org=branch, user=staff["demo-boss"].user, role=Role.BOSS)
            reps = []
            for username, name, phone in rep_rows(rng, spec):
                user = _user(username, name)
                user.phone = phone
                user.save(update_fields=["phone"])
                reps.append(Membership.objects.create(org=org, user=user, role=Role.SALES_REP))
            progress(1, "staff")
            districts = _territories(org)
            Party.objects.bulk_create(
                [
                    Party(org=org, kind=PartyKind.SUPPLIER, status=PartyStatus.ACTIVE, **fields)
                    for fields in supplier_rows(rng)
                ]
            )
            progress(1, "suppliers")

    products = catalog_rows(size, seed)
    product_ids = _insert_catalog(org, products, progress)

    for batch in customer_batches(rng, spec, [d.name for d in districts]):
        with transaction.atomic(), org_scope(org):
            customers = [
                Party(
                    org=org,
                    kind=PartyKind.CUSTOMER,
                    territory=districts[fields["number"] % len(districts)],
                    owner=reps[fields["number"] % len(reps)],
                    **{k: v for k, v in fields.items() if k != "number"},
                )
                for fields in batch.customers
            ]
            Party.objects.bulk_create(customers)
            Contact.objects.bulk_create(
                [
                    Contact(org=org, party=customer, **contact)
                    for customer, contacts in zip(customers, batch.contacts, strict=True)
                    for contact in contacts
                ]
            )
        progress(len(customers), "customers")

    lists = price_rows(products, key_customers(org), seed)
    _insert_prices(org, lists, product_ids, len(products), progress)

    with transaction.atomic(), org_scope(org):
        supplier = Party.objects.get(kind=PartyKind.SUPPLIER, code="S001")
        Membership.objects.create(
            org=org, user=_user("demo-maker", "华岚·刘经理"), role=Role.MANUFACTURER, party=supplier
        )
        shop = (
            Party.objects.filter(
                kind=PartyKind.CUSTOMER,
                status=PartyStatus.ACTIVE,
                customer_type=CustomerType.RETAILER,
            )
            .order_by("code")
            .first()
        )
        assert shop is not None
        Membership.objects.create(
            org=org,
            user=_user("demo-shop", f"{shop.short_name}·店主"),
            role=Role.RETAILER,
            party=shop,
        )
    with transaction.atomic(), org_scope(branch):
        _territories(branch)
        Party.objects.bulk_create(
            [
                Party(
                    org=branch,
                    kind=PartyKind.CUSTOMER,
                    customer_type=CustomerType.RETAILER,
                    status=PartyStatus.ACTIVE,
                    tier=Tier.C,
                    **fields,
                )
                for fields in branch_customer_rows(rng)
            ]
        )
    progress(1, "portal users")
    build_trade(org, seed=seed, buyers=spec.buyers, progress=progress)
    build_cashflow(org, seed=seed)
    build_accounts(org, progress=progress)
    return org


def total_steps(size: str) -> int:
    """Progress steps of `build`: customers, products twice (rows, prices), four more, trade,
    customer accounts."""
    spec = SIZES[size]
    return spec.customers + 2 * spec.products + 4 + trade_steps(spec.buyers) + ACCOUNT_STEPS
