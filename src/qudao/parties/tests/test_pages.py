"""The pages: who sees what, forms that refuse bad input, export and list performance."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from qudao.parties.forms import PartyForm
from qudao.parties.models import Contact, Party, Territory
from qudao.parties.services import archive_party
from qudao.parties.tests.factories import (
    ContactFactory,
    CustomerFactory,
    SupplierFactory,
    TerritoryFactory,
)
from qudao.tenancy.models import Event
from qudao.tenancy.roles import STAFF_ROLES, Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory

STAFF = sorted(STAFF_ROLES)


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_opens_the_lists_details_and_tree(org, member, login, role):
    # given
    membership = member(role)
    customer = CustomerFactory(org=org, owner=membership if role == Role.SALES_REP else None)
    supplier = SupplierFactory(org=org)
    ContactFactory(org=org, party=customer)
    client = login(membership)

    # when
    urls = [
        reverse("parties-customer-list"),
        reverse("parties-supplier-list"),
        reverse("parties-territory-list"),
        reverse("parties-customer-detail", args=[customer.pk]),
        reverse("parties-supplier-detail", args=[supplier.pk]),
        reverse("parties-customer-export"),
    ]
    statuses = [client.get(url).status_code for url in urls]

    # then
    assert statuses == [200] * len(urls)


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.BOSS, 200), (Role.SALES_REP, 200), (Role.FINANCE, 403), (Role.READONLY, 403)],
)
def test_create_pages_need_manage_parties(org, member, login, role, expected):
    client = login(member(role))
    assert client.get(reverse("parties-customer-create")).status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"), [(Role.BOSS, 200), (Role.SALES_REP, 403), (Role.FINANCE, 403)]
)
def test_reassign_and_territory_forms_are_for_the_boss(org, member, login, role, expected):
    client = login(member(role))
    assert client.get(reverse("parties-reassign")).status_code == expected
    assert client.get(reverse("parties-territory-create")).status_code == expected


def test_an_external_user_cannot_open_the_parties_pages(org, member, login):
    client = login(member(Role.RETAILER))
    assert client.get(reverse("parties-customer-list")).status_code == 403


def test_a_rep_lists_only_their_own_customers(org, rep, member, login):
    # given
    CustomerFactory(org=org, owner=rep, name="我的店")
    CustomerFactory(org=org, owner=member(Role.SALES_REP), name="别人的店")

    # when
    response = login(rep).get(reverse("parties-customer-list"))

    # then
    names = [row.name for row in response.context["rows"]]
    assert names == ["我的店"]


def test_a_rep_opening_another_reps_customer_gets_404_everywhere(org, rep, member, login):
    # given
    theirs = CustomerFactory(org=org, owner=member(Role.SALES_REP), name="别人的店")
    contact = ContactFactory(org=org, party=theirs)
    client = login(rep)

    # when
    gets = [
        client.get(reverse("parties-customer-detail", args=[theirs.pk])).status_code,
        client.get(reverse("parties-customer-edit", args=[theirs.pk])).status_code,
        client.get(reverse("parties-contact-edit", args=[contact.pk])).status_code,
    ]
    posts = [
        client.post(reverse("parties-customer-archive", args=[theirs.pk])).status_code,
        client.post(
            reverse("parties-customer-contact-add", args=[theirs.pk]), {"name": "偷加"}
        ).status_code,
        client.post(reverse("parties-contact-archive", args=[contact.pk])).status_code,
    ]

    # then
    assert gets == [404, 404, 404]
    assert posts == [404, 404, 404]
    theirs.refresh_from_db()
    contact.refresh_from_db()
    assert (theirs.archived_at, contact.archived_at, Contact.objects.count()) == (None, None, 1)


def test_another_organizations_party_is_404(org, other_org, boss, login):
    # given
    with org_scope(other_org):
        foreign = CustomerFactory(org=other_org)
        foreign_supplier = SupplierFactory(org=other_org)
        foreign_territory = TerritoryFactory(org=other_org)
    client = login(boss)

    # when
    statuses = [
        client.get(reverse("parties-customer-detail", args=[foreign.pk])).status_code,
        client.get(reverse("parties-supplier-detail", args=[foreign_supplier.pk])).status_code,
        client.get(reverse("parties-territory-edit", args=[foreign_territory.pk])).status_code,
        client.post(reverse("parties-customer-archive", args=[foreign.pk])).status_code,
    ]

    # then
    assert statuses == [404, 404, 404, 404]


def test_a_customer_is_not_found_under_the_supplier_urls(org, boss, login):
    customer = CustomerFactory(org=org)
    response = login(boss).get(reverse("parties-supplier-detail", args=[customer.pk]))
    assert response.status_code == 404


def test_archived_parties_are_hidden_unless_the_filter_asks(org, boss, login):
    # given
    CustomerFactory(org=org, name="在营")
    archive_party(org=org, actor=boss, party=CustomerFactory(org=org, name="已归档"))
    client = login(boss)

    # when
    default = client.get(reverse("parties-customer-list"))
    archived = client.get(reverse("parties-customer-list"), {"status": "archived"})

    # then
    assert [r.name for r in default.context["rows"]] == ["在营"]
    assert [r.name for r in archived.context["rows"]] == ["已归档"]


def test_search_reaches_contacts_and_territory_filter_includes_children(org, boss, login):
    # given
    parent = TerritoryFactory(org=org, code="P", path="P")
    child = TerritoryFactory(org=org, code="K", path="P/K", depth=1, parent=parent)
    in_child = CustomerFactory(org=org, territory=child, name="子区域的店")
    CustomerFactory(org=org, name="别处的店")
    ContactFactory(org=org, party=in_child, name="赵老板", wechat_id="zhao888")
    client = login(boss)

    # when
    by_wechat = client.get(reverse("parties-customer-list"), {"q": "zhao888"})
    by_territory = client.get(reverse("parties-customer-list"), {"territory": str(parent.pk)})

    # then
    assert [r.name for r in by_wechat.context["rows"]] == ["子区域的店"]
    assert [r.name for r in by_territory.context["rows"]] == ["子区域的店"]


def test_the_list_partial_answers_htmx(org, boss, login):
    CustomerFactory(org=org)
    response = login(boss).get(reverse("parties-customer-list"), HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates][0] == "shell/_list.html"


def test_the_customer_list_does_not_query_per_row(org, boss, login, django_assert_max_num_queries):
    # given
    territory = TerritoryFactory(org=org)
    reps = [MembershipFactory(org=org, role=Role.SALES_REP) for _n in range(3)]
    for n in range(50):
        customer = CustomerFactory(org=org, territory=territory, owner=reps[n % 3])
        ContactFactory(org=org, party=customer, is_primary=True)
    client = login(boss)

    # when
    with django_assert_max_num_queries(14):
        response = client.get(reverse("parties-customer-list"), {"size": "50"})

    # then
    assert response.status_code == 200
    assert len(response.context["rows"]) == 50


def test_create_form_refuses_bad_input_and_changes_nothing(org, boss, login):
    # when
    response = login(boss).post(
        reverse("parties-customer-create"),
        {"name": "", "customer_type": "no-such-type", "status": "active"},
    )

    # then
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "customer_type"}
    assert Party.objects.count() == 0


def test_create_form_shows_duplicates_and_creates_only_when_confirmed(org, boss, login):
    # given
    existing = CustomerFactory(org=org, name="城南超市", phone="13900000001")
    client = login(boss)
    form = {"name": "城南超市", "customer_type": "retailer", "status": "active", "tier": ""}

    # when
    warned = client.post(reverse("parties-customer-create"), form)
    confirmed = client.post(reverse("parties-customer-create"), form | {"confirm_duplicate": "1"})

    # then
    assert warned.status_code == 200
    assert [m["party"].pk for m in warned.context["duplicates"]] == [existing.pk]
    assert reverse("parties-customer-detail", args=[existing.pk]) in warned.content.decode()
    assert confirmed.status_code == 302
    assert Party.objects.filter(name="城南超市").count() == 2


def test_boss_edits_a_customer_and_the_history_shows_who_and_from_where(org, boss, rep, login):
    # given
    customer = CustomerFactory(org=org, name="旧店名", owner=rep)
    client = login(boss)
    form = PartyForm.initial_for(customer) | {"name": "新店名"}

    # when
    response = client.post(reverse("parties-customer-edit", args=[customer.pk]), form)
    detail = client.get(reverse("parties-customer-detail", args=[customer.pk]))

    # then
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "新店名"
    newest = detail.context["history"][0]
    assert (newest.who, newest.ip_address) == (str(boss.user), "127.0.0.1")
    assert [(c.old, c.new) for c in newest.changes] == [("旧店名", "新店名")]


def test_contact_form_refuses_bad_input_and_changes_nothing(org, boss, login):
    # given
    customer = CustomerFactory(org=org)

    # when
    response = login(boss).post(
        reverse("parties-customer-contact-add", args=[customer.pk]),
        {"name": "", "email": "nope"},
    )

    # then
    assert response.status_code == 200
    assert set(response.context["contact_form"].errors) == {"name", "email"}
    assert Contact.objects.count() == 0


def test_contact_add_edit_and_remove_from_the_detail_page(org, boss, login):
    # given
    customer = CustomerFactory(org=org)
    client = login(boss)

    # when
    client.post(
        reverse("parties-customer-contact-add", args=[customer.pk]),
        {"name": "钱经理", "phone": "13511112222", "birthday": "1985-03-04"},
    )
    contact = Contact.objects.get()
    client.post(
        reverse("parties-contact-edit", args=[contact.pk]),
        {"name": "钱经理", "title": "采购", "birthday": "1985-03-04", "is_primary": "on"},
    )
    client.post(reverse("parties-contact-archive", args=[contact.pk]))

    # then
    contact.refresh_from_db()
    assert (contact.title, contact.is_primary, contact.birthday.isoformat()) == (
        "采购",
        True,
        "1985-03-04",
    )
    assert contact.archived_at is not None
    assert list(
        Event.objects.filter(subject_id=customer.pk).order_by("pk").values_list("verb", flat=True)
    ) == ["contact_added", "contact_changed", "contact_removed"]


def test_state_changes_need_post(org, boss, login):
    customer = CustomerFactory(org=org)
    response = login(boss).get(reverse("parties-customer-archive", args=[customer.pk]))
    assert response.status_code == 405


def test_territory_move_under_its_child_is_refused_on_the_page(org, boss, login):
    # given
    client = login(boss)
    client.post(reverse("parties-territory-create"), {"code": "A", "name": "甲"})
    parent = Territory.objects.get(code="A")
    client.post(
        reverse("parties-territory-create"), {"code": "B", "name": "乙", "parent": parent.pk}
    )
    child = Territory.objects.get(code="B")

    # when
    response = client.post(
        reverse("parties-territory-edit", args=[parent.pk]),
        {"code": "A", "name": "甲", "parent": child.pk},
    )

    # then
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    parent.refresh_from_db()
    assert (parent.parent_id, parent.path) == (None, "A")


def test_reassign_page_moves_the_selected_customers(org, boss, member, login):
    # given
    leaving, taking_over = member(Role.SALES_REP), member(Role.SALES_REP)
    first, second = CustomerFactory.create_batch(2, org=org, owner=leaving)
    client = login(boss)

    # when
    preview = client.get(reverse("parties-reassign"), {"from_owner": leaving.pk})
    response = client.post(
        reverse("parties-reassign"),
        {
            "from_owner": leaving.pk,
            "to_owner": taking_over.pk,
            "scope": "selected",
            "parties": [str(second.pk)],
            "reason": "调整片区",
        },
    )

    # then
    assert preview.context["total"] == 2
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.owner_id, second.owner_id) == (leaving.pk, taking_over.pk)
    detail = client.get(
        reverse("parties-customer-detail", args=[second.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    [entry] = detail.context["timeline"]
    assert (entry["what"], entry["reason"]) == ("Moved to another sales rep", "调整片区")
    assert entry["detail"] == f"From {leaving.user} to {taking_over.user}"


def test_export_follows_the_filters_and_the_language(org, boss, login):
    # given
    territory = TerritoryFactory(org=org, name="西湖区")
    CustomerFactory(org=org, code="C1", name="甲店", tier="A", territory=territory)
    CustomerFactory(org=org, code="C2", name="乙店", tier="B")
    client = login(boss)

    # when
    with translation.override("en"):
        response = client.get(
            reverse("parties-customer-export"), {"tier": "A"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))

    # then
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert rows[0][:4] == ("Code", "Name", "Short name", "Type")
    assert len(rows) == 2
    assert (rows[1][0], rows[1][1], rows[1][4], rows[1][7]) == ("C1", "甲店", "Tier A", "西湖区")


def test_export_headers_are_chinese_by_default(org, rep, login):
    # given
    CustomerFactory(org=org, owner=rep)
    CustomerFactory(org=org)  # someone else's: not exported to the rep

    client = login(rep)
    client.cookies.pop("django_language")  # no choice made: the default language

    # when
    response = client.get(reverse("parties-customer-export"))
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))

    # then
    assert len(rows) == 2
    with translation.override("zh-hans"):
        expected = translation.gettext("Code")
    assert rows[0][0] == expected


def test_a_party_loaded_in_bulk_without_history_rows_opens(org, boss, login):
    # given: bulk loads (demo data, imports) write no history rows
    [party] = Party.objects.bulk_create(
        [Party(org=org, kind="supplier", code="S-BULK", name="批量导入厂家")]
    )

    # when
    response = login(boss).get(reverse("parties-supplier-detail", args=[party.pk]))

    # then
    assert response.status_code == 200
    assert response.context["history"] == []
