from __future__ import annotations

from typing import Any

import factory

from qudao.tenancy.models import Membership, Organization, User
from qudao.tenancy.roles import EXTERNAL_ROLES, Role


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试组织{n}")
    code = factory.Sequence(lambda n: f"org-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("secret-pass-123")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    org = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.BOSS

    @classmethod
    def _create(cls, model_class: type[Membership], *args: Any, **kwargs: Any) -> Membership:
        if kwargs.get("role") in EXTERNAL_ROLES and kwargs.get("party") is None:
            from qudao.parties.models import CustomerType, Party, PartyKind
            from qudao.tenancy.scoping import org_scope

            org = kwargs["org"]
            kind = PartyKind.SUPPLIER if kwargs["role"] == Role.MANUFACTURER else PartyKind.CUSTOMER
            with org_scope(org):
                count = Party.objects.count()
                kwargs["party"] = Party.objects.create(
                    org=org,
                    kind=kind,
                    code=f"P{count + 1:05d}",
                    name=f"外部方{count + 1}",
                    customer_type=CustomerType.RETAILER if kind == PartyKind.CUSTOMER else "",
                )
        return super()._create(model_class, *args, **kwargs)
