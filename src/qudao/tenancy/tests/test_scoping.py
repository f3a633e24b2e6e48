import pytest

from qudao.tenancy.models import Event, Organization
from qudao.tenancy.scoping import OrgScopeError, current_org, org_scope
from qudao.tenancy.services import record_event
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory


@pytest.mark.django_db
def test_a_tenant_model_queried_outside_a_scope_raises():
    with pytest.raises(OrgScopeError, match="Event queried outside an org scope"):
        list(Event.objects.all())


@pytest.mark.django_db
def test_a_scope_sees_only_its_own_organizations_rows():
    # given
    first, second = OrganizationFactory(), OrganizationFactory()
    for org in (first, second):
        with org_scope(org):
            actor = MembershipFactory(org=org)
            record_event(org=org, actor=actor, subject=actor, verb="tested")

    # when
    with org_scope(first):
        seen = list(Event.objects.values_list("org_id", flat=True))

    # then
    assert seen == [first.pk]


@pytest.mark.django_db
def test_scopes_nest_and_restore():
    first, second = OrganizationFactory(), OrganizationFactory()
    with org_scope(first):
        with org_scope(second):
            assert current_org() == second
        assert current_org() == first
    assert current_org() is None


def test_organization_itself_is_not_tenant_scoped():
    assert not hasattr(Organization, "unscoped")
