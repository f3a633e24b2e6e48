from __future__ import annotations

import factory

from qudao.inventory.models import Location, LocationKind, Warehouse
from qudao.tenancy.scoping import current_org


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    org = factory.LazyFunction(current_org)
    code = factory.Sequence(lambda n: f"WH{n:02d}")
    name = factory.Sequence(lambda n: f"仓库{n}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    org = factory.LazyFunction(current_org)
    warehouse = factory.SubFactory(WarehouseFactory)
    code = factory.Sequence(lambda n: f"L{n:03d}")
    name = factory.Sequence(lambda n: f"货位{n}")
    kind = LocationKind.INTERNAL
