"""The territory tree: paths kept by the service, moves, refusals and counts."""

from __future__ import annotations

import pytest

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.parties.models import Territory
from qudao.parties.selectors import territory_tree
from qudao.parties.services import archive_territory, create_territory, update_territory
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role


@pytest.fixture
def tree(org, boss):
    """东区 → 浙江 → 杭州, and 西区 beside it."""
    east = create_territory(org=org, actor=boss, code="E", name="东区")
    zhejiang = create_territory(org=org, actor=boss, code="ZJ", name="浙江", parent_id=east.pk)
    hangzhou = create_territory(org=org, actor=boss, code="HZ", name="杭州", parent_id=zhejiang.pk)
    west = create_territory(org=org, actor=boss, code="W", name="西区")
    return east, zhejiang, hangzhou, west


def paths() -> dict[str, tuple[str, int]]:
    return {t.code: (t.path, t.depth) for t in Territory.objects.all()}


def test_create_keeps_path_and_depth(tree):
    assert paths() == {
        "E": ("E", 0),
        "ZJ": ("E/ZJ", 1),
        "HZ": ("E/ZJ/HZ", 2),
        "W": ("W", 0),
    }


def test_moving_a_territory_moves_everything_below_it(org, boss, tree):
    # given
    _east, zhejiang, _hangzhou, west = tree

    # when
    update_territory(
        org=org, actor=boss, territory=zhejiang, code="ZJ", name="浙江省", parent_id=west.pk
    )

    # then
    assert paths() == {
        "E": ("E", 0),
        "ZJ": ("W/ZJ", 1),
        "HZ": ("W/ZJ/HZ", 2),
        "W": ("W", 0),
    }
    zhejiang.refresh_from_db()
    assert (zhejiang.parent_id, zhejiang.name) == (west.pk, "浙江省")


def test_moving_to_the_top_level_and_renaming_the_code(org, boss, tree):
    # given
    _east, zhejiang, _hangzhou, _west = tree

    # when
    update_territory(
        org=org, actor=boss, territory=zhejiang, code="ZJS", name="浙江", parent_id=None
    )

    # then
    assert paths()["ZJS"] == ("ZJS", 0)
    assert paths()["HZ"] == ("ZJS/HZ", 1)


@pytest.mark.parametrize("target", ["self", "descendant"])
def test_moving_under_itself_or_a_descendant_is_refused(org, boss, tree, target):
    # given
    east, _zhejiang, hangzhou, _west = tree
    parent = east if target == "self" else hangzhou
    before = paths()

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        update_territory(
            org=org, actor=boss, territory=east, code="E", name="东区", parent_id=parent.pk
        )

    # then
    assert refused.value.code == "territory_cycle"
    assert paths() == before


def test_a_used_code_is_refused(org, boss, tree):
    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        create_territory(org=org, actor=boss, code="HZ", name="另一个杭州")

    # then
    assert refused.value.fields.keys() == {"code"}
    assert Territory.objects.count() == 4


def test_a_code_with_a_slash_is_refused(org, boss):
    with pytest.raises(BusinessRuleViolation) as refused:
        create_territory(org=org, actor=boss, code="A/B", name="坏代码")
    assert refused.value.fields.keys() == {"code"}
    assert Territory.objects.count() == 0


def test_a_sales_rep_cannot_manage_territories(org, rep):
    with pytest.raises(PermissionDenied):
        create_territory(org=org, actor=rep, code="X", name="X")
    assert Territory.objects.count() == 0


def test_a_territory_in_use_cannot_be_archived(org, boss, tree):
    # given
    _east, zhejiang, hangzhou, _west = tree
    CustomerFactory(org=org, territory=hangzhou)

    # when
    with pytest.raises(BusinessRuleViolation) as with_children:
        archive_territory(org=org, actor=boss, territory=zhejiang)
    with pytest.raises(BusinessRuleViolation) as with_customers:
        archive_territory(org=org, actor=boss, territory=hangzhou)

    # then
    assert (with_children.value.code, with_customers.value.code) == (
        "territory_in_use",
        "territory_in_use",
    )
    assert Territory.objects.filter(archived_at__isnull=False).count() == 0


def test_tree_counts_the_customers_the_member_may_see(org, boss, rep, member, tree):
    # given
    east, zhejiang, hangzhou, west = tree
    other_rep = member(Role.SALES_REP)
    CustomerFactory.create_batch(2, org=org, territory=hangzhou, owner=rep)
    CustomerFactory(org=org, territory=zhejiang, owner=other_rep)
    CustomerFactory(org=org, territory=west, owner=rep, archived_at="2026-01-01T00:00:00Z")

    # when
    for_boss = {n.territory.code: (n.direct, n.total) for n in territory_tree(boss)}
    for_rep = {n.territory.code: (n.direct, n.total) for n in territory_tree(rep)}

    # then
    assert for_boss == {"E": (0, 3), "ZJ": (1, 3), "HZ": (2, 2), "W": (0, 0)}
    assert for_rep == {"E": (0, 2), "ZJ": (0, 2), "HZ": (2, 2), "W": (0, 0)}
