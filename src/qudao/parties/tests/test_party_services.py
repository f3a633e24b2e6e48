"""Creating, changing and archiving parties and their contacts through the services."""

from __future__ import annotations

from datetime import date

import pytest

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.parties.models import Contact, Party, PartyKind, PartyStatus
from qudao.parties.services import (
    ContactData,
    PartyData,
    PossibleDuplicate,
    add_contact,
    archive_contact,
    archive_party,
    create_party,
    restore_party,
    update_contact,
    update_party,
)
from qudao.parties.tests.factories import (
    ContactFactory,
    CustomerFactory,
    SupplierFactory,
    TerritoryFactory,
)
from qudao.tenancy.models import Event
from qudao.tenancy.roles import Role


def customer_data(**overrides: object) -> PartyData:
    values: dict[str, object] = {
        "name": "城东便利店",
        "code": "C-NEW-1",
        "customer_type": "retailer",
        "phone": "13912345678",
        "tax_id": "91330100MA2XXXXX1X",
    }
    values.update(overrides)
    return PartyData(**values)  # type: ignore[arg-type]


def events(party: Party) -> list[str]:
    return list(
        Event.objects.filter(subject_type="parties.party", subject_id=party.pk)
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def test_boss_creates_a_customer_with_an_event_and_a_history_row(org, boss, rep):
    # given
    territory = TerritoryFactory(org=org)

    # when
    party = create_party(
        org=org,
        actor=boss,
        kind=PartyKind.CUSTOMER,
        data=customer_data(territory_id=territory.pk, owner_id=rep.pk, tier="B"),
    )

    # then
    party.refresh_from_db()
    assert (party.kind, party.code, party.name, party.customer_type, party.tier) == (
        "customer",
        "C-NEW-1",
        "城东便利店",
        "retailer",
        "B",
    )
    assert (party.territory_id, party.owner_id, party.status) == (territory.pk, rep.pk, "active")
    assert events(party) == ["created"]
    assert party.history.count() == 1


def test_an_empty_code_takes_the_next_number(org, boss):
    # when
    first = create_party(
        org=org, actor=boss, kind=PartyKind.SUPPLIER, data=PartyData(name="甲厂", code="")
    )
    second = create_party(
        org=org, actor=boss, kind=PartyKind.SUPPLIER, data=PartyData(name="乙厂", code="")
    )

    # then
    assert (first.code, second.code) == ("S-000001", "S-000002")


def test_a_sales_rep_creating_a_customer_becomes_its_owner(org, rep):
    # when
    party = create_party(org=org, actor=rep, kind=PartyKind.CUSTOMER, data=customer_data())

    # then
    assert party.owner_id == rep.pk


def test_a_sales_rep_cannot_create_a_customer_for_another_rep(org, rep, member):
    # given
    other_rep = member(Role.SALES_REP)

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        create_party(
            org=org,
            actor=rep,
            kind=PartyKind.CUSTOMER,
            data=customer_data(owner_id=other_rep.pk),
        )

    # then
    assert refused.value.code == "invalid"
    assert set(refused.value.fields) == {"owner"}
    assert Party.objects.count() == 0


@pytest.mark.parametrize("role", [Role.FINANCE, Role.WAREHOUSE, Role.AFTERSALES, Role.READONLY])
def test_roles_without_manage_parties_cannot_create(org, member, role):
    # when
    with pytest.raises(PermissionDenied):
        create_party(org=org, actor=member(role), kind=PartyKind.CUSTOMER, data=customer_data())

    # then
    assert Party.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", " 老王超市 "), ("phone", "13800001111"), ("tax_id", "92330100ma0000001x")],
)
def test_same_name_phone_or_tax_id_is_a_possible_duplicate(org, boss, field, value):
    # given
    existing = CustomerFactory(
        org=org, name="老王超市", phone="13800001111", tax_id="92330100MA0000001X"
    )
    data = customer_data(**({"name": "另一家店", "phone": "", "tax_id": ""} | {field: value}))

    # when
    with pytest.raises(PossibleDuplicate) as refused:
        create_party(org=org, actor=boss, kind=PartyKind.CUSTOMER, data=data)

    # then
    assert refused.value.code == "possible_duplicate"
    assert [m.pk for m in refused.value.matches] == [existing.pk]
    assert refused.value.reasons == {existing.pk: [field]}
    assert Party.objects.count() == 1


def test_the_phone_of_a_contact_also_counts_as_a_duplicate(org, boss):
    # given
    contact = ContactFactory(org=org, phone="13600009999")

    # when
    with pytest.raises(PossibleDuplicate) as refused:
        create_party(
            org=org,
            actor=boss,
            kind=PartyKind.CUSTOMER,
            data=customer_data(phone="13600009999", tax_id=""),
        )

    # then
    assert refused.value.reasons == {contact.party_id: ["contact_phone"]}


def test_a_confirmed_duplicate_is_created_and_the_matches_are_recorded(org, boss):
    # given
    existing = CustomerFactory(org=org, name="城东便利店")

    # when
    party = create_party(
        org=org,
        actor=boss,
        kind=PartyKind.CUSTOMER,
        data=customer_data(),
        confirm_duplicate=True,
    )

    # then
    assert Party.objects.filter(name="城东便利店").count() == 2
    event = Event.objects.get(subject_type="parties.party", subject_id=party.pk)
    assert event.data == {"possible_duplicates": [existing.pk]}


def test_a_supplier_with_the_same_name_is_not_a_duplicate_customer(org, boss):
    # given
    SupplierFactory(org=org, name="城东便利店")

    # when
    party = create_party(org=org, actor=boss, kind=PartyKind.CUSTOMER, data=customer_data())

    # then
    assert party.name == "城东便利店"


def test_a_used_code_is_refused(org, boss):
    # given
    CustomerFactory(org=org, code="C-NEW-1", name="别的店", phone="", tax_id="")

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        create_party(org=org, actor=boss, kind=PartyKind.CUSTOMER, data=customer_data())

    # then
    assert (refused.value.code, list(refused.value.fields)) == ("duplicate_code", ["code"])
    assert Party.objects.count() == 1


def test_update_changes_the_fields_and_records_what_changed(org, boss):
    # given
    party = CustomerFactory(org=org, name="旧名字", tier="C")

    # when
    data = PartyData.of(party)
    update_party(
        org=org,
        actor=boss,
        party=party,
        data=PartyData(**{**vars(data), "name": "新名字", "tier": "A"}),
    )

    # then
    party.refresh_from_db()
    assert (party.name, party.tier) == ("新名字", "A")
    event = Event.objects.get(subject_type="parties.party", subject_id=party.pk)
    assert (event.verb, event.data) == ("updated", {"fields": ["name", "tier"]})
    latest = party.history.order_by("-history_id")[0]
    assert (latest.history_type, latest.name, latest.tier) == ("~", "新名字", "A")


def test_a_status_move_outside_the_table_is_refused_and_nothing_changes(org, boss):
    # given
    party = CustomerFactory(org=org, status=PartyStatus.PROSPECT, name="原名")

    # when
    data = vars(PartyData.of(party)) | {"status": PartyStatus.SUSPENDED, "name": "改名"}
    with pytest.raises(BusinessRuleViolation) as refused:
        update_party(org=org, actor=boss, party=party, data=PartyData(**data))

    # then
    assert refused.value.code == "invalid_transition"
    party.refresh_from_db()
    assert (party.status, party.name) == ("prospect", "原名")
    assert events(party) == []


def test_a_sales_rep_cannot_change_another_reps_customer(org, rep, member):
    # given
    party = CustomerFactory(org=org, owner=member(Role.SALES_REP), name="别人的店")

    # when
    data = vars(PartyData.of(party)) | {"name": "抢来的店"}
    with pytest.raises(PermissionDenied):
        update_party(org=org, actor=rep, party=party, data=PartyData(**data))

    # then
    party.refresh_from_db()
    assert party.name == "别人的店"


def test_a_sales_rep_cannot_give_their_customer_away(org, rep, member):
    # given
    other_rep = member(Role.SALES_REP)
    party = CustomerFactory(org=org, owner=rep)

    # when
    data = vars(PartyData.of(party)) | {"owner_id": other_rep.pk}
    with pytest.raises(BusinessRuleViolation) as refused:
        update_party(org=org, actor=rep, party=party, data=PartyData(**data))

    # then
    assert refused.value.fields.keys() == {"owner"}
    party.refresh_from_db()
    assert party.owner_id == rep.pk


def test_archive_hides_and_restore_brings_back(org, boss):
    # given
    party = CustomerFactory(org=org)

    # when
    archive_party(org=org, actor=boss, party=party, reason="关店了")
    party.refresh_from_db()
    archived_at = party.archived_at
    restore_party(org=org, actor=boss, party=party)

    # then
    party.refresh_from_db()
    assert archived_at is not None and party.archived_at is None
    assert events(party) == ["archived", "restored"]
    assert Event.objects.get(verb="archived").reason == "关店了"


def test_archiving_twice_is_refused(org, boss):
    # given
    party = CustomerFactory(org=org)
    archive_party(org=org, actor=boss, party=party)

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        archive_party(org=org, actor=boss, party=party)

    # then
    assert refused.value.code == "already_archived"
    assert events(party) == ["archived"]


def test_an_archived_party_cannot_be_edited(org, boss):
    # given
    party = CustomerFactory(org=org, name="旧")
    archive_party(org=org, actor=boss, party=party)

    # when
    data = vars(PartyData.of(party)) | {"name": "新"}
    with pytest.raises(BusinessRuleViolation) as refused:
        update_party(org=org, actor=boss, party=party, data=PartyData(**data))

    # then
    assert refused.value.code == "archived"
    party.refresh_from_db()
    assert party.name == "旧"


def test_the_first_contact_becomes_primary_and_a_new_primary_replaces_it(org, boss):
    # given
    party = CustomerFactory(org=org)

    # when
    first = add_contact(org=org, actor=boss, party=party, data=ContactData(name="张三"))
    second = add_contact(
        org=org,
        actor=boss,
        party=party,
        data=ContactData(name="李四", wechat_id="li4", birthday=date(1980, 5, 1), is_primary=True),
    )

    # then
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    assert second.birthday == date(1980, 5, 1)
    assert events(party) == ["contact_added", "contact_added"]


def test_a_contact_with_a_bad_email_is_refused(org, boss):
    # given
    party = CustomerFactory(org=org)

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        add_contact(
            org=org, actor=boss, party=party, data=ContactData(name="王五", email="not-an-email")
        )

    # then
    assert refused.value.fields.keys() == {"email"}
    assert Contact.objects.count() == 0


def test_update_and_archive_a_contact(org, boss):
    # given
    party = CustomerFactory(org=org)
    contact = add_contact(org=org, actor=boss, party=party, data=ContactData(name="张三"))

    # when
    update_contact(
        org=org,
        actor=boss,
        contact=contact,
        data=ContactData(name="张三", title="店长", phone="13700000000", is_primary=True),
    )
    archive_contact(org=org, actor=boss, contact=contact)

    # then
    contact.refresh_from_db()
    assert (contact.title, contact.phone) == ("店长", "13700000000")
    assert contact.archived_at is not None
    assert events(party) == ["contact_added", "contact_changed", "contact_removed"]
