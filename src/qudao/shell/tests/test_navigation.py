"""The sidebar lights exactly one entry: the one whose URL is the longest prefix of the page's."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from qudao.tenancy.roles import Role

ACTIVE = re.compile(r'<li class="nav-item active">\s*<a [^>]*?(?:data-nav="([^"]+)"|href="/")')


def active_entries(body: str) -> list[str]:
    """The data-nav names of the highlighted sidebar entries ("" for the staff Home entry)."""
    return ACTIVE.findall(body)


@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        ("portal-home", "portal-home"),
        ("portal-account", "portal-account"),
        ("portal-statement-list", "portal-statement-list"),
        ("portal-consignment", "portal-consignment"),
    ],
)
def test_a_retailer_page_lights_only_its_own_entry(member, login, url_name, expected):
    # given
    shop = member(Role.RETAILER)

    # when
    response = login(shop).get(reverse(url_name))

    # then
    assert response.status_code == 200
    assert active_entries(response.content.decode()) == [expected]


@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        ("inventory-stock-list", "inventory-stock-list"),
        ("inventory-move-list", "inventory-move-list"),
        ("finance-collection-workbench", "finance-collection-workbench"),
        ("finance-collection-targets", "finance-collection-targets"),
    ],
)
def test_a_staff_page_under_another_entrys_url_lights_only_its_own_entry(
    boss, login, url_name, expected
):
    # when
    response = login(boss).get(reverse(url_name))

    # then
    assert response.status_code == 200
    assert active_entries(response.content.decode()) == [expected]


def test_a_detail_page_lights_the_list_it_belongs_to(member, login):
    # given: a path below /portal/account/ that is not itself in the menu
    shop = member(Role.RETAILER)

    # when
    response = login(shop).get(reverse("portal-topup-create"))

    # then
    assert response.status_code == 200
    assert active_entries(response.content.decode()) == ["portal-account"]


def test_the_staff_home_page_lights_home_only(boss, login):
    response = login(boss).get(reverse("home"))

    assert response.status_code == 200
    assert active_entries(response.content.decode()) == [""]
