from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from qudao.catalog.models import Brand, Category, PriceKind, PriceList, PriceListItem, Product
from qudao.catalog.validation import pinyin_initials
from qudao.parties.models import CustomerType, Party, PartyKind
from qudao.tenancy.scoping import current_org


def _org() -> object:
    return current_org()


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    org = factory.LazyFunction(_org)
    kind = PartyKind.SUPPLIER
    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"厂家{n}")


class CustomerFactory(SupplierFactory):
    kind = PartyKind.CUSTOMER
    customer_type = CustomerType.RETAILER
    code = factory.Sequence(lambda n: f"C{n:04d}")
    name = factory.Sequence(lambda n: f"客户{n}")


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    org = factory.LazyFunction(_org)
    supplier = factory.SubFactory(SupplierFactory)
    code = factory.Sequence(lambda n: f"B{n:03d}")
    name = factory.Sequence(lambda n: f"品牌{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    org = factory.LazyFunction(_org)
    code = factory.Sequence(lambda n: f"CAT{n:03d}")
    name = factory.Sequence(lambda n: f"类别{n}")
    path = factory.LazyAttribute(lambda o: f"{o.code}/")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    org = factory.LazyFunction(_org)
    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"商品{n}")
    pinyin = factory.LazyAttribute(lambda o: pinyin_initials(o.name))
    base_unit = "瓶"
    brand = factory.SubFactory(BrandFactory)


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    org = factory.LazyFunction(_org)
    kind = PriceKind.WHOLESALE
    name = factory.Sequence(lambda n: f"价格表{n}")
    valid_from = date(2026, 1, 1)


class PriceListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceListItem

    org = factory.LazyFunction(_org)
    price_list = factory.SubFactory(PriceListFactory)
    product = factory.SubFactory(ProductFactory)
    unit_price = Decimal("10.0000")
    valid_from = factory.LazyAttribute(lambda o: o.price_list.valid_from)
    valid_to = factory.LazyAttribute(lambda o: o.price_list.valid_to)
