from __future__ import annotations

import factory

from qudao.parties.models import Contact, CustomerType, Party, PartyKind, PartyStatus, Territory


class TerritoryFactory(factory.django.DjangoModelFactory):
    """A top-level territory (use the service to build deeper trees: it keeps the paths)."""

    class Meta:
        model = Territory

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"区域{n}")
    path = factory.LazyAttribute(lambda t: t.code)
    depth = 0


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    kind = PartyKind.CUSTOMER
    customer_type = CustomerType.RETAILER
    code = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"测试便利店{n}")
    status = PartyStatus.ACTIVE
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    kind = PartyKind.SUPPLIER
    customer_type = ""
    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"测试厂家{n}有限公司")
    status = PartyStatus.ACTIVE
    phone = factory.Sequence(lambda n: f"0571-8800{n:04d}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    party = factory.SubFactory(CustomerFactory, org=factory.SelfAttribute("..org"))
    name = factory.Sequence(lambda n: f"联系人{n}")
    phone = factory.Sequence(lambda n: f"1390000{n:04d}")
    wechat_id = factory.Sequence(lambda n: f"wx_{n:06d}")
